// Compose pass: the splat accumulation texture over the meshes' colour (or the
// background where there is none), clamped to
// 0..1 and written to the output (window surface or PNG texture) as is: 3DGS
// colours are already display-encoded, so no gamma is applied and the output
// format must be a non-sRGB unorm format.
//
// A full-screen triangle. The accumulation texture may be smaller than the output
// (level-of-detail resolution scale): it is sampled bilinearly at the output pixel
// centre, which reads texels exactly when both have the same size.

struct ComposeUniforms {
    // rgb: background colour; a: 1 when the mesh colour is to be read (a view
    // with meshes or frusta), 0 when nothing is under the splats but the
    // background (the texture is not sampled: 2-5 ms at 1280x720 on lavapipe).
    background: vec4<f32>,
    // Output size in pixels.
    output_size: vec2<f32>,
    _pad: vec2<f32>,
}
// Keep in sync with `ComposeUniforms` in src/render/compose.rs.

@group(0) @binding(0) var<uniform> params: ComposeUniforms;
@group(0) @binding(1) var accumulation: texture_2d<f32>;
@group(0) @binding(2) var accumulation_sampler: sampler;
// Meshes and points drawn before the splats (display values, alpha 1 where
// drawn), of the accumulation's size; transparent where a view has none.
@group(0) @binding(3) var mesh_color: texture_2d<f32>;

@vertex
fn vs_main(@builtin(vertex_index) vertex_index: u32) -> @builtin(position) vec4<f32> {
    let uv = vec2<f32>(f32((vertex_index << 1u) & 2u), f32(vertex_index & 2u));
    return vec4<f32>(uv * 2.0 - 1.0, 0.0, 1.0);
}

@fragment
fn fs_main(@builtin(position) position: vec4<f32>) -> @location(0) vec4<f32> {
    let uv = position.xy / params.output_size;
    let texel = textureSampleLevel(accumulation, accumulation_sampler, uv, 0.0);
    // Premultiplied: colour = splats + transmittance * (mesh, or the background).
    var under = params.background.rgb;
    if params.background.a != 0.0 {
        let mesh = textureSampleLevel(mesh_color, accumulation_sampler, uv, 0.0);
        under = mix(under, mesh.rgb, mesh.a);
    }
    let rgb = texel.rgb + (1.0 - texel.a) * under;
    return vec4<f32>(clamp(rgb, vec3<f32>(0.0), vec3<f32>(1.0)), 1.0);
}
