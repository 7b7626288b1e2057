//! The organisation of a generated union: cooperatives placed in the asset's villages, their
//! warehouses, and the field agents and CTC members who follow them.

use std::collections::HashSet;

use sene_domain::validate::fold;
use sene_domain::*;

use super::asset::{AgentSpec, Asset, CoopSpec, WarehouseSpec};
use super::rng::{phone, Rng};
use super::Scale;
use crate::{AppError, Result};

/// Cooperatives per field agent in a generated union (30 agents for 150 cooperatives).
const COOPS_PER_AGENT: usize = 5;
/// Cooperatives per CTC member in a generated union.
const COOPS_PER_CTC: usize = 30;

pub(super) fn generated_organisation(
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
