//! Streaming loads: chunks arrive in order and add up to a one-shot load; cancelling and
//! failing end the load with one final message.

mod io_util;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use io_util::*;
use splatview::io::stream::{CHUNK_SPLATS, LoadMessage, StreamingLoad};
use splatview::scene::SplatCloud;

/// Collects every message until the final one (or fails after a minute).
fn collect(load: &StreamingLoad) -> Vec<LoadMessage> {
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut out = Vec::new();
    while Instant::now() < deadline {
        if let Some(m) = load.recv_timeout(Duration::from_millis(100)) {
            let last = matches!(
                m,
                LoadMessage::Finished { .. } | LoadMessage::Failed(_) | LoadMessage::Cancelled
            );
            out.push(m);
            if last {
                return out;
            }
        }
    }
    panic!("the load did not end: {} messages", out.len());
}

fn streamed(name: &str) -> (Vec<LoadMessage>, usize) {
    let notified = Arc::new(AtomicUsize::new(0));
    let count = Arc::clone(&notified);
    let load = StreamingLoad::spawn_with_notify(data_path(name), move || {
        count.fetch_add(1, Ordering::SeqCst);
    });
    let messages = collect(&load);
    // The notification follows the send: give the last one a moment.
    std::thread::sleep(Duration::from_millis(50));
    (messages, notified.load(Ordering::SeqCst))
}

#[test]
fn chunks_add_up_to_a_one_shot_load() {
    for name in [
        "biker.ply",
        "guitar.compressed.ply",
        "guitar.c1.ksplat",
        "biker.spz",
        "playbot_l6_sog",
        "playcanvas_logo_sog_v1",
    ] {
        let (messages, notified) = streamed(name);
        assert_eq!(
            notified,
            messages.len(),
            "{name}: one notification per message"
        );
        let whole = load(name);
        let mut started = None;
        let mut cloud: Option<SplatCloud> = None;
        let mut last_progress = None;
        let mut chunks = 0;
        for m in &messages {
            match m {
                LoadMessage::Progress(p) => {
                    assert!(p.bytes_read <= p.file_bytes, "{name}");
                    last_progress = Some(*p);
                }
                LoadMessage::Started {
                    total_splats,
                    sh_degree,
                    file_bytes,
                    ..
                } => {
                    assert!(started.is_none() && cloud.is_none(), "{name}");
                    assert_eq!(*total_splats, whole.len(), "{name}");
                    assert_eq!(*sh_degree, whole.sh_degree, "{name}");
                    assert!(*file_bytes > 0);
                    started = Some(*total_splats);
                    cloud = Some(SplatCloud::new(*sh_degree));
                }
                LoadMessage::Chunk {
                    first_splat,
                    splats,
                } => {
                    let c = cloud.as_mut().expect("Started before the first chunk");
                    assert_eq!(*first_splat, c.len(), "{name}: chunks in order");
                    assert!(splats.len() <= CHUNK_SPLATS);
                    assert!(c.append(splats));
                    chunks += 1;
                }
                LoadMessage::Finished { .. } => {}
                LoadMessage::Failed(e) => panic!("{name}: {e}"),
                LoadMessage::Cancelled => panic!("{name}: cancelled"),
            }
        }
        assert!(matches!(
            messages.last(),
            Some(LoadMessage::Finished { .. })
        ));
        assert_eq!(chunks, whole.len().div_ceil(CHUNK_SPLATS), "{name}");
        let p = last_progress.expect("progress");
        assert_eq!(p.splats_decoded, whole.len(), "{name}");
        assert_eq!(cloud.as_ref(), Some(&whole), "{name}");
    }
}

#[test]
fn cancelling_ends_the_load() {
    // Cancelled at once, the load stops while reading (biker.ply is read in 3 pieces).
    let load = StreamingLoad::spawn(data_path("biker.ply"));
    load.cancel();
    let messages = collect(&load);
    assert!(matches!(messages.last(), Some(LoadMessage::Cancelled)));
    assert!(
        !messages
            .iter()
            .any(|m| matches!(m, LoadMessage::Chunk { .. }))
    );

    // Cancelled after the first chunk, no more than the chunks in flight follow.
    let load = StreamingLoad::spawn(data_path("playcanvas_logo_sog_v1"));
    let mut seen = 0;
    while let Some(m) = load.recv_timeout(Duration::from_secs(60)) {
        if matches!(m, LoadMessage::Chunk { .. }) {
            seen += 1;
            load.cancel();
        }
        match m {
            LoadMessage::Cancelled | LoadMessage::Finished { .. } => break,
            LoadMessage::Failed(e) => panic!("{e}"),
            _ => {}
        }
    }
    assert!(seen >= 1);
    let deadline = Instant::now() + Duration::from_secs(10);
    while !load.is_finished() {
        assert!(Instant::now() < deadline, "the loader thread did not exit");
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn failures_are_reported() {
    for name in ["does-not-exist.ply", "fixtures-synthetic"] {
        let load = StreamingLoad::spawn(data_path(name));
        let messages = collect(&load);
        match messages.last() {
            Some(LoadMessage::Failed(e)) => assert!(e.to_string().contains(name), "{e}"),
            other => panic!("{name}: {other:?}"),
        }
    }
}

#[test]
fn binary_ply_chunks_arrive_while_the_file_is_read() {
    // biker.ply holds three chunks: after the first, most of the file is unread.
    let (messages, _) = streamed("biker.ply");
    let first_chunk = messages
        .iter()
        .position(|m| matches!(m, LoadMessage::Chunk { .. }))
        .expect("a chunk");
    let progress_after = messages[first_chunk..].iter().find_map(|m| match m {
        LoadMessage::Progress(p) => Some(*p),
        _ => None,
    });
    let p = progress_after.expect("progress after the first chunk");
    assert_eq!(p.splats_decoded, CHUNK_SPLATS);
    assert!(
        p.bytes_read < p.file_bytes / 2,
        "first chunk only after {} of {} bytes",
        p.bytes_read,
        p.file_bytes
    );
    let last = messages.iter().rev().find_map(|m| match m {
        LoadMessage::Progress(p) => Some(*p),
        _ => None,
    });
    assert_eq!(last.map(|p| p.bytes_read), Some(p.file_bytes));
}
