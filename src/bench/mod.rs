//! `splatview bench`, `bench-sort` and `bench-load`: measured speed, as a table or
//! as one JSON object whose keys scripts rely on (see docs/BENCHMARKS.md).

mod load;
mod report;
mod sort;

pub use load::{BenchLoadArgs, run_bench_load};
pub(crate) use report::median;
pub use report::{AutoDecision, BenchReport, PassMs, TilePairStats};
use report::{percentile, print_table};
pub use sort::{BenchSortArgs, run_bench_sort};

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context as _;
use clap::Args;

use crate::controls::{OrbitCamera, UpAxis};
use crate::gpu::GpuContext;
use crate::gpu::profiler::{PassTimings, TileStageTimings};
use crate::gpu::readback::read_buffer;
use crate::render::offscreen::OffscreenView;
use crate::render::sort::SortPath;
use crate::render::splat::FrameState;
use crate::render::tile::TILE_SIZE;
use crate::render::{Raster, Renderer, SplatScene, ViewParams};
use crate::scene::{AaChoice, SceneBounds};

#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Scene file, in any supported format (see `splatview --help`).
    pub scene: PathBuf,
    /// Image width in pixels.
    #[arg(long, default_value_t = 1280)]
    pub width: u32,
    /// Image height in pixels.
    #[arg(long, default_value_t = 720)]
    pub height: u32,
    /// Number of timed frames (after a warm-up).
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
    /// Framing view: elevation in degrees (default: the viewer's framing).
    #[arg(long, conflicts_with = "camera")]
    pub pitch: Option<f32>,
    /// Framing view: distance as a multiple of the framing distance (below 1:
    /// closer, so the scene fills more of the view).
    #[arg(long, default_value_t = 1.0, conflicts_with = "camera")]
    pub zoom: f32,
    /// Save the view (rendered once more after the timed frames) as a PNG, to
    /// see what was measured.
    #[arg(long)]
    pub screenshot: Option<PathBuf>,
    /// Tile copies of the scene until it holds this many splats (a count, e.g.
    /// 6000000).
    #[arg(long)]
    pub scale_to: Option<usize>,
    /// Depth sort key size in bits: 16, 24 or 32.
    #[arg(long)]
    pub sort_key_bits: Option<u32>,
    /// Sort kernels: the fastest the adapter supports, or one path.
    #[arg(long, value_enum, default_value_t = SortPathArg::Auto)]
    pub sort_path: SortPathArg,
    /// Rasterizer: hardware (quads), compute (tiles), or auto (the faster of the
    /// two, measured on the first frames as the window does).
    #[arg(long, default_value = "hardware", value_parser = crate::args::parse_raster)]
    pub raster: Raster,
    /// Anti-aliasing: auto (what the file asks for), classic, antialiased, mip or
    /// analytic (docs/ANTIALIASING.md). The JSON's `aa` says which was drawn.
    #[arg(long, default_value = "auto", value_parser = crate::args::parse_aa)]
    pub aa: AaChoice,
    /// Compute rasterizer: most (tile, splat) pairs one workgroup blends before a
    /// tile is split into chunks, a count (for tuning; default: the viewer's
    /// choice for the adapter).
    #[arg(long)]
    pub tile_chunk_pairs: Option<u32>,
    /// Print one JSON object instead of a table.
    #[arg(long)]
    pub json: bool,
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
    let mut renderer = Renderer::new(&ctx.device)?;
    let sort_key_bits = args
        .sort_key_bits
        .unwrap_or(crate::render::params::DEFAULT_SORT_KEY_BITS);
    anyhow::ensure!(
        matches!(sort_key_bits, 16 | 24 | 32),
        "--sort-key-bits must be 16, 24 or 32"
    );
    renderer
        .splats
        .set_sort_path(&ctx.device, args.sort_path.resolve(&ctx.device))?;
    if let Some(chunk_pairs) = args.tile_chunk_pairs {
        renderer.tiles.chunk_pairs = chunk_pairs;
    }
    let mut offscreen = OffscreenView::new(&ctx.device, &renderer);
    let timestamps = offscreen.view.enable_profiling(&ctx.device, &ctx.queue);
    let upload_started = Instant::now();
    let scene = SplatScene::new(&ctx.device, &cloud)?;
    let upload_ms = upload_started.elapsed().as_secs_f64() * 1000.0;

    let (width, height) = (args.width.max(1), args.height.max(1));
    ctx.check_image_size(width, height)?;
    let bounds = SceneBounds::robust(&cloud);
    let mut base_orbit =
        OrbitCamera::initial_view(bounds, UpAxis::default(), width as f32 / height as f32);
    anyhow::ensure!(args.zoom > 0.0, "--zoom must be positive");
    base_orbit.distance *= args.zoom;
    if let Some(pitch) = args.pitch {
        base_orbit.pitch = pitch.to_radians();
    }
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
    let params_for = |frame: usize| -> ViewParams<'static> {
        let camera = fixed_camera.unwrap_or_else(|| {
            let mut orbit = base_orbit;
            if args.orbit {
                orbit.yaw += std::f32::consts::TAU * frame as f32 / args.frames.max(1) as f32;
            }
            orbit.camera(width, height)
        });
        ViewParams {
            raster: args.raster,
            aa: args.aa,
            sort_key_bits,
            ..ViewParams::new(camera)
        }
    };
    let wait = || {
        ctx.device.poll(wgpu::PollType::Wait {
            submission_index: None,
            timeout: None,
        })
    };
    // Records and submits one frame, as the window does.
    let submit_frame = |offscreen: &mut OffscreenView, frame: usize| -> anyhow::Result<()> {
        let mut encoder = ctx.device.create_command_encoder(&Default::default());
        offscreen.encode(&ctx, &renderer, &mut encoder, &scene, &params_for(frame))?;
        ctx.queue.submit([encoder.finish()]);
        offscreen.view.after_submit();
        Ok(())
    };
    let render_frame = |offscreen: &mut OffscreenView, frame: usize| {
        let frame_started = Instant::now();
        submit_frame(offscreen, frame)?;
        let submit_ms = frame_started.elapsed().as_secs_f64() * 1000.0;
        wait()?;
        let frame_ms = frame_started.elapsed().as_secs_f64() * 1000.0;
        Ok::<_, anyhow::Error>((frame_ms, submit_ms, offscreen.view.poll().timings))
    };

    render_frame(&mut offscreen, 0)?;
    let first_frame_ms = started.elapsed().as_secs_f64() * 1000.0;
    for _ in 0..3 {
        render_frame(&mut offscreen, 0)?;
    }
    // `--raster auto` measures both rasterizers on its first frames.
    let mut auto_frames = 0;
    while args.raster == Raster::Auto
        && offscreen.view.raster_decision().is_none()
        && auto_frames < AUTO_MAX_FRAMES
    {
        render_frame(&mut offscreen, 0)?;
        auto_frames += 1;
    }
    let raster_auto =
        offscreen
            .view
            .raster_decision()
            .map(|(chosen, quads_draw_ms, tiles_draw_ms)| AutoDecision {
                chosen,
                quads_draw_ms,
                tiles_draw_ms,
            });

    let mut frame_ms = Vec::with_capacity(args.frames);
    let mut submit_ms = Vec::with_capacity(args.frames);
    let mut passes: Vec<PassTimings> = Vec::with_capacity(args.frames);
    for frame in 0..args.frames {
        let (ms, timings) = if timestamps {
            let (ms, submit, timings) = render_frame(&mut offscreen, frame)?;
            submit_ms.push(submit);
            (ms, timings)
        } else {
            let frame_started = Instant::now();
            let output = offscreen
                .output_texture()
                .map(|t| t.create_view(&Default::default()))
                .context("no output texture")?;
            let t = renderer.render_view_cpu_timed(
                &ctx,
                &scene,
                &mut offscreen.view,
                &params_for(frame),
                &output,
            )?;
            (frame_started.elapsed().as_secs_f64() * 1000.0, Some(t))
        };
        frame_ms.push(ms);
        passes.extend(timings);
    }
    // Frames back to back, as the window renders when the GPU is the limit: the
    // CPU records the next frame while the GPU draws (no wait in between).
    let throughput_started = Instant::now();
    for frame in 0..args.frames {
        submit_frame(&mut offscreen, frame)?;
        ctx.device.poll(wgpu::PollType::Poll)?;
    }
    wait()?;
    let throughput_fps = args.frames as f64 / throughput_started.elapsed().as_secs_f64().max(1e-9);

    let working = offscreen
        .view
        .working()
        .context("the bench view rendered no frame")?;
    let state_bytes = read_buffer(
        &ctx.device,
        &ctx.queue,
        &working.frame_state,
        0,
        size_of::<FrameState>() as u64,
    )?;
    let state: FrameState = bytemuck::pod_read_unaligned(&state_bytes);
    // Compute rasterizer: (tile, splat) pairs of the last frame, and per tile.
    let (mut tile_pairs, mut tile_pairs_per_tile, mut tile_chunks) = (None, None, None);
    if let Some(tiles) = offscreen.view.tile_buffers() {
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
        cpu_submit_ms_median: (!submit_ms.is_empty()).then(|| median(&mut submit_ms)),
        throughput_fps,
        sort_keys_per_s: f64::from(state.visible_count) / (pass_ms.sort / 1000.0).max(1e-12),
        pass_ms,
        timing_source: if timestamps { "timestamps" } else { "cpu" },
        visible_splats: state.visible_count,
        sort_key_bits,
        sort_path: renderer.splats.sort_path(),
        raster: offscreen.view.last_raster().unwrap_or(Raster::Hardware),
        aa: args.aa.resolve(scene.aa_mode()).name(),
        aa_file_reason: cloud.aa_hint.reason.clone(),
        raster_auto,
        tile_pairs,
        tile_pairs_per_tile,
        tile_chunks: tile_chunks.map(|c| c.0),
        tile_chunk_pairs: tile_chunks.map(|c| c.1),
        tile_stage_ms,
        gpu_bytes_per_splat: (scene.resident_bytes() + offscreen.view.working_bytes()) as f64
            / cloud.len().max(1) as f64,
        gpu_resident_bytes_per_splat: scene.resident_bytes() as f64 / cloud.len().max(1) as f64,
        gpu_working_bytes_per_splat: offscreen.view.working_bytes() as f64
            / cloud.len().max(1) as f64,
    };
    if let Some(path) = &args.screenshot {
        let last = params_for(args.frames.saturating_sub(1));
        offscreen
            .render(&ctx, &renderer, &scene, &last)?
            .save(path)
            .with_context(|| format!("writing {}", path.display()))?;
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print_table(&report);
    }
    Ok(())
}
