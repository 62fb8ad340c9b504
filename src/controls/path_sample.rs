//! Sampling a camera path: when each keyframe is reached and where the camera is
//! in between.
//!
//! *Timing.* Keyframes without `time_s` are spaced evenly: the first at 0, the
//! last at `duration_s` (a looping path returns to the first keyframe at
//! `duration_s`); missing times between given ones are filled in linearly. The
//! splines take each segment's duration into account, so unevenly spaced
//! keyframes keep position, field of view and distance C1 in time (rotation
//! uses SQUAD, which is C1 in its segment parameter: the turning speed may
//! change at a keyframe between segments of different lengths).
//!
//! *Orbit interpolation.* Each keyframe is seen as an eye offset from its target
//! in the camera's own axes (`-forward * distance` for a camera looking at its
//! target). Between keyframes the rotation follows SQUAD, the distance a
//! Catmull-Rom curve of its logarithm, the offset's direction a Catmull-Rom
//! curve (normalized), and the target a Catmull-Rom curve; the eye is the target
//! plus the rotated offset. Around a shared target the camera keeps looking at
//! it and a circle of keyframes at one distance stays on that circle, where a
//! Catmull-Rom spline through the eye positions cuts inside it (four keyframes
//! 90 degrees apart: 11.6% closer halfway between them). This is the
//! "interpolate the view direction on the sphere about the target, distance
//! apart" scheme of orbit-camera animation (e.g. Shoemake 1985, "Animating
//! rotation with quaternion curves", for the rotation part).

use glam::{Quat, Vec3};

use super::{CameraPath, Interpolation, Keyframe, PathSample};
use crate::controls::pose::CameraPose;
use crate::controls::spline::{catmull_rom_scalar_timed, catmull_rom_timed, squad};

/// Targets within this fraction of the orbit distance of the first keyframe's
/// count as one (a path added in orbit mode without panning).
const SHARED_TARGET_TOLERANCE: f32 = 1e-3;

/// Where a time falls on the path: segment index, the parameter in it (0..=1)
/// and the durations of the segments before, of and after it.
struct Located {
    segment: usize,
    t: f32,
    durations: [f32; 3],
}

impl CameraPath {
    /// Segments between keyframes: n - 1 for an open path, n when looping.
    fn segments(&self) -> usize {
        if self.looping {
            self.len()
        } else {
            self.len().saturating_sub(1)
        }
    }

    /// The time (seconds) each keyframe is reached; for a looping path one more
    /// entry, `duration_s`, when it is back at the first.
    pub fn keyframe_times(&self) -> Vec<f32> {
        let n = self.len();
        if n == 0 {
            return Vec::new();
        }
        let mut times: Vec<Option<f32>> = self.keyframes.iter().map(|k| k.time_s).collect();
        if self.looping {
            times.push(Some(self.duration_s));
        }
        let count = times.len();
        times[0] = Some(times[0].unwrap_or(0.0));
        if times[count - 1].is_none() {
            times[count - 1] = Some(self.duration_s);
        }
        // Gaps between known times are filled in linearly.
        let mut known = 0;
        for i in 1..count {
            if let Some(time) = times[i] {
                let start = times[known].unwrap_or(0.0);
                for (j, slot) in times.iter_mut().enumerate().take(i).skip(known + 1) {
                    *slot = Some(start + (time - start) * (j - known) as f32 / (i - known) as f32);
                }
                known = i;
            }
        }
        times.into_iter().map(|t| t.unwrap_or(0.0)).collect()
    }

    /// The time at which keyframe `index` is reached.
    pub fn keyframe_time(&self, index: usize) -> f32 {
        self.keyframe_times().get(index).copied().unwrap_or(0.0)
    }

    /// Checks the keyframes' `time_s`: finite, within 0..=duration_s, increasing;
    /// a looping path starts at its first keyframe (time 0) and ends before
    /// coming back to it.
    pub(super) fn check_times(&self) -> Result<(), String> {
        let mut previous: Option<(usize, f32)> = None;
        for (i, k) in self.keyframes.iter().enumerate() {
            let Some(time) = k.time_s else {
                continue;
            };
            if !(time.is_finite() && (0.0..=self.duration_s).contains(&time)) {
                return Err(format!(
                    "keyframe {i}: time_s {time} is outside 0..{} (duration_s)",
                    self.duration_s
                ));
            }
            if let Some((j, before)) = previous
                && time <= before
            {
                return Err(format!(
                    "keyframe {i}: time_s {time} is not after keyframe {j}'s {before}"
                ));
            }
            if self.looping && i == 0 && time != 0.0 {
                return Err(
                    "a looping path starts at its first keyframe: its time_s must be 0".into(),
                );
            }
            if self.looping && time >= self.duration_s {
                return Err(format!(
                    "keyframe {i}: time_s {time} must be before duration_s {} on a looping path (which is back at keyframe 0 then)",
                    self.duration_s
                ));
            }
            previous = Some((i, time));
        }
        Ok(())
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

    /// Frames of a video at `fps`: one every 1/fps seconds, the last at the end of
    /// an open path (a looping path stops one frame before it repeats).
    pub fn video_frame_count(&self, fps: f64) -> usize {
        let frames = (f64::from(self.duration_s) * fps).round().max(1.0) as usize;
        if self.looping { frames } else { frames + 1 }
    }

    /// Whether every keyframe has a target and they are one point.
    pub fn shares_target(&self) -> bool {
        let Some(first) = self.keyframes.first() else {
            return false;
        };
        let Some(centre) = first.target.map(Vec3::from_array) else {
            return false;
        };
        let tolerance =
            SHARED_TARGET_TOLERANCE * centre.distance(Vec3::from_array(first.position)).max(1e-6);
        self.keyframes.iter().all(|k| {
            k.target
                .is_some_and(|t| Vec3::from_array(t).distance(centre) <= tolerance)
        })
    }

    /// The interpolation `sample` uses: `Auto` is orbit when the keyframes share
    /// a target; orbit needs a target on every keyframe (else Catmull-Rom).
    pub fn resolved_interpolation(&self) -> Interpolation {
        let all_targets = self.keyframes.iter().all(|k| k.target.is_some());
        match self.interpolation {
            Interpolation::Orbit if all_targets => Interpolation::Orbit,
            Interpolation::Auto if self.shares_target() => Interpolation::Orbit,
            _ => Interpolation::CatmullRom,
        }
    }

    fn locate(&self, time: f32) -> Located {
        let times = self.keyframe_times();
        let segments = self.segments().max(1);
        let (start, end) = (times[0], times[segments]);
        let time = if !time.is_finite() {
            start
        } else if self.looping {
            time.rem_euclid((end - start).max(1e-6))
        } else {
            time.clamp(start, end)
        };
        let segment = (0..segments).rfind(|&i| times[i] <= time).unwrap_or(0);
        let length = |i: usize| (times[i + 1] - times[i]).max(1e-6);
        let h1 = length(segment);
        let h0 = match segment {
            0 if self.looping => length(segments - 1),
            0 => h1,
            i => length(i - 1),
        };
        let h2 = if segment + 1 < segments {
            length(segment + 1)
        } else if self.looping {
            length(0)
        } else {
            h1
        };
        Located {
            segment,
            t: ((time - times[segment]) / h1).clamp(0.0, 1.0),
            durations: [h0, h1, h2],
        }
    }

    /// The view at `time` seconds (clamped, or wrapped around when looping).
    pub fn sample(&self, time: f32) -> Option<PathSample> {
        let n = self.keyframes.len();
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
        let Located {
            segment,
            t,
            durations,
        } = self.locate(time);
        let i = segment as isize;
        let key = |i: isize| -> &Keyframe {
            let i = if self.looping {
                i.rem_euclid(n as isize)
            } else {
                i.clamp(0, n as isize - 1)
            };
            &self.keyframes[i as usize]
        };
        let ks = [key(i - 1), key(i), key(i + 1), key(i + 2)];
        let rotation = squad(q(ks[0]), q(ks[1]), q(ks[2]), q(ks[3]), t);
        let fov =
            catmull_rom_scalar_timed(ks.map(|k| k.fov_y_degrees), durations, t).clamp(1.0, 170.0);
        // Open ends: mirror the neighbour so the end tangents follow the path.
        let open_start = !self.looping && i == 0;
        let open_end = !self.looping && i + 2 > n as isize - 1;
        let curve = |points: [Vec3; 4]| {
            let [mut p0, p1, p2, mut p3] = points;
            if open_start {
                p0 = 2.0 * p1 - p2;
            }
            if open_end {
                p3 = 2.0 * p2 - p1;
            }
            catmull_rom_timed(p0, p1, p2, p3, durations, t)
        };
        let position = match self.resolved_interpolation() {
            Interpolation::Orbit => {
                let target = |k: &Keyframe| k.target.map_or(p(k), Vec3::from_array);
                // The eye's offset from the target in the camera's axes.
                let offset = |k: &Keyframe| q(k).inverse() * (p(k) - target(k));
                let centre = curve(ks.map(target));
                let log_distance = catmull_rom_scalar_timed(
                    ks.map(|k| offset(k).length().max(1e-6).ln()),
                    durations,
                    t,
                );
                let direction = curve(ks.map(|k| offset(k).normalize_or(Vec3::NEG_Z)))
                    .normalize_or(offset(ks[1]).normalize_or(Vec3::NEG_Z));
                centre + rotation * (direction * log_distance.exp())
            }
            _ => curve(ks.map(p)),
        };
        Some(PathSample {
            pose: CameraPose { position, rotation },
            fov_y: fov.to_radians(),
        })
    }
}

fn p(k: &Keyframe) -> Vec3 {
    Vec3::from_array(k.position)
}

fn q(k: &Keyframe) -> Quat {
    Quat::from_array(k.rotation).normalize()
}
