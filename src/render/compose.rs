//! Compose stage: accumulation texture + background -> output format.
//!
//! The output is any non-sRGB 8-bit unorm format (the window surface or the
//! headless PNG texture): values are written as they are, clamped to 0..1. Under
//! the splats lies the view's mesh colour where meshes were drawn, the
//! background elsewhere.
//! `ComposeRenderer` holds the layout, a pipeline per output format (made on
//! first use) and the sampler; each view holds its own uniforms and bind group
//! (`ComposeBinding`), so views composed in one submission keep their own
//! background and size.

use crate::gpu::UniformBuffer;
use crate::gpu::pipeline::{PipelinesByFormat, color_pass, encode_fullscreen, fullscreen_pipeline};
use crate::gpu::shader::{ShaderError, create_shader_module};

/// Keep in sync with `ComposeUniforms` in shaders/compose.wgsl.
#[repr(C)]
#[derive(Clone, Copy, Debug, bytemuck::Pod, bytemuck::Zeroable)]
pub struct ComposeUniforms {
    pub background: [f32; 4],
    pub output_size: [f32; 2],
    pub _pad: [f32; 2],
}
const _: () = assert!(size_of::<ComposeUniforms>() == 32);

impl ComposeUniforms {
    /// `with_meshes`: the mesh colour is read (otherwise the background alone is
    /// under the splats, and the texture is not sampled).
    pub fn new(background: [f32; 3], output_size: (u32, u32), with_meshes: bool) -> Self {
        Self {
            background: [
                background[0],
                background[1],
                background[2],
                f32::from(u8::from(with_meshes)),
            ],
            output_size: [output_size.0.max(1) as f32, output_size.1.max(1) as f32],
            _pad: [0.0; 2],
        }
    }
}

/// Pipelines of the compose stage.
pub struct ComposeRenderer {
    layout: wgpu::BindGroupLayout,
    module: wgpu::ShaderModule,
    pipeline_layout: wgpu::PipelineLayout,
    /// One pipeline per output format, made on first use.
    pipelines: PipelinesByFormat,
    sampler: wgpu::Sampler,
    /// An uninitialised (zero: transparent) texel, the mesh colour of views
    /// without meshes.
    no_meshes: wgpu::TextureView,
}

/// One view's compose uniforms and its bind group over its accumulation texture.
pub struct ComposeBinding {
    uniforms: UniformBuffer<ComposeUniforms>,
    bind_group: wgpu::BindGroup,
}

impl ComposeRenderer {
    pub fn new(device: &wgpu::Device) -> Result<Self, ShaderError> {
        let fragment = wgpu::ShaderStages::FRAGMENT;
        let layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("compose"),
            entries: &[
                crate::gpu::pipeline::buffer_entry(0, fragment, wgpu::BufferBindingType::Uniform),
                wgpu::BindGroupLayoutEntry {
                    binding: 1,
                    visibility: fragment,
                    ty: wgpu::BindingType::Texture {
                        sample_type: wgpu::TextureSampleType::Float { filterable: true },
                        view_dimension: wgpu::TextureViewDimension::D2,
                        multisampled: false,
                    },
                    count: None,
                },
                wgpu::BindGroupLayoutEntry {
                    binding: 2,
                    visibility: fragment,
                    ty: wgpu::BindingType::Sampler(wgpu::SamplerBindingType::Filtering),
                    count: None,
                },
                wgpu::BindGroupLayoutEntry {
                    binding: 3,
                    visibility: fragment,
                    ty: wgpu::BindingType::Texture {
                        sample_type: wgpu::TextureSampleType::Float { filterable: true },
                        view_dimension: wgpu::TextureViewDimension::D2,
                        multisampled: false,
                    },
                    count: None,
                },
            ],
        });
        // Bound as the mesh colour where a view draws no meshes: transparent.
        let no_meshes = crate::gpu::texture::texture_2d(
            device,
            "no meshes",
            (1, 1),
            crate::render::mesh::MESH_COLOR_FORMAT,
            wgpu::TextureUsages::TEXTURE_BINDING,
        )
        .create_view(&Default::default());
        let module = create_shader_module(device, "compose.wgsl")?;
        let pipeline_layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some("compose"),
            bind_group_layouts: &[Some(&layout)],
            immediate_size: 0,
        });
        let sampler = device.create_sampler(&wgpu::SamplerDescriptor {
            label: Some("compose"),
            mag_filter: wgpu::FilterMode::Linear,
            min_filter: wgpu::FilterMode::Linear,
            ..Default::default()
        });
        Ok(Self {
            layout,
            module,
            pipeline_layout,
            pipelines: PipelinesByFormat::default(),
            sampler,
            no_meshes,
        })
    }

    /// The pipeline writing `format` (made on first use).
    pub fn pipeline(
        &self,
        device: &wgpu::Device,
        format: wgpu::TextureFormat,
    ) -> wgpu::RenderPipeline {
        self.pipelines.get_or_make(format, || {
            fullscreen_pipeline(
                device,
                "compose",
                &self.pipeline_layout,
                &self.module,
                format,
            )
        })
    }

    /// A view's uniforms and bind group reading `accumulation` and the mesh colour
    /// (`None`: no meshes); made again only when the view's targets change.
    pub fn binding(
        &self,
        device: &wgpu::Device,
        accumulation: &wgpu::TextureView,
        mesh_color: Option<&wgpu::TextureView>,
    ) -> ComposeBinding {
        let uniforms = UniformBuffer::new(
            device,
            "compose uniforms",
            &ComposeUniforms::new([0.0; 3], (1, 1), false),
        );
        let bind_group = crate::gpu::pipeline::bind_group(
            device,
            "compose",
            &self.layout,
            &[
                uniforms.binding(),
                wgpu::BindingResource::TextureView(accumulation),
                wgpu::BindingResource::Sampler(&self.sampler),
                wgpu::BindingResource::TextureView(mesh_color.unwrap_or(&self.no_meshes)),
            ],
        );
        ComposeBinding {
            uniforms,
            bind_group,
        }
    }

    /// Records the compose pass of one view into `output`, written with
    /// `pipeline` (see [`Self::pipeline`]), as `draw` says.
    pub fn encode(
        queue: &wgpu::Queue,
        encoder: &mut wgpu::CommandEncoder,
        pipeline: &wgpu::RenderPipeline,
        binding: &ComposeBinding,
        params: &ComposeUniforms,
        output: &wgpu::TextureView,
        draw: ComposeDraw<'_>,
    ) {
        binding.uniforms.write(queue, params);
        match draw {
            ComposeDraw::Always(timestamp_writes) => encode_fullscreen(
                encoder,
                "compose",
                output,
                pipeline,
                &binding.bind_group,
                timestamp_writes,
            ),
            ComposeDraw::Indirect(buffer, offset) => {
                let mut pass = color_pass(
                    encoder,
                    "compose (overflowed tiles)",
                    output,
                    wgpu::LoadOp::Load,
                    None,
                );
                pass.set_pipeline(pipeline);
                pass.set_bind_group(0, &binding.bind_group, &[]);
                pass.draw_indirect(buffer, offset);
            }
        }
    }
}

/// How the compose pass draws.
pub enum ComposeDraw<'a> {
    /// Every pixel of the output, timed when given timestamp writes.
    Always(Option<wgpu::RenderPassTimestampWrites<'a>>),
    /// Over what the output holds, as often as the `draw_indirect` arguments
    /// at (buffer, byte offset) say: the stand-in quads of a frame whose tiles
    /// wrote the output themselves but whose pairs overflowed
    /// (`tile::FALLBACK_COMPOSE_OFFSET`: one instance then, none otherwise).
    Indirect(&'a wgpu::Buffer, u64),
}
