//! Unit tests for the PLY reader and writer, on small files built in memory.

use std::path::Path;

use super::*;
use crate::scene::AaMode;

const PATH: &str = "mem/test.ply";

pub(super) fn parse(bytes: &[u8]) -> Result<SplatCloud, LoadError> {
    parse_gaussian_ply(Path::new(PATH), bytes)
}

/// A test element: properties `(name, type)` where type is a PLY type such as `float`
/// or `list uchar int`, and rows of cells (one value per scalar, the items for a list).
pub(super) struct El {
    pub(super) name: &'static str,
    pub(super) props: Vec<(String, &'static str)>,
    pub(super) rows: Vec<Vec<Vec<f64>>>,
}

fn put_scalar(out: &mut Vec<u8>, ty: &str, v: f64, format: &str) {
    if format == "ascii" {
        let text = match ty {
            "float" => format!("{}", v as f32),
            "double" => format!("{v}"),
            _ => format!("{}", v as i64),
        };
        out.extend_from_slice(text.as_bytes());
        out.push(b' ');
        return;
    }
    let big = format == "binary_big_endian";
    macro_rules! b {
        ($x:expr) => {{
            let x = $x;
            out.extend_from_slice(&if big {
                x.to_be_bytes()
            } else {
                x.to_le_bytes()
            })
        }};
    }
    match ty {
        "char" => b!(v as i8),
        "uchar" => b!(v as u8),
        "short" => b!(v as i16),
        "ushort" => b!(v as u16),
        "int" => b!(v as i32),
        "uint" => b!(v as u32),
        "float" => b!(v as f32),
        "double" => b!(v),
        other => panic!("unknown type {other}"),
    }
}

pub(super) fn encode(format: &str, comments: &[&str], elements: &[El]) -> Vec<u8> {
    let mut out = format!("ply\nformat {format} 1.0\n").into_bytes();
    for c in comments {
        out.extend_from_slice(format!("comment {c}\n").as_bytes());
    }
    for e in elements {
        out.extend_from_slice(format!("element {} {}\n", e.name, e.rows.len()).as_bytes());
        for (name, ty) in &e.props {
            out.extend_from_slice(format!("property {ty} {name}\n").as_bytes());
        }
    }
    out.extend_from_slice(b"end_header\n");
    for e in elements {
        for row in &e.rows {
            for ((_, ty), cell) in e.props.iter().zip(row) {
                if let Some(parts) = ty.strip_prefix("list ") {
                    let (len_ty, item_ty) = parts.split_once(' ').expect("list types");
                    put_scalar(&mut out, len_ty, cell.len() as f64, format);
                    for &v in cell {
                        put_scalar(&mut out, item_ty, v, format);
                    }
                } else {
                    put_scalar(&mut out, ty, cell[0], format);
                }
            }
            if format == "ascii" {
                out.pop();
                out.push(b'\n');
            }
        }
    }
    out
}

const FORMATS: [&str; 3] = ["binary_little_endian", "binary_big_endian", "ascii"];

/// A `vertex` element with the required properties as floats (in `order`), plus
/// `f_rest_*` for `sh_degree`; splat `i` gets values derived from `i` and the name.
pub(super) fn splat_vertex(n: usize, sh_degree: u32, order: &[&str]) -> El {
    let rest = 3 * (crate::scene::splats::sh_coeffs_for_degree(sh_degree) - 1);
    let mut names: Vec<String> = order.iter().map(|s| s.to_string()).collect();
    names.extend((0..rest).map(|k| format!("f_rest_{k}")));
    let rows = (0..n)
        .map(|i| names.iter().map(|name| vec![value_for(i, name)]).collect())
        .collect();
    El {
        name: "vertex",
        props: names.into_iter().map(|n| (n, "float")).collect(),
        rows,
    }
}

/// A deterministic f32-exact value per splat and property name.
fn value_for(i: usize, name: &str) -> f64 {
    let h = name.bytes().fold(i as u32 * 31 + 7, |h, b| {
        h.wrapping_mul(16777619) ^ u32::from(b)
    });
    f64::from(((h % 2001) as f32 - 1000.0) / 64.0)
}

pub(super) const STANDARD: [&str; 14] = [
    "x", "y", "z", "scale_0", "scale_1", "scale_2", "rot_0", "rot_1", "rot_2", "rot_3", "opacity",
    "f_dc_0", "f_dc_1", "f_dc_2",
];

#[test]
fn all_encodings_give_the_same_cloud() {
    let mut order = STANDARD.to_vec();
    order.insert(3, "nx");
    order.insert(0, "ny");
    order.push("nz");
    let clouds: Vec<SplatCloud> = FORMATS
        .iter()
        .map(|f| {
            let bytes = encode(f, &[], &[splat_vertex(5, 1, &order)]);
            parse(&bytes).unwrap_or_else(|e| panic!("{f}: {e}"))
        })
        .collect();
    assert_eq!(clouds[0].len(), 5);
    assert_eq!(clouds[0].sh_degree, 1);
    assert!(clouds[0].is_consistent());
    assert_eq!(clouds[0].aa_hint, AaHint::default());
    assert_eq!(clouds[0], clouds[1]);
    assert_eq!(clouds[0], clouds[2]);
    assert_eq!(clouds[0].positions[3][1], value_for(3, "y") as f32);
    assert_eq!(clouds[0].opacity_logits[4], value_for(4, "opacity") as f32);
}

#[test]
fn property_order_does_not_matter() {
    let mut shuffled = STANDARD.to_vec();
    shuffled.reverse();
    shuffled.swap(2, 9);
    let a = parse(&encode(FORMATS[0], &[], &[splat_vertex(4, 2, &STANDARD)])).expect("a");
    let b = parse(&encode(FORMATS[0], &[], &[splat_vertex(4, 2, &shuffled)])).expect("b");
    assert_eq!(a, b);
    assert_eq!(a.sh_degree, 2);
}

#[test]
fn sh_rest_is_transposed_to_coefficient_major() {
    let mut el = splat_vertex(2, 1, &STANDARD);
    // f_rest_j = 100 * splat + j.
    for (i, row) in el.rows.iter_mut().enumerate() {
        for j in 0..9 {
            row[14 + j] = vec![(100 * i + j) as f64];
        }
    }
    for format in FORMATS {
        let cloud = parse(&encode(format, &[], &[el_clone(&el)])).expect("parse");
        assert_eq!(cloud.rest_coeffs_per_splat(), 3);
        for i in 0..2 {
            let rest = cloud.sh_rest_of(i);
            for k in 0..3 {
                for c in 0..3 {
                    // Channel c, coefficient k is f_rest_{c * 3 + k} in the file.
                    assert_eq!(rest[k * 3 + c], (100 * i + c * 3 + k) as f32, "{format}");
                }
            }
        }
    }
}

fn el_clone(e: &El) -> El {
    El {
        name: e.name,
        props: e.props.clone(),
        rows: e.rows.clone(),
    }
}

#[test]
fn every_scalar_type_and_other_elements_are_handled() {
    let types = [
        "double", "float", "int", "short", "ushort", "char", "uchar", "uint", "float", "double",
        "int", "short", "float", "float",
    ];
    let values = [
        -1.5, 2.25, -300000.0, -3.0, 4.0, -5.0, 6.0, 7.0, 0.0, 0.0, -2.0, 1.0, 0.5, -0.5,
    ];
    let vertex = El {
        name: "vertex",
        props: STANDARD
            .iter()
            .zip(types)
            .map(|(n, t)| (n.to_string(), t))
            .chain([("flags".to_string(), "uchar")])
            .collect(),
        rows: vec![values.iter().map(|&v| vec![v]).chain([vec![9.0]]).collect(); 3],
    };
    let before_fixed = El {
        name: "meta",
        props: vec![("a".into(), "double"), ("b".into(), "uchar")],
        rows: vec![vec![vec![1.0], vec![2.0]]; 2],
    };
    let before_list = El {
        name: "face",
        props: vec![
            ("vertex_indices".into(), "list uchar int"),
            ("k".into(), "short"),
        ],
        rows: vec![
            vec![vec![0.0, 1.0, 2.0], vec![3.0]],
            vec![vec![], vec![4.0]],
            vec![vec![5.0; 7], vec![6.0]],
        ],
    };
    let after = El {
        name: "extra",
        props: vec![("z".into(), "list int float")],
        rows: vec![vec![vec![1.0, 2.0]]],
    };
    for format in FORMATS {
        let bytes = encode(
            format,
            &["SplatRenderMode: mip"],
            &[
                el_clone(&before_fixed),
                el_clone(&before_list),
                el_clone(&vertex),
                el_clone(&after),
            ],
        );
        let cloud = parse(&bytes).unwrap_or_else(|e| panic!("{format}: {e}"));
        assert_eq!(cloud.len(), 3, "{format}");
        assert_eq!(cloud.aa_hint.mode, AaMode::Mip, "{format}");
        assert_eq!(cloud.positions[2], [-1.5, 2.25, -300000.0], "{format}");
        assert_eq!(cloud.log_scales[1], [-3.0, 4.0, -5.0], "{format}");
        // (6, 7, 0, 0) normalized.
        let r = cloud.rotations[0];
        let len = (36.0f32 + 49.0).sqrt();
        assert!(
            (r[0] - 6.0 / len).abs() < 1e-6 && (r[1] - 7.0 / len).abs() < 1e-6,
            "{r:?}"
        );
        assert_eq!(cloud.opacity_logits[0], -2.0, "{format}");
        assert_eq!(cloud.sh_dc[0], [1.0, 0.5, -0.5], "{format}");
    }
}

#[test]
fn non_finite_values_pass_through() {
    let mut el = splat_vertex(2, 0, &STANDARD);
    el.rows[0][10] = vec![f64::INFINITY];
    el.rows[1][10] = vec![f64::NAN];
    el.rows[1][0] = vec![f64::NEG_INFINITY];
    for format in FORMATS {
        let cloud = parse(&encode(format, &[], &[el_clone(&el)])).expect("parse");
        assert_eq!(cloud.opacity_logits[0], f32::INFINITY, "{format}");
        assert!(cloud.opacity_logits[1].is_nan(), "{format}");
        assert_eq!(cloud.positions[1][0], f32::NEG_INFINITY, "{format}");
    }
}

#[test]
fn write_then_parse_round_trips() {
    for degree in 0..=3 {
        let bytes = encode(FORMATS[0], &[], &[splat_vertex(7, degree, &STANDARD)]);
        let mut cloud = parse(&bytes).expect("parse");
        // Every mode but classic is written as a comment and read back.
        let mode = AaMode::ALL[degree as usize];
        if let Some(hint) = AaHint::new(mode, "")
            .ply_comment_value()
            .and_then(|v| AaHint::from_ply_comment(&format!("SplatRenderMode: {v}")))
        {
            cloud.set_aa_hint(hint);
        }
        assert_eq!(cloud.aa_hint.mode, mode);
        let mut out = Vec::new();
        write_gaussian_ply(&cloud, &mut out).expect("write");
        let mut back = parse(&out).expect("parse written file");
        // Normalizing an already unit quaternion may move it by an ulp.
        for (b, c) in back.rotations.iter_mut().zip(&cloud.rotations) {
            assert!(
                b.iter().zip(c).all(|(x, y)| (x - y).abs() < 1e-6),
                "{b:?} vs {c:?}"
            );
            *b = *c;
        }
        assert_eq!(back, cloud, "degree {degree}");
    }
    let empty = SplatCloud::new(3);
    let mut out = Vec::new();
    write_gaussian_ply(&empty, &mut out).expect("write empty");
    assert_eq!(parse(&out).expect("parse empty"), empty);

    let mut broken = SplatCloud::new(0);
    broken.positions.push([0.0; 3]);
    assert!(write_gaussian_ply(&broken, &mut Vec::new()).is_err());
}

fn expect_err(bytes: &[u8]) -> LoadError {
    let err = parse(bytes).expect_err("should fail");
    assert!(
        err.to_string().contains(PATH),
        "message lacks the path: {err}"
    );
    err
}

#[test]
fn truncated_bodies_are_reported() {
    let good = encode(FORMATS[0], &[], &[splat_vertex(3, 1, &STANDARD)]);
    let err = expect_err(&good[..good.len() - 1]);
    let body_len = 3 * 23 * 4 - 1;
    assert!(
        matches!(err, LoadError::Truncated { expected: 3, available_bytes, .. }
            if available_bytes == body_len),
        "{err}"
    );
    let ascii = encode("ascii", &[], &[splat_vertex(3, 1, &STANDARD)]);
    let cut = ascii.len() - 20;
    let err = expect_err(&ascii[..cut]);
    assert!(
        matches!(
            err,
            LoadError::TruncatedText {
                expected: 3,
                found: 2,
                ..
            }
        ),
        "{err}"
    );
    // Cutting anywhere never panics and always fails. (An ASCII file cut inside its very
    // last number still holds a valid, shorter number: nothing can detect that.)
    for cut in 0..good.len() {
        assert!(parse(&good[..cut]).is_err(), "cut at {cut}");
    }
    let last_token = ascii.len()
        - 1
        - ascii[..ascii.len() - 1]
            .iter()
            .rev()
            .position(|&b| b == b' ')
            .expect("space");
    for cut in 0..last_token {
        assert!(parse(&ascii[..cut]).is_err(), "cut at {cut}");
    }
}

#[test]
fn missing_property_is_named() {
    let order: Vec<&str> = STANDARD
        .iter()
        .copied()
        .filter(|&p| p != "opacity")
        .collect();
    for format in FORMATS {
        let err = expect_err(&encode(format, &[], &[splat_vertex(2, 0, &order)]));
        assert!(
            matches!(&err, LoadError::MissingProperty { property, element, .. }
                if property == "opacity" && element == "vertex"),
            "{err}"
        );
    }
    // A gap in f_rest_* is a missing property too.
    let mut el = splat_vertex(1, 1, &STANDARD);
    el.props[14 + 4].0 = "f_rest_9".into();
    let err = expect_err(&encode(FORMATS[0], &[], &[el]));
    assert!(
        matches!(&err, LoadError::MissingProperty { property, .. } if property == "f_rest_4"),
        "{err}"
    );
}

#[test]
fn bad_headers_are_rejected() {
    for text in [
        "garbage\x00\x01\nend_header\n",
        "ply\nformat binary_middle_endian 1.0\nelement vertex 1\nend_header\n",
        "ply\nelement vertex 0\nproperty float x\nend_header\n",
        "ply\nformat ascii 1.0\nproperty float x\nelement vertex 0\nend_header\n",
        "ply\nformat ascii 1.0\nelement face 0\nproperty float x\nend_header\n",
        "ply\nformat ascii 1.0\nelement vertex 0\nproperty float x\nproperty float x\nend_header\n",
        "ply\nformat ascii 1.0\nelement vertex 0\nelement vertex 0\nend_header\n",
        "ply\nformat ascii 1.0\nelement vertex 184467440737095516160\nend_header\n",
        "ply\nformat ascii 1.0\nelement vertex 1\nproperty float x\n",
        "ply\nformat ascii 1.0\nelement vertex 1\nproperty floaty x\nend_header\n",
    ] {
        let err = expect_err(text.as_bytes());
        assert!(
            matches!(err, LoadError::BadHeader { .. }),
            "{text:?}: {err}"
        );
    }
}

#[test]
fn huge_counts_fail_before_allocating() {
    let mut header =
        String::from("ply\nformat binary_little_endian 1.0\nelement vertex 4000000000\n");
    for p in STANDARD {
        header.push_str(&format!("property float {p}\n"));
    }
    header.push_str("end_header\n");
    let mut bytes = header.into_bytes();
    bytes.extend_from_slice(&[0; 10]);
    let err = expect_err(&bytes);
    assert!(
        matches!(
            err,
            LoadError::AbsurdCount {
                count: 4_000_000_000,
                ..
            }
        ),
        "{err}"
    );

    let ascii = String::from_utf8(bytes[..bytes.len() - 10].to_vec())
        .expect("utf8")
        .replace("binary_little_endian", "ascii");
    let err = expect_err(ascii.as_bytes());
    assert!(matches!(err, LoadError::AbsurdCount { .. }), "{err}");

    // A count that fits the file size but not the record size is a truncation.
    let small = String::from_utf8(bytes[..bytes.len() - 10].to_vec())
        .expect("utf8")
        .replace("4000000000", "1000");
    let mut small = small.into_bytes();
    small.extend_from_slice(&[0; 2000]);
    let err = expect_err(&small);
    assert!(
        matches!(err, LoadError::Truncated { expected: 1000, .. }),
        "{err}"
    );

    // A huge preceding element.
    let mut huge_face = encode(FORMATS[0], &[], &[splat_vertex(1, 0, &STANDARD)]);
    let text = String::from_utf8_lossy(&huge_face).into_owned();
    let at = text.find("element vertex").expect("vertex line");
    huge_face.splice(
        at..at,
        b"element face 3000000000\nproperty list uint int v\n"
            .iter()
            .copied(),
    );
    let err = expect_err(&huge_face);
    assert!(
        matches!(
            err,
            LoadError::AbsurdCount {
                count: 3_000_000_000,
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn lists_in_vertex_and_bad_sh_counts_are_rejected() {
    let mut el = splat_vertex(1, 0, &STANDARD);
    el.props.push(("idx".into(), "list uchar int"));
    el.rows[0].push(vec![1.0, 2.0]);
    let err = expect_err(&encode(FORMATS[0], &[], &[el]));
    assert!(
        matches!(&err, LoadError::WrongType { property, .. } if property == "idx"),
        "{err}"
    );

    let mut el = splat_vertex(1, 0, &STANDARD);
    for k in 0..5 {
        el.props.push((format!("f_rest_{k}"), "float"));
        el.rows[0].push(vec![0.0]);
    }
    let err = expect_err(&encode(FORMATS[0], &[], &[el]));
    assert!(matches!(err, LoadError::Malformed { .. }), "{err}");
    assert!(err.to_string().contains("f_rest"), "{err}");
}

#[test]
fn bad_ascii_tokens_are_reported() {
    let mut bytes = encode("ascii", &[], &[splat_vertex(2, 0, &STANDARD)]);
    let len = bytes.len();
    bytes[len - 3] = b'q';
    let err = expect_err(&bytes);
    assert!(matches!(err, LoadError::Malformed { .. }), "{err}");
    assert!(err.to_string().contains("f_dc_2"), "{err}");
}

#[test]
fn corrupted_headers_never_panic() {
    let good = encode(
        FORMATS[0],
        &["SplatRenderMode: mip"],
        &[splat_vertex(4, 1, &STANDARD)],
    );
    let header_len = good
        .windows(11)
        .position(|w| w == b"end_header\n")
        .expect("end")
        + 11;
    let mut state = 0x2545_f491_u32;
    for _ in 0..3000 {
        let mut bytes = good.clone();
        for _ in 0..3 {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            let at = state as usize % header_len;
            let alphabet = b"0123456789 \nabcdefxyz_";
            bytes[at] = alphabet[(state >> 24) as usize % alphabet.len()];
        }
        let _ = parse(&bytes);
    }
}
