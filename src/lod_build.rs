//! `splatview lod-build SCENE [--out FILE]`: builds a scene's level-of-detail
//! hierarchy, reports how long it took, and writes it to the cache (or `--out`,
//! e.g. beside the scene as `SCENE.lod`, where the viewer reads it first).

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context as _;

use crate::scene::lod::build::{BuildOptions, build};
use crate::scene::lod::cache::{LodCache, scene_key, write_hierarchy};

#[derive(Debug, clap::Args)]
pub struct LodBuildArgs {
    /// Scene file (any supported format).
    pub scene: PathBuf,
    /// Where to write the hierarchy (default: the platform cache, where the viewer
    /// looks for it). Written beside the scene as its file name plus `.lod`
    /// (`--out biker.ply.lod` for `biker.ply`), the viewer and `render` read it
    /// from there before the cache, so a precomputed hierarchy can travel with
    /// its scene; a file elsewhere is for inspection (`bench` always builds).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Children per node: 2, 4 or 8. The viewer, `render` and `bench` build
    /// and read 4 (the default); other values are for comparing trees.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u32).range(2..=8))]
    pub branching: u32,
    /// Worker threads (0: one per core).
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
}

pub fn run_lod_build(args: &LodBuildArgs) -> anyhow::Result<()> {
    let start = Instant::now();
    let scene = crate::io::load_splat_scene(&args.scene)?.0;
    let load_s = start.elapsed().as_secs_f64();
    println!(
        "{}: {} splats, SH degree {}, loaded in {load_s:.3} s",
        args.scene.display(),
        scene.len(),
        scene.sh_degree
    );

    let options = BuildOptions {
        branching: args.branching,
        threads: args.threads,
    };
    let start = Instant::now();
    let hierarchy = build(&scene, &options, None)?;
    let build_s = start.elapsed().as_secs_f64();
    let threads = if args.threads > 0 {
        args.threads
    } else {
        std::thread::available_parallelism().map_or(1, |t| t.get())
    };
    println!(
        "built in {build_s:.3} s ({:.2} M splats/s, {threads} threads, {} debug build): {} nodes ({} merged Gaussians), depth {}, branching {}",
        scene.len() as f64 / build_s.max(1e-9) / 1e6,
        if cfg!(debug_assertions) { "a" } else { "not a" },
        hierarchy.nodes().len(),
        hierarchy.interior().len(),
        hierarchy.depth_count(),
        hierarchy.branching(),
    );

    let start = Instant::now();
    let key = scene_key(&scene);
    let hash_s = start.elapsed().as_secs_f64();
    let path = match &args.out {
        Some(path) => path.clone(),
        None => LodCache::platform()
            .context("this platform has no cache directory: pass --out")?
            .entry_path(key, options.branching),
    };
    let start = Instant::now();
    write_hierarchy(&path, &hierarchy, key)?;
    let bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    println!(
        "wrote {} ({:.1} MB) in {:.3} s; content key {key:032x} hashed in {hash_s:.3} s",
        path.display(),
        bytes as f64 / 1e6,
        start.elapsed().as_secs_f64()
    );
    Ok(())
}
