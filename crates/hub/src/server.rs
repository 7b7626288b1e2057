//! The [`Hub`] server: its shared state and writer thread (sync exchanges merged in groups),
//! the admission limits, the HTTP routes ([`router`]), the store's lock, and [`serve`].

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{mpsc, Arc, Mutex};

use axum::extract::{DefaultBodyLimit, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use sene_app::{AppError, Ledger};
use sene_sync::wire::Envelope;
use sene_sync::SyncError;

use crate::error::poisoned;
use crate::{audit, enroll, relay, schedule, standby, EnrollRequest, Enrolled, HubError, Reply};

/// Largest request accepted: 64 MiB.
pub const MAX_BODY: usize = 64 * 1024 * 1024;

/// The hub's shared state.
pub struct Hub {
    ledger: Mutex<Ledger>,
    /// A second connection to the store, to check tokens before reading request bodies
    /// without waiting for the writer thread's group (see [`Hub::with_reader`]).
    pub(crate) reader: Option<Mutex<Ledger>>,
    /// The session each device is in: a new session resets what was in flight.
    sessions: Mutex<HashMap<String, String>>,
    /// The queue of sync exchanges to the hub's writer thread, which merges the ones waiting
    /// together, in one transaction with one sync to disk (group commit), and answers each.
    writer: mpsc::Sender<Pending>,
    /// Sync requests whose token is being checked ([`UNAUTHENTICATED_MAX`] at once).
    unauthenticated: Arc<tokio::sync::Semaphore>,
    /// Enrollment requests being read and answered ([`ENROLLING_MAX`] at once).
    enrolling: Arc<tokio::sync::Semaphore>,
    /// The bytes of authenticated request bodies in memory, from their reading to their
    /// answer, in units of [`BODY_UNIT`] ([`BODY_BUDGET`] in all).
    bodies: Arc<tokio::sync::Semaphore>,
    /// Exchanges decoded ahead and not yet taken into a group ([`AHEAD_MAX`]).
    ahead: Arc<tokio::sync::Semaphore>,
    /// Request threads decoding a body or encoding a reply ([`CODING_MAX`] at once).
    coding: Arc<tokio::sync::Semaphore>,
    /// The folder of the hub's scheduled backups, offered to its standby ([`standby`]).
    pub(crate) backups: std::sync::OnceLock<PathBuf>,
}

/// At most this many sync requests have their token checked at once; the others wait up to
/// [`ADMISSION_WAIT`], then get 503. A request holds its place only for the token's lookup:
/// its body is not read before.
pub const UNAUTHENTICATED_MAX: usize = 16;
/// At most this many enrollment requests are read and answered at once.
pub const ENROLLING_MAX: usize = 4;
/// At most this many exchanges wait decoded ahead of the writer thread (see
/// [`Hub::exchange`]); the next ones wait for the writer to take them into a group. The
/// decoded exchanges in memory are then at most these and the group being merged
/// ([`GROUP_MAX`]), a few tens of KB each, whatever the burst.
pub const AHEAD_MAX: usize = GROUP_MAX;
/// At most this many requests decode a body or encode a reply at once (work for a processor,
/// holding a dictionary and zlib's state).
pub const CODING_MAX: usize = 4;
/// How long a request waits for its place before the hub answers 503 (busy).
pub const ADMISSION_WAIT: std::time::Duration = std::time::Duration::from_secs(5);
/// How long an authenticated request waits for room for its body before 503.
pub const BODY_WAIT: std::time::Duration = std::time::Duration::from_secs(120);
/// The unit of the bodies' budget: 64 KiB.
pub const BODY_UNIT: usize = 64 * 1024;
/// The bytes of request bodies the hub holds at once, from their reading to their answer
/// (twice [`MAX_BODY`]: a largest body and many small ones). A request without a
/// `Content-Length` counts as a largest one.
pub const BODY_BUDGET: usize = 2 * MAX_BODY;
/// Largest enrollment request accepted: 64 KiB (a device id and a code).
pub const ENROLL_MAX_BODY: usize = 64 * 1024;
/// How long an enrollment request may take to arrive whole.
pub const ENROLL_READ: std::time::Duration = std::time::Duration::from_secs(30);

/// One device's exchange waiting for the writer thread.
struct Pending {
    token: String,
    session: String,
    body: Vec<u8>,
    /// Its body as the request's own thread decoded it, if it could: the writer thread then only
    /// checks that the device's dictionaries are still those it was decoded with.
    ahead: Option<Decoded>,
    /// Where its answer goes: a waiting request's task, not a thread parked for it.
    done: tokio::sync::oneshot::Sender<Result<Answer, HubError>>,
    /// When it was queued (the group's debug line says how long its oldest exchange waited).
    queued: std::time::Instant,
}

/// At most this many exchanges merge in one group: the first device of a group waits for the
/// others' merges before its answer, so a group is bounded.
pub const GROUP_MAX: usize = 256;

impl Hub {
    /// A hub over a ledger.
    ///
    /// Sync exchanges are merged by one long-lived writer thread, which stops when the hub is
    /// dropped. One thread, not whichever request thread comes first: the merge then always
    /// runs on the same warm memory (on a new thread each time, the bench measured the same
    /// merges a quarter slower).
    ///
    /// Tokens are then checked on the ledger itself, after the group being merged.
    #[must_use]
    pub fn new(ledger: Ledger) -> Arc<Hub> {
        Hub::build(ledger, None)
    }

    /// As [`Hub::new`], with `reader` (the same store, opened a second time) to check the
    /// tokens of incoming requests while the writer thread merges a group: in WAL mode a
    /// reader waits for no writer, and sees every committed revocation.
    #[must_use]
    pub fn with_reader(ledger: Ledger, reader: Ledger) -> Arc<Hub> {
        Hub::build(ledger, Some(reader))
    }

    fn build(ledger: Ledger, reader: Option<Ledger>) -> Arc<Hub> {
        let (writer, queue) = mpsc::channel::<Pending>();
        let hub = Arc::new(Hub {
            ledger: Mutex::new(ledger),
            reader: reader.map(Mutex::new),
            sessions: Mutex::new(HashMap::new()),
            writer,
            unauthenticated: Arc::new(tokio::sync::Semaphore::new(UNAUTHENTICATED_MAX)),
            enrolling: Arc::new(tokio::sync::Semaphore::new(ENROLLING_MAX)),
            bodies: Arc::new(tokio::sync::Semaphore::new(BODY_BUDGET / BODY_UNIT)),
            ahead: Arc::new(tokio::sync::Semaphore::new(AHEAD_MAX)),
            coding: Arc::new(tokio::sync::Semaphore::new(CODING_MAX)),
            backups: std::sync::OnceLock::new(),
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
            // taken: the next exchanges may be decoded ahead while this group merges
            for j in &mut jobs {
                if let Some(d) = j.ahead.as_mut() {
                    d.place = None;
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

    /// Offers the backups of `dir` (the hub's schedule's folder) to the office's standby
    /// machine; set once.
    pub fn offer_backups(&self, dir: PathBuf) {
        let _ = self.backups.set(dir);
    }

    pub(crate) fn with_ledger<T>(
        &self,
        f: impl FnOnce(&mut Ledger) -> Result<T, HubError>,
    ) -> Result<T, HubError> {
        let mut guard = self
            .ledger
            .lock()
            .map_err(|_| HubError::Server("verrou empoisonné".into()))?;
        f(&mut guard)
    }

    /// One device's sync exchange, what `POST /v1/sync` runs once its body is read (`token`
    /// from its bearer header, `session` from its session header, `body` as sent): the body
    /// decoded on the calling thread when the hub has a reader connection, then queued, and
    /// merged with the exchanges that arrived meanwhile in one group (see
    /// [`Ledger::write_group`]); the encoded [`Reply`] is returned once the group is on disk.
    ///
    /// # Errors
    /// [`HubError::Unauthorized`] for an unknown or revoked token, [`HubError::UnknownDictionary`],
    /// malformed requests, store errors.
    pub fn exchange(&self, token: &str, session: &str, body: &[u8]) -> Result<Vec<u8>, HubError> {
        // on the reader only: without one, the token's check would wait for the group
        let ahead = self.reader.as_ref().and_then(|_| {
            let device = self.checked_device(token).ok()?;
            let place = self.ahead.clone().try_acquire_owned().ok()?;
            self.decode_ahead(&device, body, place)
        });
        self.enqueue(token, session, body.to_vec(), ahead)?
            .blocking_recv()
            .map_err(|_| writer_stopped())??
            .encode()
    }

    /// Checks a token before its request's body is read: the device it names must exist and
    /// not be revoked. On the reader connection when the hub has one. The exchange checks it
    /// again inside its group, which is what counts.
    ///
    /// # Errors
    /// [`HubError::Unauthorized`] for an unknown or revoked token, store errors.
    pub fn check_token(&self, token: &str) -> Result<(), HubError> {
        self.checked_device(token).map(|_| ())
    }

    /// [`Hub::check_token`], and the device the token names.
    fn checked_device(&self, token: &str) -> Result<String, HubError> {
        match &self.reader {
            Some(r) => {
                let l = r.lock().map_err(|_| poisoned())?;
                enroll::authenticate(&l, token).map(|(d, _)| d.device_id)
            }
            None => self.with_ledger(|l| enroll::authenticate(l, token).map(|(d, _)| d.device_id)),
        }
    }

    /// The request's body decoded before it is queued, on the calling thread (a request's own
    /// thread, beside the writer thread's group): the device's two dictionaries read on the
    /// reader connection, the one the request names unpacked and checked, the envelope
    /// inflated. `None` when the hub has no reader or anything fails: the writer thread then
    /// does it all itself, as it did before, with the same outcome. `place` (one of
    /// [`AHEAD_MAX`]) goes with it until the writer takes it into a group.
    fn decode_ahead(
        &self,
        device: &str,
        body: &[u8],
        place: tokio::sync::OwnedSemaphorePermit,
    ) -> Option<Decoded> {
        let reader = self.reader.as_ref()?;
        let slots = match Envelope::dict_needed(body) {
            None => None,
            Some(_) => {
                let l = reader.lock().ok()?;
                let db = l.db();
                Some([db.hub_dict(device, 0).ok()?, db.hub_dict(device, 1).ok()?])
            }
        };
        let mut d = Decoded::new(device, body, slots.as_ref()).ok()?;
        d.place = Some(place);
        Some(d)
    }

    /// Queues an exchange for the writer thread; its answer comes on the returned channel
    /// once its group is on disk.
    fn enqueue(
        &self,
        token: &str,
        session: &str,
        body: Vec<u8>,
        ahead: Option<Decoded>,
    ) -> Result<tokio::sync::oneshot::Receiver<Result<Answer, HubError>>, HubError> {
        let (done, answer) = tokio::sync::oneshot::channel();
        self.writer
            .send(Pending {
                token: token.to_owned(),
                session: session.to_owned(),
                body,
                ahead,
                done,
                queued: std::time::Instant::now(),
            })
            .map_err(|_| writer_stopped())?;
        Ok(answer)
    }

    /// Merges `jobs` in one group and answers each. Its debug line (target
    /// `sene_hub::server`) says where the group's time went: how long its oldest exchange
    /// waited in the queue, the merges themselves (`sync_exchange`: automerge and the
    /// projection), the work around them (token, decoding, audit proof, reply, dictionary), and
    /// the rest of the group (its savepoints and its commit).
    fn merge_group(&self, l: &mut Ledger, jobs: Vec<Pending>) {
        let n = jobs.len();
        let started = std::time::Instant::now();
        let waited = jobs.first().map(|p| started - p.queued).unwrap_or_default();
        let mut spent = Spent::default();
        let (work, answers): (Vec<_>, Vec<_>) = jobs
            .into_iter()
            .map(|p| ((p.token, p.session, p.body, p.ahead), p.done))
            .unzip();
        match l.write_group(work, |l, (token, session, body, ahead)| {
            let t = std::time::Instant::now();
            let r = self.exchange_one(l, &token, &session, &body, ahead, &mut spent);
            spent.exchanges += t.elapsed();
            r
        }) {
            Ok(results) => {
                let total = started.elapsed();
                tracing::debug!(
                    exchanges = n,
                    waited_us = micros(waited),
                    merge_us = micros(spent.merge),
                    around_us = micros(spent.exchanges.saturating_sub(spent.merge)),
                    commit_us = micros(total.saturating_sub(spent.exchanges)),
                    total_us = micros(total),
                    "groupe d'échanges écrit"
                );
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

    /// One exchange, inside a group: authenticate, decode (unless done ahead), merge, the next
    /// dictionary written; the reply is encoded by the request's own thread.
    fn exchange_one(
        &self,
        l: &mut Ledger,
        token: &str,
        session: &str,
        body: &[u8],
        ahead: Option<Decoded>,
        spent: &mut Spent,
    ) -> Result<Answer, HubError> {
        let (device, scope) = enroll::authenticate(l, token)?;
        let ahead = match ahead {
            Some(d) if d.device == device.device_id && d.holds(l)? => Some(d),
            _ => None,
        };
        let decoded = match ahead {
            Some(d) => d,
            None => {
                let slots = match Envelope::dict_needed(body) {
                    None => None,
                    Some(_) => {
                        let db = l.db();
                        Some([
                            db.hub_dict(&device.device_id, 0)?,
                            db.hub_dict(&device.device_id, 1)?,
                        ])
                    }
                };
                Decoded::new(&device.device_id, body, slots.as_ref())?
            }
        };
        let Decoded {
            mut env,
            dict,
            used,
            ..
        } = decoded;
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
        let mut declared = Vec::new();
        env.items.retain_mut(|(id, b)| {
            if id == audit::AUDIT_ITEM {
                proofs.push(std::mem::take(b));
                false
            } else if id == audit::RESTORED_ITEM {
                declared.push(std::mem::take(b));
                false
            } else {
                true
            }
        });
        if proofs.len() > 1 || declared.len() > 1 {
            return Err(SyncError::Malformed("deux preuves d'historique".into()).into());
        }
        if let Some(p) = proofs.first() {
            let proof = audit::Proof::decode(p)?;
            let declared = declared
                .first()
                .map(|g| audit::decode_generation(g))
                .transpose()?;
            let now = l.now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
            audit::admit(l, &device.device_id, &proof, declared, &now)?;
        }
        // changes this device carries for other authors (an office put back from a backup
        // gets back what only the laptops still hold) merge when their tags prove them
        let office = relay::Office::of(l)?;
        let tags = relay::tags_of(&env)?;
        let merging = std::time::Instant::now();
        let merged = relay::with_relay(&office, &tags, |r| {
            l.sync_exchange_with(&device.device_id, &env, &scope, Some(r))
        });
        spent.merge += merging.elapsed();
        let (report, mut envelope) = merged?;
        // and what it receives of others' comes with their tags, for the day it carries them
        office.tag_outgoing(&l.db(), &mut envelope, &device.device_id)?;
        let at = l.now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        tracing::info!(device = %device.device_id, received = report.docs_received, changed = report.docs_changed, records = report.records, conflicts = report.conflicts, refused = report.refused.len(), sent = envelope.items.len(), "sync");
        let reply = Reply { report, envelope };
        let next = sene_sync::wire::next_dict(dict.as_deref(), &env_raw, &reply.raw()?);
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
        Ok(Answer { reply, dict })
    }
}

/// A request's body decoded: by the request's own thread before it is queued
/// ([`Hub::decode_ahead`]), or else by the writer thread.
struct Decoded {
    /// The device whose dictionaries were read.
    device: String,
    /// A digest of each of its two dictionary slots as read, when the request named a
    /// dictionary: the decoding holds as long as they do.
    slots: Option<[Option<[u8; 32]>; 2]>,
    /// The dictionary the request named, unpacked, and its slot.
    dict: Option<Vec<u8>>,
    used: Option<u8>,
    env: Envelope,
    /// Its place among the exchanges decoded ahead, until the writer takes it.
    place: Option<tokio::sync::OwnedSemaphorePermit>,
}

/// A dictionary slot's digest (SHA-256 of the deflated bytes stored).
fn slot_digest(packed: Option<&Vec<u8>>) -> Option<[u8; 32]> {
    use sha2::Digest;
    packed.map(|p| sha2::Sha256::digest(p).into())
}

impl Decoded {
    /// `body` decoded with the dictionary it names among `slots` (the device's last two
    /// exchanges': the last one's reply may not have reached it).
    fn new(
        device: &str,
        body: &[u8],
        slots: Option<&[Option<Vec<u8>>; 2]>,
    ) -> Result<Decoded, HubError> {
        let (dict, used) = match (Envelope::dict_needed(body), slots) {
            (Some(id), Some(packed)) => {
                let mut found = None;
                for (slot, p) in (0u8..).zip(packed) {
                    // a damaged one is as good as none: the device is told to say its
                    // exchange again without it (409), not refused
                    let Some(d) = p
                        .as_deref()
                        .and_then(|p| sene_sync::wire::unpack_dict(p).ok())
                    else {
                        continue;
                    };
                    if sene_sync::wire::dict_id(&d) == id {
                        found = Some((d, slot));
                        break;
                    }
                }
                let (d, slot) = found.ok_or(HubError::UnknownDictionary)?;
                (Some(d), Some(slot))
            }
            _ => (None, None),
        };
        let env = Envelope::decode_with(body, dict.as_deref())?;
        Ok(Decoded {
            device: device.to_owned(),
            slots: slots.map(|[a, b]| [slot_digest(a.as_ref()), slot_digest(b.as_ref())]),
            dict,
            used,
            env,
            place: None,
        })
    }

    /// Whether the device's dictionaries are still those this was decoded with (another
    /// exchange of the same device may have been merged since).
    fn holds(&self, l: &Ledger) -> Result<bool, HubError> {
        let Some([a, b]) = &self.slots else {
            return Ok(true);
        };
        let db = l.db();
        Ok(slot_digest(db.hub_dict(&self.device, 0)?.as_ref()) == *a
            && slot_digest(db.hub_dict(&self.device, 1)?.as_ref()) == *b)
    }
}

/// An exchange's answer once merged: its reply, encoded (with the dictionary the request used)
/// by the request's own thread rather than the writer thread.
struct Answer {
    reply: Reply,
    dict: Option<Vec<u8>>,
}

impl Answer {
    fn encode(&self) -> Result<Vec<u8>, HubError> {
        Ok(self.reply.encode_with(self.dict.as_deref())?)
    }
}

/// Where a group's time went (see [`Hub::merge_group`]).
#[derive(Default)]
struct Spent {
    /// The exchanges, whole.
    exchanges: std::time::Duration,
    /// Of which the merges (`sync_exchange`).
    merge: std::time::Duration,
}

fn micros(d: std::time::Duration) -> u64 {
    u64::try_from(d.as_micros()).unwrap_or(u64::MAX)
}

fn writer_stopped() -> HubError {
    HubError::Server("le fil d'écriture du bureau est arrêté".into())
}

pub(crate) fn bearer(headers: &HeaderMap) -> Result<String, HubError> {
    headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| t.trim().to_owned())
        .ok_or(HubError::Unauthorized("jeton absent"))
}

/// `n` of `gate`'s permits, waiting up to `wait`; [`HubError::Busy`] when they do not come
/// free by then.
async fn admit(
    gate: &Arc<tokio::sync::Semaphore>,
    n: u32,
    wait: std::time::Duration,
) -> Result<tokio::sync::OwnedSemaphorePermit, HubError> {
    match tokio::time::timeout(wait, gate.clone().acquire_many_owned(n)).await {
        Ok(Ok(p)) => Ok(p),
        Ok(Err(_)) => Err(HubError::Server("le bureau s'arrête".into())),
        Err(_) => Err(HubError::Busy),
    }
}

/// The `Content-Length` announced, refused above `max` before anything is read.
fn announced_length(headers: &HeaderMap, max: usize) -> Result<Option<usize>, HubError> {
    let Some(v) = headers.get(axum::http::header::CONTENT_LENGTH) else {
        return Ok(None);
    };
    let n: u64 = v
        .to_str()
        .ok()
        .and_then(|t| t.trim().parse().ok())
        .ok_or_else(|| SyncError::Malformed("Content-Length illisible".into()))?;
    match usize::try_from(n) {
        Ok(n) if n <= max => Ok(Some(n)),
        _ => Err(HubError::TooLarge { max }),
    }
}

/// Reads a body whole, at most `max` bytes.
async fn read_body(
    mut body: axum::body::Body,
    announced: Option<usize>,
    max: usize,
) -> Result<Vec<u8>, HubError> {
    use axum::body::HttpBody;
    let mut out = Vec::with_capacity(announced.unwrap_or(0));
    while let Some(frame) =
        std::future::poll_fn(|cx| std::pin::Pin::new(&mut body).poll_frame(cx)).await
    {
        let frame = frame.map_err(|e| HubError::Network(e.to_string()))?;
        if let Ok(data) = frame.into_data() {
            if out.len() + data.len() > max {
                return Err(HubError::TooLarge { max });
            }
            out.extend_from_slice(&data);
        }
    }
    Ok(out)
}

/// `POST /v1/sync`. The token is checked before a byte of the body is read (a stranger's
/// request is answered 401 unread, its body never held), with [`UNAUTHENTICATED_MAX`]
/// checks at once; then the body is read within the bodies' budget ([`BODY_BUDGET`]), held
/// until the exchange is answered. So the hub's memory does not grow with the number of
/// connections, authenticated or not.
async fn sync_handler(
    State(hub): State<Arc<Hub>>,
    request: axum::extract::Request,
) -> Result<axum::response::Response, HubError> {
    let (parts, body) = request.into_parts();
    let headers = &parts.headers;
    let token = bearer(headers)?;
    let session = headers
        .get("x-sene-session")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let announced = announced_length(headers, MAX_BODY)?;
    let place = admit(&hub.unauthenticated, 1, ADMISSION_WAIT).await?;
    let (h, t) = (hub.clone(), token.clone());
    let device = tokio::task::spawn_blocking(move || {
        let _place = place;
        h.checked_device(&t)
    })
    .await
    .map_err(|e| HubError::Server(e.to_string()))??;
    let units = announced.unwrap_or(MAX_BODY).div_ceil(BODY_UNIT).max(1);
    let room = admit(
        &hub.bodies,
        u32::try_from(units).unwrap_or(u32::MAX),
        BODY_WAIT,
    )
    .await?;
    let body = read_body(body, announced, MAX_BODY).await?;
    // decoded here, beside the group the writer thread is merging, once [`AHEAD_MAX`] others
    // decoded ahead are no longer waiting for the writer
    let place = hub
        .ahead
        .clone()
        .acquire_owned()
        .await
        .map_err(|_| writer_stopped())?;
    let coding = hub
        .coding
        .clone()
        .acquire_owned()
        .await
        .map_err(|_| writer_stopped())?;
    let h = hub.clone();
    let (body, ahead) = tokio::task::spawn_blocking(move || {
        let _coding = coding;
        let ahead = h.decode_ahead(&device, &body, place);
        (body, ahead)
    })
    .await
    .map_err(|e| HubError::Server(e.to_string()))?;
    // waits for its group without holding a thread (one parked thread per waiting device
    // would fill tokio's blocking pool, 512, in a burst, and hold up the next token checks)
    let answer = hub
        .enqueue(&token, &session, body, ahead)?
        .await
        .map_err(|_| writer_stopped())??;
    // encoded here too, once the group is on disk
    let coding = hub
        .coding
        .clone()
        .acquire_owned()
        .await
        .map_err(|_| writer_stopped())?;
    let reply = tokio::task::spawn_blocking(move || {
        let _coding = coding;
        answer.encode()
    })
    .await
    .map_err(|e| HubError::Server(e.to_string()))??;
    drop(room);
    // no content type: on a 40 kbit/s link each header line costs milliseconds
    Ok(axum::response::Response::new(axum::body::Body::from(reply)))
}

/// `POST /v1/enroll`: [`ENROLLING_MAX`] at once, each read within [`ENROLL_READ`] and at most
/// [`ENROLL_MAX_BODY`] bytes.
async fn enroll_handler(
    State(hub): State<Arc<Hub>>,
    request: axum::extract::Request,
) -> Result<Json<Enrolled>, Response> {
    use axum::extract::FromRequest;
    let _place = admit(&hub.enrolling, 1, ADMISSION_WAIT)
        .await
        .map_err(IntoResponse::into_response)?;
    let read = tokio::time::timeout(
        ENROLL_READ,
        Json::<EnrollRequest>::from_request(request, &()),
    );
    let Json(req) = read
        .await
        .map_err(|_| HubError::Network("demande d'enrôlement trop lente".into()).into_response())?
        .map_err(IntoResponse::into_response)?;
    let out = tokio::task::spawn_blocking(move || hub.with_ledger(|l| enroll::enroll(l, &req)))
        .await
        .map_err(|e| HubError::Server(e.to_string()).into_response())?
        .map_err(IntoResponse::into_response)?;
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
        .route(
            "/v1/enroll",
            post(enroll_handler).layer(DefaultBodyLimit::max(ENROLL_MAX_BODY)),
        )
        // reads its body itself, after the token, at most `MAX_BODY`
        .route("/v1/sync", post(sync_handler))
        .route("/v1/standby", get(standby::offer_handler))
        .route("/v1/standby/file/{name}", get(standby::file_handler))
        .route(
            "/v1/standby/kept",
            post(standby::kept_handler).layer(DefaultBodyLimit::max(4096)),
        )
        .with_state(hub)
}

/// The length of the hub's listen queue: connections the system has completed and the server
/// has not yet accepted. The 128 of the standard library's and tokio's `bind` overflowed when a
/// union's laptops all connected at once (the bench's burst, on loopback: at 150 laptops a
/// connection dropped there came back a second later; at 600, some were reset). The system
/// caps it (`net.core.somaxconn`: 4096 by default on Linux since 5.4).
pub const LISTEN_BACKLOG: u32 = 4096;

/// The hub's listening socket on `addr`, with a queue of [`LISTEN_BACKLOG`] (and, as tokio's
/// `bind`, the address reusable at once after a restart, except on Windows).
///
/// # Errors
/// [`HubError::Server`] when the address cannot be used.
pub fn listener(addr: SocketAddr) -> Result<tokio::net::TcpListener, HubError> {
    let failed = |e: std::io::Error| HubError::Server(format!("{addr}: {e}"));
    let socket = if addr.is_ipv4() {
        tokio::net::TcpSocket::new_v4()
    } else {
        tokio::net::TcpSocket::new_v6()
    }
    .map_err(failed)?;
    #[cfg(not(windows))]
    socket.set_reuseaddr(true).map_err(failed)?;
    socket.bind(addr).map_err(failed)?;
    socket.listen(LISTEN_BACKLOG).map_err(failed)
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
    /// Scheduled backups (offered to the office's standby machine), if any.
    pub backups: Option<schedule::BackupSchedule>,
}

/// The lock file of a store's hub: `<store>.hub.lock`, beside it.
#[must_use]
pub fn lock_path(store: &Path) -> PathBuf {
    // the same file a restore checks (`sene_store::backup::check_not_served`)
    sene_store::backup::hub_lock_path(store)
}

/// Takes the lock that says a hub serves `store` (an advisory lock of the operating system on
/// [`lock_path`], so it goes with the process however it ends), and writes this process's id
/// in it for the next one's message. Held as long as the returned file is open.
///
/// # Errors
/// [`HubError::AlreadyServed`] when another hub holds it; [`HubError::Server`] when the lock
/// file cannot be opened.
pub fn lock_store(store: &Path) -> Result<std::fs::File, HubError> {
    use std::io::{Read, Seek, Write};
    let path = lock_path(store);
    let failed = |e: std::io::Error| HubError::Server(format!("verrou {} : {e}", path.display()));
    // a store not made yet: its folder is (as opening the store would)
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(failed)?;
    }
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(failed)?;
    match file.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => {
            let mut text = String::new();
            let _ = file.read_to_string(&mut text);
            return Err(HubError::AlreadyServed {
                pid: text.trim().parse().ok(),
                lock: path.display().to_string(),
            });
        }
        Err(std::fs::TryLockError::Error(e)) => return Err(failed(e)),
    }
    file.set_len(0).map_err(failed)?;
    file.rewind().map_err(failed)?;
    write!(file, "{}", std::process::id()).map_err(failed)?;
    Ok(file)
}

/// Runs the hub until Ctrl-C, reporting the bound address through `ready`.
///
/// Only one hub serves a store: `serve` holds the store's lock ([`lock_store`]) until it
/// returns or its future is dropped; a second one is refused before it opens the store.
///
/// # Errors
/// [`HubError::AlreadyServed`]; [`HubError::Server`] when the address or the certificate
/// cannot be used; store errors.
pub async fn serve(
    opts: ServeOptions,
    ready: Option<tokio::sync::oneshot::Sender<SocketAddr>>,
) -> Result<(), HubError> {
    let _lock = lock_store(&opts.store)?;
    let open = || -> Result<Ledger, HubError> {
        Ok(match &opts.key {
            Some(key) => Ledger::with_clock(
                sene_store::Store::open_with_key(&opts.store, key).map_err(AppError::from)?,
                Box::new(sene_app::SystemClock),
            ),
            None => Ledger::open(&opts.store)?,
        })
    };
    let ledger = open()?;
    ledger.union()?;
    // the tokens' checks, beside the merges
    let reader = open()?;
    // the WAL's checkpoints run beside the merges, not inside them (stopped with the server)
    let _checkpoints = ledger
        .store()
        .checkpoint_in_background(opts.key.as_ref(), std::time::Duration::from_secs(1))
        .map_err(AppError::from)?;
    let hub = Hub::with_reader(ledger, reader);
    if let Some(s) = &opts.backups {
        hub.offer_backups(s.dir.clone());
    }
    let app = router(hub);
    // the scheduled backups: on a connection of their own, started once the hub holds the
    // store's lock, stopped with the server
    let _backups = match &opts.backups {
        Some(s) => Some(schedule::start(open()?, opts.key.clone(), s.clone())?),
        None => None,
    };
    match &opts.tls {
        None => {
            let listener = listener(opts.listen)?;
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
            let listener = listener(opts.listen)?
                .into_std()
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
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    /// A body decoded ahead of the writer thread is used only while the device's two
    /// dictionary slots are those it was decoded with.
    #[test]
    fn a_body_decoded_ahead_holds_while_the_devices_dictionaries_stay() {
        let l = Ledger::with_clock(
            sene_store::Store::open_in_memory().unwrap(),
            Box::new(sene_app::SystemClock),
        );
        let dict: Vec<u8> = (0..4000u32).flat_map(u32::to_le_bytes).collect();
        let put = |slot: u8, d: &[u8]| {
            l.db()
                .put_hub_dict("dev", slot, &sene_sync::wire::pack_dict(d).unwrap())
                .unwrap();
        };
        put(1, &dict);
        let env = Envelope {
            items: vec![("season/x".into(), vec![7; 300])],
        };
        let body = env.encode_with(Some(&dict)).unwrap();
        let slots = |l: &Ledger| {
            [
                l.db().hub_dict("dev", 0).unwrap(),
                l.db().hub_dict("dev", 1).unwrap(),
            ]
        };
        let d = Decoded::new("dev", &body, Some(&slots(&l))).unwrap();
        assert_eq!((d.env.clone(), d.used), (env, Some(1)));
        assert_eq!(d.dict.as_deref(), Some(&dict[..]));
        assert!(d.holds(&l).unwrap());
        // another exchange of the device merged meanwhile wrote its next dictionary
        put(0, b"the next one");
        assert!(!d.holds(&l).unwrap());
        // a body without a dictionary holds whatever the slots
        let plain = Decoded::new("dev", &Envelope::default().encode().unwrap(), None).unwrap();
        assert!(plain.holds(&l).unwrap());
        // a dictionary the slots do not hold: the writer answers 409 as before
        put(1, b"lost");
        assert!(matches!(
            Decoded::new("dev", &body, Some(&slots(&l))),
            Err(HubError::UnknownDictionary)
        ));
    }
}
