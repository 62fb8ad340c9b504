// Radix sort, kernel 1 of 3 per pass, subgroup path: per-block digit histograms.
// Same output as sort_histogram.wgsl (see there for the whole algorithm). Each
// subgroup finds the invocations sharing a digit with ballots, and only the lowest
// of them adds their count, so equal digits cost one workgroup atomic per subgroup
// instead of one per key. Which invocation reads which key does not matter here.

#include "common/sort_params.wgsl"
#include "common/subgroup_digits.wgsl"

@group(0) @binding(0) var<uniform> params: SortParams;
@group(0) @binding(1) var<storage, read> keys_in: array<u32>;
@group(0) @binding(5) var<storage, read_write> block_hist: array<u32>;
@group(0) @binding(6) var<storage, read_write> digit_totals: array<atomic<u32>>;

var<workgroup> local_hist: array<atomic<u32>, SORT_RADIX>;

@compute @workgroup_size(256)
fn histogram(
    @builtin(local_invocation_index) lid: u32,
    @builtin(workgroup_id) block_id: vec3<u32>,
    @builtin(subgroup_invocation_id) sid: u32,
) {
    atomicStore(&local_hist[lid], 0u);
    workgroupBarrier();
    let block = block_id.x;
    let block_start = block * SORT_BLOCK_SIZE;
    let below = lanes_below(sid);
    for (var row = 0u; row < SORT_ROWS_PER_BLOCK; row++) {
        let row_start = block_start + row * SORT_WORKGROUP_SIZE;
        if row_start >= params.num_keys {
            break;
        }
        let i = row_start + lid;
        let valid = i < params.num_keys;
        var key = 0u;
        if valid {
            key = keys_in[i];
        }
        let digit = (key >> params.shift) & 0xffu;
        let peers = subgroup_digit_peers(digit, valid);
        if valid && count_bits4(peers & below) == 0u {
            atomicAdd(&local_hist[digit], count_bits4(peers));
        }
    }
    workgroupBarrier();
    let count = atomicLoad(&local_hist[lid]);
    block_hist[lid * params.num_blocks + block] = count;
    if count != 0u {
        atomicAdd(&digit_totals[params.pass_index * SORT_RADIX + lid], count);
    }
}
