//! GPU-side layouts of splat data (`#[repr(C)]` Pod structs shared with WGSL) and
//! the packing of a `SplatCloud` into them.

use glam::{Mat4, Vec3};

use crate::render::params::RenderLod;
use crate::scene::{AaMode, PinholeCamera, SplatCloud};

/// One splat as the project pass reads it: 32 bytes. Position and opacity logit
/// in f32; the unit quaternion (w, x, y, z) as four snorm16; log scales as f16.
/// Keep in sync with the `splats` binding in shaders/splat_project.wgsl.
#[repr(C)]
#[derive(Clone, Copy, Debug, bytemuck::Pod, bytemuck::Zeroable)]
pub struct GpuSplat {
    /// xyz: world position; w: opacity logit.
    pub position_opacity: [f32; 4],
    /// snorm16 pairs (w, x) and (y, z) of the rotation, then f16 pairs
    /// (log scale x, y) and (log scale z, 0).
    pub rotation_scale: [u32; 4],
}
const _: () = assert!(size_of::<GpuSplat>() == 32);

fn snorm16(v: f32) -> u32 {
    u32::from((v.clamp(-1.0, 1.0) * 32767.0).round() as i16 as u16)
}

fn f16_pair(a: f32, b: f32) -> u32 {
    u32::from(half::f16::from_f32(a).to_bits())
        | (u32::from(half::f16::from_f32(b).to_bits()) << 16)
}

/// Output of the project pass (centre and conic in f32, colour, opacity and quad
/// extent as f16 pairs). Keep in sync with `ProjectedSplat` in
/// shaders/common/frame.wgsl.
#[repr(C)]
#[derive(Clone, Copy, Debug, bytemuck::Pod, bytemuck::Zeroable)]
pub struct ProjectedSplat {
    pub center_conic_ab: [f32; 4],
    pub packed: [u32; 4],
}
const _: () = assert!(size_of::<ProjectedSplat>() == 32);

/// Values the GPU computes per frame for itself. Keep in sync with `FrameState`
/// in shaders/common/frame.wgsl.
#[repr(C)]
#[derive(Clone, Copy, Debug, bytemuck::Pod, bytemuck::Zeroable)]
pub struct FrameState {
    pub min_depth_bits: u32,
    pub max_depth_bits: u32,
    pub visible_count: u32,
    pub importance_threshold: u32,
    pub importance_histogram: [u32; 256],
}
const _: () = assert!(size_of::<FrameState>() == 1040);

impl FrameState {
    /// The value each frame starts from (empty depth range, nothing visible).
    pub const RESET: Self = Self {
        min_depth_bits: u32::MAX,
        max_depth_bits: 0,
        visible_count: 0,
        importance_threshold: 0,
        importance_histogram: [0; 256],
    };
}

/// Splats per workgroup of the project and compact kernels.
pub const PROJECT_WORKGROUP_SIZE: u32 = 256;

/// Per-frame camera and scene parameters. Keep in sync with `FrameUniforms` in
/// shaders/common/frame.wgsl.
#[repr(C)]
#[derive(Clone, Copy, Debug, bytemuck::Pod, bytemuck::Zeroable)]
pub struct FrameUniforms {
    pub view_from_world: [[f32; 4]; 4],
    pub camera_position: [f32; 4],
    pub focal: [f32; 2],
    pub principal: [f32; 2],
    pub viewport: [f32; 2],
    pub splat_count: u32,
    pub sh_degree: u32,
    /// `AaMode::shader_code`.
    pub aa_mode: u32,
    pub sh_words_per_splat: u32,
    pub sort_key_bits: u32,
    pub project_blocks: u32,
    pub opacity_cutoff: f32,
    pub min_splat_px: f32,
    pub splat_budget: u32,
    pub near_plane: f32,
    pub far_plane: f32,
    /// 1 when the splats are tested against a mesh depth buffer.
    pub depth_test: u32,
    /// `DRAW_LIST_*`: whether the project pass reads a draw list (a level-of-detail
    /// cut) instead of drawing splats 0..splat_count.
    pub draw_list: u32,
    /// Splats per segment of the scene's buffers (`SplatScene::segment_splats`;
    /// `u32::MAX` for a scene in one segment).
    pub segment_splats: u32,
}

/// Segments (pairs of attribute and SH bindings) the project pass reads a scene
/// from, where the adapter allows 15 storage buffers per stage
/// (shaders/common/pool_segments.wgsl); one elsewhere.
pub const POOL_SEGMENT_BINDINGS: u32 = 4;

/// Storage buffers per stage the project pass binds with
/// [`POOL_SEGMENT_BINDINGS`] segments.
const PROJECT_STORAGE_BUFFERS: u32 = 9 + 2 * (POOL_SEGMENT_BINDINGS - 1);

/// Segments the project pass on an adapter with `limits` can read a scene from.
pub fn pool_segments_supported(limits: &wgpu::Limits) -> u32 {
    if limits.max_storage_buffers_per_shader_stage >= PROJECT_STORAGE_BUFFERS {
        POOL_SEGMENT_BINDINGS
    } else {
        1
    }
}

/// No draw list: splats 0..splat_count are drawn.
pub const DRAW_LIST_NONE: u32 = 0;
/// `splat_count` entries of the draw list are drawn.
pub const DRAW_LIST: u32 = 1;
/// As `DRAW_LIST`, each splat coloured by its hierarchy level (a debug view).
pub const DRAW_LIST_COLOR_BY_LEVEL: u32 = 2;

/// One entry of a draw list: which splat of the scene to draw, the factor its
/// opacity is multiplied by (f16, the smooth transitions between levels) and its
/// hierarchy level. Keep in sync with `DrawEntry` in shaders/splat_project.wgsl.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, bytemuck::Pod, bytemuck::Zeroable)]
pub struct DrawEntry {
    pub splat: u32,
    /// f16 opacity factor in the low half, level in the high half.
    pub factor_level: u32,
}
const _: () = assert!(size_of::<DrawEntry>() == 8);

impl DrawEntry {
    pub fn new(splat: u32, opacity_factor: f32, level: u16) -> Self {
        Self {
            splat,
            factor_level: u32::from(half::f16::from_f32(opacity_factor.clamp(0.0, 1.0)).to_bits())
                | (u32::from(level) << 16),
        }
    }
}
const _: () = assert!(size_of::<FrameUniforms>() == 160);

/// What `FrameUniforms` needs of the scene.
#[derive(Clone, Copy, Debug)]
pub struct SceneShape {
    pub splat_count: u32,
    pub sh_degree: u32,
    pub sh_words_per_splat: u32,
    /// Splats per segment of the scene's buffers.
    pub segment_splats: u32,
}

impl FrameUniforms {
    pub fn new(
        camera: &PinholeCamera,
        scene: SceneShape,
        sort_key_bits: u32,
        lod: &RenderLod,
        aa_mode: AaMode,
        depth_test: bool,
    ) -> Self {
        let view_from_world: Mat4 = camera.view_from_world();
        let position: Vec3 = camera.position();
        Self {
            view_from_world: view_from_world.to_cols_array_2d(),
            camera_position: position.extend(1.0).to_array(),
            focal: [camera.fx, camera.fy],
            principal: [camera.cx, camera.cy],
            viewport: [camera.width as f32, camera.height as f32],
            splat_count: scene.splat_count,
            sh_degree: scene.sh_degree.min(lod.sh_degree_cap),
            aa_mode: aa_mode.shader_code(),
            sh_words_per_splat: scene.sh_words_per_splat,
            sort_key_bits,
            project_blocks: scene.splat_count.div_ceil(PROJECT_WORKGROUP_SIZE),
            opacity_cutoff: lod.opacity_cutoff,
            min_splat_px: lod.min_splat_px,
            splat_budget: lod.splat_budget.unwrap_or(0),
            near_plane: lod.near_plane,
            far_plane: lod.far_plane,
            depth_test: u32::from(depth_test),
            draw_list: DRAW_LIST_NONE,
            segment_splats: scene.segment_splats.max(1),
        }
    }
}

/// Bytes before the quads' draw records in a view's `draw_args`: word 1 holds
/// the visible count (written by the compact pass; the tile passes and the stats
/// read it), words 0, 2 and 3 are unused.
pub const DRAW_ARGS_HEAD_BYTES: u64 = 16;
/// Byte offset of the visible splat count in a view's `draw_args`.
pub const VISIBLE_COUNT_OFFSET: u64 = 4;

/// Quads per indexed draw of the quad pass (shaders/common/quad_batches.wgsl,
/// keep in sync): one shared index buffer holds this many quads, and a view draws
/// `quad_batches(slots)` batches with consecutive base vertices. On lavapipe an
/// indexed list cost 14-20% less draw time than instanced 4-vertex strips where
/// the draw is bound per splat (docs/BENCHMARKS.md).
pub const QUAD_BATCH_SPLATS: u32 = 65536;
/// Bytes of one batch's indexed indirect draw record.
pub const QUAD_BATCH_ARGS_BYTES: u64 = size_of::<wgpu::util::DrawIndexedIndirectArgs>() as u64;
const _: () = assert!(QUAD_BATCH_ARGS_BYTES == 20);
/// Byte offset of the first batch's record in a view's `draw_args`.
pub const QUAD_BATCHES_OFFSET: u64 = DRAW_ARGS_HEAD_BYTES;

/// Batches that draw `slots` sorted splats (at least one).
pub fn quad_batches(slots: u32) -> u32 {
    slots.div_ceil(QUAD_BATCH_SPLATS).max(1)
}

/// The shared index buffer's contents: two triangles per quad, corners
/// 4i..4i+3 as (-1,-1), (1,-1), (-1,1), (1,1), in the winding of a strip.
pub fn quad_batch_indices() -> Vec<u32> {
    (0..QUAD_BATCH_SPLATS)
        .flat_map(|quad| {
            let v = 4 * quad;
            [v, v + 1, v + 2, v + 2, v + 1, v + 3]
        })
        .collect()
}

/// u32 words per splat holding its SH coefficients as f16 pairs.
pub fn sh_words_per_splat(sh_degree: u32) -> u32 {
    let halves = crate::scene::splats::sh_coeffs_for_degree(sh_degree) as u32 * 3;
    halves.div_ceil(2)
}

/// Converts a cloud to the GPU attribute layout.
pub fn pack_splats(cloud: &SplatCloud) -> Vec<GpuSplat> {
    (0..cloud.len())
        .map(|i| {
            let p = cloud.positions[i];
            let s = cloud.log_scales[i];
            let q = cloud.rotations[i];
            GpuSplat {
                position_opacity: [p[0], p[1], p[2], cloud.opacity_logits[i]],
                rotation_scale: [
                    snorm16(q[0]) | (snorm16(q[1]) << 16),
                    snorm16(q[2]) | (snorm16(q[3]) << 16),
                    f16_pair(s[0], s[1]),
                    f16_pair(s[2], 0.0),
                ],
            }
        })
        .collect()
}

/// The cloud as the GPU sees it after packing (f16 log scales and SH, snorm16
/// quaternions), for measuring what the packed layout costs against f32.
pub fn quantized_like_gpu(cloud: &SplatCloud) -> SplatCloud {
    let f16 = |v: f32| half::f16::from_f32(v).to_f32();
    let snorm = |v: f32| (v.clamp(-1.0, 1.0) * 32767.0).round() / 32767.0;
    let mut out = cloud.clone();
    out.log_scales.iter_mut().for_each(|s| *s = s.map(f16));
    out.rotations
        .iter_mut()
        .for_each(|q| *q = crate::scene::splats::normalize_quat(q.map(snorm)));
    out.sh_dc.iter_mut().for_each(|c| *c = c.map(f16));
    out.sh_rest.iter_mut().for_each(|c| *c = f16(*c));
    out
}

/// Packs SH coefficients (DC first, then the rest) as f16 pairs, coefficient-major.
pub fn pack_sh(cloud: &SplatCloud) -> Vec<u32> {
    let words = sh_words_per_splat(cloud.sh_degree) as usize;
    let mut out = vec![0u32; words * cloud.len()];
    let mut halves = Vec::with_capacity(words * 2);
    for (i, dst) in out.chunks_exact_mut(words.max(1)).enumerate() {
        halves.clear();
        halves.extend(cloud.sh_dc[i].iter().map(|&v| half::f16::from_f32(v)));
        halves.extend(cloud.sh_rest_of(i).iter().map(|&v| half::f16::from_f32(v)));
        halves.resize(words * 2, half::f16::ZERO);
        for (w, pair) in dst.iter_mut().zip(halves.chunks_exact(2)) {
            *w = u32::from(pair[0].to_bits()) | (u32::from(pair[1].to_bits()) << 16);
        }
    }
    out
}
