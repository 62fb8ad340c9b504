//! The non-blocking read-back the window uses for the visible count and the
//! compute rasterizer's pair count, and the pass timings' read-back.

mod common;

use std::time::{Duration, Instant};

use splatview::gpu::profiler::{FramePass, GpuProfiler};
use splatview::gpu::readback::AsyncReadback;
use wgpu::util::DeviceExt;

#[test]
fn async_readback_returns_each_copy_once() {
    let Some(ctx) = common::gpu() else { return };
    let source = ctx
        .device
        .create_buffer_init(&wgpu::util::BufferInitDescriptor {
            label: Some("source"),
            contents: bytemuck::cast_slice(&[7u32, 11, 13, 17]),
            usage: wgpu::BufferUsages::COPY_SRC | wgpu::BufferUsages::COPY_DST,
        });
    let mut readback = AsyncReadback::new(&ctx.device, "test readback", 8);
    assert_eq!(readback.poll(), None, "nothing copied yet");

    let frame = |readback: &mut AsyncReadback| {
        let mut encoder = ctx.device.create_command_encoder(&Default::default());
        readback.record_copy(&mut encoder, &source, 4);
        ctx.queue.submit([encoder.finish()]);
        readback.after_submit();
    };
    frame(&mut readback);
    let wait = || {
        ctx.device
            .poll(wgpu::PollType::Wait {
                submission_index: None,
                timeout: None,
            })
            .expect("poll");
    };
    wait();
    assert_eq!(
        readback.poll(),
        Some(vec![11, 13]),
        "the copy's words, from offset 4"
    );
    assert_eq!(readback.poll(), None, "each arrival is returned once");

    // A second frame while the first read is still in flight is read too, and
    // the newest copy wins.
    frame(&mut readback);
    ctx.queue
        .write_buffer(&source, 4, bytemuck::cast_slice(&[99u32]));
    frame(&mut readback);
    let deadline = Instant::now() + Duration::from_secs(30);
    let words = loop {
        let _ = ctx.device.poll(wgpu::PollType::Poll);
        if let Some(words) = readback.poll() {
            if words == vec![99, 13] {
                break words;
            }
            // The older copy arrived first: the newer one follows.
            assert_eq!(words, vec![11, 13]);
        }
        assert!(Instant::now() < deadline, "the read-back never arrived");
        std::thread::sleep(Duration::from_millis(5));
    };
    assert_eq!(words, vec![99, 13], "the newest copy");
    wait();
    assert_eq!(
        readback.poll(),
        None,
        "nothing older comes after the newest"
    );

    // With every slot in flight, a copy is skipped (and nothing breaks).
    for _ in 0..6 {
        let mut encoder = ctx.device.create_command_encoder(&Default::default());
        readback.record_copy(&mut encoder, &source, 4);
        ctx.queue.submit([encoder.finish()]);
    }
    assert!(readback.is_busy());
    readback.after_submit();
    wait();
    assert_eq!(readback.poll(), Some(vec![99, 13]));
    assert!(!readback.is_pending());
}

/// The window does not wait for its frames. A frame recorded while an earlier
/// frame's pass times are still on their way back is timed too (while a
/// read-back slot is free): the last frame before the window goes idle used
/// to go untimed, and the Stats panel kept the earlier frame's times (after a
/// scene opened: project and sort 0.00 ms, from a frame drawn before the first
/// splats arrived; seen under Xvfb).
#[test]
fn profiler_times_frames_while_earlier_times_are_on_their_way() {
    let Some(ctx) = common::gpu() else { return };
    let Some(mut profiler) = GpuProfiler::new(&ctx.device, &ctx.queue) else {
        assert!(!common::in_ci(), "lavapipe has timestamp queries");
        return;
    };
    let frame = |profiler: &mut GpuProfiler| {
        let mut encoder = ctx.device.create_command_encoder(&Default::default());
        drop(encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
            label: Some("timed"),
            timestamp_writes: Some(profiler.compute_writes(FramePass::Project)),
        }));
        profiler.resolve(&mut encoder);
        let timed = profiler.resolved_this_frame();
        ctx.queue.submit([encoder.finish()]);
        profiler.after_submit();
        timed
    };
    // Back to back, nothing read in between.
    assert!(frame(&mut profiler), "the first frame is timed");
    assert!(
        frame(&mut profiler),
        "a frame recorded while the first one's times are on their way is timed"
    );
    ctx.device
        .poll(wgpu::PollType::Wait {
            submission_index: None,
            timeout: None,
        })
        .expect("poll");
    assert!(profiler.poll_results().is_some(), "the newest times arrive");
    assert!(profiler.poll_results().is_none(), "each frame's times once");
    assert!(frame(&mut profiler), "timed again once read");
}
