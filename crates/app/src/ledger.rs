//! The ledger: a store, a clock and this device's sync engine, and the one write path,
//! [`Ledger::run`], which checks who is acting ([`Actor`]) and runs use cases on a [`Tx`] in
//! one SQLite transaction; the touched rows go into their automerge documents before it
//! commits. Also the union's creation ([`Ledger::init`]), a device's enrollment
//! ([`Ledger::join`]), the local settings, and the actions that need a second person
//! ([`Guarded`]).

use std::path::Path;

use chrono::{DateTime, Utc};
use sene_domain::*;
use sene_store::{AuditEntry, Db, Store, Touched};
use sene_sync::Engine;
use serde::Serialize;

use crate::{AppError, Clock, Result, SystemClock, Tx};

/// Who is acting: an agent on a device.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Actor {
    pub agent: AgentId,
    pub device: DeviceId,
}

/// The actions that need a second person (maker-checker, issue #6): whoever made the record
/// may not do them. Each is refused by its use case ([`AppError::SecondPersonRequired`]) and,
/// when it travels in a synced record, by every replica's merge rules (`sene_sync::rules`), so
/// the hub refuses a record forged on a laptop to get round the use case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Guarded {
    /// Approving a contract: not by who requested it (`contracts.requested_by` /
    /// `approved_by`; use case and merge).
    ApproveContract,
    /// Reversing a money record: not by who made it (the record's agent; use case and merge).
    ReverseMoneyRecord,
    /// Resolving a conflict over money: not by an agent whose value or record is in it (use
    /// case, at the office: conflicts are resolved on the hub's own store).
    ResolveMoneyConflict,
    /// Locking a settlement run: not by the secretariat agent who proposed it, and only while
    /// its figures are those proposed (use case, at the office: runs stay in its store).
    LockSettlement,
}

impl Guarded {
    /// Every guarded action.
    pub const ALL: &'static [Guarded] = &[
        Guarded::ApproveContract,
        Guarded::ReverseMoneyRecord,
        Guarded::ResolveMoneyConflict,
        Guarded::LockSettlement,
    ];
}

/// Settings keys of the local store.
pub mod settings {
    /// This store's own device.
    pub const LOCAL_DEVICE: &str = "local_device";
    /// The agent used when none is named.
    pub const DEFAULT_AGENT: &str = "default_agent";
}

/// The ledger: a store and a clock.
pub struct Ledger {
    pub(crate) store: Store,
    clock: Box<dyn Clock>,
    pub(crate) engine: Option<Engine>,
    /// The agent signed in on this device, when not the device's default agent.
    acting: Option<AgentId>,
}

impl std::fmt::Debug for Ledger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ledger")
            .field("store", &self.store)
            .finish()
    }
}

/// What [`Ledger::init`] needs: the union, its first secretariat agent, and this device.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct InitUnion {
    pub union_name: String,
    pub region: String,
    pub agent_name: String,
    pub device_label: String,
    pub receipt_prefix: String,
}

impl Ledger {
    /// The role check of a secretariat-only read or action, asked by every front (window and
    /// CLI) before it shows the union office's figures — dashboard, anomalies, settlement,
    /// portfolio, exports — or acts for the office: `action` says what was refused.
    ///
    /// # Errors
    /// [`AppError::Forbidden`] for any other role or an unknown agent.
    pub fn require_secretariat(&self, actor: &Actor, action: &'static str) -> Result<()> {
        let role = self.db().agent(actor.agent)?.map(|a| a.role);
        if role == Some(Role::Secretariat) {
            Ok(())
        } else {
            Err(AppError::Forbidden {
                role: role.map_or("?", Role::label_fr).into(),
                action,
            })
        }
    }

    /// [`Self::require_secretariat`] for the union office's figures.
    ///
    /// # Errors
    /// As [`Self::require_secretariat`].
    pub fn require_office_reader(&self, actor: &Actor) -> Result<()> {
        self.require_secretariat(actor, "consulter le bureau de l'union")
    }

    /// Opens the store at `path` with the system clock.
    ///
    /// # Errors
    /// The store's.
    pub fn open(path: &Path) -> Result<Ledger> {
        Ok(Ledger::with_clock(
            Store::open(path)?,
            Box::new(SystemClock),
        ))
    }

    /// A ledger on an open store with a given clock.
    #[must_use]
    pub fn with_clock(store: Store, clock: Box<dyn Clock>) -> Ledger {
        Ledger {
            store,
            clock,
            engine: None,
            acting: None,
        }
    }

    /// Makes `agent` the one who acts (signs) every record written from now on: the agent
    /// signed in on a shared device. `None` goes back to the device's default agent.
    ///
    /// # Errors
    /// [`AppError::NotFound`] when the store does not know the agent.
    pub fn set_acting_agent(&mut self, agent: Option<AgentId>) -> Result<()> {
        if let Some(a) = agent {
            if self.store.db().agent(a)?.is_none() {
                return Err(AppError::NotFound {
                    kind: "agent",
                    id: a.to_string(),
                });
            }
        }
        self.acting = agent;
        Ok(())
    }

    /// The sync engine of this store's device.
    ///
    /// # Errors
    /// [`AppError::NotInitialized`].
    pub fn engine(&mut self) -> Result<&mut Engine> {
        if self.engine.is_none() {
            let device: DeviceId = self
                .store
                .db()
                .setting(settings::LOCAL_DEVICE)?
                .and_then(|d| d.parse().ok())
                .ok_or(AppError::NotInitialized)?;
            let actor = self.store.db().sync_actor()?;
            self.engine = Some(Engine::with_actor(device, actor.as_deref()));
        }
        self.engine.as_mut().ok_or(AppError::NotInitialized)
    }

    /// The store and the engine together (for sync use cases).
    ///
    /// # Errors
    /// [`AppError::NotInitialized`].
    pub fn parts(&mut self) -> Result<(&mut Store, &mut Engine, &dyn Clock)> {
        self.engine()?;
        let Ledger {
            store,
            clock,
            engine,
            ..
        } = self;
        Ok((
            store,
            engine.as_mut().ok_or(AppError::NotInitialized)?,
            &**clock,
        ))
    }

    /// The store, for what is not a use case (a restore's marking).
    pub(crate) fn store_mut(&mut self) -> &mut Store {
        &mut self.store
    }

    /// Drops the cached sync engine: the next use builds it again from the store's settings
    /// (after a restore changed the sync identity).
    pub(crate) fn forget_engine(&mut self) {
        self.engine = None;
    }

    /// The store (reads).
    #[must_use]
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Read access.
    #[must_use]
    pub fn db(&self) -> Db<'_> {
        self.store.db()
    }

    /// The current time.
    #[must_use]
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// The union, or [`AppError::NotInitialized`].
    ///
    /// # Errors
    /// As said.
    pub fn union(&self) -> Result<Union> {
        self.db().union()?.ok_or(AppError::NotInitialized)
    }

    /// A local setting of this store.
    ///
    /// # Errors
    /// Store errors.
    pub fn setting(&self, key: &str) -> Result<Option<String>> {
        Ok(self.db().setting(key)?)
    }

    /// Sets a local setting of this store.
    ///
    /// # Errors
    /// Store errors.
    pub fn set_setting(&mut self, key: &str, value: &str) -> Result<()> {
        Ok(self.store.write(|db| db.set_setting(key, value))?)
    }

    /// This store's device and default agent.
    ///
    /// # Errors
    /// [`AppError::NotInitialized`].
    pub fn local_actor(&self) -> Result<Actor> {
        let db = self.db();
        let device = db
            .setting(settings::LOCAL_DEVICE)?
            .ok_or(AppError::NotInitialized)?;
        if let Some(agent) = self.acting {
            return Ok(Actor {
                agent,
                device: device.parse().map_err(|_| AppError::NotInitialized)?,
            });
        }
        let agent = db
            .setting(settings::DEFAULT_AGENT)?
            .ok_or(AppError::NotInitialized)?;
        Ok(Actor {
            agent: agent.parse().map_err(|_| AppError::NotInitialized)?,
            device: device.parse().map_err(|_| AppError::NotInitialized)?,
        })
    }

    /// Creates the union, its first (secretariat) agent and this device, in an empty store.
    ///
    /// # Errors
    /// [`AppError::AlreadyInitialized`], validation errors.
    pub fn init(&mut self, cmd: &InitUnion) -> Result<Actor> {
        let now = self.clock.now();
        let device_id = DeviceId::new();
        let mut engine = Engine::new(device_id);
        let actor_agent = AgentId::new();
        let actor = self.store.write_tracked(
            |db| {
                if let Some(u) = db.union()? {
                    return Err(AppError::AlreadyInitialized(u.name));
                }
                let union = Union {
                    id: UnionId::new(),
                    name: validate::text(
                        "nom de l'union",
                        &cmd.union_name,
                        validate::limits::TEXT_MAX,
                    )?,
                    region: validate::text("région", &cmd.region, validate::limits::TEXT_MAX)?,
                };
                let agent = Agent {
                    id: actor_agent,
                    name: validate::text(
                        "nom de l'agent",
                        &cmd.agent_name,
                        validate::limits::TEXT_MAX,
                    )?,
                    phone: None,
                    role: Role::Secretariat,
                    cooperatives: vec![],
                };
                let device = Device {
                    id: device_id,
                    label: validate::text(
                        "nom de l'appareil",
                        &cmd.device_label,
                        validate::limits::TEXT_MAX,
                    )?,
                    receipt_prefix: sene_domain::receipt::prefix(&cmd.receipt_prefix)?,
                };
                db.insert_union(&union)?;
                db.insert_agent(&agent)?;
                db.insert_device(&device)?;
                db.set_setting(settings::LOCAL_DEVICE, &device.id.to_string())?;
                db.set_setting(settings::DEFAULT_AGENT, &agent.id.to_string())?;
                let actor = Actor {
                    agent: agent.id,
                    device: device.id,
                };
                db.audit(&AuditEntry {
                    at: now,
                    agent_id: agent.id,
                    device_id: device.id,
                    action: "init_union".into(),
                    record_kind: "union".into(),
                    record_id: union.id.to_string(),
                    payload: serde_json::to_string(cmd).unwrap_or_default(),
                })?;
                Ok(actor)
            },
            |db, touched| record_changes(&mut engine, db, touched, 0, now, actor_agent),
        )?;
        self.engine = Some(engine);
        Ok(actor)
    }

    /// Prepares an empty store to be a device enrolled in a union: its own device and agent ids
    /// (given by the hub). The union's records arrive with the first sync. A store that already
    /// is this device (enrolled again) keeps what it holds.
    ///
    /// # Errors
    /// [`AppError::AlreadyInitialized`] when the store holds a union or another device.
    pub fn join(&mut self, actor: &Actor) -> Result<()> {
        self.store.write(|db| {
            let same_device = db
                .setting(settings::LOCAL_DEVICE)?
                .is_some_and(|d| d == actor.device.to_string());
            if let Some(u) = db.union()? {
                // enrolled again (an office put back from a backup older than this device's
                // enrollment): the store keeps everything, unsynced work included
                if !same_device {
                    return Err(AppError::AlreadyInitialized(u.name));
                }
            }
            if let Some(d) = db.setting(settings::LOCAL_DEVICE)? {
                if d != actor.device.to_string() {
                    return Err(AppError::AlreadyInitialized(format!("appareil {d}")));
                }
            }
            db.set_setting(settings::LOCAL_DEVICE, &actor.device.to_string())?;
            db.set_setting(settings::DEFAULT_AGENT, &actor.agent.to_string())?;
            Ok(())
        })?;
        // built at next use, with the store's own actor (a restored store has a new one)
        self.engine = None;
        Ok(())
    }

    /// Runs use cases as `actor` in one transaction, committed before this returns `Ok`.
    ///
    /// # Errors
    /// [`AppError::NotInitialized`], [`AppError::NotFound`] for an unknown agent or device,
    /// [`AppError::Forbidden`] for a read-only role, and whatever `f` returns.
    pub fn run<T>(&mut self, actor: &Actor, f: impl FnOnce(&Tx<'_, '_>) -> Result<T>) -> Result<T> {
        let now = self.clock.now();
        self.engine()?;
        let Ledger { store, engine, .. } = self;
        let engine = engine.as_mut().ok_or(AppError::NotInitialized)?;
        let seq_before = store.db().audit_seq()?;
        let out = store.write_tracked(
            |db| {
                db.union()?.ok_or(AppError::NotInitialized)?;
                let agent = db.agent(actor.agent)?.ok_or_else(|| AppError::NotFound {
                    kind: "agent",
                    id: actor.agent.to_string(),
                })?;
                if db.device(actor.device)?.is_none() {
                    return Err(AppError::NotFound {
                        kind: "appareil",
                        id: actor.device.to_string(),
                    });
                }
                if let Some(on) = db.agent_left_on(actor.agent)? {
                    if on <= now.date_naive() {
                        return Err(AppError::Registry {
                            fr: format!(
                                "{} a quitté le service le {} : rien ne s'enregistre plus sous son nom",
                                agent.name,
                                on.format("%d/%m/%Y")
                            ),
                            en: format!(
                                "{} left on {}: nothing is recorded under their name any more",
                                agent.name,
                                on.format("%d/%m/%Y")
                            ),
                        });
                    }
                }
                if !agent.role.may_write() {
                    return Err(AppError::Forbidden {
                        role: agent.role.label_fr().into(),
                        action: "enregistrer",
                    });
                }
                f(&Tx {
                    db,
                    actor: *actor,
                    role: agent.role,
                    now,
                })
            },
            |db, touched| record_changes(engine, db, touched, seq_before, now, actor.agent),
        );
        if out.is_err() {
            engine.invalidate();
        }
        out
    }
}

/// The write path's last step: the touched rows go into their automerge documents, in the
/// same transaction, with the audited actions as the change message.
fn record_changes(
    engine: &mut Engine,
    db: &Db<'_>,
    touched: &[Touched],
    seq_before: i64,
    now: DateTime<Utc>,
    agent: AgentId,
) -> Result<()> {
    if touched.is_empty() {
        return Ok(());
    }
    // the change message says what was done and by whom: conflicts show it to the secretariat
    let message = serde_json::json!({ "actions": db.actions_since(seq_before)?.join(","), "agent": agent.to_string() }).to_string();
    engine.record(db, touched, &message, now.timestamp_millis())?;
    Ok(())
}
