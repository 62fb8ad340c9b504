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
    sh_degree: u32,
    // 1 for Mip-Splatting style scenes (opacity compensation of the 2D filter).
    antialiased: u32,
    // u32 words per splat in the SH buffer.
    sh_words_per_splat: u32,
    _pad0: u32,
    _pad1: u32,
}

// Output of the project pass for one splat.
// Keep in sync with `ProjectedSplat` in src/render/splat/gpu_data.rs.
struct ProjectedSplat {
    // xy: centre in pixels; zw: conic (inverse 2D covariance) entries a, b.
    center_conic_ab: vec4<f32>,
    // x: conic entry c; y: opacity; zw: half extent of the quad in pixels.
    conic_c_opacity_extent: vec4<f32>,
    // rgb: colour from SH (display-encoded, >= 0); a unused.
    color: vec4<f32>,
}
