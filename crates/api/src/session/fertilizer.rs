//! Fertilizer: the catalog, a member's need, and the hand-out with its receipt.

use sene_app::fertilizer::{DistributeFertilizer, NewNeed};
use sene_domain::*;

use super::{kg, money, Session, R};
use crate::dto::*;

impl Session {
    /// `list_products`.
    ///
    /// # Errors
    /// Store errors.
    pub fn products(&self) -> R<Vec<ProductView>> {
        Ok(self
            .ledger
            .db()
            .products()
            .map_err(|e| self.app(&e.into()))?
            .into_iter()
            .map(|p| ProductView {
                id: p.id.to_string(),
                name: p.name,
                bag_weight_kg: kg(p.bag_weight),
                price_per_bag: money(p.price_per_bag),
            })
            .collect())
    }

    /// `add_need`.
    ///
    /// # Errors
    /// Validation, unknown ids.
    pub fn add_need(&mut self, req: &NeedRequest) -> R<()> {
        let cmd = NewNeed {
            id: None,
            member_id: self.id("membre", &req.member_id)?,
            campaign_id: self.id("campagne", &req.campaign_id)?,
            product_id: self.id("produit", &req.product_id)?,
            bags: self.count("sacs", &req.bags)?,
        };
        let actor = self.actor()?;
        self.ledger
            .run(&actor, |tx| tx.add_need(cmd))
            .map_err(|e| self.app(&e))?;
        Ok(())
    }

    /// `distribute` → its receipt.
    ///
    /// # Errors
    /// Validation, stock, cash above cost.
    pub fn distribute(&mut self, req: &DistributeRequest) -> R<ReceiptView> {
        let cmd = DistributeFertilizer {
            id: self.record_id("distribution", req.record_id.as_deref())?,
            member_id: self.id("membre", &req.member_id)?,
            campaign_id: self.id("campagne", &req.campaign_id)?,
            product_id: self.id("produit", &req.product_id)?,
            bags: self.count("sacs", &req.bags)?,
            cash_paid: if req.cash_paid.trim().is_empty() {
                Money::ZERO
            } else {
                self.parse("payé comptant", &req.cash_paid)?
            },
            date: self.today(),
        };
        let actor = self.actor()?;
        let d = self
            .ledger
            .run(&actor, |tx| tx.distribute_fertilizer(cmd))
            .map_err(|e| self.app(&e))?;
        self.receipt_after_save(&ReceiptRequest {
            kind: "distribution".into(),
            id: d.id.to_string(),
        })
    }
}
