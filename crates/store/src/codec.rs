//! Conversions between SQLite values and domain types.

use std::str::FromStr;

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::types::{Type, ValueRef};
use rusqlite::Row;
use rust_decimal::Decimal;
use sene_domain::{Kg, Money, Percent, Rate};

fn bad<E: std::error::Error + Send + Sync + 'static>(i: usize, e: E) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(i, Type::Text, Box::new(e))
}

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct Msg(String);

/// Typed reads from a row.
pub(crate) trait RowExt {
    fn parse<T: FromStr>(&self, i: usize) -> rusqlite::Result<T>
    where
        T::Err: std::fmt::Display;
    fn opt_parse<T: FromStr>(&self, i: usize) -> rusqlite::Result<Option<T>>
    where
        T::Err: std::fmt::Display;
    fn money(&self, i: usize) -> rusqlite::Result<Money>;
    fn opt_money(&self, i: usize) -> rusqlite::Result<Option<Money>>;
    fn kg(&self, i: usize) -> rusqlite::Result<Kg>;
    fn pct(&self, i: usize) -> rusqlite::Result<Percent>;
    fn rate(&self, i: usize) -> rusqlite::Result<Rate>;
    fn date(&self, i: usize) -> rusqlite::Result<NaiveDate>;
    fn instant(&self, i: usize) -> rusqlite::Result<DateTime<Utc>>;
    fn count(&self, i: usize) -> rusqlite::Result<u32>;
}

impl RowExt for Row<'_> {
    fn parse<T: FromStr>(&self, i: usize) -> rusqlite::Result<T>
    where
        T::Err: std::fmt::Display,
    {
        // the text borrowed from the row (ids, codes: read by the thousand in the reports)
        if let Ok(ValueRef::Text(b)) = self.get_ref(i) {
            if let Ok(s) = std::str::from_utf8(b) {
                return s.parse::<T>().map_err(|e| bad(i, Msg(format!("{s}: {e}"))));
            }
        }
        let s: String = self.get(i)?;
        s.parse::<T>().map_err(|e| bad(i, Msg(format!("{s}: {e}"))))
    }
    fn opt_parse<T: FromStr>(&self, i: usize) -> rusqlite::Result<Option<T>>
    where
        T::Err: std::fmt::Display,
    {
        let s: Option<String> = self.get(i)?;
        s.map(|s| s.parse::<T>().map_err(|e| bad(i, Msg(format!("{s}: {e}")))))
            .transpose()
    }
    fn money(&self, i: usize) -> rusqlite::Result<Money> {
        Money::from_francs(self.get(i)?).map_err(|e| bad(i, e))
    }
    fn opt_money(&self, i: usize) -> rusqlite::Result<Option<Money>> {
        let v: Option<i64> = self.get(i)?;
        v.map(|f| Money::from_francs(f).map_err(|e| bad(i, e)))
            .transpose()
    }
    fn kg(&self, i: usize) -> rusqlite::Result<Kg> {
        Kg::from_tenths(self.get(i)?).map_err(|e| bad(i, e))
    }
    fn pct(&self, i: usize) -> rusqlite::Result<Percent> {
        Percent::from_tenths(self.get(i)?).map_err(|e| bad(i, e))
    }
    fn rate(&self, i: usize) -> rusqlite::Result<Rate> {
        let s: String = self.get(i)?;
        let d = Decimal::from_str(&s).map_err(|e| bad(i, e))?;
        Rate::try_from_decimal(d).map_err(|e| bad(i, e))
    }
    fn date(&self, i: usize) -> rusqlite::Result<NaiveDate> {
        if let Ok(ValueRef::Text(b)) = self.get_ref(i) {
            if let Some(d) = ymd(b) {
                return Ok(d);
            }
        }
        let s: String = self.get(i)?;
        NaiveDate::parse_from_str(&s, "%Y-%m-%d").map_err(|e| bad(i, e))
    }
    fn instant(&self, i: usize) -> rusqlite::Result<DateTime<Utc>> {
        let s: String = self.get(i)?;
        DateTime::parse_from_rfc3339(&s)
            .map(|d| d.with_timezone(&Utc))
            .map_err(|e| bad(i, e))
    }
    fn count(&self, i: usize) -> rusqlite::Result<u32> {
        let v: i64 = self.get(i)?;
        u32::try_from(v).map_err(|e| bad(i, e))
    }
}

/// A date stored as `YYYY-MM-DD` (ten bytes, digits and dashes), read without chrono's
/// format parser; anything else (or an impossible date) is left to it, for the same answer
/// and the same error.
fn ymd(b: &[u8]) -> Option<NaiveDate> {
    fn digits(b: &[u8]) -> Option<u32> {
        b.iter().try_fold(0u32, |n, c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    }
    match b {
        [y @ .., b'-', m1, m2, b'-', d1, d2] if y.len() == 4 => {
            let y = i32::try_from(digits(y)?).ok()?;
            NaiveDate::from_ymd_opt(y, digits(&[*m1, *m2])?, digits(&[*d1, *d2])?)
        }
        _ => None,
    }
}

/// Tenths of kg computed from column `i`, as [`RowExt::kg`] reads them.
pub(crate) fn kg_at(i: usize, tenths: i64) -> rusqlite::Result<Kg> {
    Kg::from_tenths(tenths).map_err(|e| bad(i, e))
}

/// A date as stored.
pub(crate) fn d(date: NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

/// An instant as stored.
pub(crate) fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// The quick date reading gives chrono's answer, and leaves what it does not read to it.
    #[test]
    fn dates_read_as_chrono_reads_them() {
        for s in [
            "2027-01-15",
            "2024-02-29",
            "0001-01-01",
            "9999-12-31",
            "2023-02-29",
            "2027-13-01",
            "2027-00-10",
            "2027-1-15",
            "27-01-15",
            "2027/01/15",
            "2027-01-1x",
            "+2027-01-15",
            "",
        ] {
            let chrono = NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
            if let Some(d) = ymd(s.as_bytes()) {
                assert_eq!(Some(d), chrono, "{s}");
            } else {
                assert!(
                    chrono.is_none() || s.len() != 10,
                    "{s}: read by chrono, not here"
                );
            }
        }
        assert_eq!(ymd(b"2027-01-15"), NaiveDate::from_ymd_opt(2027, 1, 15),);
    }
}
