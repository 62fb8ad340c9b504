//! Helpers of the io_* integration tests: test data paths, and comparing two decodings of
//! the same scene attribute by attribute (matched by index or by nearest position).
#![allow(dead_code)]

pub mod bombs;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use splatview::io::{LoadError, load_splat_file};
use splatview::scene::SplatCloud;

pub const SH_C0: f32 = 0.282_094_8;

/// Path of a scene in `../shared/testdata/splats`.
pub fn data_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/testdata/splats")
        .join(name)
}

pub fn read(name: &str) -> Vec<u8> {
    let path = data_path(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

pub fn load(name: &str) -> SplatCloud {
    let cloud = load_splat_file(&data_path(name)).unwrap_or_else(|e| panic!("{e}"));
    assert!(cloud.is_consistent(), "{name}");
    cloud
}

pub fn try_load(name: &str) -> Result<SplatCloud, LoadError> {
    load_splat_file(&data_path(name))
}

pub fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

/// Angle in radians between the rotations of two unit quaternions (sign ignored).
pub fn rotation_angle(a: [f32; 4], b: [f32; 4]) -> f32 {
    let dot: f32 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
    2.0 * dot.abs().min(1.0).acos()
}

/// Largest differences found between two decodings (see [`compare`]).
#[derive(Clone, Copy, Debug, Default)]
pub struct Errors {
    /// Position, per component, in scene units.
    pub position: f32,
    /// Log scale, per component (after applying the tolerance's floor).
    pub log_scale: f32,
    /// Rotation angle in radians.
    pub rotation: f32,
    /// Opacity after the sigmoid.
    pub opacity: f32,
    /// DC colour (`SH_C0 * f_dc`), per channel.
    pub color: f32,
    /// Higher SH coefficients, per value.
    pub sh: f32,
    /// Sum of squared SH differences and how many values it sums (see [`Errors::sh_rms`]).
    pub sh_sq: f64,
    pub sh_n: usize,
    /// Splats compared.
    pub matched: usize,
}

/// What a format may change about a splat, beyond which [`compare`] fails.
#[derive(Clone, Copy, Debug)]
pub struct Tolerances {
    pub position: f32,
    pub log_scale: f32,
    pub rotation: f32,
    pub opacity: f32,
    pub color: f32,
    pub sh: f32,
    /// Root mean square SH difference (for formats that quantize SH by clustering).
    pub sh_rms: f32,
    /// Log scales below this are clamped before comparing (SPZ stores >= -10; f16
    /// formats lose tiny scales).
    pub log_scale_floor: f32,
    /// SH values are clamped to +-this before comparing (SPZ stores -1..1).
    pub sh_clamp: f32,
    /// DC colours are clamped to this range before comparing (formats storing 8-bit
    /// colour clamp it).
    pub color_range: (f32, f32),
    /// Rotation differences are ignored for splats this close to spherical (their
    /// rotation is invisible): max/min scale ratio below this.
    pub isotropy_ratio: f32,
}

impl Tolerances {
    pub const EXACT: Tolerances = Tolerances {
        position: 1e-6,
        log_scale: 1e-6,
        rotation: 1e-3,
        opacity: 1e-6,
        color: 1e-6,
        sh: 1e-6,
        sh_rms: 1e-6,
        log_scale_floor: f32::NEG_INFINITY,
        sh_clamp: f32::INFINITY,
        color_range: (f32::NEG_INFINITY, f32::INFINITY),
        isotropy_ratio: 1.0,
    };
}

/// Attribute differences of splat `b` of `cand` against splat `a` of `reference`.
fn diff(reference: &SplatCloud, a: usize, cand: &SplatCloud, b: usize, t: &Tolerances) -> Errors {
    let max3 = |f: &dyn Fn(usize) -> f32| (0..3).map(f).fold(0.0f32, f32::max);
    let pa = reference.positions[a];
    let pb = cand.positions[b];
    let sa = reference.log_scales[a];
    let sb = cand.log_scales[b];
    let floor = |v: f32| v.max(t.log_scale_floor);
    let log_scale = max3(&|k| (floor(sa[k]) - floor(sb[k])).abs());
    let (lo, hi) = sa
        .iter()
        .fold((f32::INFINITY, f32::NEG_INFINITY), |(l, h), &v| {
            (l.min(v), h.max(v))
        });
    let rotation = if (hi - lo).exp() < t.isotropy_ratio {
        0.0
    } else {
        rotation_angle(reference.rotations[a], cand.rotations[b])
    };
    let rest = reference
        .rest_coeffs_per_splat()
        .min(cand.rest_coeffs_per_splat())
        * 3;
    let ra = &reference.sh_rest_of(a)[..rest];
    let rb = &cand.sh_rest_of(b)[..rest];
    let clamp = |v: f32| v.clamp(-t.sh_clamp, t.sh_clamp);
    Errors {
        position: max3(&|k| (pa[k] - pb[k]).abs()),
        log_scale,
        rotation,
        opacity: (sigmoid(reference.opacity_logits[a]) - sigmoid(cand.opacity_logits[b])).abs(),
        color: max3(&|k| {
            let c = |dc: f32| (0.5 + SH_C0 * dc).clamp(t.color_range.0, t.color_range.1);
            (c(reference.sh_dc[a][k]) - c(cand.sh_dc[b][k])).abs()
        }),
        sh: ra
            .iter()
            .zip(rb)
            .map(|(x, y)| (clamp(*x) - clamp(*y)).abs())
            .fold(0.0, f32::max),
        sh_sq: ra
            .iter()
            .zip(rb)
            .map(|(x, y)| f64::from(clamp(*x) - clamp(*y)).powi(2))
            .sum(),
        sh_n: rest,
        matched: 1,
    }
}

impl Errors {
    fn max(self, o: Errors) -> Errors {
        Errors {
            position: self.position.max(o.position),
            log_scale: self.log_scale.max(o.log_scale),
            rotation: self.rotation.max(o.rotation),
            opacity: self.opacity.max(o.opacity),
            color: self.color.max(o.color),
            sh: self.sh.max(o.sh),
            sh_sq: self.sh_sq + o.sh_sq,
            sh_n: self.sh_n + o.sh_n,
            matched: self.matched + o.matched,
        }
    }

    /// How far past the tolerances this is (0 when within all of them).
    fn excess(&self, t: &Tolerances) -> f32 {
        [
            self.position / t.position,
            self.log_scale / t.log_scale,
            self.rotation / t.rotation,
            self.opacity / t.opacity,
            self.color / t.color,
            self.sh / t.sh,
            self.sh_rms() / t.sh_rms,
        ]
        .into_iter()
        .fold(0.0, f32::max)
    }

    pub fn sh_rms(&self) -> f32 {
        if self.sh_n == 0 {
            0.0
        } else {
            (self.sh_sq / self.sh_n as f64).sqrt() as f32
        }
    }

    pub fn check(&self, what: &str, t: &Tolerances) {
        eprintln!("{what}: {self:?} sh_rms {}", self.sh_rms());
        assert!(
            self.excess(t) <= 1.0,
            "{what}: differences {self:?} exceed tolerances {t:?}"
        );
    }
}

/// Compares two decodings splat by splat, in order.
pub fn compare_in_order(reference: &SplatCloud, cand: &SplatCloud, t: &Tolerances) -> Errors {
    assert_eq!(reference.len(), cand.len(), "splat counts differ");
    (0..cand.len())
        .map(|i| diff(reference, i, cand, i, t))
        .fold(Errors::default(), Errors::max)
}

/// Compares two decodings of the same splats stored in a different order: each splat of
/// `cand` is matched to the reference splat within `t.position` whose attributes agree
/// best. Returns the errors and the number of `cand` splats without any reference splat
/// that close.
pub fn compare_matched(
    reference: &SplatCloud,
    cand: &SplatCloud,
    t: &Tolerances,
) -> (Errors, usize) {
    let cell = (t.position * 2.0).max(1e-6);
    let key = |p: [f32; 3]| p.map(|v| (v / cell).floor() as i64);
    let mut grid: HashMap<[i64; 3], Vec<usize>> = HashMap::new();
    for (i, p) in reference.positions.iter().enumerate() {
        grid.entry(key(*p)).or_default().push(i);
    }
    let mut total = Errors::default();
    let mut unmatched = 0;
    for b in 0..cand.len() {
        let k = key(cand.positions[b]);
        let mut best: Option<Errors> = None;
        for dx in -1..=1 {
            for dy in -1..=1 {
                for dz in -1..=1 {
                    let Some(list) = grid.get(&[k[0] + dx, k[1] + dy, k[2] + dz]) else {
                        continue;
                    };
                    for &a in list {
                        let e = diff(reference, a, cand, b, t);
                        if e.position <= t.position
                            && best.is_none_or(|bst| e.excess(t) < bst.excess(t))
                        {
                            best = Some(e);
                        }
                    }
                }
            }
        }
        match best {
            Some(e) => total = total.max(e),
            None => unmatched += 1,
        }
    }
    (total, unmatched)
}

/// The cloud turned 180 degrees about x: (x, y, z) -> (x, -y, -z), with quaternions and
/// SH transformed to match (the RUB <-> RDF conversion of SPZ).
pub fn rotate_180_about_x(c: &SplatCloud) -> SplatCloud {
    const FLIP: [f32; 15] = [
        -1.0, -1.0, 1.0, -1.0, 1.0, 1.0, -1.0, 1.0, -1.0, 1.0, -1.0, -1.0, 1.0, -1.0, 1.0,
    ];
    let mut out = c.clone();
    for p in &mut out.positions {
        *p = [p[0], -p[1], -p[2]];
    }
    for q in &mut out.rotations {
        *q = [q[0], q[1], -q[2], -q[3]];
    }
    let rest = c.rest_coeffs_per_splat();
    for (i, v) in out.sh_rest.iter_mut().enumerate() {
        *v *= FLIP[(i / 3) % rest.max(1)];
    }
    out
}
