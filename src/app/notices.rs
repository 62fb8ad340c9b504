//! Notices fade: a confirmation ("screenshot saved to …", "dataset …: 12
//! views") stays long enough to read, then leaves the view, so that toasts do
//! not pile up over the scene and the compare metrics. Errors stay until
//! dismissed.

use std::time::{Duration, Instant};

use super::state::AppState;

/// When each notice was given. Compares equal to any other: a reading of the
/// clock, not a choice of the user's (states compared in tests differ in it
/// by microseconds).
#[derive(Clone, Debug, Default)]
pub struct NoticeClock(pub Vec<Instant>);

impl PartialEq for NoticeClock {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

/// How long a notice of `chars` characters stays: 6 s, and 50 ms more per
/// character past 60 (reading time), at most 20 s.
pub fn notice_lifetime(chars: usize) -> Duration {
    let extra = chars.saturating_sub(60) as u64 * 50;
    Duration::from_millis((6_000 + extra).min(20_000))
}

impl AppState {
    /// An error: shown until dismissed, and logged.
    pub fn error(&mut self, message: impl Into<String>) {
        let message = message.into();
        log::error!("{message}");
        self.errors.push(message);
    }

    /// A notice: shown for a while (at most the last 5), and logged.
    pub fn notice(&mut self, message: impl Into<String>) {
        let message = message.into();
        log::info!("{message}");
        self.notices.push(message);
        if let Some(times) = &mut self.notice_times {
            times.0.push(Instant::now());
        }
        if self.notices.len() > 5 {
            self.notices.remove(0);
            if let Some(times) = &mut self.notice_times {
                times.0.remove(0);
            }
        }
    }

    /// Drops the notices whose time is up at `now`; returns when the next one
    /// will be, to draw the frame that removes it.
    pub fn expire_notices(&mut self, now: Instant) -> Option<Instant> {
        let times = &mut self.notice_times.as_mut()?.0;
        if times.len() != self.notices.len() {
            // Someone pushed a notice directly: it counts from now.
            times.resize(self.notices.len(), now);
        }
        let mut next: Option<Instant> = None;
        let mut i = 0;
        while i < self.notices.len() {
            let ends = times[i] + notice_lifetime(self.notices[i].chars().count());
            if ends <= now {
                self.notices.remove(i);
                times.remove(i);
            } else {
                next = Some(next.map_or(ends, |n| n.min(ends)));
                i += 1;
            }
        }
        next
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notices_fade_in_order_and_errors_stay() {
        let mut state = AppState::new(crate::settings::Settings::default());
        let start = Instant::now();
        state.notice("short");
        state.notice("a".repeat(160));
        state.error("stays");
        let next = state.expire_notices(start).expect("two notices");
        assert!(next >= start + Duration::from_secs(6));
        let later = start + Duration::from_secs(7);
        let next = state.expire_notices(later).expect("the long one is left");
        assert_eq!(state.notices.len(), 1);
        assert!(next <= later + Duration::from_secs(5));
        assert_eq!(state.expire_notices(start + Duration::from_secs(21)), None);
        assert!(state.notices.is_empty());
        assert_eq!(state.errors, ["stays"]);
        // Kept for tests that read them after slow frames.
        state.notice_times = None;
        state.notice("kept");
        assert_eq!(state.expire_notices(start + Duration::from_secs(60)), None);
        assert_eq!(state.notices, ["kept"]);
    }
}
