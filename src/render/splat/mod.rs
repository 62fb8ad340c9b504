//! Gaussian splat rendering: project (compute), sort (compute), draw (instanced quads).
//!
//! `SplatRenderer` is long-lived and owns the pipelines and bind group layouts;
//! `SplatGpuData` owns one scene's buffers. `SplatRenderer::encode` records the
//! stages for one camera into an Rgba16Float accumulation target:
//! project (+ compaction of the visible splats into sort keys), sort (indirect, only
//! the visible splats), draw (indirect instance count). No CPU read-back.

pub mod gpu_data;

pub use gpu_data::{FrameState, FrameUniforms, RenderLod, SplatGpuData};

use crate::gpu::profiler::{FramePass, GpuProfiler};
use crate::gpu::shader::{ShaderError, create_shader_module};
use crate::render::sort::{RadixSorter, SortBuffers, SortCount, SortPath, passes_for_key_bits};
use crate::scene::PinholeCamera;
use gpu_data::PROJECT_WORKGROUP_SIZE;

/// Format of the accumulation target the splats are blended into. Half floats keep
/// hundreds of blended layers accurate (8-bit targets lose ~1 LSB per layer).
pub const ACCUMULATION_FORMAT: wgpu::TextureFormat = wgpu::TextureFormat::Rgba16Float;

/// Default bits of the depth sort key (see shaders/splat_compact.wgsl).
pub const DEFAULT_SORT_KEY_BITS: u32 = 24;

/// Pipelines for splat rendering.
pub struct SplatRenderer {
    pub(crate) project_layout: wgpu::BindGroupLayout,
    pub(crate) compact_layout: wgpu::BindGroupLayout,
    pub(crate) budget_layout: wgpu::BindGroupLayout,
    pub(crate) draw_layout: wgpu::BindGroupLayout,
    project_pipeline: wgpu::ComputePipeline,
    budget_threshold_pipeline: wgpu::ComputePipeline,
    budget_recount_pipeline: wgpu::ComputePipeline,
    compact_scan_pipeline: wgpu::ComputePipeline,
    compact_pipeline: wgpu::ComputePipeline,
    draw_pipeline: wgpu::RenderPipeline,
    pub(crate) sorter: RadixSorter,
    /// Bits of the depth sort key: 16, 24 or 32 (exact float order).
    pub sort_key_bits: u32,
    /// Level of detail applied by the project pass.
    pub lod: RenderLod,
}

pub(crate) fn compute_pipeline(
    device: &wgpu::Device,
    layout: &wgpu::BindGroupLayout,
    module: &wgpu::ShaderModule,
    entry_point: &str,
) -> wgpu::ComputePipeline {
    compute_pipeline_with_groups(device, &[layout], module, entry_point)
}

/// A compute pipeline whose bind groups 0, 1, ... have `layouts`.
pub(crate) fn compute_pipeline_with_groups(
    device: &wgpu::Device,
    layouts: &[&wgpu::BindGroupLayout],
    module: &wgpu::ShaderModule,
    entry_point: &str,
) -> wgpu::ComputePipeline {
    let bind_group_layouts: Vec<_> = layouts.iter().map(|&layout| Some(layout)).collect();
    let pipeline_layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
        label: Some(entry_point),
        bind_group_layouts: &bind_group_layouts,
        immediate_size: 0,
    });
    device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
        label: Some(entry_point),
        layout: Some(&pipeline_layout),
        module,
        entry_point: Some(entry_point),
        compilation_options: Default::default(),
        cache: None,
    })
}

pub(crate) fn buffer_entry(
    binding: u32,
    visibility: wgpu::ShaderStages,
    ty: wgpu::BufferBindingType,
) -> wgpu::BindGroupLayoutEntry {
    wgpu::BindGroupLayoutEntry {
        binding,
        visibility,
        ty: wgpu::BindingType::Buffer {
            ty,
            has_dynamic_offset: false,
            min_binding_size: None,
        },
        count: None,
    }
}

/// A compute bind group layout: a uniform buffer at binding 0, then `storage_count`
/// read-write storage buffers at bindings 1..=storage_count.
fn uniform_then_rw_storage_layout(
    device: &wgpu::Device,
    label: &str,
    storage_count: u32,
) -> wgpu::BindGroupLayout {
    let compute = wgpu::ShaderStages::COMPUTE;
    let entries: Vec<_> =
        std::iter::once(buffer_entry(0, compute, wgpu::BufferBindingType::Uniform))
            .chain((1..=storage_count).map(|binding| {
                buffer_entry(
                    binding,
                    compute,
                    wgpu::BufferBindingType::Storage { read_only: false },
                )
            }))
            .collect();
    device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
        label: Some(label),
        entries: &entries,
    })
}

impl SplatRenderer {
    pub fn new(device: &wgpu::Device) -> Result<Self, ShaderError> {
        use wgpu::BufferBindingType::{Storage, Uniform};
        let compute = wgpu::ShaderStages::COMPUTE;
        let project_layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("splat project"),
            entries: &[
                buffer_entry(0, compute, Uniform),
                buffer_entry(1, compute, Storage { read_only: true }),
                buffer_entry(2, compute, Storage { read_only: true }),
                buffer_entry(3, compute, Storage { read_only: false }),
                buffer_entry(4, compute, Storage { read_only: false }),
                buffer_entry(5, compute, Storage { read_only: false }),
                buffer_entry(6, compute, Storage { read_only: false }),
                buffer_entry(7, compute, Storage { read_only: false }),
            ],
        });
        let compact_layout = uniform_then_rw_storage_layout(device, "splat compact", 8);
        let budget_layout = uniform_then_rw_storage_layout(device, "splat budget", 4);
        let vertex_fragment = wgpu::ShaderStages::VERTEX | wgpu::ShaderStages::FRAGMENT;
        let draw_layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("splat draw"),
            entries: &[
                buffer_entry(0, vertex_fragment, Uniform),
                buffer_entry(1, wgpu::ShaderStages::VERTEX, Storage { read_only: true }),
                buffer_entry(2, wgpu::ShaderStages::VERTEX, Storage { read_only: true }),
            ],
        });

        let project_module = create_shader_module(device, "splat_project.wgsl")?;
        let project_pipeline =
            compute_pipeline(device, &project_layout, &project_module, "project");
        let budget_module = create_shader_module(device, "splat_budget.wgsl")?;
        let budget_threshold_pipeline =
            compute_pipeline(device, &budget_layout, &budget_module, "budget_threshold");
        let budget_recount_pipeline =
            compute_pipeline(device, &budget_layout, &budget_module, "budget_recount");
        let compact_module = create_shader_module(device, "splat_compact.wgsl")?;
        let compact_scan_pipeline =
            compute_pipeline(device, &compact_layout, &compact_module, "compact_scan");
        let compact_pipeline =
            compute_pipeline(device, &compact_layout, &compact_module, "compact");

        let draw_module = create_shader_module(device, "splat_draw.wgsl")?;
        let draw_pipeline_layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some("splat draw"),
            bind_group_layouts: &[Some(&draw_layout)],
            immediate_size: 0,
        });
        let premultiplied_over = wgpu::BlendComponent {
            src_factor: wgpu::BlendFactor::One,
            dst_factor: wgpu::BlendFactor::OneMinusSrcAlpha,
            operation: wgpu::BlendOperation::Add,
        };
        let draw_pipeline = device.create_render_pipeline(&wgpu::RenderPipelineDescriptor {
            label: Some("splat draw"),
            layout: Some(&draw_pipeline_layout),
            vertex: wgpu::VertexState {
                module: &draw_module,
                entry_point: Some("vs_main"),
                compilation_options: Default::default(),
                buffers: &[],
            },
            primitive: wgpu::PrimitiveState {
                topology: wgpu::PrimitiveTopology::TriangleStrip,
                ..Default::default()
            },
            depth_stencil: None,
            multisample: wgpu::MultisampleState::default(),
            fragment: Some(wgpu::FragmentState {
                module: &draw_module,
                entry_point: Some("fs_main"),
                compilation_options: Default::default(),
                targets: &[Some(wgpu::ColorTargetState {
                    format: ACCUMULATION_FORMAT,
                    blend: Some(wgpu::BlendState {
                        color: premultiplied_over,
                        alpha: premultiplied_over,
                    }),
                    write_mask: wgpu::ColorWrites::ALL,
                })],
            }),
            multiview_mask: None,
            cache: None,
        });

        Ok(Self {
            project_layout,
            compact_layout,
            budget_layout,
            draw_layout,
            project_pipeline,
            budget_threshold_pipeline,
            budget_recount_pipeline,
            compact_scan_pipeline,
            compact_pipeline,
            draw_pipeline,
            sorter: RadixSorter::new(device)?,
            sort_key_bits: DEFAULT_SORT_KEY_BITS,
            lod: RenderLod::default(),
        })
    }

    /// Switches the sort kernels (e.g. to compare paths); an error if the device
    /// cannot run `path`.
    pub fn set_sort_path(
        &mut self,
        device: &wgpu::Device,
        path: SortPath,
    ) -> Result<(), ShaderError> {
        if self.sorter.path() != path {
            self.sorter = RadixSorter::with_path(device, path)?;
        }
        Ok(())
    }

    /// The sort kernels in use.
    pub fn sort_path(&self) -> SortPath {
        self.sorter.path()
    }

    /// Records project, sort and draw for `camera` into `accumulation` (a view of an
    /// `ACCUMULATION_FORMAT` texture of the camera's size), clearing it first.
    pub fn encode(
        &self,
        queue: &wgpu::Queue,
        encoder: &mut wgpu::CommandEncoder,
        data: &mut SplatGpuData,
        camera: &PinholeCamera,
        accumulation: &wgpu::TextureView,
        mut profiler: Option<&mut GpuProfiler>,
    ) {
        self.prepare(queue, data, camera);
        self.encode_project(encoder, data, profiler.as_deref_mut());
        self.encode_sort(queue, encoder, data, profiler.as_deref_mut());
        self.encode_draw(encoder, data, accumulation, profiler);
    }

    /// Stage *prepare*: camera uniforms and the reset of the GPU-computed frame state.
    pub fn prepare(&self, queue: &wgpu::Queue, data: &SplatGpuData, camera: &PinholeCamera) {
        data.frame_uniforms.write(
            queue,
            &FrameUniforms::new(camera, data, self.key_bits(), &self.lod),
        );
        queue.write_buffer(&data.frame_state, 0, bytemuck::bytes_of(&FrameState::RESET));
    }

    fn key_bits(&self) -> u32 {
        self.sort_key_bits.clamp(8, 32)
    }

    /// Passes of the depth sort (its result is in `sort.values[passes % 2]`).
    pub fn depth_sort_passes(&self) -> u32 {
        passes_for_key_bits(self.key_bits())
    }

    /// Stage *project*: projection, then compaction of the visible splats into
    /// sort keys (and the GPU-side sort and draw counts).
    pub fn encode_project(
        &self,
        encoder: &mut wgpu::CommandEncoder,
        data: &SplatGpuData,
        profiler: Option<&mut GpuProfiler>,
    ) {
        if data.splat_count == 0 {
            return;
        }
        let (groups_x, groups_y) =
            split_dispatch(data.splat_count.div_ceil(PROJECT_WORKGROUP_SIZE));
        let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
            label: Some("splat project"),
            timestamp_writes: profiler.map(|p| p.compute_writes(FramePass::Project)),
        });
        pass.set_pipeline(&self.project_pipeline);
        pass.set_bind_group(0, &data.project_bind_group, &[]);
        pass.dispatch_workgroups(groups_x, groups_y, 1);
        if self.lod.splat_budget.is_some_and(|b| b > 0) {
            pass.set_bind_group(0, &data.budget_bind_group, &[]);
            pass.set_pipeline(&self.budget_threshold_pipeline);
            pass.dispatch_workgroups(1, 1, 1);
            pass.set_pipeline(&self.budget_recount_pipeline);
            pass.dispatch_workgroups(groups_x, groups_y, 1);
        }
        pass.set_bind_group(0, &data.compact_bind_group, &[]);
        pass.set_pipeline(&self.compact_scan_pipeline);
        pass.dispatch_workgroups(1, 1, 1);
        pass.set_pipeline(&self.compact_pipeline);
        pass.dispatch_workgroups(groups_x, groups_y, 1);
    }

    /// Stage *sort*: the visible splats' keys, count and dispatch size from the GPU.
    pub fn encode_sort(
        &self,
        queue: &wgpu::Queue,
        encoder: &mut wgpu::CommandEncoder,
        data: &mut SplatGpuData,
        profiler: Option<&mut GpuProfiler>,
    ) {
        if data.splat_count == 0 {
            return;
        }
        self.sorter.encode(
            queue,
            encoder,
            &mut data.sort,
            SortCount::Gpu,
            passes_for_key_bits(self.key_bits()),
            profiler.map(|p| p.compute_writes(FramePass::Sort)),
        );
    }

    /// Stage *draw*: instanced quads in sorted order into `accumulation`.
    pub fn encode_draw(
        &self,
        encoder: &mut wgpu::CommandEncoder,
        data: &SplatGpuData,
        accumulation: &wgpu::TextureView,
        profiler: Option<&mut GpuProfiler>,
    ) {
        let mut pass = encoder.begin_render_pass(&wgpu::RenderPassDescriptor {
            label: Some("splat draw"),
            color_attachments: &[Some(wgpu::RenderPassColorAttachment {
                view: accumulation,
                depth_slice: None,
                resolve_target: None,
                ops: wgpu::Operations {
                    load: wgpu::LoadOp::Clear(wgpu::Color::TRANSPARENT),
                    store: wgpu::StoreOp::Store,
                },
            })],
            depth_stencil_attachment: None,
            timestamp_writes: profiler.map(|p| p.render_writes(FramePass::Draw)),
            occlusion_query_set: None,
            multiview_mask: None,
        });
        if data.splat_count > 0 {
            let passes = passes_for_key_bits(self.key_bits());
            pass.set_pipeline(&self.draw_pipeline);
            pass.set_bind_group(
                0,
                &data.draw_bind_groups[SortBuffers::result_index(passes)],
                &[],
            );
            pass.draw_indirect(&data.draw_args, 0);
        }
    }
}

/// Splits a workgroup count over x and y so that neither exceeds the WebGPU limit
/// of 65535 per dimension (shaders rebuild the linear index).
pub(crate) fn split_dispatch(groups: u32) -> (u32, u32) {
    const MAX: u32 = 65535;
    if groups <= MAX {
        (groups, 1)
    } else {
        let y = groups.div_ceil(MAX);
        (groups.div_ceil(y), y)
    }
}
