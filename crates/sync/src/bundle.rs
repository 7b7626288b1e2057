//! USB-stick files: the changes the other side lacks, authenticated.
//!
//! `SENEUSB1`, a u32 length and a JSON header (sender device, creation time, format version),
//! the deflated [`Envelope`] whose items are each document's raw automerge changes, then an
//! HMAC-SHA256 over everything before it, keyed by the sending device's bundle key (given at
//! enrollment, known to the device and to the hub). A forged or altered file fails the HMAC
//! and nothing of it is read further.

use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::error::SyncError;
use crate::wire::Envelope;

const MAGIC: &[u8; 8] = b"SENEUSB1";
const TAG: usize = 32;
const MAX_HEADER: usize = 64 * 1024;

/// Who made a bundle, and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    pub version: u32,
    /// The sending device (its bundle key signs the file).
    pub from_device: String,
    /// For whom it was made (`hub`, or a device id).
    pub to: String,
    pub created_at: String,
}

/// A decoded, authenticated bundle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bundle {
    pub header: Header,
    /// Per document: raw automerge changes.
    pub docs: Envelope,
}

type HmacSha256 = Hmac<Sha256>;

fn mac(key: &[u8]) -> Result<HmacSha256, SyncError> {
    <HmacSha256 as KeyInit>::new_from_slice(key)
        .map_err(|_| SyncError::Unauthentic("clé de signature invalide".into()))
}

impl Bundle {
    /// Writes and signs a bundle.
    ///
    /// # Errors
    /// [`SyncError::Malformed`].
    pub fn encode(&self, key: &[u8]) -> Result<Vec<u8>, SyncError> {
        let header =
            serde_json::to_vec(&self.header).map_err(|e| SyncError::Malformed(e.to_string()))?;
        let len = u32::try_from(header.len())
            .map_err(|_| SyncError::Malformed("en-tête trop long".into()))?;
        let mut out = MAGIC.to_vec();
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&header);
        out.extend_from_slice(&self.docs.encode()?);
        let mut m = mac(key)?;
        m.update(&out);
        out.extend_from_slice(&m.finalize().into_bytes());
        Ok(out)
    }

    /// The header of a bundle, before authentication (to find the sender's key).
    ///
    /// # Errors
    /// [`SyncError::Malformed`] for a file that is not a bundle.
    pub fn peek(bytes: &[u8]) -> Result<Header, SyncError> {
        let bad = |w: &str| SyncError::Malformed(format!("fichier USB : {w}"));
        let rest = bytes
            .strip_prefix(MAGIC.as_slice())
            .ok_or_else(|| bad("ce n'est pas un fichier de synchronisation Sene"))?;
        let len_bytes: [u8; 4] = rest
            .get(..4)
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| bad("tronqué"))?;
        let len = usize::try_from(u32::from_le_bytes(len_bytes)).map_err(|_| bad("en-tête"))?;
        if len > MAX_HEADER {
            return Err(bad("en-tête trop long"));
        }
        let header = rest.get(4..4 + len).ok_or_else(|| bad("tronqué"))?;
        serde_json::from_slice(header).map_err(|_| bad("en-tête illisible"))
    }

    /// Authenticates with `key` and decodes.
    ///
    /// # Errors
    /// [`SyncError::Unauthentic`] when the HMAC does not match, [`SyncError::Malformed`].
    pub fn decode(bytes: &[u8], key: &[u8]) -> Result<Bundle, SyncError> {
        let header = Self::peek(bytes)?;
        if bytes.len() < MAGIC.len() + 4 + TAG {
            return Err(SyncError::Malformed("fichier USB tronqué".into()));
        }
        let (signed, tag) = bytes.split_at(bytes.len() - TAG);
        let mut m = mac(key)?;
        m.update(signed);
        m.verify_slice(tag).map_err(|_| {
            SyncError::Unauthentic(
                "la signature ne correspond pas (fichier altéré, ou d'un autre appareil)".into(),
            )
        })?;
        let hlen = serde_json::to_vec(&header)
            .map(|h| h.len())
            .unwrap_or_default();
        let start = MAGIC.len() + 4;
        let declared = u32::from_le_bytes(
            signed
                .get(MAGIC.len()..start)
                .and_then(|b| b.try_into().ok())
                .unwrap_or_default(),
        );
        let body_at = start + usize::try_from(declared).unwrap_or(hlen);
        let body = signed
            .get(body_at..)
            .ok_or_else(|| SyncError::Malformed("fichier USB tronqué".into()))?;
        Ok(Bundle {
            header,
            docs: Envelope::decode(body)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Bundle {
        Bundle {
            header: Header {
                version: 1,
                from_device: "d".into(),
                to: "hub".into(),
                created_at: "2026-11-23T10:00:00Z".into(),
            },
            docs: Envelope {
                items: vec![("union".into(), vec![1, 2, 3])],
            },
        }
    }

    #[test]
    fn signed_round_trip() {
        let b = sample();
        let bytes = b.encode(b"secret").unwrap_or_default();
        assert_eq!(Bundle::decode(&bytes, b"secret").ok(), Some(b));
        assert_eq!(
            Bundle::peek(&bytes).map(|h| h.from_device).ok(),
            Some("d".to_owned())
        );
    }

    #[test]
    fn altered_or_foreign_files_are_refused() {
        let bytes = sample().encode(b"secret").unwrap_or_default();
        assert!(matches!(
            Bundle::decode(&bytes, b"other key"),
            Err(SyncError::Unauthentic(_))
        ));
        for i in [0, 9, 20, bytes.len() / 2, bytes.len() - 1] {
            let mut x = bytes.clone();
            if let Some(b) = x.get_mut(i) {
                *b ^= 0x40;
            }
            assert!(
                Bundle::decode(&x, b"secret").is_err(),
                "flip at {i} accepted"
            );
        }
        assert!(Bundle::decode(b"SENEUSB1", b"secret").is_err());
        assert!(Bundle::decode(&[], b"secret").is_err());
    }
}
