// Compute rasterizer, raster pass kernel 1: the range of each tile's pairs in the
// sorted pair list. `ranges` is cleared to zero before, so tiles without pairs get
// the empty range [0, 0). See tile_bin.wgsl.

#include "common/tile_params.wgsl"

@group(0) @binding(0) var<uniform> tiles: TileParams;
// [1]: pairs stored (see tile_offsets.wgsl); also the indirect dispatch source.
@group(0) @binding(1) var<storage, read> tile_state: array<u32>;
@group(0) @binding(2) var<storage, read> sorted_keys: array<u32>;
// Per tile: first pair, end of its pairs.
@group(0) @binding(3) var<storage, read_write> ranges: array<u32>;

@compute @workgroup_size(256)
fn tile_ranges(
    @builtin(local_invocation_index) lid: u32,
    @builtin(workgroup_id) group_id: vec3<u32>,
    @builtin(num_workgroups) num_groups: vec3<u32>,
) {
    let i = (group_id.x + group_id.y * num_groups.x) * 256u + lid;
    let stored = tile_state[1];
    if i >= stored {
        return;
    }
    let tile = sorted_keys[i];
    if tile >= tiles.tiles_x * tiles.tiles_y {
        return;
    }
    if i == 0u || sorted_keys[i - 1u] != tile {
        ranges[2u * tile] = i;
    }
    if i + 1u == stored || sorted_keys[i + 1u] != tile {
        ranges[2u * tile + 1u] = i + 1u;
    }
}
