//! # sene-hub
//!
//! The union office server and the client side of the exchange.
//!
//! - `POST /v1/enroll` (JSON `{device_id, code}`): a paired device trades its one-time code for
//!   its sync token and bundle key.
//! - `POST /v1/sync` (`Authorization: Bearer <token>`, `x-sene-session: <id>`, body: a
//!   compressed [`Envelope`] of sync messages for every document): the hub checks the token,
//!   validates and merges within the device's scope, and answers in the same round trip with
//!   the report and the messages for every document in scope.
//! - `GET /v1/health`.
//!
//! The hub holds no business rule: it authenticates, scopes, and calls the `app` use cases.

pub mod audit;
pub mod client;
pub mod enroll;
pub mod schedule;
pub mod secret;
pub mod usb;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{mpsc, Arc, Mutex};

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use sene_app::sync::SyncReport;
use sene_app::{AppError, Ledger};
use sene_sync::wire::Envelope;
use sene_sync::SyncError;
use serde::{Deserialize, Serialize};

pub use enroll::{EnrollRequest, Enrolled, Pairing};

/// Largest request accepted: 64 MiB.
pub const MAX_BODY: usize = 64 * 1024 * 1024;

/// The hub's errors.
#[derive(Debug, thiserror::Error)]
pub enum HubError {
    /// A use case or the store.
    #[error(transparent)]
    App(#[from] AppError),
    /// No valid token or code.
    #[error("accès refusé : {0}")]
    Unauthorized(&'static str),
    /// The network (client side).
    #[error("connexion au bureau de l'union impossible ou interrompue ({0}) : rien n'est perdu, relancez la synchronisation")]
    Network(String),
    /// The hub answered with an error.
    #[error("le bureau de l'union a refusé : {0}")]
    Remote(String),
    /// Server start-up.
    #[error("serveur : {0}")]
    Server(String),
    /// The request was compressed with a dictionary the hub does not hold (the reply of the
    /// exchange it comes from was lost): the client sends it again without.
    #[error("dictionnaire de compression inconnu : renvoyez sans")]
    UnknownDictionary,
    /// A revoked device's authentic file, kept for the secretariat to review, not merged.
    #[error("fichier d'un appareil révoqué mis en quarantaine (n° {id}) : rien n'est fusionné, le secrétariat l'examinera dans la file des anomalies")]
    Quarantined { id: i64 },
}

impl From<sene_store::StoreError> for HubError {
    fn from(e: sene_store::StoreError) -> Self {
        HubError::App(e.into())
    }
}

impl From<SyncError> for HubError {
    fn from(e: SyncError) -> Self {
        HubError::App(e.into())
    }
}

impl HubError {
    /// A stable code.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            HubError::App(e) => e.code(),
            HubError::Unauthorized(_) => "unauthorized",
            HubError::Network(_) => "network",
            HubError::Remote(_) => "remote",
            HubError::Server(_) => "server",
            HubError::UnknownDictionary => DICTIONARY_CODE,
            HubError::Quarantined { .. } => "quarantined",
        }
    }

    fn status(&self) -> StatusCode {
        match self {
            HubError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            HubError::Quarantined { .. } => StatusCode::FORBIDDEN,
            HubError::UnknownDictionary => StatusCode::CONFLICT,
            HubError::App(AppError::Sync(SyncError::Malformed(_) | SyncError::Automerge(_))) => {
                StatusCode::BAD_REQUEST
            }
            HubError::App(AppError::NotFound { .. }) => StatusCode::NOT_FOUND,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

/// The error body of every refused request.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

/// Code and message.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ErrorDetail {
    pub code: String,
    pub message: String,
}

impl IntoResponse for HubError {
    fn into_response(self) -> Response {
        let status = self.status();
        if status == StatusCode::INTERNAL_SERVER_ERROR {
            tracing::error!(error = %self, "request failed");
        } else {
            tracing::warn!(error = %self, "request refused");
        }
        (
            status,
            Json(ErrorBody {
                error: ErrorDetail {
                    code: self.code().into(),
                    message: self.to_string(),
                },
            }),
        )
            .into_response()
    }
}

/// The hub's reply to one exchange: the report of what it merged (and refused), and its messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub report: SyncReport,
    pub envelope: Envelope,
}

/// The envelope item that carries the hub's report, ahead of the documents' messages.
const REPORT_ITEM: &str = "rapport";
/// The error code of [`HubError::UnknownDictionary`].
pub const DICTIONARY_CODE: &str = "dictionary";

/// Lowercase hex (a device keeps its dictionary in the settings table, which holds text).
#[must_use]
pub fn to_hex(bytes: &[u8]) -> String {
    // a table, not `format!` per byte: formatting a 32 KiB dictionary took a third of a
    // millisecond
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    out
}

/// The inverse of [`to_hex`]; `None` for anything else.
#[must_use]
pub fn from_hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    let digit = |c: u8| match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    };
    text.as_bytes()
        .chunks_exact(2)
        .map(|p| Some(digit(p[0])? << 4 | digit(p[1])?))
        .collect()
}

impl Reply {
    fn whole(&self) -> Result<Envelope, SyncError> {
        let report =
            serde_json::to_vec(&self.report).map_err(|e| SyncError::Malformed(e.to_string()))?;
        let mut env = Envelope::default();
        env.items.push((REPORT_ITEM.to_owned(), report));
        env.items.extend(self.envelope.items.iter().cloned());
        Ok(env)
    }

    /// One envelope: the report as JSON in an item named `rapport`, then the documents'
    /// messages (compressed together: the report costs a few dozen bytes).
    ///
    /// # Errors
    /// Encoding errors.
    pub fn encode(&self) -> Result<Vec<u8>, SyncError> {
        self.encode_with(None)
    }

    /// As [`Reply::encode`], compressed with `dict` preset (the request's dictionary).
    ///
    /// # Errors
    /// Encoding errors.
    pub fn encode_with(&self, dict: Option<&[u8]>) -> Result<Vec<u8>, SyncError> {
        self.whole()?.encode_with(dict)
    }

    /// The reply's uncompressed bytes, for the next exchange's dictionary.
    ///
    /// # Errors
    /// Encoding errors.
    pub fn raw(&self) -> Result<Vec<u8>, SyncError> {
        self.whole()?.raw()
    }

    /// The inverse of [`Reply::encode`].
    ///
    /// # Errors
    /// [`SyncError::Malformed`].
    pub fn decode(bytes: &[u8]) -> Result<Reply, SyncError> {
        Self::decode_with(bytes, None)
    }

    /// As [`Reply::decode`], for a reply compressed with `dict`.
    ///
    /// # Errors
    /// [`SyncError::Malformed`].
    pub fn decode_with(bytes: &[u8], dict: Option<&[u8]>) -> Result<Reply, SyncError> {
        let bad = || SyncError::Malformed("réponse du bureau illisible".into());
        let mut envelope = Envelope::decode_with(bytes, dict)?;
        if envelope.items.first().map(|(id, _)| id.as_str()) != Some(REPORT_ITEM) {
            return Err(bad());
        }
        let (_, report) = envelope.items.remove(0);
        let report = serde_json::from_slice(&report).map_err(|_| bad())?;
        Ok(Reply { report, envelope })
    }
}

/// The hub's shared state.
pub struct Hub {
    ledger: Mutex<Ledger>,
    /// The session each device is in: a new session resets what was in flight.
    sessions: Mutex<HashMap<String, String>>,
    /// The queue of sync exchanges to the hub's writer thread, which merges the ones waiting
    /// together, in one transaction with one sync to disk (group commit), and answers each.
    writer: mpsc::Sender<Pending>,
}

/// One device's exchange waiting for the writer thread.
struct Pending {
    token: String,
    session: String,
    body: Vec<u8>,
    done: mpsc::Sender<Result<Vec<u8>, HubError>>,
}

/// At most this many exchanges merge in one group: the first device of a group waits for the
/// others' merges before its answer, so a group is bounded.
pub const GROUP_MAX: usize = 256;

fn poisoned() -> HubError {
    HubError::Server("verrou empoisonné".into())
}

impl Hub {
    /// A hub over a ledger.
    ///
    /// Sync exchanges are merged by one long-lived writer thread, which stops when the hub is
    /// dropped. One thread, not whichever request thread comes first: the merge then always
    /// runs on the same warm memory (on a new thread each time, the bench measured the same
    /// merges a quarter slower).
    #[must_use]
    pub fn new(ledger: Ledger) -> Arc<Hub> {
        let (writer, queue) = mpsc::channel::<Pending>();
        let hub = Arc::new(Hub {
            ledger: Mutex::new(ledger),
            sessions: Mutex::new(HashMap::new()),
            writer,
        });
        let weak = Arc::downgrade(&hub);
        let started = std::thread::Builder::new()
            .name("sene-hub-writer".into())
            .spawn(move || Hub::write_loop(&weak, &queue));
        if let Err(e) = started {
            // the exchanges are then refused with a clear error (their queue has no reader)
            tracing::error!(error = %e, "fil d'écriture du bureau non démarré");
        }
        hub
    }

    /// The writer thread: takes the first waiting exchange and every other one queued behind
    /// it (up to [`GROUP_MAX`]), merges them as one group, answers each, and waits again.
    fn write_loop(hub: &std::sync::Weak<Hub>, queue: &mpsc::Receiver<Pending>) {
        while let Ok(first) = queue.recv() {
            let mut jobs = vec![first];
            while jobs.len() < GROUP_MAX {
                match queue.try_recv() {
                    Ok(j) => jobs.push(j),
                    Err(_) => break,
                }
            }
            // the hub is gone: the waiting exchanges' answers are dropped with them
            let Some(hub) = hub.upgrade() else { break };
            let locked = hub.ledger.lock();
            match locked {
                Ok(mut l) => hub.merge_group(&mut l, jobs),
                Err(_) => {
                    for j in jobs {
                        let _ = j.done.send(Err(poisoned()));
                    }
                }
            };
        }
    }

    fn with_ledger<T>(
        &self,
        f: impl FnOnce(&mut Ledger) -> Result<T, HubError>,
    ) -> Result<T, HubError> {
        let mut guard = self
            .ledger
            .lock()
            .map_err(|_| HubError::Server("verrou empoisonné".into()))?;
        f(&mut guard)
    }

    /// One device's sync exchange, what `POST /v1/sync` runs (`token` from its bearer header,
    /// `session` from its session header, `body` as sent): queued, then merged with the
    /// exchanges that arrived meanwhile in one group (see [`Ledger::write_group`]); the
    /// encoded [`Reply`] is returned once the group is on disk.
    ///
    /// # Errors
    /// [`HubError::Unauthorized`] for an unknown or revoked token, [`HubError::UnknownDictionary`],
    /// malformed requests, store errors.
    pub fn exchange(&self, token: &str, session: &str, body: &[u8]) -> Result<Vec<u8>, HubError> {
        let (done, answer) = mpsc::channel();
        self.writer
            .send(Pending {
                token: token.to_owned(),
                session: session.to_owned(),
                body: body.to_vec(),
                done,
            })
            .map_err(|_| HubError::Server("le fil d'écriture du bureau est arrêté".into()))?;
        answer
            .recv()
            .map_err(|_| HubError::Server("le fil d'écriture du bureau est arrêté".into()))?
    }

    /// Merges `jobs` in one group and answers each.
    fn merge_group(&self, l: &mut Ledger, jobs: Vec<Pending>) {
        let n = jobs.len();
        let (work, answers): (Vec<_>, Vec<_>) = jobs
            .into_iter()
            .map(|p| ((p.token, p.session, p.body), p.done))
            .unzip();
        match l.write_group(work, |l, (token, session, body)| {
            self.exchange_one(l, &token, &session, &body)
        }) {
            Ok(results) => {
                tracing::debug!(exchanges = n, "groupe d'échanges écrit");
                for (done, r) in answers.into_iter().zip(results) {
                    let _ = done.send(r);
                }
            }
            Err(e) => {
                tracing::error!(exchanges = n, error = %e, "groupe d'échanges non écrit");
                for done in answers {
                    let _ = done.send(Err(HubError::Server(format!(
                        "écriture impossible ({e}) : rien n'a été fusionné, relancez la synchronisation"
                    ))));
                }
            }
        }
    }

    /// One exchange, inside a group: authenticate, decode, merge, answer.
    fn exchange_one(
        &self,
        l: &mut Ledger,
        token: &str,
        session: &str,
        body: &[u8],
    ) -> Result<Vec<u8>, HubError> {
        let (device, scope) = enroll::authenticate(l, token)?;
        // the dictionaries of this device's last two exchanges, in two slots: the last
        // one's reply may not have reached it
        // the slot the request's dictionary came from, if it came with one
        let (dict, used) = match Envelope::dict_needed(body) {
            None => (None, None),
            Some(id) => {
                let mut found = None;
                for slot in [0, 1] {
                    let Some(packed) = l.db().hub_dict(&device.device_id, slot)? else {
                        continue;
                    };
                    // a damaged one is as good as none: the device is told to say its
                    // exchange again without it (409), not refused
                    if let Ok(d) = sene_sync::wire::unpack_dict(&packed) {
                        if sene_sync::wire::dict_id(&d) == id {
                            found = Some((d, slot));
                            break;
                        }
                    }
                }
                let (d, slot) = found.ok_or(HubError::UnknownDictionary)?;
                (Some(d), Some(slot))
            }
        };
        let mut env = Envelope::decode_with(body, dict.as_deref())?;
        // the next dictionary is made of the request as sent, audit proof included
        let env_raw = env.raw()?;
        let fresh = {
            let mut s = self
                .sessions
                .lock()
                .map_err(|_| HubError::Server("verrou empoisonné".into()))?;
            s.insert(device.device_id.clone(), session.to_owned())
                .as_deref()
                != Some(session)
        };
        if fresh {
            l.sync_reset(&device.device_id)?;
        }
        // the device's audit proof, taken out of the documents' messages and checked
        let mut proofs = Vec::new();
        env.items.retain_mut(|(id, b)| {
            if id == audit::AUDIT_ITEM {
                proofs.push(std::mem::take(b));
                false
            } else {
                true
            }
        });
        if proofs.len() > 1 {
            return Err(SyncError::Malformed("deux preuves d'historique".into()).into());
        }
        if let Some(p) = proofs.first() {
            let proof = audit::Proof::decode(p)?;
            let now = l.now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
            audit::check(l, &device.device_id, &proof, &now)?;
        }
        let (report, envelope) = l.sync_exchange(&device.device_id, &env, &scope)?;
        let at = l.now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        tracing::info!(device = %device.device_id, received = report.docs_received, changed = report.docs_changed, records = report.records, conflicts = report.conflicts, refused = report.refused.len(), sent = envelope.items.len(), "sync");
        let reply = Reply { report, envelope };
        let out = reply.encode_with(dict.as_deref())?;
        let next = sene_sync::wire::next_dict(&env_raw, &reply.raw()?);
        // the next dictionary goes over the slot this request did not use: the one it
        // used is what the device holds until this reply reaches it (one write of the
        // dictionary an exchange, not a copy of the other slot as well)
        let slot = match used {
            Some(0) => 1,
            _ => 0,
        };
        let packed = sene_sync::wire::pack_dict(&next)?;
        let (store, _, _) = l.parts()?;
        // when the device last synced, and the next dictionary: one write
        store.write(|db| {
            db.hub_touch(&device.device_id, &at)?;
            db.put_hub_dict(&device.device_id, slot, &packed)
        })?;
        Ok(out)
    }
}

fn bearer(headers: &HeaderMap) -> Result<String, HubError> {
    headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| t.trim().to_owned())
        .ok_or(HubError::Unauthorized("jeton absent"))
}

async fn sync_handler(
    State(hub): State<Arc<Hub>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<axum::response::Response, HubError> {
    let token = bearer(&headers)?;
    let session = headers
        .get("x-sene-session")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let reply = tokio::task::spawn_blocking(move || hub.exchange(&token, &session, &body))
        .await
        .map_err(|e| HubError::Server(e.to_string()))??;
    // no content type: on a 40 kbit/s link each header line costs milliseconds
    Ok(axum::response::Response::new(axum::body::Body::from(reply)))
}

async fn enroll_handler(
    State(hub): State<Arc<Hub>>,
    Json(req): Json<EnrollRequest>,
) -> Result<Json<Enrolled>, HubError> {
    let out = tokio::task::spawn_blocking(move || hub.with_ledger(|l| enroll::enroll(l, &req)))
        .await
        .map_err(|e| HubError::Server(e.to_string()))??;
    tracing::info!(device = %out.device_id, "enrolled");
    Ok(Json(out))
}

async fn health() -> &'static str {
    "ok"
}

/// The HTTP routes.
pub fn router(hub: Arc<Hub>) -> Router {
    Router::new()
        .route("/v1/health", get(health))
        .route("/v1/enroll", post(enroll_handler))
        .route("/v1/sync", post(sync_handler))
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .with_state(hub)
}

/// How to run the hub.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub store: PathBuf,
    pub listen: SocketAddr,
    /// PEM certificate chain and private key: serve HTTPS.
    pub tls: Option<(PathBuf, PathBuf)>,
    /// The data key of an encrypted store (unwrapped by whoever starts the hub).
    pub key: Option<sene_store::DataKey>,
}

/// Runs the hub until Ctrl-C, reporting the bound address through `ready`.
///
/// # Errors
/// [`HubError::Server`] when the address or the certificate cannot be used; store errors.
pub async fn serve(
    opts: ServeOptions,
    ready: Option<tokio::sync::oneshot::Sender<SocketAddr>>,
) -> Result<(), HubError> {
    let ledger = match &opts.key {
        Some(key) => Ledger::with_clock(
            sene_store::Store::open_with_key(&opts.store, key).map_err(AppError::from)?,
            Box::new(sene_app::SystemClock),
        ),
        None => Ledger::open(&opts.store)?,
    };
    ledger.union()?;
    // the WAL's checkpoints run beside the merges, not inside them (stopped with the server)
    let _checkpoints = ledger
        .store()
        .checkpoint_in_background(opts.key.as_ref(), std::time::Duration::from_secs(1))
        .map_err(AppError::from)?;
    let app = router(Hub::new(ledger));
    match &opts.tls {
        None => {
            let listener = tokio::net::TcpListener::bind(opts.listen)
                .await
                .map_err(|e| HubError::Server(format!("{}: {e}", opts.listen)))?;
            let addr = listener
                .local_addr()
                .map_err(|e| HubError::Server(e.to_string()))?;
            tracing::info!(%addr, "Sene hub listening (HTTP)");
            if let Some(r) = ready {
                let _ = r.send(addr);
            }
            axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = tokio::signal::ctrl_c().await;
                })
                .await
                .map_err(|e| HubError::Server(e.to_string()))
        }
        Some((cert, key)) => {
            let _ = rustls::crypto::ring::default_provider().install_default();
            let config = axum_server::tls_rustls::RustlsConfig::from_pem_file(cert, key)
                .await
                .map_err(|e| HubError::Server(format!("certificat TLS : {e}")))?;
            let listener = std::net::TcpListener::bind(opts.listen)
                .map_err(|e| HubError::Server(format!("{}: {e}", opts.listen)))?;
            let addr = listener
                .local_addr()
                .map_err(|e| HubError::Server(e.to_string()))?;
            tracing::info!(%addr, "Sene hub listening (HTTPS)");
            if let Some(r) = ready {
                let _ = r.send(addr);
            }
            listener
                .set_nonblocking(true)
                .map_err(|e| HubError::Server(e.to_string()))?;
            axum_server::from_tcp_rustls(listener, config)
                .map_err(|e| HubError::Server(e.to_string()))?
                .serve(app.into_make_service())
                .await
                .map_err(|e| HubError::Server(e.to_string()))
        }
    }
}

/// Starts logging (`RUST_LOG`, default `info`).
pub fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .try_init();
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn hex_reads_back_and_refuses_anything_else() {
        let all: Vec<u8> = (0..=255).collect();
        let text = to_hex(&all);
        assert_eq!(&text[..8], "00010203");
        assert_eq!(&text[text.len() - 4..], "feff");
        assert_eq!(from_hex(&text).unwrap(), all);
        assert_eq!(from_hex("ABcd").unwrap(), vec![0xab, 0xcd]);
        assert_eq!(from_hex(""), Some(Vec::new()));
        for bad in ["abc", "0g", "+1", "é0"] {
            assert_eq!(from_hex(bad), None, "{bad}");
        }
    }
}
