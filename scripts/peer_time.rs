// splatview's timing harness for web-splat (scripts/bench-peer.sh, docs/BENCHMARKS.md
// "Side by side with web-splat"). Not part of splatview's build: to use it,
//   1. fetch KeKsBoTer/web-splat (959a3ec) and its git dependencies rustgd/cgmath
//      and KeKsBoTer/splines next to it, and add to web-splat's Cargo.toml
//        [patch."https://github.com/rustgd/cgmath"]
//        cgmath = { path = "../cgmath" }
//        [patch."https://github.com/KeKsBoTer/splines"]
//        splines = { path = "../splines" }
//   2. copy this file to web-splat's src/bin/peer_time.rs and
//      `cargo build --release --bin peer_time` (3.5 min on 2 cores after its deps);
//   3. run `FRAMES=6 peer_time SCENE.ply cameras.json`.
// It renders camera 0 of an INRIA cameras.json at that camera's size through
// web-splat's library API (GaussianRenderer::prepare + render into an
// Rgba8Unorm target).
use cgmath::Vector2;
use std::{
    fs::File,
    time::{Duration, Instant},
};
use web_splats::{
    io, GaussianRenderer, PerspectiveCamera, PointCloud, Scene, SplattingArgs, WGPUContext,
};

#[pollster::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let frames: usize = std::env::var("FRAMES")
        .ok()
        .and_then(|f| f.parse().ok())
        .unwrap_or(6);
    let scene = Scene::from_json(File::open(&args[2]).unwrap()).unwrap();
    let ctx = WGPUContext::new_instance().await;
    let (device, queue) = (&ctx.device, &ctx.queue);
    let mut reader = std::io::BufReader::new(File::open(&args[1]).unwrap());
    let pc = PointCloud::new(
        device,
        io::GenericGaussianPointCloud::load(&mut reader).unwrap(),
    )
    .unwrap();
    let mut renderer = GaussianRenderer::new(
        device,
        queue,
        wgpu::TextureFormat::Rgba8Unorm,
        pc.sh_deg(),
        pc.compressed(),
    )
    .await;
    let cam0 = scene.camera(0).unwrap();
    let size = Vector2::new(cam0.width, cam0.height);
    let target = device.create_texture(&wgpu::TextureDescriptor {
        label: None,
        size: wgpu::Extent3d {
            width: size.x,
            height: size.y,
            depth_or_array_layers: 1,
        },
        mip_level_count: 1,
        sample_count: 1,
        dimension: wgpu::TextureDimension::D2,
        format: renderer.color_format(),
        usage: wgpu::TextureUsages::COPY_SRC | wgpu::TextureUsages::RENDER_ATTACHMENT,
        view_formats: &[],
    });
    let view = target.create_view(&Default::default());
    let mut frame = |renderer: &mut GaussianRenderer| {
        let mut camera: PerspectiveCamera = cam0.clone().into();
        camera.fit_near_far(pc.bbox());
        let mut encoder = device.create_command_encoder(&Default::default());
        renderer.prepare(
            &mut encoder,
            device,
            queue,
            &pc,
            SplattingArgs {
                camera,
                viewport: size,
                gaussian_scaling: 1.,
                max_sh_deg: pc.sh_deg(),
                mip_splatting: None,
                kernel_size: None,
                clipping_box: None,
                walltime: Duration::from_secs(100),
                scene_center: None,
                scene_extend: None,
                background_color: wgpu::Color::TRANSPARENT,
            },
            &mut None,
        );
        {
            let mut pass = encoder.begin_render_pass(&wgpu::RenderPassDescriptor {
                label: None,
                color_attachments: &[Some(wgpu::RenderPassColorAttachment {
                    view: &view,
                    resolve_target: None,
                    ops: wgpu::Operations {
                        load: wgpu::LoadOp::Clear(wgpu::Color::TRANSPARENT),
                        store: wgpu::StoreOp::Store,
                    },
                })],
                depth_stencil_attachment: None,
                timestamp_writes: None,
                occlusion_query_set: None,
            });
            renderer.render(&mut pass, &pc);
        }
        queue.submit(Some(encoder.finish()));
    };
    for _ in 0..2 {
        frame(&mut renderer);
        device.poll(wgpu::MaintainBase::Wait).unwrap();
    }
    let mut times = Vec::new();
    for _ in 0..frames {
        let t = Instant::now();
        frame(&mut renderer);
        device.poll(wgpu::MaintainBase::Wait).unwrap();
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(|a, b| a.partial_cmp(b).unwrap());
    println!("frame_ms_median {:.1}", times[times.len() / 2]);
    let t = Instant::now();
    for _ in 0..frames {
        frame(&mut renderer);
    }
    device.poll(wgpu::MaintainBase::Wait).unwrap();
    println!(
        "throughput_fps {:.2}",
        frames as f64 / t.elapsed().as_secs_f64()
    );
}
