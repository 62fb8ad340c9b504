//! Device, adapter and surface setup; shader loading; small GPU helpers.

pub mod profiler;
pub mod readback;
pub mod shader;
pub mod uniform;

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
}

/// An adapter, its device and queue.
pub struct GpuContext {
    pub instance: wgpu::Instance,
    pub adapter: wgpu::Adapter,
    pub device: wgpu::Device,
    pub queue: wgpu::Queue,
}

impl GpuContext {
    /// A context without a window (headless rendering, tests, benchmarks).
    pub fn new_headless() -> Result<Self, GpuError> {
        let instance =
            wgpu::Instance::new(wgpu::InstanceDescriptor::new_without_display_handle_from_env());
        pollster::block_on(Self::from_instance(instance, None))
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
        Ok(Self {
            instance,
            adapter,
            device,
            queue,
        })
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
