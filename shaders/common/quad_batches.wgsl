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

// Word `i` of the records that draw `count` quads (word i % 5 of batch i / 5):
// index_count, instance_count 1, first_index 0, base_vertex, first_instance 0.
fn quad_batch_word(i: u32, count: u32) -> u32 {
    let b = i / QUAD_BATCH_WORDS;
    switch i % QUAD_BATCH_WORDS {
        case 0u: {
            let first = b * QUAD_BATCH_SPLATS;
            return 6u * min(count - min(count, first), QUAD_BATCH_SPLATS);
        }
        case 1u: {
            return 1u;
        }
        case 3u: {
            return 4u * QUAD_BATCH_SPLATS * b;
        }
        default: {
            return 0u;
        }
    }
}
