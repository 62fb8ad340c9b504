//! The same scene from different file formats renders alike on the GPU, and a
//! streamed load ends with the same GPU data as a one-shot load.

mod common;

use std::time::Duration;

use splatview::controls::OrbitCamera;
use splatview::gpu::readback::read_buffer;
use splatview::headless::render_cloud;
use splatview::io::stream::{LoadMessage, StreamingLoad};
use splatview::metrics::psnr;
use splatview::render::{Raster, SplatScene, ViewParams};
use splatview::scene::{SceneBounds, SplatCloud};

const MIN_LOSSY_PSNR_DB: f64 = 35.0;

fn load(name: &str) -> SplatCloud {
    splatview::io::load_splat_file(&common::testdata(&format!("splats/{name}")))
        .unwrap_or_else(|e| panic!("{e}"))
}

fn compare_formats(reference: &str, others: &[&str]) {
    let Some(ctx) = common::gpu() else { return };
    let base = load(reference);
    let mut orbit = OrbitCamera::framing(SceneBounds::robust(&base), 16.0 / 9.0);
    let mut views = Vec::new();
    for yaw in [0.0, 2.1] {
        orbit.yaw = yaw;
        views.push(orbit.camera(320, 180));
    }
    for other_name in others {
        let other = load(other_name);
        for (i, camera) in views.iter().enumerate() {
            let a = render_cloud(ctx, &base, camera, [0.0; 3]).expect("render");
            let b = render_cloud(ctx, &other, camera, [0.0; 3]).expect("render");
            let db = psnr(&a, &b).expect("same size");
            eprintln!("{other_name} vs {reference}, view {i}: {db:.2} dB");
            assert!(
                db >= MIN_LOSSY_PSNR_DB,
                "{other_name} vs {reference}, view {i}: {db:.2} dB < {MIN_LOSSY_PSNR_DB} dB"
            );
        }
    }
}

#[test]
fn guitar_formats_render_alike() {
    compare_formats(
        "guitar.decoded.ply",
        &["guitar.compressed.ply", "guitar.splat", "guitar.c1.ksplat"],
    );
}

#[test]
fn biker_formats_render_alike() {
    compare_formats("biker.ply", &["biker.compressed.ply", "biker.spz"]);
}

/// The float PLYs of guitar and biker were decoded from their compressed PLYs
/// (testdata README, docs/FORMATS.md: "they must agree to float rounding"), so
/// both files give the same GPU data and the same pixels (`==`), with either
/// rasterizer, from the two views of `compare_formats`.
#[test]
fn compressed_ply_renders_identical_to_its_decoded_ply() {
    let Some(ctx) = common::gpu() else { return };
    for (decoded, compressed) in [
        ("guitar.decoded.ply", "guitar.compressed.ply"),
        ("biker.ply", "biker.compressed.ply"),
    ] {
        let (a, b) = (load(decoded), load(compressed));
        assert_eq!(a.len(), b.len(), "{compressed}: splat count");
        eprintln!(
            "{compressed} vs {decoded}: {}",
            attribute_differences(&a, &b)
        );
        let mut orbit = OrbitCamera::framing(SceneBounds::robust(&a), 16.0 / 9.0);
        for (i, yaw) in [0.0, 2.1].into_iter().enumerate() {
            orbit.yaw = yaw;
            let camera = orbit.camera(320, 180);
            for raster in [Raster::Hardware, Raster::Compute] {
                let params = ViewParams {
                    raster,
                    ..ViewParams::new(camera)
                };
                let image_a = common::render_params(ctx, &a, &params);
                let image_b = common::render_params(ctx, &b, &params);
                let db = psnr(&image_a, &image_b).expect("same size");
                let differing = image_a
                    .pixels()
                    .zip(image_b.pixels())
                    .filter(|(p, q)| p != q)
                    .count();
                eprintln!(
                    "{compressed} vs {decoded}, view {i}, {}: {differing} pixels differ ({db:.2} dB)",
                    raster.name()
                );
                assert!(
                    image_a == image_b,
                    "{compressed} vs {decoded}, view {i}, {}: {differing} pixels differ ({db:.2} dB)",
                    raster.name()
                );
            }
        }
    }
}

/// Per attribute, how many splats of `b` differ from `a` in their f32 bits, and
/// the largest difference: what to look at when two files that should decode
/// alike render differently.
fn attribute_differences(a: &SplatCloud, b: &SplatCloud) -> String {
    fn count<const N: usize>(x: &[[f32; N]], y: &[[f32; N]]) -> (usize, f32) {
        let mut differing = 0;
        let mut largest = 0.0f32;
        for (p, q) in x.iter().zip(y) {
            if p.iter().zip(q).any(|(u, v)| u.to_bits() != v.to_bits()) {
                differing += 1;
            }
            for (u, v) in p.iter().zip(q) {
                let d = (u - v).abs();
                if d.is_finite() {
                    largest = largest.max(d);
                }
            }
        }
        (differing, largest)
    }
    let opacity: (Vec<[f32; 1]>, Vec<[f32; 1]>) = (
        a.opacity_logits.iter().map(|&v| [v]).collect(),
        b.opacity_logits.iter().map(|&v| [v]).collect(),
    );
    let parts = [
        ("positions", count(&a.positions, &b.positions)),
        ("log scales", count(&a.log_scales, &b.log_scales)),
        ("rotations", count(&a.rotations, &b.rotations)),
        ("opacity logits", count(&opacity.0, &opacity.1)),
        ("DC colours", count(&a.sh_dc, &b.sh_dc)),
    ];
    parts
        .iter()
        .map(|(name, (n, d))| format!("{name}: {n} splats differ (max {d:.3e})"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[test]
fn streamed_gpu_data_equals_one_shot() {
    let Some(ctx) = common::gpu() else { return };
    let path = common::testdata("splats/biker.ply");
    let load = StreamingLoad::spawn(path.clone());
    let mut streamed: Option<SplatScene> = None;
    let mut chunks = 0;
    loop {
        match load
            .recv_timeout(Duration::from_secs(60))
            .expect("loader message")
        {
            LoadMessage::Started {
                total_splats,
                sh_degree,
                aa_hint,
                ..
            } => {
                let aa = aa_hint.mode;
                streamed = Some(
                    SplatScene::with_capacity(&ctx.device, total_splats, sh_degree, aa)
                        .expect("allocate"),
                );
            }
            LoadMessage::Chunk { splats, .. } => {
                chunks += 1;
                streamed
                    .as_mut()
                    .expect("Started comes first")
                    .append(&ctx.queue, &splats)
                    .expect("append");
            }
            LoadMessage::Progress(_) => {}
            LoadMessage::Finished { .. } => break,
            LoadMessage::Failed(err) => panic!("{err}"),
            LoadMessage::Cancelled => panic!("cancelled"),
        }
    }
    let streamed = streamed.expect("scene");
    assert!(
        chunks > 1,
        "biker should arrive in several chunks, got {chunks}"
    );
    let one_shot = SplatScene::new(
        &ctx.device,
        &splatview::io::load_splat_file(&path).expect("load"),
    )
    .expect("upload");
    assert_eq!(streamed.splat_count(), one_shot.splat_count());
    for (name, a, b, bytes_per_splat) in [
        (
            "attributes",
            streamed.splat_buffer(),
            one_shot.splat_buffer(),
            32u64,
        ),
        (
            "SH",
            streamed.sh_buffer(),
            one_shot.sh_buffer(),
            u64::from(one_shot.sh_words_per_splat()) * 4,
        ),
    ] {
        let size = u64::from(one_shot.splat_count()) * bytes_per_splat;
        let a = read_buffer(&ctx.device, &ctx.queue, a, 0, size).expect("read");
        let b = read_buffer(&ctx.device, &ctx.queue, b, 0, size).expect("read");
        assert!(a == b, "streamed {name} differ from the one-shot upload");
    }
}
