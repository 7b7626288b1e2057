//! # sene-scale
//!
//! Weighing indicators read over a serial port, for the weighing station of a warehouse: the
//! gross weight of a delivery comes from the indicator instead of being typed.
//!
//! - [`protocol`]: the [`Protocol`] trait and three protocols, each written from its
//!   manufacturer's manual (named in its module): Mettler-Toledo MT-SICS ([`protocol::mt_sics`]),
//!   A&D continuous frames ([`protocol::and`]), Yaohua XK3190-A9 continuous output
//!   ([`protocol::xk3190`]). Parsing is pure: bytes in, a [`Reading`] or a typed [`Refusal`] out;
//!   an overload, a negative weight, a garbled or cut frame is never a weight;
//! - [`reading`]: [`Reading`] and [`Unit`] (g, kg, t, lb converted to kg exactly, in
//!   [`rust_decimal::Decimal`]: no float touches a weight);
//! - [`framer`]: bytes from the port cut into frames (CR LF lines, or STX…ETX);
//! - [`stable`]: the stable-weight rule ([`Stability`]): the same weight, not flagged moving,
//!   across consecutive frames for a settable time;
//! - [`link`]: the serial port behind a small trait ([`Link`]), implemented with `serial2`;
//! - [`config`]: [`ScaleConfig`] (port, speed, character format, protocol, hold time), stored
//!   per device by the app later;
//! - [`scale`]: [`Scale`], a link and a protocol: polls when the protocol asks to, reads frames
//!   until a stable weight or a timeout, tares and zeroes;
//! - [`emulator`]: a scale speaking each protocol on one end of a pseudo-terminal pair (Unix), for
//!   the tests and for trying the station without a scale (`sene-scale-emulator`);
//! - [`error`]: [`ScaleError`] and [`Refusal`], in French and English (`message(Lang)`).

pub mod config;
pub mod emulator;
pub mod error;
pub mod framer;
pub mod link;
pub mod protocol;
pub mod reading;
pub mod scale;
pub mod stable;

pub use config::{CharFormat, ScaleConfig};
pub use error::{Refusal, ScaleError};
pub use link::{Link, SerialLink};
pub use protocol::{Protocol, ProtocolKind};
pub use reading::{Reading, Unit};
/// Weights are exact decimals (re-exported for the crates that read a [`Reading`]).
pub use rust_decimal::Decimal;
pub use scale::{Event, Scale, StableWeight};
pub use sene_domain::Lang;
pub use stable::Stability;
