//! A weight read from an indicator, and the units Sene converts to kilograms.

use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::error::Refusal;

/// One frame taken as a weight.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reading {
    /// The weight in kilograms, exact (the indicator's value converted from its unit). What the
    /// indicator shows: gross, or net when it says so (`net`).
    pub gross: Decimal,
    /// The value as the indicator sent it, in its unit.
    pub shown: Decimal,
    /// The indicator's unit.
    pub unit: Unit,
    /// The indicator's own motion flag: `Some(true)` stable, `Some(false)` moving, `None` when
    /// the protocol has no flag (XK3190-A9): stability is then decided by time alone.
    pub stable: Option<bool>,
    /// The indicator says the value is net of a tare (A&D `NT`); false when it says gross or
    /// cannot say.
    pub net: bool,
    /// The frame as received, control bytes escaped (`\x02…\x03`).
    pub raw: String,
}

/// A unit of mass an indicator may send.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Unit {
    /// Gram.
    G,
    /// Kilogram.
    Kg,
    /// Metric ton (1 000 kg).
    T,
    /// Avoirdupois pound: exactly 0.453 592 37 kg (international yard and pound agreement, 1959).
    Lb,
}

impl Unit {
    /// Every unit.
    pub const ALL: &'static [Unit] = &[Unit::G, Unit::Kg, Unit::T, Unit::Lb];

    /// Kilograms in one of this unit, exact.
    #[must_use]
    pub fn kg_per_unit(self) -> Decimal {
        match self {
            Unit::G => Decimal::new(1, 3),
            Unit::Kg => Decimal::ONE,
            Unit::T => Decimal::new(1000, 0),
            Unit::Lb => Decimal::new(45_359_237, 8),
        }
    }

    /// `value` of this unit in kilograms, exact (`None` beyond `Decimal`'s range).
    #[must_use]
    pub fn to_kg(self, value: Decimal) -> Option<Decimal> {
        value
            .checked_mul(self.kg_per_unit())
            .map(|kg| kg.normalize())
    }

    /// The symbol as indicators write it.
    #[must_use]
    pub fn symbol(self) -> &'static str {
        match self {
            Unit::G => "g",
            Unit::Kg => "kg",
            Unit::T => "t",
            Unit::Lb => "lb",
        }
    }

    /// A unit as an indicator writes it (`kg`, `KG`, `g`, `t`, `lb`, `lbs`), or `None`.
    #[must_use]
    pub fn from_symbol(s: &str) -> Option<Unit> {
        match s.to_ascii_lowercase().as_str() {
            "g" => Some(Unit::G),
            "kg" => Some(Unit::Kg),
            "t" => Some(Unit::T),
            "lb" | "lbs" => Some(Unit::Lb),
            _ => None,
        }
    }
}

impl FromStr for Unit {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Unit::from_symbol(s.trim()).ok_or_else(|| s.to_owned())
    }
}

/// The frame as text for people and logs: printable ASCII kept, anything else escaped.
#[must_use]
pub fn raw_text(frame: &[u8]) -> String {
    frame.escape_ascii().to_string()
}

/// A signed decimal as indicators write it: an optional sign, digits, at most one decimal
/// point, nothing else (no exponent, no spaces inside, at most 12 characters). Anything else is
/// `None`: the caller refuses the frame as garbled.
#[must_use]
pub fn parse_value(s: &str) -> Option<Decimal> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    let ok = !digits.is_empty()
        && s.len() <= 12
        && digits.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && digits.bytes().filter(|&b| b == b'.').count() <= 1
        && digits.bytes().any(|b| b.is_ascii_digit())
        && !digits.starts_with('.')
        && !digits.ends_with('.');
    if !ok {
        return None;
    }
    Decimal::from_str(s.strip_prefix('+').unwrap_or(s)).ok()
}

/// A weight shown in `unit` as a [`Reading`], or the refusal: negative, above `capacity` (kg),
/// beyond range. Zero is a reading (the empty platform), never a captured weight
/// ([`crate::Stability`] waits for more).
///
/// # Errors
/// [`Refusal::Negative`], [`Refusal::AboveCapacity`], [`Refusal::Garbled`] (out of range).
pub fn reading(
    shown: Decimal,
    unit: Unit,
    stable: Option<bool>,
    net: bool,
    raw: String,
    capacity: Option<Decimal>,
) -> Result<Reading, Refusal> {
    let Some(kg) = unit.to_kg(shown) else {
        return Err(Refusal::Garbled { raw });
    };
    if kg.is_sign_negative() && !kg.is_zero() {
        return Err(Refusal::Negative { raw, kg });
    }
    let kg = kg.abs(); // -0.00 is zero
    if let Some(capacity) = capacity {
        if kg > capacity {
            return Err(Refusal::AboveCapacity { raw, kg, capacity });
        }
    }
    Ok(Reading {
        gross: kg,
        shown,
        unit,
        stable,
        net,
        raw,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn units_convert_exactly() {
        assert_eq!(Unit::Lb.to_kg(d("100")), Some(d("45.359237")));
        assert_eq!(Unit::Lb.to_kg(d("1.5")), Some(d("0.680388555")));
        assert_eq!(Unit::G.to_kg(d("12340")), Some(d("12.34")));
        assert_eq!(Unit::T.to_kg(d("1.2345")), Some(d("1234.5")));
        assert_eq!(Unit::Kg.to_kg(d("0012.340")), Some(d("12.34")));
    }

    #[test]
    fn values_are_strict() {
        assert_eq!(parse_value("+00012.34"), Some(d("12.34")));
        assert_eq!(parse_value("-5"), Some(d("-5")));
        for bad in [
            "", "+", "1.2.3", "1e3", "12,34", " 12", "1 2", ".5", "5.", "+-1", "0x10",
        ] {
            assert_eq!(parse_value(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn negative_refused_zero_kept() {
        let r = reading(d("-0.00"), Unit::Kg, Some(true), false, "x".into(), None).unwrap();
        assert!(r.gross.is_zero() && !r.gross.is_sign_negative());
        assert!(matches!(
            reading(d("-0.01"), Unit::Kg, Some(true), false, "x".into(), None),
            Err(Refusal::Negative { .. })
        ));
        assert!(matches!(
            reading(d("3.1"), Unit::T, None, false, "x".into(), Some(d("3000"))),
            Err(Refusal::AboveCapacity { .. })
        ));
    }
}
