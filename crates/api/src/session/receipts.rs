//! Receipts: a record's receipt as the window shows it, its PDF written under the receipts
//! folder (or why not, after a save).

use super::{date, money, write_durably, Session, R};
use crate::dto::*;
use crate::error::{ApiError, ErrorCode};

impl Session {
    /// `receipt`: a receipt as the window shows it, also saved as PDF under the receipts
    /// folder (the same file is rewritten on a reprint: receipts are made from immutable
    /// records, so a reprint is the same receipt).
    ///
    /// # Errors
    /// Unknown kind or record; the PDF cannot be written.
    pub fn receipt(&mut self, req: &ReceiptRequest) -> R<ReceiptView> {
        let mut v = self.receipt_view(req)?;
        match v.pdf_error.take() {
            Some(e) => Err(ApiError::new(ErrorCode::File, e)),
            None => Ok(v),
        }
    }

    /// The receipt of a record just saved: a PDF that cannot be written is said in
    /// `pdf_error`, never as a failed save (the agent who tried again would record twice).
    ///
    /// # Errors
    /// Unknown record (not after a save).
    pub(super) fn receipt_after_save(&mut self, req: &ReceiptRequest) -> R<ReceiptView> {
        self.receipt_view(req)
    }

    /// A receipt's view; its PDF written, or why not in `pdf_error`.
    fn receipt_view(&mut self, req: &ReceiptRequest) -> R<ReceiptView> {
        use sene_app::receipts::ReceiptRef as Ref;
        let r = match req.kind.trim() {
            "disbursement" => Ref::Disbursement(self.id("avance", &req.id)?),
            "delivery" => Ref::Delivery(self.id("livraison", &req.id)?),
            "distribution" => Ref::Distribution(self.id("distribution", &req.id)?),
            "payment" => Ref::BalancePayment(self.id("paiement", &req.id)?),
            "reversal" => Ref::Reversal(self.id("annulation", &req.id)?),
            other => {
                return Err(ApiError::invalid(
                    self.lang,
                    "type de reçu",
                    &format!("« {other} » inconnu"),
                    &format!("\"{other}\" unknown"),
                ))
            }
        };
        if matches!(r, Ref::Delivery(_)) {
            // a weighing ticket is signed (#21): a device never enrolled makes its own key once;
            // without one the receipt prints no proof, never a failed receipt
            let _ = self.ledger.ensure_ticket_secret();
        }
        let doc =
            sene_app::receipts::receipt_doc(&self.ledger.db(), r).map_err(|e| self.app(&e))?;
        let pdf = sene_print::render_receipt(&doc);
        let path = self
            .receipts_dir
            .join(format!("{}.pdf", sene_app::export::file_name(&doc.number)));
        let pdf_error = std::fs::create_dir_all(&self.receipts_dir)
            .and_then(|()| write_durably(&path, &pdf))
            .err()
            .map(|e| self.file_error(&path, &e).message);
        Ok(ReceiptView {
            pdf_error,
            kind: req.kind.trim().to_owned(),
            id: r.id(),
            title: doc.title.clone(),
            date: date(doc.date),
            union_name: doc.union_name.clone(),
            cooperative: doc.cooperative_name.clone(),
            member: doc.member_name.clone(),
            member_number: doc.member_number.clone(),
            agent: doc.agent_name.clone(),
            lines: doc
                .lines
                .iter()
                .map(|(label, value)| ReceiptLine {
                    label: label.clone(),
                    value: value.clone(),
                })
                .chain(std::iter::once(ReceiptLine {
                    label: doc.amount_label.clone(),
                    value: doc.amount_in_figures(),
                }))
                .collect(),
            amount: money(doc.amount),
            amount_words: doc.amount_in_words(),
            cancels: doc.cancels.as_ref().map(|n| match &doc.cancel_reason {
                Some(why) => format!("{n} ({why})"),
                None => n.clone(),
            }),
            proof_modules: doc
                .proof
                .as_deref()
                .and_then(|p| sene_print::Qr::encode(p).ok())
                .map(|q| {
                    (0..q.width())
                        .map(|y| {
                            (0..q.width())
                                .map(|x| if q.is_dark(x, y) { '1' } else { '0' })
                                .collect()
                        })
                        .collect()
                }),
            proof: doc.proof.clone(),
            number: doc.number,
            pdf_path: path.display().to_string(),
        })
    }
}
