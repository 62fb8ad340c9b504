//! The bundled default scene, generated procedurally (`splatview
//! generate-default-scene`): a glossy sphere with view-dependent colour (SH degree
//! 1), a golden ring around it, a spiral of glowing beads and a checkered floor.
//! World axes follow the 3DGS/COLMAP convention: -y is up.

use std::f32::consts::{PI, TAU};

use glam::{Quat, Vec3};

use crate::scene::SplatCloud;

const SH_C0: f32 = 0.282_094_8;
const SH_C1: f32 = 0.488_602_5;

/// Deterministic splitmix64 generator, so the asset is reproducible.
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn f32(&mut self) -> f32 {
        (self.next_u64() >> 40) as f32 / (1u64 << 24) as f32
    }

    fn range(&mut self, lo: f32, hi: f32) -> f32 {
        lo + (hi - lo) * self.f32()
    }
}

/// Builder appending splats to a degree-1 cloud.
struct SceneBuilder {
    cloud: SplatCloud,
}

impl SceneBuilder {
    /// Adds a splat. `color` is the base colour (display-encoded), `view_tint`
    /// a colour shift along the three degree-1 SH directions (x, y, z).
    fn add(
        &mut self,
        position: Vec3,
        scale: Vec3,
        rotation: Quat,
        opacity: f32,
        color: Vec3,
        view_tint: [Vec3; 3],
    ) {
        let c = &mut self.cloud;
        c.positions.push(position.to_array());
        c.log_scales
            .push(scale.max(Vec3::splat(1e-5)).to_array().map(f32::ln));
        let q = rotation.normalize();
        c.rotations.push([q.w, q.x, q.y, q.z]);
        let o = opacity.clamp(1e-4, 0.9999);
        c.opacity_logits.push((o / (1.0 - o)).ln());
        c.sh_dc
            .push(((color - Vec3::splat(0.5)) / SH_C0).to_array());
        // Degree-1 basis: -C1 y, C1 z, -C1 x.
        let [tx, ty, tz] = view_tint;
        for coeff in [-ty / SH_C1, tz / SH_C1, -tx / SH_C1] {
            c.sh_rest.extend_from_slice(&coeff.to_array());
        }
    }
}

fn hue(h: f32) -> Vec3 {
    let h = h.rem_euclid(1.0) * 6.0;
    let f = |n: f32| {
        let k = (n + h) % 6.0;
        1.0 - (k.min(4.0 - k).clamp(0.0, 1.0))
    };
    Vec3::new(f(5.0), f(3.0), f(1.0))
}

/// Rotation taking +z to `normal` (splats are flattened along their local z).
fn facing(normal: Vec3) -> Quat {
    Quat::from_rotation_arc(Vec3::Z, normal.normalize_or(Vec3::Z))
}

/// Generates the default scene (about 45k splats).
pub fn generate() -> SplatCloud {
    let mut rng = Rng(0x5EED_5A1A_7000_0001);
    let mut b = SceneBuilder {
        cloud: SplatCloud::new(1),
    };
    let none = [Vec3::ZERO; 3];
    let up = Vec3::NEG_Y;

    // Checkered floor: a disc of flat splats at y = 0.
    let grid = 150;
    for i in 0..grid {
        for j in 0..grid {
            let x = (i as f32 + rng.range(0.2, 0.8)) / grid as f32 * 8.0 - 4.0;
            let z = (j as f32 + rng.range(0.2, 0.8)) / grid as f32 * 8.0 - 4.0;
            let r = (x * x + z * z).sqrt();
            if r > 4.0 {
                continue;
            }
            let checker = ((x.floor() + z.floor()) as i32).rem_euclid(2) == 0;
            let base = if checker {
                Vec3::new(0.85, 0.82, 0.75)
            } else {
                Vec3::new(0.18, 0.2, 0.26)
            };
            let fade = 1.0 - (r / 4.0).powi(4);
            let jitter = rng.range(-0.03, 0.03);
            b.add(
                Vec3::new(x, 0.0, z),
                Vec3::new(0.035, 0.035, 0.004),
                facing(up),
                0.95 * fade,
                base + Vec3::splat(jitter),
                none,
            );
        }
    }

    // Sphere: hue by longitude, sheen that shifts with the view (SH degree 1).
    let sphere_center = Vec3::new(0.0, -1.1, 0.0);
    let sphere_count = 14_000;
    for k in 0..sphere_count {
        // Fibonacci sphere.
        let t = (k as f32 + 0.5) / sphere_count as f32;
        let polar = (1.0 - 2.0 * t).acos();
        let azimuth = PI * (1.0 + 5f32.sqrt()) * k as f32;
        let n = Vec3::new(
            polar.sin() * azimuth.cos(),
            polar.cos(),
            polar.sin() * azimuth.sin(),
        );
        let color = hue(n.z.atan2(n.x) / TAU) * 0.75 + Vec3::splat(0.15);
        let sheen = [
            Vec3::new(0.25, 0.0, -0.1),
            Vec3::new(0.0, 0.1, 0.2),
            Vec3::new(-0.1, 0.2, 0.0),
        ];
        b.add(
            sphere_center + n * 0.8,
            Vec3::new(0.028, 0.028, 0.006),
            facing(n) * Quat::from_rotation_z(rng.range(0.0, TAU)),
            0.97,
            color,
            sheen,
        );
    }

    // Golden ring around the sphere, tilted.
    let tilt = Quat::from_rotation_x(0.35) * Quat::from_rotation_z(-0.2);
    let ring_count = 9_000;
    for k in 0..ring_count {
        let a = k as f32 / ring_count as f32 * TAU;
        let tube = rng.range(0.0, TAU);
        let ring_dir = Vec3::new(a.cos(), 0.0, a.sin());
        let n = ring_dir * tube.cos() + Vec3::Y * tube.sin();
        let p = ring_dir * 1.45 + n * 0.09;
        let gold = Vec3::new(0.95, 0.72, 0.28) * rng.range(0.85, 1.05);
        let glint = [
            Vec3::new(0.15, 0.12, 0.0),
            Vec3::new(0.1, 0.08, 0.02),
            Vec3::new(0.0, 0.05, 0.05),
        ];
        b.add(
            sphere_center + tilt * p,
            Vec3::new(0.03, 0.012, 0.012),
            tilt * Quat::from_rotation_y(-a),
            0.9,
            gold,
            glint,
        );
    }

    // A rising spiral of glowing beads around the scene.
    let bead_count = 1_600;
    for k in 0..bead_count {
        let t = k as f32 / bead_count as f32;
        let a = t * TAU * 3.0;
        let radius = 2.6 - 0.8 * t;
        let p = Vec3::new(a.cos() * radius, -0.15 - 2.6 * t, a.sin() * radius);
        let size = rng.range(0.025, 0.05);
        b.add(
            p,
            Vec3::splat(size),
            Quat::IDENTITY,
            0.85,
            hue(0.55 + 0.4 * t) * 0.9 + Vec3::splat(0.1),
            none,
        );
    }

    // Soft halo to give the beads a glow.
    for k in 0..bead_count / 4 {
        let t = (4 * k) as f32 / bead_count as f32;
        let a = t * TAU * 3.0;
        let radius = 2.6 - 0.8 * t;
        let p = Vec3::new(a.cos() * radius, -0.15 - 2.6 * t, a.sin() * radius);
        b.add(
            p,
            Vec3::splat(0.12),
            Quat::IDENTITY,
            0.18,
            hue(0.55 + 0.4 * t),
            none,
        );
    }
    b.cloud
}

/// Where the default scene is: `assets/default_scene.ply` in the working
/// directory, beside the executable or in the source tree it was built from;
/// otherwise (an installed binary) it is generated once into the platform cache
/// directory (`dirs::cache_dir()/splatview/`) and opened from there.
pub fn default_scene_path() -> std::io::Result<std::path::PathBuf> {
    use std::path::{Path, PathBuf};
    let relative = Path::new("assets/default_scene.ply");
    let beside_exe = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|dir| dir.join(relative)));
    let candidates = [
        Some(relative.to_owned()),
        beside_exe,
        Some(Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)),
    ];
    if let Some(found) = candidates.into_iter().flatten().find(|p| p.is_file()) {
        return Ok(found);
    }
    let dir = dirs::cache_dir()
        .unwrap_or_else(std::env::temp_dir)
        .join("splatview");
    let path: PathBuf = dir.join("default_scene.ply");
    if !path.is_file() {
        std::fs::create_dir_all(&dir)?;
        write_default_scene(&path)?;
    }
    Ok(path)
}

/// Writes the generated default scene to `path` (through a temporary file, so a
/// reader never sees half a file).
pub fn write_default_scene(path: &std::path::Path) -> std::io::Result<()> {
    let partial = path.with_extension("ply.partial");
    let mut file = std::io::BufWriter::new(std::fs::File::create(&partial)?);
    crate::io::ply::write_gaussian_ply(&generate(), &mut file)?;
    std::io::Write::flush(&mut file)?;
    drop(file);
    std::fs::rename(&partial, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_consistent() {
        let a = generate();
        assert!(a.is_consistent());
        assert!(a.len() > 30_000 && a.len() < 60_000, "{}", a.len());
        assert_eq!(a, generate());
    }
}
