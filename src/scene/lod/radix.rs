//! A stable least-significant-digit radix sort by a `u32` key, for the cut's
//! drawn nodes (sorted by splat every frame: 500,000 of them took a comparison
//! sort 30-50 ms on this machine, a third pass of 11 bits is needed only past
//! 4M splats).

/// Bits per pass: 2,048 counters stay in the L1 cache.
const DIGIT_BITS: u32 = 11;

/// Sorts `items` by `key`, stably, in as many 11-bit passes as the largest key
/// needs.
pub(super) fn sort_by_key<T: Copy>(items: &mut Vec<T>, key: impl Fn(&T) -> u32) {
    let Some(max) = items.iter().map(&key).max() else {
        return;
    };
    let mut from = std::mem::take(items);
    let mut to = from.clone();
    let mut shift = 0;
    while shift < u32::BITS && (shift == 0 || max >> shift != 0) {
        let digit = |item: &T| ((key(item) >> shift) & ((1 << DIGIT_BITS) - 1)) as usize;
        let mut starts = vec![0usize; 1 << DIGIT_BITS];
        for item in &from {
            starts[digit(item)] += 1;
        }
        let mut sum = 0;
        for start in &mut starts {
            (*start, sum) = (sum, sum + *start);
        }
        for item in &from {
            let d = digit(item);
            to[starts[d]] = *item;
            starts[d] += 1;
        }
        std::mem::swap(&mut from, &mut to);
        shift += DIGIT_BITS;
    }
    *items = from;
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
            (20_000, 1 << 32),
        ] {
            let items: Vec<(u32, usize)> = (0..len).map(|i| ((next() % range) as u32, i)).collect();
            let mut radix = items.clone();
            sort_by_key(&mut radix, |&(k, _)| k);
            let mut expected = items;
            expected.sort_by_key(|&(k, _)| k);
            assert_eq!(radix, expected, "{len} items below {range}");
        }
    }
}
