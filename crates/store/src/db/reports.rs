//! Reports: per campaign, the figures of contracts, fertilizer and payments.

use std::collections::HashMap;

use chrono::NaiveDate;
use rusqlite::params;
use sene_domain::*;

use super::{Db, NOT_REVERSED, R};
use crate::codec::RowExt;

/// Per contract, what its settlement needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContractFigures {
    pub contract: Contract,
    pub cooperative_id: CooperativeId,
    /// Σ accepted kg of non-voided deliveries.
    pub accepted: Kg,
    /// Non-reversed disbursements: amount and date.
    pub disbursements: Vec<(Money, NaiveDate)>,
}

/// A member's non-reversed fertilizer line in a campaign.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FertilizerFigure {
    pub member_id: MemberId,
    pub line: sene_domain::rules::FertilizerLine,
}

/// A fertilizer product's totals in a campaign.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FertilizerTotals {
    pub product_id: ProductId,
    pub product: String,
    pub needed_bags: i64,
    pub ordered_bags: i64,
    pub purchased_bags: i64,
    pub received_bags: i64,
    pub distributed_bags: i64,
    pub cost: i64,
    pub cash_paid: i64,
}

/// The index of the item of `sorted` for which `cmp` gives `Equal`, looked for from `from` on
/// first (rows that come in the slice's order are found in a step or two each, without a
/// binary search per row), then in the whole slice.
pub(crate) fn seek<T>(
    sorted: &[T],
    from: usize,
    cmp: impl Fn(&T) -> std::cmp::Ordering,
) -> Option<usize> {
    use std::cmp::Ordering;
    let mut i = from;
    while let Some(x) = sorted.get(i) {
        match cmp(x) {
            Ordering::Equal => return Some(i),
            Ordering::Less => i += 1,
            Ordering::Greater => break,
        }
        if i > from + 8 {
            break;
        }
    }
    sorted.binary_search_by(cmp).ok()
}

/// Which contracts [`Db::contracts_figures`] composes: a campaign's (its id), or those named
/// (a JSON array of ids).
enum Contracts {
    OfCampaign(String),
    Named(String),
}

/// A date after every record's (dates are compared as `YYYY-MM-DD` text in SQL).
fn no_date_limit() -> NaiveDate {
    NaiveDate::from_ymd_opt(9999, 12, 31).unwrap_or_default()
}

impl Db<'_> {
    /// Every contract of a campaign with its accepted kg and non-reversed disbursements.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn campaign_contracts(&self, campaign: CampaignId) -> R<Vec<ContractFigures>> {
        self.campaign_contracts_upto(campaign, no_date_limit())
    }

    /// [`Self::campaign_contracts`] counting only the deliveries and disbursements dated on or
    /// before `upto` (a reversal counts whatever its date: it undoes a mistake).
    pub fn campaign_contracts_upto(
        &self,
        campaign: CampaignId,
        upto: NaiveDate,
    ) -> R<Vec<ContractFigures>> {
        self.contracts_figures(Contracts::OfCampaign(campaign.to_string()), upto)
    }

    /// The contracts named (whatever their campaign), each with its figures as
    /// [`Self::campaign_contracts`] gives them, in id order; an id that names none is left out.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn contracts_with_figures(&self, ids: &[ContractId]) -> R<Vec<ContractFigures>> {
        let list = serde_json::Value::from(ids.iter().map(ToString::to_string).collect::<Vec<_>>());
        self.contracts_figures(Contracts::Named(list.to_string()), no_date_limit())
    }

    fn contracts_figures(&self, which: Contracts, upto: NaiveDate) -> R<Vec<ContractFigures>> {
        let (cid, of_contracts, of_disbursements) = match which {
            Contracts::OfCampaign(c) => (c, "c.campaign_id = ?1", "c.campaign_id = ?1"),
            Contracts::Named(list) => (
                list,
                "c.id IN (SELECT value FROM json_each(?1))",
                "x.contract_id IN (SELECT value FROM json_each(?1))",
            ),
        };
        let upto = upto.to_string();
        // Σ accepted kg per contract = Σ over its deliveries − Σ over its voided ones: the
        // voided are few, read from the reversals (each delivery once); the campaign's
        // deliveries are summed from their index alone, without a look into the reversals
        // per delivery
        let voided = self.voided_kg_per_contract(&upto)?;
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT c.id, c.member_id, c.campaign_id, c.crop, c.committed_t, c.base_price, c.state, c.requested_on, m.cooperative_id,
                    (SELECT coalesce(sum(accepted_t),0) FROM deliveries x WHERE x.contract_id = c.id AND x.date <= ?2)
             FROM contracts c JOIN members m ON m.id = c.member_id WHERE {of_contracts} ORDER BY c.id",
        ))?;
        let mut out: Vec<ContractFigures> = st
            .query_map([&cid, &upto], |r| {
                let contract = Self::contract_row(r)?;
                let mut accepted: i64 = r.get(9)?;
                if let Some(v) = voided.get(&contract.id) {
                    accepted -= v;
                }
                Ok(ContractFigures {
                    contract,
                    cooperative_id: r.parse(8)?,
                    accepted: crate::codec::kg_at(9, accepted)?,
                    disbursements: Vec::new(),
                })
            })?
            .collect::<Result<_, _>>()?;
        // the advances as the campaign's contracts give them (by contract id, then as stored:
        // no sort of the campaign's advances), each contract's then put in date order (a
        // stable sort of its few)
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT x.contract_id, x.amount, x.date FROM disbursements x JOIN contracts c ON c.id = x.contract_id
             WHERE {of_disbursements} AND x.date <= ?2 AND {NOT_REVERSED}"
        ))?;
        let rows = st.query_map([&cid, &upto], |r| {
            Ok((r.parse::<ContractId>(0)?, r.money(1)?, r.date(2)?))
        })?;
        let mut at = 0;
        for row in rows {
            let (contract, amount, date) = row?;
            if let Some(i) = seek(&out, at, |f| f.contract.id.cmp(&contract)) {
                at = i;
                if let Some(f) = out.get_mut(i) {
                    f.disbursements.push((amount, date));
                }
            }
        }
        for f in &mut out {
            if f.disbursements.len() > 1 {
                f.disbursements.sort_by_key(|(_, date)| *date);
            }
        }
        Ok(out)
    }

    /// The id of every record a reversal names (of any kind: ids are unique across the
    /// tables).
    fn reversed_ids(&self) -> R<std::collections::HashSet<String>> {
        let mut st = self
            .conn
            .prepare_cached("SELECT DISTINCT target_id FROM reversals")?;
        let rows = st.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Σ accepted kg of the voided deliveries dated on or before `upto`, per contract (each
    /// voided delivery once, however many reversals name it).
    fn voided_kg_per_contract(&self, upto: &str) -> R<HashMap<ContractId, i64>> {
        let mut st = self.conn.prepare_cached(
            "SELECT x.contract_id, sum(x.accepted_t) FROM deliveries x
             WHERE x.id IN (SELECT target_id FROM reversals) AND x.date <= ?1 GROUP BY x.contract_id",
        )?;
        let rows = st.query_map([upto], |r| Ok((r.parse(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Every non-reversed fertilizer distribution of a campaign.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn campaign_fertilizer(&self, campaign: CampaignId) -> R<Vec<FertilizerFigure>> {
        self.campaign_fertilizer_upto(campaign, no_date_limit())
    }

    /// [`Self::campaign_fertilizer`] dated on or before `upto`.
    pub fn campaign_fertilizer_upto(
        &self,
        campaign: CampaignId,
        upto: NaiveDate,
    ) -> R<Vec<FertilizerFigure>> {
        // the reversed hand-outs left out by their ids (the reversals are few), not by a look
        // into the reversals per hand-out
        let reversed = self.reversed_ids()?;
        let mut st = self.conn.prepare_cached(
            "SELECT x.id, member_id, bags, price_per_bag, cash_paid FROM fertilizer_distributions x WHERE campaign_id = ?1 AND x.date <= ?2",
        )?;
        let mut rows = st.query([campaign.to_string(), upto.to_string()])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            if !reversed.is_empty() {
                // the id borrowed from the row: no allocation per hand-out
                let id = r.get_ref(0)?.as_str().map_err(rusqlite::Error::from)?;
                if reversed.contains(id) {
                    continue;
                }
            }
            out.push(FertilizerFigure {
                member_id: r.parse(1)?,
                line: sene_domain::rules::FertilizerLine {
                    bags: r.count(2)?,
                    price_per_bag: r.money(3)?,
                    cash_paid: r.money(4)?,
                },
            });
        }
        Ok(out)
    }

    /// Σ non-reversed balance payments per member in a campaign.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn campaign_payments(&self, campaign: CampaignId) -> R<Vec<(MemberId, Money)>> {
        self.campaign_payments_upto(campaign, no_date_limit())
    }

    /// [`Self::campaign_payments`] dated on or before `upto`.
    pub fn campaign_payments_upto(
        &self,
        campaign: CampaignId,
        upto: NaiveDate,
    ) -> R<Vec<(MemberId, Money)>> {
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT member_id, sum(amount) FROM balance_payments x WHERE campaign_id = ?1 AND x.date <= ?2 AND {NOT_REVERSED} GROUP BY member_id"
        ))?;
        let rows = st.query_map([campaign.to_string(), upto.to_string()], |r| {
            Ok((r.parse(0)?, r.money(1)?))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Number, name and cooperative of every member (one scan, for reports).
    ///
    /// # Errors
    /// SQLite errors.
    pub fn member_labels(&self) -> R<Vec<(MemberId, String, String, CooperativeId)>> {
        let mut st = self
            .conn
            .prepare_cached("SELECT id, number, full_name, cooperative_id FROM members")?;
        let rows = st.query_map([], |r| Ok((r.parse(0)?, r.get(1)?, r.get(2)?, r.parse(3)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// [`Self::member_labels`] of the members `wanted` keeps, in the same order: the others'
    /// number and name are not read (a campaign's settlement labels its own members, in one
    /// pass over the union's).
    ///
    /// # Errors
    /// SQLite errors.
    pub fn member_labels_of(
        &self,
        mut wanted: impl FnMut(MemberId) -> bool,
    ) -> R<Vec<(MemberId, String, String, CooperativeId)>> {
        let mut st = self
            .conn
            .prepare_cached("SELECT id, number, full_name, cooperative_id FROM members")?;
        let mut rows = st.query([])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let id: MemberId = r.parse(0)?;
            if wanted(id) {
                out.push((id, r.get(1)?, r.get(2)?, r.parse(3)?));
            }
        }
        Ok(out)
    }

    /// Member number, name and cooperative of every member with a contract in the campaign.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn campaign_members(
        &self,
        campaign: CampaignId,
    ) -> R<Vec<(MemberId, String, String, CooperativeId)>> {
        let mut st = self.conn.prepare_cached(
            "SELECT DISTINCT m.id, m.number, m.full_name, m.cooperative_id FROM members m JOIN contracts c ON c.member_id = m.id WHERE c.campaign_id = ?1
             UNION SELECT DISTINCT m.id, m.number, m.full_name, m.cooperative_id FROM members m JOIN fertilizer_distributions f ON f.member_id = m.id WHERE f.campaign_id = ?1",
        )?;
        let rows = st.query_map([campaign.to_string()], |r| {
            Ok((r.parse(0)?, r.get(1)?, r.get(2)?, r.parse(3)?))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Fertilizer needed, ordered, purchased, received and distributed per product in a campaign:
    /// one grouped pass per table, whatever the number of products.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn fertilizer_totals(&self, campaign: CampaignId) -> R<Vec<FertilizerTotals>> {
        let mut st = self.conn.prepare_cached(&format!(
            "WITH needs AS (SELECT product_id AS p, sum(bags) AS v FROM fertilizer_needs
                            WHERE campaign_id = ?1 GROUP BY product_id),
                  grouped AS (SELECT product_id AS p, sum(bags) AS v FROM group_orders
                              WHERE campaign_id = ?1 GROUP BY product_id),
                  bought AS (SELECT product_id AS p, sum(bags) AS v FROM purchase_orders
                             WHERE campaign_id = ?1 GROUP BY product_id),
                  received AS (SELECT o.product_id AS p, sum(n.bags_received) AS v FROM receptions n
                               JOIN purchase_orders o ON o.id = n.purchase_order_id
                               WHERE o.campaign_id = ?1 GROUP BY o.product_id),
                  handed AS (SELECT x.product_id AS p, sum(x.bags) AS bags, sum(x.bags * x.price_per_bag) AS cost,
                                    sum(x.cash_paid) AS cash FROM fertilizer_distributions x
                             WHERE x.campaign_id = ?1 AND {NOT_REVERSED} GROUP BY x.product_id)
             SELECT p.id, p.name, coalesce(needs.v, 0), coalesce(grouped.v, 0), coalesce(bought.v, 0),
                    coalesce(received.v, 0), coalesce(handed.bags, 0), coalesce(handed.cost, 0),
                    coalesce(handed.cash, 0)
             FROM fertilizer_products p
             LEFT JOIN needs ON needs.p = p.id LEFT JOIN grouped ON grouped.p = p.id
             LEFT JOIN bought ON bought.p = p.id LEFT JOIN received ON received.p = p.id
             LEFT JOIN handed ON handed.p = p.id
             ORDER BY p.name"
        ))?;
        let rows = st.query_map([campaign.to_string()], |r| {
            Ok(FertilizerTotals {
                product_id: r.parse(0)?,
                product: r.get(1)?,
                needed_bags: r.get(2)?,
                ordered_bags: r.get(3)?,
                purchased_bags: r.get(4)?,
                received_bags: r.get(5)?,
                distributed_bags: r.get(6)?,
                cost: r.get(7)?,
                cash_paid: r.get(8)?,
            })
        })?;
        Ok(rows
            .collect::<Result<Vec<_>, _>>()?
            .into_iter()
            .filter(|t| t.needed_bags + t.ordered_bags + t.purchased_bags + t.distributed_bags > 0)
            .collect())
    }

    /// An agent's cash: Σ non-reversed allocations received, Σ non-reversed disbursements and
    /// balance payments paid out, and Σ fertilizer cash collected, for a campaign.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn agent_cash(&self, agent: AgentId, campaign: CampaignId) -> R<(i64, i64, i64)> {
        let a = agent.to_string();
        let c = campaign.to_string();
        let received: i64 = self.conn.query_row(&format!(
            "SELECT coalesce(sum(amount),0) FROM fund_allocations x WHERE agent_id = ?1 AND campaign_id = ?2 AND {NOT_REVERSED}"),
            params![a, c], |r| r.get(0))?;
        let paid: i64 = self.conn.query_row(&format!(
            "SELECT (SELECT coalesce(sum(x.amount),0) FROM disbursements x JOIN contracts k ON k.id = x.contract_id WHERE x.agent_id = ?1 AND k.campaign_id = ?2 AND {NOT_REVERSED})
                  + (SELECT coalesce(sum(x.amount),0) FROM balance_payments x WHERE x.agent_id = ?1 AND x.campaign_id = ?2 AND {NOT_REVERSED})"),
            params![a, c], |r| r.get(0))?;
        let collected: i64 = self.conn.query_row(&format!(
            "SELECT coalesce(sum(cash_paid),0) FROM fertilizer_distributions x WHERE agent_id = ?1 AND campaign_id = ?2 AND {NOT_REVERSED}"),
            params![a, c], |r| r.get(0))?;
        Ok((received, paid, collected))
    }
}

/// One delivery of a campaign that carries weighing evidence (#21): who weighed it, where, and
/// the hand reason's code when its weight was typed (`None`: read from the scale).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CampaignWeighing {
    pub agent_id: String,
    pub warehouse_id: String,
    pub hand_reason: Option<String>,
}

impl Db<'_> {
    /// The campaign's deliveries with weighing evidence, not reversed, in one query: the
    /// evidence's method and reason are read by SQLite from the stored JSON, so a queue built
    /// at union scale reads no delivery row into Rust that it does not count.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn campaign_weighings(&self, campaign: CampaignId) -> R<Vec<CampaignWeighing>> {
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT x.agent_id, x.warehouse_id,
                    CASE json_extract(x.weighing, '$.method')
                        WHEN 'hand' THEN json_extract(x.weighing, '$.reason') END
             FROM deliveries x JOIN contracts c ON c.id = x.contract_id
             WHERE c.campaign_id = ?1 AND x.weighing IS NOT NULL AND {NOT_REVERSED}"
        ))?;
        let rows = st.query_map([campaign.to_string()], |r| {
            Ok(CampaignWeighing {
                agent_id: r.get(0)?,
                warehouse_id: r.get(1)?,
                hand_reason: r.get(2)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
