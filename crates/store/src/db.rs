//! Typed reads and writes on the projection tables.

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use sene_domain::*;

use crate::codec::{d, ts, RowExt};
use crate::error::StoreError;

type R<T> = Result<T, StoreError>;

/// A handle on the store for reads, or for the writes of one transaction.
pub struct Db<'c> {
    conn: Cached<'c>,
}

/// Prepared statements kept by the connection, enough for every query of a sync merge (the
/// SQL of the generic row functions is per table): preparing is a good part of their cost.
const STATEMENT_CACHE: usize = 256;

/// The connection, whose `query_row` and `execute` go through the statement cache (the SQL
/// text of this file is fixed, or made per table).
#[derive(Clone, Copy)]
pub(crate) struct Cached<'c>(&'c Connection);

impl std::ops::Deref for Cached<'_> {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        self.0
    }
}

impl Cached<'_> {
    pub(crate) fn query_row<T, P, F>(&self, sql: &str, params: P, f: F) -> rusqlite::Result<T>
    where
        P: rusqlite::Params,
        F: FnOnce(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    {
        self.0.prepare_cached(sql)?.query_row(params, f)
    }

    pub(crate) fn execute<P: rusqlite::Params>(
        &self,
        sql: &str,
        params: P,
    ) -> rusqlite::Result<usize> {
        self.0.prepare_cached(sql)?.execute(params)
    }
}

/// A table whose rows can be listed as JSON by [`Db::list_rows`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Table {
    Unions,
    Cooperatives,
    Warehouses,
    Agents,
    AgentCooperatives,
    Devices,
    Members,
    Campaigns,
    CampaignPrices,
    Contracts,
    Disbursements,
    Deliveries,
    Reversals,
    FertilizerProducts,
    FertilizerNeeds,
    GroupOrders,
    PurchaseOrders,
    Receptions,
    FertilizerDistributions,
    SaleLots,
    SaleLotSources,
    Lenders,
    CreditLines,
    Drawdowns,
    LenderRepayments,
    FundAllocations,
    BalancePayments,
    DebtCarries,
    MemberMerges,
    ConflictResolutions,
    RegistryChanges,
    Audit,
}

impl Table {
    /// The SQL name.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Table::Unions => "unions",
            Table::Cooperatives => "cooperatives",
            Table::Warehouses => "warehouses",
            Table::Agents => "agents",
            Table::AgentCooperatives => "agent_cooperatives",
            Table::Devices => "devices",
            Table::Members => "members",
            Table::Campaigns => "campaigns",
            Table::CampaignPrices => "campaign_prices",
            Table::Contracts => "contracts",
            Table::Disbursements => "disbursements",
            Table::Deliveries => "deliveries",
            Table::Reversals => "reversals",
            Table::FertilizerProducts => "fertilizer_products",
            Table::FertilizerNeeds => "fertilizer_needs",
            Table::GroupOrders => "group_orders",
            Table::PurchaseOrders => "purchase_orders",
            Table::Receptions => "receptions",
            Table::FertilizerDistributions => "fertilizer_distributions",
            Table::SaleLots => "sale_lots",
            Table::SaleLotSources => "sale_lot_sources",
            Table::Lenders => "lenders",
            Table::CreditLines => "credit_lines",
            Table::Drawdowns => "drawdowns",
            Table::LenderRepayments => "lender_repayments",
            Table::FundAllocations => "fund_allocations",
            Table::BalancePayments => "balance_payments",
            Table::DebtCarries => "debt_carries",
            Table::MemberMerges => "member_merges",
            Table::ConflictResolutions => "conflict_resolutions",
            Table::RegistryChanges => "registry_changes",
            Table::Audit => "audit",
        }
    }

    /// The table of an SQL name, among the projection tables.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Table> {
        Table::PROJECTION.iter().copied().find(|t| t.name() == name)
    }

    /// The columns that make a row's key.
    #[must_use]
    pub const fn key_columns(self) -> &'static [&'static str] {
        match self {
            Table::AgentCooperatives => &["agent_id", "cooperative_id"],
            Table::CampaignPrices => &["campaign_id", "crop"],
            Table::SaleLotSources => &["lot_id", "warehouse_id"],
            Table::DebtCarries => &["member_id", "campaign_id"],
            Table::Audit => &["seq"],
            _ => &["id"],
        }
    }

    /// Columns that are this device's own bookkeeping and never leave it.
    #[must_use]
    pub const fn local_columns(self) -> &'static [&'static str] {
        match self {
            Table::Devices => &["last_seq"],
            _ => &[],
        }
    }

    /// Every projection table (the audit trail excluded), in dependency order.
    pub const PROJECTION: &'static [Table] = &[
        Table::Unions,
        Table::Cooperatives,
        Table::Warehouses,
        Table::Agents,
        Table::AgentCooperatives,
        Table::Devices,
        Table::Members,
        Table::Campaigns,
        Table::CampaignPrices,
        Table::Contracts,
        Table::Disbursements,
        Table::Deliveries,
        Table::FertilizerProducts,
        Table::FertilizerNeeds,
        Table::GroupOrders,
        Table::PurchaseOrders,
        Table::Receptions,
        Table::FertilizerDistributions,
        Table::SaleLots,
        Table::SaleLotSources,
        Table::Lenders,
        Table::CreditLines,
        Table::Drawdowns,
        Table::LenderRepayments,
        Table::FundAllocations,
        Table::BalancePayments,
        Table::DebtCarries,
        Table::Reversals,
        Table::MemberMerges,
        Table::ConflictResolutions,
        Table::RegistryChanges,
    ];
}

/// One audit row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub at: DateTime<Utc>,
    pub agent_id: AgentId,
    pub device_id: DeviceId,
    pub action: String,
    pub record_kind: String,
    pub record_id: String,
    pub payload: String,
}

/// The ids of one member's money records (see [`Db::member_record_ids`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MemberRecordIds {
    pub disbursements: Vec<DisbursementId>,
    pub deliveries: Vec<DeliveryId>,
    pub distributions: Vec<DistributionId>,
    pub payments: Vec<PaymentId>,
}

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

const NOT_REVERSED: &str = "NOT EXISTS (SELECT 1 FROM reversals r WHERE r.target_id = x.id)";

impl<'c> Db<'c> {
    pub(crate) fn new(conn: &'c Connection) -> Self {
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        Db { conn: Cached(conn) }
    }

    pub(crate) fn conn(&self) -> &'c Connection {
        self.conn.0
    }

    /// The connection through the statement cache.
    pub(crate) fn cached(&self) -> Cached<'c> {
        self.conn
    }

    // ----- settings, audit, receipts -----

    /// A local setting.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn setting(&self, key: &str) -> R<Option<String>> {
        Ok(self
            .conn
            .query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
                r.get(0)
            })
            .optional()?)
    }

    /// Sets a local setting.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn set_setting(&self, key: &str, value: &str) -> R<()> {
        self.conn.execute(
            "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            params![key, value],
        )?;
        Ok(())
    }

    /// Appends an audit row.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn audit(&self, e: &AuditEntry) -> R<()> {
        self.conn.execute(
            "INSERT INTO audit (at, agent_id, device_id, action, record_kind, record_id, payload) VALUES (?1,?2,?3,?4,?5,?6,?7)",
            params![ts(e.at), e.agent_id.to_string(), e.device_id.to_string(), e.action, e.record_kind, e.record_id, e.payload],
        )?;
        Ok(())
    }

    /// The payload of the audit row that created `record_id` with `action`, if any.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn creation_payload(&self, action: &str, record_id: &str) -> R<Option<String>> {
        Ok(self
            .conn
            .query_row(
                "SELECT payload FROM audit WHERE record_id = ?1 AND action = ?2 ORDER BY seq LIMIT 1",
                params![record_id, action],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// The highest audit sequence number (0 when empty).
    ///
    /// # Errors
    /// SQLite errors.
    pub fn audit_seq(&self) -> R<i64> {
        Ok(self
            .conn
            .query_row("SELECT coalesce(max(seq), 0) FROM audit", [], |r| r.get(0))?)
    }

    /// The actions audited after sequence number `seq`.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn actions_since(&self, seq: i64) -> R<Vec<String>> {
        let mut st = self
            .conn
            .prepare_cached("SELECT action FROM audit WHERE seq > ?1 ORDER BY seq")?;
        let rows = st.query_map([seq], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The audit trail, oldest first.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn audit_entries(&self, limit: u32) -> R<Vec<AuditEntry>> {
        let mut st = self.conn.prepare_cached(
            "SELECT at, agent_id, device_id, action, record_kind, record_id, payload FROM audit ORDER BY seq LIMIT ?1",
        )?;
        let rows = st.query_map([limit], |r| {
            Ok(AuditEntry {
                at: r.instant(0)?,
                agent_id: r.parse(1)?,
                device_id: r.parse(2)?,
                action: r.get(3)?,
                record_kind: r.get(4)?,
                record_id: r.get(5)?,
                payload: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Takes the next receipt number of a device.
    ///
    /// # Errors
    /// SQLite errors; `QueryReturnedNoRows` for an unknown device.
    pub fn next_receipt(&self, device: DeviceId) -> R<String> {
        let (prefix, seq): (String, i64) = self.conn.query_row(
            "UPDATE devices SET last_seq = last_seq + 1 WHERE id = ?1 RETURNING receipt_prefix, last_seq",
            [device.to_string()],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        self.receipt_in_series(&prefix, seq)
    }

    /// The receipt number a device's next money record will take, without taking it (what a
    /// restore tells: the new series starts there).
    ///
    /// # Errors
    /// SQLite errors; `QueryReturnedNoRows` for an unknown device.
    pub fn peek_next_receipt(&self, device: DeviceId) -> R<String> {
        let (prefix, seq): (String, i64) = self.conn.query_row(
            "SELECT receipt_prefix, last_seq + 1 FROM devices WHERE id = ?1",
            [device.to_string()],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        self.receipt_in_series(&prefix, seq)
    }

    /// A receipt number in this store's series: a restored store numbers in a series of its
    /// own (`SEC-2-000001`), since the lost store may have issued any number of the previous
    /// series after the backup.
    fn receipt_in_series(&self, prefix: &str, seq: i64) -> R<String> {
        let series = self
            .setting(crate::backup::keys::RECEIPT_SERIES)?
            .unwrap_or_default();
        Ok(sene_domain::receipt::number(
            &format!("{prefix}{series}"),
            u64::try_from(seq).unwrap_or_default(),
        ))
    }

    /// Whether a row with this id exists in `table`.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn exists(&self, table: Table, id: &str) -> R<bool> {
        let sql = format!("SELECT 1 FROM {} WHERE id = ?1", table.name());
        Ok(self
            .conn
            .query_row(&sql, [id], |_| Ok(()))
            .optional()?
            .is_some())
    }

    /// Number of rows in `table`.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn count(&self, table: Table) -> R<i64> {
        let sql = format!("SELECT count(*) FROM {}", table.name());
        Ok(self.conn.query_row(&sql, [], |r| r.get(0))?)
    }

    /// Rows of a table as JSON objects (column name → value), in insertion order.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn list_rows(&self, table: Table, limit: u32) -> R<Vec<serde_json::Value>> {
        let order = if table == Table::Audit {
            "seq"
        } else {
            "rowid"
        };
        let sql = format!("SELECT * FROM {} ORDER BY {order} LIMIT ?1", table.name());
        let mut st = self.conn.prepare(&sql)?;
        let names: Vec<String> = st.column_names().map(str::to_owned).collect();
        let rows = st.query_map([limit], |r| {
            let mut obj = serde_json::Map::new();
            for (i, n) in names.iter().enumerate() {
                let v = match r.get_ref(i)? {
                    rusqlite::types::ValueRef::Null => serde_json::Value::Null,
                    rusqlite::types::ValueRef::Integer(x) => serde_json::Value::from(x),
                    rusqlite::types::ValueRef::Real(x) => serde_json::Value::from(x),
                    rusqlite::types::ValueRef::Text(t) => {
                        serde_json::Value::from(String::from_utf8_lossy(t).into_owned())
                    }
                    rusqlite::types::ValueRef::Blob(b) => serde_json::Value::from(b.len()),
                };
                obj.insert(n.clone(), v);
            }
            Ok(serde_json::Value::Object(obj))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Every row of every projection table, as text, sorted: two stores with equal projections
    /// give equal dumps.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn projection_dump(&self) -> R<Vec<String>> {
        let mut out = Vec::new();
        for t in Table::PROJECTION {
            let mut rows: Vec<String> = self
                .list_rows(*t, u32::MAX)?
                .into_iter()
                .map(|mut v| {
                    if let Some(o) = v.as_object_mut() {
                        for c in t.local_columns() {
                            o.remove(*c);
                        }
                    }
                    format!("{}:{v}", t.name())
                })
                .collect();
            rows.sort();
            out.extend(rows);
        }
        Ok(out)
    }

    // ----- organisation -----

    /// Inserts the union.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn insert_union(&self, u: &Union) -> R<()> {
        self.conn.execute(
            "INSERT INTO unions (id, name, region) VALUES (?1,?2,?3)",
            params![u.id.to_string(), u.name, u.region],
        )?;
        Ok(())
    }

    /// The union, if the store has one.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn union(&self) -> R<Option<Union>> {
        Ok(self
            .conn
            .query_row("SELECT id, name, region FROM unions LIMIT 1", [], |r| {
                Ok(Union {
                    id: r.parse(0)?,
                    name: r.get(1)?,
                    region: r.get(2)?,
                })
            })
            .optional()?)
    }

    /// Inserts a cooperative.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn insert_cooperative(&self, c: &Cooperative) -> R<()> {
        self.conn.execute(
            "INSERT INTO cooperatives (id, code, name, village, commune, cercle, region) VALUES (?1,?2,?3,?4,?5,?6,?7)",
            params![c.id.to_string(), c.code, c.name, c.village, c.commune, c.cercle, c.region],
        )?;
        Ok(())
    }

    pub(crate) fn coop_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Cooperative> {
        Ok(Cooperative {
            id: r.parse(0)?,
            code: r.get(1)?,
            name: r.get(2)?,
            village: r.get(3)?,
            commune: r.get(4)?,
            cercle: r.get(5)?,
            region: r.get(6)?,
        })
    }

    /// A cooperative by id.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn cooperative(&self, id: CooperativeId) -> R<Option<Cooperative>> {
        Ok(self.conn.query_row(
            "SELECT id, code, name, village, commune, cercle, region FROM cooperatives WHERE id = ?1",
            [id.to_string()], Self::coop_row).optional()?)
    }

    /// A cooperative by code.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn cooperative_by_code(&self, code: &str) -> R<Option<Cooperative>> {
        Ok(self.conn.query_row(
            "SELECT id, code, name, village, commune, cercle, region FROM cooperatives WHERE code = ?1",
            [code], Self::coop_row).optional()?)
    }

    /// Every cooperative, by code.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn cooperatives(&self) -> R<Vec<Cooperative>> {
        let mut st = self.conn.prepare_cached(
            "SELECT id, code, name, village, commune, cercle, region FROM cooperatives ORDER BY code",
        )?;
        let rows = st.query_map([], Self::coop_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Inserts a warehouse.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn insert_warehouse(&self, w: &Warehouse) -> R<()> {
        self.conn.execute(
            "INSERT INTO warehouses (id, cooperative_id, name, capacity_t) VALUES (?1,?2,?3,?4)",
            params![
                w.id.to_string(),
                w.cooperative_id.to_string(),
                w.name,
                w.capacity.map(|k| k.tenths())
            ],
        )?;
        Ok(())
    }

    pub(crate) fn warehouse_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Warehouse> {
        let cap: Option<i64> = r.get(3)?;
        Ok(Warehouse {
            id: r.parse(0)?,
            cooperative_id: r.parse(1)?,
            name: r.get(2)?,
            capacity: cap.and_then(|t| Kg::from_tenths(t).ok()),
        })
    }

    /// A warehouse by id.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn warehouse(&self, id: WarehouseId) -> R<Option<Warehouse>> {
        Ok(self
            .conn
            .query_row(
                "SELECT id, cooperative_id, name, capacity_t FROM warehouses WHERE id = ?1",
                [id.to_string()],
                Self::warehouse_row,
            )
            .optional()?)
    }

    /// Warehouses, of one cooperative or all.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn warehouses(&self, coop: Option<CooperativeId>) -> R<Vec<Warehouse>> {
        let mut st = self.conn.prepare_cached(
            "SELECT id, cooperative_id, name, capacity_t FROM warehouses WHERE ?1 IS NULL OR cooperative_id = ?1 ORDER BY name",
        )?;
        let rows = st.query_map([coop.map(|c| c.to_string())], Self::warehouse_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Inserts an agent and their cooperatives.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn insert_agent(&self, a: &Agent) -> R<()> {
        self.conn.execute(
            "INSERT INTO agents (id, name, phone, role) VALUES (?1,?2,?3,?4)",
            params![a.id.to_string(), a.name, a.phone, a.role.code()],
        )?;
        for c in &a.cooperatives {
            self.conn.execute(
                "INSERT INTO agent_cooperatives (agent_id, cooperative_id) VALUES (?1,?2)",
                params![a.id.to_string(), c.to_string()],
            )?;
        }
        Ok(())
    }

    /// An agent by id.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn agent(&self, id: AgentId) -> R<Option<Agent>> {
        let a = self
            .conn
            .query_row(
                "SELECT id, name, phone, role FROM agents WHERE id = ?1",
                [id.to_string()],
                |r| {
                    Ok(Agent {
                        id: r.parse(0)?,
                        name: r.get(1)?,
                        phone: r.get(2)?,
                        role: r.parse(3)?,
                        cooperatives: Vec::new(),
                    })
                },
            )
            .optional()?;
        let Some(mut a) = a else { return Ok(None) };
        let mut st = self.conn.prepare_cached(
            "SELECT cooperative_id FROM agent_cooperatives WHERE agent_id = ?1 ORDER BY cooperative_id",
        )?;
        a.cooperatives = st
            .query_map([id.to_string()], |r| r.parse(0))?
            .collect::<Result<_, _>>()?;
        Ok(Some(a))
    }

    /// Every agent id, by name.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn agent_ids(&self) -> R<Vec<AgentId>> {
        let mut st = self
            .conn
            .prepare_cached("SELECT id FROM agents ORDER BY name")?;
        let rows = st.query_map([], |r| r.parse(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Inserts a device.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn insert_device(&self, dv: &Device) -> R<()> {
        self.conn.execute(
            "INSERT INTO devices (id, label, receipt_prefix) VALUES (?1,?2,?3)",
            params![dv.id.to_string(), dv.label, dv.receipt_prefix],
        )?;
        Ok(())
    }

    /// A device by id.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn device(&self, id: DeviceId) -> R<Option<Device>> {
        Ok(self
            .conn
            .query_row(
                "SELECT id, label, receipt_prefix FROM devices WHERE id = ?1",
                [id.to_string()],
                |r| {
                    Ok(Device {
                        id: r.parse(0)?,
                        label: r.get(1)?,
                        receipt_prefix: r.get(2)?,
                    })
                },
            )
            .optional()?)
    }

    /// Whether a receipt prefix is taken.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn prefix_taken(&self, prefix: &str) -> R<bool> {
        Ok(self
            .conn
            .query_row(
                "SELECT 1 FROM devices WHERE receipt_prefix = ?1",
                [prefix],
                |_| Ok(()),
            )
            .optional()?
            .is_some())
    }

    // ----- members -----

    /// Inserts a member.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn insert_member(&self, m: &Member) -> R<()> {
        let crops: Vec<&str> = m.crops.iter().map(|c| c.code()).collect();
        self.conn.execute(
            "INSERT INTO members (id, cooperative_id, number, full_name, folded_name, sex, birth_year, village, phone, nina, crops, status, left_on, moved_to, moved_from, registered_on) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16)",
            params![m.id.to_string(), m.cooperative_id.to_string(), m.number, m.full_name,
                sene_domain::validate::fold(&m.full_name), m.sex.code(), m.birth_year, m.village,
                m.phone, m.nina, crops.join(","), m.status.code(), m.left_on.map(d),
                m.moved_to.map(|x| x.to_string()), m.moved_from.map(|x| x.to_string()),
                m.registered_on.map(d)],
        )?;
        Ok(())
    }

    pub(crate) fn member_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Member> {
        let crops: String = r.get(9)?;
        Ok(Member {
            id: r.parse(0)?,
            cooperative_id: r.parse(1)?,
            number: r.get(2)?,
            full_name: r.get(3)?,
            sex: r.parse(4)?,
            birth_year: r.get(5)?,
            village: r.get(6)?,
            phone: r.get(7)?,
            nina: r.get(8)?,
            crops: crops
                .split(',')
                .filter(|s| !s.is_empty())
                .filter_map(|s| s.parse().ok())
                .collect(),
            status: r.parse(10)?,
            left_on: r.opt_parse(11)?,
            moved_to: r.opt_parse(12)?,
            moved_from: r.opt_parse(13)?,
            registered_on: r.opt_parse(14)?,
        })
    }

    pub(crate) const MEMBER_COLS: &'static str = "id, cooperative_id, number, full_name, sex, birth_year, village, phone, nina, crops, status, left_on, moved_to, moved_from, registered_on";

    /// A member by id.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn member(&self, id: MemberId) -> R<Option<Member>> {
        let sql = format!("SELECT {} FROM members WHERE id = ?1", Self::MEMBER_COLS);
        Ok(self
            .conn
            .query_row(&sql, [id.to_string()], Self::member_row)
            .optional()?)
    }

    /// A member by cooperative and number.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn member_by_number(&self, coop: CooperativeId, number: &str) -> R<Option<Member>> {
        let sql = format!(
            "SELECT {} FROM members WHERE cooperative_id = ?1 AND number = ?2",
            Self::MEMBER_COLS
        );
        Ok(self
            .conn
            .query_row(&sql, params![coop.to_string(), number], Self::member_row)
            .optional()?)
    }

    /// Members, of one cooperative or all, by number.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn members(&self, coop: Option<CooperativeId>) -> R<Vec<Member>> {
        let sql = format!(
            "SELECT {} FROM members WHERE ?1 IS NULL OR cooperative_id = ?1 ORDER BY number",
            Self::MEMBER_COLS
        );
        let mut st = self.conn.prepare_cached(&sql)?;
        let rows = st.query_map([coop.map(|c| c.to_string())], Self::member_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Members whose folded name contains the folded query, or whose number or phone contains
    /// it ("traore" finds "Traoré").
    ///
    /// # Errors
    /// SQLite errors.
    pub fn search_members(&self, query: &str, limit: u32) -> R<Vec<Member>> {
        let folded = sene_domain::validate::fold(query);
        let raw = query.trim().to_uppercase();
        let sql = format!(
            "SELECT {} FROM members WHERE instr(folded_name, ?1) > 0 OR instr(number, ?2) > 0 OR instr(coalesce(phone, ''), ?3) > 0 ORDER BY folded_name LIMIT ?4",
            Self::MEMBER_COLS
        );
        let digits: String = query.chars().filter(char::is_ascii_digit).collect();
        let digits = if digits.len() >= 4 {
            digits
        } else {
            "\u{0}".into()
        };
        let mut st = self.conn.prepare_cached(&sql)?;
        let rows = st.query_map(params![folded, raw, digits, limit], Self::member_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Members that share the phone, the NINA, or the folded name and village with a birth
    /// year within one year: probable duplicates.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn probable_duplicates(
        &self,
        phone: Option<&str>,
        nina: Option<&str>,
        full_name: &str,
        village: &str,
        birth_year: Option<i32>,
    ) -> R<Vec<Member>> {
        let sql = format!(
            "SELECT {} FROM members WHERE (?1 IS NOT NULL AND phone = ?1) OR (?2 IS NOT NULL AND nina = ?2)
               OR (folded_name = ?3 AND lower(village) = lower(?4)
                   AND (?5 IS NULL OR birth_year IS NULL OR abs(birth_year - ?5) <= 1))
             ORDER BY number",
            Self::MEMBER_COLS
        );
        let mut st = self.conn.prepare_cached(&sql)?;
        let rows = st.query_map(
            params![
                phone,
                nina,
                sene_domain::validate::fold(full_name),
                village,
                birth_year
            ],
            Self::member_row,
        )?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    // ----- campaigns -----

    /// Inserts a campaign and its prices.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn insert_campaign(&self, c: &Campaign) -> R<()> {
        let (fee_kind, fee_rate) = match c.fee {
            FeeModel::None => ("none", Rate::ZERO),
            FeeModel::Flat { rate } => ("flat", rate),
            FeeModel::Interest { annual_rate } => ("interest", annual_rate),
        };
        self.conn.execute(
            "INSERT INTO campaigns (id, name, family, advance_share, fee_kind, fee_rate, contract_start, contract_end, delivery_start, delivery_end, max_moisture_t, max_impurity_t, bag_tare_t, over_delivery_bought) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14)",
            params![c.id.to_string(), c.name, c.family.code(), c.advance_share.as_decimal().to_string(),
                fee_kind, fee_rate.as_decimal().to_string(), d(c.contract_window.start), d(c.contract_window.end),
                d(c.delivery_window.start), d(c.delivery_window.end), c.quality.max_moisture.tenths(),
                c.quality.max_impurity.tenths(), c.bag_tare.tenths(), c.over_delivery_bought],
        )?;
        for p in &c.prices {
            self.conn.execute(
                "INSERT INTO campaign_prices (campaign_id, crop, base_price, over_price) VALUES (?1,?2,?3,?4)",
                params![c.id.to_string(), p.crop.code(), p.base_price.francs(), p.over_delivery_price.map(|m| m.francs())],
            )?;
        }
        Ok(())
    }

    /// A campaign by id.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn campaign(&self, id: CampaignId) -> R<Option<Campaign>> {
        let c = self.conn.query_row(
            "SELECT id, name, family, advance_share, fee_kind, fee_rate, contract_start, contract_end, delivery_start, delivery_end, max_moisture_t, max_impurity_t, bag_tare_t, over_delivery_bought FROM campaigns WHERE id = ?1",
            [id.to_string()],
            |r| {
                let kind: String = r.get(4)?;
                let rate = r.rate(5)?;
                Ok(Campaign {
                    id: r.parse(0)?,
                    name: r.get(1)?,
                    family: r.parse(2)?,
                    prices: Vec::new(),
                    advance_share: r.rate(3)?,
                    fee: match kind.as_str() {
                        "flat" => FeeModel::Flat { rate },
                        "interest" => FeeModel::Interest { annual_rate: rate },
                        _ => FeeModel::None,
                    },
                    contract_window: DateWindow { start: r.date(6)?, end: r.date(7)? },
                    delivery_window: DateWindow { start: r.date(8)?, end: r.date(9)? },
                    quality: QualityLimits { max_moisture: r.pct(10)?, max_impurity: r.pct(11)? },
                    bag_tare: r.kg(12)?,
                    over_delivery_bought: r.get(13)?,
                })
            },
        ).optional()?;
        let Some(mut c) = c else { return Ok(None) };
        let mut st = self.conn.prepare_cached(
            "SELECT crop, base_price, over_price FROM campaign_prices WHERE campaign_id = ?1 ORDER BY crop",
        )?;
        c.prices = st
            .query_map([id.to_string()], |r| {
                Ok(CropPrice {
                    crop: r.parse(0)?,
                    base_price: r.money(1)?,
                    over_delivery_price: r.opt_money(2)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(Some(c))
    }

    /// Every campaign id, by name.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn campaign_ids(&self) -> R<Vec<CampaignId>> {
        let mut st = self
            .conn
            .prepare_cached("SELECT id FROM campaigns ORDER BY name")?;
        let rows = st.query_map([], |r| r.parse(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// A campaign id by its name.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn campaign_by_name(&self, name: &str) -> R<Option<CampaignId>> {
        Ok(self
            .conn
            .query_row(
                "SELECT id FROM campaigns WHERE lower(name) = lower(?1)",
                [name.trim()],
                |r| r.parse(0),
            )
            .optional()?)
    }

    // ----- contracts -----

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

    fn contract_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Contract> {
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

    // ----- money records -----

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
            "INSERT INTO deliveries (id, member_id, contract_id, crop, warehouse_id, bags, gross_t, moisture_t, impurity_t, net_t, accepted_t, date, agent_id, device_id, receipt, recorded_at) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16)",
            params![x.id.to_string(), x.member_id.to_string(), x.contract_id.to_string(), x.crop.code(), x.warehouse_id.to_string(),
                x.bags, x.gross.tenths(), x.moisture.tenths(), x.impurity.tenths(), x.net.tenths(), x.accepted.tenths(), d(x.date),
                x.recorded.agent_id.to_string(), x.recorded.device_id.to_string(), x.recorded.receipt, ts(x.recorded.recorded_at)],
        )?;
        Ok(())
    }

    /// A delivery by id.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn delivery(&self, id: DeliveryId) -> R<Option<Delivery>> {
        Ok(self.conn.query_row(
            "SELECT id, member_id, contract_id, crop, warehouse_id, bags, gross_t, moisture_t, impurity_t, net_t, accepted_t, date, agent_id, device_id, receipt, recorded_at FROM deliveries WHERE id = ?1",
            [id.to_string()],
            |r| Ok(Delivery {
                id: r.parse(0)?, member_id: r.parse(1)?, contract_id: r.parse(2)?, crop: r.parse(3)?, warehouse_id: r.parse(4)?,
                bags: r.count(5)?, gross: r.kg(6)?, moisture: r.pct(7)?, impurity: r.pct(8)?, net: r.kg(9)?, accepted: r.kg(10)?,
                date: r.date(11)?,
                recorded: Recorded { agent_id: r.parse(12)?, device_id: r.parse(13)?, receipt: r.get(14)?, recorded_at: r.instant(15)? },
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

    // ----- fertilizer -----

    /// Inserts a catalog product.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn insert_product(&self, p: &FertilizerProduct) -> R<()> {
        self.conn.execute(
            "INSERT INTO fertilizer_products (id, name, bag_weight_t, price_per_bag) VALUES (?1,?2,?3,?4)",
            params![p.id.to_string(), p.name, p.bag_weight.tenths(), p.price_per_bag.francs()],
        )?;
        Ok(())
    }

    /// A product by id.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn product(&self, id: ProductId) -> R<Option<FertilizerProduct>> {
        Ok(self
            .conn
            .query_row(
                "SELECT id, name, bag_weight_t, price_per_bag FROM fertilizer_products WHERE id = ?1",
                [id.to_string()],
                |r| {
                    Ok(FertilizerProduct {
                        id: r.parse(0)?,
                        name: r.get(1)?,
                        bag_weight: r.kg(2)?,
                        price_per_bag: r.money(3)?,
                    })
                },
            )
            .optional()?)
    }

    /// The fertilizer catalog, by name.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn products(&self) -> R<Vec<FertilizerProduct>> {
        let mut st = self.conn.prepare_cached(
            "SELECT id, name, bag_weight_t, price_per_bag FROM fertilizer_products ORDER BY name, id",
        )?;
        let rows = st.query_map([], |r| {
            Ok(FertilizerProduct {
                id: r.parse(0)?,
                name: r.get(1)?,
                bag_weight: r.kg(2)?,
                price_per_bag: r.money(3)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Inserts a member's need.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn insert_need(&self, n: &FertilizerNeed) -> R<()> {
        self.conn.execute(
            "INSERT INTO fertilizer_needs (id, member_id, campaign_id, product_id, bags) VALUES (?1,?2,?3,?4,?5)",
            params![n.id.to_string(), n.member_id.to_string(), n.campaign_id.to_string(), n.product_id.to_string(), n.bags],
        )?;
        Ok(())
    }

    /// Inserts a group order.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn insert_group_order(&self, g: &GroupOrder) -> R<()> {
        self.conn.execute(
            "INSERT INTO group_orders (id, cooperative_id, campaign_id, product_id, bags, date) VALUES (?1,?2,?3,?4,?5,?6)",
            params![g.id.to_string(), g.cooperative_id.to_string(), g.campaign_id.to_string(), g.product_id.to_string(), g.bags, d(g.date)],
        )?;
        Ok(())
    }

    /// Inserts a purchase order.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn insert_purchase_order(&self, p: &PurchaseOrder) -> R<()> {
        self.conn.execute(
            "INSERT INTO purchase_orders (id, campaign_id, supplier, product_id, bags, unit_cost, date) VALUES (?1,?2,?3,?4,?5,?6,?7)",
            params![p.id.to_string(), p.campaign_id.to_string(), p.supplier, p.product_id.to_string(), p.bags, p.unit_cost.francs(), d(p.date)],
        )?;
        Ok(())
    }

    /// A purchase order by id.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn purchase_order(&self, id: PurchaseOrderId) -> R<Option<PurchaseOrder>> {
        Ok(self.conn.query_row(
            "SELECT id, campaign_id, supplier, product_id, bags, unit_cost, date FROM purchase_orders WHERE id = ?1",
            [id.to_string()],
            |r| Ok(PurchaseOrder { id: r.parse(0)?, campaign_id: r.parse(1)?, supplier: r.get(2)?, product_id: r.parse(3)?,
                bags: r.count(4)?, unit_cost: r.money(5)?, date: r.date(6)? })).optional()?)
    }

    /// Bags already received against a purchase order.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn received_on(&self, po: PurchaseOrderId) -> R<i64> {
        Ok(self.conn.query_row(
            "SELECT coalesce(sum(bags_received), 0) FROM receptions WHERE purchase_order_id = ?1",
            [po.to_string()],
            |r| r.get(0),
        )?)
    }

    /// Inserts a reception.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn insert_reception(&self, x: &Reception) -> R<()> {
        self.conn.execute(
            "INSERT INTO receptions (id, purchase_order_id, warehouse_id, bags_expected, bags_received, date, note) VALUES (?1,?2,?3,?4,?5,?6,?7)",
            params![x.id.to_string(), x.purchase_order_id.to_string(), x.warehouse_id.to_string(), x.bags_expected, x.bags_received, d(x.date), x.note],
        )?;
        Ok(())
    }

    /// Inserts a distribution.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn insert_distribution(&self, x: &FertilizerDistribution) -> R<()> {
        self.conn.execute(
            "INSERT INTO fertilizer_distributions (id, member_id, campaign_id, product_id, bags, price_per_bag, cash_paid, date, agent_id, device_id, receipt, recorded_at) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12)",
            params![x.id.to_string(), x.member_id.to_string(), x.campaign_id.to_string(), x.product_id.to_string(), x.bags,
                x.price_per_bag.francs(), x.cash_paid.francs(), d(x.date),
                x.recorded.agent_id.to_string(), x.recorded.device_id.to_string(), x.recorded.receipt, ts(x.recorded.recorded_at)],
        )?;
        Ok(())
    }

    /// A distribution by id.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn distribution(&self, id: DistributionId) -> R<Option<FertilizerDistribution>> {
        Ok(self.conn.query_row(
            "SELECT id, member_id, campaign_id, product_id, bags, price_per_bag, cash_paid, date, agent_id, device_id, receipt, recorded_at FROM fertilizer_distributions WHERE id = ?1",
            [id.to_string()],
            |r| Ok(FertilizerDistribution {
                id: r.parse(0)?, member_id: r.parse(1)?, campaign_id: r.parse(2)?, product_id: r.parse(3)?, bags: r.count(4)?,
                price_per_bag: r.money(5)?, cash_paid: r.money(6)?, date: r.date(7)?,
                recorded: Recorded { agent_id: r.parse(8)?, device_id: r.parse(9)?, receipt: r.get(10)?, recorded_at: r.instant(11)? },
            })).optional()?)
    }

    /// A balance payment by id.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn payment(&self, id: PaymentId) -> R<Option<BalancePayment>> {
        Ok(self.conn.query_row(
            "SELECT id, member_id, campaign_id, amount, date, mode, agent_id, device_id, receipt, recorded_at FROM balance_payments WHERE id = ?1",
            [id.to_string()],
            |r| Ok(BalancePayment {
                id: r.parse(0)?, member_id: r.parse(1)?, campaign_id: r.parse(2)?, amount: r.money(3)?, date: r.date(4)?, mode: r.parse(5)?,
                recorded: Recorded { agent_id: r.parse(6)?, device_id: r.parse(7)?, receipt: r.get(8)?, recorded_at: r.instant(9)? },
            })).optional()?)
    }

    // ----- sale, lenders, funds, payments -----

    /// Inserts a sale lot and its sources.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn insert_sale_lot(&self, x: &SaleLot) -> R<()> {
        self.conn.execute(
            "INSERT INTO sale_lots (id, campaign_id, crop, buyer, price_per_kg, costs, date, paid) VALUES (?1,?2,?3,?4,?5,?6,?7,?8)",
            params![x.id.to_string(), x.campaign_id.to_string(), x.crop.code(), x.buyer, x.price_per_kg.francs(), x.costs.francs(), d(x.date), x.paid],
        )?;
        for s in &x.sources {
            self.conn.execute(
                "INSERT INTO sale_lot_sources (lot_id, warehouse_id, kg_t) VALUES (?1,?2,?3)",
                params![x.id.to_string(), s.warehouse_id.to_string(), s.kg.tenths()],
            )?;
        }
        Ok(())
    }

    /// Marks a sale lot paid (the only change a lot accepts).
    ///
    /// # Errors
    /// SQLite errors.
    pub fn mark_lot_paid(&self, id: SaleLotId) -> R<bool> {
        Ok(self.conn.execute(
            "UPDATE sale_lots SET paid = 1 WHERE id = ?1 AND paid = 0",
            [id.to_string()],
        )? > 0)
    }

    /// Marks a device revoked in the union document (kept once: the first time stays).
    ///
    /// # Errors
    /// SQLite errors.
    pub fn mark_device_revoked(&self, id: DeviceId, at: &str) -> R<bool> {
        Ok(self.conn.execute(
            "UPDATE devices SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL",
            params![id.to_string(), at],
        )? > 0)
    }

    /// When the union document says a device was revoked, if it was.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn device_revoked_at(&self, id: &str) -> R<Option<String>> {
        Ok(self
            .conn
            .query_row("SELECT revoked_at FROM devices WHERE id = ?1", [id], |r| {
                r.get::<_, Option<String>>(0)
            })
            .optional()?
            .flatten())
    }

    /// Stock in a warehouse of a crop: accepted kg of non-voided deliveries − kg of
    /// non-reversed sale lots.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn warehouse_stock(&self, warehouse: WarehouseId, crop: Crop) -> R<Kg> {
        let sql = format!(
            "SELECT (SELECT coalesce(sum(accepted_t),0) FROM deliveries x WHERE warehouse_id = ?1 AND crop = ?2 AND {NOT_REVERSED})
                  - (SELECT coalesce(sum(s.kg_t),0) FROM sale_lot_sources s JOIN sale_lots x ON x.id = s.lot_id
                     WHERE s.warehouse_id = ?1 AND x.crop = ?2 AND {NOT_REVERSED})"
        );
        let v: i64 =
            self.conn
                .query_row(&sql, params![warehouse.to_string(), crop.code()], |r| {
                    r.get(0)
                })?;
        Ok(Kg::from_tenths(v).unwrap_or(Kg::ZERO))
    }

    /// Inserts a lender.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn insert_lender(&self, x: &Lender) -> R<()> {
        self.conn.execute(
            "INSERT INTO lenders (id, name, kind) VALUES (?1,?2,?3)",
            params![x.id.to_string(), x.name, x.kind.code()],
        )?;
        Ok(())
    }

    /// Inserts a credit line.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn insert_credit_line(&self, x: &CreditLine) -> R<()> {
        self.conn.execute(
            "INSERT INTO credit_lines (id, lender_id, campaign_id, principal, annual_rate, start, maturity, guarantee_share) VALUES (?1,?2,?3,?4,?5,?6,?7,?8)",
            params![x.id.to_string(), x.lender_id.to_string(), x.campaign_id.map(|c| c.to_string()), x.principal.francs(),
                x.annual_rate.as_decimal().to_string(), d(x.start), d(x.maturity), x.guarantee_share.as_decimal().to_string()],
        )?;
        Ok(())
    }

    /// A credit line by id.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn credit_line(&self, id: CreditLineId) -> R<Option<CreditLine>> {
        Ok(self.conn.query_row(
            "SELECT id, lender_id, campaign_id, principal, annual_rate, start, maturity, guarantee_share FROM credit_lines WHERE id = ?1",
            [id.to_string()],
            |r| Ok(CreditLine { id: r.parse(0)?, lender_id: r.parse(1)?, campaign_id: r.opt_parse(2)?, principal: r.money(3)?,
                annual_rate: r.rate(4)?, start: r.date(5)?, maturity: r.date(6)?, guarantee_share: r.rate(7)? })).optional()?)
    }

    /// Σ non-reversed drawdowns on a credit line.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn drawn_on(&self, line: CreditLineId) -> R<i64> {
        let sql = format!("SELECT coalesce(sum(amount),0) FROM drawdowns x WHERE credit_line_id = ?1 AND {NOT_REVERSED}");
        Ok(self
            .conn
            .query_row(&sql, [line.to_string()], |r| r.get(0))?)
    }

    /// Inserts a drawdown.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn insert_drawdown(&self, x: &Drawdown) -> R<()> {
        self.conn.execute(
            "INSERT INTO drawdowns (id, credit_line_id, amount, date) VALUES (?1,?2,?3,?4)",
            params![
                x.id.to_string(),
                x.credit_line_id.to_string(),
                x.amount.francs(),
                d(x.date)
            ],
        )?;
        Ok(())
    }

    /// Inserts a lender repayment.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn insert_repayment(&self, x: &LenderRepayment) -> R<()> {
        self.conn.execute(
            "INSERT INTO lender_repayments (id, credit_line_id, principal, interest, date) VALUES (?1,?2,?3,?4,?5)",
            params![x.id.to_string(), x.credit_line_id.to_string(), x.principal.francs(), x.interest.francs(), d(x.date)],
        )?;
        Ok(())
    }

    /// Inserts a fund allocation.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn insert_allocation(&self, x: &FundAllocation) -> R<()> {
        self.conn.execute(
            "INSERT INTO fund_allocations (id, campaign_id, agent_id, cooperative_id, amount, date) VALUES (?1,?2,?3,?4,?5,?6)",
            params![x.id.to_string(), x.campaign_id.to_string(), x.agent_id.to_string(), x.cooperative_id.to_string(), x.amount.francs(), d(x.date)],
        )?;
        Ok(())
    }

    /// Inserts a balance payment.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn insert_payment(&self, x: &BalancePayment) -> R<()> {
        self.conn.execute(
            "INSERT INTO balance_payments (id, member_id, campaign_id, amount, date, mode, agent_id, device_id, receipt, recorded_at) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10)",
            params![x.id.to_string(), x.member_id.to_string(), x.campaign_id.to_string(), x.amount.francs(), d(x.date), x.mode.code(),
                x.recorded.agent_id.to_string(), x.recorded.device_id.to_string(), x.recorded.receipt, ts(x.recorded.recorded_at)],
        )?;
        Ok(())
    }

    /// Which table holds a money record of this kind, and the date column.
    #[must_use]
    pub const fn table_of(kind: RecordKind) -> Table {
        match kind {
            RecordKind::Disbursement => Table::Disbursements,
            RecordKind::Delivery => Table::Deliveries,
            RecordKind::Distribution => Table::FertilizerDistributions,
            RecordKind::Allocation => Table::FundAllocations,
            RecordKind::Drawdown => Table::Drawdowns,
            RecordKind::Repayment => Table::LenderRepayments,
            RecordKind::Payment => Table::BalancePayments,
            RecordKind::SaleLot => Table::SaleLots,
        }
    }

    // ----- reports -----

    /// Every contract of a campaign with its accepted kg and non-reversed disbursements.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn campaign_contracts(&self, campaign: CampaignId) -> R<Vec<ContractFigures>> {
        let cid = campaign.to_string();
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT c.id, c.member_id, c.campaign_id, c.crop, c.committed_t, c.base_price, c.state, c.requested_on, m.cooperative_id,
                    (SELECT coalesce(sum(accepted_t),0) FROM deliveries x WHERE x.contract_id = c.id AND {NOT_REVERSED})
             FROM contracts c JOIN members m ON m.id = c.member_id WHERE c.campaign_id = ?1 ORDER BY c.id"
        ))?;
        let mut out: Vec<ContractFigures> = st
            .query_map([&cid], |r| {
                Ok(ContractFigures {
                    contract: Self::contract_row(r)?,
                    cooperative_id: r.parse(8)?,
                    accepted: r.kg(9)?,
                    disbursements: Vec::new(),
                })
            })?
            .collect::<Result<_, _>>()?;
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT x.contract_id, x.amount, x.date FROM disbursements x JOIN contracts c ON c.id = x.contract_id
             WHERE c.campaign_id = ?1 AND {NOT_REVERSED} ORDER BY x.contract_id, x.date"
        ))?;
        let rows = st.query_map([&cid], |r| {
            Ok((r.parse::<ContractId>(0)?, r.money(1)?, r.date(2)?))
        })?;
        for row in rows {
            let (contract, amount, date) = row?;
            if let Ok(i) = out.binary_search_by(|f| f.contract.id.cmp(&contract)) {
                if let Some(f) = out.get_mut(i) {
                    f.disbursements.push((amount, date));
                }
            }
        }
        Ok(out)
    }

    /// Every non-reversed fertilizer distribution of a campaign.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn campaign_fertilizer(&self, campaign: CampaignId) -> R<Vec<FertilizerFigure>> {
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT member_id, bags, price_per_bag, cash_paid FROM fertilizer_distributions x WHERE campaign_id = ?1 AND {NOT_REVERSED}"
        ))?;
        let rows = st.query_map([campaign.to_string()], |r| {
            Ok(FertilizerFigure {
                member_id: r.parse(0)?,
                line: sene_domain::rules::FertilizerLine {
                    bags: r.count(1)?,
                    price_per_bag: r.money(2)?,
                    cash_paid: r.money(3)?,
                },
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Σ non-reversed balance payments per member in a campaign.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn campaign_payments(&self, campaign: CampaignId) -> R<Vec<(MemberId, Money)>> {
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT member_id, sum(amount) FROM balance_payments x WHERE campaign_id = ?1 AND {NOT_REVERSED} GROUP BY member_id"
        ))?;
        let rows = st.query_map([campaign.to_string()], |r| Ok((r.parse(0)?, r.money(1)?)))?;
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

    /// Fertilizer needed, ordered, purchased, received and distributed per product in a campaign.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn fertilizer_totals(&self, campaign: CampaignId) -> R<Vec<FertilizerTotals>> {
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT p.id, p.name,
               (SELECT coalesce(sum(bags),0) FROM fertilizer_needs n WHERE n.product_id = p.id AND n.campaign_id = ?1),
               (SELECT coalesce(sum(bags),0) FROM group_orders g WHERE g.product_id = p.id AND g.campaign_id = ?1),
               (SELECT coalesce(sum(bags),0) FROM purchase_orders o WHERE o.product_id = p.id AND o.campaign_id = ?1),
               (SELECT coalesce(sum(r.bags_received),0) FROM receptions r JOIN purchase_orders o ON o.id = r.purchase_order_id WHERE o.product_id = p.id AND o.campaign_id = ?1),
               (SELECT coalesce(sum(bags),0) FROM fertilizer_distributions x WHERE x.product_id = p.id AND x.campaign_id = ?1 AND {NOT_REVERSED}),
               (SELECT coalesce(sum(bags * price_per_bag),0) FROM fertilizer_distributions x WHERE x.product_id = p.id AND x.campaign_id = ?1 AND {NOT_REVERSED}),
               (SELECT coalesce(sum(cash_paid),0) FROM fertilizer_distributions x WHERE x.product_id = p.id AND x.campaign_id = ?1 AND {NOT_REVERSED})
             FROM fertilizer_products p ORDER BY p.name"
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

    // ----- union office: dashboard and anomalies -----

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
