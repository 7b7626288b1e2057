//! # sene-sync
//!
//! Automerge documents for a union's records, the write path's changes, merges that validate
//! before they commit, conflicts, and the exchange format.
//!
//! ## Documents
//! One `union` document (secretariat only), one `registry/<cooperative>` per cooperative, one
//! `season/<cooperative>/<campaign>` per cooperative and campaign (see [`doc`]). In each, the
//! root map holds one map per record under the key `<table>/<record key>`, with one key per
//! field: concurrent edits to different fields of a record both survive, and concurrent edits
//! of one field are kept by automerge and surfaced as conflicts. Records are never deleted:
//! money records are reversed by a new record.
//!
//! ## The protocol
//! automerge's sync protocol, one [`automerge::sync::State`] kept per peer and document in the
//! store; an exchange carries the messages of every document, each tagged with its id, in one
//! compressed [`wire::Envelope`], so a day's push is one HTTP round trip.
//!
//! ## Merging
//! [`Engine::merge`] applies incoming changes to the document taken out of the cache, writes
//! every touched record to the projection inside a savepoint, checks types, references,
//! immutability, routing and scope, and only then puts the document back and stores the
//! changes. A refusal leaves the store as it was, and the document is loaded again from it.

/// The allocator of every process that links this crate (the desktop app, `sene`, the hub, the
/// federation, their tests and benches): declared here once, so that what the benches measure
/// is what ships. A merge builds its records on one thread and the writer frees them on
/// another; glibc's allocator takes a lock for each such free, and in a hub's burst of 150
/// pushes a quarter of the merge thread's time was in `malloc` and `free` (BENCHMARKS.md, « The
/// hub under a real burst »).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

pub mod bundle;
pub mod doc;
pub mod engine;
mod error;
pub mod relay;
pub mod rules;
pub mod wire;

pub use doc::DocId;
pub use engine::{
    doc_rows, rebuild, Check, Engine, FieldWrite, MergeOutcome, Premerge, Premerged, Rows,
};
pub use error::SyncError;
