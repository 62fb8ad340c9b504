//! The window's automatic rasterizer choice (`Raster::Auto`) through the code
//! that presents (`ViewerCore` into an offscreen target): it measures both
//! rasterizers and decides while the camera stands still, since the window
//! keeps drawing frames until the measurement is done.

mod common;

use splatview::render::Raster;
use splatview::settings::Settings;

use common::window::WindowHarness;

#[test]
fn auto_decides_while_the_camera_stands_still() {
    if common::gpu().is_none() {
        return;
    }
    let mut settings = Settings::default();
    settings.lod.raster = Raster::Auto;
    let mut window = WindowHarness::new((160, 100), settings);
    // Measure on any adapter (CPU adapters skip scenes this small).
    window.core.scene_view.set_auto_measures(true);
    window.open(&common::testdata("splats/playbot_l6.ply"));
    // No input, no camera motion: only the measurement keeps the frames coming.
    window.settle();
    let decision = window
        .core
        .scene_view
        .raster_decision()
        .expect("Auto decided without any input");
    let times = [
        decision.quads_ms,
        decision.tiles_ms,
        decision.large_tiles_ms,
    ];
    assert!(times.iter().all(|ms| ms.is_finite()), "{times:?} ms");
    assert!(matches!(
        decision.mode.raster,
        Raster::Hardware | Raster::Compute
    ));
    assert!(!window.core.scene_view.raster_measuring());
    assert!(window.core.settled());
}

/// The window's tile size setting reaches the rasterizer (the CLI had
/// `--tile-size`, the window nothing): 16x16 tiles draw the same scene as
/// 8x8 within the compute rasterizer's tolerance.
#[test]
fn the_tile_size_setting_draws_tiles_of_that_size() {
    if common::gpu().is_none() {
        return;
    }
    let mut images = Vec::new();
    for (size, side) in [
        (splatview::render::TileSize::Eight, 8),
        (splatview::render::TileSize::Sixteen, 16),
    ] {
        let mut settings = Settings::default();
        settings.lod.raster = Raster::Compute;
        settings.lod.tile_size = size;
        let mut window = WindowHarness::new((160, 100), settings);
        window.open(&common::testdata("splats/playbot_l6.ply"));
        images.push(window.settle());
        assert_eq!(window.core.scene_view.view().last_tile_size(), Some(side));
    }
    let db = splatview::metrics::psnr(&images[0], &images[1]).unwrap_or(f64::INFINITY);
    assert!(db > 45.0, "8x8 and 16x16 tiles differ: {db:.2} dB");
}
