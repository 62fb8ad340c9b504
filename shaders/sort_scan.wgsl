// Radix sort, kernel 2 of 3 per pass: exclusive scan of the block histograms.
// Workgroup `d` scans row `d` of block_hist (one entry per block) and adds the
// number of keys whose digit is smaller than `d`. See sort_histogram.wgsl.

#include "common/sort_params.wgsl"

@group(0) @binding(0) var<uniform> params: SortParams;
@group(0) @binding(5) var<storage, read_write> block_hist: array<u32>;
@group(0) @binding(6) var<storage, read_write> digit_totals: array<atomic<u32>>;

var<workgroup> scan_buffer: array<u32, SORT_WORKGROUP_SIZE>;
var<workgroup> digit_base: u32;

// Exclusive prefix sum over the workgroup (Hillis-Steele). Returns the exclusive sum
// for this invocation and the workgroup total. Must be called in uniform control flow.
fn workgroup_exclusive_scan(lid: u32, value: u32) -> vec2<u32> {
    scan_buffer[lid] = value;
    workgroupBarrier();
    for (var offset = 1u; offset < SORT_WORKGROUP_SIZE; offset <<= 1u) {
        var add = 0u;
        if lid >= offset {
            add = scan_buffer[lid - offset];
        }
        workgroupBarrier();
        scan_buffer[lid] += add;
        workgroupBarrier();
    }
    let inclusive = scan_buffer[lid];
    let total = scan_buffer[SORT_WORKGROUP_SIZE - 1u];
    workgroupBarrier();
    return vec2<u32>(inclusive - value, total);
}

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
