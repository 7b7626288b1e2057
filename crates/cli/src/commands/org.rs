//! `init`, `demo`, and the organisation: cooperatives, warehouses, agents, devices, members.

use sene_app::demo::{self, Scale};
use sene_app::org::{NewAgent, NewCooperative, NewDevice, NewMember, NewWarehouse};
use sene_app::InitUnion;
use sene_domain::*;
use serde_json::json;

use super::{lookup, Ctx};
use crate::cli::*;
use crate::error::{CliError, CliResult};
use crate::output::{self, Output};
use crate::parse;

/// A small generated union (`demo --scale small`): quick to build, every kind of record.
pub const SMALL: Scale = Scale {
    cooperatives: 4,
    members: 120,
    contracts: 100,
    deliveries: 400,
    distributions: 80,
};

pub fn init(ctx: &mut Ctx, a: InitArgs) -> CliResult<Output> {
    let Some(agent_name) = ctx.agent.take() else {
        return Err(CliError::msg(
            "invalid_argument",
            "init : donnez le nom du premier agent (secrétariat) avec --agent NOM",
            "init: give the first (secretariat) agent's name with --agent NAME",
        ));
    };
    let actor = ctx.ledger.init(&InitUnion {
        union_name: a.union,
        region: a.region,
        agent_name,
        device_label: a.device,
        receipt_prefix: a.prefix,
    })?;
    let union = ctx.ledger.union()?;
    let out = Output::new(&json!({
        "union": union,
        "agent_id": actor.agent,
        "device_id": actor.device,
        "store": ctx.store.display().to_string(),
    }))?;
    Ok(out
        .line(format!(
            "Union « {} » ({}) créée dans {}",
            union.name,
            union.region,
            ctx.store.display()
        ))
        .line(format!("agent (secrétariat) : {}", actor.agent))
        .line(format!("appareil : {}", actor.device)))
}

pub fn demo(ctx: &mut Ctx, a: DemoArgs) -> CliResult<Output> {
    let json = ctx.json;
    let mut progress = |l: &str| output::progress(json, l);
    let summary = match a
        .scale
        .as_deref()
        .map(sene_domain::validate::fold)
        .as_deref()
    {
        None => demo::load_demo(&mut ctx.ledger, &mut progress)?,
        Some("small" | "petite" | "petit") => {
            demo::generate_union(&mut ctx.ledger, SMALL, a.seed, &mut progress)?
        }
        Some("union" | "full" | "complete") => {
            demo::generate_union(&mut ctx.ledger, Scale::UNION, a.seed, &mut progress)?
        }
        Some(_) => {
            return Err(CliError::msg(
                "invalid_argument",
                format!(
                    "--scale : « {} » inconnu (small ou union)",
                    a.scale.as_deref().unwrap_or_default()
                ),
                format!(
                    "--scale: unknown \"{}\" (small or union)",
                    a.scale.as_deref().unwrap_or_default()
                ),
            ))
        }
    };
    let out = Output::new(&summary)?;
    Ok(out.line(format!(
        "Démo chargée : {} coopératives, {} membres, {} campagnes, {} contrats, {} avances, {} livraisons, {} distributions d'engrais",
        summary.cooperatives,
        summary.members,
        summary.campaigns,
        summary.contracts,
        summary.disbursements,
        summary.deliveries,
        summary.distributions
    )))
}

fn coop_line(c: &Cooperative) -> String {
    format!(
        "{:<8} {}  — {}, {}, {}, {}",
        c.code, c.name, c.village, c.commune, c.cercle, c.region
    )
}

pub fn cooperative(ctx: &mut Ctx, c: CooperativeCmd) -> CliResult<Output> {
    match c {
        CooperativeCmd::Add(a) => {
            let cmd = NewCooperative {
                id: parse::opt_id("--id", a.id.id.as_deref())?,
                code: a.code,
                name: a.name,
                village: a.village,
                commune: a.commune,
                cercle: a.cercle,
                region: a.region,
            };
            let c = ctx.run(|tx| tx.add_cooperative(cmd))?;
            let out = Output::new(&c)?;
            Ok(out.line(format!(
                "Coopérative {} enregistrée : {} ({})",
                c.code, c.name, c.id
            )))
        }
        CooperativeCmd::List => {
            let list = ctx.db().cooperatives()?;
            let mut out = Output::new(&list)?;
            for c in &list {
                out.push(coop_line(c));
            }
            out.push(format!("{} coopérative(s)", list.len()));
            Ok(out)
        }
    }
}

pub fn warehouse(ctx: &mut Ctx, c: WarehouseCmd) -> CliResult<Output> {
    match c {
        WarehouseCmd::Add(a) => {
            let coop = lookup::cooperative(&ctx.db(), &a.cooperative)?;
            let cmd = NewWarehouse {
                id: parse::opt_id("--id", a.id.id.as_deref())?,
                cooperative_id: coop.id,
                name: a.name,
                capacity: a
                    .capacity
                    .as_deref()
                    .map(|s| parse::kg("--capacity", s))
                    .transpose()?,
            };
            let w = ctx.run(|tx| tx.add_warehouse(cmd))?;
            let out = Output::new(&w)?;
            Ok(out.line(format!(
                "Magasin « {} » de {} enregistré ({})",
                w.name, coop.code, w.id
            )))
        }
        WarehouseCmd::List { cooperative } => {
            let db = ctx.db();
            let coop = lookup::opt_cooperative(&db, cooperative.as_deref())?;
            let list = db.warehouses(coop.map(|c| c.id))?;
            let codes: std::collections::HashMap<CooperativeId, String> = db
                .cooperatives()?
                .into_iter()
                .map(|c| (c.id, c.code))
                .collect();
            let mut out = Output::new(&list)?;
            for w in &list {
                out.push(format!(
                    "{:<8} {}  capacité {}  ({})",
                    codes.get(&w.cooperative_id).map_or("?", String::as_str),
                    w.name,
                    w.capacity.map_or_else(|| "—".to_owned(), |k| k.to_string()),
                    w.id
                ));
            }
            out.push(format!("{} magasin(s)", list.len()));
            Ok(out)
        }
    }
}

pub fn agent(ctx: &mut Ctx, c: AgentCmd) -> CliResult<Output> {
    match c {
        AgentCmd::Add(a) => {
            let db = ctx.db();
            let mut coops = Vec::new();
            for code in &a.cooperatives {
                coops.push(lookup::cooperative(&db, code)?.id);
            }
            let cmd = NewAgent {
                id: parse::opt_id("--id", a.id.id.as_deref())?,
                name: a.name,
                phone: a.phone,
                role: parse::label("--role", &a.role)?,
                cooperatives: coops,
            };
            let ag = ctx.run(|tx| tx.add_agent(cmd))?;
            let out = Output::new(&ag)?;
            Ok(out.line(format!(
                "Agent « {} » ({}) enregistré : {}",
                ag.name, ag.role, ag.id
            )))
        }
        AgentCmd::List => {
            let db = ctx.db();
            let list = lookup::agents(&db)?;
            let default = ctx.ledger.local_actor().ok().map(|a| a.agent);
            let codes: std::collections::HashMap<CooperativeId, String> = db
                .cooperatives()?
                .into_iter()
                .map(|c| (c.id, c.code))
                .collect();
            let mut out = Output::new(&list)?;
            for a in &list {
                let cs: Vec<&str> = a
                    .cooperatives
                    .iter()
                    .filter_map(|c| codes.get(c).map(String::as_str))
                    .collect();
                out.push(format!(
                    "{}  {} ({}){}{}{}",
                    a.id,
                    a.name,
                    a.role,
                    a.phone
                        .as_deref()
                        .map(|p| format!(" {p}"))
                        .unwrap_or_default(),
                    if cs.is_empty() {
                        String::new()
                    } else {
                        format!(" — {}", cs.join(", "))
                    },
                    if Some(a.id) == default {
                        " [agent de cette base]"
                    } else {
                        ""
                    }
                ));
            }
            Ok(out)
        }
    }
}

pub fn device(ctx: &mut Ctx, c: DeviceCmd) -> CliResult<Output> {
    match c {
        DeviceCmd::Add(a) => {
            let cmd = NewDevice {
                id: parse::opt_id("--id", a.id.id.as_deref())?,
                label: a.label,
                receipt_prefix: a.prefix,
            };
            let d = ctx.run(|tx| tx.add_device(cmd))?;
            let out = Output::new(&d)?;
            Ok(out.line(format!(
                "Appareil « {} » enregistré, reçus {}-…  ({})",
                d.label, d.receipt_prefix, d.id
            )))
        }
        DeviceCmd::List => super::raw_rows(ctx, sene_store::Table::Devices, u32::MAX),
    }
}

fn member_line(m: &Member, code: &str) -> String {
    format!(
        "{:<12} {}  {}  {}{}{}  [{}]{}",
        m.number,
        m.full_name,
        match m.sex {
            Sex::Female => "F",
            Sex::Male => "M",
        },
        m.village,
        m.birth_year
            .map(|y| format!(", né(e) en {y}"))
            .unwrap_or_default(),
        m.phone
            .as_deref()
            .map(|p| format!(", {p}"))
            .unwrap_or_default(),
        code,
        if m.status == MemberStatus::Left {
            " (parti)"
        } else {
            ""
        }
    )
}

fn coop_codes(ctx: &Ctx) -> CliResult<std::collections::HashMap<CooperativeId, String>> {
    Ok(ctx
        .db()
        .cooperatives()?
        .into_iter()
        .map(|c| (c.id, c.code))
        .collect())
}

pub fn member(ctx: &mut Ctx, c: MemberCmd) -> CliResult<Output> {
    match c {
        MemberCmd::Add(a) => {
            let coop = lookup::cooperative(&ctx.db(), &a.cooperative)?;
            let mut crops = Vec::new();
            for c in &a.crops {
                for part in c.split([';', ',']).filter(|p| !p.trim().is_empty()) {
                    crops.push(parse::label::<CropFamily>("--crop", part)?);
                }
            }
            let cmd = NewMember {
                id: parse::opt_id("--id", a.id.id.as_deref())?,
                cooperative_id: coop.id,
                number: a.number,
                full_name: a.name,
                sex: parse::label("--sex", &a.sex)?,
                birth_year: a
                    .birth_year
                    .as_deref()
                    .map(|y| {
                        y.trim().parse::<i32>().map_err(|_| {
                            CliError::msg(
                                "invalid_value",
                                format!("--birth-year : « {y} » n'est pas une année"),
                                format!("--birth-year: \"{y}\" is not a year"),
                            )
                        })
                    })
                    .transpose()?,
                village: a.village,
                phone: a.phone,
                nina: a.nina,
                crops,
            };
            let confirm = a.confirm;
            let m = ctx.run(|tx| tx.register_member(cmd, confirm))?;
            let out = Output::new(&m)?;
            Ok(out.line(format!(
                "Membre {} enregistré : {} ({}) — {}",
                m.number, m.full_name, coop.code, m.id
            )))
        }
        MemberCmd::List { cooperative } => {
            let coop = lookup::opt_cooperative(&ctx.db(), cooperative.as_deref())?;
            let list = ctx.db().members(coop.map(|c| c.id))?;
            let codes = coop_codes(ctx)?;
            let mut out = Output::new(&list)?;
            for m in &list {
                out.push(member_line(
                    m,
                    codes.get(&m.cooperative_id).map_or("?", String::as_str),
                ));
            }
            out.push(format!("{} membre(s)", list.len()));
            Ok(out)
        }
        MemberCmd::Search { query, limit } => {
            let list = ctx.db().search_members(&query, limit)?;
            let codes = coop_codes(ctx)?;
            let mut out = Output::new(&list)?;
            for m in &list {
                out.push(member_line(
                    m,
                    codes.get(&m.cooperative_id).map_or("?", String::as_str),
                ));
            }
            if list.is_empty() {
                out.push(format!("aucun membre ne correspond à « {query} »"));
            }
            Ok(out)
        }
        MemberCmd::Show {
            member,
            cooperative,
        } => {
            let db = ctx.db();
            let m = lookup::member(&db, &member, cooperative.as_deref())?;
            let coop = db
                .cooperative(m.cooperative_id)?
                .ok_or_else(|| CliError::not_found("coopérative", m.cooperative_id.to_string()))?;
            let contracts = db.member_contracts(m.id, None)?;
            let mut names = std::collections::HashMap::new();
            for c in &contracts {
                if let Some(camp) = db.campaign(c.campaign_id)? {
                    names.insert(c.campaign_id, camp.name);
                }
            }
            let mut out = Output::new(&json!({
                "member": m,
                "cooperative": coop,
                "contracts": contracts,
            }))?;
            out.push(member_line(&m, &coop.code));
            out.push(format!("id : {}", m.id));
            out.push(format!("coopérative : {} ({})", coop.name, coop.code));
            if let Some(n) = &m.nina {
                out.push(format!("NINA : {n}"));
            }
            let crops: Vec<&str> = m.crops.iter().map(|c| c.label_fr()).collect();
            out.push(format!("filières : {}", crops.join(", ")));
            if contracts.is_empty() {
                out.push("aucun contrat".to_owned());
            }
            for c in &contracts {
                out.push(format!(
                    "contrat {}  {}  {}  {} à {}/kg  {}  (demandé le {})",
                    c.id,
                    names.get(&c.campaign_id).map_or("?", String::as_str),
                    c.crop,
                    c.committed,
                    c.base_price,
                    c.state,
                    c.requested_on
                ));
            }
            Ok(out)
        }
    }
}
