//! The registry's changes (migration 20): members, warehouses, cooperatives and agents
//! corrected in place (the automerge document then holds only the fields that changed), a
//! member's departure or transfer, a warehouse closed, an agent who left; and the
//! append-only `registry_changes` rows that keep each change's old and new values, why, who,
//! on which device and when.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rusqlite::{params, OptionalExtension};
use sene_domain::*;

use crate::codec::{d, RowExt};
use crate::db::Db;
use crate::error::StoreError;

type R<T> = Result<T, StoreError>;

const CHANGE_COLS: &str = "id, record_table, record_id, cooperative_id, action, changes, reason, effective_on, agent_id, device_id, at";

fn change_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<RegistryChange> {
    let changes: String = r.get(5)?;
    Ok(RegistryChange {
        id: r.parse(0)?,
        record_table: r.get(1)?,
        record_id: r.get(2)?,
        cooperative_id: r.opt_parse(3)?,
        action: r.parse(4)?,
        changes: serde_json::from_str::<BTreeMap<String, (Option<String>, Option<String>)>>(
            &changes,
        )
        .unwrap_or_default(),
        reason: r.get(6)?,
        effective_on: r.opt_parse(7)?,
        agent_id: r.parse(8)?,
        device_id: r.parse(9)?,
        at: r.instant(10)?,
    })
}

impl Db<'_> {
    /// Writes a member's fields as given (the folded name follows the name).
    ///
    /// # Errors
    /// SQLite errors.
    pub fn update_member(&self, m: &Member) -> R<()> {
        let crops: Vec<&str> = m.crops.iter().map(|c| c.code()).collect();
        self.cached().execute(
            "UPDATE members SET number = ?2, full_name = ?3, folded_name = ?4, sex = ?5, birth_year = ?6,
               village = ?7, phone = ?8, nina = ?9, crops = ?10, status = ?11, left_on = ?12,
               moved_to = ?13, moved_from = ?14 WHERE id = ?1",
            params![
                m.id.to_string(),
                m.number,
                m.full_name,
                sene_domain::validate::fold(&m.full_name),
                m.sex.code(),
                m.birth_year,
                m.village,
                m.phone,
                m.nina,
                crops.join(","),
                m.status.code(),
                m.left_on.map(d),
                m.moved_to.map(|x| x.to_string()),
                m.moved_from.map(|x| x.to_string()),
            ],
        )?;
        Ok(())
    }

    /// Writes a cooperative's fields as given (its code too).
    ///
    /// # Errors
    /// SQLite errors.
    pub fn update_cooperative(&self, c: &Cooperative) -> R<()> {
        self.cached().execute(
            "UPDATE cooperatives SET code = ?2, name = ?3, village = ?4, commune = ?5, cercle = ?6, region = ?7 WHERE id = ?1",
            params![c.id.to_string(), c.code, c.name, c.village, c.commune, c.cercle, c.region],
        )?;
        Ok(())
    }

    /// Writes a warehouse's name and capacity.
    ///
    /// # Errors
    /// SQLite errors (a name in use in the cooperative).
    pub fn update_warehouse(&self, w: &Warehouse) -> R<()> {
        self.cached().execute(
            "UPDATE warehouses SET name = ?2, capacity_t = ?3 WHERE id = ?1",
            params![w.id.to_string(), w.name, w.capacity.map(|k| k.tenths())],
        )?;
        Ok(())
    }

    /// Sets (or clears) the date a warehouse closed.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn set_warehouse_closed(&self, id: WarehouseId, on: Option<NaiveDate>) -> R<()> {
        self.cached().execute(
            "UPDATE warehouses SET closed_on = ?2 WHERE id = ?1",
            params![id.to_string(), on.map(d)],
        )?;
        Ok(())
    }

    /// The date a warehouse closed, if it did.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn warehouse_closed_on(&self, id: WarehouseId) -> R<Option<NaiveDate>> {
        Ok(self
            .cached()
            .query_row(
                "SELECT closed_on FROM warehouses WHERE id = ?1",
                [id.to_string()],
                |r| r.opt_parse(0),
            )
            .optional()?
            .flatten())
    }

    /// Writes an agent's name and phone.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn update_agent(&self, id: AgentId, name: &str, phone: Option<&str>) -> R<()> {
        self.cached().execute(
            "UPDATE agents SET name = ?2, phone = ?3 WHERE id = ?1",
            params![id.to_string(), name, phone],
        )?;
        Ok(())
    }

    /// Sets (or clears) the date an agent left.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn set_agent_left(&self, id: AgentId, on: Option<NaiveDate>) -> R<()> {
        self.cached().execute(
            "UPDATE agents SET left_on = ?2 WHERE id = ?1",
            params![id.to_string(), on.map(d)],
        )?;
        Ok(())
    }

    /// The date an agent left, if they did.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn agent_left_on(&self, id: AgentId) -> R<Option<NaiveDate>> {
        Ok(self
            .cached()
            .query_row(
                "SELECT left_on FROM agents WHERE id = ?1",
                [id.to_string()],
                |r| r.opt_parse(0),
            )
            .optional()?
            .flatten())
    }

    /// Records a change of the registry (append-only).
    ///
    /// # Errors
    /// SQLite errors (an id already used, an unknown agent or device).
    pub fn insert_registry_change(&self, c: &RegistryChange) -> R<()> {
        self.cached().execute(
            &format!("INSERT INTO registry_changes ({CHANGE_COLS}) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11)"),
            params![
                c.id.to_string(),
                c.record_table,
                c.record_id,
                c.cooperative_id.map(|x| x.to_string()),
                c.action.code(),
                serde_json::to_string(&c.changes).unwrap_or_default(),
                c.reason,
                c.effective_on.map(d),
                c.agent_id.to_string(),
                c.device_id.to_string(),
                c.at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            ],
        )?;
        Ok(())
    }

    /// One change of the registry.
    ///
    /// # Errors
    /// SQLite errors, [`StoreError::Decode`].
    pub fn registry_change(&self, id: &str) -> R<Option<RegistryChange>> {
        Ok(self
            .cached()
            .query_row(
                &format!("SELECT {CHANGE_COLS} FROM registry_changes WHERE id = ?1"),
                [id],
                change_row,
            )
            .optional()?)
    }

    /// The changes of one record, oldest first (by time, then id).
    ///
    /// # Errors
    /// SQLite errors, [`StoreError::Decode`].
    pub fn registry_changes_of(&self, table: &str, record_id: &str) -> R<Vec<RegistryChange>> {
        let mut st = self.conn().prepare_cached(&format!(
            "SELECT {CHANGE_COLS} FROM registry_changes WHERE record_table = ?1 AND record_id = ?2 ORDER BY at, id"
        ))?;
        let rows = st.query_map([table, record_id], change_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Members who left (or moved, or died, or were excluded) with their departure date, and
    /// the contracts, advances and deliveries recorded for them dated on or after it, not
    /// reversed: `(member, kind, record id, date)`, kind `contract`, `disbursement` or
    /// `delivery`, of one campaign.
    ///
    /// # Errors
    /// SQLite errors, [`StoreError::Decode`].
    pub fn records_after_departure(
        &self,
        campaign: CampaignId,
    ) -> R<Vec<(MemberId, &'static str, String, NaiveDate)>> {
        // from the departed members (migration 22's partial index holds only them), then
        // their own records: the campaign's records are not walked to find the few who left
        let mut st = self.conn().prepare_cached(
            "SELECT m.id, 'contract', c.id, c.requested_on FROM members m INDEXED BY members_departed
               CROSS JOIN contracts c
               WHERE m.left_on IS NOT NULL AND c.member_id = m.id AND c.campaign_id = ?1
                 AND c.requested_on >= m.left_on
             UNION ALL
             SELECT m.id, 'disbursement', x.id, x.date FROM members m INDEXED BY members_departed
               CROSS JOIN contracts c CROSS JOIN disbursements x
               WHERE m.left_on IS NOT NULL AND c.member_id = m.id AND c.campaign_id = ?1
                 AND x.contract_id = c.id AND x.date >= m.left_on
                 AND NOT EXISTS (SELECT 1 FROM reversals r WHERE r.target_id = x.id)
             UNION ALL
             SELECT m.id, 'delivery', x.id, x.date FROM members m INDEXED BY members_departed
               CROSS JOIN deliveries x CROSS JOIN contracts c
               WHERE m.left_on IS NOT NULL AND x.member_id = m.id AND x.date >= m.left_on
                 AND c.id = x.contract_id AND c.campaign_id = ?1
                 AND NOT EXISTS (SELECT 1 FROM reversals r WHERE r.target_id = x.id)
             ORDER BY 1, 4, 3",
        )?;
        let rows = st.query_map([campaign.to_string()], |r| {
            let kind: String = r.get(1)?;
            let kind = match kind.as_str() {
                "contract" => "contract",
                "disbursement" => "disbursement",
                _ => "delivery",
            };
            Ok((r.parse(0)?, kind, r.get(2)?, r.date(3)?))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
