//! Sheets and cash: a cooperative's collection sheet and the acting agent's cash.

use sene_app::views;
use sene_domain::*;

use super::{kg, money, Session, R};
use crate::dto::*;

impl Session {
    /// `collection_sheet`.
    ///
    /// # Errors
    /// Unknown ids; store errors.
    pub fn collection_sheet(&self, req: &SheetRequest) -> R<CollectionSheetView> {
        let coop: CooperativeId = self.id("coopérative", &req.cooperative_id)?;
        let camp: CampaignId = self.id("campagne", &req.campaign_id)?;
        let s = views::collection_sheet(&self.ledger.db(), coop, camp).map_err(|e| self.app(&e))?;
        Ok(CollectionSheetView {
            cooperative: s.cooperative.name,
            campaign: s.campaign.name,
            rows: s
                .lines
                .iter()
                .map(|l| SheetRow {
                    member_id: l.member_id.to_string(),
                    number: l.number.clone(),
                    full_name: l.full_name.clone(),
                    crop_label: self.label(l.crop.label_fr(), l.crop.label_en()),
                    committed_kg: kg(l.committed),
                    delivered_kg: kg(l.delivered),
                    remaining_kg: kg(l.remaining),
                    advance: money(l.advance),
                })
                .collect(),
            totals: SheetTotals {
                committed_kg: kg(s.committed),
                delivered_kg: kg(s.delivered),
                remaining_kg: kg(s.remaining),
                advance: money(s.advance),
            },
        })
    }

    /// `agent_cash`: the acting agent's cash in a campaign.
    ///
    /// # Errors
    /// Unknown campaign; store errors.
    pub fn agent_cash(&self, req: &CampaignRequest) -> R<CashView> {
        let camp: CampaignId = self.id("campagne", &req.campaign_id)?;
        let actor = self.actor()?;
        let c = sene_app::reports::agent_cash(&self.ledger.db(), actor.agent, camp)
            .map_err(|e| self.app(&e))?;
        Ok(CashView {
            received: money(c.received),
            paid_out: money(c.paid_out),
            fertilizer_cash: money(c.fertilizer_cash),
            to_return: money(c.to_return),
        })
    }
}
