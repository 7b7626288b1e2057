//! The audit history a device proves to the hub at each sync.
//!
//! The device's first request of a sync carries, as an envelope item named `audit`, 48 bytes:
//! the head the hub last acknowledged (`at`, a sequence number, 0 before the first) with the
//! hash the device's rows give for it *now*, and its current head (`seq`, `hash`), both
//! computed from the audit rows ([`sene_store::Db::audit_chain`]). The hub keeps every head it
//! is given; when the device's hash for a head the hub holds differs, or the device cannot name
//! one, or its history got shorter, the history was rewritten: the hub records a break, which
//! the secretariat's anomaly queue shows. The sync itself goes on (every record is still
//! checked before it is merged); what a rewritten history hides is for the secretariat to see.

use sene_app::Ledger;
use sene_store::{chain_hex, AuditBreak, ChainHash, StoreError, CHAIN_HASH_LEN};
use sene_sync::SyncError;

use crate::HubError;

/// The envelope (or USB file) item's name.
pub use sene_sync::wire::AUDIT_ITEM;

const LEN: usize = 2 * (8 + CHAIN_HASH_LEN);

/// What a device says of its audit chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Proof {
    /// The head the hub acknowledged last (0: none).
    pub at: i64,
    /// The chain's hash at `at`, from the rows as they are now.
    pub hash_at: ChainHash,
    /// The current head.
    pub seq: i64,
    pub hash: ChainHash,
}

impl Proof {
    /// The 48 bytes sent.
    #[must_use]
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(LEN);
        out.extend_from_slice(&self.at.to_le_bytes());
        out.extend_from_slice(&self.hash_at);
        out.extend_from_slice(&self.seq.to_le_bytes());
        out.extend_from_slice(&self.hash);
        out
    }

    /// The inverse of [`Proof::encode`].
    ///
    /// # Errors
    /// [`SyncError::Malformed`] for anything but 48 bytes with sequence numbers ≥ 0.
    pub fn decode(bytes: &[u8]) -> Result<Proof, SyncError> {
        let bad = || SyncError::Malformed("preuve d'historique illisible".into());
        if bytes.len() != LEN {
            return Err(bad());
        }
        let int = |at: usize| -> Result<i64, SyncError> {
            let mut b = [0_u8; 8];
            b.copy_from_slice(bytes.get(at..at + 8).ok_or_else(bad)?);
            Ok(i64::from_le_bytes(b))
        };
        let hash = |at: usize| -> Result<ChainHash, SyncError> {
            let mut h = [0_u8; CHAIN_HASH_LEN];
            h.copy_from_slice(bytes.get(at..at + CHAIN_HASH_LEN).ok_or_else(bad)?);
            Ok(h)
        };
        let p = Proof {
            at: int(0)?,
            hash_at: hash(8)?,
            seq: int(8 + CHAIN_HASH_LEN)?,
            hash: hash(16 + CHAIN_HASH_LEN)?,
        };
        if p.at < 0 || p.seq < 0 {
            return Err(bad());
        }
        Ok(p)
    }
}

/// The device's proof: its chain at the head the hub acknowledged, and its current head.
///
/// # Errors
/// Store errors.
pub fn proof(ledger: &Ledger, acked: i64) -> Result<Proof, HubError> {
    let (hash_at, (seq, hash)) = ledger.db().audit_chain_at(acked)?;
    Ok(Proof {
        at: acked,
        hash_at,
        seq,
        hash,
    })
}

/// The envelope (or USB file) item by which a device put back from a copy of itself says so:
/// its sync generation (4 bytes, little-endian), sent while it is above 0.
pub use sene_sync::wire::RESTORED_ITEM;

/// The item of the hub's USB file for a device: the newest audit head the hub holds of it
/// (8 bytes, little-endian), so a device that only travels by USB learns it went back.
pub use sene_sync::wire::KNOWN_ITEM;

/// Why the hub's entry for a device put back from a copy of itself is recorded.
pub const RESTORED_REASON: &str = "appareil remis à une copie antérieure de lui-même : ses entrées d'audit reçues par le bureau après cette copie ne sont plus sur l'appareil ; il a pris une nouvelle identité et une nouvelle série de reçus, et a récupéré ses enregistrements auprès du bureau";

/// The setting, on the hub, of the newest sync generation a device declared.
fn generation_key(device: &str) -> String {
    format!("audit_generation.{device}")
}

/// The newest sync generation the hub accepted from `device` (0 when it never declared one):
/// a device that takes a new identity again must take a greater one, or its receipts would
/// go on in a series already used.
///
/// # Errors
/// Store errors.
pub fn accepted_generation(db: &sene_store::Db<'_>, device: &str) -> Result<u32, StoreError> {
    Ok(db
        .setting(&generation_key(device))?
        .and_then(|g| g.parse().ok())
        .unwrap_or(0))
}

/// A generation as the item carries it.
#[must_use]
pub fn encode_generation(generation: u32) -> Vec<u8> {
    generation.to_le_bytes().to_vec()
}

/// The inverse of [`encode_generation`].
///
/// # Errors
/// [`SyncError::Malformed`] for anything but 4 bytes.
pub fn decode_generation(bytes: &[u8]) -> Result<u32, SyncError> {
    let b: [u8; 4] = bytes
        .try_into()
        .map_err(|_| SyncError::Malformed("génération de restauration illisible".into()))?;
    Ok(u32::from_le_bytes(b))
}

/// Hub: whether the device's proof shows a device put back from an older copy of itself: its
/// history up to the head it names is the one the hub received (same hash), but it names an
/// older head than one it already confirmed, or holds fewer entries than the hub received.
/// Returns the newest head the hub holds of it.
fn rewound(
    db: &sene_store::Db<'_>,
    device: &str,
    proof: &Proof,
) -> Result<Option<i64>, StoreError> {
    if !db.has_audit_heads(device)? {
        return Ok(None);
    }
    let max = db.audit_head_max(device)?;
    let confirmed = db.audit_confirmed_max(device)?;
    let behind = proof.seq < max || confirmed.is_some_and(|c| c > proof.at);
    if !behind {
        return Ok(None);
    }
    let honest = proof.at == 0
        || db.audit_head(device, proof.at)?.as_deref() == Some(chain_hex(&proof.hash_at).as_str());
    Ok(honest.then_some(max))
}

/// Hub: admits a device's proof at the start of an exchange (HTTP or USB).
///
/// A device put back from an older copy of itself (its history is a prefix of what the hub
/// received) that has not said so is refused with [`HubError::Rewound`] before anything is
/// merged: its automerge actor and receipt counter went back with the file, and any change or
/// receipt it made now would reuse a number the hub already holds. The client then takes a new
/// identity and receipt series ([`sene_app::Ledger::mark_rewound`]) and syncs again, saying so
/// with its new generation ([`RESTORED_ITEM`]): the hub then sets aside the heads the device can
/// no longer name, records one entry for the secretariat ([`RESTORED_REASON`]), and the
/// exchange goes on (the device gets back from the hub what it had lost). Anything else is
/// [`check`]ed as before.
///
/// A federation ([`crate::enroll::FEDERATION`]) writes nothing at the union, so it has no
/// history to prove there: its proof is not kept, and records no head and no break (nothing
/// of it reaches the secretariat's anomaly queue).
///
/// # Errors
/// [`HubError::Rewound`], store errors.
pub fn admit(
    ledger: &mut Ledger,
    device: &str,
    proof: &Proof,
    declared: Option<u32>,
    now: &str,
) -> Result<Vec<AuditBreak>, HubError> {
    if ledger
        .db()
        .hub_device(device)?
        .is_some_and(|d| crate::enroll::is_federation(&d))
    {
        return Ok(Vec::new());
    }
    let (store, _, _) = ledger.parts()?;
    let (refused, entry) = store.write(
        |db| -> Result<(Option<HubError>, Option<AuditBreak>), StoreError> {
            let key = generation_key(device);
            let accepted = accepted_generation(db, device)?;
            let fresh = declared.filter(|g| *g > accepted);
            let Some(known) = rewound(db, device, proof)? else {
                if let Some(g) = fresh {
                    db.set_setting(&key, &g.to_string())?;
                }
                return Ok((None, None));
            };
            // what the hub agreed with the device it no longer holds: the next file or exchange
            // for it starts from nothing agreed, so it gets back everything it lost
            db.forget_sync_states(device)?;
            let Some(g) = fresh else {
                return Ok((
                    Some(HubError::Rewound {
                        known,
                        generation: accepted,
                    }),
                    None,
                ));
            };
            // what the hub held of the history the device lost stays in the entry
            let top = db.audit_head(device, known)?.unwrap_or_default();
            db.forget_audit_heads_after(device, proof.at)?;
            let entry = AuditBreak {
                device_id: device.to_owned(),
                at_seq: known,
                expected: format!("{top} (n° {known})"),
                got: format!("n° {} (génération {g})", proof.seq),
                reason: RESTORED_REASON.to_owned(),
                detected_at: now.to_owned(),
            };
            let new = db.put_audit_break(&entry)?;
            db.set_setting(&key, &g.to_string())?;
            Ok((None, new.then_some(entry)))
        },
    )?;
    if refused.is_some() || entry.is_some() {
        ledger.sync_reset(device)?;
    }
    if let Some(HubError::Rewound { known, generation }) = refused {
        tracing::warn!(
            device,
            known,
            generation,
            at = proof.seq,
            "device put back from an older copy of itself: refused until it takes a new identity"
        );
        return Err(HubError::Rewound { known, generation });
    }
    let mut found = Vec::new();
    if let Some(e) = entry {
        tracing::warn!(
            device,
            known = e.at_seq,
            at = proof.seq,
            "device restored from a copy of itself: new identity accepted"
        );
        found.push(e);
    }
    found.extend(check(ledger, device, proof, now)?);
    Ok(found)
}

/// Hub: checks a device's proof against the heads kept for it, records the breaks found, and
/// keeps the new head. Returns the breaks recorded now (one already recorded for the same
/// device and head is not recorded again).
///
/// # Errors
/// Store errors.
pub fn check(
    ledger: &mut Ledger,
    device: &str,
    proof: &Proof,
    now: &str,
) -> Result<Vec<AuditBreak>, HubError> {
    let (store, _, _) = ledger.parts()?;
    let found = store.write(|db| -> Result<Vec<AuditBreak>, StoreError> {
        let mut found = Vec::new();
        let brk = |at_seq: i64, expected: String, got: String, reason: &str| AuditBreak {
            device_id: device.to_owned(),
            at_seq,
            expected,
            got,
            reason: reason.to_owned(),
            detected_at: now.to_owned(),
        };
        let max = db.audit_head_max(device)?;
        if db.has_audit_heads(device)? {
            // the newest head the device showed it knows: naming an older one hides something
            let confirmed = db.audit_confirmed_max(device)?;
            match db.audit_head(device, proof.at)? {
                Some(expected) if confirmed.is_none_or(|c| c <= proof.at) => {
                    let got = chain_hex(&proof.hash_at);
                    if got != expected {
                        found.push(brk(
                            proof.at,
                            expected,
                            got,
                            "historique d'audit réécrit : l'appareil ne donne plus le même condensé pour ce que le bureau a reçu",
                        ));
                    }
                    db.confirm_audit_head(device, proof.at)?;
                }
                // the device names a head after every one this hub holds, and this hub was
                // put back from a backup: the hub went back in time, not the device (what the
                // hub can still check, the length below and the head it keeps, it checks)
                _ if proof.at > max && !db.restorations()?.is_empty() => {}
                _ => {
                    let known = confirmed.unwrap_or(max);
                    let expected = db.audit_head(device, known)?.unwrap_or_default();
                    found.push(brk(
                        proof.at,
                        format!("{expected} (n° {known})"),
                        format!("{} (n° {})", chain_hex(&proof.hash_at), proof.at),
                        "historique d'audit non prouvé : l'appareil ne nomme pas le dernier point que le bureau lui a accusé",
                    ));
                }
            }
            if proof.seq < max {
                found.push(brk(
                    proof.seq,
                    format!("n° {max} au moins"),
                    format!("n° {}", proof.seq),
                    "historique d'audit raccourci : moins d'entrées que le bureau n'en a reçu",
                ));
            }
        }
        if let Some(kept) = db.audit_head(device, proof.seq)? {
            let got = chain_hex(&proof.hash);
            if kept != got && proof.seq != proof.at {
                found.push(brk(
                    proof.seq,
                    kept,
                    got,
                    "historique d'audit réécrit : l'appareil ne donne plus le même condensé pour ce que le bureau a reçu",
                ));
            }
        }
        let mut new = Vec::new();
        for b in found {
            if db.put_audit_break(&b)? {
                new.push(b);
            }
        }
        db.put_audit_head(device, proof.seq, &chain_hex(&proof.hash), now)?;
        Ok(new)
    })?;
    for b in &found {
        tracing::warn!(device = %b.device_id, at = b.at_seq, reason = %b.reason, "audit history");
    }
    Ok(found)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_proof_round_trips_and_anything_else_is_refused() {
        let p = Proof {
            at: 7,
            hash_at: [1; CHAIN_HASH_LEN],
            seq: 12,
            hash: [2; CHAIN_HASH_LEN],
        };
        let b = p.encode();
        assert_eq!(b.len(), 48);
        assert_eq!(Proof::decode(&b).unwrap(), p);
        assert!(Proof::decode(&b[..47]).is_err());
        assert!(Proof::decode(&[b.as_slice(), &[0]].concat()).is_err());
        let mut neg = b.clone();
        neg[7] = 0x80;
        assert!(Proof::decode(&neg).is_err());
        assert!(Proof::decode(&[]).is_err());
    }

    fn hub() -> Ledger {
        let mut l = Ledger::with_clock(
            sene_store::Store::open_in_memory().unwrap(),
            Box::new(sene_app::SystemClock),
        );
        l.init(&sene_app::InitUnion {
            union_name: "Union".into(),
            region: "Ségou".into(),
            agent_name: "Secrétariat".into(),
            device_label: "Bureau".into(),
            receipt_prefix: "U1".into(),
        })
        .unwrap();
        l
    }

    fn p(at: i64, hash_at: u8, seq: i64, hash: u8) -> Proof {
        Proof {
            at,
            hash_at: [hash_at; CHAIN_HASH_LEN],
            seq,
            hash: [hash; CHAIN_HASH_LEN],
        }
    }

    /// An honest device (a lost reply included) raises nothing; a changed hash, a head the
    /// device cannot name after confirming a newer one, or a shorter history each raise a
    /// break, once.
    #[test]
    fn heads_are_checked_and_each_kind_of_rewrite_is_a_break() {
        let mut l = hub();
        let mut check = |proof: Proof| check(&mut l, "dev", &proof, "t").unwrap().len();
        // first sync: nothing to compare; then honest syncs, one of whose replies was lost
        // (the device names head 3 again while the hub also holds head 5)
        assert_eq!(check(p(0, 0, 3, 3)), 0);
        assert_eq!(check(p(3, 3, 5, 5)), 0);
        assert_eq!(check(p(3, 3, 6, 6)), 0);
        assert_eq!(check(p(6, 6, 8, 8)), 0);
        // a rewritten row before head 8: the device's hash at 8 differs
        assert_eq!(check(p(8, 9, 9, 9)), 1);
        assert_eq!(check(p(8, 9, 9, 9)), 0, "once per head");
        // the acknowledgement reset to an older head than one the device confirmed
        assert_eq!(check(p(3, 3, 10, 10)), 1);
        // a history shorter than what the hub received
        assert_eq!(check(p(9, 9, 7, 7)), 1);
        let breaks = l.db().audit_breaks().unwrap();
        assert_eq!(breaks.len(), 3, "{breaks:?}");
        assert!(breaks[0].reason.contains("réécrit"));
        assert!(breaks[1].reason.contains("non prouvé"));
        assert!(breaks[2].reason.contains("raccourci"));
    }

    /// A device put back from an older copy of itself (its history a prefix of what the hub
    /// holds) is refused until it declares a new generation; then one entry is recorded, the
    /// heads it lost are set aside, and its later syncs raise nothing. A history that differs
    /// from what the hub holds is still a break, declared or not.
    #[test]
    fn a_device_gone_back_is_refused_until_it_declares_a_new_generation() {
        let mut l = hub();
        let mut admit = |proof: Proof, g: Option<u32>| admit(&mut l, "dev", &proof, g, "t");
        assert!(admit(p(0, 0, 3, 3), None).unwrap().is_empty());
        assert!(admit(p(3, 3, 8, 8), None).unwrap().is_empty());
        assert!(admit(p(8, 8, 9, 9), None).unwrap().is_empty());
        // its file copied back from when the hub had acknowledged head 3 (5 entries)
        for proof in [p(3, 3, 5, 5), p(3, 3, 12, 12), p(0, 0, 2, 2)] {
            match admit(proof, None) {
                Err(HubError::Rewound { known, .. }) => assert_eq!(known, 9),
                other => panic!("{proof:?} is refused as gone back: {other:?}"),
            }
            // a generation the hub already accepted is not a new declaration
            assert!(matches!(
                admit(proof, Some(0)),
                Err(HubError::Rewound { .. })
            ));
        }
        // declared: one entry, naming what the hub held
        let found = admit(p(3, 3, 5, 5), Some(1)).unwrap();
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].reason, RESTORED_REASON);
        assert_eq!(found[0].at_seq, 9);
        assert!(found[0].expected.ends_with("(n° 9)"), "{found:?}");
        // and the device goes on, honest, raising nothing more
        assert!(admit(p(3, 3, 6, 6), Some(1)).unwrap().is_empty());
        assert!(admit(p(6, 6, 7, 7), Some(1)).unwrap().is_empty());
        // a history changed under a head the hub holds is a break, not a restore
        let found = admit(p(6, 1, 7, 7), Some(2)).unwrap();
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].reason.contains("réécrit"), "{found:?}");
    }
}
