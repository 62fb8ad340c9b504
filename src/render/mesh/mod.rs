//! The mesh pass: opaque triangles (lit by a headlight or unlit, back faces culled
//! or not, an optional wireframe) and point clouds, drawn first into a view's mesh
//! colour and depth targets; the splats are then depth-tested against that depth
//! and composed over that colour (`Renderer::encode_view_with_meshes`).
//!
//! `MeshRenderer` holds the pipelines; a `MeshScene` (scene.rs) one object's
//! resident buffers; the per-view uniforms and targets are a `MeshViewData` in
//! the view. Tested against the CPU reference `reference::mesh`.

pub mod gpu_data;
mod scene;

pub use scene::MeshScene;

use gpu_data::{MeshDrawUniforms, MeshVertex, MeshViewUniforms, PointVertex};

use crate::gpu::UniformBuffer;
use crate::gpu::pipeline::{bind_group, buffer_entry};
use crate::gpu::shader::{ShaderError, create_shader_module};
use crate::gpu::texture::texture_2d;
use crate::render::formats::DEPTH_FORMAT;
use crate::scene::PinholeCamera;
use crate::scene::mesh::shading::MeshShading;

/// Format of a view's mesh colour target: display values, alpha 1 where a mesh
/// or point was drawn, 0 elsewhere.
pub const MESH_COLOR_FORMAT: wgpu::TextureFormat = wgpu::TextureFormat::Rgba8Unorm;

/// How meshes are drawn in a view.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MeshParams {
    pub shading: MeshShading,
    pub cull_back_faces: bool,
    pub wireframe: bool,
    /// Display colour of the wireframe.
    pub wire_color: [f32; 3],
    /// Side of a point cloud's dots, pixels.
    pub point_size_px: f32,
}

impl Default for MeshParams {
    fn default() -> Self {
        Self {
            shading: MeshShading::Lit,
            cull_back_faces: false,
            wireframe: false,
            wire_color: [0.9, 0.9, 0.9],
            point_size_px: 2.0,
        }
    }
}

/// Pipelines of the mesh pass.
pub struct MeshRenderer {
    view_layout: wgpu::BindGroupLayout,
    draw_layout: wgpu::BindGroupLayout,
    material_layout: wgpu::BindGroupLayout,
    sampler: wgpu::Sampler,
    /// The material group of draws without a texture.
    untextured: wgpu::BindGroup,
    triangles: wgpu::RenderPipeline,
    triangles_culled: wgpu::RenderPipeline,
    wireframe: wgpu::RenderPipeline,
    points: wgpu::RenderPipeline,
}

/// One view's mesh uniforms and targets (made when the view first draws meshes).
pub struct MeshViewData {
    uniforms: UniformBuffer<MeshViewUniforms>,
    view_group: wgpu::BindGroup,
    pub(crate) size: (u32, u32),
    pub(crate) color: wgpu::TextureView,
    pub(crate) depth: wgpu::TextureView,
}

impl MeshRenderer {
    pub fn new(device: &wgpu::Device) -> Result<Self, ShaderError> {
        let vertex_fragment = wgpu::ShaderStages::VERTEX | wgpu::ShaderStages::FRAGMENT;
        let view_layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("mesh view"),
            entries: &[buffer_entry(
                0,
                vertex_fragment,
                wgpu::BufferBindingType::Uniform,
            )],
        });
        let draw_layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("mesh draw"),
            entries: &[wgpu::BindGroupLayoutEntry {
                binding: 0,
                visibility: vertex_fragment,
                ty: wgpu::BindingType::Buffer {
                    ty: wgpu::BufferBindingType::Uniform,
                    has_dynamic_offset: true,
                    min_binding_size: wgpu::BufferSize::new(size_of::<MeshDrawUniforms>() as u64),
                },
                count: None,
            }],
        });
        let fragment = wgpu::ShaderStages::FRAGMENT;
        let material_layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("mesh material"),
            entries: &[
                wgpu::BindGroupLayoutEntry {
                    binding: 0,
                    visibility: fragment,
                    ty: wgpu::BindingType::Texture {
                        sample_type: wgpu::TextureSampleType::Float { filterable: true },
                        view_dimension: wgpu::TextureViewDimension::D2,
                        multisampled: false,
                    },
                    count: None,
                },
                wgpu::BindGroupLayoutEntry {
                    binding: 1,
                    visibility: fragment,
                    ty: wgpu::BindingType::Sampler(wgpu::SamplerBindingType::Filtering),
                    count: None,
                },
            ],
        });
        // Bilinear, repeat, no mipmaps: the CPU reference's sampling.
        let sampler = device.create_sampler(&wgpu::SamplerDescriptor {
            label: Some("mesh texture"),
            address_mode_u: wgpu::AddressMode::Repeat,
            address_mode_v: wgpu::AddressMode::Repeat,
            mag_filter: wgpu::FilterMode::Linear,
            min_filter: wgpu::FilterMode::Linear,
            ..Default::default()
        });
        // Bound where a draw has no texture; never sampled then (flags.z is 0).
        let placeholder = texture_2d(
            device,
            "no texture",
            (1, 1),
            wgpu::TextureFormat::Rgba8UnormSrgb,
            wgpu::TextureUsages::TEXTURE_BINDING,
        )
        .create_view(&Default::default());
        let untextured = material_group(device, &material_layout, &placeholder, &sampler);

        let module = create_shader_module(device, "mesh.wgsl")?;
        let layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some("mesh"),
            bind_group_layouts: &[
                Some(&view_layout),
                Some(&draw_layout),
                Some(&material_layout),
            ],
            immediate_size: 0,
        });
        let point_layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some("mesh points"),
            bind_group_layouts: &[Some(&view_layout), Some(&draw_layout)],
            immediate_size: 0,
        });
        let vertex_attributes = wgpu::vertex_attr_array![
            0 => Float32x3, 1 => Float32x3, 2 => Float32x2, 3 => Unorm8x4
        ];
        let mesh_vertices = wgpu::VertexBufferLayout {
            array_stride: size_of::<MeshVertex>() as u64,
            step_mode: wgpu::VertexStepMode::Vertex,
            attributes: &vertex_attributes,
        };
        let point_attributes = wgpu::vertex_attr_array![0 => Float32x3, 1 => Unorm8x4];
        let point_instances = wgpu::VertexBufferLayout {
            array_stride: size_of::<PointVertex>() as u64,
            step_mode: wgpu::VertexStepMode::Instance,
            attributes: &point_attributes,
        };
        let pipeline = |label: &str,
                        layout: &wgpu::PipelineLayout,
                        entry: (&str, &str),
                        buffers: &[Option<wgpu::VertexBufferLayout<'_>>],
                        primitive: wgpu::PrimitiveState| {
            device.create_render_pipeline(&wgpu::RenderPipelineDescriptor {
                label: Some(label),
                layout: Some(layout),
                vertex: wgpu::VertexState {
                    module: &module,
                    entry_point: Some(entry.0),
                    compilation_options: Default::default(),
                    buffers,
                },
                primitive,
                depth_stencil: Some(wgpu::DepthStencilState {
                    format: DEPTH_FORMAT,
                    depth_write_enabled: Some(true),
                    // Reversed depth: nearer is greater.
                    depth_compare: Some(wgpu::CompareFunction::Greater),
                    stencil: Default::default(),
                    bias: Default::default(),
                }),
                multisample: wgpu::MultisampleState::default(),
                fragment: Some(wgpu::FragmentState {
                    module: &module,
                    entry_point: Some(entry.1),
                    compilation_options: Default::default(),
                    targets: &[Some(wgpu::ColorTargetState {
                        format: MESH_COLOR_FORMAT,
                        blend: None,
                        write_mask: wgpu::ColorWrites::ALL,
                    })],
                }),
                multiview_mask: None,
                cache: None,
            })
        };
        let triangle_list = |cull_mode| wgpu::PrimitiveState {
            topology: wgpu::PrimitiveTopology::TriangleList,
            // Counter-clockwise in the file is counter-clockwise in NDC (y up) after
            // the projection's y flip of OpenCV's y-down camera axes.
            front_face: wgpu::FrontFace::Ccw,
            cull_mode,
            ..Default::default()
        };
        Ok(Self {
            triangles: pipeline(
                "mesh triangles",
                &layout,
                ("vs_mesh", "fs_mesh"),
                &[Some(mesh_vertices.clone())],
                triangle_list(None),
            ),
            triangles_culled: pipeline(
                "mesh triangles (back faces culled)",
                &layout,
                ("vs_mesh", "fs_mesh"),
                &[Some(mesh_vertices.clone())],
                triangle_list(Some(wgpu::Face::Back)),
            ),
            wireframe: pipeline(
                "mesh wireframe",
                &layout,
                ("vs_wire", "fs_wire"),
                &[Some(mesh_vertices.clone())],
                wgpu::PrimitiveState {
                    topology: wgpu::PrimitiveTopology::LineList,
                    ..Default::default()
                },
            ),
            points: pipeline(
                "point cloud",
                &point_layout,
                ("vs_point", "fs_point"),
                &[Some(point_instances)],
                wgpu::PrimitiveState {
                    topology: wgpu::PrimitiveTopology::TriangleStrip,
                    ..Default::default()
                },
            ),
            view_layout,
            draw_layout,
            material_layout,
            sampler,
            untextured,
        })
    }

    pub(crate) fn untextured_group(&self) -> wgpu::BindGroup {
        self.untextured.clone()
    }

    pub(crate) fn material_group(
        &self,
        device: &wgpu::Device,
        texture: &wgpu::TextureView,
    ) -> wgpu::BindGroup {
        material_group(device, &self.material_layout, texture, &self.sampler)
    }

    pub(crate) fn draw_group(
        &self,
        device: &wgpu::Device,
        uniforms: &wgpu::Buffer,
    ) -> wgpu::BindGroup {
        scene::draw_group_for(device, &self.draw_layout, uniforms)
    }

    /// A view's mesh data at `size` (made again when the size changes).
    pub fn view_data(
        &self,
        device: &wgpu::Device,
        existing: Option<MeshViewData>,
        size: (u32, u32),
    ) -> MeshViewData {
        if let Some(data) = existing.filter(|d| d.size == size) {
            return data;
        }
        let uniforms = UniformBuffer::new(device, "mesh view", &bytemuck::Zeroable::zeroed());
        let view_group = bind_group(
            device,
            "mesh view",
            &self.view_layout,
            &[uniforms.binding()],
        );
        let target = |label: &str, format: wgpu::TextureFormat| {
            texture_2d(
                device,
                label,
                size,
                format,
                wgpu::TextureUsages::RENDER_ATTACHMENT | wgpu::TextureUsages::TEXTURE_BINDING,
            )
            .create_view(&Default::default())
        };
        MeshViewData {
            uniforms,
            view_group,
            size,
            color: target("mesh colour", MESH_COLOR_FORMAT),
            depth: target("mesh depth", DEPTH_FORMAT),
        }
    }

    /// Stage *meshes*: clears the view's mesh targets and draws `scenes` seen by
    /// `camera` (the render camera, of the targets' size).
    #[allow(clippy::too_many_arguments)]
    pub fn encode(
        &self,
        queue: &wgpu::Queue,
        encoder: &mut wgpu::CommandEncoder,
        data: &MeshViewData,
        camera: &PinholeCamera,
        near_plane: f32,
        scenes: &[&MeshScene],
        params: &MeshParams,
    ) {
        data.uniforms
            .write(queue, &MeshViewUniforms::new(camera, near_plane, params));
        let mut pass = encoder.begin_render_pass(&wgpu::RenderPassDescriptor {
            label: Some("meshes"),
            color_attachments: &[Some(wgpu::RenderPassColorAttachment {
                view: &data.color,
                depth_slice: None,
                resolve_target: None,
                ops: wgpu::Operations {
                    load: wgpu::LoadOp::Clear(wgpu::Color::TRANSPARENT),
                    store: wgpu::StoreOp::Store,
                },
            })],
            depth_stencil_attachment: Some(wgpu::RenderPassDepthStencilAttachment {
                view: &data.depth,
                depth_ops: Some(wgpu::Operations {
                    load: wgpu::LoadOp::Clear(0.0),
                    store: wgpu::StoreOp::Store,
                }),
                stencil_ops: None,
            }),
            timestamp_writes: None,
            occlusion_query_set: None,
            multiview_mask: None,
        });
        pass.set_bind_group(0, &data.view_group, &[]);
        pass.set_pipeline(if params.cull_back_faces {
            &self.triangles_culled
        } else {
            &self.triangles
        });
        for scene in scenes {
            pass.set_vertex_buffer(0, scene.vertices.slice(..));
            pass.set_index_buffer(scene.indices.slice(..), wgpu::IndexFormat::Uint32);
            for draw in &scene.draws {
                pass.set_bind_group(1, &scene.draw_group, &[draw.uniform_offset]);
                if let Some(material) = scene.materials.get(draw.material) {
                    pass.set_bind_group(2, material, &[]);
                    pass.draw_indexed(draw.indices.clone(), draw.base_vertex, 0..1);
                }
            }
        }
        if params.wireframe {
            pass.set_pipeline(&self.wireframe);
            pass.set_bind_group(2, &self.untextured, &[]);
            for scene in scenes {
                pass.set_vertex_buffer(0, scene.vertices.slice(..));
                pass.set_index_buffer(scene.edges.slice(..), wgpu::IndexFormat::Uint32);
                for draw in &scene.draws {
                    pass.set_bind_group(1, &scene.draw_group, &[draw.uniform_offset]);
                    pass.draw_indexed(draw.edges.clone(), draw.base_vertex, 0..1);
                }
            }
        }
        pass.set_pipeline(&self.points);
        for scene in scenes {
            if let Some((points, count)) = &scene.points {
                pass.set_bind_group(1, &scene.point_group, &[0]);
                pass.set_vertex_buffer(0, points.slice(..));
                pass.draw(0..4, 0..*count);
            }
        }
    }
}

fn material_group(
    device: &wgpu::Device,
    layout: &wgpu::BindGroupLayout,
    texture: &wgpu::TextureView,
    sampler: &wgpu::Sampler,
) -> wgpu::BindGroup {
    bind_group(
        device,
        "mesh material",
        layout,
        &[
            wgpu::BindingResource::TextureView(texture),
            wgpu::BindingResource::Sampler(sampler),
        ],
    )
}
