// Mesh pass: opaque triangles (and their wireframe) and point clouds, drawn
// before the splats into a colour target and a depth buffer the splats are
// tested against.
//
// Projection: the splats' pinhole model exactly (src/scene/camera.rs): camera
// space has OpenCV axes and a point p lands on pixel (fx p.x / p.z + cx,
// fy p.y / p.z + cy). Depth is reversed, near_plane / z_view, so the depth
// buffer holds what the splat passes compare with (render::DepthInput); the
// clip position is (x_ndc * z, y_ndc * z, near, z).
//
// Colour follows src/scene/mesh/shading.rs (the CPU reference's rules): every
// factor in linear values (vertex colours decoded from sRGB, textures sampled as
// sRGB, the base colour given linear), their product the albedo; unlit: the
// albedo sRGB-encoded; lit: a headlight, albedo * (ambient + (1 - ambient) *
// |n . v|), then encoded. The target is a non-sRGB unorm texture holding display
// values, like the splat accumulation.

// Keep in sync with `MeshViewUniforms` in src/render/mesh/gpu_data.rs.
struct MeshView {
    view_from_world: mat4x4<f32>,
    camera_position: vec4<f32>,
    // fx, fy, cx, cy.
    intrinsics: vec4<f32>,
    // width, height, near plane, point size in pixels.
    viewport: vec4<f32>,
    wire_color: vec4<f32>,
    // x: 1 lit, 0 unlit; y: headlight ambient share.
    shading: vec4<f32>,
}

// Keep in sync with `MeshDrawUniforms` in src/render/mesh/gpu_data.rs.
struct MeshDraw {
    world_from_mesh: mat4x4<f32>,
    normal_from_mesh: mat3x3<f32>,
    base_color: vec4<f32>,
    // x: has normals, y: has vertex colours, z: has a texture and UVs.
    flags: vec4<u32>,
}

@group(0) @binding(0) var<uniform> view: MeshView;
@group(1) @binding(0) var<uniform> draw: MeshDraw;
@group(2) @binding(0) var base_texture: texture_2d<f32>;
@group(2) @binding(1) var base_sampler: sampler;

// Keep in sync with `MeshVertex` in src/render/mesh/gpu_data.rs.
struct VertexIn {
    @location(0) position: vec3<f32>,
    @location(1) normal: vec3<f32>,
    @location(2) uv: vec2<f32>,
    @location(3) color: vec4<f32>,
}

struct VertexOut {
    @builtin(position) clip: vec4<f32>,
    @location(0) world: vec3<f32>,
    @location(1) normal: vec3<f32>,
    @location(2) uv: vec2<f32>,
    @location(3) color: vec4<f32>,
}

fn srgb_decode(v: vec3<f32>) -> vec3<f32> {
    return select(pow((v + 0.055) / 1.055, vec3<f32>(2.4)), v / 12.92, v <= vec3<f32>(0.04045));
}

fn srgb_encode(linear: vec3<f32>) -> vec3<f32> {
    let v = clamp(linear, vec3<f32>(0.0), vec3<f32>(1.0));
    return select(1.055 * pow(v, vec3<f32>(1.0 / 2.4)) - 0.055, v * 12.92, v <= vec3<f32>(0.0031308));
}

// The clip position of a world point: the splats' pinhole projection with
// reversed depth near / z.
fn project(world: vec3<f32>) -> vec4<f32> {
    let p = (view.view_from_world * vec4<f32>(world, 1.0)).xyz;
    let size = view.viewport.xy;
    let f = view.intrinsics.xy;
    let c = view.intrinsics.zw;
    return vec4<f32>(
        (2.0 * f.x / size.x) * p.x + (2.0 * c.x / size.x - 1.0) * p.z,
        -(2.0 * f.y / size.y) * p.y + (1.0 - 2.0 * c.y / size.y) * p.z,
        view.viewport.z,
        p.z,
    );
}

@vertex
fn vs_mesh(in: VertexIn) -> VertexOut {
    let world = (draw.world_from_mesh * vec4<f32>(in.position, 1.0)).xyz;
    var out: VertexOut;
    out.clip = project(world);
    out.world = world;
    out.normal = draw.normal_from_mesh * in.normal;
    out.uv = in.uv;
    out.color = in.color;
    return out;
}

@fragment
fn fs_mesh(in: VertexOut) -> @location(0) vec4<f32> {
    var albedo = draw.base_color.rgb;
    if draw.flags.y != 0u {
        albedo *= srgb_decode(in.color.rgb);
    }
    if draw.flags.z != 0u {
        albedo *= textureSample(base_texture, base_sampler, in.uv).rgb;
    }
    var light = 1.0;
    if view.shading.x != 0.0 {
        // The face's own normal where the vertices have none (or it cancels).
        let face = cross(dpdx(in.world), dpdy(in.world));
        var n = face;
        if draw.flags.x != 0u && dot(in.normal, in.normal) > 1e-12 {
            n = in.normal;
        }
        let to_camera = view.camera_position.xyz - in.world;
        let cos_angle = abs(dot(normalize(n), normalize(to_camera)));
        let ambient = view.shading.y;
        light = ambient + (1.0 - ambient) * min(cos_angle, 1.0);
    }
    return vec4<f32>(srgb_encode(albedo * light), 1.0);
}

// Wireframe: the edges of the triangles, a hair in front of their surface.
@vertex
fn vs_wire(in: VertexIn) -> @builtin(position) vec4<f32> {
    let world = (draw.world_from_mesh * vec4<f32>(in.position, 1.0)).xyz;
    var clip = project(world);
    clip.z *= 1.0005;
    return clip;
}

@fragment
fn fs_wire() -> @location(0) vec4<f32> {
    return vec4<f32>(view.wire_color.rgb, 1.0);
}

// Points: a square of `viewport.w` pixels around each point, at its depth.
struct PointOut {
    @builtin(position) clip: vec4<f32>,
    @location(0) color: vec3<f32>,
}

@vertex
fn vs_point(
    @builtin(vertex_index) corner_index: u32,
    @location(0) position: vec3<f32>,
    @location(1) color: vec4<f32>,
) -> PointOut {
    let world = (draw.world_from_mesh * vec4<f32>(position, 1.0)).xyz;
    var clip = project(world);
    let corner = vec2<f32>(f32(corner_index & 1u), f32(corner_index >> 1u)) * 2.0 - 1.0;
    // Half the point size in pixels, in clip units (ndc spans 2 over the size).
    clip = vec4<f32>(clip.xy + corner * view.viewport.w / view.viewport.xy * clip.w, clip.zw);
    var out: PointOut;
    out.clip = clip;
    out.color = color.rgb;
    return out;
}

@fragment
fn fs_point(in: PointOut) -> @location(0) vec4<f32> {
    return vec4<f32>(in.color, 1.0);
}
