// Radix sort, kernel 3 of 3 per pass, subgroup path: stable scatter. Same result
// as sort_scatter.wgsl; see sort_histogram.wgsl for the whole algorithm.
//
// Each subgroup ranks its own contiguous chunk of the block, so the workgroup
// meets at a barrier only three times per block of 4096 keys (the portable kernel:
// three times per row of 256). This is the warp-level multi-split ranking of
// Onesweep (Adinets & Merrill 2022) without its decoupled look-back.
//
// Stability needs a fixed order of the subgroups, and WGSL says nothing about how
// local invocations are grouped into subgroups. So each subgroup claims its place
// with one atomicAdd on a packed (ordinal << 16 | lanes) counter: ordinals and
// chunks come out in the same order, whatever order the subgroups arrive in. A
// subgroup of s lanes owns keys [16 * base, 16 * (base + s)) of the block, read in 16
// steps of s keys; in each step the lane with the k-th lowest subgroup_invocation_id
// takes the k-th key, so "lanes below" in a ballot are the keys before it.
//   1. per step: ballots find the lanes with the same digit; the lowest of them adds
//      their number to subgroup_counts[ordinal][digit] (getting the count before,
//      which the others read with a shuffle); a key's rank is that count plus its
//      rank among its peers. A subgroup barrier orders the steps' atomics;
//   2. one invocation per digit pair turns its column into exclusive offsets over
//      the subgroups, in ordinal order;
//   3. each key goes to the digit's block offset + earlier subgroups' count + rank.
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
// Keys per lane: a subgroup's chunk is this many steps of one key per lane.
const STEPS: u32 = SORT_ROWS_PER_BLOCK;

// subgroup_counts[ordinal * 128 + digit / 2]: two 16-bit counts per word (low half
// even digits). A chunk holds at most 16 * 128 keys and a block 4096, so neither a
// count nor a prefix over subgroups carries into the other half.
var<workgroup> subgroup_counts: array<atomic<u32>, 4096>;
// Output offset of each digit's first key of this block.
var<workgroup> digit_base: array<u32, SORT_RADIX>;
var<workgroup> subgroup_claims: atomic<u32>;

// Index of the lowest set bit of a non-empty ballot.
fn first_lane(mask: vec4<u32>) -> u32 {
    if mask.x != 0u {
        return firstTrailingBit(mask.x);
    }
    if mask.y != 0u {
        return 32u + firstTrailingBit(mask.y);
    }
    if mask.z != 0u {
        return 64u + firstTrailingBit(mask.z);
    }
    return 96u + firstTrailingBit(mask.w);
}

@compute @workgroup_size(256)
fn scatter(
    @builtin(local_invocation_index) lid: u32,
    @builtin(workgroup_id) block_id: vec3<u32>,
    @builtin(subgroup_invocation_id) sid: u32,
) {
    let block = block_id.x;
    digit_base[lid] = block_hist[lid * params.num_blocks + block];
    for (var i = lid; i < MAX_SUBGROUPS * DIGIT_PAIRS; i += SORT_WORKGROUP_SIZE) {
        atomicStore(&subgroup_counts[i], 0u);
    }
    if lid == 0u {
        atomicStore(&subgroup_claims, 0u);
    }
    workgroupBarrier();

    let lanes = subgroupAdd(1u);
    let lane = subgroupExclusiveAdd(1u);
    var claim = 0u;
    if lane == 0u {
        claim = atomicAdd(&subgroup_claims, (1u << 16u) | lanes);
    }
    claim = subgroupBroadcastFirst(claim);
    let counts_row = min(claim >> 16u, MAX_SUBGROUPS - 1u) * DIGIT_PAIRS;
    let chunk_start = block * SORT_BLOCK_SIZE + (claim & 0xffffu) * STEPS;
    let below = lanes_below(sid);

    // 1. Rank within the subgroup's chunk.
    var keys: array<u32, STEPS>;
    var ranks: array<u32, STEPS>;
    for (var step = 0u; step < STEPS; step++) {
        let i = chunk_start + step * lanes + lane;
        let valid = i < params.num_keys;
        var key = 0u;
        if valid {
            key = keys_in[i];
        }
        let digit = (key >> params.shift) & 0xffu;
        let half_shift = (digit & 1u) * 16u;
        let peers = subgroup_digit_peers(digit, valid);
        let rank = count_bits4(peers & below);
        var before = 0u;
        if valid && rank == 0u {
            before = atomicAdd(&subgroup_counts[counts_row + (digit >> 1u)], count_bits4(peers) << half_shift);
        }
        var leader = sid;
        if valid {
            leader = first_lane(peers);
        }
        before = subgroupShuffle(before, leader);
        keys[step] = key;
        ranks[step] = ((before >> half_shift) & 0xffffu) + rank;
        subgroupBarrier();
    }
    workgroupBarrier();

    // 2. Counts of earlier subgroups, per digit pair.
    let num_subgroups = min(atomicLoad(&subgroup_claims) >> 16u, MAX_SUBGROUPS);
    if lid < DIGIT_PAIRS {
        var running = 0u;
        for (var o = 0u; o < num_subgroups; o++) {
            let count = atomicLoad(&subgroup_counts[o * DIGIT_PAIRS + lid]);
            atomicStore(&subgroup_counts[o * DIGIT_PAIRS + lid], running);
            running += count;
        }
    }
    workgroupBarrier();

    // 3. Scatter.
    for (var step = 0u; step < STEPS; step++) {
        let i = chunk_start + step * lanes + lane;
        if i < params.num_keys {
            let key = keys[step];
            let digit = (key >> params.shift) & 0xffu;
            let half_shift = (digit & 1u) * 16u;
            let before = (atomicLoad(&subgroup_counts[counts_row + (digit >> 1u)]) >> half_shift) & 0xffffu;
            let dst = digit_base[digit] + before + ranks[step];
            keys_out[dst] = key;
            values_out[dst] = values_in[i];
        }
    }
}
