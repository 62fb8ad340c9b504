// Splat budget (level of detail): draw at most `frame.splat_budget` splats, the
// most important first, where importance is opacity times projected quad area
// (`importance_bucket` in common/frame.wgsl). Runs between project and compact,
// only when a budget is set:
//
// `budget_threshold` (one invocation): walks the importance histogram from the
//   top and picks the lowest bucket whose splats, with all more important ones,
//   still fit the budget. If the top bucket alone is over budget, it is drawn
//   whole (a bucket is never split, which keeps frames deterministic).
// `budget_recount` (one invocation per splat): culls the visible splats below
//   the threshold (depth set to 0) and recounts each workgroup's visible splats
//   for the compaction.

#include "common/frame.wgsl"

@group(0) @binding(0) var<uniform> frame: FrameUniforms;
@group(0) @binding(1) var<storage, read_write> depths: array<u32>;
@group(0) @binding(2) var<storage, read_write> importance: array<u32>;
@group(0) @binding(3) var<storage, read_write> block_counts: array<u32>;
@group(0) @binding(4) var<storage, read_write> state: FrameState;

var<workgroup> group_visible: atomic<u32>;

@compute @workgroup_size(1)
fn budget_threshold() {
    var total = 0u;
    var threshold = 255u;
    for (var bucket = 255i; bucket >= 0; bucket--) {
        let count = atomicLoad(&state.importance_histogram[bucket]);
        if total + count > frame.splat_budget {
            break;
        }
        total += count;
        threshold = u32(bucket);
    }
    state.importance_threshold = threshold;
}

@compute @workgroup_size(256)
fn budget_recount(
    @builtin(local_invocation_index) lid: u32,
    @builtin(workgroup_id) group_id: vec3<u32>,
    @builtin(num_workgroups) num_groups: vec3<u32>,
) {
    if lid == 0u {
        atomicStore(&group_visible, 0u);
    }
    workgroupBarrier();
    let block = group_id.x + group_id.y * num_groups.x;
    let i = block * 256u + lid;
    if i < frame.splat_count && depths[i] != 0u {
        if importance[i] >= state.importance_threshold {
            atomicAdd(&group_visible, 1u);
        } else {
            depths[i] = 0u;
        }
    }
    workgroupBarrier();
    if lid == 0u && block < frame.project_blocks {
        block_counts[block] = atomicLoad(&group_visible);
    }
}
