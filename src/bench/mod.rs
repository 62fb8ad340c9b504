//! `splatview bench`, `bench-sort` and `bench-load`: measured speed, as a table or
//! as one JSON object whose keys scripts rely on (see docs/BENCHMARKS.md).

mod load;
mod overdraw;
mod report;
mod sort;

pub use load::{BenchLoadArgs, run_bench_load};
pub use overdraw::{Overdraw, measure_overdraw};
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
use crate::render::lod::setup::make_lod_scene;
use crate::render::lod::{LodScene, splats_to_draw};
use crate::render::offscreen::{OffscreenView, SceneRefs};
use crate::render::sort::SortPath;
use crate::render::splat::FrameState;
use crate::render::tile::{RasterChooser, tile_grid};
use crate::render::{
    ComposeFolding, MeshParams, MeshScene, Raster, Renderer, SplatScene, TileSize, ViewParams,
};
use crate::scene::{AaChoice, SceneBounds};

#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Scene files, drawn together as `render` draws them: Gaussian splats in
    /// any supported format, meshes and point clouds (see `splatview --help`).
    #[arg(required = true, num_args = 1..)]
    pub scenes: Vec<PathBuf>,
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
    /// Orbit once around the scene over the timed frames (default: fixed framing
    /// view); with --inside, turn once around where the camera stands.
    #[arg(long)]
    pub orbit: bool,
    /// Stand inside the scene instead of framing it from outside: in a tiled
    /// scene (--scale-to), at the height of the scene's centre in the aisle
    /// between two rows of copies, looking along the rows (the depth of a
    /// capture seen from inside); in a single scene, at its centre.
    #[arg(long, conflicts_with_all = ["camera", "pitch"])]
    pub inside: bool,
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
    /// Compute rasterizer: tile side, 8 or 16 pixels, or auto (as the window:
    /// both measured on GPUs, 8 on CPU adapters). The JSON's `tile_size` says which drew.
    #[arg(long, default_value = "auto")]
    pub tile_size: TileSize,
    /// Anti-aliasing: auto (what the file asks for), classic, antialiased, mip or
    /// analytic (docs/ANTIALIASING.md). The JSON's `aa` says which was drawn.
    #[arg(long, default_value = "auto", value_parser = crate::args::parse_aa)]
    pub aa: AaChoice,
    /// Compute rasterizer: most (tile, splat) pairs one workgroup blends before a
    /// tile is split into chunks, a count (for tuning; default: the viewer's
    /// choice for the adapter).
    #[arg(long)]
    pub tile_chunk_pairs: Option<u32>,
    /// Compute rasterizer: a splat whose tile rectangle holds more than this many
    /// 8x8 tiles is binned by a whole workgroup, 0 bins every splat so, `never`
    /// none (for tuning; default: the viewer's choice for the adapter, 64 on GPUs
    /// and never on CPU adapters).
    #[arg(long, value_parser = parse_spread_tiles)]
    pub tile_spread_tiles: Option<u32>,
    /// Always draw into the accumulation texture and compose it over the
    /// background in a pass of its own (default: the tiles write the output
    /// themselves, exactly). The JSON's `compose_folded` says which ran.
    #[arg(long, conflicts_with = "fold_quads")]
    pub separate_compose: bool,
    /// Let the quads blend straight into the 8-bit output too (faster on
    /// lavapipe, but each blend step rounded to 8 bits: docs/BENCHMARKS.md).
    #[arg(long)]
    pub fold_quads: bool,
    /// Level of detail: make each frame's cut before drawing it (the cut on
    /// the frame's critical path). Default: as the window, a cut every frame
    /// on a worker thread while the frames draw the last finished one.
    #[arg(long)]
    pub lod_wait: bool,
    /// Print one JSON object instead of a table.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub lod: crate::args::LodArgs,
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
    let file_bytes: u64 = args
        .scenes
        .iter()
        .map(|path| std::fs::metadata(path).map_or(0, |m| m.len()))
        .sum();
    // One splat file loads as before; several files (or meshes) as `render` does.
    let (mut cloud, mesh_objects) = match args.scenes.as_slice() {
        [one]
            if matches!(
                crate::io::detect_scene_file(one)?,
                crate::io::SceneFileKind::Splats
            ) =>
        {
            (crate::io::load_splat_file(one)?, Vec::new())
        }
        many => {
            let objects = crate::io::load_scene_objects(many)?;
            let cloud = objects
                .combined_splats()
                .unwrap_or_else(|| crate::scene::SplatCloud::new(0));
            (cloud, objects.placed_meshes().collect::<Vec<_>>())
        }
    };
    let load_s = started.elapsed().as_secs_f64();
    let loaded_splats = cloud.len();
    let grid = crate::scene::tile::TileGrid::new(
        &cloud,
        args.scale_to.unwrap_or(cloud.len()),
        crate::controls::orbit::DEFAULT_WORLD_UP,
    );
    if let Some(target) = args.scale_to {
        cloud = crate::scene::tile::tile_to_count(
            &cloud,
            target,
            crate::controls::orbit::DEFAULT_WORLD_UP,
        );
    }

    anyhow::ensure!(args.frames >= 1, "--frames must be at least 1");
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
    if let Some(tiles) = args.tile_spread_tiles {
        renderer.tiles.spread_min_tiles = tiles;
    }
    let mut offscreen = OffscreenView::new(&ctx.device, &renderer);
    let timestamps = offscreen.view.enable_profiling(&ctx.device, &ctx.queue);
    let compose_folding = if args.separate_compose {
        ComposeFolding::Off
    } else if args.fold_quads {
        ComposeFolding::All
    } else {
        ComposeFolding::Exact
    };
    crate::args::check_tile_size(args.raster, args.tile_size)?;
    let lod_request = args.lod.request()?;
    let lod_params = lod_request.map(|r| r.params).unwrap_or_default();
    let upload_started = Instant::now();
    // With level of detail, the splats live in the page pool (the hierarchy is
    // built here, not read from the cache, so that `lod_build_ms` is a build).
    let (scene, mut lod, lod_build_ms) = match &lod_request {
        Some(request) => {
            let (lod, report) = make_lod_scene(&ctx, &cloud, None, request, None, None)?;
            let empty = SplatScene::new(&ctx.device, &crate::scene::SplatCloud::new(0))?;
            (empty, Some(lod), Some(report.hierarchy_ms))
        }
        None => (SplatScene::new(&ctx.device, &cloud)?, None, None),
    };
    let upload_ms = upload_started.elapsed().as_secs_f64() * 1000.0 - lod_build_ms.unwrap_or(0.0);
    let mut lod_cut_ms: Vec<f64> = Vec::new();
    let mut meshes = Vec::with_capacity(mesh_objects.len());
    for mesh in &mesh_objects {
        meshes.push(MeshScene::new(
            &ctx.device,
            &ctx.queue,
            &renderer.meshes,
            mesh,
        )?);
    }
    let mesh_refs: Vec<&MeshScene> = meshes.iter().collect();
    let triangles: usize = mesh_objects.iter().map(|m| m.triangle_count()).sum();

    let (width, height) = (args.width, args.height);
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
    let turn = |frame: usize| {
        if args.orbit {
            std::f32::consts::TAU * frame as f32 / args.frames.max(1) as f32
        } else {
            0.0
        }
    };
    let inside_camera = |frame: usize| {
        let (eye, target) = grid.inside_view();
        let direction = glam::Quat::from_axis_angle(grid.up, turn(frame)) * (target - eye);
        crate::scene::PinholeCamera::look_at(
            eye,
            eye + direction,
            grid.up,
            crate::controls::orbit::DEFAULT_FOV_Y_DEGREES.to_radians(),
            width,
            height,
        )
    };
    let params_for = |frame: usize| -> ViewParams<'static> {
        let camera = fixed_camera.unwrap_or_else(|| {
            if args.inside {
                return inside_camera(frame);
            }
            let mut orbit = base_orbit;
            orbit.yaw += turn(frame);
            orbit.camera(width, height)
        });
        ViewParams {
            raster: args.raster,
            tile_size: args.tile_size,
            aa: args.aa,
            sort_key_bits,
            compose_folding,
            ..ViewParams::new(camera)
        }
    };
    let wait = || {
        ctx.device.poll(wgpu::PollType::Wait {
            submission_index: None,
            timeout: None,
        })
    };
    // The level-of-detail cut of a frame (on the CPU, timed), as the window
    // makes it before encoding.
    let cut_frame = |lod: &mut Option<LodScene>, cut_ms: &mut Vec<f64>, frame: usize| {
        if let Some(lod) = lod {
            let camera = params_for(frame).camera;
            if args.lod_wait {
                lod.update(&ctx.queue, &camera, &lod_params);
            } else {
                lod.update_async(&ctx.queue, &camera, &lod_params, true);
            }
            cut_ms.push(lod.stats().cut_ms);
        }
    };
    // Records and submits one frame, as the window does.
    let submit_frame = |offscreen: &mut OffscreenView,
                        lod: &mut Option<LodScene>,
                        cut_ms: &mut Vec<f64>,
                        frame: usize|
     -> anyhow::Result<()> {
        cut_frame(lod, cut_ms, frame);
        let mut params = params_for(frame);
        let splats = splats_to_draw(lod.as_ref(), &scene, &mut params, lod_params.color_by_level);
        let mut encoder = ctx.device.create_command_encoder(&Default::default());
        offscreen.encode_scene(
            &ctx,
            &renderer,
            &mut encoder,
            SceneRefs {
                splats,
                meshes: &mesh_refs,
                mesh_params: MeshParams::default(),
            },
            &params,
        )?;
        ctx.queue.submit([encoder.finish()]);
        offscreen.view.after_submit();
        Ok(())
    };
    let render_frame = |offscreen: &mut OffscreenView,
                        lod: &mut Option<LodScene>,
                        cut_ms: &mut Vec<f64>,
                        frame: usize| {
        let frame_started = Instant::now();
        submit_frame(offscreen, lod, cut_ms, frame)?;
        let submit_ms = frame_started.elapsed().as_secs_f64() * 1000.0;
        wait()?;
        let frame_ms = frame_started.elapsed().as_secs_f64() * 1000.0;
        Ok::<_, anyhow::Error>((frame_ms, submit_ms, offscreen.view.poll().timings))
    };

    // Warm-up frames are not timed (their cut times neither).
    let mut warm_up_cut_ms = Vec::new();
    render_frame(&mut offscreen, &mut lod, &mut warm_up_cut_ms, 0)?;
    let first_frame_ms = started.elapsed().as_secs_f64() * 1000.0;
    for _ in 0..3 {
        render_frame(&mut offscreen, &mut lod, &mut warm_up_cut_ms, 0)?;
    }
    // `--raster auto` (or `--tile-size auto`) measures on its first frames.
    let mut auto_frames = 0;
    while RasterChooser::measures(args.raster, args.tile_size)
        && offscreen.view.raster_decision().is_none()
        && auto_frames < AUTO_MAX_FRAMES
    {
        render_frame(&mut offscreen, &mut lod, &mut warm_up_cut_ms, 0)?;
        auto_frames += 1;
    }
    let raster_auto = offscreen.view.raster_decision().map(AutoDecision::from);

    let cuts_waited_before = lod.as_ref().map_or(0, |lod| lod.stats().cuts_waited);
    let mut frame_ms = Vec::with_capacity(args.frames);
    let mut submit_ms = Vec::with_capacity(args.frames);
    let mut passes: Vec<PassTimings> = Vec::with_capacity(args.frames);
    for frame in 0..args.frames {
        let (ms, timings) = if timestamps {
            let (ms, submit, timings) =
                render_frame(&mut offscreen, &mut lod, &mut lod_cut_ms, frame)?;
            submit_ms.push(submit);
            (ms, timings)
        } else {
            let frame_started = Instant::now();
            cut_frame(&mut lod, &mut lod_cut_ms, frame);
            let mut params = params_for(frame);
            let splats =
                splats_to_draw(lod.as_ref(), &scene, &mut params, lod_params.color_by_level);
            let output = offscreen
                .output_texture()
                .map(|t| t.create_view(&Default::default()))
                .context("no output texture")?;
            let t = renderer.render_view_cpu_timed(
                &ctx,
                splats,
                &mut offscreen.view,
                &params,
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
        submit_frame(&mut offscreen, &mut lod, &mut warm_up_cut_ms, frame)?;
        ctx.device.poll(wgpu::PollType::Poll)?;
    }
    wait()?;
    let throughput_fps = args.frames as f64 / throughput_started.elapsed().as_secs_f64().max(1e-9);
    // No timing of frames the GPU rejected (they would be "fast").
    ctx.check_errors("benchmark's frames")?;

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
        let (tiles_x, tiles_y) = tile_grid((width, height), tiles.tile_side());
        let tile_count = u64::from(tiles_x * tiles_y);
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
        other: column(|t| t.compose.unwrap_or(0.0)),
    };
    let last_camera = params_for(args.frames.saturating_sub(1)).camera;
    let cut = lod.as_ref().map(|l| (l.hierarchy(), &lod_params.cut));
    let aa = args.aa.resolve(cloud.aa_hint.mode);
    let overdraw = overdraw::measure_drawn_overdraw(&cloud, cut, &last_camera, aa);
    let lod_stats = lod.as_ref().map(LodScene::stats);
    // Cuts the timed frames waited for (all with --lod-wait; jumps of the camera
    // otherwise, e.g. an orbit of a few frames).
    let lod_cuts_waited = lod_stats.map(|s| s.cuts_waited - cuts_waited_before);
    let resident_bytes = lod_stats.map_or(scene.resident_bytes(), |s| s.pool_bytes);
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
        tile_size: offscreen.view.last_tile_size(),
        aa: args.aa.resolve(scene.aa_mode()).name(),
        aa_file_reason: cloud.aa_hint.reason.clone(),
        raster_auto,
        tile_pairs,
        tile_pairs_per_tile,
        tile_chunks: tile_chunks.map(|c| c.0),
        tile_chunk_pairs: tile_chunks.map(|c| c.1),
        tile_spread_tiles: tile_chunks
            .map(|_| renderer.tiles.spread_min_tiles)
            .filter(|&n| n != crate::render::tile::NEVER_SPREAD),
        tile_stage_ms,
        compose_folded: offscreen.view.last_compose_folded(),
        gpu_bytes_per_splat: (resident_bytes + offscreen.view.working_bytes()) as f64
            / cloud.len().max(1) as f64,
        gpu_resident_bytes_per_splat: resident_bytes as f64 / cloud.len().max(1) as f64,
        gpu_resident_bytes: resident_bytes,
        mesh_objects: mesh_objects.len(),
        mesh_triangles: triangles,
        view: if fixed_camera.is_some() {
            "camera"
        } else if args.inside {
            "inside"
        } else {
            "framing"
        },
        fragments_per_pixel: overdraw.fragments_per_pixel,
        pairs_per_visible_splat: match tile_pairs {
            Some(pairs) if state.visible_count > 0 => {
                f64::from(pairs) / f64::from(state.visible_count)
            }
            _ => overdraw.pairs_per_visible_splat,
        },
        overdraw,
        lod_budget: args.lod.lod_budget,
        lod_threshold_px: lod_request.map(|r| r.params.cut.threshold_px),
        lod_wait: args.lod_wait,
        lod_occlusion: !args.lod.lod_no_occlusion,
        lod_cuts_waited,
        lod_cut_splats: lod_stats.map(|s| s.cut_splats),
        lod_cut_ms: lod.as_ref().map(|_| median(&mut lod_cut_ms)),
        lod_build_ms,
        lod_levels: lod_stats.and_then(|s| s.levels),
        pages_resident: lod_stats.map(|s| s.pages_resident),
        pages_total: lod_stats.map(|s| s.pages_total),
        gpu_working_bytes_per_splat: offscreen.view.working_bytes() as f64
            / cloud.len().max(1) as f64,
    };
    if let Some(path) = &args.screenshot {
        let frame = args.frames.saturating_sub(1);
        let mut last = params_for(frame);
        if let Some(lod) = &mut lod {
            lod.update_until_resident(&ctx.queue, &last.camera, &lod_params, 256);
        }
        let splats = splats_to_draw(lod.as_ref(), &scene, &mut last, lod_params.color_by_level);
        offscreen
            .render_scene(
                &ctx,
                &renderer,
                SceneRefs {
                    splats,
                    meshes: &mesh_refs,
                    mesh_params: MeshParams::default(),
                },
                &last,
            )?
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

/// `--tile-spread-tiles`: a tile count, or `never`.
fn parse_spread_tiles(text: &str) -> Result<u32, String> {
    match text {
        "never" => Ok(crate::render::tile::NEVER_SPREAD),
        _ => text
            .parse::<u32>()
            .ok()
            .filter(|&n| n != crate::render::tile::NEVER_SPREAD)
            .ok_or_else(|| format!("{text:?} is not a tile count or `never`")),
    }
}
