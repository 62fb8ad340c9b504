//! The compute rasterizer's last two kernels (blend and merge) for one output
//! format (and one tile size): the view's Rgba16Float accumulation texture, composed afterwards, or
//! its 8-bit output itself, when the compose pass is folded into them (the
//! same kernels with the storage format replaced; `tile_output_value` in
//! shaders/common/tile_params.wgsl writes the colour over the background).

use crate::gpu::pipeline::compute_pipeline_with_constants;
use crate::gpu::shader::{ShaderError, create_shader_module_with};
use crate::render::formats::{ACCUMULATION_FORMAT, DEPTH_FORMAT};

/// The declaration of the output in tile_raster.wgsl and tile_merge.wgsl.
pub const ACCUMULATION_OUTPUT: &str = "texture_storage_2d<rgba16float, write>";
/// Its replacement in the folded kernels.
pub const FOLDED_OUTPUT: &str = "texture_storage_2d<rgba8unorm, write>";
/// The format of a view output the tiles can write themselves.
pub const FOLDED_OUTPUT_FORMAT: wgpu::TextureFormat = wgpu::TextureFormat::Rgba8Unorm;

/// The pipelines of the blend and merge kernels for one output format and
/// tile size.
pub struct OutputKernels {
    /// The blend kernel for the point-sampled modes ([0]) and the analytic
    /// mode ([1]) (`override ANALYTIC`).
    pub raster: [wgpu::ComputePipeline; 2],
    pub merge: wgpu::ComputePipeline,
}

impl OutputKernels {
    /// The kernels writing the format of `output_layout` (an
    /// [`output_layout`]: `ACCUMULATION_FORMAT` or `FOLDED_OUTPUT_FORMAT`), with
    /// `variant`'s replacements in their source (the tile size).
    /// `raster_layout` and `merge_layout` are group 0.
    pub fn new(
        device: &wgpu::Device,
        format: wgpu::TextureFormat,
        output_layout: &wgpu::BindGroupLayout,
        raster_layout: &wgpu::BindGroupLayout,
        merge_layout: &wgpu::BindGroupLayout,
        variant: &[(&str, &str)],
    ) -> Result<Self, ShaderError> {
        let module = |name: &str| {
            let mut replacements = variant.to_vec();
            if format != ACCUMULATION_FORMAT {
                replacements.push((ACCUMULATION_OUTPUT, FOLDED_OUTPUT));
            }
            create_shader_module_with(device, name, &replacements)
        };
        let raster = module("tile_raster.wgsl")?;
        let merge = module("tile_merge.wgsl")?;
        Ok(Self {
            raster: [false, true].map(|analytic| {
                compute_pipeline_with_constants(
                    device,
                    &[raster_layout, output_layout],
                    &raster,
                    "tile_raster",
                    &[("ANALYTIC", f64::from(u8::from(analytic)))],
                )
            }),
            merge: compute_pipeline_with_constants(
                device,
                &[merge_layout, output_layout],
                &merge,
                "tile_merge",
                &[],
            ),
        })
    }
}

/// Group 1 of the blend and merge kernels writing `format`: the output as a
/// write-only storage texture, and the depth buffer the splats are tested
/// against.
pub fn output_layout(device: &wgpu::Device, format: wgpu::TextureFormat) -> wgpu::BindGroupLayout {
    let compute = wgpu::ShaderStages::COMPUTE;
    device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
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
    })
}

/// A group 1 of an [`output_layout`]: `output` (made with `STORAGE_BINDING`,
/// of the layout's format) and the depth buffer the splats are tested against.
pub fn output_bind_group(
    device: &wgpu::Device,
    layout: &wgpu::BindGroupLayout,
    output: &wgpu::TextureView,
    depth: &wgpu::TextureView,
) -> wgpu::BindGroup {
    crate::gpu::pipeline::bind_group(
        device,
        "tile raster output",
        layout,
        &[
            wgpu::BindingResource::TextureView(output),
            wgpu::BindingResource::TextureView(depth),
        ],
    )
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
