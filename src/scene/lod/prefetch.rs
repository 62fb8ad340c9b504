//! A hint to the CPU to start loading a slice element into the cache.
//!
//! The cut jumps between nodes, entries and page-table rows that are far
//! apart in memory (the frontier takes candidates in priority order, not in
//! memory order); measured with perf on the 8M scene, most of its time was
//! spent waiting on those loads. Where the next element to be read is known
//! one step ahead (the frontier's next candidate, a list walked in order), a
//! prefetch lets its load overlap the current step's work.

/// Starts loading `slice[index]` into the cache; does nothing when `index`
/// is out of bounds or on targets without a stable prefetch instruction.
#[inline(always)]
#[allow(unsafe_code)]
pub fn prefetch<T>(slice: &[T], index: usize) {
    #[cfg(target_arch = "x86_64")]
    if let Some(element) = slice.get(index) {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        // SAFETY: SSE is part of the x86_64 baseline, and a prefetch is a hint:
        // it never faults and changes no program state. The pointer is to a
        // live element of `slice`.
        unsafe { _mm_prefetch::<_MM_HINT_T0>((element as *const T).cast::<i8>()) }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (slice, index);
}
