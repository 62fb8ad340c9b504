//! Comparing two sources, A and B, in the window: the UI side (no wgpu types).
//!
//! A is always the scene as the window shows it (every visible object, the
//! window's render settings). B is one of: another scene file, this scene with
//! other render settings (`settings.compare.b_lod`: SH cap, anti-aliasing,
//! splat budget, rasterizer, sort key bits, ...), or the ground-truth photo of
//! the selected training camera (a dataset must be open). The layouts and their
//! persisted choices are in `settings::compare`; the GPU side
//! (`app::compare_view`) renders each source into its own `SplatView` and the
//! overlay (`ui::compare_view`) composes them.
//!
//! Cameras are locked by default: B is drawn from A's camera. Unlocked, B has
//! its own rig, which drags on B's side of a split or side-by-side view move
//! (or every drag and key, with "move B" on). With a photo the camera is the
//! training camera's, exactly (its size and intrinsics), as `splatview eval`
//! renders it.

use std::path::PathBuf;

use glam::{Quat, Vec3};

use super::command::Command;
use super::state::{AppState, Effect};
use crate::controls::CameraRig;
use crate::metrics::ImageMetrics;
use crate::scene::{PinholeCamera, SceneBounds, Similarity};
use crate::settings::{CompareLayout, CompareSettings, DiffMap};

/// What B is.
#[derive(Clone, Debug, PartialEq)]
pub enum BSource {
    /// A scene file (splats, a mesh or a point cloud).
    Scene(PathBuf),
    /// This scene with `settings.compare.b_lod`.
    Settings,
    /// The photo of the selected training camera.
    Photo,
}

impl BSource {
    pub fn label(&self) -> String {
        match self {
            Self::Scene(path) => path.file_name().map_or_else(
                || path.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            ),
            Self::Settings => "this scene, B's render settings".to_owned(),
            Self::Photo => "ground-truth photo".to_owned(),
        }
    }
}

/// B's scene once loaded (a `BSource::Scene`).
#[derive(Clone, Debug, PartialEq)]
pub struct BScene {
    pub name: String,
    pub summary: String,
    /// Bounds in B's file coordinates (before `b_placement`).
    pub bounds: Option<SceneBounds>,
}

/// The live metrics of the view: measured on a worker thread from a settled
/// frame; shown only while the frame they were measured on is the one shown.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LiveMetrics {
    /// Identifies the A and B images on screen now (`None`: nothing to measure).
    pub current: Option<u64>,
    /// The images the values belong to.
    pub measured: Option<u64>,
    pub values: Option<ImageMetrics>,
    /// Worker milliseconds of the last measurement (PSNR + SSIM + FLIP).
    pub worker_ms: Option<f64>,
    pub error: Option<String>,
}

impl LiveMetrics {
    /// The values, when they belong to the images on screen.
    pub fn fresh(&self) -> Option<ImageMetrics> {
        (self.current.is_some() && self.current == self.measured)
            .then_some(self.values)
            .flatten()
    }
}

/// The compare view's state (the persisted choices are in
/// `settings.compare`).
#[derive(Clone, Debug, PartialEq)]
pub struct CompareState {
    /// `None`: no comparison, the window shows A alone as usual.
    pub b: Option<BSource>,
    pub b_scene: Option<BScene>,
    /// Single and flicker layouts: B is the one shown.
    pub showing_b: bool,
    /// Seconds since the flicker last switched.
    pub flicker_clock: f32,
    /// B's camera while the cameras are unlocked.
    pub b_rig: CameraRig,
    /// Unlocked, in the single, flicker and difference layouts: input moves B.
    pub move_b: bool,
    /// Moves B's scene onto A's axes ("align B to A"): identity or a turn.
    pub b_placement: Similarity,
    pub metrics: LiveMetrics,
    /// The part of the window the layouts use, in pixels (width, height): the
    /// window less the overlay's panels, set by the overlay each frame; the
    /// images are rendered at this size. `None` until the overlay ran.
    pub area_px: Option<(u32, u32)>,
}

impl CompareState {
    pub fn new(rig: &CameraRig) -> Self {
        Self {
            b: None,
            b_scene: None,
            showing_b: false,
            flicker_clock: 0.0,
            b_rig: rig.clone(),
            move_b: false,
            b_placement: Similarity::IDENTITY,
            metrics: LiveMetrics::default(),
            area_px: None,
        }
    }
}

/// The turns "align B to A" chooses from: none, and the up-axis flips between
/// the conventions scenes come in (OpenCV/COLMAP y-down against y-up: 180
/// degrees about x; PlayCanvas's view of 3DGS files: 180 degrees about z).
pub fn alignment_candidates() -> [(&'static str, Similarity); 3] {
    let turn = |axis: Vec3| Similarity {
        rotation: Quat::from_axis_angle(axis, std::f32::consts::PI),
        ..Similarity::IDENTITY
    };
    [
        ("as loaded", Similarity::IDENTITY),
        ("up axis flipped (180 degrees about x)", turn(Vec3::X)),
        ("turned 180 degrees about z", turn(Vec3::Z)),
    ]
}

/// How well two boxes overlap: intersection volume over union volume.
pub fn overlap(a: &SceneBounds, b: &SceneBounds) -> f32 {
    let volume = |min: Vec3, max: Vec3| {
        let d = (max - min).max(Vec3::ZERO);
        d.x * d.y * d.z
    };
    let inter = volume(a.min.max(b.min), a.max.min(b.max));
    let union = volume(a.min, a.max) + volume(b.min, b.max) - inter;
    if union > 0.0 { inter / union } else { 0.0 }
}

/// The candidate that lays `b` best onto `a`, with its name.
pub fn best_alignment(a: &SceneBounds, b: &SceneBounds) -> (&'static str, Similarity) {
    let mut best = alignment_candidates()[0];
    let mut best_score = -1.0;
    for (name, placement) in alignment_candidates() {
        let score = overlap(a, &super::objects::placed_box(b, &placement));
        // Prefer the earlier candidate on ties (no turn when it makes no difference).
        if score > best_score + 1e-4 {
            best = (name, placement);
            best_score = score;
        }
    }
    best
}

impl AppState {
    /// Carries out a Compare command; false for the other commands.
    pub(super) fn execute_compare(&mut self, command: Command) -> bool {
        let settings = &mut self.settings.compare;
        match command {
            Command::CompareWithSettings => self.set_b(BSource::Settings),
            Command::CompareWithPhoto => self.set_b(BSource::Photo),
            Command::StopComparing => self.stop_comparing(),
            Command::LayoutSingle => self.set_layout(CompareLayout::Single),
            Command::LayoutSideBySide => self.set_layout(CompareLayout::SideBySide),
            Command::LayoutSplit => self.set_layout(CompareLayout::Split),
            Command::LayoutFlicker => self.set_layout(CompareLayout::Flicker),
            Command::LayoutDifference => self.set_layout(CompareLayout::Difference),
            Command::ShowOther => self.show_other(),
            Command::SwapAB => self.swap_a_and_b(),
            Command::ToggleSplitDirection => settings.split_vertical ^= true,
            Command::ToggleDiffMap => {
                settings.diff_map = match settings.diff_map {
                    DiffMap::AbsDifference => DiffMap::Flip,
                    DiffMap::Flip => DiffMap::AbsDifference,
                }
            }
            Command::DiffScaleUp => settings.diff_scale = (settings.diff_scale * 1.5).min(1.0),
            Command::DiffScaleDown => {
                settings.diff_scale =
                    (settings.diff_scale / 1.5).max(CompareSettings::MIN_DIFF_SCALE)
            }
            Command::ToggleLockCameras => {
                let locked = !settings.lock_cameras;
                self.set_cameras_locked(locked);
            }
            Command::AlignBToA => self.align_b_to_a(),
            Command::ToggleLiveMetrics => settings.live_metrics ^= true,
            Command::EvaluateDataset => {
                if self.dataset.is_none() {
                    self.notice("open a dataset first (File > Open dataset)");
                } else {
                    self.effects.push(Effect::Evaluate);
                }
            }
            Command::CancelEvaluation => self.effects.push(Effect::CancelEvaluation),
            Command::WorstView => self.go_to_worst_view(),
            Command::SortByPsnr => {
                if let Some(truth) = &mut self.dataset {
                    truth.sort_by_psnr ^= true;
                } else {
                    self.notice("open a dataset first (File > Open dataset)");
                }
            }
            _ => return false,
        }
        true
    }

    /// Whether B is set (the compare layouts apply).
    pub fn comparing(&self) -> bool {
        self.compare.b.is_some()
    }

    /// Sets B (the GPU side loads what it needs); the cameras start locked to
    /// A's if the settings say so.
    pub fn set_b(&mut self, source: BSource) {
        if !matches!(source, BSource::Scene(_)) {
            self.compare.b_scene = None;
            self.compare.b_placement = Similarity::IDENTITY;
        }
        if source == BSource::Photo && self.dataset.is_none() {
            // Keeps what B is: without a dataset there is no photo to show.
            self.notice(
                "B is the photo of the selected training camera: open a dataset first (File > Open dataset)",
            );
            return;
        }
        self.compare.b = Some(source);
        self.compare.b_rig = self.rig.clone();
        self.compare.metrics = Default::default();
    }

    /// A becomes B and B becomes A: the two render settings trade places, or
    /// the two scene files (both load again; A must be one file). A photo
    /// cannot be A.
    pub fn swap_a_and_b(&mut self) {
        match self.compare.b.clone() {
            None => self.notice("nothing to swap: compare with something first (B, Ctrl+B)"),
            Some(BSource::Photo) => self.notice("B is a photo: it cannot be A"),
            Some(BSource::Settings) => {
                std::mem::swap(&mut self.settings.lod, &mut self.settings.compare.b_lod);
                self.compare.metrics = Default::default();
            }
            Some(BSource::Scene(b)) => match self.objects.as_slice() {
                [a] => {
                    let a = a.path.clone();
                    self.effects.push(Effect::LoadScene(b));
                    self.effects
                        .push(Effect::DialogChosen(super::state::Dialog::OpenSceneB, a));
                }
                objects => self.notice(format!(
                    "A holds {} objects: swapping needs A to be one file",
                    objects.len()
                )),
            },
        }
    }

    /// Back to A alone.
    pub fn stop_comparing(&mut self) {
        self.compare.b = None;
        self.compare.b_scene = None;
        self.compare.showing_b = false;
        self.compare.metrics = Default::default();
    }

    pub fn set_layout(&mut self, layout: CompareLayout) {
        self.settings.compare.layout = layout;
        self.compare.flicker_clock = 0.0;
    }

    /// Single and flicker layouts: show the other source now.
    pub fn show_other(&mut self) {
        self.compare.showing_b ^= true;
        self.compare.flicker_clock = 0.0;
    }

    /// Locks or unlocks the cameras; locking snaps B back to A's camera,
    /// unlocking starts B's own camera where A's is.
    pub fn set_cameras_locked(&mut self, locked: bool) {
        self.settings.compare.lock_cameras = locked;
        self.compare.b_rig = self.rig.clone();
        if locked {
            self.compare.move_b = false;
        }
    }

    /// Moves B's scene onto A's axes: of "as loaded", "up axis flipped" and "turned
    /// about z", the one whose bounds overlap A's most; locks the cameras.
    pub fn align_b_to_a(&mut self) {
        let a = self.scene_bounds();
        let b = self.compare.b_scene.as_ref().and_then(|s| s.bounds);
        match (&self.compare.b, a, b) {
            (Some(BSource::Scene(_)), Some(a), Some(b)) => {
                let (name, placement) = best_alignment(&a, &b);
                self.compare.b_placement = placement;
                self.notice(format!("B aligned to A: {name}"));
            }
            (Some(BSource::Scene(_)), _, _) => {
                self.notice("align B to A: B's scene has not loaded yet");
            }
            _ => self.notice("align B to A needs a scene file as B (File > Open as B)"),
        }
        self.set_cameras_locked(true);
    }

    /// The camera B is drawn from at `width x height` (A's unless unlocked).
    pub fn b_camera(&self, width: u32, height: u32) -> PinholeCamera {
        if self.settings.compare.lock_cameras {
            self.rig.camera(width, height)
        } else {
            self.compare.b_rig.camera(width, height)
        }
    }

    /// The training camera and photo B shows, when B is a photo and the
    /// selected camera has one.
    pub fn selected_photo(&self) -> Option<(PinholeCamera, PathBuf)> {
        let index = self.training.selected?;
        let camera = self.training.cameras.get(index)?.camera;
        let photo = self.dataset.as_ref()?.views.get(index)?.photo.clone()?;
        Some((camera, photo))
    }

    /// Advances the flicker by `dt` seconds; returns the seconds until the next
    /// switch while flickering.
    pub fn advance_flicker(&mut self, dt: f32) -> Option<f32> {
        if !self.comparing() || self.settings.compare.layout != CompareLayout::Flicker {
            return None;
        }
        let period = 1.0 / self.settings.compare.clamped().flicker_hz;
        self.compare.flicker_clock += dt;
        if self.compare.flicker_clock >= period {
            self.compare.showing_b ^= true;
            self.compare.flicker_clock = self.compare.flicker_clock.rem_euclid(period);
        }
        Some((period - self.compare.flicker_clock).max(1e-3))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alignment_finds_the_flip_of_a_flipped_box() {
        let a = SceneBounds {
            min: Vec3::new(-1.0, -3.0, 0.0),
            max: Vec3::new(1.0, 0.5, 2.0),
        };
        let (_, flip) = alignment_candidates()[1];
        let b = super::super::objects::placed_box(&a, &flip);
        let (name, found) = best_alignment(&a, &b);
        assert_eq!(found, flip, "{name}");
        let (name, same) = best_alignment(&a, &a);
        assert_eq!(same, Similarity::IDENTITY, "{name}");
        assert!((overlap(&a, &a) - 1.0).abs() < 1e-6);
    }

    #[test]
    fn the_photo_without_a_dataset_keeps_b() {
        let mut state = AppState::new(crate::settings::Settings::default());
        let b = BSource::Scene("/scenes/b.splat".into());
        state.set_b(b.clone());
        state.execute(Command::CompareWithPhoto);
        assert_eq!(state.compare.b, Some(b), "B is kept");
        assert!(state.notices.iter().any(|n| n.contains("open a dataset")));
    }
}
