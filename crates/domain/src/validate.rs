//! Validation of what people type: text, codes, phone numbers, and the bounds beyond which an
//! amount or a weight is not a mistake to store but a typing error to refuse.

use crate::error::DomainError;
use crate::quantity::{Kg, Money};

/// Bounds of a plausible record. Anything beyond is refused as a typing error.
pub mod limits {
    /// Longest name or free text (characters).
    pub const TEXT_MAX: usize = 120;
    /// Longest reason or note (characters).
    pub const NOTE_MAX: usize = 500;
    /// Most francs in one advance, fertilizer line or balance payment: 50 million FCFA.
    pub const MEMBER_MONEY_MAX: i64 = 50_000_000;
    /// Most francs in one union-level record (credit line, drawdown, sale): 100 billion FCFA.
    pub const UNION_MONEY_MAX: i64 = 100_000_000_000;
    /// Highest price per kg of a crop: 10 000 FCFA.
    pub const PRICE_PER_KG_MAX: i64 = 10_000;
    /// Highest price of a bag of fertilizer: 500 000 FCFA.
    pub const PRICE_PER_BAG_MAX: i64 = 500_000;
    /// Most kg committed in one contract: 500 t.
    pub const COMMITTED_KG_MAX: i64 = 500_000;
    /// Most kg weighed in one delivery: 60 t.
    pub const DELIVERY_KG_MAX: i64 = 60_000;
    /// Most bags in one delivery or distribution.
    pub const BAGS_MAX: u32 = 2_000;
    /// Most kg in one sale lot: 10 000 t.
    pub const LOT_KG_MAX: i64 = 10_000_000;
    /// Longest member number (characters).
    pub const MEMBER_NUMBER_MAX: usize = 20;
}

/// Checks required, single-line text of at most `max` characters; returns it trimmed.
///
/// # Errors
/// [`DomainError::EmptyText`], [`DomainError::TextTooLong`], [`DomainError::ControlCharacter`].
pub fn text(field: &'static str, value: &str, max: usize) -> Result<String, DomainError> {
    let t = value.trim();
    if t.is_empty() {
        return Err(DomainError::EmptyText { field });
    }
    optional_text(field, t, max)
}

/// Checks optional single-line text (may be empty).
///
/// # Errors
/// [`DomainError::TextTooLong`], [`DomainError::ControlCharacter`].
pub fn optional_text(field: &'static str, value: &str, max: usize) -> Result<String, DomainError> {
    let t = value.trim();
    if t.chars().any(char::is_control) {
        return Err(DomainError::ControlCharacter { field });
    }
    if t.chars().count() > max {
        return Err(DomainError::TextTooLong { field, max });
    }
    Ok(t.to_owned())
}

/// Checks a code: capital letters, digits and dashes, 1 to `max` characters (cooperative
/// codes `DIO`, member numbers `DIO-0042`, receipt prefixes `A07`). Lower case is raised.
///
/// # Errors
/// [`DomainError::InvalidCode`].
pub fn code(field: &'static str, value: &str, max: usize) -> Result<String, DomainError> {
    let t = value.trim().to_uppercase();
    let ok = !t.is_empty()
        && t.chars().count() <= max
        && t.chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-')
        && !t.starts_with('-');
    if ok {
        Ok(t)
    } else {
        Err(DomainError::InvalidCode {
            field,
            value: value.to_owned(),
            max,
        })
    }
}

/// Normalises a Malian phone number to `+223XXXXXXXX`. Accepts spaces, dots and dashes, and
/// the forms `76123456`, `0022376123456`, `+223 76 12 34 56`.
///
/// # Errors
/// [`DomainError::InvalidPhone`].
pub fn phone(value: &str) -> Result<String, DomainError> {
    let digits: String = value
        .trim()
        .chars()
        .filter(|c| !matches!(c, ' ' | '.' | '-' | '\u{a0}'))
        .collect();
    let rest = digits
        .strip_prefix("+223")
        .or_else(|| digits.strip_prefix("00223"))
        .unwrap_or(&digits);
    if rest.len() == 8 && rest.chars().all(|c| c.is_ascii_digit()) {
        Ok(format!("+223{rest}"))
    } else {
        Err(DomainError::InvalidPhone {
            value: value.to_owned(),
        })
    }
}

/// Normalises a national identity number (NINA): 8 to 20 letters or digits, upper case.
///
/// # Errors
/// [`DomainError::InvalidNina`].
pub fn nina(value: &str) -> Result<String, DomainError> {
    let t: String = value
        .trim()
        .chars()
        .filter(|c| *c != ' ')
        .collect::<String>()
        .to_uppercase();
    if (8..=20).contains(&t.len()) && t.chars().all(|c| c.is_ascii_alphanumeric()) {
        Ok(t)
    } else {
        Err(DomainError::InvalidNina {
            value: value.to_owned(),
        })
    }
}

/// Checks an amount is above zero and at most `max` francs.
///
/// # Errors
/// [`DomainError::OutOfRange`].
pub fn positive_money(field: &'static str, value: Money, max: i64) -> Result<Money, DomainError> {
    if value.francs() <= 0 || value.francs() > max {
        return Err(DomainError::OutOfRange {
            field,
            value: value.to_string(),
            min: "1 FCFA".into(),
            max: Money::from_francs(max).unwrap_or_default().to_string(),
        });
    }
    Ok(value)
}

/// Checks an amount is zero or above and at most `max` francs.
///
/// # Errors
/// [`DomainError::OutOfRange`].
pub fn non_negative_money(
    field: &'static str,
    value: Money,
    max: i64,
) -> Result<Money, DomainError> {
    if value.francs() < 0 || value.francs() > max {
        return Err(DomainError::OutOfRange {
            field,
            value: value.to_string(),
            min: "0 FCFA".into(),
            max: Money::from_francs(max).unwrap_or_default().to_string(),
        });
    }
    Ok(value)
}

/// Checks a weight is above zero and at most `max_kg`.
///
/// # Errors
/// [`DomainError::OutOfRange`].
pub fn positive_kg(field: &'static str, value: Kg, max_kg: i64) -> Result<Kg, DomainError> {
    if !value.is_positive() || value.tenths() > max_kg.saturating_mul(10) {
        return Err(DomainError::OutOfRange {
            field,
            value: value.to_string(),
            min: "0,1 kg".into(),
            max: Kg::from_kg(max_kg).unwrap_or_default().to_string(),
        });
    }
    Ok(value)
}

/// Checks a count of bags is within 1 and `max` (or 0 and `max` when `allow_zero`).
///
/// # Errors
/// [`DomainError::OutOfRange`].
pub fn bags(field: &'static str, value: u32, allow_zero: bool) -> Result<u32, DomainError> {
    let min = u32::from(!allow_zero);
    if value < min || value > limits::BAGS_MAX {
        return Err(DomainError::OutOfRange {
            field,
            value: value.to_string(),
            min: min.to_string(),
            max: limits::BAGS_MAX.to_string(),
        });
    }
    Ok(value)
}

/// Checks a year of birth is plausible for a farmer alive this year (`this_year`).
///
/// # Errors
/// [`DomainError::OutOfRange`].
pub fn birth_year(value: i32, this_year: i32) -> Result<i32, DomainError> {
    let (min, max) = (this_year - 110, this_year - 12);
    if value < min || value > max {
        return Err(DomainError::OutOfRange {
            field: "année de naissance",
            value: value.to_string(),
            min: min.to_string(),
            max: max.to_string(),
        });
    }
    Ok(value)
}

/// Folds a name for search and duplicate detection: lower case, accents removed, punctuation
/// and repeated spaces folded. "Traoré" and "TRAORE" fold to "traore".
#[must_use]
pub fn fold(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut space = false;
    for c in value.chars().flat_map(char::to_lowercase) {
        let base = match c {
            'à' | 'á' | 'â' | 'ä' | 'ã' | 'å' => 'a',
            'ç' => 'c',
            'è' | 'é' | 'ê' | 'ë' | 'ɛ' => 'e',
            'ì' | 'í' | 'î' | 'ï' => 'i',
            'ñ' | 'ɲ' | 'ŋ' => 'n',
            'ò' | 'ó' | 'ô' | 'ö' | 'õ' | 'ɔ' => 'o',
            'ù' | 'ú' | 'û' | 'ü' => 'u',
            'ÿ' | 'ý' => 'y',
            c if c.is_alphanumeric() => c,
            _ => ' ',
        };
        if base == ' ' {
            space = !out.is_empty();
        } else {
            if space {
                out.push(' ');
                space = false;
            }
            out.push(base);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_rules() {
        assert_eq!(text("nom", "  Awa  ", 10), Ok("Awa".into()));
        assert_eq!(
            text("nom", "   ", 10),
            Err(DomainError::EmptyText { field: "nom" })
        );
        assert!(matches!(
            text("nom", "a\nb", 10),
            Err(DomainError::ControlCharacter { .. })
        ));
        assert!(matches!(
            text("nom", "\u{1b}[31m", 10),
            Err(DomainError::ControlCharacter { .. })
        ));
        assert!(matches!(
            text("nom", &"x".repeat(11), 10),
            Err(DomainError::TextTooLong { .. })
        ));
        assert_eq!(
            text("nom", &"é".repeat(10), 10).map(|s| s.chars().count()),
            Ok(10)
        );
    }

    #[test]
    fn phones_are_malian() {
        assert_eq!(phone("76 12 34 56"), Ok("+22376123456".into()));
        assert_eq!(phone("+223 76.12.34.56"), Ok("+22376123456".into()));
        assert_eq!(phone("0022366123456"), Ok("+22366123456".into()));
        assert!(phone("7612345").is_err());
        assert!(phone("+22176123456").is_err());
        assert!(phone("abcdefgh").is_err());
    }

    #[test]
    fn codes_and_nina() {
        assert_eq!(code("numéro", "dio-0042", 20), Ok("DIO-0042".into()));
        assert!(code("numéro", "DIO 42", 20).is_err());
        assert!(code("numéro", "", 20).is_err());
        assert!(code("numéro", "-A", 20).is_err());
        assert_eq!(nina("12345678901234a"), Ok("12345678901234A".into()));
        assert!(nina("123").is_err());
    }

    #[test]
    fn bounds() {
        let m = |f| Money::from_francs(f).unwrap_or_default();
        assert!(positive_money("avance", m(0), 100).is_err());
        assert!(positive_money("avance", m(-5), 100).is_err());
        assert!(positive_money("avance", m(101), 100).is_err());
        assert!(positive_money("avance", m(100), 100).is_ok());
        assert!(non_negative_money("comptant", m(0), 100).is_ok());
        assert!(positive_kg("poids", Kg::ZERO, 10).is_err());
        assert!(positive_kg("poids", Kg::from_tenths(101).unwrap_or_default(), 10).is_err());
        assert!(bags("sacs", 0, false).is_err());
        assert!(bags("sacs", 0, true).is_ok());
        assert!(bags("sacs", 2001, true).is_err());
        assert!(birth_year(1890, 2026).is_err());
        assert!(birth_year(2020, 2026).is_err());
        assert!(birth_year(1975, 2026).is_ok());
    }

    #[test]
    fn folding_for_search() {
        assert_eq!(fold("Traoré"), "traore");
        assert_eq!(fold("  TRAORÉ,  Awa "), "traore awa");
        assert_eq!(fold("Sɛgu"), "segu");
        assert_eq!(fold("Maïmouna N'Diaye"), "maimouna n diaye");
    }
}
