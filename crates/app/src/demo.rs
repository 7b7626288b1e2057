//! Demo data: a realistic small union shipped in `assets/demo/union.json`, and a generated union
//! at benchmark scale.
//!
//! Both are written **through the use cases only** (never SQL), each record by the agent who
//! would make it in the field, with that agent's own device: the secretariat configures the
//! union, opens the campaigns, draws on the credit lines and allocates funds; field agents
//! register members, take contract requests, pay advances, hand out fertilizer and weigh
//! deliveries; the technical committee (CTC) — or the secretariat where a cooperative has no CTC
//! member in the store — approves or rejects contracts.
//!
//! Everything is deterministic from a seed (a small SplitMix64 below): the same seed gives the
//! same members, amounts, weights and dates (record ids are fresh UUIDv7s).
//!
//! The season is "in progress" in mid-January 2027: contracts were approved and advances paid in
//! June–August 2026, fertilizer handed out in June–July, and deliveries run from October (cereals)
//! or November (paddy) to mid-January; a few members have not delivered yet and are in debt at
//! that date, most have a positive balance.
//!
//! Transactions: [`Ledger::run`] commits (and syncs) once per call, so the generator batches the
//! use cases of one cooperative and one phase (members and contracts, decisions, advances,
//! fertilizer, deliveries) in one call.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{Days, NaiveDate};
use sene_domain::rules;
use sene_domain::validate::fold;
use sene_domain::*;
use sene_store::Table;
use serde::{Deserialize, Serialize};

use crate::fertilizer::{
    DistributeFertilizer, NewGroupOrder, NewNeed, NewProduct, NewPurchaseOrder, NewReception,
};
use crate::finance::{NewAllocation, NewCreditLine, NewDrawdown, NewLender, NewSaleLot};
use crate::org::{NewAgent, NewCooperative, NewDevice, NewMember, NewWarehouse};
use crate::season::{
    Decision, DisburseAdvance, NewCampaign, RecordDelivery, RequestContract, Reverse,
};
use crate::{Actor, AppError, InitUnion, Ledger, Result};

/// The demo union, embedded in the binary.
const ASSET: &str = include_str!("../../../assets/demo/union.json");

/// The seed of the demo union (any seed gives a believable season; this one is the shipped one).
const DEMO_SEED: u64 = 2026;

/// How big a generated union is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scale {
    pub cooperatives: u32,
    pub members: u32,
    pub contracts: u32,
    pub deliveries: u32,
    pub distributions: u32,
}

impl Scale {
    /// One union as in DOMAIN.md: 150 cooperatives, 6,000 members, 6,000 contracts,
    /// 50,000 deliveries, 10,000 fertilizer distributions.
    pub const UNION: Scale = Scale {
        cooperatives: 150,
        members: 6_000,
        contracts: 6_000,
        deliveries: 50_000,
        distributions: 10_000,
    };
}

/// What was loaded.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemoSummary {
    pub cooperatives: u32,
    pub members: u32,
    pub campaigns: u32,
    pub contracts: u32,
    pub disbursements: u32,
    pub deliveries: u32,
    pub distributions: u32,
}

/// Fills an EMPTY store with the demo union of `assets/demo/union.json` (embedded in the
/// binary). `progress` receives a French line per step.
///
/// # Errors
/// [`crate::AppError::AlreadyInitialized`] when the store is not empty; use-case errors.
pub fn load_demo(ledger: &mut Ledger, progress: &mut dyn FnMut(&str)) -> Result<DemoSummary> {
    ensure_empty(ledger)?;
    let asset = asset()?;
    progress("Union, coopératives, magasins, agents et campagnes…");
    let world = setup(
        ledger,
        &asset,
        &asset.cooperatives,
        &asset.agents,
        &asset.secretariat,
    )?;
    let mut rng = Rng::new(DEMO_SEED);
    let plan = plan_season(&mut rng, &asset, &world, Mode::Demo)?;
    execute(ledger, &asset, &world, &plan, false, progress)?;
    summary(ledger)
}

/// Fills an EMPTY store with a generated union of the given scale (deterministic from `seed`).
///
/// # Errors
/// As [`load_demo`].
pub fn generate_union(
    ledger: &mut Ledger,
    scale: Scale,
    seed: u64,
    progress: &mut dyn FnMut(&str),
) -> Result<DemoSummary> {
    ensure_empty(ledger)?;
    if scale.cooperatives == 0 {
        return Err(AppError::Mismatch(
            "échelle impossible : il faut au moins une coopérative".into(),
        ));
    }
    let asset = asset()?;
    let mut rng = Rng::new(seed);
    let (coops, agents) = generated_organisation(&mut rng, &asset, scale)?;
    progress(&format!(
        "Union générée : {} coopératives, {} agents, {} membres…",
        coops.len(),
        agents.len(),
        scale.members
    ));
    let secretariat = SecretariatSpec {
        name: asset.secretariat.name.clone(),
        device_label: asset.secretariat.device_label.clone(),
        receipt_prefix: "GSEC".into(),
    };
    let world = setup(ledger, &asset, &coops, &agents, &secretariat)?;
    let plan = plan_season(&mut rng, &asset, &world, Mode::Exact(scale))?;
    execute(ledger, &asset, &world, &plan, true, progress)?;
    summary(ledger)
}

fn ensure_empty(ledger: &Ledger) -> Result<()> {
    match ledger.db().union()? {
        Some(u) => Err(AppError::AlreadyInitialized(u.name)),
        None => Ok(()),
    }
}

fn asset() -> Result<Asset> {
    serde_json::from_str(ASSET)
        .map_err(|e| AppError::Mismatch(format!("fichier de démo illisible : {e}")))
}

fn summary(ledger: &Ledger) -> Result<DemoSummary> {
    let db = ledger.db();
    let n = |t: Table| -> Result<u32> { Ok(u32::try_from(db.count(t)?).unwrap_or(u32::MAX)) };
    Ok(DemoSummary {
        cooperatives: n(Table::Cooperatives)?,
        members: n(Table::Members)?,
        campaigns: n(Table::Campaigns)?,
        contracts: n(Table::Contracts)?,
        disbursements: n(Table::Disbursements)?,
        deliveries: n(Table::Deliveries)?,
        distributions: n(Table::FertilizerDistributions)?,
    })
}

// ---------------------------------------------------------------------------------------------
// The asset's schema
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Deserialize)]
struct Asset {
    union: UnionSpec,
    secretariat: SecretariatSpec,
    cooperatives: Vec<CoopSpec>,
    agents: Vec<AgentSpec>,
    campaigns: Vec<CampaignSpec>,
    fertilizers: Vec<ProductSpec>,
    supplier: String,
    fertilizer_dates: FertilizerDates,
    lenders: Vec<LenderSpec>,
    allocations_date: NaiveDate,
    sale: SaleSpec,
    reasons: Reasons,
    names: Names,
    generation: GenerationSpec,
}

#[derive(Debug, Clone, Deserialize)]
struct UnionSpec {
    name: String,
    region: String,
}

#[derive(Debug, Clone, Deserialize)]
struct SecretariatSpec {
    name: String,
    device_label: String,
    receipt_prefix: String,
}

#[derive(Debug, Clone, Deserialize)]
struct CoopSpec {
    code: String,
    name: String,
    village: String,
    commune: String,
    cercle: String,
    region: String,
    /// Crop families grown, the main one first.
    families: Vec<CropFamily>,
    /// Villages the members live in, the cooperative's own first.
    villages: Vec<String>,
    members: u32,
    warehouses: Vec<WarehouseSpec>,
}

#[derive(Debug, Clone, Deserialize)]
struct WarehouseSpec {
    name: String,
    capacity_kg: Option<i64>,
}

#[derive(Debug, Clone, Deserialize)]
struct AgentSpec {
    name: String,
    phone: Option<String>,
    /// A [`Role`] code: `field_agent`, `ctc`, `secretariat`, `read_only`.
    #[serde(deserialize_with = "role_code")]
    role: Role,
    /// Cooperative codes the agent follows.
    cooperatives: Vec<String>,
    device_label: String,
    receipt_prefix: String,
}

/// A role by its stable code (or label), as [`Role`]'s `FromStr` reads it.
fn role_code<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Role, D::Error> {
    let s = String::deserialize(d)?;
    s.parse().map_err(serde::de::Error::custom)
}

#[derive(Debug, Clone, Deserialize)]
struct CampaignSpec {
    key: String,
    name: String,
    family: CropFamily,
    prices: Vec<CropPrice>,
    advance_share: Option<Rate>,
    fee: FeeModel,
    contract_window: (NaiveDate, NaiveDate),
    delivery_window: (NaiveDate, NaiveDate),
    over_delivery_bought: bool,
    plan: CampaignPlanSpec,
}

/// How the demo fills a campaign (not campaign settings).
#[derive(Debug, Clone, Deserialize)]
struct CampaignPlanSpec {
    /// Committed kg per contract: lowest, highest.
    committed_kg: (i64, i64),
    /// Usual weight of a full bag of the crop.
    bag_kg: i64,
    /// When contract requests are taken.
    requests: (NaiveDate, NaiveDate),
    /// When deliveries happen so far (the season is in progress).
    deliveries: (NaiveDate, NaiveDate),
    /// Fertilizer products (by name) handed out for the campaign.
    fertilizers: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
struct ProductSpec {
    name: String,
    bag_kg: i64,
    price_per_bag: Money,
    supplier_cost: Money,
}

#[derive(Debug, Clone, Deserialize)]
struct FertilizerDates {
    group_orders: NaiveDate,
    purchase_orders: NaiveDate,
    receptions: NaiveDate,
    distributions: (NaiveDate, NaiveDate),
}

#[derive(Debug, Clone, Deserialize)]
struct LenderSpec {
    name: String,
    kind: LenderKind,
    credit_line: LineSpec,
}

#[derive(Debug, Clone, Deserialize)]
struct LineSpec {
    /// The campaign key the line finances; `null`: every campaign no other line finances.
    campaign: Option<String>,
    principal: i64,
    annual_rate: Rate,
    start: NaiveDate,
    maturity: NaiveDate,
    guarantee_share: Rate,
    drawdown_date: NaiveDate,
}

#[derive(Debug, Clone, Deserialize)]
struct SaleSpec {
    cooperative: String,
    crop: Crop,
    share_percent: i64,
    buyer: String,
    price_per_kg: i64,
    costs_per_kg: i64,
    date: NaiveDate,
}

#[derive(Debug, Clone, Deserialize)]
struct Reasons {
    disbursement: String,
    delivery: String,
}

#[derive(Debug, Clone, Deserialize)]
struct Names {
    female: Vec<String>,
    male: Vec<String>,
    family: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
struct GenerationSpec {
    coop_words: Vec<String>,
    places: Vec<PlaceSpec>,
}

#[derive(Debug, Clone, Deserialize)]
struct PlaceSpec {
    village: String,
    commune: String,
    cercle: String,
    families: Vec<CropFamily>,
}

// ---------------------------------------------------------------------------------------------
// Deterministic pseudo-randomness
// ---------------------------------------------------------------------------------------------

/// SplitMix64: tiny, fast, and good enough to pick names and weights.
#[derive(Debug, Clone)]
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Rng(seed ^ 0x5E4E_5E4E_D1A0_2026)
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (0 when `n` is 0).
    fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.next_u64() % n
        }
    }

    fn index(&mut self, len: usize) -> usize {
        usize::try_from(self.below(len as u64)).unwrap_or(0)
    }

    /// Uniform in `lo..=hi` (`lo` when `hi < lo`).
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            return lo;
        }
        let span = u64::try_from(hi - lo).unwrap_or(0).saturating_add(1);
        lo + i64::try_from(self.below(span)).unwrap_or(0)
    }

    /// True `per_mille` times in a thousand.
    fn chance(&mut self, per_mille: u64) -> bool {
        self.below(1000) < per_mille
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        let i = self.index(items.len());
        items.get(i)
    }

    /// A date in `a..=b`.
    fn date(&mut self, a: NaiveDate, b: NaiveDate) -> NaiveDate {
        let span = (b - a).num_days();
        add_days(a, self.range(0, span))
    }

    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.index(i + 1);
            items.swap(i, j);
        }
    }
}

fn add_days(d: NaiveDate, n: i64) -> NaiveDate {
    let n = u64::try_from(n).unwrap_or(0);
    d.checked_add_days(Days::new(n)).unwrap_or(d)
}

fn clamp_date(d: NaiveDate, (a, b): (NaiveDate, NaiveDate)) -> NaiveDate {
    d.max(a).min(b)
}

fn money(francs: i64) -> Result<Money> {
    Ok(Money::from_francs(francs)?)
}

fn kg_tenths(tenths: i64) -> Result<Kg> {
    Ok(Kg::from_tenths(tenths)?)
}

/// `+223` and 8 digits, distinct for distinct `index` below a million.
fn phone(rng: &mut Rng, index: u64) -> String {
    const PREFIXES: [&str; 20] = [
        "76", "66", "79", "65", "70", "75", "77", "78", "90", "91", "92", "93", "94", "95", "96",
        "98", "99", "60", "63", "69",
    ];
    let p = rng.pick(&PREFIXES).copied().unwrap_or("76");
    // 738 457 is prime to 10^6: a bijection on 0..10^6.
    let rest = (index % 1_000_000)
        .wrapping_mul(738_457)
        .wrapping_add(104_729)
        % 1_000_000;
    format!("+223{p}{rest:06}")
}

// ---------------------------------------------------------------------------------------------
// The organisation of a generated union
// ---------------------------------------------------------------------------------------------

/// Cooperatives per field agent in a generated union (30 agents for 150 cooperatives).
const COOPS_PER_AGENT: usize = 5;
/// Cooperatives per CTC member in a generated union.
const COOPS_PER_CTC: usize = 30;

fn generated_organisation(
    rng: &mut Rng,
    asset: &Asset,
    scale: Scale,
) -> Result<(Vec<CoopSpec>, Vec<AgentSpec>)> {
    let places = &asset.generation.places;
    if places.is_empty() {
        return Err(AppError::Mismatch("aucun lieu pour générer l'union".into()));
    }
    let n = usize::try_from(scale.cooperatives).unwrap_or(0);
    let per = scale.members / scale.cooperatives;
    let extra = scale.members % scale.cooperatives;
    let mut used = HashSet::new();
    let mut coops = Vec::with_capacity(n);
    for i in 0..n {
        let place = &places[i % places.len()];
        let round = i / places.len();
        let base: String = fold(&place.village)
            .chars()
            .filter(char::is_ascii_alphabetic)
            .take(3)
            .collect::<String>()
            .to_uppercase();
        let mut code = base.clone();
        let mut k = 2;
        while !used.insert(code.clone()) {
            code = format!("{base}{k}");
            k += 1;
        }
        let word = asset
            .generation
            .coop_words
            .get((i * 7 + round) % asset.generation.coop_words.len().max(1))
            .cloned()
            .unwrap_or_else(|| "Benkadi".into());
        let name = if round == 0 {
            format!("Société coopérative {word} de {}", place.village)
        } else {
            format!(
                "Société coopérative {word} de {} n° {}",
                place.village,
                round + 1
            )
        };
        // Members live in the cooperative's village and in neighbouring ones of the cercle.
        let mut villages = vec![place.village.clone()];
        for p in places
            .iter()
            .filter(|p| p.cercle == place.cercle && p.village != place.village)
            .take(2)
        {
            villages.push(p.village.clone());
        }
        let mut warehouses = vec![WarehouseSpec {
            name: format!("Magasin de {}", place.village),
            capacity_kg: Some(rng.range(15, 60) * 10_000),
        }];
        if i % 3 == 0 {
            warehouses.push(WarehouseSpec {
                name: format!("Magasin annexe de {}", place.village),
                capacity_kg: Some(rng.range(5, 20) * 10_000),
            });
        }
        coops.push(CoopSpec {
            code,
            name,
            village: place.village.clone(),
            commune: place.commune.clone(),
            cercle: place.cercle.clone(),
            region: asset.union.region.clone(),
            families: place.families.clone(),
            villages,
            members: per + u32::from(u32::try_from(i).unwrap_or(u32::MAX) < extra),
            warehouses,
        });
    }
    let mut agents = Vec::new();
    let names = &asset.names;
    let person = |rng: &mut Rng, female: bool| -> String {
        let first = if female {
            rng.pick(&names.female)
        } else {
            rng.pick(&names.male)
        };
        let last = rng.pick(&names.family);
        format!(
            "{} {}",
            first.map_or("Awa", String::as_str),
            last.map_or("Traoré", String::as_str)
        )
    };
    for (a, chunk) in coops.chunks(COOPS_PER_AGENT).enumerate() {
        let female = rng.chance(300);
        let name = person(rng, female);
        agents.push(AgentSpec {
            phone: Some(phone(rng, 900_000 + a as u64)),
            role: Role::FieldAgent,
            cooperatives: chunk.iter().map(|c| c.code.clone()).collect(),
            device_label: format!("Portable de {name} (agent de terrain)"),
            receipt_prefix: format!("G{:03}", a + 1),
            name,
        });
    }
    for (a, chunk) in coops.chunks(COOPS_PER_CTC).enumerate() {
        let name = person(rng, false);
        agents.push(AgentSpec {
            phone: Some(phone(rng, 950_000 + a as u64)),
            role: Role::Committee,
            cooperatives: chunk.iter().map(|c| c.code.clone()).collect(),
            device_label: format!("Portable du CTC ({name})"),
            receipt_prefix: format!("C{:03}", a + 1),
            name,
        });
    }
    Ok((coops, agents))
}

// ---------------------------------------------------------------------------------------------
// Setup: union, organisation, campaigns, catalog
// ---------------------------------------------------------------------------------------------

struct CoopW {
    id: CooperativeId,
    spec: CoopSpec,
    warehouses: Vec<WarehouseId>,
    /// The field agent who follows it (the secretariat when none does).
    agent: Actor,
    /// Who approves its contracts: its CTC member, else the secretariat.
    approver: Actor,
}

struct CampW {
    campaign: Campaign,
    spec: CampaignSpec,
    /// Indices in `World::products`.
    fertilizers: Vec<usize>,
}

struct ProductW {
    id: ProductId,
    price: Money,
    cost: Money,
}

struct World {
    sec: Actor,
    coops: Vec<CoopW>,
    camps: Vec<CampW>,
    products: Vec<ProductW>,
}

impl World {
    fn camp_by_key(&self, key: &str) -> Result<usize> {
        self.camps
            .iter()
            .position(|c| c.spec.key == key)
            .ok_or_else(|| AppError::Mismatch(format!("campagne « {key} » inconnue")))
    }

    fn camp_of_family(&self, f: CropFamily) -> Option<usize> {
        self.camps.iter().position(|c| c.campaign.family == f)
    }
}

fn setup(
    ledger: &mut Ledger,
    asset: &Asset,
    coops: &[CoopSpec],
    agents: &[AgentSpec],
    secretariat: &SecretariatSpec,
) -> Result<World> {
    let sec = ledger.init(&InitUnion {
        union_name: asset.union.name.clone(),
        region: asset.union.region.clone(),
        agent_name: secretariat.name.clone(),
        device_label: secretariat.device_label.clone(),
        receipt_prefix: secretariat.receipt_prefix.clone(),
    })?;
    ledger.run(&sec, |tx| {
        let mut ws = Vec::with_capacity(coops.len());
        let mut by_code = HashMap::new();
        for c in coops {
            let coop = tx.add_cooperative(NewCooperative {
                id: None,
                code: c.code.clone(),
                name: c.name.clone(),
                village: c.village.clone(),
                commune: c.commune.clone(),
                cercle: c.cercle.clone(),
                region: c.region.clone(),
            })?;
            let mut warehouses = Vec::new();
            for w in &c.warehouses {
                let capacity = w.capacity_kg.map(Kg::from_kg).transpose()?;
                warehouses.push(
                    tx.add_warehouse(NewWarehouse {
                        id: None,
                        cooperative_id: coop.id,
                        name: w.name.clone(),
                        capacity,
                    })?
                    .id,
                );
            }
            if warehouses.is_empty() {
                return Err(AppError::Mismatch(format!(
                    "la coopérative {} n'a pas de magasin",
                    c.code
                )));
            }
            by_code.insert(coop.code.clone(), ws.len());
            ws.push(CoopW {
                id: coop.id,
                spec: c.clone(),
                warehouses,
                agent: sec,
                approver: sec,
            });
        }
        let mut field_set = vec![false; ws.len()];
        let mut ctc_set = vec![false; ws.len()];
        for a in agents {
            let mut followed = Vec::new();
            for code in &a.cooperatives {
                let i = *by_code.get(code).ok_or_else(|| {
                    AppError::Mismatch(format!("coopérative « {code} » inconnue"))
                })?;
                followed.push(i);
            }
            let agent = tx.add_agent(NewAgent {
                id: None,
                name: a.name.clone(),
                phone: a.phone.clone(),
                role: a.role,
                cooperatives: followed.iter().map(|&i| ws[i].id).collect(),
            })?;
            let device = tx.add_device(NewDevice {
                id: None,
                label: a.device_label.clone(),
                receipt_prefix: a.receipt_prefix.clone(),
            })?;
            let actor = Actor {
                agent: agent.id,
                device: device.id,
            };
            for i in followed {
                match a.role {
                    Role::FieldAgent if !field_set[i] => {
                        ws[i].agent = actor;
                        field_set[i] = true;
                    }
                    Role::Committee if !ctc_set[i] => {
                        ws[i].approver = actor;
                        ctc_set[i] = true;
                    }
                    _ => {}
                }
            }
        }
        let mut products = Vec::new();
        for p in &asset.fertilizers {
            let x = tx.add_product(NewProduct {
                id: None,
                name: p.name.clone(),
                bag_weight: Kg::from_kg(p.bag_kg)?,
                price_per_bag: p.price_per_bag,
            })?;
            products.push(ProductW {
                id: x.id,
                price: x.price_per_bag,
                cost: p.supplier_cost,
            });
        }
        let mut camps = Vec::new();
        for c in &asset.campaigns {
            let campaign = tx.open_campaign(NewCampaign {
                id: None,
                name: c.name.clone(),
                family: c.family,
                prices: c.prices.clone(),
                advance_share: c.advance_share,
                fee: c.fee,
                contract_window: c.contract_window,
                delivery_window: c.delivery_window,
                max_moisture: None,
                max_impurity: None,
                bag_tare: None,
                over_delivery_bought: c.over_delivery_bought,
            })?;
            let mut fertilizers = Vec::new();
            for name in &c.plan.fertilizers {
                let i = asset
                    .fertilizers
                    .iter()
                    .position(|p| &p.name == name)
                    .ok_or_else(|| AppError::Mismatch(format!("engrais « {name} » inconnu")))?;
                fertilizers.push(i);
            }
            camps.push(CampW {
                campaign,
                spec: c.clone(),
                fertilizers,
            });
        }
        Ok(World {
            sec,
            coops: ws,
            camps,
            products,
        })
    })
}

// ---------------------------------------------------------------------------------------------
// The plan of a season
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// The shipped demo: counts follow from the story.
    Demo,
    /// Exactly these counts.
    Exact(Scale),
}

struct MemberPlan {
    coop: usize,
    cmd: NewMember,
    contracts: Vec<ContractPlan>,
    fertilizer: Vec<FertPlan>,
}

struct ContractPlan {
    campaign: usize,
    crop: Crop,
    /// Tenths of kg.
    committed: i64,
    requested: NaiveDate,
    decision: Option<(Decision, NaiveDate)>,
    /// Francs, date, mode.
    tranches: Vec<(i64, NaiveDate, PayMode)>,
    /// A wrong first amount, recorded then reversed before the right one.
    wrong_tranche: Option<i64>,
    /// Target net kg delivered so far (tenths), and in how many deliveries.
    target: i64,
    n_deliveries: usize,
    deliveries: Vec<DeliveryPlan>,
    /// Times the first delivery was typed twice (each copy voided).
    duplicates: u32,
}

struct DeliveryPlan {
    /// Index in the cooperative's warehouses.
    warehouse: usize,
    bags: u32,
    /// Tenths.
    gross: i64,
    moisture: i64,
    impurity: i64,
    date: NaiveDate,
}

struct FertPlan {
    campaign: usize,
    product: usize,
    /// Bags asked for.
    need: u32,
    /// Bags handed out (0: not yet, the contract is not approved).
    bags: u32,
    cash: i64,
    date: NaiveDate,
}

struct Plan {
    /// Grouped by cooperative, in cooperative order.
    members: Vec<MemberPlan>,
    /// Member index ranges per cooperative.
    by_coop: Vec<std::ops::Range<usize>>,
    /// (coop, campaign, product) → bags received short.
    shortfalls: BTreeMap<(usize, usize, usize), u32>,
}

impl Plan {
    fn group_orders(&self) -> BTreeMap<(usize, usize, usize), u32> {
        let mut g = BTreeMap::new();
        for m in &self.members {
            for f in &m.fertilizer {
                *g.entry((m.coop, f.campaign, f.product)).or_insert(0) += f.need;
            }
        }
        g
    }

    /// Francs handed to each cooperative's agent per campaign: the advances to pay, rounded up
    /// to 50 000 FCFA.
    fn allocations(&self) -> BTreeMap<(usize, usize), i64> {
        let mut a: BTreeMap<(usize, usize), i64> = BTreeMap::new();
        for m in &self.members {
            for c in &m.contracts {
                let paid: i64 = c.tranches.iter().map(|t| t.0).sum();
                if paid > 0 {
                    *a.entry((m.coop, c.campaign)).or_insert(0) += paid;
                }
            }
        }
        for v in a.values_mut() {
            *v = (*v + 49_999) / 50_000 * 50_000;
        }
        a
    }
}

fn plan_season(rng: &mut Rng, asset: &Asset, world: &World, mode: Mode) -> Result<Plan> {
    let (members, by_coop) = plan_members(rng, asset, world)?;
    let mut plan = Plan {
        members,
        by_coop,
        shortfalls: BTreeMap::new(),
    };
    plan_contracts(rng, world, &mut plan, mode)?;
    plan_decisions_and_advances(rng, world, &mut plan, mode)?;
    plan_deliveries(rng, world, &mut plan, mode)?;
    plan_fertilizer(rng, asset, world, &mut plan, mode)?;
    // Members grow the crops they contract for.
    for m in &mut plan.members {
        let mut crops: Vec<CropFamily> = m
            .contracts
            .iter()
            .map(|c| world.camps[c.campaign].campaign.family)
            .collect();
        if crops.is_empty() {
            crops.extend(world.coops[m.coop].spec.families.first().copied());
        }
        crops.sort();
        crops.dedup();
        m.cmd.crops = crops;
    }
    Ok(plan)
}

#[allow(clippy::type_complexity)]
fn plan_members(
    rng: &mut Rng,
    asset: &Asset,
    world: &World,
) -> Result<(Vec<MemberPlan>, Vec<std::ops::Range<usize>>)> {
    let names = &asset.names;
    if names.female.is_empty() || names.male.is_empty() || names.family.is_empty() {
        return Err(AppError::Mismatch("listes de noms vides".into()));
    }
    let mut taken: HashSet<(String, String)> = HashSet::new();
    let mut members = Vec::new();
    let mut by_coop = Vec::new();
    let mut global: u64 = 0;
    for (ci, coop) in world.coops.iter().enumerate() {
        let start = members.len();
        for k in 1..=coop.spec.members {
            global += 1;
            let sex = if rng.chance(260) {
                Sex::Female
            } else {
                Sex::Male
            };
            let village = if rng.chance(500) {
                coop.spec.village.clone()
            } else {
                rng.pick(&coop.spec.villages)
                    .cloned()
                    .unwrap_or_else(|| coop.spec.village.clone())
            };
            let pool = match sex {
                Sex::Female => &names.female,
                Sex::Male => &names.male,
            };
            // Homonyms exist, but never two of the same name in one village here: the
            // duplicate check would (rightly) stop them.
            let mut full_name = String::new();
            for _ in 0..10_000 {
                let first = rng.pick(pool).map_or("", String::as_str);
                let last = rng.pick(&names.family).map_or("", String::as_str);
                let candidate = format!("{first} {last}");
                if taken.insert((fold(&candidate), fold(&village))) {
                    full_name = candidate;
                    break;
                }
            }
            if full_name.is_empty() {
                return Err(AppError::Mismatch(format!(
                    "plus de noms libres pour le village {village}"
                )));
            }
            let phone = rng.chance(880).then(|| phone(rng, global));
            let birth_year = i32::try_from(rng.range(1955, 2000)).unwrap_or(1975);
            let nina = rng.chance(400).then(|| {
                let letter = char::from(b'A' + u8::try_from(global % 26).unwrap_or(0));
                format!(
                    "{}{:013}{letter}",
                    if sex == Sex::Female { 2 } else { 1 },
                    global * 7_919 + 1_000_000
                )
            });
            members.push(MemberPlan {
                coop: ci,
                cmd: NewMember {
                    id: None,
                    cooperative_id: coop.id,
                    number: format!("{}-{k:04}", coop.spec.code),
                    full_name,
                    sex,
                    birth_year: Some(birth_year),
                    village,
                    phone,
                    nina,
                    crops: Vec::new(),
                },
                contracts: Vec::new(),
                fertilizer: Vec::new(),
            });
        }
        by_coop.push(start..members.len());
    }
    Ok((members, by_coop))
}

fn new_contract(rng: &mut Rng, world: &World, campaign: usize) -> ContractPlan {
    let camp = &world.camps[campaign];
    let crops: Vec<Crop> = camp.campaign.prices.iter().map(|p| p.crop).collect();
    let crop = rng.pick(&crops).copied().unwrap_or(Crop::PaddyRice);
    let (lo, hi) = camp.spec.plan.committed_kg;
    let committed = rng.range(lo / 50, hi / 50).max(1) * 50 * 10;
    let (a, b) = camp.spec.plan.requests;
    let requested = clamp_date(rng.date(a, b), camp.spec.contract_window);
    ContractPlan {
        campaign,
        crop,
        committed,
        requested,
        decision: None,
        tranches: Vec::new(),
        wrong_tranche: None,
        target: 0,
        n_deliveries: 0,
        deliveries: Vec::new(),
        duplicates: 0,
    }
}

/// The campaign of a cooperative's family, falling back to any campaign.
fn camp_for(world: &World, f: CropFamily) -> Option<usize> {
    world
        .camp_of_family(f)
        .or_else(|| (!world.camps.is_empty()).then_some(0))
}

fn plan_contracts(rng: &mut Rng, world: &World, plan: &mut Plan, mode: Mode) -> Result<()> {
    if world.camps.is_empty() {
        return Err(AppError::Mismatch("aucune campagne".into()));
    }
    match mode {
        Mode::Demo => {
            for m in &mut plan.members {
                let fams = &world.coops[m.coop].spec.families;
                let main = match fams.as_slice() {
                    [a, b, ..] => {
                        if rng.chance(250) {
                            *b
                        } else {
                            *a
                        }
                    }
                    [a] => *a,
                    [] => CropFamily::Rice,
                };
                if rng.chance(920) {
                    if let Some(ci) = camp_for(world, main) {
                        let c = new_contract(rng, world, ci);
                        m.contracts.push(c);
                    }
                }
                if let Some(other) = fams.iter().find(|f| **f != main) {
                    if rng.chance(300) {
                        if let Some(ci) = camp_for(world, *other) {
                            let c = new_contract(rng, world, ci);
                            m.contracts.push(c);
                        }
                    }
                }
            }
        }
        Mode::Exact(scale) => {
            let total = usize::try_from(scale.contracts).unwrap_or(0);
            let n = plan.members.len();
            if total > 0 && n == 0 {
                return Err(AppError::Mismatch(
                    "échelle impossible : des contrats sans membres".into(),
                ));
            }
            let mut order: Vec<usize> = (0..n).collect();
            rng.shuffle(&mut order);
            for j in 0..total {
                let mi = order[j % n];
                let m = &mut plan.members[mi];
                let fams = &world.coops[m.coop].spec.families;
                let ci = if j < n {
                    let main = if fams.len() > 1 && rng.chance(200) {
                        fams[1]
                    } else {
                        fams.first().copied().unwrap_or(CropFamily::Rice)
                    };
                    camp_for(world, main).unwrap_or(0)
                } else {
                    // A further contract: another family of the cooperative, else any other
                    // campaign.
                    let have: Vec<usize> = m.contracts.iter().map(|c| c.campaign).collect();
                    fams.iter()
                        .filter_map(|f| world.camp_of_family(*f))
                        .chain(0..world.camps.len())
                        .find(|c| !have.contains(c))
                        .unwrap_or(0)
                };
                let c = new_contract(rng, world, ci);
                m.contracts.push(c);
            }
        }
    }
    Ok(())
}

fn plan_decisions_and_advances(
    rng: &mut Rng,
    world: &World,
    plan: &mut Plan,
    mode: Mode,
) -> Result<()> {
    let mut all: Vec<(usize, usize)> = Vec::new();
    for (mi, m) in plan.members.iter().enumerate() {
        for ci in 0..m.contracts.len() {
            all.push((mi, ci));
        }
    }
    let n = all.len();
    let (rejected, pending) = match mode {
        Mode::Demo => (1.min(n), 3.min(n.saturating_sub(1))),
        Mode::Exact(_) if n >= 10 => ((n / 100).max(1), (n * 3 / 100).max(1)),
        Mode::Exact(_) => (0, 0),
    };
    let mut order = all.clone();
    rng.shuffle(&mut order);
    let mut undecided = HashSet::new();
    let mut refused = HashSet::new();
    for (k, key) in order.iter().enumerate() {
        if k < rejected {
            refused.insert(*key);
        } else if k < rejected + pending {
            undecided.insert(*key);
        }
    }
    let mut wrong_left = match mode {
        Mode::Demo => 1,
        Mode::Exact(_) => (world.coops.len() / 50).max(1),
    };
    for (mi, ci) in all {
        let m = &mut plan.members[mi];
        let has_phone = m.cmd.phone.is_some();
        let c = &mut m.contracts[ci];
        if undecided.contains(&(mi, ci)) {
            continue;
        }
        let decided_on = add_days(c.requested, rng.range(4, 20));
        if refused.contains(&(mi, ci)) {
            c.decision = Some((Decision::Reject, decided_on));
            continue;
        }
        c.decision = Some((Decision::Approve, decided_on));
        let camp = &world.camps[c.campaign].campaign;
        let due = rules::advance_due(
            camp.advance_share,
            camp.price(c.crop)?.base_price,
            kg_tenths(c.committed)?,
        )?
        .francs();
        let mode_of = |rng: &mut Rng| {
            if has_phone && rng.chance(300) {
                PayMode::MobileMoney
            } else {
                PayMode::Cash
            }
        };
        let d1 = add_days(decided_on, rng.range(2, 12));
        let r = rng.below(1000);
        if r < 40 || due <= 0 {
            // Approved, advance not paid yet.
        } else if r < 140 && due >= 2_000 {
            // Partial: half now, the rest later (not yet).
            let first = (due / 2 / 500 * 500).max(500);
            c.tranches.push((first, d1, mode_of(rng)));
        } else if r < 340 && due >= 4_000 {
            let first = (due * 6 / 10 / 1_000 * 1_000).max(1_000);
            let d2 = add_days(d1, rng.range(25, 45));
            c.tranches.push((first, d1, mode_of(rng)));
            c.tranches.push((due - first, d2, mode_of(rng)));
        } else {
            c.tranches.push((due, d1, mode_of(rng)));
            if wrong_left > 0 && due >= 10_000 && rng.chance(150) {
                // The agent typed 9/10 of the amount; the record is reversed and retyped.
                c.wrong_tranche = Some(due * 9 / 10 / 100 * 100);
                wrong_left -= 1;
            }
        }
    }
    // Whatever mistakes are left go to the first advances paid in one full tranche.
    for m in &mut plan.members {
        for c in &mut m.contracts {
            if wrong_left > 0
                && c.wrong_tranche.is_none()
                && c.tranches.len() == 1
                && c.tranches[0].0 >= 10_000
                && matches!(c.decision, Some((Decision::Approve, _)))
            {
                c.wrong_tranche = Some(c.tranches[0].0 * 9 / 10 / 100 * 100);
                wrong_left -= 1;
            }
        }
    }
    Ok(())
}

/// Share of the committed kg delivered so far, in per mille (0: not delivered yet).
fn outcome(rng: &mut Rng) -> i64 {
    let r = rng.below(1000);
    if r < 70 {
        0
    } else if r < 240 {
        rng.range(650, 950)
    } else if r < 380 {
        rng.range(1_050, 1_250)
    } else {
        rng.range(970, 1_030)
    }
}

/// The agent's mistakes, voided by a second person (maker-checker): the cooperative's
/// approver (its committee member, or the secretariat), in one transaction.
fn void(ledger: &mut Ledger, approver: &Actor, voids: Vec<Reverse>) -> Result<()> {
    if voids.is_empty() {
        return Ok(());
    }
    ledger.run(approver, |tx| {
        for r in &voids {
            tx.reverse(r.clone())?;
        }
        Ok(())
    })
}

fn plan_deliveries(rng: &mut Rng, world: &World, plan: &mut Plan, mode: Mode) -> Result<()> {
    // Contracts that accept deliveries.
    let mut approved: Vec<(usize, usize)> = Vec::new();
    for (mi, m) in plan.members.iter().enumerate() {
        for (ci, c) in m.contracts.iter().enumerate() {
            if matches!(c.decision, Some((Decision::Approve, _))) {
                approved.push((mi, ci));
            }
        }
    }
    for &(mi, ci) in &approved {
        let c = &mut plan.members[mi].contracts[ci];
        c.target = c.committed * outcome(rng) / 1000;
    }
    let mut dup_left: u32;
    match mode {
        Mode::Demo => {
            for &(mi, ci) in &approved {
                let c = &mut plan.members[mi].contracts[ci];
                if c.target > 0 {
                    c.n_deliveries = 1 + rng.index(3);
                }
            }
            dup_left = 1;
        }
        Mode::Exact(scale) => {
            let total = usize::try_from(scale.deliveries).unwrap_or(0);
            if total > 0 && approved.is_empty() {
                return Err(AppError::Mismatch(
                    "échelle impossible : des livraisons sans contrat approuvé".into(),
                ));
            }
            let dups = if total >= 2 {
                (world.coops.len() / 50).max(1).min(total / 2)
            } else {
                0
            };
            dup_left = u32::try_from(dups).unwrap_or(0);
            let budget = total - dups;
            let mut delivering: Vec<(usize, usize)> = approved
                .iter()
                .copied()
                .filter(|&(mi, ci)| plan.members[mi].contracts[ci].target > 0)
                .collect();
            if delivering.is_empty() && budget > 0 {
                for &(mi, ci) in &approved {
                    let c = &mut plan.members[mi].contracts[ci];
                    c.target = c.committed;
                }
                delivering.clone_from(&approved);
            }
            rng.shuffle(&mut delivering);
            if budget < delivering.len() {
                for &(mi, ci) in &delivering[budget..] {
                    plan.members[mi].contracts[ci].target = 0;
                }
                delivering.truncate(budget);
            }
            let mut counts = vec![1usize; delivering.len()];
            for _ in delivering.len()..budget {
                let i = rng.index(counts.len());
                counts[i] += 1;
            }
            for (&(mi, ci), k) in delivering.iter().zip(counts) {
                plan.members[mi].contracts[ci].n_deliveries = k;
            }
        }
    }
    for (mi, ci) in approved {
        let coop = plan.members[mi].coop;
        let n_wh = world.coops[coop].warehouses.len();
        let c = &mut plan.members[mi].contracts[ci];
        let camp = &world.camps[c.campaign];
        make_deliveries(rng, camp, n_wh, c);
        if dup_left > 0 && !c.deliveries.is_empty() && rng.chance(120) {
            c.duplicates += 1;
            dup_left -= 1;
        }
    }
    // Whatever duplicates are left go to the first contracts with a delivery.
    if dup_left > 0 {
        for m in &mut plan.members {
            for c in &mut m.contracts {
                if dup_left > 0 && !c.deliveries.is_empty() {
                    c.duplicates += 1;
                    dup_left -= 1;
                }
            }
        }
    }
    Ok(())
}

fn make_deliveries(rng: &mut Rng, camp: &CampW, n_wh: usize, c: &mut ContractPlan) {
    let k = c.n_deliveries;
    if k == 0 || c.target <= 0 {
        c.n_deliveries = 0;
        return;
    }
    let weights: Vec<i64> = (0..k).map(|_| rng.range(60, 140)).collect();
    let sum: i64 = weights.iter().sum::<i64>().max(1);
    let (a, b) = camp.spec.plan.deliveries;
    let mut dates: Vec<NaiveDate> = (0..k)
        .map(|_| clamp_date(rng.date(a, b), camp.spec.delivery_window))
        .collect();
    dates.sort();
    let tare = camp.campaign.bag_tare.tenths();
    let bag = (camp.spec.plan.bag_kg * 10).max(10);
    let mut left = c.target;
    let warehouse = if n_wh > 1 && rng.chance(300) {
        rng.index(n_wh)
    } else {
        0
    };
    for (j, (w, date)) in weights.iter().zip(dates).enumerate() {
        let net = if j + 1 == k { left } else { c.target * w / sum }.max(100);
        left -= net;
        let bags = ((net + bag / 2) / bag).clamp(1, 2_000);
        let moisture = if rng.chance(50) {
            rng.range(145, 175)
        } else {
            rng.range(110, 139)
        };
        let impurity = if rng.chance(40) {
            rng.range(25, 40)
        } else {
            rng.range(5, 19)
        };
        c.deliveries.push(DeliveryPlan {
            warehouse,
            bags: u32::try_from(bags).unwrap_or(1),
            gross: net + bags * tare,
            moisture,
            impurity,
            date,
        });
    }
}

fn plan_fertilizer(
    rng: &mut Rng,
    asset: &Asset,
    world: &World,
    plan: &mut Plan,
    mode: Mode,
) -> Result<()> {
    let (d1, d2) = asset.fertilizer_dates.distributions;
    let cash_of = |rng: &mut Rng, bags: u32, price: Money| -> i64 {
        let cost = price.francs() * i64::from(bags);
        let r = rng.below(1000);
        if r < 80 {
            cost
        } else if r < 280 {
            price.francs()
        } else {
            0
        }
    };
    let new_line = |rng: &mut Rng, campaign: usize, product: usize, first: bool| -> FertPlan {
        let bags = if first {
            rng.range(1, 4)
        } else {
            rng.range(1, 2)
        };
        let bags = u32::try_from(bags).unwrap_or(1);
        let cash = cash_of(rng, bags, world.products[product].price);
        FertPlan {
            campaign,
            product,
            need: bags,
            bags,
            cash,
            date: rng.date(d1, d2),
        }
    };
    match mode {
        Mode::Demo => {
            for m in &mut plan.members {
                // Needs come with contract requests; bags are handed out once approved.
                let camps: Vec<(usize, bool)> = m
                    .contracts
                    .iter()
                    .filter(|c| !matches!(c.decision, Some((Decision::Reject, _))))
                    .map(|c| (c.campaign, c.decision.is_some()))
                    .collect();
                for (ci, approved) in camps {
                    let prods = &world.camps[ci].fertilizers;
                    for (k, &p) in prods.iter().enumerate() {
                        if rng.chance(if k == 0 { 650 } else { 350 }) {
                            let mut line = new_line(rng, ci, p, k == 0);
                            if !approved {
                                line.bags = 0;
                                line.cash = 0;
                            }
                            m.fertilizer.push(line);
                        }
                    }
                }
            }
        }
        Mode::Exact(scale) => {
            let total = usize::try_from(scale.distributions).unwrap_or(0);
            let mut candidates: Vec<(usize, usize)> = Vec::new();
            for (mi, m) in plan.members.iter().enumerate() {
                if let Some(c) = m.contracts.iter().find(|c| {
                    matches!(c.decision, Some((Decision::Approve, _)))
                        && !world.camps[c.campaign].fertilizers.is_empty()
                }) {
                    candidates.push((mi, c.campaign));
                }
            }
            if candidates.is_empty() && total > 0 {
                let ci = world
                    .camps
                    .iter()
                    .position(|c| !c.fertilizers.is_empty())
                    .ok_or_else(|| AppError::Mismatch("aucune campagne avec des engrais".into()))?;
                candidates = (0..plan.members.len()).map(|mi| (mi, ci)).collect();
            }
            if total > 0 && candidates.is_empty() {
                return Err(AppError::Mismatch(
                    "échelle impossible : des distributions sans membres".into(),
                ));
            }
            rng.shuffle(&mut candidates);
            for j in 0..total {
                let (mi, ci) = candidates[j % candidates.len()];
                let prods = &world.camps[ci].fertilizers;
                let k = plan.members[mi].fertilizer.len();
                let p = prods[k % prods.len()];
                let line = new_line(rng, ci, p, k == 0);
                plan.members[mi].fertilizer.push(line);
            }
        }
    }
    // A small shortfall at reception: torn bags. One per 50 cooperatives.
    let wanted = (world.coops.len() / 50).max(1);
    let groups = plan.group_orders();
    let mut keys: Vec<(usize, usize, usize)> = groups
        .iter()
        .filter(|(_, bags)| **bags >= 10)
        .map(|(k, _)| *k)
        .collect();
    rng.shuffle(&mut keys);
    for key in keys.into_iter().take(wanted) {
        let (coop, camp, product) = key;
        let mut short = 0u32;
        for mi in plan.by_coop[coop].clone().rev() {
            for f in plan.members[mi].fertilizer.iter_mut().rev() {
                if short < 3 && f.campaign == camp && f.product == product && f.bags > 1 {
                    f.bags -= 1;
                    let price = world.products[product].price.francs();
                    f.cash = f.cash.min(price * i64::from(f.bags));
                    short += 1;
                }
            }
        }
        if short > 0 {
            plan.shortfalls.insert(key, short);
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Execution, through the use cases
// ---------------------------------------------------------------------------------------------

/// True every tenth cooperative and at the last one (progress lines of a generated union).
fn every(i: usize, n: usize) -> bool {
    (i + 1).is_multiple_of(10) || i + 1 == n
}

#[allow(clippy::too_many_lines)]
fn execute(
    ledger: &mut Ledger,
    asset: &Asset,
    world: &World,
    plan: &Plan,
    quiet: bool,
    progress: &mut dyn FnMut(&str),
) -> Result<()> {
    let n = world.coops.len();
    let group_orders = plan.group_orders();

    // 1. Members, contract requests, fertilizer needs and group orders: the field agent.
    progress("Membres, demandes de contrat et besoins en engrais…");
    let mut member_ids: Vec<MemberId> = Vec::with_capacity(plan.members.len());
    let mut contract_ids: Vec<Vec<ContractId>> = Vec::with_capacity(plan.members.len());
    for (i, coop) in world.coops.iter().enumerate() {
        let range = plan.by_coop[i].clone();
        let (ms, cs) = ledger.run(&coop.agent, |tx| {
            let mut ms = Vec::new();
            let mut cs = Vec::new();
            for m in &plan.members[range.clone()] {
                let member = tx.register_member(m.cmd.clone(), false)?;
                let mut ids = Vec::new();
                for c in &m.contracts {
                    ids.push(
                        tx.request_contract(RequestContract {
                            id: None,
                            member_id: member.id,
                            campaign_id: world.camps[c.campaign].campaign.id,
                            crop: c.crop,
                            committed: kg_tenths(c.committed)?,
                            date: c.requested,
                        })?
                        .id,
                    );
                }
                for f in &m.fertilizer {
                    tx.add_need(NewNeed {
                        id: None,
                        member_id: member.id,
                        campaign_id: world.camps[f.campaign].campaign.id,
                        product_id: world.products[f.product].id,
                        bags: f.need,
                    })?;
                }
                ms.push(member.id);
                cs.push(ids);
            }
            for (&(_, camp, product), &bags) in group_orders.range((i, 0, 0)..(i + 1, 0, 0)) {
                tx.add_group_order(NewGroupOrder {
                    id: None,
                    cooperative_id: coop.id,
                    campaign_id: world.camps[camp].campaign.id,
                    product_id: world.products[product].id,
                    bags,
                    date: asset.fertilizer_dates.group_orders,
                })?;
            }
            Ok((ms, cs))
        })?;
        member_ids.extend(ms);
        contract_ids.extend(cs);
        if quiet && every(i, n) {
            progress(&format!("  membres : {}/{n} coopératives", i + 1));
        }
    }

    // 2. Decisions: the CTC member, or the secretariat.
    progress("Décisions sur les contrats (CTC et secrétariat)…");
    for (i, coop) in world.coops.iter().enumerate() {
        let range = plan.by_coop[i].clone();
        ledger.run(&coop.approver, |tx| {
            for mi in range.clone() {
                for (c, id) in plan.members[mi].contracts.iter().zip(&contract_ids[mi]) {
                    if let Some((d, date)) = c.decision {
                        tx.decide_contract(*id, d, date)?;
                    }
                }
            }
            Ok(())
        })?;
    }

    // 3. Credit lines, drawdowns, allocations to the agents, purchase orders: the secretariat.
    progress("Prêteurs, lignes de crédit, tirages et dotations aux agents…");
    let allocations = plan.allocations();
    let purchase_orders = ledger.run(&world.sec, |tx| {
        let mut needed: HashMap<usize, i64> = HashMap::new();
        for (&(_, camp), &amount) in &allocations {
            *needed.entry(camp).or_insert(0) += amount;
        }
        let dedicated: Vec<usize> = asset
            .lenders
            .iter()
            .filter_map(|l| l.credit_line.campaign.as_deref())
            .filter_map(|k| world.camp_by_key(k).ok())
            .collect();
        for l in &asset.lenders {
            let lender = tx.add_lender(NewLender {
                id: None,
                name: l.name.clone(),
                kind: l.kind,
            })?;
            let spec = &l.credit_line;
            let (campaign_id, need) = match spec.campaign.as_deref() {
                Some(k) => {
                    let ci = world.camp_by_key(k)?;
                    (
                        Some(world.camps[ci].campaign.id),
                        needed.get(&ci).copied().unwrap_or(0),
                    )
                }
                None => (
                    None,
                    needed
                        .iter()
                        .filter(|(c, _)| !dedicated.contains(c))
                        .map(|(_, v)| *v)
                        .sum(),
                ),
            };
            // The demo's principal, or what a generated union needs (+20 %, in millions).
            let principal = spec
                .principal
                .max((need * 12 / 10 + 999_999) / 1_000_000 * 1_000_000);
            let line = tx.add_credit_line(NewCreditLine {
                id: None,
                lender_id: lender.id,
                campaign_id,
                principal: money(principal)?,
                annual_rate: spec.annual_rate,
                start: spec.start,
                maturity: spec.maturity,
                guarantee_share: spec.guarantee_share,
            })?;
            if need > 0 {
                tx.draw(NewDrawdown {
                    id: None,
                    credit_line_id: line.id,
                    amount: money(need)?,
                    date: spec.drawdown_date,
                })?;
            }
        }
        for (&(coop, camp), &amount) in &allocations {
            let c = &world.coops[coop];
            tx.allocate_funds(NewAllocation {
                id: None,
                campaign_id: world.camps[camp].campaign.id,
                agent_id: c.agent.agent,
                cooperative_id: c.id,
                amount: money(amount)?,
                date: asset.allocations_date,
            })?;
        }
        let mut po_bags: BTreeMap<(usize, usize), u32> = BTreeMap::new();
        for (&(_, camp, product), &bags) in &group_orders {
            *po_bags.entry((camp, product)).or_insert(0) += bags;
        }
        let mut pos = HashMap::new();
        for ((camp, product), bags) in po_bags {
            let po = tx.add_purchase_order(NewPurchaseOrder {
                id: None,
                campaign_id: world.camps[camp].campaign.id,
                supplier: asset.supplier.clone(),
                product_id: world.products[product].id,
                bags,
                unit_cost: world.products[product].cost,
                date: asset.fertilizer_dates.purchase_orders,
            })?;
            pos.insert((camp, product), po.id);
        }
        Ok(pos)
    })?;

    // 4. Advances: the field agent (one typing mistake, voided by a second person — the
    // cooperative's approver — before the right amount is paid).
    progress("Avances aux membres…");
    for (i, coop) in world.coops.iter().enumerate() {
        let range = plan.by_coop[i].clone();
        let voids = ledger.run(&coop.agent, |tx| {
            let mut voids = Vec::new();
            for mi in range.clone() {
                for (c, id) in plan.members[mi].contracts.iter().zip(&contract_ids[mi]) {
                    if let (Some(&(amount, date, mode)), Some(wrong)) =
                        (c.tranches.first(), c.wrong_tranche)
                    {
                        let x = tx.disburse_advance(DisburseAdvance {
                            id: None,
                            contract_id: *id,
                            amount: money(wrong)?,
                            date,
                            mode,
                        })?;
                        let reason = asset
                            .reasons
                            .disbursement
                            .replace("{wrong}", &money(wrong)?.to_string())
                            .replace("{right}", &money(amount)?.to_string());
                        voids.push(Reverse {
                            id: None,
                            target_kind: RecordKind::Disbursement,
                            target_id: x.id.to_string(),
                            reason,
                            date,
                        });
                    }
                }
            }
            Ok(voids)
        })?;
        void(ledger, &coop.approver, voids)?;
        ledger.run(&coop.agent, |tx| {
            for mi in range.clone() {
                for (c, id) in plan.members[mi].contracts.iter().zip(&contract_ids[mi]) {
                    for &(amount, date, mode) in &c.tranches {
                        tx.disburse_advance(DisburseAdvance {
                            id: None,
                            contract_id: *id,
                            amount: money(amount)?,
                            date,
                            mode,
                        })?;
                    }
                }
            }
            Ok(())
        })?;
    }

    // 5. Fertilizer: reception at the warehouse, then distribution to members.
    progress("Engrais : réceptions et distributions…");
    for (i, coop) in world.coops.iter().enumerate() {
        let range = plan.by_coop[i].clone();
        ledger.run(&coop.agent, |tx| {
            for (&(_, camp, product), &bags) in group_orders.range((i, 0, 0)..(i + 1, 0, 0)) {
                let Some(po) = purchase_orders.get(&(camp, product)) else {
                    continue;
                };
                let short = plan
                    .shortfalls
                    .get(&(i, camp, product))
                    .copied()
                    .unwrap_or(0);
                tx.receive_fertilizer(NewReception {
                    id: None,
                    purchase_order_id: *po,
                    warehouse_id: coop.warehouses[0],
                    bags_expected: bags,
                    bags_received: bags - short.min(bags),
                    date: asset.fertilizer_dates.receptions,
                    note: if short > 0 {
                        format!("{short} sacs manquants (déchirés au déchargement)")
                    } else {
                        String::new()
                    },
                })?;
            }
            for mi in range.clone() {
                for f in plan.members[mi].fertilizer.iter().filter(|f| f.bags > 0) {
                    tx.distribute_fertilizer(DistributeFertilizer {
                        id: None,
                        member_id: member_ids[mi],
                        campaign_id: world.camps[f.campaign].campaign.id,
                        product_id: world.products[f.product].id,
                        bags: f.bags,
                        cash_paid: money(f.cash)?,
                        date: f.date,
                    })?;
                }
            }
            Ok(())
        })?;
    }

    // 6. Deliveries, weighed at the warehouse (a weighing typed twice is voided).
    progress("Livraisons au magasin…");
    for (i, coop) in world.coops.iter().enumerate() {
        let range = plan.by_coop[i].clone();
        let voids = ledger.run(&coop.agent, |tx| {
            let mut voids = Vec::new();
            for mi in range.clone() {
                for (c, id) in plan.members[mi].contracts.iter().zip(&contract_ids[mi]) {
                    for (k, d) in c.deliveries.iter().enumerate() {
                        let cmd = RecordDelivery {
                            id: None,
                            member_id: member_ids[mi],
                            contract_id: *id,
                            warehouse_id: coop.warehouses[d.warehouse],
                            bags: d.bags,
                            gross: kg_tenths(d.gross)?,
                            moisture: Percent::from_tenths(d.moisture)?,
                            impurity: Percent::from_tenths(d.impurity)?,
                            date: d.date,
                        };
                        let first = tx.record_delivery(cmd.clone())?;
                        if k == 0 {
                            for _ in 0..c.duplicates {
                                let copy = tx.record_delivery(cmd.clone())?;
                                voids.push(Reverse {
                                    id: None,
                                    target_kind: RecordKind::Delivery,
                                    target_id: copy.id.to_string(),
                                    reason: asset
                                        .reasons
                                        .delivery
                                        .replace("{receipt}", &first.recorded.receipt),
                                    date: d.date,
                                });
                            }
                        }
                    }
                }
            }
            Ok(voids)
        })?;
        void(ledger, &coop.approver, voids)?;
        if quiet && every(i, n) {
            progress(&format!("  livraisons : {}/{n} coopératives", i + 1));
        }
    }

    // 7. A sale lot drawn from stock: the secretariat (marketing committee).
    progress("Vente d'un lot…");
    let sale = &asset.sale;
    let lots: Vec<usize> = if quiet {
        // Generated: one lot every 10 cooperatives growing the crop.
        world
            .coops
            .iter()
            .enumerate()
            .filter(|(_, c)| c.spec.families.contains(&sale.crop.family()))
            .map(|(i, _)| i)
            .step_by(10)
            .collect()
    } else {
        world
            .coops
            .iter()
            .position(|c| c.spec.code == sale.cooperative)
            .into_iter()
            .collect()
    };
    let camp = world
        .camps
        .iter()
        .find(|c| c.campaign.price(sale.crop).is_ok())
        .map(|c| c.campaign.id);
    if let Some(campaign_id) = camp {
        ledger.run(&world.sec, |tx| {
            for i in lots {
                let w = world.coops[i].warehouses[0];
                let stock = tx.db().warehouse_stock(w, sale.crop)?;
                let kg = stock.tenths() * sale.share_percent / 100 / 1_000 * 1_000;
                if kg <= 0 {
                    continue;
                }
                tx.add_sale_lot(NewSaleLot {
                    id: None,
                    campaign_id,
                    crop: sale.crop,
                    buyer: sale.buyer.clone(),
                    sources: vec![LotSource {
                        warehouse_id: w,
                        kg: kg_tenths(kg)?,
                    }],
                    price_per_kg: money(sale.price_per_kg)?,
                    costs: money(kg / 10 * sale.costs_per_kg)?,
                    date: sale.date,
                })?;
            }
            Ok(())
        })?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// What a sync brings to the office: the demo's conflict queue
// ---------------------------------------------------------------------------------------------

/// Gives the demo union what the secretariat meets after a sync: the field agent of the last
/// cooperative took a spare tablet to the villages and, offline, registered again a member
/// already registered on the agent's laptop. The tablet is a real second device: a replica in
/// memory, enrolled and synced with this store through the same merge as the hub's, so the
/// member registered twice reaches the conflict queue the way it would in the field (a probable
/// duplicate, `(doublon probable)`). Returns the number of open conflicts afterwards.
///
/// Run after [`load_demo`] (the desktop's demo does); the tests of the demo itself do without.
///
/// # Errors
/// No demo union in the store, sync and store errors.
pub fn office_inbox(ledger: &mut Ledger) -> Result<u32> {
    use crate::sync::Scope;

    let sec = ledger.local_actor()?;
    let (coop, agent, original) = {
        let db = ledger.db();
        let mut coops = db.cooperatives()?;
        coops.sort_by(|a, b| a.code.cmp(&b.code));
        let coop = coops
            .pop()
            .ok_or_else(|| AppError::Mismatch("démo : aucune coopérative".into()))?;
        let mut agent = None;
        for id in db.agent_ids()? {
            if let Some(a) = db.agent(id)? {
                if a.role == Role::FieldAgent && a.cooperatives.contains(&coop.id) {
                    agent = Some(a);
                }
            }
        }
        let agent = agent.ok_or_else(|| {
            AppError::Mismatch(format!("démo : aucun agent ne suit {}", coop.code))
        })?;
        let mut members = db.members(Some(coop.id))?;
        members.sort_by(|a, b| a.number.cmp(&b.number));
        let original = members
            .pop()
            .ok_or_else(|| AppError::Mismatch(format!("démo : {} n'a aucun membre", coop.code)))?;
        (coop, agent, original)
    };
    let tablet = ledger.run(&sec, |tx| {
        tx.add_device(NewDevice {
            id: None,
            label: format!("Tablette de secours ({})", agent.name),
            receipt_prefix: "TAB1".into(),
        })
    })?;
    let actor = Actor {
        agent: agent.id,
        device: tablet.id,
    };
    let scope = Scope::Device {
        device: tablet.id,
        agent: agent.id,
        role: agent.role,
        cooperatives: agent.cooperatives.clone(),
    };
    let mut replica = Ledger::with_clock(
        sene_store::Store::open_in_memory()?,
        Box::new(crate::FixedClock::new(ledger.now())),
    );
    replica.join(&actor)?;
    let peer = tablet.id.to_string();
    exchange(ledger, &mut replica, &peer, &scope)?;
    replica.run(&actor, |tx| {
        tx.register_member(
            NewMember {
                id: None,
                cooperative_id: coop.id,
                number: format!("{}-9001", coop.code),
                full_name: original.full_name.clone(),
                sex: original.sex,
                birth_year: original.birth_year,
                village: original.village.clone(),
                phone: original.phone.clone(),
                nina: None,
                crops: original.crops.clone(),
            },
            true,
        )
    })?;
    exchange(ledger, &mut replica, &peer, &scope)?;
    Ok(u32::try_from(ledger.conflicts(true)?.len()).unwrap_or(u32::MAX))
}

/// The client's loop without HTTP (`office` plays the hub): until neither side has anything to
/// say. Refusals are errors here: the demo's tablet writes only what its scope allows.
fn exchange(
    office: &mut Ledger,
    device: &mut Ledger,
    peer: &str,
    scope: &crate::sync::Scope,
) -> Result<()> {
    use crate::sync::Scope;
    device.sync_reset("hub")?;
    office.sync_reset(peer)?;
    for _ in 0..8 {
        let up = device.sync_outgoing("hub", &Scope::Everything)?;
        let (report, down) = office.sync_exchange(peer, &up, scope)?;
        let pulled = device.sync_incoming("hub", &down, &Scope::Everything)?;
        if let Some(r) = report.refused.first().or_else(|| pulled.refused.first()) {
            return Err(AppError::Mismatch(format!(
                "démo : synchronisation refusée : {r:?}"
            )));
        }
        if up.items.is_empty() && down.items.is_empty() {
            return Ok(());
        }
    }
    Err(AppError::Mismatch(
        "démo : pas d'accord après 8 échanges".into(),
    ))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::FixedClock;
    use chrono::{TimeZone, Utc};
    use sene_store::Store;

    fn ledger() -> Ledger {
        let clock = FixedClock::new(Utc.with_ymd_and_hms(2027, 1, 15, 9, 0, 0).unwrap());
        Ledger::with_clock(Store::open_in_memory().unwrap(), Box::new(clock))
    }

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn the_asset_parses() {
        let a = asset().unwrap();
        assert_eq!(a.cooperatives.len(), 5);
        assert_eq!(a.campaigns.len(), 3);
        assert_eq!(a.campaigns[0].prices[0].base_price.francs(), 225);
        assert_eq!(
            a.campaigns[1].fee,
            FeeModel::Flat {
                rate: "0.02".parse().unwrap()
            }
        );
        assert!(a.names.female.len() >= 20 && a.names.male.len() >= 20);
    }

    #[test]
    fn the_rng_is_deterministic() {
        let mut a = Rng::new(7);
        let mut b = Rng::new(7);
        let xs: Vec<u64> = (0..20).map(|_| a.below(1000)).collect();
        let ys: Vec<u64> = (0..20).map(|_| b.below(1000)).collect();
        assert_eq!(xs, ys);
        let mut r = Rng::new(1);
        for _ in 0..1000 {
            let x = r.range(3, 5);
            assert!((3..=5).contains(&x));
            let d = r.date(day(2026, 1, 1), day(2026, 1, 3));
            assert!(d >= day(2026, 1, 1) && d <= day(2026, 1, 3));
        }
        // distinct phones for distinct indices
        let mut seen = HashSet::new();
        for i in 0..20_000 {
            let p = phone(&mut r, i);
            assert!(seen.insert(p[6..].to_owned()), "{p}");
            assert_eq!(sene_domain::validate::phone(&p).unwrap(), p);
        }
    }

    #[test]
    fn the_demo_is_a_believable_season() {
        let mut l = ledger();
        let mut lines = Vec::new();
        let s = load_demo(&mut l, &mut |m| lines.push(m.to_owned())).unwrap();
        println!("{s:?}");
        assert!(lines.len() >= 7, "{lines:?}");
        assert_eq!(s.cooperatives, 5);
        assert_eq!(s.members, 125);
        assert_eq!(s.campaigns, 3);
        assert!(s.contracts >= 110, "{s:?}");
        assert!(s.disbursements >= 90, "{s:?}");
        assert!(s.deliveries >= 150, "{s:?}");
        assert!(s.distributions >= 50, "{s:?}");
        let db = l.db();
        assert_eq!(db.count(Table::Warehouses).unwrap(), 7);
        assert_eq!(db.count(Table::Agents).unwrap(), 7);
        assert_eq!(db.count(Table::Devices).unwrap(), 7);
        assert_eq!(db.count(Table::Lenders).unwrap(), 2);
        assert_eq!(db.count(Table::CreditLines).unwrap(), 2);
        assert_eq!(db.count(Table::Drawdowns).unwrap(), 2);
        assert_eq!(db.count(Table::Reversals).unwrap(), 2);
        assert_eq!(db.count(Table::SaleLots).unwrap(), 1);
        assert_eq!(db.count(Table::FertilizerProducts).unwrap(), 3);
        assert!(db.count(Table::FundAllocations).unwrap() >= 5);
        assert!(db.count(Table::Receptions).unwrap() >= 5);
        assert!(db.count(Table::GroupOrders).unwrap() >= 5);
        assert_eq!(
            db.count(Table::PurchaseOrders).unwrap(),
            4,
            "urea + DAP for rice, NPK + urea for cereals"
        );
        // Contract states: a few still requested, one rejected.
        let members = db.members(None).unwrap();
        let women = members.iter().filter(|m| m.sex == Sex::Female).count();
        assert!((15..=50).contains(&women), "{women} women");
        assert!(members.iter().filter(|m| m.phone.is_none()).count() >= 3);
        let mut states = BTreeMap::new();
        for m in &members {
            for c in db.member_contracts(m.id, None).unwrap() {
                *states.entry(c.state).or_insert(0) += 1;
            }
        }
        assert_eq!(states.get(&ContractState::Rejected), Some(&1), "{states:?}");
        assert_eq!(
            states.get(&ContractState::Requested),
            Some(&3),
            "{states:?}"
        );
        assert!(states.get(&ContractState::Delivering).copied().unwrap_or(0) > 80);

        let date = day(2027, 1, 15);
        let mut positive = 0;
        let mut in_debt = 0;
        for id in db.campaign_ids().unwrap() {
            let r = l.settle_campaign(id, date).unwrap();
            let t = &r.totals;
            let sum = |f: fn(&crate::reports::MemberLine) -> i64| -> i64 {
                r.members.iter().map(f).sum()
            };
            assert_eq!(t.members as usize, r.members.len());
            assert_eq!(t.net.francs(), sum(|m| m.net.francs()));
            assert_eq!(t.advances.francs(), sum(|m| m.advances.francs()));
            assert_eq!(t.payable.francs() - t.debt.francs(), t.net.francs());
            assert_eq!(
                t.delivered_value.francs()
                    - t.advances.francs()
                    - t.fees.francs()
                    - t.fertilizer_credit.francs(),
                t.net.francs()
            );
            let p = r.members.iter().filter(|m| m.net.is_positive()).count();
            let d = r.members.iter().filter(|m| m.net.is_negative()).count();
            println!(
                "{}: {} membres, valeur livrée {}, avances {}, frais {}, engrais à crédit {}, net {} ; {} positifs, {} endettés (dette {})",
                r.campaign,
                t.members,
                t.delivered_value,
                t.advances,
                t.fees,
                t.fertilizer_credit,
                t.net,
                p,
                d,
                t.debt
            );
            assert!(p > 2 * d, "{}: {p} positive, {d} in debt", r.campaign);
            assert!(t.net.is_positive(), "{}", r.campaign);
            positive += p;
            in_debt += d;
            // The campaign report agrees with the settlement on advances.
            let cr = l.campaign_report(id).unwrap();
            assert_eq!(cr.total.disbursed, t.advances);
        }
        assert!(in_debt >= 3, "{in_debt} in debt");
        assert!(positive >= 8 * in_debt / 2, "{positive} vs {in_debt}");

        // The agents' cash reconciles: funds received ≥ advances paid out.
        for a in db.agent_ids().unwrap() {
            for c in db.campaign_ids().unwrap() {
                let cash = crate::reports::agent_cash(&db, a, c).unwrap();
                assert!(!cash.to_return.is_negative(), "{cash:?}");
            }
        }

        let again = load_demo(&mut l, &mut |_| {});
        assert!(
            matches!(again, Err(AppError::AlreadyInitialized(ref n)) if n.contains("Ségou")),
            "{again:?}"
        );
        let again = generate_union(&mut l, Scale::UNION, 1, &mut |_| {});
        assert!(matches!(again, Err(AppError::AlreadyInitialized(_))));
    }

    #[test]
    fn the_office_inbox_holds_a_member_registered_twice_on_two_devices() {
        let mut l = ledger();
        load_demo(&mut l, &mut |_| {}).unwrap();
        let members_before = l.db().members(None).unwrap().len();
        assert!(l.conflicts(true).unwrap().is_empty());
        assert_eq!(office_inbox(&mut l).unwrap(), 1);
        let q = l.conflicts(true).unwrap();
        assert_eq!(q.len(), 1, "{q:?}");
        assert_eq!(q[0].record_table, "members");
        assert_eq!(q[0].field, "(doublon probable)");
        // the second registration arrived by the merge, under the tablet's agent
        let members = l.db().members(None).unwrap();
        assert_eq!(members.len(), members_before + 1);
        let twice: Vec<_> = members
            .iter()
            .filter(|m| m.number.ends_with("-9001"))
            .collect();
        assert_eq!(twice.len(), 1);
        assert!(members
            .iter()
            .any(|m| m.id != twice[0].id && m.full_name == twice[0].full_name));
        // the secretariat resolves it with a reason: the queue is empty
        let sec = l.local_actor().unwrap();
        let id = q[0].id.clone();
        l.resolve_conflict(
            &sec,
            &id,
            None,
            "même personne : le second numéro sera radié",
        )
        .unwrap();
        assert!(l.conflicts(true).unwrap().is_empty());
    }

    #[test]
    fn the_demo_is_deterministic() {
        let dump = || {
            let mut l = ledger();
            load_demo(&mut l, &mut |_| {}).unwrap();
            let db = l.db();
            let mut out: Vec<String> = db
                .members(None)
                .unwrap()
                .into_iter()
                .map(|m| {
                    format!(
                        "{} {} {:?} {:?}",
                        m.number, m.full_name, m.phone, m.birth_year
                    )
                })
                .collect();
            for id in db.campaign_ids().unwrap() {
                let r = l.settle_campaign(id, day(2027, 1, 15)).unwrap();
                out.push(format!("{} {:?}", r.campaign, r.totals));
            }
            out
        };
        assert_eq!(dump(), dump());
    }

    #[test]
    fn a_generated_union_has_exactly_the_counts_asked() {
        let scale = Scale {
            cooperatives: 3,
            members: 60,
            contracts: 60,
            deliveries: 300,
            distributions: 50,
        };
        let mut l = ledger();
        let mut lines = 0;
        let s = generate_union(&mut l, scale, 42, &mut |_| lines += 1).unwrap();
        assert!(lines > 3);
        let db = l.db();
        let n = |t| db.count(t).unwrap();
        assert_eq!(n(Table::Cooperatives), 3);
        assert_eq!(n(Table::Members), 60);
        assert_eq!(n(Table::Contracts), 60);
        assert_eq!(n(Table::Deliveries), 300);
        assert_eq!(n(Table::FertilizerDistributions), 50);
        assert_eq!(s.members, 60);
        assert_eq!(s.deliveries, 300);
        assert_eq!(s.campaigns, 3);
        assert!(n(Table::Reversals) >= 1);
        for id in db.campaign_ids().unwrap() {
            let r = l.settle_campaign(id, day(2027, 1, 15)).unwrap();
            let d = r.members.iter().filter(|m| m.net.is_negative()).count();
            assert!(
                d * 3 <= r.members.len().max(1),
                "{}: {d} in debt",
                r.campaign
            );
        }
    }

    #[test]
    fn odd_scales_are_met_exactly() {
        for scale in [
            Scale {
                cooperatives: 2,
                members: 7,
                contracts: 15,
                deliveries: 5,
                distributions: 9,
            },
            Scale {
                cooperatives: 4,
                members: 41,
                contracts: 20,
                deliveries: 0,
                distributions: 0,
            },
        ] {
            let mut l = ledger();
            let s = generate_union(&mut l, scale, 3, &mut |_| {}).unwrap();
            assert_eq!(s.cooperatives, scale.cooperatives);
            assert_eq!(s.members, scale.members);
            assert_eq!(s.contracts, scale.contracts);
            assert_eq!(s.deliveries, scale.deliveries);
            assert_eq!(s.distributions, scale.distributions);
        }
    }
}
