//! Quantities: [`Money`] (whole francs CFA), [`Kg`] (kilograms to one decimal),
//! [`Percent`] (moisture, impurity: points of % to one decimal) and [`Rate`] (a fraction such as
//! an advance share of 0.60 or an annual interest rate of 0.10).
//!
//! All arithmetic is on `rust_decimal::Decimal`, never on floats. Rounding is half-up (away from
//! zero on the half), done once per computed line by [`Money::round_half_up`] and
//! [`Kg::round_half_up`].

use std::fmt;
use std::str::FromStr;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use crate::error::DomainError;

/// The largest amount any single stored figure may hold: 10^15 FCFA (a thousand times a large
/// union's yearly credit). Any sum beyond it is reported as an overflow, never wrapped.
pub const MONEY_LIMIT: i64 = 1_000_000_000_000_000;
/// The largest weight any single stored figure may hold: 10^12 kg.
pub const KG_LIMIT_TENTHS: i64 = 10_000_000_000_000;

/// An amount in francs CFA (XOF). XOF has no minor unit: the value is always a whole number of
/// francs between `-MONEY_LIMIT` and `MONEY_LIMIT`. Built only from whole francs, from a decimal
/// that is whole, or by rounding half-up.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
#[serde(try_from = "Decimal", into = "Decimal")]
pub struct Money(Decimal);

impl Money {
    /// Zero francs.
    pub const ZERO: Money = Money(Decimal::ZERO);

    /// An amount of whole francs.
    ///
    /// # Errors
    /// [`DomainError::Overflow`] when beyond [`MONEY_LIMIT`].
    pub fn from_francs(francs: i64) -> Result<Self, DomainError> {
        if francs.unsigned_abs() > MONEY_LIMIT.unsigned_abs() {
            return Err(DomainError::Overflow);
        }
        Ok(Money(Decimal::from(francs)))
    }

    /// An amount from a decimal that must already be whole.
    ///
    /// # Errors
    /// [`DomainError::FractionalFranc`] if it has a fractional part, [`DomainError::Overflow`]
    /// when beyond [`MONEY_LIMIT`].
    pub fn try_from_decimal(value: Decimal) -> Result<Self, DomainError> {
        if !value.fract().is_zero() {
            return Err(DomainError::FractionalFranc {
                value: value.normalize().to_string(),
            });
        }
        Self::check(value.trunc())
    }

    /// Rounds a computed decimal to the franc, half-up (0.5 goes away from zero).
    ///
    /// ```
    /// use rust_decimal::Decimal;
    /// use sene_domain::Money;
    /// let m = Money::round_half_up(Decimal::new(12345, 1)).unwrap(); // 1 234,5
    /// assert_eq!(m.francs(), 1235);
    /// ```
    ///
    /// # Errors
    /// [`DomainError::Overflow`] when beyond [`MONEY_LIMIT`].
    pub fn round_half_up(value: Decimal) -> Result<Self, DomainError> {
        Self::check(value.round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero))
    }

    fn check(value: Decimal) -> Result<Self, DomainError> {
        if value.abs() > Decimal::from(MONEY_LIMIT) {
            return Err(DomainError::Overflow);
        }
        // normalise the scale so that equal amounts compare and hash equal
        let mut v = value;
        v.rescale(0);
        Ok(Money(v))
    }

    /// The amount as an integer number of francs.
    #[must_use]
    pub fn francs(&self) -> i64 {
        // the invariant guarantees a whole value within MONEY_LIMIT, which fits an i64
        i64::try_from(self.0.mantissa()).unwrap_or(if self.0.is_sign_negative() {
            -MONEY_LIMIT
        } else {
            MONEY_LIMIT
        })
    }

    /// The amount as a decimal.
    #[must_use]
    pub const fn as_decimal(&self) -> Decimal {
        self.0
    }

    /// Checked addition.
    ///
    /// # Errors
    /// [`DomainError::Overflow`].
    pub fn checked_add(self, other: Money) -> Result<Money, DomainError> {
        Self::check(self.0.checked_add(other.0).ok_or(DomainError::Overflow)?)
    }

    /// Checked subtraction.
    ///
    /// # Errors
    /// [`DomainError::Overflow`].
    pub fn checked_sub(self, other: Money) -> Result<Money, DomainError> {
        Self::check(self.0.checked_sub(other.0).ok_or(DomainError::Overflow)?)
    }

    /// Sum of amounts, checked.
    ///
    /// # Errors
    /// [`DomainError::Overflow`].
    pub fn sum<I: IntoIterator<Item = Money>>(items: I) -> Result<Money, DomainError> {
        items.into_iter().try_fold(Money::ZERO, Money::checked_add)
    }

    /// The opposite amount.
    #[must_use]
    pub fn negated(self) -> Money {
        Money(-self.0)
    }

    /// True when strictly above zero.
    #[must_use]
    pub fn is_positive(&self) -> bool {
        self.0 > Decimal::ZERO
    }

    /// True when strictly below zero.
    #[must_use]
    pub fn is_negative(&self) -> bool {
        self.0 < Decimal::ZERO
    }
}

impl TryFrom<Decimal> for Money {
    type Error = DomainError;
    fn try_from(value: Decimal) -> Result<Self, Self::Error> {
        Money::try_from_decimal(value)
    }
}

impl From<Money> for Decimal {
    fn from(m: Money) -> Decimal {
        m.0
    }
}

impl fmt::Display for Money {
    /// French display: `200 000 FCFA` (with no-break spaces).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&crate::words::format_fcfa(i128::from(self.francs())))
    }
}

impl fmt::Debug for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Money({})", self.0)
    }
}

impl FromStr for Money {
    type Err = DomainError;
    /// Parses `200000`, `200 000` or `200000 FCFA`; refuses fractions of a franc.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let cleaned = clean_number(s, &["FCFA", "fcfa", "F"]);
        let value = Decimal::from_str(&cleaned).map_err(|_| DomainError::NotANumber {
            value: s.to_owned(),
        })?;
        Money::try_from_decimal(value)
    }
}

fn clean_number(s: &str, suffixes: &[&str]) -> String {
    let mut t = s.trim();
    for suffix in suffixes {
        if let Some(stripped) = t.strip_suffix(suffix) {
            t = stripped.trim_end();
            break;
        }
    }
    t.chars()
        .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '_'))
        .map(|c| if c == ',' { '.' } else { c })
        .collect()
}

/// A weight in kilograms with at most one decimal (stored as tenths of a kilogram).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
#[serde(try_from = "Decimal", into = "Decimal")]
pub struct Kg(Decimal);

impl Kg {
    /// Zero kilograms.
    pub const ZERO: Kg = Kg(Decimal::ZERO);

    /// A weight given in tenths of a kilogram (the storage unit).
    ///
    /// # Errors
    /// [`DomainError::Overflow`] beyond [`KG_LIMIT_TENTHS`].
    pub fn from_tenths(tenths: i64) -> Result<Self, DomainError> {
        if tenths.unsigned_abs() > KG_LIMIT_TENTHS.unsigned_abs() {
            return Err(DomainError::Overflow);
        }
        Ok(Kg(Decimal::new(tenths, 1)))
    }

    /// Whole kilograms.
    ///
    /// # Errors
    /// [`DomainError::Overflow`].
    pub fn from_kg(kg: i64) -> Result<Self, DomainError> {
        Self::from_tenths(kg.checked_mul(10).ok_or(DomainError::Overflow)?)
    }

    /// A weight from a decimal with at most one decimal.
    ///
    /// # Errors
    /// [`DomainError::TooPrecise`] with two decimals or more, [`DomainError::Overflow`].
    pub fn try_from_decimal(value: Decimal) -> Result<Self, DomainError> {
        if value.round_dp(1) != value {
            return Err(DomainError::TooPrecise {
                value: value.normalize().to_string(),
            });
        }
        Self::check(value)
    }

    /// Rounds a computed decimal to 0.1 kg, half-up.
    ///
    /// ```
    /// use rust_decimal::Decimal;
    /// use sene_domain::Kg;
    /// assert_eq!(Kg::round_half_up(Decimal::new(12345, 2)).unwrap().tenths(), 1235); // 123,45 -> 123,5
    /// ```
    ///
    /// # Errors
    /// [`DomainError::Overflow`].
    pub fn round_half_up(value: Decimal) -> Result<Self, DomainError> {
        Self::check(value.round_dp_with_strategy(1, RoundingStrategy::MidpointAwayFromZero))
    }

    fn check(value: Decimal) -> Result<Self, DomainError> {
        if value.abs() > Decimal::new(KG_LIMIT_TENTHS, 1) {
            return Err(DomainError::Overflow);
        }
        let mut v = value;
        v.rescale(1);
        Ok(Kg(v))
    }

    /// The weight in tenths of a kilogram.
    #[must_use]
    pub fn tenths(&self) -> i64 {
        i64::try_from(self.0.mantissa()).unwrap_or(KG_LIMIT_TENTHS)
    }

    /// The weight as a decimal number of kilograms.
    #[must_use]
    pub const fn as_decimal(&self) -> Decimal {
        self.0
    }

    /// Checked addition.
    ///
    /// # Errors
    /// [`DomainError::Overflow`].
    pub fn checked_add(self, other: Kg) -> Result<Kg, DomainError> {
        Self::check(self.0.checked_add(other.0).ok_or(DomainError::Overflow)?)
    }

    /// Checked subtraction.
    ///
    /// # Errors
    /// [`DomainError::Overflow`].
    pub fn checked_sub(self, other: Kg) -> Result<Kg, DomainError> {
        Self::check(self.0.checked_sub(other.0).ok_or(DomainError::Overflow)?)
    }

    /// Sum of weights, checked.
    ///
    /// # Errors
    /// [`DomainError::Overflow`].
    pub fn sum<I: IntoIterator<Item = Kg>>(items: I) -> Result<Kg, DomainError> {
        items.into_iter().try_fold(Kg::ZERO, Kg::checked_add)
    }

    /// True when strictly above zero.
    #[must_use]
    pub fn is_positive(&self) -> bool {
        self.0 > Decimal::ZERO
    }
}

impl TryFrom<Decimal> for Kg {
    type Error = DomainError;
    fn try_from(value: Decimal) -> Result<Self, Self::Error> {
        Kg::try_from_decimal(value)
    }
}

impl From<Kg> for Decimal {
    fn from(k: Kg) -> Decimal {
        k.0
    }
}

impl fmt::Display for Kg {
    /// French display: `1 234,5 kg`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&crate::words::format_kg_tenths(self.tenths()))
    }
}

impl fmt::Debug for Kg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Kg({})", self.0)
    }
}

impl FromStr for Kg {
    type Err = DomainError;
    /// Parses `1234.5`, `1 234,5` or `1234,5 kg`; refuses more than one decimal.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let cleaned = clean_number(s, &["kg", "KG", "Kg"]);
        let value = Decimal::from_str(&cleaned).map_err(|_| DomainError::NotANumber {
            value: s.to_owned(),
        })?;
        Kg::try_from_decimal(value)
    }
}

/// A percentage in points of %, 0 to 100, at most one decimal (moisture 14,5 %, impurity 2 %).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
#[serde(try_from = "Decimal", into = "Decimal")]
pub struct Percent(Decimal);

impl Percent {
    /// 0 %.
    pub const ZERO: Percent = Percent(Decimal::ZERO);

    /// A percentage from tenths of a point (the storage unit): 145 is 14,5 %.
    ///
    /// # Errors
    /// [`DomainError::OutOfRange`] outside 0–100 %.
    pub fn from_tenths(tenths: i64) -> Result<Self, DomainError> {
        Self::try_from_decimal(Decimal::new(tenths, 1))
    }

    /// A percentage from a decimal number of points.
    ///
    /// # Errors
    /// [`DomainError::OutOfRange`] outside 0–100, [`DomainError::TooPrecise`] beyond one decimal.
    pub fn try_from_decimal(value: Decimal) -> Result<Self, DomainError> {
        if value < Decimal::ZERO || value > Decimal::ONE_HUNDRED {
            return Err(DomainError::OutOfRange {
                field: "pourcentage",
                value: value.normalize().to_string(),
                min: "0".into(),
                max: "100".into(),
            });
        }
        if value.round_dp(1) != value {
            return Err(DomainError::TooPrecise {
                value: value.normalize().to_string(),
            });
        }
        let mut v = value;
        v.rescale(1);
        Ok(Percent(v))
    }

    /// Tenths of a point.
    #[must_use]
    pub fn tenths(&self) -> i64 {
        i64::try_from(self.0.mantissa()).unwrap_or(1000)
    }

    /// The decimal number of points.
    #[must_use]
    pub const fn as_decimal(&self) -> Decimal {
        self.0
    }
}

impl TryFrom<Decimal> for Percent {
    type Error = DomainError;
    fn try_from(value: Decimal) -> Result<Self, Self::Error> {
        Percent::try_from_decimal(value)
    }
}

impl From<Percent> for Decimal {
    fn from(p: Percent) -> Decimal {
        p.0
    }
}

impl fmt::Display for Percent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}\u{a0}%",
            self.0.normalize().to_string().replace('.', ",")
        )
    }
}

impl fmt::Debug for Percent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Percent({})", self.0)
    }
}

impl FromStr for Percent {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let cleaned = clean_number(s, &["%"]);
        let value = Decimal::from_str(&cleaned).map_err(|_| DomainError::NotANumber {
            value: s.to_owned(),
        })?;
        Percent::try_from_decimal(value)
    }
}

/// A rate as a fraction between 0 and 1 inclusive (an advance share of 0.60, an annual interest
/// rate of 0.10, a flat fee of 0.02), at most 6 decimals.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
#[serde(try_from = "Decimal", into = "Decimal")]
pub struct Rate(Decimal);

impl Rate {
    /// A rate of zero.
    pub const ZERO: Rate = Rate(Decimal::ZERO);

    /// A rate from a decimal fraction.
    ///
    /// # Errors
    /// [`DomainError::OutOfRange`] outside 0–1, [`DomainError::TooPrecise`] beyond 6 decimals.
    pub fn try_from_decimal(value: Decimal) -> Result<Self, DomainError> {
        if value < Decimal::ZERO || value > Decimal::ONE {
            return Err(DomainError::OutOfRange {
                field: "taux",
                value: value.normalize().to_string(),
                min: "0".into(),
                max: "1".into(),
            });
        }
        if value.round_dp(6) != value {
            return Err(DomainError::TooPrecise {
                value: value.normalize().to_string(),
            });
        }
        Ok(Rate(value.normalize()))
    }

    /// The fraction.
    #[must_use]
    pub const fn as_decimal(&self) -> Decimal {
        self.0
    }
}

impl TryFrom<Decimal> for Rate {
    type Error = DomainError;
    fn try_from(value: Decimal) -> Result<Self, Self::Error> {
        Rate::try_from_decimal(value)
    }
}

impl From<Rate> for Decimal {
    fn from(r: Rate) -> Decimal {
        r.0
    }
}

impl fmt::Display for Rate {
    /// As a percentage: `60 %`, `1,25 %`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pct = (self.0 * Decimal::ONE_HUNDRED).normalize();
        write!(f, "{}\u{a0}%", pct.to_string().replace('.', ","))
    }
}

impl fmt::Debug for Rate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Rate({})", self.0)
    }
}

impl FromStr for Rate {
    type Err = DomainError;
    /// Parses a fraction (`0.6`) or a percentage (`60%`, `60 %`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        let is_pct = t.ends_with('%');
        let cleaned = clean_number(t, &["%"]);
        let value = Decimal::from_str(&cleaned).map_err(|_| DomainError::NotANumber {
            value: s.to_owned(),
        })?;
        let value = if is_pct {
            value / Decimal::ONE_HUNDRED
        } else {
            value
        };
        Rate::try_from_decimal(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap_or_default()
    }

    #[test]
    fn money_refuses_fractions_and_parses_french_input() {
        assert!(matches!(
            "1500.5".parse::<Money>(),
            Err(DomainError::FractionalFranc { .. })
        ));
        assert_eq!(
            "200 000 FCFA".parse::<Money>().map(|m| m.francs()),
            Ok(200_000)
        );
        assert_eq!(
            "200\u{a0}000".parse::<Money>().map(|m| m.francs()),
            Ok(200_000)
        );
        assert_eq!("1500,0".parse::<Money>().map(|m| m.francs()), Ok(1500));
        assert!(matches!(
            "abc".parse::<Money>(),
            Err(DomainError::NotANumber { .. })
        ));
    }

    #[test]
    fn money_rounds_half_up_once() {
        assert_eq!(Money::round_half_up(d("0.5")).map(|m| m.francs()), Ok(1));
        assert_eq!(Money::round_half_up(d("0.49")).map(|m| m.francs()), Ok(0));
        assert_eq!(Money::round_half_up(d("-0.5")).map(|m| m.francs()), Ok(-1));
        assert_eq!(Money::round_half_up(d("2.5")).map(|m| m.francs()), Ok(3));
    }

    #[test]
    fn money_overflow_is_an_error() {
        let big = Money::from_francs(MONEY_LIMIT).unwrap_or_default();
        assert_eq!(
            big.checked_add(Money::from_francs(1).unwrap_or_default()),
            Err(DomainError::Overflow)
        );
        assert!(Money::from_francs(i64::MAX).is_err());
        assert!(Money::from_francs(i64::MIN).is_err());
    }

    #[test]
    fn money_equal_values_compare_equal_regardless_of_scale() {
        let a = Money::try_from_decimal(d("100.00")).unwrap_or_default();
        let b = Money::from_francs(100).unwrap_or_default();
        assert_eq!(a, b);
        assert_eq!(a.francs(), 100);
        assert_eq!(a.to_string(), "100\u{a0}FCFA");
    }

    #[test]
    fn kg_has_one_decimal() {
        assert_eq!("1234,5".parse::<Kg>().map(|k| k.tenths()), Ok(12345));
        assert!(matches!(
            "1.25".parse::<Kg>(),
            Err(DomainError::TooPrecise { .. })
        ));
        assert_eq!(Kg::round_half_up(d("0.05")).map(|k| k.tenths()), Ok(1));
        assert_eq!(
            Kg::from_tenths(12345).map(|k| k.to_string()),
            Ok("1\u{a0}234,5\u{a0}kg".into())
        );
    }

    #[test]
    fn percent_and_rate_ranges() {
        assert!("101".parse::<Percent>().is_err());
        assert!("-1".parse::<Percent>().is_err());
        assert_eq!("14,5".parse::<Percent>().map(|p| p.tenths()), Ok(145));
        assert_eq!("60%".parse::<Rate>().map(|r| r.as_decimal()), Ok(d("0.6")));
        assert_eq!(
            "0.6".parse::<Rate>().map(|r| r.to_string()),
            Ok("60\u{a0}%".into())
        );
        assert!("1.5".parse::<Rate>().is_err());
    }
}
