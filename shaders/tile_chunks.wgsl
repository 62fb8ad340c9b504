// Compute rasterizer, raster pass kernel 2 (one workgroup): splits each tile's
// pairs into chunks of at most `chunk_pairs`, so that a tile holding many pairs
// (a dense or deep part of the view) is blended by several workgroups side by
// side instead of one long one that the whole frame waits for. Writes the first
// chunk of each tile, the tile of each chunk, and the chunk count and indirect
// dispatch size of tile_raster.wgsl. Every tile gets at least one chunk.
//
// Each invocation takes a contiguous run of tiles: one scan in all, whatever the
// view size.

#include "common/tile_params.wgsl"
#include "common/workgroup_scan.wgsl"

@group(0) @binding(0) var<uniform> tiles: TileParams;
// Per tile: first pair, end of its pairs (tile_ranges.wgsl).
@group(0) @binding(1) var<storage, read> ranges: array<u32>;
// Per tile: index of its first chunk.
@group(0) @binding(2) var<storage, read_write> chunk_base: array<u32>;
// Per chunk: its tile.
@group(0) @binding(3) var<storage, read_write> chunk_tiles: array<u32>;
// [8] chunks; [12..14] workgroups of tile_raster (indirect dispatch).
@group(0) @binding(4) var<storage, read_write> tile_state: array<u32>;

const MAX_GROUPS_X: u32 = 65535u;

fn chunks_of_tile(tile: u32) -> u32 {
    let first = ranges[2u * tile];
    let end = max(ranges[2u * tile + 1u], first);
    return tile_chunk_count(end - first, tiles.chunk_pairs);
}

@compute @workgroup_size(256)
fn tile_chunks(@builtin(local_invocation_index) lid: u32) {
    let tile_count = tiles.tiles_x * tiles.tiles_y;
    let per_invocation = (tile_count + 255u) / 256u;
    let begin = min(lid * per_invocation, tile_count);
    let end = min(begin + per_invocation, tile_count);
    var sum = 0u;
    for (var tile = begin; tile < end; tile++) {
        sum += chunks_of_tile(tile);
    }
    let scanned = workgroup_exclusive_scan(lid, sum);
    var base = scanned.x;
    for (var tile = begin; tile < end; tile++) {
        let chunks = chunks_of_tile(tile);
        chunk_base[tile] = base;
        let last = min(base + chunks, tiles.max_chunks);
        for (var chunk = base; chunk < last; chunk++) {
            chunk_tiles[chunk] = tile;
        }
        base += chunks;
    }
    if lid == 0u {
        let chunks = min(scanned.y, tiles.max_chunks);
        tile_state[8] = chunks;
        let rows = max((chunks + MAX_GROUPS_X - 1u) / MAX_GROUPS_X, 1u);
        tile_state[12] = (chunks + rows - 1u) / rows;
        tile_state[13] = rows;
        tile_state[14] = 1u;
    }
}
