// Lines in the 3D view (training-camera frusta): each segment is a screen-space
// quad of `width` pixels (two triangles, six vertices, pulled from a storage
// buffer), drawn into the mesh targets before the splats (with depth) or
// blended over a finished image (src/render/lines.rs).
//
// Both ends are moved into view space, clipped against the near plane, and
// projected with the pinhole model of the splat passes (OpenCV axes: x right,
// y down, z forward; pixel = f * xy / z + c). When a depth texture is bound
// (`render::DepthInput`: Depth32Float holding near_plane / z_view, reversed,
// 0 = nothing drawn) a fragment is dropped where the scene is closer than the
// line. near_plane / z_view is affine in screen space, so interpolating it
// without perspective correction is exact.

struct LineUniforms {
    view_from_world: mat4x4<f32>,
    // fx, fy, cx, cy in output pixels.
    focal_center: vec4<f32>,
    // Output width and height in pixels, near plane, 1 to test against depth.
    viewport_near_test: vec4<f32>,
    // Depth texture pixels per output pixel (x, y).
    depth_scale: vec4<f32>,
}

// Keep in sync with `LineSegment` in src/render/lines.rs.
struct Segment {
    a_width: vec4<f32>,
    b: vec4<f32>,
    color: vec4<f32>,
}

@group(0) @binding(0) var<uniform> u: LineUniforms;
@group(0) @binding(1) var<storage, read> segments: array<Segment>;
@group(0) @binding(2) var scene_depth: texture_depth_2d;

struct VertexOutput {
    @builtin(position) position: vec4<f32>,
    @location(0) @interpolate(linear) reversed_depth: f32,
    @location(1) @interpolate(flat) color: vec4<f32>,
}

fn pixel_of(p_view: vec3<f32>) -> vec2<f32> {
    return u.focal_center.xy * p_view.xy / p_view.z + u.focal_center.zw;
}

@vertex
fn vs_main(@builtin(vertex_index) vertex_index: u32) -> VertexOutput {
    let segment = segments[vertex_index / 6u];
    let corner = vertex_index % 6u;
    var out: VertexOutput;
    out.color = segment.color;
    let near = u.viewport_near_test.z;
    var a = (u.view_from_world * vec4<f32>(segment.a_width.xyz, 1.0)).xyz;
    var b = (u.view_from_world * vec4<f32>(segment.b.xyz, 1.0)).xyz;
    if a.z < near && b.z < near {
        // Behind the camera: a degenerate quad outside the view.
        out.position = vec4<f32>(2.0, 2.0, 0.0, 1.0);
        out.reversed_depth = 0.0;
        return out;
    }
    if a.z < near {
        a = mix(a, b, (near - a.z) / (b.z - a.z));
    } else if b.z < near {
        b = mix(b, a, (near - b.z) / (a.z - b.z));
    }
    let pa = pixel_of(a);
    let pb = pixel_of(b);
    var along = pb - pa;
    if dot(along, along) < 1e-12 {
        along = vec2<f32>(1.0, 0.0);
    }
    let side = normalize(vec2<f32>(-along.y, along.x)) * (0.5 * segment.a_width.w);
    // Two triangles: (a-, a+, b-) and (b-, a+, b+).
    let at_b = corner == 2u || corner == 3u || corner == 5u;
    let plus = corner == 1u || corner == 4u || corner == 5u;
    var pixel = select(pa, pb, at_b);
    pixel += select(-side, side, plus);
    let z = select(a.z, b.z, at_b);
    let viewport = u.viewport_near_test.xy;
    // Clip-space z is the reversed depth (near / z in (0, 1]), with w = 1: the
    // depth written when lines are drawn as geometry into the mesh targets
    // (ignored over an image, which has no depth attachment).
    out.reversed_depth = near / z;
    out.position = vec4<f32>(
        pixel.x / viewport.x * 2.0 - 1.0,
        1.0 - pixel.y / viewport.y * 2.0,
        out.reversed_depth,
        1.0,
    );
    return out;
}

@fragment
fn fs_main(in: VertexOutput) -> @location(0) vec4<f32> {
    if u.viewport_near_test.w != 0.0 {
        let size = vec2<i32>(textureDimensions(scene_depth));
        let texel = clamp(vec2<i32>(in.position.xy * u.depth_scale.xy), vec2<i32>(0), size - 1);
        let scene = textureLoad(scene_depth, texel, 0);
        // Reversed depth: larger is closer.
        if scene > in.reversed_depth * (1.0 + 1e-5) {
            discard;
        }
    }
    return vec4<f32>(in.color.rgb * in.color.a, in.color.a);
}
