//! **Yaohua XK3190-A9** (Shanghai Yaohua) weighing indicator, continuous output.
//!
//! Source: the *XK3190-A9 称重显示控制器使用说明书* (user manual), serial communication section,
//! parameter `tF` = 0, "连续方式" (continuous mode), as it is commonly reproduced. This is the
//! 12-byte frame of the A9 family, not the `=0012.34` reversed-digit stream of other Yaohua
//! models nor the `ww000.000kg` ASCII lines of the XK3190-A12: those are not read here.
//!
//! | byte | content |
//! |---|---|
//! | 1 | `0x02` STX |
//! | 2 | sign, `+` or `-` |
//! | 3–8 | the displayed weight, 6 ASCII digits, most significant first, no decimal point |
//! | 9 | the number of decimals, `0`–`4` |
//! | 10, 11 | XOR of bytes 2–9: high nibble then low nibble, each as an ASCII hex digit (`0`–`9`, `A`–`F`) |
//! | 12 | `0x03` ETX |
//!
//! Example: `\x02+00123421D\x03` is +12.34 (`001234`, two decimals). Frames follow one
//! another with no line end, at the indicator's update rate; the usual setting is 9600 baud 8N1.
//!
//! The frame carries **no unit and no motion or overload flag**. Assumed: the indicator is set to
//! kilograms (another unit is given in [`crate::ScaleConfig::unit`]); stability is decided by
//! time alone ([`crate::Stability`]); an overloaded A9 shows `oFL` and sends no valid digits
//! (not documented: such a frame is refused as garbled), and a weight above the capacity set in
//! [`crate::ScaleConfig::capacity_kg`] is refused. The XOR check catches a changed digit, which
//! the two other protocols cannot.

use rust_decimal::Decimal;

use super::{Framing, Protocol, ProtocolKind};
use crate::error::Refusal;
use crate::reading::{raw_text, reading, Reading, Unit};

/// XK3190-A9 continuous output (`tF` = 0).
#[derive(Debug, Clone)]
pub struct Xk3190 {
    /// The unit the indicator is set to (the frame does not say).
    pub unit: Unit,
    /// A weight above it (kg) is refused.
    pub capacity: Option<Decimal>,
}

impl Protocol for Xk3190 {
    fn kind(&self) -> ProtocolKind {
        ProtocolKind::Xk3190
    }

    fn framing(&self) -> Framing {
        Framing::StxEtx
    }

    /// `frame` is the 10 bytes between STX and ETX.
    fn parse(&self, frame: &[u8]) -> Result<Reading, Refusal> {
        let raw = format!("\\x02{}\\x03", raw_text(frame));
        let [sign, d @ .., dp, hi, lo] = frame else {
            return Err(Refusal::Garbled { raw });
        };
        if d.len() != 6 {
            return Err(Refusal::Partial { raw });
        }
        let body = &frame[..8];
        if !matches!(sign, b'+' | b'-')
            || !d.iter().all(u8::is_ascii_digit)
            || !(b'0'..=b'4').contains(dp)
        {
            return Err(Refusal::Garbled { raw });
        }
        if [*hi, *lo] != check(body) {
            return Err(Refusal::Checksum { raw });
        }
        let mut digits: i64 = 0;
        for b in d {
            digits = digits * 10 + i64::from(b - b'0');
        }
        let mut shown = Decimal::new(digits, u32::from(dp - b'0'));
        if *sign == b'-' {
            shown.set_sign_negative(true);
        }
        reading(shown, self.unit, None, false, raw, self.capacity)
    }
}

/// The two check characters of a frame's bytes 2–9: their XOR, high then low nibble, in ASCII
/// hex (`0x30 + n` below 10, `0x37 + n` from 10: `A`–`F`).
#[must_use]
pub fn check(body: &[u8]) -> [u8; 2] {
    let x = body.iter().fold(0u8, |a, b| a ^ b);
    let hex = |n: u8| if n < 10 { b'0' + n } else { b'7' + n };
    [hex(x >> 4), hex(x & 0x0f)]
}

/// A full frame, STX to ETX (for the emulator and tests): `digits` is the displayed value
/// without its point (at most 6 digits), `decimals` where the point goes.
#[must_use]
pub fn frame(negative: bool, digits: u32, decimals: u8) -> Vec<u8> {
    let sign = if negative { '-' } else { '+' };
    let body = format!("{sign}{:06}{}", digits % 1_000_000, decimals.min(4));
    let mut f = vec![0x02];
    f.extend_from_slice(body.as_bytes());
    f.extend_from_slice(&check(body.as_bytes()));
    f.push(0x03);
    f
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use std::str::FromStr;

    use super::*;

    fn p() -> Xk3190 {
        Xk3190 {
            unit: Unit::Kg,
            capacity: None,
        }
    }

    fn inner(f: &[u8]) -> &[u8] {
        &f[1..f.len() - 1]
    }

    #[test]
    fn frames() {
        let f = frame(false, 1234, 2);
        assert_eq!(&f, b"\x02+00123421D\x03");
        let r = p().parse(inner(&f)).unwrap();
        assert_eq!(r.gross, Decimal::from_str("12.34").unwrap());
        assert_eq!(r.stable, None);
        let r = p().parse(inner(&frame(false, 50, 0))).unwrap();
        assert_eq!(r.gross, Decimal::from(50));
        let lb = Xk3190 {
            unit: Unit::Lb,
            capacity: None,
        };
        let r = lb.parse(inner(&frame(false, 1000, 1))).unwrap();
        assert_eq!(r.gross, Decimal::from_str("45.359237").unwrap());
        // the check of the worked example: XOR of "+0012342"
        assert_eq!(check(b"+0012342"), [b'1', b'D']);
    }

    #[test]
    fn refusals() {
        let code = |f: &[u8]| p().parse(f).unwrap_err().code();
        assert_eq!(code(inner(&frame(true, 20, 2))), "negative");
        let mut f = frame(false, 1234, 2);
        f[6] = b'5'; // one digit changed on the line: 12.54
        assert_eq!(code(inner(&f)), "checksum");
        assert_eq!(code(b"+0012342"), "partial");
        assert_eq!(code(b"+00123420"), "partial");
        assert_eq!(code(b"+--oFL-200"), "garbled");
        let mut f = frame(false, 1234, 2);
        f[4] = b'F';
        assert_eq!(code(inner(&f)), "garbled");
    }
}
