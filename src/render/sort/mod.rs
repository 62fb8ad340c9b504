//! GPU radix sort of (u32 key, u32 value) pairs, ascending and stable.
//!
//! One to four 8-bit LSD passes (as many as the keys have bytes), each three compute
//! dispatches (histogram, scan, scatter); see `shaders/sort_histogram.wgsl` for how
//! it works and why it is portable. Two interchangeable kernel sets ([`SortPath`]):
//! the portable one (workgroup atomics only) and, where the device has subgroups,
//! one that ranks keys with subgroup ballots (`shaders/sort_scatter_subgroup.wgsl`).
//! Both give bit-identical results; the path is chosen at runtime. The pairs start in `SortBuffers::keys[0]` /
//! `values[0]` and end in index `passes % 2` (`SortBuffers::result_index`).
//!
//! The number of keys comes either from the CPU (`SortCount::Cpu`) or from the GPU
//! (`SortCount::Gpu`): then an earlier kernel has written the pass parameters and
//! the indirect dispatch size (`shaders/splat_compact.wgsl`), and nothing is read back.
//! The CPU reference is `crate::reference::sort_pairs`.

use crate::gpu::shader::{ShaderError, create_shader_module};

/// Keys per block handled by one workgroup (keep in sync with sort_params.wgsl).
pub const SORT_BLOCK_SIZE: u32 = 4096;
const RADIX: u32 = 256;
/// Passes for full 32-bit keys.
pub const MAX_PASSES: u32 = 4;
const PASSES: u32 = MAX_PASSES;
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

/// Smallest subgroup the subgroup path handles: 256 invocations make at most 32
/// subgroups. Keep in sync with MAX_SUBGROUPS in shaders/sort_scatter_subgroup.wgsl.
const SUBGROUP_MIN_SIZE: u32 = 8;
/// Ballots are `vec4<u32>`: at most 128 invocations per subgroup.
const SUBGROUP_MAX_SIZE: u32 = 128;
/// Workgroup memory of the subgroup scatter kernel (counts, digit offsets, claim
/// counter). Keep in sync with shaders/sort_scatter_subgroup.wgsl.
const SUBGROUP_SCATTER_WORKGROUP_BYTES: u32 = (4096 + 256 + 1) * 4;

/// On CPU adapters (lavapipe), buffers of at most this many blocks (4M keys) use the
/// one-workgroup scan kernel (`scan_small` in shaders/sort_scan.wgsl): serial steps
/// per digit cost less there than 256 workgroups (measured 1M keys 94 -> 66 ms, 4M
/// 353 -> 278 ms, 42k 40 -> 6 ms). GPUs keep the 256-workgroup scan measured on the
/// H100, where one workgroup walking thousands of blocks would serialize on memory
/// latency.
const SMALL_SCAN_MAX_BLOCKS_CPU: u32 = 1024;

/// Which kernels sort.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SortPath {
    /// Workgroup atomics and barriers only; runs on any adapter.
    Portable,
    /// Subgroup ballots rank equal digits, each subgroup over its own chunk of the
    /// block; needs `Features::SUBGROUP` and `SUBGROUP_BARRIER`, subgroups of 8 to
    /// 128 invocations and 17 KiB of workgroup memory.
    Subgroup,
}

impl SortPath {
    /// Whether `device` can run this path; if not, why.
    pub fn check_support(self, device: &wgpu::Device) -> Result<(), String> {
        match self {
            Self::Portable => Ok(()),
            Self::Subgroup => {
                let needed = wgpu::Features::SUBGROUP | wgpu::Features::SUBGROUP_BARRIER;
                if !device.features().contains(needed) {
                    return Err("the device has no subgroup operations or subgroup barriers".into());
                }
                let info = device.adapter_info();
                if info.subgroup_min_size < SUBGROUP_MIN_SIZE
                    || info.subgroup_max_size > SUBGROUP_MAX_SIZE
                {
                    return Err(format!(
                        "subgroup sizes {}..={} are outside {SUBGROUP_MIN_SIZE}..={SUBGROUP_MAX_SIZE}",
                        info.subgroup_min_size, info.subgroup_max_size
                    ));
                }
                let memory = device.limits().max_compute_workgroup_storage_size;
                if memory < SUBGROUP_SCATTER_WORKGROUP_BYTES {
                    return Err(format!(
                        "{memory} bytes of workgroup memory, {SUBGROUP_SCATTER_WORKGROUP_BYTES} needed"
                    ));
                }
                Ok(())
            }
        }
    }

    /// The path to use on `device`, by what was measured (docs/BENCHMARKS.md): on
    /// CPU adapters the subgroup path where supported (lavapipe: 2.2x faster than
    /// portable, as each workgroup barrier is costly there); on GPUs the portable
    /// path (H100: 1.16x faster at 8M keys, 1.26x on a frame's depth sort).
    pub fn best_for(device: &wgpu::Device) -> Self {
        Self::best_for_kind(
            device.adapter_info().device_type,
            Self::Subgroup.check_support(device).is_ok(),
        )
    }

    /// [`Self::best_for`] from the adapter's type and subgroup support.
    pub fn best_for_kind(device_type: wgpu::DeviceType, subgroups: bool) -> Self {
        if subgroups && device_type == wgpu::DeviceType::Cpu {
            Self::Subgroup
        } else {
            Self::Portable
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Portable => "portable",
            Self::Subgroup => "subgroup",
        }
    }
}

/// Pipelines of the sort; long-lived, independent of any buffer.
pub struct RadixSorter {
    path: SortPath,
    /// Largest buffer, in blocks, sorted with the one-workgroup scan (0: never).
    small_scan_max_blocks: u32,
    layout: wgpu::BindGroupLayout,
    histogram: wgpu::ComputePipeline,
    scan: wgpu::ComputePipeline,
    scan_small: wgpu::ComputePipeline,
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
    /// Workgroup counts (x, y, z) for indirect dispatch, written by the GPU.
    pub dispatch_args: wgpu::Buffer,
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
    /// The sorter on the fastest path `device` supports.
    pub fn new(device: &wgpu::Device) -> Result<Self, ShaderError> {
        Self::with_path(device, SortPath::best_for(device))
    }

    /// The sorter on `path`; an error if `device` cannot run it.
    pub fn with_path(device: &wgpu::Device, path: SortPath) -> Result<Self, ShaderError> {
        if let Err(reason) = path.check_support(device) {
            return Err(ShaderError {
                file: "sort_scatter_subgroup.wgsl".into(),
                reason: format!("the {} sort path cannot run here: {reason}", path.name()),
            });
        }
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
        let (histogram_file, scatter_file) = match path {
            SortPath::Portable => ("sort_histogram.wgsl", "sort_scatter.wgsl"),
            SortPath::Subgroup => ("sort_histogram_subgroup.wgsl", "sort_scatter_subgroup.wgsl"),
        };
        let small_scan_max_blocks = match device.adapter_info().device_type {
            wgpu::DeviceType::Cpu => SMALL_SCAN_MAX_BLOCKS_CPU,
            _ => 0,
        };
        Ok(Self {
            path,
            small_scan_max_blocks,
            histogram: make(histogram_file, "histogram")?,
            scan: make("sort_scan.wgsl", "scan")?,
            scan_small: make("sort_scan.wgsl", "scan_small")?,
            scatter: make(scatter_file, "scatter")?,
            layout,
        })
    }

    /// The kernels this sorter runs.
    pub fn path(&self) -> SortPath {
        self.path
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
            wgpu::BufferUsages::UNIFORM
                | wgpu::BufferUsages::STORAGE
                | wgpu::BufferUsages::COPY_DST,
        );
        let dispatch_args = make(
            "sort dispatch args",
            16,
            wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::INDIRECT,
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
            dispatch_args,
            pass_bind_groups,
            capacity,
            num_keys: u32::MAX,
        }
    }

    /// Records the sort of the first pairs of `buffers` by their lowest
    /// `8 * passes` key bits (`passes` in 1..=4; other bits are ignored).
    /// The result lands in `buffers.keys[passes % 2]` / `values[passes % 2]`.
    pub fn encode(
        &self,
        queue: &wgpu::Queue,
        encoder: &mut wgpu::CommandEncoder,
        buffers: &mut SortBuffers,
        count: SortCount,
        passes: u32,
        timestamp_writes: Option<wgpu::ComputePassTimestampWrites<'_>>,
    ) {
        let passes = passes.clamp(1, PASSES);
        let cpu_blocks = match count {
            SortCount::Cpu(num_keys) => {
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
                Some(num_blocks)
            }
            SortCount::Gpu => {
                // The GPU overwrites the parameters; forget what the CPU wrote.
                buffers.num_keys = u32::MAX;
                None
            }
        };
        encoder.clear_buffer(&buffers.digit_totals, 0, None);
        let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
            label: Some("radix sort"),
            timestamp_writes,
        });
        // The GPU may write fewer keys than the capacity, never more: the capacity
        // bounds the block count.
        let small = buffers.capacity.div_ceil(SORT_BLOCK_SIZE) <= self.small_scan_max_blocks;
        for bind_group in &buffers.pass_bind_groups[..passes as usize] {
            pass.set_bind_group(0, bind_group, &[]);
            pass.set_pipeline(&self.histogram);
            dispatch(&mut pass, cpu_blocks, &buffers.dispatch_args);
            if small {
                pass.set_pipeline(&self.scan_small);
                pass.dispatch_workgroups(1, 1, 1);
            } else {
                pass.set_pipeline(&self.scan);
                pass.dispatch_workgroups(RADIX, 1, 1);
            }
            pass.set_pipeline(&self.scatter);
            dispatch(&mut pass, cpu_blocks, &buffers.dispatch_args);
        }
    }
}

fn dispatch(pass: &mut wgpu::ComputePass<'_>, blocks: Option<u32>, indirect: &wgpu::Buffer) {
    match blocks {
        Some(blocks) => pass.dispatch_workgroups(blocks, 1, 1),
        None => pass.dispatch_workgroups_indirect(indirect, 0),
    }
}

/// Where the number of keys to sort comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SortCount {
    /// Known on the CPU.
    Cpu(u32),
    /// Written into the parameter and dispatch buffers by an earlier GPU pass.
    Gpu,
}

/// Sort passes needed for keys of `bits` bits.
pub fn passes_for_key_bits(bits: u32) -> u32 {
    bits.div_ceil(8).clamp(1, MAX_PASSES)
}

impl SortBuffers {
    pub fn capacity(&self) -> u32 {
        self.capacity
    }

    /// Index of the key/value buffers holding the result after `passes` passes.
    pub fn result_index(passes: u32) -> usize {
        (passes % 2) as usize
    }

    /// The parameter buffer (four `SortParams`, `PARAMS_STRIDE` bytes apart).
    pub fn params(&self) -> &wgpu::Buffer {
        &self.params
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
            + self.dispatch_args.size()
    }
}
