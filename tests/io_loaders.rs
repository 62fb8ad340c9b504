//! Every loader on real and synthetic files: detection by content, decoding by range,
//! flags, and the small fixtures.

mod io_util;

use io_util::*;
use splatview::io::{SceneFormat, SplatDecoder, decode_all, load_splat_bytes, open_decoder};
use splatview::scene::{AaHint, AaMode, SplatCloud};

fn open(name: &str) -> Box<dyn SplatDecoder> {
    let path = data_path(name);
    let path = if path.is_dir() {
        path.join("meta.json")
    } else {
        path
    };
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
    open_decoder(&path, bytes).unwrap_or_else(|e| panic!("{e}"))
}

const ALL: [(&str, SceneFormat, usize, u32); 21] = [
    ("guitar.decoded.ply", SceneFormat::Ply, 90_854, 0),
    (
        "guitar.compressed.ply",
        SceneFormat::CompressedPly,
        90_854,
        0,
    ),
    ("guitar.splat", SceneFormat::Splat, 90_854, 0),
    ("guitar.c1.ksplat", SceneFormat::Ksplat, 90_304, 0),
    ("biker.ply", SceneFormat::Ply, 152_746, 0),
    (
        "biker.compressed.ply",
        SceneFormat::CompressedPly,
        152_746,
        0,
    ),
    ("biker.spz", SceneFormat::Spz, 152_746, 0),
    ("playbot_l6.ply", SceneFormat::Ply, 1873, 2),
    (
        "playbot_l6.compressed.ply",
        SceneFormat::CompressedPly,
        1873,
        2,
    ),
    ("playbot_l6.sog", SceneFormat::Sog, 1873, 2),
    ("playbot_l6_sog", SceneFormat::Sog, 1873, 2),
    ("playbot_l6.v2.spz", SceneFormat::Spz, 1873, 2),
    ("playbot_l6.v3.spz", SceneFormat::Spz, 1873, 2),
    ("playbot_l6.v4.spz", SceneFormat::Spz, 1873, 2),
    ("playbot_l6.c0.ksplat", SceneFormat::Ksplat, 1873, 2),
    ("playbot_l6.c1.ksplat", SceneFormat::Ksplat, 1873, 2),
    ("playbot_l6.c2.ksplat", SceneFormat::Ksplat, 1873, 2),
    ("playcanvas_logo_sog_v1", SceneFormat::Sog, 307_128, 0),
    ("fixtures-synthetic/minimal.splat", SceneFormat::Splat, 4, 0),
    (
        "fixtures-synthetic/minimal.ksplat",
        SceneFormat::Ksplat,
        4,
        0,
    ),
    ("fixtures-synthetic/minimal-v4.spz", SceneFormat::Spz, 4, 0),
];

/// Values a trained scene can plausibly hold (non-finite opacity logits are allowed:
/// fully opaque or transparent splats).
fn check_plausible(name: &str, c: &SplatCloud) {
    assert!(c.is_consistent(), "{name}");
    for i in 0..c.len() {
        let ok = c.positions[i]
            .iter()
            .all(|v| v.is_finite() && v.abs() < 1e4)
            && c.log_scales[i].iter().all(|v| v.is_finite() && *v < 10.0)
            && !c.opacity_logits[i].is_nan()
            && c.sh_dc[i].iter().all(|v| v.is_finite() && v.abs() < 100.0)
            && (c.rotations[i].iter().map(|v| v * v).sum::<f32>() - 1.0).abs() < 1e-4;
        assert!(
            ok,
            "{name} splat {i}: {:?} {:?} {:?} {} {:?}",
            c.positions[i], c.log_scales[i], c.rotations[i], c.opacity_logits[i], c.sh_dc[i]
        );
    }
    assert!(
        c.sh_rest.iter().all(|v| v.is_finite() && v.abs() < 100.0),
        "{name}"
    );
}

#[test]
fn every_file_is_detected_by_content() {
    for (name, format, len, sh) in ALL {
        let d = open(name);
        assert_eq!(d.format(), format, "{name}");
        assert_eq!(d.len(), len, "{name}");
        assert_eq!(d.sh_degree(), sh, "{name}");
        assert_eq!(d.aa_hint(), AaHint::default(), "{name}");
        let cloud = decode_all(d.as_ref()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(cloud.len(), len, "{name}");
        assert_eq!(cloud.sh_degree, sh, "{name}");
        check_plausible(name, &cloud);
    }
    // The extension plays no part: a .splat named .ply... is still found to be a .splat.
    let bytes = read("guitar.splat");
    let c = load_splat_bytes(std::path::Path::new("renamed.ply"), &bytes);
    assert_eq!(c.map(|c| c.len()).ok(), Some(90_854));
}

#[test]
fn ranges_decode_like_the_whole() {
    for (name, ..) in ALL {
        let d = open(name);
        let n = d.len();
        let all = d.decode(0..n).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(decode_all(d.as_ref()).ok().as_ref(), Some(&all), "{name}");
        let mut pieces = SplatCloud::new(d.sh_degree());
        let cuts = [0, 1, n / 3, n / 3 + 1, n / 2, n.saturating_sub(1), n];
        for w in cuts.windows(2) {
            let (a, b) = (w[0].min(w[1]), w[1]);
            let part = d.decode(a..b).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(part.len(), b - a, "{name}");
            assert!(pieces.append(&part));
        }
        assert_eq!(pieces.positions, all.positions, "{name}");
        assert_eq!(pieces.sh_rest, all.sh_rest, "{name}");
        assert!(d.decode(0..n + 1).is_err(), "{name}");
        assert!(d.decode(n + 1..n + 2).is_err(), "{name}");
    }
}

#[test]
fn sog_directory_meta_and_bundle_agree() {
    let dir = load("playbot_l6_sog");
    let meta = load("playbot_l6_sog/meta.json");
    assert_eq!(dir, meta);
    let bundle = load("playbot_l6.sog");
    assert_eq!(bundle.len(), dir.len());
}

#[test]
fn spz_antialiased_flag_is_honoured() {
    // v4: the flags byte is in the plain header.
    let mut v4 = read("playbot_l6.v4.spz");
    v4[14] |= 1;
    let d = open_decoder(&data_path("aa.spz"), v4).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(d.aa_hint(), AaHint::spz_antialiased_flag());
    assert!(decode_all(d.as_ref()).is_ok_and(|c| c.aa_hint.mode == AaMode::Antialiased));
    // v3: inside the gzip stream.
    let mut raw = Vec::new();
    std::io::Read::read_to_end(
        &mut flate2::read::GzDecoder::new(&read("playbot_l6.v3.spz")[..]),
        &mut raw,
    )
    .expect("gzip");
    raw[14] |= 1;
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut enc, &raw).expect("gzip");
    let v3 = enc.finish().expect("gzip");
    let c = load_splat_bytes(&data_path("aa.spz"), &v3).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(c.aa_hint.mode, AaMode::Antialiased);
}

#[test]
fn synthetic_fixtures_agree() {
    // Four splats on a grid (x, z in {-1, 0}, y = 0), scale 0.1, opacity 0.9.
    let splat = load("fixtures-synthetic/minimal.splat");
    let ksplat = load("fixtures-synthetic/minimal.ksplat");
    assert_eq!(splat.positions, ksplat.positions);
    for name in [
        "fixtures-synthetic/minimal-v3.spz",
        "fixtures-synthetic/minimal-v4.spz",
    ] {
        // Written by the spz library from RDF: decoded back to RDF they match.
        let spz = load(name);
        for (a, b) in spz.positions.iter().zip(&splat.positions) {
            assert!(
                a.iter().zip(b).all(|(x, y)| (x - y).abs() < 1e-3),
                "{name}: {a:?} {b:?}"
            );
        }
        for s in &spz.log_scales {
            assert!(
                s.iter().all(|v| (v - 0.1f32.ln()).abs() < 1.0 / 32.0),
                "{name}: {s:?}"
            );
        }
        assert!(
            spz.opacity_logits
                .iter()
                .all(|&o| (sigmoid(o) - 0.9).abs() < 0.002)
        );
        assert!(
            spz.rotations.iter().all(|q| q[0] > 0.999),
            "{name}: identity"
        );
    }
    // The v2 fixture was written by hand in PLY axes (z not flipped); x still agrees.
    let v2 = load("fixtures-synthetic/minimal-v2.spz");
    for (a, b) in v2.positions.iter().zip(&splat.positions) {
        assert!(
            (a[0] - b[0]).abs() < 1e-3 && (a[2] + b[2]).abs() < 1e-3,
            "{a:?} {b:?}"
        );
    }
    for c in [&splat, &ksplat] {
        assert!(
            c.log_scales
                .iter()
                .flatten()
                .all(|v| (v - 0.1f32.ln()).abs() < 1e-5)
        );
        assert!(
            c.opacity_logits
                .iter()
                .all(|&o| (sigmoid(o) - 0.9).abs() < 0.004)
        );
    }
}

#[test]
fn sog_v1_logo_is_sane() {
    let c = load("playcanvas_logo_sog_v1");
    assert_eq!(c.len(), 307_128);
    check_plausible("logo", &c);
    // The bounds of meta.json (log-transformed) hold the decoded positions.
    let lo = [
        -0.9301150414096437f64,
        -1.3301652313761516,
        -0.4554133838214941,
    ];
    let hi = [
        0.9301150414096437f64,
        0.2590264658642953,
        0.45541334602107697,
    ];
    let inv = |v: f64| (v.signum() * (v.abs().exp() - 1.0)) as f32;
    for p in &c.positions {
        for k in 0..3 {
            assert!(
                p[k] >= inv(lo[k]) - 1e-4 && p[k] <= inv(hi[k]) + 1e-4,
                "{p:?}"
            );
        }
    }
}
