//! Gaussian splat rendering: project (compute), sort (compute), draw (quads as
//! indexed triangle lists, in batches).
//!
//! `SplatRenderer` is long-lived and owns the pipelines and bind group layouts and
//! nothing per scene or per camera. A scene's resident buffers are a
//! `render::scene::SplatScene`; a view's working buffers for it are a
//! `SplatWorking` (working.rs). The stages record into the caller's encoder:
//! project (+ compaction of the visible splats into sort keys), sort (indirect,
//! only the visible splats), draw (indirect index counts per batch). No CPU
//! read-back.

pub mod gpu_data;
mod working;

pub use gpu_data::{FrameState, FrameUniforms};
pub use working::SplatWorking;

use crate::gpu::pipeline::{
    PipelinesByFormat, buffer_entry, compute_pipeline, split_dispatch,
    uniform_then_rw_storage_layout,
};
use crate::gpu::profiler::{FramePass, GpuProfiler};
use crate::gpu::shader::{ShaderError, create_shader_module, create_shader_module_with};
use crate::render::formats::{ACCUMULATION_FORMAT, DEPTH_FORMAT};
use crate::render::sort::{RadixSorter, SortBuffers, SortCount, SortPath};
use gpu_data::{PROJECT_WORKGROUP_SIZE, QUAD_BATCH_ARGS_BYTES};

/// The project shader's variant for adapters that cannot bind
/// [`gpu_data::POOL_SEGMENT_BINDINGS`] segments: the segments' declarations
/// replaced by one segment's.
pub const SINGLE_SEGMENT_VARIANT: (&str, &str) = (
    include_str!("../../../shaders/common/pool_segments.wgsl"),
    include_str!("../../../shaders/common/pool_segment_single.wgsl"),
);

/// Pipelines for splat rendering.
pub struct SplatRenderer {
    pub(crate) project_layout: wgpu::BindGroupLayout,
    pub(crate) compact_layout: wgpu::BindGroupLayout,
    pub(crate) budget_layout: wgpu::BindGroupLayout,
    pub(crate) draw_layout: wgpu::BindGroupLayout,
    /// Segments the project pass reads a scene from (`pool_segments_supported`).
    pub(crate) pool_segments: u32,
    project_pipeline: wgpu::ComputePipeline,
    budget_threshold_pipeline: wgpu::ComputePipeline,
    budget_recount_pipeline: wgpu::ComputePipeline,
    compact_scan_pipeline: wgpu::ComputePipeline,
    compact_pipeline: wgpu::ComputePipeline,
    /// The quad draw, indexed by [analytic][depth tested]: the analytic mode's
    /// shapes or the point-sampled modes' (`override ANALYTIC`), and tested
    /// against a mesh depth buffer (no depth writes) or not.
    draw_pipelines: [[wgpu::RenderPipeline; 2]; 2],
    /// The draw's shader, kept for the pipelines that blend straight into a
    /// view's output format.
    draw_module: wgpu::ShaderModule,
    /// Those pipelines, by [analytic] and output format (`direct_pipeline`).
    direct_pipelines: [PipelinesByFormat; 2],
    /// One batch of quads as triangle lists (`gpu_data::quad_batch_indices`),
    /// shared by every view.
    quad_indices: wgpu::Buffer,
    pub(crate) sorter: RadixSorter,
}

impl SplatRenderer {
    pub fn new(device: &wgpu::Device) -> Result<Self, ShaderError> {
        use wgpu::BufferBindingType::{Storage, Uniform};
        let compute = wgpu::ShaderStages::COMPUTE;
        let pool_segments = gpu_data::pool_segments_supported(&device.limits());
        let mut project_entries = vec![
            buffer_entry(0, compute, Uniform),
            buffer_entry(1, compute, Storage { read_only: true }),
            buffer_entry(2, compute, Storage { read_only: true }),
            buffer_entry(3, compute, Storage { read_only: false }),
            buffer_entry(4, compute, Storage { read_only: false }),
            buffer_entry(5, compute, Storage { read_only: false }),
            buffer_entry(6, compute, Storage { read_only: false }),
            buffer_entry(7, compute, Storage { read_only: false }),
            buffer_entry(8, compute, Storage { read_only: false }),
            buffer_entry(9, compute, Storage { read_only: true }),
        ];
        // Segments 1.. of the scene: attributes and SH at 10 + 2k, 11 + 2k.
        project_entries.extend(
            (10..10 + 2 * (pool_segments - 1))
                .map(|binding| buffer_entry(binding, compute, Storage { read_only: true })),
        );
        let project_layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("splat project"),
            entries: &project_entries,
        });
        let compact_layout = uniform_then_rw_storage_layout(device, "splat compact", 8);
        let budget_layout = uniform_then_rw_storage_layout(device, "splat budget", 4);
        let vertex_fragment = wgpu::ShaderStages::VERTEX | wgpu::ShaderStages::FRAGMENT;
        let vertex = wgpu::ShaderStages::VERTEX;
        let draw_layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("splat draw"),
            entries: &[
                buffer_entry(0, vertex_fragment, Uniform),
                buffer_entry(1, vertex, Storage { read_only: true }),
                buffer_entry(2, vertex, Storage { read_only: true }),
                buffer_entry(3, vertex, Storage { read_only: true }),
            ],
        });

        let project_module = if pool_segments == gpu_data::POOL_SEGMENT_BINDINGS {
            create_shader_module(device, "splat_project.wgsl")?
        } else {
            create_shader_module_with(device, "splat_project.wgsl", &[SINGLE_SEGMENT_VARIANT])?
        };
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
        let draw_pipelines = [false, true].map(|analytic| {
            [false, true].map(|depth_test| {
                quad_pipeline(
                    device,
                    &draw_layout,
                    &draw_module,
                    analytic,
                    depth_test,
                    ACCUMULATION_FORMAT,
                )
            })
        });

        let quad_indices = wgpu::util::DeviceExt::create_buffer_init(
            device,
            &wgpu::util::BufferInitDescriptor {
                label: Some("quad batch indices"),
                contents: bytemuck::cast_slice(&gpu_data::quad_batch_indices()),
                usage: wgpu::BufferUsages::INDEX,
            },
        );

        Ok(Self {
            project_layout,
            compact_layout,
            budget_layout,
            draw_layout,
            pool_segments,
            project_pipeline,
            budget_threshold_pipeline,
            budget_recount_pipeline,
            compact_scan_pipeline,
            compact_pipeline,
            draw_pipelines,
            draw_module,
            direct_pipelines: Default::default(),
            quad_indices,
            sorter: RadixSorter::new(device)?,
        })
    }

    /// Switches the sort kernels (e.g. to compare paths); an error if the device
    /// cannot run `path`. Views make their sort buffers again on their next frame.
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

    /// Stage *project*: projection, then compaction of the visible splats into
    /// sort keys (and the GPU-side sort and draw counts).
    pub fn encode_project(
        &self,
        encoder: &mut wgpu::CommandEncoder,
        working: &SplatWorking,
        splat_count: u32,
        with_budget: bool,
        profiler: Option<&mut GpuProfiler>,
    ) {
        if splat_count == 0 {
            return;
        }
        let (groups_x, groups_y) = split_dispatch(splat_count.div_ceil(PROJECT_WORKGROUP_SIZE));
        let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
            label: Some("splat project"),
            timestamp_writes: profiler.map(|p| p.compute_writes(FramePass::Project)),
        });
        pass.set_pipeline(&self.project_pipeline);
        pass.set_bind_group(0, &working.project_group, &[]);
        pass.dispatch_workgroups(groups_x, groups_y, 1);
        if with_budget {
            pass.set_bind_group(0, &working.budget_group, &[]);
            pass.set_pipeline(&self.budget_threshold_pipeline);
            pass.dispatch_workgroups(1, 1, 1);
            pass.set_pipeline(&self.budget_recount_pipeline);
            pass.dispatch_workgroups(groups_x, groups_y, 1);
        }
        pass.set_bind_group(0, &working.compact_group, &[]);
        pass.set_pipeline(&self.compact_scan_pipeline);
        pass.dispatch_workgroups(1, 1, 1);
        pass.set_pipeline(&self.compact_pipeline);
        pass.dispatch_workgroups(groups_x, groups_y, 1);
    }

    /// Stage *sort*: the visible splats' keys, count and dispatch size from the
    /// GPU, in `depth_passes` 8-bit passes.
    pub fn encode_sort(
        &self,
        queue: &wgpu::Queue,
        encoder: &mut wgpu::CommandEncoder,
        working: &mut SplatWorking,
        depth_passes: u32,
        profiler: Option<&mut GpuProfiler>,
    ) {
        self.sorter.encode(
            queue,
            encoder,
            &mut working.sort,
            SortCount::Gpu,
            depth_passes,
            profiler.map(|p| p.compute_writes(FramePass::Sort)),
        );
    }

    /// The quad draw pipeline into the accumulation texture, for the analytic
    /// mode or the point-sampled ones, depth-tested or not.
    pub fn draw_pipeline(&self, analytic: bool, depth_test: bool) -> &wgpu::RenderPipeline {
        &self.draw_pipelines[usize::from(analytic)][usize::from(depth_test)]
    }

    /// The quad draw pipeline that blends straight into `format` (a view's
    /// 8-bit output: the compose pass folded into the draw), for the analytic
    /// mode or the point-sampled ones; no depth test. Made on first use.
    pub fn direct_pipeline(
        &self,
        device: &wgpu::Device,
        format: wgpu::TextureFormat,
        analytic: bool,
    ) -> wgpu::RenderPipeline {
        self.direct_pipelines[usize::from(analytic)].get_or_make(format, || {
            quad_pipeline(
                device,
                &self.draw_layout,
                &self.draw_module,
                analytic,
                false,
                format,
            )
        })
    }

    /// Stage *draw*: quads in sorted order into `target` with `pipeline`
    /// (`draw_pipeline` for the accumulation texture, a `direct_pipelines` one
    /// for a view's output), as many as the `working.quad_batches` indexed
    /// indirect draws at `batch_args` (buffer, offset of the first) say. `load`
    /// clears the target first or draws over what is there; `depth` (read only)
    /// must be given exactly when the pipeline tests depth.
    #[allow(clippy::too_many_arguments)]
    pub fn encode_draw(
        &self,
        encoder: &mut wgpu::CommandEncoder,
        working: &SplatWorking,
        batch_args: (&wgpu::Buffer, u64),
        depth_passes: u32,
        target: &wgpu::TextureView,
        load: wgpu::LoadOp<wgpu::Color>,
        depth: Option<&wgpu::TextureView>,
        pipeline: &wgpu::RenderPipeline,
        profiler: Option<&mut GpuProfiler>,
    ) {
        let mut pass = encoder.begin_render_pass(&wgpu::RenderPassDescriptor {
            label: Some("splat draw"),
            color_attachments: &[Some(wgpu::RenderPassColorAttachment {
                view: target,
                depth_slice: None,
                resolve_target: None,
                ops: wgpu::Operations {
                    load,
                    store: wgpu::StoreOp::Store,
                },
            })],
            // Read-only depth: the mesh depth is tested, never written.
            depth_stencil_attachment: depth.map(|view| wgpu::RenderPassDepthStencilAttachment {
                view,
                depth_ops: None,
                stencil_ops: None,
            }),
            timestamp_writes: profiler.map(|p| p.render_writes(FramePass::Draw)),
            occlusion_query_set: None,
            multiview_mask: None,
        });
        pass.set_pipeline(pipeline);
        pass.set_bind_group(
            0,
            &working.draw_groups[SortBuffers::result_index(depth_passes)],
            &[],
        );
        pass.set_index_buffer(self.quad_indices.slice(..), wgpu::IndexFormat::Uint32);
        for batch in 0..u64::from(working.quad_batches) {
            pass.draw_indexed_indirect(batch_args.0, batch_args.1 + batch * QUAD_BATCH_ARGS_BYTES);
        }
    }
}

/// The quad draw pipeline into `format`, blending premultiplied colour "over",
/// for the analytic mode or the point-sampled ones (`analytic`); with
/// `depth_test`, fragments behind the mesh depth (reversed: greater is nearer)
/// are dropped.
fn quad_pipeline(
    device: &wgpu::Device,
    layout: &wgpu::BindGroupLayout,
    module: &wgpu::ShaderModule,
    analytic: bool,
    depth_test: bool,
    format: wgpu::TextureFormat,
) -> wgpu::RenderPipeline {
    let constants = [("ANALYTIC", f64::from(u8::from(analytic)))];
    let pipeline_layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
        label: Some("splat draw"),
        bind_group_layouts: &[Some(layout)],
        immediate_size: 0,
    });
    let premultiplied_over = wgpu::BlendComponent {
        src_factor: wgpu::BlendFactor::One,
        dst_factor: wgpu::BlendFactor::OneMinusSrcAlpha,
        operation: wgpu::BlendOperation::Add,
    };
    device.create_render_pipeline(&wgpu::RenderPipelineDescriptor {
        label: Some(if depth_test {
            "splat draw (depth tested)"
        } else {
            "splat draw"
        }),
        layout: Some(&pipeline_layout),
        vertex: wgpu::VertexState {
            module,
            entry_point: Some("vs_main"),
            compilation_options: wgpu::PipelineCompilationOptions {
                constants: &constants,
                ..Default::default()
            },
            buffers: &[],
        },
        primitive: wgpu::PrimitiveState {
            topology: wgpu::PrimitiveTopology::TriangleList,
            ..Default::default()
        },
        depth_stencil: depth_test.then(|| wgpu::DepthStencilState {
            format: DEPTH_FORMAT,
            depth_write_enabled: Some(false),
            depth_compare: Some(wgpu::CompareFunction::GreaterEqual),
            stencil: Default::default(),
            bias: Default::default(),
        }),
        multisample: wgpu::MultisampleState::default(),
        fragment: Some(wgpu::FragmentState {
            module,
            entry_point: Some("fs_main"),
            compilation_options: wgpu::PipelineCompilationOptions {
                constants: &constants,
                ..Default::default()
            },
            targets: &[Some(wgpu::ColorTargetState {
                format,
                blend: Some(wgpu::BlendState {
                    color: premultiplied_over,
                    alpha: premultiplied_over,
                }),
                write_mask: wgpu::ColorWrites::ALL,
            })],
        }),
        multiview_mask: None,
        cache: None,
    })
}
