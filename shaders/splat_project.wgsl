// Project pass: one invocation per splat.
//
// How it works (Kerbl et al. 2023, "3D Gaussian Splatting for Real-Time Radiance
// Field Rendering", and Zwicker et al. 2002, "EWA Splatting"):
// 1. cull splats closer than the near plane (z <= 0.2, as 3DGS `in_frustum`);
// 2. build the 3D covariance R S S^T R^T from the unit quaternion and exp(log scale);
// 3. project it with the Jacobian of the pinhole projection (EWA), clamping the
//    tangent to 1.3x the image extent as the reference rasterizer does, and add the
//    0.3 px low-pass dilation; invert it to get the conic;
// 4. evaluate the SH colour along the camera-to-splat direction (+0.5, clamped at 0);
// 5. write a sort key: the bitwise NOT of the depth's float bits, so an ascending
//    sort gives back-to-front order; culled splats get 0xffffffff and sort last.
// The visible count goes to the instance count of the indirect draw.
//
// The quad extent per axis is k * sqrt(Sigma_ii), the bounding box of the ellipse
// at k standard deviations, with k = min(3, sqrt(2 ln(255 opacity))): beyond that,
// alpha < 1/255 and the pixel would be skipped anyway. The CPU reference
// (src/reference/render.rs) uses the same 3-sigma box.

#include "common/frame.wgsl"
#include "common/sh.wgsl"

const NEAR_PLANE: f32 = 0.2;
const LOW_PASS_DILATION: f32 = 0.3;
const MIN_ALPHA: f32 = 0.003921568627451; // 1 / 255
const CULLED_KEY: u32 = 0xffffffffu;

struct DrawIndirectArgs {
    vertex_count: u32,
    instance_count: atomic<u32>,
    first_vertex: u32,
    first_instance: u32,
}

@group(0) @binding(0) var<uniform> frame: FrameUniforms;
// Three vec4 per splat: (position.xyz, opacity logit), (quaternion w, x, y, z),
// (log scale.xyz, unused). Keep in sync with `GpuSplat` in gpu_data.rs.
@group(0) @binding(1) var<storage, read> splats: array<vec4<f32>>;
// SH coefficients as pairs of f16, coefficient-major then channel, padded to
// `frame.sh_words_per_splat` u32 words per splat.
@group(0) @binding(2) var<storage, read> sh_words: array<u32>;
@group(0) @binding(3) var<storage, read_write> projected: array<ProjectedSplat>;
@group(0) @binding(4) var<storage, read_write> sort_keys: array<u32>;
@group(0) @binding(5) var<storage, read_write> sort_values: array<u32>;
@group(0) @binding(6) var<storage, read_write> draw_args: DrawIndirectArgs;

fn quat_to_mat3(q: vec4<f32>) -> mat3x3<f32> {
    let w = q.x;
    let x = q.y;
    let y = q.z;
    let z = q.w;
    // Columns of the rotation matrix.
    return mat3x3<f32>(
        vec3<f32>(1.0 - 2.0 * (y * y + z * z), 2.0 * (x * y + w * z), 2.0 * (x * z - w * y)),
        vec3<f32>(2.0 * (x * y - w * z), 1.0 - 2.0 * (x * x + z * z), 2.0 * (y * z + w * x)),
        vec3<f32>(2.0 * (x * z + w * y), 2.0 * (y * z - w * x), 1.0 - 2.0 * (x * x + y * y)),
    );
}

fn sh_coefficient(splat: u32, k: u32, channel: u32) -> f32 {
    let half_index = k * 3u + channel;
    let word = sh_words[splat * frame.sh_words_per_splat + half_index / 2u];
    let pair = unpack2x16float(word);
    return select(pair.x, pair.y, (half_index & 1u) == 1u);
}

fn sh_color(splat: u32, dir: vec3<f32>) -> vec3<f32> {
    let coeffs = (frame.sh_degree + 1u) * (frame.sh_degree + 1u);
    var rgb = vec3<f32>(0.0);
    for (var k = 0u; k < coeffs; k++) {
        let basis = sh_basis(k, dir);
        rgb += basis * vec3<f32>(
            sh_coefficient(splat, k, 0u),
            sh_coefficient(splat, k, 1u),
            sh_coefficient(splat, k, 2u),
        );
    }
    return max(rgb + vec3<f32>(0.5), vec3<f32>(0.0));
}

@compute @workgroup_size(256)
fn project(
    @builtin(global_invocation_id) gid: vec3<u32>,
    @builtin(num_workgroups) num_groups: vec3<u32>,
) {
    let i = gid.x + gid.y * num_groups.x * 256u;
    if i >= frame.splat_count {
        return;
    }
    sort_keys[i] = CULLED_KEY;
    sort_values[i] = i;

    let pos_opacity = splats[i * 3u];
    let quat = splats[i * 3u + 1u];
    let log_scale = splats[i * 3u + 2u].xyz;

    let p_view = (frame.view_from_world * vec4<f32>(pos_opacity.xyz, 1.0)).xyz;
    if !(p_view.z > NEAR_PLANE) {
        return;
    }
    var opacity = 1.0 / (1.0 + exp(-pos_opacity.w));
    if !(opacity >= MIN_ALPHA) {
        return;
    }

    // 3D covariance: M = R S, Sigma = M M^T.
    let scale = exp(log_scale);
    let rot = quat_to_mat3(quat);
    let m = mat3x3<f32>(rot[0] * scale.x, rot[1] * scale.y, rot[2] * scale.z);
    let cov3d = m * transpose(m);

    // EWA: Sigma' = J W Sigma W^T J^T with the tangent clamped to 1.3x the image.
    let focal = frame.focal;
    let lim_neg = 1.3 * frame.principal / focal;
    let lim_pos = 1.3 * (frame.viewport - frame.principal) / focal;
    let tz = p_view.z;
    let txy = clamp(p_view.xy / tz, -lim_neg, lim_pos) * tz;
    let j = mat3x3<f32>(
        vec3<f32>(focal.x / tz, 0.0, 0.0),
        vec3<f32>(0.0, focal.y / tz, 0.0),
        vec3<f32>(-focal.x * txy.x / (tz * tz), -focal.y * txy.y / (tz * tz), 0.0),
    );
    let w = mat3x3<f32>(
        frame.view_from_world[0].xyz,
        frame.view_from_world[1].xyz,
        frame.view_from_world[2].xyz,
    );
    let t = j * w;
    let cov2d = t * cov3d * transpose(t);
    let a_raw = cov2d[0][0];
    let b = cov2d[0][1];
    let c_raw = cov2d[1][1];
    let a = a_raw + LOW_PASS_DILATION;
    let c = c_raw + LOW_PASS_DILATION;
    let det = a * c - b * b;
    if !(det > 0.0) {
        return;
    }
    if frame.antialiased != 0u {
        // Mip-Splatting: keep the integrated opacity of the filtered Gaussian.
        let det_raw = a_raw * c_raw - b * b;
        opacity *= sqrt(max(det_raw / det, 0.0));
        if !(opacity >= MIN_ALPHA) {
            return;
        }
    }
    let conic = vec3<f32>(c, -b, a) / det;

    let center = focal * p_view.xy / tz + frame.principal;
    let k = min(3.0, sqrt(2.0 * log(255.0 * opacity)));
    let extent = k * sqrt(vec2<f32>(a, c));
    // Cull when the box holds no pixel centre of the image.
    if any(center + extent < vec2<f32>(0.5)) || any(center - extent > frame.viewport - vec2<f32>(0.5)) {
        return;
    }

    let dir = normalize(pos_opacity.xyz - frame.camera_position.xyz);
    let rgb = sh_color(i, dir);

    projected[i] = ProjectedSplat(
        vec4<f32>(center, conic.x, conic.y),
        vec4<f32>(conic.z, opacity, extent),
        vec4<f32>(rgb, 1.0),
    );
    sort_keys[i] = ~bitcast<u32>(tz);
    atomicAdd(&draw_args.instance_count, 1u);
}
