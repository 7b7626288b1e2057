//! Member cards: what a card's QR code holds, how a scan of it is read back, and the A4 sheet
//! of a cooperative's cards.
//!
//! A card holds `SENE1:<union>:<member id>:<check>` in capitals (the QR code's alphanumeric
//! mode keeps it small, and a reader typing with the caps lock on types the same thing):
//!
//! - `<union>`: the last 8 hexadecimal digits of the union's id (the random part of its UUIDv7;
//!   the first digits are the time it was made, alike for unions made the same minute);
//! - `<member id>`: the member's UUID;
//! - `<check>`: the first 8 hexadecimal digits of SHA-256 of the union's and the member's full
//!   ids. A card of another union is refused by its union part, and a code mistyped by a
//!   reader (a dropped or changed character) by its check. It is not a secret: a card only
//!   names a member, it proves nothing and pays nothing.
//!
//! A reader is an ordinary keyboard: what it types arrives in whatever field has the focus,
//! then Enter. [`read_scan`] reads that text back. A reader set for an English (QWERTY)
//! keyboard on a French (AZERTY) computer types `SENE&M…` for `SENE1:…`; that is undone.

use sene_domain::{CooperativeId, Lang, MemberId, MemberStatus, UnionId};
use sene_print::{CardsDoc, MemberCardLine};
use sha2::{Digest, Sha256};
use std::fmt;

use crate::{missing, AppError, Ledger, Result};

/// What every card's code starts with.
pub const CARD_TAG: &str = "SENE1";

/// Why a scanned text is not a card of this union's member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScanError {
    /// Text that is not a Sene code at all (a name typed, another barcode).
    NotACode,
    /// A Sene code with a part missing, changed or cut: scan again.
    Damaged,
    /// A card made by another union.
    OtherUnion { union: String },
    /// A card of this union whose member is not on this device.
    UnknownMember { id: String },
}

impl ScanError {
    /// The message in `lang`, for where the person is looking.
    #[must_use]
    pub fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (ScanError::NotACode, Lang::Fr) => "ce code n'est pas une carte de membre ni un ticket de Sene".into(),
            (ScanError::NotACode, Lang::En) => "this code is neither a Sene member card nor a Sene ticket".into(),
            (ScanError::Damaged, Lang::Fr) => "code abîmé ou mal lu : un caractère manque ou a changé. Scannez de nouveau ; si cela se répète, cherchez le membre par son nom et refaites sa carte".into(),
            (ScanError::Damaged, Lang::En) => "damaged or misread code: a character is missing or changed. Scan again; if it happens again, search the member by name and print a new card".into(),
            (ScanError::OtherUnion { union }, Lang::Fr) => format!("carte d'une autre union ({union}) : ce membre n'est pas inscrit dans cette union, rien n'est ouvert"),
            (ScanError::OtherUnion { union }, Lang::En) => format!("card of another union ({union}): this member is not registered in this union, nothing is opened"),
            (ScanError::UnknownMember { id }, Lang::Fr) => format!("carte valide, mais le membre {id} n'est pas sur cet appareil : synchronisez, ou elle est d'une coopérative que cet appareil ne suit pas"),
            (ScanError::UnknownMember { id }, Lang::En) => format!("valid card, but member {id} is not on this device: sync, or she belongs to a cooperative this device does not follow"),
        }
    }
}

impl fmt::Display for ScanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message(Lang::Fr))
    }
}

impl std::error::Error for ScanError {}

/// The union's part of a card: the last 8 hexadecimal digits of its id, in capitals.
#[must_use]
pub fn union_short(union: UnionId) -> String {
    let hex = union.as_uuid().simple().to_string().to_ascii_uppercase();
    hex[hex.len() - 8..].to_owned()
}

/// The first `n` bytes of SHA-256 of `parts` (joined by newlines, after a tag) in capital
/// hexadecimal digits.
pub(crate) fn digest_hex(tag: &str, parts: &[&str], n: usize) -> String {
    let mut h = Sha256::new();
    h.update(tag.as_bytes());
    for p in parts {
        h.update(b"\n");
        h.update(p.as_bytes());
    }
    h.finalize()
        .iter()
        .take(n)
        .map(|b| format!("{b:02X}"))
        .collect()
}

/// A card's check: see the module's documentation.
#[must_use]
pub fn card_check(union: UnionId, member: MemberId) -> String {
    digest_hex("sene card 1", &[&union.to_string(), &member.to_string()], 4)
}

/// What a member's card holds: `SENE1:<union>:<MEMBER ID>:<CHECK>`.
#[must_use]
pub fn card_payload(union: UnionId, member: MemberId) -> String {
    format!(
        "{CARD_TAG}:{}:{}:{}",
        union_short(union),
        member.to_string().to_ascii_uppercase(),
        card_check(union, member)
    )
}

/// A scan as typed by a reader, made comparable: blanks trimmed, a QWERTY reader's typing on
/// an AZERTY keyboard undone (see the module's documentation), capitals.
#[must_use]
pub fn normalise_scan(text: &str) -> String {
    let t = text.trim();
    let azerty_digit = |c: char| "&é\"'(-è_çà".contains(c);
    let upper = t.to_uppercase();
    let qwerty_on_azerty = upper.starts_with("SENE") && t.chars().nth(4).is_some_and(azerty_digit);
    if !qwerty_on_azerty {
        return upper;
    }
    t.chars()
        .map(|c| match c {
            '&' => '1',
            'é' => '2',
            '"' => '3',
            '\'' => '4',
            '(' => '5',
            '-' => '6',
            'è' => '7',
            '_' => '8',
            'ç' => '9',
            'à' => '0',
            'M' | 'm' => ':',
            ')' => '-',
            'Q' | 'q' => 'A',
            'A' | 'a' => 'Q',
            'W' | 'w' => 'Z',
            'Z' | 'z' => 'W',
            '?' | ',' => 'M',
            c => c.to_ascii_uppercase(),
        })
        .collect()
}

/// Whether `text` is meant as a Sene code (a card or a ticket) rather than a name or number
/// typed in a search field.
#[must_use]
pub fn looks_like_code(text: &str) -> bool {
    normalise_scan(text).starts_with("SENE")
}

/// The member a card's scan names, for `union`.
///
/// # Errors
/// [`ScanError::NotACode`], [`ScanError::Damaged`], [`ScanError::OtherUnion`].
pub fn read_card(union: UnionId, text: &str) -> std::result::Result<MemberId, ScanError> {
    let t = normalise_scan(text);
    if !t.starts_with("SENE") {
        return Err(ScanError::NotACode);
    }
    let parts: Vec<&str> = t.split(':').collect();
    let [tag, u, m, check] = parts.as_slice() else {
        return Err(ScanError::Damaged);
    };
    if *tag != CARD_TAG {
        return Err(ScanError::Damaged);
    }
    let member: MemberId = m
        .to_ascii_lowercase()
        .parse()
        .map_err(|_| ScanError::Damaged)?;
    let well_formed = u.len() == 8 && u.chars().all(|c| c.is_ascii_hexdigit());
    if !well_formed {
        return Err(ScanError::Damaged);
    }
    if *u != union_short(union) {
        return Err(ScanError::OtherUnion {
            union: (*u).to_owned(),
        });
    }
    if *check != card_check(union, member) {
        return Err(ScanError::Damaged);
    }
    Ok(member)
}

/// The sheet of a cooperative's cards: its members still in it (active), by number.
///
/// # Errors
/// [`AppError::NotFound`] for an unknown cooperative; [`AppError::NotInitialized`]; store
/// errors.
pub fn member_cards(ledger: &Ledger, cooperative: CooperativeId) -> Result<CardsDoc> {
    let db = ledger.db();
    let union = db.union()?.ok_or(AppError::NotInitialized)?;
    let coop = db
        .cooperative(cooperative)?
        .ok_or_else(|| missing("coopérative", cooperative))?;
    let cards = db
        .members(Some(cooperative))?
        .into_iter()
        .filter(|m| m.status == MemberStatus::Active)
        .map(|m| MemberCardLine {
            payload: card_payload(union.id, m.id),
            name: m.full_name,
            number: m.number,
            village: m.village,
        })
        .collect();
    Ok(CardsDoc {
        union_name: union.name,
        cooperative_name: coop.name,
        cards,
    })
}

/// [`member_cards`] as a PDF file (A4, ten cards a page).
///
/// # Errors
/// As [`member_cards`].
pub fn member_cards_pdf(ledger: &Ledger, cooperative: CooperativeId) -> Result<Vec<u8>> {
    let doc = member_cards(ledger, cooperative)?;
    sene_print::render_cards(&doc).map_err(|e| AppError::Export(e.to_string()))
}

impl Ledger {
    /// The member a scanned card names, if she is on this device.
    ///
    /// # Errors
    /// `Ok(Err(_))` for a scan refused ([`ScanError`]); `Err` for the store.
    pub fn member_from_card(&self, text: &str) -> Result<std::result::Result<MemberId, ScanError>> {
        let union = self.union()?;
        let id = match read_card(union.id, text) {
            Ok(id) => id,
            Err(e) => return Ok(Err(e)),
        };
        Ok(match self.db().member(id)? {
            Some(_) => Ok(id),
            None => Err(ScanError::UnknownMember { id: id.to_string() }),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn ids() -> (UnionId, MemberId) {
        (
            UnionId::from_str("0193a5e2-0000-7000-8000-00000000beef")
                .unwrap_or_else(|e| panic!("{e}")),
            MemberId::from_str("0193a5e2-7b4c-7d11-9e0f-1a2b3c4d5e6f")
                .unwrap_or_else(|e| panic!("{e}")),
        )
    }

    #[test]
    fn a_card_round_trips_through_the_encoder_and_the_reader() {
        let (u, m) = ids();
        let p = card_payload(u, m);
        assert!(
            p.starts_with("SENE1:0000BEEF:0193A5E2-7B4C-7D11-9E0F-1A2B3C4D5E6F:"),
            "{p}"
        );
        assert_eq!(p.len(), 5 + 1 + 8 + 1 + 36 + 1 + 8);
        assert_eq!(read_card(u, &p), Ok(m));
        // a reader with the caps lock on, blanks around, Enter's newline
        assert_eq!(read_card(u, &format!("  {}\r\n", p.to_lowercase())), Ok(m));
        // the QR code drawn from it is a code of this text's length
        let qr = sene_print::Qr::encode(&p).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(qr.width(), 29, "version 3 at level M (alphanumeric)");
    }

    #[test]
    fn a_changed_character_another_union_or_a_name_is_refused() {
        let (u, m) = ids();
        let p = card_payload(u, m);
        // every single character of the member id or the check changed: refused
        let body = p.len() - 8 - 1 - 36;
        for i in body..p.len() {
            let mut b = p.clone().into_bytes();
            if b[i] == b':' || b[i] == b'-' {
                continue;
            }
            b[i] = if b[i] == b'7' { b'8' } else { b'7' };
            let t = String::from_utf8(b).unwrap_or_default();
            assert_eq!(read_card(u, &t), Err(ScanError::Damaged), "{t}");
        }
        // cut short
        assert_eq!(read_card(u, &p[..p.len() - 3]), Err(ScanError::Damaged));
        assert_eq!(read_card(u, &p[..20]), Err(ScanError::Damaged));
        // another union's card of the same member id
        let other = UnionId::from_str("0193a5e2-0000-7000-8000-0000000000aa")
            .unwrap_or_else(|e| panic!("{e}"));
        let theirs = card_payload(other, m);
        assert_eq!(
            read_card(u, &theirs),
            Err(ScanError::OtherUnion {
                union: "000000AA".into()
            })
        );
        assert!(ScanError::OtherUnion {
            union: "000000AA".into()
        }
        .message(Lang::En)
        .contains("another union"));
        // a name typed in the search field is no code
        assert_eq!(read_card(u, "Aminata"), Err(ScanError::NotACode));
        assert!(!looks_like_code("DIO-0042"));
        assert!(looks_like_code(&p));
    }

    #[test]
    fn a_qwerty_reader_on_an_azerty_keyboard_is_understood() {
        let (u, m) = ids();
        let p = card_payload(u, m);
        // what such a reader types for each character of the payload
        let typed: String = p
            .chars()
            .map(|c| match c {
                '1' => '&',
                '2' => 'é',
                '3' => '"',
                '4' => '\'',
                '5' => '(',
                '6' => '-',
                '7' => 'è',
                '8' => '_',
                '9' => 'ç',
                '0' => 'à',
                ':' => 'M',
                '-' => ')',
                'A' => 'Q',
                'M' => '?',
                c => c,
            })
            .collect();
        assert!(typed.starts_with("SENE&M"), "{typed}");
        assert_eq!(read_card(u, &typed), Ok(m));
    }
}
