//! The asset's schema: `assets/demo/union.json` as the demo reads it (the union, its
//! cooperatives and agents, the campaigns and how the demo fills them, the fertilizer catalog,
//! the lenders, the sale, the names and places a generated union draws from).

use chrono::NaiveDate;
use sene_domain::*;
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
pub(super) struct Asset {
    pub(super) union: UnionSpec,
    pub(super) secretariat: SecretariatSpec,
    pub(super) cooperatives: Vec<CoopSpec>,
    pub(super) agents: Vec<AgentSpec>,
    pub(super) campaigns: Vec<CampaignSpec>,
    pub(super) fertilizers: Vec<ProductSpec>,
    pub(super) supplier: String,
    pub(super) fertilizer_dates: FertilizerDates,
    pub(super) lenders: Vec<LenderSpec>,
    pub(super) allocations_date: NaiveDate,
    pub(super) sale: SaleSpec,
    pub(super) reasons: Reasons,
    pub(super) names: Names,
    pub(super) generation: GenerationSpec,
}

#[derive(Debug, Clone, Deserialize)]
pub(super) struct UnionSpec {
    pub(super) name: String,
    pub(super) region: String,
}

#[derive(Debug, Clone, Deserialize)]
pub(super) struct SecretariatSpec {
    pub(super) name: String,
    pub(super) device_label: String,
    pub(super) receipt_prefix: String,
}

#[derive(Debug, Clone, Deserialize)]
pub(super) struct CoopSpec {
    pub(super) code: String,
    pub(super) name: String,
    pub(super) village: String,
    pub(super) commune: String,
    pub(super) cercle: String,
    pub(super) region: String,
    /// Crop families grown, the main one first.
    pub(super) families: Vec<CropFamily>,
    /// Villages the members live in, the cooperative's own first.
    pub(super) villages: Vec<String>,
    pub(super) members: u32,
    pub(super) warehouses: Vec<WarehouseSpec>,
}

#[derive(Debug, Clone, Deserialize)]
pub(super) struct WarehouseSpec {
    pub(super) name: String,
    pub(super) capacity_kg: Option<i64>,
}

#[derive(Debug, Clone, Deserialize)]
pub(super) struct AgentSpec {
    pub(super) name: String,
    pub(super) phone: Option<String>,
    /// A [`Role`] code: `field_agent`, `ctc`, `secretariat`, `read_only`.
    #[serde(deserialize_with = "role_code")]
    pub(super) role: Role,
    /// Cooperative codes the agent follows.
    pub(super) cooperatives: Vec<String>,
    pub(super) device_label: String,
    pub(super) receipt_prefix: String,
}

/// A role by its stable code (or label), as [`Role`]'s `FromStr` reads it.
fn role_code<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Role, D::Error> {
    let s = String::deserialize(d)?;
    s.parse().map_err(serde::de::Error::custom)
}

#[derive(Debug, Clone, Deserialize)]
pub(super) struct CampaignSpec {
    pub(super) key: String,
    pub(super) name: String,
    pub(super) family: CropFamily,
    pub(super) prices: Vec<CropPrice>,
    pub(super) advance_share: Option<Rate>,
    pub(super) fee: FeeModel,
    pub(super) contract_window: (NaiveDate, NaiveDate),
    pub(super) delivery_window: (NaiveDate, NaiveDate),
    pub(super) over_delivery_bought: bool,
    pub(super) plan: CampaignPlanSpec,
}

/// How the demo fills a campaign (not campaign settings).
#[derive(Debug, Clone, Deserialize)]
pub(super) struct CampaignPlanSpec {
    /// Committed kg per contract: lowest, highest.
    pub(super) committed_kg: (i64, i64),
    /// Usual weight of a full bag of the crop.
    pub(super) bag_kg: i64,
    /// When contract requests are taken.
    pub(super) requests: (NaiveDate, NaiveDate),
    /// When deliveries happen so far (the season is in progress).
    pub(super) deliveries: (NaiveDate, NaiveDate),
    /// Fertilizer products (by name) handed out for the campaign.
    pub(super) fertilizers: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub(super) struct ProductSpec {
    pub(super) name: String,
    pub(super) bag_kg: i64,
    pub(super) price_per_bag: Money,
    pub(super) supplier_cost: Money,
}

#[derive(Debug, Clone, Deserialize)]
pub(super) struct FertilizerDates {
    pub(super) group_orders: NaiveDate,
    pub(super) purchase_orders: NaiveDate,
    pub(super) receptions: NaiveDate,
    pub(super) distributions: (NaiveDate, NaiveDate),
}

#[derive(Debug, Clone, Deserialize)]
pub(super) struct LenderSpec {
    pub(super) name: String,
    pub(super) kind: LenderKind,
    pub(super) credit_line: LineSpec,
}

#[derive(Debug, Clone, Deserialize)]
pub(super) struct LineSpec {
    /// The campaign key the line finances; `null`: every campaign no other line finances.
    pub(super) campaign: Option<String>,
    pub(super) principal: i64,
    pub(super) annual_rate: Rate,
    pub(super) start: NaiveDate,
    pub(super) maturity: NaiveDate,
    pub(super) guarantee_share: Rate,
    pub(super) drawdown_date: NaiveDate,
}

#[derive(Debug, Clone, Deserialize)]
pub(super) struct SaleSpec {
    pub(super) cooperative: String,
    pub(super) crop: Crop,
    pub(super) share_percent: i64,
    pub(super) buyer: String,
    pub(super) price_per_kg: i64,
    pub(super) costs_per_kg: i64,
    pub(super) date: NaiveDate,
}

#[derive(Debug, Clone, Deserialize)]
pub(super) struct Reasons {
    pub(super) disbursement: String,
    pub(super) delivery: String,
}

#[derive(Debug, Clone, Deserialize)]
pub(super) struct Names {
    pub(super) female: Vec<String>,
    pub(super) male: Vec<String>,
    pub(super) family: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub(super) struct GenerationSpec {
    pub(super) coop_words: Vec<String>,
    pub(super) places: Vec<PlaceSpec>,
}

#[derive(Debug, Clone, Deserialize)]
pub(super) struct PlaceSpec {
    pub(super) village: String,
    pub(super) commune: String,
    pub(super) cercle: String,
    pub(super) families: Vec<CropFamily>,
}
