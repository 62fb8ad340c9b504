// Real spherical harmonics up to degree 3, with the constants and signs of the
// INRIA 3DGS `sh_utils.py` (Kerbl et al. 2023).

const SH_C0: f32 = 0.28209479177387814;
const SH_C1: f32 = 0.4886025119029199;
const SH_C2_0: f32 = 1.0925484305920792;
const SH_C2_1: f32 = -1.0925484305920792;
const SH_C2_2: f32 = 0.31539156525252005;
const SH_C2_3: f32 = -1.0925484305920792;
const SH_C2_4: f32 = 0.5462742152960396;
const SH_C3_0: f32 = -0.5900435899266435;
const SH_C3_1: f32 = 2.890611442640554;
const SH_C3_2: f32 = -0.4570457994644658;
const SH_C3_3: f32 = 0.3731763325901154;
const SH_C3_4: f32 = -0.4570457994644658;
const SH_C3_5: f32 = 1.445305721320277;
const SH_C3_6: f32 = -0.5900435899266435;

// Weight of SH basis function `k` (0..16) in direction `d` (unit length).
fn sh_basis(k: u32, d: vec3<f32>) -> f32 {
    let x = d.x;
    let y = d.y;
    let z = d.z;
    let xx = x * x;
    let yy = y * y;
    let zz = z * z;
    switch k {
        case 0u: { return SH_C0; }
        case 1u: { return -SH_C1 * y; }
        case 2u: { return SH_C1 * z; }
        case 3u: { return -SH_C1 * x; }
        case 4u: { return SH_C2_0 * x * y; }
        case 5u: { return SH_C2_1 * y * z; }
        case 6u: { return SH_C2_2 * (2.0 * zz - xx - yy); }
        case 7u: { return SH_C2_3 * x * z; }
        case 8u: { return SH_C2_4 * (xx - yy); }
        case 9u: { return SH_C3_0 * y * (3.0 * xx - yy); }
        case 10u: { return SH_C3_1 * x * y * z; }
        case 11u: { return SH_C3_2 * y * (4.0 * zz - xx - yy); }
        case 12u: { return SH_C3_3 * z * (2.0 * zz - 3.0 * xx - 3.0 * yy); }
        case 13u: { return SH_C3_4 * x * (4.0 * zz - xx - yy); }
        case 14u: { return SH_C3_5 * z * (xx - yy); }
        case 15u: { return SH_C3_6 * x * (xx - 3.0 * yy); }
        default: { return 0.0; }
    }
}
