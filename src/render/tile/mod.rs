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
//! `TileRasterizer` holds the pipelines; `TileBuffers` (buffers.rs) one view's
//! pair buffers (created on first use, grown when the view needs more pairs).
//!
//! A frame whose pairs do not fit the buffers is never shown incomplete: the
//! offsets kernel then stores no pairs (every tile blends to transparent) and
//! turns on the indirect quad draws of all visible splats (`FALLBACK_DRAW_OFFSET`),
//! which the caller encodes after the tile passes; the view reads the pair count
//! back and grows the buffers for the next frame.

mod buffers;
pub mod choice;
pub mod output;

pub use buffers::{
    FALLBACK_COMPOSE_OFFSET, FALLBACK_DRAW_OFFSET, TileBuffers, stopped_bytes_per_chunk,
};
pub use choice::RasterChooser;

use crate::gpu::GpuError;
use crate::gpu::pipeline::{compute_buffer_layout, compute_pipeline, split_dispatch};
use crate::gpu::profiler::{FramePass, GpuProfiler};
use crate::gpu::shader::{ShaderError, create_shader_module_with};
use crate::render::formats::ACCUMULATION_FORMAT;
use crate::render::sort::{RadixSorter, SortBuffers, SortCount, passes_for_key_bits};
use crate::render::splat::SplatWorking;
use output::OutputKernels;

/// Pixels per tile side of the default kernels (shaders/common/tile_params.wgsl).
/// 8 rather than the reference's 16: a pixel then evaluates only the splats of its
/// 8x8 neighbourhood. H100, 1080p (blend / whole draw): 6M splats 4.05 / 5.10 ms
/// with 16, 1.88 / 3.18 ms with 8; biker (153k) 0.43 / 0.67 ms with 16, 0.52 /
/// 1.01 ms with 8 (more pairs to bin); see docs/BENCHMARKS.md. Either may win,
/// so the kernels exist for both ([`LARGE_TILE_SIZE`]) and `Auto` measures.
pub const TILE_SIZE: u32 = 8;
/// The other tile side: half the pairs per splat to bin and sort, four times
/// the pixels that evaluate each.
pub const LARGE_TILE_SIZE: u32 = 16;
/// The tile sides there are kernels for.
pub const TILE_SIZES: [u32; 2] = [TILE_SIZE, LARGE_TILE_SIZE];
/// The declaration of the tile side in shaders/common/tile_params.wgsl, and
/// what replaces it in the kernels for [`LARGE_TILE_SIZE`].
pub const TILE_SIZE_DECLARATION: &str = "const TILE_SIZE: u32 = 8u;";
pub const LARGE_TILE_SIZE_DECLARATION: &str = "const TILE_SIZE: u32 = 16u;";
const _: () = assert!(TILE_SIZE == 8 && LARGE_TILE_SIZE == 16);

/// The source replacements that make the kernels for tiles of `side` pixels.
pub fn tile_size_variant(side: u32) -> &'static [(&'static str, &'static str)] {
    if side == LARGE_TILE_SIZE {
        &[(TILE_SIZE_DECLARATION, LARGE_TILE_SIZE_DECLARATION)]
    } else {
        &[]
    }
}

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
/// On GPUs, a splat whose tile rectangle holds more tiles than this is binned by
/// a whole workgroup (shaders/tile_bin_large.wgsl) rather than one invocation,
/// which would loop over all its tiles while the rest of its workgroup waits.
/// Not measured on a GPU yet (docs/BENCHMARKS.md; `bench --tile-spread-tiles`).
pub const DEFAULT_SPREAD_MIN_TILES: u32 = 64;
/// Splats are never binned by a whole workgroup (see [`default_spread_min_tiles`]).
pub const NEVER_SPREAD: u32 = u32::MAX;

/// Per-frame parameters. Keep in sync with shaders/common/tile_params.wgsl.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, bytemuck::Pod, bytemuck::Zeroable)]
pub struct TileParams {
    pub tiles_x: u32,
    pub tiles_y: u32,
    pub capacity: u32,
    pub splat_blocks: u32,
    pub chunk_pairs: u32,
    pub max_chunks: u32,
    pub spread_min_tiles: u32,
    pub _pad: u32,
    /// rgb: the background; a: 1 when the blend and merge kernels write the
    /// view's output (the compose pass folded in), 0 for the accumulation.
    pub background: [f32; 4],
}
const _: () = assert!(size_of::<TileParams>() == 48);

/// The pipelines of the compute rasterizer for one tile size.
struct TileKernels {
    /// The blend and merge kernels writing the accumulation texture.
    accumulation: OutputKernels,
    /// The same writing a view's 8-bit output, the compose pass folded in.
    folded: OutputKernels,
    count: wgpu::ComputePipeline,
    emit: wgpu::ComputePipeline,
    count_large: wgpu::ComputePipeline,
    emit_large: wgpu::ComputePipeline,
    offsets: wgpu::ComputePipeline,
    ranges: wgpu::ComputePipeline,
    chunks: wgpu::ComputePipeline,
}

/// Workgroup memory of the blend kernel (tile_raster.wgsl) for tiles of
/// `side`: a batch of one splat per pixel (three vec4 and four f32 each), the
/// done count and its snapshot, and the stopped-pixel mask words.
pub fn raster_workgroup_bytes(side: u32) -> u32 {
    let pixels = side * side;
    pixels * (3 * 16 + 4 * 4) + 8 + pixels.div_ceil(32) * 4
}

/// Whether a device with `limits` can run the kernels for tiles of `side`
/// (16x16 tiles need 256 invocations and 16,424 bytes of workgroup memory,
/// just over WebGPU's default 16 KiB).
pub fn tile_size_supported(limits: &wgpu::Limits, side: u32) -> bool {
    limits.max_compute_workgroup_storage_size >= raster_workgroup_bytes(side)
        && limits.max_compute_invocations_per_workgroup >= side * side
        && limits.max_compute_workgroup_size_x >= side
        && limits.max_compute_workgroup_size_y >= side
}

/// Bind group layouts of the compute rasterizer (the same for every tile size).
struct TileLayouts {
    bin: wgpu::BindGroupLayout,
    bin_large: wgpu::BindGroupLayout,
    offsets: wgpu::BindGroupLayout,
    ranges: wgpu::BindGroupLayout,
    raster: wgpu::BindGroupLayout,
    chunks: wgpu::BindGroupLayout,
    merge: wgpu::BindGroupLayout,
    /// Group 1 of the blend and merge kernels: the accumulation texture, or a
    /// view's 8-bit output (the compose pass folded in).
    accumulation_output: wgpu::BindGroupLayout,
    folded_output: wgpu::BindGroupLayout,
}

/// Pipelines and layouts of the compute rasterizer.
pub struct TileRasterizer {
    layouts: TileLayouts,
    /// The kernels for [`TILE_SIZE`], made with the rasterizer.
    kernels: TileKernels,
    /// Those for [`LARGE_TILE_SIZE`], made when first asked for
    /// ([`Self::ensure_kernels`]).
    large_kernels: std::sync::OnceLock<Result<TileKernels, String>>,
    /// Bound as the depth buffer when the view has none (never read then).
    no_depth: wgpu::TextureView,
    /// Most pairs one workgroup blends (default [`DEFAULT_CHUNK_PAIRS`]); takes
    /// effect when a scene's buffers are next made.
    pub chunk_pairs: u32,
    /// Tiles above which a splat is binned by a whole workgroup
    /// ([`default_spread_min_tiles`]; [`NEVER_SPREAD`]: never); per frame.
    pub spread_min_tiles: u32,
}

impl TileKernels {
    fn new(device: &wgpu::Device, layouts: &TileLayouts, side: u32) -> Result<Self, ShaderError> {
        let variant = tile_size_variant(side);
        let module = |name: &str| create_shader_module_with(device, name, variant);
        let output = |format, layout| {
            OutputKernels::new(
                device,
                format,
                layout,
                &layouts.raster,
                &layouts.merge,
                variant,
            )
        };
        let bin = module("tile_bin.wgsl")?;
        let bin_large = module("tile_bin_large.wgsl")?;
        let offsets = module("tile_offsets.wgsl")?;
        let ranges = module("tile_ranges.wgsl")?;
        let chunks = module("tile_chunks.wgsl")?;
        Ok(Self {
            accumulation: output(ACCUMULATION_FORMAT, &layouts.accumulation_output)?,
            folded: output(output::FOLDED_OUTPUT_FORMAT, &layouts.folded_output)?,
            count: compute_pipeline(device, &layouts.bin, &bin, "tile_count"),
            emit: compute_pipeline(device, &layouts.bin, &bin, "tile_emit"),
            count_large: compute_pipeline(
                device,
                &layouts.bin_large,
                &bin_large,
                "tile_count_large",
            ),
            emit_large: compute_pipeline(device, &layouts.bin_large, &bin_large, "tile_emit_large"),
            offsets: compute_pipeline(device, &layouts.offsets, &offsets, "tile_offsets"),
            ranges: compute_pipeline(device, &layouts.ranges, &ranges, "tile_ranges"),
            chunks: compute_pipeline(device, &layouts.chunks, &chunks, "tile_chunks"),
        })
    }
}

impl TileLayouts {
    fn new(device: &wgpu::Device) -> Self {
        use wgpu::BufferBindingType::{Storage, Uniform};
        let read = Storage { read_only: true };
        let write = Storage { read_only: false };
        let layout = |label: &str, types: &[wgpu::BufferBindingType]| {
            compute_buffer_layout(device, label, types)
        };
        Self {
            bin: layout(
                "tile bin",
                &[
                    Uniform, Uniform, read, read, read, write, write, write, write, write,
                ],
            ),
            // The same, with the large-splat list read-only: it is also the
            // indirect dispatch of the kernels that read it.
            bin_large: layout(
                "tile bin large",
                &[
                    Uniform, Uniform, read, read, read, write, write, write, write, read,
                ],
            ),
            offsets: layout("tile offsets", &[Uniform, write, write, write, write, read]),
            ranges: layout("tile ranges", &[Uniform, read, read, write]),
            raster: layout(
                "tile raster",
                &[
                    Uniform, Uniform, read, read, read, read, read, read, write, read, write,
                ],
            ),
            chunks: layout("tile chunks", &[Uniform, read, write, write, write]),
            merge: layout("tile merge", &[Uniform, Uniform, read, read, read]),
            accumulation_output: output::output_layout(device, ACCUMULATION_FORMAT),
            folded_output: output::output_layout(device, output::FOLDED_OUTPUT_FORMAT),
        }
    }
}

impl TileRasterizer {
    /// The rasterizer with the kernels for [`TILE_SIZE`] (those for
    /// [`LARGE_TILE_SIZE`] follow when first wanted).
    pub fn new(device: &wgpu::Device) -> Result<Self, ShaderError> {
        let layouts = TileLayouts::new(device);
        Ok(Self {
            kernels: TileKernels::new(device, &layouts, TILE_SIZE)?,
            large_kernels: std::sync::OnceLock::new(),
            layouts,
            no_depth: output::no_depth_view(device),
            chunk_pairs: default_chunk_pairs(device.adapter_info().device_type),
            spread_min_tiles: default_spread_min_tiles(device.adapter_info().device_type),
        })
    }

    /// Makes the kernels for tiles of `side` pixels (one of [`TILE_SIZES`]) if
    /// they are not made yet; [`Self::encode`] needs them.
    pub fn ensure_kernels(&self, device: &wgpu::Device, side: u32) -> Result<(), ShaderError> {
        if side != LARGE_TILE_SIZE {
            return Ok(());
        }
        let limits = device.limits();
        if !tile_size_supported(&limits, side) {
            return Err(ShaderError {
                file: "tile_raster.wgsl".into(),
                reason: format!(
                    "{side}x{side} tiles need {} bytes of workgroup memory and {} invocations per workgroup; this adapter offers {} and {}",
                    raster_workgroup_bytes(side),
                    side * side,
                    limits.max_compute_workgroup_storage_size,
                    limits.max_compute_invocations_per_workgroup
                ),
            });
        }
        let made = self.large_kernels.get_or_init(|| {
            TileKernels::new(device, &self.layouts, LARGE_TILE_SIZE).map_err(|e| e.to_string())
        });
        made.as_ref().map(|_| ()).map_err(|reason| ShaderError {
            file: "tile kernels (16x16)".into(),
            reason: reason.clone(),
        })
    }

    fn kernels(&self, side: u32) -> Option<&TileKernels> {
        match side {
            LARGE_TILE_SIZE => self.large_kernels.get().and_then(|k| k.as_ref().ok()),
            _ => Some(&self.kernels),
        }
    }

    /// The group-1 bind group of the raster and merge kernels: `accumulation`
    /// (created with `STORAGE_BINDING`) and the depth buffer, if any.
    pub fn output_bind_group(
        &self,
        device: &wgpu::Device,
        accumulation: &wgpu::TextureView,
        depth: Option<&wgpu::TextureView>,
    ) -> wgpu::BindGroup {
        output::output_bind_group(
            device,
            &self.layouts.accumulation_output,
            accumulation,
            depth.unwrap_or(&self.no_depth),
        )
    }

    /// The group-1 bind group of the folded kernels: a view's 8-bit `output`
    /// (`output::can_write_output`), no depth buffer.
    pub fn folded_output_bind_group(
        &self,
        device: &wgpu::Device,
        output: &wgpu::TextureView,
    ) -> wgpu::BindGroup {
        output::output_bind_group(device, &self.layouts.folded_output, output, &self.no_depth)
    }

    /// `buffers` made or grown, if needed, for a view of `size` pixels in tiles
    /// of `side` (one of [`TILE_SIZES`]) over `working`: a new scene, more
    /// tiles, another tile or chunk size, or a past frame that needed more
    /// pairs than they hold.
    pub fn ensure_buffers<'a>(
        &self,
        device: &wgpu::Device,
        sorter: &RadixSorter,
        working: &SplatWorking,
        buffers: &'a mut Option<TileBuffers>,
        size: (u32, u32),
        side: u32,
    ) -> Result<&'a mut TileBuffers, GpuError> {
        let (tiles_x, tiles_y) = tile_grid(size, side);
        let tiles = tiles_x * tiles_y;
        // Pairs a past frame needed, in tiles of this side.
        let wanted = buffers
            .as_ref()
            .filter(|b| b.side == side)
            .map_or(0, |b| b.wanted_pairs);
        if !buffers
            .as_ref()
            .is_some_and(|b| b.side == side && b.fits(working, tiles, self.chunk_pairs))
        {
            *buffers = None; // free the old ones first
            let made = crate::gpu::health::scoped(device, "tile pair buffers", || {
                TileBuffers::new(
                    self,
                    device,
                    sorter,
                    working,
                    tiles,
                    side,
                    wanted,
                    self.chunk_pairs,
                )
            })??;
            *buffers = Some(made);
        }
        buffers.as_mut().ok_or(GpuError::OutOfMemory {
            what: "tile pair buffers",
        })
    }

    /// Records binning, the tile sort and per-tile blending into the texture
    /// bound by `output` (`size`), after the depth sort of `depth_passes`
    /// passes, blending as the analytic mode when `analytic` (it must match the
    /// frame's anti-aliasing mode). `folded_background`: `output` is a
    /// `folded_output_bind_group` and the pixels are written over this
    /// background; else it is an `output_bind_group` of the accumulation. When
    /// the pairs overflow `buffers`, the tiles come out transparent (or the
    /// background) and `FALLBACK_DRAW_OFFSET` of `buffers.state` holds the quad
    /// draws the caller must encode after this.
    #[allow(clippy::too_many_arguments)]
    pub fn encode(
        &self,
        queue: &wgpu::Queue,
        encoder: &mut wgpu::CommandEncoder,
        sorter: &RadixSorter,
        buffers: &mut TileBuffers,
        splat_count: u32,
        depth_passes: u32,
        size: (u32, u32),
        output: &wgpu::BindGroup,
        folded_background: Option<[f32; 3]>,
        analytic: bool,
        mut profiler: Option<&mut GpuProfiler>,
    ) {
        // Made by `ensure_kernels` before the buffers of this side.
        let Some(kernels) = self.kernels(buffers.side) else {
            debug_assert!(false, "tile kernels for {} not made", buffers.side);
            return;
        };
        let background = folded_background.map_or([0.0; 4], |[r, g, b]| [r, g, b, 1.0]);
        let (tiles_x, tiles_y) = tile_grid(size, buffers.side);
        let tiles = tiles_x * tiles_y;
        let splat_blocks = splat_count.div_ceil(256);
        buffers.params.write(
            queue,
            &TileParams {
                tiles_x,
                tiles_y,
                capacity: buffers.capacity,
                splat_blocks,
                chunk_pairs: buffers.chunk_pairs,
                max_chunks: buffers.max_chunks,
                spread_min_tiles: self.spread_min_tiles,
                _pad: 0,
                background,
            },
        );
        encoder.clear_buffer(&buffers.ranges, 0, Some(u64::from(tiles) * 8));
        encoder.clear_buffer(&buffers.large_list, 0, Some(buffers::LARGE_HEAD_BYTES));
        // Read only where tiles are split into chunks.
        if buffers.chunk_pairs < UNSPLIT_CHUNK_PAIRS {
            encoder.clear_buffer(&buffers.chunk_stopped, 0, None);
        }
        {
            let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
                label: Some("tile bin"),
                timestamp_writes: profiler
                    .as_deref_mut()
                    .map(|p| p.compute_writes(FramePass::TileBin)),
            });
            // Count (large splats by a workgroup each), turn the counts into
            // offsets, emit the pairs (large splats by a workgroup each).
            let (groups_x, groups_y) = split_dispatch(splat_blocks);
            let depth_result = SortBuffers::result_index(depth_passes);
            let bin_group = &buffers.bin_groups[depth_result];
            let large_group = &buffers.bin_large_groups[depth_result];
            if splat_blocks > 0 {
                pass.set_bind_group(0, bin_group, &[]);
                pass.set_pipeline(&kernels.count);
                pass.dispatch_workgroups(groups_x, groups_y, 1);
                pass.set_bind_group(0, large_group, &[]);
                pass.set_pipeline(&kernels.count_large);
                pass.dispatch_workgroups_indirect(&buffers.large_list, 0);
            }
            pass.set_bind_group(0, &buffers.offsets_group, &[]);
            pass.set_pipeline(&kernels.offsets);
            pass.dispatch_workgroups(1, 1, 1);
            if splat_blocks > 0 {
                pass.set_bind_group(0, bin_group, &[]);
                pass.set_pipeline(&kernels.emit);
                pass.dispatch_workgroups(groups_x, groups_y, 1);
                pass.set_bind_group(0, large_group, &[]);
                pass.set_pipeline(&kernels.emit_large);
                pass.dispatch_workgroups_indirect(&buffers.large_list, 0);
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
        pass.set_pipeline(&kernels.ranges);
        pass.dispatch_workgroups_indirect(&buffers.state, buffers::RANGES_DISPATCH_OFFSET);
        pass.set_bind_group(0, &buffers.chunks_group, &[]);
        pass.set_pipeline(&kernels.chunks);
        pass.dispatch_workgroups(1, 1, 1);
        pass.set_bind_group(0, &buffers.raster_groups[result], &[]);
        pass.set_bind_group(1, output, &[]);
        let output_kernels = match folded_background {
            Some(_) => &kernels.folded,
            None => &kernels.accumulation,
        };
        pass.set_pipeline(&output_kernels.raster[usize::from(analytic)]);
        pass.dispatch_workgroups_indirect(&buffers.state, buffers::RASTER_DISPATCH_OFFSET);
        pass.set_bind_group(0, &buffers.merge_group, &[]);
        pass.set_pipeline(&output_kernels.merge);
        pass.dispatch_workgroups(tiles_x, tiles_y, 1);
    }
}

/// Tiles of `side` pixels across and down a view of `size` pixels.
pub fn tile_grid(size: (u32, u32), side: u32) -> (u32, u32) {
    let side = side.max(1);
    (size.0.div_ceil(side).max(1), size.1.div_ceil(side).max(1))
}

/// Tiles above which a splat is binned by a whole workgroup, by adapter type:
/// [`DEFAULT_SPREAD_MIN_TILES`] on GPUs; never on CPU adapters, which run a
/// workgroup's invocations one after another anyway (see docs/BENCHMARKS.md).
pub fn default_spread_min_tiles(device_type: wgpu::DeviceType) -> u32 {
    match device_type {
        wgpu::DeviceType::Cpu => NEVER_SPREAD,
        _ => DEFAULT_SPREAD_MIN_TILES,
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
