//! The compose pass folded into the draw (`ComposeFolding`): a view with
//! nothing under its splats draws them straight into its 8-bit output over the
//! background (the tiles by default, writing it as storage; the quads when
//! asked, blending into it). Against the separate compose (the accumulation in
//! Rgba16Float, composed once) and the CPU reference, and only where nothing
//! else is under the splats.

mod common;

use splatview::controls::OrbitCamera;
use splatview::metrics::psnr;
use splatview::reference::{render_reference, to_rgb8};
use splatview::render::{ComposeFolding, Raster, ViewParams};
use splatview::scene::{AaMode, PinholeCamera, SceneBounds, SplatCloud};

use common::{TestView, upload};

const WIDTH: u32 = 320;
const HEIGHT: u32 = 180;
/// The floor for 8-bit blending against the CPU reference (issue 17).
const MIN_FOLDED_DB: f64 = 45.0;
const BACKGROUND: [f32; 3] = [0.1, 0.2, 0.3];

fn load(name: &str) -> SplatCloud {
    splatview::io::load_splat_file(&common::testdata(&format!("splats/{name}")))
        .unwrap_or_else(|e| panic!("{e}"))
}

fn close_view(cloud: &SplatCloud) -> PinholeCamera {
    let mut orbit = OrbitCamera::framing(SceneBounds::robust(cloud), WIDTH as f32 / HEIGHT as f32);
    orbit.yaw -= 2.2;
    orbit.pitch = -0.2;
    orbit.distance *= 0.6;
    orbit.camera(WIDTH, HEIGHT)
}

/// Quads folded when asked (`ComposeFolding::All`; by default they compose)
/// and separate, on real scenes: both close to the CPU reference, and to each
/// other. (Where thousands of faint splats overlap, the folded quads' 8-bit
/// steps cost more: 42.5 dB, docs/BENCHMARKS.md; hence opt-in.)
#[test]
fn folded_quads_match_the_separate_compose_and_the_reference() {
    let Some(ctx) = common::gpu() else { return };
    for name in ["biker.ply", "guitar.decoded.ply", "playbot_l6.ply"] {
        let cloud = load(name);
        let scene = upload(ctx, &cloud);
        let camera = close_view(&cloud);
        let params = ViewParams {
            background: BACKGROUND,
            ..ViewParams::new(camera)
        };
        let mut test = TestView::new(ctx);
        let separate = test.render(ctx, &scene, &params);
        assert!(!test.view.view.last_compose_folded(), "{name}: folded");
        test.view.view.set_compose_folding(ComposeFolding::All);
        let folded = test.render(ctx, &scene, &params);
        assert!(test.view.view.last_compose_folded(), "{name}: not folded");

        let reference = to_rgb8(
            &render_reference(&cloud, &camera, BACKGROUND, AaMode::Classic),
            WIDTH,
            HEIGHT,
        );
        let folded_db = psnr(&folded, &reference).expect("same size");
        let separate_db = psnr(&separate, &reference).expect("same size");
        let between_db = psnr(&folded, &separate).expect("same size");
        eprintln!(
            "{name}: against the CPU reference, folded {folded_db:.2} dB, separate \
             {separate_db:.2} dB; folded against separate {between_db:.2} dB"
        );
        assert!(
            folded_db >= MIN_FOLDED_DB,
            "{name}: folded {folded_db:.2} dB"
        );
        assert!(
            separate_db >= MIN_FOLDED_DB,
            "{name}: separate {separate_db:.2} dB"
        );
        assert!(
            between_db >= MIN_FOLDED_DB,
            "{name}: {between_db:.2} dB apart"
        );
        // Something was drawn: the two paths agree on more than the background.
        let lit = folded.pixels().filter(|p| p.0 != [26, 51, 77]).count();
        assert!(
            lit > (WIDTH * HEIGHT / 10) as usize,
            "{name}: {lit} lit pixels"
        );
    }
}

/// The tiles fold by default, where the output is an 8-bit storage texture
/// (the offscreen views' are): their pixels go over the background, as the
/// separate compose puts them.
#[test]
fn folded_tiles_match_the_separate_compose_and_the_reference() {
    let Some(ctx) = common::gpu() else { return };
    for name in ["biker.ply", "playbot_l6.ply"] {
        let cloud = load(name);
        let scene = upload(ctx, &cloud);
        let camera = close_view(&cloud);
        let params = ViewParams {
            raster: Raster::Compute,
            background: BACKGROUND,
            ..ViewParams::new(camera)
        };
        let mut test = TestView::new(ctx);
        let folded = test.render(ctx, &scene, &params);
        assert_eq!(test.view.view.last_raster(), Some(Raster::Compute));
        assert!(test.view.view.last_compose_folded(), "{name}: not folded");
        test.view.view.set_compose_folding(ComposeFolding::Off);
        let separate = test.render(ctx, &scene, &params);
        assert!(!test.view.view.last_compose_folded(), "{name}: folded");
        let reference = to_rgb8(
            &render_reference(&cloud, &camera, BACKGROUND, AaMode::Classic),
            WIDTH,
            HEIGHT,
        );
        let folded_db = psnr(&folded, &reference).expect("same size");
        let separate_db = psnr(&separate, &reference).expect("same size");
        let between_db = psnr(&folded, &separate).expect("same size");
        eprintln!(
            "{name}, tiles: against the CPU reference, folded {folded_db:.2} dB, separate \
             {separate_db:.2} dB; folded against separate {between_db:.2} dB"
        );
        // The tiles blend in f32 either way; only the last rounding moves.
        assert!(folded_db >= 50.0, "{name}: folded {folded_db:.2} dB");
        assert!(between_db >= 55.0, "{name}: {between_db:.2} dB apart");
    }
}

/// Frames with something else to compose keep the compose pass, even with
/// `ComposeFolding::All`: a render size other than the output's (the
/// level-of-detail resolution scale). Their images stay right, and a plain
/// frame after them folds again.
#[test]
fn only_frames_with_nothing_under_the_splats_fold() {
    let Some(ctx) = common::gpu() else { return };
    let cloud = load("playbot_l6.ply");
    let scene = upload(ctx, &cloud);
    let camera = close_view(&cloud);
    let reference = to_rgb8(
        &render_reference(&cloud, &camera, BACKGROUND, AaMode::Classic),
        WIDTH,
        HEIGHT,
    );
    let mut test = TestView::new(ctx);
    test.view.view.set_compose_folding(ComposeFolding::All);
    for raster in [Raster::Hardware, Raster::Compute] {
        let mut scaled = ViewParams {
            raster,
            background: BACKGROUND,
            ..ViewParams::new(camera)
        };
        scaled.lod.resolution_scale = 0.5;
        let image = test.render(ctx, &scene, &scaled);
        assert!(
            !test.view.view.last_compose_folded(),
            "{raster:?} at half resolution folded"
        );
        // Half the resolution, scaled up: blurrier, but the same picture.
        let db = psnr(&image, &reference).expect("same size");
        eprintln!("{raster:?} at half resolution against the full reference: {db:.2} dB");
        assert!(db >= 20.0, "half resolution: {db:.2} dB");

        let plain = ViewParams {
            raster,
            background: BACKGROUND,
            ..ViewParams::new(camera)
        };
        test.render(ctx, &scene, &plain);
        assert!(
            test.view.view.last_compose_folded(),
            "{raster:?}: plain frame not folded"
        );
    }
}
