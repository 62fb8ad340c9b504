// Parameters of the compute (tile) rasterizer for one frame.
// Keep in sync with `TileParams` in src/render/tile/mod.rs.

// Tiles are TILE_SIZE x TILE_SIZE pixels; one workgroup rasterizes one chunk of
// a tile's pairs (tile_chunks.wgsl), one invocation per pixel.
// 8 or 16: the kernels for 16x16 tiles are this text with the declaration
// below replaced (`TILE_SIZE_DECLARATION` in src/render/tile/mod.rs).
const TILE_SIZE: u32 = 8u;
const TILE_PIXELS: u32 = TILE_SIZE * TILE_SIZE;
// Words of a chunk's stopped-pixel mask (a bit per pixel).
const STOP_WORDS: u32 = TILE_PIXELS / 32u;

struct TileParams {
    tiles_x: u32,
    tiles_y: u32,
    // Most (tile, splat) pairs the intersection buffers hold; more are dropped.
    capacity: u32,
    // ceil(splat slots / 256): workgroups of the binning kernels.
    splat_blocks: u32,
    // Most pairs one workgroup blends: a tile with more is split into chunks,
    // blended side by side and merged (tile_merge.wgsl).
    chunk_pairs: u32,
    // Entries of the chunk list: tiles + ceil(capacity / chunk_pairs) or more.
    max_chunks: u32,
    // A splat whose tile rectangle holds more tiles than this is binned by a
    // whole workgroup (tile_bin_large.wgsl); u32 max: never.
    spread_min_tiles: u32,
    _pad: u32,
    // rgb: the background; a: 1 when the raster and merge kernels write the
    // view's output itself (the compose pass folded in: the colour over the
    // background, opaque), 0 when they write the accumulation texture
    // (premultiplied colour and alpha, composed after).
    background: vec4<f32>,
}

// What a pixel of `color` (premultiplied) and `transmittance` writes to the
// output texture (see `background`).
fn tile_output_value(color: vec3<f32>, transmittance: f32, params: TileParams) -> vec4<f32> {
    if params.background.a > 0.0 {
        let over = color + transmittance * params.background.rgb;
        return vec4<f32>(clamp(over, vec3<f32>(0.0), vec3<f32>(1.0)), 1.0);
    }
    return vec4<f32>(color, 1.0 - transmittance);
}

// Chunks of a tile holding `pairs` pairs: at least one, so every tile is written.
fn tile_chunk_count(pairs: u32, chunk_pairs: u32) -> u32 {
    return max(1u, (pairs + chunk_pairs - 1u) / chunk_pairs);
}
