//! Image quality of a budgeted cut, through the CPU reference renderer: the cut
//! at 25% of the splats against the full scene (PSNR), from three views, on the
//! real scenes and on a tiled one.

mod lod_util;

use glam::Vec3;
use lod_util::{build_default, load, random_cloud, viewpoints};
use splatview::metrics::psnr;
use splatview::reference::{render_reference, to_rgb8};
use splatview::scene::lod::{CutParams, cut};
use splatview::scene::{AaMode, PinholeCamera, SplatCloud};

const WIDTH: u32 = 640;
const HEIGHT: u32 = 360;
/// The target at a quarter of the splats. Measured here (2026-11-30,
/// with the colour spread in the budget's ranking): biker 35.65 / 34.75 / 34.19
/// dB, guitar 39.80 / 32.18 / 41.56 dB, biker x 3 tiled 34.90 / 34.37 / 32.22 dB
/// (docs/LOD.md). At 160x90, where a quarter of the splats outnumbers the
/// pixels, guitar's side view measured 28.81 dB (before the colour spread).
const MIN_PSNR_DB: f64 = 30.0;

fn quarter_budget_psnr(name: &str, cloud: &SplatCloud) -> Vec<f64> {
    let h = build_default(cloud);
    let background = [0.0; 3];
    let params = CutParams {
        threshold_px: 0.0,
        budget: Some(cloud.len() / 4),
        ..CutParams::default()
    };
    viewpoints(cloud, WIDTH, HEIGHT)
        .iter()
        .enumerate()
        .map(|(v, camera)| {
            let result = cut(&h, camera, &params);
            assert!(result.len() <= cloud.len() / 4);
            let subset = result.to_cloud(cloud, &h).expect("same scene");
            let render = |c| {
                to_rgb8(
                    &render_reference(c, camera, background, AaMode::Classic),
                    WIDTH,
                    HEIGHT,
                )
            };
            let (full, lod) = (render(cloud), render(&subset));
            let db = psnr(&full, &lod).expect("same size");
            eprintln!(
                "{name} view {v} ({WIDTH}x{HEIGHT}): {} splats drawn ({} merged) of {}: {db:.2} dB",
                result.len(),
                result
                    .splats
                    .iter()
                    .filter(|&&s| s as usize >= cloud.len())
                    .count(),
                cloud.len()
            );
            if db < MIN_PSNR_DB {
                let dir = std::env::temp_dir();
                let _ = full.save(dir.join(format!("lod-{name}-{v}-full.png")));
                let _ = lod.save(dir.join(format!("lod-{name}-{v}-quarter.png")));
            }
            db
        })
        .collect()
}

#[test]
fn a_quarter_of_the_splats_stays_close_to_the_full_render() {
    let biker = load("biker.ply");
    // Three copies side by side (`splatview scale`'s grid).
    let tiled = splatview::scene::tile::tile_to_count(&biker, 3 * biker.len(), Vec3::NEG_Y);
    let scenes = [
        ("biker.ply", biker),
        ("guitar.decoded.ply", load("guitar.decoded.ply")),
        ("biker x3", tiled),
    ];
    for (name, cloud) in &scenes {
        for (v, db) in quarter_budget_psnr(name, cloud).into_iter().enumerate() {
            assert!(
                db >= MIN_PSNR_DB,
                "{name} view {v}: {db:.2} dB < {MIN_PSNR_DB} dB"
            );
        }
    }
}

/// Two copies of one random cluster side by side, seen head-on at the same
/// distance, one of them in a single colour: a budget that cannot expand both
/// goes to the one whose colours vary, whichever side it is on (so not by node
/// order), since merging it loses more.
#[test]
fn the_budget_goes_where_merging_loses_colour() {
    let cluster = random_cloud(2048, 1.0, 0, 0x5EED_C010);
    for varied_on_the_right in [false, true] {
        let mut cloud = SplatCloud::zeroed(0, 0);
        for (offset, varied) in [(-1.5f32, !varied_on_the_right), (1.5, varied_on_the_right)] {
            let mut copy = cluster.clone();
            for (p, dc) in copy.positions.iter_mut().zip(&mut copy.sh_dc) {
                p[0] += offset;
                if !varied {
                    *dc = [0.2, 0.4, 0.6];
                }
            }
            assert!(cloud.append(&copy));
        }
        let h = build_default(&cloud);
        let camera = PinholeCamera::look_at(
            Vec3::new(0.0, 0.0, -8.0),
            Vec3::ZERO,
            Vec3::NEG_Y,
            50f32.to_radians(),
            640,
            360,
        );
        let params = CutParams {
            threshold_px: 0.0,
            budget: Some(cloud.len() / 4),
            ..CutParams::default()
        };
        let result = cut(&h, &camera, &params);
        let extended = h.extended_cloud(&cloud).expect("same scene");
        let on_the_right = |&s: &u32| extended.positions[s as usize][0] > 0.0;
        let right = result.splats.iter().filter(|s| on_the_right(s)).count();
        let left = result.len() - right;
        eprintln!("varied on the right: {varied_on_the_right}: {left} drawn left, {right} right");
        let (varied, uniform) = if varied_on_the_right {
            (right, left)
        } else {
            (left, right)
        };
        assert!(
            varied > 2 * uniform,
            "{varied} splats drawn for the varied copy, {uniform} for the uniform one"
        );
    }
}

/// Splats drawn per threshold at 1280x720 from the three views (no budget), for
/// choosing a default threshold. Measurement only:
/// `cargo test --test lod_quality -- --ignored --nocapture`.
#[test]
#[ignore]
fn threshold_sweep() {
    for name in ["biker.ply", "guitar.decoded.ply"] {
        let cloud = load(name);
        let h = build_default(&cloud);
        for (v, camera) in viewpoints(&cloud, 1280, 720).iter().enumerate() {
            let counts: Vec<String> = [0.0f32, 2.0, 4.0, 8.0, 16.0, 32.0]
                .iter()
                .map(|&threshold_px| {
                    let params = CutParams {
                        threshold_px,
                        ..CutParams::default()
                    };
                    let start = std::time::Instant::now();
                    let result = cut(&h, camera, &params);
                    format!(
                        "{threshold_px} px: {} ({:.1} ms)",
                        result.len(),
                        start.elapsed().as_secs_f64() * 1e3
                    )
                })
                .collect();
            eprintln!("{name} view {v}: {}", counts.join(", "));
        }
    }
}
