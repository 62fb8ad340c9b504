// Difference pass: a heatmap of |A - B| between two images of the same size,
// the GPU twin of `metrics::heatmap::abs_difference(a, b).to_image(scale)`.
//
// Per pixel, A and B are read as 8-bit values (the textures are Rgba8Unorm: a
// texel reads back as v / 255, so round(texel * 255) is v exactly), the error
// is the mean over RGB of |A - B| in 0..1 (sum / 765), divided by `scale` and
// clamped to 0..1, and the colour is the nearest of the 256 entries of the
// magma colour map (index round(t * 255), rounding halves up as Rust's
// `f32::round` does for positive values), which NVIDIA FLIP's tool uses too.
//
// A full-screen triangle; the output has the images' size.

struct DiffUniforms {
    // The error drawn at the top of the colour scale (> 0).
    scale: f32,
    _pad0: f32,
    _pad1: f32,
    _pad2: f32,
}
// Keep in sync with `DiffUniforms` in src/render/diff.rs.

@group(0) @binding(0) var<uniform> params: DiffUniforms;
@group(0) @binding(1) var image_a: texture_2d<f32>;
@group(0) @binding(2) var image_b: texture_2d<f32>;
// 256 x 1 texels, the magma colour map.
@group(0) @binding(3) var colour_map: texture_2d<f32>;

@vertex
fn vs_main(@builtin(vertex_index) vertex_index: u32) -> @builtin(position) vec4<f32> {
    let uv = vec2<f32>(f32((vertex_index << 1u) & 2u), f32(vertex_index & 2u));
    return vec4<f32>(uv * 2.0 - 1.0, 0.0, 1.0);
}

@fragment
fn fs_main(@builtin(position) position: vec4<f32>) -> @location(0) vec4<f32> {
    let pixel = vec2<i32>(position.xy);
    let a = vec3<i32>(round(textureLoad(image_a, pixel, 0).rgb * 255.0));
    let b = vec3<i32>(round(textureLoad(image_b, pixel, 0).rgb * 255.0));
    let d = abs(a - b);
    let error = f32(d.x + d.y + d.z) / 765.0;
    let t = clamp(error / params.scale, 0.0, 1.0);
    let index = min(i32(floor(t * 255.0 + 0.5)), 255);
    return vec4<f32>(textureLoad(colour_map, vec2<i32>(index, 0), 0).rgb, 1.0);
}
