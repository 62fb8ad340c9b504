//! Command-line interface: `splatview [SCENE...]` opens the viewer; subcommands
//! render headless and regenerate the bundled default scene.

use std::path::PathBuf;

use anyhow::Context as _;
use clap::{Args, Parser, Subcommand};
use glam::Vec3;

pub use crate::args::{UsageError, parse_aa, parse_raster, parse_vec3};
use crate::headless::{
    CameraSpec, HeadlessError, PathFrames, RenderJob, RenderOutput, RenderSettings,
};
use crate::render::{Raster, TileSize};
use crate::scene::AaChoice;
use crate::scene::mesh::shading::MeshShading;

/// Real-time viewer for 3D Gaussian Splatting scenes.
#[derive(Debug, Parser)]
#[command(
    name = "splatview",
    version,
    about,
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Scene files to open, shown together: Gaussian splats (.ply, compressed
    /// .ply, .splat, .ksplat, .spz, .sog, SOG meta.json), meshes (.ply with
    /// faces, .obj, .gltf, .glb) and point clouds (.ply with vertices only). The
    /// first is the scene, the others are added to it (File > Add). Default: the
    /// bundled scene.
    pub scenes: Vec<PathBuf>,
    /// Compare the scene with this file (B, as File > Open as B), in the
    /// compare layout saved in the settings (split by default).
    #[arg(long, value_name = "FILE")]
    pub compare: Option<PathBuf>,
    /// Open this dataset for ground truth (COLMAP, 3DGS cameras.json + images,
    /// or a 3DGS training output folder, as File > Open dataset).
    #[arg(long, value_name = "DIR")]
    pub dataset: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Render one view of a scene to a PNG, or a camera path to PNGs or an MP4
    /// video, through the same code path as the window.
    Render(RenderArgs),
    /// Measure load, frame and per-pass GPU times of a scene.
    Bench(crate::bench::BenchArgs),
    /// Measure the GPU radix sort alone on random keys (verified against the CPU).
    BenchSort(crate::bench::BenchSortArgs),
    /// Measure scene file loading alone (read, parse, convert; no GPU).
    BenchLoad(crate::bench::BenchLoadArgs),
    /// PSNR, SSIM and FLIP of two images of the same size.
    Metrics(crate::eval::cli::MetricsArgs),
    /// Render a scene from a dataset's cameras and measure it against the photos.
    Eval(crate::eval::cli::EvalArgs),
    /// Render two scenes (or two settings) from one camera and measure B against A.
    Compare(crate::eval::compare::CompareArgs),
    /// Write a 3DGS PLY of tiled copies of a scene (e.g. a 1 GB file for bench-load).
    Scale(ScaleArgs),
    /// Build a scene's level-of-detail hierarchy and write it to the cache (or --out).
    LodBuild(crate::lod_build::LodBuildArgs),
    /// Regenerate the bundled default scene (procedural).
    GenerateDefaultScene {
        /// Output PLY path.
        #[arg(long, default_value = "assets/default_scene.ply")]
        out: PathBuf,
    },
}

#[derive(Debug, Args)]
pub struct ScaleArgs {
    /// Scene to tile (any supported format).
    pub scene: PathBuf,
    /// Splats in the output: copies of the scene side by side, the last one cut short.
    #[arg(long)]
    pub to: usize,
    /// SH degree of the output (new bands are zero; default: the scene's).
    #[arg(long, value_parser = clap::value_parser!(u32).range(0..=3))]
    pub sh_degree: Option<u32>,
    /// Output 3DGS PLY (binary little-endian).
    #[arg(long)]
    pub out: PathBuf,
}

fn run_scale(args: &ScaleArgs) -> anyhow::Result<()> {
    let cloud = crate::io::load_splat_scene(&args.scene)?.0;
    let mut tiled = crate::scene::tile::tile_to_count(
        &cloud,
        args.to,
        crate::controls::orbit::DEFAULT_WORLD_UP,
    );
    if let Some(degree) = args.sh_degree {
        tiled = tiled.with_sh_degree(degree);
    }
    let mut file = std::io::BufWriter::new(
        std::fs::File::create(&args.out)
            .with_context(|| format!("creating {}", args.out.display()))?,
    );
    crate::io::ply::write_gaussian_ply(&tiled, &mut file)
        .with_context(|| format!("writing {}", args.out.display()))?;
    std::io::Write::flush(&mut file).with_context(|| format!("writing {}", args.out.display()))?;
    println!(
        "wrote {} splats (SH degree {}) to {}",
        tiled.len(),
        tiled.sh_degree,
        args.out.display()
    );
    Ok(())
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("path_output").args(["out_dir", "video"])))]
pub struct RenderArgs {
    /// Scene files, drawn together: Gaussian splats (.ply, compressed .ply,
    /// .splat, .ksplat, .spz, .sog or a SOG meta.json), meshes (.ply with faces,
    /// .obj, .gltf, .glb) and point clouds (.ply with vertices only).
    #[arg(required = true, num_args = 1..)]
    pub scenes: Vec<PathBuf>,
    /// Output image, 8-bit RGB: PNG, or JPEG or WebP by the extension.
    #[arg(long, required_unless_present = "path", conflicts_with = "path")]
    pub out: Option<PathBuf>,
    /// Camera path (JSON, format in docs/CAMERA_PATHS.md, as saved by the
    /// viewer): render it to a PNG sequence in --out-dir or to an MP4 --video
    /// instead of one view.
    #[arg(long, requires = "path_output", conflicts_with_all = ["camera", "eye"])]
    pub path: Option<PathBuf>,
    /// Number of PNG frames to render along --path, evenly spaced in time
    /// (both ends included unless the path loops); default 120, or one every
    /// 1/--fps seconds of the path when --fps is given.
    #[arg(long, requires = "out_dir")]
    pub frames: Option<usize>,
    /// Folder for the --path frames (frame_00000.png, ...); created if missing.
    #[arg(long, requires = "path", conflicts_with = "video")]
    pub out_dir: Option<PathBuf>,
    /// Render --path to this MP4 file (H.264, encoded in-process by OpenH264):
    /// one frame every 1/--fps seconds of the path. Width and height must be
    /// even.
    #[arg(long, requires = "path")]
    pub video: Option<PathBuf>,
    /// Frames per second of the path (1 to 240): of --video (default 30), or
    /// of the --out-dir frames instead of --frames.
    #[arg(long, requires = "path")]
    pub fps: Option<f64>,
    /// INRIA cameras.json; image size and intrinsics come from it.
    #[arg(long)]
    pub camera: Option<PathBuf>,
    /// Index into the cameras.json list (0-based).
    #[arg(long, default_value_t = 0, requires = "camera")]
    pub camera_index: usize,
    /// Look-at camera: eye position "x,y,z" in scene units.
    #[arg(long, value_parser = parse_vec3, conflicts_with = "camera")]
    pub eye: Option<Vec3>,
    /// Look-at camera: target "x,y,z" in scene units (default: the scene centre).
    #[arg(long, value_parser = parse_vec3, requires = "eye")]
    pub target: Option<Vec3>,
    /// Look-at camera: world up "x,y,z" (default 0,-1,0: OpenCV/COLMAP scenes).
    #[arg(long, value_parser = parse_vec3, requires = "eye")]
    pub up: Option<Vec3>,
    /// Look-at camera: vertical field of view in degrees, in (0, 180), default
    /// 50 (needs --eye: framing views and camera paths have their own).
    #[arg(long, requires = "eye")]
    pub fov_y: Option<f32>,
    /// Image width in pixels (overrides the cameras.json size; default 1280).
    #[arg(long)]
    pub width: Option<u32>,
    /// Image height in pixels (overrides the cameras.json size; default 720).
    #[arg(long)]
    pub height: Option<u32>,
    /// Background colour "r,g,b", each channel from 0 to 1 (display-encoded,
    /// like the splats' colours).
    #[arg(long, value_parser = crate::args::parse_color, default_value = "0,0,0")]
    pub background: Vec3,
    /// Rasterizer: hardware (quads), compute (tiles, front to back with early
    /// stop) or auto (the faster, measured on the first frames; quads at once
    /// on CPU adapters below 500k splats).
    #[arg(long, default_value = "hardware", value_parser = parse_raster)]
    pub raster: Raster,
    /// Compute rasterizer: tile side, 8 or 16 pixels, or auto (8 here: `render`
    /// does not time its frames; the window and `bench` measure both on GPUs).
    #[arg(long, default_value = "auto")]
    pub tile_size: TileSize,
    /// Anti-aliasing: auto (what the file asks for), classic, antialiased, mip or
    /// analytic (docs/ANTIALIASING.md).
    #[arg(long, default_value = "auto", value_parser = parse_aa)]
    pub aa: AaChoice,
    #[command(flatten)]
    pub mesh: MeshArgs,
    #[command(flatten)]
    pub lod: crate::args::LodArgs,
}

/// How meshes and point clouds are drawn (`render`, `bench`).
#[derive(Debug, Args)]
pub struct MeshArgs {
    /// Mesh shading: lit (a headlight at the camera, simple diffuse) or unlit
    /// (the material colour as a display value).
    #[arg(long, default_value = "lit", value_parser = crate::args::parse_shading)]
    pub shading: MeshShading,
    /// Drop mesh triangles facing away from the camera.
    #[arg(long)]
    pub cull_back_faces: bool,
    /// Draw the mesh triangles' edges over them.
    #[arg(long)]
    pub wireframe: bool,
    /// Side of a point cloud's dots, in pixels.
    #[arg(long, default_value_t = 2.0)]
    pub point_size: f32,
}

impl MeshArgs {
    pub fn params(&self) -> crate::render::MeshParams {
        crate::render::MeshParams {
            shading: self.shading,
            cull_back_faces: self.cull_back_faces,
            wireframe: self.wireframe,
            point_size_px: self.point_size,
            ..Default::default()
        }
    }
}

impl RenderArgs {
    /// The job these flags describe, or why they cannot work together.
    pub fn job(&self) -> Result<RenderJob, UsageError> {
        crate::args::check_tile_size(self.raster, self.tile_size)?;
        if let Some(dir) = &self.out_dir {
            crate::args::check_out_dir(dir)?;
        }
        let camera = if let Some(file) = &self.camera {
            CameraSpec::Training {
                file: file.clone(),
                index: self.camera_index,
            }
        } else if let Some(eye) = self.eye {
            CameraSpec::LookAt {
                eye,
                target: self.target,
                up: self.up,
                fov_y_degrees: self
                    .fov_y
                    .unwrap_or(crate::controls::orbit::DEFAULT_FOV_Y_DEGREES),
            }
        } else {
            CameraSpec::Framing
        };
        if self.path.is_some() && self.fov_y.is_some() {
            // clap lets it through beside --path; a path has its own.
            return Err(UsageError(
                "--fov-y sets a look-at camera's field of view (with --eye); a camera path's keyframes have their own".into(),
            ));
        }
        let output = match (&self.path, &self.out_dir, &self.video, &self.out) {
            (Some(path_file), Some(out_dir), _, _) => RenderOutput::Path {
                path_file: path_file.clone(),
                frames: match (self.frames, self.fps) {
                    (Some(_), Some(_)) => {
                        return Err(UsageError(
                            "give --frames or --fps for the --out-dir frames, not both".into(),
                        ));
                    }
                    (Some(count), None) => PathFrames::Count(count),
                    (None, Some(fps)) => PathFrames::PerSecond(fps),
                    (None, None) => PathFrames::Count(120),
                },
                out_dir: out_dir.clone(),
            },
            (Some(path_file), None, Some(video), _) => RenderOutput::Video {
                path_file: path_file.clone(),
                fps: self.fps.unwrap_or(30.0),
                out: video.clone(),
            },
            (_, _, _, out) => RenderOutput::Image(out.clone().unwrap_or_default()),
        };
        Ok(RenderJob {
            scenes: self.scenes.clone(),
            camera,
            width: self.width,
            height: self.height,
            settings: RenderSettings {
                background: self.background.to_array(),
                raster: self.raster,
                tile_size: self.tile_size,
                aa: self.aa,
                mesh: self.mesh.params(),
                hierarchy: self.lod.request()?,
                ..RenderSettings::default()
            },
            output,
        })
    }
}

pub fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Some(Command::Render(args)) => match crate::headless::run_render(&args.job()?) {
            Ok(line) => {
                println!("{line}");
                Ok(())
            }
            Err(HeadlessError::Invalid(message)) => Err(UsageError(message).into()),
            Err(err) => Err(err.into()),
        },
        Some(Command::Bench(args)) => crate::bench::run_bench(&args),
        Some(Command::BenchSort(args)) => crate::bench::run_bench_sort(&args),
        Some(Command::BenchLoad(args)) => crate::bench::run_bench_load(&args),
        Some(Command::Scale(args)) => run_scale(&args),
        Some(Command::Metrics(args)) => crate::eval::cli::run_metrics(&args),
        Some(Command::Eval(args)) => crate::eval::cli::run_eval(&args),
        Some(Command::Compare(args)) => crate::eval::compare::run_compare(&args),
        Some(Command::LodBuild(args)) => crate::lod_build::run_lod_build(&args),
        Some(Command::GenerateDefaultScene { out }) => {
            crate::default_scene::write_default_scene(&out)
                .with_context(|| format!("writing {}", out.display()))?;
            println!("wrote the default scene to {}", out.display());
            Ok(())
        }
        None => {
            // A dataset alone: a training output opens its own scene.
            let scenes = if cli.scenes.is_empty() && cli.dataset.is_none() {
                vec![
                    crate::default_scene::default_scene_path()
                        .context("finding or generating the default scene")?,
                ]
            } else {
                cli.scenes
            };
            crate::app::run_viewer(crate::app::Launch {
                scenes,
                compare: cli.compare,
                dataset: cli.dataset,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vec3_parsing() {
        assert_eq!(parse_vec3("1, 2,3"), Ok(Vec3::new(1.0, 2.0, 3.0)));
        assert!(parse_vec3("1,2").is_err());
        assert!(parse_vec3("a,b,c").is_err());
        assert!(parse_vec3("1,2,inf").is_err());
    }

    #[test]
    fn render_flags_parse() {
        let cli = Cli::try_parse_from([
            "splatview",
            "render",
            "s.ply",
            "--out",
            "o.png",
            "--eye",
            "0,0,-3",
            "--target",
            "0,0,0",
            "--up",
            "0,-1,0",
            "--fov-y",
            "40",
            "--width",
            "64",
            "--height",
            "32",
            "--background",
            "1,1,1",
        ]);
        let Ok(Cli {
            command: Some(Command::Render(args)),
            ..
        }) = cli
        else {
            panic!("render args did not parse: {cli:?}");
        };
        assert_eq!(args.width, Some(64));
        assert_eq!(args.out, Some(PathBuf::from("o.png")));
        assert_eq!(args.background, Vec3::ONE);
        assert!(
            Cli::try_parse_from([
                "splatview",
                "render",
                "s.ply",
                "--out",
                "o.png",
                "--eye",
                "1,2,3",
                "--camera",
                "c.json"
            ])
            .is_err()
        );
        let path = Cli::try_parse_from([
            "splatview",
            "render",
            "s.ply",
            "--path",
            "p.json",
            "--frames",
            "24",
            "--out-dir",
            "frames",
        ]);
        let Ok(Cli {
            command: Some(Command::Render(args)),
            ..
        }) = path
        else {
            panic!("path render args did not parse: {path:?}");
        };
        assert_eq!(
            (args.frames, args.out_dir),
            (Some(24), Some(PathBuf::from("frames")))
        );
        assert!(Cli::try_parse_from(["splatview", "render", "s.ply", "--path", "p.json"]).is_err());
        let video = Cli::try_parse_from([
            "splatview",
            "render",
            "s.ply",
            "--path",
            "p.json",
            "--video",
            "o.mp4",
            "--fps",
            "24",
        ]);
        let Ok(Cli {
            command: Some(Command::Render(args)),
            ..
        }) = video
        else {
            panic!("video args did not parse: {video:?}");
        };
        assert_eq!(
            args.job().expect("valid flags").output,
            RenderOutput::Video {
                path_file: PathBuf::from("p.json"),
                fps: 24.0,
                out: PathBuf::from("o.mp4"),
            }
        );
        // --video needs --path; not both outputs.
        assert!(Cli::try_parse_from(["splatview", "render", "s.ply", "--video", "o.mp4"]).is_err());
        assert!(
            Cli::try_parse_from([
                "splatview",
                "render",
                "s.ply",
                "--path",
                "p.json",
                "--out-dir",
                "d",
                "--video",
                "o.mp4"
            ])
            .is_err()
        );
        assert!(Cli::try_parse_from(["splatview", "render", "s.ply"]).is_err());
        let view = Cli::try_parse_from(["splatview", "scene.ply"]).map(|c| c.scenes);
        assert_eq!(view.ok(), Some(vec![PathBuf::from("scene.ply")]));
        let several = Cli::try_parse_from(["splatview", "a.ply", "b.glb"]).map(|c| c.scenes);
        assert_eq!(
            several.ok(),
            Some(vec![PathBuf::from("a.ply"), PathBuf::from("b.glb")])
        );
        let none = Cli::try_parse_from(["splatview"]).map(|c| (c.command.is_none(), c.scenes));
        assert_eq!(none.ok(), Some((true, vec![])));
        let compare = Cli::try_parse_from(["splatview", "a.ply", "--compare", "b.splat"])
            .map(|c| (c.scenes, c.compare, c.dataset));
        assert_eq!(
            compare.ok(),
            Some((
                vec![PathBuf::from("a.ply")],
                Some(PathBuf::from("b.splat")),
                None
            ))
        );
    }
}
