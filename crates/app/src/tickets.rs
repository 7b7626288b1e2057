//! The weighing ticket's proof: a QR code on the delivery receipt that holds the receipt's
//! figures and a signature by the printing device's key, and its check at the office.
//!
//! The code holds, in capitals (the QR code's alphanumeric mode):
//! `SENE2:<DELIVERY ID>:<RECEIPT>:<ACCEPTED, tenths of kg>:<VALUE, francs>:<SIGNER DEVICE>:<SIG>:<MEMBER NUMBER>`
//! (the member's number last: it is the one part that may hold any character).
//! `<SIG>` is the first 10 bytes (20 hexadecimal digits) of HMAC-SHA256 over everything before
//! it and the member's number, under the signer's ticket key.
//!
//! **The key.** A device's ticket key is HMAC-SHA256 of the fixed text `sene ticket key 1`
//! under its bundle key: the secret the office hands a laptop at enrolment (it signs the
//! laptop's USB files, `sene_sync::bundle`) and keeps in `hub_devices`. So the laptop signs
//! and the office verifies with nothing new to exchange, and no one else can make a ticket
//! that verifies. A device never enrolled (the office itself, a laptop working alone) signs
//! with a random secret of its own, made once ([`Ledger::ensure_ticket_secret`]); only that
//! device can verify its tickets. Ed25519 (through `ring`, in the tree for TLS) would let
//! anyone verify with a public key, but the public key would have to reach the office first
//! (a new field at enrolment, synced), and only the office verifies: a shared secret it
//! already holds is enough, and HMAC-SHA256 is already used for USB files and relay tags.
//!
//! **What the check says** ([`check_ticket`]): whether the signature is right (or cannot be
//! checked here: an unknown device, no key), whether the delivery exists in the books, and
//! each figure that differs between the paper and the books (receipt number, member, accepted
//! weight, value), or that the delivery has since been reversed.

use hmac::{KeyInit, Mac};
use sene_domain::{DeliveryId, DeviceId, Kg, Lang, Money};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::{AppError, Ledger, Result};
use sene_store::Db;

type HmacSha256 = hmac::Hmac<Sha256>;

/// What every ticket's code starts with.
pub const TICKET_TAG: &str = "SENE2";
/// The device's own ticket secret when it has no bundle key (never enrolled).
pub const TICKET_SECRET: &str = "ticket_secret";
/// The audit action of a ticket's scan that did not match the books.
pub const SCANNED: &str = sene_store::TICKET_SCANNED;
/// The bundle key setting a laptop gets at enrolment (`sene_hub::client::keys::BUNDLE_KEY`).
pub const BUNDLE_KEY: &str = "bundle_key";

/// The figures a ticket's code holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketFigures {
    pub delivery: DeliveryId,
    pub receipt: String,
    pub member_number: String,
    pub accepted: Kg,
    pub value: Money,
    /// The device that printed (and signed) the ticket.
    pub signer: DeviceId,
}

impl TicketFigures {
    fn signed_text(&self) -> String {
        format!(
            "{TICKET_TAG}:{}:{}:{}:{}:{}",
            self.delivery.to_string().to_ascii_uppercase(),
            self.receipt.to_uppercase(),
            self.accepted.tenths(),
            self.value.francs(),
            self.signer.to_string().to_ascii_uppercase(),
        )
    }

    /// The code's text, signed under `key`.
    #[must_use]
    pub fn payload(&self, key: &[u8; 32]) -> String {
        format!(
            "{}:{}:{}",
            self.signed_text(),
            signature(key, &self.signed_text(), &self.member_number.to_uppercase()),
            self.member_number.to_uppercase()
        )
    }
}

fn signature(key: &[u8; 32], text: &str, member: &str) -> String {
    let Ok(mut m) = <HmacSha256 as KeyInit>::new_from_slice(key) else {
        return String::new();
    };
    m.update(text.as_bytes());
    m.update(b"\n");
    m.update(member.as_bytes());
    m.finalize()
        .into_bytes()
        .iter()
        .take(10)
        .map(|b| format!("{b:02X}"))
        .collect()
}

/// A device's ticket key from its secret (bundle key or own ticket secret).
#[must_use]
pub fn ticket_key(secret: &str) -> [u8; 32] {
    let mut out = [0u8; 32];
    if let Ok(mut m) = <HmacSha256 as KeyInit>::new_from_slice(secret.as_bytes()) {
        m.update(b"sene ticket key 1");
        out.copy_from_slice(&m.finalize().into_bytes());
    }
    out
}

/// The ticket key of `device` as known to this store: this device's own (bundle key, else its
/// ticket secret), or at the office an enrolled laptop's (its bundle key in `hub_devices`).
///
/// # Errors
/// Store errors.
pub fn key_of(db: &Db<'_>, device: DeviceId) -> Result<Option<[u8; 32]>> {
    let local = db.setting(crate::settings::LOCAL_DEVICE)?;
    if local.as_deref() == Some(device.to_string().as_str()) {
        if let Some(k) = db.setting(BUNDLE_KEY)?.filter(|k| !k.is_empty()) {
            return Ok(Some(ticket_key(&k)));
        }
        if let Some(k) = db.setting(TICKET_SECRET)?.filter(|k| !k.is_empty()) {
            return Ok(Some(ticket_key(&k)));
        }
    }
    if let Some(d) = db.hub_device(&device.to_string())? {
        if let Some(k) = d.bundle_key.filter(|k| !k.is_empty()) {
            return Ok(Some(ticket_key(&k)));
        }
    }
    Ok(None)
}

/// The figures of a delivery's ticket as printed now by this device: the stored record's
/// receipt number, member, accepted weight and value (the value as on the receipt).
///
/// # Errors
/// [`AppError::NotFound`]; store errors; [`AppError::NotInitialized`].
pub fn figures(db: &Db<'_>, id: DeliveryId) -> Result<TicketFigures> {
    let x = db
        .delivery(id)?
        .ok_or_else(|| crate::missing("livraison", id))?;
    let doc = crate::receipts::delivery(db, id)?;
    let signer: DeviceId = db
        .setting(crate::settings::LOCAL_DEVICE)?
        .and_then(|d| d.parse().ok())
        .ok_or(AppError::NotInitialized)?;
    Ok(TicketFigures {
        delivery: id,
        receipt: x.recorded.receipt,
        member_number: doc.member_number,
        accepted: x.accepted,
        value: doc.amount,
        signer,
    })
}

/// The text of a delivery's ticket code, signed by this device; `None` when this device has
/// no ticket key (then the receipt prints no code).
///
/// # Errors
/// As [`figures`].
pub fn ticket_payload(db: &Db<'_>, id: DeliveryId) -> Result<Option<String>> {
    let f = figures(db, id)?;
    Ok(key_of(db, f.signer)?.map(|k| f.payload(&k)))
}

/// A ticket's code read back: its figures and signature, unchecked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScannedTicket {
    pub figures: TicketFigures,
    pub signature: String,
}

/// Reads a ticket's code (see the module's documentation); `None` when it is not one.
#[must_use]
pub fn parse_ticket(text: &str) -> Option<ScannedTicket> {
    let t = crate::cards::normalise_scan(text);
    let rest = t.strip_prefix(TICKET_TAG)?.strip_prefix(':')?;
    let parts: Vec<&str> = rest.splitn(7, ':').collect();
    let [delivery, receipt, accepted, value, signer, sig, member] = parts.as_slice() else {
        return None;
    };
    Some(ScannedTicket {
        figures: TicketFigures {
            delivery: delivery.to_ascii_lowercase().parse().ok()?,
            receipt: (*receipt).to_owned(),
            member_number: (*member).to_owned(),
            accepted: Kg::from_tenths(accepted.parse().ok()?).ok()?,
            value: Money::from_francs(value.parse().ok()?).ok()?,
            signer: signer.to_ascii_lowercase().parse().ok()?,
        },
        signature: (*sig).to_owned(),
    })
}

/// Whether a text is meant as a ticket's code (rather than a member's card).
#[must_use]
pub fn looks_like_ticket(text: &str) -> bool {
    crate::cards::normalise_scan(text).starts_with(TICKET_TAG)
}

/// The signature's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Signature {
    /// Made by the signer's key over these figures.
    Valid,
    /// Not made over these figures: a figure was changed, or another key signed.
    Invalid,
    /// This store does not hold the signer's key (a laptop checking another's ticket, a
    /// device the office does not know): check at the office.
    NoKey,
}

/// One figure that differs between the paper and the books.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Difference {
    /// `receipt`, `member`, `accepted`, `value`.
    pub field: String,
    pub paper: String,
    pub books: String,
}

impl Difference {
    /// What differs, in `lang`.
    #[must_use]
    pub fn label(&self, lang: Lang) -> &'static str {
        match (self.field.as_str(), lang) {
            ("receipt", Lang::Fr) => "numéro de reçu",
            ("receipt", Lang::En) => "receipt number",
            ("member", Lang::Fr) => "membre",
            ("member", Lang::En) => "member",
            ("accepted", Lang::Fr) => "poids accepté",
            ("accepted", Lang::En) => "accepted weight",
            ("value", Lang::Fr) => "valeur",
            ("value", Lang::En) => "value",
            (_, Lang::Fr) => "figure",
            (_, Lang::En) => "figure",
        }
    }
}

/// What the office learns from a ticket's scan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketCheck {
    pub figures: TicketFigures,
    pub signature: Signature,
    /// The delivery is in the books.
    pub found: bool,
    /// The number of the receipt that reversed it since, if any.
    pub reversed_by: Option<String>,
    pub differences: Vec<Difference>,
}

impl TicketCheck {
    /// The paper matches the books: signed, found, same figures, not reversed.
    #[must_use]
    pub fn matches(&self) -> bool {
        self.signature == Signature::Valid
            && self.found
            && self.differences.is_empty()
            && self.reversed_by.is_none()
    }

    /// The verdict in one sentence, in `lang`.
    #[must_use]
    pub fn message(&self, lang: Lang) -> String {
        let r = &self.figures.receipt;
        let fr = lang == Lang::Fr;
        if self.matches() {
            return if fr {
                format!("ticket {r} conforme : signature valide, mêmes chiffres que les livres")
            } else {
                format!("ticket {r} matches: valid signature, same figures as the books")
            };
        }
        let mut parts = Vec::new();
        match self.signature {
            Signature::Valid => {}
            Signature::Invalid => parts.push(if fr {
                "signature fausse : le papier a été modifié ou ne vient pas de l'appareil qu'il nomme".to_owned()
            } else {
                "wrong signature: the paper was altered or does not come from the device it names".to_owned()
            }),
            Signature::NoKey => parts.push(if fr {
                "signature invérifiable ici (appareil inconnu de ce poste) : vérifiez au bureau de l'union".to_owned()
            } else {
                "signature cannot be checked here (device unknown to this computer): check at the union office".to_owned()
            }),
        }
        if !self.found {
            parts.push(if fr {
                "aucune livraison de ce numéro dans les livres (pas encore synchronisée, ou inventée)".to_owned()
            } else {
                "no such delivery in the books (not synced yet, or made up)".to_owned()
            });
        }
        for d in &self.differences {
            parts.push(if fr {
                format!("{} : papier {}, livres {}", d.label(lang), d.paper, d.books)
            } else {
                format!("{}: paper {}, books {}", d.label(lang), d.paper, d.books)
            });
        }
        if let Some(n) = &self.reversed_by {
            parts.push(if fr {
                format!("livraison annulée depuis (reçu {n})")
            } else {
                format!("delivery reversed since (receipt {n})")
            });
        }
        if fr {
            format!("ticket {r} NON conforme : {}", parts.join(" ; "))
        } else {
            format!("ticket {r} does NOT match: {}", parts.join("; "))
        }
    }
}

/// Checks a scanned ticket against the books and its signer's key.
///
/// # Errors
/// Store errors; [`AppError::NotInitialized`].
pub fn check_ticket(db: &Db<'_>, t: &ScannedTicket) -> Result<TicketCheck> {
    let f = &t.figures;
    let signature = match key_of(db, f.signer)? {
        None => Signature::NoKey,
        Some(k) => {
            let want = signature(&k, &f.signed_text(), &f.member_number.to_uppercase());
            if !want.is_empty() && want == t.signature.to_uppercase() {
                Signature::Valid
            } else {
                Signature::Invalid
            }
        }
    };
    let mut differences = Vec::new();
    let mut reversed_by = None;
    let found = match db.delivery(f.delivery)? {
        None => false,
        Some(x) => {
            let doc = crate::receipts::delivery(db, f.delivery)?;
            let mut differ = |field: &str, paper: String, books: String| {
                if paper != books {
                    differences.push(Difference {
                        field: field.to_owned(),
                        paper,
                        books,
                    });
                }
            };
            differ(
                "receipt",
                f.receipt.to_uppercase(),
                x.recorded.receipt.to_uppercase(),
            );
            differ(
                "member",
                f.member_number.to_uppercase(),
                doc.member_number.to_uppercase(),
            );
            differ("accepted", f.accepted.to_string(), x.accepted.to_string());
            differ("value", f.value.to_string(), doc.amount.to_string());
            reversed_by = db
                .reversal_of(&f.delivery.to_string())?
                .map(|r| r.recorded.receipt);
            true
        }
    };
    Ok(TicketCheck {
        figures: f.clone(),
        signature,
        found,
        reversed_by,
        differences,
    })
}

impl Ledger {
    /// Makes this device's own ticket secret when it has none and no bundle key (a device
    /// never enrolled: the office, a laptop working alone), so its tickets are signed.
    ///
    /// # Errors
    /// Store errors; no randomness from the system.
    pub fn ensure_ticket_secret(&mut self) -> Result<()> {
        let has = |k: &str| -> Result<bool> { Ok(self.setting(k)?.is_some_and(|v| !v.is_empty())) };
        if has(BUNDLE_KEY)? || has(TICKET_SECRET)? {
            return Ok(());
        }
        let mut b = [0u8; 32];
        getrandom::fill(&mut b)
            .map_err(|e| AppError::Export(format!("aléa du système indisponible : {e}")))?;
        let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
        self.set_setting(TICKET_SECRET, &hex)
    }

    /// Keeps a ticket's scan that did not match in the audit trail (`ticket_scanned`, the
    /// delivery's id, the check as JSON): the anomaly queue lists it
    /// (`anomalies::weighing`).
    ///
    /// # Errors
    /// As [`Ledger::run`] (a read-only account may not write).
    pub fn record_ticket_scan(&mut self, actor: &crate::Actor, check: &TicketCheck) -> Result<()> {
        self.run(actor, |tx| {
            tx.audit(
                SCANNED,
                "delivery",
                &check.figures.delivery.to_string(),
                check,
            )
        })
    }

    /// [`check_ticket`] of a scanned text; `None` when the text is not a ticket's code.
    ///
    /// # Errors
    /// As [`check_ticket`].
    pub fn check_ticket_text(&self, text: &str) -> Result<Option<TicketCheck>> {
        parse_ticket(text)
            .map(|t| check_ticket(&self.db(), &t))
            .transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn figures() -> TicketFigures {
        TicketFigures {
            delivery: "0193a5e2-7b4c-7d11-9e0f-1a2b3c4d5e6f"
                .parse()
                .unwrap_or_else(|e| panic!("{e:?}")),
            receipt: "A07-000123".into(),
            member_number: "DIO-0042".into(),
            accepted: Kg::from_tenths(12_345).unwrap_or(Kg::ZERO),
            value: Money::from_francs(203_693).unwrap_or(Money::ZERO),
            signer: "0193a5e2-0000-7000-8000-00000000beef"
                .parse()
                .unwrap_or_else(|e| panic!("{e:?}")),
        }
    }

    #[test]
    fn a_ticket_round_trips_and_is_small() {
        let key = ticket_key("secret");
        let f = figures();
        let p = f.payload(&key);
        let back = parse_ticket(&p).unwrap_or_else(|| panic!("{p}"));
        assert_eq!(back.figures, f);
        assert_eq!(
            signature(&key, &f.signed_text(), "DIO-0042"),
            back.signature
        );
        let qr = sene_print::Qr::encode(&p).unwrap_or_else(|e| panic!("{e}"));
        assert!(
            qr.width() <= 45,
            "version {} too big",
            (qr.width() - 17) / 4
        );
        // a reader with caps lock, a member number with a colon
        let g = TicketFigures {
            member_number: "X:1".into(),
            ..f
        };
        let p = g.payload(&key).to_lowercase();
        assert_eq!(
            parse_ticket(&p).map(|t| t.figures.member_number),
            Some("X:1".into())
        );
        assert!(parse_ticket("SENE1:0000BEEF:X:Y").is_none());
        assert!(parse_ticket("SENE2:cut").is_none());
    }
}
