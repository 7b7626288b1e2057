//! Which automerge document holds which record.
//!
//! - `union`: what only the secretariat writes: the union, cooperatives, agents and devices,
//!   campaigns and prices, the fertilizer catalog and purchase orders, lenders, credit lines,
//!   drawdowns, repayments, fund allocations, sale lots;
//! - `registry/<cooperative>`: the cooperative's members and warehouses;
//! - `season/<cooperative>/<campaign>`: contracts, advances, deliveries, fertilizer needs,
//!   group orders, receptions and distributions, balance payments, the debts carried out of
//!   the campaign (written by the secretariat only, at a settlement lock), and reversals of
//!   these.
//!
//! A member merge (or "two people") decision lives in the registry of its members; a conflict's
//! resolution in the document of the record it settles; a change of the registry (a
//! correction, a departure, a transfer) in the document of the record it changed.

use std::fmt;
use std::str::FromStr;

use sene_domain::{CampaignId, CooperativeId, RecordKind};
use sene_store::{Db, Table};
use serde_json::{Map, Value};

use crate::error::SyncError;

/// A document's identity.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DocId {
    /// The union document.
    Union,
    /// A cooperative's registry.
    Registry(CooperativeId),
    /// A cooperative's season of one campaign.
    Season(CooperativeId, CampaignId),
}

impl DocId {
    /// Union first, then registries, then seasons: the order in which merged documents are
    /// applied, so that references resolve.
    #[must_use]
    pub fn rank(&self) -> u8 {
        match self {
            DocId::Union => 0,
            DocId::Registry(_) => 1,
            DocId::Season(..) => 2,
        }
    }

    /// The cooperative the document belongs to, if any.
    #[must_use]
    pub fn cooperative(&self) -> Option<CooperativeId> {
        match self {
            DocId::Union => None,
            DocId::Registry(c) | DocId::Season(c, _) => Some(*c),
        }
    }
}

impl fmt::Display for DocId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DocId::Union => f.write_str("union"),
            DocId::Registry(c) => write!(f, "registry/{c}"),
            DocId::Season(c, k) => write!(f, "season/{c}/{k}"),
        }
    }
}

impl FromStr for DocId {
    type Err = SyncError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || SyncError::Malformed(format!("identifiant de document inconnu « {s} »"));
        let parts: Vec<&str> = s.split('/').collect();
        match parts.as_slice() {
            ["union"] => Ok(DocId::Union),
            ["registry", c] => Ok(DocId::Registry(c.parse().map_err(|_| bad())?)),
            ["season", c, k] => Ok(DocId::Season(
                c.parse().map_err(|_| bad())?,
                k.parse().map_err(|_| bad())?,
            )),
            _ => Err(bad()),
        }
    }
}

fn text<'a>(row: &'a Map<String, Value>, col: &str) -> Result<&'a str, SyncError> {
    row.get(col)
        .and_then(Value::as_str)
        .ok_or_else(|| SyncError::Malformed(format!("colonne {col} absente ou invalide")))
}

fn parse<T: FromStr>(row: &Map<String, Value>, col: &str) -> Result<T, SyncError> {
    text(row, col)?
        .parse()
        .map_err(|_| SyncError::Malformed(format!("colonne {col} : identifiant invalide")))
}

fn lookup(db: &Db<'_>, table: Table, key: &str) -> Result<Map<String, Value>, SyncError> {
    db.row_by_key(table, key)?
        .ok_or_else(|| SyncError::UnknownReference {
            table: table.name(),
            key: key.to_owned(),
        })
}

/// One column of a referenced row (the row must exist), parsed.
fn follow<T: FromStr>(db: &Db<'_>, table: Table, key: &str, col: &str) -> Result<T, SyncError> {
    let Some(v) = db.column_by_key(table, key, col)? else {
        return Err(SyncError::UnknownReference {
            table: table.name(),
            key: key.to_owned(),
        });
    };
    v.parse()
        .map_err(|_| SyncError::Malformed(format!("colonne {col} : identifiant invalide")))
}

fn member_coop(db: &Db<'_>, member: &str) -> Result<CooperativeId, SyncError> {
    follow(db, Table::Members, member, "cooperative_id")
}

/// The document a projection row belongs to. Rows are looked up in `db` to follow references
/// (a disbursement's contract's member's cooperative).
///
/// # Errors
/// [`SyncError::UnknownReference`], [`SyncError::Malformed`].
pub fn route(db: &Db<'_>, table: Table, row: &Map<String, Value>) -> Result<DocId, SyncError> {
    use Table as T;
    Ok(match table {
        T::Unions
        | T::Cooperatives
        | T::Agents
        | T::AgentCooperatives
        | T::Devices
        | T::Campaigns
        | T::CampaignPrices
        | T::FertilizerProducts
        | T::PurchaseOrders
        | T::SaleLots
        | T::SaleLotSources
        | T::Lenders
        | T::CreditLines
        | T::Drawdowns
        | T::LenderRepayments
        | T::FundAllocations
        | T::Audit => DocId::Union,
        T::Warehouses | T::Members => DocId::Registry(parse(row, "cooperative_id")?),
        T::Contracts
        | T::FertilizerNeeds
        | T::FertilizerDistributions
        | T::BalancePayments
        | T::DebtCarries => DocId::Season(
            member_coop(db, text(row, "member_id")?)?,
            parse(row, "campaign_id")?,
        ),
        T::Deliveries => DocId::Season(
            member_coop(db, text(row, "member_id")?)?,
            follow(
                db,
                Table::Contracts,
                text(row, "contract_id")?,
                "campaign_id",
            )?,
        ),
        T::Disbursements => {
            let contract = text(row, "contract_id")?;
            let member: String = follow(db, Table::Contracts, contract, "member_id")?;
            DocId::Season(
                member_coop(db, &member)?,
                follow(db, Table::Contracts, contract, "campaign_id")?,
            )
        }
        T::GroupOrders => DocId::Season(parse(row, "cooperative_id")?, parse(row, "campaign_id")?),
        T::Receptions => DocId::Season(
            follow(
                db,
                Table::Warehouses,
                text(row, "warehouse_id")?,
                "cooperative_id",
            )?,
            follow(
                db,
                Table::PurchaseOrders,
                text(row, "purchase_order_id")?,
                "campaign_id",
            )?,
        ),
        T::Reversals => {
            let kind: RecordKind = parse(row, "target_kind")?;
            let target_table = Db::table_of(kind);
            let target = lookup(db, target_table, text(row, "target_id")?)?;
            route(db, target_table, &target)?
        }
        // both registrations are of one cooperative (the use case and the record rules say so)
        T::MemberMerges => DocId::Registry(member_coop(db, text(row, "merged_id")?)?),
        // beside the record in conflict, so that every device holding it closes the conflict
        T::ConflictResolutions => {
            let name = text(row, "record_table")?;
            let target_table = Table::from_name(name)
                .filter(|t| *t != Table::ConflictResolutions)
                .ok_or_else(|| SyncError::Malformed(format!("table inconnue « {name} »")))?;
            let target = lookup(db, target_table, text(row, "record_key")?)?;
            route(db, target_table, &target)?
        }
        // beside the record it changed: a cooperative's registry, or the union document
        T::RegistryChanges => {
            let name = text(row, "record_table")?;
            let target_table = Table::from_name(name)
                .filter(|t| matches!(t, T::Members | T::Warehouses | T::Cooperatives | T::Agents))
                .ok_or_else(|| SyncError::Malformed(format!("table inconnue « {name} »")))?;
            let target = lookup(db, target_table, text(row, "record_id")?)?;
            route(db, target_table, &target)?
        }
    })
}

/// The tables whose rows are money records: any concurrent write to them goes to the conflict
/// queue, and an existing one may never change.
#[must_use]
pub fn is_money_table(table: Table) -> bool {
    use Table as T;
    matches!(
        table,
        T::Disbursements
            | T::Deliveries
            | T::Reversals
            | T::FertilizerDistributions
            | T::SaleLots
            | T::SaleLotSources
            | T::Drawdowns
            | T::LenderRepayments
            | T::FundAllocations
            | T::BalancePayments
    )
}

/// Columns that hold money or prices in tables that are not money records.
#[must_use]
pub fn is_money_column(column: &str) -> bool {
    matches!(
        column,
        "amount"
            | "base_price"
            | "over_price"
            | "price_per_bag"
            | "price_per_kg"
            | "unit_cost"
            | "principal"
            | "interest"
            | "costs"
            | "cash_paid"
            | "advance_share"
            | "fee_rate"
            | "annual_rate"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doc_ids_round_trip() {
        let c = CooperativeId::new();
        let k = CampaignId::new();
        for d in [DocId::Union, DocId::Registry(c), DocId::Season(c, k)] {
            assert_eq!(d.to_string().parse::<DocId>().ok(), Some(d));
        }
        assert!("season/x".parse::<DocId>().is_err());
        assert!("../etc".parse::<DocId>().is_err());
    }
}
