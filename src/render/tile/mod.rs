//! Compute (tile) rasterizer: the alternative to the hardware draw pass.
//!
//! After project and depth sort, the splats are binned into 8x8-pixel tiles
//! (`shaders/tile_bin.wgsl`, `tile_offsets.wgsl`), the (tile, splat) pairs are
//! sorted by tile with the same radix sorter, each tile finds its range
//! (`tile_ranges.wgsl`) and is split into chunks of at most `chunk_pairs` pairs
//! (`tile_chunks.wgsl`); one workgroup per chunk blends its splats front to back
//! with early termination (`tile_raster.wgsl`), as the reference CUDA rasterizer
//! does per tile, and the chunks of long tiles are composited
//! (`tile_merge.wgsl`), so one crowded tile does not hold up the frame. It writes
//! the same accumulation texture as the draw pass, so compose is shared.
//! Everything is sized and dispatched by the GPU; nothing is read back.
//!
//! Why: the hardware path costs one instanced quad per splat, which datacenter GPUs
//! with few graphics units run slowly (docs/BENCHMARKS.md); this path is pure compute.
//!
//! `TileRasterizer` holds the pipelines; `TileBuffers` (buffers.rs) one scene's
//! pair buffers (created on first use, grown when the view needs more tiles).

mod buffers;
pub mod choice;

pub use buffers::TileBuffers;
pub use choice::{RasterChoice, RasterChooser};

use crate::gpu::GpuError;
use crate::gpu::profiler::{FramePass, GpuProfiler};
use crate::gpu::shader::{ShaderError, create_shader_module};
use crate::render::sort::{RadixSorter, SortBuffers, SortCount, passes_for_key_bits};
use crate::render::splat::{
    ACCUMULATION_FORMAT, SplatGpuData, buffer_entry, compute_pipeline,
    compute_pipeline_with_groups, split_dispatch,
};

/// Pixels per tile side. Keep in sync with TILE_SIZE in shaders/common/tile_params.wgsl.
/// 8 rather than the reference's 16: a pixel then evaluates only the splats of its
/// 8x8 neighbourhood. H100, 1080p (blend / whole draw): 6M splats 4.05 / 5.10 ms
/// with 16, 1.88 / 3.18 ms with 8; biker (153k) 0.43 / 0.67 ms with 16, 0.52 /
/// 1.01 ms with 8 (more pairs to bin); see docs/BENCHMARKS.md.
pub const TILE_SIZE: u32 = 8;
/// Most pairs one workgroup blends by default on GPUs; a tile with more is split
/// into chunks blended side by side and merged (shaders/tile_chunks.wgsl).
/// H100, 1080p, 8x8 tiles, blend with chunks of 512 / 1024 / 2048 / 4096 / 16384
/// pairs: 6M splats 1.98 / 1.90 / 1.88 / 1.93 / 2.93 ms, biker (153k) 0.40 / 0.42
/// / 0.53 / 0.54 / 0.54 ms (docs/BENCHMARKS.md).
pub const DEFAULT_CHUNK_PAIRS: u32 = 1024;
/// Chunk size that splits no tile: the default on CPU adapters, where only a
/// few threads run workgroups and splitting only adds work (lavapipe, biker at
/// 640x360, 8x8 tiles: blend 147 ms unsplit, 193 ms in chunks of 1024).
pub const UNSPLIT_CHUNK_PAIRS: u32 = 1 << 30;

/// Per-frame parameters. Keep in sync with shaders/common/tile_params.wgsl.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, bytemuck::Pod, bytemuck::Zeroable)]
pub struct TileParams {
    pub tiles_x: u32,
    pub tiles_y: u32,
    pub capacity: u32,
    pub splat_blocks: u32,
    pub chunk_pairs: u32,
    pub max_chunks: u32,
    pub _pad: [u32; 2],
}
const _: () = assert!(size_of::<TileParams>() == 32);

/// How splats reach the accumulation texture.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RasterMode {
    /// One instanced quad per splat through the hardware rasterizer, blended by
    /// the output merger.
    #[default]
    Hardware,
    /// Tile binning and per-tile blending in compute shaders.
    Compute,
}

impl RasterMode {
    pub fn name(self) -> &'static str {
        match self {
            Self::Hardware => "hardware",
            Self::Compute => "compute",
        }
    }
}

/// Pipelines and layouts of the compute rasterizer.
pub struct TileRasterizer {
    bin_layout: wgpu::BindGroupLayout,
    offsets_layout: wgpu::BindGroupLayout,
    ranges_layout: wgpu::BindGroupLayout,
    raster_layout: wgpu::BindGroupLayout,
    chunks_layout: wgpu::BindGroupLayout,
    merge_layout: wgpu::BindGroupLayout,
    /// Group 1 of the raster and merge kernels: the accumulation texture as storage.
    pub output_layout: wgpu::BindGroupLayout,
    count_pipeline: wgpu::ComputePipeline,
    emit_pipeline: wgpu::ComputePipeline,
    offsets_pipeline: wgpu::ComputePipeline,
    ranges_pipeline: wgpu::ComputePipeline,
    chunks_pipeline: wgpu::ComputePipeline,
    raster_pipeline: wgpu::ComputePipeline,
    merge_pipeline: wgpu::ComputePipeline,
    /// Most pairs one workgroup blends (default [`DEFAULT_CHUNK_PAIRS`]); takes
    /// effect when a scene's buffers are next made.
    pub chunk_pairs: u32,
}

impl TileRasterizer {
    pub fn new(device: &wgpu::Device) -> Result<Self, ShaderError> {
        use wgpu::BufferBindingType::{Storage, Uniform};
        let compute = wgpu::ShaderStages::COMPUTE;
        let read = Storage { read_only: true };
        let write = Storage { read_only: false };
        let layout = |label: &str, types: &[wgpu::BufferBindingType]| {
            let entries: Vec<_> = types
                .iter()
                .enumerate()
                .map(|(i, ty)| buffer_entry(i as u32, compute, *ty))
                .collect();
            device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
                label: Some(label),
                entries: &entries,
            })
        };
        let bin_layout = layout(
            "tile bin",
            &[Uniform, Uniform, read, read, read, write, write, write],
        );
        let offsets_layout = layout("tile offsets", &[Uniform, write, write, write, write]);
        let ranges_layout = layout("tile ranges", &[Uniform, read, read, write]);
        let raster_layout = layout(
            "tile raster",
            &[Uniform, Uniform, read, read, read, read, read, read, write],
        );
        let chunks_layout = layout("tile chunks", &[Uniform, read, write, write, write]);
        let merge_layout = layout("tile merge", &[Uniform, Uniform, read, read, read]);
        let output_layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("tile raster output"),
            entries: &[wgpu::BindGroupLayoutEntry {
                binding: 0,
                visibility: compute,
                ty: wgpu::BindingType::StorageTexture {
                    access: wgpu::StorageTextureAccess::WriteOnly,
                    format: ACCUMULATION_FORMAT,
                    view_dimension: wgpu::TextureViewDimension::D2,
                },
                count: None,
            }],
        });
        let bin = create_shader_module(device, "tile_bin.wgsl")?;
        let offsets = create_shader_module(device, "tile_offsets.wgsl")?;
        let ranges = create_shader_module(device, "tile_ranges.wgsl")?;
        let chunks = create_shader_module(device, "tile_chunks.wgsl")?;
        let raster = create_shader_module(device, "tile_raster.wgsl")?;
        let merge = create_shader_module(device, "tile_merge.wgsl")?;
        let with_output =
            |layout: &wgpu::BindGroupLayout, module: &wgpu::ShaderModule, entry_point: &str| {
                compute_pipeline_with_groups(device, &[layout, &output_layout], module, entry_point)
            };
        Ok(Self {
            count_pipeline: compute_pipeline(device, &bin_layout, &bin, "tile_count"),
            emit_pipeline: compute_pipeline(device, &bin_layout, &bin, "tile_emit"),
            offsets_pipeline: compute_pipeline(device, &offsets_layout, &offsets, "tile_offsets"),
            ranges_pipeline: compute_pipeline(device, &ranges_layout, &ranges, "tile_ranges"),
            chunks_pipeline: compute_pipeline(device, &chunks_layout, &chunks, "tile_chunks"),
            raster_pipeline: with_output(&raster_layout, &raster, "tile_raster"),
            merge_pipeline: with_output(&merge_layout, &merge, "tile_merge"),
            bin_layout,
            offsets_layout,
            ranges_layout,
            raster_layout,
            chunks_layout,
            merge_layout,
            output_layout,
            chunk_pairs: default_chunk_pairs(device.adapter_info().device_type),
        })
    }

    /// The group-1 bind group of the raster kernel for an accumulation texture
    /// (created with `STORAGE_BINDING`).
    pub fn output_bind_group(
        &self,
        device: &wgpu::Device,
        accumulation: &wgpu::TextureView,
    ) -> wgpu::BindGroup {
        device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("tile raster output"),
            layout: &self.output_layout,
            entries: &[wgpu::BindGroupEntry {
                binding: 0,
                resource: wgpu::BindingResource::TextureView(accumulation),
            }],
        })
    }

    /// Records binning, the tile sort and per-tile blending into the accumulation
    /// texture bound by `output` (`width` x `height`), after the depth sort of
    /// `depth_passes` passes. Creates or grows the scene's pair buffers when needed.
    #[allow(clippy::too_many_arguments)]
    pub fn encode(
        &self,
        device: &wgpu::Device,
        queue: &wgpu::Queue,
        encoder: &mut wgpu::CommandEncoder,
        sorter: &RadixSorter,
        scene: &mut SplatGpuData,
        depth_passes: u32,
        size: (u32, u32),
        output: &wgpu::BindGroup,
        mut profiler: Option<&mut GpuProfiler>,
    ) -> Result<(), GpuError> {
        let tiles_x = size.0.div_ceil(TILE_SIZE).max(1);
        let tiles_y = size.1.div_ceil(TILE_SIZE).max(1);
        let tiles = tiles_x * tiles_y;
        let wanted = scene.tiles.as_ref().map_or(0, |t| t.wanted_pairs);
        if !scene
            .tiles
            .as_ref()
            .is_some_and(|t| t.fits(tiles, self.chunk_pairs))
        {
            scene.tiles = Some(TileBuffers::new(
                self,
                device,
                sorter,
                scene,
                tiles,
                wanted,
                self.chunk_pairs,
            )?);
        }
        let Some(buffers) = scene.tiles.as_mut() else {
            return Ok(());
        };
        let splat_blocks = scene.splat_count.div_ceil(256);
        buffers.params.write(
            queue,
            &TileParams {
                tiles_x,
                tiles_y,
                capacity: buffers.capacity,
                splat_blocks,
                chunk_pairs: buffers.chunk_pairs,
                max_chunks: buffers.max_chunks,
                _pad: [0; 2],
            },
        );
        encoder.clear_buffer(&buffers.ranges, 0, Some(u64::from(tiles) * 8));
        {
            let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
                label: Some("tile bin"),
                timestamp_writes: profiler
                    .as_deref_mut()
                    .map(|p| p.compute_writes(FramePass::TileBin)),
            });
            // Count, turn the counts into offsets, emit the pairs.
            let (groups_x, groups_y) = split_dispatch(splat_blocks);
            let bin_group = &buffers.bin_groups[SortBuffers::result_index(depth_passes)];
            if splat_blocks > 0 {
                pass.set_bind_group(0, bin_group, &[]);
                pass.set_pipeline(&self.count_pipeline);
                pass.dispatch_workgroups(groups_x, groups_y, 1);
            }
            pass.set_bind_group(0, &buffers.offsets_group, &[]);
            pass.set_pipeline(&self.offsets_pipeline);
            pass.dispatch_workgroups(1, 1, 1);
            if splat_blocks > 0 {
                pass.set_bind_group(0, bin_group, &[]);
                pass.set_pipeline(&self.emit_pipeline);
                pass.dispatch_workgroups(groups_x, groups_y, 1);
            }
        }
        let tile_passes = passes_for_key_bits(u32::BITS - (tiles - 1).max(1).leading_zeros());
        sorter.encode(
            queue,
            encoder,
            &mut buffers.pairs,
            SortCount::Gpu,
            tile_passes,
            profiler
                .as_deref_mut()
                .map(|p| p.compute_writes(FramePass::TileSort)),
        );
        let result = SortBuffers::result_index(tile_passes);
        let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
            label: Some("tile raster"),
            timestamp_writes: profiler.map(|p| p.compute_writes(FramePass::TileRaster)),
        });
        pass.set_bind_group(0, &buffers.ranges_groups[result], &[]);
        pass.set_pipeline(&self.ranges_pipeline);
        pass.dispatch_workgroups_indirect(&buffers.state, buffers::RANGES_DISPATCH_OFFSET);
        pass.set_bind_group(0, &buffers.chunks_group, &[]);
        pass.set_pipeline(&self.chunks_pipeline);
        pass.dispatch_workgroups(1, 1, 1);
        pass.set_bind_group(0, &buffers.raster_groups[result], &[]);
        pass.set_bind_group(1, output, &[]);
        pass.set_pipeline(&self.raster_pipeline);
        pass.dispatch_workgroups_indirect(&buffers.state, buffers::RASTER_DISPATCH_OFFSET);
        pass.set_bind_group(0, &buffers.merge_group, &[]);
        pass.set_pipeline(&self.merge_pipeline);
        pass.dispatch_workgroups(tiles_x, tiles_y, 1);
        Ok(())
    }
}

/// The chunk size [`TileRasterizer::new`] takes for an adapter type.
pub fn default_chunk_pairs(device_type: wgpu::DeviceType) -> u32 {
    if device_type == wgpu::DeviceType::Cpu {
        UNSPLIT_CHUNK_PAIRS
    } else {
        DEFAULT_CHUNK_PAIRS
    }
}
