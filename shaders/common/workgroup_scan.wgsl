// Exclusive prefix sum over a workgroup of 256 invocations, in workgroup memory.
// No subgroup operations, so it is correct on any adapter. Sixteen invocations
// each scan a row of 16 values, one scans the 16 row sums, then every invocation
// adds its row's offset: four barriers in all (a log-step scan needs 17), which
// matters where barriers are expensive (lavapipe runs a workgroup as fibers).

var<workgroup> scan_buffer: array<u32, 256>;
var<workgroup> scan_row_offsets: array<u32, 16>;
var<workgroup> scan_total: u32;

// Returns (exclusive sum for this invocation, workgroup total).
// Must be called in uniform control flow by all 256 invocations.
fn workgroup_exclusive_scan(lid: u32, value: u32) -> vec2<u32> {
    scan_buffer[lid] = value;
    workgroupBarrier();
    if lid < 16u {
        var sum = 0u;
        for (var i = 0u; i < 16u; i++) {
            let v = scan_buffer[lid * 16u + i];
            scan_buffer[lid * 16u + i] = sum;
            sum += v;
        }
        scan_row_offsets[lid] = sum;
    }
    workgroupBarrier();
    if lid == 0u {
        var sum = 0u;
        for (var row = 0u; row < 16u; row++) {
            let v = scan_row_offsets[row];
            scan_row_offsets[row] = sum;
            sum += v;
        }
        scan_total = sum;
    }
    workgroupBarrier();
    let result = vec2<u32>(scan_buffer[lid] + scan_row_offsets[lid / 16u], scan_total);
    workgroupBarrier();
    return result;
}
