//! # sene-domain
//!
//! The records of a cooperative union's season and the rules that turn them into francs.
//! No I/O: no file, no clock read for business decisions, no SQL, no automerge, no JSON wire
//! shapes. Everything here is deterministic and tested in isolation.
//!
//! - [`ids`]: typed UUIDv7 identifiers;
//! - [`quantity`]: [`Money`] (whole FCFA), [`Kg`] (0,1 kg), [`Percent`], [`Rate`];
//! - [`records`]: every record the store holds;
//! - [`rules`]: the money rules (advance, accepted kg, contract value, fees, settlement);
//! - [`validate`]: text, codes, phones and plausible bounds;
//! - [`words`]: French formatting of amounts and weights, amounts in words for receipts;
//! - [`receipt`]: receipt numbers unique without coordination;
//! - [`merges`]: which registration a member's records count under, once merged.

pub mod error;
pub mod ids;
pub mod lending;
pub mod merges;
pub mod quantity;
pub mod receipt;
pub mod records;
pub mod rules;
pub mod validate;
pub mod words;

pub use error::{label_en, DomainError, Lang};
pub use ids::*;
pub use quantity::{Kg, Money, Percent, Rate};
pub use records::*;
