//! Writes a `SplatCloud` as a binary little-endian 3DGS PLY file.

use crate::scene::SplatCloud;
use crate::scene::antialias::PLY_RENDER_MODE_KEY;

/// Writes `cloud` as a binary little-endian PLY in the layout of the INRIA trainer:
/// `x y z f_dc_0..2 f_rest_* opacity scale_0..2 rot_0..3`, all `float`, with `f_rest_*`
/// channel-major (all red coefficients, then green, then blue). A cloud whose
/// `aa_hint` is not classic gets a `comment SplatRenderMode: <mode>` line that the
/// loader reads back as the same mode (`AaHint::ply_comment_value`); `filter_3D` was
/// baked into the scales and opacities at load, so it is not written.
///
/// Fails with `InvalidInput` if the cloud's arrays do not agree in length.
pub fn write_gaussian_ply(cloud: &SplatCloud, w: &mut impl std::io::Write) -> std::io::Result<()> {
    if !cloud.is_consistent() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "splat cloud arrays have inconsistent lengths",
        ));
    }
    let rest = cloud.rest_coeffs_per_splat();

    let mut header = String::from("ply\nformat binary_little_endian 1.0\n");
    if let Some(value) = cloud.aa_hint.ply_comment_value() {
        header.push_str(&format!("comment {PLY_RENDER_MODE_KEY}: {value}\n"));
    }
    header.push_str(&format!("element vertex {}\n", cloud.len()));
    let mut names: Vec<String> = ["x", "y", "z", "f_dc_0", "f_dc_1", "f_dc_2"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    names.extend((0..3 * rest).map(|i| format!("f_rest_{i}")));
    names.extend(
        [
            "opacity", "scale_0", "scale_1", "scale_2", "rot_0", "rot_1", "rot_2", "rot_3",
        ]
        .iter()
        .map(|s| s.to_string()),
    );
    for name in &names {
        header.push_str(&format!("property float {name}\n"));
    }
    header.push_str("end_header\n");
    w.write_all(header.as_bytes())?;

    // Records are assembled into a buffer and written in large pieces, so an unbuffered
    // writer does not see one call per value.
    const FLUSH_AT: usize = 1 << 16;
    let record_bytes = 4 * names.len();
    let mut buf: Vec<u8> = Vec::with_capacity(FLUSH_AT + record_bytes);
    fn put(buf: &mut Vec<u8>, values: &[f32]) {
        for v in values {
            buf.extend_from_slice(&v.to_le_bytes());
        }
    }
    for i in 0..cloud.len() {
        put(&mut buf, &cloud.positions[i]);
        put(&mut buf, &cloud.sh_dc[i]);
        let coeffs = cloud.sh_rest_of(i);
        for c in 0..3 {
            for k in 0..rest {
                put(&mut buf, &[coeffs[k * 3 + c]]);
            }
        }
        put(&mut buf, &[cloud.opacity_logits[i]]);
        put(&mut buf, &cloud.log_scales[i]);
        put(&mut buf, &cloud.rotations[i]);
        if buf.len() >= FLUSH_AT {
            w.write_all(&buf)?;
            buf.clear();
        }
    }
    w.write_all(&buf)?;
    Ok(())
}
