//! The anti-aliasing mode each file asks for (`SplatCloud::aa_hint`), on small
//! files made here: a PLY `SplatRenderMode` comment, a `filter_3D` property, the
//! SPZ antialiased flag, or none of them. Mip-Splatting's 3D filter is baked in at
//! load, through every PLY path (file fast path, in-memory decoder, ASCII,
//! streaming), and must equal a file with the filter baked by hand.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use splatview::io::stream::{LoadMessage, StreamingLoad};
use splatview::io::{load_splat_bytes, load_splat_file};
use splatview::scene::{AaHint, AaMode, SplatCloud};

/// Properties of a 3DGS splat, in the order the rows below give them.
const PROPS: [&str; 14] = [
    "x", "y", "z", "scale_0", "scale_1", "scale_2", "rot_0", "rot_1", "rot_2", "rot_3", "opacity",
    "f_dc_0", "f_dc_1", "f_dc_2",
];

/// Five splats: varied log scales and opacity logits (one fully opaque).
fn rows() -> Vec<[f32; 14]> {
    let logits = [0.0, 2.5, -1.0, f32::INFINITY, 6.0];
    (0..5)
        .map(|i| {
            let k = i as f32;
            [
                k,
                -k,
                0.5 * k,
                -3.0 + 0.4 * k,
                -1.0 - 0.7 * k,
                -5.5 + k,
                1.0,
                0.1 * k,
                0.0,
                0.0,
                logits[i],
                0.2,
                -0.3,
                0.4,
            ]
        })
        .collect()
}

/// `filter_3D` per splat: none, small, comparable to the scales, large.
const FILTERS: [f32; 5] = [0.0, 0.01, 0.05, 0.3, 2.0];

/// A PLY (`binary_little_endian`, `binary_big_endian` or `ascii`) with the
/// comments, the 3DGS properties and optionally `filter_3D` after them.
fn ply(format: &str, comments: &[&str], rows: &[[f32; 14]], filters: Option<&[f32]>) -> Vec<u8> {
    let mut out = format!("ply\nformat {format} 1.0\n");
    for c in comments {
        out.push_str(&format!("comment {c}\n"));
    }
    out.push_str(&format!("element vertex {}\n", rows.len()));
    for p in PROPS {
        out.push_str(&format!("property float {p}\n"));
    }
    if filters.is_some() {
        out.push_str("property float filter_3D\n");
    }
    out.push_str("end_header\n");
    let mut bytes = out.into_bytes();
    for (i, row) in rows.iter().enumerate() {
        let filter = filters.map(|f| f[i]);
        for v in row.iter().copied().chain(filter) {
            match format {
                "ascii" => bytes.extend_from_slice(format!("{v} ").as_bytes()),
                "binary_big_endian" => bytes.extend_from_slice(&v.to_be_bytes()),
                _ => bytes.extend_from_slice(&v.to_le_bytes()),
            }
        }
        if format == "ascii" {
            bytes.push(b'\n');
        }
    }
    bytes
}

/// A gzipped SPZ v2 file of two splats with the given header flags.
fn spz(flags: u8) -> Vec<u8> {
    let n = 2u32;
    let mut raw = Vec::new();
    raw.extend_from_slice(&0x5053_474e_u32.to_le_bytes());
    raw.extend_from_slice(&2u32.to_le_bytes());
    raw.extend_from_slice(&n.to_le_bytes());
    raw.extend_from_slice(&[0, 12, flags, 0]); // SH degree, fractional bits, flags
    raw.extend_from_slice(&[0; 18]); // positions: 3 x 24 bits per splat
    raw.extend_from_slice(&[200, 100]); // alphas
    raw.extend_from_slice(&[128; 6]); // colours
    raw.extend_from_slice(&[100; 6]); // scales
    raw.extend_from_slice(&[128; 6]); // rotations (x y z)
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&raw).expect("gzip");
    gz.finish().expect("gzip")
}

fn temp_path(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("splatview-aa-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir.join(name)
}

/// The cloud of `bytes` through every loader path: in memory, from a file (the
/// binary PLY fast path where it applies) and streamed. All must agree; the
/// streamed `Started` message must carry the same hint.
fn load_every_way(name: &str, bytes: &[u8]) -> SplatCloud {
    let in_memory = load_splat_bytes(Path::new(name), bytes).unwrap_or_else(|e| panic!("{e}"));
    let path = temp_path(name);
    std::fs::write(&path, bytes).expect("write");
    let from_file = load_splat_file(&path).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(from_file, in_memory, "{name}: file vs memory");

    let load = StreamingLoad::spawn(path);
    let mut streamed: Option<SplatCloud> = None;
    loop {
        match load.recv_timeout(Duration::from_secs(30)).expect("message") {
            LoadMessage::Started {
                sh_degree, aa_hint, ..
            } => {
                assert_eq!(aa_hint, in_memory.aa_hint, "{name}: streamed hint");
                let mut cloud = SplatCloud::new(sh_degree);
                cloud.set_aa_hint(aa_hint);
                streamed = Some(cloud);
            }
            LoadMessage::Chunk { splats, .. } => {
                assert_eq!(splats.aa_hint, in_memory.aa_hint, "{name}: chunk hint");
                assert!(streamed.as_mut().expect("started").append(&splats));
            }
            LoadMessage::Progress(_) => {}
            LoadMessage::Finished { .. } => break,
            other => panic!("{name}: {other:?}"),
        }
    }
    assert_eq!(streamed.as_ref(), Some(&in_memory), "{name}: streamed");
    in_memory
}

const PLY_FORMATS: [&str; 3] = ["binary_little_endian", "binary_big_endian", "ascii"];

#[test]
fn each_marker_gives_its_mode() {
    let rows = rows();
    for format in PLY_FORMATS {
        let hint = |comments: &[&str], filters: Option<&[f32]>| {
            let name = format!("{format}-{}-{}.ply", comments.len(), filters.is_some());
            load_every_way(&name, &ply(format, comments, &rows, filters)).aa_hint
        };
        assert_eq!(hint(&[], None), AaHint::default(), "{format}");
        assert_eq!(hint(&[], None).reason, "no anti-aliasing marker");
        let mip = hint(&["Exported from Brush", "SplatRenderMode: mip"], None);
        assert_eq!(mip.mode, AaMode::Mip, "{format}");
        assert_eq!(mip.reason, "PLY comment SplatRenderMode: mip");
        let filter = hint(&[], Some(&FILTERS));
        assert_eq!(filter.mode, AaMode::Mip, "{format}");
        assert_eq!(
            filter.reason,
            "filter_3D property (Mip-Splatting 3D filter)"
        );
        // An explicit comment outranks the filter property.
        let default = hint(&["SplatRenderMode: default"], Some(&FILTERS));
        assert_eq!(default.mode, AaMode::Classic, "{format}");
    }
    for (flags, mode, reason) in [
        (0, AaMode::Classic, "no anti-aliasing marker"),
        (1, AaMode::Antialiased, "SPZ antialiased flag"),
    ] {
        let hint = load_every_way(&format!("flags{flags}.spz"), &spz(flags)).aa_hint;
        assert_eq!((hint.mode, hint.reason.as_str()), (mode, reason));
    }
}

/// Mip-Splatting's formulas, written out again: s' = sqrt(s² + f²) per axis,
/// opacity × sqrt(∏ s² / ∏ (s² + f²)), in f64, stored as log scale and logit.
fn bake_by_hand(row: &[f32; 14], filter: f32) -> [f32; 14] {
    let f = f64::from(filter);
    let s: Vec<f64> = row[3..6].iter().map(|&l| f64::from(l).exp()).collect();
    let det_before: f64 = s.iter().map(|s| s * s).product();
    let det_after: f64 = s.iter().map(|s| s * s + f * f).product();
    let opacity = 1.0 / (1.0 + (-f64::from(row[10])).exp()) * (det_before / det_after).sqrt();
    let mut out = *row;
    for (k, s) in s.iter().enumerate() {
        out[3 + k] = (s * s + f * f).sqrt().ln() as f32;
    }
    out[10] = (opacity / (1.0 - opacity)).ln() as f32;
    out
}

#[test]
fn filter_3d_at_load_equals_the_filter_baked_by_hand() {
    let rows = rows();
    let baked: Vec<[f32; 14]> = rows
        .iter()
        .zip(FILTERS)
        .map(|(r, f)| bake_by_hand(r, f))
        .collect();
    for format in PLY_FORMATS {
        let filtered = load_every_way(
            &format!("filtered-{format}.ply"),
            &ply(format, &[], &rows, Some(&FILTERS)),
        );
        let mut by_hand = load_every_way(
            &format!("baked-{format}.ply"),
            &ply(format, &[], &baked, None),
        );
        assert_eq!(by_hand.aa_hint.mode, AaMode::Classic);
        by_hand.set_aa_hint(filtered.aa_hint.clone());
        assert_eq!(filtered, by_hand, "{format}");
        // The filter did change the splats (a zero filter changes nothing).
        let plain = load_splat_bytes(Path::new("p.ply"), &ply(format, &[], &rows, None))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(plain.log_scales[0], filtered.log_scales[0]);
        assert_ne!(plain.log_scales[2], filtered.log_scales[2]);
        assert!(
            filtered.opacity_logits[3].is_finite(),
            "opaque splat after filtering"
        );
    }
}

#[test]
fn written_files_keep_their_mode_and_baked_filter() {
    let filtered = load_splat_bytes(
        Path::new("f.ply"),
        &ply("binary_little_endian", &[], &rows(), Some(&FILTERS)),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let mut out = Vec::new();
    splatview::io::ply::write_gaussian_ply(&filtered, &mut out).expect("write");
    let back = load_splat_bytes(Path::new("back.ply"), &out).unwrap_or_else(|e| panic!("{e}"));
    // Written with `comment SplatRenderMode: mip` and no filter_3D: the same
    // splats, read as mip.
    assert_eq!(back.aa_hint.mode, AaMode::Mip);
    assert_eq!(back.log_scales, filtered.log_scales);
    assert_eq!(back.opacity_logits, filtered.opacity_logits);
    let spz_cloud = load_splat_bytes(Path::new("a.spz"), &spz(1)).unwrap_or_else(|e| panic!("{e}"));
    let mut out = Vec::new();
    splatview::io::ply::write_gaussian_ply(&spz_cloud, &mut out).expect("write");
    let back = load_splat_bytes(Path::new("a.ply"), &out).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(back.aa_hint.mode, AaMode::Antialiased);
}
