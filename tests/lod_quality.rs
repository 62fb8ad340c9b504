//! Image quality of a budgeted cut, through the CPU reference renderer: the cut
//! at 25% of the splats against the full scene (PSNR), from three views, on the
//! real scenes and on a tiled one.

mod lod_util;

use glam::Vec3;
use lod_util::{build_default, load, viewpoints};
use splatview::metrics::psnr;
use splatview::reference::{render_reference, to_rgb8};
use splatview::scene::lod::{CutParams, cut};
use splatview::scene::{AaMode, SplatCloud};

const WIDTH: u32 = 640;
const HEIGHT: u32 = 360;
/// The target at a quarter of the splats. Measured here (2026-11-30):
/// biker 34.54 / 33.89 / 33.27 dB, guitar 39.19 / 31.15 / 40.49 dB, biker x 3
/// tiled 33.95 / 33.30 / 31.35 dB (docs/LOD.md). At 160x90, where a quarter of
/// the splats outnumbers the pixels, guitar's side view measured 28.81 dB.
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
