//! Member cards (#21 item 4) and what a reader scans into a field: a member's card opens her
//! card in the window; a weighing ticket (#21 item 3) is checked against the books.

use sene_app::cards::{self, ScanError};
use sene_app::tickets::{Signature, TicketCheck};
use sene_domain::*;

use super::{kg, money, write_durably, Session, R};
use crate::dto::*;

impl Session {
    /// `member_cards`: the sheet of a cooperative's member cards (its active members, ten to
    /// an A4 page), written as `cartes-<code>.pdf` in the receipts folder.
    ///
    /// # Errors
    /// Unknown cooperative; the PDF cannot be written.
    pub fn member_cards(&mut self, req: &CooperativeRequest) -> R<MemberCardsView> {
        let coop_id: CooperativeId = self.id("coopérative", &req.cooperative_id)?;
        let doc = cards::member_cards(&self.ledger, coop_id).map_err(|e| self.app(&e))?;
        let pdf = cards::member_cards_pdf(&self.ledger, coop_id).map_err(|e| self.app(&e))?;
        let code = self
            .ledger
            .db()
            .cooperative(coop_id)
            .map_err(|e| self.app(&e.into()))?
            .map_or_else(|| coop_id.to_string(), |c| c.code);
        let path = self
            .receipts_dir
            .join(format!("cartes-{}.pdf", sene_app::export::file_name(&code)));
        std::fs::create_dir_all(&self.receipts_dir)
            .and_then(|()| write_durably(&path, &pdf))
            .map_err(|e| self.file_error(&path, &e))?;
        let n = doc.cards.len();
        Ok(MemberCardsView {
            path: path.display().to_string(),
            cooperative: doc.cooperative_name,
            cards: u32::try_from(n).unwrap_or(u32::MAX),
            pages: u32::try_from(n.div_ceil(10).max(1)).unwrap_or(u32::MAX),
        })
    }

    /// `read_scan`: a member's card (the member to open), a weighing ticket (checked against
    /// the books and its signature; one that does not match is kept in the audit trail for the
    /// anomaly queue), or a refusal said where the person is looking.
    ///
    /// # Errors
    /// Store errors only: a code that cannot be read is an answer (`refused`), not an error.
    pub fn read_scan(&mut self, req: &ScanRequest) -> R<ScanView> {
        let lang = self.lang;
        if sene_app::tickets::looks_like_ticket(&req.text) {
            let Some(check) = self
                .ledger
                .check_ticket_text(&req.text)
                .map_err(|e| self.app(&e))?
            else {
                return Ok(refused(&ScanError::Damaged, lang));
            };
            if !check.matches() {
                // kept for the anomaly queue; a read-only account's scan is still answered
                let actor = self.actor().ok();
                if let Some(actor) = actor {
                    let _ = self.ledger.record_ticket_scan(&actor, &check);
                }
            }
            let message = check.message(lang);
            return Ok(ScanView {
                kind: "ticket".into(),
                member_id: None,
                message,
                ticket: Some(ticket_view(&check, lang)),
            });
        }
        match self
            .ledger
            .member_from_card(&req.text)
            .map_err(|e| self.app(&e))?
        {
            Ok(id) => {
                let name = self
                    .ledger
                    .db()
                    .member(id)
                    .map_err(|e| self.app(&e.into()))?
                    .map(|m| format!("{} ({})", m.full_name, m.number))
                    .unwrap_or_default();
                Ok(ScanView {
                    kind: "member".into(),
                    member_id: Some(id.to_string()),
                    message: if lang == Lang::Fr {
                        format!("carte lue : {name}")
                    } else {
                        format!("card read: {name}")
                    },
                    ticket: None,
                })
            }
            Err(e) => Ok(refused(&e, lang)),
        }
    }
}

fn refused(e: &ScanError, lang: Lang) -> ScanView {
    ScanView {
        kind: "refused".into(),
        member_id: None,
        message: e.message(lang),
        ticket: None,
    }
}

fn ticket_view(c: &TicketCheck, lang: Lang) -> TicketCheckView {
    TicketCheckView {
        receipt: c.figures.receipt.clone(),
        member_number: c.figures.member_number.clone(),
        accepted_kg: kg(c.figures.accepted),
        value: money(c.figures.value),
        signature: match c.signature {
            Signature::Valid => "valid",
            Signature::Invalid => "invalid",
            Signature::NoKey => "no_key",
        }
        .into(),
        found: c.found,
        reversed_by: c.reversed_by.clone(),
        matches: c.matches(),
        differences: c
            .differences
            .iter()
            .map(|d| TicketDifferenceView {
                field: d.field.clone(),
                label: d.label(lang).into(),
                paper: d.paper.clone(),
                books: d.books.clone(),
            })
            .collect(),
    }
}
