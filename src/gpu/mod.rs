//! Device, adapter and surface setup; shader loading; small GPU helpers.

pub mod health;
pub mod pipeline;
pub mod profiler;
pub mod readback;
pub mod shader;
pub mod texture;
pub mod uniform;

pub use health::DeviceHealth;
pub use uniform::UniformBuffer;

/// Why a GPU could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum GpuError {
    #[error(
        "no GPU adapter found ({0}); install a Vulkan driver (e.g. Mesa's lavapipe: `apt-get install mesa-vulkan-drivers`)"
    )]
    NoAdapter(String),
    #[error("the GPU adapter refused to create a device: {0}")]
    RequestDevice(#[from] wgpu::RequestDeviceError),
    #[error(
        "scene too large for this GPU: {what} needs {needed} bytes in one storage binding, but the adapter allows at most {limit} bytes (max_storage_buffer_binding_size)"
    )]
    SceneTooLarge {
        what: &'static str,
        needed: u64,
        limit: u64,
    },
    #[error(
        "a {width}x{height} image cannot be made on this GPU: each side must be 1 to {limit} pixels (max_texture_dimension_2d)"
    )]
    ImageTooLarge { width: u32, height: u32, limit: u32 },
    #[error("out of GPU memory while creating the {what}")]
    OutOfMemory { what: &'static str },
    #[error("the GPU rejected the {what}: {message}")]
    Validation { what: &'static str, message: String },
    #[error("{0}")]
    DeviceLost(String),
}

/// An adapter, its device and queue.
pub struct GpuContext {
    pub instance: wgpu::Instance,
    pub adapter: wgpu::Adapter,
    pub device: wgpu::Device,
    pub queue: wgpu::Queue,
    /// Errors outside error scopes and the device's loss, recorded instead of
    /// panicking.
    pub health: DeviceHealth,
}

impl GpuContext {
    /// A context without a window (headless rendering, tests, benchmarks): the
    /// primary backends (Vulkan, Metal, DX12) first, GL only where none of them
    /// has an adapter (probing EGL prints driver errors on machines without it).
    /// `WGPU_BACKEND` chooses the backends instead.
    pub fn new_headless() -> Result<Self, GpuError> {
        let mut descriptor = wgpu::InstanceDescriptor::new_without_display_handle_from_env();
        if std::env::var_os("WGPU_BACKEND").is_none() {
            descriptor.backends = wgpu::Backends::PRIMARY;
            let primary = wgpu::Instance::new(descriptor);
            match pollster::block_on(Self::from_instance(primary, None)) {
                Err(GpuError::NoAdapter(_)) => {}
                other => return other,
            }
            let mut descriptor = wgpu::InstanceDescriptor::new_without_display_handle_from_env();
            descriptor.backends = wgpu::Backends::GL;
            return pollster::block_on(Self::from_instance(wgpu::Instance::new(descriptor), None));
        }
        pollster::block_on(Self::from_instance(wgpu::Instance::new(descriptor), None))
    }

    /// A headless context whose requested limits are changed by `adjust` (tests use
    /// it to emulate small adapters).
    pub fn new_headless_with_limits(
        adjust: impl FnOnce(&mut wgpu::Limits),
    ) -> Result<Self, GpuError> {
        let instance =
            wgpu::Instance::new(wgpu::InstanceDescriptor::new_without_display_handle_from_env());
        pollster::block_on(Self::from_instance_with_limits(instance, None, adjust))
    }

    /// A context whose adapter can present to `compatible_surface` (if given).
    pub async fn from_instance(
        instance: wgpu::Instance,
        compatible_surface: Option<&wgpu::Surface<'_>>,
    ) -> Result<Self, GpuError> {
        Self::from_instance_with_limits(instance, compatible_surface, |_| {}).await
    }

    async fn from_instance_with_limits(
        instance: wgpu::Instance,
        compatible_surface: Option<&wgpu::Surface<'_>>,
        adjust: impl FnOnce(&mut wgpu::Limits),
    ) -> Result<Self, GpuError> {
        let adapter = instance
            .request_adapter(&wgpu::RequestAdapterOptions {
                power_preference: wgpu::PowerPreference::from_env()
                    .unwrap_or(wgpu::PowerPreference::HighPerformance),
                force_fallback_adapter: false,
                compatible_surface,
                apply_limit_buckets: false,
            })
            .await
            .map_err(|e| GpuError::NoAdapter(e.to_string()))?;
        let mut limits = required_limits(&adapter);
        adjust(&mut limits);
        let (device, queue) = adapter
            .request_device(&wgpu::DeviceDescriptor {
                label: Some("splatview device"),
                required_features: adapter.features() & OPTIONAL_FEATURES,
                required_limits: limits,
                experimental_features: wgpu::ExperimentalFeatures::disabled(),
                memory_hints: wgpu::MemoryHints::Performance,
                trace: wgpu::Trace::Off,
            })
            .await?;
        let health = DeviceHealth::install(&device);
        DEVICES_CREATED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Ok(Self {
            instance,
            adapter,
            device,
            queue,
            health,
        })
    }

    /// A new device on the same instance (after the old one was lost); the
    /// adapter is chosen again, compatible with `surface` if given.
    pub async fn recreate(&self, surface: Option<&wgpu::Surface<'_>>) -> Result<Self, GpuError> {
        Self::from_instance(self.instance.clone(), surface).await
    }

    /// Fails with `GpuError::DeviceLost` once the device has been lost.
    pub fn check_alive(&self) -> Result<(), GpuError> {
        match self.health.lost() {
            Some(reason) => Err(GpuError::DeviceLost(reason)),
            None => Ok(()),
        }
    }

    /// Fails with the errors the device reported outside error scopes since the
    /// last call (a rejected command, out of memory) or with its loss. The
    /// command-line tools check it before they write an image or report a
    /// timing, so that none comes from work the GPU refused.
    pub fn check_errors(&self, what: &'static str) -> Result<(), GpuError> {
        self.check_alive()?;
        let errors = self.health.take_errors();
        match errors.as_slice() {
            [] => Ok(()),
            [only] => Err(GpuError::Validation {
                what,
                message: only.clone(),
            }),
            [first, rest @ ..] => Err(GpuError::Validation {
                what,
                message: format!("{first} (and {} more errors)", rest.len()),
            }),
        }
    }

    /// Fails unless a `width x height` texture fits this device (each side 1 to
    /// `max_texture_dimension_2d`), before anything is created.
    pub fn check_image_size(&self, width: u32, height: u32) -> Result<(), GpuError> {
        check_image_size(&self.device.limits(), width, height)
    }

    /// "name (backend, device type)" for logs and reports.
    pub fn adapter_description(&self) -> String {
        let info = self.adapter.get_info();
        format!("{} ({:?}, {:?})", info.name, info.backend, info.device_type)
    }

    /// Largest size in bytes of one storage-buffer binding on this device.
    pub fn max_storage_binding(&self) -> u64 {
        self.device.limits().max_storage_buffer_binding_size
    }
}

/// Devices this process has created (the viewer makes one; tests check that
/// screenshots and exports add none).
static DEVICES_CREATED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// How many GPU devices this process has created so far.
pub fn devices_created() -> usize {
    DEVICES_CREATED.load(std::sync::atomic::Ordering::Relaxed)
}

/// Features used where the adapter has them: pass timestamps (profiling) and
/// subgroup operations (faster sort path).
const OPTIONAL_FEATURES: wgpu::Features = wgpu::Features::TIMESTAMP_QUERY
    .union(wgpu::Features::SUBGROUP)
    .union(wgpu::Features::SUBGROUP_BARRIER);

/// The limits splatview asks for: WebGPU defaults, raised to what the adapter offers
/// for buffer sizes (big scenes), storage buffers per stage (the sort binds 6) and
/// workgroup memory.
fn required_limits(adapter: &wgpu::Adapter) -> wgpu::Limits {
    let offered = adapter.limits();
    wgpu::Limits {
        max_storage_buffer_binding_size: offered.max_storage_buffer_binding_size,
        max_buffer_size: offered.max_buffer_size,
        max_storage_buffers_per_shader_stage: offered.max_storage_buffers_per_shader_stage,
        max_compute_workgroups_per_dimension: offered.max_compute_workgroups_per_dimension,
        // The subgroup sort path keeps per-subgroup digit counts in workgroup memory.
        max_compute_workgroup_storage_size: offered.max_compute_workgroup_storage_size,
        ..wgpu::Limits::default().using_resolution(offered)
    }
}

/// Fails unless a `width x height` texture fits `limits`.
pub fn check_image_size(limits: &wgpu::Limits, width: u32, height: u32) -> Result<(), GpuError> {
    let limit = limits.max_texture_dimension_2d;
    if width == 0 || height == 0 || width > limit || height > limit {
        return Err(GpuError::ImageTooLarge {
            width,
            height,
            limit,
        });
    }
    Ok(())
}
