//! Mouse wheel and trackpad scrolling: how far a scroll moves the camera.
//!
//! Scrolling is measured in notches (one click of a mouse wheel). egui reports
//! wheels in lines (one per notch) or pages, and trackpads and pixel wheels in
//! points; `POINTS_PER_NOTCH` converts. Zoom multiplies the orbit distance by
//! `ZOOM_PER_NOTCH` raised to the notches scrolled, so the result depends only
//! on the total scrolled: forty small trackpad deltas over many frames zoom
//! exactly as far as one notch of the same total, at any frame rate (the camera
//! then eases to the new distance with the frame-rate independent damping of
//! `damping`). 8% per notch: the former 15% (about 18-24% image growth per
//! notch) was steep for precise framing.

/// Points of trackpad or pixel-wheel scrolling that count as one notch.
pub const POINTS_PER_NOTCH: f32 = 50.0;
/// Notches in one page of scrolling.
pub const NOTCHES_PER_PAGE: f32 = 10.0;
/// Factor on the orbit distance per notch towards the scene.
pub const ZOOM_PER_NOTCH: f32 = 0.92;
/// Factor on the fly speed per notch.
pub const FLY_SPEED_PER_NOTCH: f32 = 1.1;

/// How a scroll delta is measured.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScrollUnit {
    Line,
    Page,
    Point,
}

/// Notches of a scroll `delta` (positive: away from the user, i.e. zoom in).
pub fn notches(unit: ScrollUnit, delta: f32) -> f32 {
    if !delta.is_finite() {
        return 0.0;
    }
    match unit {
        ScrollUnit::Line => delta,
        ScrollUnit::Page => delta * NOTCHES_PER_PAGE,
        ScrollUnit::Point => delta / POINTS_PER_NOTCH,
    }
}

/// Factor on the orbit distance for `notches` of scrolling.
pub fn zoom_factor(notches: f32) -> f32 {
    ZOOM_PER_NOTCH.powf(notches)
}

/// Factor on the fly speed for `notches` of scrolling.
pub fn fly_speed_factor(notches: f32) -> f32 {
    FLY_SPEED_PER_NOTCH.powf(notches)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::controls::rig::{CameraMode, CameraRig, PointerInput};
    use crate::controls::up_axis::UpAxis;

    /// Scrolls `total` notches in `pieces` equal deltas, one per frame of `dt`
    /// seconds, then lets the camera settle; returns the eye's distance to the
    /// pivot.
    fn scrolled_distance(mode: CameraMode, total: f32, pieces: usize, dt: f32) -> f32 {
        let mut rig = CameraRig::new(mode, UpAxis::NegY, None, 1.5);
        for _ in 0..pieces {
            rig.pointer(&PointerInput {
                scroll: total / pieces as f32,
                viewport_height: 720.0,
                ..Default::default()
            });
            rig.update(dt);
        }
        for _ in 0..100_000 {
            if !rig.update(dt) {
                break;
            }
        }
        rig.pose().position.distance(rig.pivot())
    }

    #[test]
    fn zoom_depends_only_on_the_total_scrolled() {
        for mode in [CameraMode::Orbit, CameraMode::Trackball] {
            let start = scrolled_distance(mode, 0.0, 1, 1.0 / 60.0);
            let one_notch = scrolled_distance(mode, 1.0, 1, 1.0 / 60.0);
            assert!(
                (one_notch / start - ZOOM_PER_NOTCH).abs() < 1e-3,
                "{mode:?}: one notch zooms by {}",
                one_notch / start
            );
            // A trackpad: forty small deltas, at 144 and at 20 frames per second.
            for (pieces, dt) in [(40, 1.0 / 144.0), (40, 1.0 / 20.0), (3, 1.0 / 30.0)] {
                let d = scrolled_distance(mode, 1.0, pieces, dt);
                assert!(
                    (d - one_notch).abs() < 1e-3 * one_notch,
                    "{mode:?} {pieces} x {dt}: {d} vs {one_notch}"
                );
            }
            // Out and back in again.
            let there_and_back = {
                let mut rig = CameraRig::new(mode, UpAxis::NegY, None, 1.5);
                let before = rig.pose().position.distance(rig.pivot());
                for scroll in [2.5, -1.0, -1.5] {
                    rig.pointer(&PointerInput {
                        scroll,
                        viewport_height: 720.0,
                        ..Default::default()
                    });
                }
                for _ in 0..100_000 {
                    if !rig.update(1.0 / 60.0) {
                        break;
                    }
                }
                rig.pose().position.distance(rig.pivot()) / before
            };
            assert!((there_and_back - 1.0).abs() < 1e-3, "{there_and_back}");
        }
    }

    #[test]
    fn units_convert_to_notches() {
        assert_eq!(notches(ScrollUnit::Line, 1.0), 1.0);
        assert_eq!(notches(ScrollUnit::Point, 50.0), 1.0);
        assert_eq!(notches(ScrollUnit::Page, -1.0), -10.0);
        assert_eq!(notches(ScrollUnit::Point, f32::NAN), 0.0);
        // Gentler than the former 0.85 per notch.
        assert!(zoom_factor(1.0) > 0.85 && zoom_factor(1.0) < 1.0);
        assert!((fly_speed_factor(2.0) - 1.21).abs() < 1e-5);
    }
}
