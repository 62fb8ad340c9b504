// Draw pass: one quad (two triangles of an indexed list, drawn in batches:
// common/quad_batches.wgsl) per visible splat, in sorted (back-to-front) order,
// blended with premultiplied alpha ("over"): dst = src + (1 - src.a) * dst.
//
// Per pixel, as the 3DGS reference rasterizer (Kerbl et al. 2023):
//   power = -0.5 * (a dx^2 + c dy^2) - b dx dy,  skipped if power > 0;
//   alpha = min(0.99, opacity * exp(power)),     skipped if alpha < 1/255.
// In the analytic mode (common/analytic.wgsl) the quad is the rectangle ±h1 v1 ±
// h2 v2 of the splat's eigenbasis and the weight the Gaussian integrated over the
// pixel; alpha = min(0.99, opacity · 2π σ1 σ2 · ΔΦ̃1 ΔΦ̃2), skipped below 1/255.
// The target is an Rgba16Float accumulation texture cleared to transparent black;
// compose.wgsl adds the background and writes the display format.

#include "common/frame.wgsl"
#include "common/splat_axes.wgsl"
#include "common/analytic.wgsl"
#include "common/quad_batches.wgsl"

// The pipeline's anti-aliasing family, fixed when the pipeline is made (one
// pipeline per value): the analytic mode's quad and weight, or the point-sampled
// modes'. A constant rather than a branch on the frame uniforms: on lavapipe the
// uniform branch in the fragment shader cost 5-20% of the draw.
override ANALYTIC: bool = false;

const MIN_ALPHA: f32 = 0.003921568627451; // 1 / 255
const MAX_ALPHA: f32 = 0.99;

@group(0) @binding(0) var<uniform> frame: FrameUniforms;
@group(0) @binding(1) var<storage, read> projected: array<ProjectedSplat>;
// Splat indices sorted back to front; the first (visible count) are drawn.
@group(0) @binding(2) var<storage, read> sorted_indices: array<u32>;
// Per splat: the depth-test value of its centre (when frame.depth_test is 1).
@group(0) @binding(3) var<storage, read> splat_depths: array<f32>;

struct VertexOutput {
    @builtin(position) position: vec4<f32>,
    @location(0) @interpolate(flat) center: vec2<f32>,
    // Point-sampled modes: the conic (a, b, c) and 0. Analytic: the unit major
    // axis and 1 / σ1, 1 / σ2.
    @location(1) @interpolate(flat) shape: vec4<f32>,
    // Colour and opacity; analytic: opacity · 2π σ1 σ2 (`analytic_peak`).
    @location(2) @interpolate(flat) color_opacity: vec4<f32>,
}

@vertex
fn vs_main(@builtin(vertex_index) vertex_index: u32) -> VertexOutput {
    // vertex_index = 4 · (slot in the sorted list) + corner, base vertex included.
    let index = sorted_indices[vertex_index >> 2u];
    let splat = projected[index];
    let center = splat.center_conic_ab.xy;
    let rg = unpack2x16float(splat.packed.y);
    let b_opacity = unpack2x16float(splat.packed.z);
    // Corners 0-3: (-1,-1), (1,-1), (-1,1), (1,1).
    let corner_index = vertex_index & 3u;
    let corner = vec2<f32>(f32(corner_index & 1u), f32(corner_index >> 1u)) * 2.0 - 1.0;
    var pixel: vec2<f32>;
    var shape: vec4<f32>;
    var opacity = b_opacity.y;
    if ANALYTIC {
        // The rectangle of pixels whose integral can reach 1/255.
        let s = analytic_splat(splat);
        let minor = analytic_minor_axis(s.major_axis);
        pixel = center + corner.x * s.half_extents.x * s.major_axis + corner.y * s.half_extents.y * minor;
        shape = vec4<f32>(s.major_axis, 1.0 / s.sigma);
        opacity = analytic_peak(opacity, s.sigma);
    } else {
        let conic = vec3<f32>(splat.center_conic_ab.zw, bitcast<f32>(splat.packed.x));
        // The quad is the rectangle around the ellipse at k standard deviations,
        // oriented along its axes (eigenvectors of the conic), with k as in the
        // project pass: beyond it alpha < 1/255. Thin diagonal splats cover far
        // fewer pixels than with an axis-aligned box.
        let k = min(3.0, sqrt(max(2.0 * log(255.0 * b_opacity.y), 0.0)));
        let axes = splat_axes(conic);
        pixel = center + k * (corner.x * axes[0] + corner.y * axes[1]);
        shape = vec4<f32>(conic, 0.0);
    }
    let ndc = vec2<f32>(pixel.x / frame.viewport.x * 2.0 - 1.0, 1.0 - pixel.y / frame.viewport.y * 2.0);

    // With a mesh depth buffer, the whole quad sits at its centre's depth, so the
    // hardware test hides the splat where its centre is behind the mesh.
    var depth = 0.0;
    if frame.depth_test != 0u {
        depth = splat_depths[index];
    }
    var out: VertexOutput;
    out.position = vec4<f32>(ndc, depth, 1.0);
    out.center = center;
    out.shape = shape;
    out.color_opacity = vec4<f32>(rg, b_opacity.x, opacity);
    return out;
}

@fragment
fn fs_main(in: VertexOutput) -> @location(0) vec4<f32> {
    // Fragment positions are pixel centres (i + 0.5, j + 0.5), as the reference's.
    let d = in.position.xy - in.center;
    var alpha: f32;
    if ANALYTIC {
        let axis = in.shape.xy;
        let inv_sigma = in.shape.zw;
        let x = abs(vec2<f32>(dot(d, axis), dot(d, analytic_minor_axis(axis)))) * inv_sigma;
        alpha = min(MAX_ALPHA, in.color_opacity.a * analytic_window(x, 0.5 * inv_sigma));
    } else {
        let conic = in.shape.xyz;
        let power = -0.5 * (conic.x * d.x * d.x + conic.z * d.y * d.y) - conic.y * d.x * d.y;
        if power > 0.0 {
            discard;
        }
        alpha = min(MAX_ALPHA, in.color_opacity.a * exp(power));
    }
    if alpha < MIN_ALPHA {
        discard;
    }
    return vec4<f32>(in.color_opacity.rgb * alpha, alpha);
}
