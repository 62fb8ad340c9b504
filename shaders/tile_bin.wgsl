// Compute rasterizer, binning (kernels 1 and 3 of the bin pass; tile_offsets.wgsl
// is kernel 2). The design follows the tile-based rasterizer of the 3DGS
// reference (Kerbl et al. 2023): every visible splat is paired with each tile
// (TILE_SIZE x TILE_SIZE pixels: 8x8, or the reference's 16x16, chosen per view) its
// box touches; the pairs are sorted by tile and each tile blends its
// list in a workgroup (tile_raster.wgsl). Unlike the reference, which sorts
// 64-bit (tile, depth) keys, the pairs are emitted in the depth order the splat
// sort already produced, so a stable sort by tile id alone (2 passes of 8 bits up
// to 65,536 tiles) keeps each tile's list ordered by depth.
//
// A splat is paired with the tiles of its box that its oriented rectangle touches
// (elongated diagonal splats skip most of their box). In the analytic mode the
// rectangle is the one in the splat's eigenbasis the project pass wrote
// (common/analytic.wgsl), the same the quads cover.
// `tile_count` (one invocation per depth-sorted visible splat): counts its
//   splat's tiles into `slot_words` and sums each workgroup's into block_sums.
//   A large splat (more than `tiles.spread_min_tiles` tiles in its rectangle) is
//   instead appended to the large list, whose kernels (tile_bin_large.wgsl)
//   count and emit its tiles with a whole workgroup: one invocation looping over
//   a thousand tiles would hold up the rest of its workgroup (on a GPU) the
//   whole time.
// `tile_emit`: scans the slot counts inside the workgroup and writes (tile id,
//   splat index) pairs from the workgroup's offset on (computed by
//   tile_offsets.wgsl); for a large splat it leaves its first pair in its slot
//   word. Pairs past the capacity are dropped.

#include "common/frame.wgsl"
#include "common/splat_axes.wgsl"
#include "common/analytic.wgsl"
#include "common/tile_params.wgsl"
#include "common/workgroup_scan.wgsl"
#include "common/tile_binning.wgsl"

@group(0) @binding(0) var<uniform> frame: FrameUniforms;
@group(0) @binding(1) var<uniform> tiles: TileParams;
@group(0) @binding(2) var<storage, read> projected: array<ProjectedSplat>;
// Visible splat indices sorted back to front (the depth sort's output).
@group(0) @binding(3) var<storage, read> sorted_indices: array<u32>;
// The depth path's indirect draw arguments: [1] is the visible count.
@group(0) @binding(4) var<storage, read> draw_args: array<u32>;
// Per workgroup: pair count (tile_count), then pair offset (tile_offsets).
@group(0) @binding(5) var<storage, read_write> block_sums: array<u32>;
@group(0) @binding(6) var<storage, read_write> tile_keys: array<u32>;
@group(0) @binding(7) var<storage, read_write> tile_values: array<u32>;
// Per slot: its tile count; LARGE_FLAG | count for a listed large splat, whose
// word tile_emit replaces with its first pair.
@group(0) @binding(8) var<storage, read_write> slot_words: array<u32>;
// The large-splat list (common/tile_binning.wgsl): head, then slots.
@group(0) @binding(9) var<storage, read_write> large_list: array<atomic<u32>>;

fn block_index(group_id: vec3<u32>, num_groups: vec3<u32>) -> u32 {
    return group_id.x + group_id.y * num_groups.x;
}

@compute @workgroup_size(256)
fn tile_count(
    @builtin(local_invocation_index) lid: u32,
    @builtin(workgroup_id) group_id: vec3<u32>,
    @builtin(num_workgroups) num_groups: vec3<u32>,
) {
    let block = block_index(group_id, num_groups);
    let slot = block * 256u + lid;
    var count = 0u;
    if slot < draw_args[1] {
        let s = bin_splat(projected[sorted_indices[slot]], frame);
        var listed = false;
        if is_large(s, tiles) {
            let place = atomicAdd(&large_list[3], 1u);
            if place < LARGE_CAPACITY {
                atomicStore(&large_list[LARGE_HEAD_WORDS + place], slot);
                atomicMax(&large_list[0], place + 1u);
                listed = true;
            }
        }
        if listed {
            // Counted by tile_count_large, which adds it to this block's sum.
            slot_words[slot] = LARGE_FLAG;
        } else {
            count = touched_tiles(s);
            slot_words[slot] = count;
        }
    }
    if block == 0u && lid == 0u {
        atomicStore(&large_list[1], 1u);
        atomicStore(&large_list[2], 1u);
    }
    let sums = workgroup_exclusive_scan(lid, count);
    if lid == 0u && block < tiles.splat_blocks {
        block_sums[block] = sums.y;
    }
}

@compute @workgroup_size(256)
fn tile_emit(
    @builtin(local_invocation_index) lid: u32,
    @builtin(workgroup_id) group_id: vec3<u32>,
    @builtin(num_workgroups) num_groups: vec3<u32>,
) {
    let block = block_index(group_id, num_groups);
    let slot = block * 256u + lid;
    let in_view = slot < draw_args[1];
    var word = 0u;
    if in_view {
        word = slot_words[slot];
    }
    let sums = workgroup_exclusive_scan(lid, word & ~LARGE_FLAG);
    if block >= tiles.splat_blocks || !in_view {
        return;
    }
    var out = block_sums[block] + sums.x;
    if (word & LARGE_FLAG) != 0u {
        slot_words[slot] = out;
        return;
    }
    let index = sorted_indices[slot];
    let s = bin_splat(projected[index], frame);
    for (var y = s.rect.y; y < s.rect.w; y++) {
        for (var x = s.rect.x; x < s.rect.z; x++) {
            if !tile_touches(s, x, y) {
                continue;
            }
            if out >= tiles.capacity {
                return;
            }
            tile_keys[out] = y * tiles.tiles_x + x;
            tile_values[out] = index;
            out++;
        }
    }
}
