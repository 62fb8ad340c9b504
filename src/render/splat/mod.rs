//! Gaussian splat rendering: project (compute), sort (compute), draw (instanced quads).
//!
//! `SplatRenderer` is long-lived and owns the pipelines and bind group layouts;
//! `SplatGpuData` owns one scene's buffers. `SplatRenderer::encode` records the
//! three stages for one camera into an Rgba16Float accumulation target.

pub mod gpu_data;

pub use gpu_data::{FrameUniforms, SplatGpuData};

use crate::gpu::shader::{ShaderError, create_shader_module};
use crate::render::sort::RadixSorter;
use crate::scene::PinholeCamera;

/// Format of the accumulation target the splats are blended into. Half floats keep
/// hundreds of blended layers accurate (8-bit targets lose ~1 LSB per layer).
pub const ACCUMULATION_FORMAT: wgpu::TextureFormat = wgpu::TextureFormat::Rgba16Float;

const PROJECT_WORKGROUP_SIZE: u32 = 256;

/// Pipelines for splat rendering.
pub struct SplatRenderer {
    pub(crate) project_layout: wgpu::BindGroupLayout,
    pub(crate) draw_layout: wgpu::BindGroupLayout,
    project_pipeline: wgpu::ComputePipeline,
    draw_pipeline: wgpu::RenderPipeline,
    pub(crate) sorter: RadixSorter,
}

fn buffer_entry(
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
            ],
        });
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
        let project_pipeline = device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
            label: Some("splat project"),
            layout: Some(
                &device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
                    label: Some("splat project"),
                    bind_group_layouts: &[Some(&project_layout)],
                    immediate_size: 0,
                }),
            ),
            module: &project_module,
            entry_point: Some("project"),
            compilation_options: Default::default(),
            cache: None,
        });

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
            draw_layout,
            project_pipeline,
            draw_pipeline,
            sorter: RadixSorter::new(device)?,
        })
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
    ) {
        // prepare: camera uniforms, reset the visible count.
        data.frame_uniforms
            .write(queue, &FrameUniforms::new(camera, data));
        encoder.clear_buffer(&data.draw_args, gpu_data::INSTANCE_COUNT_OFFSET, Some(4));

        if data.splat_count > 0 {
            // project
            let groups = data.splat_count.div_ceil(PROJECT_WORKGROUP_SIZE);
            let (groups_x, groups_y) = split_dispatch(groups);
            let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
                label: Some("splat project"),
                timestamp_writes: None,
            });
            pass.set_pipeline(&self.project_pipeline);
            pass.set_bind_group(0, &data.project_bind_group, &[]);
            pass.dispatch_workgroups(groups_x, groups_y, 1);
        }

        // sort
        let splat_count = data.splat_count;
        self.sorter
            .encode(queue, encoder, &mut data.sort, splat_count);

        // draw
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
            timestamp_writes: None,
            occlusion_query_set: None,
            multiview_mask: None,
        });
        if data.splat_count > 0 {
            pass.set_pipeline(&self.draw_pipeline);
            pass.set_bind_group(0, &data.draw_bind_group, &[]);
            pass.draw_indirect(&data.draw_args, 0);
        }
    }
}

/// Splits a workgroup count over x and y so that neither exceeds the WebGPU limit
/// of 65535 per dimension (shaders rebuild the linear index).
fn split_dispatch(groups: u32) -> (u32, u32) {
    const MAX: u32 = 65535;
    if groups <= MAX {
        (groups, 1)
    } else {
        let y = groups.div_ceil(MAX);
        (groups.div_ceil(y), y)
    }
}
