// Radix sort, kernel 1 of 3 per 8-bit pass: per-block digit histograms.
//
// How the sort works (a classic "reduce-then-scan" LSD radix sort, as in
// Merrill & Grimshaw 2011 and Satish et al. 2009, chosen because it needs no
// forward progress between workgroups and no lockstep subgroups):
//   histogram: each workgroup counts the digits of its block of 4096 keys and
//              writes the counts digit-major: block_hist[digit * num_blocks + block];
//              it also adds them to the pass's global digit totals;
//   scan:      one workgroup per digit turns its row into exclusive offsets,
//              starting at the number of keys with a smaller digit;
//   scatter:   each workgroup re-reads its block in order and writes every key to
//              its offset plus its stable rank among equal digits before it.
// Every step only reads what an earlier dispatch wrote, so the result is the same
// on any conformant adapter, and the sort is stable (equal keys keep their order).

#include "common/sort_params.wgsl"

@group(0) @binding(0) var<uniform> params: SortParams;
@group(0) @binding(1) var<storage, read> keys_in: array<u32>;
@group(0) @binding(5) var<storage, read_write> block_hist: array<u32>;
@group(0) @binding(6) var<storage, read_write> digit_totals: array<atomic<u32>>;

var<workgroup> local_hist: array<atomic<u32>, SORT_RADIX>;

@compute @workgroup_size(256)
fn histogram(
    @builtin(local_invocation_index) lid: u32,
    @builtin(workgroup_id) block_id: vec3<u32>,
) {
    atomicStore(&local_hist[lid], 0u);
    workgroupBarrier();
    let block = block_id.x;
    let block_start = block * SORT_BLOCK_SIZE;
    for (var row = 0u; row < SORT_ROWS_PER_BLOCK; row++) {
        let i = block_start + row * SORT_WORKGROUP_SIZE + lid;
        if i < params.num_keys {
            let digit = (keys_in[i] >> params.shift) & 0xffu;
            atomicAdd(&local_hist[digit], 1u);
        }
    }
    workgroupBarrier();
    let count = atomicLoad(&local_hist[lid]);
    block_hist[lid * params.num_blocks + block] = count;
    if count != 0u {
        atomicAdd(&digit_totals[params.pass_index * SORT_RADIX + lid], count);
    }
}
