//! **A&D** (A&D Company) continuous output, "A&D standard format".
//!
//! Source: A&D weighing-indicator instruction manuals (AD-4402 / AD-4406, the FS-i / SC / SE /
//! HV-WP / HW-G platform scales), section "Data format" of the RS-232C interface, and the A&D
//! balance manuals (EK-i / EW-i, FX-i, GX-A) for the one-header variant. Written from those
//! public descriptions:
//!
//! - one frame per line, ended by CR LF, sent continuously (stream mode) or on request;
//! - `H1,H2,DATA UNIT`: header 1 `ST` stable, `US` unstable, `OL` overload (`QT` a count in
//!   counting mode); header 2 `GS` gross, `NT` net, `TR` tare; the data is a sign and the value
//!   zero-padded with its decimal point (`+00012.34`); then the unit right-aligned (`  kg`,
//!   `   g`, `   t`, `  lb`). Example: `ST,GS,+00012.34  kg`;
//! - balances send one header only: `ST,+00012.34  g`;
//! - commands `Q` (request), `T` (tare), `Z` (zero), each ended by CR LF; in stream mode the
//!   indicator does not answer them with a frame Sene waits for.
//!
//! Assumed, not enforced: the field widths (8 or 9 characters for sign and value, 2 to 4 for the
//! unit, by model) and the indicator's serial format (often 2400 baud 7E1 on balances, 9600 8N1 on
//! platform indicators: set in [`crate::ScaleConfig`]). Required: a known header, a sign, a
//! plain decimal value and a unit; a net frame is a reading with `net` set; `OL` is refused
//! whatever its value; a tare (`TR`) or count (`QT`) frame is not a weight.

use rust_decimal::Decimal;

use super::{ascii, Command, Framing, Protocol, ProtocolKind};
use crate::error::Refusal;
use crate::reading::{parse_value, raw_text, reading, Reading, Unit};

/// A&D standard format, continuous.
#[derive(Debug, Clone)]
pub struct And {
    /// A weight above it (kg) is refused.
    pub capacity: Option<Decimal>,
}

impl Protocol for And {
    fn kind(&self) -> ProtocolKind {
        ProtocolKind::And
    }

    fn framing(&self) -> Framing {
        Framing::Lines
    }

    fn parse(&self, frame: &[u8]) -> Result<Reading, Refusal> {
        let raw = raw_text(frame);
        let Some(text) = ascii(frame) else {
            return Err(Refusal::Garbled { raw });
        };
        let mut fields = text.splitn(3, ',');
        let (Some(h1), Some(second)) = (fields.next(), fields.next()) else {
            return Err(Refusal::Garbled { raw });
        };
        let (h2, data) = match (second, fields.next()) {
            ("GS" | "NT" | "TR", Some(data)) => (Some(second), data),
            (data, None) => (None, data),
            _ => return Err(Refusal::Garbled { raw }),
        };
        let stable = match h1 {
            "ST" => true,
            "US" => false,
            "OL" => return Err(Refusal::Overload { raw }),
            "QT" => return Err(Refusal::NotAWeight { raw }),
            _ => return Err(Refusal::Garbled { raw }),
        };
        if h2 == Some("TR") {
            return Err(Refusal::NotAWeight { raw });
        }
        // sign and value, spaces, unit letters
        let unit_at = data
            .rfind(|c: char| !c.is_ascii_alphabetic())
            .map_or(0, |i| i + 1);
        let (value, unit) = data.split_at(unit_at);
        let value = value.trim_end_matches(' ');
        if unit.is_empty() || !value.starts_with(['+', '-']) {
            return Err(Refusal::Garbled { raw });
        }
        let Some(shown) = parse_value(value) else {
            return Err(Refusal::Garbled { raw });
        };
        let Some(unit) = Unit::from_symbol(unit) else {
            return Err(Refusal::UnknownUnit {
                unit: unit.to_owned(),
                raw,
            });
        };
        reading(
            shown,
            unit,
            Some(stable),
            h2 == Some("NT"),
            raw,
            self.capacity,
        )
    }

    fn command(&self, c: Command) -> Option<&'static [u8]> {
        Some(match c {
            Command::Tare => b"T\r\n",
            Command::Zero => b"Z\r\n",
        })
    }
}

/// The A&D frame header for an indicator's state (for the emulator and tests).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Header {
    /// `ST`.
    Stable,
    /// `US`.
    Unstable,
    /// `OL`.
    Overload,
}

/// An A&D frame as an indicator sends it: `ST,GS,+00012.34  kg` CR LF (`shown` without sign,
/// zero-padded here to 8 characters).
#[must_use]
pub fn frame(header: Header, negative: bool, shown: &str, unit: Unit) -> Vec<u8> {
    let h = match header {
        Header::Stable => "ST",
        Header::Unstable => "US",
        Header::Overload => "OL",
    };
    let sign = if negative { '-' } else { '+' };
    format!("{h},GS,{sign}{shown:0>8}{:>4}\r\n", unit.symbol()).into_bytes()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use std::str::FromStr;

    use super::*;

    fn p() -> And {
        And { capacity: None }
    }

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn frames() {
        let r = p().parse(b"ST,GS,+00012.34  kg").unwrap();
        assert_eq!((r.gross, r.stable, r.net), (d("12.34"), Some(true), false));
        let r = p().parse(b"US,NT,+0012.340 kg").unwrap();
        assert_eq!((r.gross, r.stable, r.net), (d("12.34"), Some(false), true));
        let r = p().parse(b"ST,+0100.000 lb").unwrap();
        assert_eq!(r.gross, d("45.359237"));
        let r = p().parse(b"ST,GS,+001500.0   g").unwrap();
        assert_eq!(r.gross, d("1.5"));
        let f = frame(Header::Stable, false, "12.34", Unit::T);
        assert_eq!(&f, b"ST,GS,+00012.34   t\r\n");
        assert_eq!(p().parse(&f[..f.len() - 2]).unwrap().gross, d("12340"));
    }

    #[test]
    fn refusals() {
        let code = |f: &[u8]| p().parse(f).unwrap_err().code();
        assert_eq!(code(b"OL,GS,+99999999  kg"), "overload");
        assert_eq!(code(b"OL,GS,          kg"), "overload");
        assert_eq!(code(b"ST,GS,-00000.20  kg"), "negative");
        assert_eq!(code(b"ST,TR,+00001.00  kg"), "not_a_weight");
        assert_eq!(code(b"ST,GS,+00012.34  oz"), "unknown_unit");
        for garbled in [
            &b"ST,GS,+00012.34"[..],
            b"ST,GS,00012.34  kg",
            b"ST,GS,+000\xb12.34  kg",
            b"SX,GS,+00012.34  kg",
            b",GS,+00012.34  kg",
            b"GS,+00012.34  kg",
            b"+00012.34  kg",
            b"ST,GS,+000 12.34  kg",
            b"ST,XX,+00012.34  kg",
            b"",
        ] {
            assert_eq!(code(garbled), "garbled", "{}", raw_text(garbled));
        }
    }
}
