//! Automerge's own compression taken out of a sync message before the envelope is deflated.
//!
//! automerge deflates a whole document column by column (each column above 256 bytes on its
//! own) and a large change as one chunk. The envelope's deflate cannot shrink those bytes
//! again, and they are no use as the next exchange's dictionary: a new laptop's first sync
//! (its scope's documents, whole) came as deflated columns, so the push after it was
//! compressed against nothing it shared. Uncompressed, the envelope's one deflate sees every
//! column and every document of the exchange together (the same member, contract and
//! warehouse ids in the registry and the season documents, the same field names in every
//! record), and the last exchange's raw bytes hold the ids a new day's records point to.
//!
//! The receiver reads an uncompressed chunk as it read the compressed one: the same document,
//! the same changes (a change's hash is that of its uncompressed bytes), the same heads.

use automerge::sync::{ChunkList, Message};

/// automerge's chunk magic bytes.
const MAGIC: [u8; 4] = [0x85, 0x6f, 0x4a, 0x83];
/// Chunk kinds: a whole document, one change, one deflated change.
const DOCUMENT: u8 = 0;
const COMPRESSED_CHANGE: u8 = 2;
/// A column spec's deflate bit.
const DEFLATE_BIT: u64 = 0b1000;
/// The first byte of automerge's sync messages (V1, V2); anything else is left alone.
const SYNC_V1: u8 = 0x42;
const SYNC_V2: u8 = 0x43;
/// Most bytes a message may take once uncompressed: above, it travels as automerge made it
/// (the receiver caps an exchange's inflated size, [`super::MAX_INFLATED`]).
pub const EXPANDED_MAX: usize = 32 * 1024 * 1024;

fn uleb(bytes: &[u8], at: &mut usize) -> Option<u64> {
    let mut v: u64 = 0;
    for shift in (0..64).step_by(7) {
        let b = *bytes.get(*at)?;
        *at += 1;
        v |= u64::from(b & 0x7f).checked_shl(shift)?;
        if b & 0x80 == 0 {
            return Some(v);
        }
    }
    None
}

fn skip(bytes: &[u8], at: &mut usize, n: u64) -> Option<()> {
    let end = at.checked_add(usize::try_from(n).ok()?)?;
    if end > bytes.len() {
        return None;
    }
    *at = end;
    Some(())
}

/// Whether a chunk is automerge's compressed form: a deflated change, or a document with a
/// deflated column. `None` when it is not a chunk this reads (left as it is).
fn compressed(chunk: &[u8]) -> Option<bool> {
    if chunk.get(..4)? != MAGIC {
        return None;
    }
    let kind = *chunk.get(8)?;
    if kind == COMPRESSED_CHANGE {
        return Some(true);
    }
    if kind != DOCUMENT {
        return Some(false);
    }
    let mut at = 9;
    let len = uleb(chunk, &mut at)?;
    if usize::try_from(len).ok()? != chunk.len().checked_sub(at)? {
        return None;
    }
    // actors, heads, then the change columns' and the ops columns' specs
    let actors = uleb(chunk, &mut at)?;
    for _ in 0..actors {
        let n = uleb(chunk, &mut at)?;
        skip(chunk, &mut at, n)?;
    }
    let heads = uleb(chunk, &mut at)?;
    skip(chunk, &mut at, heads.checked_mul(32)?)?;
    let mut any = false;
    for _ in 0..2 {
        let columns = uleb(chunk, &mut at)?;
        for _ in 0..columns {
            let spec = uleb(chunk, &mut at)?;
            uleb(chunk, &mut at)?;
            any |= spec & DEFLATE_BIT != 0;
        }
    }
    Some(any)
}

/// The chunk uncompressed, or `None` when it is not compressed (or does not read).
fn expand_chunk(chunk: &[u8]) -> Option<Vec<u8>> {
    if !compressed(chunk)? {
        return None;
    }
    if chunk.get(8) == Some(&DOCUMENT) {
        let doc = automerge::Automerge::load(chunk).ok()?;
        Some(doc.save_nocompress())
    } else {
        let change = automerge::Change::try_from(chunk).ok()?;
        Some(change.raw_bytes().to_vec())
    }
}

/// Fewest changes a message must carry to travel as one document instead.
pub const DOCUMENT_FROM: usize = 4;

/// The message's changes as one uncompressed document, when they are one: at least
/// [`DOCUMENT_FROM`] change chunks, each depending only on changes among them (what a peer that
/// holds nothing of the document is sent: a new laptop's scope). A document stores each
/// change's dependencies as indexes and its metadata in columns, where a list of changes
/// repeats a 32-byte hash, a checksum and a header per change, which no deflate shrinks. The
/// receiver loads it as it loads the changes ([`automerge::Automerge::load_incremental`]): the
/// same changes, the same heads.
fn as_document(m: &Message) -> Option<Vec<u8>> {
    if m.changes.len() < DOCUMENT_FROM {
        return None;
    }
    let brought: Vec<crate::engine::Brought> = m
        .changes
        .iter()
        .map(crate::engine::Brought::read)
        .collect::<Option<_>>()?;
    let hashes: std::collections::HashSet<_> = brought.iter().map(|b| b.hash).collect();
    if !brought
        .iter()
        .flat_map(|b| &b.deps)
        .all(|d| hashes.contains(d))
    {
        return None;
    }
    use automerge::ReadDoc;
    let mut doc = automerge::Automerge::new();
    for c in m.changes.iter() {
        doc.load_incremental(c).ok()?;
    }
    if !doc.get_missing_deps(&[]).is_empty() || doc.get_changes(&[]).len() != hashes.len() {
        return None;
    }
    Some(doc.save_nocompress())
}

/// The sync message with its compressed chunks uncompressed, or its changes as one document
/// (see [`as_document`]); `None` when there is nothing to do (or the message does not read, or
/// would grow past [`EXPANDED_MAX`]): it is then sent as it is. A message it returns gives
/// `None` again: nothing is expanded twice.
#[must_use]
pub fn expand_message(msg: &[u8]) -> Option<Vec<u8>> {
    if !matches!(msg.first(), Some(&SYNC_V1 | &SYNC_V2)) {
        return None;
    }
    let mut m = Message::decode(msg).ok()?;
    if let Some(doc) = as_document(&m).filter(|d| d.len() <= EXPANDED_MAX) {
        m.changes = ChunkList::from(doc);
        return Some(m.encode());
    }
    if !m.changes.iter().any(|c| compressed(c) == Some(true)) {
        return None;
    }
    let mut chunks = Vec::with_capacity(m.changes.len());
    let mut total = 0usize;
    for c in m.changes.iter() {
        let out = expand_chunk(c).unwrap_or_else(|| c.to_vec());
        total = total.saturating_add(out.len());
        if total > EXPANDED_MAX {
            return None;
        }
        chunks.push(out);
    }
    m.changes = ChunkList::from(chunks);
    Some(m.encode())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use automerge::sync::SyncDoc;
    use automerge::transaction::Transactable;
    use automerge::{AutoCommit, ReadDoc, ROOT};

    fn doc_of(n: u32) -> AutoCommit {
        let mut doc = AutoCommit::new();
        for i in 0..n {
            let obj = doc
                .put_object(ROOT, format!("deliveries/{i:08}"), automerge::ObjType::Map)
                .unwrap();
            doc.put(&obj, "member_id", "0193a2b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b")
                .unwrap();
            doc.put(&obj, "accepted_kg", i64::from(i) * 7).unwrap();
            doc.commit();
        }
        doc
    }

    /// A new peer's first message carries the document whole, deflated column by column: it
    /// comes out uncompressed, larger, and the peer ends with the same document and heads.
    #[test]
    fn a_whole_document_arrives_the_same_uncompressed() {
        let mut hub = doc_of(400);
        let mut laptop = AutoCommit::new();
        let mut hub_state = automerge::sync::State::new();
        let mut laptop_state = automerge::sync::State::new();
        // the laptop says it holds nothing (and supports whole documents)
        let hello = laptop
            .sync()
            .generate_sync_message(&mut laptop_state)
            .unwrap();
        hub.sync()
            .receive_sync_message(&mut hub_state, hello)
            .unwrap();
        let msg = hub
            .sync()
            .generate_sync_message(&mut hub_state)
            .unwrap()
            .encode();
        let m = Message::decode(&msg).unwrap();
        assert_eq!(m.changes.len(), 1);
        assert_eq!(m.changes.iter().next().unwrap()[8], DOCUMENT);
        assert_eq!(compressed(m.changes.iter().next().unwrap()), Some(true));
        let out = expand_message(&msg).unwrap();
        assert!(out.len() > msg.len(), "{} <= {}", out.len(), msg.len());
        assert_eq!(expand_message(&out), None, "expanded once only");
        laptop
            .sync()
            .receive_sync_message(&mut laptop_state, Message::decode(&out).unwrap())
            .unwrap();
        assert_eq!(laptop.get_heads(), hub.get_heads());
        assert_eq!(laptop.save(), hub.save());
        let k = format!("deliveries/{:08}", 399);
        let (_, obj) = laptop.get(ROOT, k.as_str()).unwrap().unwrap();
        assert!(laptop.get(&obj, "accepted_kg").unwrap().is_some());
    }

    /// A new peer is sent a document's changes one by one (the first message of a session
    /// does not know the peer reads whole documents): they travel as one document, smaller
    /// once deflated, and the peer ends with the same document and heads. Changes that depend
    /// on others the peer holds travel as they are.
    #[test]
    fn the_changes_of_a_whole_document_travel_as_one() {
        let mut hub = doc_of(300);
        let heads = hub.get_heads();
        let all: Vec<Vec<u8>> = hub
            .get_changes(&[])
            .iter()
            .map(|c| c.raw_bytes().to_vec())
            .collect();
        let message = |changes: Vec<Vec<u8>>| {
            Message {
                heads: heads.clone(),
                need: vec![],
                have: vec![],
                changes: ChunkList::from(changes),
                flags: None,
                version: automerge::sync::MessageVersion::V1,
            }
            .encode()
        };
        let msg = message(all.clone());
        let out = expand_message(&msg).unwrap();
        assert_eq!(expand_message(&out), None, "expanded once only");
        let m = Message::decode(&out).unwrap();
        assert_eq!(m.changes.len(), 1);
        assert_eq!(m.changes.iter().next().unwrap()[8], DOCUMENT);
        let hub_save = hub.save();
        let deflated = |b: &[u8]| super::super::deflate_with(b, None).unwrap().len();
        assert!(
            deflated(&out) < deflated(&msg) * 3 / 4,
            "{} against {}",
            deflated(&out),
            deflated(&msg)
        );
        let mut laptop = AutoCommit::new();
        let mut state = automerge::sync::State::new();
        laptop.sync().receive_sync_message(&mut state, m).unwrap();
        assert_eq!(laptop.get_heads(), heads);
        assert_eq!(laptop.save(), hub_save);
        // the last ten depend on changes the peer holds: as they are
        let tail = message(all[all.len() - 10..].to_vec());
        assert_eq!(expand_message(&tail), None);
        // too few to be worth a document
        let few = message(all[..DOCUMENT_FROM - 1].to_vec());
        assert_eq!(expand_message(&few), None);
    }

    /// A large change travels deflated; uncompressed, it is the same change (same hash).
    #[test]
    fn a_compressed_change_comes_out_as_the_same_change() {
        let mut doc = doc_of(0);
        for i in 0..300 {
            let obj = doc
                .put_object(ROOT, format!("deliveries/{i:08}"), automerge::ObjType::Map)
                .unwrap();
            doc.put(&obj, "member_id", format!("member {i}")).unwrap();
        }
        doc.commit();
        let mut change = doc.get_changes(&[]).into_iter().next().unwrap().clone();
        let packed = change.bytes().to_vec();
        assert_eq!(packed[8], COMPRESSED_CHANGE);
        let m = Message {
            heads: doc.get_heads(),
            need: vec![],
            have: vec![],
            changes: ChunkList::from(vec![packed.clone()]),
            flags: None,
            version: automerge::sync::MessageVersion::V1,
        };
        let msg = m.encode();
        let out = expand_message(&msg).unwrap();
        assert_eq!(expand_message(&out), None);
        let back = Message::decode(&out).unwrap();
        let chunk = back.changes.iter().next().unwrap().to_vec();
        assert_eq!(chunk[8], 1);
        let c = automerge::Change::from_bytes(chunk).unwrap();
        assert_eq!(c.hash(), change.hash());
    }

    /// Anything that is not a sync message with a compressed chunk is left alone, never a
    /// panic: garbage, truncated messages and chunks, acks.
    #[test]
    fn anything_else_is_left_alone() {
        assert_eq!(expand_message(b""), None);
        assert_eq!(expand_message(b"\x42"), None);
        assert_eq!(expand_message(b"\x43\xff\xff\xff"), None);
        assert_eq!(expand_message(b"\x01ack"), None);
        let doc = doc_of(50).save();
        for cut in [0, 5, 9, 10, 20, doc.len() / 2, doc.len() - 1] {
            let _ = compressed(&doc[..cut]);
            let _ = expand_chunk(&doc[..cut]);
        }
        let mut bad = doc.clone();
        bad[12] ^= 0xff;
        let _ = expand_chunk(&bad);
    }
}
