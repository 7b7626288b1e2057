//! The union office's reconciliation: closing an anomaly of the queue with a reason (the
//! resolution log), physical stock counts of the warehouses, and the cash agents hand back.
//! Secretariat only. The records stay in the office store, append-only (migration 6), like
//! settlement runs; each use case writes its audit row in the same transaction.

use chrono::NaiveDate;
use sene_domain::validate::{self, limits};
use sene_domain::*;
use sene_store::Db;
use serde::{Deserialize, Serialize};

pub use sene_store::{AnomalyResolution, CashReturn, StockCount};

use crate::anomalies::queue;
use crate::season::campaign;
use crate::{missing, AppError, Ledger, Result, Tx};

/// What [`Tx::resolve_anomaly`] is given (kept in the audit row).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResolveAnomaly {
    pub campaign_id: CampaignId,
    pub key: String,
    pub note: String,
}

/// What [`Tx::record_stock_count`] is given (kept in the audit row).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordStockCount {
    pub warehouse_id: WarehouseId,
    pub campaign_id: CampaignId,
    pub counted_on: NaiveDate,
    pub counted: Kg,
    pub note: String,
}

/// What [`Tx::record_cash_return`] is given (kept in the audit row).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordCashReturn {
    pub agent_id: AgentId,
    pub campaign_id: CampaignId,
    pub returned_on: NaiveDate,
    pub amount: Money,
    pub note: String,
}

/// The most a warehouse count may say (10 000 t, the size of a sale lot's bound).
const COUNT_KG_MAX: i64 = limits::LOT_KG_MAX;

/// A date of the campaign's season (from its first window's start) up to today.
fn office_date(
    field: &'static str,
    date: NaiveDate,
    camp: &Campaign,
    today: NaiveDate,
) -> Result<NaiveDate> {
    let start = camp.season().start;
    if date < start || date > today {
        return Err(DomainError::OutOfRange {
            field,
            value: date.to_string(),
            min: start.to_string(),
            max: today.to_string(),
        }
        .into());
    }
    Ok(date)
}

/// Optional single-line note.
fn opt_note(field: &'static str, s: &str) -> Result<String> {
    Ok(validate::optional_text(field, s, limits::NOTE_MAX)?)
}

impl Tx<'_, '_> {
    /// Closes an anomaly of the campaign's queue with the reason why (who and when are the
    /// acting agent, device and time). The key must be in the queue now and not resolved
    /// yet; sync conflicts are resolved by choosing a value (`resolve_conflict`), not here.
    /// After it, [`crate::anomalies::anomalies`] leaves the key out; when its evidence
    /// changes, the anomaly has a new key and is back. Secretariat only.
    ///
    /// # Errors
    /// [`AppError::Forbidden`], [`AppError::NotFound`] (campaign, a key not in the queue),
    /// [`AppError::Mismatch`] (already resolved, a sync conflict), an empty note.
    pub fn resolve_anomaly(
        &self,
        campaign_id: CampaignId,
        key: &str,
        note: &str,
    ) -> Result<AnomalyResolution> {
        self.require(self.role.may_configure(), "résoudre une anomalie")?;
        let camp = campaign(self.db, campaign_id)?;
        let note = validate::text("motif de la résolution", note, limits::NOTE_MAX)?;
        let key = key.trim();
        if let Some(done) = self
            .db
            .anomaly_resolutions(campaign_id)?
            .into_iter()
            .find(|r| r.key == key)
        {
            return Err(AppError::Mismatch(format!(
                "l'anomalie {key} de la campagne « {} » est déjà résolue (le {} : {})",
                camp.name,
                done.resolved_at.format("%Y-%m-%d %H:%M"),
                done.note
            )));
        }
        let found = queue(self.db, campaign_id)?
            .into_iter()
            .find(|a| a.key == key)
            .ok_or_else(|| missing("anomalie", key))?;
        if found.kind.code() == "sync_conflict" {
            return Err(AppError::Mismatch(format!(
                "l'anomalie {key} est un conflit de synchronisation : résolvez-le en choisissant la valeur à garder (sene conflicts resolve)"
            )));
        }
        let cmd = ResolveAnomaly {
            campaign_id,
            key: key.to_owned(),
            note,
        };
        let mut row = AnomalyResolution {
            id: 0,
            campaign_id,
            key: cmd.key.clone(),
            kind: found.kind.code().to_owned(),
            note: cmd.note.clone(),
            resolved_by: self.actor.agent,
            device_id: self.actor.device,
            resolved_at: self.now,
        };
        row.id = self.db.insert_anomaly_resolution(&row)?;
        self.audit(
            "resolve_anomaly",
            "anomaly_resolution",
            &row.id.to_string(),
            &cmd,
        )?;
        Ok(row)
    }

    /// Records a physical count of a warehouse's stock for a campaign (0 kg for an empty
    /// warehouse). The newest count of each warehouse is compared with its book stock at the
    /// count's date in the anomaly queue. Secretariat only.
    ///
    /// # Errors
    /// [`AppError::Forbidden`], [`AppError::NotFound`] (warehouse, campaign), a negative or
    /// absurd weight (above 10 000 t), a date outside the campaign or in the future.
    pub fn record_stock_count(
        &self,
        warehouse_id: WarehouseId,
        campaign_id: CampaignId,
        date: NaiveDate,
        counted: Kg,
        note: &str,
    ) -> Result<StockCount> {
        self.require(
            self.role.may_configure(),
            "enregistrer un comptage de stock",
        )?;
        let camp = campaign(self.db, campaign_id)?;
        self.db
            .warehouse(warehouse_id)?
            .ok_or_else(|| missing("magasin", warehouse_id))?;
        if counted.tenths() < 0 || counted.tenths() > COUNT_KG_MAX * 10 {
            return Err(DomainError::OutOfRange {
                field: "stock compté",
                value: counted.to_string(),
                min: Kg::ZERO.to_string(),
                max: Kg::from_kg(COUNT_KG_MAX).unwrap_or_default().to_string(),
            }
            .into());
        }
        let cmd = RecordStockCount {
            warehouse_id,
            campaign_id,
            counted_on: office_date("date du comptage", date, &camp, self.now.date_naive())?,
            counted,
            note: opt_note("note du comptage", note)?,
        };
        let mut row = StockCount {
            id: 0,
            warehouse_id,
            campaign_id,
            counted_on: cmd.counted_on,
            counted,
            note: cmd.note.clone(),
            counted_by: self.actor.agent,
            device_id: self.actor.device,
            recorded_at: self.now,
        };
        row.id = self.db.insert_stock_count(&row)?;
        self.audit(
            "record_stock_count",
            "stock_count",
            &row.id.to_string(),
            &cmd,
        )?;
        Ok(row)
    }

    /// Records cash an agent handed back to the office for a campaign (whole francs, > 0);
    /// the acting agent is the one who received it. The agent's cash position
    /// ([`crate::reports::agent_cash`]) counts it. Secretariat only.
    ///
    /// # Errors
    /// [`AppError::Forbidden`], [`AppError::NotFound`] (agent, campaign), a zero, negative or
    /// absurd amount, a date outside the campaign or in the future.
    pub fn record_cash_return(
        &self,
        agent_id: AgentId,
        campaign_id: CampaignId,
        date: NaiveDate,
        amount: Money,
        note: &str,
    ) -> Result<CashReturn> {
        self.require(self.role.may_configure(), "enregistrer un retour de caisse")?;
        let camp = campaign(self.db, campaign_id)?;
        self.db
            .agent(agent_id)?
            .ok_or_else(|| missing("agent", agent_id))?;
        let cmd = RecordCashReturn {
            agent_id,
            campaign_id,
            returned_on: office_date("date du retour", date, &camp, self.now.date_naive())?,
            amount: validate::positive_money("montant rendu", amount, limits::UNION_MONEY_MAX)?,
            note: opt_note("note du retour", note)?,
        };
        let mut row = CashReturn {
            id: 0,
            agent_id,
            campaign_id,
            returned_on: cmd.returned_on,
            amount: cmd.amount,
            note: cmd.note.clone(),
            received_by: self.actor.agent,
            device_id: self.actor.device,
            recorded_at: self.now,
        };
        row.id = self.db.insert_cash_return(&row)?;
        self.audit(
            "record_cash_return",
            "cash_return",
            &row.id.to_string(),
            &cmd,
        )?;
        Ok(row)
    }
}

/// The resolution log of a campaign (who, when, why), oldest first.
///
/// # Errors
/// [`AppError::NotFound`] (campaign), store errors.
pub fn anomaly_resolutions(db: &Db<'_>, campaign_id: CampaignId) -> Result<Vec<AnomalyResolution>> {
    campaign(db, campaign_id)?;
    Ok(db.anomaly_resolutions(campaign_id)?)
}

/// The stock counts of a campaign, by warehouse then date.
///
/// # Errors
/// [`AppError::NotFound`] (campaign), store errors.
pub fn stock_counts(db: &Db<'_>, campaign_id: CampaignId) -> Result<Vec<StockCount>> {
    campaign(db, campaign_id)?;
    Ok(db.stock_counts(campaign_id)?)
}

/// The cash returns of a campaign, by date.
///
/// # Errors
/// [`AppError::NotFound`] (campaign), store errors.
pub fn cash_returns(db: &Db<'_>, campaign_id: CampaignId) -> Result<Vec<CashReturn>> {
    campaign(db, campaign_id)?;
    Ok(db.cash_returns(campaign_id)?)
}

impl Ledger {
    /// [`anomaly_resolutions`] on this ledger.
    ///
    /// # Errors
    /// As [`anomaly_resolutions`].
    pub fn anomaly_resolutions(&self, campaign_id: CampaignId) -> Result<Vec<AnomalyResolution>> {
        anomaly_resolutions(&self.db(), campaign_id)
    }

    /// [`stock_counts`] on this ledger.
    ///
    /// # Errors
    /// As [`stock_counts`].
    pub fn stock_counts(&self, campaign_id: CampaignId) -> Result<Vec<StockCount>> {
        stock_counts(&self.db(), campaign_id)
    }

    /// [`cash_returns`] on this ledger.
    ///
    /// # Errors
    /// As [`cash_returns`].
    pub fn cash_returns(&self, campaign_id: CampaignId) -> Result<Vec<CashReturn>> {
        cash_returns(&self.db(), campaign_id)
    }
}
