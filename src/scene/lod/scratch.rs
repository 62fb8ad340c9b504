//! The cut's working memory, kept between cuts on one thread.
//!
//! A cut of a 500k-splat budget over an 8M-splat scene fills tens of MB of
//! working vectors (the visited entries, the drawn records, the sort keys).
//! Allocated afresh for every cut, vectors that large come straight from the
//! kernel as new pages, which it zeroes on first touch. Kept on the thread that
//! asks for it ([`keep_cut_scratch_on_this_thread`]: the window's and `bench`'s
//! cut worker, one long-lived thread per scene), the pages stay mapped and are
//! reused. Other threads (the main thread's waiting cuts, where glibc reuses
//! its heap anyway) keep nothing. The occluder cut inside a cut runs before the
//! outer one takes the scratch, and a nested take simply gets an empty one.

use std::cell::Cell;

use super::cut::Entry;

/// Working vectors of [`super::cut::emit`].
#[derive(Default)]
pub(super) struct EmitScratch {
    /// Inherited opacity factor per entry.
    pub factors: Vec<f32>,
    /// (splat, factor, node, level) per drawn node, in entry order.
    pub drawn: Vec<(u32, f32, u32, u16)>,
    /// `splat << 32 | place` keys, then sorted.
    pub order: Vec<u64>,
    /// The radix sort's second buffer.
    pub spare: Vec<u64>,
}

/// Working vectors of one cut.
#[derive(Default)]
pub(super) struct CutScratch {
    pub entries: Vec<Entry>,
    pub emit: EmitScratch,
}

/// Scratch larger than this is dropped rather than kept: a cut of 4.19 M
/// splats (the most a view draws on lavapipe) over an 8M-splat scene holds
/// about 400 MB.
const MAX_KEPT_BYTES: usize = 512 << 20;

thread_local! {
    static SCRATCH: Cell<Option<Box<CutScratch>>> = const { Cell::new(None) };
    static KEEPS: Cell<bool> = const { Cell::new(false) };
}

/// From now on this thread keeps the cut's working memory between cuts (a
/// thread that makes many cuts; it is freed when the thread ends).
pub fn keep_cut_scratch_on_this_thread() {
    KEEPS.set(true);
}

impl CutScratch {
    /// This thread's scratch (empty vectors the first time).
    pub fn take() -> Box<Self> {
        SCRATCH.take().unwrap_or_default()
    }

    /// Keeps `self` for this thread's next cut, if the thread asked for it
    /// and it did not grow too large.
    pub fn keep(self: Box<Self>) {
        if KEEPS.get() && self.bytes() <= MAX_KEPT_BYTES {
            SCRATCH.set(Some(self));
        }
    }

    fn bytes(&self) -> usize {
        self.entries.capacity() * size_of::<Entry>()
            + self.emit.factors.capacity() * size_of::<f32>()
            + self.emit.drawn.capacity() * size_of::<(u32, f32, u32, u16)>()
            + (self.emit.order.capacity() + self.emit.spare.capacity()) * size_of::<u64>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_thread_gets_its_scratch_back_and_large_ones_are_dropped() {
        let mut scratch = CutScratch::take();
        scratch.emit.factors.reserve(1000);
        scratch.keep();
        assert_eq!(
            CutScratch::take().emit.factors.capacity(),
            0,
            "kept on a thread that did not ask"
        );
        keep_cut_scratch_on_this_thread();
        let mut scratch = CutScratch::take();
        scratch.emit.factors.reserve(1000);
        let capacity = scratch.emit.factors.capacity();
        scratch.keep();
        let again = CutScratch::take();
        assert_eq!(again.emit.factors.capacity(), capacity);
        // Taken: a nested take gets an empty one.
        assert_eq!(CutScratch::take().emit.factors.capacity(), 0);
        again.keep();
        let mut large = CutScratch::take();
        large.emit.order.reserve(MAX_KEPT_BYTES / 8 + 1);
        large.keep();
        assert_eq!(CutScratch::take().emit.order.capacity(), 0);
    }
}
