//! How a mesh surface gets its colour: shared by the CPU reference
//! (`reference::mesh`) and the GPU mesh pass, which must follow the same rules.
//!
//! - Every factor is turned into linear values first: display values (vertex colours,
//!   PLY/MTL colours, texels, which are sampled as sRGB) with [`srgb_decode`], glTF
//!   base colour factors as they are. The albedo is their product per channel.
//! - `unlit`: the albedo, sRGB-encoded ([`srgb_encode`]). With a single factor this is
//!   that factor's display value unchanged ("taken as given").
//! - `lit`: a headlight, the light at the camera: albedo times
//!   `HEADLIGHT_AMBIENT + (1 - HEADLIGHT_AMBIENT) * |n . v|`, with `n` the unit surface
//!   normal and `v` the unit vector from the surface point to the camera (two-sided:
//!   back faces are lit like front faces when culling is off), then sRGB-encoded.
//! - Meshes are opaque: alpha is ignored.
//!
//! The sRGB transfer functions are the piecewise curves of IEC 61966-2-1 (the same
//! as GPU `*Srgb` texture formats).

/// Share of the albedo that a surface seen edge-on still shows under the headlight.
pub const HEADLIGHT_AMBIENT: f32 = 0.15;

/// Display (sRGB-encoded) value to linear, IEC 61966-2-1.
pub fn srgb_decode(v: f32) -> f32 {
    if v <= 0.04045 {
        v / 12.92
    } else {
        ((v + 0.055) / 1.055).powf(2.4)
    }
}

/// Linear value to display (sRGB-encoded), IEC 61966-2-1; clamped to 0..1 first.
pub fn srgb_encode(v: f32) -> f32 {
    let v = if v.is_nan() { 0.0 } else { v.clamp(0.0, 1.0) };
    if v == 1.0 {
        // Exact white (the formula gives 1 - 2^-24 in f32).
        1.0
    } else if v <= 0.003_130_8 {
        v * 12.92
    } else {
        1.055 * v.powf(1.0 / 2.4) - 0.055
    }
}

/// Shading modes of the mesh pass.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum MeshShading {
    /// The albedo as a display value.
    Unlit,
    /// Headlight with simple diffuse (the default).
    #[default]
    Lit,
}

/// Linear RGB albedo from the base colour (linear), a vertex colour and a texel (both
/// display values; pass white for a missing one).
pub fn albedo_linear(
    base_linear: [f32; 3],
    vertex_display: [f32; 3],
    texel_display: [f32; 3],
) -> [f32; 3] {
    std::array::from_fn(|c| {
        base_linear[c] * srgb_decode(vertex_display[c]) * srgb_decode(texel_display[c])
    })
}

/// The display colour of a surface point with linear albedo `albedo`; `n_dot_v` is the
/// cosine between the normal and the direction to the camera (sign ignored; only read
/// when `shading` is `Lit`).
pub fn shade(albedo: [f32; 3], shading: MeshShading, n_dot_v: f32) -> [f32; 3] {
    let light = match shading {
        MeshShading::Unlit => 1.0,
        MeshShading::Lit => {
            let cos = if n_dot_v.is_finite() {
                n_dot_v.abs().min(1.0)
            } else {
                1.0
            };
            HEADLIGHT_AMBIENT + (1.0 - HEADLIGHT_AMBIENT) * cos
        }
    };
    albedo.map(|a| srgb_encode(a * light))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn srgb_round_trip_and_known_values() {
        for i in 0..=255 {
            let v = i as f32 / 255.0;
            assert!((srgb_encode(srgb_decode(v)) - v).abs() < 1e-5, "{v}");
        }
        // Linear 0.5 is display 0.7354 (188 of 255); display 0.5 is linear 0.2140.
        assert!((srgb_encode(0.5) - 0.735_356_7).abs() < 1e-5);
        assert!((srgb_decode(0.5) - 0.214_041_14).abs() < 1e-6);
        assert_eq!(srgb_encode(f32::NAN), 0.0);
        assert_eq!(srgb_encode(2.0), 1.0);
    }

    #[test]
    fn a_single_factor_comes_out_as_given() {
        let display = [0.2, 0.5, 0.9];
        let albedo = albedo_linear([1.0; 3], display, [1.0; 3]);
        let out = shade(albedo, MeshShading::Unlit, 0.0);
        for c in 0..3 {
            assert!((out[c] - display[c]).abs() < 1e-5);
        }
        // Facing the headlight: full albedo; edge-on: the ambient share (in linear).
        let lit = shade(albedo, MeshShading::Lit, -1.0);
        assert!((lit[1] - 0.5).abs() < 1e-5);
        let edge = shade([1.0; 3], MeshShading::Lit, 0.0);
        assert!((edge[0] - srgb_encode(HEADLIGHT_AMBIENT)).abs() < 1e-6);
    }
}
