// Draw pass: one instanced quad per visible splat, in sorted (back-to-front) order,
// blended with premultiplied alpha ("over"): dst = src + (1 - src.a) * dst.
//
// Per pixel, as the 3DGS reference rasterizer (Kerbl et al. 2023):
//   power = -0.5 * (a dx^2 + c dy^2) - b dx dy,  skipped if power > 0;
//   alpha = min(0.99, opacity * exp(power)),     skipped if alpha < 1/255.
// The target is an Rgba16Float accumulation texture cleared to transparent black;
// compose.wgsl adds the background and writes the display format.

#include "common/frame.wgsl"
#include "common/splat_axes.wgsl"

const MIN_ALPHA: f32 = 0.003921568627451; // 1 / 255
const MAX_ALPHA: f32 = 0.99;

@group(0) @binding(0) var<uniform> frame: FrameUniforms;
@group(0) @binding(1) var<storage, read> projected: array<ProjectedSplat>;
// Splat indices sorted back to front; the first `instance_count` are visible.
@group(0) @binding(2) var<storage, read> sorted_indices: array<u32>;
// Per splat: the depth-test value of its centre (when frame.depth_test is 1).
@group(0) @binding(3) var<storage, read> splat_depths: array<f32>;

struct VertexOutput {
    @builtin(position) position: vec4<f32>,
    @location(0) @interpolate(flat) center: vec2<f32>,
    @location(1) @interpolate(flat) conic: vec3<f32>,
    @location(2) @interpolate(flat) color_opacity: vec4<f32>,
}

@vertex
fn vs_main(
    @builtin(vertex_index) vertex_index: u32,
    @builtin(instance_index) instance_index: u32,
) -> VertexOutput {
    let index = sorted_indices[instance_index];
    let splat = projected[index];
    let center = splat.center_conic_ab.xy;
    let rg = unpack2x16float(splat.packed.y);
    let b_opacity = unpack2x16float(splat.packed.z);
    let conic = vec3<f32>(splat.center_conic_ab.zw, bitcast<f32>(splat.packed.x));
    // The quad is the rectangle around the ellipse at k standard deviations,
    // oriented along its axes (eigenvectors of the conic), with k as in the
    // project pass: beyond it alpha < 1/255. Thin diagonal splats cover far fewer
    // pixels than with an axis-aligned box.
    let k = min(3.0, sqrt(max(2.0 * log(255.0 * b_opacity.y), 0.0)));
    let axes = splat_axes(conic);
    // Triangle strip corners: (-1,-1), (1,-1), (-1,1), (1,1).
    let corner = vec2<f32>(f32(vertex_index & 1u), f32(vertex_index >> 1u)) * 2.0 - 1.0;
    let pixel = center + k * (corner.x * axes[0] + corner.y * axes[1]);
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
    out.conic = conic;
    out.color_opacity = vec4<f32>(rg, b_opacity);
    return out;
}

@fragment
fn fs_main(in: VertexOutput) -> @location(0) vec4<f32> {
    // Fragment positions are pixel centres (i + 0.5, j + 0.5), as the reference's.
    let d = in.position.xy - in.center;
    let power = -0.5 * (in.conic.x * d.x * d.x + in.conic.z * d.y * d.y) - in.conic.y * d.x * d.y;
    if power > 0.0 {
        discard;
    }
    let alpha = min(MAX_ALPHA, in.color_opacity.a * exp(power));
    if alpha < MIN_ALPHA {
        discard;
    }
    return vec4<f32>(in.color_opacity.rgb * alpha, alpha);
}
