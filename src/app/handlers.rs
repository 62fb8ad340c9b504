//! The viewer's side of the UI's requests (`Effect`s) and of background
//! results: dialogs, loads, dropped files, screenshots, saving settings.

use std::path::{Path, PathBuf};

use super::core::ViewerCore;
use super::dialogs::DialogOutcome;
use super::loading::{LoadJob, cameras_beside};
use super::screenshot::{ShotRequest, ShotSink, next_path};
use super::state::{Dialog, Effect, LoadStatus, SceneInfo};
use crate::controls::path::CameraPath;
use crate::io::cameras_json::{load_cameras_json, parse_cameras_json};
use crate::io::stream::LoadMessage;
use crate::scene::{AaMode, SceneBounds, SplatCloud};

impl ViewerCore {
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
                Effect::CancelLoad => self.cancel_load(),
                Effect::Screenshot { width, height } => self.screenshot(width, height),
                Effect::OpenFolder(dir) => self.open_folder(&dir),
                Effect::CancelExport => self.cancel_export(),
                Effect::Quit => quit = true,
            }
        }
        quit
    }

    /// Starts loading `path` in the background (the current scene stays until the
    /// new one's first chunk arrives) and frames it. A load already running is
    /// cancelled.
    pub fn open_scene(&mut self, path: PathBuf) {
        self.start_load(path, true);
    }

    /// `open_scene`, framing the new scene only if `reframe`.
    pub(super) fn start_load(&mut self, path: PathBuf, reframe: bool) {
        if let Some(old) = self.load.take() {
            old.cancel();
            self.abort_load(old);
        }
        self.load = Some(LoadJob::spawn(path.clone(), self.waker.clone(), reframe));
        self.state.loading = Some(LoadStatus {
            path,
            elapsed: Default::default(),
            fraction: None,
            splats_loaded: 0,
            total_splats: None,
            bytes_read: 0,
            file_bytes: 0,
        });
    }

    /// Cancels the running load (the previous scene comes back).
    pub fn cancel_load(&mut self) {
        if let Some(job) = self.load.take() {
            job.cancel();
            self.abort_load(job);
            self.state.loading = None;
        }
    }

    /// Puts back the scene shown before `job` started, if the job had replaced it.
    fn abort_load(&mut self, job: LoadJob) {
        if !job.switched {
            return;
        }
        self.scene_view.abort_stream();
        self.generation += 1;
        self.scene_view.set_generation(self.generation);
        match job.previous {
            Some(info) => self.state.update_scene(info),
            None => self.state.clear_scene(),
        }
    }

    /// Drains the loader's messages: progress, chunks (uploaded at once), the end.
    pub fn pump_load(&mut self) {
        let Some(mut job) = self.load.take() else {
            return;
        };
        let mut done = false;
        while let Some(message) = job.stream.try_recv() {
            match message {
                LoadMessage::Progress(p) => {
                    if let Some(status) = &mut self.state.loading {
                        status.fraction = Some(if p.file_bytes == 0 {
                            0.0
                        } else if p.total_splats > 0 {
                            // Reading is fast; decoding is the long part.
                            0.2 * (p.bytes_read as f32 / p.file_bytes as f32)
                                + 0.8 * (p.splats_decoded as f32 / p.total_splats as f32)
                        } else {
                            0.2 * (p.bytes_read as f32 / p.file_bytes as f32)
                        });
                        status.splats_loaded = p.splats_decoded as u64;
                        status.bytes_read = p.bytes_read;
                        status.file_bytes = p.file_bytes;
                        status.total_splats = (p.total_splats > 0).then_some(p.total_splats as u64);
                    }
                }
                LoadMessage::Started {
                    format,
                    total_splats,
                    sh_degree,
                    aa_hint,
                    ..
                } => {
                    job.total_splats = Some(total_splats);
                    job.format = Some(format.to_string());
                    job.cloud = SplatCloud::new(sh_degree);
                    job.cloud.set_aa_hint(aa_hint);
                    job.cloud.reserve(total_splats);
                }
                LoadMessage::Chunk { splats, .. } => {
                    if !job.switched {
                        // First chunk: switch the GPU side to the new scene.
                        let total = job.total_splats.unwrap_or(splats.len());
                        if let Err(err) = self.scene_view.begin_stream(
                            &self.gpu.device,
                            total,
                            job.cloud.sh_degree,
                            cloud_aa_mode(&job.cloud),
                        ) {
                            self.state.error(format!(
                                "{}: cannot show this scene: {err}",
                                job.path.display()
                            ));
                            job.cancel();
                            self.state.loading = None;
                            return;
                        }
                        job.previous = self.state.scene.clone();
                        job.switched = true;
                        job.cloud.append(&splats);
                        self.generation += 1;
                        self.scene_view.set_generation(self.generation);
                        let info = self.scene_info(&job, None);
                        if job.reframe {
                            self.state.set_scene(info);
                        } else {
                            self.state.update_scene(info);
                        }
                        self.state.stats.visible_splats = None;
                    } else {
                        job.cloud.append(&splats);
                    }
                    if let Err(err) = self.scene_view.append_chunk(&self.gpu.queue, &splats) {
                        self.state.error(format!("{}: {err}", job.path.display()));
                    }
                    self.generation += 1;
                    self.scene_view.set_generation(self.generation);
                }
                LoadMessage::Finished { elapsed } => {
                    log::info!(
                        "loaded {}: {} splats, SH degree {} in {:.2} s",
                        job.path.display(),
                        job.cloud.len(),
                        job.cloud.sh_degree,
                        elapsed.as_secs_f32()
                    );
                    self.finish_load(&mut job);
                    done = true;
                    break;
                }
                LoadMessage::Failed(err) => {
                    self.state.error(err.to_string());
                    self.abort_load(job);
                    self.state.loading = None;
                    return;
                }
                LoadMessage::Cancelled => {
                    self.abort_load(job);
                    self.state.loading = None;
                    return;
                }
            }
        }
        if done {
            self.state.loading = None;
        } else {
            self.load = Some(job);
        }
    }

    fn scene_info(&self, job: &LoadJob, gpu_bytes: Option<u64>) -> SceneInfo {
        let path = job.path.clone();
        SceneInfo {
            name: path.file_name().map_or_else(
                || path.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            ),
            format: job.format.clone().unwrap_or_else(|| "unknown".into()),
            splat_count: job.total_splats.unwrap_or(job.cloud.len()),
            sh_degree: job.cloud.sh_degree,
            aa_mode: cloud_aa_mode(&job.cloud),
            bounds: SceneBounds::robust(&job.cloud),
            gpu_bytes,
            path,
        }
    }

    /// The load ended well: final scene info (framed again with the whole
    /// scene's bounds unless the user moved the camera), training cameras beside
    /// it.
    fn finish_load(&mut self, job: &mut LoadJob) {
        if !job.switched {
            // An empty scene: no chunk ever came.
            if let Err(err) = self.scene_view.begin_stream(
                &self.gpu.device,
                0,
                job.cloud.sh_degree,
                cloud_aa_mode(&job.cloud),
            ) {
                self.state.error(err.to_string());
                return;
            }
            job.switched = true;
            self.generation += 1;
            self.scene_view.set_generation(self.generation);
            let info = self.scene_info(job, None);
            self.state.set_scene(info);
        }
        self.scene_view.finish_stream();
        let mut info = self.scene_info(job, Some(self.scene_view.gpu_bytes()));
        info.splat_count = job.cloud.len();
        // The CPU copy is not kept: the GPU holds the scene.
        job.cloud = SplatCloud::new(job.cloud.sh_degree);
        if job.reframe {
            self.state.finish_scene(info);
        } else {
            self.state.update_scene(info);
        }
        if let Some(file) = cameras_beside(&job.path) {
            match load_cameras_json(&file) {
                Ok(cameras) => {
                    log::info!("{} training cameras from {}", cameras.len(), file.display());
                    self.state.set_training_cameras(file, cameras);
                }
                Err(err) => self.state.error(err.to_string()),
            }
        }
        // Persist the recent-files list now, not only on exit.
        self.save_settings();
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
    /// otherwise a scene.
    pub fn dropped(&mut self, path: PathBuf) {
        let is_json = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"));
        if !is_json {
            self.open_scene(path);
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
        let out = next_path(&dir, name);
        self.screenshots.request(ShotRequest {
            camera: self.state.rig.camera(width, height),
            background: self.state.settings.background,
            lod: self.state.settings.lod.clamped(),
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

/// The anti-aliasing mode a loaded cloud's file asks for.
pub(super) fn cloud_aa_mode(cloud: &SplatCloud) -> AaMode {
    cloud.aa_hint.mode
}
