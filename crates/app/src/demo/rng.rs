//! Deterministic pseudo-randomness: the seeded [`Rng`] every choice of the demo draws from,
//! and the small date, money, weight and phone helpers built on it.

use chrono::{Days, NaiveDate};
use sene_domain::*;

use crate::Result;

/// SplitMix64: tiny, fast, and good enough to pick names and weights.
#[derive(Debug, Clone)]
pub(super) struct Rng(u64);

impl Rng {
    pub(super) fn new(seed: u64) -> Self {
        Rng(seed ^ 0x5E4E_5E4E_D1A0_2026)
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (0 when `n` is 0).
    pub(super) fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.next_u64() % n
        }
    }

    pub(super) fn index(&mut self, len: usize) -> usize {
        usize::try_from(self.below(len as u64)).unwrap_or(0)
    }

    /// Uniform in `lo..=hi` (`lo` when `hi < lo`).
    pub(super) fn range(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            return lo;
        }
        let span = u64::try_from(hi - lo).unwrap_or(0).saturating_add(1);
        lo + i64::try_from(self.below(span)).unwrap_or(0)
    }

    /// True `per_mille` times in a thousand.
    pub(super) fn chance(&mut self, per_mille: u64) -> bool {
        self.below(1000) < per_mille
    }

    pub(super) fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        let i = self.index(items.len());
        items.get(i)
    }

    /// A date in `a..=b`.
    pub(super) fn date(&mut self, a: NaiveDate, b: NaiveDate) -> NaiveDate {
        let span = (b - a).num_days();
        add_days(a, self.range(0, span))
    }

    pub(super) fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.index(i + 1);
            items.swap(i, j);
        }
    }
}

pub(super) fn add_days(d: NaiveDate, n: i64) -> NaiveDate {
    let n = u64::try_from(n).unwrap_or(0);
    d.checked_add_days(Days::new(n)).unwrap_or(d)
}

pub(super) fn clamp_date(d: NaiveDate, (a, b): (NaiveDate, NaiveDate)) -> NaiveDate {
    d.max(a).min(b)
}

pub(super) fn money(francs: i64) -> Result<Money> {
    Ok(Money::from_francs(francs)?)
}

pub(super) fn kg_tenths(tenths: i64) -> Result<Kg> {
    Ok(Kg::from_tenths(tenths)?)
}

/// `+223` and 8 digits, distinct for distinct `index` below a million.
pub(super) fn phone(rng: &mut Rng, index: u64) -> String {
    const PREFIXES: [&str; 20] = [
        "76", "66", "79", "65", "70", "75", "77", "78", "90", "91", "92", "93", "94", "95", "96",
        "98", "99", "60", "63", "69",
    ];
    let p = rng.pick(&PREFIXES).copied().unwrap_or("76");
    // 738 457 is prime to 10^6: a bijection on 0..10^6.
    let rest = (index % 1_000_000)
        .wrapping_mul(738_457)
        .wrapping_add(104_729)
        % 1_000_000;
    format!("+223{p}{rest:06}")
}
