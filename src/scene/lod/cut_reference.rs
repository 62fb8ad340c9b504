//! The cut written to be obvious: it reaches every node the size rule would
//! expand (the whole subtree above the threshold, however large), then ranks
//! all candidates and takes them in order until the budget binds. It defines
//! the result of [`super::cut::cut_with`], which finds the same cut visiting only
//! what the budget reaches; tests check that both agree.

use super::LodHierarchy;
use super::cut::{CutParams, Entry, LodCut, Rules, emit};
use crate::scene::camera::PinholeCamera;

/// The cut of `hierarchy` for `camera`, as [`super::cut::cut_with`] defines it,
/// computed exhaustively. `refused` lists every node the size rule would
/// expand but `can_expand` refused, breadth-first.
pub fn cut_reference_with(
    hierarchy: &LodHierarchy,
    camera: &PinholeCamera,
    params: &CutParams,
    can_expand: impl Fn(u32) -> bool,
) -> LodCut {
    if hierarchy.nodes().is_empty() {
        return LodCut::default();
    }
    let rules = Rules::new(hierarchy, camera, params);

    // 1. Every candidate, top-down (breadth-first: parents precede children).
    let mut entries = vec![Entry::reached(0, u32::MAX, 0)];
    let mut refused = Vec::new();
    let mut next = 0;
    while next < entries.len() {
        if rules.evaluate(&mut entries, next) {
            let entry = entries[next];
            if can_expand(entry.node) {
                for child in hierarchy.nodes()[entry.node as usize].children() {
                    entries.push(Entry::reached(child as u32, next as u32, entry.depth + 1));
                }
            } else {
                // Refused: drawn as it is, not a candidate.
                entries[next].candidate = false;
                refused.push((entry.node, entry.priority));
            }
        }
        next += 1;
    }

    // 2. Expand: all candidates, or the best ranked that fit the budget.
    match params.budget {
        None => entries.iter_mut().for_each(|e| e.expanded = e.candidate),
        Some(budget) => {
            let mut ranked: Vec<u32> = (0..entries.len() as u32)
                .filter(|&e| entries[e as usize].candidate)
                .collect();
            ranked.sort_by(|&a, &b| {
                let (a, b) = (&entries[a as usize], &entries[b as usize]);
                b.priority.total_cmp(&a.priority).then(a.node.cmp(&b.node))
            });
            let budget = i64::try_from(budget.max(1)).unwrap_or(i64::MAX);
            let mut drawn = i64::from(entries[0].visible);
            for e in ranked {
                let cost = entries[e as usize].expansion_cost();
                if drawn + cost > budget {
                    break;
                }
                drawn += cost;
                entries[e as usize].expanded = true;
            }
        }
    }

    // 3. The drawn nodes and their opacity factors.
    emit(
        hierarchy,
        &entries,
        refused,
        &mut super::scratch::EmitScratch::default(),
    )
}
