//! The anti-aliasing modes on the GPU, with both rasterizers (quads and compute
//! tiles), against the CPU reference in the same mode, on the wall of small
//! Gaussians seen from near and from far (`common::aa_scene`). Far away, where the
//! modes differ most, the GPU's analytic image must be closer to the analytic
//! reference than to the mip and classic ones (a silent fallback fails), and
//! classic must stay far from mip. Files that ask for mip (brush's PLY comment,
//! a `filter_3D` property) must draw as mip under `auto`.

mod common;

use std::path::Path;

use common::aa_scene::{far_camera, near_camera, wall_of_small_splats};
use common::{TestView, upload};
use splatview::gpu::GpuContext;
use splatview::metrics::psnr;
use splatview::reference::{render_reference, to_rgb8};
use splatview::render::{Raster, SplatScene, ViewParams};
use splatview::scene::{AaChoice, AaHint, AaMode, PinholeCamera, SplatCloud};

const WIDTH: u32 = 320;
const HEIGHT: u32 = 180;
const BACKGROUND: [f32; 3] = [0.1, 0.2, 0.3];
const MIN_PSNR_DB: f64 = 40.0;
/// Largest per-pixel difference (8-bit) for isolated splats: lavapipe gives 2
/// in the point-sampled modes (the 45° needle: f32 against f64).
const MAX_PIXEL_DIFF: u8 = 3;
const RASTERS: [Raster; 2] = [Raster::Hardware, Raster::Compute];

fn gpu_render(
    ctx: &GpuContext,
    test: &mut TestView,
    scene: &SplatScene,
    camera: &PinholeCamera,
    raster: Raster,
    aa: AaChoice,
) -> image::RgbImage {
    let params = ViewParams {
        raster,
        background: BACKGROUND,
        aa,
        ..ViewParams::new(*camera)
    };
    let image = test.render(ctx, scene, &params);
    assert_eq!(test.view.view.last_raster(), Some(raster));
    image
}

fn reference(cloud: &SplatCloud, camera: &PinholeCamera, mode: AaMode) -> image::RgbImage {
    to_rgb8(
        &render_reference(cloud, camera, BACKGROUND, mode),
        WIDTH,
        HEIGHT,
    )
}

fn mode_index(mode: AaMode) -> usize {
    AaMode::ALL.iter().position(|&m| m == mode).expect("a mode")
}

fn db(a: &image::RgbImage, b: &image::RgbImage) -> f64 {
    psnr(a, b).expect("same size")
}

/// Every mode, both rasterizers, near and far: GPU vs the reference in that
/// mode at >= 40 dB. Far away, the analytic GPU image must also be closer to
/// the analytic reference than to the mip and classic references. All numbers
/// are printed before any assertion fails.
#[test]
fn every_mode_matches_the_reference_on_both_rasterizers() {
    let Some(ctx) = common::gpu() else { return };
    let cloud = wall_of_small_splats();
    let scene = upload(ctx, &cloud);
    let mut test = TestView::new(ctx);
    let mut failures = Vec::new();
    for (view, camera) in [
        ("near", near_camera(WIDTH, HEIGHT)),
        ("far", far_camera(WIDTH, HEIGHT)),
    ] {
        let refs: Vec<_> = AaMode::ALL
            .iter()
            .map(|&m| reference(&cloud, &camera, m))
            .collect();
        for (m, &mode) in AaMode::ALL.iter().enumerate() {
            for raster in RASTERS {
                let gpu = gpu_render(ctx, &mut test, &scene, &camera, raster, mode.into());
                let own = db(&gpu, &refs[m]);
                let others: Vec<String> = AaMode::ALL
                    .iter()
                    .zip(&refs)
                    .filter(|(other, _)| **other != mode)
                    .map(|(other, r)| format!("{} {:.2}", other.name(), db(&gpu, r)))
                    .collect();
                eprintln!(
                    "{view} {:11} {:8}: {own:.2} dB vs its reference (vs {})",
                    mode.name(),
                    raster.name(),
                    others.join(", ")
                );
                if let Some(dir) = std::env::var_os("SPLATVIEW_SAVE_AA") {
                    let path = Path::new(&dir).join(format!(
                        "aa-gpu-{view}-{}-{}.png",
                        mode.name(),
                        raster.name()
                    ));
                    gpu.save(&path).expect("save");
                }
                if own < MIN_PSNR_DB {
                    failures.push(format!(
                        "{view} {} {}: {own:.2} dB",
                        mode.name(),
                        raster.name()
                    ));
                }
                if mode == AaMode::Analytic && view == "far" {
                    for other in [AaMode::Mip, AaMode::Classic] {
                        let other_db = db(&gpu, &refs[mode_index(other)]);
                        if other_db >= own {
                            failures.push(format!(
                                "far analytic {}: {own:.2} dB to the analytic reference, {other_db:.2} dB to {}",
                                raster.name(),
                                other.name()
                            ));
                        }
                    }
                }
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

/// Far away, classic and mip must be far apart on the GPU too (the CPU
/// reference: 15.6 dB), with either rasterizer: a mode that silently falls back
/// to classic fails.
#[test]
fn far_away_classic_and_mip_differ_on_the_gpu() {
    let Some(ctx) = common::gpu() else { return };
    let cloud = wall_of_small_splats();
    let scene = upload(ctx, &cloud);
    let mut test = TestView::new(ctx);
    let camera = far_camera(WIDTH, HEIGHT);
    for raster in RASTERS {
        let classic = gpu_render(ctx, &mut test, &scene, &camera, raster, AaChoice::Classic);
        let mip = gpu_render(ctx, &mut test, &scene, &camera, raster, AaChoice::Mip);
        let apart = db(&classic, &mip);
        eprintln!("far, {}: classic vs mip {apart:.2} dB", raster.name());
        assert!(
            apart <= 20.0,
            "{}: classic vs mip {apart:.2} dB",
            raster.name()
        );
    }
}

/// A binary little-endian 3DGS PLY of `cloud` (SH degree 0) with a `filter_3D`
/// property of `filter` for every splat, as Mip-Splatting's `save_ply` writes.
fn ply_with_filter_3d(cloud: &SplatCloud, filter: f32) -> Vec<u8> {
    let props = [
        "x",
        "y",
        "z",
        "f_dc_0",
        "f_dc_1",
        "f_dc_2",
        "opacity",
        "scale_0",
        "scale_1",
        "scale_2",
        "rot_0",
        "rot_1",
        "rot_2",
        "rot_3",
        "filter_3D",
    ];
    let mut header = format!(
        "ply\nformat binary_little_endian 1.0\nelement vertex {}\n",
        cloud.len()
    );
    for p in props {
        header.push_str(&format!("property float {p}\n"));
    }
    header.push_str("end_header\n");
    let mut bytes = header.into_bytes();
    for i in 0..cloud.len() {
        let values = cloud.positions[i]
            .iter()
            .chain(&cloud.sh_dc[i])
            .chain(std::iter::once(&cloud.opacity_logits[i]))
            .chain(&cloud.log_scales[i])
            .chain(&cloud.rotations[i])
            .chain(std::iter::once(&filter));
        for v in values {
            bytes.extend_from_slice(&v.to_le_bytes());
        }
    }
    bytes
}

/// A brush PLY (`comment SplatRenderMode: mip`) and a Mip-Splatting PLY with a
/// `filter_3D` property, loaded from bytes, draw under `auto` exactly as with an
/// explicit mip, and far from classic and antialiased, with both rasterizers.
#[test]
fn mip_files_render_as_mip_under_auto() {
    let Some(ctx) = common::gpu() else { return };
    let mut brush = wall_of_small_splats();
    brush.set_aa_hint(AaHint::new(AaMode::Mip, "test"));
    let mut brush_ply = Vec::new();
    splatview::io::ply::write_gaussian_ply(&brush, &mut brush_ply).expect("write");
    assert!(
        String::from_utf8_lossy(&brush_ply[..400]).contains("comment SplatRenderMode: mip"),
        "the writer should write brush's comment"
    );
    let filter_ply = ply_with_filter_3d(&wall_of_small_splats(), 0.005);
    let camera = far_camera(WIDTH, HEIGHT);
    let mut test = TestView::new(ctx);
    for (name, bytes) in [("brush.ply", brush_ply), ("filter3d.ply", filter_ply)] {
        let cloud = splatview::io::load_splat_bytes(Path::new(name), &bytes)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(
            cloud.aa_hint.mode,
            AaMode::Mip,
            "{name}: {}",
            cloud.aa_hint.reason
        );
        let scene = upload(ctx, &cloud);
        assert_eq!(scene.aa_mode(), AaMode::Mip, "{name}: the scene's mode");
        for raster in RASTERS {
            let auto = gpu_render(ctx, &mut test, &scene, &camera, raster, AaChoice::Auto);
            let render =
                |test: &mut TestView, aa| gpu_render(ctx, test, &scene, &camera, raster, aa);
            let mip = render(&mut test, AaChoice::Mip);
            let classic = render(&mut test, AaChoice::Classic);
            let antialiased = render(&mut test, AaChoice::Antialiased);
            let (to_classic, to_antialiased) = (db(&auto, &classic), db(&auto, &antialiased));
            eprintln!(
                "{name} {}: auto vs mip {:.2} dB, vs classic {to_classic:.2} dB, vs antialiased {to_antialiased:.2} dB",
                raster.name(),
                db(&auto, &mip)
            );
            assert!(
                auto == mip,
                "{name} {}: auto differs from mip",
                raster.name()
            );
            assert!(to_classic <= 20.0 && to_antialiased < MIN_PSNR_DB, "{name}");
        }
    }
}

/// Isolated splats of known pixel shapes, white on black, facing the camera:
/// (σ1, σ2) in pixels, rotation in degrees, opacity.
const SHAPES: [(f32, f32, f32, f32); 8] = [
    (0.2, 0.2, 0.0, 1.0),
    (1.0, 1.0, 0.0, 1.0),
    (4.0, 2.5, 30.0, 1.0),
    (6.0, 0.3, 45.0, 1.0),
    (0.5, 0.05, 20.0, 1.0),
    (3.0, 3.0, 0.0, 0.3),
    (2.0, 0.6, -60.0, 0.8),
    (0.35, 0.15, 70.0, 0.6),
];

/// `SHAPES` on a 4 x 2 grid, 40 px apart, in the plane z = 0, and the camera 5
/// units in front of it (160 x 80 px).
fn isolated_splats() -> (SplatCloud, PinholeCamera) {
    let (width, height) = (160, 80);
    let camera = PinholeCamera::look_at(
        glam::Vec3::new(0.0, 0.0, -5.0),
        glam::Vec3::ZERO,
        glam::Vec3::NEG_Y,
        0.9,
        width,
        height,
    );
    let world_per_px = 5.0 / camera.fy;
    let mut cloud = SplatCloud::new(0);
    for (i, &(s1, s2, degrees, opacity)) in SHAPES.iter().enumerate() {
        let (col, row) = ((i % 4) as f32, (i / 4) as f32);
        let px = glam::Vec2::new(20.0 + 40.0 * col, 20.0 + 40.0 * row)
            - glam::Vec2::new(width as f32, height as f32) * 0.5;
        cloud
            .positions
            .push([px.x * world_per_px, px.y * world_per_px, 0.0]);
        cloud
            .log_scales
            .push([s1 * world_per_px, s2 * world_per_px, 1e-4].map(f32::ln));
        let q = glam::Quat::from_rotation_z(degrees.to_radians());
        cloud.rotations.push([q.w, q.x, q.y, q.z]);
        cloud.opacity_logits.push(if opacity >= 1.0 {
            12.0
        } else {
            (opacity / (1.0 - opacity)).ln()
        });
        cloud.sh_dc.push([0.5 / 0.282_094_8; 3]);
    }
    assert!(cloud.is_consistent());
    (cloud, camera)
}

/// Per pixel, not only on average: isolated splats of many shapes match the
/// reference within 3 of 255 at every pixel in every mode with both
/// rasterizers, so a quad or a tile range that misses pixels the reference
/// draws (alpha >= 1/255 at the edge of the extent) fails.
#[test]
fn isolated_splats_match_the_reference_at_every_pixel() {
    let Some(ctx) = common::gpu() else { return };
    let (cloud, camera) = isolated_splats();
    let scene = upload(ctx, &cloud);
    let mut test = TestView::new(ctx);
    let mut failures = Vec::new();
    for mode in AaMode::ALL {
        let cpu = to_rgb8(
            &render_reference(&cloud, &camera, [0.0; 3], mode),
            camera.width,
            camera.height,
        );
        for raster in RASTERS {
            let params = ViewParams {
                raster,
                aa: mode.into(),
                ..ViewParams::new(camera)
            };
            let gpu = test.render(ctx, &scene, &params);
            let (worst, at) = gpu
                .enumerate_pixels()
                .map(|(x, y, p)| {
                    let q = cpu.get_pixel(x, y);
                    let diff = (0..3).map(|c| p[c].abs_diff(q[c])).max().unwrap_or(0);
                    (diff, (x, y))
                })
                .max()
                .unwrap_or((0, (0, 0)));
            eprintln!(
                "isolated {:11} {:8}: largest difference {worst}/255 at {at:?}",
                mode.name(),
                raster.name()
            );
            if worst > MAX_PIXEL_DIFF {
                failures.push(format!(
                    "{} {}: {worst} at {at:?}",
                    mode.name(),
                    raster.name()
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}
