//! Opacity-aware footprints (issue 17): the reference rasterizer skips a pixel
//! where `opacity x exp(-power) < 1/255`, so a splat reaches only
//! `min(3, sqrt(2 ln(255 opacity)))` standard deviations and one of opacity
//! below 1/255 touches nothing. The quads, the tile binning and the CPU
//! reference all use that extent; here a splat of opacity just below, just
//! above and a little above 1/255 must light exactly the pixels the reference
//! lights, in both rasterizers.
//!
//! The splat is round, centred on a pixel centre, 2 px wide after the 0.3 px²
//! dilation, and bright (colour 100: a kept pixel is far from 0 in 8 bits, so
//! rounding cannot hide or invent one). Pixel centres lie at distances 0, 1,
//! √2, 2, ... from its centre; the cut-off radius of each case falls well
//! between two of them (margins of 7% or more in alpha).

mod common;

use splatview::headless::render_cloud_with;
use splatview::reference::{render_reference, to_rgb8};
use splatview::render::Raster;
use splatview::scene::{AaMode, PinholeCamera, SplatCloud};

const SIDE: u32 = 33;
const FOCAL: f32 = 100.0;
const DEPTH: f32 = 10.0;
/// Pixel sigma after the classic dilation: sigma² + 0.3 = 2².
const SIGMA_PX: f32 = 2.0;

fn one_splat(opacity: f32) -> SplatCloud {
    let mut cloud = SplatCloud::zeroed(1, 0);
    cloud.positions[0] = [0.0, 0.0, DEPTH];
    let sigma_world = (SIGMA_PX * SIGMA_PX - 0.3).sqrt() * DEPTH / FOCAL;
    cloud.log_scales[0] = [sigma_world.ln(); 3];
    cloud.rotations[0] = [1.0, 0.0, 0.0, 0.0];
    cloud.opacity_logits[0] = (opacity / (1.0 - opacity)).ln();
    // Colour = 0.5 + C0 x dc = 100.
    cloud.sh_dc[0] = [99.5 / 0.282_094_8; 3];
    cloud
}

fn camera() -> PinholeCamera {
    PinholeCamera {
        fx: FOCAL,
        fy: FOCAL,
        // The splat projects onto the centre of pixel (16, 16).
        cx: 16.5,
        cy: 16.5,
        width: SIDE,
        height: SIDE,
        world_from_camera: glam::Mat4::IDENTITY,
    }
}

fn lit(image: &image::RgbImage) -> Vec<(u32, u32)> {
    image
        .enumerate_pixels()
        .filter(|(_, _, p)| p.0.iter().any(|&c| c > 0))
        .map(|(x, y, _)| (x, y))
        .collect()
}

#[test]
fn splats_near_the_visibility_threshold_light_exactly_the_reference_pixels() {
    let Some(ctx) = common::gpu() else { return };
    let camera = camera();
    // (opacity x 255, pixels lit): below 1/255 nothing; just above, the centre
    // only (cut-off radius 0.28 px); at 1.435/255 the 3x3 block (radius 1.70 px:
    // distance sqrt(2) keeps alpha 1.118/255, distance 2 has 0.870/255); at
    // 1.735/255 the 13 pixels within distance 2 (radius 2.10 px: distance 2
    // keeps 1.053/255, sqrt(5) has 0.929/255) -- a quad at k/sqrt(2) standard
    // deviations (radius 1.48 px) would miss the four at distance 2.
    for (scaled, expected) in [(0.99f32, 0), (1.01, 1), (1.435, 9), (1.735, 13)] {
        let cloud = one_splat(scaled / 255.0);
        let reference = to_rgb8(
            &render_reference(&cloud, &camera, [0.0; 3], AaMode::Classic),
            SIDE,
            SIDE,
        );
        let reference_lit = lit(&reference);
        assert_eq!(
            reference_lit.len(),
            expected,
            "reference at opacity {scaled}/255: {reference_lit:?}"
        );
        for raster in [Raster::Hardware, Raster::Compute] {
            let gpu = render_cloud_with(ctx, &cloud, &camera, [0.0; 3], raster).expect("render");
            let gpu_lit = lit(&gpu);
            eprintln!(
                "opacity {scaled}/255, {}: {} pixels lit (reference {})",
                raster.name(),
                gpu_lit.len(),
                reference_lit.len()
            );
            assert_eq!(
                gpu_lit,
                reference_lit,
                "opacity {scaled}/255, {}",
                raster.name()
            );
        }
    }
}
