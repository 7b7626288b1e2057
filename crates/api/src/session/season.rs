//! Contracts, advances, deliveries, and the balance payment: the season's money and weights
//! as the field agent records them, each write answered with its receipt.

use sene_app::season::{Decision, DisburseAdvance, RecordDelivery, RequestContract};
use sene_app::{views, AppError};
use sene_domain::*;

use super::{kg, money, Session, R};
use crate::dto::*;

impl Session {
    fn contract(&self, id: ContractId) -> R<Contract> {
        self.ledger
            .db()
            .contract(id)
            .map_err(|e| self.app(&e.into()))?
            .ok_or_else(|| {
                self.app(&AppError::NotFound {
                    kind: "contrat",
                    id: id.to_string(),
                })
            })
    }

    fn contract_line(&self, id: ContractId) -> R<ContractView> {
        let c = self.contract(id)?;
        let l =
            views::contract_line(&self.ledger.db(), c, self.today()).map_err(|e| self.app(&e))?;
        Ok(self.contract_view(&l))
    }

    /// `request_contract`.
    ///
    /// # Errors
    /// Validation, dates outside the contract window, unknown member or campaign.
    pub fn request_contract(&mut self, req: &ContractRequest) -> R<ContractView> {
        let cmd = RequestContract {
            id: None,
            member_id: self.id("membre", &req.member_id)?,
            campaign_id: self.id("campagne", &req.campaign_id)?,
            crop: self.parse("culture", &req.crop)?,
            committed: self.parse("quantité engagée (kg)", &req.committed_kg)?,
            date: self.today(),
        };
        let actor = self.actor()?;
        let c = self
            .ledger
            .run(&actor, |tx| tx.request_contract(cmd))
            .map_err(|e| self.app(&e))?;
        self.contract_line(c.id)
    }

    /// `decide_contract`: approve or reject (CTC or secretariat).
    ///
    /// # Errors
    /// Role, state, unknown contract.
    pub fn decide_contract(&mut self, req: &DecideRequest) -> R<ContractView> {
        let id: ContractId = self.id("contrat", &req.contract_id)?;
        let decision = if req.approve {
            Decision::Approve
        } else {
            Decision::Reject
        };
        let actor = self.actor()?;
        let today = self.today();
        self.ledger
            .run(&actor, |tx| tx.decide_contract(id, decision, today))
            .map_err(|e| self.app(&e))?;
        self.contract_line(id)
    }

    /// `disburse`: an advance → its receipt.
    ///
    /// # Errors
    /// Validation, above the advance due, contract not approved.
    pub fn disburse(&mut self, req: &DisburseRequest) -> R<ReceiptView> {
        let cmd = DisburseAdvance {
            id: self.record_id("avance", req.record_id.as_deref())?,
            contract_id: self.id("contrat", &req.contract_id)?,
            amount: self.parse("montant", &req.amount)?,
            date: self.today(),
            mode: self.parse("mode de paiement", &req.mode)?,
        };
        let actor = self.actor()?;
        let d = self
            .ledger
            .run(&actor, |tx| tx.disburse_advance(cmd))
            .map_err(|e| self.app(&e))?;
        self.receipt_after_save(&ReceiptRequest {
            kind: "disbursement".into(),
            id: d.id.to_string(),
        })
    }

    /// `pay_balance`: pays a member what the settlement owes (at most what remains to pay) →
    /// receipt.
    ///
    /// # Errors
    /// Unknown member or campaign, an amount that is not whole francs, not positive or above
    /// what remains to pay, an unknown payment mode.
    pub fn pay_balance(&mut self, req: &PayBalanceRequest) -> R<ReceiptView> {
        let cmd = sene_app::finance::PayBalance {
            id: self.record_id("paiement", req.record_id.as_deref())?,
            member_id: self.id("membre", &req.member_id)?,
            campaign_id: self.id("campagne", &req.campaign_id)?,
            amount: self.parse("montant", &req.amount)?,
            date: self.today(),
            mode: self.parse("mode de paiement", &req.mode)?,
        };
        let actor = self.actor()?;
        let p = self
            .ledger
            .run(&actor, |tx| tx.pay_balance(cmd))
            .map_err(|e| self.app(&e))?;
        self.receipt_after_save(&ReceiptRequest {
            kind: "payment".into(),
            id: p.id.to_string(),
        })
    }

    /// How the request says the gross weight was obtained: the scale's captures it names, a
    /// hand weight's reason, or nothing (a caller that does not say).
    fn weighing(&self, req: &DeliveryRequest) -> R<Option<Weighing>> {
        if let Some(ids) = req.captures.as_ref().filter(|ids| !ids.is_empty()) {
            let captures = self.scale.captures(ids, self.lang)?;
            return Ok(Some(Weighing::Scale { captures }));
        }
        let Some(reason) = req.hand_reason.as_deref() else {
            return Ok(None);
        };
        let field = "motif de la saisie à la main";
        if reason.trim().is_empty() {
            let mut e = self.app(&AppError::Domain(DomainError::EmptyText { field }));
            e.field = Some("hand_reason".into());
            return Err(e);
        }
        let reason: HandReason = self.parse_field("hand_reason", field, reason)?;
        Ok(Some(Weighing::Hand {
            reason,
            note: req.hand_note.clone().unwrap_or_default(),
        }))
    }

    /// The delivery command of a request, and its contract.
    fn delivery_cmd(
        &self,
        req: &DeliveryRequest,
        with_warehouse: bool,
    ) -> R<(RecordDelivery, Contract)> {
        let (cmd, contract, _) = self.weighed_delivery_cmd(req, with_warehouse)?;
        Ok((cmd, contract))
    }

    /// The delivery command of a request, its contract and its weighing evidence: with
    /// captures, the gross weight is their sum (Rust's rounding), whatever `gross_kg` says.
    fn weighed_delivery_cmd(
        &self,
        req: &DeliveryRequest,
        with_warehouse: bool,
    ) -> R<(RecordDelivery, Contract, Option<Weighing>)> {
        let weighing = self.weighing(req)?;
        let captured = weighing
            .as_ref()
            .map(Weighing::captured_gross)
            .transpose()
            .map_err(|e| self.app(&AppError::Domain(e)))?
            .flatten();
        let contract_id: ContractId = self.id("contrat", &req.contract_id)?;
        let contract = self.contract(contract_id)?;
        let warehouse_id = if with_warehouse {
            self.id("magasin", &req.warehouse_id)?
        } else {
            WarehouseId::default()
        };
        let cmd = RecordDelivery {
            id: self.record_id("livraison", req.record_id.as_deref())?,
            member_id: contract.member_id,
            contract_id,
            warehouse_id,
            bags: self.count("nombre de sacs", &req.bags)?,
            gross: match captured {
                Some(g) => g,
                None => self.parse("poids brut (kg)", &req.gross_kg)?,
            },
            moisture: self.parse("humidité (%)", &req.moisture)?,
            impurity: self.parse("impuretés (%)", &req.impurity)?,
            date: self.today(),
        };
        Ok((cmd, contract, weighing))
    }

    /// `preview_delivery`: net and accepted kg, the value the delivery adds to the contract
    /// (capped as the settlement caps it) and whether it goes above the commitment, as the
    /// agent types; nothing written.
    ///
    /// # Errors
    /// Validation.
    pub fn preview_delivery(&self, req: &DeliveryRequest) -> R<DeliveryPreviewView> {
        let (cmd, contract) = self.delivery_cmd(req, false)?;
        let p = sene_app::season::preview_on_contract(
            &self.ledger.db(),
            contract.id,
            cmd.bags,
            cmd.gross,
            cmd.moisture,
            cmd.impurity,
        )
        .map_err(|e| self.app(&e))?;
        Ok(DeliveryPreviewView {
            net_kg: kg(p.net),
            accepted_kg: kg(p.accepted),
            value: money(p.value),
            over_committed: p.over_committed,
            gross_kg: kg(cmd.gross),
        })
    }

    /// `record_delivery` → its receipt.
    ///
    /// # Errors
    /// Validation, dates outside the delivery window, another cooperative's warehouse.
    pub fn record_delivery(&mut self, req: &DeliveryRequest) -> R<ReceiptView> {
        let (cmd, _, weighing) = self.weighed_delivery_cmd(req, true)?;
        let actor = self.actor()?;
        let d = self
            .ledger
            .run(&actor, |tx| tx.record_weighed_delivery(cmd, weighing))
            .map_err(|e| self.app(&e))?;
        self.receipt_after_save(&ReceiptRequest {
            kind: "delivery".into(),
            id: d.id.to_string(),
        })
    }
}
