//! The viewer's side of comparing: loading B (a scene file, or the selected
//! training camera's photo), opening a dataset and evaluating it, drawing the
//! compare images each frame (`compare_view::CompareGpu`) and feeding the live
//! metrics worker with settled pairs.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, channel};

use super::compare::{BScene, BSource};
use super::compare_view::{BDraw, BSceneGpu, CompareFrame, CompareGpu, PhotoGpu};
use super::core::ViewerCore;
use super::eval_worker::{EvalJob, share};
use super::ground_truth::EvalProgress;
use super::loading::LoadPurpose;
use super::metrics_worker::MetricsJob;
use super::state::AppState;
use super::status::CompareSide;
use super::{UserEvent, Waker};
use crate::app::ui::{CompareImages, ImageRef, SceneImage};
use crate::dataset::DatasetView;
use crate::eval::{EvalOptions, RenderOptions};
use crate::render::{MeshScene, SplatScene};
use crate::scene::mesh::MeshObject;
use crate::scene::{PinholeCamera, SceneBounds, SplatCloud};
use crate::settings::{CompareLayout, DiffMap};

/// A photo loading for B.
pub struct PhotoLoad {
    pub path: PathBuf,
    receiver: Receiver<Result<(PinholeCamera, image::RgbImage), String>>,
}

impl PhotoLoad {
    /// Loads `view`'s photo over `background` and fits it to its camera (as
    /// `splatview eval` does) on a thread.
    fn spawn(view: DatasetView, background: [f32; 3], waker: Waker) -> Option<Self> {
        let path = view.photo.clone()?;
        let (sender, receiver) = channel();
        let thread_path = path.clone();
        let spawned = std::thread::Builder::new()
            .name("photo loader".into())
            .spawn(move || {
                let result = crate::dataset::load_photo(&thread_path, background)
                    .map(|photo| {
                        let (camera, photo, _) = crate::eval::fit_photo(&view, photo);
                        (camera, photo)
                    })
                    .map_err(|e| e.to_string());
                let _ = sender.send(result);
                waker(UserEvent::WorkerNews);
            });
        spawned.ok().map(|_| Self { path, receiver })
    }
}

impl ViewerCore {
    /// Loads `path` as B (the scene compared against).
    pub fn open_b(&mut self, path: PathBuf) {
        self.state.set_b(BSource::Scene(path.clone()));
        self.state.compare.b_scene = None;
        self.b_scene = None;
        self.b_generation += 1;
        self.load_queue
            .retain(|r| r.purpose != LoadPurpose::CompareB);
        self.enqueue(path, LoadPurpose::CompareB);
    }

    /// B could not be loaded (the load said why): A is shown alone again,
    /// rather than beside an empty B under the failed file's name.
    pub(super) fn b_failed(&mut self, path: &Path) {
        if self.state.compare.b == Some(BSource::Scene(path.to_path_buf()))
            && self.b_scene.is_none()
        {
            self.state.stop_comparing();
            self.state.notice(format!(
                "{}: not loaded as B, so comparing stopped",
                path.display()
            ));
        }
    }

    /// B's splats arrived.
    pub(super) fn b_loaded_splats(&mut self, path: &Path, cloud: SplatCloud) {
        let summary = format!(
            "{} splats (SH {})",
            crate::text::group_digits(cloud.len() as u64),
            cloud.sh_degree
        );
        let bounds = SceneBounds::robust(&cloud);
        let splats = match SplatScene::new(&self.gpu.device, &cloud) {
            Ok(scene) => scene,
            Err(err) => {
                self.state
                    .error(format!("{}: cannot show B: {err}", path.display()));
                return;
            }
        };
        self.set_b_scene(
            path,
            BSceneGpu {
                path: path.to_owned(),
                cloud: Some(cloud),
                splats,
                mesh: None,
                placement: crate::scene::Similarity::IDENTITY,
                bounds,
            },
            summary,
        );
    }

    /// B's mesh arrived.
    pub(super) fn b_loaded_mesh(&mut self, path: &Path, mesh: MeshObject) {
        let summary = format!(
            "{} triangles, {} points",
            crate::text::group_digits(mesh.triangle_count() as u64),
            crate::text::group_digits(mesh.point_count() as u64)
        );
        let bounds = mesh.bounds_under(glam::Mat4::IDENTITY);
        let made = SplatScene::new(&self.gpu.device, &SplatCloud::new(0)).and_then(|splats| {
            MeshScene::new(
                &self.gpu.device,
                &self.gpu.queue,
                &self.scene_view.renderer.meshes,
                &mesh,
            )
            .map(|m| (splats, m))
        });
        match made {
            Ok((splats, mesh)) => self.set_b_scene(
                path,
                BSceneGpu {
                    path: path.to_owned(),
                    cloud: None,
                    splats,
                    mesh: Some(mesh),
                    placement: crate::scene::Similarity::IDENTITY,
                    bounds,
                },
                summary,
            ),
            Err(err) => self
                .state
                .error(format!("{}: cannot show B: {err}", path.display())),
        }
    }

    fn set_b_scene(&mut self, path: &Path, scene: BSceneGpu, summary: String) {
        if self.state.compare.b != Some(BSource::Scene(path.to_owned())) {
            return; // B changed while it loaded.
        }
        self.state.compare.b_scene = Some(BScene {
            name: BSource::Scene(path.to_owned()).label(),
            summary,
            bounds: scene.bounds,
        });
        self.state.compare.b_placement = crate::scene::Similarity::IDENTITY;
        self.b_scene = Some(scene);
        self.b_generation += 1;
    }

    /// Opens the dataset in `dir` for ground-truth comparison: its views
    /// become the training cameras. A 3DGS training output's scene is opened
    /// too when nothing from that folder is shown yet.
    pub fn open_dataset(&mut self, dir: &Path) {
        let dataset = match crate::dataset::open_dataset(dir, None) {
            Ok(dataset) => dataset,
            Err(err) => {
                self.state.error(err.to_string());
                return;
            }
        };
        let photos = dataset.views.iter().filter(|v| v.photo.is_some()).count();
        self.state.notice(format!(
            "dataset {}: {} views, {photos} with photos",
            dir.display(),
            dataset.views.len()
        ));
        self.cancel_evaluation();
        self.state.set_dataset(&dataset);
        if let Ok(Some(output)) = crate::dataset::find_training_output(dir) {
            // Scored over the background it was trained on, as `eval` does.
            if let Some(truth) = &mut self.state.dataset {
                truth.background = Some(output.background());
            }
            if !self.state.objects.iter().any(|o| o.path.starts_with(dir)) {
                self.open_scene(output.scene.clone());
            }
        }
        self.dataset = Some(dataset);
        self.photo = None;
    }

    /// Starts evaluating the dataset's `eval_split` on a worker.
    pub fn start_evaluation(&mut self) {
        if self.eval.is_some() {
            self.state.notice("an evaluation is already running");
            return;
        }
        let (Some(dataset), Some(truth)) = (&self.dataset, &self.state.dataset) else {
            self.state
                .notice("open a dataset first (File > Open dataset)");
            return;
        };
        if self.load.is_some() {
            self.state
                .notice("wait for the scene to load before evaluating");
            return;
        }
        let options = EvalOptions {
            split: truth.eval_split,
            render: RenderOptions {
                background: truth.background_or(self.state.settings.background),
                max_sh_degree: None,
                aa: self.state.settings.lod.aa,
            },
            out_dir: None,
            diff_scale: self.state.settings.compare.diff_scale,
        };
        let job = EvalJob::spawn(
            share(&self.gpu),
            self.scene_view.drawn_splats().clone(),
            dataset.clone(),
            options,
            self.state.settings.lod.clamped(),
            self.waker.clone(),
        );
        match job {
            Ok(job) => {
                if let Some(truth) = &mut self.state.dataset {
                    truth.running = Some(EvalProgress {
                        done: 0,
                        total: job.total,
                    });
                }
                self.eval = Some(job);
            }
            Err(err) => self.state.error(err),
        }
    }

    /// Stops the running evaluation (results so far are dropped).
    pub fn cancel_evaluation(&mut self) {
        if let Some(job) = self.eval.take() {
            job.cancel();
            self.eval_cancelled = Some(job);
        }
        if let Some(truth) = &mut self.state.dataset {
            truth.running = None;
        }
    }

    /// Evaluation progress and results.
    fn poll_evaluation(&mut self) {
        if let Some(job) = &self.eval_cancelled
            && job.poll().is_some()
        {
            self.eval_cancelled = None;
        }
        let Some(job) = &self.eval else {
            return;
        };
        let done = job.done();
        let result = job.poll();
        let Some(truth) = &mut self.state.dataset else {
            return;
        };
        if let Some(progress) = &mut truth.running {
            progress.done = done;
        }
        let Some(result) = result else {
            return;
        };
        self.eval = None;
        truth.running = None;
        match result {
            Ok(report) => {
                truth.take_report(&report);
                truth.sort_by_psnr = true;
                let summary = super::ground_truth::eval_summary(&report);
                truth.summary = Some(summary.clone());
                self.state.notice(summary);
            }
            Err(err) => self.state.error(format!("evaluation: {err}")),
        }
    }

    /// Size of the compare images: the area the layouts use (the window less
    /// the overlay's panels), half its width side by side, or the photo's
    /// camera.
    fn compare_image_size(&self) -> (u32, u32) {
        let (w, h) = self.state.compare.area_px.unwrap_or(self.state.viewport);
        if self.state.compare.b == Some(BSource::Photo)
            && let Some(photo) = self.compare_gpu.as_ref().and_then(|g| g.photo.as_ref())
        {
            return (photo.camera.width, photo.camera.height);
        }
        match self.state.settings.compare.layout {
            CompareLayout::SideBySide => ((w / 2).max(1), h.max(1)),
            _ => (w.max(1), h.max(1)),
        }
    }

    /// Loads the selected training camera's photo when B is the photo. A photo
    /// that cannot be read is noted on its view, said once, and not tried
    /// again.
    fn sync_photo(&mut self) {
        if self.state.compare.b != Some(BSource::Photo) {
            return;
        }
        let failed = |state: &AppState, i: usize| {
            state
                .dataset
                .as_ref()
                .and_then(|d| d.views.get(i))
                .is_some_and(|v| v.photo_error.is_some())
        };
        let wanted = self.state.training.selected.and_then(|i| {
            let view = self.dataset.as_ref()?.views.get(i)?;
            let photo = view.photo.clone()?;
            (!failed(&self.state, i)).then(|| (photo, view.clone()))
        });
        let shown = self
            .compare_gpu
            .as_ref()
            .and_then(|g| g.photo.as_ref())
            .map(|p| p.path.clone());
        match wanted {
            None => {
                if let Some(gpu) = &mut self.compare_gpu
                    && gpu.photo.is_some()
                {
                    gpu.set_photo(None);
                }
            }
            Some((path, view)) => {
                let loading = self.photo.as_ref().map(|p| p.path.clone());
                if shown.as_ref() != Some(&path) && loading.as_ref() != Some(&path) {
                    let background = self.photo_background();
                    self.photo = PhotoLoad::spawn(view, background, self.waker.clone());
                }
            }
        }
        if let Some(load) = &self.photo
            && let Ok(result) = load.receiver.try_recv()
        {
            let path = load.path.clone();
            self.photo = None;
            match result {
                Ok((camera, image)) => {
                    if let Some(gpu) = &mut self.compare_gpu {
                        gpu.set_photo(Some(PhotoGpu::new(path, camera, image)));
                    }
                }
                Err(err) => {
                    if let Some(view) =
                        self.state.dataset.as_mut().and_then(|d| {
                            d.views.iter_mut().find(|v| v.photo.as_ref() == Some(&path))
                        })
                    {
                        view.photo_error = Some(err.clone());
                    }
                    self.state.error(err);
                }
            }
        }
    }

    /// The background photos are composed over and A is drawn over in the
    /// photo view: the dataset's, else the window's.
    fn photo_background(&self) -> [f32; 3] {
        let window = self.state.settings.background;
        self.state
            .dataset
            .as_ref()
            .map_or(window, |d| d.background_or(window))
    }

    /// Background work of the compare view: photo, evaluation, read-backs for
    /// the metrics, the worker's results.
    pub(super) fn poll_compare(&mut self) {
        self.poll_evaluation();
        if !self.state.comparing() {
            self.state.stats.visible_splats_b = None;
            if self.compare_shot.take().is_some() {
                self.state
                    .notice("comparing stopped before the screenshot: not saved");
            }
            if let Some(gpu) = self.compare_gpu.take() {
                gpu.free(&mut self.egui_renderer);
            }
            self.flip_texture = None;
            return;
        }
        if self.compare_gpu.is_none() {
            match CompareGpu::new(&self.gpu, &self.scene_view.renderer) {
                Ok(gpu) => self.compare_gpu = Some(gpu),
                Err(err) => {
                    self.state.error(format!("cannot compare: {err}"));
                    self.state.stop_comparing();
                    return;
                }
            }
        }
        self.sync_photo();
        let Some(gpu) = &mut self.compare_gpu else {
            return;
        };
        if let Some(b) = &mut self.b_scene
            && b.placement != self.state.compare.b_placement
        {
            if let Err(err) = b.place(&self.gpu, self.state.compare.b_placement) {
                self.state.error(format!("cannot place B: {err}"));
            }
            self.b_generation += 1;
        }
        let (a, b) = gpu.poll_views();
        if let Some(visible) = a.visible_splats {
            self.state.stats.visible_splats = Some(visible);
        }
        if matches!(self.state.compare.b, Some(BSource::Photo)) {
            self.state.stats.visible_splats_b = None;
        } else if let Some(visible) = b.visible_splats {
            self.state.stats.visible_splats_b = Some(visible);
        }
        for (side, report) in [(CompareSide::A, a), (CompareSide::B, b)] {
            if let Some(timings) = report.timings {
                self.state.stats.set_passes(Some(side), &timings);
            }
        }
        match gpu.poll_readback() {
            Some(Ok((key, a, b))) => {
                if let Some(folder) = self.compare_shot.take() {
                    let scale = self.state.settings.compare.clamped().diff_scale;
                    super::screenshot::write_compare_shot(
                        folder,
                        a.clone(),
                        b.clone(),
                        scale,
                        self.waker.clone(),
                    );
                }
                if self.state.compare.metrics.current == Some(key)
                    && self.metrics.send(MetricsJob { key, a, b })
                {
                    self.metrics_pending = Some(key);
                } else {
                    self.metrics_pending = None;
                }
            }
            Some(Err(err)) => {
                self.metrics_pending = None;
                self.state.compare.metrics.error = Some(err);
            }
            None => {}
        }
        if let Some(result) = self.metrics.poll() {
            self.metrics_pending = None;
            let metrics = &mut self.state.compare.metrics;
            metrics.measured = Some(result.key);
            metrics.worker_ms = Some(result.elapsed_ms);
            match result.metrics {
                Ok(values) => {
                    metrics.values = Some(values);
                    metrics.error = None;
                }
                Err(err) => {
                    metrics.values = None;
                    metrics.error = Some(err);
                }
            }
            self.flip_texture = result.flip_map.map(|map| {
                let size = [map.width() as usize, map.height() as usize];
                let image = egui::ColorImage::from_rgb(size, map.as_raw());
                let handle =
                    self.egui_ctx
                        .load_texture("FLIP map", image, egui::TextureOptions::LINEAR);
                (result.key, handle)
            });
        }
    }

    /// The images the overlay composes this frame (last frame's renders).
    pub(super) fn compare_image(&self) -> Option<SceneImage> {
        let gpu = self.compare_gpu.as_ref()?;
        let with_diff = self.state.settings.compare.layout == CompareLayout::Difference;
        let mut images: CompareImages = gpu.images(with_diff)?;
        images.flip = self
            .flip_texture
            .as_ref()
            .filter(|(key, _)| Some(*key) == self.state.compare.metrics.current)
            .map(|(_, handle)| ImageRef {
                texture: handle.id(),
                size: (handle.size()[0] as u32, handle.size()[1] as u32),
            });
        Some(SceneImage {
            texture: images.a.texture,
            compare: Some(images),
        })
    }

    /// Renders what changed of A, B and the difference map; asks for a
    /// read-back of a settled pair. Returns whether anything was rendered.
    pub(super) fn draw_compare(
        &mut self,
        encoder: &mut wgpu::CommandEncoder,
    ) -> Result<bool, crate::render::RenderError> {
        let size = self.compare_image_size();
        let settings = self.state.settings.clone();
        let photo_mode = self.state.compare.b == Some(BSource::Photo);
        let background = if photo_mode {
            self.photo_background()
        } else {
            settings.background
        };
        let Some(gpu) = &mut self.compare_gpu else {
            return Ok(false);
        };
        let a_camera = match (&gpu.photo, photo_mode) {
            (Some(photo), true) => photo.camera,
            _ => self.state.rig.camera(size.0, size.1),
        };
        // A draws the level-of-detail cut when the window does; B (other
        // settings) draws the flat scene, so the pair compares LOD with all splats.
        self.update_lod(&a_camera);
        let Some(gpu) = &mut self.compare_gpu else {
            return Ok(false);
        };
        let a_lod_draw = self.lod.draw(settings.hierarchy.color_by_level);
        let meshes = self.scene_view.visible_meshes();
        let b = match &self.state.compare.b {
            Some(BSource::Settings) => BDraw::Scene {
                camera: self.state.b_camera(size.0, size.1),
                lod: settings.compare.b_lod.clamped(),
                splats: self.scene_view.drawn_splats(),
                meshes: meshes.clone(),
                generation: self.generation,
            },
            Some(BSource::Scene(_)) => match &self.b_scene {
                Some(scene) => BDraw::Scene {
                    camera: self.state.b_camera(size.0, size.1),
                    lod: settings.lod.clamped(),
                    splats: &scene.splats,
                    meshes: scene.mesh.iter().collect(),
                    generation: (1 << 63) | self.b_generation,
                },
                None => BDraw::Nothing,
            },
            Some(BSource::Photo) if gpu.photo.is_some() => BDraw::Photo,
            _ => BDraw::Nothing,
        };
        let drawable = !matches!(b, BDraw::Nothing);
        let frame = CompareFrame {
            a_camera,
            a_lod: settings.lod.clamped(),
            a_splats: a_lod_draw.map_or(&**self.scene_view.drawn_splats(), |(pool, _)| pool),
            a_draw_list: a_lod_draw.map(|(_, list)| list),
            a_meshes: meshes,
            a_generation: self.generation,
            b,
            background,
            mesh: settings.mesh.params(),
            diff_scale: (settings.compare.layout == CompareLayout::Difference
                && settings.compare.diff_map == DiffMap::AbsDifference)
                .then_some(settings.compare.clamped().diff_scale),
        };
        let rendered = gpu.prepare(
            &self.gpu,
            encoder,
            &mut self.egui_renderer,
            &self.scene_view.renderer,
            &frame,
        )?;
        let key = gpu.pair_key();
        self.state.compare.metrics.current = drawable.then_some(key);
        let wants = settings.compare.live_metrics
            || (settings.compare.layout == CompareLayout::Difference
                && settings.compare.diff_map == DiffMap::Flip);
        if !drawable && self.load.is_none() && self.photo.is_none() && self.compare_shot.is_some() {
            self.compare_shot = None;
            self.state
                .notice("no screenshot: B shows nothing to compare yet");
        }
        let measure =
            wants && !self.metrics.busy() && self.state.compare.metrics.measured != Some(key);
        if (measure || self.compare_shot.is_some())
            && drawable
            && !self.animating
            && self.metrics_pending.is_none()
            && gpu.request_readback(&self.gpu.device, encoder)
        {
            self.metrics_pending = Some(key);
        }
        Ok(rendered)
    }
}
