// What binning needs of a splat, shared by tile_bin.wgsl and
// tile_bin_large.wgsl: its tile rectangle, and which of its tiles its oriented
// rectangle touches.

#include "common/frame.wgsl"
#include "common/splat_axes.wgsl"
#include "common/analytic.wgsl"
#include "common/tile_params.wgsl"

// Tiles [x0, x1) x [y0, y1) holding the centres of the pixels inside the splat's
// box (the same pixels the quad of splat_draw.wgsl covers at most).
fn tile_rect(center: vec2<f32>, extent: vec2<f32>, viewport: vec2<f32>) -> vec4<u32> {
    let first = max(ceil(center - extent - 0.5), vec2<f32>(0.0));
    let last = min(floor(center + extent - 0.5), viewport - 1.0);
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

// `frame`: the view's uniforms (viewport, anti-aliasing mode).
fn bin_splat(splat: ProjectedSplat, frame: FrameUniforms) -> BinSplat {
    let center = splat.center_conic_ab.xy;
    if frame.aa_mode == AA_ANALYTIC {
        let s = analytic_splat(splat);
        let rect = tile_rect(center, analytic_bbox_half(s), frame.viewport);
        return BinSplat(rect, center, analytic_rect_normals(s));
    }
    let conic = vec3<f32>(splat.center_conic_ab.zw, bitcast<f32>(splat.packed.x));
    let opacity = unpack2x16float(splat.packed.z).y;
    let extent = unpack2x16float(splat.packed.w);
    return BinSplat(tile_rect(center, extent, frame.viewport), center, splat_rect_normals(conic, opacity));
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

// Tiles in the splat's tile rectangle (touched or not).
fn rect_tiles(s: BinSplat) -> u32 {
    return (s.rect.z - s.rect.x) * (s.rect.w - s.rect.y);
}

// Whether the splat is binned by a whole workgroup (tile_bin_large.wgsl).
fn is_large(s: BinSplat, tiles: TileParams) -> bool {
    return rect_tiles(s) > tiles.spread_min_tiles;
}

// Words of the large-splat list before its entries: the indirect dispatch of
// the large-splat kernels (x: entries, y, z: 1), then every splat appended
// (those past LARGE_CAPACITY are binned alone).
const LARGE_HEAD_WORDS: u32 = 4u;
// Most entries of the list: the most workgroups one dispatch dimension takes.
// Keep in sync with LARGE_CAPACITY in src/render/tile/buffers.rs.
const LARGE_CAPACITY: u32 = 65535u;
// Flag of a slot word (`slot_words`) whose splat is in the large list.
const LARGE_FLAG: u32 = 0x80000000u;
