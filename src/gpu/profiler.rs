//! GPU timestamps per frame pass (project, sort, draw, compose), and the stages of
//! the compute rasterizer's draw (tile binning, tile sort, tile blending).
//!
//! Each pass writes a begin and an end timestamp through its descriptor's
//! `timestamp_writes`. After submission the results are mapped asynchronously;
//! `poll_results` returns them once they arrive, so the window never waits on the
//! GPU for them. Where the adapter has no `TIMESTAMP_QUERY`, no profiler is made
//! and callers fall back to CPU-side fenced timing.

use super::readback::AsyncReadback;

/// The timed passes of a frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FramePass {
    Project = 0,
    Sort = 1,
    Draw = 2,
    Compose = 3,
    /// Compute rasterizer stages; together (first begin to last end) they are its
    /// `Draw`.
    TileBin = 4,
    TileSort = 5,
    TileRaster = 6,
}

const PASS_COUNT: u32 = 7;
const QUERY_COUNT: u32 = PASS_COUNT * 2;

/// GPU milliseconds per pass of one frame.
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize)]
pub struct PassTimings {
    pub project: f64,
    pub sort: f64,
    pub draw: f64,
    /// None when the frame ran no compose pass (the quads folded it into their
    /// draw).
    pub compose: Option<f64>,
    /// The compute rasterizer's draw stages, when it drew the frame.
    pub tile_stages: Option<TileStageTimings>,
}

/// GPU milliseconds of the compute rasterizer's stages in one frame.
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize)]
pub struct TileStageTimings {
    /// Counting, offsets and emitting (tile, splat) pairs.
    pub bin: f64,
    /// Sorting the pairs by tile.
    pub sort: f64,
    /// Tile ranges and per-tile blending.
    pub raster: f64,
}

impl PassTimings {
    pub fn total(&self) -> f64 {
        self.project + self.sort + self.draw + self.compose.unwrap_or(0.0)
    }

    /// (pass name, milliseconds) in frame order, for display; the compute
    /// rasterizer's stages follow its draw.
    pub fn named(&self) -> Vec<(&'static str, f64)> {
        let mut named = vec![
            ("project", self.project),
            ("sort", self.sort),
            ("draw", self.draw),
        ];
        if let Some(stages) = self.tile_stages {
            named.extend([
                ("  tile bin", stages.bin),
                ("  tile sort", stages.sort),
                ("  tile blend", stages.raster),
            ]);
        }
        if let Some(compose) = self.compose {
            named.push(("compose", compose));
        }
        named
    }
}

pub struct GpuProfiler {
    query_set: wgpu::QuerySet,
    resolve_buffer: wgpu::Buffer,
    readback: AsyncReadback,
    period_ns: f64,
    /// Passes written in the frame being recorded.
    written: [bool; PASS_COUNT as usize],
    /// Per read-back in flight (by sequence number): the passes its frame wrote
    /// (others read as 0).
    pending_written: std::collections::VecDeque<(u64, [bool; PASS_COUNT as usize])>,
    resolved_this_frame: bool,
}

impl GpuProfiler {
    /// `None` when the device lacks `TIMESTAMP_QUERY`.
    pub fn new(device: &wgpu::Device, queue: &wgpu::Queue) -> Option<Self> {
        if !device.features().contains(wgpu::Features::TIMESTAMP_QUERY) {
            return None;
        }
        let query_set = device.create_query_set(&wgpu::QuerySetDescriptor {
            label: Some("frame pass timestamps"),
            ty: wgpu::QueryType::Timestamp,
            count: QUERY_COUNT,
        });
        let size = u64::from(QUERY_COUNT) * 8;
        let resolve_buffer = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("timestamp resolve"),
            size,
            usage: wgpu::BufferUsages::QUERY_RESOLVE | wgpu::BufferUsages::COPY_SRC,
            mapped_at_creation: false,
        });
        Some(Self {
            query_set,
            resolve_buffer,
            readback: AsyncReadback::new(device, "timestamp readback", size),
            period_ns: f64::from(queue.get_timestamp_period()),
            written: [false; PASS_COUNT as usize],
            pending_written: Default::default(),
            resolved_this_frame: false,
        })
    }

    /// Timestamp writes for a compute pass; marks the pass as timed this frame.
    pub fn compute_writes(&mut self, pass: FramePass) -> wgpu::ComputePassTimestampWrites<'_> {
        self.written[pass as usize] = true;
        let base = pass as u32 * 2;
        wgpu::ComputePassTimestampWrites {
            query_set: &self.query_set,
            beginning_of_pass_write_index: Some(base),
            end_of_pass_write_index: Some(base + 1),
        }
    }

    /// Timestamp writes for a render pass; marks the pass as timed this frame.
    pub fn render_writes(&mut self, pass: FramePass) -> wgpu::RenderPassTimestampWrites<'_> {
        self.written[pass as usize] = true;
        let base = pass as u32 * 2;
        wgpu::RenderPassTimestampWrites {
            query_set: &self.query_set,
            beginning_of_pass_write_index: Some(base),
            end_of_pass_write_index: Some(base + 1),
        }
    }

    /// Resolves this frame's queries and copies them for read-back, unless every
    /// read-back slot is still in flight (then this frame is not reported). With
    /// several slots, the last frame before the window goes idle is timed too,
    /// not only the first of a quick run of frames (the Stats panel showed a
    /// loading frame's times after a scene opened).
    pub fn resolve(&mut self, encoder: &mut wgpu::CommandEncoder) {
        self.resolved_this_frame = false;
        let written = std::mem::replace(&mut self.written, [false; PASS_COUNT as usize]);
        if self.readback.is_busy() || !written.iter().any(|&w| w) {
            return;
        }
        // In submission order, so the copy below reads this frame's values
        // before a later frame resolves into the same buffer.
        encoder.resolve_query_set(&self.query_set, 0..QUERY_COUNT, &self.resolve_buffer, 0);
        if let Some(seq) = self.readback.record_copy(encoder, &self.resolve_buffer, 0) {
            self.pending_written.push_back((seq, written));
            self.resolved_this_frame = true;
        }
    }

    /// Whether the last `resolve` took this frame's queries (its times will be the
    /// next ones `poll_results` returns).
    pub fn resolved_this_frame(&self) -> bool {
        self.resolved_this_frame
    }

    /// Starts mapping the results; call after submitting the encoder given to `resolve`.
    pub fn after_submit(&mut self) {
        self.resolved_this_frame = false;
        self.readback.after_submit();
    }

    /// The timings of the last read-back frame, once the GPU has delivered them.
    /// Needs `Device::poll` to have run (the window polls each frame; the bench waits).
    pub fn poll_results(&mut self) -> Option<PassTimings> {
        let (seq, words) = self.readback.poll_with_seq()?;
        // Older copies that never came back (a failed map) are forgotten too.
        let mut flags = None;
        while let Some(&(pending, written)) = self.pending_written.front() {
            if pending > seq {
                break;
            }
            self.pending_written.pop_front();
            if pending == seq {
                flags = Some(written);
            }
        }
        let flags = flags?;
        let stamps: Vec<u64> = bytemuck::pod_collect_to_vec(&words);
        let written = |pass: FramePass| flags[pass as usize];
        // Milliseconds from the begin stamp of `first` to the end stamp of `last`.
        let span = |first: FramePass, last: FramePass| {
            let ticks = stamps
                .get(last as usize * 2 + 1)
                .zip(stamps.get(first as usize * 2))
                .map_or(0, |(end, begin)| end.saturating_sub(*begin));
            ticks as f64 * self.period_ns / 1e6
        };
        let ms = |pass: FramePass| if written(pass) { span(pass, pass) } else { 0.0 };
        let tiles = [
            FramePass::TileBin,
            FramePass::TileSort,
            FramePass::TileRaster,
        ];
        let tile_stages = tiles
            .iter()
            .all(|&pass| written(pass))
            .then(|| TileStageTimings {
                bin: ms(FramePass::TileBin),
                sort: ms(FramePass::TileSort),
                raster: ms(FramePass::TileRaster),
            });
        let draw = match tile_stages {
            Some(_) => span(FramePass::TileBin, FramePass::TileRaster),
            None => ms(FramePass::Draw),
        };
        Some(PassTimings {
            project: ms(FramePass::Project),
            sort: ms(FramePass::Sort),
            draw,
            compose: written(FramePass::Compose)
                .then(|| span(FramePass::Compose, FramePass::Compose)),
            tile_stages,
        })
    }
}
