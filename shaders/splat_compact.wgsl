// Compaction of the visible splats into sort keys, in two kernels:
//
// `compact_scan` (one workgroup): exclusive scan of the project pass's per-workgroup
//   visible counts into output offsets. It then writes, for the GPU itself, the
//   visible count into the indirect draw arguments, the radix sort's per-pass
//   parameters and its indirect dispatch size, so only visible splats are sorted
//   and no CPU read-back is needed.
// `compact` (one invocation per splat): each visible splat writes its sort key and
//   its index at offset + its rank among the visible splats of its workgroup. The
//   output keeps splat-index order, so with a stable sort, frames are deterministic.
//
// Keys: with 32 bits, the bitwise NOT of the depth's float bits. With fewer bits
// (16 or 24), log(depth) quantized over the frame's visible depth range, reversed
// so that an ascending sort gives back-to-front order. Log depth keeps the relative
// precision the same near and far.

#include "common/frame.wgsl"
#include "common/sort_params.wgsl"
#include "common/workgroup_scan.wgsl"
#include "common/quad_batches.wgsl"

@group(0) @binding(0) var<uniform> frame: FrameUniforms;
@group(0) @binding(1) var<storage, read_write> depths: array<u32>;
// Visible count per project workgroup; `compact_scan` turns it into offsets.
@group(0) @binding(2) var<storage, read_write> block_counts: array<u32>;
@group(0) @binding(3) var<storage, read_write> state: FrameState;
@group(0) @binding(4) var<storage, read_write> sort_keys: array<u32>;
@group(0) @binding(5) var<storage, read_write> sort_values: array<u32>;
// Four `SortParams`, one per pass, 256 bytes (64 words) apart.
@group(0) @binding(6) var<storage, read_write> sort_params: array<u32>;
// x, y, z workgroup counts of the sort's indirect dispatches.
@group(0) @binding(7) var<storage, read_write> sort_dispatch: array<u32>;
// [1] the visible count (the tile passes and the stats read it; [0], [2], [3]
// unused). From word 4: one indexed indirect draw per quad batch
// (common/quad_batches.wgsl), as many as fit.
@group(0) @binding(8) var<storage, read_write> draw_args: array<u32>;

const PARAMS_STRIDE_WORDS: u32 = 64u;

@compute @workgroup_size(256)
fn compact_scan(@builtin(local_invocation_index) lid: u32) {
    var carry = 0u;
    for (var start = 0u; start < frame.project_blocks; start += 256u) {
        let i = start + lid;
        var count = 0u;
        if i < frame.project_blocks {
            count = block_counts[i];
        }
        let scanned = workgroup_exclusive_scan(lid, count);
        if i < frame.project_blocks {
            block_counts[i] = carry + scanned.x;
        }
        carry += scanned.y;
    }
    if lid == 0u {
        let visible = carry;
        state.visible_count = visible;
        draw_args[1] = visible;
        let num_blocks = (visible + SORT_BLOCK_SIZE - 1u) / SORT_BLOCK_SIZE;
        for (var sort_pass = 0u; sort_pass < 4u; sort_pass++) {
            let base = sort_pass * PARAMS_STRIDE_WORDS;
            sort_params[base] = visible;
            sort_params[base + 1u] = sort_pass * 8u;
            sort_params[base + 2u] = num_blocks;
            sort_params[base + 3u] = sort_pass;
        }
        sort_dispatch[0] = num_blocks;
        sort_dispatch[1] = 1u;
        sort_dispatch[2] = 1u;
    }
    // `carry` is the same in every invocation: the records are written in parallel.
    for (var i = lid; i + 4u < arrayLength(&draw_args); i += 256u) {
        draw_args[4u + i] = quad_batch_word(i, carry);
    }
}

fn depth_key(depth_bits: u32) -> u32 {
    if frame.sort_key_bits >= 32u {
        return ~depth_bits;
    }
    let max_key = (1u << frame.sort_key_bits) - 1u;
    let log_min = log(bitcast<f32>(atomicLoad(&state.min_depth_bits)));
    let log_max = log(bitcast<f32>(atomicLoad(&state.max_depth_bits)));
    let t = (log(bitcast<f32>(depth_bits)) - log_min) / max(log_max - log_min, 1e-20);
    let level = u32(clamp(t, 0.0, 1.0) * f32(max_key) + 0.5);
    return max_key - min(level, max_key);
}

@compute @workgroup_size(256)
fn compact(
    @builtin(local_invocation_index) lid: u32,
    @builtin(workgroup_id) group_id: vec3<u32>,
    @builtin(num_workgroups) num_groups: vec3<u32>,
) {
    let block = group_id.x + group_id.y * num_groups.x;
    let i = block * 256u + lid;
    var depth_bits = 0u;
    if i < frame.splat_count {
        depth_bits = depths[i];
    }
    let visible = depth_bits != 0u;
    let rank = workgroup_exclusive_scan(lid, u32(visible));
    if visible {
        let dst = block_counts[block] + rank.x;
        sort_keys[dst] = depth_key(depth_bits);
        sort_values[dst] = i;
    }
}
