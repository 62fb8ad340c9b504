//! A stable least-significant-digit radix sort of `u64`s by their upper 32
//! bits, for the cut's drawn nodes: sorted by splat every frame, each as
//! `splat << 32 | its place in the unsorted list` (500,000 of them took a
//! comparison sort 30-50 ms on this machine).
//!
//! Digits of 12 bits: two passes cover the extended cloud of scenes up to
//! 16.7M splats and nodes (a third pass past that). One read of the input
//! counts every pass's digits. Against 11-bit digits over the 16-byte drawn
//! records, sorting 8-byte keys and gathering the records after halves the
//! bytes each scatter moves and saves a pass at 8M splats.

/// Bits per pass: 4,096 counters (32 KB) stay in the L1 cache.
const DIGIT_BITS: u32 = 12;
const DIGITS: usize = 1 << DIGIT_BITS;

/// Sorts `items` by `item >> 32`, stably (the lower 32 bits ride along), in as
/// many 12-bit passes as the largest key needs.
#[cfg(test)]
pub(super) fn sort_by_high_word(items: &mut Vec<u64>) {
    sort_by_high_word_using(items, &mut Vec::new());
}

/// [`sort_by_high_word`] with `spare` as the second buffer (its allocation
/// is kept for the next sort; its contents are not).
pub(super) fn sort_by_high_word_using(items: &mut Vec<u64>, spare: &mut Vec<u64>) {
    let key = |item: u64| (item >> 32) as u32;
    let Some(max) = items.iter().map(|&item| key(item)).max() else {
        return;
    };
    let key_bits = u32::BITS - max.leading_zeros();
    let passes = key_bits.div_ceil(DIGIT_BITS).max(1);
    let digit = |item: u64, pass: u32| ((key(item) >> (pass * DIGIT_BITS)) as usize) & (DIGITS - 1);
    let mut starts = vec![[0usize; DIGITS]; passes as usize];
    for &item in items.iter() {
        for (pass, counts) in (0..).zip(starts.iter_mut()) {
            counts[digit(item, pass)] += 1;
        }
    }
    let mut from = std::mem::take(items);
    let mut to = std::mem::take(spare);
    to.clear();
    to.resize(from.len(), 0);
    for (pass, starts) in (0..).zip(starts.iter_mut()) {
        let mut sum = 0;
        for start in starts.iter_mut() {
            (*start, sum) = (sum, sum + *start);
        }
        for &item in &from {
            let d = digit(item, pass);
            to[starts[d]] = item;
            starts[d] += 1;
        }
        std::mem::swap(&mut from, &mut to);
    }
    *items = from;
    *spare = to;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_like_a_stable_comparison_sort() {
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for (len, range) in [
            (0, 1u64),
            (1, 1),
            (7, 3),
            (5000, 2048),
            (5000, 1 << 22),
            (5000, 1 << 24),
            (5000, (1 << 24) + 1),
            (20_000, 1 << 32),
        ] {
            // Many equal keys, each with its place: stability shows.
            let items: Vec<u64> = (0..len).map(|i| (next() % range) << 32 | i).collect();
            let mut radix = items.clone();
            sort_by_high_word(&mut radix);
            let mut expected = items;
            expected.sort_by_key(|&item| item >> 32);
            assert_eq!(radix, expected, "{len} items below {range}");
        }
    }
}
