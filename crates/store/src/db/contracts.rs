//! Contracts: their rows, states, and who asked for and approved them (maker-checker).

use chrono::NaiveDate;
use rusqlite::{params, OptionalExtension};
use sene_domain::*;

use super::{Db, R};
use crate::codec::{d, RowExt};

impl Db<'_> {
    /// Inserts a contract.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn insert_contract(&self, c: &Contract) -> R<()> {
        self.conn.execute(
            "INSERT INTO contracts (id, member_id, campaign_id, crop, committed_t, base_price, state, requested_on) VALUES (?1,?2,?3,?4,?5,?6,?7,?8)",
            params![c.id.to_string(), c.member_id.to_string(), c.campaign_id.to_string(), c.crop.code(),
                c.committed.tenths(), c.base_price.francs(), c.state.code(), d(c.requested_on)],
        )?;
        Ok(())
    }

    /// Records who requested a contract (maker-checker).
    ///
    /// # Errors
    /// SQLite errors.
    pub fn set_contract_requested_by(&self, id: ContractId, by: AgentId) -> R<()> {
        self.conn.execute(
            "UPDATE contracts SET requested_by = ?2 WHERE id = ?1",
            params![id.to_string(), by.to_string()],
        )?;
        Ok(())
    }

    /// Records who approved a contract (maker-checker).
    ///
    /// # Errors
    /// SQLite errors.
    pub fn set_contract_approved_by(&self, id: ContractId, by: AgentId) -> R<()> {
        self.conn.execute(
            "UPDATE contracts SET approved_by = ?2 WHERE id = ?1",
            params![id.to_string(), by.to_string()],
        )?;
        Ok(())
    }

    /// Who requested the contract, when known (contracts made before maker-checker: none).
    ///
    /// # Errors
    /// SQLite errors.
    pub fn contract_requested_by(&self, id: ContractId) -> R<Option<String>> {
        Ok(self
            .conn
            .query_row(
                "SELECT requested_by FROM contracts WHERE id = ?1",
                params![id.to_string()],
                |r| r.get::<_, Option<String>>(0),
            )
            .optional()?
            .flatten())
    }

    /// Who made a money record: the agent on the record for member-level records (what every
    /// replica holds), else the agent of this store's first audit entry for it (the union's
    /// records, made and reversed at the office).
    ///
    /// # Errors
    /// SQLite errors.
    pub fn record_maker(&self, kind: RecordKind, id: &str) -> R<Option<String>> {
        let on_record = matches!(
            kind,
            RecordKind::Disbursement
                | RecordKind::Delivery
                | RecordKind::Distribution
                | RecordKind::Payment
        );
        let sql = if on_record {
            format!(
                "SELECT agent_id FROM {} WHERE id = ?1",
                Db::table_of(kind).name()
            )
        } else {
            "SELECT agent_id FROM audit WHERE record_id = ?1 ORDER BY seq LIMIT 1".to_owned()
        };
        Ok(self
            .conn
            .query_row(&sql, params![id], |r| r.get::<_, Option<String>>(0))
            .optional()?
            .flatten())
    }

    pub(super) fn contract_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Contract> {
        Ok(Contract {
            id: r.parse(0)?,
            member_id: r.parse(1)?,
            campaign_id: r.parse(2)?,
            crop: r.parse(3)?,
            committed: r.kg(4)?,
            base_price: r.money(5)?,
            state: r.parse(6)?,
            requested_on: r.date(7)?,
        })
    }

    /// A contract by id.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn contract(&self, id: ContractId) -> R<Option<Contract>> {
        Ok(self.conn.query_row(
            "SELECT id, member_id, campaign_id, crop, committed_t, base_price, state, requested_on FROM contracts WHERE id = ?1",
            [id.to_string()], Self::contract_row).optional()?)
    }

    /// A member's contracts (in one campaign, or all).
    ///
    /// # Errors
    /// SQLite errors.
    pub fn member_contracts(
        &self,
        member: MemberId,
        campaign: Option<CampaignId>,
    ) -> R<Vec<Contract>> {
        let mut st = self.conn.prepare_cached(
            "SELECT id, member_id, campaign_id, crop, committed_t, base_price, state, requested_on FROM contracts WHERE member_id = ?1 AND (?2 IS NULL OR campaign_id = ?2) ORDER BY requested_on, id",
        )?;
        let rows = st.query_map(
            params![member.to_string(), campaign.map(|c| c.to_string())],
            Self::contract_row,
        )?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Changes a contract's state (a decision, not a money record), recording who decided.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn set_contract_state(
        &self,
        id: ContractId,
        state: ContractState,
        by: Option<AgentId>,
        on: Option<NaiveDate>,
    ) -> R<()> {
        if let (Some(by), Some(on)) = (by, on) {
            self.conn.execute(
                "UPDATE contracts SET state = ?2, decided_by = ?3, decided_on = ?4 WHERE id = ?1",
                params![id.to_string(), state.code(), by.to_string(), d(on)],
            )?;
        } else {
            self.conn.execute(
                "UPDATE contracts SET state = ?2 WHERE id = ?1",
                params![id.to_string(), state.code()],
            )?;
        }
        Ok(())
    }
}
