//! The 3DGS PLY loader on real scenes from `../shared/testdata/splats`: sizes, value
//! ranges, re-encodings (big-endian, ASCII, our own writer) and damaged files.

use std::path::{Path, PathBuf};

use splatview::io::ply::{parse_gaussian_ply, write_gaussian_ply};
use splatview::io::{LoadError, load_splat_file};
use splatview::scene::{AaMode, SplatCloud};

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/testdata/splats");

fn data_path(name: &str) -> PathBuf {
    Path::new(DATA).join(name)
}

fn read(name: &str) -> Vec<u8> {
    let path = data_path(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn parse(name: &str, bytes: &[u8]) -> Result<SplatCloud, LoadError> {
    parse_gaussian_ply(&data_path(name), bytes)
}

/// Splits a file into header text (including `end_header\n`) and body.
fn split(bytes: &[u8]) -> (String, &[u8]) {
    let end = bytes
        .windows(11)
        .position(|w| w == b"end_header\n")
        .expect("end_header")
        + 11;
    let header = String::from_utf8(bytes[..end].to_vec()).expect("ASCII header");
    (header, &bytes[end..])
}

/// Number of `float` properties in the header (these files hold nothing else).
fn float_props(header: &str) -> usize {
    let props = header.lines().filter(|l| l.starts_with("property")).count();
    let floats = header
        .lines()
        .filter(|l| l.starts_with("property float "))
        .count();
    assert_eq!(props, floats, "test helper only handles all-float files");
    floats
}

/// Checks the decoded attributes are plausible for a trained scene and returns the
/// bounds of the positions.
fn check_ranges(name: &str, cloud: &SplatCloud) -> ([f32; 3], [f32; 3]) {
    assert!(cloud.is_consistent(), "{name}");
    let mut lo = [f32::INFINITY; 3];
    let mut hi = [f32::NEG_INFINITY; 3];
    for i in 0..cloud.len() {
        let p = cloud.positions[i];
        assert!(
            p.iter().all(|v| v.is_finite() && v.abs() < 1e4),
            "{name} splat {i}: position {p:?}"
        );
        for a in 0..3 {
            lo[a] = lo[a].min(p[a]);
            hi[a] = hi[a].max(p[a]);
        }
        let q = cloud.rotations[i];
        let len = q.iter().map(|v| v * v).sum::<f32>().sqrt();
        assert!(
            (len - 1.0).abs() < 1e-4,
            "{name} splat {i}: quaternion {q:?}"
        );
        let s = cloud.log_scales[i];
        assert!(
            s.iter()
                .all(|v| v.is_finite() && (-30.0..=10.0).contains(v)),
            "{name} splat {i}: log scale {s:?}"
        );
        assert!(
            !cloud.opacity_logits[i].is_nan(),
            "{name} splat {i}: opacity is NaN"
        );
        let dc = cloud.sh_dc[i];
        assert!(
            dc.iter().all(|v| v.is_finite()),
            "{name} splat {i}: sh_dc {dc:?}"
        );
    }
    assert!(
        cloud.sh_rest.iter().all(|v| v.is_finite()),
        "{name}: sh_rest"
    );
    for a in 0..3 {
        let extent = hi[a] - lo[a];
        assert!(
            extent > 0.1 && extent < 2e3,
            "{name}: axis {a} spans {} .. {}",
            lo[a],
            hi[a]
        );
    }
    (lo, hi)
}

/// Bit-exact comparison that reports the first difference instead of printing clouds.
fn assert_same(what: &str, a: &SplatCloud, b: &SplatCloud) {
    assert_eq!(
        (a.len(), a.sh_degree, a.aa_hint.mode),
        (b.len(), b.sh_degree, b.aa_hint.mode),
        "{what}"
    );
    fn bits<'a>(it: impl Iterator<Item = &'a f32>) -> Vec<u32> {
        it.map(|v| v.to_bits()).collect()
    }
    let arrays: [(&str, Vec<u32>, Vec<u32>); 6] = [
        (
            "positions",
            bits(a.positions.iter().flatten()),
            bits(b.positions.iter().flatten()),
        ),
        (
            "log_scales",
            bits(a.log_scales.iter().flatten()),
            bits(b.log_scales.iter().flatten()),
        ),
        (
            "rotations",
            bits(a.rotations.iter().flatten()),
            bits(b.rotations.iter().flatten()),
        ),
        (
            "opacity",
            bits(a.opacity_logits.iter()),
            bits(b.opacity_logits.iter()),
        ),
        (
            "sh_dc",
            bits(a.sh_dc.iter().flatten()),
            bits(b.sh_dc.iter().flatten()),
        ),
        ("sh_rest", bits(a.sh_rest.iter()), bits(b.sh_rest.iter())),
    ];
    for (field, x, y) in arrays {
        assert_eq!(x.len(), y.len(), "{what}: {field} length");
        if let Some(i) = x.iter().zip(&y).position(|(p, q)| p != q) {
            panic!(
                "{what}: {field}[{i}] differs: {} vs {}",
                f32::from_bits(x[i]),
                f32::from_bits(y[i])
            );
        }
    }
}

#[test]
fn real_scenes_load_with_plausible_values() {
    for (name, count, degree) in [
        ("guitar.decoded.ply", 90_854, 0),
        ("biker.ply", 152_746, 0),
        ("playbot_l6.ply", 1_873, 2),
    ] {
        let cloud = load_splat_file(&data_path(name)).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(cloud.len(), count, "{name}");
        assert_eq!(cloud.sh_degree, degree, "{name}");
        assert_eq!(
            cloud.sh_rest.len(),
            count * 3 * cloud.rest_coeffs_per_splat(),
            "{name}"
        );
        assert_eq!(cloud.aa_hint.mode, AaMode::Classic, "{name}");
        let (lo, hi) = check_ranges(name, &cloud);
        eprintln!("{name}: {count} splats, positions {lo:?} .. {hi:?}");
    }
}

/// The loader's channel-major to coefficient-major transpose, checked against the raw
/// little-endian floats of playbot (`x y z rot_0..3 scale_0..2 opacity f_dc_0..2 f_rest_0..23`).
#[test]
fn sh_rest_of_real_scene_matches_raw_file() {
    let name = "playbot_l6.ply";
    let bytes = read(name);
    let cloud = parse(name, &bytes).expect("parse");
    let (header, body) = split(&bytes);
    let n_props = float_props(&header);
    assert_eq!(n_props, 14 + 24);
    let raw: Vec<f32> = body
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect();
    let per_channel = 8;
    for i in [0, 1, 917, cloud.len() - 1] {
        let rec = &raw[i * n_props..(i + 1) * n_props];
        assert_eq!(cloud.positions[i], [rec[0], rec[1], rec[2]]);
        assert_eq!(cloud.opacity_logits[i], rec[10]);
        assert_eq!(cloud.sh_dc[i], [rec[11], rec[12], rec[13]]);
        let rest = cloud.sh_rest_of(i);
        for k in 0..per_channel {
            for c in 0..3 {
                assert_eq!(
                    rest[k * 3 + c],
                    rec[14 + c * per_channel + k],
                    "splat {i} coeff {k} channel {c}"
                );
            }
        }
    }
}

fn to_big_endian(bytes: &[u8]) -> Vec<u8> {
    let (header, body) = split(bytes);
    float_props(&header);
    let mut out = header
        .replace(
            "format binary_little_endian 1.0",
            "format binary_big_endian 1.0",
        )
        .into_bytes();
    for word in body.chunks_exact(4) {
        out.extend_from_slice(&[word[3], word[2], word[1], word[0]]);
    }
    out
}

fn to_ascii(bytes: &[u8]) -> Vec<u8> {
    let (header, body) = split(bytes);
    let n_props = float_props(&header);
    let mut out = header
        .replace("format binary_little_endian 1.0", "format ascii 1.0")
        .into_bytes();
    for record in body.chunks_exact(4 * n_props) {
        let line: Vec<String> = record
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]).to_string())
            .collect();
        out.extend_from_slice(line.join(" ").as_bytes());
        out.push(b'\n');
    }
    out
}

#[test]
fn big_endian_and_ascii_reencodings_match() {
    for name in ["guitar.decoded.ply", "playbot_l6.ply"] {
        let bytes = read(name);
        let original = parse(name, &bytes).expect("original");
        let big = parse(name, &to_big_endian(&bytes)).expect("big endian");
        assert_same(&format!("{name} big endian"), &original, &big);
        let ascii = parse(name, &to_ascii(&bytes)).expect("ascii");
        assert_same(&format!("{name} ascii"), &original, &ascii);
    }
}

#[test]
fn writer_round_trips_real_scene() {
    let name = "playbot_l6.ply";
    let original = parse(name, &read(name)).expect("original");
    let mut written = Vec::new();
    write_gaussian_ply(&original, &mut written).expect("write");
    let mut back = parse(name, &written).expect("parse written");
    // Re-normalizing a unit quaternion may move it by an ulp.
    for (b, o) in back.rotations.iter_mut().zip(&original.rotations) {
        assert!(
            b.iter().zip(o).all(|(x, y)| (x - y).abs() < 1e-6),
            "{b:?} vs {o:?}"
        );
        *b = *o;
    }
    assert_same("playbot written by write_gaussian_ply", &original, &back);
}

fn expect_err(name: &str, bytes: &[u8]) -> LoadError {
    let err = parse(name, bytes).expect_err("damaged file must not load");
    assert!(
        err.to_string().contains(name),
        "error does not name the file: {err}"
    );
    err
}

#[test]
fn damaged_files_fail_cleanly() {
    let name = "guitar.decoded.ply";
    let bytes = read(name);
    let header_len = split(&bytes).0.len();
    for cut in [0, 4, 10, header_len / 2, header_len - 5, header_len - 2] {
        let err = expect_err(name, &bytes[..cut]);
        assert!(
            matches!(err, LoadError::BadHeader { .. }),
            "cut at {cut}: {err}"
        );
    }
    // Fewer bytes than splats: the count is rejected as absurd before anything else.
    for cut in [header_len, header_len + 1, header_len + 56 * 1000 + 3] {
        let err = expect_err(name, &bytes[..cut]);
        assert!(
            matches!(err, LoadError::AbsurdCount { count: 90_854, .. }),
            "cut at {cut}: {err}"
        );
    }
    for cut in [header_len + 90_854 + 5, bytes.len() / 2, bytes.len() - 1] {
        let err = expect_err(name, &bytes[..cut]);
        assert!(
            matches!(
                err,
                LoadError::Truncated {
                    expected: 90_854,
                    ..
                }
            ),
            "cut at {cut}: {err}"
        );
    }

    let edit = |from: &str, to: &str| {
        let (header, body) = split(&bytes);
        assert!(header.contains(from), "{from}");
        let mut out = header.replacen(from, to, 1).into_bytes();
        out.extend_from_slice(body);
        out
    };
    let err = expect_err(
        name,
        &edit(
            "format binary_little_endian 1.0",
            "format binary_little_endian one",
        ),
    );
    assert!(matches!(err, LoadError::BadHeader { .. }), "{err}");
    let err = expect_err(
        name,
        &edit("property float opacity", "property float opacitx"),
    );
    assert!(
        matches!(&err, LoadError::MissingProperty { property, .. } if property == "opacity"),
        "{err}"
    );
    let err = expect_err(
        name,
        &edit("element vertex 90854", "element vertex 4000000000"),
    );
    assert!(matches!(err, LoadError::AbsurdCount { .. }), "{err}");
    let err = expect_err(name, &edit("element vertex 90854", "element vertex 100000"));
    assert!(
        matches!(
            err,
            LoadError::Truncated {
                expected: 100_000,
                ..
            }
        ),
        "{err}"
    );
    let err = expect_err(
        name,
        &edit("property float x", "property list uchar float x"),
    );
    assert!(matches!(err, LoadError::WrongType { .. }), "{err}");

    let mut garbage: Vec<u8> = b"ply\n".to_vec();
    garbage.extend((0..4096u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8));
    let err = expect_err(name, &garbage);
    assert!(matches!(err, LoadError::BadHeader { .. }), "{err}");
}

#[test]
fn missing_file_is_an_io_error() {
    let path = data_path("does-not-exist.ply");
    let err = load_splat_file(&path).expect_err("missing file");
    assert!(matches!(err, LoadError::Io { .. }), "{err}");
    assert!(err.to_string().contains("does-not-exist.ply"), "{err}");
}

/// Meshes and point clouds from `../shared/testdata/meshes` say what they are
/// and what splatview expected, never a parser dump.
#[test]
fn meshes_say_what_they_are() {
    let meshes = Path::new(DATA).join("../meshes");
    for (name, what) in [
        (
            "Wuson.ply",
            "it is a mesh (11,184 vertices, 3,732 faces), not Gaussian splats",
        ),
        (
            "airplane.ply",
            "it is a mesh (1,335 vertices, 2,452 faces), not Gaussian splats",
        ),
        (
            "cube_binary.ply",
            "it is a mesh (8 vertices, 12 faces), not Gaussian splats",
        ),
        (
            "pond.0.ply",
            "it is a point cloud (70,051 points), not Gaussian splats",
        ),
    ] {
        let err = load_splat_file(&meshes.join(name)).expect_err(name);
        let message = err.to_string();
        assert!(matches!(err, LoadError::UnknownFormat { .. }), "{message}");
        assert!(message.contains(name), "{message}");
        assert!(message.contains(what), "{message}");
        assert!(
            message.contains("scale_0..2, rot_0..3, opacity"),
            "{message}"
        );
        assert!(!message.contains("ParseError"), "{message}");
    }
}
