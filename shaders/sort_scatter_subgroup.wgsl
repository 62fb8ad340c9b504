// Radix sort, kernel 3 of 3 per pass, subgroup path: stable scatter. Same result
// as sort_scatter.wgsl; see sort_histogram.wgsl for the whole algorithm.
//
// Stability needs a fixed order of the keys of a row across subgroups, and WGSL
// says nothing about how local invocations are grouped into subgroups. So each
// subgroup claims its slots with one atomicAdd on a packed (ordinal << 16 | slots)
// counter: it gets a contiguous range of row slots and an ordinal, both in the same
// order, whatever order the subgroups arrive in. Inside a subgroup, the lane with
// the k-th lowest subgroup_invocation_id takes the k-th slot, so "lanes below" in a
// ballot are exactly the keys before it. Per row:
//   1. ballots find the lanes with the same digit; the lowest of them adds the
//      subgroup's count for the digit to subgroup_counts[ordinal][digit];
//   2. one invocation per digit pair turns that column into exclusive offsets over
//      the subgroups, in ordinal order;
//   3. each key goes to digit offset + earlier subgroups' count + rank in subgroup.
// No lockstep execution and no waiting between workgroups is assumed.

#include "common/sort_params.wgsl"
#include "common/subgroup_digits.wgsl"

@group(0) @binding(0) var<uniform> params: SortParams;
@group(0) @binding(1) var<storage, read> keys_in: array<u32>;
@group(0) @binding(2) var<storage, read> values_in: array<u32>;
@group(0) @binding(3) var<storage, read_write> keys_out: array<u32>;
@group(0) @binding(4) var<storage, read_write> values_out: array<u32>;
@group(0) @binding(5) var<storage, read_write> block_hist: array<u32>;

// 256 invocations in subgroups of at least 8. Keep in sync with
// SUBGROUP_MIN_SIZE in src/render/sort/mod.rs.
const MAX_SUBGROUPS: u32 = 32u;
const DIGIT_PAIRS: u32 = 128u;

// subgroup_counts[ordinal * 128 + digit / 2]: two 16-bit counts per word (low half
// even digits), at most 256 each, so packed sums never carry between halves.
var<workgroup> subgroup_counts: array<atomic<u32>, 4096>;
var<workgroup> row_totals: array<u32, DIGIT_PAIRS>;
// Next free output slot per digit for this block.
var<workgroup> digit_offsets: array<u32, SORT_RADIX>;
var<workgroup> subgroup_claims: atomic<u32>;

@compute @workgroup_size(256)
fn scatter(
    @builtin(local_invocation_index) lid: u32,
    @builtin(workgroup_id) block_id: vec3<u32>,
    @builtin(subgroup_invocation_id) sid: u32,
) {
    let block = block_id.x;
    digit_offsets[lid] = block_hist[lid * params.num_blocks + block];
    for (var i = lid; i < MAX_SUBGROUPS * DIGIT_PAIRS; i += SORT_WORKGROUP_SIZE) {
        atomicStore(&subgroup_counts[i], 0u);
    }
    if lid == 0u {
        atomicStore(&subgroup_claims, 0u);
    }
    workgroupBarrier();

    let active_lanes = subgroupAdd(1u);
    let lane = subgroupExclusiveAdd(1u);
    var claim = 0u;
    if lane == 0u {
        claim = atomicAdd(&subgroup_claims, (1u << 16u) | active_lanes);
    }
    claim = subgroupBroadcastFirst(claim);
    let ordinal = min(claim >> 16u, MAX_SUBGROUPS - 1u);
    let slot = (claim & 0xffffu) + lane;
    let below = lanes_below(sid);
    workgroupBarrier();
    let num_subgroups = min(atomicLoad(&subgroup_claims) >> 16u, MAX_SUBGROUPS);

    let block_start = block * SORT_BLOCK_SIZE;
    for (var row = 0u; row < SORT_ROWS_PER_BLOCK; row++) {
        let row_start = block_start + row * SORT_WORKGROUP_SIZE;
        if row_start >= params.num_keys {
            break;
        }
        let i = row_start + slot;
        let valid = i < params.num_keys;
        var key = 0u;
        if valid {
            key = keys_in[i];
        }
        let digit = (key >> params.shift) & 0xffu;
        let half_shift = (digit & 1u) * 16u;
        let pair = digit >> 1u;
        let peers = subgroup_digit_peers(digit, valid);
        let rank = count_bits4(peers & below);
        if valid && rank == 0u {
            atomicAdd(&subgroup_counts[ordinal * DIGIT_PAIRS + pair], count_bits4(peers) << half_shift);
        }
        workgroupBarrier();

        if lid < DIGIT_PAIRS {
            var running = 0u;
            for (var o = 0u; o < num_subgroups; o++) {
                let count = atomicLoad(&subgroup_counts[o * DIGIT_PAIRS + lid]);
                atomicStore(&subgroup_counts[o * DIGIT_PAIRS + lid], running);
                running += count;
            }
            row_totals[lid] = running;
        }
        workgroupBarrier();

        if valid {
            let before = (atomicLoad(&subgroup_counts[ordinal * DIGIT_PAIRS + pair]) >> half_shift) & 0xffffu;
            let dst = digit_offsets[digit] + before + rank;
            keys_out[dst] = key;
            values_out[dst] = values_in[i];
        }
        workgroupBarrier();

        if lid < DIGIT_PAIRS {
            digit_offsets[2u * lid] += row_totals[lid] & 0xffffu;
            digit_offsets[2u * lid + 1u] += row_totals[lid] >> 16u;
            for (var o = 0u; o < num_subgroups; o++) {
                atomicStore(&subgroup_counts[o * DIGIT_PAIRS + lid], 0u);
            }
        }
        workgroupBarrier();
    }
}
