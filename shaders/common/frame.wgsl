// Per-frame camera and scene parameters shared by the splat passes.
// Keep in sync with `FrameUniforms` in src/render/splat/gpu_data.rs.
//
// Camera space has OpenCV axes (x right, y down, z forward). A camera-space point p
// lands on pixel coordinates (fx * p.x / p.z + cx, fy * p.y / p.z + cy), where
// pixel (i, j) has its centre at (i + 0.5, j + 0.5).

struct FrameUniforms {
    view_from_world: mat4x4<f32>,
    // xyz: camera centre in world space.
    camera_position: vec4<f32>,
    // fx, fy in pixels.
    focal: vec2<f32>,
    // cx, cy in pixels.
    principal: vec2<f32>,
    // width, height in pixels.
    viewport: vec2<f32>,
    splat_count: u32,
    // SH degree to evaluate: the scene's, capped by the level-of-detail setting.
    sh_degree: u32,
    // Anti-aliasing mode (`AaMode::shader_code`): 0 classic (0.3 px dilation),
    // 1 antialiased (0.3 px dilation, opacity compensated), 2 mip (0.1 px
    // dilation, opacity compensated), 3 analytic.
    aa_mode: u32,
    // u32 words per splat in the SH buffer.
    sh_words_per_splat: u32,
    // Bits of the depth sort key: 16, 24 or 32 (see splat_compact.wgsl).
    sort_key_bits: u32,
    // ceil(splat_count / 256): workgroups of the project and compact kernels.
    project_blocks: u32,
    // Level of detail: splats less opaque than this are culled (>= 1/255).
    opacity_cutoff: f32,
    // Level of detail: splats whose larger quad half-extent is below this many
    // pixels are culled (0 = off).
    min_splat_px: f32,
    // Level of detail: draw at most this many splats, the most important first
    // (see splat_budget.wgsl); 0 = no limit.
    splat_budget: u32,
    // Clipping planes: splats outside near < z < far are culled (far may be inf).
    near_plane: f32,
    far_plane: f32,
    // 1 when the splats are tested against a mesh depth buffer holding
    // near_plane / z_view (reversed: greater is nearer, 0 = nothing).
    depth_test: u32,
    // 0: splats 0..splat_count; 1: the first splat_count entries of the draw
    // list (a level-of-detail cut); 2: as 1, coloured by hierarchy level.
    draw_list: u32,
    // Splats per segment of the scene's buffers (common/pool_segments.wgsl).
    segment_splats: u32,
}

const AA_CLASSIC: u32 = 0u;
const AA_ANTIALIASED: u32 = 1u;
const AA_MIP: u32 = 2u;
const AA_ANALYTIC: u32 = 3u;

// The depth-test value of a camera-space depth: what the mesh pass writes.
fn reversed_depth(near_plane: f32, z_view: f32) -> f32 {
    return near_plane / z_view;
}

// Output of the project pass for one visible splat (32 bytes).
// Keep in sync with `ProjectedSplat` in src/render/splat/gpu_data.rs.
struct ProjectedSplat {
    // xy: centre in pixels; zw: conic (inverse 2D covariance) entries a, b.
    center_conic_ab: vec4<f32>,
    // x: bits of conic entry c (f32); y: f16 pair (red, green);
    // z: f16 pair (blue, opacity); w: f16 pair, half extent of the quad in pixels.
    packed: vec4<u32>,
}

// Per-frame values the GPU computes for itself. Keep in sync with `FrameState` in
// src/render/splat/gpu_data.rs.
struct FrameState {
    // Float bits of the smallest and largest visible depth (positive floats order
    // like their bits).
    min_depth_bits: atomic<u32>,
    max_depth_bits: atomic<u32>,
    visible_count: u32,
    // Lowest importance bucket drawn under the splat budget (0 = all).
    importance_threshold: u32,
    // Visible splats per importance bucket (filled only with a splat budget).
    importance_histogram: array<atomic<u32>, 256>,
}

// Importance of a projected splat for the splat budget: opacity times the area of
// its quad, on a log scale of 256 buckets (8 per octave, 1 px^2 at bucket 128).
fn importance_bucket(opacity: f32, extent: vec2<f32>) -> u32 {
    let importance = max(opacity * 4.0 * extent.x * extent.y, 1e-30);
    return u32(clamp(log2(importance) * 8.0 + 128.0, 0.0, 255.0));
}
