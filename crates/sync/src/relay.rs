//! Records relayed by a device that did not write them, accepted when their author is proven.
//!
//! When the union office is put back from a backup, the changes written after the backup by
//! other laptops and by the office itself survive only on the laptops that received them. A
//! laptop syncing with the restored office carries them back. The office accepts such a change
//! only with its author's **tag**: HMAC-SHA256, keyed by the author's bundle key (given to the
//! device at enrollment, known to that device and to the office only; the office's own changes
//! under a key of the office's store), over the change's hash. Another laptop cannot make a tag
//! for a change it did not receive from the office, so it cannot forge a record in someone
//! else's name, whatever it carries.
//!
//! The office computes the tag of every change it sends a device (it holds the keys); the
//! device keeps the tags of the changes it received (`change_tags`) and sends them along
//! whenever it sends a change that is not its own. A change whose tag does not verify, and
//! whatever depends on it, is **held back**, not refused: the document is not blocked, and
//! the change comes in with a proof later (its author syncs, or a tag arrives).

use std::collections::HashMap;

pub use automerge::ChangeHash;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use crate::engine::Brought;
use crate::error::SyncError;
use crate::DocId;
use sene_store::{Db, Table};

/// The envelope item that carries the tags of the changes of an exchange or a USB file.
pub const TAGS_ITEM: &str = "tags";

/// A tag: HMAC-SHA256 of a change hash.
pub type Tag = [u8; 32];

type HmacSha256 = Hmac<Sha256>;

/// The tag of the change `hash` under `key`.
#[must_use]
pub fn tag(key: &[u8], hash: &ChangeHash) -> Tag {
    // a key of any length is accepted by HMAC
    let Ok(mut m) = <HmacSha256 as KeyInit>::new_from_slice(key) else {
        return [0; 32];
    };
    m.update(b"sene-change\0");
    m.update(&hash.0);
    m.finalize().into_bytes().into()
}

/// Whether `t` is the tag of `hash` under `key` (compared in constant time).
#[must_use]
pub fn verify(key: &[u8], hash: &ChangeHash, t: &Tag) -> bool {
    let Ok(mut m) = <HmacSha256 as KeyInit>::new_from_slice(key) else {
        return false;
    };
    m.update(b"sene-change\0");
    m.update(&hash.0);
    m.verify_slice(t).is_ok()
}

/// The tags item: pairs of (hash, tag), 64 bytes each.
#[must_use]
pub fn encode_tags(tags: &[(ChangeHash, Tag)]) -> Vec<u8> {
    let mut out = Vec::with_capacity(tags.len() * 64);
    for (h, t) in tags {
        out.extend_from_slice(&h.0);
        out.extend_from_slice(t);
    }
    out
}

/// Reads a tags item.
///
/// # Errors
/// [`SyncError::Malformed`] for a length that is not a multiple of 64.
pub fn decode_tags(bytes: &[u8]) -> Result<HashMap<ChangeHash, Tag>, SyncError> {
    if !bytes.len().is_multiple_of(64) {
        return Err(SyncError::Malformed("étiquettes d'auteur tronquées".into()));
    }
    let mut out = HashMap::with_capacity(bytes.len() / 64);
    for pair in bytes.chunks_exact(64) {
        let (h, t) = pair.split_at(32);
        let h: [u8; 32] = h
            .try_into()
            .map_err(|_| SyncError::Malformed("étiquette".into()))?;
        let t: Tag = t
            .try_into()
            .map_err(|_| SyncError::Malformed("étiquette".into()))?;
        out.insert(ChangeHash(h), t);
    }
    Ok(out)
}

/// What the receiving side needs to accept changes relayed by a device that did not write
/// them: whether a change is proven to be its author's, and what that author may write.
pub struct Relay<'a> {
    /// `(store, author device, change hash)` → whether the change's tag verifies.
    pub proven: &'a dyn Fn(&Db<'_>, &str, &ChangeHash) -> bool,
    /// `(store, author device, document, table)` → what the author may write there (its
    /// scope).
    pub writes: &'a AuthorWrites<'a>,
}

/// What an author may write: `(store, author device, document, table)` → `Err` with the
/// reason.
pub type AuthorWrites<'a> = dyn Fn(&Db<'_>, &str, &DocId, Table) -> Result<(), String> + 'a;

impl std::fmt::Debug for Relay<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Relay")
    }
}

/// The changes of an item of an exchange (a sync message, or the raw changes of a USB file),
/// each with its hash and its actor's device (a whole document's changes read out of it).
#[must_use]
pub fn changes_in(item: &[u8]) -> Vec<(ChangeHash, String)> {
    if item.first() == Some(&crate::engine::ACK) {
        return Vec::new();
    }
    let chunks: Vec<Vec<u8>> = match automerge::sync::Message::decode(item) {
        Ok(m) => m.changes.iter().map(<[u8]>::to_vec).collect(),
        Err(_) => split_chunks(item),
    };
    let mut out = Vec::new();
    for c in &chunks {
        // one change, or a whole document (sent to a peer that holds nothing of it)
        if let Some(all) = Brought::read_all(std::iter::once(c.as_slice())) {
            out.extend(all.into_iter().map(|b| (b.hash, b.device())));
        }
    }
    out
}

/// Splits concatenated change chunks (a USB file's raw changes) at their declared lengths.
#[must_use]
pub fn split_chunks(mut bytes: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    while bytes.len() > 9 {
        let Some((len, n)) = crate::engine::uleb(&bytes[9..]) else {
            break;
        };
        let Some(end) = usize::try_from(len)
            .ok()
            .and_then(|l| l.checked_add(9 + n))
            .filter(|e| *e <= bytes.len())
        else {
            break;
        };
        out.push(bytes[..end].to_vec());
        bytes = &bytes[end..];
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_tag_verifies_under_its_key_only() {
        let h = ChangeHash([7; 32]);
        let t = tag(b"cle-awa", &h);
        assert!(verify(b"cle-awa", &h, &t));
        assert!(!verify(b"cle-bakary", &h, &t));
        assert!(!verify(b"cle-awa", &ChangeHash([8; 32]), &t));
        let bytes = encode_tags(&[(h, t)]);
        assert_eq!(decode_tags(&bytes).unwrap().get(&h), Some(&t));
        assert!(decode_tags(&bytes[..63]).is_err());
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod whole_doc_tests {
    use automerge::transaction::Transactable;

    /// The changes of a whole document (what automerge sends a peer that holds nothing of it)
    /// are read out of it, each with its hash and author, as separate changes are.
    #[test]
    fn a_whole_documents_changes_are_read_out_of_it() {
        let mut doc = automerge::AutoCommit::new();
        doc.set_actor(automerge::ActorId::from(&[7u8; 16][..]));
        for i in 0..3 {
            doc.put(
                automerge::ROOT,
                format!("k{i}"),
                "une valeur assez longue pour rien",
            )
            .unwrap();
            doc.commit();
        }
        // a large change too (deflated by automerge when it travels)
        for i in 0..200 {
            doc.put(
                automerge::ROOT,
                format!("gros{i}"),
                format!("valeur {i} ").repeat(20),
            )
            .unwrap();
        }
        doc.commit();
        let heads: Vec<_> = doc
            .get_changes(&[])
            .iter()
            .map(automerge::Change::hash)
            .collect();
        for mut c in doc.get_changes(&[]) {
            let raw = c.raw_bytes().to_vec();
            assert!(
                crate::engine::Brought::read(&raw).is_some(),
                "raw {} bytes",
                raw.len()
            );
            let sent = c.bytes().to_vec();
            assert!(
                crate::engine::Brought::read(&sent).is_some(),
                "sent {} bytes kind {:?}",
                sent.len(),
                sent.get(8)
            );
        }
        let saved = doc.save();
        let read = super::changes_in(&saved);
        assert_eq!(read.len(), 4, "{read:?}");
        for (h, author) in &read {
            assert!(heads.contains(h));
            assert_eq!(author, "07070707-0707-0707-0707-070707070707");
        }
    }
}
