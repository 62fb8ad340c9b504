//! The `bench` report: its stable JSON keys, statistics and the printed table.

use crate::gpu::profiler::TileStageTimings;
use crate::render::Raster;
use crate::render::sort::SortPath;
use crate::render::tile::choice::{RasterDecision, times_text};

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
    /// CPU milliseconds to record and submit a frame (null with the CPU-timed
    /// fallback): with the wait for the GPU, what `frame_ms_*` holds beyond the
    /// GPU passes.
    pub cpu_submit_ms_median: Option<f64>,
    /// Frames per second with frames submitted back to back (no wait between
    /// them, as in the window); the frame times above wait for each frame.
    pub throughput_fps: f64,
    pub pass_ms: PassMs,
    pub timing_source: &'static str,
    pub visible_splats: u32,
    pub sort_key_bits: u32,
    /// `portable` or `subgroup` (see `SortPath`).
    pub sort_path: SortPath,
    /// `hardware` or `compute` (the rasterizer drawn with); `pass_ms.draw` is its time.
    pub raster: Raster,
    /// Compute rasterizer: the tile side in pixels, 8 or 16 (null for the quads).
    pub tile_size: Option<u32>,
    /// The anti-aliasing mode drawn with (`--aa`, with `auto` resolved to the
    /// file's mode): classic, antialiased, mip or analytic.
    pub aa: &'static str,
    /// Why `auto` would choose the file's mode (the loader's reason).
    pub aa_file_reason: String,
    /// `--raster auto` (or `--raster compute --tile-size auto`): what was
    /// chosen and the median times it was chosen by, each of the draw and
    /// compose passes (the quads may fold the compose into their draw); null
    /// otherwise.
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
    /// Compute rasterizer: splats of more tiles than this were binned by a whole
    /// workgroup (null: none, or not the compute rasterizer).
    pub tile_spread_tiles: Option<u32>,
    /// Compute rasterizer: median GPU milliseconds of its draw stages (null
    /// otherwise, or without timestamps).
    pub tile_stage_ms: Option<TileStageTimings>,
    /// The last frame drew straight into the output over the background (no
    /// compose pass): the tiles by default, the quads with `--fold-quads`;
    /// never with `--separate-compose`.
    pub compose_folded: bool,
    pub sort_keys_per_s: f64,
    /// All GPU memory of the scene per splat: resident plus working.
    pub gpu_bytes_per_splat: f64,
    /// Packed splat attributes and SH per splat.
    pub gpu_resident_bytes_per_splat: f64,
    /// Per-frame working buffers (projection output, sort) per splat.
    pub gpu_working_bytes_per_splat: f64,
    /// GPU bytes of the splat data: the scene, or with level of detail the page
    /// pool (what `--memory-budget` bounds).
    pub gpu_resident_bytes: u64,
    /// `--lod-budget` (0: no budget; level of detail off, every splat drawn,
    /// unless `lod_threshold_px` is set).
    pub lod_budget: usize,
    /// The cut's pixel threshold (`--lod-threshold`, default 2); null when
    /// level of detail is off.
    pub lod_threshold_px: Option<f32>,
    /// `--lod-wait`: each frame waited for its own cut (false: cuts ran on a
    /// worker thread while the frames drew, as in the window).
    pub lod_wait: bool,
    /// Whether the budget ranked nodes by their visibility too (false with
    /// `--lod-no-occlusion`; docs/LOD.md).
    pub lod_occlusion: bool,
    /// Cuts the timed frames (and the back-to-back ones after them) waited
    /// for: every frame's with `--lod-wait`, else those after a jump of the
    /// camera (an orbit of a few frames jumps every frame). Null when LOD is off.
    pub lod_cuts_waited: Option<u64>,
    /// Level of detail (null when off): splats in the last frame's cut, median
    /// CPU milliseconds of the timed frames' cuts, milliseconds to build the
    /// hierarchy, shallowest and deepest level drawn, pages resident of all.
    pub lod_cut_splats: Option<usize>,
    pub lod_cut_ms: Option<f64>,
    pub lod_build_ms: Option<f64>,
    pub lod_levels: Option<(usize, usize)>,
    pub pages_resident: Option<usize>,
    pub pages_total: Option<usize>,
    /// Mesh and point-cloud objects drawn with the splats, and their triangles.
    pub mesh_objects: usize,
    pub mesh_triangles: usize,
    /// Where the camera was: `framing` (outside, the viewer's framing),
    /// `inside` (`--inside`) or `camera` (`--camera`).
    pub view: &'static str,
    /// Fragments the quads shade per pixel in the last view (what it draws:
    /// every splat, or the LOD cut; from the CPU reference projection: see
    /// `overdraw`).
    pub fragments_per_pixel: f64,
    /// (tile, splat) pairs per visible splat: the compute rasterizer's own count
    /// of the last frame when it drew, otherwise the CPU estimate of `overdraw`.
    pub pairs_per_visible_splat: f64,
    /// The last view's overdraw from the CPU reference projection of what it
    /// draws (`bench::overdraw`): every splat, or with level of detail the cut
    /// for that camera as if every page were resident; whichever rasterizer
    /// drew.
    pub overdraw: super::Overdraw,
}

/// The automatic rasterizer choice of `--raster auto`.
#[derive(Debug, serde::Serialize)]
pub struct AutoDecision {
    pub chosen: Raster,
    /// The tiles' side when they were chosen.
    pub chosen_tile_size: Option<u32>,
    /// Median draw and compose ms of each candidate (null: not measured).
    pub quads_draw_ms: f64,
    /// 8x8 tiles.
    pub tiles_draw_ms: f64,
    pub tiles16_draw_ms: f64,
}

impl From<RasterDecision> for AutoDecision {
    fn from(d: RasterDecision) -> Self {
        Self {
            chosen: d.mode.raster,
            chosen_tile_size: (d.mode.raster == Raster::Compute).then_some(d.mode.tile_size),
            quads_draw_ms: d.quads_ms,
            tiles_draw_ms: d.tiles_ms,
            tiles16_draw_ms: d.large_tiles_ms,
        }
    }
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
    pub(super) fn new(ranges: &[u32]) -> Self {
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
    /// Everything else in the frame (compose; 0 when the quads folded it into
    /// their draw).
    pub other: f64,
}

pub(crate) fn median(values: &mut [f64]) -> f64 {
    percentile(values, 0.5)
}

pub(crate) fn percentile(values: &mut [f64], q: f64) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    values.sort_by(f64::total_cmp);
    let index = ((values.len() - 1) as f64 * q).round() as usize;
    values[index]
}

pub(super) fn print_table(r: &BenchReport) {
    println!("adapter            {} ({})", r.adapter, r.backend);
    println!(
        "scene              {} splats, SH degree {}",
        r.splats, r.sh_degree
    );
    if r.mesh_objects > 0 {
        println!(
            "meshes             {} objects, {} triangles",
            r.mesh_objects, r.mesh_triangles
        );
    }
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
    println!(
        "anti-aliasing      {} (the file's: {})",
        r.aa, r.aa_file_reason
    );
    println!("upload             {:.1} ms", r.upload_ms);
    println!(
        "view               {}: {:.2} fragments per pixel, {:.2} tile pairs per visible splat",
        r.view, r.fragments_per_pixel, r.pairs_per_visible_splat
    );
    if let (Some(cut), Some(cut_ms), Some(build_ms)) =
        (r.lod_cut_splats, r.lod_cut_ms, r.lod_build_ms)
    {
        println!(
            "level of detail    budget {}, threshold {} px: {cut} splats in the cut (levels {}), cut {cut_ms:.2} ms ({}), build {build_ms:.0} ms, {} of {} pages resident ({:.1} MiB)",
            if r.lod_budget > 0 {
                r.lod_budget.to_string()
            } else {
                "none".to_string()
            },
            r.lod_threshold_px.unwrap_or(f32::NAN),
            r.lod_levels
                .map_or("none".to_string(), |(a, b)| format!("{a}-{b}")),
            match (r.lod_wait, r.lod_cuts_waited) {
                (true, _) => "each frame waited for its own".to_string(),
                (false, Some(0) | None) => "on a worker thread".to_string(),
                (false, Some(n)) => format!("on a worker thread; {n} waited for, after jumps"),
            },
            r.pages_resident.unwrap_or(0),
            r.pages_total.unwrap_or(0),
            r.gpu_resident_bytes as f64 / (1 << 20) as f64
        );
    }
    println!("first frame        {:.1} ms after start", r.first_frame_ms);
    println!(
        "frame              median {:.2} ms, p95 {:.2} ms, max {:.2} ms",
        r.frame_ms_median, r.frame_ms_p95, r.frame_ms_max
    );
    if let Some(ms) = r.cpu_submit_ms_median {
        println!("record + submit    {ms:.2} ms of CPU per frame (median)");
    }
    println!(
        "throughput         {:.1} FPS (frames back to back)",
        r.throughput_fps
    );
    println!(
        "passes ({})  project {:.2} ms, sort {:.2} ms, draw ({}) {:.2} ms, other {:.2} ms",
        r.timing_source,
        r.pass_ms.project,
        r.pass_ms.sort,
        match r.tile_size {
            Some(side) => format!("{}, {side}x{side} tiles", r.raster.name()),
            None => r.raster.name().to_owned(),
        },
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
        let tiles = auto
            .chosen_tile_size
            .map_or(String::new(), |s| format!(" {s}x{s}"));
        println!(
            "auto rasterizer    chose {}{tiles} (draw {})",
            auto.chosen.name(),
            times_text([auto.quads_draw_ms, auto.tiles_draw_ms, auto.tiles16_draw_ms])
                .unwrap_or_else(|| "not measured".to_owned())
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
