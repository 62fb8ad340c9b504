//! The `metrics` and `eval` subcommands (`compare` is in [`super::compare`]).
//! Exit status: 0 on success, 2 for a command-line error (clap), 1 for any other
//! error (unreadable files, images of different sizes, no view evaluated).

use std::path::PathBuf;

use anyhow::Context as _;
use clap::{Args, ValueEnum};
use glam::Vec3;

use super::headless_adapter::HeadlessViewRenderer;
use super::{EvalOptions, RenderOptions, report};
use crate::dataset::{Split, TrainingOutput, find_training_output, open_dataset};

#[derive(Debug, Args)]
pub struct MetricsArgs {
    /// Image A (the reference, e.g. the photo).
    pub a: PathBuf,
    /// Image B (the image under test, e.g. the render); same size as A.
    pub b: PathBuf,
    /// Print {"psnr": .., "ssim": .., "flip": ..} (PSNR null for identical images).
    #[arg(long)]
    pub json: bool,
}

pub fn run_metrics(args: &MetricsArgs) -> anyhow::Result<()> {
    let open = |path: &PathBuf| -> anyhow::Result<image::RgbImage> {
        Ok(image::open(path)
            .with_context(|| format!("{}: cannot read the image", path.display()))?
            .into_rgb8())
    };
    let (a, b) = (open(&args.a)?, open(&args.b)?);
    anyhow::ensure!(
        a.dimensions() == b.dimensions(),
        "{} is {}x{} but {} is {}x{}: metrics compare images of the same size",
        args.a.display(),
        a.width(),
        a.height(),
        args.b.display(),
        b.width(),
        b.height()
    );
    let metrics = crate::metrics::measure(&a, &b)
        .with_context(|| format!("comparing {} and {}", args.a.display(), args.b.display()))?;
    if args.json {
        println!("{}", serde_json::to_string(&metrics)?);
    } else {
        println!(
            "PSNR {:.3} dB  SSIM {:.4}  FLIP {:.4}",
            metrics.psnr, metrics.ssim, metrics.flip
        );
    }
    Ok(())
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SplitArg {
    Test,
    Train,
    All,
}

#[derive(Debug, Args)]
pub struct EvalArgs {
    /// Scene file, or a 3DGS training output folder (point_cloud/iteration_*/,
    /// cameras.json, cfg_args), which also names its dataset.
    pub scene: PathBuf,
    /// Dataset folder: COLMAP (sparse/0 + images/), 3DGS cameras.json + images/,
    /// or a 3DGS training output. Default: the training output's source_path.
    #[arg(long)]
    pub dataset: Option<PathBuf>,
    /// Views to evaluate: the test views (every --test-every-th by name, from the
    /// first), the others, or all.
    #[arg(long, value_enum, default_value_t = SplitArg::Test)]
    pub split: SplitArg,
    /// Hold-out interval of the test split (3DGS: 8).
    #[arg(long, default_value_t = Split::DEFAULT_TEST_EVERY, value_parser = crate::args::parse_positive)]
    pub test_every: usize,
    /// Photo folder inside the dataset (default "images"; images_N scales the
    /// cameras by 1/N).
    #[arg(long)]
    pub images: Option<String>,
    /// Write renders/, gt/, diff/ and flip/ PNGs and results.json here.
    #[arg(long)]
    pub out_dir: Option<PathBuf>,
    /// Background "r,g,b" in 0..1 (default black, or white when cfg_args says
    /// white_background=True).
    #[arg(long, value_parser = crate::args::parse_color)]
    pub background: Option<Vec3>,
    /// Print JSON: {"split", "count", "images": [...], "mean": {...}, ...}.
    #[arg(long, conflicts_with = "csv")]
    pub json: bool,
    /// Print CSV: name,psnr,ssim,flip per image and a mean row.
    #[arg(long)]
    pub csv: bool,
    /// The |render - photo| error drawn at the top of the diff/ heatmaps' scale.
    #[arg(long, default_value_t = 0.2)]
    pub diff_scale: f32,
    /// Rasterizer: hardware (quads), compute (tiles) or auto (the faster,
    /// measured on the first frames; quads at once on CPU adapters below 500k
    /// splats).
    #[arg(long, default_value = "hardware", value_parser = crate::args::parse_raster)]
    pub raster: crate::render::Raster,
    /// Anti-aliasing: auto (what the file asks for), classic, antialiased, mip or
    /// analytic (docs/ANTIALIASING.md).
    #[arg(long, default_value = "auto", value_parser = crate::args::parse_aa)]
    pub aa: crate::scene::AaChoice,
}

impl EvalArgs {
    fn split(&self) -> Split {
        match self.split {
            SplitArg::Test => Split::Test {
                every: self.test_every,
            },
            SplitArg::Train => Split::Train {
                every: self.test_every,
            },
            SplitArg::All => Split::All,
        }
    }
}

pub fn run_eval(args: &EvalArgs) -> anyhow::Result<()> {
    if let Some(dir) = &args.out_dir {
        crate::args::check_out_dir(dir)?;
    }
    if !(args.diff_scale.is_finite() && args.diff_scale > 0.0) {
        return Err(crate::args::UsageError(format!(
            "--diff-scale must be a positive number, got {}",
            args.diff_scale
        ))
        .into());
    }
    let output: Option<TrainingOutput> = if args.scene.is_dir() {
        let found = find_training_output(&args.scene)?;
        Some(found.with_context(|| {
            format!(
                "{}: a folder given as the scene must be a 3DGS training output (point_cloud/iteration_*/point_cloud.ply)",
                args.scene.display()
            )
        })?)
    } else {
        None
    };
    let dataset = match (&args.dataset, &output) {
        (Some(dir), _) => open_dataset(dir, args.images.as_deref())?,
        (None, Some(output)) => output.dataset(args.images.as_deref())?,
        (None, None) => anyhow::bail!(
            "{}: name the photos with --dataset DIR (only a 3DGS training output folder names its own dataset)",
            args.scene.display()
        ),
    };
    let scene_path = output
        .as_ref()
        .map_or(args.scene.clone(), |o| o.scene.clone());
    let background = args
        .background
        .map(|b| b.to_array())
        .or(output.as_ref().map(TrainingOutput::background))
        .unwrap_or([0.0; 3]);
    if dataset.split_views(args.split()).is_empty() {
        let why = match args.split() {
            Split::Train { every: 1 } => "--test-every 1 makes every view a test view".to_owned(),
            _ => format!("the dataset lists {} views", dataset.views.len()),
        };
        return Err(crate::args::UsageError(format!(
            "the {} split holds no view: {why}",
            args.split().name()
        ))
        .into());
    }
    let cloud = crate::io::load_splat_scene(&scene_path)?.0;
    let ctx = crate::gpu::GpuContext::new_headless()?;
    log::info!("adapter: {}", ctx.adapter_description());
    log::info!(
        "evaluating {} ({} splats) on {} ({} views, photos in {})",
        scene_path.display(),
        cloud.len(),
        dataset.root.display(),
        dataset.views.len(),
        dataset.images_dir.display()
    );
    let mut renderer = HeadlessViewRenderer::new(&ctx, &cloud, args.raster)?;
    let options = EvalOptions {
        split: args.split(),
        render: RenderOptions {
            background,
            max_sh_degree: None,
            aa: args.aa,
        },
        out_dir: args.out_dir.clone(),
        diff_scale: args.diff_scale,
    };
    let progress = indicatif::ProgressBar::new(0);
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "[{bar:30}] {pos}/{len} views  {elapsed} (ETA {eta})  {msg}",
    ) {
        progress.set_style(style.progress_chars("#> "));
    }
    let report = super::evaluate(&dataset, &mut renderer, &options, &progress)?;
    let summary = report::summary(&report);
    anyhow::ensure!(
        !report.results.is_empty(),
        "no view of the {} split could be evaluated: {}",
        report.split.name(),
        summary.trim_end()
    );
    let json = report::to_json(&report);
    if let Some(dir) = &args.out_dir {
        let path = dir.join("results.json");
        std::fs::write(&path, serde_json::to_string_pretty(&json)?)
            .with_context(|| format!("writing {}", path.display()))?;
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&json)?);
        eprint!("{summary}");
    } else if args.csv {
        print!("{}", report::to_csv(&report));
        eprint!("{summary}");
    } else {
        print!("{}", report::to_table(&report));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use clap::Parser as _;

    use super::*;

    /// The subcommands under test, as the binary's `Cli` declares them.
    #[derive(Debug, clap::Parser)]
    enum Command {
        Metrics(MetricsArgs),
        Eval(EvalArgs),
        Compare(crate::eval::compare::CompareArgs),
    }

    fn parse(args: &[&str]) -> Result<Option<Command>, clap::Error> {
        Command::try_parse_from(std::iter::once("splatview").chain(args.iter().copied())).map(Some)
    }

    #[test]
    fn eval_flags() {
        let Ok(Some(Command::Eval(args))) = parse(&["eval", "output/garden"]) else {
            panic!("eval OUTPUT_DIR parses");
        };
        assert_eq!(args.split(), Split::Test { every: 8 });
        assert_eq!((args.dataset, args.json, args.csv), (None, false, false));
        let Ok(Some(Command::Eval(args))) = parse(&[
            "eval",
            "s.ply",
            "--dataset",
            "d",
            "--split",
            "train",
            "--test-every",
            "4",
            "--images",
            "images_4",
            "--out-dir",
            "o",
            "--background",
            "1,1,1",
            "--csv",
        ]) else {
            panic!("all eval flags parse");
        };
        assert_eq!(args.split(), Split::Train { every: 4 });
        assert_eq!(args.images.as_deref(), Some("images_4"));
        assert_eq!(args.background, Some(Vec3::ONE));
        assert!(args.csv);
        assert!(parse(&["eval", "s.ply", "--json", "--csv"]).is_err());
        assert!(parse(&["eval", "s.ply", "--test-every", "0"]).is_err());
        assert!(parse(&["eval", "s.ply", "--split", "val"]).is_err());
    }

    #[test]
    fn metrics_and_compare_flags() {
        let Ok(Some(Command::Metrics(args))) = parse(&["metrics", "a.png", "b.png", "--json"])
        else {
            panic!("metrics parses");
        };
        assert!(args.json);
        let Ok(Some(Command::Compare(args))) = parse(&[
            "compare",
            "a.ply",
            "b.spz",
            "--out-dir",
            "d",
            "--a-sh",
            "0",
            "--b-sh",
            "3",
            "--eye",
            "0,0,-3",
            "--width",
            "64",
            "--height",
            "32",
            "--json",
        ]) else {
            panic!("compare parses");
        };
        assert_eq!(
            (args.a_sh, args.b_sh, args.width),
            (Some(0), Some(3), Some(64))
        );
        assert!(parse(&["compare", "a.ply", "b.ply", "--out-dir", "d", "--a-sh", "4"]).is_err());
        assert!(
            parse(&["compare", "a.ply", "b.ply"]).is_err(),
            "--out-dir is required"
        );
        assert!(
            parse(&[
                "compare",
                "a",
                "b",
                "--out-dir",
                "d",
                "--eye",
                "1,2,3",
                "--camera",
                "c.json"
            ])
            .is_err()
        );
    }
}
