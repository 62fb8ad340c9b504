// Subgroup helpers of the radix sort's subgroup path (needs Features::SUBGROUP;
// naga 30 takes subgroup builtins without an `enable` directive).
//
// Nothing here assumes lockstep execution, a subgroup size, or which invocations
// of a workgroup share a subgroup: ballots are read by subgroup_invocation_id,
// and the kernels give each subgroup a contiguous range of elements in an order
// fixed by an atomic (see `claim_subgroup_slots`).

// Bit `i` of the result is set when invocation `i` of the subgroup is below `sid`.
fn lanes_below(sid: u32) -> vec4<u32> {
    var mask = vec4<u32>(0u);
    for (var word = 0u; word < 4u; word++) {
        let low = word * 32u;
        if sid >= low + 32u {
            mask[word] = 0xffffffffu;
        } else if sid > low {
            mask[word] = (1u << (sid - low)) - 1u;
        }
    }
    return mask;
}

fn count_bits4(v: vec4<u32>) -> u32 {
    let c = countOneBits(v);
    return c.x + c.y + c.z + c.w;
}

// The active invocations of this subgroup that hold a valid key with the same
// 8-bit `digit` (eight ballots, one per digit bit). Call in uniform control flow.
fn subgroup_digit_peers(digit: u32, valid: bool) -> vec4<u32> {
    var peers = subgroupBallot(valid);
    for (var bit = 0u; bit < 8u; bit++) {
        let bit_set = ((digit >> bit) & 1u) == 1u;
        let ballot = subgroupBallot(bit_set);
        peers &= select(~ballot, ballot, bit_set);
    }
    return peers;
}
