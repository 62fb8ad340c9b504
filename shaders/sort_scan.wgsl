// Radix sort, kernel 2 of 3 per pass: exclusive scan of the block histograms.
// `scan`: workgroup `d` scans row `d` of block_hist (one entry per block) and adds
// the number of keys whose digit is smaller than `d`. See sort_histogram.wgsl.
// `scan_small`: one workgroup, invocation `d` walks row `d` serially; used on CPU
// adapters for buffers of at most SMALL_SCAN_MAX_BLOCKS_CPU blocks
// (src/render/sort/mod.rs), where 256 workgroups cost more in start-up and barriers.

#include "common/sort_params.wgsl"
#include "common/workgroup_scan.wgsl"

@group(0) @binding(0) var<uniform> params: SortParams;
@group(0) @binding(5) var<storage, read_write> block_hist: array<u32>;
@group(0) @binding(6) var<storage, read_write> digit_totals: array<atomic<u32>>;

var<workgroup> digit_base: u32;

@compute @workgroup_size(256)
fn scan(
    @builtin(local_invocation_index) lid: u32,
    @builtin(workgroup_id) group_id: vec3<u32>,
) {
    let digit = group_id.x;
    let totals = workgroup_exclusive_scan(lid, atomicLoad(&digit_totals[params.pass_index * SORT_RADIX + lid]));
    if lid == digit {
        digit_base = totals.x;
    }
    workgroupBarrier();
    var carry = digit_base;
    let row = digit * params.num_blocks;
    for (var start = 0u; start < params.num_blocks; start += SORT_WORKGROUP_SIZE) {
        let i = start + lid;
        var count = 0u;
        if i < params.num_blocks {
            count = block_hist[row + i];
        }
        let scanned = workgroup_exclusive_scan(lid, count);
        if i < params.num_blocks {
            block_hist[row + i] = carry + scanned.x;
        }
        carry += scanned.y;
    }
}

@compute @workgroup_size(256)
fn scan_small(@builtin(local_invocation_index) lid: u32) {
    let totals = workgroup_exclusive_scan(lid, atomicLoad(&digit_totals[params.pass_index * SORT_RADIX + lid]));
    var running = totals.x;
    let row = lid * params.num_blocks;
    for (var b = 0u; b < params.num_blocks; b++) {
        let count = block_hist[row + b];
        block_hist[row + b] = running;
        running += count;
    }
}
