//! The non-blocking read-back the window uses for the visible count and the
//! compute rasterizer's pair count.

mod common;

use std::time::{Duration, Instant};

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
