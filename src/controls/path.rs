//! Camera paths: keyframed fly-throughs, played in the viewer and rendered to PNG
//! sequences or MP4 videos by `splatview render --path`.
//!
//! The file format (JSON) is documented in docs/CAMERA_PATHS.md. Sampling lives
//! in `path_sample.rs`: keyframes are spaced evenly in time unless they carry
//! their own `time_s`; with a shared orbit `target` the camera turns about it
//! (rotation by SQUAD, distance interpolated on its own, so a circle of
//! keyframes stays a circle), otherwise position follows a centripetal
//! Catmull-Rom spline and rotation a SQUAD curve (see `spline`).
//!
//! `rotation` is the world-from-camera rotation as a unit quaternion (x, y, z, w),
//! camera axes as in OpenCV (x right, y down, z forward), the convention of
//! `cameras.json`.

use std::path::{Path, PathBuf};

use glam::{Quat, Vec3};
use serde::{Deserialize, Serialize};

use super::pose::CameraPose;

pub const FORMAT_VERSION: u32 = 1;

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Keyframe {
    pub position: [f32; 3],
    /// World-from-camera rotation (x, y, z, w), OpenCV camera axes.
    pub rotation: [f32; 4],
    pub fov_y_degrees: f32,
    /// The point the camera turned about when the keyframe was added (the orbit
    /// target); keyframes sharing one are interpolated around it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<[f32; 3]>,
    /// When the keyframe is reached, seconds from the start (evenly spaced when
    /// absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_s: Option<f32>,
}

impl Keyframe {
    pub fn new(pose: &CameraPose, fov_y: f32) -> Self {
        Self {
            position: pose.position.to_array(),
            rotation: pose.rotation.normalize().to_array(),
            fov_y_degrees: fov_y.to_degrees(),
            target: None,
            time_s: None,
        }
    }

    /// A keyframe that turns about `target` (the orbit pivot).
    pub fn with_target(pose: &CameraPose, fov_y: f32, target: Vec3) -> Self {
        Self {
            target: target.is_finite().then(|| target.to_array()),
            ..Self::new(pose, fov_y)
        }
    }

    pub fn pose(&self) -> CameraPose {
        CameraPose {
            position: Vec3::from_array(self.position),
            rotation: Quat::from_array(self.rotation).normalize(),
        }
    }

    /// What is wrong with this keyframe, if anything.
    fn problem(&self) -> Option<&'static str> {
        if !self.position.iter().all(|v| v.is_finite()) {
            return Some("its position is not finite");
        }
        if !self.rotation.iter().all(|v| v.is_finite()) {
            return Some("its rotation is not finite");
        }
        if Quat::from_array(self.rotation).length() <= 1e-3 {
            return Some("its rotation is a zero quaternion (x, y, z, w all near 0)");
        }
        if !self.target.is_none_or(|t| t.iter().all(|v| v.is_finite())) {
            return Some("its target is not finite");
        }
        if !(self.fov_y_degrees > 0.0 && self.fov_y_degrees < 179.0) {
            return Some("its fov_y_degrees is outside 0..179");
        }
        None
    }
}

/// How a path moves between keyframes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Interpolation {
    /// `orbit` when every keyframe has the same target, else `catmull_rom`.
    #[default]
    Auto,
    /// About the keyframes' targets: rotation by SQUAD, the eye at an
    /// interpolated distance from an interpolated target.
    Orbit,
    /// Position along a centripetal Catmull-Rom spline, rotation by SQUAD.
    CatmullRom,
}

impl Interpolation {
    pub const ALL: [Self; 3] = [Self::Auto, Self::Orbit, Self::CatmullRom];

    pub fn label(self) -> &'static str {
        match self {
            Self::Auto => "Auto",
            Self::Orbit => "Orbit",
            Self::CatmullRom => "Catmull-Rom",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CameraPath {
    pub version: u32,
    pub duration_s: f32,
    /// Whether the path closes back on its first keyframe (and playback repeats).
    pub looping: bool,
    /// Absent in files written before it existed: `auto`.
    #[serde(default)]
    pub interpolation: Interpolation,
    pub keyframes: Vec<Keyframe>,
}

impl Default for CameraPath {
    fn default() -> Self {
        Self {
            version: FORMAT_VERSION,
            duration_s: 10.0,
            looping: false,
            interpolation: Interpolation::Auto,
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
        if let Some((i, problem)) = parsed
            .keyframes
            .iter()
            .enumerate()
            .find_map(|(i, k)| k.problem().map(|p| (i, p)))
        {
            return Err(format(format!("keyframe {i}: {problem}")));
        }
        parsed.check_times().map_err(format)?;
        if parsed.interpolation == Interpolation::Orbit
            && let Some(i) = parsed.keyframes.iter().position(|k| k.target.is_none())
        {
            return Err(format(format!(
                "interpolation is \"orbit\" but keyframe {i} has no target"
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

/// Sampling: timing and interpolation.
#[path = "path_sample.rs"]
mod sample;

#[cfg(test)]
#[path = "path_tests.rs"]
mod tests;
