//! The stable-weight rule.
//!
//! A weight is taken when **the same weight, in kilograms, exactly, came in consecutive frames
//! for at least the hold time** (1.5 s by default, [`crate::ScaleConfig::stable_ms`]), with at
//! least two frames, and:
//!
//! - no frame of the run was flagged moving by the scale (MT-SICS `S D`, A&D `US`); a protocol
//!   without a flag (XK3190-A9) is judged on time and value alone;
//! - no frame between them was refused (garbled, cut, overload, negative, busy…): a lost frame
//!   might have said something else, so the run starts again after it;
//! - no silence longer than the hold time (or 1 s, if longer) between two frames;
//! - the weight is above zero: an empty platform is not a delivery.
//!
//! Equality is exact: one division of flicker restarts the run, so a noisy load is taken only
//! once the indicator shows one value for the whole hold time. The clock is given by the caller
//! (pure, testable without waiting).

use std::time::{Duration, Instant};

use rust_decimal::Decimal;

use crate::reading::Reading;

/// The run of equal frames so far.
#[derive(Debug, Clone)]
struct Run {
    kg: Decimal,
    since: Instant,
    last: Instant,
    frames: u32,
}

/// A weight held long enough.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Held {
    /// From the run's first frame to its last.
    pub held: Duration,
    /// Frames in the run.
    pub frames: u32,
}

/// Stable-weight detection over consecutive frames.
#[derive(Debug, Clone)]
pub struct Stability {
    hold: Duration,
    run: Option<Run>,
}

impl Stability {
    /// A detector that takes a weight held for `hold`.
    #[must_use]
    pub fn new(hold: Duration) -> Self {
        Stability { hold, run: None }
    }

    /// The hold time.
    #[must_use]
    pub fn hold(&self) -> Duration {
        self.hold
    }

    /// A frame taken as a weight, received at `at`: `Some` once the rule is met (and for every
    /// later equal frame).
    pub fn feed(&mut self, r: &Reading, at: Instant) -> Option<Held> {
        if r.stable == Some(false) || r.gross <= Decimal::ZERO {
            self.run = None;
            return None;
        }
        let max_gap = self.hold.max(Duration::from_secs(1));
        match &mut self.run {
            Some(run) if run.kg == r.gross && at.saturating_duration_since(run.last) <= max_gap => {
                run.last = at;
                run.frames += 1;
            }
            _ => {
                self.run = Some(Run {
                    kg: r.gross,
                    since: at,
                    last: at,
                    frames: 1,
                });
            }
        }
        let run = self.run.as_ref()?;
        let held = run.last.saturating_duration_since(run.since);
        (run.frames >= 2 && held >= self.hold).then_some(Held {
            held,
            frames: run.frames,
        })
    }

    /// A frame that was refused: the run starts again.
    pub fn broken(&mut self) {
        self.run = None;
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use std::str::FromStr;

    use super::*;
    use crate::reading::Unit;

    fn r(kg: &str, stable: Option<bool>) -> Reading {
        let d = Decimal::from_str(kg).unwrap();
        Reading {
            gross: d,
            shown: d,
            unit: Unit::Kg,
            stable,
            net: false,
            raw: String::new(),
        }
    }

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn held_for_the_hold_time() {
        let t0 = Instant::now();
        let mut s = Stability::new(ms(1500));
        for i in 0..15 {
            assert_eq!(s.feed(&r("50.2", Some(true)), t0 + ms(i * 100)), None);
        }
        let held = s.feed(&r("50.2", Some(true)), t0 + ms(1500)).unwrap();
        assert_eq!(held.frames, 16);
        assert_eq!(held.held, ms(1500));
    }

    #[test]
    fn anything_else_restarts() {
        let t0 = Instant::now();
        let feed_all = |s: &mut Stability, kg: &str, flag: Option<bool>, from: u64| {
            (from..from + 10)
                .map(|i| s.feed(&r(kg, flag), t0 + ms(i * 200)))
                .collect::<Vec<_>>()
        };
        // a flicker of one division
        let mut s = Stability::new(ms(1500));
        assert!(feed_all(&mut s, "50.2", None, 0)[..7]
            .iter()
            .all(Option::is_none));
        assert!(s.feed(&r("50.3", None), t0 + ms(1400)).is_none());
        assert!(s.feed(&r("50.2", None), t0 + ms(1600)).is_none());
        // the scale says moving
        let mut s = Stability::new(ms(1500));
        assert!(feed_all(&mut s, "50.2", Some(false), 0)
            .iter()
            .all(Option::is_none));
        // a refused frame in the middle
        let mut s = Stability::new(ms(1000));
        s.feed(&r("50.2", None), t0);
        s.broken();
        assert!(s.feed(&r("50.2", None), t0 + ms(1000)).is_none());
        // a silence
        let mut s = Stability::new(ms(500));
        s.feed(&r("50.2", None), t0);
        assert!(s.feed(&r("50.2", None), t0 + ms(2000)).is_none());
        assert!(s.feed(&r("50.2", None), t0 + ms(2500)).is_some());
        // zero is never taken
        let mut s = Stability::new(ms(500));
        assert!(feed_all(&mut s, "0", Some(true), 0)
            .iter()
            .all(Option::is_none));
    }
}
