//! The office's side of relayed records (see [`sene_sync::relay`]): the key of its own
//! changes, the tags of every change it sends a device, and the proofs it asks of the changes a
//! device carries for other authors.

use std::collections::HashMap;

use sene_app::sync::Scope;
use sene_app::Ledger;
use sene_store::{Db, Table};
use sene_sync::relay::ChangeHash;
use sene_sync::relay::{self, Relay, Tag};
use sene_sync::wire::Envelope;
use sene_sync::DocId;

use crate::{enroll, secret, HubError};

/// The setting holding the key of the office's own changes (kept in the store, so in every
/// backup: a restored office still proves what it wrote before the loss).
pub const OFFICE_KEY: &str = "office_tag_key";

/// The office: its device and the key of its changes (made at first use).
#[derive(Clone)]
pub struct Office {
    pub device: String,
    key: Vec<u8>,
}

impl std::fmt::Debug for Office {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Office")
            .field("device", &self.device)
            .finish()
    }
}

impl Office {
    /// The office of `ledger`'s store, its key made and kept if it has none yet.
    ///
    /// # Errors
    /// Store errors; a store with no device of its own.
    pub fn of(ledger: &mut Ledger) -> Result<Office, HubError> {
        let device =
            ledger
                .setting(sene_app::settings::LOCAL_DEVICE)?
                .ok_or(HubError::Unauthorized(
                    "ce bureau n'a pas d'appareil propre",
                ))?;
        let key = match ledger.setting(OFFICE_KEY)? {
            Some(k) => k,
            None => {
                let k = secret::token();
                ledger.set_setting(OFFICE_KEY, &k)?;
                k
            }
        };
        Ok(Office {
            device,
            key: key.into_bytes(),
        })
    }

    /// The key of the changes of `author`: the office's own, or the bundle key the device got
    /// at enrollment.
    fn key_of(&self, db: &Db<'_>, author: &str) -> Option<Vec<u8>> {
        if author == self.device {
            return Some(self.key.clone());
        }
        db.hub_device(author)
            .ok()
            .flatten()
            .and_then(|d| d.bundle_key)
            .map(String::into_bytes)
    }

    /// What `author` may write: the office everything, a device its enrolled scope.
    fn writes(&self, db: &Db<'_>, author: &str, doc: &DocId, table: Table) -> Result<(), String> {
        if author == self.device {
            return Scope::Everything.writes(doc, table);
        }
        let d = db
            .hub_device(author)
            .map_err(|e| e.to_string())?
            .ok_or_else(|| format!("appareil {author} inconnu du bureau"))?;
        enroll::scope_of_db(db, &d)
            .map_err(|e| e.to_string())?
            .writes(doc, table)
    }

    /// Adds to `env` (sent to `to`) the tag of every change in it that `to` did not write.
    ///
    /// # Errors
    /// Never, today; kept fallible for the store reads.
    pub fn tag_outgoing(&self, db: &Db<'_>, env: &mut Envelope, to: &str) -> Result<(), HubError> {
        let mut keys: HashMap<String, Option<Vec<u8>>> = HashMap::new();
        let mut tags = Vec::new();
        for (id, item) in &env.items {
            if id == relay::TAGS_ITEM {
                continue;
            }
            for (hash, author) in relay::changes_in(item) {
                if author == to {
                    continue;
                }
                let key = keys
                    .entry(author.clone())
                    .or_insert_with(|| self.key_of(db, &author));
                if let Some(k) = key {
                    tags.push((hash, relay::tag(k, &hash)));
                }
            }
        }
        if !tags.is_empty() {
            env.items
                .push((relay::TAGS_ITEM.to_owned(), relay::encode_tags(&tags)));
        }
        Ok(())
    }
}

/// The tags an envelope carries.
///
/// # Errors
/// [`sene_sync::SyncError::Malformed`] for a damaged tags item.
pub fn tags_of(env: &Envelope) -> Result<HashMap<ChangeHash, Tag>, HubError> {
    let mut out = HashMap::new();
    for (id, item) in &env.items {
        if id == relay::TAGS_ITEM {
            out.extend(relay::decode_tags(item)?);
        }
    }
    Ok(out)
}

/// Runs `f` with the relay that proves changes carried for other authors by the `tags` of the
/// exchange.
pub fn with_relay<T>(
    office: &Office,
    tags: &HashMap<ChangeHash, Tag>,
    f: impl FnOnce(&Relay<'_>) -> T,
) -> T {
    let proven = |db: &Db<'_>, author: &str, hash: &ChangeHash| {
        tags.get(hash).is_some_and(|t| {
            office
                .key_of(db, author)
                .is_some_and(|k| relay::verify(&k, hash, t))
        })
    };
    let writes = |db: &Db<'_>, author: &str, doc: &DocId, table: Table| {
        office.writes(db, author, doc, table)
    };
    f(&Relay {
        proven: &proven,
        writes: &writes,
    })
}
