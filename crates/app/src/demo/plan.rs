//! The plan of a season: who joins, contracts, is approved, paid, delivers and receives
//! fertilizer, and when; drawn from the seed, nothing written (the execution writes it).

use std::collections::{BTreeMap, HashSet};

use chrono::NaiveDate;
use sene_domain::validate::fold;
use sene_domain::*;

use super::asset::Asset;
use super::rng::{add_days, clamp_date, kg_tenths, phone, Rng};
use super::setup::{CampW, World};
use super::Scale;
use crate::org::NewMember;
use crate::season::Decision;
use crate::{AppError, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Mode {
    /// The shipped demo: counts follow from the story.
    Demo,
    /// Exactly these counts.
    Exact(Scale),
}

pub(super) struct MemberPlan {
    pub(super) coop: usize,
    pub(super) cmd: NewMember,
    pub(super) contracts: Vec<ContractPlan>,
    pub(super) fertilizer: Vec<FertPlan>,
}

pub(super) struct ContractPlan {
    pub(super) campaign: usize,
    pub(super) crop: Crop,
    /// Tenths of kg.
    pub(super) committed: i64,
    pub(super) requested: NaiveDate,
    pub(super) decision: Option<(Decision, NaiveDate)>,
    /// Francs, date, mode.
    pub(super) tranches: Vec<(i64, NaiveDate, PayMode)>,
    /// A wrong first amount, recorded then reversed before the right one.
    pub(super) wrong_tranche: Option<i64>,
    /// Target net kg delivered so far (tenths), and in how many deliveries.
    pub(super) target: i64,
    pub(super) n_deliveries: usize,
    pub(super) deliveries: Vec<DeliveryPlan>,
    /// Times the first delivery was typed twice (each copy voided).
    pub(super) duplicates: u32,
}

pub(super) struct DeliveryPlan {
    /// Index in the cooperative's warehouses.
    pub(super) warehouse: usize,
    pub(super) bags: u32,
    /// Tenths.
    pub(super) gross: i64,
    pub(super) moisture: i64,
    pub(super) impurity: i64,
    pub(super) date: NaiveDate,
}

pub(super) struct FertPlan {
    pub(super) campaign: usize,
    pub(super) product: usize,
    /// Bags asked for.
    pub(super) need: u32,
    /// Bags handed out (0: not yet, the contract is not approved).
    pub(super) bags: u32,
    pub(super) cash: i64,
    pub(super) date: NaiveDate,
}

pub(super) struct Plan {
    /// Grouped by cooperative, in cooperative order.
    pub(super) members: Vec<MemberPlan>,
    /// Member index ranges per cooperative.
    pub(super) by_coop: Vec<std::ops::Range<usize>>,
    /// (coop, campaign, product) → bags received short.
    pub(super) shortfalls: BTreeMap<(usize, usize, usize), u32>,
}

impl Plan {
    pub(super) fn group_orders(&self) -> BTreeMap<(usize, usize, usize), u32> {
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
    pub(super) fn allocations(&self) -> BTreeMap<(usize, usize), i64> {
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

pub(super) fn plan_season(rng: &mut Rng, asset: &Asset, world: &World, mode: Mode) -> Result<Plan> {
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
