//! Headless rendering: one view or a camera path to PNGs, through the window's
//! code path (`Renderer::encode_view` via `render::offscreen`). Jobs are plain
//! structs (the CLI builds them; nothing here knows about argument parsing).
//!
//! Every size and camera is checked before anything is created on the GPU; a
//! bad value is a `HeadlessError::Invalid`, which the binary reports as a usage
//! error (one line, exit code 2).

mod path;

use std::path::PathBuf;

use glam::Vec3;

use crate::controls::orbit::DEFAULT_WORLD_UP;
use crate::controls::{OrbitCamera, UpAxis};
use crate::gpu::{GpuContext, GpuError};
use crate::render::lod::setup::{LodRequest, LodSetupError, make_lod_scene};
use crate::render::lod::{LodScene, splats_to_draw};
use crate::render::offscreen::{OffscreenError, OffscreenView, SceneRefs};
use crate::render::{
    MeshParams, MeshScene, Raster, RenderLod, Renderer, SplatScene, TileSize, ViewParams,
};
use crate::scene::objects::{ObjectContent, SceneObjects};
use crate::scene::{AaChoice, PinholeCamera, SceneBounds, SplatCloud};

pub use path::{PathFrames, render_path_frames};

/// Output size when neither the flags nor a cameras.json give one.
pub const DEFAULT_WIDTH: u32 = 1280;
pub const DEFAULT_HEIGHT: u32 = 720;

/// Where the camera of a headless render comes from.
#[derive(Clone, Debug, PartialEq)]
pub enum CameraSpec {
    /// The view the window opens the scene with.
    Framing,
    /// Camera `index` of an INRIA `cameras.json` (size and intrinsics from it).
    Training { file: PathBuf, index: usize },
    /// A look-at camera; `target` defaults to the scene centre, `up` to -y.
    LookAt {
        eye: Vec3,
        target: Option<Vec3>,
        up: Option<Vec3>,
        fov_y_degrees: f32,
    },
}

/// How a headless view is drawn.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RenderSettings {
    pub background: [f32; 3],
    pub raster: Raster,
    /// The compute rasterizer's tile side (`Auto`: 8, as headless views are not
    /// timed).
    pub tile_size: TileSize,
    pub aa: AaChoice,
    pub lod: RenderLod,
    /// How meshes and point clouds are drawn.
    pub mesh: MeshParams,
    /// Draw a level-of-detail cut of the splats (`--lod-budget N` with N > 0)
    /// instead of every splat.
    pub hierarchy: Option<LodRequest>,
}

impl Default for RenderSettings {
    fn default() -> Self {
        Self {
            background: [0.0; 3],
            raster: Raster::Hardware,
            tile_size: TileSize::Auto,
            aa: AaChoice::Auto,
            lod: RenderLod::default(),
            mesh: MeshParams::default(),
            hierarchy: None,
        }
    }
}

/// What to write.
#[derive(Clone, Debug, PartialEq)]
pub enum RenderOutput {
    /// One PNG.
    Image(PathBuf),
    /// `frames` PNGs along a camera path file, into `out_dir`.
    Path {
        path_file: PathBuf,
        frames: PathFrames,
        out_dir: PathBuf,
    },
    /// An MP4 of a camera path file at `fps` frames per second.
    Video {
        path_file: PathBuf,
        fps: f64,
        out: PathBuf,
    },
}

/// `splatview render`, as plain data.
#[derive(Clone, Debug, PartialEq)]
pub struct RenderJob {
    /// Scene files: splats, meshes and point clouds, drawn together.
    pub scenes: Vec<PathBuf>,
    pub camera: CameraSpec,
    /// Overrides of the output size (a cameras.json camera is rescaled).
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub settings: RenderSettings,
    pub output: RenderOutput,
}

/// Why a headless render failed.
#[derive(Debug, thiserror::Error)]
pub enum HeadlessError {
    /// A value the user gave cannot work (reported as a usage error).
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Load(#[from] crate::io::LoadError),
    #[error(transparent)]
    Path(#[from] crate::controls::path::PathError),
    #[error(transparent)]
    Gpu(#[from] GpuError),
    #[error(transparent)]
    Shader(#[from] crate::gpu::shader::ShaderError),
    #[error(transparent)]
    Render(#[from] OffscreenError),
    #[error(transparent)]
    Video(#[from] crate::video::VideoError),
    #[error(transparent)]
    Lod(#[from] LodSetupError),
    #[error("{path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {source}")]
    Encode {
        path: PathBuf,
        source: image::ImageError,
    },
}

impl From<crate::render::RenderError> for HeadlessError {
    fn from(err: crate::render::RenderError) -> Self {
        Self::Render(err.into())
    }
}

/// Checks the sides given as `--width` and `--height` flags (`None`: not
/// given, checked once known), each on its own so the message names it.
pub fn check_size_flags(
    width: Option<u32>,
    height: Option<u32>,
    limits: &wgpu::Limits,
) -> Result<(), HeadlessError> {
    let limit = limits.max_texture_dimension_2d;
    for (flag, side) in [("--width", width), ("--height", height)] {
        if let Some(side) = side.filter(|&s| s == 0 || s > limit) {
            return Err(HeadlessError::Invalid(format!(
                "{flag} {side}: each side must be 1 to {limit} pixels on this GPU (max_texture_dimension_2d)"
            )));
        }
    }
    Ok(())
}

/// Checks an output size before anything is made.
pub fn check_size(width: u32, height: u32, limits: &wgpu::Limits) -> Result<(), HeadlessError> {
    crate::gpu::check_image_size(limits, width, height)
        .map_err(|err| HeadlessError::Invalid(format!("--width/--height: {err}")))
}

/// The view the window opens a scene with (`controls::rig::CameraRig::reset`):
/// the default orbit framing of the scene's robust bounds about `up`.
pub fn framing_camera(
    bounds: Option<SceneBounds>,
    up: UpAxis,
    width: u32,
    height: u32,
) -> PinholeCamera {
    OrbitCamera::initial_view(bounds, up, width as f32 / height.max(1) as f32).camera(width, height)
}

/// A look-at camera, refused when it cannot be built (eye on the target, up
/// along the view direction, field of view outside (0, 180)).
pub fn look_at_camera(
    eye: Vec3,
    target: Vec3,
    up: Vec3,
    fov_y_degrees: f32,
    width: u32,
    height: u32,
) -> Result<PinholeCamera, HeadlessError> {
    check_fov(fov_y_degrees)?;
    let forward = target - eye;
    if forward.length() <= 1e-6 * (1.0 + eye.length()) {
        return Err(HeadlessError::Invalid(format!(
            "--eye {eye} equals --target {target}: the camera has no view direction"
        )));
    }
    if up.length() <= 1e-9 || forward.normalize().cross(up.normalize()).length() < 1e-4 {
        return Err(HeadlessError::Invalid(format!(
            "--up {up} is parallel to the view direction {}: choose another up vector",
            forward.normalize()
        )));
    }
    Ok(PinholeCamera::look_at(
        eye,
        target,
        up,
        fov_y_degrees.to_radians(),
        width,
        height,
    ))
}

fn check_fov(fov_y_degrees: f32) -> Result<(), HeadlessError> {
    if fov_y_degrees > 0.0 && fov_y_degrees < 180.0 {
        Ok(())
    } else {
        Err(HeadlessError::Invalid(format!(
            "--fov-y must be between 0 and 180 degrees (exclusive), got {fov_y_degrees}"
        )))
    }
}

/// The output size a job asks for (before a cameras.json camera is known).
fn requested_size(job: &RenderJob) -> (u32, u32) {
    (
        job.width.unwrap_or(DEFAULT_WIDTH),
        job.height.unwrap_or(DEFAULT_HEIGHT),
    )
}

/// The camera of a single-view job over a scene with `bounds`.
pub fn resolve_camera(
    job: &RenderJob,
    bounds: Option<SceneBounds>,
) -> Result<PinholeCamera, HeadlessError> {
    match &job.camera {
        CameraSpec::Training { file, index } => {
            let cameras = crate::io::cameras_json::load_cameras_json(file)?;
            let count = cameras.len();
            let cam = cameras
                .into_iter()
                .nth(*index)
                .ok_or_else(|| {
                    HeadlessError::Invalid(format!(
                        "{}: camera index {index} out of range ({count} cameras)",
                        file.display()
                    ))
                })?
                .camera;
            let width = job.width.unwrap_or(cam.width);
            let height = job.height.unwrap_or(cam.height);
            Ok(if (width, height) == (cam.width, cam.height) {
                cam
            } else {
                cam.resized(width, height)
            })
        }
        CameraSpec::LookAt {
            eye,
            target,
            up,
            fov_y_degrees,
        } => {
            let (width, height) = requested_size(job);
            let target = target
                .or_else(|| bounds.map(|b| b.center()))
                .unwrap_or(Vec3::ZERO);
            look_at_camera(
                *eye,
                target,
                up.unwrap_or(DEFAULT_WORLD_UP),
                *fov_y_degrees,
                width,
                height,
            )
        }
        CameraSpec::Framing => {
            let (width, height) = requested_size(job);
            Ok(framing_camera(bounds, UpAxis::default(), width, height))
        }
    }
}

/// A device, the renderer and one uploaded scene (splats and meshes): what a
/// headless job draws with.
pub struct HeadlessScene {
    pub gpu: GpuContext,
    pub renderer: Renderer,
    /// Every splat (empty when `lod` draws them).
    pub scene: SplatScene,
    pub meshes: Vec<MeshScene>,
    /// The splats' level-of-detail pages, when the job asks for a cut.
    pub lod: Option<LodScene>,
}

impl HeadlessScene {
    /// `cloud` uploaded to `gpu`.
    pub fn new(gpu: GpuContext, cloud: &SplatCloud) -> Result<Self, HeadlessError> {
        let renderer = Renderer::new(&gpu.device)?;
        let scene = SplatScene::new(&gpu.device, cloud)?;
        Ok(Self {
            gpu,
            renderer,
            scene,
            meshes: Vec::new(),
            lod: None,
        })
    }

    /// Every visible object of `objects` uploaded to `gpu`: the splat objects as
    /// one scene, each mesh object on its own.
    pub fn from_objects(gpu: GpuContext, objects: &SceneObjects) -> Result<Self, HeadlessError> {
        Self::from_objects_with_lod(gpu, objects, None)
    }

    /// [`Self::from_objects`], the splats as a level-of-detail page pool when
    /// `lod` is given (the hierarchy from the platform cache, or built and cached).
    pub fn from_objects_with_lod(
        gpu: GpuContext,
        objects: &SceneObjects,
        lod: Option<&LodRequest>,
    ) -> Result<Self, HeadlessError> {
        let cloud = objects
            .combined_splats()
            .unwrap_or_else(|| SplatCloud::new(0));
        let mut headless = match lod {
            Some(request) if !cloud.is_empty() => {
                let cache = crate::scene::lod::cache::LodCache::platform();
                // The file beside the scene, when it is one splat file.
                let mut splat_files = objects
                    .objects
                    .iter()
                    .filter(|o| o.visible && matches!(o.content, ObjectContent::Splats(_)));
                let scene_path = match (splat_files.next(), splat_files.next()) {
                    (Some(only), None) => Some(only.path.as_path()),
                    _ => None,
                };
                let (lod, report) =
                    make_lod_scene(&gpu, &cloud, scene_path, request, cache.as_ref(), None)?;
                log::info!(
                    "level of detail: hierarchy {} in {:.0} ms, {} of {} pages resident",
                    match (report.built, report.beside_scene) {
                        (true, _) => "built",
                        (false, true) => "read from the file beside the scene",
                        (false, false) => "read from the cache",
                    },
                    report.hierarchy_ms,
                    lod.stats().pages_resident,
                    lod.stats().pages_total
                );
                let mut headless = Self::new(gpu, &SplatCloud::new(cloud.sh_degree))?;
                headless.lod = Some(lod);
                headless
            }
            _ => Self::new(gpu, &cloud)?,
        };
        for mesh in objects.placed_meshes() {
            let scene = MeshScene::new(
                &headless.gpu.device,
                &headless.gpu.queue,
                &headless.renderer.meshes,
                &mesh,
            )?;
            for warning in &scene.warnings {
                log::warn!("{}: {warning}", mesh.name);
            }
            headless.meshes.push(scene);
        }
        Ok(headless)
    }

    /// What a view of this scene draws, with `settings`' mesh drawing.
    pub fn refs(&self, settings: &RenderSettings) -> (Vec<&MeshScene>, MeshParams) {
        (self.meshes.iter().collect(), settings.mesh)
    }

    /// The view parameters of `camera` under `settings`.
    pub fn params(camera: PinholeCamera, settings: &RenderSettings) -> ViewParams<'static> {
        ViewParams {
            background: settings.background,
            raster: settings.raster,
            tile_size: settings.tile_size,
            aa: settings.aa,
            lod: settings.lod,
            ..ViewParams::new(camera)
        }
    }
}

/// Checks what can be checked of a job before any file is read: sizes given as
/// flags (against `limits`), the look-at camera's field of view, eye, target and
/// up where all are given.
pub fn validate(job: &RenderJob, limits: &wgpu::Limits) -> Result<(), HeadlessError> {
    // Sizes not given are 1280x720 or a cameras.json camera's, checked later.
    check_size_flags(job.width, job.height, limits)?;
    if let RenderOutput::Video { fps, .. } = &job.output {
        let (width, height) = requested_size(job);
        crate::video::check_video(width, height, *fps)
            .map_err(|err| HeadlessError::Invalid(err.to_string()))?;
    }
    if let CameraSpec::LookAt {
        eye,
        target,
        up,
        fov_y_degrees,
    } = &job.camera
    {
        let up = up.unwrap_or(DEFAULT_WORLD_UP);
        match target {
            Some(target) => {
                look_at_camera(*eye, *target, up, *fov_y_degrees, 1, 1)?;
            }
            // Without --target the scene centre is used, checked after loading.
            None => check_fov(*fov_y_degrees)?,
        }
    }
    Ok(())
}

/// Runs `splatview render`: returns the line to print.
pub fn run_render(job: &RenderJob) -> Result<String, HeadlessError> {
    let gpu = GpuContext::new_headless()?;
    log::info!("adapter: {}", gpu.adapter_description());
    let limits = gpu.device.limits();
    validate(job, &limits)?;
    if job.scenes.is_empty() {
        return Err(HeadlessError::Invalid("no scene file given".into()));
    }
    let objects = crate::io::load_scene_objects(&job.scenes)?;
    match &job.output {
        RenderOutput::Path {
            path_file,
            frames,
            out_dir,
        } => path::run_path(gpu, job, &objects, path_file, frames, out_dir),
        RenderOutput::Video {
            path_file,
            fps,
            out,
        } => path::run_video(gpu, job, &objects, path_file, *fps, out),
        RenderOutput::Image(out) => {
            let camera = resolve_camera(job, objects.bounds())?;
            check_size(camera.width, camera.height, &limits)?;
            let mut headless = HeadlessScene::from_objects_with_lod(
                gpu,
                &objects,
                job.settings.hierarchy.as_ref(),
            )?;
            let image = render_image(&mut headless, camera, &job.settings)?;
            image.save(out).map_err(|source| HeadlessError::Encode {
                path: out.clone(),
                source,
            })?;
            let cut = headless.lod.as_ref().map_or(String::new(), |lod| {
                format!(
                    " (a level-of-detail cut of {} splats drawn)",
                    lod.stats().cut_splats
                )
            });
            Ok(format!(
                "rendered {}{cut} at {}x{} to {}",
                describe_objects(&objects),
                camera.width,
                camera.height,
                out.display()
            ))
        }
    }
}

/// One image of the uploaded scene (a fresh view each call).
pub fn render_image(
    headless: &mut HeadlessScene,
    camera: PinholeCamera,
    settings: &RenderSettings,
) -> Result<image::RgbImage, HeadlessError> {
    let mut view = OffscreenView::new(&headless.gpu.device, &headless.renderer);
    render_with(headless, &mut view, camera, settings)
}

/// Most cut updates an offline frame takes to bring in the pages it needs.
const LOD_MAX_UPDATES: usize = 256;

/// One image of the uploaded scene through `view`. With a level-of-detail
/// scene, the cut for `camera` with every page it needs that fits the pool.
pub fn render_with(
    headless: &mut HeadlessScene,
    view: &mut OffscreenView,
    camera: PinholeCamera,
    settings: &RenderSettings,
) -> Result<image::RgbImage, HeadlessError> {
    let mut params = HeadlessScene::params(camera, settings);
    let lod_params = settings.hierarchy.unwrap_or_default().params;
    if let Some(lod) = &mut headless.lod {
        lod.update_until_resident(&headless.gpu.queue, &camera, &lod_params, LOD_MAX_UPDATES);
    }
    let splats = splats_to_draw(
        headless.lod.as_ref(),
        &headless.scene,
        &mut params,
        lod_params.color_by_level,
    );
    let (meshes, mesh_params) = headless.refs(settings);
    let refs = SceneRefs {
        splats,
        meshes: &meshes,
        mesh_params,
    };
    let image = view.render_scene(&headless.gpu, &headless.renderer, refs, &params)?;
    headless.gpu.check_errors("frame")?;
    Ok(image)
}

/// "152746 splats and 1 mesh (12 triangles)" style summary of a job's objects.
fn describe_objects(objects: &SceneObjects) -> String {
    use crate::scene::objects::ObjectContent;
    let splats = objects.splat_count();
    let (mut meshes, mut triangles, mut points) = (0, 0, 0);
    for object in &objects.objects {
        if let ObjectContent::Mesh(mesh) = &object.content {
            meshes += 1;
            triangles += mesh.triangle_count();
            points += mesh.point_count();
        }
    }
    let mut parts = vec![format!("{splats} splats")];
    if meshes > 0 {
        parts.push(format!(
            "{meshes} mesh object{} ({triangles} triangles, {points} points)",
            if meshes == 1 { "" } else { "s" }
        ));
    }
    parts.join(" and ")
}

/// Uploads `cloud` to `gpu` and renders one frame with `raster` (tests and tools).
pub fn render_cloud_with(
    gpu: &GpuContext,
    cloud: &SplatCloud,
    camera: &PinholeCamera,
    background: [f32; 3],
    raster: Raster,
) -> Result<image::RgbImage, HeadlessError> {
    let renderer = Renderer::new(&gpu.device)?;
    let scene = SplatScene::new(&gpu.device, cloud)?;
    let mut view = OffscreenView::new(&gpu.device, &renderer);
    let params = ViewParams {
        background,
        raster,
        ..ViewParams::new(*camera)
    };
    Ok(view.render(gpu, &renderer, &scene, &params)?)
}

/// [`render_cloud_with`] with the quads.
pub fn render_cloud(
    gpu: &GpuContext,
    cloud: &SplatCloud,
    camera: &PinholeCamera,
    background: [f32; 3],
) -> Result<image::RgbImage, HeadlessError> {
    render_cloud_with(gpu, cloud, camera, background, Raster::Hardware)
}
