// Compute rasterizer, binning of large splats: one workgroup per splat of the
// large list that tile_count.wgsl filled (splats whose tile rectangle holds more
// than `tiles.spread_min_tiles` tiles). Its 256 invocations test the rectangle's
// tiles together, 256 at a time, where tile_bin.wgsl has one invocation loop
// over all of a splat's tiles; the pairs, and their order, are the same.
// `tile_count_large` (after tile_count): counts the touched tiles, leaves the
//   count in the splat's slot word and adds it to its block's sum, before
//   tile_offsets.wgsl turns the sums into offsets.
// `tile_emit_large` (after tile_emit, which left the splat's first pair in its
//   slot word): writes the pairs in row-major order of the tiles (a workgroup
//   scan per 256 tiles), as one invocation would.
// Both are dispatched indirectly, one workgroup per listed splat.

#include "common/frame.wgsl"
#include "common/splat_axes.wgsl"
#include "common/analytic.wgsl"
#include "common/tile_params.wgsl"
#include "common/workgroup_scan.wgsl"
#include "common/tile_binning.wgsl"

// The bindings of tile_bin.wgsl, with the words that several workgroups add to
// as atomics, and the list read-only: it is also these kernels' indirect
// dispatch (a layout of its own).
@group(0) @binding(0) var<uniform> frame: FrameUniforms;
@group(0) @binding(1) var<uniform> tiles: TileParams;
@group(0) @binding(2) var<storage, read> projected: array<ProjectedSplat>;
@group(0) @binding(3) var<storage, read> sorted_indices: array<u32>;
@group(0) @binding(4) var<storage, read> draw_args: array<u32>;
@group(0) @binding(5) var<storage, read_write> block_sums: array<atomic<u32>>;
@group(0) @binding(6) var<storage, read_write> tile_keys: array<u32>;
@group(0) @binding(7) var<storage, read_write> tile_values: array<u32>;
@group(0) @binding(8) var<storage, read_write> slot_words: array<u32>;
@group(0) @binding(9) var<storage, read> large_list: array<u32>;

var<workgroup> touched_total: atomic<u32>;
var<workgroup> area_shared: u32;

// Tile `t` (row-major) of the splat's tile rectangle.
fn rect_tile(s: BinSplat, t: u32) -> vec2<u32> {
    let width = s.rect.z - s.rect.x;
    return vec2<u32>(s.rect.x + t % width, s.rect.y + t / width);
}

// The slot of the workgroup's list entry (uniform: one entry per workgroup).
fn large_slot(group_id: vec3<u32>) -> u32 {
    return large_list[LARGE_HEAD_WORDS + group_id.x];
}

@compute @workgroup_size(256)
fn tile_count_large(
    @builtin(local_invocation_index) lid: u32,
    @builtin(workgroup_id) group_id: vec3<u32>,
) {
    if lid == 0u {
        atomicStore(&touched_total, 0u);
    }
    workgroupBarrier();
    let slot = large_slot(group_id);
    let s = bin_splat(projected[sorted_indices[slot]], frame);
    let area = rect_tiles(s);
    var touched = 0u;
    for (var t = lid; t < area; t += 256u) {
        let tile = rect_tile(s, t);
        touched += u32(tile_touches(s, tile.x, tile.y));
    }
    atomicAdd(&touched_total, touched);
    workgroupBarrier();
    if lid == 0u {
        let count = atomicLoad(&touched_total);
        slot_words[slot] = LARGE_FLAG | count;
        atomicAdd(&block_sums[slot / 256u], count);
    }
}

@compute @workgroup_size(256)
fn tile_emit_large(
    @builtin(local_invocation_index) lid: u32,
    @builtin(workgroup_id) group_id: vec3<u32>,
) {
    let slot = large_slot(group_id);
    let index = sorted_indices[slot];
    let s = bin_splat(projected[index], frame);
    // The same for every invocation; read through workgroup memory so that the
    // loop around the scan's barriers is uniform.
    if lid == 0u {
        area_shared = rect_tiles(s);
    }
    let area = workgroupUniformLoad(&area_shared);
    var out = slot_words[slot];
    for (var start = 0u; start < area; start += 256u) {
        let t = start + lid;
        var touched = false;
        var tile = vec2<u32>(0u);
        if t < area {
            tile = rect_tile(s, t);
            touched = tile_touches(s, tile.x, tile.y);
        }
        let scan = workgroup_exclusive_scan(lid, u32(touched));
        let at = out + scan.x;
        if touched && at < tiles.capacity {
            tile_keys[at] = tile.y * tiles.tiles_x + tile.x;
            tile_values[at] = index;
        }
        out += scan.y;
    }
}
