// Parameters and sizes of one pass of the radix sort.
// Keep in sync with `SortParams` and the constants in src/render/sort/mod.rs.

const SORT_WORKGROUP_SIZE: u32 = 256u;
// Keys each workgroup of the histogram and scatter kernels handles: 16 rows of 256.
const SORT_ROWS_PER_BLOCK: u32 = 16u;
const SORT_BLOCK_SIZE: u32 = 4096u;
const SORT_RADIX: u32 = 256u;

struct SortParams {
    num_keys: u32,
    // Bit offset of this pass's 8-bit digit.
    shift: u32,
    // ceil(num_keys / SORT_BLOCK_SIZE).
    num_blocks: u32,
    // Index of this pass (0..4); selects its digit-count slot.
    pass_index: u32,
}
