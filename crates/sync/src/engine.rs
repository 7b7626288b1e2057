//! The engine: documents cached in memory, the write path's changes, merges that validate
//! before they commit, conflicts, and the sync protocol's messages per peer and document.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use automerge::sync::{Message, State, SyncDoc};
use automerge::transaction::{CommitOptions, Transactable};
use automerge::{
    ActorId, AutoCommit, ChangeHash, ObjType, Prop, ReadDoc, ScalarValue, Value, ROOT,
};
use sene_domain::DeviceId;
use sene_store::{row_key, ConflictRow, Db, Table, Touched};
use serde_json::{Map, Value as Json};

use crate::doc::{is_money_column, is_money_table, route, DocId};
use crate::error::SyncError;

mod squash;

type R<T> = Result<T, SyncError>;
/// Records as (table, row) pairs.
pub type Rows = Vec<(Table, Map<String, Json>)>;

/// A field to write when resolving a conflict.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldWrite<'a> {
    pub table: Table,
    pub key: &'a str,
    pub field: &'a str,
    pub value: &'a Json,
}

/// A scope check run on every incoming record before anything is merged.
pub type Check<'a> = &'a dyn Fn(&Db<'_>, &DocId, Table, &Map<String, Json>) -> Result<(), String>;

/// What a merge did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MergeOutcome {
    /// Records written to the projection.
    pub records: usize,
    /// New conflicts put in the queue.
    pub conflicts: usize,
    /// Whether the document changed.
    pub changed: bool,
    /// Changes relayed by the sender without a proof of their author (each with its author
    /// device), held back: not merged, not refused.
    pub held: Vec<String>,
    /// The devices the records written were made on (their `device_id`), each once: a
    /// device whose own records came back (restored, or an office put back from a backup)
    /// moves its receipt counter past them, and only then.
    pub devices: Vec<String>,
}

/// The documents of one store.
pub struct Engine {
    docs: HashMap<DocId, AutoCommit>,
    /// Sync states of this session, per peer and document. Only their durable part (the
    /// shared heads) survives in the store; the rest (what is in flight) lives here.
    /// By peer, so that a new session forgets one peer's states without reading the others'
    /// (a hub holds every device's: scanning them all cost each exchange more as the union grew).
    states: HashMap<String, HashMap<DocId, State>>,
    actor: ActorId,
    /// When merging what an enrolled device sent: that device. A record it creates must be
    /// attributed to it (no receipts in another device's name).
    author: Option<String>,
    /// Peers and documents for which the next message must be a full one, not an ack (an ack
    /// received from the peer did not match this side's heads).
    full: std::collections::HashSet<(String, DocId)>,
    /// Merges whose automerge half was run ahead on another thread (a hub's group), by peer
    /// and document, each with the document it took out of the cache.
    premerged: HashMap<(String, DocId), Premerged>,
    /// Premerges found but not usable (their document or session moved since).
    premerge_missed: usize,
    /// Documents loaded from the store, and merges done without loading their document
    /// ([`Engine::merge_appended`]), since this engine was made.
    loaded: usize,
    appended: usize,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("docs", &self.docs.len())
            .field("actor", &self.actor.to_hex_string())
            .finish()
    }
}

fn scalar(v: &Json) -> ScalarValue {
    match v {
        Json::Null => ScalarValue::Null,
        Json::Bool(b) => ScalarValue::Int(i64::from(*b)),
        Json::Number(n) => n.as_i64().map_or_else(
            || ScalarValue::F64(n.as_f64().unwrap_or_default()),
            ScalarValue::Int,
        ),
        Json::String(s) => ScalarValue::Str(s.as_str().into()),
        other => ScalarValue::Str(other.to_string().into()),
    }
}

fn json(v: &ScalarValue) -> Json {
    match v {
        ScalarValue::Null => Json::Null,
        ScalarValue::Int(i) => Json::from(*i),
        ScalarValue::Uint(u) => Json::from(*u),
        ScalarValue::F64(f) => Json::from(*f),
        ScalarValue::Str(s) => Json::from(s.as_str()),
        ScalarValue::Boolean(b) => Json::from(*b),
        ScalarValue::Timestamp(t) => Json::from(*t),
        ScalarValue::Counter(c) => Json::from(i64::from(c)),
        ScalarValue::Bytes(_) | ScalarValue::Unknown { .. } => Json::String("<octets>".into()),
    }
}

fn record_key(table: Table, row: &Map<String, Json>) -> String {
    format!("{}/{}", table.name(), row_key(table, row))
}

fn split_key(key: &str) -> Option<(Table, &str)> {
    let (t, k) = key.split_once('/')?;
    Some((Table::from_name(t)?, k))
}

/// Chunks read after a snapshot before a new snapshot is written.
pub const COMPACT_AFTER: usize = 32;

/// Bytes of chunks after a snapshot (and more than the snapshot's own) above which a load
/// writes a new snapshot, however few the chunks; a document received whole is saved compact
/// at once when larger. Such a document (a new device's or a federation's first sync) is stored
/// as it came, its columns expanded for the exchange's own compression: a union-scale union's
/// documents so stored take 45 MB and 2.8 s to load; saved again, 4.6 MB and 1.1 s.
pub const COMPACT_BYTES: usize = 64 * 1024;

/// Heads as stored: hex hashes joined by `,`.
#[must_use]
pub fn heads_text(heads: &[ChangeHash]) -> String {
    heads
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

/// Every record of a document, with its winning values.
///
/// # Errors
/// [`SyncError::Automerge`].
pub fn doc_rows(doc: &AutoCommit) -> R<Rows> {
    let mut out = Vec::new();
    for key in doc.keys(ROOT) {
        let Some((table, _)) = split_key(&key) else {
            continue;
        };
        if let Some(row) = read_record(doc, &key)? {
            out.push((table, row));
        }
    }
    Ok(out)
}

fn read_record(doc: &AutoCommit, key: &str) -> R<Option<Map<String, Json>>> {
    let Some((Value::Object(ObjType::Map), obj)) = doc.get(ROOT, key)? else {
        return Ok(None);
    };
    let mut row = Map::new();
    for field in doc.keys(&obj) {
        if let Some((Value::Scalar(v), _)) = doc.get(&obj, field.as_str())? {
            row.insert(field, json(&v));
        }
    }
    Ok(Some(row))
}

/// What a diff says about one record (a key of the root map).
#[derive(Default)]
struct Patched {
    /// The map put at the root, when the diff puts one with no concurrent value.
    map: Option<automerge::ObjId>,
    /// Scalar fields put with no concurrent value, with the object they were put in.
    fields: Vec<(automerge::ObjId, String, Json)>,
    /// Anything else: a conflict, a deletion, a nested object, a scalar at the root…
    other: bool,
}

impl Patched {
    /// The record's row, when the patches give all of it: a map put at the root and its
    /// fields, nothing else.
    fn whole_row(self) -> Option<Map<String, Json>> {
        if self.other {
            return None;
        }
        let map = self.map?;
        let mut row = Map::new();
        for (obj, field, value) in self.fields {
            if obj != map || row.insert(field, value).is_some() {
                return None;
            }
        }
        Some(row)
    }
}

/// The records a diff touches, by key: a key put at the root, or anything inside a record.
fn patched_records(patches: Vec<automerge::Patch>) -> BTreeMap<String, Patched> {
    let mut out: BTreeMap<String, Patched> = BTreeMap::new();
    for p in patches {
        match (p.path.as_slice(), p.action) {
            (
                [],
                automerge::PatchAction::PutMap {
                    key,
                    value,
                    conflict,
                },
            ) => {
                let e = out.entry(key).or_default();
                match value {
                    (Value::Object(ObjType::Map), obj) if !conflict && e.map.is_none() => {
                        e.map = Some(obj);
                    }
                    _ => e.other = true,
                }
            }
            (
                [(_, Prop::Map(k))],
                automerge::PatchAction::PutMap {
                    key,
                    value: (Value::Scalar(v), _),
                    conflict: false,
                },
            ) => {
                out.entry(k.clone())
                    .or_default()
                    .fields
                    .push((p.obj, key, json(&v)));
            }
            ([(_, Prop::Map(k)), ..], _) => out.entry(k.clone()).or_default().other = true,
            // deletions and conflict flags at the root touch no record
            _ => {}
        }
    }
    out
}

/// A record to write to the projection: its table, key and row, and whether it may hold
/// concurrent values (to be scanned for conflicts).
type RowToWrite = (Table, String, Map<String, Json>, bool);

/// The automerge half of a merge, done: the document with the incoming changes applied, and
/// the records they touched, read from automerge's patch log. Needs no store, so that a hub
/// can run it on another thread while its writer stores the previous merge
/// ([`Engine::premerge_take`]).
struct Applied {
    fork: AutoCommit,
    before: Vec<ChangeHash>,
    after: Vec<ChangeHash>,
    /// Sorted in the projection's order (a record before those that refer to it).
    rows: Vec<RowToWrite>,
    /// The changes as they came that the document lacked (see [`Engine::merge`]).
    fresh: Option<Vec<Brought>>,
}

/// Applies `incoming` to `fork` and reads what it touched (see [`Applied`]). On an error the
/// fork is dropped: the caller's next use loads the document again from the store.
fn apply_incoming(
    mut fork: AutoCommit,
    brought: Option<Vec<Brought>>,
    incoming: impl FnOnce(&mut AutoCommit, Option<Created>) -> R<()>,
) -> R<Applied> {
    let before = fork.get_heads();
    // Changes that only create records (a day's new deliveries, the bulk of a push): their
    // records are their own fields, read from the changes, and automerge need not log
    // patches nor diff them (a quarter of a merge's automerge half, most of its fresh
    // memory). The document must hold none of those keys, or the new map would be a second
    // value of it.
    let mut created = match brought.as_deref() {
        Some(b) => appended(&before, b),
        None => None,
    };
    if let Some((_, rows, _)) = &created {
        for (_, key, ..) in rows {
            if fork.get(ROOT, key.as_str())?.is_some() {
                created = None;
                break;
            }
        }
    }
    let fresh: Option<Vec<Brought>> = brought.map(|changes| {
        let doc = fork.document();
        let mut seen = std::collections::HashSet::new();
        changes
            .into_iter()
            .filter(|c| seen.insert(c.hash) && doc.get_change_meta_by_hash(&c.hash).is_none())
            .collect()
    });
    // Otherwise automerge logs the patches while it applies, so the diff below reads that
    // log instead of walking the whole document.
    if created.is_none() {
        fork.update_diff_cursor();
    }
    let parsed = created.as_mut().map(|(after, _, changes)| Created {
        after: after.clone(),
        changes: std::mem::take(changes),
    });
    incoming(&mut fork, parsed)?;
    let after = fork.get_heads();
    if after == before {
        fork.reset_diff_cursor();
        return Ok(Applied {
            fork,
            before,
            after,
            rows: Vec::new(),
            fresh,
        });
    }
    if let Some((expected, rows, _)) = created {
        if expected == after {
            #[cfg(debug_assertions)]
            {
                // debug builds: the records automerge's own diff gives are these
                let patches = fork.diff(&before, &after);
                let by_diff: Vec<_> = patched_records(patches)
                    .into_iter()
                    .map(|(k, p)| (k, p.whole_row()))
                    .collect();
                let mine: Vec<_> = {
                    let mut m: Vec<_> = rows
                        .iter()
                        .map(|(_, k, r, _)| (k.clone(), Some(r.clone())))
                        .collect();
                    m.sort_by(|a, b| a.0.cmp(&b.0));
                    m
                };
                assert_eq!(by_diff, mine, "created: records");
                for (_, key, row, _) in &rows {
                    debug_check_new_record(&fork, key, row)?;
                }
            }
            return Ok(Applied {
                fork,
                before,
                after,
                rows,
                fresh,
            });
        }
        // automerge made something else of them (it holds the last word): the diff says
        // what, walking the document since no log was kept
    }
    let patches = fork.diff(&before, &after);
    // the log is not kept: the document goes on without it
    fork.reset_diff_cursor();
    let patched = patched_records(patches);
    // The records whose row and conflicts the diff tells in full: a map put at the root
    // where the document had nothing before (so every field of it is new and its patch
    // says whether it has concurrent values), with no conflict anywhere. The others are
    // read back from the document and scanned for conflicts.
    let mut rows: Vec<RowToWrite> = Vec::new();
    for (key, p) in patched {
        let Some((table, _)) = split_key(&key) else {
            return Err(SyncError::Refused(format!("clé inconnue « {key} »")));
        };
        if let Some(row) = p.whole_row() {
            if fork.get_at(ROOT, key.as_str(), &before)?.is_none() {
                #[cfg(debug_assertions)]
                debug_check_new_record(&fork, &key, &row)?;
                rows.push((table, key, row, false));
                continue;
            }
        }
        if let Some(row) = read_record(&fork, &key)? {
            rows.push((table, key, row, true));
        }
    }
    rows.sort_by(|(ta, ka, ..), (tb, kb, ..)| (order(*ta), ka).cmp(&(order(*tb), kb)));
    Ok(Applied {
        fork,
        before,
        after,
        rows,
        fresh,
    })
}

/// The changes of a message that only create records ([`appended`]), parsed once: the heads
/// they bring the document to, and the changes to apply as they are.
struct Created {
    after: Vec<ChangeHash>,
    changes: Vec<automerge::Change>,
}

/// Receives a sync message into `doc`, as automerge's `receive_sync_message` does. When its
/// changes only create records (`created`), every one of them is new and follows from the
/// document's heads, and they bring it to the heads the sender says it holds, they are applied
/// as [`appended`] parsed them, not parsed and checked a second time by automerge (a tenth of
/// a hub's merge), and the session learns what `receive_sync_message` would have taught it
/// ([`received`]); only while nothing this side sent is in flight in the session (automerge
/// then also trims what it sent) and no change waits in the document for a dependency.
fn receive_into(
    doc: &mut AutoCommit,
    state: &mut State,
    msg: Message,
    created: Option<Created>,
) -> R<()> {
    let mut theirs = msg.heads.clone();
    theirs.sort_unstable();
    match created {
        // (and none of the document's own changes waiting for a dependency, which these
        // could release)
        Some(c)
            if !state.read_only
                && state.sent_hashes.is_empty()
                && theirs == c.after
                && doc.get_missing_deps(&[]).is_empty() =>
        {
            #[cfg(debug_assertions)]
            let oracle = (doc.clone(), state.clone(), msg.clone());
            doc.apply_changes(c.changes)?;
            if doc.get_heads() != c.after {
                // not what the changes said (cannot happen: they are new and follow from
                // the heads); the document is dropped with the merge, nothing is kept
                return Err(SyncError::Malformed("modifications non appliquées".into()));
            }
            received(state, &msg);
            #[cfg(debug_assertions)]
            {
                // debug builds: automerge's own receive gives the same document and session
                let (mut d, mut st, m) = oracle;
                d.sync().receive_sync_message(&mut st, m)?;
                assert_eq!(d.get_heads(), doc.get_heads(), "receive_into: heads");
                assert_eq!(st, *state, "receive_into: sync state");
            }
            Ok(())
        }
        _ => doc
            .sync()
            .receive_sync_message(state, msg)
            .map_err(SyncError::from),
    }
}

/// The session, as automerge's `receive_sync_message` leaves it after a message whose changes
/// were all applied and whose heads are all known here, when nothing sent is in flight.
fn received(state: &mut State, msg: &Message) {
    state.in_flight = false;
    if let Some(flags) = msg.flags {
        let mut caps = vec![automerge::sync::Capability::MessageV2];
        if flags.contains(automerge::sync::MessageFlags::SUPPORTS_SYNC_RESET) {
            caps.push(automerge::sync::Capability::SyncReset);
        }
        state.their_capabilities = Some(caps);
        if flags.contains(automerge::sync::MessageFlags::SYNC_RESET) {
            state.sent_hashes.clear();
        }
        state.peer_read_only = flags.contains(automerge::sync::MessageFlags::READ_ONLY);
    }
    state.shared_heads.clone_from(&msg.heads);
    state.their_have = Some(msg.have.clone());
    state.their_heads = Some(msg.heads.clone());
    state.their_need = Some(msg.need.clone());
}

/// A merge's automerge half taken out of the engine, to run on another thread
/// ([`Engine::premerge_take`], [`Premerge::run`]).
pub struct Premerge {
    peer: String,
    id: DocId,
    message: Vec<u8>,
    msg: Message,
    state: State,
    /// The document, to apply the changes to, unless they are `own` (then none is loaded).
    fork: Option<AutoCommit>,
    /// The document's heads in the store when taken, sorted.
    before: Vec<ChangeHash>,
    brought: Vec<Brought>,
    /// Whether the changes are all the sender's own and follow from `before` ([`follows`]):
    /// they may then be merged without the document ([`Engine::merge_appended`]) when they
    /// only create records.
    own: bool,
}

/// What a [`Premerge`] did.
enum Ahead {
    /// The changes applied to the document (boxed: a document is large beside the others).
    Applied(Box<Applied>),
    /// The changes only create records, read from them ([`appended`]): the heads they leave
    /// the document at and the records, for [`Engine::merge_appended`], the document not
    /// needed.
    Appended {
        before: Vec<ChangeHash>,
        after: Vec<ChangeHash>,
        rows: Vec<RowToWrite>,
    },
    /// Nothing: the device's own changes do more than create records (no document was
    /// taken for them): the merge loads it and applies them itself.
    Nothing,
}

/// A [`Premerge`] run: handed back with [`Engine::premerge_put`], used by the
/// [`Engine::receive_relayed`] of exactly the same message while nothing else touched the
/// document and the session (otherwise dropped, and the merge done as usual).
pub struct Premerged {
    peer: String,
    id: DocId,
    message: Vec<u8>,
    state_before: State,
    state_after: State,
    applied: R<Ahead>,
}

impl Premerge {
    /// Reads the records the message's changes create when that is all they do and they
    /// are the sender's own (a day's push: no document needed), else applies the message
    /// to the document when it was in memory: automerge's work and the diff. No store.
    #[must_use]
    pub fn run(self) -> Premerged {
        let Premerge {
            peer,
            id,
            message,
            msg,
            state,
            fork,
            before,
            brought,
            own,
        } = self;
        let state_before = state.clone();
        let mut state_after = state;
        let created = if own {
            appended(&before, &brought)
        } else {
            None
        };
        let applied = match (created, fork) {
            (Some((after, rows, _)), _) => Ok(Ahead::Appended {
                before,
                after,
                rows,
            }),
            (None, Some(fork)) => apply_incoming(fork, Some(brought), |f, created| {
                receive_into(f, &mut state_after, msg, created)
            })
            .map(|a| Ahead::Applied(Box::new(a))),
            (None, None) => Ok(Ahead::Nothing),
        };
        Premerged {
            peer,
            id,
            message,
            state_before,
            state_after,
            applied,
        }
    }
}

/// Debug builds: a record built from the diff is the one the document holds, with no
/// concurrent values anywhere.
#[cfg(debug_assertions)]
fn debug_check_new_record(doc: &AutoCommit, key: &str, row: &Map<String, Json>) -> R<()> {
    assert_eq!(
        read_record(doc, key)?.as_ref(),
        Some(row),
        "{key} : le diff et le document diffèrent"
    );
    let all = doc.get_all(ROOT, key)?;
    assert_eq!(all.len(), 1, "{key} : créé deux fois");
    for field in doc.keys(&all[0].1) {
        assert_eq!(
            doc.get_all(&all[0].1, field.as_str())?.len(),
            1,
            "{key}.{field} : valeurs concurrentes"
        );
    }
    Ok(())
}

fn order(table: Table) -> usize {
    Table::PROJECTION
        .iter()
        .position(|t| *t == table)
        .unwrap_or(usize::MAX)
}

impl Engine {
    /// An engine writing as `device`.
    #[must_use]
    pub fn new(device: DeviceId) -> Engine {
        Engine {
            docs: HashMap::new(),
            states: HashMap::new(),
            author: None,
            full: std::collections::HashSet::new(),
            premerged: HashMap::new(),
            premerge_missed: 0,
            loaded: 0,
            appended: 0,
            actor: ActorId::from(device.as_uuid().as_bytes().as_slice()),
        }
    }

    /// An engine writing as `device` under the automerge actor `actor` (a restored store's
    /// new sync identity: the device id followed by bytes never used before, so no sequence
    /// number of the lost store is ever reused). `None` is [`Engine::new`].
    #[must_use]
    pub fn with_actor(device: DeviceId, actor: Option<&[u8]>) -> Engine {
        let mut e = Engine::new(device);
        if let Some(a) = actor {
            e.actor = ActorId::from(a);
        }
        e
    }

    /// Sets (or clears) the device whose changes are being merged: the records it creates must
    /// carry its device id.
    pub fn set_author(&mut self, device: Option<String>) {
        self.author = device;
    }

    /// Forgets the cached documents (after a rolled-back transaction).
    pub fn invalidate(&mut self) {
        self.docs.clear();
        self.states.clear();
        self.premerged.clear();
    }

    /// Takes out of the engine what a [`Engine::receive_relayed`] of `message` from `peer`
    /// would merge into `id` (the document, the session's state), for [`Premerge::run`] on
    /// another thread while this engine goes on with others: a hub merges a group's exchanges
    /// one after the other in one transaction, and automerge's part of each (the larger part
    /// of a merge) needs no store. `None` when the message is not one to merge ahead (an
    /// acknowledgement, no changes, changes relayed for another author, malformed: the
    /// receive itself says so). `author` is the device the receive will merge for
    /// ([`Engine::set_author`]), `fresh_session` whether the peer's session will be reset
    /// first ([`Engine::reset_peer`]).
    ///
    /// The document stays out of the cache until the merge: a use of it meanwhile loads it
    /// again from the store, and the premerge is then dropped, never used. The device's own
    /// changes following from the stored heads, into a document not in memory, take no
    /// document: [`Premerge::run`] reads the records they create, for `merge_appended`
    /// (used while the stored heads have not moved), and does nothing when they do more.
    ///
    /// # Errors
    /// Store errors.
    pub fn premerge_take(
        &mut self,
        db: &Db<'_>,
        peer: &str,
        id: &DocId,
        message: &[u8],
        author: &str,
        fresh_session: bool,
    ) -> R<Option<Premerge>> {
        if message.first() == Some(&ACK) {
            return Ok(None);
        }
        let Ok(msg) = Message::decode(message) else {
            return Ok(None);
        };
        if msg.changes.is_empty() || check_blooms(&msg).is_err() {
            return Ok(None);
        }
        let Some(brought) = msg
            .changes
            .iter()
            .map(Brought::read)
            .collect::<Option<Vec<Brought>>>()
        else {
            return Ok(None);
        };
        // a device's own changes that follow from the heads held here (a day's push) most
        // often only create records: merged then without the document, which is not loaded
        // for them (see `merge_appended`). Not when the document is in memory: it may hold
        // changes waiting for a dependency, which only it keeps
        let before = Self::stored_heads(db, id)?;
        let own = !self.docs.contains_key(id)
            && brought.iter().all(|b| b.device() == author)
            && follows(&before, &brought);
        if !own {
            let doc = self.load(db, id)?.document();
            if brought
                .iter()
                .any(|b| b.device() != author && doc.get_change_meta_by_hash(&b.hash).is_none())
            {
                // relayed for another author: merged author by author, as it comes
                return Ok(None);
            }
        }
        let state = if own {
            // not read: the records read ahead of a device's own push are merged with the
            // session's state as it is then (`merge_appended`), never with this one
            State::new()
        } else if fresh_session {
            match db.sync_state(peer, &id.to_string())? {
                Some(b) => match State::decode(&b) {
                    Ok(s) => s,
                    Err(_) => return Ok(None),
                },
                None => State::new(),
            }
        } else {
            self.state(db, peer, id)?
        };
        let fork = if own {
            None
        } else {
            self.load(db, id)?;
            self.docs.remove(id)
        };
        if !own && fork.is_none() {
            return Ok(None);
        }
        Ok(Some(Premerge {
            peer: peer.to_owned(),
            id: id.clone(),
            message: message.to_vec(),
            msg,
            state,
            fork,
            before,
            brought,
            own,
        }))
    }

    /// Hands back a [`Premerge`] run, for the receive of its message.
    pub fn premerge_put(&mut self, done: Premerged) {
        self.premerged
            .insert((done.peer.clone(), done.id.clone()), done);
    }

    /// Drops the premerges not used (their documents load again from the store when next
    /// needed), and says how many were run for nothing since the last call.
    pub fn premerge_clear(&mut self) -> usize {
        let missed = self.premerged.len() + self.premerge_missed;
        self.premerged.clear();
        self.premerge_missed = 0;
        missed
    }

    /// The premerge of exactly this message, if one was run and nothing touched its
    /// document or the session since it was taken.
    fn premerged_for(
        &mut self,
        db: &Db<'_>,
        peer: &str,
        id: &DocId,
        message: &[u8],
    ) -> R<Option<Premerged>> {
        let Some(p) = self.premerged.remove(&(peer.to_owned(), id.clone())) else {
            return Ok(None);
        };
        let usable = p.message == message
            && match &p.applied {
                // the document is not needed, nor the session's state (read at the merge)
                Ok(Ahead::Appended { before, .. }) => Self::stored_heads(db, id)? == *before,
                Ok(Ahead::Applied(a)) => {
                    !self.docs.contains_key(id)
                        && db.heads(&id.to_string())?.unwrap_or_default() == heads_text(&a.before)
                        && self.state(db, peer, id)? == p.state_before
                }
                Ok(Ahead::Nothing) => return Ok(None),
                Err(_) => {
                    !self.docs.contains_key(id) && self.state(db, peer, id)? == p.state_before
                }
            };
        if usable {
            Ok(Some(p))
        } else {
            self.premerge_missed += 1;
            Ok(None)
        }
    }

    /// Starts a new session with `peer`: what was in flight is forgotten, and the next message
    /// starts again from the last agreed heads (after a dropped link, nothing is left unsent).
    pub fn reset_peer(&mut self, peer: &str) {
        self.states.remove(peer);
    }

    fn state(&mut self, db: &Db<'_>, peer: &str, id: &DocId) -> R<State> {
        if let Some(s) = self.states.get(peer).and_then(|p| p.get(id)) {
            return Ok(s.clone());
        }
        Ok(match db.sync_state(peer, &id.to_string())? {
            Some(b) => State::decode(&b).map_err(|e| SyncError::Malformed(e.to_string()))?,
            None => State::new(),
        })
    }

    fn keep_state(&mut self, db: &Db<'_>, peer: &str, id: &DocId, state: State) -> R<()> {
        db.put_sync_state(peer, &id.to_string(), &state.encode())?;
        match self.states.get_mut(peer) {
            Some(p) => {
                p.insert(id.clone(), state);
            }
            None => {
                self.states
                    .insert(peer.to_owned(), HashMap::from([(id.clone(), state)]));
            }
        }
        Ok(())
    }

    fn load(&mut self, db: &Db<'_>, id: &DocId) -> R<&mut AutoCommit> {
        // Another process (the office's own tools on the hub's store) may have written since
        // the document was cached: the heads recorded in the store tell.
        if let Some(cached) = self.docs.get_mut(id) {
            let stored = db.heads(&id.to_string())?.unwrap_or_default();
            if stored != heads_text(&cached.get_heads()) {
                self.docs.remove(id);
            }
        }
        if !self.docs.contains_key(id) {
            let key = id.to_string();
            let (bytes, last, after, tail) = db.doc_bytes(&key)?;
            let mut doc = if bytes.is_empty() {
                AutoCommit::new()
            } else {
                AutoCommit::load(&bytes)?
            };
            if after > COMPACT_AFTER || (tail > COMPACT_BYTES && tail > bytes.len() - tail) {
                // many small chunks since the last snapshot, or more bytes of them than the
                // snapshot holds: keep a compacted copy so that the next load reads one saved
                // document instead
                db.put_snapshot(&key, last, &doc.save())?;
            }
            doc.set_actor(self.actor.clone());
            self.docs.insert(id.clone(), doc);
            self.loaded += 1;
        }
        self.docs
            .get_mut(id)
            .ok_or_else(|| SyncError::Malformed("document".into()))
    }

    /// How many documents this engine loaded from the store, and how many merges it did
    /// without loading their document, since it was made.
    #[must_use]
    pub fn loads(&self) -> (usize, usize) {
        (self.loaded, self.appended)
    }

    /// A document, loaded from the store if needed.
    ///
    /// # Errors
    /// [`SyncError::Automerge`] for stored chunks that do not load.
    pub fn doc(&mut self, db: &Db<'_>, id: &DocId) -> R<&mut AutoCommit> {
        self.load(db, id)
    }

    /// The write path: puts the touched projection rows into their documents, one automerge
    /// change per document with `message`, and appends the new changes to the store — in the
    /// caller's transaction.
    ///
    /// # Errors
    /// Routing and automerge errors.
    pub fn record(
        &mut self,
        db: &Db<'_>,
        touched: &[Touched],
        message: &str,
        time_ms: i64,
    ) -> R<Vec<DocId>> {
        let mut by_doc: BTreeMap<DocId, Rows> = BTreeMap::new();
        for t in touched {
            if let Some(row) = db.row_by_rowid(t.table, t.rowid)? {
                let doc = route(db, t.table, &row)?;
                by_doc.entry(doc).or_default().push((t.table, row));
            }
        }
        for (id, rows) in &by_doc {
            let doc = self.load(db, id)?;
            let before = doc.get_heads();
            for (table, row) in rows {
                put_record(doc, *table, row)?;
            }
            if doc
                .commit_with(
                    CommitOptions::default()
                        .with_message(message.to_owned())
                        .with_time(time_ms),
                )
                .is_some()
            {
                let bytes = doc.save_after(&before);
                let heads = heads_text(&doc.get_heads());
                db.append_chunk(&id.to_string(), &bytes)?;
                db.set_heads(&id.to_string(), &heads)?;
            }
        }
        Ok(by_doc.into_keys().collect())
    }

    /// Merges changes into a document, **validating before merging**: `incoming` applies them
    /// to the document taken out of the cache; every record they touch is written to the
    /// projection (types, references and immutability checked by the store), routed (it must
    /// belong to this document) and passed to `check`; any failure refuses the whole lot and
    /// leaves the store as it was, and the document out of the cache (the next use loads it
    /// from the store). On success the document goes back, the new changes are stored, and
    /// fields with concurrent values become conflicts.
    ///
    /// # Errors
    /// [`SyncError::Refused`] with the reason, automerge and store errors.
    pub fn merge(
        &mut self,
        db: &Db<'_>,
        id: &DocId,
        check: Check<'_>,
        now: &str,
        incoming: impl FnOnce(&mut AutoCommit) -> R<()>,
    ) -> R<MergeOutcome> {
        self.merge_changes(db, id, check, now, |f, _| incoming(f), None)
    }

    /// [`Engine::merge`], told the changes `incoming` brings when they are known (a sync
    /// message's): those the document lacked are then stored as they came, instead of being
    /// encoded again from the document (a tenth of a hub's exchange), when they are exactly
    /// what the merge added.
    fn merge_changes(
        &mut self,
        db: &Db<'_>,
        id: &DocId,
        check: Check<'_>,
        now: &str,
        incoming: impl FnOnce(&mut AutoCommit, Option<Created>) -> R<()>,
        brought: Option<Vec<Brought>>,
    ) -> R<MergeOutcome> {
        self.load(db, id)?;
        // The document is taken out of the cache and changed in place (a copy of it cost a
        // fifth of a merge at union scale): if anything below fails, it is not put back, and
        // the next use loads it again from the store, where nothing of this merge remains.
        let fork = self
            .docs
            .remove(id)
            .ok_or_else(|| SyncError::Malformed("document".into()))?;
        let applied = apply_incoming(fork, brought, incoming)?;
        self.merge_applied(db, id, check, now, applied)
    }

    /// The store's half of a merge: the records [`apply_incoming`] read are written to the
    /// projection and checked, conflicts are found, the new changes stored.
    fn merge_applied(
        &mut self,
        db: &Db<'_>,
        id: &DocId,
        check: Check<'_>,
        now: &str,
        applied: Applied,
    ) -> R<MergeOutcome> {
        let Applied {
            mut fork,
            before,
            after,
            rows,
            fresh,
        } = applied;
        if after == before {
            // Nothing applied, but automerge may have queued changes that wait for a missing
            // dependency (a bloom-filter false positive made the peer skip it): keep the fork,
            // queue included, so that the dependency, when it comes, releases them. Dropping
            // it stalled the session (found by the convergence property test).
            self.docs.insert(id.clone(), fork);
            return Ok(MergeOutcome::default());
        }
        db.savepoint("merge")?;
        let devices = match self.write_rows(db, id, check, &rows, false) {
            Ok(Some(d)) => d,
            Ok(None) => Vec::new(),
            Err(e) => {
                db.rollback_to("merge")?;
                return Err(e);
            }
        };
        let mut inserted: Vec<ConflictRow> = Vec::new();
        let mut conflicts = flag_rows(db, id, &rows, now, &mut inserted)?;
        // The records to read for concurrent values: those the diff says may have some, and
        // those already in an open conflict (a third concurrent value that does not win
        // changes nothing the diff reports, and was missed).
        let mut scan: Vec<(Table, String)> = rows
            .iter()
            .filter(|(.., scan)| *scan)
            .map(|(t, k, ..)| (*t, k.clone()))
            .collect();
        for key in db.open_conflict_records(&id.to_string())? {
            if let Some((table, _)) = split_key(&key) {
                if !scan.iter().any(|(_, k)| *k == key) {
                    scan.push((table, key));
                }
            }
        }
        for (table, key) in &scan {
            for row in record_conflicts(&mut fork, id, *table, key, now)? {
                let open = db
                    .open_conflicts_on(&row.record_table, &row.record_key)?
                    .into_iter()
                    .find(|c| conflict_kind(&c.field) == conflict_kind(&row.field));
                match open {
                    Some(c) if c.field == row.field && c.candidates == row.candidates => {}
                    Some(c) => {
                        // more values, or more fields: the open conflict says them all
                        db.extend_conflict(&c.id, &row.field, &row.candidates)?;
                        conflicts += 1;
                        inserted.push(ConflictRow {
                            field: row.field.clone(),
                            candidates: row.candidates.clone(),
                            ..c
                        });
                    }
                    None => {
                        if db.insert_conflict(&row)? {
                            conflicts += 1;
                            inserted.push(row);
                        }
                    }
                }
            }
        }
        close_resolved(db, &rows, &inserted)?;
        db.release("merge")?;
        let bytes = match fresh.filter(|f| exactly_added(&mut fork, &before, &after, f)) {
            Some(f) => {
                #[cfg(debug_assertions)]
                {
                    let mut added: Vec<ChangeHash> =
                        fork.get_changes(&before).iter().map(|c| c.hash()).collect();
                    let mut came: Vec<ChangeHash> = f.iter().map(|c| c.hash).collect();
                    added.sort();
                    came.sort();
                    assert_eq!(added, came, "changes stored as they came ≠ changes added");
                }
                f.iter().flat_map(|c| c.bytes.iter().copied()).collect()
            }
            None => fork.save_after(&before),
        };
        let seq = db.append_chunk(&id.to_string(), &bytes)?;
        if before.is_empty() && bytes.len() > COMPACT_BYTES {
            // a document received whole (a first sync): saved compact at once rather than at
            // its next load (see [`COMPACT_BYTES`]); a device's push into a document held here
            // is never saved whole on the way (a hub's burst would save every document)
            db.put_snapshot(&id.to_string(), seq, &fork.save())?;
        }
        // what came from outside is shared: never squashed
        db.mark_shared(&id.to_string())?;
        db.set_heads(&id.to_string(), &heads_text(&after))?;
        self.docs.insert(id.clone(), fork);
        Ok(MergeOutcome {
            records: rows.len(),
            conflicts,
            changed: true,
            held: Vec::new(),
            devices,
        })
    }

    /// Writes a merge's records to the projection, each checked: its author (a record a
    /// device sends is its own), its document, `check`, the rules. The devices the records
    /// were made on, each once. With `new_only`, `None` as soon as a record is not new to the
    /// store (the caller then rolls back and merges the slow way).
    fn write_rows(
        &self,
        db: &Db<'_>,
        id: &DocId,
        check: Check<'_>,
        rows: &[RowToWrite],
        new_only: bool,
    ) -> R<Option<Vec<String>>> {
        let mut devices: Vec<String> = Vec::new();
        for (table, key, row, _) in rows {
            let outcome = db
                .put_row(*table, row)
                .map_err(|e| SyncError::Refused(format!("{key} : {e}")))?;
            if new_only && outcome != sene_store::PutOutcome::Inserted {
                return Ok(None);
            }
            let made_on = row.get("device_id").and_then(Json::as_str);
            if let Some(d) = made_on {
                if !devices.iter().any(|x| x == d) {
                    devices.push(d.to_owned());
                }
            }
            if let (Some(author), sene_store::PutOutcome::Inserted) = (&self.author, &outcome) {
                if let Some(claimed) = made_on {
                    if claimed != author {
                        return Err(SyncError::Refused(format!("{key} : enregistrement attribué à un autre appareil ({claimed}) que celui qui l'envoie")));
                    }
                }
            }
            let routed =
                route(db, *table, row).map_err(|e| SyncError::Refused(format!("{key} : {e}")))?;
            if &routed != id {
                return Err(SyncError::Refused(format!(
                    "{key} appartient au document {routed}, pas à {id}"
                )));
            }
            check(db, id, *table, row).map_err(|e| SyncError::Refused(format!("{key} : {e}")))?;
            crate::rules::check_row(db, *table, row)
                .map_err(|e| SyncError::Refused(format!("{key} : {e}")))?;
        }
        Ok(Some(devices))
    }

    /// A merge that needs no document in memory: every change the message brings is new
    /// here, follows from what the store holds (its dependencies are the stored heads or
    /// each other), leaves the document at the heads the sender says it holds, and only
    /// creates records (a map put at the root under a key nothing else writes, and its
    /// scalar fields); the store holds none of those records, and no conflict is open in the
    /// document. Those records are then exactly the changes' fields, so they are written to
    /// the projection and the changes stored as they came, and the session's state learns
    /// what automerge's `receive_sync_message` would have taught it. A replica pulling a
    /// union's day (a federation, a laptop) then loads none of the documents that moved:
    /// loading them was half of a federation's pull. A hub merging a device's push (`author`
    /// set) does the same with the device's own changes: a burst's day of new deliveries is
    /// then read from the changes (`created`, when [`Premerge::run`] read them ahead), not
    /// applied to each cooperative's document. Never into a document in memory: it may hold
    /// changes waiting for a dependency. `None`, nothing written: the message is not one of
    /// these, or a record is refused; the caller merges it the usual way (which also gives
    /// the refusal its usual words).
    #[allow(clippy::too_many_arguments)]
    fn merge_appended(
        &mut self,
        db: &Db<'_>,
        id: &DocId,
        msg: &Message,
        brought: &[Brought],
        created: Option<(Vec<ChangeHash>, Vec<RowToWrite>)>,
        state: &mut State,
        check: Check<'_>,
        now: &str,
    ) -> R<Option<MergeOutcome>> {
        // a hub merging a device's exchange (`author` set): only the device's own changes
        // (others' are proven first, see `merge_relayed`). Never into a document in memory:
        // it may hold changes waiting for a dependency, which only it keeps
        if self
            .author
            .as_ref()
            .is_some_and(|a| !brought.iter().all(|b| b.device() == *a))
            || self.docs.contains_key(id)
            || state.read_only
            || !state.sent_hashes.is_empty()
        {
            return Ok(None);
        }
        // read ahead ([`Premerge::run`]) from the same changes and the same stored heads
        // (`premerged_for` checked them)
        let read = match created {
            Some(c) => Some(c),
            None => appended(&Self::stored_heads(db, id)?, brought)
                .map(|(after, rows, _)| (after, rows)),
        };
        let Some((after, rows)) = read else {
            return Ok(None);
        };
        let mut theirs = msg.heads.clone();
        theirs.sort_unstable();
        if theirs != after || !db.open_conflict_records(&id.to_string())?.is_empty() {
            return Ok(None);
        }
        #[cfg(debug_assertions)]
        let expected = {
            // debug builds: what automerge itself makes of the message, to compare below
            let (bytes, ..) = db.doc_bytes(&id.to_string())?;
            let mut st = state.clone();
            let applied = apply_incoming(AutoCommit::load(&bytes)?, None, |f, _| {
                f.sync()
                    .receive_sync_message(&mut st, msg.clone())
                    .map_err(SyncError::from)
            })?;
            (applied.fork, applied.after, applied.rows, st)
        };
        db.savepoint("merge")?;
        let devices = match self.write_rows(db, id, check, &rows, true) {
            Ok(Some(d)) => d,
            Ok(None) | Err(SyncError::Refused(_)) => {
                db.rollback_to("merge")?;
                return Ok(None);
            }
            Err(e) => return Err(e),
        };
        let mut inserted: Vec<ConflictRow> = Vec::new();
        let conflicts = flag_rows(db, id, &rows, now, &mut inserted)?;
        close_resolved(db, &rows, &inserted)?;
        db.release("merge")?;
        let bytes: Vec<u8> = brought
            .iter()
            .flat_map(|c| c.bytes.iter().copied())
            .collect();
        db.append_chunk(&id.to_string(), &bytes)?;
        db.mark_shared(&id.to_string())?;
        db.set_heads(&id.to_string(), &heads_text(&after))?;
        // the session, as automerge's `receive_sync_message` leaves it after these changes
        // (they are all applied, and the sender's heads are all known here)
        received(state, msg);
        #[cfg(debug_assertions)]
        {
            let (mut doc, heads, rows_then, st) = expected;
            assert_eq!(heads, after, "appended: heads");
            let mut stored = AutoCommit::load(&db.doc_bytes(&id.to_string())?.0)?;
            assert_eq!(
                stored.get_heads(),
                doc.get_heads(),
                "appended: stored heads"
            );
            assert_eq!(st, *state, "appended: sync state");
            let theirs: Vec<_> = rows_then
                .iter()
                .map(|(t, k, r, _)| (*t, k.clone(), r.clone()))
                .collect();
            let mine: Vec<_> = rows
                .iter()
                .map(|(t, k, r, _)| (*t, k.clone(), r.clone()))
                .collect();
            assert_eq!(theirs, mine, "appended: records");
            for (_, key, row, _) in &rows {
                assert_eq!(
                    read_record(&doc, key)?.as_ref(),
                    Some(row),
                    "appended: {key}"
                );
            }
        }
        self.appended += 1;
        Ok(Some(MergeOutcome {
            records: rows.len(),
            conflicts,
            changed: true,
            held: Vec::new(),
            devices,
        }))
    }

    /// The next sync message for `peer` about a document, if there is anything to say.
    ///
    /// # Errors
    /// Store and automerge errors.
    pub fn generate(&mut self, db: &Db<'_>, peer: &str, id: &DocId) -> R<Option<Vec<u8>>> {
        self.prepare_outgoing(db, id)?;
        let mut state = self.state(db, peer, id)?;
        if state.their_heads.is_none() {
            // Start of a session: assume the peer is where we last agreed (the shared heads, or
            // nothing for a document it has never had) and send what came since at once,
            // instead of spending a round trip on asking. At worst it receives changes twice.
            state.their_heads = Some(state.shared_heads.clone());
            state.their_need = Some(Vec::new());
            state.their_have = Some(vec![automerge::sync::Have {
                last_sync: state.shared_heads.clone(),
                bloom: automerge::sync::BloomFilter::default(),
            }]);
        }
        if let Some(out) = self.unloaded_message(db, peer, id, &mut state)? {
            self.keep_state(db, peer, id, state)?;
            return Ok(out);
        }
        let doc = self.load(db, id)?;
        if let Some(heads) = state.their_heads.clone() {
            // The peer has just said which heads it holds, and this side has all of them: what
            // it lacks is exactly what came after them. Its bloom filter says the same with
            // false positives (about one change in a hundred), and a change held back by one
            // costs another round trip to ask for it.
            if doc.get_missing_deps(&heads).is_empty() {
                state.their_have = Some(vec![automerge::sync::Have {
                    last_sync: heads,
                    bloom: automerge::sync::BloomFilter::default(),
                }]);
            }
        }
        let msg = doc.sync().generate_sync_message(&mut state);
        let full = self.full.remove(&(peer.to_owned(), id.clone()));
        if let Some(m) = msg.as_ref().filter(|m| !m.changes.is_empty()) {
            // what this message carries the peer holds once it arrives, which only the peer's
            // next message confirms (a reply lost on a cut link never arrives): kept beside
            // the agreed heads, see [`Engine::export_unsent`]
            db.put_sync_state(
                peer,
                &sent_key(id),
                &sent_bytes(&state.shared_heads, &m.heads),
            )?;
        }
        let out = msg.map(|m| match ack_for(&m, &state) {
            Some(ack) if !full => ack,
            _ => m.encode(),
        });
        self.keep_state(db, peer, id, state)?;
        Ok(out)
    }

    /// The heads the store records for a document (after its last write or merge), sorted as
    /// automerge gives them; empty for a document it does not hold.
    fn stored_heads(db: &Db<'_>, id: &DocId) -> R<Vec<ChangeHash>> {
        let text = db.heads(&id.to_string())?.unwrap_or_default();
        let mut heads = Vec::new();
        for h in text.split(',').filter(|h| !h.is_empty()) {
            heads.push(
                h.parse::<ChangeHash>()
                    .map_err(|e| SyncError::Malformed(format!("têtes enregistrées : {e}")))?,
            );
        }
        heads.sort_unstable();
        Ok(heads)
    }

    /// The message about a document not loaded here, when it can be said without loading it:
    /// the document is at exactly the heads the peer holds and both agreed on, and the peer
    /// needs nothing, so automerge's message would carry no change (an ack), or would be
    /// nothing once said in this session. A device or a federation asked about every
    /// document of a union then loads only those that moved. `None`: load it and let automerge
    /// say. `state` is changed as automerge's `generate_sync_message` changes it.
    fn unloaded_message(
        &self,
        db: &Db<'_>,
        peer: &str,
        id: &DocId,
        state: &mut State,
    ) -> R<Option<Option<Vec<u8>>>> {
        if self.docs.contains_key(id)
            || self.full.contains(&(peer.to_owned(), id.clone()))
            || state.read_only
            || state.needs_reset
            || state.their_need.as_ref().is_some_and(|n| !n.is_empty())
        {
            return Ok(None);
        }
        let Some(mut theirs) = state.their_heads.clone() else {
            return Ok(None);
        };
        theirs.sort_unstable();
        let mut shared = state.shared_heads.clone();
        shared.sort_unstable();
        if theirs.is_empty() || theirs != shared || Self::stored_heads(db, id)? != theirs {
            return Ok(None);
        }
        if state.have_responded && state.last_sent_heads == theirs {
            return Ok(Some(None));
        }
        state.have_responded = true;
        state.last_sent_heads.clone_from(&theirs);
        state.in_flight = true;
        Ok(Some(Some(ack_bytes(&theirs))))
    }

    /// What this side last sent `peer` of a document (the heads its message brought the peer
    /// to) and the heads agreed with it then; `None` when nothing was sent or the record does
    /// not read.
    fn sent(&self, db: &Db<'_>, peer: &str, id: &DocId) -> R<Option<Sent>> {
        Ok(db
            .sync_state(peer, &sent_key(id))?
            .and_then(|b| read_sent(&b)))
    }

    /// The changes of each document `peer` has not been sent yet: everything after the heads
    /// this side's last message brought it to, when nothing was agreed since (the peer's next
    /// message confirms them; until then [`Engine::export_changes`] still counts them, and a
    /// USB file for it still carries them), else after the agreed heads. A hub counts with it
    /// what a laptop lacks once its one-round sync's answer is sent.
    ///
    /// # Errors
    /// Store and automerge errors.
    pub fn export_unsent(
        &mut self,
        db: &Db<'_>,
        peer: &str,
        ids: &[DocId],
    ) -> R<crate::wire::Envelope> {
        let mut env = crate::wire::Envelope::default();
        for id in ids {
            let mut agreed = match db.sync_state(peer, &id.to_string())? {
                Some(b) => {
                    State::decode(&b)
                        .map_err(|e| SyncError::Malformed(e.to_string()))?
                        .shared_heads
                }
                None => Vec::new(),
            };
            agreed.sort();
            let sent = self.sent(db, peer, id)?;
            self.prepare_outgoing(db, id)?;
            let doc = self.load(db, id)?;
            // (heads this document does not hold, e.g. a store put back from a copy: as if
            // nothing had been sent)
            let from = match sent {
                Some(s) if s.agreed == agreed && doc.get_missing_deps(&s.heads).is_empty() => {
                    s.heads
                }
                _ => agreed,
            };
            let bytes = doc.save_after(&from);
            if !bytes.is_empty() {
                env.items.push((id.to_string(), bytes));
            }
        }
        Ok(env)
    }

    /// Receives a sync message from `peer` about a document: decoded, then merged with
    /// [`Engine::merge`]. The sync state is kept only when the merge is accepted.
    ///
    /// # Errors
    /// [`SyncError::Malformed`] for an undecodable message, [`SyncError::Refused`].
    pub fn receive(
        &mut self,
        db: &Db<'_>,
        peer: &str,
        id: &DocId,
        message: &[u8],
        check: Check<'_>,
        now: &str,
    ) -> R<MergeOutcome> {
        self.receive_relayed(db, peer, id, message, check, now, None)
    }

    /// [`Engine::receive`], with `relay` to accept the changes the sender did not write when
    /// their author is proven (see [`crate::relay`]): each run of one author's changes is then
    /// merged as that author's (its records must claim it, within its scope), and a change
    /// without a proof, with whatever depends on it, is held back.
    ///
    /// # Errors
    /// As [`Engine::receive`].
    #[allow(clippy::too_many_arguments)]
    pub fn receive_relayed(
        &mut self,
        db: &Db<'_>,
        peer: &str,
        id: &DocId,
        message: &[u8],
        check: Check<'_>,
        now: &str,
        relay: Option<&crate::relay::Relay<'_>>,
    ) -> R<MergeOutcome> {
        // the records a message's changes create, read from them ahead
        let mut created = None;
        if let Some(p) = self.premerged_for(db, peer, id, message)? {
            match p.applied? {
                Ahead::Applied(a) => {
                    db.ensure_doc(&id.to_string())?;
                    let out = self.merge_applied(db, id, check, now, *a)?;
                    self.keep_state(db, peer, id, p.state_after)?;
                    return Ok(out);
                }
                Ahead::Appended { after, rows, .. } => created = Some((after, rows)),
                Ahead::Nothing => {}
            }
        }
        // a hub merging a device's exchange too (`author` set): the device's push of new
        // records into the document merges without it (`merge_appended`), and only while it
        // is not in memory
        if message.first() == Some(&ACK) && !self.docs.contains_key(id) {
            let heads = Self::stored_heads(db, id)?;
            if !heads.is_empty() && message == ack_bytes(&heads).as_slice() {
                // the peer holds exactly this side's heads: the state learns it as automerge's
                // `receive_sync_message` would from the full message, without loading the
                // document (every change this side sent is then among what the peer holds)
                let mut state = self.state(db, peer, id)?;
                db.ensure_doc(&id.to_string())?;
                state.in_flight = false;
                state.sent_hashes.clear();
                state.last_sent_heads.clone_from(&heads);
                state.shared_heads.clone_from(&heads);
                state.their_have = Some(vec![automerge::sync::Have {
                    last_sync: heads.clone(),
                    bloom: automerge::sync::BloomFilter::default(),
                }]);
                state.their_heads = Some(heads);
                state.their_need = Some(Vec::new());
                self.keep_state(db, peer, id, state)?;
                return Ok(MergeOutcome::default());
            }
        }
        let msg = if message.first() == Some(&ACK) {
            let mut heads = self.load(db, id)?.get_heads();
            if message != ack_bytes(&heads).as_slice() {
                // the peer may be where this side's last message brought it (an answer it
                // received without confirming it, and this side moved on since): then only
                // what came after that is sent, not again what it holds
                let sent = match (self.sent(db, peer, id)?, self.docs.get_mut(id)) {
                    (Some(s), Some(d)) if message == ack_bytes(&s.heads).as_slice() => {
                        // held here: asked of its metadata, not of the change rebuilt from
                        // the document's columns (a scan of the document per hash)
                        let doc = d.document();
                        s.heads
                            .iter()
                            .all(|x| doc.get_change_meta_by_hash(x).is_some())
                            .then_some(s.heads)
                    }
                    _ => None,
                };
                match sent {
                    Some(h) => heads = h,
                    None => {
                        // the peer is not where this side is: say everything next time
                        self.full.insert((peer.to_owned(), id.clone()));
                        return Ok(MergeOutcome::default());
                    }
                }
            }
            // the peer has exactly these heads: what its full message would have said
            Message {
                heads: heads.clone(),
                need: Vec::new(),
                have: vec![automerge::sync::Have {
                    last_sync: heads,
                    bloom: automerge::sync::BloomFilter::default(),
                }],
                changes: automerge::sync::ChunkList::empty(),
                flags: None,
                version: automerge::sync::MessageVersion::V1,
            }
        } else {
            Message::decode(message)
                .map_err(|e| SyncError::Malformed(format!("message de synchronisation : {e}")))?
        };
        check_blooms(&msg)?;
        let mut state = self.state(db, peer, id)?;
        // known from now on, so that the answer asks for what is missing
        db.ensure_doc(&id.to_string())?;
        if msg.changes.is_empty() {
            // heads, needs and haves only: nothing to validate, nothing the document can take,
            // so no fork of it (for a union document, the larger part of an exchange's cost)
            let doc = self.load(db, id)?;
            doc.sync()
                .receive_sync_message(&mut state, msg)
                .map_err(SyncError::from)?;
            self.keep_state(db, peer, id, state)?;
            return Ok(MergeOutcome::default());
        }
        // the changes as they came (a chunk that is not one change, e.g. a whole document,
        // leaves it to the document to say what was added)
        let brought: Option<Vec<Brought>> = msg.changes.iter().map(Brought::read).collect();
        if let Some(list) = brought.as_deref() {
            if let Some(out) =
                self.merge_appended(db, id, &msg, list, created, &mut state, check, now)?
            {
                self.keep_state(db, peer, id, state)?;
                return Ok(out);
            }
        }
        // a peer that believes this side holds nothing of a document sends it whole: its
        // changes are read out of it, so that the relayed ones are proven as any others
        let relay_list = match (relay, &brought) {
            (Some(_), None) => Brought::read_all(msg.changes.iter()),
            _ => None,
        };
        if let (Some(relay), Some(list)) = (relay, relay_list.as_ref().or(brought.as_ref())) {
            if self.relays_foreign(db, id, list)? {
                let list = list.clone();
                let out = self.merge_relayed(db, id, check, now, list, relay)?;
                // the sync state learns the peer's heads, needs and haves; its changes were
                // applied above, author by author
                let rest = Message {
                    heads: msg.heads,
                    need: msg.need,
                    have: msg.have,
                    changes: automerge::sync::ChunkList::empty(),
                    flags: msg.flags,
                    version: msg.version,
                };
                let doc = self.load(db, id)?;
                doc.sync()
                    .receive_sync_message(&mut state, rest)
                    .map_err(SyncError::from)?;
                self.keep_state(db, peer, id, state)?;
                return Ok(out);
            }
        }
        let out = self.merge_changes(
            db,
            id,
            check,
            now,
            |fork, created| receive_into(fork, &mut state, msg, created),
            brought,
        )?;
        self.keep_state(db, peer, id, state)?;
        Ok(out)
    }

    /// The changes of each document that `peer` may lack: everything after the heads both
    /// sides last agreed on (or everything), for a USB file.
    ///
    /// # Errors
    /// Store and automerge errors.
    pub fn export_changes(
        &mut self,
        db: &Db<'_>,
        peer: &str,
        ids: &[DocId],
    ) -> R<crate::wire::Envelope> {
        self.export_changes_since(db, Some(peer), ids)
    }

    /// [`Engine::export_changes`] after the heads agreed with `peer`, or everything (`None`:
    /// for a peer that lost what it had, an office put back from a backup).
    ///
    /// # Errors
    /// Store and automerge errors.
    pub fn export_changes_since(
        &mut self,
        db: &Db<'_>,
        peer: Option<&str>,
        ids: &[DocId],
    ) -> R<crate::wire::Envelope> {
        let mut env = crate::wire::Envelope::default();
        for id in ids {
            let state = match peer {
                Some(p) => db.sync_state(p, &id.to_string())?,
                None => None,
            };
            let shared = match state {
                Some(b) => {
                    State::decode(&b)
                        .map_err(|e| SyncError::Malformed(e.to_string()))?
                        .shared_heads
                }
                None => Vec::new(),
            };
            self.prepare_outgoing(db, id)?;
            let doc = self.load(db, id)?;
            let bytes = doc.save_after(&shared);
            if !bytes.is_empty() {
                env.items.push((id.to_string(), bytes));
            }
        }
        Ok(env)
    }

    /// Merges raw changes (from a USB file) into a document, validated like any merge.
    ///
    /// # Errors
    /// As [`Engine::merge`].
    pub fn import_changes(
        &mut self,
        db: &Db<'_>,
        id: &DocId,
        bytes: &[u8],
        check: Check<'_>,
        now: &str,
    ) -> R<MergeOutcome> {
        self.import_changes_relayed(db, id, bytes, check, now, None)
    }

    /// [`Engine::import_changes`] with `relay`, as [`Engine::receive_relayed`].
    ///
    /// # Errors
    /// As [`Engine::merge`].
    pub fn import_changes_relayed(
        &mut self,
        db: &Db<'_>,
        id: &DocId,
        bytes: &[u8],
        check: Check<'_>,
        now: &str,
        relay: Option<&crate::relay::Relay<'_>>,
    ) -> R<MergeOutcome> {
        db.ensure_doc(&id.to_string())?;
        if let Some(relay) = relay {
            let chunks = crate::relay::split_chunks(bytes);
            let list = Brought::read_all(chunks.iter().map(Vec::as_slice));
            if let Some(list) = list {
                if self.relays_foreign(db, id, &list)? {
                    return self.merge_relayed(db, id, check, now, list, relay);
                }
            }
        }
        self.merge(db, id, check, now, |fork| {
            fork.load_incremental(bytes)?;
            Ok(())
        })
    }

    /// Whether `list` brings a change the document lacks that the sender (the author set with
    /// [`Engine::set_author`]) did not write.
    fn relays_foreign(&mut self, db: &Db<'_>, id: &DocId, list: &[Brought]) -> R<bool> {
        let Some(sender) = self.author.clone() else {
            return Ok(false);
        };
        let doc = self.load(db, id)?.document();
        Ok(list
            .iter()
            .any(|b| b.device() != sender && doc.get_change_meta_by_hash(&b.hash).is_none()))
    }

    /// Merges changes some of which the sender relays for other authors: in causal order,
    /// each run of one author's changes as that author's (its new records must claim it, and
    /// it must be allowed to write them: `relay.writes`); a relayed change whose author is not
    /// proven (`relay.proven`), and whatever depends on it, is held back.
    fn merge_relayed(
        &mut self,
        db: &Db<'_>,
        id: &DocId,
        check: Check<'_>,
        now: &str,
        list: Vec<Brought>,
        relay: &crate::relay::Relay<'_>,
    ) -> R<MergeOutcome> {
        use std::collections::HashSet;
        let sender = self.author.clone().unwrap_or_default();
        let mut fresh: Vec<Brought> = Vec::new();
        {
            let doc = self.load(db, id)?.document();
            let mut seen = HashSet::new();
            for b in list {
                if seen.insert(b.hash) && doc.get_change_meta_by_hash(&b.hash).is_none() {
                    fresh.push(b);
                }
            }
        }
        let in_batch: HashSet<ChangeHash> = fresh.iter().map(|b| b.hash).collect();
        // causal order, keeping one author's changes together where the order allows it
        let mut placed: HashSet<ChangeHash> = HashSet::new();
        let mut held: Vec<(ChangeHash, String)> = Vec::new();
        let mut order: Vec<(String, Brought)> = Vec::new();
        let mut left = fresh;
        let mut current = sender.clone();
        loop {
            let held_set: HashSet<ChangeHash> = held.iter().map(|h| h.0).collect();
            let mut moved = false;
            let mut rest = Vec::new();
            for b in left {
                if b.deps.iter().any(|d| held_set.contains(d)) {
                    held.push((b.hash, b.device()));
                    moved = true;
                } else {
                    rest.push(b);
                }
            }
            left = rest;
            let ready: Vec<usize> = left
                .iter()
                .enumerate()
                .filter(|(_, b)| {
                    b.deps
                        .iter()
                        .all(|d| !in_batch.contains(d) || placed.contains(d))
                })
                .map(|(i, _)| i)
                .collect();
            let pick = ready
                .iter()
                .copied()
                .find(|i| left[*i].device() == current)
                .or_else(|| ready.first().copied());
            match pick {
                Some(i) => {
                    let b = left.remove(i);
                    let author = b.device();
                    if author != sender && !(relay.proven)(db, &author, &b.hash) {
                        held.push((b.hash, author));
                    } else {
                        placed.insert(b.hash);
                        current.clone_from(&author);
                        order.push((author, b));
                    }
                }
                None if !moved => break,
                None => {}
            }
            if left.is_empty() {
                break;
            }
        }
        // what waits for a dependency neither side of this exchange has is not taken now: kept
        // in the document's queue, it would be released by another device's merge and
        // checked as that device's; the sender sends it again once the dependency is here
        drop(left);
        let mut total = MergeOutcome::default();
        let mut i = 0;
        while i < order.len() {
            let author = order[i].0.clone();
            let mut j = i;
            while j < order.len() && order[j].0 == author {
                j += 1;
            }
            let group: Vec<Brought> = order[i..j].iter().map(|(_, b)| b.clone()).collect();
            let bytes: Vec<u8> = group.iter().flat_map(|b| b.bytes.iter().copied()).collect();
            let writes = relay.writes;
            let theirs =
                |db: &Db<'_>, d: &DocId, t: Table, _: &Map<String, Json>| writes(db, &author, d, t);
            let c: Check<'_> = if author == sender { check } else { &theirs };
            self.author = Some(author.clone());
            let out = self.merge_changes(
                db,
                id,
                c,
                now,
                |fork, _| {
                    fork.load_incremental(&bytes)?;
                    Ok(())
                },
                Some(group),
            );
            self.author = Some(sender.clone());
            let out = out?;
            total.records += out.records;
            total.conflicts += out.conflicts;
            total.changed |= out.changed;
            i = j;
        }
        let mut authors: Vec<String> = held.into_iter().map(|(_, a)| a).collect();
        authors.sort();
        authors.dedup();
        total.held = authors;
        Ok(total)
    }

    /// Resolves a conflict by writing the chosen value on the record's field, in a change whose
    /// message names the conflict.
    ///
    /// # Errors
    /// Unknown record, automerge errors.
    pub fn write_value(
        &mut self,
        db: &Db<'_>,
        id: &DocId,
        w: &FieldWrite<'_>,
        message: &str,
        time_ms: i64,
    ) -> R<()> {
        self.write_resolution(
            db,
            id,
            std::slice::from_ref(w),
            &Vec::new(),
            message,
            time_ms,
        )
    }

    /// A resolution's one change in document `id`: each of `writes` put on its record's field
    /// (over every concurrent value), and `rows` (new projection rows already in the store:
    /// the resolution record, merge records) put as the write path puts them. The records
    /// written are read back into the projection.
    ///
    /// # Errors
    /// A record absent from the document, a row of another document, automerge errors.
    pub fn write_resolution(
        &mut self,
        db: &Db<'_>,
        id: &DocId,
        writes: &[FieldWrite<'_>],
        rows: &Rows,
        message: &str,
        time_ms: i64,
    ) -> R<()> {
        for (table, row) in rows {
            let routed = route(db, *table, row)?;
            if &routed != id {
                return Err(SyncError::Refused(format!(
                    "{} appartient au document {routed}, pas à {id}",
                    record_key(*table, row)
                )));
            }
        }
        let doc = self.load(db, id)?;
        let before = doc.get_heads();
        let mut touched: Vec<(Table, String)> = Vec::new();
        for w in writes {
            let full = format!("{}/{}", w.table.name(), w.key);
            let Some((Value::Object(ObjType::Map), obj)) = doc.get(ROOT, full.as_str())? else {
                return Err(SyncError::UnknownReference {
                    table: w.table.name(),
                    key: w.key.to_owned(),
                });
            };
            doc.put(&obj, w.field, scalar(w.value))?;
            if !touched.iter().any(|(_, k)| *k == full) {
                touched.push((w.table, full));
            }
        }
        for (table, row) in rows {
            put_record(doc, *table, row)?;
        }
        doc.commit_with(
            CommitOptions::default()
                .with_message(message.to_owned())
                .with_time(time_ms),
        );
        let bytes = doc.save_after(&before);
        if !bytes.is_empty() {
            db.append_chunk(&id.to_string(), &bytes)?;
        }
        db.set_heads(&id.to_string(), &heads_text(&doc.get_heads()))?;
        for (table, full) in touched {
            if let Some(row) = read_record(doc, &full)? {
                db.put_row(table, &row)?;
            }
        }
        Ok(())
    }

    /// Who first wrote a record into its document: the device (UUID text), the agent the
    /// change names, and when (milliseconds since the epoch). `None` when the document does
    /// not hold it.
    ///
    /// # Errors
    /// Store and automerge errors.
    pub fn record_origin(
        &mut self,
        db: &Db<'_>,
        id: &DocId,
        table: Table,
        key: &str,
    ) -> R<Option<(String, Option<String>, i64)>> {
        let doc = self.load(db, id)?;
        let full = format!("{}/{}", table.name(), key);
        let all = doc.get_all(ROOT, full.as_str())?;
        let Some((_, op)) = all.first() else {
            return Ok(None);
        };
        let op = op.clone();
        let doc = doc.document();
        let Some(h) = doc.hash_for_opid(&op) else {
            return Ok(None);
        };
        let Some(m) = doc.get_change_meta_by_hash(&h) else {
            return Ok(None);
        };
        let message = m.message.as_ref().map(Cow::to_string).unwrap_or_default();
        let agent = serde_json::from_str::<Json>(&message)
            .ok()
            .and_then(|j| j.get("agent").and_then(Json::as_str).map(str::to_owned));
        Ok(Some((
            device_of(&m.actor.to_hex_string()),
            agent,
            m.timestamp,
        )))
    }

    /// The values that make a record read as the change `chosen` left it, for its fields that
    /// have concurrent values or whose value was written by one of `others` (the competing
    /// changes): a contract resolved to a rejection names who rejected it, and the approval's
    /// `approved_by` goes back to what the rejecting device saw (none).
    ///
    /// # Errors
    /// Unknown record or change, automerge errors.
    pub fn values_as_of(
        &mut self,
        db: &Db<'_>,
        id: &DocId,
        table: Table,
        key: &str,
        chosen: &str,
        others: &[String],
    ) -> R<Vec<(String, Json)>> {
        let doc = self.load(db, id)?;
        let full = format!("{}/{}", table.name(), key);
        let Some((Value::Object(ObjType::Map), obj)) = doc.get(ROOT, full.as_str())? else {
            return Err(SyncError::UnknownReference {
                table: table.name(),
                key: key.to_owned(),
            });
        };
        let hash: ChangeHash = chosen
            .parse()
            .map_err(|_| SyncError::Malformed(format!("modification inconnue « {chosen} »")))?;
        if doc.document().get_change_meta_by_hash(&hash).is_none() {
            return Err(SyncError::Malformed(format!(
                "modification inconnue « {chosen} »"
            )));
        }
        let mut out = Vec::new();
        for field in doc.keys(&obj) {
            let all = doc.get_all(&obj, field.as_str())?;
            let by_other = all.iter().any(|(_, op)| {
                doc.hash_for_opid(op)
                    .is_some_and(|h| others.iter().any(|o| *o == h.to_string()))
            });
            if all.len() < 2 && !by_other {
                continue;
            }
            let then = match doc.get_at(&obj, field.as_str(), &[hash])? {
                Some((Value::Scalar(v), _)) => json(&v),
                _ => Json::Null,
            };
            out.push((field, then));
        }
        Ok(out)
    }
}

/// Whether `fresh` (changes the document lacked before the merge) are exactly the changes the
/// merge added between `before` and `after`: each depends only on what was there or on one
/// another, none waits for a missing dependency, and the new heads are among them or were
/// heads already. Otherwise (changes queued by an earlier message released by this one, say)
/// the merge stores what the document says it added.
fn exactly_added(
    doc: &mut AutoCommit,
    before: &[ChangeHash],
    after: &[ChangeHash],
    fresh: &[Brought],
) -> bool {
    let mine: std::collections::HashSet<ChangeHash> = fresh.iter().map(|c| c.hash).collect();
    let known = |h: &ChangeHash| before.contains(h) || mine.contains(h);
    !fresh.is_empty()
        && after.iter().all(known)
        && fresh.iter().all(|c| c.deps.iter().all(known))
        && doc.get_missing_deps(&[]).is_empty()
        && fresh
            .iter()
            .all(|c| doc.document().get_change_meta_by_hash(&c.hash).is_some())
}

/// Puts the look-alikes of a merge's records in the conflict queue ([`flag_look_alikes`]):
/// how many conflicts were opened, each added to `inserted`.
fn flag_rows(
    db: &Db<'_>,
    id: &DocId,
    rows: &[RowToWrite],
    now: &str,
    inserted: &mut Vec<ConflictRow>,
) -> R<usize> {
    // probable duplicates: flagged the same way, once per group, unless the secretariat
    // already decided about the pair (merged, or two people)
    let mut merges: Option<sene_domain::merges::Merges> = None;
    let mut conflicts = 0;
    // the deliveries' look-alikes in one query (the rows are written: each query alone would
    // see the same store)
    let mut deliveries: Vec<&str> = rows
        .iter()
        .filter(|(table, ..)| *table == Table::Deliveries)
        .filter_map(|(_, _, row, _)| row.get("id").and_then(Json::as_str))
        .collect();
    deliveries.sort_unstable();
    deliveries.dedup();
    let known = db.delivery_look_alikes(&deliveries)?;
    for (table, _, row, _) in rows {
        let Some(rid) = row.get("id").and_then(Json::as_str) else {
            continue;
        };
        let alikes = match table {
            Table::Deliveries => known.get(rid).cloned().unwrap_or_default(),
            _ => db.look_alikes(*table, rid)?,
        };
        #[cfg(debug_assertions)]
        debug_assert_eq!(alikes, db.look_alikes(*table, rid)?, "{rid}");
        if let Some(dup) = flag_look_alikes(db, id, *table, rid, now, &mut merges, alikes)? {
            conflicts += 1;
            inserted.push(dup);
        }
    }
    Ok(conflicts)
}

/// Closes every open conflict whose candidates a resolution covers, whether the resolution
/// came in `rows` or before the conflicts `inserted` were found.
fn close_resolved(db: &Db<'_>, rows: &[RowToWrite], inserted: &[ConflictRow]) -> R<()> {
    for (table, _, row, _) in rows {
        if *table == Table::ConflictResolutions {
            if let Some(r) = row.get("id").and_then(Json::as_str) {
                if let Some(r) = db.conflict_resolution(r)? {
                    close_covered(db, &r)?;
                }
            }
        }
    }
    for c in inserted {
        for r in db.conflict_resolutions_on(&c.record_table)? {
            close_covered(db, &r)?;
        }
    }
    Ok(())
}

/// What [`Engine::merge_appended`] (and [`apply_incoming`], to skip automerge's patch log
/// and its second parse of the changes) needs of a message's changes, read without the
/// document: the heads they leave it at, the records they create, in the projection's order,
/// and the changes parsed. `None`
/// unless every change is new and follows from `before` (the document's heads) or the others,
/// and only puts new maps at the root with their scalar fields (see there).
fn appended(
    before: &[ChangeHash],
    brought: &[Brought],
) -> Option<(Vec<ChangeHash>, Vec<RowToWrite>, Vec<automerge::Change>)> {
    use automerge::legacy::{Key, ObjectId, OpType};
    use std::collections::HashSet;
    if !follows(before, brought) {
        return None;
    }
    let deps: HashSet<ChangeHash> = brought
        .iter()
        .flat_map(|b| b.deps.iter().copied())
        .collect();
    let mut after: Vec<ChangeHash> = before
        .iter()
        .copied()
        .chain(brought.iter().map(|b| b.hash))
        .filter(|h| !deps.contains(h))
        .collect();
    after.sort_unstable();
    let mut rows: Vec<RowToWrite> = Vec::new();
    let mut keys: HashSet<String> = HashSet::new();
    let mut changes = Vec::with_capacity(brought.len());
    for b in brought {
        let change = automerge::Change::from_bytes(b.bytes.clone()).ok()?;
        if change.hash() != b.hash {
            return None;
        }
        let expanded = change.decode();
        let start = expanded.start_op.get();
        // the maps this change makes, by the counter of the operation that made them
        let mut made: HashMap<u64, usize> = HashMap::new();
        for (i, op) in expanded.operations.iter().enumerate() {
            let Key::Map(k) = &op.key else {
                return None;
            };
            if !op.pred.is_empty() || op.insert {
                return None;
            }
            match (&op.obj, &op.action) {
                (ObjectId::Root, OpType::Make(ObjType::Map)) => {
                    let (table, _) = split_key(k)?;
                    if !keys.insert(k.to_string()) {
                        return None;
                    }
                    made.insert(start.checked_add(u64::try_from(i).ok()?)?, rows.len());
                    rows.push((table, k.to_string(), Map::new(), false));
                }
                (ObjectId::Id(obj), OpType::Put(v)) if obj.1 == expanded.actor_id => {
                    let at = *made.get(&obj.0)?;
                    let row = &mut rows.get_mut(at)?.2;
                    if row.insert(k.to_string(), json(v)).is_some() {
                        return None;
                    }
                }
                _ => return None,
            }
        }
        changes.push(change);
    }
    rows.sort_by(|(ta, ka, ..), (tb, kb, ..)| (order(*ta), ka).cmp(&(order(*tb), kb)));
    Some((after, rows, changes))
}

/// Whether `brought` are new changes that follow from `before` (a document's heads) or from
/// each other, each once: what [`appended`] asks of them before reading their operations.
fn follows(before: &[ChangeHash], brought: &[Brought]) -> bool {
    use std::collections::HashSet;
    if before.is_empty() || brought.is_empty() {
        return false;
    }
    let mine: HashSet<ChangeHash> = brought.iter().map(|b| b.hash).collect();
    // each change once, none held here: a held change would be a descendant of the heads
    // (its dependencies are heads or others of these), which no held change is
    if mine.len() != brought.len() || before.iter().any(|h| mine.contains(h)) {
        return false;
    }
    let known = |h: &ChangeHash| before.contains(h) || mine.contains(h);
    brought
        .iter()
        .all(|b| !b.deps.is_empty() && b.deps.iter().all(known))
}

/// A change as it came in a sync message, read only as far as its hash and dependencies:
/// automerge parses and checks it whole when it applies it, and parsing it a second time here
/// (`Change::from_bytes`, which checks every operation) was a tenth of the hub's merge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Brought {
    pub hash: ChangeHash,
    pub deps: Vec<ChangeHash>,
    /// The change's actor.
    pub actor: Vec<u8>,
    pub bytes: Vec<u8>,
}

impl Brought {
    /// Reads an uncompressed change chunk (magic bytes, checksum, type 1, length, body whose
    /// first field is the dependencies); its hash is automerge's, SHA-256 of the type, the
    /// length and the body, and must agree with the checksum. `None` for anything else (a
    /// compressed change, a whole document, a damaged chunk): the merge then stores what the
    /// document says it added.
    pub(crate) fn read(chunk: &[u8]) -> Option<Brought> {
        use sha2::Digest;
        const MAGIC: [u8; 4] = [0x85, 0x6f, 0x4a, 0x83];
        const CHANGE: u8 = 1;
        const COMPRESSED: u8 = 2;
        if chunk.get(..4)? != MAGIC {
            return None;
        }
        let kind = *chunk.get(8)?;
        let checksum = chunk.get(4..8)?;
        let (len, n) = uleb(chunk.get(9..)?)?;
        let start = 9 + n;
        let raw = chunk.get(start..start.checked_add(usize::try_from(len).ok()?)?)?;
        if start + raw.len() != chunk.len() {
            return None;
        }
        // a large change travels deflated (automerge compresses it): its hash and its header
        // are those of the change as it reads inflated
        let inflated;
        let body: &[u8] = match kind {
            CHANGE => raw,
            COMPRESSED => {
                use std::io::Read;
                let mut out = Vec::new();
                flate2::read::DeflateDecoder::new(raw)
                    .take(crate::wire::MAX_INFLATED)
                    .read_to_end(&mut out)
                    .ok()?;
                inflated = out;
                &inflated
            }
            _ => return None,
        };
        let mut header = vec![CHANGE];
        let mut v = u64::try_from(body.len()).ok()?;
        loop {
            let byte = u8::try_from(v & 0x7f).ok()?;
            v >>= 7;
            if v == 0 {
                header.push(byte);
                break;
            }
            header.push(byte | 0x80);
        }
        let mut hasher = sha2::Sha256::new();
        hasher.update(&header);
        hasher.update(body);
        let hash: [u8; 32] = hasher.finalize().into();
        if hash.get(..4)? != checksum {
            return None;
        }
        let (count, mut at) = uleb(body)?;
        let mut deps = Vec::new();
        for _ in 0..count {
            let h: [u8; 32] = body.get(at..at + 32)?.try_into().ok()?;
            deps.push(ChangeHash(h));
            at += 32;
        }
        let (actor_len, n) = uleb(body.get(at..)?)?;
        let from = at + n;
        let actor = body
            .get(from..from.checked_add(usize::try_from(actor_len).ok()?)?)?
            .to_vec();
        Some(Brought {
            hash: ChangeHash(hash),
            deps,
            actor,
            bytes: chunk.to_vec(),
        })
    }

    /// Every change of `chunks`: change chunks as they are (one, or several end to end in one
    /// entry of a sync message), a whole document's changes read out of it. `None` when a
    /// chunk is none of these.
    pub(crate) fn read_all<'a>(chunks: impl Iterator<Item = &'a [u8]>) -> Option<Vec<Brought>> {
        let mut out = Vec::new();
        for c in chunks {
            if let Some(b) = Brought::read(c) {
                out.push(b);
                continue;
            }
            if c.get(8) != Some(&0) {
                // several changes in one entry of a sync message, end to end
                let parts = crate::relay::split_chunks(c);
                if parts.len() < 2 {
                    return None;
                }
                for p in parts {
                    out.push(Brought::read(&p)?);
                }
                continue;
            }
            let mut whole = AutoCommit::load(c).ok()?;
            for ch in whole.get_changes(&[]) {
                out.push(Brought::read(ch.raw_bytes())?);
            }
        }
        Some(out)
    }

    /// The device (UUID text) of the change's actor.
    pub(crate) fn device(&self) -> String {
        device_of(&hex_of(&self.actor))
    }
}

fn hex_of(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// An unsigned LEB128 number at the start of `bytes`, and how many bytes it took.
pub(crate) fn uleb(bytes: &[u8]) -> Option<(u64, usize)> {
    let mut v: u64 = 0;
    for (i, b) in bytes.iter().enumerate().take(10) {
        v |= u64::from(b & 0x7f).checked_shl(u32::try_from(7 * i).ok()?)?;
        if b & 0x80 == 0 {
            return Some((v, i + 1));
        }
    }
    None
}

/// First byte of an ack: "my heads are exactly these" (automerge's messages start with 0x42
/// or 0x43). An ack replaces a message that carries no change, needs nothing and tells heads
/// the peer is known to have: one byte, the number of heads and 8 bytes of them, instead of
/// the heads and a Bloom filter (≈ 70 B that deflate cannot shrink, per document).
pub(crate) const ACK: u8 = 0;

/// Whether a document's message is an ack: this side's heads, which the peer told it holds,
/// and nothing else. A laptop whose next request would hold only acks has nothing to say
/// (its next session's first request confirms them).
#[must_use]
pub fn is_ack(message: &[u8]) -> bool {
    message.first() == Some(&ACK)
}

fn ack_bytes(heads: &[ChangeHash]) -> Vec<u8> {
    let mut sorted = heads.to_vec();
    sorted.sort();
    let mut print = [0u8; 8];
    for h in &sorted {
        for (p, b) in print.iter_mut().zip(h.0.iter()) {
            *p ^= b;
        }
    }
    let mut out = vec![ACK, u8::try_from(sorted.len()).unwrap_or(u8::MAX)];
    out.extend_from_slice(&print);
    out
}

/// Where the record of what was last sent a peer of a document is kept: the peer's sync
/// states, under the document's id and this suffix (forgotten with them).
const SENT_SUFFIX: &str = "#envoye";

fn sent_key(id: &DocId) -> String {
    format!("{id}{SENT_SUFFIX}")
}

/// What was last sent a peer of a document: the heads its message brought the peer to, and
/// the heads agreed with the peer when it was sent (sorted).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Sent {
    agreed: Vec<ChangeHash>,
    heads: Vec<ChangeHash>,
}

fn sent_bytes(agreed: &[ChangeHash], heads: &[ChangeHash]) -> Vec<u8> {
    let mut out = Vec::with_capacity(2 + 32 * (agreed.len() + heads.len()));
    for list in [agreed, heads] {
        let mut sorted = list.to_vec();
        sorted.sort();
        out.push(u8::try_from(sorted.len()).unwrap_or(u8::MAX));
        for h in sorted.iter().take(usize::from(u8::MAX)) {
            out.extend_from_slice(&h.0);
        }
    }
    out
}

fn read_sent(bytes: &[u8]) -> Option<Sent> {
    let mut cur = bytes;
    let mut lists = Vec::with_capacity(2);
    for _ in 0..2 {
        let (n, rest) = cur.split_first()?;
        let len = usize::from(*n) * 32;
        let body = rest.get(..len)?;
        lists.push(
            body.chunks_exact(32)
                .map(|c| c.try_into().ok().map(ChangeHash))
                .collect::<Option<Vec<_>>>()?,
        );
        cur = rest.get(len..)?;
    }
    let heads = lists.pop()?;
    let agreed = lists.pop()?;
    cur.is_empty().then_some(Sent { agreed, heads })
}

/// The ack that may stand for `m`, sent under `state`.
fn ack_for(m: &Message, state: &State) -> Option<Vec<u8>> {
    let knows = state.their_heads.as_ref() == Some(&m.heads);
    (m.changes.is_empty() && m.need.is_empty() && knows).then(|| ack_bytes(&m.heads))
}

fn leb128(bytes: &mut &[u8]) -> Option<u64> {
    let mut out: u64 = 0;
    for shift in (0..64).step_by(7) {
        let (b, rest) = bytes.split_first()?;
        *bytes = rest;
        out |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return Some(out);
        }
    }
    None
}

/// Refuses bloom filters automerge 0.12 would choke on (found by fuzzing: a filter with zero
/// bits per entry makes it divide by zero; a huge probe count makes it allocate and loop
/// without bound). Filters made by automerge use 10 bits per entry and 7 probes.
fn check_blooms(msg: &Message) -> R<()> {
    for have in &msg.have {
        let bytes = have.bloom.to_bytes();
        let mut cur = bytes.as_slice();
        if cur.is_empty() {
            continue;
        }
        let bad = || {
            SyncError::Malformed(
                "filtre de Bloom invalide dans le message de synchronisation".into(),
            )
        };
        let entries = leb128(&mut cur).ok_or_else(bad)?;
        let bits_per_entry = leb128(&mut cur).ok_or_else(bad)?;
        let probes = leb128(&mut cur).ok_or_else(bad)?;
        if entries == 0 || !(1..=64).contains(&bits_per_entry) || !(1..=64).contains(&probes) {
            return Err(bad());
        }
    }
    Ok(())
}

/// The device id (UUID) behind an actor id, when it is one.
#[must_use]
pub fn device_of(actor_hex: &str) -> String {
    // a restored store's actor is its device id followed by a few bytes of its own
    let id = actor_hex.get(..32).unwrap_or(actor_hex);
    uuid::Uuid::try_parse(id).map_or_else(|_| actor_hex.to_owned(), |u| u.to_string())
}

/// The field name of a probable-duplicate conflict.
pub const DUPLICATE: &str = "(doublon probable)";
/// The field name of a record created twice under one key.
pub const CREATION: &str = "(création)";

/// The kind of a conflict from its field: `duplicate`, `creation`, or `fields` (one record's
/// fields with concurrent values).
#[must_use]
pub fn conflict_kind(field: &str) -> &'static str {
    match field {
        DUPLICATE => "duplicate",
        CREATION => "creation",
        _ => "fields",
    }
}

/// A candidate's key, as a resolution names it: the first 16 hex digits of the change that
/// wrote it (concurrent values), or the record id (probable duplicates).
#[must_use]
pub fn candidate_key(candidate: &Json) -> String {
    match candidate.get("change").and_then(Json::as_str) {
        Some(h) if !h.is_empty() => h.chars().take(16).collect(),
        _ => match candidate.get("value") {
            Some(Json::String(s)) => s.clone(),
            Some(v) => v.to_string(),
            None => String::new(),
        },
    }
}

/// The field the conflict is shown by: the state when it is one of them, else the first.
#[must_use]
pub fn principal_field(fields: &str) -> &str {
    let mut all = fields.split(", ");
    if fields.split(", ").any(|f| f == "state") {
        "state"
    } else {
        all.next().unwrap_or(fields)
    }
}

/// Closes every open conflict that `r` settles: the same record (for duplicates, any group
/// of the same table) and kind, every candidate among those it covers.
///
/// # Errors
/// Store errors.
pub fn close_covered(db: &Db<'_>, r: &sene_store::ConflictResolution) -> R<usize> {
    let covers: std::collections::HashSet<&str> = r.covers.split(',').collect();
    let mut closed = 0;
    for c in db.conflicts(true)? {
        if c.record_table != r.record_table || conflict_kind(&c.field) != r.kind {
            continue;
        }
        if r.kind != "duplicate" && c.record_key != r.record_key {
            continue;
        }
        let candidates: Vec<Json> = serde_json::from_str(&c.candidates).unwrap_or_default();
        if candidates.is_empty()
            || !candidates
                .iter()
                .all(|k| covers.contains(candidate_key(k).as_str()))
        {
            continue;
        }
        let resolution = serde_json::json!({
            "resolution": r.id,
            "action": r.action,
            "choice": r.choice,
            "reason": r.reason,
        })
        .to_string();
        if db.resolve_conflict(&c.id, &r.resolved_at, &r.agent_id, &resolution)? {
            closed += 1;
        }
    }
    Ok(closed)
}

/// Puts a record's look-alikes (a member with the same number, phone, NINA, or name and
/// village; a delivery alike) in the conflict queue as one probable-duplicate conflict, unless
/// the secretariat already decided about the pair (merged, or two people) or the group is
/// already queued. Run on every record a merge writes, and after a member's correction (a
/// corrected phone may reveal a duplicate). `alikes`: the record's look-alikes as
/// [`Db::look_alikes`] reads them (a merge reads its deliveries' in one query). `merges`
/// caches the merge decisions between calls.
///
/// # Errors
/// Store errors.
pub fn flag_look_alikes(
    db: &Db<'_>,
    id: &DocId,
    table: Table,
    rid: &str,
    now: &str,
    merges: &mut Option<sene_domain::merges::Merges>,
    mut alikes: Vec<String>,
) -> R<Option<ConflictRow>> {
    if table == Table::Members && !alikes.is_empty() {
        let m = match merges.take() {
            Some(m) => m,
            None => sene_domain::merges::Merges::new(&db.member_merges()?),
        };
        if let Ok(me) = rid.parse::<sene_domain::MemberId>() {
            alikes.retain(|o| {
                o.parse::<sene_domain::MemberId>()
                    .map_or(true, |o| !m.settled(me, o))
            });
        }
        *merges = Some(m);
    }
    if alikes.is_empty() {
        return Ok(None);
    }
    let mut group: Vec<String> = alikes;
    group.push(rid.to_owned());
    group.sort();
    let candidates: Vec<Json> = group
        .iter()
        .map(|g| serde_json::json!({ "value": g }))
        .collect();
    let dup = ConflictRow {
        id: uuid::Uuid::now_v7().to_string(),
        doc_id: id.to_string(),
        record_table: table.name().into(),
        record_key: group.first().cloned().unwrap_or_default(),
        field: DUPLICATE.into(),
        money: is_money_table(table),
        candidates: Json::Array(candidates).to_string(),
        found_at: now.to_owned(),
        resolved_at: None,
        resolved_by: None,
        resolution: None,
    };
    Ok(db.insert_conflict(&dup)?.then_some(dup))
}

/// The conflicts a record has in a document: the record created twice under its key, and its
/// fields with concurrent values, as one conflict whose candidates are the changes that wrote
/// them (each with its device, agent, time, message and the values it wrote).
fn record_conflicts(
    doc: &mut AutoCommit,
    id: &DocId,
    table: Table,
    key: &str,
    now: &str,
) -> R<Vec<ConflictRow>> {
    let doc: &automerge::Automerge = doc.document();
    let meta = |op: &automerge::ObjId| -> (String, String, i64, Json, Json) {
        let Some(h) = doc.hash_for_opid(op) else {
            return (String::new(), String::new(), 0, Json::Null, Json::Null);
        };
        let m = doc.get_change_meta_by_hash(&h);
        let actor = m
            .as_ref()
            .map(|m| m.actor.to_hex_string())
            .unwrap_or_default();
        let time = m.as_ref().map_or(0, |m| m.timestamp);
        let message = m
            .as_ref()
            .and_then(|m| m.message.as_ref().map(Cow::to_string))
            .unwrap_or_default();
        let said: Json = serde_json::from_str(&message).unwrap_or(Json::String(message.clone()));
        let agent = said.get("agent").cloned().unwrap_or(Json::Null);
        let action = said.get("actions").cloned().unwrap_or(said.clone());
        (device_of(&actor), h.to_string(), time, agent, action)
    };
    let row = |field: String, candidates: Vec<Json>| {
        let money = is_money_table(table) || field.split(", ").any(is_money_column);
        ConflictRow {
            id: uuid::Uuid::now_v7().to_string(),
            doc_id: id.to_string(),
            record_table: table.name().into(),
            record_key: key.split_once('/').map_or("", |(_, k)| k).to_owned(),
            field,
            money,
            candidates: Json::Array(candidates).to_string(),
            found_at: now.to_owned(),
            resolved_at: None,
            resolved_by: None,
            resolution: None,
        }
    };
    let mut out = Vec::new();
    let created = doc.get_all(ROOT, key)?;
    if created.len() > 1 {
        let mut candidates: Vec<Json> = created
            .iter()
            .map(|(_, o)| {
                let (device, change, time, agent, message) = meta(o);
                serde_json::json!({ "value": "map", "device": device, "agent": agent, "change": change, "time": time, "message": message })
            })
            .collect();
        candidates.sort_by_key(ToString::to_string);
        out.push(row(CREATION.into(), candidates));
    }
    let Some((_, obj)) = created.first() else {
        return Ok(out);
    };
    // per change: what it wrote on the fields in conflict
    let mut by_change: BTreeMap<String, (Json, Map<String, Json>)> = BTreeMap::new();
    let mut fields: Vec<String> = Vec::new();
    for field in doc.keys(obj) {
        let all = doc.get_all(obj, field.as_str())?;
        if all.len() < 2 {
            continue;
        }
        fields.push(field.clone());
        for (v, op) in all {
            let (device, change, time, agent, message) = meta(&op);
            let e = by_change.entry(change.clone()).or_insert_with(|| {
                (
                    serde_json::json!({ "device": device, "agent": agent, "change": change, "time": time, "message": message }),
                    Map::new(),
                )
            });
            e.1.insert(field.clone(), v.as_scalar().map_or(Json::Null, json));
        }
    }
    if fields.is_empty() {
        return Ok(out);
    }
    fields.sort();
    let field = fields.join(", ");
    let principal = principal_field(&field).to_owned();
    let mut candidates: Vec<Json> = by_change
        .into_values()
        .map(|(mut c, values)| {
            if let Json::Object(m) = &mut c {
                m.insert(
                    "value".into(),
                    values.get(&principal).cloned().unwrap_or(Json::Null),
                );
                m.insert("fields".into(), Json::Object(values));
            }
            c
        })
        .collect();
    candidates.sort_by_key(ToString::to_string);
    out.push(row(field, candidates));
    Ok(out)
}

fn put_record(doc: &mut AutoCommit, table: Table, row: &Map<String, Json>) -> R<()> {
    let key = record_key(table, row);
    let obj = match doc.get(ROOT, key.as_str())? {
        Some((Value::Object(ObjType::Map), id)) => id,
        _ => doc.put_object(ROOT, key.as_str(), ObjType::Map)?,
    };
    for (col, v) in row {
        let sv = scalar(v);
        let same =
            matches!(doc.get(&obj, col.as_str())?, Some((Value::Scalar(cur), _)) if *cur == sv);
        if !same {
            doc.put(&obj, col.as_str(), sv)?;
        }
    }
    Ok(())
}

/// Rebuilds a projection from the documents of `source` into the empty store `target`.
///
/// # Errors
/// Automerge and store errors.
pub fn rebuild(source: &Db<'_>, target: &Db<'_>) -> R<usize> {
    let mut rows: Rows = Vec::new();
    let mut docs: Vec<DocId> = source
        .doc_ids()?
        .iter()
        .map(|s| s.parse())
        .collect::<R<_>>()?;
    docs.sort_by_key(|d| (d.rank(), d.to_string()));
    for id in &docs {
        let chunks = source.chunks(&id.to_string())?;
        // from the full history, not the snapshot: the rebuild proves the changes themselves
        let doc = AutoCommit::load(&chunks.concat())?;
        let mut r = doc_rows(&doc)?;
        r.sort_by_key(|(t, row)| (order(*t), row_key(*t, row)));
        rows.extend(r);
    }
    rows.sort_by_key(|(t, _)| order(*t));
    for (table, row) in &rows {
        target.put_row(*table, row)?;
    }
    target.restore_receipt_sequences()?;
    Ok(rows.len())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// A change read by [`Brought::read`] has automerge's own hash and dependencies, small or
    /// large, compressed or not; a damaged chunk or a document is not read as one change.
    #[test]
    fn a_brought_change_has_automerges_hash_and_deps() {
        let mut doc = AutoCommit::new();
        let mut last = Vec::new();
        for (i, size) in [1usize, 400, 5_000].into_iter().enumerate() {
            doc.put(ROOT, format!("k{i}"), "x".repeat(size)).unwrap();
            doc.commit();
            let c = doc.get_last_local_change().unwrap().clone();
            let b = Brought::read(c.raw_bytes()).unwrap();
            assert_eq!(b.hash, c.hash());
            assert_eq!(b.deps, c.deps());
            assert_eq!(b.bytes, c.raw_bytes());
            assert_eq!(b.deps, last);
            last = vec![c.hash()];
            let mut damaged = c.raw_bytes().to_vec();
            let n = damaged.len();
            damaged[n - 1] ^= 1;
            assert_eq!(Brought::read(&damaged), None);
            assert_eq!(Brought::read(&c.raw_bytes()[..n - 1]), None);
            let mut c2 = c.clone();
            let stored = c2.bytes().to_vec();
            if stored != c.raw_bytes() {
                // compressed (automerge deflates a large change): read inflated, same hash,
                // the bytes kept as they came
                let z = Brought::read(&stored).unwrap();
                assert_eq!(z.hash, c.hash());
                assert_eq!(z.deps, c.deps());
                assert_eq!(z.bytes, stored);
            }
        }
        assert_eq!(Brought::read(&doc.save()), None);
        assert_eq!(Brought::read(&[]), None);
    }

    /// What [`appended`] reads of changes without their document: the records they create
    /// and the heads they leave, as automerge's own document says; and nothing for a change
    /// that edits a record, one held already, one whose dependency is missing, a record made
    /// twice, or a document never held.
    /// A member's row by number.
    fn member_row(n: i64) -> Map<String, Json> {
        let mut r = Map::new();
        r.insert("id".into(), Json::String(format!("m{n}")));
        r.insert("number".into(), Json::from(n));
        r
    }

    /// A document holding member 1.
    fn one_member() -> AutoCommit {
        let mut doc = AutoCommit::new();
        put_record(&mut doc, Table::Members, &member_row(1)).unwrap();
        doc.commit();
        doc
    }

    #[test]
    fn a_records_only_message_is_received_as_automerge_receives_it_even_when_it_releases_a_waiting_change(
    ) {
        let row = member_row;
        let mut doc = one_member();
        let mut theirs = doc.fork();
        let mut made = Vec::new();
        for n in [2, 3] {
            put_record(&mut theirs, Table::Members, &row(n)).unwrap();
            theirs.commit();
            made.push(theirs.get_last_local_change().unwrap().clone());
        }
        let message = |c: &automerge::Change| Message {
            heads: vec![c.hash()],
            need: Vec::new(),
            have: Vec::new(),
            changes: automerge::sync::ChunkList::from(vec![c.raw_bytes().to_vec()]),
            flags: None,
            version: automerge::sync::MessageVersion::V1,
        };
        // The second change comes first (by another way) and waits for the first; then a
        // message brings the first alone, saying the sender is at it: it creates a record
        // only, and releases the waiting one.
        let mut cases = Vec::new();
        for waiting in [false, true] {
            let mut here = doc.fork();
            if waiting {
                here.apply_changes(vec![made[1].clone()]).unwrap();
                assert_eq!(here.get_missing_deps(&[]), vec![made[0].hash()]);
            }
            let mut automerges = (here.fork(), State::new());
            if waiting {
                automerges.0.apply_changes(vec![made[1].clone()]).unwrap();
            }
            let brought = vec![Brought::read(made[0].raw_bytes()).unwrap()];
            let mut state = State::new();
            let applied = apply_incoming(here, Some(brought), |f, created| {
                assert!(created.is_some(), "only creates a record");
                receive_into(f, &mut state, message(&made[0]), created)
            })
            .unwrap();
            automerges
                .0
                .sync()
                .receive_sync_message(&mut automerges.1, message(&made[0]))
                .unwrap();
            let mut fork = applied.fork;
            assert_eq!(fork.get_heads(), automerges.0.get_heads(), "{waiting}");
            assert_eq!(state, automerges.1, "{waiting}");
            let keys: Vec<String> = applied.rows.iter().map(|(_, k, ..)| k.clone()).collect();
            cases.push((fork.get_heads(), keys));
        }
        // alone, it is taken as it came; with the waiting one, both are in
        assert_eq!(cases[0].0, vec![made[0].hash()]);
        assert_eq!(cases[1].0, vec![made[1].hash()]);
        assert_eq!(cases[0].1, [record_key(Table::Members, &row(2))]);
        assert_eq!(
            cases[1].1,
            [
                record_key(Table::Members, &row(2)),
                record_key(Table::Members, &row(3))
            ]
        );
    }

    #[test]
    fn appended_changes_give_the_records_and_heads_automerge_gives() {
        let row = member_row;
        let mut doc = one_member();
        let before = doc.get_heads();
        let mut theirs = doc.fork();
        let mut changes = Vec::new();
        for n in [2, 3] {
            put_record(&mut theirs, Table::Members, &row(n)).unwrap();
            theirs.commit();
            changes.push(theirs.get_last_local_change().unwrap().clone());
        }
        let brought: Vec<Brought> = changes
            .iter()
            .map(|c| Brought::read(c.raw_bytes()).unwrap())
            .collect();
        let (after, rows, _) = appended(&before, &brought).unwrap();
        assert_eq!(after, theirs.get_heads());
        let keys: Vec<String> = rows.iter().map(|(_, k, ..)| k.clone()).collect();
        assert_eq!(
            keys,
            [
                record_key(Table::Members, &row(2)),
                record_key(Table::Members, &row(3))
            ]
        );
        for (table, key, r, scan) in &rows {
            assert_eq!(*table, Table::Members);
            assert!(!scan);
            assert_eq!(read_record(&theirs, key).unwrap().as_ref(), Some(r));
        }
        // the second alone follows from the first, not from the heads held
        assert!(appended(&before, &brought[1..]).is_none());
        // a change held already
        let held = Brought::read(doc.get_last_local_change().unwrap().raw_bytes()).unwrap();
        assert!(appended(&before, &[held]).is_none());
        assert!(appended(&before, &[brought[0].clone(), brought[0].clone()]).is_none());
        // a document never held
        assert!(appended(&[], &brought).is_none());
        // an edit of a record
        let mut edit = theirs.fork();
        let obj = match edit.get(ROOT, record_key(Table::Members, &row(1))).unwrap() {
            Some((_, o)) => o,
            None => unreachable!(),
        };
        edit.put(&obj, "number", 9).unwrap();
        edit.commit();
        let e = Brought::read(edit.get_last_local_change().unwrap().raw_bytes()).unwrap();
        let mut all = brought.clone();
        all.push(e);
        assert!(appended(&before, &all).is_none());
        // a field added to a record made by an earlier change (no value replaced)
        let mut add = theirs.fork();
        let obj = match add.get(ROOT, record_key(Table::Members, &row(3))).unwrap() {
            Some((_, o)) => o,
            None => unreachable!(),
        };
        add.put(&obj, "phone", "76").unwrap();
        add.commit();
        let a = Brought::read(add.get_last_local_change().unwrap().raw_bytes()).unwrap();
        let mut all = brought.clone();
        all.push(a);
        assert!(appended(&before, &all).is_none());
        // the same record made on two sides
        let mut twice = doc.fork();
        put_record(&mut twice, Table::Members, &row(2)).unwrap();
        twice.commit();
        let t = Brought::read(twice.get_last_local_change().unwrap().raw_bytes()).unwrap();
        let mut all = brought.clone();
        all.push(t);
        assert!(appended(&before, &all).is_none());
    }

    /// A document both sides agreed on, in a store (the union's, as the engine stores it) and
    /// at a peer: the engine's side, the peer's document, and the heads they share.
    fn agreed_with_a_peer(db: &Db<'_>, peer: &str) -> (DocId, AutoCommit, Vec<ChangeHash>) {
        let id = DocId::Union;
        let mut ours = AutoCommit::new();
        ours.put(ROOT, "unions/a", "x").unwrap();
        ours.commit();
        let mut theirs = ours.fork();
        theirs.put(ROOT, "unions/b", "y").unwrap();
        theirs.commit();
        ours.put(ROOT, "unions/c", "z").unwrap();
        ours.commit();
        // automerge's own sync until neither side has anything to say
        let (mut s_ours, mut s_theirs) = (State::new(), State::new());
        for _ in 0..10 {
            let a = ours.sync().generate_sync_message(&mut s_ours);
            if let Some(m) = a.clone() {
                theirs
                    .sync()
                    .receive_sync_message(&mut s_theirs, m)
                    .unwrap();
            }
            let b = theirs.sync().generate_sync_message(&mut s_theirs);
            if let Some(m) = b.clone() {
                ours.sync().receive_sync_message(&mut s_ours, m).unwrap();
            }
            if a.is_none() && b.is_none() {
                break;
            }
        }
        let mut heads = ours.get_heads();
        heads.sort_unstable();
        let mut held = theirs.get_heads();
        held.sort_unstable();
        assert_eq!(heads, held, "both sides converged");
        assert_eq!(heads.len(), 2, "two concurrent heads");
        let key = id.to_string();
        db.ensure_doc(&key).unwrap();
        db.append_chunk(&key, &ours.save()).unwrap();
        db.set_heads(&key, &heads_text(&ours.get_heads())).unwrap();
        db.put_sync_state(peer, &key, &s_ours.encode()).unwrap();
        (id, theirs, heads)
    }

    /// The session of a device asking about a document that did not move: the message it
    /// sends and then the peer's ack it takes, by an engine that never loads the document
    /// (`unloaded`) or by one that loaded it first, as automerge says. The messages said and
    /// the states left.
    fn session_about_an_unmoved_document(
        db: &Db<'_>,
        peer: &str,
        id: &DocId,
        heads: &[ChangeHash],
        unloaded: bool,
    ) -> (Vec<Option<Vec<u8>>>, Vec<State>, bool) {
        let (db, id) = (db, id.clone());
        // an engine of this device, the document loaded first unless `unloaded`
        let fresh = || {
            let mut e = Engine::new(DeviceId::new());
            if !unloaded {
                e.doc(db, &id).unwrap();
            }
            e
        };
        let state = |e: &Engine| e.states[peer][&id].clone();
        let check: Check<'_> = &|_, _, _, _| Ok(());
        let take_ack = |e: &mut Engine| {
            let out = e
                .receive(
                    db,
                    peer,
                    &id,
                    &ack_bytes(heads),
                    check,
                    "2026-12-06T00:00:00Z",
                )
                .unwrap();
            assert_eq!(out, MergeOutcome::default());
        };
        let mut engine = fresh();
        let mut said = Vec::new();
        let mut states = Vec::new();
        said.push(engine.generate(db, peer, &id).unwrap());
        states.push(state(&engine));
        // asked again before any answer: nothing more to say
        said.push(engine.generate(db, peer, &id).unwrap());
        states.push(state(&engine));
        take_ack(&mut engine);
        states.push(state(&engine));
        said.push(engine.generate(db, peer, &id).unwrap());
        states.push(state(&engine));
        // a session that begins with the peer's ack (nothing said yet)
        let mut first = fresh();
        take_ack(&mut first);
        states.push(state(&first));
        said.push(first.generate(db, peer, &id).unwrap());
        states.push(state(&first));
        let loaded = engine.docs.contains_key(&id) || first.docs.contains_key(&id);
        (said, states, loaded)
    }

    /// The fast paths for a document that did not move (`Engine::unloaded_message` and the ack
    /// branch of `Engine::receive_relayed`) say what automerge's own messages would (an ack of
    /// the agreed heads, then nothing) and leave every field of the sync state as automerge's
    /// `generate_sync_message` and `receive_sync_message` leave it, without loading the
    /// document.
    #[test]
    fn an_unmoved_document_is_acked_and_its_ack_taken_as_automerge_would_without_loading_it() {
        let store = sene_store::Store::open_in_memory().unwrap();
        let db = store.db();
        let peer = "hub";
        let (id, _, heads) = agreed_with_a_peer(&db, peer);
        // the same store for both: each session ends where it began in the store (the agreed
        // heads), its states in its own engine
        let (said_fast, states_fast, loaded_fast) =
            session_about_an_unmoved_document(&db, peer, &id, &heads, true);
        let (said_auto, states_auto, loaded_auto) =
            session_about_an_unmoved_document(&db, peer, &id, &heads, false);
        assert!(!loaded_fast, "the fast paths loaded the document");
        assert!(loaded_auto);
        assert_eq!(said_fast, said_auto);
        assert!(said_fast[0].as_deref().is_some_and(is_ack), "{said_fast:?}");
        assert_eq!(said_fast[1], None);
        assert_eq!(states_fast, states_auto);
        // the ack taken: both sides hold the same heads, nothing in flight
        let last = &states_fast[2];
        assert!(!last.in_flight);
        assert_eq!(last.their_heads.as_ref(), Some(&last.shared_heads));
    }

    /// The record of what was last sent reads back as written, heads sorted; a damaged one
    /// does not read.
    #[test]
    fn what_was_sent_reads_back_and_a_damaged_record_does_not() {
        let h = |b: u8| ChangeHash([b; 32]);
        let bytes = sent_bytes(&[h(9), h(2)], &[h(5)]);
        assert_eq!(
            read_sent(&bytes),
            Some(Sent {
                agreed: vec![h(2), h(9)],
                heads: vec![h(5)]
            })
        );
        assert_eq!(
            read_sent(&sent_bytes(&[], &[])),
            Some(Sent {
                agreed: vec![],
                heads: vec![]
            })
        );
        assert_eq!(read_sent(&bytes[..bytes.len() - 1]), None);
        let mut longer = bytes.clone();
        longer.push(0);
        assert_eq!(read_sent(&longer), None);
        assert_eq!(read_sent(&[]), None);
        assert!(is_ack(&ack_bytes(&[h(1)])) && !is_ack(&[0x42]) && !is_ack(&[]));
    }
}
