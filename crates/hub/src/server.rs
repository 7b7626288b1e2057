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
use sene_sync::wire::{Dict, Envelope, Strength};
use sene_sync::SyncError;

use crate::error::poisoned;
use crate::reply::Answer;
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
    /// The dictionary slot last written for each device, and that dictionary unpacked (for
    /// [`DICTS_KEPT`] devices at most): its next request most likely comes with it, so it is
    /// tried first, without reading and unpacking it from the store (a tenth of the writer's
    /// time in a burst). A hint: a dictionary is used only when its id matches the
    /// request's, and the store's slots are tried otherwise ([`find_dict`]).
    last_dict: Mutex<HashMap<String, LastDict>>,
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
    /// Answers being compressed at once ([`encoders`]).
    encoding: Arc<tokio::sync::Semaphore>,
    /// The folder of the hub's scheduled backups, offered to its standby ([`standby`]).
    pub(crate) backups: std::sync::OnceLock<PathBuf>,
}

/// A device's dictionary slot last written, and that dictionary when it is kept in memory.
type LastDict = (u8, Option<Arc<Dict>>);

/// The devices whose last dictionary the hub keeps in memory (64 KiB each at most: 64 MiB).
const DICTS_KEPT: usize = 1024;

/// At most this many sync requests have their token checked at once; the others wait up to
/// [`ADMISSION_WAIT`], then get 503. A request holds its place only for the token's lookup:
/// its body is not read before.
pub const UNAUTHENTICATED_MAX: usize = 16;
/// At most this many enrollment requests are read and answered at once.
pub const ENROLLING_MAX: usize = 4;
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
            last_dict: Mutex::new(HashMap::new()),
            writer,
            unauthenticated: Arc::new(tokio::sync::Semaphore::new(UNAUTHENTICATED_MAX)),
            enrolling: Arc::new(tokio::sync::Semaphore::new(ENROLLING_MAX)),
            bodies: Arc::new(tokio::sync::Semaphore::new(BODY_BUDGET / BODY_UNIT)),
            encoding: Arc::new(tokio::sync::Semaphore::new(encoders())),
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

    /// One device's sync exchange, what `POST /v1/sync` runs (`token` from its bearer header,
    /// `session` from its session header, `body` as sent): queued, then merged with the
    /// exchanges that arrived meanwhile in one group (see [`Ledger::write_group`]); the
    /// encoded [`Reply`] is returned once the group is on disk.
    ///
    /// # Errors
    /// [`HubError::Unauthorized`] for an unknown or revoked token, [`HubError::UnknownDictionary`],
    /// malformed requests, store errors.
    pub fn exchange(&self, token: &str, session: &str, body: &[u8]) -> Result<Vec<u8>, HubError> {
        self.queue(token, session, body.to_vec())
    }

    /// Checks a token before its request's body is read: the device it names must exist and
    /// not be revoked. On the reader connection when the hub has one. The exchange checks it
    /// again inside its group, which is what counts.
    ///
    /// # Errors
    /// [`HubError::Unauthorized`] for an unknown or revoked token, store errors.
    pub fn check_token(&self, token: &str) -> Result<(), HubError> {
        match &self.reader {
            Some(r) => {
                let l = r.lock().map_err(|_| poisoned())?;
                enroll::authenticate(&l, token).map(|_| ())
            }
            None => self.with_ledger(|l| enroll::authenticate(l, token).map(|_| ())),
        }
    }

    /// [`Hub::exchange`] with the body as read (not copied again).
    fn queue(&self, token: &str, session: &str, body: Vec<u8>) -> Result<Vec<u8>, HubError> {
        let answer = self
            .enqueue(token, session, body)?
            .blocking_recv()
            .map_err(|_| writer_stopped())??;
        Ok(answer.encode()?)
    }

    /// Queues an exchange for the writer thread; its answer comes on the returned channel
    /// once its group is on disk.
    fn enqueue(
        &self,
        token: &str,
        session: &str,
        body: Vec<u8>,
    ) -> Result<tokio::sync::oneshot::Receiver<Result<Answer, HubError>>, HubError> {
        let (done, answer) = tokio::sync::oneshot::channel();
        self.writer
            .send(Pending {
                token: token.to_owned(),
                session: session.to_owned(),
                body,
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
    fn merge_group(&self, l: &mut Ledger, mut jobs: Vec<Pending>) {
        let n = jobs.len();
        let started = std::time::Instant::now();
        let waited = jobs.first().map(|p| started - p.queued).unwrap_or_default();
        let mut spent = Spent::default();
        // Every request is read first, and automerge's part of each merge (the larger part of
        // it, which needs no store) runs ahead on a second thread while this one stores the
        // previous exchanges (see `crate::ahead`).
        let ahead = crate::ahead::Ahead::default();
        let mut counts = vec![0usize; n];
        let mut read_time = std::time::Duration::ZERO;
        let written = std::thread::scope(|s| {
            let runner = std::thread::Builder::new()
                .name("sene-hub-merge".into())
                .spawn_scoped(s, || ahead.run());
            if let Err(e) = runner {
                // the writer then runs every merge itself
                tracing::warn!(error = %e, "fil de fusion anticipée non démarré");
            }
            let reading = std::time::Instant::now();
            let read = self.read_ahead(l, &jobs, &ahead, &mut counts);
            ahead.close();
            read_time = reading.elapsed();
            let work: Vec<_> = jobs
                .iter_mut()
                .zip(read)
                .enumerate()
                .map(|(i, (p, r))| {
                    (
                        i,
                        std::mem::take(&mut p.token),
                        std::mem::take(&mut p.session),
                        std::mem::take(&mut p.body),
                        r,
                    )
                })
                .collect();
            let written = l.write_group(work, |l, (i, token, session, body, read)| {
                let t = std::time::Instant::now();
                for done in ahead.take(i, counts.get(i).copied().unwrap_or(0)) {
                    l.premerge_put(done)?;
                }
                spent.ahead_wait += t.elapsed();
                let r = match read {
                    Some(d) => self.exchange_read(l, d, &session, &mut spent),
                    None => self.exchange_one(l, &token, &session, &body, &mut spent),
                };
                spent.exchanges += t.elapsed();
                r
            });
            ahead.stop();
            written
        });
        let taken: usize = counts.iter().sum();
        let answers: Vec<_> = jobs.into_iter().map(|p| p.done).collect();
        let missed = l.premerge_clear().unwrap_or(0);
        match written {
            Ok(results) => {
                let total = started.elapsed();
                tracing::debug!(
                    exchanges = n,
                    waited_us = micros(waited),
                    merge_us = micros(spent.merge),
                    around_us = micros(
                        spent
                            .exchanges
                            .saturating_sub(spent.merge)
                            .saturating_sub(spent.ahead_wait)
                    ),
                    ahead = taken,
                    ahead_missed = missed,
                    ahead_wait_us = micros(spent.ahead_wait),
                    read_us = micros(read_time),
                    commit_us = micros(
                        total
                            .saturating_sub(spent.exchanges)
                            .saturating_sub(read_time)
                    ),
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

    /// Reads a group's requests before it is written, and takes out the merges to run
    /// ahead ([`Ledger::premerge_take`]). A request that does not read (its error is given in
    /// its turn, in order), or a device's second request in the group (its dictionary is the
    /// first one's answer), is read in its turn; a document is run ahead for one exchange of
    /// the group at most.
    fn read_ahead(
        &self,
        l: &mut Ledger,
        jobs: &[Pending],
        ahead: &crate::ahead::Ahead,
        counts: &mut [usize],
    ) -> Vec<Option<Read>> {
        let mut devices = std::collections::HashSet::new();
        let mut docs = std::collections::HashSet::new();
        let mut read = Vec::with_capacity(jobs.len());
        for (i, p) in jobs.iter().enumerate() {
            let r = match self.read_request(l, &p.token, &p.body) {
                Ok(r) if devices.insert(r.device.device_id.clone()) => r,
                _ => {
                    read.push(None);
                    continue;
                }
            };
            let fresh = self
                .sessions
                .lock()
                .map(|s| s.get(&r.device.device_id).map(String::as_str) != Some(p.session.as_str()))
                .unwrap_or(true);
            for (doc, msg) in &r.env.items {
                if !docs.insert(doc.clone()) {
                    continue;
                }
                if let Ok(Some(job)) =
                    l.premerge_take(&r.device.device_id, doc, msg, &r.scope, fresh)
                {
                    ahead.push(i, job);
                    if let Some(c) = counts.get_mut(i) {
                        *c += 1;
                    }
                }
            }
            read.push(Some(r));
        }
        read
    }

    /// One exchange, inside a group: authenticate, decode, merge, answer.
    fn exchange_one(
        &self,
        l: &mut Ledger,
        token: &str,
        session: &str,
        body: &[u8],
        spent: &mut Spent,
    ) -> Result<Answer, HubError> {
        let read = self.read_request(l, token, body)?;
        self.exchange_read(l, read, session, spent)
    }

    /// An exchange's request: its device authenticated by its token, its body decoded with
    /// the dictionary it names.
    fn read_request(&self, l: &Ledger, token: &str, body: &[u8]) -> Result<Read, HubError> {
        let (device, scope) = enroll::authenticate(l, token)?;
        // the slot the request's dictionary came from, if it came with one
        let (dict, used) = match Envelope::dict_needed(body) {
            None => (None, None),
            Some(id) => {
                let kept = self
                    .last_dict
                    .lock()
                    .map_err(|_| poisoned())?
                    .get(&device.device_id)
                    .cloned();
                let (d, slot) = find_dict(&l.db(), &device.device_id, kept, id)?
                    .ok_or(HubError::UnknownDictionary)?;
                (Some(d), Some(slot))
            }
        };
        let env = Envelope::decode_dict(body, dict.as_deref())?;
        // the next dictionary is made of the request as sent, audit proof included
        let env_raw = env.raw()?;
        Ok(Read {
            device,
            scope,
            env,
            env_raw,
            dict,
            used,
            reads: Envelope::sender_reads(body),
        })
    }

    /// An exchange whose request is read: merge, answer (to compress, [`Answer::encode`]).
    fn exchange_read(
        &self,
        l: &mut Ledger,
        read: Read,
        session: &str,
        spent: &mut Spent,
    ) -> Result<Answer, HubError> {
        let Read {
            device,
            scope,
            mut env,
            env_raw,
            dict,
            used,
            reads,
        } = read;
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
        // zstd only to a device whose request said it reads it: a laptop not yet upgraded
        // is answered in the format it reads
        // (compressed by the request's own thread once its group is on disk, not here)
        // a federation pulls the union's day, megabytes, over the office's link: zstd's
        // strongest would hold the office's processor ≈ 2 s a day for 11 % fewer bytes
        let strength = if scope.writes_nothing() {
            Strength::Bulk
        } else {
            Strength::Strongest
        };
        let (out, reply_raw) = reply.answer(dict, reads, strength)?;
        // its id hashed once, here: what finds it, decodes the next request and encodes its
        // reply
        let next = Dict::new(sene_sync::wire::next_dict(out.dict(), &env_raw, &reply_raw));
        // the next dictionary goes over the slot this request did not use: the one it
        // used is what the device holds until this reply reaches it (one write of the
        // dictionary an exchange, not a copy of the other slot as well)
        let slot = match used {
            Some(0) => 1,
            _ => 0,
        };
        let packed = sene_sync::wire::pack_dict(next.bytes())?;
        let (store, _, _) = l.parts()?;
        // when the device last synced, and the next dictionary: one write
        store.write(|db| {
            db.hub_touch(&device.device_id, &at)?;
            db.put_hub_dict(&device.device_id, slot, &packed, next.id())
        })?;
        let mut last = self.last_dict.lock().map_err(|_| poisoned())?;
        // (a device first seen once DICTS_KEPT are kept is tried from the store, as before)
        let keep = last
            .get(&device.device_id)
            .map_or(last.len() < DICTS_KEPT, |(_, d)| d.is_some());
        last.insert(
            device.device_id.clone(),
            (slot, keep.then(|| Arc::new(next))),
        );
        Ok(out)
    }
}

/// An exchange's request, read ([`Hub::read_request`]).
struct Read {
    device: sene_store::HubDevice,
    scope: sene_app::sync::Scope,
    env: Envelope,
    /// The request as sent, for the next dictionary.
    env_raw: Vec<u8>,
    /// The dictionary it was compressed with, and the slot it came from.
    dict: Option<Arc<Dict>>,
    used: Option<u8>,
    /// What the device reads, as its request's magic said.
    reads: sene_sync::wire::Reads,
}

/// Where a group's time went (see [`Hub::merge_group`]).
#[derive(Default)]
struct Spent {
    /// Waiting for the merges run ahead.
    ahead_wait: std::time::Duration,
    /// The exchanges, whole.
    exchanges: std::time::Duration,
    /// Of which the merges (`sync_exchange`).
    merge: std::time::Duration,
}

/// The dictionary a device's request names by `id`, and the slot it is kept in: the one kept
/// in memory (`kept`: the device's last written slot, and that dictionary if the hub kept it),
/// else the store's slot written with that id (unpacked, its id checked: a damaged slot is as
/// good as none), else, hashing each, the last 32 KiB of either (a laptop that kept only them,
/// [`Dict::tail_named`]) or a slot written before ids were kept. `None` when none is named:
/// the device is then told to say its exchange again without one (409), not refused.
fn find_dict(
    db: &sene_store::Db<'_>,
    device: &str,
    kept: Option<LastDict>,
    id: [u8; 8],
) -> Result<Option<(Arc<Dict>, u8)>, HubError> {
    let (last, kept) = kept.unwrap_or((0, None));
    if let Some(d) = kept.as_ref().filter(|d| d.id() == id) {
        return Ok(Some((Arc::clone(d), last)));
    }
    if let Some((slot, packed)) = db.hub_dict_by_id(device, id)? {
        if let Ok(d) = sene_sync::wire::unpack_dict(&packed) {
            let d = Dict::new(d);
            if d.id() == id {
                return Ok(Some((Arc::new(d), slot)));
            }
        }
    }
    if let Some(d) = kept.and_then(|d| d.tail_named(id)) {
        return Ok(Some((Arc::new(d), last)));
    }
    // the slot written last first
    for slot in [last, 1 - last] {
        let Some(packed) = db.hub_dict(device, slot)? else {
            continue;
        };
        if let Ok(d) = sene_sync::wire::unpack_dict(&packed) {
            if let Some(d) = sene_sync::wire::dict_named(Dict::new(d), id) {
                return Ok(Some((Arc::new(d), slot)));
            }
        }
    }
    Ok(None)
}

fn micros(d: std::time::Duration) -> u64 {
    u64::try_from(d.as_micros()).unwrap_or(u64::MAX)
}

/// A gate closed: the hub is stopping.
fn stopping() -> HubError {
    HubError::Server("le bureau s'arrête".into())
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

/// How many answers are compressed at once: one processor fewer than the machine has, at
/// least one. The writer merging the next group is the burst's critical path; a group's
/// answers (256 in a burst of 600 laptops) all compressed at once on the blocking pool would
/// each take the same share of the processors as the writer.
fn encoders() -> usize {
    if let Some(n) = std::env::var("SENE_HUB_ENCODERS")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
    {
        return n.max(1);
    }
    std::thread::available_parallelism()
        .map_or(1, std::num::NonZeroUsize::get)
        .saturating_sub(1)
        .max(1)
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
        Ok(Err(_)) => Err(stopping()),
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
    tokio::task::spawn_blocking(move || {
        let _place = place;
        h.check_token(&t)
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
    // waits for its group without holding a thread: one parked thread per waiting device
    // would fill tokio's blocking pool (512) in a burst, and hold up the next token checks
    let answer = hub
        .enqueue(&token, &session, body)?
        .await
        .map_err(|_| writer_stopped())??;
    // compressed here, its group on disk, beside the writer merging the next one (zstd at its
    // strongest over a new laptop's documents takes tenths of a second)
    let turn = hub
        .encoding
        .clone()
        .acquire_owned()
        .await
        .map_err(|_| stopping())?;
    let reply = tokio::task::spawn_blocking(move || {
        let _turn = turn;
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
/// has not yet accepted. With the 128 of the standard library's and tokio's `bind`, 600
/// laptops connecting at once (the bench's burst, on loopback) overflowed it: some handshakes
/// were dropped and tried again a second later, and once its SYN queue was full too some
/// connections were reset (128 of 600 in one run). The system caps it (`net.core.somaxconn`:
/// 4096 by default on Linux since 5.4).
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
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use sene_sync::wire::{dict_id, pack_dict};

    fn bytes(seed: u8, n: usize) -> Vec<u8> {
        let mut x = u32::from(seed) | 1;
        (0..n)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                b"abcdefghij"[(x % 10) as usize]
            })
            .collect()
    }

    /// The dictionary a request names is found in memory, then by its id in the store, then
    /// the old ways (a slot written before ids were kept, the last 32 KiB an older laptop
    /// keeps); a damaged slot, or one whose bytes are not the ones its id names, is as good as
    /// none.
    #[test]
    fn a_request_finds_its_dictionary_by_id_in_memory_or_in_the_store_and_a_damaged_one_is_none() {
        let store = sene_store::Store::open_in_memory().unwrap();
        let db = store.db();
        let (a, b) = (Dict::new(bytes(1, 40_000)), Dict::new(bytes(2, 40_000)));
        let put = |slot: u8, d: &Dict| {
            db.put_hub_dict("d1", slot, &pack_dict(d.bytes()).unwrap(), d.id())
                .unwrap();
        };
        put(0, &a);
        put(1, &b);
        let kept_b = Some((1, Some(Arc::new(b.clone()))));
        let found = |kept: Option<LastDict>, id| {
            find_dict(&db, "d1", kept, id)
                .unwrap()
                .map(|(d, slot)| (d.as_ref().clone(), slot))
        };
        // in memory: the same one, no store read needed
        let (d, slot) = find_dict(
            &sene_store::Store::open_in_memory().unwrap().db(),
            "d1",
            kept_b.clone(),
            b.id(),
        )
        .unwrap()
        .unwrap();
        assert_eq!((d.as_ref(), slot), (&b, 1));
        // the one before (its reply lost): from the store, by its id
        assert_eq!(found(kept_b.clone(), a.id()), Some((a.clone(), 0)));
        assert_eq!(found(None, b.id()), Some((b.clone(), 1)));
        // the last 32 KiB of the one kept, or of a stored one (a 0.1.0 laptop)
        let tail = &b.bytes()[b.bytes().len() - 32 * 1024..];
        let tail_id = dict_id(tail);
        assert_eq!(
            found(kept_b.clone(), tail_id).map(|(d, s)| (d.bytes().to_vec(), s)),
            Some((tail.to_vec(), 1))
        );
        assert_eq!(
            found(None, tail_id).map(|(d, s)| (d.bytes().to_vec(), s)),
            Some((tail.to_vec(), 1))
        );
        assert_eq!(found(kept_b.clone(), [7; 8]), None);
        // a slot whose id does not say (as one written before ids were kept, NULL, does not):
        // found by hashing it
        db.put_hub_dict("d2", 0, &pack_dict(a.bytes()).unwrap(), [0; 8])
            .unwrap();
        assert_eq!(
            find_dict(&db, "d2", None, a.id())
                .unwrap()
                .map(|(d, s)| (d.as_ref().clone(), s)),
            Some((a.clone(), 0))
        );
        // a slot whose bytes are not those of its id: not taken for that dictionary
        db.put_hub_dict("d1", 0, &pack_dict(b.bytes()).unwrap(), a.id())
            .unwrap();
        assert_eq!(found(None, a.id()), None);
        // damaged slots: none found, the device says its exchange again without one
        put(0, &a);
        db.put_hub_dict("d1", 1, &[0xff, 0x00, 0xff], b.id())
            .unwrap();
        assert_eq!(found(None, b.id()), None);
        assert_eq!(found(None, a.id()), Some((a, 0)));
    }
}
