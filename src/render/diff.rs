//! The difference pass of the compare view: a heatmap of |A - B| between two
//! `Rgba8Unorm` images of one size, drawn into a third (see shaders/diff.wgsl).
//! It equals `metrics::heatmap::abs_difference(a, b).to_image(scale)`, the map
//! `splatview compare` writes as diff.png, except where float rounding puts an
//! error exactly between two colour-map entries (tests/render_diff.rs).
//!
//! `DiffRenderer` holds the pipeline and the colour map; each call makes its
//! own small uniform buffer and bind group, so several differences can be
//! recorded into one submission.

use wgpu::util::DeviceExt;

use crate::gpu::pipeline::{encode_fullscreen, fullscreen_pipeline};
use crate::gpu::shader::{ShaderError, create_shader_module};

/// Format of the images read and written.
pub const DIFF_FORMAT: wgpu::TextureFormat = wgpu::TextureFormat::Rgba8Unorm;

/// Keep in sync with `DiffUniforms` in shaders/diff.wgsl.
#[repr(C)]
#[derive(Clone, Copy, Debug, bytemuck::Pod, bytemuck::Zeroable)]
pub struct DiffUniforms {
    pub scale: f32,
    pub _pad: [f32; 3],
}
const _: () = assert!(size_of::<DiffUniforms>() == 16);

/// The pipeline of the difference pass.
pub struct DiffRenderer {
    layout: wgpu::BindGroupLayout,
    pipeline: wgpu::RenderPipeline,
    colour_map: wgpu::TextureView,
}

impl DiffRenderer {
    pub fn new(device: &wgpu::Device, queue: &wgpu::Queue) -> Result<Self, ShaderError> {
        let fragment = wgpu::ShaderStages::FRAGMENT;
        let texture = |binding| wgpu::BindGroupLayoutEntry {
            binding,
            visibility: fragment,
            ty: wgpu::BindingType::Texture {
                sample_type: wgpu::TextureSampleType::Float { filterable: false },
                view_dimension: wgpu::TextureViewDimension::D2,
                multisampled: false,
            },
            count: None,
        };
        let layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("difference"),
            entries: &[
                crate::gpu::pipeline::buffer_entry(0, fragment, wgpu::BufferBindingType::Uniform),
                texture(1),
                texture(2),
                texture(3),
            ],
        });
        let module = create_shader_module(device, "diff.wgsl")?;
        let pipeline_layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some("difference"),
            bind_group_layouts: &[Some(&layout)],
            immediate_size: 0,
        });
        let pipeline =
            fullscreen_pipeline(device, "difference", &pipeline_layout, &module, DIFF_FORMAT);
        // The magma map of NVIDIA FLIP (`nv_flip::magma_lut`), as
        // `metrics::heatmap` draws it.
        let lut = nv_flip::magma_lut().to_vec();
        let texels: Vec<u8> = lut
            .chunks_exact(3)
            .flat_map(|c| [c[0], c[1], c[2], 255])
            .collect();
        let colour_map = device
            .create_texture_with_data(
                queue,
                &wgpu::TextureDescriptor {
                    label: Some("magma colour map"),
                    size: wgpu::Extent3d {
                        width: (texels.len() / 4) as u32,
                        height: 1,
                        depth_or_array_layers: 1,
                    },
                    mip_level_count: 1,
                    sample_count: 1,
                    dimension: wgpu::TextureDimension::D2,
                    format: DIFF_FORMAT,
                    usage: wgpu::TextureUsages::TEXTURE_BINDING,
                    view_formats: &[],
                },
                wgpu::util::TextureDataOrder::LayerMajor,
                &texels,
            )
            .create_view(&Default::default());
        Ok(Self {
            layout,
            pipeline,
            colour_map,
        })
    }

    /// Records the heatmap of `a` against `b` (both `DIFF_FORMAT`, the size of
    /// `output`) into `output`; `scale` is the error drawn at the top of the
    /// colour map (a non-positive or non-finite scale is taken as 1, as
    /// `ErrorMap::to_image` does).
    pub fn encode(
        &self,
        device: &wgpu::Device,
        encoder: &mut wgpu::CommandEncoder,
        a: &wgpu::TextureView,
        b: &wgpu::TextureView,
        scale: f32,
        output: &wgpu::TextureView,
    ) {
        let scale = if scale.is_finite() && scale > 0.0 {
            scale
        } else {
            1.0
        };
        let uniforms = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
            label: Some("difference uniforms"),
            contents: bytemuck::bytes_of(&DiffUniforms {
                scale,
                _pad: [0.0; 3],
            }),
            usage: wgpu::BufferUsages::UNIFORM,
        });
        let group = device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("difference"),
            layout: &self.layout,
            entries: &[
                wgpu::BindGroupEntry {
                    binding: 0,
                    resource: uniforms.as_entire_binding(),
                },
                wgpu::BindGroupEntry {
                    binding: 1,
                    resource: wgpu::BindingResource::TextureView(a),
                },
                wgpu::BindGroupEntry {
                    binding: 2,
                    resource: wgpu::BindingResource::TextureView(b),
                },
                wgpu::BindGroupEntry {
                    binding: 3,
                    resource: wgpu::BindingResource::TextureView(&self.colour_map),
                },
            ],
        });
        encode_fullscreen(encoder, "difference", output, &self.pipeline, &group, None);
    }
}
