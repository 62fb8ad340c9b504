// Project pass: one invocation per splat.
//
// How it works (Kerbl et al. 2023, "3D Gaussian Splatting for Real-Time Radiance
// Field Rendering", and Zwicker et al. 2002, "EWA Splatting"):
// 1. cull splats outside the clipping planes (near 0.2 by default, as 3DGS
//    `in_frustum`);
// 2. build the 3D covariance R S S^T R^T from the unit quaternion and exp(log scale);
// 3. project it with the Jacobian of the pinhole projection (EWA), clamping the
//    tangent to 1.3x the image extent as the reference rasterizer does, and add the
//    0.3 px low-pass dilation; invert it to get the conic;
// 4. evaluate the SH colour along the camera-to-splat direction (+0.5, clamped at 0);
// 5. write the splat's depth (float bits; 0 = culled) for splat_compact.wgsl, the
//    workgroup's visible count, and the frame's depth range (atomics, once per
//    workgroup).
//
// The quad extent per axis is k * sqrt(Sigma_ii), the bounding box of the ellipse
// at k standard deviations, with k = min(3, sqrt(2 ln(255 opacity))): beyond that,
// alpha < 1/255 and the pixel would be skipped anyway. The CPU reference
// (src/reference/render.rs) uses the same 3-sigma box.
//
// The analytic mode (Analytic-Splatting) skips steps 3's dilation: it writes the
// eigenbasis of the undilated covariance and the half-extents of the rectangle,
// along its axes, outside which opacity x the pixel integral < 1/255
// (common/analytic.wgsl, src/reference/analytic.rs).

#include "common/frame.wgsl"
#include "common/sh.wgsl"
#include "common/analytic.wgsl"

// The low-pass filter added to the projected covariance: 0.3 px (3DGS, gsplat's
// antialiased mode), 0.1 px (Mip-Splatting's 2D Mip filter).
const LOW_PASS_DILATION: f32 = 0.3;
const MIP_DILATION: f32 = 0.1;
const MIN_ALPHA: f32 = 0.003921568627451; // 1 / 255

@group(0) @binding(0) var<uniform> frame: FrameUniforms;
// The scene's splats (bindings 1 and 2, and 10-15 for more segments).
#include "common/pool_segments.wgsl"
@group(0) @binding(3) var<storage, read_write> projected: array<ProjectedSplat>;
// Per splat: float bits of the camera-space depth, or 0 when culled. This is the
// sort's second key buffer, unused until the sort starts.
@group(0) @binding(4) var<storage, read_write> depths: array<u32>;
// Per workgroup: number of visible splats.
@group(0) @binding(5) var<storage, read_write> block_counts: array<u32>;
@group(0) @binding(6) var<storage, read_write> state: FrameState;
// Per splat: importance bucket (only with a splat budget). This is the sort's
// second value buffer, unused until the sort starts.
@group(0) @binding(7) var<storage, read_write> importance: array<u32>;
// Per splat: the depth-test value of its centre (reversed_depth), written only
// when the view tests against a depth buffer.
@group(0) @binding(8) var<storage, read_write> splat_depths: array<f32>;

// A draw list entry (a level-of-detail cut): the scene splat to draw, and an
// f16 opacity factor (low half) with the splat's hierarchy level (high half).
// Keep in sync with `DrawEntry` in src/render/splat/gpu_data.rs.
struct DrawEntry {
    splat: u32,
    factor_level: u32,
}
@group(0) @binding(9) var<storage, read> draw_list: array<DrawEntry>;

var<workgroup> group_visible: atomic<u32>;
var<workgroup> group_min_depth: atomic<u32>;
var<workgroup> group_max_depth: atomic<u32>;
var<workgroup> group_histogram: array<atomic<u32>, 256>;

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

fn sh_color(segment: u32, splat: u32, dir: vec3<f32>) -> vec3<f32> {
    let coeffs = (frame.sh_degree + 1u) * (frame.sh_degree + 1u);
    let base = splat * frame.sh_words_per_splat;
    var rgb = vec3<f32>(0.0);
    // Coefficient k, channel c is f16 number 3k + c of the splat's words.
    for (var k = 0u; k < coeffs; k++) {
        let h = k * 3u;
        let w0 = unpack2x16float(sh_word(segment, base + h / 2u));
        let w1 = unpack2x16float(sh_word(segment, base + h / 2u + 1u));
        // Even h: (w0.x, w0.y, w1.x); odd h: (w0.y, w1.x, w1.y).
        let c = select(vec3<f32>(w0.x, w0.y, w1.x), vec3<f32>(w0.y, w1.x, w1.y), (h & 1u) == 1u);
        rgb += sh_basis(k, dir) * c;
    }
    return max(rgb + vec3<f32>(0.5), vec3<f32>(0.0));
}

struct AnalyticFootprint {
    visible: bool,
    splat: AnalyticSplat,
}

// The eigenbasis and covered rectangle of the undilated projected covariance
// (rows of `tm` = J W R S), as `EigenFootprint::from_covariance` and
// `half_extents` in src/reference/analytic.rs. det Σ = |r0 x r1|² (Lagrange's
// identity) does not cancel for thin splats as a c - b² would.
fn analytic_footprint(tm: mat3x3<f32>, opacity: f32) -> AnalyticFootprint {
    var out = AnalyticFootprint(false, AnalyticSplat(vec2<f32>(0.0), vec2<f32>(1.0, 0.0), vec2<f32>(0.0), vec2<f32>(0.0)));
    let r0 = vec3<f32>(tm[0][0], tm[1][0], tm[2][0]);
    let r1 = vec3<f32>(tm[0][1], tm[1][1], tm[2][1]);
    let a = dot(r0, r0);
    let b = dot(r0, r1);
    let c = dot(r1, r1);
    let normal = cross(r0, r1);
    let det = dot(normal, normal);
    let mid = 0.5 * (a + c);
    let large = mid + sqrt(0.25 * (a - c) * (a - c) + b * b);
    // The small eigenvalue as det / large: no cancellation either.
    let small = det / large;
    if !(det > 0.0 && small > 0.0 && large < 3.0e38) {
        return out;
    }
    // An eigenvector of `large` from the row without cancellation.
    var v = vec2<f32>(b, large - a);
    if a >= c {
        v = vec2<f32>(large - c, b);
    }
    let v_length = length(v);
    if v_length > 0.0 {
        out.splat.major_axis = v / v_length;
    }
    let sigma = sqrt(vec2<f32>(large, small));
    // A window integral is at most R min(1, σ √(2π)); opacity · weight >= 1/255
    // needs |u| <= ½ + σ1 √(2 ln(R G2 / threshold)), likewise for v.
    let peak = ANALYTIC_DENSITY_MAX_RATIO * min(vec2<f32>(1.0), sigma * SQRT_TAU);
    let threshold = MIN_ALPHA / opacity;
    if !(peak.x * peak.y >= threshold) {
        return out;
    }
    let ratio = ANALYTIC_DENSITY_MAX_RATIO * peak.yx / threshold;
    out.splat.sigma = sigma;
    out.splat.half_extents = 0.5 + sigma * sqrt(max(2.0 * log(ratio), vec2<f32>(0.0)));
    out.visible = true;
    return out;
}

// A distinct colour per hierarchy level (the colour-by-level debug view).
fn level_color(level: u32) -> vec3<f32> {
    let hue = fract(f32(level) * 0.618034);
    let k = fract(vec3<f32>(1.0, 2.0 / 3.0, 1.0 / 3.0) + hue) * 6.0 - 3.0;
    return mix(vec3<f32>(1.0), clamp(abs(k) - 1.0, vec3<f32>(0.0), vec3<f32>(1.0)), 0.8);
}

// Projects entry `i` (splat `i`, or draw list entry `i`); writes `projected[i]`
// and returns its depth bits when visible, 0 when culled.
fn project_splat(i: u32) -> u32 {
    var source = i;
    var opacity_factor = 1.0;
    var level = 0u;
    if frame.draw_list != 0u {
        let entry = draw_list[i];
        source = entry.splat;
        opacity_factor = unpack2x16float(entry.factor_level).x;
        level = entry.factor_level >> 16u;
    }
    // Which segment of the scene holds it, and where.
    let segment = source / frame.segment_splats;
    let local = source - segment * frame.segment_splats;
    let pos_opacity = bitcast<vec4<f32>>(splat_word(segment, local * 2u));
    let packed = splat_word(segment, local * 2u + 1u);
    let quat = normalize(vec4<f32>(unpack2x16snorm(packed.x), unpack2x16snorm(packed.y)));
    let log_scale = vec3<f32>(unpack2x16float(packed.z), unpack2x16float(packed.w).x);

    let p_view = (frame.view_from_world * vec4<f32>(pos_opacity.xyz, 1.0)).xyz;
    if !(p_view.z > frame.near_plane && p_view.z < frame.far_plane) {
        return 0u;
    }
    var opacity = opacity_factor / (1.0 + exp(-pos_opacity.w));
    if !(opacity >= max(MIN_ALPHA, frame.opacity_cutoff)) {
        return 0u;
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
    let center = focal * p_view.xy / tz + frame.principal;
    // What the rasterizers read (`ProjectedSplat`): conic (a, b) and the bits of c
    // with the quad's half-extent, or for analytic σ1 v1, the bits of σ2 and the
    // half-extents along v1, v2 (common/analytic.wgsl). `extent` is the half-size
    // of the axis-aligned box of the covered pixels in either case.
    var shape_ab: vec2<f32>;
    var shape_c_bits: u32;
    var quad_extent: vec2<f32>;
    var extent: vec2<f32>;
    if frame.aa_mode == AA_ANALYTIC {
        let footprint = analytic_footprint(t * m, opacity);
        if !footprint.visible {
            return 0u;
        }
        shape_ab = footprint.splat.sigma.x * footprint.splat.major_axis;
        shape_c_bits = bitcast<u32>(footprint.splat.sigma.y);
        quad_extent = footprint.splat.half_extents;
        extent = analytic_bbox_half(footprint.splat);
    } else {
        let a_raw = cov2d[0][0];
        let b = cov2d[0][1];
        let c_raw = cov2d[1][1];
        let dilation = select(LOW_PASS_DILATION, MIP_DILATION, frame.aa_mode == AA_MIP);
        let a = a_raw + dilation;
        let c = c_raw + dilation;
        let det = a * c - b * b;
        if !(det > 0.0) {
            return 0u;
        }
        if frame.aa_mode == AA_ANTIALIASED || frame.aa_mode == AA_MIP {
            // Keep the integrated opacity of the filtered Gaussian:
            // opacity * sqrt(det(Sigma) / det(Sigma + dilation I)).
            let det_raw = a_raw * c_raw - b * b;
            opacity *= sqrt(max(det_raw / det, 0.0));
            if !(opacity >= MIN_ALPHA) {
                return 0u;
            }
        }
        let conic = vec3<f32>(c, -b, a) / det;
        let k = min(3.0, sqrt(2.0 * log(255.0 * opacity)));
        extent = k * sqrt(vec2<f32>(a, c));
        shape_ab = conic.xy;
        shape_c_bits = bitcast<u32>(conic.z);
        quad_extent = extent;
    }
    if max(extent.x, extent.y) < frame.min_splat_px {
        return 0u;
    }
    // Cull when the box holds no pixel centre of the image.
    if any(center + extent < vec2<f32>(0.5)) || any(center - extent > frame.viewport - vec2<f32>(0.5)) {
        return 0u;
    }

    let dir = normalize(pos_opacity.xyz - frame.camera_position.xyz);
    var rgb = sh_color(segment, local, dir);
    if frame.draw_list == 2u {
        rgb = level_color(level);
    }
    // f16 rounds to nearest: grow the extent by a hair so the quad never shrinks.
    let packed_extent = pack2x16float(quad_extent * 1.001 + vec2<f32>(0.01));
    if frame.splat_budget != 0u {
        let bucket = importance_bucket(opacity, extent);
        importance[i] = bucket;
        atomicAdd(&group_histogram[bucket], 1u);
    }
    if frame.depth_test != 0u {
        splat_depths[i] = reversed_depth(frame.near_plane, tz);
    }
    projected[i] = ProjectedSplat(
        vec4<f32>(center, shape_ab),
        vec4<u32>(shape_c_bits, pack2x16float(rgb.rg), pack2x16float(vec2<f32>(rgb.b, opacity)), packed_extent),
    );
    return bitcast<u32>(tz);
}

@compute @workgroup_size(256)
fn project(
    @builtin(local_invocation_index) lid: u32,
    @builtin(workgroup_id) group_id: vec3<u32>,
    @builtin(num_workgroups) num_groups: vec3<u32>,
) {
    atomicStore(&group_histogram[lid], 0u);
    if lid == 0u {
        atomicStore(&group_visible, 0u);
        atomicStore(&group_min_depth, 0xffffffffu);
        atomicStore(&group_max_depth, 0u);
    }
    workgroupBarrier();
    let block = group_id.x + group_id.y * num_groups.x;
    let i = block * 256u + lid;
    var depth_bits = 0u;
    if i < frame.splat_count {
        depth_bits = project_splat(i);
        depths[i] = depth_bits;
    }
    if depth_bits != 0u {
        atomicAdd(&group_visible, 1u);
        atomicMin(&group_min_depth, depth_bits);
        atomicMax(&group_max_depth, depth_bits);
    }
    workgroupBarrier();
    let bucket_count = atomicLoad(&group_histogram[lid]);
    if bucket_count != 0u {
        atomicAdd(&state.importance_histogram[lid], bucket_count);
    }
    if lid == 0u && block < frame.project_blocks {
        let visible = atomicLoad(&group_visible);
        block_counts[block] = visible;
        if visible != 0u {
            atomicMin(&state.min_depth_bits, atomicLoad(&group_min_depth));
            atomicMax(&state.max_depth_bits, atomicLoad(&group_max_depth));
        }
    }
}
