//! Local changes squashed before they first leave the store.
//!
//! Every use case writes its own automerge change, in its own transaction (a power cut loses
//! nothing confirmed). On the wire, each change costs its 32-byte dependency hash, its checksum
//! and its header, which deflate cannot shrink: a day of 50 deliveries sent as 50 changes is
//! twice the bytes of the records themselves (BENCHMARKS.md, sync). So, before anything of a
//! document leaves the store (a sync message, a USB file), the run of this device's own changes
//! that **no one has seen yet** is replaced, in the document, by one change with the same
//! effect. No peer can hold one of the replaced changes: every chunk that ever left the store or
//! came into it is marked shared ([`sene_store::Db::mark_shared`]) before it leaves, and only the
//! chunks after the last shared one are squashed. The original chunks stay in the store
//! (immutable); the document's history reads the squash in their place.
//!
//! The squash is made by replaying the run's final effect on a fork of the document at the
//! run's start, and is kept only when every record it touches reads the same as before, value
//! for value and conflict for conflict; otherwise the changes go as they are.

use std::collections::BTreeSet;

use automerge::transaction::{CommitOptions, Transactable};
use automerge::{AutoCommit, Change, ObjType, Prop, ReadDoc, Value, ROOT};
use sene_store::Db;
use serde_json::Value as Json;

use super::{heads_text, Engine, R};
use crate::doc::DocId;

/// A record's fields with every value each holds (more than one when concurrent).
type Fields = Vec<(String, Vec<Value<'static>>)>;

fn fields(doc: &AutoCommit, obj: &automerge::ObjId) -> R<Fields> {
    let mut out = Vec::new();
    for field in doc.keys(obj) {
        let values = doc
            .get_all(obj, field.as_str())?
            .into_iter()
            .map(|(v, _)| v.into_owned())
            .collect();
        out.push((field, values));
    }
    Ok(out)
}

/// The record maps under a root key: the fields of each, in order.
fn record(doc: &AutoCommit, key: &str) -> R<Option<Vec<Fields>>> {
    let mut out = Vec::new();
    for (v, obj) in doc.get_all(ROOT, key)? {
        match v {
            Value::Object(ObjType::Map) => out.push(fields(doc, &obj)?),
            _ => return Ok(None),
        }
    }
    Ok(Some(out))
}

/// One message for the squashed run: the actions in order (a repeated one counted) and the
/// agent, as the use cases write them (`{"actions": "...", "agent": "..."}`).
fn message(changes: &[Change]) -> String {
    let mut actions: Vec<(String, usize)> = Vec::new();
    let mut agents: BTreeSet<String> = BTreeSet::new();
    for c in changes {
        let text = c.message().unwrap_or_default();
        let said: Json = serde_json::from_str(text).unwrap_or(Json::Null);
        let these: Vec<String> = match said.get("actions").and_then(Json::as_str) {
            Some(a) => a.split(',').map(str::to_owned).collect(),
            None => vec![text.to_owned()],
        };
        if let Some(agent) = said.get("agent").and_then(Json::as_str) {
            agents.insert(agent.to_owned());
        }
        for a in these.into_iter().filter(|a| !a.is_empty()) {
            match actions.iter_mut().find(|(b, _)| *b == a) {
                Some((_, n)) => *n += 1,
                None => actions.push((a, 1)),
            }
        }
    }
    let actions = actions
        .into_iter()
        .map(|(a, n)| if n > 1 { format!("{a} ×{n}") } else { a })
        .collect::<Vec<_>>()
        .join(",");
    let agent = match agents.len() {
        1 => agents.into_iter().next().map_or(Json::Null, Json::from),
        0 => Json::Null,
        _ => Json::from(agents.into_iter().collect::<Vec<_>>()),
    };
    serde_json::json!({ "actions": actions, "agent": agent }).to_string()
}

impl Engine {
    /// Called before anything of document `id` leaves the store: squashes the run of unseen
    /// local changes (two or more) into one, then marks the whole history shared.
    ///
    /// # Errors
    /// Store and automerge errors.
    pub(crate) fn prepare_outgoing(&mut self, db: &Db<'_>, id: &DocId) -> R<()> {
        let key = id.to_string();
        let upto = db.shared_upto(&key)?;
        let local = db.chunks_after(&key, upto)?;
        if local.is_empty() {
            // nothing new here since it was last shared: no write (the hub asks this of every
            // document in a device's scope at every exchange)
            return Ok(());
        }
        if local.len() >= 2 {
            self.squash(db, id, &local)?;
        }
        db.mark_shared(&key)?;
        Ok(())
    }

    /// Squashes `local` (the unseen chunks of the document, in order) if they are a linear run
    /// of this device's changes, one per chunk, ending at the document's heads. Returns whether
    /// it did.
    fn squash(&mut self, db: &Db<'_>, id: &DocId, local: &[(i64, Vec<u8>)]) -> R<bool> {
        let actor = self.actor.clone();
        let mut changes: Vec<Change> = Vec::with_capacity(local.len());
        for (_, bytes) in local {
            let Ok(c) = Change::from_bytes(bytes.clone()) else {
                return Ok(false);
            };
            if c.raw_bytes().len() != bytes.len() || c.actor_id() != &actor {
                return Ok(false);
            }
            if let Some(prev) = changes.last() {
                if c.deps() != [prev.hash()] || c.seq() != prev.seq() + 1 {
                    return Ok(false);
                }
            }
            changes.push(c);
        }
        let (Some(first), Some(last)) = (changes.first(), changes.last()) else {
            return Ok(false);
        };
        let base_heads = first.deps().to_vec();
        let doc = self.load(db, id)?;
        let heads = doc.get_heads();
        if heads != [last.hash()] || !doc.get_missing_deps(&[]).is_empty() {
            return Ok(false);
        }
        let mut keys: BTreeSet<String> = BTreeSet::new();
        for p in doc.diff(&base_heads, &heads) {
            match (p.path.first(), &p.action) {
                (Some((_, Prop::Map(k))), _) => keys.insert(k.clone()),
                (None, automerge::PatchAction::PutMap { key, .. }) => keys.insert(key.clone()),
                _ => return Ok(false),
            };
        }
        let mut base = doc.fork_at(&base_heads)?;
        base.set_actor(actor.clone());
        for key in &keys {
            let Some(after) = record(doc, key)? else {
                return Ok(false);
            };
            let [after] = after.as_slice() else {
                // a record created twice: left as it is
                return Ok(false);
            };
            let obj = match base.get_all(ROOT, key.as_str())?.as_slice() {
                [] => base.put_object(ROOT, key.as_str(), ObjType::Map)?,
                [(Value::Object(ObjType::Map), o)] => o.clone(),
                _ => return Ok(false),
            };
            let before = fields(&base, &obj)?;
            for (field, values) in after {
                if before.iter().any(|(f, v)| f == field && v == values) {
                    continue;
                }
                let [Value::Scalar(v)] = values.as_slice() else {
                    return Ok(false);
                };
                base.put(&obj, field.as_str(), v.as_ref().clone())?;
            }
            for (field, _) in &before {
                if !after.iter().any(|(f, _)| f == field) {
                    base.delete(&obj, field.as_str())?;
                }
            }
        }
        let Some(_) = base.commit_with(
            CommitOptions::default()
                .with_message(message(&changes))
                .with_time(last.timestamp()),
        ) else {
            return Ok(false);
        };
        // the squash must read exactly as the run it replaces
        if base.length(ROOT) != doc.length(ROOT) {
            return Ok(false);
        }
        for key in &keys {
            if record(&base, key)? != record(doc, key)? {
                return Ok(false);
            }
        }
        let new_heads = base.get_heads();
        let Some(squashed) = base.get_last_local_change() else {
            return Ok(false);
        };
        if new_heads != [squashed.hash()] || squashed.seq() != first.seq() {
            return Ok(false);
        }
        let bytes = base.save_after(&base_heads);
        let key = id.to_string();
        let (from, to) = (local[0].0, local[local.len() - 1].0);
        db.put_squash(&key, from, to, &bytes)?;
        db.put_snapshot(&key, to, &base.save())?;
        db.set_heads(&key, &heads_text(&new_heads))?;
        self.docs.insert(id.clone(), base);
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_message_counts_repeated_actions_and_names_the_agent() {
        let mut doc = AutoCommit::new();
        let mut changes = Vec::new();
        for (i, m) in [
            r#"{"actions":"record_delivery","agent":"a1"}"#,
            r#"{"actions":"record_delivery","agent":"a1"}"#,
            r#"{"actions":"sign_contract,record_disbursement","agent":"a1"}"#,
        ]
        .iter()
        .enumerate()
        {
            doc.put(ROOT, "k", i64::try_from(i).unwrap_or_default())
                .expect("put");
            doc.commit_with(CommitOptions::default().with_message((*m).to_owned()));
            changes.push(doc.get_last_local_change().expect("change"));
        }
        let said: Json = serde_json::from_str(&message(&changes)).expect("json");
        assert_eq!(
            said["actions"],
            "record_delivery ×2,sign_contract,record_disbursement"
        );
        assert_eq!(said["agent"], "a1");
    }
}
