// Compute rasterizer, raster pass kernel 4: one workgroup per tile whose pairs
// were split into several chunks (tile_chunks.wgsl) composites the chunks'
// partial results front to back: colour += transmittance * chunk colour,
// transmittance *= chunk transmittance. Blending is associative, so this equals
// blending the whole list in one go, except that a chunk cannot know the
// transmittance of the chunks in front of it: where the reference stops a pixel
// (transmittance below 1e-4) because of earlier chunks, the chunks behind still
// add what they see, scaled by that transmittance, at most 1e-4 of the pixel
// value. A pixel that stopped within one chunk (its transmittance stored
// negated) ends at that chunk: the reference ends it there or before, and the
// chunks behind may have skipped it. Tiles with one chunk
// were written by tile_raster.wgsl. `output` is the accumulation texture or,
// with the compose pass folded in, the view's 8-bit output (as in
// tile_raster.wgsl).

#include "common/frame.wgsl"
#include "common/tile_params.wgsl"

@group(0) @binding(0) var<uniform> frame: FrameUniforms;
@group(0) @binding(1) var<uniform> tiles: TileParams;
@group(0) @binding(2) var<storage, read> ranges: array<u32>;
@group(0) @binding(3) var<storage, read> chunk_base: array<u32>;
// Per chunk and pixel: (colour rg, colour b and transmittance) as f16 pairs.
@group(0) @binding(4) var<storage, read> partials: array<vec2<u32>>;
@group(1) @binding(0) var output: texture_storage_2d<rgba16float, write>;

const MIN_TRANSMITTANCE: f32 = 1e-4;

@compute @workgroup_size(TILE_SIZE, TILE_SIZE)
fn tile_merge(
    @builtin(local_invocation_id) local: vec3<u32>,
    @builtin(local_invocation_index) lid: u32,
    @builtin(workgroup_id) group: vec3<u32>,
) {
    let tile = group.x + group.y * tiles.tiles_x;
    let first = ranges[2u * tile];
    let end = max(ranges[2u * tile + 1u], first);
    let chunks = tile_chunk_count(end - first, tiles.chunk_pairs);
    let pixel = group.xy * TILE_SIZE + local.xy;
    let inside = f32(pixel.x) < frame.viewport.x && f32(pixel.y) < frame.viewport.y;
    if chunks < 2u || !inside {
        return;
    }
    let base = chunk_base[tile];
    let last = min(base + chunks, tiles.max_chunks);
    var color = vec3<f32>(0.0);
    var transmittance = 1.0;
    for (var chunk = base; chunk < last; chunk++) {
        let partial = partials[chunk * TILE_PIXELS + lid];
        let rg = unpack2x16float(partial.x);
        let b_t = unpack2x16float(partial.y);
        color += transmittance * vec3<f32>(rg, b_t.x);
        transmittance *= abs(b_t.y);
        // Negative: the pixel stopped in this chunk, which the chunks behind
        // may then have skipped.
        if b_t.y < 0.0 || transmittance < MIN_TRANSMITTANCE {
            break;
        }
    }
    textureStore(output, pixel, tile_output_value(color, transmittance, tiles));
}
