//! # sene-federation
//!
//! The federation hub: a read-only peer of many unions that pulls each union's documents and
//! projects them into PostgreSQL for national reporting.
//!
//! - **One replica per union** ([`replica`]): a Sene store in the data folder, enrolled with
//!   the union's hub as a device and synced by `sene-hub`'s device client (automerge's sync
//!   protocol: only what changed travels, and pulling twice merges nothing) or fed by the USB
//!   files the union's office makes for that device. It holds the union's documents, so the
//!   projection can always be rebuilt from it.
//! - **The projection** ([`project`]): the replica's rows as the federation's tables, each
//!   partitioned by union (`PARTITION BY LIST (union_id)`), written in one transaction per
//!   union and pull, only the rows that changed (a hash per row).
//! - **Isolation**: each union is pulled on its own (its own connection, its own blocking
//!   thread, its own transaction); a union that fails (hub down, bad token, malformed answer)
//!   has its error recorded in `unions` and `union_pulls`, and its last good data stays, with
//!   its age (`union_status`).
//! - **Serving** ([`serve`]): the scheduler that pulls every union every N minutes, and an
//!   axum [`Router`](axum::Router) ([`serve::router`]) the national page mounts its routes on.
//! - **Schema** ([`pg`]): numbered migrations of its own, `schema_version`.
//! - **Tests**: [`cluster::TempCluster`], a throwaway PostgreSQL server on a Unix socket.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use chrono::{DateTime, SubsecRound, Utc};
use sene_app::Ledger;
use sene_domain::{AgentId, DeviceId, UnionId};
use serde::Serialize;
use tokio_postgres::Client;
use uuid::Uuid;

pub mod cluster;
mod error;
pub mod pg;
pub mod project;
pub mod replica;
pub mod serve;
pub mod web;

pub use error::FederationError;
pub use replica::{Credentials, Received};

/// The federation: its PostgreSQL database and its data folder (the replicas).
#[derive(Debug, Clone)]
pub struct Federation {
    pg_url: String,
    data: PathBuf,
    /// The replicas kept open between pulls ([`Federation::keep_replicas_open`]).
    warm: Option<Arc<std::sync::Mutex<Warm>>>,
}

/// Replicas kept open, by union: their documents stay loaded. Each with the time its own last
/// pull wrote in `unions.last_pull_at` (when the table says otherwise, another process, a
/// command, pulled the union meanwhile, and the replica is opened anew rather than trusted),
/// and when it was last used, to close the least recently used beyond the bound.
#[derive(Debug, Default)]
struct Warm {
    open: HashMap<UnionId, (Option<DateTime<Utc>>, Replica, u64)>,
    /// Most replicas kept open.
    max: usize,
    /// Uses so far: a replica's last use is the count at that use.
    uses: u64,
}

impl Warm {
    /// Keeps `c` open for `union`, closing the replicas least recently used beyond the bound
    /// (one in use by a pull is closed when that pull ends).
    fn keep(&mut self, union: UnionId, c: &Arc<std::sync::Mutex<Ledger>>) {
        self.uses += 1;
        self.open.insert(union, (None, Arc::clone(c), self.uses));
        while self.open.len() > self.max.max(1) {
            let Some(oldest) = self
                .open
                .iter()
                .min_by_key(|(_, (.., used))| *used)
                .map(|(u, _)| *u)
            else {
                break;
            };
            self.open.remove(&oldest);
        }
    }

    /// The open replica of `union`, if it was last pulled at `pulled_at`, marked as used now.
    fn take(
        &mut self,
        union: UnionId,
        pulled_at: Option<DateTime<Utc>>,
    ) -> Option<Arc<std::sync::Mutex<Ledger>>> {
        self.uses += 1;
        let uses = self.uses;
        match self.open.get_mut(&union) {
            Some((seen, c, used)) if *seen == pulled_at => {
                *used = uses;
                Some(Arc::clone(c))
            }
            _ => None,
        }
    }
}

/// A union's replica, shared by the pull using it and the replicas kept open.
type Replica = Arc<std::sync::Mutex<Ledger>>;

/// Replicas kept open by `sene federation serve` unless told otherwise: at union scale one
/// open replica holds a few hundred MB (its documents and its page cache), and a round of
/// pulls reopens only those beyond the bound.
pub const KEEP_OPEN: usize = 16;

/// Unions pulled at the same time by [`Federation::pull_all`].
pub const PULLS_AT_ONCE: usize = 4;

/// A union the federation follows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnionEntry {
    pub union_id: UnionId,
    pub name: String,
    pub hub_url: Option<String>,
    #[serde(skip)]
    pub token: String,
    pub device_id: DeviceId,
    pub agent_id: AgentId,
    /// The union's id in its own store, once pulled.
    pub source_union_id: Option<UnionId>,
    pub projected: bool,
    /// When it was last pulled, good or failed (by any process).
    pub last_pull_at: Option<DateTime<Utc>>,
}

/// Where a union's data stands (`union_status`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnionStatus {
    pub union_id: UnionId,
    pub name: String,
    pub hub_url: Option<String>,
    /// The union's own name, as its store says.
    pub source_name: Option<String>,
    pub last_pull_at: Option<DateTime<Utc>>,
    /// The last good pull: what the tables show is as of then.
    pub last_ok_at: Option<DateTime<Utc>>,
    /// Seconds since the last good pull.
    pub age_seconds: Option<i64>,
    pub last_error: Option<String>,
    pub last_error_code: Option<String>,
    pub last_error_at: Option<DateTime<Utc>>,
    /// The last pull failed.
    pub failing: bool,
}

/// Where a pull's data came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Source {
    Http,
    Usb,
}

impl Source {
    fn name(self) -> &'static str {
        match self {
            Source::Http => "http",
            Source::Usb => "usb",
        }
    }
}

/// What one pull of one union did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PullReport {
    pub union: String,
    pub source: Source,
    pub bytes_sent: u64,
    pub bytes_received: u64,
    /// Records the replica merged.
    pub records_merged: u64,
    /// Whether the projection was compared (skipped when nothing changed since a good one).
    pub projected: bool,
    pub rows_written: u64,
    pub rows_deleted: u64,
    /// Time spent exchanging with the union (or reading its file) and merging into the replica.
    pub sync_ms: u64,
    /// Time spent reading the replica's rows for the projection.
    pub snapshot_ms: u64,
    /// Time spent writing the projection into PostgreSQL.
    pub projection_ms: u64,
}

fn ms(d: std::time::Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

fn uuid_of(u: &UnionId) -> Uuid {
    *u.as_uuid()
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, FederationError> + Send + 'static,
) -> Result<T, FederationError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| FederationError::Task(e.to_string()))?
}

/// The advisory lock of one union's pulls: two pulls of one union (the scheduler and a
/// command) never run at once; pulls of different unions do.
const LOCK_SPACE: i32 = 1_397_050_949;

impl Federation {
    /// Connects to the database at `pg_url`, applies its migrations, and keeps the replicas in
    /// `data`.
    ///
    /// # Errors
    /// [`FederationError::Postgres`], [`FederationError::SchemaTooNew`].
    pub async fn open(pg_url: &str, data: &Path) -> Result<Self, FederationError> {
        let mut c = pg::connect(pg_url).await?;
        pg::migrate(&mut c).await?;
        Ok(Federation {
            pg_url: pg_url.to_owned(),
            data: data.to_path_buf(),
            warm: None,
        })
    }

    /// Keeps each union's replica open from one pull to the next (what `serve` does): its
    /// documents stay loaded, and a pull with little news does not load them all again (at
    /// union scale, 347 documents take ~5 s to load, `BENCHMARKS.md`), at the cost of their
    /// memory: at most `max` of them, the least recently pulled closed first. A replica whose
    /// pull failed is closed (opened anew at the next pull).
    #[must_use]
    pub fn keep_replicas_open(mut self, max: usize) -> Self {
        self.warm = Some(Arc::new(std::sync::Mutex::new(Warm {
            max,
            ..Warm::default()
        })));
        self
    }

    /// How many replicas are open now (kept between pulls).
    #[must_use]
    pub fn replicas_open(&self) -> usize {
        self.warm
            .as_ref()
            .and_then(|w| w.lock().ok().map(|m| m.open.len()))
            .unwrap_or(0)
    }

    /// A new connection to the federation's database.
    ///
    /// # Errors
    /// [`FederationError::Postgres`].
    pub async fn client(&self) -> Result<Client, FederationError> {
        pg::connect(&self.pg_url).await
    }

    /// The data folder (one replica per union).
    #[must_use]
    pub fn data(&self) -> &Path {
        &self.data
    }

    /// The replica file of a union.
    #[must_use]
    pub fn replica_path(&self, union: UnionId) -> PathBuf {
        replica::path(&self.data, union)
    }

    /// Adds a union with credentials its secretariat handed over (token, device, agent, and
    /// the key of its USB files); `hub_url` `None` for a union read only from USB files.
    /// Makes its replica and its partition of every projected table.
    ///
    /// # Errors
    /// [`FederationError::UnionExists`], PostgreSQL and store errors.
    pub async fn add_union(
        &self,
        name: &str,
        hub_url: Option<&str>,
        creds: Credentials,
    ) -> Result<UnionId, FederationError> {
        self.refuse_taken(name).await?;
        let id = UnionId::new();
        let path = self.replica_path(id);
        let url = hub_url.map(str::to_owned);
        let c = creds.clone();
        let p = path.clone();
        blocking(move || replica::prepare(&p, url.as_deref(), &c)).await?;
        self.register(id, name, hub_url, &creds)
            .await
            .inspect_err(|_| {
                let _ = std::fs::remove_file(&path);
            })?;
        Ok(id)
    }

    /// Adds a union by enrolling with its hub with a pairing code its secretariat gave for the
    /// federation's device (registered at the union as a device of a read-only agent).
    ///
    /// # Errors
    /// [`FederationError::UnionExists`], the hub's refusal, PostgreSQL and store errors.
    pub async fn enroll_union(
        &self,
        name: &str,
        hub_url: &str,
        device: DeviceId,
        code: &str,
        ca_pem: Option<&str>,
    ) -> Result<UnionId, FederationError> {
        self.refuse_taken(name).await?;
        let id = UnionId::new();
        let path = self.replica_path(id);
        let (p, url, code, ca) = (
            path.clone(),
            hub_url.to_owned(),
            code.to_owned(),
            ca_pem.map(str::to_owned),
        );
        let creds = blocking(move || replica::enroll(&p, &url, device, &code, ca.as_deref()))
            .await
            .inspect_err(|_| {
                let _ = std::fs::remove_file(&path);
            })?;
        self.register(id, name, Some(hub_url), &creds)
            .await
            .inspect_err(|_| {
                let _ = std::fs::remove_file(&path);
            })?;
        Ok(id)
    }

    async fn refuse_taken(&self, name: &str) -> Result<(), FederationError> {
        let c = self.client().await?;
        if c.query_opt("SELECT 1 FROM unions WHERE name = $1", &[&name])
            .await?
            .is_some()
        {
            return Err(FederationError::UnionExists(name.to_owned()));
        }
        Ok(())
    }

    async fn register(
        &self,
        id: UnionId,
        name: &str,
        hub_url: Option<&str>,
        c: &Credentials,
    ) -> Result<(), FederationError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let inserted = tx
            .execute(
                "INSERT INTO unions (union_id, name, hub_url, token, device_id, agent_id)
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (name) DO NOTHING",
                &[
                    &uuid_of(&id),
                    &name,
                    &hub_url,
                    &c.token,
                    c.device.as_uuid(),
                    c.agent.as_uuid(),
                ],
            )
            .await?;
        if inserted == 0 {
            return Err(FederationError::UnionExists(name.to_owned()));
        }
        for t in pg::partitioned_tables(&tx).await? {
            // the id is a UUID this program made: safe as a literal
            tx.batch_execute(&format!(
                "CREATE TABLE {t}_{} PARTITION OF {t} FOR VALUES IN ('{id}')",
                id.as_uuid().simple()
            ))
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Every union the federation follows, by name.
    ///
    /// # Errors
    /// [`FederationError::Postgres`].
    pub async fn unions(&self) -> Result<Vec<UnionEntry>, FederationError> {
        let c = self.client().await?;
        let rows = c
            .query(
                "SELECT union_id, name, hub_url, token, device_id, agent_id, source_union_id, projected,
                        last_pull_at
                 FROM unions ORDER BY name",
                &[],
            )
            .await?;
        Ok(rows
            .iter()
            .map(|r| UnionEntry {
                union_id: UnionId::from_uuid(r.get(0)),
                name: r.get(1),
                hub_url: r.get(2),
                token: r.get(3),
                device_id: DeviceId::from_uuid(r.get(4)),
                agent_id: AgentId::from_uuid(r.get(5)),
                source_union_id: r.get::<_, Option<Uuid>>(6).map(UnionId::from_uuid),
                projected: r.get(7),
                last_pull_at: r.get(8),
            })
            .collect())
    }

    /// The union named `name`.
    ///
    /// # Errors
    /// [`FederationError::UnknownUnion`], [`FederationError::Postgres`].
    pub async fn union(&self, name: &str) -> Result<UnionEntry, FederationError> {
        self.unions()
            .await?
            .into_iter()
            .find(|u| u.name == name)
            .ok_or_else(|| FederationError::UnknownUnion(name.to_owned()))
    }

    /// Changes the token a union's hub knows the federation by (it enrolled again).
    ///
    /// # Errors
    /// [`FederationError::UnknownUnion`], [`FederationError::Postgres`].
    pub async fn set_token(&self, name: &str, token: &str) -> Result<(), FederationError> {
        let c = self.client().await?;
        if c.execute(
            "UPDATE unions SET token = $2 WHERE name = $1",
            &[&name, &token],
        )
        .await?
            == 0
        {
            return Err(FederationError::UnknownUnion(name.to_owned()));
        }
        Ok(())
    }

    /// Where each union's data stands, by name.
    ///
    /// # Errors
    /// [`FederationError::Postgres`].
    pub async fn status(&self) -> Result<Vec<UnionStatus>, FederationError> {
        status(&self.client().await?).await
    }

    /// Pulls one union over HTTP (`rebuild`: then writes the union's whole projection again
    /// from its replica, even when nothing new came, e.g. after rows were lost or altered in
    /// PostgreSQL). The outcome, good or failed, is recorded.
    ///
    /// # Errors
    /// Whatever failed (also recorded in `unions` and `union_pulls`).
    pub async fn pull(&self, name: &str, rebuild: bool) -> Result<PullReport, FederationError> {
        let u = self.union(name).await?;
        self.pull_entry(&u, Pull::Http { rebuild }).await
    }

    /// Pulls every union over HTTP, each on its own (four at a time), those without a link
    /// left out; one union's failure is its own. In the order of [`Self::unions`].
    ///
    /// # Errors
    /// Only when the list of unions cannot be read.
    pub async fn pull_all(
        self: &Arc<Self>,
    ) -> Result<Vec<(String, Result<PullReport, FederationError>)>, FederationError> {
        let unions: Vec<UnionEntry> = self
            .unions()
            .await?
            .into_iter()
            .filter(|u| u.hub_url.is_some())
            .collect();
        Ok(self.pull_these(unions).await)
    }

    /// Pulls these unions over HTTP, four at a time, each on its own; in the order given.
    pub async fn pull_these(
        self: &Arc<Self>,
        unions: Vec<UnionEntry>,
    ) -> Vec<(String, Result<PullReport, FederationError>)> {
        let gate = Arc::new(tokio::sync::Semaphore::new(PULLS_AT_ONCE));
        let mut tasks = Vec::new();
        for u in unions {
            let fed = Arc::clone(self);
            let gate = Arc::clone(&gate);
            tasks.push((
                u.name.clone(),
                tokio::spawn(async move {
                    let _permit = gate.acquire().await;
                    fed.pull_entry(&u, Pull::Http { rebuild: false }).await
                }),
            ));
        }
        let mut out = Vec::new();
        for (name, t) in tasks {
            let r = t
                .await
                .unwrap_or_else(|e| Err(FederationError::Task(e.to_string())));
            out.push((name, r));
        }
        out
    }

    /// Reads a USB file the union's office made for the federation's device (`sene sync
    /// export --device DEVICE` at the union), then projects.
    ///
    /// # Errors
    /// The file's refusal, and whatever failed (also recorded).
    pub async fn import(&self, name: &str, bytes: Vec<u8>) -> Result<PullReport, FederationError> {
        let u = self.union(name).await?;
        self.pull_entry(&u, Pull::Usb(bytes)).await
    }

    async fn pull_entry(&self, u: &UnionEntry, how: Pull) -> Result<PullReport, FederationError> {
        let mut client = self.client().await?;
        let key = u.union_id.to_string();
        let locked: bool = client
            .query_one(
                "SELECT pg_try_advisory_lock($1, hashtext($2))",
                &[&LOCK_SPACE, &key],
            )
            .await?
            .get(0);
        if !locked {
            return Err(FederationError::Busy(u.name.clone()));
        }
        let started = Utc::now();
        let source = how.source();
        let out = self.pull_locked(&mut client, u, how, started).await;
        if let Err(e) = &out {
            let at = Utc::now();
            let msg = e.message(sene_domain::Lang::Fr);
            let recorded = client
                .execute(
                    "UPDATE unions SET last_pull_at = $2, last_error = $3, last_error_code = $4,
                       last_error_at = $2, projected = false WHERE union_id = $1",
                    &[&uuid_of(&u.union_id), &at, &msg, &e.code()],
                )
                .await;
            let logged = client
                .execute(
                    "INSERT INTO union_pulls (union_id, source, started_at, finished_at, ok, error, error_code)
                     VALUES ($1, $2, $3, $4, false, $5, $6)",
                    &[&uuid_of(&u.union_id), &source.name(), &started, &at, &msg, &e.code()],
                )
                .await;
            if let Err(pe) = recorded.and(logged) {
                tracing::error!(union = %u.name, "pull failed ({msg}) and could not be recorded: {pe}");
            }
            tracing::warn!(union = %u.name, code = e.code(), "pull failed: {msg}");
        }
        let _ = client
            .execute(
                "SELECT pg_advisory_unlock($1, hashtext($2))",
                &[&LOCK_SPACE, &key],
            )
            .await;
        out
    }

    async fn pull_locked(
        &self,
        client: &mut Client,
        u: &UnionEntry,
        how: Pull,
        started: DateTime<Utc>,
    ) -> Result<PullReport, FederationError> {
        let path = self.replica_path(u.union_id);
        let source = how.source();
        let rebuild = matches!(how, Pull::Http { rebuild: true });
        // after a failed or no projection, compare everything even without news
        let compare = rebuild || !u.projected;
        let (url, token) = (u.hub_url.clone(), u.token.clone());
        let name = u.name.clone();
        let (warm, uid, last_pull_at) = (self.warm.clone(), u.union_id, u.last_pull_at);
        let (received, ident, snap, phases) = blocking(move || {
            let poisoned = |_| FederationError::Task("copie locale verrouillée".into());
            let cell = match &warm {
                Some(map) => {
                    let mut m = map.lock().map_err(poisoned)?;
                    match m.take(uid, last_pull_at) {
                        Some(c) => c,
                        None => {
                            let c = Arc::new(std::sync::Mutex::new(Ledger::open(&path)?));
                            // marked as pulled by no one until this pull is recorded
                            m.keep(uid, &c);
                            c
                        }
                    }
                }
                None => Arc::new(std::sync::Mutex::new(Ledger::open(&path)?)),
            };
            let mut l = cell
                .lock()
                .map_err(|_| FederationError::Task("copie locale verrouillée".into()))?;
            let out = (|| {
                let t = Instant::now();
                // the rows the pull writes, so that only those it changed (and those that
                // follow from them) are read again; a comparison reads everything
                if !compare {
                    l.parts()?.0.watch_rows()?;
                }
                let received = (|| match how {
                    Pull::Http { .. } => {
                        let url = url.ok_or(FederationError::NoLink(name))?;
                        replica::sync_with(&mut l, &url, &token)
                    }
                    Pull::Usb(bytes) => replica::import_with(&mut l, &bytes),
                })();
                let written = l.parts()?.0.unwatch_rows()?;
                let received = received?;
                let since = if compare {
                    None
                } else {
                    replica::Since::of(&written)
                };
                let synced = t.elapsed();
                let ident = replica::identity(&l)?;
                let t = Instant::now();
                let snap = if compare || received.docs_changed > 0 {
                    replica::snapshot_since(&l, since.as_ref())?
                } else {
                    None
                };
                Ok((received, ident, snap, [synced, t.elapsed()]))
            })();
            if out.is_err() {
                // opened anew at the next pull, whatever state this one left it in
                if let Some(map) = &warm {
                    if let Ok(mut m) = map.lock() {
                        m.open.remove(&uid);
                    }
                }
            }
            out
        })
        .await?;
        if let (Some(expected), Some(found)) = (u.source_union_id, &ident) {
            if expected != found.id {
                return Err(FederationError::WrongUnion {
                    name: u.name.clone(),
                    expected: expected.to_string(),
                    found: format!("{} {}", found.name, found.id),
                });
            }
        }
        let union = uuid_of(&u.union_id);
        let tx = client.transaction().await?;
        let t0 = Instant::now();
        let written = match &snap {
            Some(s) => project::project(&tx, union, s, rebuild).await?,
            None => project::Written::default(),
        };
        let projection_ms = ms(t0.elapsed());
        // as PostgreSQL keeps it (microseconds): compared with what it gives back
        let at = Utc::now().trunc_subsecs(6);
        let (source_id, source_name, region) = match &ident {
            Some(i) => (
                Some(*i.id.as_uuid()),
                Some(i.name.clone()),
                Some(i.region.clone()),
            ),
            None => (None, None, None),
        };
        let as_i64 = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
        tx.execute(
            "UPDATE unions SET last_pull_at = $2, last_ok_at = $2,
               source_union_id = COALESCE($3, source_union_id), source_name = COALESCE($4, source_name),
               region = COALESCE($5, region), projected = projected OR $6
             WHERE union_id = $1",
            &[&union, &at, &source_id, &source_name, &region, &snap.is_some()],
        )
        .await?;
        tx.execute(
            "INSERT INTO union_pulls (union_id, source, started_at, finished_at, ok, bytes_sent,
               bytes_received, records_merged, rows_written, rows_deleted, projection_ms)
             VALUES ($1, $2, $3, $4, true, $5, $6, $7, $8, $9, $10)",
            &[
                &union,
                &source.name(),
                &started,
                &at,
                &as_i64(received.bytes_sent),
                &as_i64(received.bytes_received),
                &as_i64(received.records),
                &as_i64(written.rows_written),
                &as_i64(written.rows_deleted),
                &as_i64(projection_ms),
            ],
        )
        .await?;
        tx.commit().await?;
        if let Some(map) = &self.warm {
            if let Ok(mut m) = map.lock() {
                if let Some(e) = m.open.get_mut(&u.union_id) {
                    e.0 = Some(at);
                }
            }
        }
        Ok(PullReport {
            union: u.name.clone(),
            source,
            bytes_sent: received.bytes_sent,
            bytes_received: received.bytes_received,
            records_merged: received.records,
            projected: snap.is_some(),
            rows_written: written.rows_written,
            rows_deleted: written.rows_deleted,
            sync_ms: ms(phases[0]),
            snapshot_ms: ms(phases[1]),
            projection_ms,
        })
    }
}

enum Pull {
    Http { rebuild: bool },
    Usb(Vec<u8>),
}

impl Pull {
    fn source(&self) -> Source {
        match self {
            Pull::Http { .. } => Source::Http,
            Pull::Usb(_) => Source::Usb,
        }
    }
}

/// Where each union's data stands, read on an open connection.
///
/// # Errors
/// [`FederationError::Postgres`].
pub async fn status(c: &Client) -> Result<Vec<UnionStatus>, FederationError> {
    let rows = c
        .query(
            "SELECT union_id, name, hub_url, source_name, last_pull_at, last_ok_at,
                    EXTRACT(EPOCH FROM age)::bigint, last_error, last_error_code, last_error_at, failing
             FROM union_status ORDER BY name",
            &[],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| UnionStatus {
            union_id: UnionId::from_uuid(r.get(0)),
            name: r.get(1),
            hub_url: r.get(2),
            source_name: r.get(3),
            last_pull_at: r.get(4),
            last_ok_at: r.get(5),
            age_seconds: r.get(6),
            last_error: r.get(7),
            last_error_code: r.get(8),
            last_error_at: r.get(9),
            failing: r.get(10),
        })
        .collect())
}
