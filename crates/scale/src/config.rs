//! A scale's settings, as the app will store them per device: port, speed, character format,
//! protocol, hold time, and what an indicator does not say (its unit on XK3190, its capacity).

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::error::ScaleError;
use crate::protocol::{Protocol, ProtocolKind};
use crate::reading::Unit;

/// The speeds Sene accepts (the usual ones of weighing indicators).
pub const BAUDS: &[u32] = &[1200, 2400, 4800, 9600, 19200, 38400, 57600, 115_200];

/// Hold time bounds, in milliseconds.
pub const STABLE_MS: (u64, u64) = (200, 10_000);

/// One scale on one port.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScaleConfig {
    /// The port: `/dev/ttyUSB0`, `/dev/ttyS0` on Linux, `COM3` on Windows.
    pub port: String,
    /// The indicator's protocol.
    pub protocol: ProtocolKind,
    /// Speed in baud.
    #[serde(default = "default_baud")]
    pub baud: u32,
    /// Data bits, parity, stop bits (`8N1` by default; many A&D balances use `7E1`).
    #[serde(default)]
    pub format: CharFormat,
    /// How long the same weight must be held to be taken, in milliseconds.
    #[serde(default = "default_stable_ms")]
    pub stable_ms: u64,
    /// The unit an indicator that sends none is set to (XK3190-A9); `kg` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<Unit>,
    /// The scale's capacity in kg: a weight above it is refused as an overload (XK3190-A9 sends
    /// no overload flag).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity_kg: Option<Decimal>,
}

fn default_baud() -> u32 {
    9600
}

fn default_stable_ms() -> u64 {
    1500
}

impl ScaleConfig {
    /// A configuration with the defaults: 9600 baud, 8N1, 1.5 s.
    #[must_use]
    pub fn new(port: impl Into<String>, protocol: ProtocolKind) -> Self {
        ScaleConfig {
            port: port.into(),
            protocol,
            baud: default_baud(),
            format: CharFormat::default(),
            stable_ms: default_stable_ms(),
            unit: None,
            capacity_kg: None,
        }
    }

    /// Checks the values a stored or typed configuration may get wrong.
    ///
    /// # Errors
    /// [`ScaleError::NoPort`], [`ScaleError::InvalidBaud`], [`ScaleError::InvalidSetting`].
    pub fn validate(&self) -> Result<(), ScaleError> {
        if self.port.trim().is_empty() {
            return Err(ScaleError::NoPort {
                available: crate::link::available_ports(),
            });
        }
        if !BAUDS.contains(&self.baud) {
            return Err(ScaleError::InvalidBaud {
                given: self.baud.to_string(),
            });
        }
        if !(STABLE_MS.0..=STABLE_MS.1).contains(&self.stable_ms) {
            return Err(ScaleError::InvalidSetting {
                field: "stable_ms",
                given: self.stable_ms.to_string(),
                min: STABLE_MS.0,
                max: STABLE_MS.1,
            });
        }
        Ok(())
    }

    /// The hold time.
    #[must_use]
    pub fn hold(&self) -> Duration {
        Duration::from_millis(self.stable_ms)
    }

    /// The protocol, with this scale's unit and capacity.
    #[must_use]
    pub fn protocol(&self) -> Box<dyn Protocol> {
        self.protocol.build(self.unit, self.capacity_kg)
    }
}

/// A speed as typed.
///
/// # Errors
/// [`ScaleError::InvalidBaud`].
pub fn parse_baud(s: &str) -> Result<u32, ScaleError> {
    s.trim()
        .parse::<u32>()
        .ok()
        .filter(|b| BAUDS.contains(b))
        .ok_or_else(|| ScaleError::InvalidBaud {
            given: s.to_owned(),
        })
}

/// Parity of each character.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Parity {
    /// None.
    #[default]
    None,
    /// Even.
    Even,
    /// Odd.
    Odd,
}

/// Data bits, parity and stop bits, written `8N1`, `7E1`, `7O2`…
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CharFormat {
    /// 7 or 8.
    pub data_bits: u8,
    /// Parity.
    pub parity: Parity,
    /// 1 or 2.
    pub stop_bits: u8,
}

impl Default for CharFormat {
    fn default() -> Self {
        CharFormat {
            data_bits: 8,
            parity: Parity::None,
            stop_bits: 1,
        }
    }
}

impl fmt::Display for CharFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let p = match self.parity {
            Parity::None => 'N',
            Parity::Even => 'E',
            Parity::Odd => 'O',
        };
        write!(f, "{}{p}{}", self.data_bits, self.stop_bits)
    }
}

impl FromStr for CharFormat {
    type Err = ScaleError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || ScaleError::InvalidFormat {
            given: s.to_owned(),
        };
        let b = s.trim().as_bytes();
        let [d, p, st] = b else { return Err(bad()) };
        let data_bits = match d {
            b'7' => 7,
            b'8' => 8,
            _ => return Err(bad()),
        };
        let parity = match p.to_ascii_uppercase() {
            b'N' => Parity::None,
            b'E' => Parity::Even,
            b'O' => Parity::Odd,
            _ => return Err(bad()),
        };
        let stop_bits = match st {
            b'1' => 1,
            b'2' => 2,
            _ => return Err(bad()),
        };
        Ok(CharFormat {
            data_bits,
            parity,
            stop_bits,
        })
    }
}

impl TryFrom<String> for CharFormat {
    type Error = String;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse().map_err(|e: ScaleError| e.to_string())
    }
}

impl From<CharFormat> for String {
    fn from(f: CharFormat) -> String {
        f.to_string()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn stored_as_json() {
        let c: ScaleConfig =
            serde_json::from_str(r#"{"port":"COM3","protocol":"and","format":"7E1"}"#).unwrap();
        assert_eq!(c.baud, 9600);
        assert_eq!(c.stable_ms, 1500);
        assert_eq!(c.format.to_string(), "7E1");
        c.validate().unwrap();
        let back = serde_json::to_value(&c).unwrap();
        assert_eq!(back["protocol"], "and");
        assert_eq!(back["format"], "7E1");
        assert!(serde_json::from_str::<ScaleConfig>(r#"{"port":"x","protocol":"ohaus"}"#).is_err());
        assert!(serde_json::from_str::<ScaleConfig>(
            r#"{"port":"x","protocol":"and","format":"9X1"}"#
        )
        .is_err());
        let mut c = ScaleConfig::new("/dev/ttyUSB0", ProtocolKind::Xk3190);
        c.baud = 9601;
        assert_eq!(c.validate().unwrap_err().code(), "invalid_baud");
        assert_eq!(parse_baud("2400").unwrap(), 2400);
        assert!(parse_baud("fast").is_err());
    }
}
