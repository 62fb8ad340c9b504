//! The anti-aliasing modes through the CPU reference renderer, on a wall of many
//! small Gaussians seen from near and from far (`common::aa_scene`): far away,
//! where splats are below a pixel, the modes must differ a lot (a renderer that
//! silently falls back to classic must fail a 40 dB comparison by a wide
//! margin), except mip and analytic, which approximate the same pixel filter;
//! near, where splats cover pixels, they must nearly agree. No GPU.

mod common;

use common::aa_scene::{far_camera, near_camera, wall_of_small_splats};
use splatview::metrics::psnr;
use splatview::reference::{render_reference, to_rgb8};
use splatview::scene::{AaHint, AaMode, PinholeCamera, SplatCloud};

const WIDTH: u32 = 320;
const HEIGHT: u32 = 180;
const BACKGROUND: [f32; 3] = [0.1, 0.2, 0.3];

fn render(cloud: &SplatCloud, camera: &PinholeCamera, mode: AaMode) -> image::RgbImage {
    to_rgb8(
        &render_reference(cloud, camera, BACKGROUND, mode),
        WIDTH,
        HEIGHT,
    )
}

/// PSNR of every pair of modes, printed as a table; `[i][j]` for `AaMode::ALL`.
fn psnr_table(cloud: &SplatCloud, camera: &PinholeCamera, view: &str) -> [[f64; 4]; 4] {
    let images: Vec<_> = AaMode::ALL
        .iter()
        .map(|&m| render(cloud, camera, m))
        .collect();
    if let Some(dir) = std::env::var_os("SPLATVIEW_SAVE_AA") {
        // The four modes side by side, in `AaMode::ALL` order, 4 px apart.
        let mut strip = image::RgbImage::from_pixel(4 * WIDTH + 12, HEIGHT, image::Rgb([255; 3]));
        for (i, image) in images.iter().enumerate() {
            image::imageops::replace(&mut strip, image, i64::from(i as u32 * (WIDTH + 4)), 0);
        }
        let path = std::path::Path::new(&dir).join(format!("aa-{view}.png"));
        strip.save(&path).expect("save");
        eprintln!("saved {}", path.display());
    }
    let mut table = [[f64::INFINITY; 4]; 4];
    for i in 0..4 {
        for j in 0..4 {
            table[i][j] = psnr(&images[i], &images[j]).expect("same size");
        }
    }
    eprintln!("{view} view, PSNR between modes (dB):");
    for (i, row) in table.iter().enumerate() {
        let cells: Vec<String> = row.iter().map(|v| format!("{v:6.2}")).collect();
        eprintln!("  {:12} {}", AaMode::ALL[i].name(), cells.join(" "));
    }
    table
}

#[test]
fn far_away_the_modes_differ_where_they_should() {
    let cloud = wall_of_small_splats();
    let table = psnr_table(&cloud, &far_camera(WIDTH, HEIGHT), "far");
    let [classic, antialiased, mip, analytic] = [0, 1, 2, 3];
    let name = |i: usize| AaMode::ALL[i].name();
    // Classic draws sub-pixel splats blown up to ~0.55 px at full opacity: 20 dB
    // or more below the 40 dB the GPU must reach against the reference.
    for other in [antialiased, mip, analytic] {
        let db = table[classic][other];
        assert!(
            db <= 20.0,
            "classic vs {} far away: {db:.2} dB",
            name(other)
        );
    }
    // Antialiased keeps the 0.3 dilation: its compensation dims tiny splats more.
    for other in [mip, analytic] {
        let db = table[antialiased][other];
        assert!(
            db <= 35.0,
            "antialiased vs {} far away: {db:.2} dB",
            name(other)
        );
    }
    // Mip's 0.1 px² dilation stands in for the pixel's box filter (variance 1/12)
    // and both keep each splat's mass, so mip and analytic nearly agree.
    let db = table[mip][analytic];
    assert!(db >= 40.0, "mip vs analytic far away: {db:.2} dB");
}

#[test]
fn near_the_modes_nearly_agree() {
    let cloud = wall_of_small_splats();
    let table = psnr_table(&cloud, &near_camera(WIDTH, HEIGHT), "near");
    // Splats of several pixels: a 0.1 or 0.3 px² dilation and its compensation
    // change little, and a pixel's integral is close to its centre value.
    for (i, row) in table.iter().enumerate() {
        for (j, db) in row.iter().enumerate() {
            assert!(
                *db >= 40.0,
                "{} vs {} near: {db:.2} dB",
                AaMode::ALL[i].name(),
                AaMode::ALL[j].name()
            );
        }
    }
}

#[test]
fn the_mode_comes_from_the_argument_not_from_the_cloud() {
    let plain = wall_of_small_splats();
    let mut marked = plain.clone();
    marked.set_aa_hint(AaHint::new(AaMode::Mip, "test"));
    let camera = far_camera(WIDTH, HEIGHT);
    for mode in AaMode::ALL {
        assert!(
            render(&plain, &camera, mode) == render(&marked, &camera, mode),
            "{}",
            mode.name()
        );
    }
}
