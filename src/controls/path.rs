//! Camera paths: keyframed fly-throughs, played in the viewer and rendered to PNG
//! sequences by `splatview render --path`.
//!
//! Keyframes are spaced evenly in time. Position follows a centripetal Catmull-Rom
//! spline, rotation a SQUAD curve, field of view a Catmull-Rom curve (see `spline`).
//!
//! File format (JSON, `version` 1):
//! ```json
//! { "version": 1, "duration_s": 10.0, "looping": false,
//!   "keyframes": [ { "position": [x, y, z], "rotation": [x, y, z, w], "fov_y_degrees": 50.0 } ] }
//! ```
//! `rotation` is the world-from-camera rotation as a unit quaternion (x, y, z, w),
//! camera axes as in OpenCV (x right, y down, z forward), the convention of
//! `cameras.json`.

use std::path::{Path, PathBuf};

use glam::{Quat, Vec3};
use serde::{Deserialize, Serialize};

use super::pose::CameraPose;
use super::spline::{catmull_rom, catmull_rom_scalar, squad};

pub const FORMAT_VERSION: u32 = 1;

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Keyframe {
    pub position: [f32; 3],
    /// World-from-camera rotation (x, y, z, w), OpenCV camera axes.
    pub rotation: [f32; 4],
    pub fov_y_degrees: f32,
}

impl Keyframe {
    pub fn new(pose: &CameraPose, fov_y: f32) -> Self {
        Self {
            position: pose.position.to_array(),
            rotation: pose.rotation.normalize().to_array(),
            fov_y_degrees: fov_y.to_degrees(),
        }
    }

    pub fn pose(&self) -> CameraPose {
        CameraPose {
            position: Vec3::from_array(self.position),
            rotation: Quat::from_array(self.rotation).normalize(),
        }
    }

    fn is_valid(&self) -> bool {
        let finite = self
            .position
            .iter()
            .chain(&self.rotation)
            .all(|v| v.is_finite());
        let norm = Quat::from_array(self.rotation).length();
        finite && norm > 1e-3 && self.fov_y_degrees > 0.0 && self.fov_y_degrees < 179.0
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CameraPath {
    pub version: u32,
    pub duration_s: f32,
    /// Whether the path closes back on its first keyframe (and playback repeats).
    pub looping: bool,
    pub keyframes: Vec<Keyframe>,
}

impl Default for CameraPath {
    fn default() -> Self {
        Self {
            version: FORMAT_VERSION,
            duration_s: 10.0,
            looping: false,
            keyframes: Vec::new(),
        }
    }
}

/// Why a path file could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum PathError {
    #[error("{path}: cannot read or write the camera path: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: not a splatview camera path: {reason}")]
    Format { path: PathBuf, reason: String },
}

/// A sampled view on a path.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PathSample {
    pub pose: CameraPose,
    /// Radians.
    pub fov_y: f32,
}

impl CameraPath {
    pub fn len(&self) -> usize {
        self.keyframes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keyframes.is_empty()
    }

    /// The view at `time` seconds (clamped, or wrapped around when looping).
    pub fn sample(&self, time: f32) -> Option<PathSample> {
        let n = self.keyframes.len();
        let key = |i: isize| -> &Keyframe {
            let i = if self.looping {
                i.rem_euclid(n as isize)
            } else {
                i.clamp(0, n as isize - 1)
            };
            &self.keyframes[i as usize]
        };
        if n == 0 {
            return None;
        }
        if n == 1 {
            let k = &self.keyframes[0];
            return Some(PathSample {
                pose: k.pose(),
                fov_y: k.fov_y_degrees.to_radians(),
            });
        }
        let segments = if self.looping { n } else { n - 1 };
        let phase = time / self.duration_s.max(1e-6);
        let phase = if self.looping {
            phase.rem_euclid(1.0)
        } else {
            phase.clamp(0.0, 1.0)
        };
        let u = if phase.is_finite() {
            phase * segments as f32
        } else {
            0.0
        };
        let i = (u.floor() as usize).min(segments - 1);
        let t = u - i as f32;
        let i = i as isize;

        let (k1, k2) = (key(i), key(i + 1));
        // Open ends: mirror the neighbour so the end tangents follow the path.
        let (k0, k3) = (key(i - 1), key(i + 2));
        let p = |k: &Keyframe| Vec3::from_array(k.position);
        let p0 = if !self.looping && i == 0 {
            2.0 * p(k1) - p(k2)
        } else {
            p(k0)
        };
        let p3 = if !self.looping && i + 2 > n as isize - 1 {
            2.0 * p(k2) - p(k1)
        } else {
            p(k3)
        };
        let q = |k: &Keyframe| Quat::from_array(k.rotation).normalize();
        let f = |k: &Keyframe| k.fov_y_degrees;
        let position = catmull_rom(p0, p(k1), p(k2), p3, t);
        let rotation = squad(q(k0), q(k1), q(k2), q(k3), t);
        let fov = catmull_rom_scalar(f(k0), f(k1), f(k2), f(k3), t).clamp(1.0, 170.0);
        Some(PathSample {
            pose: CameraPose { position, rotation },
            fov_y: fov.to_radians(),
        })
    }

    /// Times (seconds) of `frames` evenly spaced frames covering the path: both ends
    /// for an open path, one lap without repeating the first frame when looping.
    pub fn frame_times(&self, frames: usize) -> Vec<f32> {
        let d = self.duration_s;
        match frames {
            0 => Vec::new(),
            1 => vec![0.0],
            _ if self.looping => (0..frames).map(|k| d * k as f32 / frames as f32).collect(),
            _ => (0..frames)
                .map(|k| d * k as f32 / (frames - 1) as f32)
                .collect(),
        }
    }

    /// The time at which keyframe `index` is reached.
    pub fn keyframe_time(&self, index: usize) -> f32 {
        let segments = if self.looping {
            self.len()
        } else {
            self.len().saturating_sub(1)
        };
        if segments == 0 {
            0.0
        } else {
            self.duration_s * index as f32 / segments as f32
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    pub fn from_json(path: &Path, text: &str) -> Result<Self, PathError> {
        let format = |reason: String| PathError::Format {
            path: path.to_owned(),
            reason,
        };
        let parsed: CameraPath = serde_json::from_str(text).map_err(|e| format(e.to_string()))?;
        if parsed.version != FORMAT_VERSION {
            return Err(format(format!(
                "version {} is not supported (expected {FORMAT_VERSION})",
                parsed.version
            )));
        }
        if !(parsed.duration_s.is_finite() && parsed.duration_s > 0.0) {
            return Err(format(format!(
                "duration_s must be positive, found {}",
                parsed.duration_s
            )));
        }
        if let Some(i) = parsed.keyframes.iter().position(|k| !k.is_valid()) {
            return Err(format(format!(
                "keyframe {i} has a non-finite position or rotation, or a field of view outside 0..179 degrees"
            )));
        }
        Ok(parsed)
    }

    pub fn load(path: &Path) -> Result<Self, PathError> {
        let text = std::fs::read_to_string(path).map_err(|source| PathError::Io {
            path: path.to_owned(),
            source,
        })?;
        Self::from_json(path, &text)
    }

    pub fn save(&self, path: &Path) -> Result<(), PathError> {
        std::fs::write(path, self.to_json()).map_err(|source| PathError::Io {
            path: path.to_owned(),
            source,
        })
    }
}

#[cfg(test)]
#[path = "path_tests.rs"]
mod tests;
