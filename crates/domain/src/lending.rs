//! The lender's side of a season: the interest a credit line has accrued at a date.
//!
//! Pure: the caller passes the line's non-reversed events; nothing here reads a store or a clock.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::error::DomainError;
use crate::quantity::{Money, Rate};

/// The interest a credit line has accrued up to `upto`: **simple interest, Actual/365, on the
/// principal outstanding day by day**, rounded **once**, at the end, to the whole franc, half
/// away from zero.
///
/// `events` are the line's principal movements, in any order: `+amount` for a drawdown,
/// `−amount` for principal repaid (the interest part of a repayment is not an event: it does not
/// reduce the principal). The convention, chosen where DOMAIN.md only says "credit line: rate"
/// (its fee model for members is "simple annual interest, actual/365", which this mirrors):
///
/// - the outstanding principal of a day is Σ of the events dated **before** that day: money drawn
///   on day D accrues from D (exclusive) to `upto` (inclusive), i.e. `upto − D` actual days; a
///   principal repayment reduces the balance from its own date, so a drawdown repaid the same
///   day accrues nothing;
/// - interest = annual rate × Σ over days (outstanding principal of the day) / 365, every year
///   counted as 365 days (leap years included), no compounding, no penalty rate after maturity
///   (the same rate runs until repaid);
/// - an outstanding principal below zero (more principal repaid than drawn) accrues nothing on
///   the days it is negative: an overpayment earns the union no interest here;
/// - events dated after `upto` are ignored; nothing accrues before the first event.
///
/// ```
/// use chrono::NaiveDate;
/// use sene_domain::{lending::interest_accrued, Money};
/// let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
/// let rate = "0.12".parse().unwrap();
/// // 1 000 000 drawn on 1 January 2026, 30 days at 12 %/yr: 1 000 000 × 0,12 × 30 / 365
/// // = 9 863,01 -> 9 863
/// let events = [(d(2026, 1, 1), Money::from_francs(1_000_000).unwrap())];
/// assert_eq!(interest_accrued(&events, rate, d(2026, 1, 31)).unwrap().francs(), 9_863);
/// ```
///
/// # Errors
/// [`DomainError::Overflow`] beyond the representable range.
pub fn interest_accrued(
    events: &[(NaiveDate, Money)],
    annual_rate: Rate,
    upto: NaiveDate,
) -> Result<Money, DomainError> {
    let mut events: Vec<(NaiveDate, Money)> = events
        .iter()
        .copied()
        .filter(|(date, _)| *date <= upto)
        .collect();
    events.sort_by_key(|(date, _)| *date);
    // Σ outstanding principal × days, in franc-days, exact
    let mut franc_days = Decimal::ZERO;
    let mut outstanding = Decimal::ZERO;
    for (i, (date, amount)) in events.iter().enumerate() {
        outstanding = outstanding
            .checked_add(amount.as_decimal())
            .ok_or(DomainError::Overflow)?;
        let until = events.get(i + 1).map_or(upto, |(next, _)| *next);
        let days = (until - *date).num_days();
        if outstanding.is_sign_positive() && days > 0 {
            franc_days = outstanding
                .checked_mul(Decimal::from(days))
                .and_then(|x| franc_days.checked_add(x))
                .ok_or(DomainError::Overflow)?;
        }
    }
    let interest = franc_days
        .checked_mul(annual_rate.as_decimal())
        .and_then(|x| x.checked_div(Decimal::from(365)))
        .ok_or(DomainError::Overflow)?;
    Money::round_half_up(interest)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn fr(n: i64) -> Money {
        Money::from_francs(n).unwrap()
    }

    fn rate(s: &str) -> Rate {
        s.parse().unwrap()
    }

    #[test]
    fn one_year_at_twelve_percent() {
        // 1 000 000 × 0,12 × 365 / 365 = 120 000
        let ev = [(d(2026, 1, 1), fr(1_000_000))];
        assert_eq!(
            interest_accrued(&ev, rate("0.12"), d(2027, 1, 1)).unwrap(),
            fr(120_000)
        );
    }

    #[test]
    fn thirty_days_at_twelve_percent() {
        // 1 000 000 × 0,12 × 30 / 365 = 9 863,01 -> 9 863
        let ev = [(d(2026, 6, 1), fr(1_000_000))];
        assert_eq!(
            interest_accrued(&ev, rate("0.12"), d(2026, 7, 1)).unwrap(),
            fr(9_863)
        );
    }

    #[test]
    fn leap_year_counts_366_days_over_365() {
        // 2028 is a leap year: 1 000 000 × 0,10 × 366 / 365 = 100 273,97 -> 100 274
        let ev = [(d(2028, 1, 1), fr(1_000_000))];
        assert_eq!(
            interest_accrued(&ev, rate("0.10"), d(2029, 1, 1)).unwrap(),
            fr(100_274)
        );
    }

    #[test]
    fn two_drawdowns_and_a_partial_repayment() {
        // 10 %/yr, upto 31 Dec 2026:
        // 5 000 000 drawn 1 May; 3 000 000 more on 1 Jun; 4 000 000 of principal repaid 1 Oct.
        // 1 May -> 1 Jun: 31 days × 5 000 000 = 155 000 000
        // 1 Jun -> 1 Oct: 122 days × 8 000 000 = 976 000 000
        // 1 Oct -> 31 Dec: 91 days × 4 000 000 = 364 000 000
        // Σ = 1 495 000 000 franc-days × 0,10 / 365 = 409 589,04 -> 409 589
        let ev = [
            (d(2026, 10, 1), fr(-4_000_000)),
            (d(2026, 5, 1), fr(5_000_000)),
            (d(2026, 6, 1), fr(3_000_000)),
            // after upto: ignored
            (d(2027, 1, 15), fr(-4_000_000)),
        ];
        assert_eq!(
            interest_accrued(&ev, rate("0.10"), d(2026, 12, 31)).unwrap(),
            fr(409_589)
        );
    }

    #[test]
    fn rounding_happens_once_at_the_end() {
        // two lines of 0,4 franc each would round to 0 + 0 = 0; together 0,8 -> 1
        // 1 000 × 0,146 × 1 / 365 = 0,4 franc per drawdown-day
        let ev = [(d(2026, 1, 1), fr(1_000)), (d(2026, 1, 2), fr(0))];
        assert_eq!(
            interest_accrued(&ev, rate("0.146"), d(2026, 1, 3)).unwrap(),
            fr(1)
        );
        // half away from zero: 1 000 × 0,1825 × 1 / 365 = 0,5 -> 1
        let ev = [(d(2026, 1, 1), fr(1_000))];
        assert_eq!(
            interest_accrued(&ev, rate("0.1825"), d(2026, 1, 2)).unwrap(),
            fr(1)
        );
    }

    #[test]
    fn nothing_before_the_drawdown_nor_on_an_overpayment() {
        let ev = [(d(2026, 6, 1), fr(1_000_000))];
        assert_eq!(
            interest_accrued(&ev, rate("0.12"), d(2026, 5, 1)).unwrap(),
            Money::ZERO
        );
        assert_eq!(
            interest_accrued(&ev, rate("0.12"), d(2026, 6, 1)).unwrap(),
            Money::ZERO
        );
        // 1 000 000 repaid with 1 500 000 after 30 days: nothing accrues afterwards
        let ev = [
            (d(2026, 6, 1), fr(1_000_000)),
            (d(2026, 7, 1), fr(-1_500_000)),
        ];
        assert_eq!(
            interest_accrued(&ev, rate("0.12"), d(2027, 7, 1)).unwrap(),
            fr(9_863)
        );
    }

    fn arb_events() -> impl Strategy<Value = Vec<(NaiveDate, Money)>> {
        prop::collection::vec((0i64..730, -50_000_000i64..100_000_000), 0..8).prop_map(|v| {
            v.into_iter()
                .map(|(day, amount)| {
                    (
                        d(2026, 1, 1) + chrono::Duration::days(day),
                        Money::from_francs(amount).unwrap(),
                    )
                })
                .collect()
        })
    }

    fn arb_rate(max_millionths: i64) -> impl Strategy<Value = Rate> {
        (0i64..=max_millionths).prop_map(|r| Rate::try_from_decimal(Decimal::new(r, 6)).unwrap())
    }

    fn upto(day: i64) -> NaiveDate {
        d(2026, 1, 1) + chrono::Duration::days(day)
    }

    proptest! {
        #[test]
        fn zero_rate_accrues_nothing(ev in arb_events(), day in 0i64..800) {
            prop_assert_eq!(interest_accrued(&ev, Rate::ZERO, upto(day)).unwrap(), Money::ZERO);
        }

        #[test]
        fn never_negative(ev in arb_events(), r in arb_rate(1_000_000), day in 0i64..800) {
            prop_assert!(!interest_accrued(&ev, r, upto(day)).unwrap().is_negative());
        }

        #[test]
        fn monotone_in_upto(ev in arb_events(), r in arb_rate(1_000_000), a in 0i64..800, b in 0i64..800) {
            let (a, b) = (a.min(b), a.max(b));
            let early = interest_accrued(&ev, r, upto(a)).unwrap();
            let late = interest_accrued(&ev, r, upto(b)).unwrap();
            prop_assert!(early <= late, "{early} > {late}");
        }

        #[test]
        fn drawdown_repaid_the_same_day_accrues_nothing(
            ev in arb_events(),
            r in arb_rate(1_000_000),
            day in 0i64..730,
            amount in 1i64..100_000_000,
            at in 0i64..800,
        ) {
            let base = interest_accrued(&ev, r, upto(at)).unwrap();
            let mut with = ev.clone();
            with.push((upto(day), Money::from_francs(amount).unwrap()));
            with.push((upto(day), Money::from_francs(-amount).unwrap()));
            prop_assert_eq!(interest_accrued(&with, r, upto(at)).unwrap(), base);
            // alone, it accrues nothing at all
            let alone = [(upto(day), Money::from_francs(amount).unwrap()), (upto(day), Money::from_francs(-amount).unwrap())];
            prop_assert_eq!(interest_accrued(&alone, r, upto(at)).unwrap(), Money::ZERO);
        }

        #[test]
        fn doubling_the_rate_doubles_the_interest(ev in arb_events(), r in arb_rate(500_000), day in 0i64..800) {
            let once = interest_accrued(&ev, r, upto(day)).unwrap().francs();
            let double = Rate::try_from_decimal(r.as_decimal() * Decimal::TWO).unwrap();
            let twice = interest_accrued(&ev, double, upto(day)).unwrap().francs();
            prop_assert!((twice - 2 * once).abs() <= 1, "{once} × 2 vs {twice}");
        }
    }
}
