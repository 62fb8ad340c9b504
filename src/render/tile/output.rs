//! The compute rasterizer's last two kernels (blend and merge) for one output
//! format: the view's Rgba16Float accumulation texture, composed afterwards, or
//! its 8-bit output itself, when the compose pass is folded into them (the
//! same kernels with the storage format replaced; `tile_output_value` in
//! shaders/common/tile_params.wgsl writes the colour over the background).

use crate::gpu::pipeline::compute_pipeline_with_constants;
use crate::gpu::shader::{ShaderError, create_shader_module, create_shader_module_replacing};
use crate::render::formats::{ACCUMULATION_FORMAT, DEPTH_FORMAT};

/// The declaration of the output in tile_raster.wgsl and tile_merge.wgsl.
pub const ACCUMULATION_OUTPUT: &str = "texture_storage_2d<rgba16float, write>";
/// Its replacement in the folded kernels.
pub const FOLDED_OUTPUT: &str = "texture_storage_2d<rgba8unorm, write>";
/// The format of a view output the tiles can write themselves.
pub const FOLDED_OUTPUT_FORMAT: wgpu::TextureFormat = wgpu::TextureFormat::Rgba8Unorm;

/// Layout and pipelines of the blend and merge kernels for one output format.
pub struct OutputKernels {
    /// Group 1: the output as a write-only storage texture, and the depth
    /// buffer the splats are tested against.
    pub layout: wgpu::BindGroupLayout,
    /// The blend kernel for the point-sampled modes ([0]) and the analytic
    /// mode ([1]) (`override ANALYTIC`).
    pub raster: [wgpu::ComputePipeline; 2],
    pub merge: wgpu::ComputePipeline,
}

impl OutputKernels {
    /// The kernels writing `format`: `ACCUMULATION_FORMAT` or
    /// `FOLDED_OUTPUT_FORMAT`. `raster_layout` and `merge_layout` are group 0.
    pub fn new(
        device: &wgpu::Device,
        format: wgpu::TextureFormat,
        raster_layout: &wgpu::BindGroupLayout,
        merge_layout: &wgpu::BindGroupLayout,
    ) -> Result<Self, ShaderError> {
        let module = |name: &str| {
            if format == ACCUMULATION_FORMAT {
                create_shader_module(device, name)
            } else {
                create_shader_module_replacing(device, name, ACCUMULATION_OUTPUT, FOLDED_OUTPUT)
            }
        };
        let raster = module("tile_raster.wgsl")?;
        let merge = module("tile_merge.wgsl")?;
        let compute = wgpu::ShaderStages::COMPUTE;
        let layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("tile raster output"),
            entries: &[
                wgpu::BindGroupLayoutEntry {
                    binding: 0,
                    visibility: compute,
                    ty: wgpu::BindingType::StorageTexture {
                        access: wgpu::StorageTextureAccess::WriteOnly,
                        format,
                        view_dimension: wgpu::TextureViewDimension::D2,
                    },
                    count: None,
                },
                wgpu::BindGroupLayoutEntry {
                    binding: 1,
                    visibility: compute,
                    ty: wgpu::BindingType::Texture {
                        sample_type: wgpu::TextureSampleType::Depth,
                        view_dimension: wgpu::TextureViewDimension::D2,
                        multisampled: false,
                    },
                    count: None,
                },
            ],
        });
        Ok(Self {
            raster: [false, true].map(|analytic| {
                compute_pipeline_with_constants(
                    device,
                    &[raster_layout, &layout],
                    &raster,
                    "tile_raster",
                    &[("ANALYTIC", f64::from(u8::from(analytic)))],
                )
            }),
            merge: compute_pipeline_with_constants(
                device,
                &[merge_layout, &layout],
                &merge,
                "tile_merge",
                &[],
            ),
            layout,
        })
    }
}

impl OutputKernels {
    /// Their group 1: `output` (made with `STORAGE_BINDING`, of this kernels'
    /// format) and the depth buffer the splats are tested against.
    pub fn bind_group(
        &self,
        device: &wgpu::Device,
        output: &wgpu::TextureView,
        depth: &wgpu::TextureView,
    ) -> wgpu::BindGroup {
        crate::gpu::pipeline::bind_group(
            device,
            "tile raster output",
            &self.layout,
            &[
                wgpu::BindingResource::TextureView(output),
                wgpu::BindingResource::TextureView(depth),
            ],
        )
    }
}

/// A texture of depth format, bound where a view has no depth buffer (never
/// read then).
pub fn no_depth_view(device: &wgpu::Device) -> wgpu::TextureView {
    crate::gpu::texture::texture_2d(
        device,
        "no depth",
        (1, 1),
        DEPTH_FORMAT,
        wgpu::TextureUsages::TEXTURE_BINDING,
    )
    .create_view(&Default::default())
}

/// Whether the tiles can write `output` themselves: an 8-bit output of
/// `FOLDED_OUTPUT_FORMAT` made with `STORAGE_BINDING`.
pub fn can_write_output(output: &wgpu::TextureView) -> bool {
    let texture = output.texture();
    texture.format() == FOLDED_OUTPUT_FORMAT
        && texture
            .usage()
            .contains(wgpu::TextureUsages::STORAGE_BINDING)
}
