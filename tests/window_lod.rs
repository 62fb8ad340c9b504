//! Hierarchical level of detail in the window (issue 14), through the code that
//! presents (`ViewerCore` into an offscreen target): the hierarchy is built on
//! a worker after the flat scene shows; at threshold 0 and no budget the cut
//! draws what the flat scene draws; under a budget the window draws what
//! `splatview render --lod-budget N` draws; freeze keeps the cut; colour by
//! level changes the image; a cancelled build leaves the flat scene; LOD off
//! and on again draws the kept hierarchy at once; a hierarchy beside the
//! scene file is read.

mod common;

use std::path::PathBuf;

use splatview::app::command::Command;
use splatview::headless::{HeadlessScene, RenderSettings, render_image};
use splatview::metrics::psnr;
use splatview::render::Raster;
use splatview::render::lod::setup::LodRequest;
use splatview::scene::PinholeCamera;
use splatview::settings::Settings;

use common::window::WindowHarness;

const SIZE: (u32, u32) = (320, 200);

fn biker() -> PathBuf {
    common::testdata("splats/biker.ply")
}

fn settings() -> Settings {
    let mut settings = Settings::default();
    settings.lod.raster = Raster::Auto;
    settings
}

/// The window with biker loaded and shown flat (LOD off).
fn flat_window() -> (WindowHarness, image::RgbImage) {
    let mut window = WindowHarness::new(SIZE, settings());
    window.open(&biker());
    let flat = window.settle();
    assert!(!window.core.state.hierarchy.active);
    (window, flat)
}

/// Switches LOD on with `budget` and `threshold_px` and waits for the build
/// and the pages; returns the frame.
fn lod_on(window: &mut WindowHarness, budget: Option<u32>, threshold_px: f32) -> image::RgbImage {
    let h = &mut window.core.state.settings.hierarchy;
    h.budget = budget;
    h.threshold_px = threshold_px;
    window.core.state.execute(Command::ToggleLod);
    let frame = window.settle();
    let status = &window.core.state.hierarchy;
    assert!(status.active, "LOD did not switch on: {status:?}");
    assert!(
        window.core.state.errors.is_empty(),
        "{:?}",
        window.core.state.errors
    );
    frame
}

fn camera(window: &WindowHarness) -> PinholeCamera {
    window.core.state.rig.camera(SIZE.0, SIZE.1)
}

fn nudge(window: &mut WindowHarness) {
    let rig = &mut window.core.state.rig;
    let mut pose = rig.pose();
    pose.position += pose.rotation * glam::Vec3::Z * 0.5;
    rig.set_pose(&pose, 0.0, true);
    rig.update(f32::INFINITY);
}

/// The first `rows` rows of `image` (above the overlay's progress bars).
fn top_rows(image: &image::RgbImage, rows: u32) -> Vec<u8> {
    let row = image.width() as usize * 3;
    image.as_raw()[..row * rows.min(image.height()) as usize].to_vec()
}

fn save(name: &str, image: &image::RgbImage) {
    let _ = image.save(std::env::temp_dir().join(format!("window-lod-{name}.png")));
}

#[test]
fn unlimited_cut_at_threshold_zero_draws_the_flat_frame() {
    if common::gpu().is_none() {
        return;
    }
    let (mut window, flat) = flat_window();
    let lod = lod_on(&mut window, None, 0.0);
    let stats = window.core.state.hierarchy.stats.expect("stats");
    let db = psnr(&lod, &flat).expect("size");
    eprintln!(
        "threshold 0: {} splats in the cut, levels {:?}, {:.2} ms; {db:.2} dB against flat, identical: {}",
        stats.cut_splats,
        stats.levels,
        stats.cut_ms,
        lod == flat
    );
    if lod != flat {
        save("flat", &flat);
        save("threshold0", &lod);
    }
    assert!(
        lod == flat,
        "LOD at threshold 0 differs from flat ({db:.2} dB)"
    );
    // Switching LOD off brings the flat scene back.
    window.core.state.execute(Command::ToggleLod);
    assert!(window.settle() == flat);
    assert!(!window.core.state.hierarchy.active);
}

#[test]
fn quarter_budget_draws_what_render_draws_and_freeze_keeps_the_cut() {
    if common::gpu().is_none() {
        return;
    }
    let (mut window, flat) = flat_window();
    let splats = window.core.state.scene.as_ref().expect("scene").splat_count;
    let budget = (splats / 4) as u32;
    let on_screen = lod_on(&mut window, Some(budget), 2.0);
    let stats = window.core.state.hierarchy.stats.expect("stats");
    let build = window.core.state.hierarchy.build.expect("build info");
    eprintln!(
        "budget {budget}: cut {} splats, levels {:?}, cut {:.2} ms, pages {}/{} ({} wanted), pool {} bytes; hierarchy {} nodes, {} levels in {:.0} ms (cache: {})",
        stats.cut_splats,
        stats.levels,
        stats.cut_ms,
        stats.pages_resident,
        stats.pages_total,
        stats.pages_wanted,
        stats.pool_bytes,
        build.nodes,
        build.depth,
        build.hierarchy_ms,
        build.from_cache
    );
    assert!(stats.cut_splats <= budget as usize, "{stats:?}");
    assert!(stats.cut_splats > 0);
    // `splatview render --lod-budget N` for the same camera.
    let mut request = LodRequest::default();
    request.params.cut.budget = Some(budget as usize);
    request.params.cut.threshold_px = 2.0;
    let objects = splatview::io::load_scene_objects(&[biker()]).expect("load");
    let gpu = splatview::gpu::GpuContext::new_headless().expect("GPU");
    let mut headless =
        HeadlessScene::from_objects_with_lod(gpu, &objects, Some(&request)).expect("upload");
    let render_settings = RenderSettings {
        raster: Raster::Auto,
        hierarchy: Some(request),
        ..Default::default()
    };
    let rendered = render_image(&mut headless, camera(&window), &render_settings).expect("render");
    let db = psnr(&on_screen, &rendered).expect("size");
    let flat_db = psnr(&on_screen, &flat).expect("size");
    eprintln!("window vs render --lod-budget: {db:.2} dB; vs flat {flat_db:.2} dB");
    if on_screen != rendered {
        save("budget-window", &on_screen);
        save("budget-render", &rendered);
    }
    assert!(
        on_screen == rendered,
        "window and render differ ({db:.2} dB)"
    );
    assert!(on_screen != flat, "a quarter budget drew every splat");

    // Colour by level changes the image, and back.
    window.core.state.execute(Command::ColorByLevel);
    let colored = window.settle();
    let colored_db = psnr(&colored, &on_screen).expect("size");
    eprintln!("colour by level: {colored_db:.2} dB from the plain cut");
    save("colour-by-level", &colored);
    assert!(
        colored_db < 25.0,
        "colour by level changed little ({colored_db:.2} dB)"
    );
    window.core.state.execute(Command::ColorByLevel);
    assert!(window.settle() == on_screen);

    // Freeze: the cut stays while the camera moves; unfrozen, it follows.
    window.core.state.execute(Command::FreezeLodCut);
    window.settle();
    let frozen = window.core.state.hierarchy.stats.expect("stats");
    nudge(&mut window);
    let moved = window.settle();
    assert!(moved != on_screen, "the camera did not move");
    assert_eq!(window.core.state.hierarchy.stats, Some(frozen));
    window.core.state.execute(Command::FreezeLodCut);
    window.settle();
    let followed = window.core.state.hierarchy.stats.expect("stats");
    eprintln!(
        "frozen cut {} splats, after moving and unfreezing {} splats",
        frozen.cut_splats, followed.cut_splats
    );
    assert_ne!(
        followed, frozen,
        "unfrozen, the cut did not follow the camera"
    );
}

#[test]
fn the_build_runs_off_the_ui_thread_and_a_cancel_keeps_the_flat_scene() {
    if common::gpu().is_none() {
        return;
    }
    let (mut window, flat) = flat_window();
    window.core.state.execute(Command::ToggleLod);
    let mut frames_while_building = 0;
    let mut slowest = std::time::Duration::ZERO;
    window.frame();
    while window.core.state.hierarchy.building.is_some() {
        let started = std::time::Instant::now();
        window.pump_events();
        let frame = window.frame();
        slowest = slowest.max(started.elapsed());
        frames_while_building += 1;
        if window.core.state.hierarchy.building.is_some() {
            // The flat scene shows (above the build's progress bar).
            assert!(!window.core.state.hierarchy.active);
            assert!(
                top_rows(&frame, 60) == top_rows(&flat, 60),
                "the flat scene shows while the hierarchy builds"
            );
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    eprintln!(
        "{frames_while_building} frames while building, slowest {:.1} ms",
        slowest.as_secs_f64() * 1000.0
    );
    assert!(frames_while_building >= 1);
    window.settle();
    assert!(window.core.state.hierarchy.active);

    let on = window.settle();

    // Off: the flat scene. On again: the kept hierarchy draws at once, with
    // no build and no cache read.
    window.core.state.execute(Command::ToggleLod);
    assert!(window.settle() == flat);
    assert!(!window.core.state.hierarchy.active);
    window.core.state.execute(Command::ToggleLod);
    window.frame();
    let status = &window.core.state.hierarchy;
    assert!(
        status.building.is_none() && status.active,
        "switching LOD on again prepares the hierarchy again: {status:?}"
    );
    assert!(
        window.settle() == on,
        "the kept hierarchy draws another cut"
    );

    // A new window, LOD on and cancelled at once: the flat scene stays, no
    // message.
    let (mut window, flat) = flat_window();
    window.core.state.execute(Command::ToggleLod);
    window.frame();
    assert!(window.core.state.hierarchy.building.is_some());
    // While the hierarchy is prepared, the panel shows none.
    assert!(window.core.state.hierarchy.build.is_none());
    window.core.state.execute(Command::CancelLodBuild);
    let after = window.settle();
    let status = &window.core.state.hierarchy;
    assert!(!status.active && status.building.is_none(), "{status:?}");
    assert!(
        status.build.is_none(),
        "a cancelled build shows a hierarchy"
    );
    assert!(
        status
            .unavailable
            .as_ref()
            .is_some_and(|u| u.starts_with("build cancelled:")),
        "{status:?}"
    );
    assert!(window.core.state.errors.is_empty());
    assert!(after == flat, "a cancelled build changed the image");
}

/// After a lost device LOD comes back on the new device (the hierarchy kept on
/// the host, the page pool made again) and draws the same cut.
#[test]
fn a_lost_device_brings_lod_back() {
    if common::gpu().is_none() {
        return;
    }
    let (mut window, flat) = flat_window();
    let splats = window.core.state.scene.as_ref().expect("scene").splat_count;
    let before = lod_on(&mut window, Some((splats / 4) as u32), 2.0);
    let cut = window.core.state.hierarchy.stats.expect("stats").cut_splats;
    window.core.gpu.device.destroy();
    let _ = window.core.gpu.device.poll(wgpu::PollType::Poll);
    assert!(window.core.device_lost().is_some());
    window.recover_if_lost();
    let after = window.settle();
    let status = &window.core.state.hierarchy;
    assert!(status.active, "LOD is not back: {status:?}");
    assert_eq!(status.stats.map(|s| s.cut_splats), Some(cut));
    assert!(after != flat);
    if after != before {
        save("lost-before", &before);
        save("lost-after", &after);
    }
    assert!(after == before, "the recovered viewer draws another cut");
}

/// A screenshot (the offline path: `update_until_resident` for the shot's
/// camera, drawn by the screenshot view) is the LOD frame on screen.
#[test]
fn screenshots_draw_the_cut() {
    if common::gpu().is_none() {
        return;
    }
    let dir = std::env::temp_dir().join(format!("splatview-lod-shot-{}", std::process::id()));
    let mut window = WindowHarness::new(
        SIZE,
        Settings {
            screenshot_dir: Some(dir.clone()),
            ..settings()
        },
    );
    window.open(&biker());
    let flat = window.settle();
    let splats = window.core.state.scene.as_ref().expect("scene").splat_count;
    let on_screen = lod_on(&mut window, Some((splats / 4) as u32), 2.0);
    window.core.state.execute(Command::Screenshot);
    let shot = image::open(window.wait_screenshot())
        .expect("png")
        .to_rgb8();
    let db = psnr(&shot, &on_screen).expect("size");
    eprintln!("screenshot vs LOD frame: {db:.2} dB");
    if shot != on_screen {
        save("shot", &shot);
        save("shot-frame", &on_screen);
    }
    assert!(
        shot == on_screen,
        "the screenshot is not the LOD frame ({db:.2} dB)"
    );
    assert!(shot != flat);
    // The window goes on drawing its own cut after the shot.
    assert!(window.settle() == on_screen);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A hierarchy beside the scene's file (`biker.ply.lod`, as `lod-build --out`
/// writes it) is what the window reads when LOD switches on: the panel says
/// so, and the cut draws as with a built one.
#[test]
fn the_window_reads_a_hierarchy_beside_the_scene() {
    if common::gpu().is_none() {
        return;
    }
    use splatview::scene::lod::build::{BuildOptions, build};
    use splatview::scene::lod::cache::{scene_key, sidecar_path, write_hierarchy};
    let dir = std::env::temp_dir().join(format!("splatview-window-beside-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let scene = dir.join("biker.ply");
    std::fs::copy(biker(), &scene).expect("copy");
    let cloud = splatview::io::load_splat_file(&scene).expect("load");
    let hierarchy = build(&cloud, &BuildOptions::default(), None).expect("build");
    write_hierarchy(&sidecar_path(&scene), &hierarchy, scene_key(&cloud)).expect("write");

    let mut window = WindowHarness::new(SIZE, settings());
    window.open(&scene);
    window.settle();
    let beside = lod_on(&mut window, None, 2.0);
    let build_info = window.core.state.hierarchy.build.expect("build info");
    assert!(
        build_info.beside_scene && build_info.from_cache,
        "{build_info:?}"
    );
    assert_eq!(build_info.nodes, hierarchy.nodes().len());
    // The same cut as from biker's own (built or cached) hierarchy.
    let (mut plain, _) = flat_window();
    let built = lod_on(&mut plain, None, 2.0);
    assert!(
        !plain
            .core
            .state
            .hierarchy
            .build
            .expect("build info")
            .beside_scene
    );
    assert!(
        beside == built,
        "the hierarchy beside the scene draws another cut"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
