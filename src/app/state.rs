//! `AppState`: everything the viewer shows and the UI edits: the scene summary,
//! the camera rig, training cameras, the camera path, settings, messages, stats.
//! No wgpu or winit types: the UI tests drive it directly. Requests that need the
//! window shell (dialogs, loading, screenshots, quitting) are queued as `Effect`s.

use std::path::{Path, PathBuf};

use crate::controls::damping::Damping;
use crate::controls::fly::MoveKeys;
use crate::controls::path::{CameraPath, Keyframe};
use crate::controls::{CameraMode, CameraPose, CameraRig, PointerInput};
use crate::io::cameras_json::TrainingCamera;
use crate::render::LodSupport;

use crate::settings::{ScreenshotSize, Settings};

use super::command::Command;
use super::compare::CompareState;
use super::file_browser::FileBrowser;
use super::ground_truth::GroundTruth;
use super::objects::{ObjectEntry, ObjectId};
pub use super::status::{ExportStatus, LoadStatus, SceneInfo, Stats};

/// Which file dialog the shell should open.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialog {
    OpenScene,
    /// A file to add to the scene as another object.
    AddScene,
    /// A scene file to compare against (B).
    OpenSceneB,
    /// A dataset folder (COLMAP, 3DGS cameras.json + images, 3DGS output).
    OpenDataset,
    OpenCameras,
    LoadPath,
    SavePath,
    ExportVideo,
}

/// A request the UI makes of the window shell.
#[derive(Clone, Debug, PartialEq)]
pub enum Effect {
    Dialog(Dialog),
    /// The in-app file browser confirmed a file for this dialog.
    DialogChosen(Dialog, PathBuf),
    LoadScene(PathBuf),
    /// Add a file to the scene as another object.
    AddScene(PathBuf),
    CancelLoad,
    /// Evaluate the dataset's views (`GroundTruth::eval_split`) on a worker.
    Evaluate,
    CancelEvaluation,
    Screenshot {
        width: u32,
        height: u32,
    },
    /// Show a folder in the platform's file manager.
    OpenFolder(PathBuf),
    CancelExport,
    /// Stop the level-of-detail build in progress.
    CancelLodBuild,
    Quit,
}

/// The keyframed camera path and its playback.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PathEditor {
    pub path: CameraPath,
    pub file: Option<PathBuf>,
    pub playing: bool,
    /// Playback position, seconds.
    pub time: f32,
    pub selected: Option<usize>,
}

/// Training cameras (`cameras.json`) of the scene.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TrainingCameras {
    pub file: Option<PathBuf>,
    pub cameras: Vec<TrainingCamera>,
    pub selected: Option<usize>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct AppState {
    pub settings: Settings,
    pub rig: CameraRig,
    pub scene: Option<SceneInfo>,
    /// The scene's objects, in the order they were loaded.
    pub objects: Vec<ObjectEntry>,
    pub next_object_id: ObjectId,
    /// B and the compare view (`settings.compare` holds its persisted choices).
    pub compare: CompareState,
    /// The dataset open for ground-truth comparison and evaluation.
    pub dataset: Option<GroundTruth>,
    /// Whether the camera still shows the framing of the scene (the user has not
    /// moved it since): a streamed load then frames the complete scene again.
    pub camera_untouched: bool,
    pub training: TrainingCameras,
    pub path: PathEditor,
    pub loading: Option<LoadStatus>,
    /// Errors the user has not dismissed yet.
    pub errors: Vec<String>,
    /// Short confirmations ("screenshot saved to …"); each fades after a
    /// while (`notices.rs`), errors stay until dismissed.
    pub notices: Vec<String>,
    /// When each of `notices` was given; `None` keeps them (tests).
    pub notice_times: Option<super::notices::NoticeClock>,
    /// The file last saved (screenshot, video): its folder is what "Open
    /// folder" shows.
    pub last_saved: Option<PathBuf>,
    /// Where screenshots go when the settings name no folder
    /// (`settings::default_screenshot_dir`; tests point it elsewhere).
    pub default_screenshot_dir: PathBuf,
    /// The in-app file browser, when no native dialog could open.
    pub file_browser: Option<FileBrowser>,
    /// Text typed in the frame a dialog's shortcut was pressed, after it: the
    /// in-app browser's name field starts with it.
    pub typed_ahead: String,
    /// The video export in progress.
    pub export: Option<ExportStatus>,
    pub show_help: bool,
    pub stats: Stats,
    /// Which LOD settings the renderer honours.
    /// The hierarchical level of detail: build progress, cut stats.
    pub hierarchy: super::lod_status::LodStatus,
    pub lod_support: LodSupport,
    /// Size of the window's view in pixels.
    pub viewport: (u32, u32),
    /// Requests for the shell, taken each frame.
    pub effects: Vec<Effect>,
}

impl AppState {
    pub fn new(settings: Settings) -> Self {
        let settings = settings.sanitized();
        let viewport = (settings.window_size[0], settings.window_size[1]);
        let mut rig = CameraRig::new(
            settings.camera_mode,
            settings.up_axis,
            None,
            aspect(viewport),
        );
        rig.fov_y = settings.fov_y_degrees.to_radians();
        rig.fly_speed = settings.fly_speed;
        rig.damping = Damping {
            half_life: settings.smoothing_s,
        };
        let compare = CompareState::new(&rig);
        Self {
            settings,
            rig,
            scene: None,
            objects: Vec::new(),
            next_object_id: 1,
            compare,
            dataset: None,
            camera_untouched: true,
            training: TrainingCameras::default(),
            path: PathEditor::default(),
            loading: None,
            errors: Vec::new(),
            notices: Vec::new(),
            notice_times: Some(Default::default()),
            last_saved: None,
            default_screenshot_dir: crate::settings::default_screenshot_dir(),
            file_browser: None,
            typed_ahead: String::new(),
            export: None,
            show_help: false,
            stats: Stats::default(),
            hierarchy: Default::default(),
            lod_support: crate::render::Renderer::lod_support(),
            viewport,
            effects: Vec::new(),
        }
    }

    pub fn aspect(&self) -> f32 {
        aspect(self.viewport)
    }

    /// Installs a freshly loaded (or loading) scene and frames it.
    pub fn set_scene(&mut self, info: SceneInfo) {
        self.settings.add_recent(&info.path);
        self.scene = Some(info);
        self.frame_new_scene();
        // An open dataset's cameras stay (its scene may be opened after it).
        if self.dataset.is_none() {
            self.training = TrainingCameras::default();
        }
    }

    /// A scene of meshes alone was opened: most meshes are +Y up, so while the
    /// view is -Y up (3DGS's convention, the default) say how to flip it.
    pub fn hint_mesh_up(&mut self) {
        if self.rig.up() == crate::controls::UpAxis::NegY {
            self.notice(
                "Meshes are usually +Y up, and the view is -Y up (3DGS scenes): press U (Camera > Flip) if this one is upside down",
            );
        }
    }

    /// The view a scene opens with (`OrbitCamera::initial_view`, shared with
    /// `splatview render`), reached at once.
    pub fn frame_new_scene(&mut self) {
        let bounds = self.scene_bounds();
        self.rig.reset(bounds, self.aspect());
        self.rig.update(f32::INFINITY);
        self.camera_untouched = true;
    }

    /// A streamed load completed with `info` (final bounds): frames the whole
    /// scene, unless the user has moved the camera meanwhile.
    pub fn finish_scene(&mut self, info: SceneInfo) {
        self.scene = Some(info);
        if self.camera_untouched {
            self.frame_new_scene();
        }
    }

    /// Replaces the scene's info without moving the camera (a failed load
    /// restoring the previous scene, a reload after a device loss).
    pub fn update_scene(&mut self, info: SceneInfo) {
        self.scene = Some(info);
    }

    /// No scene (a failed first load).
    pub fn clear_scene(&mut self) {
        self.scene = None;
    }

    pub fn set_training_cameras(&mut self, file: PathBuf, cameras: Vec<TrainingCamera>) {
        self.training = TrainingCameras {
            file: Some(file),
            cameras,
            selected: None,
        };
    }

    /// Carries out one user action.
    pub fn execute(&mut self, command: Command) {
        if self.execute_compare(command) {
            return;
        }
        let bounds = self.scene_bounds();
        match command {
            Command::OpenScene => self.effects.push(Effect::Dialog(Dialog::OpenScene)),
            Command::AddScene => self.effects.push(Effect::Dialog(Dialog::AddScene)),
            Command::OpenSceneB => self.effects.push(Effect::Dialog(Dialog::OpenSceneB)),
            Command::OpenDataset => self.effects.push(Effect::Dialog(Dialog::OpenDataset)),
            Command::ToggleWireframe => self.settings.mesh.wireframe ^= true,
            Command::ToggleLod => self.settings.hierarchy.enabled ^= true,
            Command::FreezeLodCut => self.settings.hierarchy.freeze ^= true,
            Command::ColorByLevel => self.settings.hierarchy.color_by_level ^= true,
            Command::CancelLodBuild => self.effects.push(Effect::CancelLodBuild),
            Command::ToggleMeshLighting => {
                self.settings.mesh.shading = match self.settings.mesh.shading {
                    crate::settings::ShadingSetting::Lit => crate::settings::ShadingSetting::Unlit,
                    crate::settings::ShadingSetting::Unlit => crate::settings::ShadingSetting::Lit,
                }
            }
            Command::ToggleBackFaceCulling => self.settings.mesh.cull_back_faces ^= true,
            Command::OpenCameras => self.effects.push(Effect::Dialog(Dialog::OpenCameras)),
            Command::OpenRecent(i) => match self.settings.recent_files.get(i) {
                Some(path) => self.effects.push(Effect::LoadScene(path.clone())),
                None => self.notice("no recent file to open"),
            },
            Command::ClearRecent => self.settings.recent_files.clear(),
            Command::Screenshot => {
                let (width, height) = self.settings.screenshot_size.pixels(self.viewport);
                self.effects.push(Effect::Screenshot { width, height });
            }
            Command::Screenshot4k => {
                let (width, height) = ScreenshotSize::Uhd4k.pixels(self.viewport);
                self.effects.push(Effect::Screenshot { width, height });
            }
            Command::OpenScreenshotFolder => {
                let folder = self
                    .last_saved
                    .as_deref()
                    .and_then(Path::parent)
                    .map_or_else(|| self.screenshot_dir(), Path::to_owned);
                self.effects.push(Effect::OpenFolder(folder));
            }
            Command::Quit => self.effects.push(Effect::Quit),
            Command::CancelLoad => self.effects.push(Effect::CancelLoad),
            Command::ToggleOverlay => self.settings.show_overlay ^= true,
            Command::ToggleHelp => self.show_help ^= true,
            Command::ToggleFrusta => self.settings.show_frusta ^= true,
            Command::DismissMessages => {
                self.errors.clear();
                self.notices.clear();
                if let Some(times) = &mut self.notice_times {
                    times.0.clear();
                }
                self.last_saved = None;
                self.show_help = false;
            }
            Command::ShDegreeDown => {
                let cap = &mut self.settings.lod.sh_degree_cap;
                *cap = cap.saturating_sub(1);
            }
            Command::ShDegreeUp => {
                let cap = &mut self.settings.lod.sh_degree_cap;
                *cap = (*cap + 1).min(crate::scene::splats::MAX_SH_DEGREE);
            }
            Command::FrameScene => self.rig.frame(bounds, self.aspect()),
            Command::ResetCamera => self.rig.reset(bounds, self.aspect()),
            Command::OrbitMode => self.set_mode(CameraMode::Orbit),
            Command::FlyMode => self.set_mode(CameraMode::Fly),
            Command::TrackballMode => self.set_mode(CameraMode::Trackball),
            Command::FlipUp => self.set_up(self.rig.up().flipped()),
            Command::CycleUp => self.set_up(self.rig.up().next()),
            Command::FlyFaster => self.set_fly_speed(self.rig.fly_speed * 1.5),
            Command::FlySlower => self.set_fly_speed(self.rig.fly_speed / 1.5),
            Command::NextTrainingCamera => self.step_training_camera(1),
            Command::PreviousTrainingCamera => self.step_training_camera(-1),
            Command::AddKeyframe => self.add_keyframe(),
            Command::DeleteKeyframe => self.delete_keyframe(),
            Command::PlayPause => self.play_pause(),
            Command::ToggleLoop => self.path.path.looping ^= true,
            Command::ClearPath => {
                self.path.path.keyframes.clear();
                self.path.playing = false;
                self.path.selected = None;
            }
            Command::SavePath => {
                if self.path.path.is_empty() {
                    self.notice("the camera path has no keyframes to save");
                } else {
                    self.effects.push(Effect::Dialog(Dialog::SavePath));
                }
            }
            Command::LoadPath => self.effects.push(Effect::Dialog(Dialog::LoadPath)),
            Command::ExportVideo => {
                if self.export.is_some() {
                    self.notice("a video export is already running");
                } else if self.path.path.len() < 2 {
                    self.notice("add at least two keyframes (K) to export a video");
                } else {
                    self.effects.push(Effect::Dialog(Dialog::ExportVideo));
                }
            }
            Command::CancelExport => self.effects.push(Effect::CancelExport),
            // Handled by `execute_compare`.
            _ => {}
        }
    }

    pub fn set_mode(&mut self, mode: CameraMode) {
        self.rig.set_mode(mode);
        self.settings.camera_mode = mode;
    }

    fn set_up(&mut self, up: crate::controls::UpAxis) {
        self.rig.set_up(up);
        self.camera_untouched = false;
        self.settings.up_axis = up;
    }

    pub fn set_fly_speed(&mut self, speed: f32) {
        self.rig.fly_speed = speed.clamp(1e-3, 1e3);
        self.settings.fly_speed = self.rig.fly_speed;
    }

    /// Moves the camera to training camera `index` (with its field of view).
    pub fn jump_to_training_camera(&mut self, index: usize) {
        let Some(cam) = self.training.cameras.get(index) else {
            return;
        };
        let camera = cam.camera;
        let pose = CameraPose::from_world_from_camera(&camera.world_from_camera);
        // Turn about the scene centre's depth along the view, if it is in front.
        let centre = self
            .scene
            .as_ref()
            .and_then(|s| s.bounds)
            .map(|b| b.center());
        let depth = centre.map_or(0.0, |c| (c - pose.position).dot(pose.forward()));
        self.rig.fov_y = camera.fov_y();
        self.settings.fov_y_degrees = camera.fov_y().to_degrees();
        self.rig.set_pose(&pose, depth, false);
        self.camera_untouched = false;
        self.training.selected = Some(index);
    }

    fn step_training_camera(&mut self, step: isize) {
        let n = self.training.cameras.len();
        if n == 0 {
            self.notice(
                "no training cameras loaded (put cameras.json beside the scene or open one)",
            );
            return;
        }
        let next = match self.training.selected {
            Some(i) => (i as isize + step).rem_euclid(n as isize) as usize,
            None if step >= 0 => 0,
            None => n - 1,
        };
        self.jump_to_training_camera(next);
    }

    /// A keyframe of the current goal view, turning about the rig's pivot (the
    /// orbit target), so keyframes added around a subject orbit it.
    fn current_keyframe(&self) -> Keyframe {
        Keyframe::with_target(&self.rig.goal_pose(), self.rig.fov_y, self.rig.pivot())
    }

    fn add_keyframe(&mut self) {
        let keyframe = self.current_keyframe();
        let at = self.path.selected.map_or(self.path.path.len(), |i| i + 1);
        let at = at.min(self.path.path.len());
        self.path.path.keyframes.insert(at, keyframe);
        self.path.selected = Some(at);
    }

    fn delete_keyframe(&mut self) {
        let n = self.path.path.len();
        if n == 0 {
            return;
        }
        let i = self.path.selected.unwrap_or(n - 1).min(n - 1);
        self.path.path.keyframes.remove(i);
        self.path.selected = (!self.path.path.is_empty()).then(|| i.min(self.path.path.len() - 1));
    }

    /// Moves keyframe `index` one place earlier (`-1`) or later (`+1`).
    pub fn move_keyframe(&mut self, index: usize, step: isize) {
        let n = self.path.path.len();
        let target = index as isize + step;
        if index < n && (0..n as isize).contains(&target) {
            self.path.path.keyframes.swap(index, target as usize);
            self.path.selected = Some(target as usize);
        }
    }

    /// Replaces keyframe `index` with the current view.
    pub fn update_keyframe(&mut self, index: usize) {
        let keyframe = self.current_keyframe();
        if let Some(k) = self.path.path.keyframes.get_mut(index) {
            // Keep the keyframe's time.
            *k = Keyframe {
                time_s: k.time_s,
                ..keyframe
            };
        }
    }

    fn play_pause(&mut self) {
        if self.path.path.len() < 2 {
            self.notice("add at least two keyframes (K) to play a path");
            self.path.playing = false;
            return;
        }
        self.path.playing ^= true;
        if self.path.playing
            && !self.path.path.looping
            && self.path.time >= self.path.path.duration_s
        {
            self.path.time = 0.0;
        }
    }

    pub fn set_camera_path(&mut self, file: PathBuf, path: CameraPath) {
        self.path = PathEditor {
            path,
            file: Some(file),
            ..PathEditor::default()
        };
    }

    /// Routes one frame of 3D-view input to the camera.
    pub fn camera_input(&mut self, pointer: &PointerInput, keys: MoveKeys) {
        self.camera_input_for(pointer, keys, false);
    }

    /// Routes one frame of 3D-view input to A's camera, or to B's when
    /// `to_b` and the compare cameras are unlocked.
    pub fn camera_input_for(&mut self, pointer: &PointerInput, keys: MoveKeys, to_b: bool) {
        if to_b && self.comparing() && !self.settings.compare.lock_cameras {
            self.compare.b_rig.pointer(pointer);
            self.compare.b_rig.set_move_keys(keys);
            self.rig.set_move_keys(MoveKeys::default());
            return;
        }
        if self.comparing() && !self.settings.compare.lock_cameras {
            self.compare.b_rig.set_move_keys(MoveKeys::default());
        }
        let moved = *pointer
            != PointerInput {
                viewport_height: pointer.viewport_height,
                ..Default::default()
            }
            || keys.axes != glam::Vec3::ZERO;
        if moved {
            self.camera_untouched = false;
        }
        if moved && self.path.playing {
            // Taking the controls stops playback.
            self.path.playing = false;
        }
        self.rig.pointer(pointer);
        self.rig.set_move_keys(keys);
        if self.rig.mode() == CameraMode::Fly {
            self.settings.fly_speed = self.rig.fly_speed;
        }
    }

    /// Advances animations by `dt` seconds. True while something still moves, so the
    /// shell keeps drawing; false when the viewer may go idle.
    pub fn advance(&mut self, dt: f32) -> bool {
        let dt = if dt.is_finite() {
            dt.clamp(0.0, 1.0)
        } else {
            0.0
        };
        let mut animating = false;
        if self.path.playing {
            let path = &self.path.path;
            self.path.time += dt;
            if path.looping {
                self.path.time = self.path.time.rem_euclid(path.duration_s.max(1e-3));
            } else if self.path.time >= path.duration_s {
                self.path.time = path.duration_s;
                self.path.playing = false;
            }
            if let Some(sample) = path.sample(self.path.time) {
                self.rig.fov_y = sample.fov_y;
                let distance = self.rig.pose().position.distance(self.rig.pivot());
                self.rig.set_pose(&sample.pose, distance, true);
                self.camera_untouched = false;
            }
            animating |= self.path.playing;
        }
        animating |= self.rig.update(dt);
        if self.comparing() && !self.settings.compare.lock_cameras {
            animating |= self.compare.b_rig.update(dt);
        }
        animating | self.loading.is_some()
    }

    /// Keeps the settings in step with live values before they are saved.
    pub fn sync_settings(&mut self, window_size: (u32, u32)) {
        self.settings.window_size = [window_size.0, window_size.1];
        self.settings.fov_y_degrees = self.rig.fov_y.to_degrees();
        self.settings.camera_mode = self.rig.mode();
        self.settings.up_axis = self.rig.up();
        self.settings.fly_speed = self.rig.fly_speed;
    }

    pub fn scene_path(&self) -> Option<&Path> {
        self.scene.as_ref().map(|s| s.path.as_path())
    }

    /// The folder screenshots go to: the settings' `screenshot_dir`, else the
    /// platform default.
    pub fn screenshot_dir(&self) -> PathBuf {
        self.settings
            .screenshot_dir
            .clone()
            .unwrap_or_else(|| self.default_screenshot_dir.clone())
    }

    /// Opens the in-app file browser for `dialog` (no native dialog here).
    pub fn open_file_browser(&mut self, dialog: Dialog, start_dir: Option<PathBuf>) {
        let recent = self.settings.recent_folders.clone();
        let mut browser = FileBrowser::new(dialog, start_dir, recent);
        let typed = std::mem::take(&mut self.typed_ahead);
        if !typed.is_empty() {
            // Replaces a suggested name, as typing into the field does.
            browser.file_name = typed;
            browser.focus_file_name = true;
        }
        self.file_browser = Some(browser);
    }
}

fn aspect((width, height): (u32, u32)) -> f32 {
    width.max(1) as f32 / height.max(1) as f32
}
