//! `MeshScene`: one mesh object's resident GPU data: vertices and indices of all
//! its primitives in one buffer each, wireframe edges, point clouds, textures
//! (sRGB, sampled linearly with repeat wrapping as the CPU reference does) and one
//! uniform slot per drawn primitive (instance transform and material), rewritten
//! when the object is moved.

use glam::Mat4;
use wgpu::util::DeviceExt;

use super::MeshRenderer;
use super::gpu_data::{DRAW_STRIDE, MeshDrawUniforms, MeshVertex, PointVertex};
use crate::gpu::GpuError;
use crate::gpu::health::scoped;
use crate::gpu::pipeline::bind_group;
use crate::scene::mesh::shading::srgb_decode;
use crate::scene::mesh::{ColorEncoding, MeshObject, TextureImage};

/// One indexed draw: a primitive of an instance.
pub(super) struct Draw {
    pub indices: std::ops::Range<u32>,
    pub base_vertex: i32,
    /// Byte offset of its `MeshDrawUniforms`.
    pub uniform_offset: u32,
    /// Index into `MeshScene::materials`.
    pub material: usize,
    /// Its range in the edge index buffer (wireframe).
    pub edges: std::ops::Range<u32>,
}

/// The per-draw values that do not depend on the object's placement.
struct DrawSource {
    object_from_mesh: Mat4,
    base_color_linear: [f32; 3],
    flags: [bool; 3],
}

/// One mesh object on the GPU.
pub struct MeshScene {
    pub(super) vertices: wgpu::Buffer,
    pub(super) indices: wgpu::Buffer,
    pub(super) edges: wgpu::Buffer,
    pub(super) points: Option<(wgpu::Buffer, u32)>,
    pub(super) draws: Vec<Draw>,
    pub(super) draw_uniforms: wgpu::Buffer,
    pub(super) draw_group: wgpu::BindGroup,
    /// Bind groups of the materials' textures (white where there is none).
    pub(super) materials: Vec<wgpu::BindGroup>,
    /// The object's placement, also applied to its point clouds.
    pub(super) point_uniforms: wgpu::Buffer,
    pub(super) point_group: wgpu::BindGroup,
    sources: Vec<DrawSource>,
    bytes: u64,
    /// Textures that were too large for the GPU and are drawn untextured.
    pub warnings: Vec<String>,
}

impl MeshScene {
    /// Uploads `object` (with its `world_from_object`).
    pub fn new(
        device: &wgpu::Device,
        queue: &wgpu::Queue,
        renderer: &MeshRenderer,
        object: &MeshObject,
    ) -> Result<Self, GpuError> {
        let mut vertices: Vec<MeshVertex> = Vec::new();
        let mut indices: Vec<u32> = Vec::new();
        let mut edges: Vec<u32> = Vec::new();
        // Where each (mesh, primitive) landed: (index range, base vertex, edge range).
        let mut placed = Vec::new();
        for mesh in &object.meshes {
            let mut ranges = Vec::new();
            for primitive in &mesh.primitives {
                let base_vertex = vertices.len();
                let first_index = indices.len() as u32;
                let first_edge = edges.len() as u32;
                vertices.extend((0..primitive.positions.len()).map(|i| MeshVertex {
                    position: primitive.positions[i],
                    normal: primitive.normals.get(i).copied().unwrap_or([0.0; 3]),
                    uv: primitive.uvs.get(i).copied().unwrap_or([0.0; 2]),
                    color: primitive.colors.get(i).map_or([255; 4], |c| {
                        c.map(|v| (v.clamp(0.0, 1.0) * 255.0).round() as u8)
                    }),
                }));
                indices.extend_from_slice(&primitive.indices);
                for t in primitive.indices.chunks_exact(3) {
                    edges.extend_from_slice(&[t[0], t[1], t[1], t[2], t[2], t[0]]);
                }
                ranges.push((
                    first_index..indices.len() as u32,
                    base_vertex as i32,
                    first_edge..edges.len() as u32,
                ));
            }
            placed.push(ranges);
        }
        let mut draws = Vec::new();
        let mut sources = Vec::new();
        for instance in &object.instances {
            let (Some(mesh), Some(ranges)) =
                (object.meshes.get(instance.mesh), placed.get(instance.mesh))
            else {
                continue;
            };
            for (primitive, (range, base_vertex, edge_range)) in mesh.primitives.iter().zip(ranges)
            {
                let material = primitive.material.and_then(|m| object.materials.get(m));
                let base_color_linear = material.map_or([1.0; 3], |m| {
                    let [r, g, b, _] = m.base_color;
                    match m.base_color_encoding {
                        ColorEncoding::Linear => [r, g, b],
                        ColorEncoding::Display => [r, g, b].map(srgb_decode),
                    }
                });
                let texture = material.and_then(|m| m.base_color_texture);
                sources.push(DrawSource {
                    object_from_mesh: instance.object_from_mesh,
                    base_color_linear,
                    flags: [
                        !primitive.normals.is_empty(),
                        !primitive.colors.is_empty(),
                        texture.is_some() && !primitive.uvs.is_empty(),
                    ],
                });
                draws.push(Draw {
                    indices: range.clone(),
                    base_vertex: *base_vertex,
                    uniform_offset: ((draws.len() as u64) * DRAW_STRIDE) as u32,
                    // Material slot 0 is untextured; texture t is slot t + 1.
                    material: texture.map_or(0, |t| t + 1),
                    edges: edge_range.clone(),
                });
            }
        }
        let points: Vec<PointVertex> = object
            .point_clouds
            .iter()
            .flat_map(|cloud| {
                cloud
                    .positions
                    .iter()
                    .zip(&cloud.colors)
                    .map(|(p, c)| PointVertex {
                        position: *p,
                        color: [c[0], c[1], c[2], 1.0]
                            .map(|v| (v.clamp(0.0, 1.0) * 255.0).round() as u8),
                    })
            })
            .collect();

        let limit = device.limits().max_texture_dimension_2d;
        let mut warnings = Vec::new();
        let scene = scoped(device, "mesh buffers", || {
            let buffer = |label: &str, contents: &[u8], usage: wgpu::BufferUsages| {
                // Never empty: zero-sized buffers cannot be bound or drawn.
                let padded;
                let contents = if contents.is_empty() {
                    padded = [0u8; 16];
                    &padded[..]
                } else {
                    contents
                };
                device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
                    label: Some(label),
                    contents,
                    usage,
                })
            };
            let vertex_buffer = buffer(
                "mesh vertices",
                bytemuck::cast_slice(&vertices),
                wgpu::BufferUsages::VERTEX,
            );
            let index_buffer = buffer(
                "mesh indices",
                bytemuck::cast_slice(&indices),
                wgpu::BufferUsages::INDEX,
            );
            let edge_buffer = buffer(
                "mesh edges",
                bytemuck::cast_slice(&edges),
                wgpu::BufferUsages::INDEX,
            );
            let points = (!points.is_empty()).then(|| {
                (
                    buffer(
                        "point cloud",
                        bytemuck::cast_slice(&points),
                        wgpu::BufferUsages::VERTEX,
                    ),
                    points.len() as u32,
                )
            });
            let draw_uniforms = device.create_buffer(&wgpu::BufferDescriptor {
                label: Some("mesh draw uniforms"),
                size: (draws.len().max(1) as u64 + 1) * DRAW_STRIDE,
                usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
                mapped_at_creation: false,
            });
            let point_uniforms = device.create_buffer(&wgpu::BufferDescriptor {
                label: Some("point cloud uniforms"),
                size: DRAW_STRIDE,
                usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
                mapped_at_creation: false,
            });
            let mut materials = vec![renderer.untextured_group()];
            for texture in &object.textures {
                materials.push(match upload_texture(device, queue, texture, limit) {
                    Some(view) => renderer.material_group(device, &view),
                    None => {
                        warnings.push(format!(
                            "texture {} ({}x{}) is larger than this GPU allows ({limit} px): drawn without it",
                            texture.name, texture.width, texture.height
                        ));
                        renderer.untextured_group()
                    }
                });
            }
            let draw_group = renderer.draw_group(device, &draw_uniforms);
            let point_group = renderer.draw_group(device, &point_uniforms);
            (
                vertex_buffer,
                index_buffer,
                edge_buffer,
                points,
                draw_uniforms,
                point_uniforms,
                materials,
                draw_group,
                point_group,
            )
        })?;
        let (
            vertex_buffer,
            index_buffer,
            edge_buffer,
            points,
            draw_uniforms,
            point_uniforms,
            materials,
            draw_group,
            point_group,
        ) = scene;
        let texture_bytes: u64 = object
            .textures
            .iter()
            .map(|t| u64::from(t.width) * u64::from(t.height) * 4)
            .sum();
        let bytes = vertex_buffer.size()
            + index_buffer.size()
            + edge_buffer.size()
            + points.as_ref().map_or(0, |(b, _)| b.size())
            + draw_uniforms.size()
            + texture_bytes;
        let mut scene = Self {
            vertices: vertex_buffer,
            indices: index_buffer,
            edges: edge_buffer,
            points,
            draws,
            draw_uniforms,
            draw_group,
            materials,
            point_uniforms,
            point_group,
            sources,
            bytes,
            warnings,
        };
        scene.set_transform(queue, object.world_from_object);
        Ok(scene)
    }

    /// Places the object: rewrites every draw's transform.
    pub fn set_transform(&mut self, queue: &wgpu::Queue, world_from_object: Mat4) {
        let mut bytes = vec![0u8; self.sources.len() * DRAW_STRIDE as usize];
        for (slot, source) in bytes
            .chunks_exact_mut(DRAW_STRIDE as usize)
            .zip(&self.sources)
        {
            let uniforms = MeshDrawUniforms::new(
                world_from_object * source.object_from_mesh,
                source.base_color_linear,
                source.flags,
            );
            slot[..size_of::<MeshDrawUniforms>()].copy_from_slice(bytemuck::bytes_of(&uniforms));
        }
        if !bytes.is_empty() {
            queue.write_buffer(&self.draw_uniforms, 0, &bytes);
        }
        let points = MeshDrawUniforms::new(world_from_object, [1.0; 3], [false, true, false]);
        queue.write_buffer(&self.point_uniforms, 0, bytemuck::bytes_of(&points));
    }

    /// Bytes of GPU memory held.
    pub fn gpu_bytes(&self) -> u64 {
        self.bytes
    }

    /// Triangles drawn (every instance).
    pub fn triangle_count(&self) -> u64 {
        self.draws
            .iter()
            .map(|d| u64::from(d.indices.len() as u32 / 3))
            .sum()
    }
}

/// An sRGB texture of `image` (`None` when a side exceeds `limit`).
fn upload_texture(
    device: &wgpu::Device,
    queue: &wgpu::Queue,
    image: &TextureImage,
    limit: u32,
) -> Option<wgpu::TextureView> {
    if image.width == 0 || image.height == 0 || image.width > limit || image.height > limit {
        return None;
    }
    let expected = image.width as usize * image.height as usize * 4;
    if image.rgba8.len() != expected {
        return None;
    }
    let texture = device.create_texture_with_data(
        queue,
        &wgpu::TextureDescriptor {
            label: Some(&image.name),
            size: wgpu::Extent3d {
                width: image.width,
                height: image.height,
                depth_or_array_layers: 1,
            },
            mip_level_count: 1,
            sample_count: 1,
            dimension: wgpu::TextureDimension::D2,
            format: wgpu::TextureFormat::Rgba8UnormSrgb,
            usage: wgpu::TextureUsages::TEXTURE_BINDING,
            view_formats: &[],
        },
        wgpu::util::TextureDataOrder::LayerMajor,
        &image.rgba8,
    );
    Some(texture.create_view(&Default::default()))
}

/// A bind group over `buffer` for the draw layout.
pub(super) fn draw_group_for(
    device: &wgpu::Device,
    layout: &wgpu::BindGroupLayout,
    buffer: &wgpu::Buffer,
) -> wgpu::BindGroup {
    bind_group(
        device,
        "mesh draw",
        layout,
        &[wgpu::BindingResource::Buffer(wgpu::BufferBinding {
            buffer,
            offset: 0,
            size: wgpu::BufferSize::new(size_of::<MeshDrawUniforms>() as u64),
        })],
    )
}
