//! How much colour a node's merged Gaussian loses: the spread of the scene
//! colours below it, which the budgeted cut weighs its priority by (docs/LOD.md,
//! "Budget").
//!
//! For node `n` with coverage weight `W_n` (the sum of its leaves' weights
//! `opacity x surface`, [`super::LodHierarchy::weights`]) and leaves `l` of colour
//! `c_l` (the SH degree-0 colour, `C0 x dc`, in display units), the spread is the
//! weighted RMS distance of the leaf colours from their weighted mean:
//!
//! `spread_n² = Σ_l W_l |c_l - μ_n|² / W_n`,
//!
//! where `μ_n` is exactly the merged Gaussian's colour: the merge averages the
//! children's colours with their weights `W_c` ([`super::merge`]), and a child's
//! weight is the sum of its own leaves'. The law of total variance then gives the
//! spread from the children alone, without visiting the leaves:
//!
//! `spread_n² = Σ_c (W_c / W_n) (spread_c² + |μ_c - μ_n|²)`, `spread_leaf = 0`,
//!
//! one pass over the nodes from the last to the first (children come after their
//! parent). A leaf or a node of zero weight has spread 0; a non-finite term (a
//! NaN colour, an infinite weight) contributes 0 rather than poisoning the nodes
//! above it.
//!
//! The spread uses only the view-independent colour: the higher SH bands, whose
//! loss depends on the viewing direction, are not counted.

use super::LodNode;

/// Added to a node's colour spread where the budget ranks it, so that among
/// nodes of one colour (spread 0) size and coverage still rank, and geometry
/// alone still counts where the colours agree: about 5 / 255 of colour.
pub const SPREAD_FLOOR: f32 = 0.02;

/// What the budgeted cut ranks coverage by: each node's coverage weight times
/// `SPREAD_FLOOR + spread`, written over `spread` (one array, so the cut reads
/// one value per node).
pub fn into_ranking_weights(weights: &[f32], mut spread: Vec<f32>) -> Vec<f32> {
    for (value, w) in spread.iter_mut().zip(weights) {
        *value = w * (SPREAD_FLOOR + *value);
    }
    spread
}

/// The degree-0 SH basis constant: display colour = 0.5 + C0 x dc.
const SH_C0: f32 = 0.282_094_8;

/// The colour spread of every node (see the module docs). `nodes` and
/// `weights` are the hierarchy's; `dc(splat)` is the SH degree-0 coefficient
/// of an extended-cloud splat (a leaf's scene splat or an interior node's
/// merged Gaussian). The tree must be valid (`LodHierarchy::validate`).
pub fn colour_spread(
    nodes: &[LodNode],
    weights: &[f32],
    dc: impl Fn(usize) -> [f32; 3],
) -> Vec<f32> {
    // Squared spreads first, square roots at the end.
    let mut spread = vec![0.0f32; nodes.len()];
    let colour = |node: &LodNode| dc(node.splat as usize).map(|v| v * SH_C0);
    for index in (0..nodes.len()).rev() {
        let node = &nodes[index];
        let total = weights[index];
        if node.is_leaf() || total.is_nan() || total <= 0.0 {
            continue;
        }
        let mean = colour(node);
        let mut sum = 0.0f32;
        for child in node.children() {
            let c = colour(&nodes[child]);
            let distance_sq: f32 = (0..3).map(|k| (c[k] - mean[k]).powi(2)).sum();
            let term = weights[child] / total * (spread[child] + distance_sq);
            if term.is_finite() {
                sum += term;
            }
        }
        spread[index] = sum;
    }
    for value in &mut spread {
        *value = value.sqrt();
    }
    spread
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(splat: u32, first_child: u32, child_count: u32) -> LodNode {
        LodNode {
            splat,
            first_child,
            child_count,
            ..LodNode::default()
        }
    }

    /// dc values giving display colours `c` (up to the 0.5 offset).
    fn dc_of(c: [f32; 3]) -> [f32; 3] {
        c.map(|v| v / SH_C0)
    }

    #[test]
    fn equal_children_have_no_spread() {
        // Root (merged splat 2) over leaves 0 and 1 of one colour.
        let nodes = [node(2, 1, 2), node(0, 0, 0), node(1, 0, 0)];
        let colours = [[0.3, 0.2, 0.1]; 3];
        let spread = colour_spread(&nodes, &[2.0, 1.0, 1.0], |s| dc_of(colours[s]));
        assert_eq!(spread, vec![0.0; 3]);
    }

    #[test]
    fn two_leaves_spread_by_their_weighted_distance() {
        // Red (weight 3) and black (weight 1): mean 0.75 red; spread² =
        // (3 x 0.25² + 1 x 0.75²) / 4 = 0.1875.
        let nodes = [node(2, 1, 2), node(0, 0, 0), node(1, 0, 0)];
        let colours = [[1.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.75, 0.0, 0.0]];
        let spread = colour_spread(&nodes, &[4.0, 3.0, 1.0], |s| dc_of(colours[s]));
        assert!((spread[0] - 0.1875f32.sqrt()).abs() < 1e-6, "{spread:?}");
        assert_eq!(&spread[1..], &[0.0, 0.0]);
    }

    #[test]
    fn the_spread_of_a_tree_equals_that_of_its_leaves() {
        // Root (splat 6) over a merged node A (splat 4, leaves 0 and 1) and a
        // merged node B (splat 5, leaves 2 and 3): the two-level recursion must
        // give the spread of the four leaves about the root's mean.
        let nodes = [
            node(6, 1, 2),
            node(4, 3, 2),
            node(5, 5, 2),
            node(0, 0, 0),
            node(1, 0, 0),
            node(2, 0, 0),
            node(3, 0, 0),
        ];
        let leaves = [
            [1.0, 0.0, 0.0],
            [0.0, 1.0, 0.0],
            [0.0, 0.0, 1.0],
            [0.5, 0.5, 0.5],
        ];
        let leaf_weights = [1.0f32, 2.0, 3.0, 4.0];
        let mean = |set: &[usize]| -> [f32; 3] {
            let w: f32 = set.iter().map(|&i| leaf_weights[i]).sum();
            [0, 1, 2].map(|k| {
                set.iter()
                    .map(|&i| leaf_weights[i] * leaves[i][k])
                    .sum::<f32>()
                    / w
            })
        };
        let colours = [
            leaves[0],
            leaves[1],
            leaves[2],
            leaves[3],
            mean(&[0, 1]),
            mean(&[2, 3]),
            mean(&[0, 1, 2, 3]),
        ];
        let weights = [10.0, 3.0, 7.0, 1.0, 2.0, 3.0, 4.0];
        let spread = colour_spread(&nodes, &weights, |s| dc_of(colours[s]));
        let root_mean = colours[6];
        let expected: f32 = (0..4)
            .map(|i| {
                leaf_weights[i]
                    * (0..3)
                        .map(|k| (leaves[i][k] - root_mean[k]).powi(2))
                        .sum::<f32>()
            })
            .sum::<f32>()
            / 10.0;
        assert!(
            (spread[0] - expected.sqrt()).abs() < 1e-5,
            "{spread:?} vs {}",
            expected.sqrt()
        );
    }

    #[test]
    fn non_finite_colours_and_zero_weights_do_not_spread() {
        let nodes = [node(2, 1, 2), node(0, 0, 0), node(1, 0, 0)];
        let colours = [[f32::NAN, 0.0, 0.0], [1.0, 0.0, 0.0], [0.5, 0.0, 0.0]];
        let spread = colour_spread(&nodes, &[2.0, 1.0, 1.0], |s| dc_of(colours[s]));
        assert!((spread[0] - 0.5 * 0.5f32.sqrt()).abs() < 1e-6, "{spread:?}");
        let spread = colour_spread(&nodes, &[0.0, 0.0, 0.0], |s| dc_of(colours[s]));
        assert_eq!(spread, vec![0.0; 3]);
    }
}
