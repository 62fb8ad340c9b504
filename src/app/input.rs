//! Mouse state for the orbit controls: which buttons are held, where the cursor was.

use winit::event::{ElementState, MouseButton, MouseScrollDelta};

#[derive(Default)]
pub struct MouseState {
    pub rotating: bool,
    pub panning: bool,
    pub last_position: Option<(f64, f64)>,
}

impl MouseState {
    pub fn button(&mut self, button: MouseButton, state: ElementState) {
        let pressed = state == ElementState::Pressed;
        match button {
            MouseButton::Left => self.rotating = pressed,
            MouseButton::Right | MouseButton::Middle => self.panning = pressed,
            _ => {}
        }
    }

    /// Records the cursor position; returns the movement since the last one.
    pub fn moved(&mut self, x: f64, y: f64) -> (f32, f32) {
        let delta = self
            .last_position
            .map_or((0.0, 0.0), |(px, py)| ((x - px) as f32, (y - py) as f32));
        self.last_position = Some((x, y));
        delta
    }
}

/// Wheel movement in "steps" (one notch = 1).
pub fn scroll_steps(delta: &MouseScrollDelta) -> f32 {
    match delta {
        MouseScrollDelta::LineDelta(_, y) => *y,
        MouseScrollDelta::PixelDelta(p) => (p.y / 40.0) as f32,
    }
}
