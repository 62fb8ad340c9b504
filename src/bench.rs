//! `splatview bench` and `splatview bench-sort`: measured speed, as a table or as
//! one JSON object whose keys scripts rely on (see docs/BENCHMARKS.md).

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context as _;
use clap::Args;

use crate::controls::OrbitCamera;
use crate::gpu::GpuContext;
use crate::gpu::profiler::{FramePass, GpuProfiler, PassTimings};
use crate::gpu::readback::read_buffer;
use crate::render::FrameRenderer;
use crate::render::offscreen::OFFSCREEN_FORMAT;
use crate::render::sort::{RadixSorter, SortBuffers, SortCount, SortPath, passes_for_key_bits};
use crate::render::splat::{FrameState, SplatGpuData};
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
    pub sort_keys_per_s: f64,
    pub gpu_bytes_per_splat: f64,
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

fn median(values: &mut [f64]) -> f64 {
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

    let column = |f: fn(&PassTimings) -> f64| median(&mut passes.iter().map(f).collect::<Vec<_>>());
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
        gpu_bytes_per_splat: scene.size_bytes() as f64 / cloud.len().max(1) as f64,
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
        "passes ({})  project {:.2} ms, sort {:.2} ms, draw {:.2} ms, other {:.2} ms",
        r.timing_source, r.pass_ms.project, r.pass_ms.sort, r.pass_ms.draw, r.pass_ms.other
    );
    println!(
        "visible splats     {} ({:.1} M keys/s sorted, {}-bit keys, {} path)",
        r.visible_splats,
        r.sort_keys_per_s / 1e6,
        r.sort_key_bits,
        r.sort_path.name()
    );
    println!(
        "GPU memory         {:.1} bytes/splat",
        r.gpu_bytes_per_splat
    );
}

#[derive(Debug, Args)]
pub struct BenchSortArgs {
    /// Number of random (key, value) pairs.
    #[arg(long, default_value_t = 1 << 20)]
    pub count: u32,
    /// Key bits to sort by (8, 16, 24 or 32).
    #[arg(long, default_value_t = 32)]
    pub key_bits: u32,
    /// Timed iterations.
    #[arg(long, default_value_t = 20)]
    pub iterations: usize,
    /// Sort kernels: the fastest the adapter supports, or one path.
    #[arg(long, value_enum, default_value_t = SortPathArg::Auto)]
    pub path: SortPathArg,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, serde::Serialize)]
pub struct BenchSortReport {
    pub adapter: String,
    pub backend: String,
    pub count: u32,
    pub key_bits: u32,
    pub sort_path: SortPath,
    pub iterations: usize,
    pub ms_median: f64,
    pub ms_min: f64,
    pub keys_per_s: f64,
    pub timing_source: &'static str,
    pub verified: bool,
}

pub fn run_bench_sort(args: &BenchSortArgs) -> anyhow::Result<()> {
    let ctx = GpuContext::new_headless()?;
    let sorter = RadixSorter::with_path(&ctx.device, args.path.resolve(&ctx.device))?;
    let n = args.count.max(1);
    let passes = passes_for_key_bits(args.key_bits);
    let mask = if passes >= 4 {
        u32::MAX
    } else {
        (1u32 << (passes * 8)) - 1
    };
    let mut state = 0x1234_5678_9ABC_DEF0u64;
    let keys: Vec<u32> = (0..n)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 16) as u32 & mask
        })
        .collect();
    let values: Vec<u32> = (0..n).collect();
    let mut buffers = sorter.create_buffers(&ctx.device, n, wgpu::BufferUsages::COPY_SRC);
    let mut profiler = GpuProfiler::new(&ctx.device, &ctx.queue);
    let mut times = Vec::with_capacity(args.iterations);
    for iteration in 0..args.iterations + 2 {
        ctx.queue
            .write_buffer(&buffers.keys[0], 0, bytemuck::cast_slice(&keys));
        ctx.queue
            .write_buffer(&buffers.values[0], 0, bytemuck::cast_slice(&values));
        let mut encoder = ctx.device.create_command_encoder(&Default::default());
        let writes = profiler.as_mut().map(|p| p.compute_writes(FramePass::Sort));
        sorter.encode(
            &ctx.queue,
            &mut encoder,
            &mut buffers,
            SortCount::Cpu(n),
            passes,
            writes,
        );
        if let Some(p) = &mut profiler {
            p.resolve(&mut encoder);
        }
        let started = Instant::now();
        ctx.queue.submit([encoder.finish()]);
        if let Some(p) = &mut profiler {
            p.after_submit();
        }
        ctx.device.poll(wgpu::PollType::Wait {
            submission_index: None,
            timeout: None,
        })?;
        let cpu_ms = started.elapsed().as_secs_f64() * 1000.0;
        let ms = match &mut profiler {
            Some(p) => p.poll_results().map_or(cpu_ms, |t| t.sort),
            None => cpu_ms,
        };
        // The first two runs include shader compilation on some drivers.
        if iteration >= 2 {
            times.push(ms);
        }
    }
    let result = SortBuffers::result_index(passes);
    let bytes = u64::from(n) * 4;
    let gpu_keys: Vec<u32> = bytemuck::pod_collect_to_vec(&read_buffer(
        &ctx.device,
        &ctx.queue,
        &buffers.keys[result],
        0,
        bytes,
    )?);
    let gpu_values: Vec<u32> = bytemuck::pod_collect_to_vec(&read_buffer(
        &ctx.device,
        &ctx.queue,
        &buffers.values[result],
        0,
        bytes,
    )?);
    let (cpu_keys, cpu_values) = crate::reference::sort_pairs(&keys, &values);
    let verified = gpu_keys == cpu_keys && gpu_values == cpu_values;

    let info = ctx.adapter.get_info();
    let ms_median = median(&mut times.clone());
    let report = BenchSortReport {
        adapter: info.name.clone(),
        backend: format!("{:?}", info.backend),
        count: n,
        key_bits: passes * 8,
        sort_path: sorter.path(),
        iterations: times.len(),
        ms_median,
        ms_min: times.iter().copied().fold(f64::INFINITY, f64::min),
        keys_per_s: f64::from(n) / (ms_median / 1000.0).max(1e-12),
        timing_source: if profiler.is_some() {
            "timestamps"
        } else {
            "cpu"
        },
        verified,
    };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        println!("adapter     {} ({})", report.adapter, report.backend);
        println!(
            "sort        {} pairs, {}-bit keys, {} iterations, {} path",
            report.count,
            report.key_bits,
            report.iterations,
            report.sort_path.name()
        );
        println!(
            "time        median {:.3} ms, min {:.3} ms ({})",
            report.ms_median, report.ms_min, report.timing_source
        );
        println!("throughput  {:.1} M keys/s", report.keys_per_s / 1e6);
        println!("verified    {}", report.verified);
    }
    anyhow::ensure!(verified, "GPU sort result differs from the CPU reference");
    Ok(())
}
