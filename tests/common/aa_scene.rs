//! The anti-aliasing test scene: a wall of many small Gaussians, seen from near
//! (splats a few pixels wide: the modes barely differ) and from far (splats far
//! below a pixel: the modes differ most). Built in code, deterministic.

use std::f32::consts::TAU;

use glam::{Quat, Vec3};
use splatview::scene::{PinholeCamera, SplatCloud};

/// Splats per row and per column of the wall, 0.1 units apart.
const COLUMNS: usize = 250;
const ROWS: usize = 140;
const SPACING: f32 = 0.1;
/// Vertical field of view of both cameras (radians).
const FOV_Y: f32 = 0.9;

/// Deterministic splitmix64, uniform floats in [0, 1).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> f32 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) >> 40) as f32 / (1u64 << 24) as f32
    }

    fn range(&mut self, lo: f32, hi: f32) -> f32 {
        lo + (hi - lo) * self.next()
    }
}

/// 35,000 splats (SH degree 0) on a 25 x 14 wall in the plane z = 0 (jittered by
/// ±0.05 in depth), centred on the origin: standard deviations 0.01-0.04 per
/// axis, random rotations, opacities 0.4-1 and random colours, so the far view
/// is full of detail below a pixel.
pub fn wall_of_small_splats() -> SplatCloud {
    let mut rng = Rng(12);
    let mut cloud = SplatCloud::new(0);
    let half = Vec3::new(COLUMNS as f32, ROWS as f32, 0.0) * SPACING * 0.5;
    for row in 0..ROWS {
        for col in 0..COLUMNS {
            let jitter = Vec3::new(rng.range(-0.4, 0.4), rng.range(-0.4, 0.4), 0.0) * SPACING;
            let position = Vec3::new(col as f32, row as f32, 0.0) * SPACING - half
                + jitter
                + Vec3::Z * rng.range(-0.05, 0.05);
            cloud.positions.push(position.to_array());
            cloud
                .log_scales
                .push([(); 3].map(|_| rng.range(0.01, 0.04).ln()));
            let axis = Vec3::new(
                rng.range(-1.0, 1.0),
                rng.range(-1.0, 1.0),
                rng.range(-1.0, 1.0),
            );
            let q = Quat::from_axis_angle(axis.normalize_or(Vec3::X), rng.range(0.0, TAU));
            cloud.rotations.push([q.w, q.x, q.y, q.z]);
            let opacity = rng.range(0.4, 1.0);
            cloud.opacity_logits.push((opacity / (1.0 - opacity)).ln());
            // Colour c = 0.5 + SH_C0 f_dc: f_dc = (c - 0.5) / SH_C0.
            cloud
                .sh_dc
                .push([(); 3].map(|_| (rng.next() - 0.5) / 0.282_094_8));
        }
    }
    assert!(cloud.is_consistent());
    cloud
}

/// Camera on the -z side of the wall looking at its centre, at `distance`.
fn camera(distance: f32, width: u32, height: u32) -> PinholeCamera {
    // OpenCV axes: y down in the image; the wall's +y is down too.
    PinholeCamera::look_at(
        Vec3::new(0.0, 0.0, -distance),
        Vec3::ZERO,
        Vec3::NEG_Y,
        FOV_Y,
        width,
        height,
    )
}

/// Near: 1.3 units away; at 320 x 180 one standard deviation is 1.4-5.7 px and
/// about 2.2 x 1.3 units of the wall are in view.
pub fn near_camera(width: u32, height: u32) -> PinholeCamera {
    camera(1.3, width, height)
}

/// Far: 16 units away, the whole wall in view; at 320 x 180 one standard
/// deviation is 0.12-0.47 px and neighbouring splats are 1.2 px apart.
pub fn far_camera(width: u32, height: u32) -> PinholeCamera {
    camera(16.0, width, height)
}
