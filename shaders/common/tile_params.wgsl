// Parameters of the compute (tile) rasterizer for one frame.
// Keep in sync with `TileParams` in src/render/tile/mod.rs.

// Tiles are TILE_SIZE x TILE_SIZE pixels; one workgroup rasterizes one tile.
const TILE_SIZE: u32 = 16u;

struct TileParams {
    tiles_x: u32,
    tiles_y: u32,
    // Most (tile, splat) pairs the intersection buffers hold; more are dropped.
    capacity: u32,
    // ceil(splat slots / 256): workgroups of the binning kernels.
    splat_blocks: u32,
}
