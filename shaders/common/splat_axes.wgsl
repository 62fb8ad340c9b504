// Half axes (one standard deviation) of the Gaussian with inverse covariance
// `conic` = (a, b, c) of [[a, b], [b, c]]: the long axis first.
// Keep in sync with `splat_axes` in src/reference/project.rs.
fn splat_axes(conic: vec3<f32>) -> mat2x2<f32> {
    let a = conic.x;
    let b = conic.y;
    let c = conic.z;
    let mid = 0.5 * (a + c);
    let radius = sqrt(max(0.25 * (a - c) * (a - c) + b * b, 0.0));
    let small = max(mid - radius, 1e-20);
    let large = max(mid + radius, 1e-20);
    var long_dir = vec2<f32>(1.0, 0.0);
    if b != 0.0 {
        long_dir = normalize(vec2<f32>(b, small - a));
    } else if a > c {
        long_dir = vec2<f32>(0.0, 1.0);
    }
    let short_dir = vec2<f32>(-long_dir.y, long_dir.x);
    return mat2x2<f32>(long_dir * inverseSqrt(small), short_dir * inverseSqrt(large));
}

// Edge normals of the rectangle a splat covers: the ellipse's bounding rectangle at
// k standard deviations, oriented along its axes, with k = min(3, sqrt(2 ln(255 o)))
// (beyond it alpha < 1/255). A pixel at offset d from the centre is inside when
// |d . n1| <= 1 and |d . n2| <= 1. Returns (n1, n2).
fn splat_rect_normals(conic: vec3<f32>, opacity: f32) -> vec4<f32> {
    let k = min(3.0, sqrt(max(2.0 * log(255.0 * opacity), 0.0)));
    let axes = splat_axes(conic);
    let n1 = axes[0] / max(k * dot(axes[0], axes[0]), 1e-30);
    let n2 = axes[1] / max(k * dot(axes[1], axes[1]), 1e-30);
    return vec4<f32>(n1, n2);
}
