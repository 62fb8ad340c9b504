//! `CameraRig`: the viewer's camera. One of three controllers (orbit, fly,
//! trackball) drives it; switching keeps the current view. Every controller keeps a
//! goal that input changes at once and a current state that follows it with
//! frame-rate independent damping (see `damping`), so motion is smooth and the
//! viewer knows when an animation has ended and it may go idle.

use glam::{Vec2, Vec3};
use serde::{Deserialize, Serialize};

use super::damping::{Damping, damp_f32, damp_vec3};
use super::fly::{FlyController, FlyPose, MoveKeys};
use super::orbit::{DEFAULT_FOV_Y_DEGREES, OrbitCamera};
use super::pose::CameraPose;
use super::trackball::{TrackballController, TrackballPose};
use super::up_axis::UpAxis;
use super::wheel;
use crate::scene::{PinholeCamera, SceneBounds};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CameraMode {
    #[default]
    Orbit,
    Fly,
    Trackball,
}

impl CameraMode {
    pub const ALL: [CameraMode; 3] = [CameraMode::Orbit, CameraMode::Fly, CameraMode::Trackball];

    pub fn label(self) -> &'static str {
        match self {
            CameraMode::Orbit => "Orbit",
            CameraMode::Fly => "Fly",
            CameraMode::Trackball => "Trackball",
        }
    }
}

/// One frame of pointer input over the 3D view.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct PointerInput {
    /// Pixels dragged with the primary button (rotate / look).
    pub rotate: Vec2,
    /// Pixels dragged with the secondary or middle button (pan).
    pub pan: Vec2,
    /// Wheel notches (`wheel::notches`), positive = towards the scene.
    pub scroll: f32,
    /// Height of the view in pixels (for pan speed).
    pub viewport_height: f32,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Controller {
    Orbit {
        goal: OrbitCamera,
        current: OrbitCamera,
    },
    Fly(FlyController),
    Trackball(TrackballController),
}

/// The interactive camera.
#[derive(Clone, Debug, PartialEq)]
pub struct CameraRig {
    controller: Controller,
    up: UpAxis,
    /// Vertical field of view, radians.
    pub fov_y: f32,
    pub damping: Damping,
    /// Fly speed in scene radii per second (so it suits scenes of any size).
    pub fly_speed: f32,
    /// Size of the scene the speeds are relative to.
    scene_radius: f32,
    /// Distance to the point the camera turns about (kept while flying).
    pivot_distance: f32,
}

impl CameraRig {
    /// A rig in `mode` that frames `bounds` from the default direction.
    pub fn new(mode: CameraMode, up: UpAxis, bounds: Option<SceneBounds>, aspect: f32) -> Self {
        let mut orbit = OrbitCamera::framing(bounds, aspect);
        orbit.world_up = up.vector();
        let mut rig = Self {
            controller: Controller::Orbit {
                goal: orbit,
                current: orbit,
            },
            up,
            fov_y: orbit.fov_y,
            damping: Damping::default(),
            fly_speed: 0.5,
            scene_radius: bounds.map_or(1.0, |b| b.radius()),
            pivot_distance: orbit.distance,
        };
        rig.set_mode(mode);
        rig
    }

    pub fn mode(&self) -> CameraMode {
        match self.controller {
            Controller::Orbit { .. } => CameraMode::Orbit,
            Controller::Fly(_) => CameraMode::Fly,
            Controller::Trackball(_) => CameraMode::Trackball,
        }
    }

    pub fn up(&self) -> UpAxis {
        self.up
    }

    /// The pose shown now.
    pub fn pose(&self) -> CameraPose {
        match &self.controller {
            Controller::Orbit { current, .. } => current.pose(),
            Controller::Fly(fly) => fly.current.pose(self.up.vector()),
            Controller::Trackball(ball) => ball.current.pose(),
        }
    }

    /// The pose the camera is moving to.
    pub fn goal_pose(&self) -> CameraPose {
        match &self.controller {
            Controller::Orbit { goal, .. } => goal.pose(),
            Controller::Fly(fly) => fly.goal.pose(self.up.vector()),
            Controller::Trackball(ball) => ball.goal.pose(),
        }
    }

    /// The pivot the camera turns about (orbit/trackball target, or a point ahead).
    pub fn pivot(&self) -> Vec3 {
        let pose = self.goal_pose();
        pose.position + pose.forward() * self.pivot_distance
    }

    pub fn camera(&self, width: u32, height: u32) -> PinholeCamera {
        self.pose().camera(self.fov_y, width, height)
    }

    /// Fly speed in world units per second.
    pub fn fly_speed_world(&self) -> f32 {
        self.fly_speed * self.scene_radius
    }

    /// Switches controller, keeping the current view.
    pub fn set_mode(&mut self, mode: CameraMode) {
        if mode != self.mode() {
            let pose = self.pose();
            self.controller = self.controller_for(mode, &pose, self.pivot_distance);
        }
    }

    fn controller_for(&self, mode: CameraMode, pose: &CameraPose, distance: f32) -> Controller {
        let up = self.up.vector();
        match mode {
            CameraMode::Orbit => {
                let orbit = OrbitCamera::from_pose(pose, distance, up, self.fov_y);
                Controller::Orbit {
                    goal: orbit,
                    current: orbit,
                }
            }
            CameraMode::Fly => Controller::Fly(FlyController::new(FlyPose::from_pose(pose, up))),
            CameraMode::Trackball => Controller::Trackball(TrackballController::new(
                TrackballPose::from_pose(pose, distance),
            )),
        }
    }

    /// Sets the world up axis, keeping the eye and viewing direction (so flipping it
    /// turns an upside-down scene upright at once).
    pub fn set_up(&mut self, up: UpAxis) {
        if up != self.up {
            let pose = self.pose();
            self.up = up;
            self.controller = self.controller_for(self.mode(), &pose, self.pivot_distance);
        }
    }

    /// Moves to `pose` (training cameras, paths); `snap` skips the animation.
    /// `pivot_distance` is how far ahead the orbit/trackball target sits.
    pub fn set_pose(&mut self, pose: &CameraPose, pivot_distance: f32, snap: bool) {
        if !pose.is_finite() {
            return;
        }
        let distance = if pivot_distance.is_finite() && pivot_distance > 0.0 {
            pivot_distance
        } else {
            self.pivot_distance
        };
        self.pivot_distance = distance;
        let target = self.controller_for(self.mode(), pose, distance);
        match (&mut self.controller, target) {
            (Controller::Orbit { goal, current }, Controller::Orbit { goal: g, .. }) => {
                // Arrive by the short way round.
                let turns = ((current.yaw - g.yaw) / std::f32::consts::TAU).round();
                *goal = OrbitCamera {
                    yaw: g.yaw + turns * std::f32::consts::TAU,
                    ..g
                };
                if snap {
                    *current = *goal;
                }
            }
            (Controller::Fly(fly), Controller::Fly(f)) => {
                let turns = ((fly.current.yaw - f.goal.yaw) / std::f32::consts::TAU).round();
                fly.goal = FlyPose {
                    yaw: f.goal.yaw + turns * std::f32::consts::TAU,
                    ..f.goal
                };
                if snap {
                    fly.current = fly.goal;
                    fly.velocity = Vec3::ZERO;
                }
            }
            (Controller::Trackball(ball), Controller::Trackball(b)) => {
                ball.goal = b.goal;
                if snap {
                    ball.current = b.goal;
                }
            }
            (controller, target) => *controller = target,
        }
    }

    /// Turns the camera to look at the scene from its current direction, at a
    /// distance that fits the robust bounds (outlier splats ignored) in the view.
    pub fn frame(&mut self, bounds: Option<SceneBounds>, aspect: f32) {
        let fit = OrbitCamera::framing_with_fov(bounds, aspect, self.fov_y);
        self.scene_radius = bounds.map_or(1.0, |b| b.radius());
        let forward = self.goal_pose().forward();
        let eye = fit.target - forward * fit.distance;
        let up = self.up.vector();
        let mut pose = CameraPose::look_at(eye, fit.target, up);
        if self.mode() == CameraMode::Trackball {
            pose.rotation = self.goal_pose().rotation;
        }
        self.set_pose(&pose, fit.distance, false);
    }

    /// Back to the default view of the scene: default direction and field of view.
    pub fn reset(&mut self, bounds: Option<SceneBounds>, aspect: f32) {
        let orbit = OrbitCamera::initial_view(bounds, self.up, aspect);
        self.fov_y = DEFAULT_FOV_Y_DEGREES.to_radians();
        self.scene_radius = bounds.map_or(1.0, |b| b.radius());
        self.set_pose(&orbit.pose(), orbit.distance, false);
    }

    pub fn set_move_keys(&mut self, keys: MoveKeys) {
        if let Controller::Fly(fly) = &mut self.controller {
            fly.keys = keys;
        }
    }

    /// Applies one frame of pointer input to the goal.
    pub fn pointer(&mut self, input: &PointerInput) {
        let height = input.viewport_height.max(1.0);
        let world_per_pixel = 2.0 * self.pivot_distance * (0.5 * self.fov_y).tan() / height;
        match &mut self.controller {
            Controller::Orbit { goal, .. } => {
                if input.rotate != Vec2::ZERO {
                    goal.orbit(input.rotate.x, input.rotate.y);
                }
                if input.pan != Vec2::ZERO {
                    goal.pan(input.pan.x, input.pan.y, height);
                }
                if input.scroll != 0.0 {
                    goal.zoom(input.scroll);
                    self.pivot_distance = goal.distance;
                }
            }
            Controller::Fly(fly) => {
                if input.rotate != Vec2::ZERO {
                    fly.look(input.rotate);
                }
                if input.pan != Vec2::ZERO {
                    fly.strafe(-input.pan * world_per_pixel, self.up.vector());
                }
                if input.scroll != 0.0 {
                    // The wheel sets the speed while flying.
                    self.fly_speed =
                        (self.fly_speed * wheel::fly_speed_factor(input.scroll)).clamp(1e-3, 1e3);
                }
            }
            Controller::Trackball(ball) => {
                if input.rotate != Vec2::ZERO {
                    ball.goal.rotate(input.rotate);
                }
                if input.pan != Vec2::ZERO {
                    let pose = ball.goal.pose();
                    ball.goal.target -=
                        (pose.right() * input.pan.x + pose.down() * input.pan.y) * world_per_pixel;
                }
                if input.scroll != 0.0 {
                    ball.goal.distance =
                        (ball.goal.distance * wheel::zoom_factor(input.scroll)).clamp(1e-4, 1e7);
                    self.pivot_distance = ball.goal.distance;
                }
            }
        }
    }

    /// Advances the animation by `dt` seconds; true while the camera still moves.
    pub fn update(&mut self, dt: f32) -> bool {
        let damping = self.damping;
        let speed = self.fly_speed_world();
        let up = self.up.vector();
        match &mut self.controller {
            Controller::Orbit { goal, current } => damp_orbit(current, goal, damping.factor(dt)),
            Controller::Fly(fly) => fly.update(dt, &damping, speed, up),
            Controller::Trackball(ball) => ball.update(dt, &damping),
        }
    }
}

fn damp_orbit(current: &mut OrbitCamera, goal: &OrbitCamera, factor: f32) -> bool {
    let scale = goal.distance.max(1e-3);
    let mut moving = damp_vec3(&mut current.target, goal.target, factor, scale * 1e-5);
    let mut log_d = current.distance.max(1e-6).ln();
    moving |= damp_f32(&mut log_d, goal.distance.max(1e-6).ln(), factor, 1e-5);
    current.distance = if moving { log_d.exp() } else { goal.distance };
    moving |= damp_f32(&mut current.yaw, goal.yaw, factor, 1e-5);
    moving |= damp_f32(&mut current.pitch, goal.pitch, factor, 1e-5);
    current.fov_y = goal.fov_y;
    current.world_up = goal.world_up;
    moving
}

#[cfg(test)]
#[path = "rig_tests.rs"]
mod tests;
