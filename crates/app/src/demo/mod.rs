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
//! Everything is deterministic from a seed (a small SplitMix64, `rng.rs`): the same seed gives
//! the same members, amounts, weights and dates (record ids are fresh UUIDv7s).
//!
//! The season is "in progress" in mid-January 2027: contracts were approved and advances paid in
//! June–August 2026, fertilizer handed out in June–July, and deliveries run from October (cereals)
//! or November (paddy) to mid-January; a few members have not delivered yet and are in debt at
//! that date, most have a positive balance.
//!
//! Transactions: [`Ledger::run`] commits (and syncs) once per call, so the generator batches the
//! use cases of one cooperative and one phase (members and contracts, decisions, advances,
//! fertilizer, deliveries) in one call.
//!
//! This file holds the entry points ([`load_demo`], [`generate_union`], [`office_inbox`]) and
//! their types; the steps are one file each below `demo/`: the asset's schema (`asset.rs`), the
//! seeded randomness (`rng.rs`), a generated union's organisation (`organisation.rs`), the setup
//! of the union (`setup.rs`), the plan of the season (`plan.rs`), its execution through the use
//! cases (`execute.rs`) and the office's conflict queue (`inbox.rs`).

use sene_store::Table;
use serde::{Deserialize, Serialize};

use crate::steps::Step;
use crate::{AppError, Ledger, Result};

mod asset;
mod execute;
mod inbox;
mod organisation;
mod plan;
mod rng;
mod setup;
#[cfg(test)]
mod tests;

use asset::{Asset, SecretariatSpec};
use execute::execute;
pub use inbox::office_inbox;
use organisation::generated_organisation;
use plan::{plan_season, Mode};
use rng::Rng;
use setup::setup;

/// The demo union, embedded in the binary.
const ASSET: &str = include_str!("../../../../assets/demo/union.json");

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
    load_demo_steps(ledger, &mut lines(progress))
}

/// The steps' texts, each once (the ticks between two texts repeat the last one).
fn lines(progress: &mut dyn FnMut(&str)) -> impl FnMut(&Step) + '_ {
    let mut last = String::new();
    move |s: &Step| {
        if s.text != last {
            s.text.clone_into(&mut last);
            progress(&s.text);
        }
    }
}

/// [`load_demo`], each step with how far along the work is ([`Step`]: the last one is done).
///
/// # Errors
/// As [`load_demo`].
pub fn load_demo_steps(
    ledger: &mut Ledger,
    progress: &mut dyn FnMut(&Step),
) -> Result<DemoSummary> {
    ensure_empty(ledger)?;
    let asset = asset()?;
    progress(&Step {
        done: 0,
        total: execute::units(asset.cooperatives.len()),
        text: "Union, coopératives, magasins, agents et campagnes…".into(),
    });
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
    generate_union_steps(ledger, scale, seed, &mut lines(progress))
}

/// [`generate_union`], each step with how far along the work is ([`Step`]: the last one is
/// done).
///
/// # Errors
/// As [`load_demo`].
pub fn generate_union_steps(
    ledger: &mut Ledger,
    scale: Scale,
    seed: u64,
    progress: &mut dyn FnMut(&Step),
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
    progress(&Step {
        done: 0,
        total: execute::units(coops.len()),
        text: format!(
            "Union générée : {} coopératives, {} agents, {} membres…",
            coops.len(),
            agents.len(),
            scale.members
        ),
    });
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
