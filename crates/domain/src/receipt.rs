//! Receipt numbers: the device's prefix, a dash, and the device's own sequence on six digits
//! (`A07-000123`). Each device has a prefix unique in the union, given when it is registered, so
//! two devices never make the same number, with no coordination at the time of writing.

use crate::error::DomainError;
use crate::validate;

/// Longest receipt prefix.
pub const PREFIX_MAX: usize = 8;

/// Checks and normalises a device's receipt prefix (capital letters and digits).
///
/// # Errors
/// [`DomainError::InvalidCode`].
pub fn prefix(value: &str) -> Result<String, DomainError> {
    let p = validate::code("préfixe de reçu", value, PREFIX_MAX)?;
    if p.contains('-') {
        return Err(DomainError::InvalidCode {
            field: "préfixe de reçu",
            value: value.to_owned(),
            max: PREFIX_MAX,
        });
    }
    Ok(p)
}

/// The receipt number for a sequence number on a device.
///
/// ```
/// assert_eq!(sene_domain::receipt::number("A07", 123), "A07-000123");
/// ```
#[must_use]
pub fn number(prefix: &str, seq: u64) -> String {
    format!("{prefix}-{seq:06}")
}

/// Splits a receipt number into its prefix and sequence.
#[must_use]
pub fn parse(receipt: &str) -> Option<(&str, u64)> {
    let (p, s) = receipt.rsplit_once('-')?;
    Some((p, s.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn receipts_round_trip() {
        assert_eq!(parse(&number("B2", 7)), Some(("B2", 7)));
        assert_eq!(number("B2", 1_234_567), "B2-1234567");
        assert!(prefix("a-1").is_err());
        assert_eq!(prefix("a07"), Ok("A07".into()));
    }
}
