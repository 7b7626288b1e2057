//! The union office's reconciliation records (migration 6): anomaly resolutions, physical
//! stock counts and agents' cash returns. Local office tables (not synced), append-only:
//! triggers abort any `UPDATE` or `DELETE`. Ids are the tables' integer row ids.

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::params;
use sene_domain::*;
use serde::{Deserialize, Serialize};

use crate::codec::{d, ts, RowExt};
use crate::db::Db;
use crate::error::StoreError;

type R<T> = Result<T, StoreError>;

/// Why an anomaly of a campaign's queue was closed, by whom and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnomalyResolution {
    /// Filled by the store.
    pub id: i64,
    pub campaign_id: CampaignId,
    /// The anomaly's key (`<kind>:<evidence>`).
    pub key: String,
    /// The anomaly's kind code (`duplicate_member`, …).
    pub kind: String,
    /// Why (required).
    pub note: String,
    pub resolved_by: AgentId,
    pub device_id: DeviceId,
    pub resolved_at: DateTime<Utc>,
}

/// A physical count of a warehouse's stock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockCount {
    /// Filled by the store.
    pub id: i64,
    pub warehouse_id: WarehouseId,
    pub campaign_id: CampaignId,
    pub counted_on: NaiveDate,
    pub counted: Kg,
    pub note: String,
    pub counted_by: AgentId,
    pub device_id: DeviceId,
    pub recorded_at: DateTime<Utc>,
}

/// Cash an agent handed back to the office.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CashReturn {
    /// Filled by the store.
    pub id: i64,
    pub agent_id: AgentId,
    pub campaign_id: CampaignId,
    pub returned_on: NaiveDate,
    pub amount: Money,
    /// What was counted or expected.
    pub note: String,
    pub received_by: AgentId,
    pub device_id: DeviceId,
    pub recorded_at: DateTime<Utc>,
}

const RESOLUTION_COLS: &str =
    "id, campaign_id, anomaly_key, kind, note, resolved_by, device_id, resolved_at";
const COUNT_COLS: &str =
    "id, warehouse_id, campaign_id, counted_on, counted_t, note, counted_by, device_id, recorded_at";
const RETURN_COLS: &str =
    "id, agent_id, campaign_id, returned_on, amount, note, received_by, device_id, recorded_at";

fn resolution_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<AnomalyResolution> {
    Ok(AnomalyResolution {
        id: r.get(0)?,
        campaign_id: r.parse(1)?,
        key: r.get(2)?,
        kind: r.get(3)?,
        note: r.get(4)?,
        resolved_by: r.parse(5)?,
        device_id: r.parse(6)?,
        resolved_at: r.instant(7)?,
    })
}

fn count_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<StockCount> {
    Ok(StockCount {
        id: r.get(0)?,
        warehouse_id: r.parse(1)?,
        campaign_id: r.parse(2)?,
        counted_on: r.date(3)?,
        counted: r.kg(4)?,
        note: r.get(5)?,
        counted_by: r.parse(6)?,
        device_id: r.parse(7)?,
        recorded_at: r.instant(8)?,
    })
}

fn return_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<CashReturn> {
    Ok(CashReturn {
        id: r.get(0)?,
        agent_id: r.parse(1)?,
        campaign_id: r.parse(2)?,
        returned_on: r.date(3)?,
        amount: r.money(4)?,
        note: r.get(5)?,
        received_by: r.parse(6)?,
        device_id: r.parse(7)?,
        recorded_at: r.instant(8)?,
    })
}

impl Db<'_> {
    fn office_rows<T>(
        &self,
        cols: &str,
        table: &str,
        order: &str,
        campaign: CampaignId,
        row: fn(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> R<Vec<T>> {
        let mut st = self.conn().prepare_cached(&format!(
            "SELECT {cols} FROM {table} WHERE campaign_id = ?1 ORDER BY {order}"
        ))?;
        let rows = st.query_map([campaign.to_string()], row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Writes a resolution; returns its id. A key resolved twice in a campaign is refused
    /// by the table (`UNIQUE`).
    ///
    /// # Errors
    /// SQLite errors.
    pub fn insert_anomaly_resolution(&self, x: &AnomalyResolution) -> R<i64> {
        self.conn().execute(
            "INSERT INTO anomaly_resolutions (campaign_id, anomaly_key, kind, note, resolved_by, device_id, resolved_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                x.campaign_id.to_string(),
                x.key,
                x.kind,
                x.note,
                x.resolved_by.to_string(),
                x.device_id.to_string(),
                ts(x.resolved_at),
            ],
        )?;
        Ok(self.conn().last_insert_rowid())
    }

    /// The resolutions of a campaign, oldest first.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn anomaly_resolutions(&self, campaign: CampaignId) -> R<Vec<AnomalyResolution>> {
        self.office_rows(
            RESOLUTION_COLS,
            "anomaly_resolutions",
            "id",
            campaign,
            resolution_row,
        )
    }

    /// Writes a stock count; returns its id.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn insert_stock_count(&self, x: &StockCount) -> R<i64> {
        self.conn().execute(
            "INSERT INTO stock_counts (warehouse_id, campaign_id, counted_on, counted_t, note, counted_by, device_id, recorded_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                x.warehouse_id.to_string(),
                x.campaign_id.to_string(),
                d(x.counted_on),
                x.counted.tenths(),
                x.note,
                x.counted_by.to_string(),
                x.device_id.to_string(),
                ts(x.recorded_at),
            ],
        )?;
        Ok(self.conn().last_insert_rowid())
    }

    /// The stock counts of a campaign, by warehouse, then date and entry order.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn stock_counts(&self, campaign: CampaignId) -> R<Vec<StockCount>> {
        self.office_rows(
            COUNT_COLS,
            "stock_counts",
            "warehouse_id, counted_on, id",
            campaign,
            count_row,
        )
    }

    /// Writes a cash return; returns its id.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn insert_cash_return(&self, x: &CashReturn) -> R<i64> {
        self.conn().execute(
            "INSERT INTO cash_returns (agent_id, campaign_id, returned_on, amount, note, received_by, device_id, recorded_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                x.agent_id.to_string(),
                x.campaign_id.to_string(),
                d(x.returned_on),
                x.amount.francs(),
                x.note,
                x.received_by.to_string(),
                x.device_id.to_string(),
                ts(x.recorded_at),
            ],
        )?;
        Ok(self.conn().last_insert_rowid())
    }

    /// The cash returns of a campaign, by date and entry order.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn cash_returns(&self, campaign: CampaignId) -> R<Vec<CashReturn>> {
        self.office_rows(
            RETURN_COLS,
            "cash_returns",
            "returned_on, id",
            campaign,
            return_row,
        )
    }

    /// Σ francs an agent handed back for a campaign.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn agent_cash_returned(&self, agent: AgentId, campaign: CampaignId) -> R<i64> {
        Ok(self.conn().query_row(
            "SELECT coalesce(sum(amount), 0) FROM cash_returns WHERE agent_id = ?1 AND campaign_id = ?2",
            params![agent.to_string(), campaign.to_string()],
            |r| r.get(0),
        )?)
    }

    /// The book stock of a warehouse for a campaign at the end of `date`, in tenths of kg:
    /// accepted kg of the non-voided deliveries dated up to `date` − kg taken by the
    /// non-reversed sale lots dated up to `date` (every crop of the campaign; the same rows
    /// as the dashboard's stock per warehouse, cut at the date).
    ///
    /// # Errors
    /// SQLite errors.
    pub fn warehouse_book_stock(
        &self,
        warehouse: WarehouseId,
        campaign: CampaignId,
        date: NaiveDate,
    ) -> R<i64> {
        Ok(self.conn().query_row(
            "SELECT
               (SELECT coalesce(sum(x.accepted_t), 0) FROM deliveries x JOIN contracts c ON c.id = x.contract_id
                 WHERE x.warehouse_id = ?1 AND c.campaign_id = ?2 AND x.date <= ?3
                   AND NOT EXISTS (SELECT 1 FROM reversals r WHERE r.target_id = x.id))
             - (SELECT coalesce(sum(s.kg_t), 0) FROM sale_lot_sources s JOIN sale_lots x ON x.id = s.lot_id
                 WHERE s.warehouse_id = ?1 AND x.campaign_id = ?2 AND x.date <= ?3
                   AND NOT EXISTS (SELECT 1 FROM reversals r WHERE r.target_id = x.id))",
            params![warehouse.to_string(), campaign.to_string(), d(date)],
            |r| r.get(0),
        )?)
    }
}
