//! `splatview bench-load`: scene file loading alone (read + parse + convert to the
//! in-memory cloud), no GPU. For files too big for a small adapter's bindings.

use std::path::PathBuf;
use std::time::Instant;

use clap::Args;

use super::median;

#[derive(Debug, Args)]
pub struct BenchLoadArgs {
    /// Scene file (any supported format).
    pub scene: PathBuf,
    /// Number of timed loads; the first one may read from disk, later ones from the page cache.
    #[arg(long, default_value_t = 3)]
    pub repeats: usize,
    /// Print one JSON object instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// The `bench-load` report. Keys are stable: scripts read them.
#[derive(Debug, serde::Serialize)]
pub struct BenchLoadReport {
    pub file: String,
    pub format: String,
    pub file_bytes: u64,
    pub splats: usize,
    pub sh_degree: u32,
    pub threads: usize,
    /// Every timed load, in order.
    pub load_ms: Vec<f64>,
    pub load_ms_median: f64,
    pub load_mb_per_s: f64,
    pub load_splats_per_s: f64,
}

pub fn run_bench_load(args: &BenchLoadArgs) -> anyhow::Result<()> {
    let file_bytes = std::fs::metadata(crate::io::scene_file_path(&args.scene))?.len();
    let mut times = Vec::new();
    let mut summary = None;
    for _ in 0..args.repeats.max(1) {
        let started = Instant::now();
        let (cloud, format) = crate::io::load_splat_scene(&args.scene)?;
        times.push(started.elapsed().as_secs_f64() * 1000.0);
        summary = Some((cloud.len(), cloud.sh_degree, format));
        drop(cloud);
    }
    let (splats, sh_degree, format) = summary.expect("at least one load");
    let ms = median(&mut times.clone());
    let report = BenchLoadReport {
        file: args.scene.display().to_string(),
        format: format.name().to_owned(),
        file_bytes,
        splats,
        sh_degree,
        threads: std::thread::available_parallelism().map_or(1, |t| t.get()),
        load_ms: times,
        load_ms_median: ms,
        load_mb_per_s: file_bytes as f64 / 1e6 / (ms / 1000.0).max(1e-9),
        load_splats_per_s: splats as f64 / (ms / 1000.0).max(1e-9),
    };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        println!("file        {} ({})", report.file, report.format);
        println!(
            "size        {:.1} MB, {} splats, SH degree {}",
            report.file_bytes as f64 / 1e6,
            report.splats,
            report.sh_degree
        );
        let runs: Vec<String> = report.load_ms.iter().map(|t| format!("{t:.0}")).collect();
        println!(
            "loads       {} ms ({} threads)",
            runs.join(", "),
            report.threads
        );
        println!(
            "median      {:.1} ms = {:.0} MB/s, {:.1} M splats/s",
            report.load_ms_median,
            report.load_mb_per_s,
            report.load_splats_per_s / 1e6
        );
    }
    Ok(())
}
