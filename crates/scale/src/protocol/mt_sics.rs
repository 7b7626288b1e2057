//! Mettler-Toledo **MT-SICS** (Mettler-Toledo Standard Interface Command Set).
//!
//! Source: Mettler-Toledo, *MT-SICS Interface Command Set* reference manuals (for the
//! Excellence balances and for the IND-series weighing terminals), chapters on the level-0
//! commands `S` (send stable weight value), `SI` (send weight value immediately), `Z` (zero)
//! and level-1 `T` (tare), and the section on error messages. Written from the public manuals'
//! descriptions:
//!
//! - every command and answer is ASCII ended by CR LF; defaults are usually 9600 baud, 8N1;
//! - `S` answers `S S <value> <unit>` once the weight is stable, `SI` answers at once with
//!   `S S …` (stable) or `S D …` (dynamic, moving). The value is right-aligned in a field of 10
//!   characters with its sign (`S S     12.34 kg`, `S S    -0.02 kg`);
//! - `S I`: command understood but not executable now (busy taring or zeroing, or for `S` no
//!   stability within the balance's timeout); `S +` overload; `S -` underload;
//! - `ES` syntax error, `ET` transmission error, `EL` logical error (`S L` for `S`);
//! - `T` answers `T S <tare> <unit>`, or `T I` / `T +` / `T -`; `Z` answers `Z A`, or `Z I` /
//!   `Z +` / `Z -`.
//!
//! Assumed, not enforced: the field widths (models differ: 10 characters for the value, the
//! unit up to 5 characters), so the parser requires the structure (status, one value, one unit)
//! but not the spacing. Sene polls with `SI` and applies its own stability rule over the
//! answers, the scale's `S`/`D` flag included, rather than relying on `S` alone.

use rust_decimal::Decimal;

use super::{ascii, Command, Framing, Protocol, ProtocolKind};
use crate::error::Refusal;
use crate::reading::{parse_value, raw_text, reading, Reading, Unit};

/// MT-SICS, polled with `SI`.
#[derive(Debug, Clone)]
pub struct MtSics {
    /// A weight above it (kg) is refused.
    pub capacity: Option<Decimal>,
}

impl Protocol for MtSics {
    fn kind(&self) -> ProtocolKind {
        ProtocolKind::MtSics
    }

    fn framing(&self) -> Framing {
        Framing::Lines
    }

    fn parse(&self, frame: &[u8]) -> Result<Reading, Refusal> {
        let raw = raw_text(frame);
        let Some(text) = ascii(frame) else {
            return Err(Refusal::Garbled { raw });
        };
        let text = text.trim_end();
        match text {
            "S I" => return Err(Refusal::Busy { raw }),
            "S +" => return Err(Refusal::Overload { raw }),
            "S -" => return Err(Refusal::Underload { raw }),
            "S L" | "ES" | "ET" | "EL" => return Err(Refusal::CommandRefused { raw }),
            _ => {}
        }
        let stable = if let Some(rest) = text.strip_prefix("S S ") {
            (true, rest)
        } else if let Some(rest) = text.strip_prefix("S D ") {
            (false, rest)
        } else if is_other_answer(text) {
            return Err(Refusal::NotAWeight { raw });
        } else {
            return Err(Refusal::Garbled { raw });
        };
        let fields: Vec<&str> = stable.1.split_whitespace().collect();
        let [value, unit] = fields.as_slice() else {
            return Err(Refusal::Garbled { raw });
        };
        let Some(shown) = parse_value(value) else {
            return Err(Refusal::Garbled { raw });
        };
        if !unit.bytes().all(|b| b.is_ascii_alphabetic()) {
            return Err(Refusal::Garbled { raw });
        }
        let Some(unit) = Unit::from_symbol(unit) else {
            return Err(Refusal::UnknownUnit {
                unit: (*unit).to_owned(),
                raw,
            });
        };
        reading(shown, unit, Some(stable.0), false, raw, self.capacity)
    }

    fn poll(&self) -> Option<&'static [u8]> {
        Some(b"SI\r\n")
    }

    fn command(&self, c: Command) -> Option<&'static [u8]> {
        Some(match c {
            Command::Tare => b"T\r\n",
            Command::Zero => b"Z\r\n",
        })
    }

    fn answer(&self, c: Command, frame: &[u8]) -> Option<Result<(), Refusal>> {
        let raw = raw_text(frame);
        let text = ascii(frame)?.trim_end();
        let prefix = match c {
            Command::Tare => "T ",
            Command::Zero => "Z ",
        };
        if matches!(text, "ES" | "ET" | "EL") {
            return Some(Err(Refusal::CommandRefused { raw }));
        }
        let status = text.strip_prefix(prefix)?;
        Some(match (c, status.get(..1)?) {
            (Command::Tare, "S") | (Command::Zero, "A") => Ok(()),
            (_, "I") => Err(Refusal::Busy { raw }),
            (_, "+") => Err(Refusal::Overload { raw }),
            (_, "-") => Err(Refusal::Underload { raw }),
            _ => Err(Refusal::CommandRefused { raw }),
        })
    }

    fn answers_commands(&self) -> bool {
        true
    }

    /// `I4`: the serial number (MT-SICS level 0), answered `I4 A "<serial>"`.
    fn identify(&self) -> Option<&'static [u8]> {
        Some(b"I4\r\n")
    }

    fn identity(&self, frame: &[u8]) -> Option<String> {
        let text = ascii(frame)?.trim_end();
        let quoted = text.strip_prefix("I4 A ")?.trim();
        let serial = quoted.strip_prefix('"')?.strip_suffix('"')?;
        (!serial.is_empty()
            && serial.len() <= 40
            && serial.bytes().all(|b| b.is_ascii_graphic() || b == b' '))
        .then(|| serial.trim().to_owned())
    }
}

/// An answer to another command (`T S …`, `Z A`, `I4 A …`): well formed, not a weight.
fn is_other_answer(text: &str) -> bool {
    let mut parts = text.split(' ');
    let (Some(cmd), Some(status)) = (parts.next(), parts.next()) else {
        return false;
    };
    !cmd.is_empty()
        && cmd.len() <= 4
        && cmd
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        && cmd != "S"
        && matches!(status, "A" | "B" | "S" | "D" | "I" | "L" | "+" | "-")
}

/// What an MT-SICS indicator answers to a weight request (for the emulator and tests): `S S` or
/// `S D` with the value right-aligned in 10 characters, CR LF.
#[must_use]
pub fn weight_answer(stable: bool, shown: &str, unit: Unit) -> Vec<u8> {
    let status = if stable { 'S' } else { 'D' };
    format!("S {status} {shown:>10} {}\r\n", unit.symbol()).into_bytes()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use std::str::FromStr;

    use super::*;

    fn p() -> MtSics {
        MtSics { capacity: None }
    }

    #[test]
    fn stable_and_dynamic() {
        let r = p().parse(b"S S     12.34 kg").unwrap();
        assert_eq!(r.gross, Decimal::from_str("12.34").unwrap());
        assert_eq!(r.stable, Some(true));
        let r = p().parse(b"S D      12.3 kg").unwrap();
        assert_eq!(r.stable, Some(false));
        let r = p().parse(b"S S    100.00 lb").unwrap();
        assert_eq!(r.gross, Decimal::from_str("45.359237").unwrap());
        let frame = weight_answer(true, "1234.5", Unit::G);
        let r = p().parse(&frame[..frame.len() - 2]).unwrap();
        assert_eq!(r.gross, Decimal::from_str("1.2345").unwrap());
    }

    #[test]
    fn refusals() {
        let code = |f: &[u8]| p().parse(f).unwrap_err().code();
        assert_eq!(code(b"S +"), "overload");
        assert_eq!(code(b"S -"), "underload");
        assert_eq!(code(b"S I"), "busy");
        assert_eq!(code(b"ES"), "command_refused");
        assert_eq!(code(b"S S     -0.02 kg"), "negative");
        assert_eq!(code(b"S S     12.34 oz"), "unknown_unit");
        assert_eq!(code(b"T S      0.50 kg"), "not_a_weight");
        for garbled in [
            &b"S S     12.3? kg"[..],
            b"S     12.34 kg",
            b"S S     12.34",
            b"S S     12.34 kg kg",
            b"S X     12.34 kg",
            b"S S     1\xff.34 kg",
            b"     12.34 kg",
            b"",
        ] {
            assert_eq!(code(garbled), "garbled", "{}", raw_text(garbled));
        }
    }

    #[test]
    fn command_answers() {
        assert_eq!(p().answer(Command::Tare, b"T S      0.50 kg"), Some(Ok(())));
        assert_eq!(p().answer(Command::Zero, b"Z A"), Some(Ok(())));
        assert!(matches!(
            p().answer(Command::Zero, b"Z +"),
            Some(Err(Refusal::Overload { .. }))
        ));
        assert_eq!(p().answer(Command::Tare, b"S S     12.34 kg"), None);
    }

    #[test]
    fn identity_from_i4() {
        let p = p();
        assert_eq!(p.identify(), Some(&b"I4\r\n"[..]));
        assert_eq!(
            p.identity(b"I4 A \"B123456789\"").as_deref(),
            Some("B123456789")
        );
        assert_eq!(p.identity(b"I4 I"), None);
        assert_eq!(p.identity(b"S S      12.34 kg"), None);
        assert_eq!(p.identity(b"I4 A \"\""), None);
    }
}
