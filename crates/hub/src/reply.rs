//! The hub's [`Reply`] to one exchange (its report, then the documents' messages, in one
//! envelope), and the hex text of the compression dictionaries.

use sene_app::sync::SyncReport;
use std::sync::Arc;

use sene_sync::wire::{Dict, Envelope, Reads, Strength};
use sene_sync::SyncError;

/// The hub's reply to one exchange: the report of what it merged (and refused), and its messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub report: SyncReport,
    pub envelope: Envelope,
}

/// The envelope item that carries the hub's report, ahead of the documents' messages.
const REPORT_ITEM: &str = "rapport";

/// Lowercase hex (a device keeps its dictionary in the settings table, which holds text).
#[must_use]
pub fn to_hex(bytes: &[u8]) -> String {
    // a table, not `format!` per byte: formatting a 32 KiB dictionary took a third of a
    // millisecond
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    out
}

/// The inverse of [`to_hex`]; `None` for anything else.
#[must_use]
pub fn from_hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    let digit = |c: u8| match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    };
    text.as_bytes()
        .chunks_exact(2)
        .map(|p| Some(digit(p[0])? << 4 | digit(p[1])?))
        .collect()
}

/// A [`Reply`] made, to be compressed for its device ([`Reply::answer`]).
#[derive(Debug)]
pub(crate) struct Answer {
    whole: Envelope,
    dict: Option<Arc<Dict>>,
    reads: Reads,
    strength: Strength,
}

impl Answer {
    /// The answer's bytes: compressed with the request's dictionary, zstd only to a device
    /// that reads it.
    ///
    /// # Errors
    /// Encoding errors.
    pub fn encode(&self) -> Result<Vec<u8>, SyncError> {
        self.whole
            .encode_dict(self.dict.as_deref(), self.reads, self.strength)
    }

    /// The dictionary it is compressed with (the request's).
    #[must_use]
    pub fn dict(&self) -> Option<&[u8]> {
        self.dict.as_deref().map(Dict::bytes)
    }
}

impl Reply {
    fn whole(&self) -> Result<Envelope, SyncError> {
        let report =
            serde_json::to_vec(&self.report).map_err(|e| SyncError::Malformed(e.to_string()))?;
        let mut env = Envelope::default();
        env.items.push((REPORT_ITEM.to_owned(), report));
        env.items.extend(self.envelope.items.iter().cloned());
        // automerge's own compression out (a new laptop's documents come whole, column by
        // column deflated): one deflate over the reply, and a dictionary of its bytes; a
        // decoded reply is already expanded, so both sides' `raw` agree
        env.expand();
        Ok(env)
    }

    /// One envelope: the report as JSON in an item named `rapport`, then the documents'
    /// messages (compressed together: the report costs a few dozen bytes).
    ///
    /// # Errors
    /// Encoding errors.
    pub fn encode(&self) -> Result<Vec<u8>, SyncError> {
        self.encode_with(None)
    }

    /// As [`Reply::encode`], compressed with `dict` preset (the request's dictionary).
    ///
    /// # Errors
    /// Encoding errors.
    pub fn encode_with(&self, dict: Option<&[u8]>) -> Result<Vec<u8>, SyncError> {
        self.whole()?.encode_with(dict)
    }

    /// The hub's answer, to compress with `dict` for a device that `reads` what its request
    /// said ([`Envelope::sender_reads`]: zstd only to a device that reads it), and the raw
    /// bytes for the next dictionary, the messages expanded once for both. The compression
    /// itself ([`Answer::encode`]) is left to whoever sends the answer: on the hub, the
    /// request's own thread, not the writer that merges every device's exchange (zstd at its
    /// strongest over a new laptop's documents takes tenths of a second), at `strength`.
    ///
    /// # Errors
    /// Encoding errors.
    pub(crate) fn answer(
        &self,
        dict: Option<Arc<Dict>>,
        reads: Reads,
        strength: Strength,
    ) -> Result<(Answer, Vec<u8>), SyncError> {
        let whole = self.whole()?;
        let raw = whole.raw()?;
        Ok((
            Answer {
                whole,
                dict,
                reads,
                strength,
            },
            raw,
        ))
    }

    /// The reply's uncompressed bytes, for the next exchange's dictionary.
    ///
    /// # Errors
    /// Encoding errors.
    pub fn raw(&self) -> Result<Vec<u8>, SyncError> {
        self.whole()?.raw()
    }

    /// The inverse of [`Reply::encode`].
    ///
    /// # Errors
    /// [`SyncError::Malformed`].
    pub fn decode(bytes: &[u8]) -> Result<Reply, SyncError> {
        Self::decode_with(bytes, None)
    }

    /// As [`Reply::decode`], for a reply compressed with `dict`.
    ///
    /// # Errors
    /// [`SyncError::Malformed`].
    pub fn decode_with(bytes: &[u8], dict: Option<&[u8]>) -> Result<Reply, SyncError> {
        let bad = || SyncError::Malformed("réponse du bureau illisible".into());
        let mut envelope = Envelope::decode_with(bytes, dict)?;
        if envelope.items.first().map(|(id, _)| id.as_str()) != Some(REPORT_ITEM) {
            return Err(bad());
        }
        let (_, report) = envelope.items.remove(0);
        let report = serde_json::from_slice(&report).map_err(|_| bad())?;
        Ok(Reply { report, envelope })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn hex_reads_back_and_refuses_anything_else() {
        let all: Vec<u8> = (0..=255).collect();
        let text = to_hex(&all);
        assert_eq!(&text[..8], "00010203");
        assert_eq!(&text[text.len() - 4..], "feff");
        assert_eq!(from_hex(&text).unwrap(), all);
        assert_eq!(from_hex("ABcd").unwrap(), vec![0xab, 0xcd]);
        assert_eq!(from_hex(""), Some(Vec::new()));
        for bad in ["abc", "0g", "+1", "é0"] {
            assert_eq!(from_hex(bad), None, "{bad}");
        }
    }
}
