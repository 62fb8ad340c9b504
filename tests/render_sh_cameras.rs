//! The GPU against the CPU reference where the other render tests do not look:
//! SH degrees 1 and 3, cameras rolled, pitched and yawed off the axes and looking
//! from several sides, and anisotropic intrinsics (fx != fy, principal point off
//! centre), with both rasterizers; and the project pass compared splat by splat
//! with `reference::project_splat` (centre, conic, colour, opacity, depth).
//!
//! Scenes: playbot (real SH degree 2) capped to degree 1, and playbot with a
//! degree-3 band added (deterministic pseudo-random coefficients, as large as its
//! degree-2 band), since no test file has real SH3. Each scene is checked to
//! depend on its highest band, so a GPU that ignored it would fail.

mod common;

use glam::{DVec2, DVec3, Mat4, Vec3};
use splatview::gpu::GpuContext;
use splatview::gpu::readback::read_buffer;
use splatview::metrics::psnr;
use splatview::reference::project::{extent_sigmas, project_splat};
use splatview::reference::{render_reference, to_rgb8};
use splatview::render::sort::SortBuffers;
use splatview::render::splat::gpu_data::{ProjectedSplat as GpuProjected, quantized_like_gpu};
use splatview::render::{Raster, ViewParams};
use splatview::scene::camera::world_from_camera_look_at;
use splatview::scene::{AaChoice, AaMode, PinholeCamera, SceneBounds, SplatCloud};

use common::{TestView, upload};

const WIDTH: u32 = 320;
const HEIGHT: u32 = 240;
const BACKGROUND: [f32; 3] = [0.1, 0.2, 0.3];
const MIN_PSNR_DB: f64 = 40.0;

fn playbot() -> SplatCloud {
    splatview::io::load_splat_file(&common::testdata("splats/playbot_l6.ply"))
        .unwrap_or_else(|e| panic!("{e}"))
}

/// A small deterministic generator (xorshift), values in -1..1.
fn noise(seed: u64) -> impl FnMut() -> f32 {
    let mut state = seed | 1;
    move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 40) as f32 / (1u64 << 23) as f32 - 1.0
    }
}

/// `cloud` (degree 2) at degree 3, the new band filled with pseudo-random
/// coefficients of the same RMS as the degree-2 band.
fn with_band3(cloud: &SplatCloud) -> SplatCloud {
    assert_eq!(cloud.sh_degree, 2);
    let band2: Vec<f32> = (0..cloud.len())
        .flat_map(|i| cloud.sh_rest_of(i)[9..24].to_vec())
        .collect();
    let rms = (band2.iter().map(|v| v * v).sum::<f32>() / band2.len() as f32).sqrt();
    eprintln!("playbot degree-2 SH RMS {rms:.4}");
    let mut out = cloud.with_sh_degree(3);
    let mut next = noise(0x5EED_0003);
    // Uniform in -1..1 has RMS 1/sqrt(3).
    let amplitude = rms * 3f32.sqrt();
    for splat in out.sh_rest.chunks_exact_mut(45) {
        for value in &mut splat[24..45] {
            *value = amplitude * next();
        }
    }
    out
}

/// Every third splat of guitar (30,285 real splats: many thin, some large, a
/// denser scene than playbot) at degree 3, its bands pseudo-random with an RMS
/// of 0.1 per coefficient in bands 1 and 2 and 0.5 in band 3 (guitar has only
/// the DC colour).
fn guitar_sh3() -> SplatCloud {
    let guitar = splatview::io::load_splat_file(&common::testdata("splats/guitar.decoded.ply"))
        .unwrap_or_else(|e| panic!("{e}"));
    let every_third: Vec<usize> = (0..guitar.len()).step_by(3).collect();
    let mut cloud = guitar.select(&every_third).with_sh_degree(3);
    let mut next = noise(0x5EED_0013);
    for splat in cloud.sh_rest.chunks_exact_mut(45) {
        for (j, value) in splat.iter_mut().enumerate() {
            // Rest coefficients 8..15 (values 24..45) are band 3: larger, so
            // that it shows in every view.
            let rms = if j >= 24 { 0.5 } else { 0.1 };
            *value = rms * 3f32.sqrt() * next();
        }
    }
    cloud
}

/// A camera at `eye` looking at `target` (world -y up in the image), rolled by
/// `roll` radians about its viewing axis, with focal lengths `fx`, `fy` and the
/// principal point at `(cx, cy)` as fractions of the image.
fn camera(
    eye: Vec3,
    target: Vec3,
    roll: f32,
    fx: f32,
    fy: f32,
    principal: (f32, f32),
) -> PinholeCamera {
    let world_from_camera =
        world_from_camera_look_at(eye, target, Vec3::NEG_Y) * Mat4::from_rotation_z(roll);
    PinholeCamera {
        fx,
        fy,
        cx: principal.0 * WIDTH as f32,
        cy: principal.1 * HEIGHT as f32,
        width: WIDTH,
        height: HEIGHT,
        world_from_camera,
    }
}

/// Four views from different sides (above, below, behind), none aligned with an
/// axis, each rolled, with fx != fy (ratios 0.8-1.35) and the principal point
/// off centre.
fn rotated_cameras(cloud: &SplatCloud) -> Vec<PinholeCamera> {
    let bounds = SceneBounds::robust(cloud).expect("bounds");
    let (center, radius) = (bounds.center(), bounds.radius());
    let f = 0.5 * HEIGHT as f32 / 0.45f32.tan();
    // (azimuth, elevation, distance in radii, roll, fx/f, fy/f, principal point)
    let views = [
        (
            0.7f32,
            0.45f32,
            2.3f32,
            0.35f32,
            1.3f32,
            1.0f32,
            (0.46f32, 0.55f32),
        ),
        (2.4, -0.6, 2.0, -0.8, 0.95, 1.2, (0.55, 0.42)),
        (-2.2, 1.1, 2.6, 2.6, 1.1, 0.82, (0.4, 0.6)),
        (4.0, -0.25, 1.6, -1.9, 1.35, 1.05, (0.58, 0.47)),
    ];
    views
        .iter()
        .map(|&(azimuth, elevation, distance, roll, sx, sy, principal)| {
            let direction = Vec3::new(
                elevation.cos() * azimuth.cos(),
                -elevation.sin(),
                elevation.cos() * azimuth.sin(),
            );
            // Aim a little off the centre, so the centre is not on the axis either.
            let target = center + Vec3::new(0.05, -0.03, 0.04) * radius;
            camera(
                center + direction * distance * radius,
                target,
                roll,
                f * sx,
                f * sy,
                principal,
            )
        })
        .collect()
}

fn reference_image(cloud: &SplatCloud, camera: &PinholeCamera) -> image::RgbImage {
    to_rgb8(
        &render_reference(cloud, camera, BACKGROUND, AaMode::Classic),
        camera.width,
        camera.height,
    )
}

/// Pixels that differ from the background: a view that shows little proves little.
fn lit_pixels(image: &image::RgbImage) -> usize {
    image.pixels().filter(|p| p.0 != [26, 51, 77]).count()
}

fn compare_with_reference(name: &str, cloud: &SplatCloud, lower_band: &SplatCloud) {
    let Some(ctx) = common::gpu() else { return };
    let scene = upload(ctx, cloud);
    let mut test = TestView::new(ctx);
    for (i, camera) in rotated_cameras(cloud).iter().enumerate() {
        let cpu = reference_image(cloud, camera);
        // The highest band must matter in this view, or the test could not see it:
        // a GPU that ignored it would score about this against the reference, so
        // it must be clearly below the bound.
        let without_band = psnr(&cpu, &reference_image(lower_band, camera)).expect("same size");
        assert!(
            without_band < MIN_PSNR_DB - 2.0,
            "{name} view {i}: the highest SH band changes little ({without_band:.2} dB)"
        );
        let lit = lit_pixels(&cpu);
        assert!(
            lit > (WIDTH * HEIGHT / 50) as usize,
            "{name} view {i}: only {lit} pixels show the scene"
        );
        for raster in [Raster::Hardware, Raster::Compute] {
            let params = ViewParams {
                raster,
                background: BACKGROUND,
                aa: AaChoice::Classic,
                ..ViewParams::new(*camera)
            };
            let gpu = test.render(ctx, &scene, &params);
            assert_eq!(test.view.view.last_raster(), Some(raster));
            let db = psnr(&gpu, &cpu).expect("same size");
            eprintln!(
                "{name} view {i} (fx {:.1}, fy {:.1}): {} vs CPU reference {db:.2} dB \
                 (without the highest band: {without_band:.2} dB)",
                camera.fx,
                camera.fy,
                raster.name()
            );
            if db < MIN_PSNR_DB {
                let dir = std::env::temp_dir();
                let _ = gpu.save(dir.join(format!("{name}-{i}-{}.png", raster.name())));
                let _ = cpu.save(dir.join(format!("{name}-{i}-cpu.png")));
            }
            assert!(
                db >= MIN_PSNR_DB,
                "{name} view {i}, {}: {db:.2} dB < {MIN_PSNR_DB} dB",
                raster.name()
            );
        }
    }
}

#[test]
fn sh1_rotated_anisotropic_cameras_match_reference() {
    let cloud = playbot().with_sh_degree(1);
    compare_with_reference("playbot SH1", &cloud, &cloud.with_sh_degree(0));
}

#[test]
fn sh3_rotated_anisotropic_cameras_match_reference() {
    let cloud = with_band3(&playbot());
    compare_with_reference("playbot SH3", &cloud, &cloud.with_sh_degree(2));
}

#[test]
fn guitar_sh3_rotated_anisotropic_cameras_match_reference() {
    let cloud = guitar_sh3();
    compare_with_reference("guitar SH3", &cloud, &cloud.with_sh_degree(2));
}

/// One splat as the GPU's project pass wrote it, decoded.
#[derive(Debug)]
struct GpuSplat {
    center: DVec2,
    conic: DVec3,
    color: DVec3,
    opacity: f64,
}

fn decode(p: &GpuProjected) -> GpuSplat {
    let halves = |word: u32| {
        [
            half::f16::from_bits(word as u16).to_f64(),
            half::f16::from_bits((word >> 16) as u16).to_f64(),
        ]
    };
    let [r, g] = halves(p.packed[1]);
    let [b, opacity] = halves(p.packed[2]);
    let c = p.center_conic_ab.map(f64::from);
    GpuSplat {
        center: DVec2::new(c[0], c[1]),
        conic: DVec3::new(c[2], c[3], f64::from(f32::from_bits(p.packed[0]))),
        color: DVec3::new(r, g, b),
        opacity,
    }
}

/// The project pass's output for `camera`: per splat index, what it wrote and its
/// depth, `None` where it culled the splat. With 32-bit keys the sorted key of a
/// visible splat is the bitwise NOT of its depth's float bits
/// (shaders/splat_compact.wgsl), so the sort's result gives each visible splat's
/// index and exact depth.
fn gpu_projection(
    ctx: &GpuContext,
    cloud: &SplatCloud,
    camera: &PinholeCamera,
) -> Vec<Option<(GpuSplat, f64)>> {
    let scene = upload(ctx, cloud);
    let mut test = TestView::new(ctx);
    let params = ViewParams {
        raster: Raster::Hardware,
        sort_key_bits: 32,
        aa: AaChoice::Classic,
        ..ViewParams::new(*camera)
    };
    test.render(ctx, &scene, &params);
    let working = test.view.view.working().expect("working buffers");
    let read = |buffer: &wgpu::Buffer, size: u64| {
        read_buffer(&ctx.device, &ctx.queue, buffer, 0, size).expect("read back")
    };
    let state = read(&working.frame_state, 16);
    let visible = u32::from_le_bytes([state[8], state[9], state[10], state[11]]) as usize;
    let result = SortBuffers::result_index(4);
    let words = |bytes: Vec<u8>| -> Vec<u32> {
        bytes
            .chunks_exact(4)
            .map(|w| u32::from_le_bytes([w[0], w[1], w[2], w[3]]))
            .collect()
    };
    let keys = words(read(&working.sort.keys[result], visible as u64 * 4));
    let indices = words(read(&working.sort.values[result], visible as u64 * 4));
    let n = cloud.len();
    let projected: Vec<GpuProjected> =
        read(&working.projected, (n * size_of::<GpuProjected>()) as u64)
            .chunks_exact(size_of::<GpuProjected>())
            .map(bytemuck::pod_read_unaligned)
            .collect();
    let mut out: Vec<Option<(GpuSplat, f64)>> = (0..n).map(|_| None).collect();
    for (&key, &index) in keys.iter().zip(&indices) {
        let slot = &mut out[index as usize];
        assert!(slot.is_none(), "splat {index} sorted twice");
        let depth = f64::from(f32::from_bits(!key));
        *slot = Some((decode(&projected[index as usize]), depth));
    }
    out
}

/// Largest relative change of the Gaussian's exponent dᵀ C d over all offsets d
/// when the conic C = `reference` becomes `gpu`: the largest |eigenvalue| of
/// Σ^½ (C_gpu - C_ref) Σ^½ with Σ = C_ref⁻¹ (the eigenvalues of ΔC Σ). Scale
/// free: 1e-3 changes alpha by 0.45% at the 3-sigma edge (exponent 4.5).
fn conic_error(gpu: DVec3, reference: DVec3) -> f64 {
    let (a, b, c) = (reference.x, reference.y, reference.z);
    let det = a * c - b * b;
    // Σ = [[c, -b], [-b, a]] / det.
    let sigma = [[c / det, -b / det], [-b / det, a / det]];
    let d = gpu - reference;
    let delta = [[d.x, d.y], [d.y, d.z]];
    let mut m = [[0.0; 2]; 2];
    for (r, row) in m.iter_mut().enumerate() {
        for (k, value) in row.iter_mut().enumerate() {
            *value = delta[r][0] * sigma[0][k] + delta[r][1] * sigma[1][k];
        }
    }
    let trace = m[0][0] + m[1][1];
    let det_m = m[0][0] * m[1][1] - m[0][1] * m[1][0];
    let disc = (0.25 * trace * trace - det_m).max(0.0).sqrt();
    (0.5 * trace).abs() + disc
}

/// The project pass splat by splat against `reference::project_splat` on the SH3
/// scene from rotated fx != fy cameras. The reference projects the cloud
/// quantized exactly as the GPU stores it (f16 log scales and SH, snorm16
/// quaternions), so what remains is f32 against f64 arithmetic and the f16
/// packing of the output.
#[test]
fn project_pass_matches_reference_splat_by_splat() {
    let Some(ctx) = common::gpu() else { return };
    for (name, cloud) in [
        ("playbot SH3", with_band3(&playbot())),
        ("guitar SH3", guitar_sh3()),
    ] {
        compare_projection(ctx, name, &cloud);
    }
}

fn compare_projection(ctx: &GpuContext, name: &str, cloud: &SplatCloud) {
    let quantized = quantized_like_gpu(cloud);
    // Tolerances, each a few times the f32 (eps 6e-8) or f16 rounding it
    // allows for; measured on lavapipe (2026-11-30), worst of 4 views:
    // - centre: f32 view transform, division and principal point, centres
    //   within ~500 px: 2e-4 px (measured 3.2e-5 px);
    // - conic: f32 covariance, projection, determinant and inverse: relative
    //   exponent error 3e-4 (measured 4.3e-5; see `conic_error`);
    // - colour and opacity: f16 output, round to nearest: relative 2^-11, plus
    //   2e-5 for the f32 SH sum and sigmoid (measured 9.6e-4 on colours up to
    //   ~3.9, 2.4e-4 on opacities below 1: exactly half an f16 step);
    // - depth: the f32 camera-space z (exact bits, through the 32-bit sort keys)
    //   against f64: relative 1e-6 (measured 1.7e-7).
    const CENTER_PX: f64 = 2e-4;
    const CONIC_REL: f64 = 3e-4;
    const F16_REL: f64 = 1.0 / 2048.0;
    const F32_ABS: f64 = 2e-5;
    const DEPTH_REL: f64 = 1e-6;
    for (view, camera) in rotated_cameras(cloud).iter().enumerate() {
        let gpu = gpu_projection(ctx, cloud, camera);
        let mut worst = [0.0f64; 5];
        let (mut compared, mut borderline, mut opacity_boundary, mut only_gpu) = (0, 0, 0, 0);
        for (i, gpu_splat) in gpu.iter().enumerate() {
            let reference = project_splat(&quantized, i, camera, AaMode::Classic);
            let (gpu_splat, depth, reference) = match (gpu_splat, reference) {
                (Some((g, depth)), Some(r)) => (g, *depth, r),
                (None, None) => continue,
                (g, r) => {
                    // Culled on one side only: allowed only at a culling boundary
                    // (the box's edge within 0.01 px of a pixel centre outside
                    // the image, or opacity within 1e-5 of 1/255), where f32 and
                    // f64 may decide differently.
                    let (center, half, opacity) = match (g, r) {
                        (_, Some(r)) => (r.center, r.bbox_half(), r.opacity),
                        (Some((g, _)), None) => {
                            // The box as the shader computes it, from the GPU's conic.
                            let (a, b, c) = (g.conic.x, g.conic.y, g.conic.z);
                            let det = a * c - b * b;
                            let k = extent_sigmas(g.opacity);
                            (
                                g.center,
                                k * DVec2::new((c / det).sqrt(), (a / det).sqrt()),
                                g.opacity,
                            )
                        }
                        (None, None) => unreachable!(),
                    };
                    let (w, h) = (f64::from(camera.width), f64::from(camera.height));
                    let margins = [
                        center.x + half.x - 0.5,
                        center.y + half.y - 0.5,
                        w - 0.5 - (center.x - half.x),
                        h - 0.5 - (center.y - half.y),
                    ];
                    let at_edge = margins.iter().any(|m| m.abs() < 0.01);
                    let at_min_opacity = (opacity - 1.0 / 255.0).abs() < 1e-5;
                    if at_min_opacity {
                        opacity_boundary += 1;
                    }
                    if g.is_some() {
                        only_gpu += 1;
                    }
                    let near_edge = at_edge || at_min_opacity;
                    assert!(
                        near_edge,
                        "{name} view {view}, splat {i}: GPU {} but reference {}",
                        if g.is_some() { "visible" } else { "culled" },
                        if g.is_some() { "culled" } else { "visible" },
                    );
                    borderline += 1;
                    continue;
                }
            };
            compared += 1;
            let errors = [
                (gpu_splat.center - reference.center).abs().max_element(),
                conic_error(gpu_splat.conic, reference.conic),
                (gpu_splat.color - reference.color).abs().max_element(),
                (gpu_splat.opacity - reference.opacity).abs(),
                (depth - reference.depth).abs() / reference.depth,
            ];
            for (w, e) in worst.iter_mut().zip(errors) {
                *w = w.max(e);
            }
            let f16_tolerance = |v: f64| v.abs() * F16_REL + F32_ABS;
            let tolerances = [
                CENTER_PX,
                CONIC_REL,
                f16_tolerance(reference.color.max_element()),
                f16_tolerance(reference.opacity),
                DEPTH_REL,
            ];
            let names = ["centre", "conic", "colour", "opacity", "depth"];
            for ((e, t), what) in errors.iter().zip(tolerances).zip(names) {
                assert!(
                    *e <= t,
                    "{name} view {view}, splat {i}: {what} off by {e:.3e} (> {t:.2e}): \
                     GPU {gpu_splat:?} depth {depth}, reference {reference:?}"
                );
            }
        }
        eprintln!(
            "{name} view {view}: {compared} splats compared, {borderline} culled on one side at a \
             boundary ({opacity_boundary} at opacity 1/255, {only_gpu} drawn by the GPU only); worst centre {:.2e} px, conic {:.2e} (relative exponent), colour \
             {:.2e}, opacity {:.2e}, depth {:.2e} (relative)",
            worst[0], worst[1], worst[2], worst[3], worst[4]
        );
        assert!(
            compared > cloud.len() / 2,
            "{name} view {view}: only {compared} of {} splats visible",
            cloud.len()
        );
    }
}
