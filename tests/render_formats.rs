//! The same scene from different file formats renders alike on the GPU, and a
//! streamed load ends with the same GPU data as a one-shot load.

mod common;

use std::time::Duration;

use splatview::controls::OrbitCamera;
use splatview::gpu::readback::read_buffer;
use splatview::headless::render_cloud;
use splatview::io::stream::{LoadMessage, StreamingLoad};
use splatview::metrics::psnr;
use splatview::render::SplatScene;
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
