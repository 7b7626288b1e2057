//! The union office: its dashboard's figures (stock, agents, credit lines) and the
//! anomaly checks (same deliveries, receipt numbers).

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use sene_domain::*;

use super::{Db, Table, NOT_REVERSED, R};
use crate::codec::RowExt;
use crate::error::StoreError;

/// The error SQLite gives a sum out of range.
fn overflow() -> StoreError {
    StoreError::Sqlite(rusqlite::Error::IntegralValueOutOfRange(3, i64::MAX))
}

/// a + b, or the error SQLite gives a sum out of range.
fn add(a: i64, b: i64) -> R<i64> {
    a.checked_add(b).ok_or_else(overflow)
}

/// The text of a column, borrowed from the row.
fn text<'r>(r: &'r rusqlite::Row<'_>, i: usize) -> R<&'r str> {
    Ok(r.get_ref(i)?.as_str().map_err(rusqlite::Error::from)?)
}

/// Adds `v` to the sum of `key`.
fn bump(sums: &mut HashMap<String, i64>, key: &str, v: i64) -> R<()> {
    match sums.get_mut(key) {
        Some(sum) => *sum = add(*sum, v)?,
        None => {
            sums.insert(key.to_owned(), v);
        }
    }
    Ok(())
}

/// A stored text read back as `T`, or [`StoreError::Decode`].
fn decode<T: std::str::FromStr>(table: &'static str, column: &'static str, value: &str) -> R<T> {
    value.parse().map_err(|_| StoreError::Decode {
        table,
        column,
        value: value.to_owned(),
    })
}

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

/// An agent's cash in a campaign, in francs (see [`Db::agents_cash`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentCash {
    pub agent_id: AgentId,
    /// Σ non-reversed fund allocations the agent received.
    pub received: i64,
    /// Σ non-reversed advances and balance payments the agent paid out.
    pub paid: i64,
    /// Σ fertilizer cash the agent collected on non-reversed hand-outs.
    pub collected: i64,
    /// Σ cash the agent handed back to the office.
    pub returned: i64,
}

/// A warehouse's book movements of one day in a campaign (see [`Db::campaign_stock_by_day`]),
/// in tenths of kg.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StockDay {
    pub warehouse_id: WarehouseId,
    pub date: NaiveDate,
    /// Σ accepted kg of the non-voided deliveries into the warehouse that day.
    pub delivered_t: i64,
    /// Σ kg the non-reversed sale lots of that day took from the warehouse.
    pub sold_t: i64,
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
    /// For a campaign, in one pass over its deliveries: per agent, Σ non-reversed advances
    /// paid and Σ accepted kg of the non-voided deliveries the agent recorded (every agent, by
    /// name, then id); per warehouse and crop, Σ accepted kg of the non-voided deliveries on its
    /// contracts and Σ kg its non-reversed sale lots took from the warehouse (by warehouse id
    /// and crop). The dashboard's agents and stock, whatever the number of agents and
    /// warehouses.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn agent_activity_and_stock(
        &self,
        campaign: CampaignId,
    ) -> R<(Vec<AgentActivity>, Vec<StockFigure>)> {
        let cid = campaign.to_string();
        // summed here as the rows come: grouped in SQL, the rows would be sorted first; every
        // delivery of the campaign is summed, then the voided ones (few, read from the
        // reversals) taken off: no look into the reversals per delivery. A warehouse and crop
        // count their deliveries, so that one with only voided deliveries has no line.
        let mut kg_of: HashMap<String, i64> = HashMap::new();
        let mut by_warehouse: HashMap<String, HashMap<String, (i64, i64)>> = HashMap::new();
        for (voided, sql) in [
            (
                false,
                "SELECT x.agent_id, x.warehouse_id, x.crop, x.accepted_t FROM deliveries x
                 JOIN contracts c ON c.id = x.contract_id WHERE c.campaign_id = ?1",
            ),
            (
                // the voided deliveries first (CROSS JOIN keeps them the outer loop), then
                // whether their contract is the campaign's
                true,
                "SELECT x.agent_id, x.warehouse_id, x.crop, x.accepted_t FROM deliveries x
                 CROSS JOIN contracts c
                 WHERE x.id IN (SELECT target_id FROM reversals) AND c.id = x.contract_id
                   AND c.campaign_id = ?1",
            ),
        ] {
            let mut st = self.conn.prepare_cached(sql)?;
            let mut rows = st.query([&cid])?;
            while let Some(r) = rows.next()? {
                let kg: i64 = r.get(3)?;
                let (kg, n) = if voided {
                    (kg.checked_neg().ok_or_else(overflow)?, -1)
                } else {
                    (kg, 1)
                };
                bump(&mut kg_of, text(r, 0)?, kg)?;
                let warehouse = text(r, 1)?;
                let crops = match by_warehouse.get_mut(warehouse) {
                    Some(crops) => crops,
                    None => by_warehouse.entry(warehouse.to_owned()).or_default(),
                };
                let crop = text(r, 2)?;
                match crops.get_mut(crop) {
                    Some((sum, count)) => {
                        *sum = add(*sum, kg)?;
                        *count += n;
                    }
                    None => {
                        crops.insert(crop.to_owned(), (kg, n));
                    }
                }
            }
        }
        // (warehouse, crop) as stored: their text order is the order of the lines
        let mut stock: BTreeMap<(String, String), (i64, i64)> = by_warehouse
            .into_iter()
            .flat_map(|(w, crops)| {
                crops
                    .into_iter()
                    .filter(|(_, (_, count))| *count > 0)
                    .map(move |(crop, (kg, _))| ((w.clone(), crop), (kg, 0)))
            })
            .collect();
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT s.warehouse_id, x.crop, sum(s.kg_t) FROM sale_lot_sources s
             JOIN sale_lots x ON x.id = s.lot_id WHERE x.campaign_id = ?1 AND {NOT_REVERSED}
             GROUP BY 1, 2"
        ))?;
        let mut rows = st.query([&cid])?;
        while let Some(r) = rows.next()? {
            let w = stock.entry((r.get(0)?, r.get(1)?)).or_default();
            w.1 = add(w.1, r.get(2)?)?;
        }
        let stock = stock
            .into_iter()
            .map(|((w, crop), (delivered_t, sold_t))| {
                Ok(StockFigure {
                    warehouse_id: decode("deliveries", "warehouse_id", &w)?,
                    crop: decode("deliveries", "crop", &crop)?,
                    delivered_t,
                    sold_t,
                })
            })
            .collect::<R<_>>()?;
        let mut st = self.conn.prepare_cached(&format!(
            "WITH paid AS (SELECT x.agent_id AS agent, sum(x.amount) AS v FROM disbursements x
                           JOIN contracts c ON c.id = x.contract_id
                           WHERE c.campaign_id = ?1 AND {NOT_REVERSED} GROUP BY x.agent_id)
             SELECT a.id, a.name, coalesce(paid.v, 0) FROM agents a LEFT JOIN paid ON paid.agent = a.id
             ORDER BY a.name, a.id"
        ))?;
        let agents = st
            .query_map([&cid], |r| {
                let id: String = r.get(0)?;
                Ok(AgentActivity {
                    agent_id: r.parse(0)?,
                    name: r.get(1)?,
                    disbursed: r.get(2)?,
                    delivered_t: kg_of.get(&id).copied().unwrap_or(0),
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok((agents, stock))
    }

    /// Every agent's cash in a campaign, by agent id: the figures of [`Db::agent_cash`] and
    /// [`Db::agent_cash_returned`] for all agents at once, one grouped pass per table.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn agents_cash(&self, campaign: CampaignId) -> R<Vec<AgentCash>> {
        let mut st = self.conn.prepare_cached(&format!(
            "WITH received AS (SELECT x.agent_id AS agent, sum(x.amount) AS v FROM fund_allocations x
                               WHERE x.campaign_id = ?1 AND {NOT_REVERSED} GROUP BY x.agent_id),
                  advances AS (SELECT x.agent_id AS agent, sum(x.amount) AS v FROM disbursements x
                               JOIN contracts k ON k.id = x.contract_id
                               WHERE k.campaign_id = ?1 AND {NOT_REVERSED} GROUP BY x.agent_id),
                  balances AS (SELECT x.agent_id AS agent, sum(x.amount) AS v FROM balance_payments x
                               WHERE x.campaign_id = ?1 AND {NOT_REVERSED} GROUP BY x.agent_id),
                  collected AS (SELECT x.agent_id AS agent, sum(x.cash_paid) AS v FROM fertilizer_distributions x
                                WHERE x.campaign_id = ?1 AND {NOT_REVERSED} GROUP BY x.agent_id),
                  returned AS (SELECT agent_id AS agent, sum(amount) AS v FROM cash_returns
                               WHERE campaign_id = ?1 GROUP BY agent_id)
             SELECT a.id, coalesce(received.v, 0), coalesce(advances.v, 0) + coalesce(balances.v, 0),
                    coalesce(collected.v, 0), coalesce(returned.v, 0)
             FROM agents a
             LEFT JOIN received ON received.agent = a.id LEFT JOIN advances ON advances.agent = a.id
             LEFT JOIN balances ON balances.agent = a.id LEFT JOIN collected ON collected.agent = a.id
             LEFT JOIN returned ON returned.agent = a.id
             ORDER BY a.id"
        ))?;
        let rows = st.query_map([campaign.to_string()], |r| {
            Ok(AgentCash {
                agent_id: r.parse(0)?,
                received: r.get(1)?,
                paid: r.get(2)?,
                collected: r.get(3)?,
                returned: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Per warehouse and day, for a campaign: Σ accepted kg of the non-voided deliveries on its
    /// contracts and Σ kg its non-reversed sale lots took from the warehouse (every crop). The
    /// book stock of a warehouse at a date ([`Db::warehouse_book_stock`]) is the sum of its
    /// days up to that date: one pass for every warehouse counted.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn campaign_stock_by_day(&self, campaign: CampaignId) -> R<Vec<StockDay>> {
        // (warehouse, day) as stored, summed here as the rows come
        let mut by_day: HashMap<String, HashMap<String, (i64, i64)>> = HashMap::new();
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT x.warehouse_id, x.date, x.accepted_t, 0 FROM deliveries x
               JOIN contracts c ON c.id = x.contract_id WHERE c.campaign_id = ?1 AND {NOT_REVERSED}
             UNION ALL
             SELECT s.warehouse_id, x.date, 0, s.kg_t FROM sale_lot_sources s
               JOIN sale_lots x ON x.id = s.lot_id WHERE x.campaign_id = ?1 AND {NOT_REVERSED}"
        ))?;
        let mut rows = st.query([campaign.to_string()])?;
        while let Some(r) = rows.next()? {
            let warehouse = text(r, 0)?;
            let days = match by_day.get_mut(warehouse) {
                Some(days) => days,
                None => by_day.entry(warehouse.to_owned()).or_default(),
            };
            let day = text(r, 1)?;
            let sums = match days.get_mut(day) {
                Some(sums) => sums,
                None => days.entry(day.to_owned()).or_default(),
            };
            sums.0 = add(sums.0, r.get(2)?)?;
            sums.1 = add(sums.1, r.get(3)?)?;
        }
        let sorted: BTreeMap<(String, String), (i64, i64)> = by_day
            .into_iter()
            .flat_map(|(w, days)| {
                days.into_iter()
                    .map(move |(day, sums)| ((w.clone(), day), sums))
            })
            .collect();
        sorted
            .into_iter()
            .map(|((w, day), (delivered_t, sold_t))| {
                Ok(StockDay {
                    warehouse_id: decode("deliveries", "warehouse_id", &w)?,
                    date: NaiveDate::parse_from_str(&day, "%Y-%m-%d").map_err(|_| {
                        StoreError::Decode {
                            table: "deliveries",
                            column: "date",
                            value: day.clone(),
                        }
                    })?,
                    delivered_t,
                    sold_t,
                })
            })
            .collect()
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
        // as the campaign's contracts give them (by contract id: no sort of the campaign's
        // advances in SQL), then each contract's few in order of date, time recorded and id
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT x.id, x.contract_id, x.amount, x.date, x.recorded_at FROM disbursements x
             JOIN contracts c ON c.id = x.contract_id
             WHERE c.campaign_id = ?1 AND {NOT_REVERSED}"
        ))?;
        let rows = st.query_map([campaign.to_string()], |r| {
            Ok((
                r.parse::<DisbursementId>(0)?,
                r.parse::<ContractId>(1)?,
                r.money(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
            ))
        })?;
        let mut all = rows.collect::<Result<Vec<_>, _>>()?;
        let by_contract =
            |a: &(DisbursementId, ContractId, Money, String, String),
             b: &(DisbursementId, ContractId, Money, String, String)| {
                (a.1, &a.3, &a.4, a.0).cmp(&(b.1, &b.3, &b.4, b.0))
            };
        if all.is_sorted_by(|a, b| a.1 <= b.1) {
            for run in all.chunk_by_mut(|a, b| a.1 == b.1) {
                if run.len() > 1 {
                    run.sort_by(by_contract);
                }
            }
        } else {
            all.sort_by(by_contract);
        }
        Ok(all.into_iter().map(|(id, c, m, _, _)| (id, c, m)).collect())
    }

    /// Groups of two or more non-voided deliveries of a campaign with the same member,
    /// contract, date, gross kg and bags. The campaign's deliveries are first grouped by
    /// contract, date and gross kg alone, as the contracts and their deliveries' index give
    /// them (in that order: no sort); only the deliveries of the groups of two or more are read
    /// again and grouped by every field.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn same_deliveries(&self, campaign: CampaignId) -> R<Vec<SameDeliveries>> {
        let mut st = self.conn.prepare_cached(&format!(
            "WITH twice AS (SELECT c.id AS contract, x.date AS day, x.gross_t AS gross FROM contracts c
                            JOIN deliveries x ON x.contract_id = c.id WHERE c.campaign_id = ?1
                            GROUP BY c.id, x.date, x.gross_t HAVING count(*) > 1)
             SELECT x.member_id, x.contract_id, x.date, x.gross_t, x.bags, group_concat(x.id) FROM twice
             JOIN deliveries x ON x.contract_id = twice.contract AND x.date = twice.day AND x.gross_t = twice.gross
             WHERE {NOT_REVERSED}
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

    /// Calls `f` with the device and receipt number of every money record (voided ones and
    /// reversals included), table after table, in no given order: what [`Db::money_receipts`]
    /// lists, without a row's id nor an allocation per row (the receipt gaps read every record
    /// of the union).
    ///
    /// # Errors
    /// SQLite errors, a device id that does not decode.
    pub fn each_receipt(&self, mut f: impl FnMut(DeviceId, &str)) -> R<()> {
        // the devices are few and their records mostly come together: the last one is kept
        let mut devices: HashMap<String, DeviceId> = HashMap::new();
        let mut last: Option<(String, DeviceId)> = None;
        for t in [
            Table::Disbursements,
            Table::Deliveries,
            Table::FertilizerDistributions,
            Table::BalancePayments,
            Table::Reversals,
        ] {
            let mut st = self
                .conn
                .prepare_cached(&format!("SELECT device_id, receipt FROM {}", t.name()))?;
            let mut rows = st.query([])?;
            while let Some(r) = rows.next()? {
                let text_id = text(r, 0)?;
                let device = match &last {
                    Some((t, d)) if t == text_id => *d,
                    _ => {
                        let d = match devices.get(text_id) {
                            Some(d) => *d,
                            None => {
                                let d: DeviceId = decode(t.name(), "device_id", text_id)?;
                                devices.insert(text_id.to_owned(), d);
                                d
                            }
                        };
                        last = Some((text_id.to_owned(), d));
                        d
                    }
                };
                f(device, text(r, 1)?);
            }
        }
        Ok(())
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
