//! The wire format of one exchange: sync messages tagged with their document id, compressed.
//!
//! The raw envelope: a u32 count, then per message a u16 length and the document id (UTF-8), a
//! u32 length and the automerge sync message ([`Envelope::raw`]). The sender first takes
//! automerge's own compression out of the messages ([`Envelope::expand`]: whole documents and
//! large changes uncompressed, the changes of a document the peer holds nothing of as one
//! document), so that one compressor sees them all. Then one of:
//! - `SENE` `0x01` and the raw envelope deflated;
//! - `SENE` `0x02`, the 8-byte id of a dictionary both sides hold, then the raw envelope
//!   deflated with the last 32 KiB of that dictionary preset (deflate's window): the raw
//!   bytes of the two sides' last exchanges, at most [`DICT_MAX`] ([`next_dict`]), which
//!   hold the ids of the members, contracts and warehouses a new day's records point to
//!   (BENCHMARKS.md, sync);
//! - `SENE` `0x03` and the raw envelope as one zstd frame (level 19, a window of at most
//!   2^23 bytes, no checksum, no content size);
//! - `SENE` `0x04`, the dictionary's id, and one zstd frame with the dictionary as its
//!   raw-content prefix;
//! - `SENE` `0x05`, `0x06`: as `0x01`, `0x02`.
//!
//! Versions: 0.1.0 reads and writes `0x01` and `0x02` only. Magics `0x03` to `0x06` also say
//! that their sender reads zstd ([`Envelope::sender_reads`]), so they cost no byte: a laptop's
//! request is always one of them ([`Reads::Zstd`]), and the hub answers in zstd only a request
//! that said so, in `0x01` / `0x02` any other ([`Reads::Deflate`]: an older laptop). A 0.1.0 hub
//! refuses the newer magics (« en-tête absent », HTTP 400): the office is upgraded first. USB
//! files stay `0x01` ([`Envelope::encode`]), read by every version.
//!
//! For [`Reads::Zstd`] the encoder makes both (zstd from [`ZSTD_FROM`] raw bytes) and sends the
//! smaller: deflate wins most small exchanges, zstd the large ones (a new laptop's documents:
//! its window holds them whole, deflate's 32 KiB does not) and most pushes. Decoding checks
//! every length against what is left, caps the inflated size and zstd's window, and refuses
//! bytes after the frame, so a malformed or hostile payload is an error, never a panic or an
//! allocation bomb.

use std::io::Read;
use std::sync::{Mutex, PoisonError};

use flate2::read::DeflateDecoder;
use flate2::Compression;

use crate::error::SyncError;

mod expand;
pub use expand::{expand_message, EXPANDED_MAX};

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
const MAGIC_ZSTD: &[u8; 5] = b"SENE\x03";
const MAGIC_ZSTD_DICT: &[u8; 5] = b"SENE\x04";
/// As [`MAGIC`] and [`MAGIC_DICT`], from a sender that reads zstd.
const MAGIC_READS_ZSTD: &[u8; 5] = b"SENE\x05";
const MAGIC_DICT_READS_ZSTD: &[u8; 5] = b"SENE\x06";
/// The magics that name a dictionary.
const DICT_MAGICS: [&[u8; 5]; 3] = [MAGIC_DICT, MAGIC_ZSTD_DICT, MAGIC_DICT_READS_ZSTD];

/// What the other side of an exchange reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reads {
    /// Deflate only (`SENE` `0x01`, `0x02`): what every version reads; a 0.1.0 laptop, a USB
    /// file.
    Deflate,
    /// zstd as well (`SENE` `0x03` to `0x06`, each of which also tells the receiver so).
    Zstd,
}
/// zstd's level for an exchange: its strongest before the `--ultra` ones.
const ZSTD_LEVEL: i32 = 19;
/// zstd's level for a federation's pull ([`Strength::Bulk`]).
const ZSTD_LEVEL_BULK: i32 = 14;

/// How hard an answer is compressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strength {
    /// zstd at its strongest ([`ZSTD_LEVEL`]) or deflate, whichever is smaller: a laptop's
    /// exchange, which may cross a 40 kbit/s link, where every byte counts.
    Strongest,
    /// zstd at level 14 alone: a federation's pull of a union, megabytes a day over the
    /// office's link. Measured on 4 unions' day (`measure_day`): the offices' CPU 14.4 → 1.6 s,
    /// the bytes 1.80 → 2.03 MB (+ 11 %); level 19 compresses ≈ 2 MB/s, a union's first pull
    /// would hold an office's processor for tens of seconds.
    Bulk,
}
/// zstd's window (8 MiB): what the encoder may reach back, and the most the decoder accepts
/// (a frame asking for more is refused, not allocated).
const ZSTD_WINDOW_LOG: u32 = 23;
/// Most bytes of a dictionary: zstd uses it whole, deflate its last 32 KiB (its window). 64
/// KiB: the push after a new laptop's first sync (a dictionary of the scope's documents, not of
/// a previous push) was 3,336 B against 3,500 B with 32 KiB and 3,157 B with 128 KiB, while the
/// hub unpacks, hashes and packs a device's dictionary at every exchange.
pub const DICT_MAX: usize = 64 * 1024;
/// What deflate uses of a dictionary: its last 32 KiB (its window). Also the dictionary a
/// 0.1.0 peer keeps: the last 32 KiB of the same exchanges ([`dict_named`]).
const DEFLATE_WINDOW: usize = 32 * 1024;
/// Smallest raw envelope also tried with zstd: below, deflate alone (the hub's answers to a
/// push, a few hundred bytes, would pay zstd's indexing of the dictionary for nothing).
pub const ZSTD_FROM: usize = 4 * 1024;

fn deflate_tail(dict: &[u8]) -> &[u8] {
    &dict[dict.len().saturating_sub(DEFLATE_WINDOW)..]
}

/// A dictionary's id: the first 8 bytes of its SHA-256.
#[must_use]
pub fn dict_id(dict: &[u8]) -> [u8; 8] {
    use sha2::Digest;
    let h = sha2::Sha256::digest(dict);
    let mut id = [0u8; 8];
    id.copy_from_slice(&h[..8]);
    id
}

/// A dictionary and its id ([`dict_id`]), hashed once when it is made: the hub names the
/// dictionary of every exchange three times (to find it, to decode the request, to encode the
/// reply), and hashing 64 KiB each time was a third of the time it spent reading a burst's
/// requests (BENCHMARKS.md, « The dictionary hashed once »).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dict {
    bytes: Vec<u8>,
    id: [u8; 8],
}

impl Dict {
    /// `bytes` as a dictionary, its id computed.
    #[must_use]
    pub fn new(bytes: Vec<u8>) -> Dict {
        let id = dict_id(&bytes);
        Dict { bytes, id }
    }

    /// Its id: the first 8 bytes of its SHA-256.
    #[must_use]
    pub fn id(&self) -> [u8; 8] {
        self.id
    }

    #[must_use]
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Its last 32 KiB, when a request names them by `id`: what a 0.1.0 laptop keeps of the
    /// same exchanges (its [`DICT_MAX`] was 32 KiB; both are the tail of the same bytes), or a
    /// laptop upgraded since, until its next exchange. `None` when they are not named (or the
    /// dictionary is no longer than them).
    #[must_use]
    pub fn tail_named(&self, id: [u8; 8]) -> Option<Dict> {
        (self.bytes.len() > DEFLATE_WINDOW)
            .then(|| deflate_tail(&self.bytes))
            .filter(|tail| dict_id(tail) == id)
            .map(|tail| Dict {
                bytes: tail.to_vec(),
                id,
            })
    }

    fn named(&self) -> Option<(&[u8], [u8; 8])> {
        (!self.bytes.is_empty()).then_some((self.bytes.as_slice(), self.id))
    }
}

/// The dictionary a request names by `id`, out of one a hub kept (`kept`): that one, or its
/// last 32 KiB ([`Dict::tail_named`]). The exchange then goes on with the dictionary found:
/// the next one, [`next_dict`] of it, again ends with what that laptop keeps. `None` when
/// neither is named.
#[must_use]
pub fn dict_named(kept: Dict, id: [u8; 8]) -> Option<Dict> {
    if kept.id == id {
        return Some(kept);
    }
    kept.tail_named(id)
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

/// Compressors kept between uses, shared by every thread, at each level: making one allocates
/// and clears some 300 KB (window, hash chains), which cost the hub more than compressing a
/// small reply (half a millisecond an exchange, measured). Shared, not one per thread: the hub
/// answers a burst's devices on as many threads of tokio's blocking pool, new ones, and one
/// compressor each made 150 of them at once, 45 MB of fresh memory whose zeroing by the kernel
/// was 62 % of those threads' time (BENCHMARKS.md, « Compressors shared by the threads »).
static BEST: Mutex<Vec<flate2::Compress>> = Mutex::new(Vec::new());
/// The same at the fastest level, for the dictionaries the hub keeps.
static FAST: Mutex<Vec<flate2::Compress>> = Mutex::new(Vec::new());
/// Compressors kept at each level: as many as compress at once on a small machine; one more
/// in use at a moment is made, and dropped after.
const COMPRESSORS_KEPT: usize = 4;

/// Raw deflate at the best level, with `dict` preset when given.
fn deflate_with(raw: &[u8], dict: Option<&[u8]>) -> Result<Vec<u8>, SyncError> {
    deflate_by(&BEST, Compression::best(), raw, dict)
}

/// A dictionary packed for keeping: deflated at the fastest level (the hub writes one at every
/// exchange; the best level took several times longer for a few per cent).
///
/// # Errors
/// Compression errors.
pub fn pack_dict(dict: &[u8]) -> Result<Vec<u8>, SyncError> {
    deflate_by(&FAST, Compression::fast(), dict, None)
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
    pool: &Mutex<Vec<flate2::Compress>>,
    level: Compression,
    raw: &[u8],
    dict: Option<&[u8]>,
) -> Result<Vec<u8>, SyncError> {
    let bad = |e: String| SyncError::Malformed(format!("compression : {e}"));
    let kept = pool.lock().unwrap_or_else(PoisonError::into_inner).pop();
    let mut c = match kept {
        Some(mut c) => {
            c.reset();
            c
        }
        None => flate2::Compress::new(level, false),
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
    // not reused after a failure
    if result.is_ok() {
        let mut kept = pool.lock().unwrap_or_else(PoisonError::into_inner);
        if kept.len() < COMPRESSORS_KEPT {
            kept.push(c);
        }
    }
    result
}

/// zstd at `level`, with `dict` as its raw-content prefix when given; no checksum, no
/// content size, no dictionary id in the frame (the envelope names its dictionary).
fn zstd_with(raw: &[u8], dict: Option<&[u8]>, level: i32) -> Result<Vec<u8>, SyncError> {
    use zstd::zstd_safe::{CCtx, CParameter};
    let bad = |e: usize| {
        SyncError::Malformed(format!(
            "compression : {}",
            zstd::zstd_safe::get_error_name(e)
        ))
    };
    let mut c = CCtx::try_create()
        .ok_or_else(|| SyncError::Malformed("compression : contexte zstd".into()))?;
    for p in [
        CParameter::CompressionLevel(level),
        CParameter::WindowLog(ZSTD_WINDOW_LOG),
        CParameter::ContentSizeFlag(false),
        CParameter::ChecksumFlag(false),
        CParameter::DictIdFlag(false),
    ] {
        c.set_parameter(p).map_err(bad)?;
    }
    if let Some(d) = dict {
        c.ref_prefix(d).map_err(bad)?;
    }
    let mut out = Vec::with_capacity(zstd::zstd_safe::compress_bound(raw.len()));
    c.compress2(&mut out, raw).map_err(bad)?;
    Ok(out)
}

/// The inverse of [`zstd_with`]: one frame and nothing after it, at most [`MAX_INFLATED`] bytes,
/// a window of at most 2^[`ZSTD_WINDOW_LOG`].
fn unzstd_with(body: &[u8], dict: Option<&[u8]>) -> Result<Vec<u8>, SyncError> {
    let bad = |what: &str| SyncError::Malformed(what.to_owned());
    let decoder = match dict {
        Some(d) => zstd::stream::read::Decoder::with_ref_prefix(body, d),
        None => zstd::stream::read::Decoder::with_buffer(body),
    };
    let mut decoder = decoder
        .map_err(|_| bad("compression invalide"))?
        .single_frame();
    decoder
        .window_log_max(ZSTD_WINDOW_LOG)
        .map_err(|_| bad("compression invalide"))?;
    let mut out = Vec::new();
    (&mut decoder)
        .take(MAX_INFLATED + 1)
        .read_to_end(&mut out)
        .map_err(|_| bad("compression invalide"))?;
    if out.len() as u64 > MAX_INFLATED {
        return Err(bad("échange trop volumineux"));
    }
    if !decoder.finish().is_empty() {
        return Err(bad("octets en trop après les messages"));
    }
    Ok(out)
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
    /// Takes automerge's own compression out of the documents' messages (whole documents
    /// deflated column by column, large changes deflated): the envelope's deflate then sees
    /// their bytes, and so does the next exchange's dictionary. The sender calls it once,
    /// before [`Envelope::encode_with`] and [`Envelope::raw`]; a message already expanded is
    /// left as it is, so the receiver's [`Envelope::raw`] of what it decoded is the sender's.
    pub fn expand(&mut self) {
        for (id, msg) in &mut self.items {
            if is_sender_item(id) || id == crate::relay::TAGS_ITEM {
                continue;
            }
            if let Some(out) = expand_message(msg) {
                *msg = out;
            }
        }
    }

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

    /// Encodes and deflates (`SENE` `0x01`): what every version reads (a USB file).
    ///
    /// # Errors
    /// [`SyncError::Malformed`] when an id or message is too long.
    pub fn encode(&self) -> Result<Vec<u8>, SyncError> {
        self.encode_with(None)
    }

    /// Encodes and deflates, with `dict` preset when given (an empty one counts as none):
    /// [`Envelope::encode_for`] a peer that reads deflate only.
    ///
    /// # Errors
    /// [`SyncError::Malformed`] when an id or message is too long.
    pub fn encode_with(&self, dict: Option<&[u8]>) -> Result<Vec<u8>, SyncError> {
        self.encode_for(dict, Reads::Deflate)
    }

    /// Encodes and compresses, with `dict` preset when given (an empty one counts as none),
    /// for a peer that `reads` what it says. [`Reads::Zstd`]: deflate and zstd both, the
    /// smaller sent, under a magic that says this side reads zstd too.
    ///
    /// # Errors
    /// [`SyncError::Malformed`] when an id or message is too long.
    pub fn encode_for(&self, dict: Option<&[u8]>, reads: Reads) -> Result<Vec<u8>, SyncError> {
        self.encode_at(dict, reads, Strength::Strongest)
    }

    /// [`Envelope::encode_for`] at the given [`Strength`] (a peer that reads deflate only
    /// gets deflate, whatever it is).
    ///
    /// # Errors
    /// [`SyncError::Malformed`] when an id or message is too long.
    pub fn encode_at(
        &self,
        dict: Option<&[u8]>,
        reads: Reads,
        strength: Strength,
    ) -> Result<Vec<u8>, SyncError> {
        let dict = dict.filter(|d| !d.is_empty()).map(|d| (d, dict_id(d)));
        self.encode_named(dict, reads, strength)
    }

    /// [`Envelope::encode_at`] with a [`Dict`], whose id is not hashed again.
    ///
    /// # Errors
    /// [`SyncError::Malformed`] when an id or message is too long.
    pub fn encode_dict(
        &self,
        dict: Option<&Dict>,
        reads: Reads,
        strength: Strength,
    ) -> Result<Vec<u8>, SyncError> {
        self.encode_named(dict.and_then(Dict::named), reads, strength)
    }

    /// Encodes with `dict` (not empty) and its id.
    fn encode_named(
        &self,
        named: Option<(&[u8], [u8; 8])>,
        reads: Reads,
        strength: Strength,
    ) -> Result<Vec<u8>, SyncError> {
        let raw = self.raw()?;
        let dict = named.map(|(d, _)| d);
        let zstd_fits = reads == Reads::Zstd && raw.len() >= ZSTD_FROM;
        // (whether the body is zstd, the body)
        let (zstd, body) = if zstd_fits && strength == Strength::Bulk {
            (true, zstd_with(&raw, dict, ZSTD_LEVEL_BULK)?)
        } else {
            // both compressors, the smaller wins: deflate on most small exchanges, zstd where
            // its window, far larger than deflate's 32 KiB, holds what repeats (a new laptop's
            // documents, where a record's id is its key in one column and its value in
            // another)
            let deflated = deflate_with(&raw, dict.map(deflate_tail))?;
            let zstd = if zstd_fits {
                Some(zstd_with(&raw, dict, ZSTD_LEVEL)?).filter(|z| z.len() < deflated.len())
            } else {
                None
            };
            match zstd {
                Some(z) => (true, z),
                None => (false, deflated),
            }
        };
        let magic = match (reads, zstd, dict.is_some()) {
            (_, true, true) => MAGIC_ZSTD_DICT,
            (_, true, false) => MAGIC_ZSTD,
            (Reads::Zstd, false, true) => MAGIC_DICT_READS_ZSTD,
            (Reads::Zstd, false, false) => MAGIC_READS_ZSTD,
            (Reads::Deflate, false, true) => MAGIC_DICT,
            (Reads::Deflate, false, false) => MAGIC,
        };
        let mut out = Vec::with_capacity(magic.len() + 8 + body.len());
        out.extend_from_slice(magic);
        if let Some((_, id)) = named {
            out.extend_from_slice(&id);
        }
        out.extend_from_slice(&body);
        Ok(out)
    }

    /// What the sender of a payload reads, as its magic says: [`Reads::Zstd`] for `SENE`
    /// `0x03` to `0x06`, [`Reads::Deflate`] for anything else (a 0.1.0 peer).
    #[must_use]
    pub fn sender_reads(bytes: &[u8]) -> Reads {
        match bytes
            .strip_prefix(b"SENE".as_slice())
            .and_then(|r| r.first())
        {
            Some(3..=6) => Reads::Zstd,
            _ => Reads::Deflate,
        }
    }

    /// The id of the dictionary a payload was compressed with, if any.
    #[must_use]
    pub fn dict_needed(bytes: &[u8]) -> Option<[u8; 8]> {
        let rest = DICT_MAGICS
            .iter()
            .find_map(|m| bytes.strip_prefix(m.as_slice()))?;
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
        // hashed only when the payload names a dictionary
        let named = Self::dict_needed(bytes).and(dict).map(|d| (d, dict_id(d)));
        Self::decode_named(bytes, named)
    }

    /// [`Envelope::decode_with`] a [`Dict`], whose id is not hashed again.
    ///
    /// # Errors
    /// As [`Envelope::decode_with`].
    pub fn decode_dict(bytes: &[u8], dict: Option<&Dict>) -> Result<Envelope, SyncError> {
        Self::decode_named(bytes, dict.map(|d| (d.bytes(), d.id())))
    }

    /// Decodes with `dict` and its id.
    fn decode_named(bytes: &[u8], dict: Option<(&[u8], [u8; 8])>) -> Result<Envelope, SyncError> {
        let bad = |what: &str| SyncError::Malformed(what.to_owned());
        let raw = if let Some(id) = Self::dict_needed(bytes) {
            let dict = dict
                .filter(|(_, d)| *d == id)
                .map(|(d, _)| d)
                .ok_or_else(|| bad("dictionnaire de compression inconnu"))?;
            let body = bytes.get(MAGIC_DICT.len() + 8..).unwrap_or_default();
            if bytes.starts_with(MAGIC_ZSTD_DICT) {
                unzstd_with(body, Some(dict))?
            } else {
                inflate_with(body, deflate_tail(dict))?
            }
        } else if let Some(body) = bytes.strip_prefix(MAGIC_ZSTD.as_slice()) {
            unzstd_with(body, None)?
        } else {
            let body = bytes
                .strip_prefix(MAGIC.as_slice())
                .or_else(|| bytes.strip_prefix(MAGIC_READS_ZSTD.as_slice()))
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

    /// A compressor reused, on this thread or another, gives the same bytes as a new one,
    /// with or without a dictionary, whatever it compressed before.
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
        // what a compressor never used gives
        let new = |dict: Option<&[u8]>| {
            let mut c = flate2::Compress::new(Compression::best(), false);
            if let Some(d) = dict {
                c.set_dictionary(deflate_tail(d)).unwrap();
            }
            let raw = env.raw().unwrap();
            let mut out = Vec::with_capacity(raw.len() + 64);
            let status = c
                .compress_vec(&raw, &mut out, flate2::FlushCompress::Finish)
                .unwrap();
            assert_eq!(status, flate2::Status::StreamEnd);
            out
        };
        assert_eq!(first[MAGIC.len()..], new(None));
        assert_eq!(first_dict[MAGIC_DICT.len() + 8..], new(Some(&dict)));
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let (env, dict) = (env.clone(), dict.clone());
                std::thread::spawn(move || {
                    (env.encode().unwrap(), env.encode_with(Some(&dict)).unwrap())
                })
            })
            .collect();
        for t in threads {
            assert_eq!(t.join().unwrap(), (first.clone(), first_dict.clone()));
        }
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
            items: vec![("season/x".into(), b"livraison de paddy ".repeat(4000))],
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

    /// A large envelope goes as zstd (its window holds what deflate's 32 KiB cannot reach),
    /// with or without a dictionary, at either strength, and reads back; a damaged, cut, extended or foreign frame
    /// is refused, and so is one asking for a window larger than the decoder allows.
    #[test]
    #[allow(clippy::unwrap_used)]
    fn a_large_envelope_goes_as_zstd_and_a_bad_frame_is_refused() {
        // 3,000 records whose 16 random bytes come back 100 KB later: out of deflate's reach
        let mut rng = 7u64;
        let mut next = || {
            rng = rng
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            rng >> 24
        };
        let ids: Vec<String> = (0..3000)
            .map(|_| format!("{:016x}{:016x}", next(), next()))
            .collect();
        let mut doc = Vec::new();
        for id in &ids {
            doc.extend_from_slice(format!("members/{id}").as_bytes());
        }
        for (n, id) in ids.iter().enumerate() {
            doc.extend_from_slice(format!("{id}{n}").as_bytes());
        }
        let env = Envelope {
            items: vec![("registry/x".into(), doc)],
        };
        let plain = env.encode_for(None, Reads::Zstd).unwrap();
        assert!(plain.starts_with(MAGIC_ZSTD), "{:?}", &plain[..5]);
        assert_eq!(Envelope::sender_reads(&plain), Reads::Zstd);
        // for a peer that reads deflate only (and a USB file): deflate, whatever the size
        let old = env.encode().unwrap();
        assert!(old.starts_with(MAGIC));
        assert_eq!(Envelope::sender_reads(&old), Reads::Deflate);
        assert_eq!(Envelope::decode(&old).unwrap(), env);
        let deflated = deflate_with(&env.raw().unwrap(), None).unwrap();
        assert!(
            plain.len() < deflated.len() * 3 / 4,
            "{} against {}",
            plain.len(),
            deflated.len()
        );
        assert_eq!(Envelope::decode(&plain).unwrap(), env);
        let dict = next_dict(None, b"members/", b"registry");
        let packed = env.encode_for(Some(&dict), Reads::Zstd).unwrap();
        assert!(packed.starts_with(MAGIC_ZSTD_DICT));
        assert!(env
            .encode_with(Some(&dict))
            .unwrap()
            .starts_with(MAGIC_DICT));
        assert_eq!(Envelope::dict_needed(&packed), Some(dict_id(&dict)));
        assert_eq!(Envelope::decode_with(&packed, Some(&dict)).unwrap(), env);
        assert!(Envelope::decode(&packed).is_err());
        assert!(Envelope::decode_with(&packed, Some(b"another")).is_err());
        // the same with the dictionary's id hashed once (the hub's way): the same bytes, and
        // another dictionary refused
        let named = Dict::new(dict.clone());
        assert_eq!(named.id(), dict_id(&dict));
        for (reads, strength) in [
            (Reads::Zstd, Strength::Strongest),
            (Reads::Deflate, Strength::Strongest),
            (Reads::Zstd, Strength::Bulk),
        ] {
            let with_id = env.encode_dict(Some(&named), reads, strength).unwrap();
            assert_eq!(
                with_id,
                env.encode_at(Some(&dict), reads, strength).unwrap()
            );
            assert_eq!(Envelope::decode_dict(&with_id, Some(&named)).unwrap(), env);
            let other = Dict::new(b"another".to_vec());
            assert!(Envelope::decode_dict(&with_id, Some(&other)).is_err());
            assert!(Envelope::decode_dict(&with_id, None).is_err());
        }
        assert_eq!(
            env.encode_dict(
                Some(&Dict::new(Vec::new())),
                Reads::Zstd,
                Strength::Strongest
            )
            .unwrap(),
            plain,
            "an empty dictionary counts as none"
        );
        // a federation's pull: zstd at its bulk level, with or without a dictionary, read back
        // by the same decoder; a peer that reads deflate only still gets deflate
        let bulk = env.encode_at(None, Reads::Zstd, Strength::Bulk).unwrap();
        assert!(bulk.starts_with(MAGIC_ZSTD));
        assert_ne!(bulk, plain, "another level, another frame");
        assert_eq!(Envelope::decode(&bulk).unwrap(), env);
        let bulk = env
            .encode_at(Some(&dict), Reads::Zstd, Strength::Bulk)
            .unwrap();
        assert!(bulk.starts_with(MAGIC_ZSTD_DICT));
        assert_eq!(Envelope::decode_with(&bulk, Some(&dict)).unwrap(), env);
        let old_bulk = env.encode_at(None, Reads::Deflate, Strength::Bulk).unwrap();
        assert_eq!(old_bulk, old);
        for bad in [
            plain[..plain.len() - 3].to_vec(),
            plain[..7].to_vec(),
            [plain.as_slice(), b"more"].concat(),
            [plain.as_slice(), plain.get(5..).unwrap()].concat(),
            b"SENE\x03".to_vec(),
            b"SENE\x03\x28\xb5\x2f\xfd garbage".to_vec(),
        ] {
            assert!(
                Envelope::decode(&bad).is_err(),
                "{:?}",
                &bad[..bad.len().min(12)]
            );
        }
        let mut flipped = plain.clone();
        let mid = flipped.len() / 2;
        flipped[mid] ^= 0x55;
        // a flipped byte is an error or other bytes, never a panic
        assert_ne!(Envelope::decode(&flipped).ok(), Some(env.clone()));
        // a frame made with a window of 2^24 bytes (a 16 MiB payload) is refused by the
        // decoder, which allows 2^23
        let big = vec![0u8; 16 * 1024 * 1024 + 1];
        let mut c = zstd::zstd_safe::CCtx::create();
        c.set_parameter(zstd::zstd_safe::CParameter::WindowLog(24))
            .unwrap();
        c.set_parameter(zstd::zstd_safe::CParameter::ContentSizeFlag(false))
            .unwrap();
        let mut frame = Vec::with_capacity(zstd::zstd_safe::compress_bound(big.len()));
        c.compress2(&mut frame, &big).unwrap();
        let too_wide = [MAGIC_ZSTD.as_slice(), &frame].concat();
        assert!(Envelope::decode(&too_wide).is_err());
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

    /// A peer that reads zstd says so by its magic, at no byte's cost: deflate then goes as
    /// `0x05` / `0x06`, which read back as `0x01` / `0x02`; what is sent to a peer that reads
    /// deflate only is exactly the 0.1.0 format.
    #[test]
    #[allow(clippy::unwrap_used)]
    fn the_magic_says_what_the_sender_reads() {
        let env = Envelope {
            items: vec![("season/x".into(), b"livraison ".repeat(30))],
        };
        let dict = b"livraison de paddy ".repeat(50);
        for (d, old, new) in [
            (None, MAGIC, MAGIC_READS_ZSTD),
            (Some(dict.as_slice()), MAGIC_DICT, MAGIC_DICT_READS_ZSTD),
        ] {
            let a = env.encode_for(d, Reads::Deflate).unwrap();
            let b = env.encode_for(d, Reads::Zstd).unwrap();
            assert!(a.starts_with(old) && b.starts_with(new));
            assert_eq!(a.len(), b.len());
            assert_eq!(a[5..], b[5..], "the same deflate stream");
            assert_eq!(Envelope::sender_reads(&a), Reads::Deflate);
            assert_eq!(Envelope::sender_reads(&b), Reads::Zstd);
            assert_eq!(Envelope::dict_needed(&b), d.map(dict_id));
            assert_eq!(Envelope::decode_with(&a, d).unwrap(), env);
            assert_eq!(Envelope::decode_with(&b, d).unwrap(), env);
        }
        for bytes in [&b""[..], b"SENE", b"SENE\x07", b"SENF\x03", b"SENE\x02"] {
            assert_eq!(Envelope::sender_reads(bytes), Reads::Deflate);
        }
        assert!(Envelope::decode(b"SENE\x07").is_err());
    }

    /// A 0.1.0 laptop keeps 32 KiB of the exchanges where this version keeps 64 KiB: the hub
    /// finds its dictionary as the tail of its own, reads its request, answers it in the
    /// format it reads, and the two stay in step exchange after exchange.
    #[test]
    #[allow(clippy::unwrap_used)]
    fn a_laptop_that_keeps_32_kib_stays_in_step_with_a_hub_that_keeps_64() {
        const OLD_MAX: usize = 32 * 1024;
        // 0.1.0's next_dict
        let old_next = |used: Option<&[u8]>, req: &[u8], rep: &[u8]| {
            let mut d = used.unwrap_or_default().to_vec();
            d.extend_from_slice(req);
            d.extend_from_slice(rep);
            d.split_off(d.len().saturating_sub(OLD_MAX))
        };
        let mut rng = 11u64;
        let mut bytes = |n: usize| -> Vec<u8> {
            (0..n)
                .map(|_| {
                    rng = rng
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    b"abcdefgh"[usize::try_from(rng >> 61).unwrap()]
                })
                .collect()
        };
        let mut laptop: Option<Vec<u8>> = None;
        let mut hub: Option<Dict> = None;
        for day in 0..8 {
            let up = Envelope {
                items: vec![("season/x".into(), bytes(9_000 + day * 1_000))],
            };
            // the old laptop: deflate with its whole dictionary, as 0.1.0 did
            let body = up.encode_with(laptop.as_deref()).unwrap();
            assert_eq!(Envelope::sender_reads(&body), Reads::Deflate);
            let used = Envelope::dict_needed(&body)
                .map(|id| dict_named(hub.clone().unwrap(), id).unwrap());
            assert_eq!(
                used.as_ref().map(Dict::bytes),
                laptop.as_deref(),
                "day {day}"
            );
            assert!(used.iter().all(|d| d.id() == dict_id(d.bytes())));
            let got = Envelope::decode_dict(&body, used.as_ref()).unwrap();
            assert_eq!(got, up);
            let reply = Envelope {
                items: vec![("rapport".into(), bytes(5_000))],
            };
            let answer = reply
                .encode_dict(
                    used.as_ref(),
                    Envelope::sender_reads(&body),
                    Strength::Strongest,
                )
                .unwrap();
            assert!(answer.starts_with(if used.is_some() { MAGIC_DICT } else { MAGIC }));
            assert_eq!(
                Envelope::decode_with(&answer, laptop.as_deref()).unwrap(),
                reply
            );
            let (req, rep) = (got.raw().unwrap(), reply.raw().unwrap());
            hub = Some(Dict::new(next_dict(
                used.as_ref().map(Dict::bytes),
                &req,
                &rep,
            )));
            laptop = Some(old_next(laptop.as_deref(), &req, &rep));
            let (h, l) = (hub.as_ref().unwrap().bytes(), laptop.as_ref().unwrap());
            assert!(
                h.ends_with(l) && l.len() == h.len().min(OLD_MAX),
                "day {day}"
            );
        }
        // the hub's grows past 32 KiB from the tail it used
        assert!(hub.as_ref().unwrap().bytes().len() > OLD_MAX);
        // the whole one is found first, and a dictionary named by neither is not found
        let h = hub.unwrap();
        assert_eq!(dict_named(h.clone(), dict_id(h.bytes())), Some(h.clone()));
        assert_eq!(dict_named(h, [0; 8]), None);
    }
}
