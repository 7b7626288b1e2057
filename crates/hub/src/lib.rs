//! # sene-hub
//!
//! The union office server and the client side of the exchange.
//!
//! - `POST /v1/enroll` (JSON `{device_id, code}`): a paired device trades its one-time code for
//!   its sync token and bundle key.
//! - `POST /v1/sync` (`Authorization: Bearer <token>`, `x-sene-session: <id>`, body: a
//!   compressed [`Envelope`] of sync messages for every document): the hub checks the token
//!   (before it reads the body), validates and merges within the device's scope, and answers
//!   in the same round trip with the report and the messages for every document in scope.
//! - `GET /v1/standby`, `GET /v1/standby/file/{name}`, `POST /v1/standby/kept`: the office's
//!   standby machine keeps the newest scheduled backup (see [`standby`]).
//! - `GET /v1/health`.
//!
//! The hub holds no business rule: it authenticates, scopes, and calls the `app` use cases.
//!
//! [`Envelope`]: sene_sync::wire::Envelope

// What each module holds; the server's and the errors' items are re-exported at the crate's
// root, below.

// A group's merges run ahead on a second thread (automerge's half of each).
mod ahead;
// The audit history a device proves to the hub at each sync.
pub mod audit;
// `sene hub cert`: the union's certificate authority and the office server's certificate.
pub mod cert;
// The device side: enroll with a code, then sync over HTTP(S) with progress.
pub mod client;
// Enrollment: a paired device trades its one-time code for its sync token and bundle key.
pub mod enroll;
// `HubError`, its messages and codes, and the JSON error body of a refused request.
mod error;
// The office's side of relayed records: its changes' key, tags, and the proofs it asks.
pub mod relay;
// The hub's reply to one exchange, and the hex text of the compression dictionaries.
mod reply;
// The hub's scheduled backups while it serves.
pub mod schedule;
// Random secrets and their hashes.
pub mod secret;
// `Hub`: shared state, writer thread (group commit), admission limits, routes, lock, `serve`.
mod server;
// The office's standby machine, which keeps the newest of the hub's scheduled backups.
pub mod standby;
// USB-stick exchange, both ends.
pub mod usb;

pub use enroll::{EnrollRequest, Enrolled, Pairing};
pub use error::{
    CertificateProblem, ErrorBody, ErrorDetail, HubError, DICTIONARY_CODE, REWOUND_CODE,
};
pub use reply::{from_hex, to_hex, Reply};
pub use server::{
    init_logging, listener, lock_path, lock_store, router, serve, Hub, ServeOptions,
    ADMISSION_WAIT, BODY_BUDGET, BODY_UNIT, BODY_WAIT, ENROLLING_MAX, ENROLL_MAX_BODY, ENROLL_READ,
    GROUP_MAX, LISTEN_BACKLOG, MAX_BODY, UNAUTHENTICATED_MAX,
};
