// Compute rasterizer, bin pass kernel 2 (one workgroup): exclusive scan of the
// per-workgroup pair counts into offsets (saturating, so a huge count cannot wrap
// around), then the parameters of the tile sort and of tile_ranges.wgsl, written by
// the GPU for itself (no read-back). See tile_bin.wgsl.
//
// When the pairs do not fit the buffers, the frame is not blended from the pairs
// that fit (that image would miss splats): no pair is kept, every tile blends to
// transparent, and the indirect quad draws from tile_state[20] on (one per quad
// batch, common/quad_batches.wgsl) draw every visible splat instead, so the frame
// is complete. tile_state[16..19] is an indirect draw of the compose pass's
// full-screen triangle with one instance then, none otherwise: a frame whose
// tiles write the output themselves composes those quads over it only when
// they drew. The view reads tile_state[0] back and grows the buffers for the
// next frame.

#include "common/sort_params.wgsl"
#include "common/tile_params.wgsl"
#include "common/workgroup_scan.wgsl"
#include "common/quad_batches.wgsl"

@group(0) @binding(0) var<uniform> tiles: TileParams;
@group(0) @binding(1) var<storage, read_write> block_sums: array<u32>;
// [0] pairs wanted (saturated at 2^31), [1] pairs stored, [4..7] workgroup counts
// of tile_ranges (indirect dispatch), [16..19] the fallback compose draw,
// [20..] the fallback quad draws.
@group(0) @binding(2) var<storage, read_write> tile_state: array<u32>;
// Four `SortParams`, 256 bytes (64 words) apart.
@group(0) @binding(3) var<storage, read_write> sort_params: array<u32>;
@group(0) @binding(4) var<storage, read_write> sort_dispatch: array<u32>;
// The depth path's indirect draw arguments: [1] is the visible count.
@group(0) @binding(5) var<storage, read> draw_args: array<u32>;

const PARAMS_STRIDE_WORDS: u32 = 64u;
const SATURATED: u32 = 0x80000000u;
const MAX_GROUPS_X: u32 = 65535u;

@compute @workgroup_size(256)
fn tile_offsets(@builtin(local_invocation_index) lid: u32) {
    var carry = 0u;
    for (var start = 0u; start < tiles.splat_blocks; start += 256u) {
        let i = start + lid;
        var count = 0u;
        if i < tiles.splat_blocks {
            count = block_sums[i];
        }
        let scanned = workgroup_exclusive_scan(lid, count);
        if i < tiles.splat_blocks {
            block_sums[i] = min(carry + scanned.x, SATURATED);
        }
        carry = min(carry + scanned.y, SATURATED);
    }
    if lid == 0u {
        let overflow = carry > tiles.capacity;
        let stored = select(carry, 0u, overflow);
        tile_state[0] = carry;
        tile_state[1] = stored;
        let num_blocks = (stored + SORT_BLOCK_SIZE - 1u) / SORT_BLOCK_SIZE;
        for (var sort_pass = 0u; sort_pass < 4u; sort_pass++) {
            let base = sort_pass * PARAMS_STRIDE_WORDS;
            sort_params[base] = stored;
            sort_params[base + 1u] = sort_pass * 8u;
            sort_params[base + 2u] = num_blocks;
            sort_params[base + 3u] = sort_pass;
        }
        sort_dispatch[0] = num_blocks;
        sort_dispatch[1] = 1u;
        sort_dispatch[2] = 1u;
        let range_groups = (stored + 255u) / 256u;
        let rows = max((range_groups + MAX_GROUPS_X - 1u) / MAX_GROUPS_X, 1u);
        tile_state[4] = (range_groups + rows - 1u) / rows;
        tile_state[5] = rows;
        tile_state[6] = 1u;
    }
    // `carry` is the same in every invocation: the records are written in parallel.
    let fallback = select(0u, draw_args[1], carry > tiles.capacity);
    let overflow = carry > tiles.capacity;
    if lid == 0u {
        tile_state[16] = 3u;
        tile_state[17] = select(0u, 1u, overflow);
        tile_state[18] = 0u;
        tile_state[19] = 0u;
    }
    for (var i = lid; i + 20u < arrayLength(&tile_state); i += 256u) {
        tile_state[20u + i] = quad_batch_word(i, fallback);
    }
}
