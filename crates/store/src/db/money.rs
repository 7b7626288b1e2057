//! Money records: advances, deliveries, reversals, and a member's record ids.

use rusqlite::{params, OptionalExtension};
use sene_domain::*;

use super::{Db, NOT_REVERSED, R};
use crate::codec::{d, ts, RowExt};
use crate::error::StoreError;

/// The ids of one member's money records (see [`Db::member_record_ids`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MemberRecordIds {
    pub disbursements: Vec<DisbursementId>,
    pub deliveries: Vec<DeliveryId>,
    pub distributions: Vec<DistributionId>,
    pub payments: Vec<PaymentId>,
}

/// A delivery's weighing evidence as its column holds it (JSON of [`Weighing`]; `NULL` none).
#[must_use]
fn weighing_json(w: Option<&Weighing>) -> Option<String> {
    w.and_then(|w| serde_json::to_string(w).ok())
}

/// The weighing evidence of a column's text (`None` for a delivery typed before scales).
///
/// # Errors
/// Text that is not a weighing: a decoding error naming the column.
fn weighing_of(text: Option<String>) -> rusqlite::Result<Option<Weighing>> {
    text.map(|t| {
        serde_json::from_str(&t).map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(16, rusqlite::types::Type::Text, Box::new(e))
        })
    })
    .transpose()
}

impl Db<'_> {
    /// Inserts a disbursement.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn insert_disbursement(&self, x: &Disbursement) -> R<()> {
        self.conn.execute(
            "INSERT INTO disbursements (id, contract_id, amount, date, mode, agent_id, device_id, receipt, recorded_at) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9)",
            params![x.id.to_string(), x.contract_id.to_string(), x.amount.francs(), d(x.date), x.mode.code(),
                x.recorded.agent_id.to_string(), x.recorded.device_id.to_string(), x.recorded.receipt, ts(x.recorded.recorded_at)],
        )?;
        Ok(())
    }

    /// A disbursement by id.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn disbursement(&self, id: DisbursementId) -> R<Option<Disbursement>> {
        Ok(self.conn.query_row(
            "SELECT id, contract_id, amount, date, mode, agent_id, device_id, receipt, recorded_at FROM disbursements WHERE id = ?1",
            [id.to_string()],
            |r| Ok(Disbursement {
                id: r.parse(0)?, contract_id: r.parse(1)?, amount: r.money(2)?, date: r.date(3)?, mode: r.parse(4)?,
                recorded: Recorded { agent_id: r.parse(5)?, device_id: r.parse(6)?, receipt: r.get(7)?, recorded_at: r.instant(8)? },
            })).optional()?)
    }

    /// Σ non-reversed disbursements of a contract.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn disbursed_on(&self, contract: ContractId) -> R<Money> {
        let sql = format!(
            "SELECT coalesce(sum(amount), 0) FROM disbursements x WHERE contract_id = ?1 AND {NOT_REVERSED}"
        );
        let v: i64 = self
            .conn
            .query_row(&sql, [contract.to_string()], |r| r.get(0))?;
        Money::from_francs(v).map_err(|_| StoreError::Decode {
            table: "disbursements",
            column: "amount",
            value: v.to_string(),
        })
    }

    /// Inserts a delivery.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn insert_delivery(&self, x: &Delivery) -> R<()> {
        self.conn.execute(
            "INSERT INTO deliveries (id, member_id, contract_id, crop, warehouse_id, bags, gross_t, moisture_t, impurity_t, net_t, accepted_t, date, agent_id, device_id, receipt, recorded_at, weighing) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17)",
            params![x.id.to_string(), x.member_id.to_string(), x.contract_id.to_string(), x.crop.code(), x.warehouse_id.to_string(),
                x.bags, x.gross.tenths(), x.moisture.tenths(), x.impurity.tenths(), x.net.tenths(), x.accepted.tenths(), d(x.date),
                x.recorded.agent_id.to_string(), x.recorded.device_id.to_string(), x.recorded.receipt, ts(x.recorded.recorded_at),
                weighing_json(x.weighing.as_ref())],
        )?;
        Ok(())
    }

    /// A delivery by id.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn delivery(&self, id: DeliveryId) -> R<Option<Delivery>> {
        Ok(self.conn.query_row(
            "SELECT id, member_id, contract_id, crop, warehouse_id, bags, gross_t, moisture_t, impurity_t, net_t, accepted_t, date, agent_id, device_id, receipt, recorded_at, weighing FROM deliveries WHERE id = ?1",
            [id.to_string()],
            |r| Ok(Delivery {
                id: r.parse(0)?, member_id: r.parse(1)?, contract_id: r.parse(2)?, crop: r.parse(3)?, warehouse_id: r.parse(4)?,
                bags: r.count(5)?, gross: r.kg(6)?, moisture: r.pct(7)?, impurity: r.pct(8)?, net: r.kg(9)?, accepted: r.kg(10)?,
                date: r.date(11)?,
                recorded: Recorded { agent_id: r.parse(12)?, device_id: r.parse(13)?, receipt: r.get(14)?, recorded_at: r.instant(15)? },
                weighing: weighing_of(r.get(16)?)?,
            })).optional()?)
    }

    /// Σ accepted kg of a contract's non-voided deliveries.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn accepted_on(&self, contract: ContractId) -> R<Kg> {
        let sql = format!("SELECT coalesce(sum(accepted_t), 0) FROM deliveries x WHERE contract_id = ?1 AND {NOT_REVERSED}");
        let v: i64 = self
            .conn
            .query_row(&sql, [contract.to_string()], |r| r.get(0))?;
        Kg::from_tenths(v).map_err(|_| StoreError::Decode {
            table: "deliveries",
            column: "accepted_t",
            value: v.to_string(),
        })
    }

    /// Inserts a reversal.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn insert_reversal(&self, x: &Reversal) -> R<()> {
        self.conn.execute(
            "INSERT INTO reversals (id, target_kind, target_id, reason, date, agent_id, device_id, receipt, recorded_at) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9)",
            params![x.id.to_string(), x.target_kind.code(), x.target_id, x.reason, d(x.date),
                x.recorded.agent_id.to_string(), x.recorded.device_id.to_string(), x.recorded.receipt, ts(x.recorded.recorded_at)],
        )?;
        Ok(())
    }

    /// The reversal of a record, if any.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn reversal_of(&self, target_id: &str) -> R<Option<Reversal>> {
        Ok(self.conn.query_row(
            "SELECT id, target_kind, target_id, reason, date, agent_id, device_id, receipt, recorded_at FROM reversals WHERE target_id = ?1 ORDER BY recorded_at, id LIMIT 1",
            [target_id],
            |r| Ok(Reversal {
                id: r.parse(0)?, target_kind: r.parse(1)?, target_id: r.get(2)?, reason: r.get(3)?, date: r.date(4)?,
                recorded: Recorded { agent_id: r.parse(5)?, device_id: r.parse(6)?, receipt: r.get(7)?, recorded_at: r.instant(8)? },
            })).optional()?)
    }

    /// Ids of a member's money records, oldest first: advances (through the member's contracts),
    /// deliveries, fertilizer distributions and balance payments. Reversed ones included: the
    /// caller shows them as reversed.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn member_record_ids(&self, member: MemberId) -> R<MemberRecordIds> {
        let m = member.to_string();
        let mut ids = MemberRecordIds::default();
        let mut st = self.conn.prepare_cached(
            "SELECT x.id FROM disbursements x JOIN contracts c ON c.id = x.contract_id WHERE c.member_id = ?1 ORDER BY x.date, x.recorded_at, x.id",
        )?;
        ids.disbursements = st
            .query_map([&m], |r| r.parse(0))?
            .collect::<Result<_, _>>()?;
        let mut st = self.conn.prepare_cached(
            "SELECT id FROM deliveries WHERE member_id = ?1 ORDER BY date, recorded_at, id",
        )?;
        ids.deliveries = st
            .query_map([&m], |r| r.parse(0))?
            .collect::<Result<_, _>>()?;
        let mut st = self.conn.prepare_cached(
            "SELECT id FROM fertilizer_distributions WHERE member_id = ?1 ORDER BY date, recorded_at, id",
        )?;
        ids.distributions = st
            .query_map([&m], |r| r.parse(0))?
            .collect::<Result<_, _>>()?;
        let mut st = self.conn.prepare_cached(
            "SELECT id FROM balance_payments WHERE member_id = ?1 ORDER BY date, recorded_at, id",
        )?;
        ids.payments = st
            .query_map([&m], |r| r.parse(0))?
            .collect::<Result<_, _>>()?;
        Ok(ids)
    }
}
