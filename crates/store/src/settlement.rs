//! Locked settlement runs and their lines (migration 5). Both tables are append-only: triggers
//! abort any `UPDATE` or `DELETE`.

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{params, OptionalExtension};
use sene_domain::*;

use crate::codec::{d, ts, RowExt};
use crate::db::Db;
use crate::error::StoreError;

type R<T> = Result<T, StoreError>;

/// A locked settlement run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettlementRunRow {
    pub id: SettlementRunId,
    pub campaign_id: CampaignId,
    /// The settlement date (fees run to it).
    pub date: NaiveDate,
    pub locked_at: DateTime<Utc>,
    pub locked_by: AgentId,
    pub device_id: DeviceId,
    /// The run this one corrects.
    pub replaces: Option<SettlementRunId>,
    pub note: String,
    /// Highest rowid of deliveries, disbursements, distributions and reversals at the lock
    /// (filled by [`Db::insert_settlement_run`]).
    pub upto: [i64; 4],
}

/// One member's line of a run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettlementLineRow {
    pub member_id: MemberId,
    pub number: String,
    pub full_name: String,
    /// Cooperative code.
    pub cooperative: String,
    pub committed: Kg,
    pub accepted: Kg,
    pub delivered_value: Money,
    pub advances: Money,
    pub fees: Money,
    pub fertilizer_credit: Money,
    pub net: Money,
    pub paid: Money,
    pub debt: Money,
    /// The debt carried in from the previous campaign (part of the net).
    pub carried_debt: Money,
    /// The price complement (part of the net).
    pub complement: Money,
}

/// A money record of a campaign that arrived after a run was locked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LateRecord {
    /// `delivery`, `disbursement`, `fertilizer_distribution` or `reversal`.
    pub kind: &'static str,
    pub id: String,
    pub member_id: MemberId,
    pub date: NaiveDate,
    pub receipt: String,
    pub recorded_at: DateTime<Utc>,
}

const RUN_COLS: &str = "id, campaign_id, date, locked_at, locked_by, device_id, replaces, note, deliveries_upto, disbursements_upto, distributions_upto, reversals_upto";

fn run_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<SettlementRunRow> {
    Ok(SettlementRunRow {
        id: r.parse(0)?,
        campaign_id: r.parse(1)?,
        date: r.date(2)?,
        locked_at: r.instant(3)?,
        locked_by: r.parse(4)?,
        device_id: r.parse(5)?,
        replaces: r.opt_parse(6)?,
        note: r.get(7)?,
        upto: [r.get(8)?, r.get(9)?, r.get(10)?, r.get(11)?],
    })
}

const LINE_COLS: &str = "member_id, number, full_name, cooperative, committed_t, accepted_t, delivered_value, advances, fees, fertilizer_credit, net, paid, debt, carried_debt, complement";

fn line_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<SettlementLineRow> {
    Ok(SettlementLineRow {
        member_id: r.parse(0)?,
        number: r.get(1)?,
        full_name: r.get(2)?,
        cooperative: r.get(3)?,
        committed: r.kg(4)?,
        accepted: r.kg(5)?,
        delivered_value: r.money(6)?,
        advances: r.money(7)?,
        fees: r.money(8)?,
        fertilizer_credit: r.money(9)?,
        net: r.money(10)?,
        paid: r.money(11)?,
        debt: r.money(12)?,
        carried_debt: r.money(13)?,
        complement: r.money(14)?,
    })
}

impl Db<'_> {
    /// Writes a run; its watermarks are taken now, from the tables as they stand, and
    /// returned.
    ///
    /// # Errors
    /// SQLite errors (an unknown campaign, agent, device or replaced run).
    pub fn insert_settlement_run(&self, run: &SettlementRunRow) -> R<[i64; 4]> {
        let c = self.conn();
        let mut upto = [0_i64; 4];
        for (i, t) in [
            "deliveries",
            "disbursements",
            "fertilizer_distributions",
            "reversals",
        ]
        .iter()
        .enumerate()
        {
            upto[i] = c.query_row(
                &format!("SELECT coalesce(max(rowid), 0) FROM {t}"),
                [],
                |r| r.get(0),
            )?;
        }
        c.execute(
            &format!("INSERT INTO settlement_runs ({RUN_COLS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"),
            params![
                run.id.to_string(),
                run.campaign_id.to_string(),
                d(run.date),
                ts(run.locked_at),
                run.locked_by.to_string(),
                run.device_id.to_string(),
                run.replaces.map(|r| r.to_string()),
                run.note,
                upto[0],
                upto[1],
                upto[2],
                upto[3],
            ],
        )?;
        Ok(upto)
    }

    /// Writes one line of a run.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn insert_settlement_line(&self, run: SettlementRunId, l: &SettlementLineRow) -> R<()> {
        self.conn().execute(
            "INSERT INTO settlement_lines (run_id, member_id, number, full_name, cooperative, committed_t, accepted_t, delivered_value, advances, fees, fertilizer_credit, net, paid, debt, carried_debt, complement) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
            params![
                run.to_string(),
                l.member_id.to_string(),
                l.number,
                l.full_name,
                l.cooperative,
                l.committed.tenths(),
                l.accepted.tenths(),
                l.delivered_value.francs(),
                l.advances.francs(),
                l.fees.francs(),
                l.fertilizer_credit.francs(),
                l.net.francs(),
                l.paid.francs(),
                l.debt.francs(),
                l.carried_debt.francs(),
                l.complement.francs(),
            ],
        )?;
        Ok(())
    }

    /// A run.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn settlement_run(&self, id: SettlementRunId) -> R<Option<SettlementRunRow>> {
        Ok(self
            .conn()
            .query_row(
                &format!("SELECT {RUN_COLS} FROM settlement_runs WHERE id = ?1"),
                [id.to_string()],
                run_row,
            )
            .optional()?)
    }

    /// The runs of a campaign (every campaign when `None`), oldest first.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn settlement_runs(&self, campaign: Option<CampaignId>) -> R<Vec<SettlementRunRow>> {
        let mut st = self.conn().prepare_cached(&format!(
            "SELECT {RUN_COLS} FROM settlement_runs WHERE ?1 IS NULL OR campaign_id = ?1 ORDER BY locked_at, rowid"
        ))?;
        let rows = st.query_map([campaign.map(|c| c.to_string())], run_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// One member's line of a run.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn settlement_line(
        &self,
        run: SettlementRunId,
        member: MemberId,
    ) -> R<Option<SettlementLineRow>> {
        Ok(self
            .conn()
            .query_row(
                &format!(
                    "SELECT {LINE_COLS} FROM settlement_lines WHERE run_id = ?1 AND member_id = ?2"
                ),
                [run.to_string(), member.to_string()],
                line_row,
            )
            .optional()?)
    }

    /// The lines of a run, by cooperative and member number.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn settlement_lines(&self, run: SettlementRunId) -> R<Vec<SettlementLineRow>> {
        let mut st = self.conn().prepare_cached(&format!(
            "SELECT {LINE_COLS} FROM settlement_lines WHERE run_id = ?1 ORDER BY cooperative, number"
        ))?;
        let rows = st.query_map([run.to_string()], line_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The deliveries, disbursements, fertilizer distributions of `campaign`, and reversals of
    /// these, whose rowid is above the watermarks `upto` (see [`SettlementRunRow::upto`]):
    /// what arrived after a lock.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn campaign_records_after(
        &self,
        campaign: CampaignId,
        upto: [i64; 4],
    ) -> R<Vec<LateRecord>> {
        let sql = "
            SELECT 'delivery', x.id, x.member_id, x.date, x.receipt, x.recorded_at FROM deliveries x
              JOIN contracts c ON c.id = x.contract_id WHERE c.campaign_id = ?1 AND x.rowid > ?2
            UNION ALL
            SELECT 'disbursement', x.id, c.member_id, x.date, x.receipt, x.recorded_at FROM disbursements x
              JOIN contracts c ON c.id = x.contract_id WHERE c.campaign_id = ?1 AND x.rowid > ?3
            UNION ALL
            SELECT 'fertilizer_distribution', x.id, x.member_id, x.date, x.receipt, x.recorded_at
              FROM fertilizer_distributions x WHERE x.campaign_id = ?1 AND x.rowid > ?4
            UNION ALL
            SELECT 'reversal', x.id, coalesce(dl.member_id, c2.member_id, f.member_id), x.date, x.receipt, x.recorded_at
              FROM reversals x
              LEFT JOIN deliveries dl ON dl.id = x.target_id
              LEFT JOIN disbursements ds ON ds.id = x.target_id
              LEFT JOIN contracts c1 ON c1.id = dl.contract_id
              LEFT JOIN contracts c2 ON c2.id = ds.contract_id
              LEFT JOIN fertilizer_distributions f ON f.id = x.target_id
              WHERE x.rowid > ?5 AND (c1.campaign_id = ?1 OR c2.campaign_id = ?1 OR f.campaign_id = ?1)
            ORDER BY 6, 2";
        let mut st = self.conn().prepare_cached(sql)?;
        let rows = st.query_map(
            params![campaign.to_string(), upto[0], upto[1], upto[2], upto[3]],
            |r| {
                let kind: String = r.get(0)?;
                Ok(LateRecord {
                    kind: match kind.as_str() {
                        "delivery" => "delivery",
                        "disbursement" => "disbursement",
                        "fertilizer_distribution" => "fertilizer_distribution",
                        _ => "reversal",
                    },
                    id: r.get(1)?,
                    member_id: r.parse(2)?,
                    date: r.date(3)?,
                    receipt: r.get(4)?,
                    recorded_at: r.instant(5)?,
                })
            },
        )?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

impl Db<'_> {
    /// A member's deliveries in a campaign as a run saw them: rowid at most `upto[0]`, not
    /// reversed by a reversal at most `upto[3]`; (date, receipt, accepted kg), by date.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn member_deliveries_upto(
        &self,
        member: MemberId,
        campaign: CampaignId,
        upto: [i64; 4],
    ) -> R<Vec<(NaiveDate, String, Kg)>> {
        let mut st = self.conn().prepare_cached(
            "SELECT x.date, x.receipt, x.accepted_t FROM deliveries x JOIN contracts c ON c.id = x.contract_id
             WHERE x.member_id = ?1 AND c.campaign_id = ?2 AND x.rowid <= ?3
               AND NOT EXISTS (SELECT 1 FROM reversals r WHERE r.target_id = x.id AND r.rowid <= ?4)
             ORDER BY x.date, x.receipt",
        )?;
        let rows = st.query_map(
            params![member.to_string(), campaign.to_string(), upto[0], upto[3]],
            |r| Ok((r.date(0)?, r.get(1)?, r.kg(2)?)),
        )?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

const CARRY_COLS: &str = "member_id, campaign_id, amount, run_id, date";

fn carry_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<DebtCarry> {
    Ok(DebtCarry {
        member_id: r.parse(0)?,
        campaign_id: r.parse(1)?,
        amount: r.money(2)?,
        run_id: r.parse(3)?,
        date: r.date(4)?,
    })
}

/// The campaign a debt of campaign `p` is carried into: the next campaign of the same crop
/// family by contract start (then id, for two campaigns that start the same day).
const NEXT_OF_P: &str = "(SELECT n.id FROM campaigns n WHERE n.family = p.family AND (n.contract_start > p.contract_start OR (n.contract_start = p.contract_start AND n.id > p.id)) ORDER BY n.contract_start, n.id LIMIT 1)";

impl Db<'_> {
    /// Writes a member's carried debt for a campaign, replacing the one a previous run wrote
    /// when the amount differs (the row names the run that set its amount: a correction that
    /// leaves a debt unchanged writes nothing, so nothing goes into the documents).
    ///
    /// # Errors
    /// SQLite errors (an unknown member or campaign, a negative amount).
    pub fn put_debt_carry(&self, x: &DebtCarry) -> R<()> {
        self.cached().execute(
            &format!("INSERT INTO debt_carries ({CARRY_COLS}) VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (member_id, campaign_id) DO UPDATE SET amount = excluded.amount, run_id = excluded.run_id, date = excluded.date WHERE amount IS NOT excluded.amount"),
            params![
                x.member_id.to_string(),
                x.campaign_id.to_string(),
                x.amount.francs(),
                x.run_id.to_string(),
                d(x.date),
            ],
        )?;
        Ok(())
    }

    /// A member's carried debt from a campaign.
    ///
    /// # Errors
    /// SQLite errors, [`StoreError::Decode`].
    pub fn debt_carry(&self, member: MemberId, campaign: CampaignId) -> R<Option<DebtCarry>> {
        let mut st = self.conn().prepare_cached(&format!(
            "SELECT {CARRY_COLS} FROM debt_carries WHERE member_id = ?1 AND campaign_id = ?2"
        ))?;
        Ok(st
            .query_row([member.to_string(), campaign.to_string()], carry_row)
            .optional()?)
    }

    /// The debts carried out of a campaign (by its locked runs), zero ones included.
    ///
    /// # Errors
    /// SQLite errors, [`StoreError::Decode`].
    pub fn debt_carries_from(&self, campaign: CampaignId) -> R<Vec<DebtCarry>> {
        let mut st = self.conn().prepare_cached(&format!(
            "SELECT {CARRY_COLS} FROM debt_carries WHERE campaign_id = ?1 ORDER BY member_id"
        ))?;
        let rows = st.query_map([campaign.to_string()], carry_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The campaigns a member's carried debts go into, with the amount (see
    /// [`Db::debts_carried_into`]).
    ///
    /// # Errors
    /// SQLite errors, [`StoreError::Decode`].
    pub fn member_debts_carried(&self, member: MemberId) -> R<Vec<(CampaignId, Money)>> {
        self.carried_sums(
            &format!("SELECT {NEXT_OF_P} AS next, sum(x.amount) FROM debt_carries x JOIN campaigns p ON p.id = x.campaign_id WHERE x.member_id = ?1 AND x.amount > 0 GROUP BY next HAVING next IS NOT NULL ORDER BY next"),
            &member.to_string(),
        )
    }

    /// The debts carried **into** a campaign, per member: those of the previous campaigns
    /// whose next campaign of the same crop family it is. Members with nothing carried are
    /// left out.
    ///
    /// # Errors
    /// SQLite errors, [`StoreError::Decode`].
    pub fn debts_carried_into(&self, campaign: CampaignId) -> R<Vec<(MemberId, Money)>> {
        self.carried_sums(
            &format!("SELECT x.member_id, sum(x.amount) FROM debt_carries x JOIN campaigns p ON p.id = x.campaign_id WHERE x.amount > 0 AND {NEXT_OF_P} = ?1 GROUP BY x.member_id ORDER BY x.member_id"),
            &campaign.to_string(),
        )
    }

    /// Rows of (id, sum of francs) of a query with one parameter.
    fn carried_sums<K>(&self, sql: &str, param: &str) -> R<Vec<(K, Money)>>
    where
        K: std::str::FromStr,
        K::Err: std::fmt::Display,
    {
        let mut st = self.conn().prepare_cached(sql)?;
        let rows = st.query_map([param], |r| Ok((r.parse(0)?, r.money(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

impl Db<'_> {
    /// Sets the price complement of a campaign's crop, in francs per accepted kg (the row is
    /// left untouched when it already holds that value; a crop the campaign does not price is
    /// the caller's check).
    ///
    /// # Errors
    /// SQLite errors (a negative complement).
    pub fn set_price_complement(&self, campaign: CampaignId, crop: Crop, per_kg: Money) -> R<()> {
        self.cached().execute(
            "UPDATE campaign_prices SET complement = ?3 WHERE campaign_id = ?1 AND crop = ?2 AND complement IS NOT ?3",
            params![campaign.to_string(), crop.code(), per_kg.francs()],
        )?;
        Ok(())
    }

    /// The price complements of a campaign, per crop (zero ones included).
    ///
    /// # Errors
    /// SQLite errors, [`StoreError::Decode`].
    pub fn price_complements(&self, campaign: CampaignId) -> R<Vec<(Crop, Money)>> {
        let mut st = self.conn().prepare_cached(
            "SELECT crop, complement FROM campaign_prices WHERE campaign_id = ?1 ORDER BY crop",
        )?;
        let rows = st.query_map([campaign.to_string()], |r| Ok((r.parse(0)?, r.money(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

/// A settlement proposed by one secretariat agent, for another to lock (migration 14).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettlementProposalRow {
    pub id: String,
    pub campaign_id: CampaignId,
    pub date: NaiveDate,
    pub proposed_by: AgentId,
    pub proposed_at: DateTime<Utc>,
    /// The settlement's figures when proposed, as the lock must find them again.
    pub figures: String,
    /// The run that confirmed it.
    pub run_id: Option<SettlementRunId>,
}

fn proposal_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<SettlementProposalRow> {
    Ok(SettlementProposalRow {
        id: r.get(0)?,
        campaign_id: r.parse(1)?,
        date: r.date(2)?,
        proposed_by: r.parse(3)?,
        proposed_at: r.instant(4)?,
        figures: r.get(5)?,
        run_id: r.opt_parse(6)?,
    })
}

impl Db<'_> {
    /// Records a proposed settlement.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn insert_settlement_proposal(&self, p: &SettlementProposalRow) -> R<()> {
        self.conn().execute(
            "INSERT INTO settlement_proposals (id, campaign_id, date, proposed_by, proposed_at, figures) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                p.id,
                p.campaign_id.to_string(),
                d(p.date),
                p.proposed_by.to_string(),
                ts(p.proposed_at),
                p.figures
            ],
        )?;
        Ok(())
    }

    /// The latest proposal of a campaign's settlement at a date not locked yet.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn open_settlement_proposal(
        &self,
        campaign: CampaignId,
        date: NaiveDate,
    ) -> R<Option<SettlementProposalRow>> {
        Ok(self
            .conn()
            .query_row(
                "SELECT id, campaign_id, date, proposed_by, proposed_at, figures, run_id FROM settlement_proposals WHERE campaign_id = ?1 AND date = ?2 AND run_id IS NULL ORDER BY proposed_at DESC, rowid DESC LIMIT 1",
                params![campaign.to_string(), d(date)],
                proposal_row,
            )
            .optional()?)
    }

    /// Names the run that confirmed a proposal.
    ///
    /// # Errors
    /// SQLite errors (a proposal already confirmed: the trigger aborts).
    pub fn confirm_settlement_proposal(&self, id: &str, run: SettlementRunId) -> R<()> {
        self.conn().execute(
            "UPDATE settlement_proposals SET run_id = ?2 WHERE id = ?1",
            params![id, run.to_string()],
        )?;
        Ok(())
    }
}
