//! Loading a scene on a background thread, handing the splats over in chunks as they
//! decode so the first frame can show while the file is still loading.
//!
//! A binary 3DGS PLY is read and converted one chunk of [`CHUNK_SPLATS`] at a time
//! (`ply::BinaryPlyReader`), so chunks arrive while the file is still being read.
//! Other files are read in pieces (reporting bytes), opened as a
//! [`SplatDecoder`](super::SplatDecoder), then decoded in chunks on worker threads
//! and sent in order. Every message is followed by the optional
//! notify callback (the window uses it to wake its event loop). Cancelling is
//! cooperative: the thread stops at the next piece or chunk and sends `Cancelled`.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::{
    LoadError, MemoryBudget, SceneFormat, SplatDecoder, open_decoder_within, scene_file_path,
};
use crate::scene::{AaHint, SplatCloud};

/// Splats per [`LoadMessage::Chunk`] (the last chunk may be smaller).
pub const CHUNK_SPLATS: usize = 65_536;
/// Bytes read from disk between two progress reports.
const READ_PIECE: usize = 4 << 20;

/// Where a load stands.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LoadProgress {
    /// Bytes of the scene file read so far. For an unbundled SOG this is `meta.json`;
    /// its images are read while the decoder opens (between the last read `Progress`
    /// and `Started`).
    pub bytes_read: u64,
    pub file_bytes: u64,
    pub splats_decoded: usize,
    /// 0 until the file is open.
    pub total_splats: usize,
    pub elapsed: Duration,
}

/// What the loader thread reports, in this order: `Progress` while reading, `Started`,
/// then `Chunk` (in splat order) each followed by `Progress`, and finally exactly one of
/// `Finished`, `Failed` or `Cancelled`.
#[derive(Debug)]
pub enum LoadMessage {
    Started {
        format: SceneFormat,
        total_splats: usize,
        sh_degree: u32,
        /// The anti-aliasing mode the file asks for, and why.
        aa_hint: AaHint,
        file_bytes: u64,
    },
    Chunk {
        first_splat: usize,
        splats: SplatCloud,
    },
    Progress(LoadProgress),
    Finished {
        elapsed: Duration,
    },
    Failed(LoadError),
    Cancelled,
}

/// A scene loading on a background thread. Dropping it cancels the load.
pub struct StreamingLoad {
    path: PathBuf,
    rx: Receiver<LoadMessage>,
    cancel: Arc<AtomicBool>,
    handle: Option<JoinHandle<()>>,
}

impl StreamingLoad {
    /// Starts loading `path` (a scene file, an unbundled SOG directory or its
    /// `meta.json`).
    pub fn spawn(path: PathBuf) -> Self {
        Self::spawn_with_notify(path, || {})
    }

    /// Like [`spawn`](Self::spawn); `notify` is called after each message is sent.
    pub fn spawn_with_notify(path: PathBuf, notify: impl Fn() + Send + 'static) -> Self {
        let (tx, rx) = channel();
        let cancel = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&cancel);
        let thread_path = path.clone();
        let handle = std::thread::Builder::new()
            .name("scene loader".into())
            .spawn(move || {
                let mut out = Outbox {
                    tx,
                    notify: Box::new(notify),
                    cancel: flag,
                    start: Instant::now(),
                };
                let last = match run(&thread_path, &mut out) {
                    Ok(()) => LoadMessage::Finished {
                        elapsed: out.start.elapsed(),
                    },
                    Err(Stop::Failed(e)) => LoadMessage::Failed(e),
                    Err(Stop::Cancelled) => LoadMessage::Cancelled,
                };
                let _ = out.send(last);
            })
            .ok();
        if handle.is_none() {
            // No thread: nothing will ever arrive. Say so through the channel.
            let (tx, rx) = channel();
            let _ = tx.send(LoadMessage::Failed(LoadError::Io {
                path: path.clone(),
                source: std::io::Error::other("cannot start the loader thread"),
            }));
            return Self {
                path,
                rx,
                cancel,
                handle,
            };
        }
        Self {
            path,
            rx,
            cancel,
            handle,
        }
    }

    /// The next message, if one is waiting. A loader thread that ended without its final message (it panicked) gives
    /// `Failed(LoadError::LoaderStopped)`, so a progress bar never waits forever.
    pub fn try_recv(&self) -> Option<LoadMessage> {
        match self.rx.try_recv() {
            Ok(message) => Some(message),
            Err(std::sync::mpsc::TryRecvError::Empty) => None,
            Err(std::sync::mpsc::TryRecvError::Disconnected) => {
                Some(LoadMessage::Failed(LoadError::LoaderStopped {
                    path: self.path.clone(),
                }))
            }
        }
    }

    /// The next message, waiting at most `d`.
    pub fn recv_timeout(&self, d: Duration) -> Option<LoadMessage> {
        self.rx.recv_timeout(d).ok()
    }

    /// Asks the loader to stop; it sends `Cancelled` soon after (unless it had already
    /// finished).
    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::Relaxed);
    }

    /// The loader thread has exited (its last message may still be waiting).
    pub fn is_finished(&self) -> bool {
        self.handle.as_ref().is_none_or(JoinHandle::is_finished)
    }
}

impl Drop for StreamingLoad {
    fn drop(&mut self) {
        // Don't block whoever drops us: the thread notices and exits by itself.
        self.cancel();
    }
}

/// Why the loader stopped early.
enum Stop {
    Failed(LoadError),
    Cancelled,
}

impl From<LoadError> for Stop {
    fn from(e: LoadError) -> Self {
        Stop::Failed(e)
    }
}

struct Outbox {
    tx: Sender<LoadMessage>,
    notify: Box<dyn Fn() + Send>,
    cancel: Arc<AtomicBool>,
    start: Instant,
}

impl Outbox {
    /// Sends `m`; a receiver that is gone counts as a cancel.
    fn send(&mut self, m: LoadMessage) -> Result<(), Stop> {
        self.tx.send(m).map_err(|_| Stop::Cancelled)?;
        (self.notify)();
        Ok(())
    }

    fn check_cancel(&self) -> Result<(), Stop> {
        if self.cancel.load(Ordering::Relaxed) {
            Err(Stop::Cancelled)
        } else {
            Ok(())
        }
    }
}

fn run(path: &std::path::Path, out: &mut Outbox) -> Result<(), Stop> {
    let file = scene_file_path(path);
    // The memory available when the load starts: a file whose load needs more fails
    // before anything large is allocated (the window keeps its scene).
    let budget = MemoryBudget::available();
    if let Some(reader) = super::ply::BinaryPlyReader::open(&file)? {
        reader.check_budget(&budget, CHUNK_SPLATS * reader.stride())?;
        return stream_binary_ply(reader, out);
    }
    let io = |source| LoadError::Io {
        path: file.clone(),
        source,
    };
    let mut f = std::fs::File::open(&file).map_err(io)?;
    let file_bytes = f.metadata().map_err(io)?.len();
    let mut progress = LoadProgress {
        bytes_read: 0,
        file_bytes,
        splats_decoded: 0,
        total_splats: 0,
        elapsed: Duration::ZERO,
    };
    // The size on disk is only a hint for the first allocation: the file may change.
    let mut bytes = Vec::with_capacity(file_bytes.min(1 << 30) as usize);
    loop {
        out.check_cancel()?;
        let before = bytes.len();
        (&mut f)
            .take(READ_PIECE as u64)
            .read_to_end(&mut bytes)
            .map_err(io)?;
        if bytes.len() == before {
            break;
        }
        progress.bytes_read = bytes.len() as u64;
        progress.elapsed = out.start.elapsed();
        out.send(LoadMessage::Progress(progress))?;
    }
    progress.file_bytes = bytes.len() as u64;

    let decoder = open_decoder_within(&file, bytes, &budget)?;
    out.check_cancel()?;
    progress.total_splats = decoder.len();
    out.send(LoadMessage::Started {
        format: decoder.format(),
        total_splats: decoder.len(),
        sh_degree: decoder.sh_degree(),
        aa_hint: decoder.aa_hint(),
        file_bytes: progress.file_bytes,
    })?;
    decode_chunks(decoder.as_ref(), out, progress)
}

/// A binary 3DGS PLY: each chunk is read and converted (on all cores) before the
/// next is read, so chunks arrive while the file is still being read.
fn stream_binary_ply(
    mut reader: super::ply::BinaryPlyReader,
    out: &mut Outbox,
) -> Result<(), Stop> {
    let total_splats = reader.len();
    let mut progress = LoadProgress {
        bytes_read: 0,
        file_bytes: reader.file_bytes(),
        splats_decoded: 0,
        total_splats,
        elapsed: out.start.elapsed(),
    };
    out.send(LoadMessage::Started {
        format: SceneFormat::Ply,
        total_splats,
        sh_degree: reader.sh_degree(),
        aa_hint: reader.aa_hint().clone(),
        file_bytes: reader.file_bytes(),
    })?;
    while reader.remaining() > 0 {
        out.check_cancel()?;
        let first_splat = total_splats - reader.remaining();
        let splats = reader.read_cloud(CHUNK_SPLATS)?;
        progress.splats_decoded = first_splat + splats.len();
        // Header and other elements count as read with the first chunk.
        progress.bytes_read = reader
            .file_bytes()
            .saturating_sub((reader.remaining() * reader.stride()) as u64);
        out.send(LoadMessage::Chunk {
            first_splat,
            splats,
        })?;
        progress.elapsed = out.start.elapsed();
        out.send(LoadMessage::Progress(progress))?;
    }
    Ok(())
}

/// Decodes chunks on worker threads and sends them in order.
fn decode_chunks(
    decoder: &dyn SplatDecoder,
    out: &mut Outbox,
    mut progress: LoadProgress,
) -> Result<(), Stop> {
    let n = decoder.len();
    let chunks = n.div_ceil(CHUNK_SPLATS);
    let workers = std::thread::available_parallelism()
        .map_or(1, |t| t.get())
        .min(chunks);
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let (done_tx, done_rx) = channel::<(usize, Result<SplatCloud, LoadError>)>();
    let cancel = Arc::clone(&out.cancel);
    std::thread::scope(|s| {
        for _ in 0..workers {
            let done_tx = done_tx.clone();
            let (next, stop) = (&next, &stop);
            let cancel = &cancel;
            s.spawn(move || {
                loop {
                    if stop.load(Ordering::Relaxed) || cancel.load(Ordering::Relaxed) {
                        break;
                    }
                    let c = next.fetch_add(1, Ordering::Relaxed);
                    if c >= chunks {
                        break;
                    }
                    let range = c * CHUNK_SPLATS..((c + 1) * CHUNK_SPLATS).min(n);
                    // A decoder must not panic; if one does, the load fails cleanly.
                    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        decoder.decode(range)
                    }))
                    .unwrap_or_else(|_| {
                        Err(LoadError::Malformed {
                            path: PathBuf::from(decoder.format().name()),
                            reason: "the decoder panicked".into(),
                        })
                    });
                    if done_tx.send((c, result)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(done_tx);
        let result = emit_in_order(&done_rx, chunks, out, &mut progress);
        // Tell the workers to stop (they finish the chunk at hand), whatever happened.
        stop.store(true, Ordering::Relaxed);
        result
    })
}

fn emit_in_order(
    done: &Receiver<(usize, Result<SplatCloud, LoadError>)>,
    chunks: usize,
    out: &mut Outbox,
    progress: &mut LoadProgress,
) -> Result<(), Stop> {
    let mut pending = BTreeMap::new();
    let mut emitted = 0;
    while emitted < chunks {
        out.check_cancel()?;
        match done.recv_timeout(Duration::from_millis(20)) {
            Ok((c, result)) => {
                pending.insert(c, result?);
            }
            Err(RecvTimeoutError::Timeout) => continue,
            Err(RecvTimeoutError::Disconnected) => {
                // Every worker is gone: only what is pending can still be sent.
                if !pending.contains_key(&emitted) {
                    out.check_cancel()?;
                    return Err(Stop::Cancelled);
                }
            }
        }
        while let Some(splats) = pending.remove(&emitted) {
            let first_splat = emitted * CHUNK_SPLATS;
            progress.splats_decoded = first_splat + splats.len();
            out.send(LoadMessage::Chunk {
                first_splat,
                splats,
            })?;
            progress.elapsed = out.start.elapsed();
            out.send(LoadMessage::Progress(*progress))?;
            emitted += 1;
        }
    }
    Ok(())
}
