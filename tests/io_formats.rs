//! The same scene in every format decodes to the same splats as the float PLY, within
//! each format's quantization. The tolerances are derived in docs/FORMATS.md; each
//! constant here names the quantization step it comes from.

mod io_util;

use io_util::*;

/// SPZ stores log scales in 1/16 steps from -10 and SH as bytes in -1..1.
const SPZ_LOG_SCALE_FLOOR: f32 = -10.0;
/// ln of the smallest normal f16 (2^-14): scales below it lose precision in f16.
const F16_LOG_SCALE_FLOOR: f32 = -9.704;
/// 8-bit colour formats hold colours in 0..1.
const UNIT: (f32, f32) = (0.0, 1.0);
/// SPZ DC colour byte = 0.5 + 0.15 * f_dc: colours 0.5 +- 0.5 * SH_C0 / 0.15.
const SPZ_COLOR: (f32, f32) = (0.5 - 0.5 * SH_C0 / 0.15, 0.5 + 0.5 * SH_C0 / 0.15);

/// Compressed PLY against the PLY it was decoded into: identical.
const DECODED: Tolerances = Tolerances::EXACT;

/// Compressed PLY made from a float PLY: 11/10/11-bit positions and log scales and 8-bit
/// colours within chunk bounds, 10-bit smallest-three rotations, 8-bit opacity and SH
/// (-4..4 in 1/32 steps).
const COMPRESSED_PLY: Tolerances = Tolerances {
    position: 1e-3,
    log_scale: 0.01,
    rotation: 0.006,
    opacity: 0.5 / 255.0 + 1e-6,
    color: 0.006,
    sh: 0.5 * 8.0 / 256.0 + 1e-5,
    sh_rms: 0.01,
    ..Tolerances::EXACT
};

/// `.splat`: float positions and scales; rotations, colour and opacity as bytes
/// (truncated by the writer: up to one step, 1/128 per quaternion component).
const SPLAT: Tolerances = Tolerances {
    position: 1e-6,
    log_scale: 1e-5,
    rotation: 0.035,
    opacity: 1.0 / 255.0 + 1e-6,
    color: 1.0 / 255.0 + 1e-6,
    color_range: UNIT,
    ..Tolerances::EXACT
};

/// `.ksplat` level 0: floats, 8-bit colour and opacity (truncated).
const KSPLAT_0: Tolerances = Tolerances {
    opacity: 1.0 / 255.0 + 1e-6,
    color: 1.0 / 255.0 + 1e-6,
    color_range: UNIT,
    rotation: 2e-3,
    sh: 1e-6,
    ..Tolerances::EXACT
};

/// `.ksplat` level 1: positions in 5/65534 steps within 5-unit buckets, f16 scales,
/// rotations and SH.
const KSPLAT_1: Tolerances = Tolerances {
    position: 2.5 / 32767.0 * 0.5 + 1e-6,
    log_scale: 1e-3,
    log_scale_floor: F16_LOG_SCALE_FLOOR,
    rotation: 2e-3,
    sh: 2e-3,
    sh_rms: 1e-3,
    ..KSPLAT_0
};

/// `.ksplat` level 2: as level 1, SH as bytes between the header's min and max
/// (truncated: one step of (max - min) / 255).
const KSPLAT_2: Tolerances = Tolerances {
    sh: 0.015,
    sh_rms: 0.01,
    ..KSPLAT_1
};

/// SPZ v3/v4: 12 fractional position bits, log scales in 1/16 steps, 9-bit smallest-three
/// rotations, 8-bit opacity, colour in 0.15 * 255 steps per SH unit, SH rounded to 1/128
/// and then to 5-bit (band 1) or 4-bit (bands 2-3) buckets in -1..1: at most
/// 8/128 + 0.5/128 off.
const SPZ: Tolerances = Tolerances {
    position: 0.5 / 4096.0 + 1e-6,
    log_scale: 1.0 / 32.0 + 1e-5,
    log_scale_floor: SPZ_LOG_SCALE_FLOOR,
    rotation: 0.005,
    opacity: 0.5 / 255.0 + 1e-6,
    color: 0.5 * SH_C0 / (0.15 * 255.0) + 1e-5,
    color_range: SPZ_COLOR,
    sh: 8.5 / 128.0 + 1e-5,
    sh_rms: 0.04,
    sh_clamp: 1.0,
    ..Tolerances::EXACT
};

/// SPZ v2: rotations as 8-bit x, y, z with w derived, which is coarse where w is small.
const SPZ_V2: Tolerances = Tolerances {
    rotation: 0.2,
    ..SPZ
};

/// SOG v2 re-encoded from the PLY: 16-bit log-transformed positions, 256-entry
/// codebooks (scales, colours, SH centroids), 8-bit smallest-three rotations (the writer
/// is up to one step of sqrt(2)/255 off per stored component, the derived one follows)
/// and opacity, SH by a palette of clustered centroids (judged mostly by RMS).
const SOG: Tolerances = Tolerances {
    position: 1e-4,
    log_scale: 0.02,
    rotation: 0.04,
    opacity: 1.0 / 255.0 + 1e-6,
    color: 0.01,
    sh: 0.5,
    sh_rms: 0.05,
    isotropy_ratio: 1.05,
    ..Tolerances::EXACT
};

/// SOG that the PLY was decoded from: identical up to float rounding.
const SOG_SOURCE: Tolerances = Tolerances {
    rotation: 2e-3,
    opacity: 1e-6,
    ..Tolerances::EXACT
};

fn in_order(reference: &str, candidate: &str, t: &Tolerances) {
    let r = load(reference);
    let c = load(candidate);
    compare_in_order(&r, &c, t).check(&format!("{candidate} vs {reference}"), t);
}

fn matched(reference: &str, candidate: &str, t: &Tolerances, max_unmatched: usize) {
    let r = load(reference);
    let c = load(candidate);
    assert_eq!(r.sh_degree, c.sh_degree, "{candidate}");
    let (e, unmatched) = compare_matched(&r, &c, t);
    e.check(&format!("{candidate} vs {reference} (matched)"), t);
    assert!(
        unmatched <= max_unmatched,
        "{candidate}: {unmatched} splats have no counterpart in {reference}"
    );
    assert!(e.matched + unmatched == c.len());
}

#[test]
fn guitar_in_every_format() {
    in_order("guitar.decoded.ply", "guitar.compressed.ply", &DECODED);
    in_order("guitar.decoded.ply", "guitar.splat", &SPLAT);
    let ksplat = load("guitar.c1.ksplat");
    assert!((90_000..90_854).contains(&ksplat.len()), "{}", ksplat.len());
    matched("guitar.decoded.ply", "guitar.c1.ksplat", &KSPLAT_1, 0);
}

#[test]
fn biker_in_every_format() {
    in_order("biker.ply", "biker.compressed.ply", &DECODED);
    // biker.spz follows the SPZ spec (RUB axes): decoded to RDF it lands on the PLY.
    in_order("biker.ply", "biker.spz", &SPZ);
}

#[test]
fn playbot_in_every_format() {
    matched(
        "playbot_l6.ply",
        "playbot_l6.compressed.ply",
        &COMPRESSED_PLY,
        0,
    );
    in_order("playbot_l6.ply", "playbot_l6_sog", &SOG_SOURCE);
    in_order("playbot_l6.ply", "playbot_l6_sog/meta.json", &SOG_SOURCE);
    matched("playbot_l6.ply", "playbot_l6.sog", &SOG, 0);
    for level in ["c0", "c1", "c2"] {
        let t = match level {
            "c0" => KSPLAT_0,
            "c1" => KSPLAT_1,
            _ => KSPLAT_2,
        };
        matched(
            "playbot_l6.ply",
            &format!("playbot_l6.{level}.ksplat"),
            &t,
            0,
        );
    }
}

#[test]
fn playbot_spz_written_without_axis_conversion() {
    // spz-js 1.2.5 wrote these in the PLY's axes, against the SPZ spec (RUB). Decoded by
    // the spec they come out turned 180 degrees about x: compare with the PLY turned so.
    let reference = rotate_180_about_x(&load("playbot_l6.ply"));
    for (name, t) in [
        ("playbot_l6.v2.spz", SPZ_V2),
        ("playbot_l6.v3.spz", SPZ),
        ("playbot_l6.v4.spz", SPZ),
    ] {
        let c = load(name);
        assert_eq!(c.sh_degree, 2, "{name}");
        compare_in_order(&reference, &c, &t).check(name, &t);
    }
}

#[test]
fn spz_coordinate_system_extension_is_honoured() {
    // playbot_l6.v4.spz holds PLY (RDF) axes: saying so with an
    // SPZ_ADOBE_coordinate_system record (id 6 = RDF) makes it land on the PLY.
    let v4 = read("playbot_l6.v4.spz");
    let mut marked = v4[..32].to_vec();
    marked[14] |= 0x2;
    let toc = u32::from_le_bytes([v4[16], v4[17], v4[18], v4[19]]) + 12;
    marked[16..20].copy_from_slice(&toc.to_le_bytes());
    marked.extend_from_slice(&0xADBE_0003u32.to_le_bytes());
    marked.extend_from_slice(&4u32.to_le_bytes());
    marked.extend_from_slice(&6u32.to_le_bytes());
    marked.extend_from_slice(&v4[32..]);
    let c = splatview::io::load_splat_bytes(&data_path("marked.spz"), &marked)
        .unwrap_or_else(|e| panic!("{e}"));
    compare_in_order(&load("playbot_l6.ply"), &c, &SPZ).check("playbot v4 marked RDF", &SPZ);
}
