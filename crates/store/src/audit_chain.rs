//! The audit trail as a hash chain, and what the hub keeps of each device's chain.
//!
//! `h₀` is 16 zero bytes; `hₙ = SHA-256(hₙ₋₁ ‖ row n)` truncated to 16 bytes, where row n is
//! its sequence number, time, agent, device, action, record kind, record id and payload, each
//! followed by a unit separator. The chain is computed from the rows every time (nothing
//! stored on the device): a row edited in the file changes every hash from it on.

use rusqlite::{params, OptionalExtension};
use sha2::{Digest, Sha256};

use crate::db::Db;
use crate::error::StoreError;

type R<T> = Result<T, StoreError>;

/// Bytes of a chain hash (a truncated SHA-256: 128 bits).
pub const CHAIN_HASH_LEN: usize = 16;

/// A chain hash.
pub type ChainHash = [u8; CHAIN_HASH_LEN];

/// Lowercase hex of a chain hash.
#[must_use]
pub fn chain_hex(h: &ChainHash) -> String {
    hex(h)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A device's history found not to prove what the hub holds of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditBreak {
    pub device_id: String,
    /// The head (sequence number) the hub checked.
    pub at_seq: i64,
    /// The hash the hub holds for it (hex).
    pub expected: String,
    /// The hash the device's rows give now (hex), or what it sent instead.
    pub got: String,
    /// Why, in French.
    pub reason: String,
    pub detected_at: String,
}

impl Db<'_> {
    /// The hash of this store's audit chain after row `upto` (every row when `None`), and the
    /// sequence number of the last row counted (0 and the zero hash for an empty trail).
    ///
    /// # Errors
    /// SQLite errors.
    pub fn audit_chain(&self, upto: Option<i64>) -> R<(i64, ChainHash)> {
        let (seq, head, _) = self.chain(upto.unwrap_or(i64::MAX), 0)?;
        Ok((seq, head))
    }

    /// In one pass over the trail: the chain's hash after row `at` (the zero hash for 0), and
    /// the current head (sequence number and hash), as a device proves them at a sync.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn audit_chain_at(&self, at: i64) -> R<(ChainHash, (i64, ChainHash))> {
        let (seq, head, hash_at) = self.chain(i64::MAX, at)?;
        Ok((hash_at, (seq, head)))
    }

    /// Walks the rows up to `upto`: the last sequence number, the hash after it, and the hash
    /// after the last row at or below `mark`.
    fn chain(&self, upto: i64, mark: i64) -> R<(i64, ChainHash, ChainHash)> {
        let mut st = self.conn().prepare_cached(
            "SELECT seq, at, agent_id, device_id, action, record_kind, record_id, payload FROM audit WHERE seq <= ?1 ORDER BY seq",
        )?;
        let mut rows = st.query([upto])?;
        let mut h: ChainHash = [0; CHAIN_HASH_LEN];
        let mut at_mark = h;
        let mut last = 0;
        while let Some(r) = rows.next()? {
            let seq: i64 = r.get(0)?;
            let mut d = Sha256::new();
            d.update(h);
            d.update(seq.to_le_bytes());
            for i in 1..8 {
                let text: String = r.get(i)?;
                d.update(text.as_bytes());
                d.update([0x1f]);
            }
            let full = d.finalize();
            h.copy_from_slice(&full[..CHAIN_HASH_LEN]);
            last = seq;
            if seq <= mark {
                at_mark = h;
            }
        }
        Ok((last, h, at_mark))
    }

    /// Hub: the hash a device proved for a head, if any.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn audit_head(&self, device: &str, seq: i64) -> R<Option<String>> {
        Ok(self
            .cached()
            .query_row(
                "SELECT hash FROM audit_heads WHERE device_id = ?1 AND seq = ?2",
                params![device, seq],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Hub: the highest head a device proved (0 when none).
    ///
    /// # Errors
    /// SQLite errors.
    pub fn audit_head_max(&self, device: &str) -> R<i64> {
        Ok(self.cached().query_row(
            "SELECT coalesce(max(seq), 0) FROM audit_heads WHERE device_id = ?1",
            [device],
            |r| r.get(0),
        )?)
    }

    /// Hub: marks a head as named back by the device (it got the reply that acknowledged it).
    ///
    /// # Errors
    /// SQLite errors.
    pub fn confirm_audit_head(&self, device: &str, seq: i64) -> R<()> {
        self.cached().execute(
            "UPDATE audit_heads SET confirmed = 1 WHERE device_id = ?1 AND seq = ?2 AND confirmed = 0",
            params![device, seq],
        )?;
        Ok(())
    }

    /// Hub: the highest head the device confirmed, if any.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn audit_confirmed_max(&self, device: &str) -> R<Option<i64>> {
        Ok(self.cached().query_row(
            "SELECT max(seq) FROM audit_heads WHERE device_id = ?1 AND confirmed = 1",
            [device],
            |r| r.get(0),
        )?)
    }

    /// Hub: whether the device proved any head yet.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn has_audit_heads(&self, device: &str) -> R<bool> {
        Ok(self
            .conn()
            .prepare_cached("SELECT 1 FROM audit_heads WHERE device_id = ?1")?
            .exists([device])?)
    }

    /// Hub: keeps a head a device proved (a head already kept stays as it was).
    ///
    /// # Errors
    /// SQLite errors.
    pub fn put_audit_head(&self, device: &str, seq: i64, hash: &str, at: &str) -> R<()> {
        self.cached().execute(
            "INSERT OR IGNORE INTO audit_heads (device_id, seq, hash, received_at) VALUES (?1, ?2, ?3, ?4)",
            params![device, seq, hash, at],
        )?;
        Ok(())
    }

    /// Hub: sets aside the heads a device proved after `seq` (a device put back from an older
    /// copy of itself can no longer name them; the entry recorded for it keeps the newest).
    ///
    /// # Errors
    /// SQLite errors.
    pub fn forget_audit_heads_after(&self, device: &str, seq: i64) -> R<usize> {
        Ok(self.cached().execute(
            "DELETE FROM audit_heads WHERE device_id = ?1 AND seq > ?2",
            params![device, seq],
        )?)
    }

    /// Hub: forgets what it agreed with a peer (its sync states): a device put back from an
    /// older copy of itself no longer holds what they say, and the next file or exchange for
    /// it starts from nothing agreed.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn forget_sync_states(&self, peer: &str) -> R<usize> {
        Ok(self
            .conn()
            .execute("DELETE FROM sync_states WHERE peer = ?1", [peer])?)
    }

    /// Hub: records a break (once per device and head); whether it is new.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn put_audit_break(&self, b: &AuditBreak) -> R<bool> {
        let n = self.cached().execute(
            "INSERT OR IGNORE INTO audit_breaks (device_id, at_seq, expected, got, reason, detected_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![b.device_id, b.at_seq, b.expected, b.got, b.reason, b.detected_at],
        )?;
        Ok(n > 0)
    }

    /// Hub: every break found, oldest first.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn audit_breaks(&self) -> R<Vec<AuditBreak>> {
        let mut st = self.conn().prepare_cached(
            "SELECT device_id, at_seq, expected, got, reason, detected_at FROM audit_breaks ORDER BY id",
        )?;
        let rows = st.query_map([], |r| {
            Ok(AuditBreak {
                device_id: r.get(0)?,
                at_seq: r.get(1)?,
                expected: r.get(2)?,
                got: r.get(3)?,
                reason: r.get(4)?,
                detected_at: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

/// A file of a revoked device kept for review (its bytes are read with [`Db::quarantined_bytes`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuarantinedFile {
    pub id: i64,
    pub device_id: String,
    pub received_at: String,
    /// When the device wrote it (its header).
    pub created_at: String,
    pub size: i64,
    /// SHA-256 of the file, hex.
    pub digest: String,
}

impl Db<'_> {
    /// Hub: keeps a revoked device's file for review; its id, and whether it is new (the same
    /// file brought twice is kept once).
    ///
    /// # Errors
    /// SQLite errors.
    pub fn put_quarantine(
        &self,
        device: &str,
        received_at: &str,
        created_at: &str,
        bytes: &[u8],
    ) -> R<(i64, bool)> {
        let digest = hex(&Sha256::digest(bytes));
        let size = i64::try_from(bytes.len()).unwrap_or(i64::MAX);
        let n = self.cached().execute(
            "INSERT OR IGNORE INTO quarantine (device_id, received_at, created_at, size, digest, bytes) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![device, received_at, created_at, size, digest, bytes],
        )?;
        let id = self.cached().query_row(
            "SELECT id FROM quarantine WHERE digest = ?1",
            [&digest],
            |r| r.get(0),
        )?;
        Ok((id, n > 0))
    }

    /// Hub: the files kept for review, oldest first.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn quarantined(&self) -> R<Vec<QuarantinedFile>> {
        let mut st = self.conn().prepare_cached(
            "SELECT id, device_id, received_at, created_at, size, digest FROM quarantine ORDER BY id",
        )?;
        let rows = st.query_map([], |r| {
            Ok(QuarantinedFile {
                id: r.get(0)?,
                device_id: r.get(1)?,
                received_at: r.get(2)?,
                created_at: r.get(3)?,
                size: r.get(4)?,
                digest: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Hub: a kept file's bytes, to review it.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn quarantined_bytes(&self, id: i64) -> R<Option<Vec<u8>>> {
        Ok(self
            .cached()
            .query_row("SELECT bytes FROM quarantine WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .optional()?)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use crate::db::AuditEntry;
    use crate::Store;
    use chrono::Utc;
    use sene_domain::{AgentId, DeviceId};

    #[test]
    fn the_chain_covers_every_row_and_an_edit_changes_it() {
        let store = Store::open_in_memory().unwrap();
        let db = store.db();
        assert_eq!(db.audit_chain(None).unwrap(), (0, [0; 16]));
        let e = |action: &str| AuditEntry {
            at: Utc::now(),
            agent_id: AgentId::new(),
            device_id: DeviceId::new(),
            action: action.into(),
            record_kind: "member".into(),
            record_id: "m".into(),
            payload: "{\"amount\":1000}".into(),
        };
        for a in ["a", "b", "c"] {
            db.audit(&e(a)).unwrap();
        }
        let (seq, head) = db.audit_chain(None).unwrap();
        assert_eq!(seq, 3);
        let at_one = db.audit_chain(Some(1)).unwrap().1;
        let (two, at_two) = db.audit_chain(Some(2)).unwrap();
        assert_eq!(two, 2);
        assert_ne!(at_two, head);
        // the same rows give the same hashes
        assert_eq!(db.audit_chain(Some(2)).unwrap().1, at_two);
        // one pass gives both: the hash at a head and the current head
        assert_eq!(db.audit_chain_at(2).unwrap(), (at_two, (3, head)));
        assert_eq!(db.audit_chain_at(0).unwrap(), ([0; 16], (3, head)));
        // an edited row (the file changed behind the store's back: the trigger dropped first)
        store
            .conn
            .execute_batch("DROP TRIGGER IF EXISTS audit_immutable_u")
            .unwrap();
        store
            .conn
            .execute(
                "UPDATE audit SET payload = '{\"amount\":9000}' WHERE seq = 2",
                [],
            )
            .unwrap();
        assert_ne!(db.audit_chain(Some(2)).unwrap().1, at_two);
        assert_ne!(db.audit_chain(None).unwrap().1, head);
        // the rows before the edit keep their hash
        assert_eq!(db.audit_chain(Some(1)).unwrap().1, at_one);
    }
}
