//! Conversions between SQLite values and domain types.

use std::str::FromStr;

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::types::Type;
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

/// A date as stored.
pub(crate) fn d(date: NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

/// An instant as stored.
pub(crate) fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}
