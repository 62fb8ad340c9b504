//! `splatview bench`, `bench-sort` and `bench-load`: measured speed, as a table or
//! as one JSON object whose keys scripts rely on (see docs/BENCHMARKS.md).

mod load;
mod sort;

pub use load::{BenchLoadArgs, run_bench_load};
pub use sort::{BenchSortArgs, run_bench_sort};

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context as _;
use clap::Args;

use crate::controls::OrbitCamera;
use crate::gpu::GpuContext;
use crate::gpu::profiler::{PassTimings, TileStageTimings};
use crate::gpu::readback::read_buffer;
use crate::render::FrameRenderer;
use crate::render::offscreen::OFFSCREEN_FORMAT;
use crate::render::sort::SortPath;
use crate::render::splat::{FrameState, SplatGpuData};
use crate::render::tile::{RasterChoice, RasterMode, TILE_SIZE};
use crate::scene::{PinholeCamera, SceneBounds};

#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Scene file.
    pub scene: PathBuf,
    #[arg(long, default_value_t = 1280)]
    pub width: u32,
    #[arg(long, default_value_t = 720)]
    pub height: u32,
    /// Timed frames (after a warm-up).
    #[arg(long, default_value_t = 100)]
    pub frames: usize,
    /// INRIA cameras.json to take the view from.
    #[arg(long, conflicts_with = "orbit")]
    pub camera: Option<PathBuf>,
    #[arg(long, default_value_t = 0, requires = "camera")]
    pub camera_index: usize,
    /// Orbit once around the scene over the timed frames (default: fixed framing view).
    #[arg(long)]
    pub orbit: bool,
    /// Tile copies of the scene until it holds this many splats (e.g. 6000000).
    #[arg(long)]
    pub scale_to: Option<usize>,
    /// Depth sort key bits (16, 24 or 32).
    #[arg(long)]
    pub sort_key_bits: Option<u32>,
    /// Sort kernels: the fastest the adapter supports, or one path.
    #[arg(long, value_enum, default_value_t = SortPathArg::Auto)]
    pub sort_path: SortPathArg,
    /// Rasterizer: hardware quads, compute tiles, or the faster of the two.
    #[arg(long, value_enum, default_value_t = BenchRasterArg::Hardware)]
    pub raster: BenchRasterArg,
    /// Compute rasterizer: most pairs one workgroup blends before a tile is split
    /// into chunks (for tuning; the viewer uses the default).
    #[arg(long, default_value_t = crate::render::tile::DEFAULT_CHUNK_PAIRS)]
    pub tile_chunk_pairs: u32,
    /// Print one JSON object instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// `--raster` values of `render`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum RasterArg {
    Hardware,
    Compute,
}

impl From<RasterArg> for RasterMode {
    fn from(arg: RasterArg) -> Self {
        match arg {
            RasterArg::Hardware => RasterMode::Hardware,
            RasterArg::Compute => RasterMode::Compute,
        }
    }
}

/// `--raster` values of `bench`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum BenchRasterArg {
    Hardware,
    Compute,
    /// The window's default: both measured on the first frames, the faster kept.
    Auto,
}

impl From<BenchRasterArg> for RasterChoice {
    fn from(arg: BenchRasterArg) -> Self {
        match arg {
            BenchRasterArg::Hardware => RasterChoice::Hardware,
            BenchRasterArg::Compute => RasterChoice::Compute,
            BenchRasterArg::Auto => RasterChoice::Auto,
        }
    }
}

/// `--sort-path` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum SortPathArg {
    Auto,
    Portable,
    Subgroup,
}

impl SortPathArg {
    fn resolve(self, device: &wgpu::Device) -> SortPath {
        match self {
            Self::Auto => SortPath::best_for(device),
            Self::Portable => SortPath::Portable,
            Self::Subgroup => SortPath::Subgroup,
        }
    }
}

/// Most frames `--raster auto` may take to choose (it needs about 8).
const AUTO_MAX_FRAMES: usize = 32;

/// The `bench` report. Keys are stable: scripts read them.
#[derive(Debug, serde::Serialize)]
pub struct BenchReport {
    pub adapter: String,
    pub backend: String,
    pub splats: usize,
    pub sh_degree: u32,
    pub width: u32,
    pub height: u32,
    pub frames: usize,
    pub load_ms: f64,
    pub load_mb_per_s: f64,
    pub load_splats_per_s: f64,
    pub upload_ms: f64,
    pub first_frame_ms: f64,
    pub frame_ms_median: f64,
    pub frame_ms_p95: f64,
    pub frame_ms_max: f64,
    pub pass_ms: PassMs,
    pub timing_source: &'static str,
    pub visible_splats: u32,
    pub sort_key_bits: u32,
    /// `portable` or `subgroup` (see `SortPath`).
    pub sort_path: SortPath,
    /// `hardware` or `compute` (see `RasterMode`); `pass_ms.draw` is its time.
    pub raster: RasterMode,
    /// `--raster auto`: what was chosen and the median draw times it was chosen by
    /// (null otherwise).
    pub raster_auto: Option<AutoDecision>,
    /// Compute rasterizer: (tile, splat) pairs in the last frame (null otherwise).
    pub tile_pairs: Option<u32>,
    /// Compute rasterizer: how the last frame's pairs spread over the tiles (null
    /// otherwise).
    pub tile_pairs_per_tile: Option<TilePairStats>,
    /// Compute rasterizer: workgroups that blended the last frame (one per tile,
    /// more where tiles were split), and the most pairs each took.
    pub tile_chunks: Option<u32>,
    pub tile_chunk_pairs: Option<u32>,
    /// Compute rasterizer: median GPU milliseconds of its draw stages (null
    /// otherwise, or without timestamps).
    pub tile_stage_ms: Option<TileStageTimings>,
    pub sort_keys_per_s: f64,
    /// All GPU memory of the scene per splat: resident plus working.
    pub gpu_bytes_per_splat: f64,
    /// Packed splat attributes and SH per splat.
    pub gpu_resident_bytes_per_splat: f64,
    /// Per-frame working buffers (projection output, sort) per splat.
    pub gpu_working_bytes_per_splat: f64,
}

/// The automatic rasterizer choice of `--raster auto`.
#[derive(Debug, serde::Serialize)]
pub struct AutoDecision {
    pub chosen: RasterMode,
    pub quads_draw_ms: f64,
    pub tiles_draw_ms: f64,
}

/// Pairs per tile of the compute rasterizer's last frame.
#[derive(Debug, serde::Serialize)]
pub struct TilePairStats {
    pub tiles: usize,
    pub nonempty: usize,
    pub mean: f64,
    pub p99: f64,
    pub max: f64,
}

impl TilePairStats {
    /// From the (first, end) pair range of each tile.
    fn new(ranges: &[u32]) -> Self {
        let mut counts: Vec<f64> = ranges
            .chunks_exact(2)
            .map(|r| f64::from(r[1].saturating_sub(r[0])))
            .collect();
        let tiles = counts.len();
        let nonempty = counts.iter().filter(|&&c| c > 0.0).count();
        Self {
            tiles,
            nonempty,
            mean: counts.iter().sum::<f64>() / tiles.max(1) as f64,
            p99: percentile(&mut counts, 0.99),
            max: counts.iter().copied().fold(0.0, f64::max),
        }
    }
}

/// Median GPU milliseconds per pass.
#[derive(Debug, serde::Serialize)]
pub struct PassMs {
    pub project: f64,
    pub sort: f64,
    pub draw: f64,
    /// Everything else in the frame (compose).
    pub other: f64,
}

pub(crate) fn median(values: &mut [f64]) -> f64 {
    percentile(values, 0.5)
}

fn percentile(values: &mut [f64], q: f64) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    values.sort_by(f64::total_cmp);
    let index = ((values.len() - 1) as f64 * q).round() as usize;
    values[index]
}

pub fn run_bench(args: &BenchArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    let file_bytes = std::fs::metadata(&args.scene).map(|m| m.len()).unwrap_or(0);
    let mut cloud = crate::io::load_splat_file(&args.scene)?;
    let load_s = started.elapsed().as_secs_f64();
    let loaded_splats = cloud.len();
    if let Some(target) = args.scale_to {
        cloud = crate::scene::tile::tile_to_count(
            &cloud,
            target,
            crate::controls::orbit::DEFAULT_WORLD_UP,
        );
    }

    let ctx = GpuContext::new_headless()?;
    let mut renderer = FrameRenderer::new(&ctx.device, OFFSCREEN_FORMAT)?;
    if let Some(bits) = args.sort_key_bits {
        anyhow::ensure!(
            matches!(bits, 16 | 24 | 32),
            "--sort-key-bits must be 16, 24 or 32"
        );
        renderer.splats.sort_key_bits = bits;
    }
    renderer
        .splats
        .set_sort_path(&ctx.device, args.sort_path.resolve(&ctx.device))?;
    renderer.set_raster_choice(args.raster.into());
    renderer.tiles.chunk_pairs = args.tile_chunk_pairs;
    let timestamps = renderer.enable_profiling(&ctx.device, &ctx.queue);
    let upload_started = Instant::now();
    let mut scene = SplatGpuData::new(&ctx.device, &renderer.splats, &cloud)?;
    let upload_ms = upload_started.elapsed().as_secs_f64() * 1000.0;

    let (width, height) = (args.width.max(1), args.height.max(1));
    let bounds = SceneBounds::robust(&cloud);
    let base_orbit = OrbitCamera::framing(bounds, width as f32 / height as f32);
    let fixed_camera = match &args.camera {
        Some(path) => {
            let cameras = crate::io::cameras_json::load_cameras_json(path)?;
            let cam = cameras
                .get(args.camera_index)
                .with_context(|| format!("{}: no camera {}", path.display(), args.camera_index))?
                .camera;
            Some(cam.resized(width, height))
        }
        None => None,
    };
    let camera_for = |frame: usize| -> PinholeCamera {
        if let Some(cam) = fixed_camera {
            return cam;
        }
        let mut orbit = base_orbit;
        if args.orbit {
            orbit.yaw += std::f32::consts::TAU * frame as f32 / args.frames.max(1) as f32;
        }
        orbit.camera(width, height)
    };

    let output = crate::render::offscreen::create_output_texture(
        &ctx.device,
        width,
        height,
        wgpu::TextureUsages::empty(),
    );
    let view = output.create_view(&Default::default());
    let wait = || {
        ctx.device.poll(wgpu::PollType::Wait {
            submission_index: None,
            timeout: None,
        })
    };
    let render_frame = |renderer: &mut FrameRenderer, scene: &mut SplatGpuData, frame: usize| {
        let frame_started = Instant::now();
        let mut encoder = ctx.device.create_command_encoder(&Default::default());
        renderer.encode_frame(
            &ctx.device,
            &ctx.queue,
            &mut encoder,
            scene,
            &camera_for(frame),
            [0.0; 3],
            &view,
        );
        ctx.queue.submit([encoder.finish()]);
        renderer.after_submit();
        wait()?;
        let frame_ms = frame_started.elapsed().as_secs_f64() * 1000.0;
        Ok::<_, anyhow::Error>((frame_ms, renderer.poll_pass_timings()))
    };

    render_frame(&mut renderer, &mut scene, 0)?;
    let first_frame_ms = started.elapsed().as_secs_f64() * 1000.0;
    for _ in 0..3 {
        render_frame(&mut renderer, &mut scene, 0)?;
    }
    // `--raster auto` measures both rasterizers on its first frames.
    let mut auto_frames = 0;
    while args.raster == BenchRasterArg::Auto
        && renderer.raster_decision().is_none()
        && auto_frames < AUTO_MAX_FRAMES
    {
        render_frame(&mut renderer, &mut scene, 0)?;
        auto_frames += 1;
    }
    let raster_auto = renderer
        .raster_decision()
        .map(|(chosen, quads_draw_ms, tiles_draw_ms)| AutoDecision {
            chosen,
            quads_draw_ms,
            tiles_draw_ms,
        });

    let mut frame_ms = Vec::with_capacity(args.frames);
    let mut passes: Vec<PassTimings> = Vec::with_capacity(args.frames);
    for frame in 0..args.frames {
        let (ms, timings) = if timestamps {
            render_frame(&mut renderer, &mut scene, frame)?
        } else {
            let frame_started = Instant::now();
            let t = renderer.render_frame_cpu_timed(
                &ctx,
                &mut scene,
                &camera_for(frame),
                [0.0; 3],
                &view,
            )?;
            (frame_started.elapsed().as_secs_f64() * 1000.0, Some(t))
        };
        frame_ms.push(ms);
        passes.extend(timings);
    }

    let state_bytes = read_buffer(
        &ctx.device,
        &ctx.queue,
        &scene.frame_state,
        0,
        size_of::<FrameState>() as u64,
    )?;
    let state: FrameState = bytemuck::pod_read_unaligned(&state_bytes);
    // Compute rasterizer: (tile, splat) pairs of the last frame, and per tile.
    let (mut tile_pairs, mut tile_pairs_per_tile, mut tile_chunks) = (None, None, None);
    if let Some(tiles) = &scene.tiles {
        let words: Vec<u32> = bytemuck::pod_collect_to_vec(&read_buffer(
            &ctx.device,
            &ctx.queue,
            &tiles.state,
            0,
            64,
        )?);
        tile_pairs = words.first().copied();
        tile_chunks = Some((words[8], tiles.chunk_pairs()));
        let tile_count = u64::from(width.div_ceil(TILE_SIZE) * height.div_ceil(TILE_SIZE));
        let ranges: Vec<u32> = bytemuck::pod_collect_to_vec(&read_buffer(
            &ctx.device,
            &ctx.queue,
            &tiles.ranges,
            0,
            tile_count * 8,
        )?);
        tile_pairs_per_tile = Some(TilePairStats::new(&ranges));
    }

    let column = |f: fn(&PassTimings) -> f64| median(&mut passes.iter().map(f).collect::<Vec<_>>());
    let tile_stages: Vec<TileStageTimings> = passes.iter().filter_map(|t| t.tile_stages).collect();
    let tile_column = |f: fn(&TileStageTimings) -> f64| {
        median(&mut tile_stages.iter().map(f).collect::<Vec<_>>())
    };
    let tile_stage_ms = (!tile_stages.is_empty()).then(|| TileStageTimings {
        bin: tile_column(|t| t.bin),
        sort: tile_column(|t| t.sort),
        raster: tile_column(|t| t.raster),
    });
    let pass_ms = PassMs {
        project: column(|t| t.project),
        sort: column(|t| t.sort),
        draw: column(|t| t.draw),
        other: column(|t| t.compose),
    };
    let info = ctx.adapter.get_info();
    let report = BenchReport {
        adapter: info.name.clone(),
        backend: format!("{:?}", info.backend),
        splats: cloud.len(),
        sh_degree: cloud.sh_degree,
        width,
        height,
        frames: args.frames,
        load_ms: load_s * 1000.0,
        load_mb_per_s: file_bytes as f64 / 1e6 / load_s.max(1e-9),
        load_splats_per_s: loaded_splats as f64 / load_s.max(1e-9),
        upload_ms,
        first_frame_ms,
        frame_ms_median: median(&mut frame_ms.clone()),
        frame_ms_p95: percentile(&mut frame_ms.clone(), 0.95),
        frame_ms_max: frame_ms.iter().copied().fold(0.0, f64::max),
        sort_keys_per_s: f64::from(state.visible_count) / (pass_ms.sort / 1000.0).max(1e-12),
        pass_ms,
        timing_source: if timestamps { "timestamps" } else { "cpu" },
        visible_splats: state.visible_count,
        sort_key_bits: renderer.splats.sort_key_bits,
        sort_path: renderer.splats.sort_path(),
        raster: renderer.raster_mode(),
        raster_auto,
        tile_pairs,
        tile_pairs_per_tile,
        tile_chunks: tile_chunks.map(|c| c.0),
        tile_chunk_pairs: tile_chunks.map(|c| c.1),
        tile_stage_ms,
        gpu_bytes_per_splat: scene.size_bytes() as f64 / cloud.len().max(1) as f64,
        gpu_resident_bytes_per_splat: scene.resident_bytes() as f64 / cloud.len().max(1) as f64,
        gpu_working_bytes_per_splat: scene.working_bytes() as f64 / cloud.len().max(1) as f64,
    };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print_table(&report);
    }
    Ok(())
}

fn print_table(r: &BenchReport) {
    println!("adapter            {} ({})", r.adapter, r.backend);
    println!(
        "scene              {} splats, SH degree {}",
        r.splats, r.sh_degree
    );
    println!(
        "resolution         {}x{}, {} frames",
        r.width, r.height, r.frames
    );
    println!(
        "load               {:.1} ms ({:.0} MB/s, {:.2} M splats/s)",
        r.load_ms,
        r.load_mb_per_s,
        r.load_splats_per_s / 1e6
    );
    println!("upload             {:.1} ms", r.upload_ms);
    println!("first frame        {:.1} ms after start", r.first_frame_ms);
    println!(
        "frame              median {:.2} ms, p95 {:.2} ms, max {:.2} ms",
        r.frame_ms_median, r.frame_ms_p95, r.frame_ms_max
    );
    println!(
        "passes ({})  project {:.2} ms, sort {:.2} ms, draw ({}) {:.2} ms, other {:.2} ms",
        r.timing_source,
        r.pass_ms.project,
        r.pass_ms.sort,
        r.raster.name(),
        r.pass_ms.draw,
        r.pass_ms.other
    );
    println!(
        "visible splats     {} ({:.1} M keys/s sorted, {}-bit keys, {} path)",
        r.visible_splats,
        r.sort_keys_per_s / 1e6,
        r.sort_key_bits,
        r.sort_path.name()
    );
    if let Some(auto) = &r.raster_auto {
        println!(
            "auto rasterizer    chose {} (draw {:.2} ms with quads, {:.2} ms with tiles)",
            auto.chosen.name(),
            auto.quads_draw_ms,
            auto.tiles_draw_ms
        );
    }
    if let Some(stages) = &r.tile_stage_ms {
        println!(
            "tile stages        bin {:.2} ms, tile sort {:.2} ms, blend {:.2} ms",
            stages.bin, stages.sort, stages.raster
        );
    }
    if let Some(pairs) = r.tile_pairs {
        println!(
            "tile pairs         {pairs} ({:.2} per visible splat)",
            f64::from(pairs) / f64::from(r.visible_splats.max(1))
        );
    }
    if let Some(t) = &r.tile_pairs_per_tile {
        println!(
            "pairs per tile     mean {:.0}, p99 {:.0}, max {:.0} ({} of {} tiles hold pairs)",
            t.mean, t.p99, t.max, t.nonempty, t.tiles
        );
    }
    if let (Some(chunks), Some(pairs)) = (r.tile_chunks, r.tile_chunk_pairs) {
        println!("tile chunks        {chunks} of at most {pairs} pairs");
    }
    println!(
        "GPU memory         {:.1} bytes/splat ({:.1} resident splat data + {:.1} per-frame working buffers)",
        r.gpu_bytes_per_splat, r.gpu_resident_bytes_per_splat, r.gpu_working_bytes_per_splat
    );
}
