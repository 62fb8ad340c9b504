//! The viewer's side of the UI's requests (`Effect`s) and of background
//! results: dialogs, dropped files, screenshots, saving settings. Loads are in
//! `object_loads`.

use std::path::{Path, PathBuf};

use super::core::ViewerCore;
use super::dialogs::DialogOutcome;
use super::screenshot::{ShotRequest, ShotSink, next_path};
use super::state::{Dialog, Effect};
use crate::controls::path::CameraPath;
use crate::io::cameras_json::{load_cameras_json, parse_cameras_json};

impl ViewerCore {
    /// Records the screenshot due this frame (a queued one, or one to render
    /// again), if any.
    pub(super) fn record_screenshot(&mut self, encoder: &mut wgpu::CommandEncoder) -> bool {
        let request = if self.screenshots.in_flight() {
            // Only a shot whose tiles overflowed (seen in `take_reports`) renders
            // again while in flight.
            match std::mem::take(&mut self.shot_retry) {
                true => self.screenshots.retry(),
                false => None,
            }
        } else {
            self.screenshots.queued()
        };
        let Some(request) = request else {
            return false;
        };
        // An offline frame draws the converged cut for its own camera.
        self.update_lod_offline(&request.camera);
        let color_by_level = self.state.settings.hierarchy.color_by_level;
        let result = self.scene_view.encode_shot(
            &self.gpu,
            encoder,
            &request.camera,
            &request.lod,
            request.background,
            &request.mesh,
            self.lod.draw(color_by_level),
        );
        match (result, self.scene_view.shot_texture()) {
            (Ok(()), Some(texture)) => {
                self.screenshots
                    .recorded(&self.gpu.device, encoder, texture);
                true
            }
            (Err(err), _) => {
                self.screenshots.drop_current();
                self.state.error(format!("screenshot failed: {err}"));
                false
            }
            (Ok(()), None) => false,
        }
    }

    /// Carries out the UI's requests; true when the user asked to quit.
    pub(super) fn handle_effects(&mut self) -> bool {
        let mut quit = false;
        for effect in std::mem::take(&mut self.state.effects) {
            match effect {
                Effect::Dialog(dialog) => {
                    let start = self.dialog_start_dir();
                    if self.native_dialogs_missing {
                        self.state.open_file_browser(dialog, start);
                    } else {
                        super::dialogs::spawn(
                            dialog,
                            start,
                            self.native_dialogs.clone(),
                            self.waker.clone(),
                        );
                    }
                }
                Effect::DialogChosen(dialog, path) => {
                    self.dialog_closed(dialog, DialogOutcome::Chosen(path));
                }
                Effect::LoadScene(path) => self.open_scene(path),
                Effect::AddScene(path) => self.add_scene(path),
                Effect::CancelLoad => self.cancel_load(),
                Effect::Evaluate => self.start_evaluation(),
                Effect::CancelEvaluation => self.cancel_evaluation(),
                Effect::Screenshot { width, height } => self.screenshot(width, height),
                Effect::OpenFolder(dir) => self.open_folder(&dir),
                Effect::CancelExport => self.cancel_export(),
                Effect::CancelLodBuild => self.lod.cancel(),
                Effect::Quit => quit = true,
            }
        }
        // Typed ahead of a dialog: taken by the in-app browser if one opened.
        self.state.typed_ahead.clear();
        quit
    }

    /// Where dialogs start: the scene's folder, else the most recent folder.
    fn dialog_start_dir(&self) -> Option<PathBuf> {
        self.state
            .scene_path()
            .and_then(Path::parent)
            .map(Path::to_owned)
            .or_else(|| self.state.settings.recent_folders.first().cloned())
    }

    /// A file dialog closed. When no native dialog could open, the in-app file
    /// browser opens instead (and native dialogs are not tried again).
    pub fn dialog_closed(&mut self, dialog: Dialog, outcome: DialogOutcome) {
        let path = match outcome {
            DialogOutcome::Chosen(path) => path,
            DialogOutcome::Cancelled => return,
            DialogOutcome::Unavailable => {
                self.native_dialogs_missing = true;
                self.state.notice(
                    "No native file dialog here (it needs xdg-desktop-portal or zenity): using splatview's file browser",
                );
                let start = self.dialog_start_dir();
                self.state.open_file_browser(dialog, start);
                return;
            }
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            self.state.settings.add_recent_folder(dir);
        }
        match dialog {
            Dialog::OpenScene => self.open_scene(path),
            Dialog::AddScene => self.add_scene(path),
            Dialog::OpenSceneB => self.open_b(path),
            Dialog::OpenDataset => self.open_dataset(&path),
            Dialog::OpenCameras => match load_cameras_json(&path) {
                Ok(cameras) => self.state.set_training_cameras(path, cameras),
                Err(err) => self.state.error(err.to_string()),
            },
            Dialog::LoadPath => match CameraPath::load(&path) {
                Ok(camera_path) => self.state.set_camera_path(path, camera_path),
                Err(err) => self.state.error(err.to_string()),
            },
            Dialog::SavePath => match self.state.path.path.save(&path) {
                Ok(()) => {
                    self.state
                        .notice(format!("saved camera path to {}", path.display()));
                    self.state.path.file = Some(path);
                }
                Err(err) => self.state.error(err.to_string()),
            },
            Dialog::ExportVideo => self.start_video_export(path),
        }
    }

    /// Shows `dir` in the platform's file manager (created first, so the
    /// screenshot folder can be opened before the first shot). `open` runs the
    /// platform's opener (xdg-open, gio, … on Linux; `open` on macOS;
    /// ShellExecute on Windows) without waiting for it.
    fn open_folder(&mut self, dir: &Path) {
        if let Err(err) = std::fs::create_dir_all(dir) {
            self.state.error(format!(
                "{}: cannot create the folder: {err}",
                dir.display()
            ));
            return;
        }
        match open::that_detached(dir) {
            Ok(()) => self.state.notice(format!("opened {}", dir.display())),
            Err(err) => self.state.error(format!(
                "{}: cannot open the folder in a file manager: {err}",
                dir.display()
            )),
        }
    }

    /// A file dropped onto the window: a camera path or cameras.json (by content),
    /// otherwise a scene, which replaces the scene, or with Shift held is added
    /// to it, or with Ctrl held becomes B. A dropped folder is a dataset when it
    /// looks like one (else a SOG scene).
    pub fn dropped(&mut self, path: PathBuf) {
        self.dropped_with(path, egui::Modifiers::NONE);
    }

    /// [`Self::dropped`] with the modifier keys held at the drop.
    pub fn dropped_with(&mut self, path: PathBuf, modifiers: egui::Modifiers) {
        if path.is_dir() && crate::dataset::open_dataset(&path, None).is_ok() {
            self.open_dataset(&path);
            return;
        }
        let is_json = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"));
        let is_sog_meta = path
            .file_name()
            .is_some_and(|n| n.eq_ignore_ascii_case("meta.json"));
        if !is_json || is_sog_meta {
            if modifiers.shift {
                self.add_scene(path);
            } else if modifiers.command || modifiers.ctrl {
                self.open_b(path);
            } else {
                self.open_scene(path);
            }
            return;
        }
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(err) => {
                self.state
                    .error(format!("{}: cannot read file: {err}", path.display()));
                return;
            }
        };
        if text.trim_start().starts_with('[') {
            match parse_cameras_json(&path, &text) {
                Ok(cameras) => self.state.set_training_cameras(path, cameras),
                Err(err) => self.state.error(err.to_string()),
            }
        } else {
            match CameraPath::from_json(&path, &text) {
                Ok(camera_path) => self.state.set_camera_path(path, camera_path),
                Err(err) => self.state.error(err.to_string()),
            }
        }
    }

    fn screenshot(&mut self, width: u32, height: u32) {
        if self.state.scene.is_none() {
            self.state.notice("nothing to screenshot: no scene loaded");
            return;
        }
        if let Err(err) = self.gpu.check_image_size(width, height) {
            self.state.error(format!("screenshot: {err}"));
            return;
        }
        let dir = self.state.screenshot_dir();
        let dir = std::path::absolute(&dir).unwrap_or(dir);
        if let Err(err) = std::fs::create_dir_all(&dir) {
            self.state.error(format!(
                "screenshot: cannot create the folder {}: {err}",
                dir.display()
            ));
            return;
        }
        let name = self
            .state
            .scene
            .as_ref()
            .map_or("splatview", |s| s.name.as_str());
        if self.state.comparing() {
            // What is compared, at the size shown: A, B, |A - B| and FLIP, as
            // `splatview compare` writes them.
            let folder = super::screenshot::next_compare_dir(&dir, name);
            self.state.notice(format!(
                "saving A, B and their difference maps to {} …",
                folder.display()
            ));
            self.compare_shot = Some(folder);
            return;
        }
        let out = next_path(&dir, name);
        self.screenshots.request(ShotRequest {
            camera: self.state.rig.camera(width, height),
            background: self.state.settings.background,
            lod: self.state.settings.lod.clamped(),
            mesh: self.state.settings.mesh.params(),
            sink: ShotSink::Png(out.clone()),
        });
        self.state.notice(format!(
            "rendering a {width}x{height} screenshot to {} …",
            out.display()
        ));
    }

    pub fn screenshot_done(&mut self, result: Result<PathBuf, String>) {
        match result {
            Ok(path) => {
                self.state
                    .notice(format!("screenshot saved to {}", path.display()));
                self.state.last_saved = Some(path);
            }
            Err(err) => self.state.error(err),
        }
    }

    /// Saves the settings (with the window's size) where they were loaded from.
    pub fn save_settings(&mut self) {
        let size = self.state.viewport;
        self.state.sync_settings(size);
        if let Some(path) = &self.settings_path
            && let Err(err) = self.state.settings.save(path)
        {
            log::warn!("{err}");
        }
    }
}
