// The quad draw as indexed triangle lists in batches (splat_draw.wgsl). One index
// buffer, shared by every view, holds QUAD_BATCH_SPLATS quads: indices 4i, 4i+1,
// 4i+2, 4i+2, 4i+1, 4i+3 for quad i. Batch b draws it with base vertex
// 4 · QUAD_BATCH_SPLATS · b, so the vertex shader's vertex_index is 4 · (slot in
// the sorted list) + corner. Lavapipe shades the four corners of a quad in one
// batch of vertices this way, where an instanced 4-vertex strip costs it a pass
// through its vertex pipeline per instance (docs/BENCHMARKS.md).
// Keep in sync with QUAD_BATCH_SPLATS in src/render/splat/gpu_data.rs.
const QUAD_BATCH_SPLATS: u32 = 65536u;
// Words of one DrawIndexedIndirect record: index_count, instance_count,
// first_index, base_vertex, first_instance.
const QUAD_BATCH_WORDS: u32 = 5u;

// Index count of batch `b` when `count` quads are drawn in all.
fn quad_batch_index_count(b: u32, count: u32) -> u32 {
    let first = b * QUAD_BATCH_SPLATS;
    return 6u * min(count - min(count, first), QUAD_BATCH_SPLATS);
}

// Base vertex of batch `b`.
fn quad_batch_base_vertex(b: u32) -> u32 {
    return 4u * QUAD_BATCH_SPLATS * b;
}
