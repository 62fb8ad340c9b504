//! GPU radix sort of (u32 key, u32 value) pairs, ascending and stable.
//!
//! Four 8-bit LSD passes, each three compute dispatches (histogram, scan, scatter);
//! see `shaders/sort_histogram.wgsl` for how it works and why it is portable. The
//! pairs start in, and end in, `SortBuffers::keys[0]` / `values[0]`.
//! The CPU reference is `crate::reference::sort_pairs`.

use crate::gpu::shader::{ShaderError, create_shader_module};

/// Keys per block handled by one workgroup (keep in sync with sort_params.wgsl).
pub const SORT_BLOCK_SIZE: u32 = 4096;
const RADIX: u32 = 256;
const PASSES: u32 = 4;
/// Uniform offsets must be multiples of this (the WebGPU maximum alignment).
const PARAMS_STRIDE: u64 = 256;

/// Parameters of one sort pass. Keep in sync with shaders/common/sort_params.wgsl.
#[repr(C)]
#[derive(Clone, Copy, Debug, bytemuck::Pod, bytemuck::Zeroable)]
pub struct SortParams {
    pub num_keys: u32,
    pub shift: u32,
    pub num_blocks: u32,
    pub pass_index: u32,
}
const _: () = assert!(size_of::<SortParams>() == 16);

/// Pipelines of the sort; long-lived, independent of any buffer.
pub struct RadixSorter {
    layout: wgpu::BindGroupLayout,
    histogram: wgpu::ComputePipeline,
    scan: wgpu::ComputePipeline,
    scatter: wgpu::ComputePipeline,
}

/// Buffers for sorting up to `capacity` pairs, with their bind groups.
pub struct SortBuffers {
    /// Ping-pong key buffers; input and output are `keys[0]`.
    pub keys: [wgpu::Buffer; 2],
    /// Ping-pong value buffers; input and output are `values[0]`.
    pub values: [wgpu::Buffer; 2],
    block_hist: wgpu::Buffer,
    digit_totals: wgpu::Buffer,
    params: wgpu::Buffer,
    pass_bind_groups: Vec<wgpu::BindGroup>,
    capacity: u32,
    num_keys: u32,
}

fn storage_entry(binding: u32, read_only: bool) -> wgpu::BindGroupLayoutEntry {
    wgpu::BindGroupLayoutEntry {
        binding,
        visibility: wgpu::ShaderStages::COMPUTE,
        ty: wgpu::BindingType::Buffer {
            ty: wgpu::BufferBindingType::Storage { read_only },
            has_dynamic_offset: false,
            min_binding_size: None,
        },
        count: None,
    }
}

impl RadixSorter {
    pub fn new(device: &wgpu::Device) -> Result<Self, ShaderError> {
        let layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("radix sort"),
            entries: &[
                wgpu::BindGroupLayoutEntry {
                    binding: 0,
                    visibility: wgpu::ShaderStages::COMPUTE,
                    ty: wgpu::BindingType::Buffer {
                        ty: wgpu::BufferBindingType::Uniform,
                        has_dynamic_offset: false,
                        min_binding_size: wgpu::BufferSize::new(size_of::<SortParams>() as u64),
                    },
                    count: None,
                },
                storage_entry(1, true),
                storage_entry(2, true),
                storage_entry(3, false),
                storage_entry(4, false),
                storage_entry(5, false),
                storage_entry(6, false),
            ],
        });
        let pipeline_layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some("radix sort"),
            bind_group_layouts: &[Some(&layout)],
            immediate_size: 0,
        });
        let make = |file: &str, entry: &str| -> Result<wgpu::ComputePipeline, ShaderError> {
            let module = create_shader_module(device, file)?;
            Ok(
                device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
                    label: Some(entry),
                    layout: Some(&pipeline_layout),
                    module: &module,
                    entry_point: Some(entry),
                    compilation_options: Default::default(),
                    cache: None,
                }),
            )
        };
        Ok(Self {
            histogram: make("sort_histogram.wgsl", "histogram")?,
            scan: make("sort_scan.wgsl", "scan")?,
            scatter: make("sort_scatter.wgsl", "scatter")?,
            layout,
        })
    }

    /// Allocates buffers for up to `capacity` pairs. Extra usages (e.g. `COPY_SRC`
    /// for read-back) are added to the key and value buffers.
    pub fn create_buffers(
        &self,
        device: &wgpu::Device,
        capacity: u32,
        extra_usage: wgpu::BufferUsages,
    ) -> SortBuffers {
        let capacity = capacity.max(1);
        let pair_usage = wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_DST | extra_usage;
        let make = |label: &str, size: u64, usage: wgpu::BufferUsages| {
            device.create_buffer(&wgpu::BufferDescriptor {
                label: Some(label),
                size,
                usage,
                mapped_at_creation: false,
            })
        };
        let pair_bytes = u64::from(capacity) * 4;
        let keys = [
            make("sort keys 0", pair_bytes, pair_usage),
            make("sort keys 1", pair_bytes, pair_usage),
        ];
        let values = [
            make("sort values 0", pair_bytes, pair_usage),
            make("sort values 1", pair_bytes, pair_usage),
        ];
        let max_blocks = capacity.div_ceil(SORT_BLOCK_SIZE);
        let block_hist = make(
            "sort block histograms",
            u64::from(max_blocks * RADIX) * 4,
            wgpu::BufferUsages::STORAGE,
        );
        let digit_totals = make(
            "sort digit totals",
            u64::from(PASSES * RADIX) * 4,
            wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_DST,
        );
        let params = make(
            "sort params",
            PARAMS_STRIDE * u64::from(PASSES),
            wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
        );
        let pass_bind_groups = (0..PASSES as usize)
            .map(|pass| {
                let (src, dst) = (pass % 2, (pass + 1) % 2);
                device.create_bind_group(&wgpu::BindGroupDescriptor {
                    label: Some("radix sort pass"),
                    layout: &self.layout,
                    entries: &[
                        wgpu::BindGroupEntry {
                            binding: 0,
                            resource: wgpu::BindingResource::Buffer(wgpu::BufferBinding {
                                buffer: &params,
                                offset: PARAMS_STRIDE * pass as u64,
                                size: wgpu::BufferSize::new(size_of::<SortParams>() as u64),
                            }),
                        },
                        wgpu::BindGroupEntry {
                            binding: 1,
                            resource: keys[src].as_entire_binding(),
                        },
                        wgpu::BindGroupEntry {
                            binding: 2,
                            resource: values[src].as_entire_binding(),
                        },
                        wgpu::BindGroupEntry {
                            binding: 3,
                            resource: keys[dst].as_entire_binding(),
                        },
                        wgpu::BindGroupEntry {
                            binding: 4,
                            resource: values[dst].as_entire_binding(),
                        },
                        wgpu::BindGroupEntry {
                            binding: 5,
                            resource: block_hist.as_entire_binding(),
                        },
                        wgpu::BindGroupEntry {
                            binding: 6,
                            resource: digit_totals.as_entire_binding(),
                        },
                    ],
                })
            })
            .collect();
        SortBuffers {
            keys,
            values,
            block_hist,
            digit_totals,
            params,
            pass_bind_groups,
            capacity,
            num_keys: u32::MAX,
        }
    }

    /// Records the sort of the first `num_keys` pairs of `buffers`.
    /// Writes the pass parameters when `num_keys` changed since the last call.
    pub fn encode(
        &self,
        queue: &wgpu::Queue,
        encoder: &mut wgpu::CommandEncoder,
        buffers: &mut SortBuffers,
        num_keys: u32,
    ) {
        let num_keys = num_keys.min(buffers.capacity);
        let num_blocks = num_keys.div_ceil(SORT_BLOCK_SIZE);
        if buffers.num_keys != num_keys {
            buffers.num_keys = num_keys;
            for pass in 0..PASSES {
                let params = SortParams {
                    num_keys,
                    shift: pass * 8,
                    num_blocks,
                    pass_index: pass,
                };
                queue.write_buffer(
                    &buffers.params,
                    PARAMS_STRIDE * u64::from(pass),
                    bytemuck::bytes_of(&params),
                );
            }
        }
        if num_keys <= 1 {
            return;
        }
        encoder.clear_buffer(&buffers.digit_totals, 0, None);
        let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
            label: Some("radix sort"),
            timestamp_writes: None,
        });
        for bind_group in &buffers.pass_bind_groups {
            pass.set_bind_group(0, bind_group, &[]);
            pass.set_pipeline(&self.histogram);
            pass.dispatch_workgroups(num_blocks, 1, 1);
            pass.set_pipeline(&self.scan);
            pass.dispatch_workgroups(RADIX, 1, 1);
            pass.set_pipeline(&self.scatter);
            pass.dispatch_workgroups(num_blocks, 1, 1);
        }
    }
}

impl SortBuffers {
    pub fn capacity(&self) -> u32 {
        self.capacity
    }

    /// Bytes of GPU memory these buffers hold.
    pub fn size_bytes(&self) -> u64 {
        self.keys
            .iter()
            .chain(&self.values)
            .map(|b| b.size())
            .sum::<u64>()
            + self.block_hist.size()
            + self.digit_totals.size()
            + self.params.size()
    }
}
