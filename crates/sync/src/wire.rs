//! The wire format of one exchange: sync messages tagged with their document id, compressed.
//!
//! `SENE` `0x01` then a deflate stream of: a u32 count, then per message a u16 length and the
//! document id (UTF-8), a u32 length and the automerge sync message. Or `SENE` `0x02`, the 8-byte
//! id of a dictionary both sides hold, then the same stream deflated with that dictionary
//! preset: the raw bytes of the two sides' last exchange ([`next_dict`]), which hold the ids of
//! the members, contracts and warehouses a new day's records point to (BENCHMARKS.md, sync). Decoding checks every
//! length against what is left and caps the inflated size, so a malformed or hostile payload
//! is an error, never a panic or an allocation bomb.

use std::io::Read;

use flate2::read::DeflateDecoder;
use flate2::Compression;

use crate::error::SyncError;

/// The item that carries a device's audit proof (in an exchange's first request and in a USB
/// file), not a document: the hub takes it out before merging.
pub const AUDIT_ITEM: &str = "audit";

/// The item by which a device put back from a copy of itself says so (its sync generation).
pub const RESTORED_ITEM: &str = "restaure";

/// The item of the hub's USB file for a device: the newest audit head the hub holds of it.
pub const KNOWN_ITEM: &str = "historique-connu";

/// Whether an item is one of the sender's own (its audit proof, its generation, what the hub
/// knows of it), not a document: the receiver's caller reads it, nothing merges it.
#[must_use]
pub fn is_sender_item(id: &str) -> bool {
    id == AUDIT_ITEM || id == RESTORED_ITEM || id == KNOWN_ITEM
}

const MAGIC: &[u8; 5] = b"SENE\x01";
const MAGIC_DICT: &[u8; 5] = b"SENE\x02";
/// Most bytes of a dictionary (deflate's window).
pub const DICT_MAX: usize = 32 * 1024;

/// A dictionary's id: the first 8 bytes of its SHA-256.
#[must_use]
pub fn dict_id(dict: &[u8]) -> [u8; 8] {
    use sha2::Digest;
    let h = sha2::Sha256::digest(dict);
    let mut id = [0u8; 8];
    id.copy_from_slice(&h[..8]);
    id
}

/// The dictionary for the next exchange: the last [`DICT_MAX`] bytes of the dictionary this
/// exchange used (`used`, none when it went without), then its request and reply, raw
/// ([`Envelope::raw`]). Both sides compute it from the dictionary the request named and what
/// they sent and received. A window that rolls on, rather than only this exchange: after an
/// exchange that said little (a sync with nothing new, a refused request), the next push is
/// still compressed against the last day's records.
#[must_use]
pub fn next_dict(used: Option<&[u8]>, request_raw: &[u8], reply_raw: &[u8]) -> Vec<u8> {
    let fresh = request_raw.len() + reply_raw.len();
    let keep = used.map_or(&[][..], |u| {
        &u[u.len().saturating_sub(DICT_MAX.saturating_sub(fresh))..]
    });
    let mut d = Vec::with_capacity(keep.len() + fresh);
    d.extend_from_slice(keep);
    d.extend_from_slice(request_raw);
    d.extend_from_slice(reply_raw);
    let cut = d.len().saturating_sub(DICT_MAX);
    d.split_off(cut)
}

thread_local! {
    /// A compressor kept by each thread and reset between uses: making one allocates and
    /// clears some 300 KB (window, hash chains), which cost the hub more than compressing a
    /// small reply (half a millisecond an exchange, measured).
    static COMPRESSOR: std::cell::RefCell<Option<flate2::Compress>> =
        const { std::cell::RefCell::new(None) };
    /// The same at the fastest level, for the dictionaries the hub keeps.
    static FAST_COMPRESSOR: std::cell::RefCell<Option<flate2::Compress>> =
        const { std::cell::RefCell::new(None) };
}

/// Raw deflate at the best level, with `dict` preset when given.
fn deflate_with(raw: &[u8], dict: Option<&[u8]>) -> Result<Vec<u8>, SyncError> {
    deflate_by(&COMPRESSOR, Compression::best(), raw, dict)
}

/// A dictionary packed for keeping: deflated at the fastest level (the hub writes one at every
/// exchange; the best level took several times longer for a few per cent).
///
/// # Errors
/// Compression errors.
pub fn pack_dict(dict: &[u8]) -> Result<Vec<u8>, SyncError> {
    deflate_by(&FAST_COMPRESSOR, Compression::fast(), dict, None)
}

/// A dictionary as [`pack_dict`] packed it; refused when damaged or larger than [`DICT_MAX`].
///
/// # Errors
/// [`SyncError::Malformed`].
pub fn unpack_dict(packed: &[u8]) -> Result<Vec<u8>, SyncError> {
    let mut out = Vec::with_capacity(DICT_MAX);
    DeflateDecoder::new(packed)
        .take(DICT_MAX as u64 + 1)
        .read_to_end(&mut out)
        .map_err(|e| SyncError::Malformed(format!("dictionnaire : {e}")))?;
    if out.len() > DICT_MAX {
        return Err(SyncError::Malformed("dictionnaire trop grand".into()));
    }
    Ok(out)
}

fn deflate_by(
    key: &'static std::thread::LocalKey<std::cell::RefCell<Option<flate2::Compress>>>,
    level: Compression,
    raw: &[u8],
    dict: Option<&[u8]>,
) -> Result<Vec<u8>, SyncError> {
    let bad = |e: String| SyncError::Malformed(format!("compression : {e}"));
    key.with(|cell| {
        let mut slot = cell.borrow_mut();
        let c = match slot.as_mut() {
            Some(c) => {
                c.reset();
                c
            }
            None => slot.insert(flate2::Compress::new(level, false)),
        };
        let result = (|| {
            if let Some(dict) = dict {
                c.set_dictionary(dict).map_err(|e| bad(e.to_string()))?;
            }
            let mut out = Vec::with_capacity(raw.len() / 2 + 64);
            loop {
                let done = usize::try_from(c.total_in()).map_err(|e| bad(e.to_string()))?;
                let status = c
                    .compress_vec(
                        raw.get(done..).unwrap_or_default(),
                        &mut out,
                        flate2::FlushCompress::Finish,
                    )
                    .map_err(|e| bad(e.to_string()))?;
                if status == flate2::Status::StreamEnd {
                    return Ok(out);
                }
                out.reserve(out.capacity().max(1024));
            }
        })();
        if result.is_err() {
            // not reused after a failure
            *slot = None;
        }
        result
    })
}

fn inflate_with(body: &[u8], dict: &[u8]) -> Result<Vec<u8>, SyncError> {
    let bad = |what: &str| SyncError::Malformed(what.to_owned());
    let mut d = flate2::Decompress::new(false);
    d.set_dictionary(dict)
        .map_err(|_| bad("compression invalide"))?;
    let mut out: Vec<u8> = Vec::with_capacity(body.len() * 4 + 64);
    loop {
        let done = usize::try_from(d.total_in()).map_err(|_| bad("compression invalide"))?;
        let before = (d.total_in(), d.total_out());
        let status = d
            .decompress_vec(
                body.get(done..).unwrap_or_default(),
                &mut out,
                flate2::FlushDecompress::Finish,
            )
            .map_err(|_| bad("compression invalide"))?;
        if status == flate2::Status::StreamEnd {
            return Ok(out);
        }
        if out.len() as u64 > MAX_INFLATED {
            return Err(bad("échange trop volumineux"));
        }
        if out.len() < out.capacity() && before == (d.total_in(), d.total_out()) {
            return Err(bad("échange tronqué"));
        }
        out.reserve(out.capacity().max(4096));
    }
}
/// Largest inflated exchange accepted: 256 MiB.
pub const MAX_INFLATED: u64 = 256 * 1024 * 1024;
/// Most messages in one exchange.
pub const MAX_ITEMS: u32 = 100_000;

/// Messages of one exchange.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Envelope {
    pub items: Vec<(String, Vec<u8>)>,
}

impl Envelope {
    /// The uncompressed bytes of the envelope.
    ///
    /// # Errors
    /// [`SyncError::Malformed`] when an id or message is too long.
    pub fn raw(&self) -> Result<Vec<u8>, SyncError> {
        let mut raw = Vec::new();
        let count = u32::try_from(self.items.len())
            .map_err(|_| SyncError::Malformed("trop de messages".into()))?;
        raw.extend_from_slice(&count.to_le_bytes());
        for (id, msg) in &self.items {
            let il = u16::try_from(id.len())
                .map_err(|_| SyncError::Malformed("identifiant trop long".into()))?;
            let ml = u32::try_from(msg.len())
                .map_err(|_| SyncError::Malformed("message trop long".into()))?;
            raw.extend_from_slice(&il.to_le_bytes());
            raw.extend_from_slice(id.as_bytes());
            raw.extend_from_slice(&ml.to_le_bytes());
            raw.extend_from_slice(msg);
        }
        Ok(raw)
    }

    /// Encodes and compresses.
    ///
    /// # Errors
    /// [`SyncError::Malformed`] when an id or message is too long.
    pub fn encode(&self) -> Result<Vec<u8>, SyncError> {
        self.encode_with(None)
    }

    /// Encodes and compresses, with `dict` preset when given (an empty one counts as none).
    ///
    /// # Errors
    /// [`SyncError::Malformed`] when an id or message is too long.
    pub fn encode_with(&self, dict: Option<&[u8]>) -> Result<Vec<u8>, SyncError> {
        let raw = self.raw()?;
        if let Some(dict) = dict.filter(|d| !d.is_empty()) {
            let mut out = MAGIC_DICT.to_vec();
            out.extend_from_slice(&dict_id(dict));
            out.extend_from_slice(&deflate_with(&raw, Some(dict))?);
            return Ok(out);
        }
        let mut out = MAGIC.to_vec();
        out.extend_from_slice(&deflate_with(&raw, None)?);
        Ok(out)
    }

    /// The id of the dictionary a payload was compressed with, if any.
    #[must_use]
    pub fn dict_needed(bytes: &[u8]) -> Option<[u8; 8]> {
        let rest = bytes.strip_prefix(MAGIC_DICT.as_slice())?;
        rest.get(..8).and_then(|b| b.try_into().ok())
    }

    /// Decompresses and decodes.
    ///
    /// # Errors
    /// [`SyncError::Malformed`] for anything that is not a well-formed envelope.
    pub fn decode(bytes: &[u8]) -> Result<Envelope, SyncError> {
        Self::decode_with(bytes, None)
    }

    /// Decompresses and decodes a payload made by [`Envelope::encode_with`]; `dict` is the
    /// dictionary whose id it names.
    ///
    /// # Errors
    /// [`SyncError::Malformed`] for anything that is not a well-formed envelope, or that needs
    /// a dictionary other than `dict`.
    pub fn decode_with(bytes: &[u8], dict: Option<&[u8]>) -> Result<Envelope, SyncError> {
        let bad = |what: &str| SyncError::Malformed(what.to_owned());
        let raw = if let Some(id) = Self::dict_needed(bytes) {
            let dict = dict
                .filter(|d| dict_id(d) == id)
                .ok_or_else(|| bad("dictionnaire de compression inconnu"))?;
            inflate_with(bytes.get(MAGIC_DICT.len() + 8..).unwrap_or_default(), dict)?
        } else {
            let body = bytes
                .strip_prefix(MAGIC.as_slice())
                .ok_or_else(|| bad("en-tête absent : ce n'est pas un échange Sene"))?;
            let mut raw = Vec::new();
            DeflateDecoder::new(body)
                .take(MAX_INFLATED + 1)
                .read_to_end(&mut raw)
                .map_err(|_| bad("compression invalide"))?;
            raw
        };
        if raw.len() as u64 > MAX_INFLATED {
            return Err(bad("échange trop volumineux"));
        }
        let mut cur = raw.as_slice();
        let mut take = |n: usize| -> Result<&[u8], SyncError> {
            if cur.len() < n {
                return Err(bad("échange tronqué"));
            }
            let (a, b) = cur.split_at(n);
            cur = b;
            Ok(a)
        };
        let count = u32::from_le_bytes(take(4)?.try_into().map_err(|_| bad("compte"))?);
        if count > MAX_ITEMS {
            return Err(bad("trop de messages"));
        }
        let mut items = Vec::new();
        for _ in 0..count {
            let il = u16::from_le_bytes(take(2)?.try_into().map_err(|_| bad("longueur"))?);
            let id = std::str::from_utf8(take(usize::from(il))?)
                .map_err(|_| bad("identifiant non UTF-8"))?
                .to_owned();
            let ml = u32::from_le_bytes(take(4)?.try_into().map_err(|_| bad("longueur"))?);
            let msg = take(usize::try_from(ml).map_err(|_| bad("longueur"))?)?.to_vec();
            items.push((id, msg));
        }
        if !cur.is_empty() {
            return Err(bad("octets en trop après les messages"));
        }
        Ok(Envelope { items })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The compressor a thread reuses gives the same bytes as a new one, with or without a
    /// dictionary, whatever it compressed before.
    #[test]
    #[allow(clippy::unwrap_used)]
    fn a_reused_compressor_compresses_as_a_new_one() {
        let env = Envelope {
            items: vec![("season/x".into(), b"livraison ".repeat(300))],
        };
        let dict = b"livraison de paddy ".repeat(50);
        let first = env.encode().unwrap();
        let first_dict = env.encode_with(Some(&dict)).unwrap();
        for _ in 0..3 {
            assert_eq!(env.encode_with(Some(&dict)).unwrap(), first_dict);
            assert_eq!(env.encode().unwrap(), first);
        }
        let fresh = std::thread::spawn(move || env.encode().unwrap())
            .join()
            .unwrap();
        assert_eq!(fresh, first);
        assert_eq!(
            Envelope::decode_with(&first_dict, Some(&dict))
                .unwrap()
                .items[0]
                .1
                .len(),
            3000
        );
    }

    /// A kept dictionary comes back byte for byte, smaller than itself, between compressions
    /// at the best level on the same thread; a damaged or oversized one is refused.
    #[test]
    #[allow(clippy::unwrap_used)]
    fn a_packed_dictionary_unpacks_to_itself_and_a_bad_one_is_refused() {
        let env = Envelope {
            items: vec![("season/x".into(), b"livraison de paddy ".repeat(2000))],
        };
        let dict = next_dict(None, &env.raw().unwrap(), b"reponse");
        assert_eq!(dict.len(), DICT_MAX);
        let best = env.encode().unwrap();
        let packed = pack_dict(&dict).unwrap();
        assert!(packed.len() < dict.len() / 4, "{}", packed.len());
        assert_eq!(
            env.encode().unwrap(),
            best,
            "each level has its own compressor"
        );
        assert_eq!(pack_dict(&dict).unwrap(), packed);
        assert_eq!(unpack_dict(&packed).unwrap(), dict);
        assert_eq!(
            unpack_dict(&pack_dict(&[]).unwrap()).unwrap(),
            Vec::<u8>::new()
        );
        let mut damaged = packed.clone();
        damaged.truncate(packed.len() / 2);
        assert!(unpack_dict(&damaged).is_err());
        assert!(unpack_dict(b"\xff\xff\xff garbage").is_err());
        let too_big = pack_dict(&vec![7u8; DICT_MAX + 1]).unwrap();
        assert!(unpack_dict(&too_big).is_err());
    }

    #[test]
    fn round_trip_and_garbage() {
        let e = Envelope {
            items: vec![
                ("union".into(), vec![1, 2, 3]),
                ("registry/x".into(), vec![]),
            ],
        };
        let bytes = e.encode().unwrap_or_default();
        assert_eq!(Envelope::decode(&bytes).ok(), Some(e));
        assert!(Envelope::decode(b"").is_err());
        assert!(Envelope::decode(b"SENE\x01garbage").is_err());
        let cut = bytes.get(..bytes.len() - 3).unwrap_or_default();
        assert!(Envelope::decode(cut).is_err());
    }

    #[test]
    fn a_dictionary_both_sides_hold_shrinks_the_payload_and_a_wrong_one_is_refused() {
        let id = "season/0193a2b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b/0193a2b4-5c6d-7e8f-9a0b-aaaaaaaaaaaa";
        let record = |n: u32| {
            format!("deliveries/{n:08} member_id 0193a2b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b contract_id 0193a2b4-5c6d-7e8f-9a0b-2c2d3e4f5a6b accepted_kg {n}")
        };
        let day = |from: u32| Envelope {
            items: vec![(
                id.into(),
                (from..from + 20)
                    .flat_map(|n| record(n).into_bytes())
                    .collect(),
            )],
        };
        let (yesterday, today) = (day(0), day(1000));
        let dict = next_dict(None, &yesterday.raw().unwrap_or_default(), b"reply");
        let plain = today.encode().unwrap_or_default();
        let packed = today.encode_with(Some(&dict)).unwrap_or_default();
        assert!(
            packed.len() < plain.len(),
            "{} >= {}",
            packed.len(),
            plain.len()
        );
        assert_eq!(Envelope::dict_needed(&packed), Some(dict_id(&dict)));
        assert_eq!(
            Envelope::decode_with(&packed, Some(&dict)).ok(),
            Some(today.clone())
        );
        assert!(Envelope::decode(&packed).is_err());
        assert!(Envelope::decode_with(&packed, Some(b"another dictionary")).is_err());
        let cut = packed.get(..packed.len() - 3).unwrap_or_default();
        assert!(Envelope::decode_with(cut, Some(&dict)).is_err());
        // no dictionary: the plain format, readable with or without one
        assert_eq!(Envelope::decode_with(&plain, Some(&dict)).ok(), Some(today));
        assert_eq!(next_dict(None, &[1; DICT_MAX], &[2; 10]).len(), DICT_MAX);
        // the window rolls on: a quiet exchange keeps the last day's bytes, newest last
        let quiet = next_dict(Some(&dict), b"heads", b"ok");
        assert_eq!(quiet.len(), (dict.len() + 7).min(DICT_MAX));
        assert!(quiet.ends_with(b"headsok"));
        assert_eq!(
            &quiet[..quiet.len() - 7],
            &dict[dict.len() - (quiet.len() - 7)..]
        );
        let small = next_dict(Some(b"abc"), b"de", b"f");
        assert_eq!(small, b"abcdef");
    }
}
