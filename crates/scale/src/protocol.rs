//! The [`Protocol`] trait and the protocols Sene speaks. A protocol says how its frames are cut
//! from the byte stream ([`Framing`]), reads one frame into a [`Reading`] or a [`Refusal`] (pure:
//! no I/O, no clock), and names the commands it takes (a request for a weight, tare, zero).

pub mod and;
pub mod mt_sics;
pub mod xk3190;

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::error::{Refusal, ScaleError};
use crate::reading::{Reading, Unit};

/// How a protocol's frames are separated in the byte stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    /// Lines ended by LF (a CR before it is dropped): MT-SICS, A&D.
    Lines,
    /// STX (0x02) … ETX (0x03), no line end: XK3190-A9.
    StxEtx,
}

/// A command the computer may send to the indicator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    /// Tare: the weight now on the platform becomes the tare.
    Tare,
    /// Zero: the indicator sets its zero (empty platform).
    Zero,
}

impl Command {
    /// Its name in messages.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Command::Tare => "tare",
            Command::Zero => "zero",
        }
    }
}

/// A scale protocol.
pub trait Protocol: Send + fmt::Debug {
    /// Which protocol this is.
    fn kind(&self) -> ProtocolKind;

    /// How its frames are cut.
    fn framing(&self) -> Framing;

    /// One frame (without its line end or STX/ETX) as a weight, or why it is not one.
    ///
    /// # Errors
    /// A [`Refusal`]: the frame is never taken as a weight.
    fn parse(&self, frame: &[u8]) -> Result<Reading, Refusal>;

    /// The request to send for each weight, for a protocol that answers on request (MT-SICS
    /// `SI`); `None` for one that sends by itself.
    fn poll(&self) -> Option<&'static [u8]> {
        None
    }

    /// The bytes of a command, or `None` when the protocol takes none.
    fn command(&self, _c: Command) -> Option<&'static [u8]> {
        None
    }

    /// Whether `frame` answers the command `c` sent just before: `None` when it is not its
    /// answer (a weight frame still on its way), `Some(Ok)` done, `Some(Err)` refused. A
    /// protocol whose commands are not answered returns `None`, and [`crate::Scale`] does not
    /// wait.
    fn answer(&self, _c: Command, _frame: &[u8]) -> Option<Result<(), Refusal>> {
        None
    }

    /// Whether the indicator answers commands (so that [`crate::Scale`] waits for the answer).
    fn answers_commands(&self) -> bool {
        false
    }

    /// The request for the indicator's own identity (MT-SICS `I4`, its serial number), for a
    /// protocol that gives one; `None` otherwise.
    fn identify(&self) -> Option<&'static [u8]> {
        None
    }

    /// The identity in `frame`, when it answers [`Protocol::identify`].
    fn identity(&self, _frame: &[u8]) -> Option<String> {
        None
    }
}

/// The protocols Sene speaks, as named in a [`crate::ScaleConfig`] and on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ProtocolKind {
    /// Mettler-Toledo MT-SICS (request and answer).
    #[serde(rename = "mt-sics")]
    MtSics,
    /// A&D continuous frames (`ST,GS,+00012.34  kg`).
    #[serde(rename = "and")]
    And,
    /// Yaohua XK3190-A9 continuous output (STX, sign, 6 digits, decimals, XOR, ETX).
    #[serde(rename = "xk3190")]
    Xk3190,
}

impl ProtocolKind {
    /// Every protocol.
    pub const ALL: &'static [ProtocolKind] = &[
        ProtocolKind::MtSics,
        ProtocolKind::And,
        ProtocolKind::Xk3190,
    ];

    /// Its name in configurations and on the command line.
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            ProtocolKind::MtSics => "mt-sics",
            ProtocolKind::And => "and",
            ProtocolKind::Xk3190 => "xk3190",
        }
    }

    /// The protocol, with the unit an indicator that sends none is set to (XK3190: `kg` when
    /// `None`) and the capacity above which a weight is refused.
    #[must_use]
    pub fn build(self, unit: Option<Unit>, capacity: Option<Decimal>) -> Box<dyn Protocol> {
        match self {
            ProtocolKind::MtSics => Box::new(mt_sics::MtSics { capacity }),
            ProtocolKind::And => Box::new(and::And { capacity }),
            ProtocolKind::Xk3190 => Box::new(xk3190::Xk3190 {
                unit: unit.unwrap_or(Unit::Kg),
                capacity,
            }),
        }
    }
}

impl fmt::Display for ProtocolKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for ProtocolKind {
    type Err = ScaleError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let folded: String = s
            .trim()
            .to_ascii_lowercase()
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect();
        match folded.as_str() {
            "mtsics" | "sics" | "mettler" | "mettlertoledo" => Ok(ProtocolKind::MtSics),
            "and" | "ad" => Ok(ProtocolKind::And),
            "xk3190" | "xk3190a9" | "yaohua" => Ok(ProtocolKind::Xk3190),
            _ => Err(ScaleError::UnknownProtocol {
                given: s.to_owned(),
            }),
        }
    }
}

/// The frame as text when it is printable ASCII, or `None` (the caller refuses it as garbled).
pub(crate) fn ascii(frame: &[u8]) -> Option<&str> {
    if frame.iter().all(|&b| (0x20..0x7f).contains(&b)) {
        std::str::from_utf8(frame).ok()
    } else {
        None
    }
}
