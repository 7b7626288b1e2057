//! Reversal: cancelling a money record with a reason, answered with the reversal's own receipt.

use sene_app::season::Reverse;
use sene_domain::*;

use super::{Session, R};
use crate::dto::*;

impl Session {
    /// `reverse`: cancels a money record with a reason → the reversal's own receipt.
    ///
    /// # Errors
    /// Empty reason, already reversed, unknown record.
    pub fn reverse(&mut self, req: &ReverseRequest) -> R<ReceiptView> {
        let kind: RecordKind = self.parse("type d'enregistrement", &req.kind)?;
        let cmd = Reverse {
            id: self.record_id("annulation", req.record_id.as_deref())?,
            target_kind: kind,
            target_id: req.target_id.trim().to_owned(),
            reason: req.reason.clone(),
            date: self.today(),
        };
        let actor = self.actor()?;
        let r = self
            .ledger
            .run(&actor, |tx| tx.reverse(cmd))
            .map_err(|e| self.app(&e))?;
        self.receipt_after_save(&ReceiptRequest {
            kind: "reversal".into(),
            id: r.id.to_string(),
        })
    }
}
