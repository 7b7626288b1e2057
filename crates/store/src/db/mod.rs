//! Typed reads and writes on the projection tables.

use rusqlite::Connection;

use crate::error::StoreError;

type R<T> = Result<T, StoreError>;

// One file per area, each an `impl Db` block with its reads and writes, beside its row types.
// Campaigns and their prices.
mod campaigns;
// Contracts, their states, who asked and who approved (maker-checker).
mod contracts;
// The union office's dashboard figures and anomaly checks.
mod dashboard;
// Fertilizer products, needs, orders, receptions and hand-outs.
mod fertilizer;
// Members, their search and probable duplicates.
mod members;
// Money records: advances, deliveries, reversals.
mod money;
// The union, its cooperatives, warehouses, agents and devices.
mod organisation;
// Per-campaign figures for the reports.
mod reports;
// Sale lots, warehouse stock, revoked devices, lenders, credit lines, funds, balance payments.
mod sale;
// Local settings, the audit trail, receipt numbers, generic reads of any table.
mod settings;

pub use dashboard::{
    AgentActivity, AgentCash, CreditLineFigure, SameDeliveries, StockDay, StockFigure,
};
pub use money::MemberRecordIds;
pub use reports::{CampaignWeighing, ContractFigures, FertilizerFigure, FertilizerTotals};
pub use settings::{AuditEntry, TICKET_SCANNED};

/// A handle on the store for reads, or for the writes of one transaction.
pub struct Db<'c> {
    conn: Cached<'c>,
}

/// Prepared statements kept by the connection, enough for every query of a sync merge (the
/// SQL of the generic row functions is per table): preparing is a good part of their cost.
const STATEMENT_CACHE: usize = 256;

/// The connection, whose `query_row` and `execute` go through the statement cache (the SQL
/// text of these files is fixed, or made per table).
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
}
