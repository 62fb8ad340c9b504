// Exclusive prefix sum over a workgroup of 256 invocations (Hillis-Steele in
// workgroup memory). No subgroup operations, so it is correct on any adapter.

var<workgroup> scan_buffer: array<u32, 256>;

// Returns (exclusive sum for this invocation, workgroup total).
// Must be called in uniform control flow by all 256 invocations.
fn workgroup_exclusive_scan(lid: u32, value: u32) -> vec2<u32> {
    scan_buffer[lid] = value;
    workgroupBarrier();
    for (var offset = 1u; offset < 256u; offset <<= 1u) {
        var add = 0u;
        if lid >= offset {
            add = scan_buffer[lid - offset];
        }
        workgroupBarrier();
        scan_buffer[lid] += add;
        workgroupBarrier();
    }
    let inclusive = scan_buffer[lid];
    let total = scan_buffer[255];
    workgroupBarrier();
    return vec2<u32>(inclusive - value, total);
}
