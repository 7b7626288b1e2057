//! The union office: its dashboard's figures (stock, agents, credit lines) and the
//! anomaly checks (same deliveries, receipt numbers).

use chrono::NaiveDate;
use sene_domain::*;

use super::{Db, Table, NOT_REVERSED, R};
use crate::codec::RowExt;

/// A warehouse's kg of one crop in a campaign (see [`Db::campaign_stock`]), in tenths of kg.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StockFigure {
    pub warehouse_id: WarehouseId,
    pub crop: Crop,
    pub delivered_t: i64,
    pub sold_t: i64,
}

/// What an agent paid and received in a campaign (see [`Db::agent_activity`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentActivity {
    pub agent_id: AgentId,
    pub name: String,
    /// Francs.
    pub disbursed: i64,
    /// Tenths of kg.
    pub delivered_t: i64,
}

/// A credit line and its movements, in francs (see [`Db::credit_line_figures`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreditLineFigure {
    pub credit_line_id: CreditLineId,
    pub lender: String,
    pub campaign_id: Option<CampaignId>,
    pub principal: i64,
    pub drawn: i64,
    pub repaid_principal: i64,
    pub repaid_interest: i64,
}

/// Non-voided deliveries that look the same (see [`Db::same_deliveries`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SameDeliveries {
    pub member_id: MemberId,
    pub contract_id: ContractId,
    pub date: NaiveDate,
    pub gross: Kg,
    pub bags: u32,
    pub deliveries: Vec<DeliveryId>,
}

impl Db<'_> {
    /// Per warehouse and crop, for a campaign: Σ accepted kg of the non-voided deliveries on
    /// its contracts and Σ kg its non-reversed sale lots took from the warehouse.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn campaign_stock(&self, campaign: CampaignId) -> R<Vec<StockFigure>> {
        let mut st = self.conn.prepare_cached(&format!(
            "WITH d AS (SELECT x.warehouse_id AS w, x.crop AS crop, sum(x.accepted_t) AS kg FROM deliveries x
                        JOIN contracts c ON c.id = x.contract_id WHERE c.campaign_id = ?1 AND {NOT_REVERSED} GROUP BY 1, 2),
                  s AS (SELECT s.warehouse_id AS w, x.crop AS crop, sum(s.kg_t) AS kg FROM sale_lot_sources s
                        JOIN sale_lots x ON x.id = s.lot_id WHERE x.campaign_id = ?1 AND {NOT_REVERSED} GROUP BY 1, 2)
             SELECT w, crop, sum(dk), sum(sk) FROM
               (SELECT w, crop, kg AS dk, 0 AS sk FROM d UNION ALL SELECT w, crop, 0, kg FROM s)
             GROUP BY w, crop ORDER BY w, crop"
        ))?;
        let rows = st.query_map([campaign.to_string()], |r| {
            Ok(StockFigure {
                warehouse_id: r.parse(0)?,
                crop: r.parse(1)?,
                delivered_t: r.get(2)?,
                sold_t: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Per agent, for a campaign: Σ non-reversed advances paid and Σ accepted kg of the
    /// non-voided deliveries the agent recorded.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn agent_activity(&self, campaign: CampaignId) -> R<Vec<AgentActivity>> {
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT a.id, a.name,
               (SELECT coalesce(sum(x.amount),0) FROM disbursements x JOIN contracts c ON c.id = x.contract_id
                 WHERE x.agent_id = a.id AND c.campaign_id = ?1 AND {NOT_REVERSED}),
               (SELECT coalesce(sum(x.accepted_t),0) FROM deliveries x JOIN contracts c ON c.id = x.contract_id
                 WHERE x.agent_id = a.id AND c.campaign_id = ?1 AND {NOT_REVERSED})
             FROM agents a ORDER BY a.name, a.id"
        ))?;
        let rows = st.query_map([campaign.to_string()], |r| {
            Ok(AgentActivity {
                agent_id: r.parse(0)?,
                name: r.get(1)?,
                disbursed: r.get(2)?,
                delivered_t: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The credit lines of a campaign (and those tied to no campaign) with their non-reversed
    /// drawdowns and repayments.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn credit_line_figures(&self, campaign: CampaignId) -> R<Vec<CreditLineFigure>> {
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT l.id, n.name, l.campaign_id, l.principal,
               (SELECT coalesce(sum(x.amount),0) FROM drawdowns x WHERE x.credit_line_id = l.id AND {NOT_REVERSED}),
               (SELECT coalesce(sum(x.principal),0) FROM lender_repayments x WHERE x.credit_line_id = l.id AND {NOT_REVERSED}),
               (SELECT coalesce(sum(x.interest),0) FROM lender_repayments x WHERE x.credit_line_id = l.id AND {NOT_REVERSED})
             FROM credit_lines l JOIN lenders n ON n.id = l.lender_id
             WHERE l.campaign_id = ?1 OR l.campaign_id IS NULL ORDER BY n.name, l.id"
        ))?;
        let rows = st.query_map([campaign.to_string()], |r| {
            Ok(CreditLineFigure {
                credit_line_id: r.parse(0)?,
                lender: r.get(1)?,
                campaign_id: r.opt_parse(2)?,
                principal: r.get(3)?,
                drawn: r.get(4)?,
                repaid_principal: r.get(5)?,
                repaid_interest: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The non-reversed advances of a campaign: id, contract, amount, receipt.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn campaign_disbursement_ids(
        &self,
        campaign: CampaignId,
    ) -> R<Vec<(DisbursementId, ContractId, Money)>> {
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT x.id, x.contract_id, x.amount FROM disbursements x JOIN contracts c ON c.id = x.contract_id
             WHERE c.campaign_id = ?1 AND {NOT_REVERSED} ORDER BY x.contract_id, x.date, x.recorded_at, x.id"
        ))?;
        let rows = st.query_map([campaign.to_string()], |r| {
            Ok((r.parse(0)?, r.parse(1)?, r.money(2)?))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Groups of two or more non-voided deliveries of a campaign with the same member,
    /// contract, date, gross kg and bags.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn same_deliveries(&self, campaign: CampaignId) -> R<Vec<SameDeliveries>> {
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT x.member_id, x.contract_id, x.date, x.gross_t, x.bags, group_concat(x.id) FROM deliveries x
             JOIN contracts c ON c.id = x.contract_id WHERE c.campaign_id = ?1 AND {NOT_REVERSED}
             GROUP BY x.member_id, x.contract_id, x.date, x.gross_t, x.bags HAVING count(*) > 1
             ORDER BY x.member_id, x.contract_id, x.date"
        ))?;
        let rows = st.query_map([campaign.to_string()], |r| {
            let ids: String = r.get(5)?;
            let mut deliveries = ids
                .split(',')
                .map(|s| {
                    s.parse::<DeliveryId>().map_err(|_| {
                        rusqlite::Error::FromSqlConversionFailure(
                            5,
                            rusqlite::types::Type::Text,
                            "delivery id".into(),
                        )
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            deliveries.sort();
            Ok(SameDeliveries {
                member_id: r.parse(0)?,
                contract_id: r.parse(1)?,
                date: r.date(2)?,
                gross: r.kg(3)?,
                bags: r.count(4)?,
                deliveries,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Every receipt number of every money record (voided ones and reversals included):
    /// table, record id, device, receipt.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn money_receipts(&self) -> R<Vec<(Table, String, DeviceId, String)>> {
        let mut out = Vec::new();
        for t in [
            Table::Disbursements,
            Table::Deliveries,
            Table::FertilizerDistributions,
            Table::BalancePayments,
            Table::Reversals,
        ] {
            let mut st = self.conn.prepare_cached(&format!(
                "SELECT id, device_id, receipt FROM {} ORDER BY receipt",
                t.name()
            ))?;
            let rows = st.query_map([], |r| Ok((t, r.get(0)?, r.parse(1)?, r.get(2)?)))?;
            for row in rows {
                out.push(row?);
            }
        }
        Ok(out)
    }
}
