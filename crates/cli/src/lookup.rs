//! Finding records by the names people use: cooperative code, member number, campaign name,
//! warehouse name, agent name, product and lender name, or a UUID. Only reads; no rule.

use sene_domain::validate::fold;
use sene_domain::*;
use sene_store::{Db, Table};

use crate::error::{CliError, CliResult};
use crate::lang::num;

/// A name that matches several records: what it names and the hint, in both languages.
struct Ambiguous<'a> {
    what: (&'a str, &'a str),
    hint: (&'a str, &'a str),
}

fn ambiguous(a: Ambiguous<'_>, key: &str, fr: &[String], en: &[String]) -> CliError {
    let (what_fr, what_en) = a.what;
    let (hint_fr, hint_en) = a.hint;
    CliError::msg(
        "ambiguous",
        format!(
            "{what_fr} « {key} » est ambigu : {} ; {hint_fr}",
            fr.join(", ")
        ),
        format!(
            "{what_en} \"{key}\" is ambiguous: {}; {hint_en}",
            en.join(", ")
        ),
    )
}

/// A cooperative by code or UUID.
pub fn cooperative(db: &Db<'_>, key: &str) -> CliResult<Cooperative> {
    let found = match key.parse::<CooperativeId>() {
        Ok(id) => db.cooperative(id)?,
        Err(_) => db.cooperative_by_code(&key.trim().to_uppercase())?,
    };
    found.ok_or_else(|| CliError::not_found("coopérative", key))
}

/// An optional cooperative.
pub fn opt_cooperative(db: &Db<'_>, key: Option<&str>) -> CliResult<Option<Cooperative>> {
    key.map(|k| cooperative(db, k)).transpose()
}

/// A member by UUID or number (`DIO-0042`), in `coop` when given.
pub fn member(db: &Db<'_>, key: &str, coop: Option<&str>) -> CliResult<Member> {
    if let Ok(id) = key.parse::<MemberId>() {
        return db
            .member(id)?
            .ok_or_else(|| CliError::not_found("membre", key));
    }
    let number = key.trim().to_uppercase();
    if let Some(c) = coop {
        let c = cooperative(db, c)?;
        return db
            .member_by_number(c.id, &number)?
            .ok_or_else(|| CliError::not_found("membre", format!("{number} ({})", c.code)));
    }
    let mut found = Vec::new();
    for c in db.cooperatives()? {
        if let Some(m) = db.member_by_number(c.id, &number)? {
            found.push((c.code, m));
        }
    }
    match found.len() {
        0 => Err(CliError::not_found("membre", key)),
        1 => Ok(found.remove(0).1),
        _ => {
            let options: Vec<String> = found
                .iter()
                .map(|(code, m)| format!("{} ({code})", m.full_name))
                .collect();
            Err(ambiguous(
                Ambiguous {
                    what: ("le numéro de membre", "member number"),
                    hint: ("précisez --cooperative CODE", "give --cooperative CODE"),
                },
                key,
                &options,
                &options,
            ))
        }
    }
}

/// A campaign by name (case-insensitive) or UUID.
pub fn campaign(db: &Db<'_>, key: &str) -> CliResult<Campaign> {
    let id = match key.parse::<CampaignId>() {
        Ok(id) => Some(id),
        Err(_) => db.campaign_by_name(key)?,
    };
    match id {
        Some(id) => db
            .campaign(id)?
            .ok_or_else(|| CliError::not_found("campagne", key)),
        None => Err(CliError::not_found("campagne", key)),
    }
}

/// The named campaign, or every campaign.
pub fn campaigns(db: &Db<'_>, key: Option<&str>) -> CliResult<Vec<Campaign>> {
    if let Some(k) = key {
        return Ok(vec![campaign(db, k)?]);
    }
    let mut out = Vec::new();
    for id in db.campaign_ids()? {
        if let Some(c) = db.campaign(id)? {
            out.push(c);
        }
    }
    Ok(out)
}

fn open(state: ContractState) -> bool {
    matches!(
        state,
        ContractState::Requested
            | ContractState::Approved
            | ContractState::Disbursed
            | ContractState::Delivering
    )
}

/// A contract by UUID, or by the number of a member who has one contract (in `campaign` when
/// given; among several, the only one still open).
pub fn contract(
    db: &Db<'_>,
    key: &str,
    coop: Option<&str>,
    campaign_key: Option<&str>,
) -> CliResult<Contract> {
    if let Ok(id) = key.parse::<ContractId>() {
        return db
            .contract(id)?
            .ok_or_else(|| CliError::not_found("contrat", key));
    }
    let m = member(db, key, coop)?;
    let camp = campaign_key.map(|k| campaign(db, k)).transpose()?;
    let all = db.member_contracts(m.id, camp.map(|c| c.id))?;
    if let [one] = all.as_slice() {
        return Ok(one.clone());
    }
    if all.is_empty() {
        return Err(CliError::msg(
            "not_found",
            format!(
                "le membre {} n'a aucun contrat{}",
                m.number,
                if campaign_key.is_some() {
                    " dans cette campagne"
                } else {
                    ""
                }
            ),
            format!(
                "member {} has no contract{}",
                m.number,
                if campaign_key.is_some() {
                    " in this campaign"
                } else {
                    ""
                }
            ),
        ));
    }
    let open_ones: Vec<&Contract> = all.iter().filter(|c| open(c.state)).collect();
    if let [one] = open_ones.as_slice() {
        return Ok((*one).clone());
    }
    let fr: Vec<String> = all
        .iter()
        .map(|c| format!("{} ({}, {}, {})", c.id, c.crop, c.committed, c.state))
        .collect();
    let en: Vec<String> = all
        .iter()
        .map(|c| {
            format!(
                "{} ({}, {}, {})",
                c.id,
                c.crop.label_en(),
                num(Lang::En, c.committed),
                c.state.label_en()
            )
        })
        .collect();
    Err(ambiguous(
        Ambiguous {
            what: ("le contrat du membre", "the contract of member"),
            hint: (
                "donnez l'UUID du contrat ou --campaign",
                "give the contract's UUID or --campaign",
            ),
        },
        key,
        &fr,
        &en,
    ))
}

/// A warehouse by UUID, `CODE/name`, or name (in `coop` when given).
pub fn warehouse(db: &Db<'_>, key: &str, coop: Option<CooperativeId>) -> CliResult<Warehouse> {
    if let Ok(id) = key.parse::<WarehouseId>() {
        return db
            .warehouse(id)?
            .ok_or_else(|| CliError::not_found("magasin", key));
    }
    let (coop, name) = match key.split_once('/') {
        Some((code, name)) => (Some(cooperative(db, code)?.id), name),
        None => (coop, key),
    };
    let want = fold(name);
    let found: Vec<Warehouse> = db
        .warehouses(coop)?
        .into_iter()
        .filter(|w| fold(&w.name) == want)
        .collect();
    match found.as_slice() {
        [] => Err(CliError::not_found("magasin", key)),
        [one] => Ok(one.clone()),
        many => {
            let mut opts = Vec::new();
            for w in many {
                let code = db
                    .cooperative(w.cooperative_id)?
                    .map(|c| c.code)
                    .unwrap_or_default();
                opts.push(format!("{code}/{}", w.name));
            }
            Err(ambiguous(
                Ambiguous {
                    what: ("le magasin", "warehouse"),
                    hint: ("écrivez CODE/nom", "write CODE/name"),
                },
                key,
                &opts,
                &opts,
            ))
        }
    }
}

/// Every agent, by name.
pub fn agents(db: &Db<'_>) -> CliResult<Vec<Agent>> {
    let mut out = Vec::new();
    for id in db.agent_ids()? {
        if let Some(a) = db.agent(id)? {
            out.push(a);
        }
    }
    Ok(out)
}

/// An agent by UUID or name.
pub fn agent(db: &Db<'_>, key: &str) -> CliResult<Agent> {
    if let Ok(id) = key.parse::<AgentId>() {
        return db
            .agent(id)?
            .ok_or_else(|| CliError::not_found("agent", key));
    }
    let want = fold(key);
    let mut found: Vec<Agent> = agents(db)?
        .into_iter()
        .filter(|a| fold(&a.name) == want)
        .collect();
    match found.len() {
        0 => Err(CliError::not_found("agent", key)),
        1 => Ok(found.remove(0)),
        _ => {
            let ids: Vec<String> = found.iter().map(|a| a.id.to_string()).collect();
            Err(ambiguous(
                Ambiguous {
                    what: ("le nom d'agent", "agent name"),
                    hint: ("donnez l'UUID de l'agent", "give the agent's UUID"),
                },
                key,
                &ids,
                &ids,
            ))
        }
    }
}

/// The id of a row named `key` (UUID or `name` column) in a table with a unique name.
fn by_name(db: &Db<'_>, table: Table, key: &str) -> CliResult<Option<String>> {
    let want = fold(key);
    Ok(db
        .list_rows(table, u32::MAX)?
        .into_iter()
        .find(|r| {
            r.get("id").and_then(|v| v.as_str()) == Some(key.trim())
                || r.get("name").and_then(|v| v.as_str()).map(fold) == Some(want.clone())
        })
        .and_then(|r| r.get("id").and_then(|v| v.as_str()).map(str::to_owned)))
}

/// A fertilizer product by name or UUID.
pub fn product(db: &Db<'_>, key: &str) -> CliResult<FertilizerProduct> {
    let id = by_name(db, Table::FertilizerProducts, key)?
        .and_then(|s| s.parse::<ProductId>().ok())
        .ok_or_else(|| CliError::not_found("produit", key))?;
    db.product(id)?
        .ok_or_else(|| CliError::not_found("produit", key))
}

/// A lender by name or UUID.
pub fn lender(db: &Db<'_>, key: &str) -> CliResult<LenderId> {
    by_name(db, Table::Lenders, key)?
        .and_then(|s| s.parse::<LenderId>().ok())
        .ok_or_else(|| CliError::not_found("prêteur", key))
}
