// Compute rasterizer, binning (kernels 1 and 3 of the bin pass; tile_offsets.wgsl
// is kernel 2). The design follows the tile-based rasterizer of the 3DGS
// reference (Kerbl et al. 2023): every visible splat is paired with each tile
// (TILE_SIZE x TILE_SIZE pixels, 8x8 here where the reference takes 16x16) its
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
// `tile_count` (one invocation per depth-sorted visible splat): sums the tile
//   counts of each workgroup into block_sums.
// `tile_emit`: recomputes the same counts, scans them inside the workgroup, and
//   writes (tile id, splat index) pairs from the workgroup's offset on (computed
//   by tile_offsets.wgsl). Pairs past the capacity are dropped.

#include "common/frame.wgsl"
#include "common/splat_axes.wgsl"
#include "common/analytic.wgsl"
#include "common/tile_params.wgsl"
#include "common/workgroup_scan.wgsl"

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

// Tiles [x0, x1) x [y0, y1) holding the centres of the pixels inside the splat's
// box (the same pixels the quad of splat_draw.wgsl covers at most).
fn tile_rect(center: vec2<f32>, extent: vec2<f32>) -> vec4<u32> {
    let first = max(ceil(center - extent - 0.5), vec2<f32>(0.0));
    let last = min(floor(center + extent - 0.5), frame.viewport - 1.0);
    if any(last < first) {
        return vec4<u32>(0u);
    }
    return vec4<u32>(vec2<u32>(first) / TILE_SIZE, vec2<u32>(last) / TILE_SIZE + 1u);
}

// What binning needs of a splat: its tile rectangle, centre and rectangle normals.
struct BinSplat {
    rect: vec4<u32>,
    center: vec2<f32>,
    normals: vec4<f32>,
}

fn bin_splat(splat: ProjectedSplat) -> BinSplat {
    let center = splat.center_conic_ab.xy;
    if frame.aa_mode == AA_ANALYTIC {
        let s = analytic_splat(splat);
        return BinSplat(tile_rect(center, analytic_bbox_half(s)), center, analytic_rect_normals(s));
    }
    let conic = vec3<f32>(splat.center_conic_ab.zw, bitcast<f32>(splat.packed.x));
    let opacity = unpack2x16float(splat.packed.z).y;
    let extent = unpack2x16float(splat.packed.w);
    return BinSplat(tile_rect(center, extent), center, splat_rect_normals(conic, opacity));
}

// Whether tile (x, y) holds a pixel centre inside the splat's oriented rectangle
// (a separating-axis test along its two edge normals; the tile's own axes are
// covered by `rect`). Conservative by a hair, so no covered pixel is ever lost.
fn tile_touches(s: BinSplat, x: u32, y: u32) -> bool {
    let lo = vec2<f32>(vec2<u32>(x, y) * TILE_SIZE) + 0.5;
    let half_size = 0.5 * f32(TILE_SIZE - 1u);
    let d = lo + half_size - s.center;
    let reach1 = 1.0 + half_size * (abs(s.normals.x) + abs(s.normals.y)) + 1e-3;
    let reach2 = 1.0 + half_size * (abs(s.normals.z) + abs(s.normals.w)) + 1e-3;
    return abs(dot(d, s.normals.xy)) <= reach1 && abs(dot(d, s.normals.zw)) <= reach2;
}

// Tiles of the rectangle the splat touches.
fn touched_tiles(s: BinSplat) -> u32 {
    var count = 0u;
    for (var y = s.rect.y; y < s.rect.w; y++) {
        for (var x = s.rect.x; x < s.rect.z; x++) {
            count += u32(tile_touches(s, x, y));
        }
    }
    return count;
}

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
        count = touched_tiles(bin_splat(projected[sorted_indices[slot]]));
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
    var s = BinSplat(vec4<u32>(0u), vec2<f32>(0.0), vec4<f32>(0.0));
    var index = 0u;
    var count = 0u;
    if slot < draw_args[1] {
        index = sorted_indices[slot];
        s = bin_splat(projected[index]);
        count = touched_tiles(s);
    }
    let sums = workgroup_exclusive_scan(lid, count);
    if block >= tiles.splat_blocks {
        return;
    }
    var out = block_sums[block] + sums.x;
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
