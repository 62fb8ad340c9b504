//! Live metrics off the UI thread: a worker measures PSNR, SSIM and FLIP
//! (`metrics::compare`, the definitions of docs/COMPARE.md) of the A and B
//! images on screen and draws FLIP's error map. On the 2-core development
//! machine, in the debug build, SSIM takes about 1.6 s and FLIP 1.9 s at
//! 1280x720, far too long for the UI thread; one job runs at a time and the
//! viewer only sends a pair that has settled (not while the camera moves), so
//! the frame rate does not depend on them.

use std::sync::mpsc::{Receiver, Sender, channel};
use std::time::Instant;

use super::{UserEvent, Waker};
use crate::metrics::ImageMetrics;

/// A pair to measure.
pub struct MetricsJob {
    /// Identifies the pair (`CompareGpu::pair_key`).
    pub key: u64,
    pub a: image::RgbImage,
    pub b: image::RgbImage,
}

/// What the worker found.
pub struct MetricsResult {
    pub key: u64,
    pub metrics: Result<ImageMetrics, String>,
    /// FLIP's per-pixel error drawn with magma from 0 to 1.
    pub flip_map: Option<image::RgbImage>,
    pub elapsed_ms: f64,
}

/// The worker thread and its channels.
pub struct MetricsWorker {
    jobs: Option<Sender<MetricsJob>>,
    results: Receiver<MetricsResult>,
    busy: bool,
}

impl MetricsWorker {
    pub fn new(waker: Waker) -> Self {
        let (jobs, job_receiver) = channel::<MetricsJob>();
        let (result_sender, results) = channel();
        let spawned = std::thread::Builder::new()
            .name("live metrics".into())
            .spawn(move || {
                while let Ok(job) = job_receiver.recv() {
                    let started = Instant::now();
                    let result = match crate::metrics::compare(&job.a, &job.b) {
                        Ok(comparison) => MetricsResult {
                            key: job.key,
                            metrics: Ok(comparison.metrics),
                            flip_map: Some(comparison.flip_map.to_image(1.0)),
                            elapsed_ms: 0.0,
                        },
                        Err(err) => MetricsResult {
                            key: job.key,
                            metrics: Err(err.to_string()),
                            flip_map: None,
                            elapsed_ms: 0.0,
                        },
                    };
                    let result = MetricsResult {
                        elapsed_ms: started.elapsed().as_secs_f64() * 1000.0,
                        ..result
                    };
                    if result_sender.send(result).is_err() {
                        return;
                    }
                    waker(UserEvent::WorkerNews);
                }
            });
        let jobs = match spawned {
            Ok(_) => Some(jobs),
            Err(err) => {
                log::error!("cannot start the live metrics worker: {err}");
                None
            }
        };
        Self {
            jobs,
            results,
            busy: false,
        }
    }

    /// Whether a job is being measured.
    pub fn busy(&self) -> bool {
        self.busy
    }

    /// Hands a pair to the worker (false when it cannot take it).
    pub fn send(&mut self, job: MetricsJob) -> bool {
        if self.busy {
            return false;
        }
        let sent = self
            .jobs
            .as_ref()
            .is_some_and(|jobs| jobs.send(job).is_ok());
        self.busy = sent;
        sent
    }

    /// The latest result, if one arrived.
    pub fn poll(&mut self) -> Option<MetricsResult> {
        let mut latest = None;
        while let Ok(result) = self.results.try_recv() {
            self.busy = false;
            latest = Some(result);
        }
        latest
    }
}
