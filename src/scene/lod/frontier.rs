//! The cut's frontier: a max-priority queue of candidates that pops them in the
//! exact order of one binary heap over all of them (priority, highest first,
//! by `f32::total_cmp`; ties by lower node), but keeps most of them out of the
//! heap.
//!
//! A budgeted cut of 500,000 splats pushes about as many candidates; in one
//! binary heap of that size every pop walks ~19 levels of a 6 MB array, cache
//! miss after cache miss (the pop was a third of the cut's time on the 8M
//! scene). Here each candidate goes into a bucket by the top bits of its
//! priority's total-order key (1/8 octave per bucket), an append to a vector;
//! only the bucket being taken is a heap. Buckets below it hold only smaller
//! keys than any in the heap, so taking the heap empty and then the next
//! non-empty bucket down gives exactly the single heap's order, whatever the
//! order of pushes (a push at or above the current bucket joins the heap). The
//! cut pushes children at or below their parent's capped priority, so the
//! current bucket only moves down.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// A candidate waiting in the frontier.
#[derive(Clone, Copy, Debug)]
pub(super) struct Ranked {
    pub priority: f32,
    pub node: u32,
    pub entry: u32,
    /// The node's first child (read ahead of the candidate's turn).
    pub first_child: u32,
}

impl PartialEq for Ranked {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Ranked {}

impl PartialOrd for Ranked {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Ranked {
    /// Highest priority first, then lowest node index.
    fn cmp(&self, other: &Self) -> Ordering {
        self.priority
            .total_cmp(&other.priority)
            .then(other.node.cmp(&self.node))
    }
}

/// Key bits dropped to form a bucket: the sign, the exponent and 3 mantissa
/// bits remain (4096 buckets).
const BUCKET_SHIFT: u32 = 20;
const BUCKETS: usize = 1 << (32 - BUCKET_SHIFT);

/// `priority`'s bits as an unsigned key in the order of `f32::total_cmp`.
fn total_order_key(priority: f32) -> u32 {
    let bits = priority.to_bits();
    if bits >> 31 == 1 {
        !bits
    } else {
        bits | 1 << 31
    }
}

fn bucket_of(priority: f32) -> usize {
    (total_order_key(priority) >> BUCKET_SHIFT) as usize
}

/// The candidates, by bucket; the current bucket's are in `heap`.
pub(super) struct Frontier {
    heap: BinaryHeap<Ranked>,
    /// The bucket `heap` holds: every key in `buckets[..current]` is below it.
    current: usize,
    buckets: Vec<Vec<Ranked>>,
}

impl Frontier {
    pub fn new() -> Self {
        Self {
            heap: BinaryHeap::new(),
            current: BUCKETS,
            buckets: vec![Vec::new(); BUCKETS],
        }
    }

    pub fn push(&mut self, ranked: Ranked) {
        let bucket = bucket_of(ranked.priority);
        if bucket >= self.current {
            self.heap.push(ranked);
        } else {
            self.buckets[bucket].push(ranked);
        }
    }

    /// The highest-ranked candidate of the current bucket, if it has any: the
    /// next [`Self::pop`] unless a higher one is pushed first.
    pub fn peek(&self) -> Option<&Ranked> {
        self.heap.peek()
    }

    /// The highest-ranked candidate, removed.
    pub fn pop(&mut self) -> Option<Ranked> {
        loop {
            if let Some(top) = self.heap.pop() {
                return Some(top);
            }
            let below = self.buckets[..self.current]
                .iter()
                .rposition(|bucket| !bucket.is_empty())?;
            self.current = below;
            let bucket = std::mem::take(&mut self.buckets[below]);
            // The emptied heap's allocation goes back to the bucket.
            let spare = std::mem::replace(&mut self.heap, BinaryHeap::from(bucket));
            self.buckets[below] = spare.into_vec();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_follow_total_order() {
        let values = [
            f32::NEG_INFINITY,
            -3.0,
            -0.0,
            0.0,
            1e-30,
            0.5,
            1.0,
            1.0 + f32::EPSILON,
            7e20,
            f32::INFINITY,
            f32::NAN,
        ];
        for pair in values.windows(2) {
            assert_eq!(pair[0].total_cmp(&pair[1]), Ordering::Less);
            assert!(
                total_order_key(pair[0]) < total_order_key(pair[1]),
                "{pair:?}"
            );
        }
    }

    /// Random pushes and pops (monotone or not, with ties, infinities and NaN)
    /// come out exactly as from one binary heap.
    #[test]
    fn pops_in_the_order_of_one_heap() {
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for round in 0..50 {
            let mut frontier = Frontier::new();
            let mut heap = BinaryHeap::new();
            let mut last = f32::INFINITY;
            for step in 0..4000u32 {
                let r = next();
                if r % 3 == 0 {
                    let (a, b) = (frontier.pop(), heap.pop());
                    assert_eq!(
                        a.map(|x: Ranked| (x.priority.to_bits(), x.node, x.entry)),
                        b.map(|x: Ranked| (x.priority.to_bits(), x.node, x.entry)),
                        "round {round} step {step}"
                    );
                    if let Some(x) = a {
                        last = x.priority;
                    }
                    continue;
                }
                let priority = match (r >> 8) % 16 {
                    0 => f32::INFINITY,
                    1 => f32::NAN,
                    2 => 0.0,
                    3 => last,
                    // Monotone, as the cut pushes: at or below the last pop.
                    4..=9 => last.min(f32::MAX) * ((r >> 16) % 1000) as f32 / 1000.0,
                    _ => f32::from_bits((r >> 20) as u32 & 0x7F7F_FFFF),
                };
                let ranked = Ranked {
                    priority,
                    // Unique nodes (as in the cut), many of them at equal priorities.
                    node: ((r >> 40) as u32 % 64) * 10_000 + step,
                    entry: step,
                    first_child: 0,
                };
                frontier.push(ranked);
                heap.push(ranked);
            }
            loop {
                let (a, b) = (frontier.pop(), heap.pop());
                assert_eq!(
                    a.map(|x| (x.priority.to_bits(), x.node, x.entry)),
                    b.map(|x| (x.priority.to_bits(), x.node, x.entry))
                );
                if a.is_none() {
                    break;
                }
            }
        }
    }
}
