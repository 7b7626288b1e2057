//! The wire format of one exchange: sync messages tagged with their document id, compressed.
//!
//! `SENE` `0x01` then a deflate stream of: a u32 count, then per message a u16 length and the
//! document id (UTF-8), a u32 length and the automerge sync message. Decoding checks every
//! length against what is left and caps the inflated size, so a malformed or hostile payload
//! is an error, never a panic or an allocation bomb.

use std::io::{Read, Write};

use flate2::read::DeflateDecoder;
use flate2::write::DeflateEncoder;
use flate2::Compression;

use crate::error::SyncError;

const MAGIC: &[u8; 5] = b"SENE\x01";
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
    /// Encodes and compresses.
    ///
    /// # Errors
    /// [`SyncError::Malformed`] when an id or message is too long.
    pub fn encode(&self) -> Result<Vec<u8>, SyncError> {
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
        let mut out = MAGIC.to_vec();
        let mut enc = DeflateEncoder::new(&mut out, Compression::best());
        enc.write_all(&raw)
            .map_err(|e| SyncError::Malformed(e.to_string()))?;
        enc.finish()
            .map_err(|e| SyncError::Malformed(e.to_string()))?;
        Ok(out)
    }

    /// Decompresses and decodes.
    ///
    /// # Errors
    /// [`SyncError::Malformed`] for anything that is not a well-formed envelope.
    pub fn decode(bytes: &[u8]) -> Result<Envelope, SyncError> {
        let bad = |what: &str| SyncError::Malformed(what.to_owned());
        let body = bytes
            .strip_prefix(MAGIC.as_slice())
            .ok_or_else(|| bad("en-tête absent : ce n'est pas un échange Sene"))?;
        let mut raw = Vec::new();
        DeflateDecoder::new(body)
            .take(MAX_INFLATED + 1)
            .read_to_end(&mut raw)
            .map_err(|_| bad("compression invalide"))?;
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
}
