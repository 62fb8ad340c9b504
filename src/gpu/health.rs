//! GPU errors as data: the device's uncaptured errors and its loss are recorded
//! (never a panic), and allocations that may fail run inside error scopes.
//!
//! wgpu's default for an error outside any scope is to panic; `DeviceHealth::install`
//! replaces that with a handler that stores the message, and a device-lost
//! callback that stores the reason. The viewer shows both in the overlay and
//! recreates the device after a loss (`app::gpu_session`).

use std::sync::{Arc, Mutex, PoisonError};

use super::GpuError;

#[derive(Debug, Default)]
struct Health {
    errors: Vec<String>,
    lost: Option<String>,
}

/// What a device reported outside error scopes. Cheap to clone (shared state).
#[derive(Clone, Debug, Default)]
pub struct DeviceHealth {
    inner: Arc<Mutex<Health>>,
}

/// Most uncaptured errors kept between two `take_errors` calls.
const MAX_KEPT_ERRORS: usize = 32;

impl DeviceHealth {
    /// Installs the uncaptured-error handler and the device-lost callback on `device`.
    pub fn install(device: &wgpu::Device) -> Self {
        let health = Self::default();
        let sink = health.clone();
        device.on_uncaptured_error(Arc::new(move |error: wgpu::Error| {
            let message = describe(&error);
            log::error!("GPU error: {message}");
            sink.with(|h| {
                if h.errors.len() < MAX_KEPT_ERRORS {
                    h.errors.push(message);
                }
            });
        }));
        let sink = health.clone();
        device.set_device_lost_callback(move |reason, message| {
            let text = match reason {
                wgpu::DeviceLostReason::Destroyed => {
                    format!("the device was destroyed ({message})")
                }
                wgpu::DeviceLostReason::Unknown => format!("the GPU device was lost: {message}"),
            };
            log::error!("{text}");
            sink.with(|h| h.lost = Some(text));
        });
        health
    }

    fn with<T>(&self, f: impl FnOnce(&mut Health) -> T) -> T {
        let mut guard = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        f(&mut guard)
    }

    /// The errors reported since the last call.
    pub fn take_errors(&self) -> Vec<String> {
        self.with(|h| std::mem::take(&mut h.errors))
    }

    /// Why the device was lost, once it has been.
    pub fn lost(&self) -> Option<String> {
        self.with(|h| h.lost.clone())
    }
}

/// One line for a wgpu error.
pub fn describe(error: &wgpu::Error) -> String {
    match error {
        wgpu::Error::OutOfMemory { .. } => "out of GPU memory".to_owned(),
        wgpu::Error::Validation { description, .. } => first_line(description),
        wgpu::Error::Internal { description, .. } => first_line(description),
    }
}

/// wgpu's multi-line error text ("In ...", "Caused by:", causes) on one line.
fn first_line(text: &str) -> String {
    let parts: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("Caused by"))
        .collect();
    if parts.is_empty() {
        "unknown GPU error".to_owned()
    } else {
        parts.join(": ")
    }
}

/// Runs `create` inside out-of-memory and validation error scopes: GPU
/// allocations that may fail (scene buffers, render targets) give an error to
/// show instead of a panic or a silently invalid resource.
pub fn scoped<T>(
    device: &wgpu::Device,
    what: &'static str,
    create: impl FnOnce() -> T,
) -> Result<T, GpuError> {
    let out_of_memory = device.push_error_scope(wgpu::ErrorFilter::OutOfMemory);
    let validation = device.push_error_scope(wgpu::ErrorFilter::Validation);
    let value = create();
    let validation = pollster::block_on(validation.pop());
    let out_of_memory = pollster::block_on(out_of_memory.pop());
    match (out_of_memory, validation) {
        (Some(_), _) => Err(GpuError::OutOfMemory { what }),
        (None, Some(error)) => Err(GpuError::Validation {
            what,
            message: describe(&error),
        }),
        (None, None) => Ok(value),
    }
}
