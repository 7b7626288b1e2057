//! Sync use cases: the messages to send a peer, the messages received from one (validated
//! before they are merged, within the sender's scope), and the conflict queue.

use chrono::SecondsFormat;
use sene_domain::{AgentId, CooperativeId, DeviceId, Role};
use sene_store::{ConflictRow, Db, Table};
use sene_sync::relay::{self, Relay};
use sene_sync::wire::Envelope;
use sene_sync::{DocId, Engine, SyncError};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::{AppError, Ledger, Result};

/// What a peer may read and write.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Scope {
    /// Everything (a device trusting its hub; the secretariat's own tools).
    Everything,
    /// An enrolled device: its cooperatives, and the union document (read; written only when
    /// its agent is of the secretariat).
    Device {
        device: DeviceId,
        agent: AgentId,
        role: Role,
        cooperatives: Vec<CooperativeId>,
    },
    /// A federation of unions, enrolled at the union's hub like a device (issue #23): it reads
    /// every document of the union (each cooperative's and the union's) and writes none.
    Federation { device: DeviceId },
}

/// Why a federation's write is refused, in French (the reason a refusal carries).
pub const FEDERATION_WRITES_NOTHING: &str = "la fédération lit les documents de l'union et n'en écrit aucun : rien de ce qu'elle envoie n'est fusionné";

impl Scope {
    /// Whether this scope reads `doc` (the office counts what a device lacks within it).
    #[must_use]
    pub fn reads(&self, doc: &DocId) -> bool {
        match (self, doc.cooperative()) {
            (Scope::Everything | Scope::Federation { .. }, _) | (Scope::Device { .. }, None) => {
                true
            }
            (Scope::Device { cooperatives, .. }, Some(c)) => cooperatives.contains(&c),
        }
    }

    /// What this scope may write: `Err` with the reason.
    ///
    /// # Errors
    /// The reason, in French.
    pub fn writes(&self, doc: &DocId, table: Table) -> std::result::Result<(), String> {
        match self {
            Scope::Everything => Ok(()),
            Scope::Federation { .. } => Err(FEDERATION_WRITES_NOTHING.into()),
            Scope::Device { role, .. }
                if table == Table::DebtCarries && *role != Role::Secretariat =>
            {
                Err("seul le secrétariat reporte une dette (à l'arrêt d'un règlement)".into())
            }
            Scope::Device { role, .. }
                if table == Table::MemberMerges && *role != Role::Secretariat =>
            {
                Err("seul le secrétariat fusionne deux inscriptions d'un membre".into())
            }
            Scope::Device {
                role, cooperatives, ..
            } => match doc.cooperative() {
                None if *role == Role::Secretariat => Ok(()),
                None => Err("seul le secrétariat modifie le document de l'union".into()),
                Some(c) if cooperatives.contains(&c) => Ok(()),
                Some(c) => Err(format!(
                    "la coopérative {c} n'est pas dans le périmètre de cet appareil"
                )),
            },
        }
    }
}

impl Scope {
    /// A conflict's resolution over money is the secretariat's: `Err` with the reason.
    ///
    /// # Errors
    /// The reason, in French.
    pub fn resolves(
        &self,
        table: Table,
        row: &Map<String, Value>,
    ) -> std::result::Result<(), String> {
        match self {
            Scope::Federation { .. } => Err(FEDERATION_WRITES_NOTHING.into()),
            Scope::Device { role, .. }
                if table == Table::ConflictResolutions
                    && *role != Role::Secretariat
                    && row.get("money").and_then(Value::as_i64) != Some(0) =>
            {
                Err("seul le secrétariat résout un conflit sur de l'argent".into())
            }
            _ => Ok(()),
        }
    }

    /// Whether this scope writes nothing at all (a federation): whatever its peer sends that
    /// the receiving side lacks is refused before it is merged.
    #[must_use]
    pub fn writes_nothing(&self) -> bool {
        matches!(self, Scope::Federation { .. })
    }

    /// The device of an enrolled peer (`None` for [`Scope::Everything`]).
    #[must_use]
    pub fn device(&self) -> Option<DeviceId> {
        match self {
            Scope::Everything => None,
            Scope::Device { device, .. } | Scope::Federation { device } => Some(*device),
        }
    }
}

/// A document refused, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refusal {
    pub doc: String,
    pub reason: String,
}

/// What one side of an exchange did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncReport {
    /// Documents with a message received.
    pub docs_received: usize,
    /// Documents that changed here.
    pub docs_changed: usize,
    /// Records written to the projection.
    pub records: usize,
    /// New conflicts.
    pub conflicts: usize,
    pub refused: Vec<Refusal>,
}

fn now_text(l: &Ledger) -> String {
    l.now().to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn outgoing(engine: &mut Engine, db: &Db<'_>, peer: &str, scope: &Scope) -> Result<Envelope> {
    let listed = match scope {
        Scope::Everything | Scope::Federation { .. } => db.doc_ids()?,
        Scope::Device { cooperatives, .. } => {
            let coops: Vec<String> = cooperatives.iter().map(ToString::to_string).collect();
            db.doc_ids_of(&coops)?
        }
    };
    let mut ids: Vec<DocId> = listed
        .iter()
        .filter_map(|s| s.parse().ok())
        .filter(|d| scope.reads(d))
        .collect();
    ids.sort_by_key(|d| (d.rank(), d.to_string()));
    let mut env = Envelope::default();
    for id in ids {
        if let Some(msg) = engine.generate(db, peer, &id)? {
            env.items.push((id.to_string(), msg));
        }
    }
    Ok(env)
}

/// How a document's payload is applied.
#[derive(Clone, Copy)]
enum Payload {
    SyncMessage,
    RawChanges,
}

fn incoming(
    engine: &mut Engine,
    db: &Db<'_>,
    peer: &str,
    env: &Envelope,
    scope: &Scope,
    now: &str,
    relay: Option<&Relay<'_>>,
) -> Result<SyncReport> {
    apply(
        engine,
        db,
        peer,
        env,
        scope,
        now,
        Payload::SyncMessage,
        relay,
    )
}

/// Adds to `env` the tags this device keeps for the changes it sends that it did not write
/// (see [`sene_sync::relay`]): an office that lost them takes them back with these proofs.
fn attach_tags(db: &Db<'_>, env: &mut Envelope, own: &str) -> Result<()> {
    let mut tags = Vec::new();
    for (_, item) in &env.items {
        for (hash, author) in relay::changes_in(item) {
            if author != own {
                if let Some(t) = db.change_tag(&hash.0)? {
                    tags.push((hash, t));
                }
            }
        }
    }
    if !tags.is_empty() {
        env.items
            .push((relay::TAGS_ITEM.to_owned(), relay::encode_tags(&tags)));
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn apply(
    engine: &mut Engine,
    db: &Db<'_>,
    peer: &str,
    env: &Envelope,
    scope: &Scope,
    now: &str,
    payload: Payload,
    relay: Option<&Relay<'_>>,
) -> Result<SyncReport> {
    let mut items: Vec<(DocId, &Vec<u8>)> = Vec::new();
    for (id, msg) in &env.items {
        if id == relay::TAGS_ITEM {
            // a device keeps the tags its hub gives for the changes of others it receives
            if *scope == Scope::Everything {
                let tags: Vec<([u8; 32], [u8; 32])> = relay::decode_tags(msg)?
                    .into_iter()
                    .map(|(h, t)| (h.0, t))
                    .collect();
                db.put_change_tags(&tags)?;
            }
            continue;
        }
        let doc: DocId = id.parse().map_err(AppError::from)?;
        items.push((doc, msg));
    }
    items.sort_by_key(|(d, _)| (d.rank(), d.to_string()));
    let mut report = SyncReport::default();
    let local = db.setting(crate::settings::LOCAL_DEVICE)?;
    let mut own_back = false;
    let mut pending: Vec<(DocId, &Vec<u8>)> = Vec::new();
    for (doc, msg) in items {
        report.docs_received += 1;
        if scope.reads(&doc) {
            pending.push((doc, msg));
        } else {
            report.refused.push(Refusal {
                doc: doc.to_string(),
                reason: "document hors du périmètre de cet appareil".into(),
            });
        }
    }
    if scope.writes_nothing() {
        // a peer that writes nothing (a federation) sends no change: one the document lacks
        // (its own, or one it relays for another author, proven or not) refuses the document
        // before anything of it reaches the engine; what it says of its heads still counts
        let mut readable = Vec::with_capacity(pending.len());
        for (doc, msg) in pending {
            if lacks_any(engine, db, &doc, msg)? {
                report.refused.push(Refusal {
                    doc: doc.to_string(),
                    reason: FEDERATION_WRITES_NOTHING.into(),
                });
            } else {
                readable.push((doc, msg));
            }
        }
        pending = readable;
    }
    engine.set_author(scope.device().map(|d| d.to_string()));
    // A document may refer to records of another one of the same exchange (a contract to a
    // member of the registry): one that fails only on a missing reference is tried again after
    // the others, as long as some progress is made.
    loop {
        let mut retry: Vec<(DocId, &Vec<u8>, String)> = Vec::new();
        let mut progress = false;
        for (doc, msg) in pending {
            let check = |_: &Db<'_>, d: &DocId, t: Table, row: &Map<String, Value>| {
                scope.writes(d, t)?;
                scope.resolves(t, row)
            };
            let merged = match payload {
                Payload::SyncMessage => {
                    engine.receive_relayed(db, peer, &doc, msg, &check, now, relay)
                }
                Payload::RawChanges => {
                    engine.import_changes_relayed(db, &doc, msg, &check, now, relay)
                }
            };
            match merged {
                Ok(out) => {
                    if !out.held.is_empty() {
                        report.refused.push(Refusal {
                            doc: doc.to_string(),
                            reason: format!(
                                "modifications relayées mises en attente : leur auteur n'est pas prouvé (appareil {}) ; elles entreront quand il se synchronisera",
                                out.held.join(", ")
                            ),
                        });
                    }
                    if out.changed {
                        report.docs_changed += 1;
                        progress = true;
                    }
                    report.records += out.records;
                    report.conflicts += out.conflicts;
                    own_back |= local
                        .as_deref()
                        .is_some_and(|l| out.devices.iter().any(|d| d == l));
                }
                Err(SyncError::Refused(reason)) if reason.contains("FOREIGN KEY") => {
                    retry.push((doc, msg, reason))
                }
                Err(SyncError::Refused(reason)) => report.refused.push(Refusal {
                    doc: doc.to_string(),
                    reason,
                }),
                Err(e) => return Err(e.into()),
            }
        }
        if retry.is_empty() {
            break;
        }
        if !progress {
            for (doc, _, reason) in retry {
                report.refused.push(Refusal {
                    doc: doc.to_string(),
                    reason: format!("{reason} (référence à un enregistrement absent)"),
                });
            }
            break;
        }
        pending = retry.into_iter().map(|(d, m, _)| (d, m)).collect();
    }
    engine.set_author(None);
    // records this device made and got back (a reinstalled laptop, an office put back from a
    // backup) move its receipt counter; a hub merging its laptops' records does not scan its
    // own receipts at every exchange (that scan grew with the union: 5 % of the writer in a
    // burst of 600)
    if own_back {
        if let Some(dev) = local {
            db.restore_receipt_sequence(&dev)?;
        }
    }
    Ok(report)
}

/// Whether `msg` (a sync message, or a USB file's raw changes) carries a change document `doc`
/// does not hold (a whole document counts change by change).
fn lacks_any(engine: &mut Engine, db: &Db<'_>, doc: &DocId, msg: &[u8]) -> Result<bool> {
    let changes = relay::changes_in(msg);
    if changes.is_empty() {
        return Ok(false);
    }
    let held = engine.doc(db, doc)?;
    Ok(changes
        .iter()
        .any(|(hash, _)| held.document().get_change_meta_by_hash(hash).is_none()))
}

impl Ledger {
    /// The messages to send `peer`: one per document in `scope` with something to say.
    ///
    /// # Errors
    /// Store and sync errors.
    pub fn sync_outgoing(&mut self, peer: &str, scope: &Scope) -> Result<Envelope> {
        let own = self.local_actor()?.device.to_string();
        let (store, engine, _) = self.parts()?;
        let out = store.write(|db| {
            let mut env = outgoing(engine, db, peer, scope)?;
            attach_tags(db, &mut env, &own)?;
            Ok(env)
        });
        if out.is_err() {
            engine.invalidate();
        }
        out
    }

    /// Applies the messages received from `peer`, each document validated before it is merged.
    /// Refused documents are listed in the report; nothing of them is merged.
    ///
    /// # Errors
    /// [`SyncError::Malformed`] for an undecodable exchange, store errors.
    pub fn sync_incoming(
        &mut self,
        peer: &str,
        env: &Envelope,
        scope: &Scope,
    ) -> Result<SyncReport> {
        let now = now_text(self);
        let (store, engine, _) = self.parts()?;
        let out = store.write(|db| incoming(engine, db, peer, env, scope, &now, None));
        if out.is_err() {
            engine.invalidate();
        }
        out
    }

    /// The hub's side of one HTTP exchange: apply what came, answer with what the peer lacks,
    /// in one transaction.
    ///
    /// # Errors
    /// As [`Ledger::sync_incoming`].
    pub fn sync_exchange(
        &mut self,
        peer: &str,
        env: &Envelope,
        scope: &Scope,
    ) -> Result<(SyncReport, Envelope)> {
        self.sync_exchange_with(peer, env, scope, None)
    }

    /// [`Ledger::sync_exchange`], accepting the changes the peer relays for other authors
    /// when `relay` proves them (see [`sene_sync::relay`]).
    ///
    /// # Errors
    /// As [`Ledger::sync_incoming`].
    pub fn sync_exchange_with(
        &mut self,
        peer: &str,
        env: &Envelope,
        scope: &Scope,
        relay: Option<&Relay<'_>>,
    ) -> Result<(SyncReport, Envelope)> {
        let now = now_text(self);
        let (store, engine, _) = self.parts()?;
        let out = store.write(|db| {
            let report = incoming(engine, db, peer, env, scope, &now, relay)?;
            let answer = outgoing(engine, db, peer, scope)?;
            Ok((report, answer))
        });
        if out.is_err() {
            engine.invalidate();
        }
        out
    }

    /// A USB file for `to` (`hub`, or a device id when the hub makes it): every document in
    /// `scope` with the changes the other side may lack, signed with `key`.
    ///
    /// # Errors
    /// Store and sync errors.
    pub fn usb_export(&mut self, to: &str, scope: &Scope, key: &[u8]) -> Result<Vec<u8>> {
        self.usb_export_with(to, scope, key, Vec::new())
    }

    /// As [`Ledger::usb_export`], with items of the sender's own after the documents (the
    /// device's audit proof), signed with them.
    ///
    /// # Errors
    /// As [`Ledger::usb_export`].
    pub fn usb_export_with(
        &mut self,
        to: &str,
        scope: &Scope,
        key: &[u8],
        extra: Vec<(String, Vec<u8>)>,
    ) -> Result<Vec<u8>> {
        self.usb_export_since(to, scope, key, extra, true)
    }

    /// [`Ledger::usb_export_with`], with every change this store holds when `since_agreed` is
    /// false (for an office put back from a backup, which lost what it had agreed).
    ///
    /// # Errors
    /// As [`Ledger::usb_export`].
    pub fn usb_export_since(
        &mut self,
        to: &str,
        scope: &Scope,
        key: &[u8],
        extra: Vec<(String, Vec<u8>)>,
        since_agreed: bool,
    ) -> Result<Vec<u8>> {
        let from = self.local_actor()?.device.to_string();
        let created_at = now_text(self);
        let (store, engine, _) = self.parts()?;
        let docs = store.write(|db| {
            let mut ids: Vec<DocId> = db
                .doc_ids()?
                .iter()
                .filter_map(|s| s.parse().ok())
                .filter(|d| scope.reads(d))
                .collect();
            ids.sort_by_key(|d| (d.rank(), d.to_string()));
            let peer = since_agreed.then_some(to);
            Ok::<_, AppError>(engine.export_changes_since(db, peer, &ids)?)
        })?;
        let mut docs = docs;
        if to == "hub" {
            store.write(|db| attach_tags(db, &mut docs, &from))?;
        }
        docs.items.extend(extra);
        let bundle = sene_sync::bundle::Bundle {
            header: sene_sync::bundle::Header {
                version: 1,
                from_device: from,
                to: to.to_owned(),
                created_at,
            },
            docs,
        };
        Ok(bundle.encode(key)?)
    }

    /// Imports a USB file: authenticated with `key` (the sender's bundle key), then every
    /// document merged as by HTTP, validated, within `scope`. Importing twice changes nothing.
    ///
    /// # Errors
    /// [`SyncError::Unauthentic`], [`SyncError::Malformed`], store errors.
    pub fn usb_import(&mut self, bytes: &[u8], key: &[u8], scope: &Scope) -> Result<SyncReport> {
        self.usb_import_with(bytes, key, scope, None)
    }

    /// [`Ledger::usb_import`], accepting the changes the file relays for other authors when
    /// `relay` proves them.
    ///
    /// # Errors
    /// As [`Ledger::usb_import`].
    pub fn usb_import_with(
        &mut self,
        bytes: &[u8],
        key: &[u8],
        scope: &Scope,
        relay: Option<&Relay<'_>>,
    ) -> Result<SyncReport> {
        let mut bundle = sene_sync::bundle::Bundle::decode(bytes, key)?;
        // the sender's own items (its audit proof) are the caller's: only documents merge
        bundle
            .docs
            .items
            .retain(|(id, _)| !sene_sync::wire::is_sender_item(id));
        let now = now_text(self);
        let peer = bundle.header.from_device.clone();
        let (store, engine, _) = self.parts()?;
        let out = store.write(|db| {
            apply(
                engine,
                db,
                &peer,
                &bundle.docs,
                scope,
                &now,
                Payload::RawChanges,
                relay,
            )
        });
        if out.is_err() {
            engine.invalidate();
        }
        out
    }

    /// Runs `jobs` together (group commit): one transaction and one sync to disk for all of
    /// them, each job in its own savepoint. A job that fails is undone alone (and the sync
    /// engine's memory dropped, to be read again from the store); the others are kept. Nothing
    /// of any job is durable before this returns `Ok`: a caller answers its peers only then.
    ///
    /// # Errors
    /// The store's when the group cannot begin, or its commit fails (then nothing of any job
    /// was kept).
    pub fn write_group<J, T, E>(
        &mut self,
        jobs: Vec<J>,
        mut run: impl FnMut(&mut Ledger, J) -> std::result::Result<T, E>,
    ) -> Result<Vec<std::result::Result<T, E>>> {
        const JOB: &str = "group_job";
        self.store.begin_group()?;
        let mut out = Vec::with_capacity(jobs.len());
        let abort = |l: &mut Ledger, e: sene_store::StoreError| -> AppError {
            let _ = l.store.end_group(false);
            l.forget_sync_memory();
            e.into()
        };
        for job in jobs {
            if let Err(e) = self.store.db().savepoint(JOB) {
                return Err(abort(self, e));
            }
            let r = run(self, job);
            let db = self.store.db();
            let closed = if r.is_ok() {
                db.release(JOB)
            } else {
                db.rollback_to(JOB)
            };
            if r.is_err() {
                self.forget_sync_memory();
            }
            if let Err(e) = closed {
                return Err(abort(self, e));
            }
            out.push(r);
        }
        if let Err(e) = self.store.end_group(true) {
            self.forget_sync_memory();
            return Err(e.into());
        }
        Ok(out)
    }

    /// Drops the sync engine's documents and sessions held in memory (read again from the
    /// store when next needed).
    fn forget_sync_memory(&mut self) {
        if let Some(e) = self.engine.as_mut() {
            e.invalidate();
        }
    }

    /// Takes out what the next [`Ledger::sync_exchange_with`] of `peer` (a device in
    /// `scope`) will merge of `message` into document `doc`, for [`sene_sync::Premerge::run`]
    /// on another thread (see [`Engine::premerge_take`]); `None` when there is nothing to run
    /// ahead. `fresh_session` when [`Ledger::sync_reset`] comes first.
    ///
    /// # Errors
    /// Store errors.
    pub fn premerge_take(
        &mut self,
        peer: &str,
        doc: &str,
        message: &[u8],
        scope: &Scope,
        fresh_session: bool,
    ) -> Result<Option<sene_sync::Premerge>> {
        let Ok(id) = doc.parse::<DocId>() else {
            return Ok(None);
        };
        let Scope::Device { device, .. } = scope else {
            return Ok(None);
        };
        if !scope.reads(&id) {
            return Ok(None);
        }
        let author = device.to_string();
        let (store, engine, _) = self.parts()?;
        let db = store.db();
        Ok(engine.premerge_take(&db, peer, &id, message, &author, fresh_session)?)
    }

    /// Hands back a premerge run (see [`Ledger::premerge_take`]).
    ///
    /// # Errors
    /// [`AppError::NotInitialized`].
    pub fn premerge_put(&mut self, done: sene_sync::Premerged) -> Result<()> {
        self.engine()?.premerge_put(done);
        Ok(())
    }

    /// Drops the premerges not used, and says how many were run for nothing (see
    /// [`Engine::premerge_clear`]).
    ///
    /// # Errors
    /// [`AppError::NotInitialized`].
    pub fn premerge_clear(&mut self) -> Result<usize> {
        Ok(self.engine()?.premerge_clear())
    }

    /// Starts a new sync session with `peer` (see [`Engine::reset_peer`]).
    ///
    /// # Errors
    /// [`AppError::NotInitialized`].
    pub fn sync_reset(&mut self, peer: &str) -> Result<()> {
        self.engine()?.reset_peer(peer);
        Ok(())
    }

    /// The conflict queue (open ones, or all).
    ///
    /// # Errors
    /// Store errors.
    pub fn conflicts(&self, open_only: bool) -> Result<Vec<ConflictRow>> {
        Ok(self.db().conflicts(open_only)?)
    }
}
