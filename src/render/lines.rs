//! Lines (training-camera frusta) as screen-space quads of a given pixel width
//! (shaders/lines.wgsl), drawn one of two ways:
//!
//! - **as geometry** ([`LineRenderer::encode_as_geometry`], what the window
//!   does): into a view's mesh colour and depth targets after the meshes and
//!   before the splats, writing their depth (`near_plane / z_view`, reversed).
//!   The splats are then tested against that depth like against a mesh: a splat
//!   whose centre is behind the line is hidden there, one in front is blended
//!   over it. So frusta inside or behind a scene are hidden by it.
//! - **over an image** ([`LineRenderer::encode`]): blended over a finished
//!   output, tested against a depth texture in the `DepthInput` convention
//!   (`Depth32Float` holding `near_plane / z_view`, reversed, 0 = nothing drawn)
//!   when given.
//!
//! `LineRenderer` is long-lived (layout and a pipeline per output format);
//! `LineBatch` holds one view's segments, uniforms and bind group.

use std::sync::{Mutex, PoisonError};

use bytemuck::Zeroable as _;
use glam::Vec3;

use crate::gpu::UniformBuffer;
use crate::gpu::pipeline::PipelinesByFormat;
use crate::gpu::shader::{ShaderError, create_shader_module};
use crate::render::formats::DEPTH_FORMAT;
use crate::render::mesh::{MESH_COLOR_FORMAT, MeshViewData};
use crate::render::params::DepthInput;
use crate::scene::PinholeCamera;

/// One segment. Keep in sync with `Segment` in shaders/lines.wgsl.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, bytemuck::Pod, bytemuck::Zeroable)]
pub struct LineSegment {
    /// Start (world space) and the width in pixels.
    pub a_width: [f32; 4],
    /// End (world space), w unused.
    pub b: [f32; 4],
    /// Straight (not premultiplied) RGBA, 0..1.
    pub color: [f32; 4],
}
const _: () = assert!(size_of::<LineSegment>() == 48);

impl LineSegment {
    pub fn new(a: Vec3, b: Vec3, width_px: f32, color: [f32; 4]) -> Self {
        Self {
            a_width: [a.x, a.y, a.z, width_px],
            b: [b.x, b.y, b.z, 0.0],
            color,
        }
    }
}

/// Keep in sync with `LineUniforms` in shaders/lines.wgsl.
#[repr(C)]
#[derive(Clone, Copy, Debug, bytemuck::Pod, bytemuck::Zeroable)]
struct LineUniforms {
    view_from_world: [[f32; 4]; 4],
    focal_center: [f32; 4],
    viewport_near_test: [f32; 4],
    depth_scale: [f32; 4],
}
const _: () = assert!(size_of::<LineUniforms>() == 112);

/// Pipelines of the line pass.
pub struct LineRenderer {
    layout: wgpu::BindGroupLayout,
    module: wgpu::ShaderModule,
    pipeline_layout: wgpu::PipelineLayout,
    /// One pipeline per output format, made on first use.
    pipelines: PipelinesByFormat,
    /// A 1x1 depth texture bound when there is nothing to test against.
    no_depth: wgpu::TextureView,
    /// Into the mesh targets, writing depth (made on first use).
    geometry: Mutex<Option<wgpu::RenderPipeline>>,
}

/// One view's segments on the GPU.
pub struct LineBatch {
    uniforms: UniformBuffer<LineUniforms>,
    segments: wgpu::Buffer,
    capacity: usize,
    count: usize,
}

impl LineRenderer {
    pub fn new(device: &wgpu::Device) -> Result<Self, ShaderError> {
        use wgpu::BufferBindingType::{Storage, Uniform};
        let vertex_fragment = wgpu::ShaderStages::VERTEX | wgpu::ShaderStages::FRAGMENT;
        let layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("lines"),
            entries: &[
                crate::gpu::pipeline::buffer_entry(0, vertex_fragment, Uniform),
                crate::gpu::pipeline::buffer_entry(
                    1,
                    wgpu::ShaderStages::VERTEX,
                    Storage { read_only: true },
                ),
                wgpu::BindGroupLayoutEntry {
                    binding: 2,
                    visibility: wgpu::ShaderStages::FRAGMENT,
                    ty: wgpu::BindingType::Texture {
                        sample_type: wgpu::TextureSampleType::Depth,
                        view_dimension: wgpu::TextureViewDimension::D2,
                        multisampled: false,
                    },
                    count: None,
                },
            ],
        });
        let module = create_shader_module(device, "lines.wgsl")?;
        let pipeline_layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some("lines"),
            bind_group_layouts: &[Some(&layout)],
            immediate_size: 0,
        });
        let no_depth = crate::gpu::texture::texture_2d(
            device,
            "lines: no depth",
            (1, 1),
            DEPTH_FORMAT,
            wgpu::TextureUsages::TEXTURE_BINDING,
        )
        .create_view(&Default::default());
        Ok(Self {
            layout,
            module,
            pipeline_layout,
            pipelines: PipelinesByFormat::default(),
            no_depth,
            geometry: Mutex::new(None),
        })
    }

    fn geometry_pipeline(&self, device: &wgpu::Device) -> wgpu::RenderPipeline {
        let mut slot = self.geometry.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(pipeline) = slot.as_ref() {
            return pipeline.clone();
        }
        let pipeline = self.build_pipeline(
            device,
            "lines as geometry",
            MESH_COLOR_FORMAT,
            Some(wgpu::DepthStencilState {
                format: DEPTH_FORMAT,
                depth_write_enabled: Some(true),
                // Reversed depth: larger is closer.
                depth_compare: Some(wgpu::CompareFunction::GreaterEqual),
                stencil: Default::default(),
                bias: Default::default(),
            }),
        );
        *slot = Some(pipeline.clone());
        pipeline
    }

    /// Records the batch into a view's mesh targets (`data`, after the meshes,
    /// before the splats) with its depth, seen by `camera` (the render camera,
    /// of the targets' size). Does nothing for an empty batch.
    #[allow(clippy::too_many_arguments)]
    pub fn encode_as_geometry(
        &self,
        device: &wgpu::Device,
        queue: &wgpu::Queue,
        encoder: &mut wgpu::CommandEncoder,
        batch: &LineBatch,
        camera: &PinholeCamera,
        near_plane: f32,
        data: &MeshViewData,
    ) {
        if batch.count == 0 {
            return;
        }
        let bind_group = self.bind(device, queue, batch, camera, near_plane, None);
        let mut pass = encoder.begin_render_pass(&wgpu::RenderPassDescriptor {
            label: Some("lines as geometry"),
            color_attachments: &[Some(wgpu::RenderPassColorAttachment {
                view: &data.color,
                depth_slice: None,
                resolve_target: None,
                ops: wgpu::Operations {
                    load: wgpu::LoadOp::Load,
                    store: wgpu::StoreOp::Store,
                },
            })],
            depth_stencil_attachment: Some(wgpu::RenderPassDepthStencilAttachment {
                view: &data.depth,
                depth_ops: Some(wgpu::Operations {
                    load: wgpu::LoadOp::Load,
                    store: wgpu::StoreOp::Store,
                }),
                stencil_ops: None,
            }),
            timestamp_writes: None,
            occlusion_query_set: None,
            multiview_mask: None,
        });
        pass.set_pipeline(&self.geometry_pipeline(device));
        pass.set_bind_group(0, &bind_group, &[]);
        pass.draw(0..6 * batch.count as u32, 0..1);
    }

    /// Writes the batch's uniforms for `camera` and makes its bind group.
    fn bind(
        &self,
        device: &wgpu::Device,
        queue: &wgpu::Queue,
        batch: &LineBatch,
        camera: &PinholeCamera,
        near_plane: f32,
        depth: Option<DepthInput<'_>>,
    ) -> wgpu::BindGroup {
        let (width, height) = (camera.width.max(1) as f32, camera.height.max(1) as f32);
        let depth_scale = depth.map_or([1.0, 1.0], |d| {
            [d.size.0 as f32 / width, d.size.1 as f32 / height]
        });
        let uniforms = LineUniforms {
            view_from_world: camera.view_from_world().to_cols_array_2d(),
            focal_center: [camera.fx, camera.fy, camera.cx, camera.cy],
            viewport_near_test: [
                width,
                height,
                near_plane,
                f32::from(u8::from(depth.is_some())),
            ],
            depth_scale: [depth_scale[0], depth_scale[1], 0.0, 0.0],
        };
        batch.uniforms.write(queue, &uniforms);
        let depth_view = depth.map_or(&self.no_depth, |d| d.view);
        crate::gpu::pipeline::bind_group(
            device,
            "lines",
            &self.layout,
            &[
                batch.uniforms.binding(),
                batch.segments.as_entire_binding(),
                wgpu::BindingResource::TextureView(depth_view),
            ],
        )
    }

    /// The line pipeline into `format`, premultiplied-alpha blended, with
    /// `depth_stencil` when drawing as geometry.
    fn build_pipeline(
        &self,
        device: &wgpu::Device,
        label: &str,
        format: wgpu::TextureFormat,
        depth_stencil: Option<wgpu::DepthStencilState>,
    ) -> wgpu::RenderPipeline {
        device.create_render_pipeline(&wgpu::RenderPipelineDescriptor {
            label: Some(label),
            layout: Some(&self.pipeline_layout),
            vertex: wgpu::VertexState {
                module: &self.module,
                entry_point: Some("vs_main"),
                compilation_options: Default::default(),
                buffers: &[],
            },
            primitive: wgpu::PrimitiveState::default(),
            depth_stencil,
            multisample: wgpu::MultisampleState::default(),
            fragment: Some(wgpu::FragmentState {
                module: &self.module,
                entry_point: Some("fs_main"),
                compilation_options: Default::default(),
                targets: &[Some(wgpu::ColorTargetState {
                    format,
                    blend: Some(wgpu::BlendState::PREMULTIPLIED_ALPHA_BLENDING),
                    write_mask: wgpu::ColorWrites::ALL,
                })],
            }),
            multiview_mask: None,
            cache: None,
        })
    }

    fn pipeline(&self, device: &wgpu::Device, format: wgpu::TextureFormat) -> wgpu::RenderPipeline {
        self.pipelines.get_or_make(format, || {
            self.build_pipeline(device, "lines", format, None)
        })
    }

    /// Records the batch into `output` (of `format`, the size of `camera`),
    /// tested against `depth` when given. Does nothing for an empty batch.
    #[allow(clippy::too_many_arguments)]
    pub fn encode(
        &self,
        device: &wgpu::Device,
        queue: &wgpu::Queue,
        encoder: &mut wgpu::CommandEncoder,
        batch: &LineBatch,
        camera: &PinholeCamera,
        near_plane: f32,
        depth: Option<DepthInput<'_>>,
        output: &wgpu::TextureView,
        format: wgpu::TextureFormat,
    ) {
        if batch.count == 0 {
            return;
        }
        let bind_group = self.bind(device, queue, batch, camera, near_plane, depth);
        let mut pass =
            crate::gpu::pipeline::color_pass(encoder, "lines", output, wgpu::LoadOp::Load, None);
        pass.set_pipeline(&self.pipeline(device, format));
        pass.set_bind_group(0, &bind_group, &[]);
        pass.draw(0..6 * batch.count as u32, 0..1);
    }
}

impl LineBatch {
    pub fn new(device: &wgpu::Device) -> Self {
        let uniforms = UniformBuffer::new(device, "lines", &LineUniforms::zeroed());
        Self {
            uniforms,
            segments: segment_buffer(device, 64),
            capacity: 64,
            count: 0,
        }
    }

    /// Uploads `segments` (growing the buffer when needed).
    pub fn set(&mut self, device: &wgpu::Device, queue: &wgpu::Queue, segments: &[LineSegment]) {
        if segments.len() > self.capacity {
            self.capacity = segments.len().next_power_of_two();
            self.segments = segment_buffer(device, self.capacity);
        }
        if !segments.is_empty() {
            queue.write_buffer(&self.segments, 0, bytemuck::cast_slice(segments));
        }
        self.count = segments.len();
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }
}

fn segment_buffer(device: &wgpu::Device, capacity: usize) -> wgpu::Buffer {
    crate::gpu::pipeline::buffer(
        device,
        "line segments",
        (capacity * size_of::<LineSegment>()) as u64,
        wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_DST,
    )
}
