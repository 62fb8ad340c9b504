//! One view's buffers of the compute rasterizer: (tile, splat) pairs, tile
//! ranges, the chunk list and the chunks' partial results, with their bind groups.

use super::{TileParams, TileRasterizer};
use crate::gpu::GpuError;
use crate::gpu::UniformBuffer;
use crate::gpu::pipeline::{bind_group, buffer};
use crate::render::sort::{RadixSorter, SortBuffers};
use crate::render::splat::SplatWorking;
use crate::render::splat::gpu_data::QUAD_BATCH_ARGS_BYTES;

/// Pair capacity per splat slot to start with; frames that need more grow the
/// buffers. Measured pairs per visible splat with 8x8 tiles: 2.6 (biker, 640x360),
/// 6.9-7.5 (guitar, biker at 1080p), 1.8 (6M tiled biker at 1080p).
const PAIRS_PER_SPLAT: u64 = 4;
const MIN_PAIRS: u64 = 1 << 16;
/// One chunk's partial results for tiles of `side`: a tile's pixels of
/// (colour, transmittance) as 4 f16.
fn partial_bytes_per_chunk(side: u32) -> u64 {
    u64::from(side * side) * 8
}
/// One chunk's stopped pixels for tiles of `side`: a bit per pixel, in whole
/// words (STOP_WORDS in shaders/common/tile_params.wgsl).
pub fn stopped_bytes_per_chunk(side: u32) -> u64 {
    u64::from(side * side).div_ceil(32) * 4
}
/// Words of `TileBuffers::state`: [0] pairs wanted, [1] pairs stored, [4..7] the
/// indirect dispatch of tile_ranges, [8] chunks, [12..15] that of tile_raster,
/// [16..19] the indirect draw of the compose pass for an overflowed frame whose
/// tiles wrote the output, from [20] the indexed indirect draws (one per quad
/// batch) of the quads that stand in for an overflowed frame.
const STATE_HEAD_BYTES: u64 = FALLBACK_COMPOSE_OFFSET + 16;
/// Byte offsets of the indirect dispatch arguments in `TileBuffers::state`.
pub(super) const RANGES_DISPATCH_OFFSET: u64 = 16;
pub(super) const RASTER_DISPATCH_OFFSET: u64 = 48;
/// Byte offset of the fallback quad draws' arguments in `TileBuffers::state`:
/// all visible splats when the pairs overflowed, none otherwise.
pub const FALLBACK_DRAW_OFFSET: u64 = STATE_HEAD_BYTES;
/// Byte offset of the fallback compose draw (`draw_indirect` arguments: the
/// full-screen triangle, one instance when the pairs overflowed, else none).
pub const FALLBACK_COMPOSE_OFFSET: u64 = 64;
/// Bytes of the large-splat list before its entries: the indirect dispatch of
/// the large-splat kernels and the append counter (shaders/common/tile_binning.wgsl).
pub(super) const LARGE_HEAD_BYTES: u64 = 16;
/// Most entries of the large-splat list (one dispatch dimension's workgroups).
/// Keep in sync with LARGE_CAPACITY in shaders/common/tile_binning.wgsl.
const LARGE_CAPACITY: u64 = 65_535;

/// One view's pair buffers and bind groups.
pub struct TileBuffers {
    pub(super) params: UniformBuffer<TileParams>,
    block_sums: wgpu::Buffer,
    /// Per splat slot: its tile count, or a large splat's first pair.
    slot_words: wgpu::Buffer,
    /// The splats binned by a whole workgroup, after the dispatch of their
    /// kernels (`LARGE_HEAD_BYTES`).
    pub(super) large_list: wgpu::Buffer,
    /// Pairs wanted, pairs stored, chunks, and indirect dispatch sizes (see
    /// `STATE_BYTES`).
    pub state: wgpu::Buffer,
    /// Per tile: first pair and end of its pairs in the sorted pair list.
    pub ranges: wgpu::Buffer,
    /// The (tile, splat) pairs; sorted in place by the radix sorter.
    pub pairs: SortBuffers,
    /// Per tile: its first chunk.
    chunk_base: wgpu::Buffer,
    /// Per chunk: its tile.
    chunk_tiles: wgpu::Buffer,
    /// Per chunk of a tile of several chunks: colour and transmittance per pixel.
    partials: wgpu::Buffer,
    /// Per chunk, a bit per pixel its tile's chunks up to it stopped (cleared
    /// every frame; shaders/tile_raster.wgsl).
    pub chunk_stopped: wgpu::Buffer,
    /// Bind groups by the parity of the depth sort's passes: the binning
    /// kernels', and the large-splat kernels' (the list read-only).
    pub(super) bin_groups: [wgpu::BindGroup; 2],
    pub(super) bin_large_groups: [wgpu::BindGroup; 2],
    pub(super) offsets_group: wgpu::BindGroup,
    /// By the parity of the tile sort's passes.
    pub(super) ranges_groups: [wgpu::BindGroup; 2],
    pub(super) raster_groups: [wgpu::BindGroup; 2],
    pub(super) chunks_group: wgpu::BindGroup,
    pub(super) merge_group: wgpu::BindGroup,
    pub(super) capacity: u32,
    /// The most pairs the adapter's binding limit allows.
    max_capacity: u32,
    /// Pairs a past frame needed (see [`TileBuffers::request_pairs`]).
    pub(super) wanted_pairs: u32,
    /// Pixels per tile side (one of `super::TILE_SIZES`).
    pub(super) side: u32,
    max_tiles: u32,
    /// The chunk size these buffers were made for, and the one they use (larger
    /// where the partial results would not fit in one binding).
    requested_chunk_pairs: u32,
    pub(super) chunk_pairs: u32,
    pub(super) max_chunks: u32,
    /// The working buffers (scene, sort path) the bind groups point into.
    working_key: (u64, crate::render::sort::SortPath),
}

impl TileBuffers {
    /// Pair buffers for a view's `working` buffers and `tiles` tiles, with chunks
    /// of at most `chunk_pairs` pairs (raised where the partial results would not
    /// fit in one binding).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn new(
        rasterizer: &TileRasterizer,
        device: &wgpu::Device,
        sorter: &RadixSorter,
        working: &SplatWorking,
        tiles: u32,
        side: u32,
        wanted_pairs: u32,
        chunk_pairs: u32,
    ) -> Result<Self, GpuError> {
        let partial_bytes = partial_bytes_per_chunk(side);
        let requested_chunk_pairs = chunk_pairs;
        let binding_limit = device
            .limits()
            .max_storage_buffer_binding_size
            .min(device.limits().max_buffer_size);
        let max_capacity = (binding_limit / 4).min(u64::from(u32::MAX / 2));
        // A quarter more than a past frame needed, so a moving camera rarely
        // regrows them.
        let capacity = (u64::from(working.capacity) * PAIRS_PER_SPLAT)
            .max(u64::from(wanted_pairs) * 5 / 4)
            .max(MIN_PAIRS)
            .min(max_capacity) as u32;
        if u64::from(tiles) * 8 > binding_limit {
            return Err(GpuError::SceneTooLarge {
                what: "tile ranges",
                needed: u64::from(tiles) * 8,
                limit: binding_limit,
            });
        }
        // Every tile takes a chunk, and each further chunk holds chunk_pairs pairs.
        let max_slots = (binding_limit / partial_bytes).saturating_sub(u64::from(tiles));
        if max_slots == 0 {
            return Err(GpuError::SceneTooLarge {
                what: "tile partial results",
                needed: (u64::from(tiles) + 1) * partial_bytes,
                limit: binding_limit,
            });
        }
        let chunk_pairs = u64::from(chunk_pairs.clamp(1, super::UNSPLIT_CHUNK_PAIRS))
            .max(u64::from(capacity).div_ceil(max_slots));
        let max_chunks = u64::from(tiles) + u64::from(capacity).div_ceil(chunk_pairs);
        let make =
            |label: &str, size: u64, usage: wgpu::BufferUsages| buffer(device, label, size, usage);
        let storage = wgpu::BufferUsages::STORAGE;
        let splat_blocks = working.capacity.div_ceil(256).max(1);
        let params = UniformBuffer::new(device, "tile params", &bytemuck::Zeroable::zeroed());
        let block_sums = make("tile block sums", u64::from(splat_blocks) * 4, storage);
        let slot_words = make(
            "tile count per splat",
            u64::from(working.capacity.max(1)) * 4,
            storage,
        );
        let large_list = make(
            "tile large splats",
            LARGE_HEAD_BYTES + LARGE_CAPACITY.min(u64::from(working.capacity)) * 4,
            storage | wgpu::BufferUsages::INDIRECT | wgpu::BufferUsages::COPY_DST,
        );
        let state = make(
            "tile state",
            STATE_HEAD_BYTES + u64::from(working.quad_batches) * QUAD_BATCH_ARGS_BYTES,
            storage | wgpu::BufferUsages::INDIRECT | wgpu::BufferUsages::COPY_SRC,
        );
        let ranges = make(
            "tile ranges",
            u64::from(tiles) * 8,
            storage | wgpu::BufferUsages::COPY_DST | wgpu::BufferUsages::COPY_SRC,
        );
        let chunk_base = make("tile chunk base", u64::from(tiles) * 4, storage);
        let chunk_tiles = make("tile of each chunk", max_chunks * 4, storage);
        let chunk_stopped = make(
            "tile chunk stopped pixels",
            max_chunks * stopped_bytes_per_chunk(side),
            storage | wgpu::BufferUsages::COPY_DST | wgpu::BufferUsages::COPY_SRC,
        );
        let partials = make("tile partial results", max_chunks * partial_bytes, storage);
        // Readable, as the depth sort's are: tests compare the binned pairs.
        let pairs = sorter.create_buffers(device, capacity, wgpu::BufferUsages::COPY_SRC);
        let bin_group_with = |layout: &wgpu::BindGroupLayout, depth_result: usize| {
            bind_group(
                device,
                "tile bin",
                layout,
                &[
                    working.uniforms.binding(),
                    params.binding(),
                    working.projected.as_entire_binding(),
                    working.sort.values[depth_result].as_entire_binding(),
                    working.draw_args.as_entire_binding(),
                    block_sums.as_entire_binding(),
                    pairs.keys[0].as_entire_binding(),
                    pairs.values[0].as_entire_binding(),
                    slot_words.as_entire_binding(),
                    large_list.as_entire_binding(),
                ],
            )
        };
        let bin_groups = [0, 1].map(|result| bin_group_with(&rasterizer.layouts.bin, result));
        let bin_large_groups =
            [0, 1].map(|result| bin_group_with(&rasterizer.layouts.bin_large, result));
        let offsets_group = bind_group(
            device,
            "tile offsets",
            &rasterizer.layouts.offsets,
            &[
                params.binding(),
                block_sums.as_entire_binding(),
                state.as_entire_binding(),
                pairs.params().as_entire_binding(),
                pairs.dispatch_args.as_entire_binding(),
                working.draw_args.as_entire_binding(),
            ],
        );
        let ranges_groups = [0, 1].map(|tile_result| {
            bind_group(
                device,
                "tile ranges",
                &rasterizer.layouts.ranges,
                &[
                    params.binding(),
                    state.as_entire_binding(),
                    pairs.keys[tile_result].as_entire_binding(),
                    ranges.as_entire_binding(),
                ],
            )
        });
        let raster_groups = [0, 1].map(|tile_result| {
            bind_group(
                device,
                "tile raster",
                &rasterizer.layouts.raster,
                &[
                    working.uniforms.binding(),
                    params.binding(),
                    working.projected.as_entire_binding(),
                    pairs.values[tile_result].as_entire_binding(),
                    ranges.as_entire_binding(),
                    chunk_base.as_entire_binding(),
                    chunk_tiles.as_entire_binding(),
                    state.as_entire_binding(),
                    partials.as_entire_binding(),
                    working.splat_depths.as_entire_binding(),
                    chunk_stopped.as_entire_binding(),
                ],
            )
        });
        let chunks_group = bind_group(
            device,
            "tile chunks",
            &rasterizer.layouts.chunks,
            &[
                params.binding(),
                ranges.as_entire_binding(),
                chunk_base.as_entire_binding(),
                chunk_tiles.as_entire_binding(),
                state.as_entire_binding(),
            ],
        );
        let merge_group = bind_group(
            device,
            "tile merge",
            &rasterizer.layouts.merge,
            &[
                working.uniforms.binding(),
                params.binding(),
                ranges.as_entire_binding(),
                chunk_base.as_entire_binding(),
                partials.as_entire_binding(),
            ],
        );
        Ok(Self {
            params,
            block_sums,
            slot_words,
            large_list,
            state,
            ranges,
            pairs,
            bin_groups,
            bin_large_groups,
            offsets_group,
            ranges_groups,
            raster_groups,
            chunk_base,
            chunk_tiles,
            partials,
            chunk_stopped,
            chunks_group,
            merge_group,
            capacity,
            max_capacity: max_capacity as u32,
            requested_chunk_pairs,
            chunk_pairs: chunk_pairs as u32,
            max_chunks: max_chunks as u32,
            wanted_pairs,
            side,
            max_tiles: tiles,
            working_key: working.key,
        })
    }

    /// Most (tile, splat) pairs a frame can hold.
    pub fn capacity(&self) -> u32 {
        self.capacity
    }

    /// A frame needed `pairs` pairs (read back from [`Self::state`]: word 0): the
    /// next frame grows the buffers if they hold fewer (up to the adapter's limit).
    pub fn request_pairs(&mut self, pairs: u32) {
        self.wanted_pairs = self.wanted_pairs.max(pairs);
    }

    /// Whether a frame needing `pairs` pairs had to drop some.
    pub fn overflows(&self, pairs: u32) -> bool {
        pairs > self.capacity
    }

    /// Pixels per tile side these buffers bin into.
    pub fn tile_side(&self) -> u32 {
        self.side
    }

    /// Most pairs one workgroup blends with these buffers.
    pub fn chunk_pairs(&self) -> u32 {
        self.chunk_pairs
    }

    /// Bytes of GPU memory these buffers hold.
    pub fn size_bytes(&self) -> u64 {
        self.block_sums.size()
            + self.slot_words.size()
            + self.large_list.size()
            + self.state.size()
            + self.ranges.size()
            + self.chunk_base.size()
            + self.chunk_tiles.size()
            + self.partials.size()
            + self.chunk_stopped.size()
            + self.pairs.size_bytes()
    }

    /// Whether these buffers serve `working` (the same scene and sort path) and a
    /// view of `tiles` tiles with chunks of `chunk_pairs`, without dropping pairs a past frame needed (where the
    /// adapter allows more).
    pub(super) fn fits(&self, working: &SplatWorking, tiles: u32, chunk_pairs: u32) -> bool {
        self.working_key == working.key
            && self.max_tiles >= tiles
            && self.requested_chunk_pairs == chunk_pairs
            && (self.wanted_pairs <= self.capacity || self.capacity >= self.max_capacity)
    }
}
