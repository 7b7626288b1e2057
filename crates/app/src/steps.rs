//! A step of long work (the demo union; more to come) as the window and `sene` show it: what
//! is being done, and how far along, in units of work whose total is known from the start
//! (`done` never goes back and reaches `total` with the last step).

use serde::{Deserialize, Serialize};

/// One step: `done` units of `total` are finished; `text` says what is being done (French).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    pub done: u64,
    pub total: u64,
    pub text: String,
}

impl Step {
    /// The share done, in whole percents (100 for an empty total).
    #[must_use]
    pub fn percent(&self) -> u64 {
        (self.done.min(self.total) * 100)
            .checked_div(self.total)
            .unwrap_or(100)
    }
}

#[cfg(test)]
mod tests {
    use super::Step;

    #[test]
    fn the_share_is_rounded_down_and_capped() {
        let s = |done, total| Step {
            done,
            total,
            text: String::new(),
        };
        assert_eq!(s(0, 28).percent(), 0);
        assert_eq!(s(27, 28).percent(), 96);
        assert_eq!(s(28, 28).percent(), 100);
        assert_eq!(s(30, 28).percent(), 100);
        assert_eq!(s(0, 0).percent(), 100);
    }
}
