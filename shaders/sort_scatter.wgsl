// Radix sort, kernel 3 of 3 per pass: stable scatter. See sort_histogram.wgsl.
//
// The block is processed in rows of 256 keys, in order. For each row every
// invocation sets its bit in a 256-bit mask of its digit (atomicOr, so the order of
// the atomics does not matter); its rank among equal digits is the number of set
// bits below its own. Three barriers per row: masks set / ranks read / masks
// counted and cleared (the counting step clears them for the next row). No subgroup operations and no cross-workgroup waiting.

#include "common/sort_params.wgsl"

@group(0) @binding(0) var<uniform> params: SortParams;
@group(0) @binding(1) var<storage, read> keys_in: array<u32>;
@group(0) @binding(2) var<storage, read> values_in: array<u32>;
@group(0) @binding(3) var<storage, read_write> keys_out: array<u32>;
@group(0) @binding(4) var<storage, read_write> values_out: array<u32>;
@group(0) @binding(5) var<storage, read_write> block_hist: array<u32>;

const MASK_WORDS: u32 = 8u; // 256 invocations / 32 bits

// match_masks[digit * 8 + word]: which invocations of this row have `digit`.
var<workgroup> match_masks: array<atomic<u32>, 2048>;
// Next free output slot per digit for this block.
var<workgroup> digit_offsets: array<u32, SORT_RADIX>;

@compute @workgroup_size(256)
fn scatter(
    @builtin(local_invocation_index) lid: u32,
    @builtin(workgroup_id) block_id: vec3<u32>,
) {
    let block = block_id.x;
    digit_offsets[lid] = block_hist[lid * params.num_blocks + block];
    let block_start = block * SORT_BLOCK_SIZE;
    let word = lid / 32u;
    let lower_bits = (1u << (lid & 31u)) - 1u;
    // The masks start cleared; afterwards each row's counting step clears them.
    for (var w = 0u; w < MASK_WORDS; w++) {
        atomicStore(&match_masks[w * SORT_RADIX + lid], 0u);
    }
    workgroupBarrier();

    for (var row = 0u; row < SORT_ROWS_PER_BLOCK; row++) {
        let row_start = block_start + row * SORT_WORKGROUP_SIZE;
        if row_start >= params.num_keys {
            break;
        }

        let i = row_start + lid;
        let valid = i < params.num_keys;
        var key = 0u;
        var digit = 0u;
        if valid {
            key = keys_in[i];
            digit = (key >> params.shift) & 0xffu;
            atomicOr(&match_masks[digit * MASK_WORDS + word], 1u << (lid & 31u));
        }
        workgroupBarrier();

        if valid {
            var rank = countOneBits(atomicLoad(&match_masks[digit * MASK_WORDS + word]) & lower_bits);
            for (var w = 0u; w < word; w++) {
                rank += countOneBits(atomicLoad(&match_masks[digit * MASK_WORDS + w]));
            }
            let dst = digit_offsets[digit] + rank;
            keys_out[dst] = key;
            values_out[dst] = values_in[i];
        }
        workgroupBarrier();

        // Count digit `lid` of this row and clear its mask for the next row (nobody
        // reads it again before the barrier below).
        var count = 0u;
        for (var w = 0u; w < MASK_WORDS; w++) {
            count += countOneBits(atomicExchange(&match_masks[lid * MASK_WORDS + w], 0u));
        }
        digit_offsets[lid] += count;
        workgroupBarrier();
    }
}
