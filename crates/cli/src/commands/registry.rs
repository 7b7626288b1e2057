//! The registry lives (issue #18): `sene member correct|depart|reinstate|transfer|history`,
//! `sene cooperative correct`, `sene warehouse correct|close`, `sene agent correct|left`. Each
//! change names its record as the other commands do (a member by number in her cooperative),
//! needs a reason, and is kept in the record's history with who, on which device and when.

use chrono::NaiveDate;
use sene_app::registry::*;
use sene_domain::validate::fold;
use sene_domain::*;

use crate::cli::*;
use crate::ctx::Ctx;
use crate::error::{CliError, CliResult};
use crate::lang::{tr, word};
use crate::lookup;
use crate::output::Output;
use crate::parse;

/// `--reason`, which every change needs: it stays in the record's history.
fn reason(r: Option<String>) -> CliResult<String> {
    r.ok_or_else(|| {
        CliError::msg(
            "invalid_argument",
            "--reason : donnez le motif du changement (obligatoire : il reste dans l'historique de la fiche)",
            "--reason: give the reason for the change (required: it stays in the record's history)",
        )
    })
}

/// Nothing to change was given.
fn nothing(options: &str) -> CliError {
    CliError::msg(
        "invalid_argument",
        format!("rien à corriger : donnez au moins un champ ({options})"),
        format!("nothing to correct: give at least one field ({options})"),
    )
}

/// An option that can be cleared: `--x ""` or `--no-x` clears it (`Some(None)`), `--x V` sets
/// it, neither leaves it as it is (`None`).
fn clearable(value: Option<String>, clear: bool) -> Option<Option<String>> {
    if clear {
        return Some(None);
    }
    value.map(|v| if v.trim().is_empty() { None } else { Some(v) })
}

fn year(flag: &str, y: &str) -> CliResult<i32> {
    y.trim().parse::<i32>().map_err(|_| {
        CliError::msg(
            "invalid_value",
            format!("{flag} : « {y} » n'est pas une année"),
            format!("{flag}: \"{y}\" is not a year"),
        )
    })
}

/// `--family riz --family échalote`, or `riz,échalote` (or `;`); `--family ""`: none.
fn families(given: &[String]) -> CliResult<Vec<CropFamily>> {
    let mut out = Vec::new();
    for s in given {
        for part in s.split([';', ',']).filter(|p| !p.trim().is_empty()) {
            out.push(parse::label::<CropFamily>("--family", part)?);
        }
    }
    Ok(out)
}

/// A departure: left, deceased or excluded, by code or French or English word (feminine too).
fn departure(s: &str) -> CliResult<MemberStatus> {
    let f = fold(s);
    let f = match f.as_str() {
        "partie" => "parti".to_owned(),
        "decedee" | "mort" | "morte" | "dead" => "decede".to_owned(),
        "exclue" => "exclu".to_owned(),
        _ => f,
    };
    if let Some(v) = [
        MemberStatus::Left,
        MemberStatus::Deceased,
        MemberStatus::Excluded,
    ]
    .into_iter()
    .find(|v| fold(v.code()) == f || fold(v.label_fr()) == f || fold(v.label_en()) == f)
    {
        return Ok(v);
    }
    let (hint_fr, hint_en) = if f.starts_with("transfer") {
        (
            " (un transfert se fait avec « sene member transfer »)",
            " (a transfer is made with \"sene member transfer\")",
        )
    } else {
        ("", "")
    };
    Err(CliError::msg(
        "invalid_value",
        format!("--status : « {s} » inconnu ; valeurs possibles : parti, décédé, exclu{hint_fr}"),
        format!("--status: unknown \"{s}\"; possible values: left, deceased, excluded{hint_en}"),
    ))
}

fn date_or_today(ctx: &Ctx, d: Option<&str>) -> CliResult<NaiveDate> {
    parse::date_or("--date", d, ctx.today())
}

fn day(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

fn member_of(ctx: &Ctx, who: &MemberKey) -> CliResult<Member> {
    lookup::member(&ctx.db(), &who.member, who.cooperative.as_deref())
}

fn code_of(ctx: &Ctx, coop: CooperativeId) -> CliResult<String> {
    Ok(ctx
        .db()
        .cooperative(coop)?
        .map_or_else(|| coop.to_string(), |c| c.code))
}

/// One line per field a change wrote: `label : old → new`.
fn field_lines(ctx: &Ctx, change: &RegistryChange, indent: &str) -> Vec<String> {
    let lang = ctx.lang;
    let colon = tr(lang, " :", ":");
    sene_app::registry::worded(&ctx.db(), change, lang)
        .into_iter()
        .map(|(_, label, old, new)| format!("{indent}{label}{colon} {old} → {new}"))
        .collect()
}

fn reason_line(ctx: &Ctx, change: &RegistryChange, indent: &str) -> String {
    tr(
        ctx.lang,
        format!("{indent}motif : {}", change.reason),
        format!("{indent}reason: {}", change.reason),
    )
}

fn action_label(a: RegistryAction, lang: Lang) -> &'static str {
    word(lang, a)
}

fn status_label(s: MemberStatus, lang: Lang) -> &'static str {
    word(lang, s)
}

fn who(m: &Member, code: &str) -> String {
    format!("{} {} ({code})", m.number, m.full_name)
}

pub fn member(ctx: &mut Ctx, c: MemberChangeCmd) -> CliResult<Output> {
    match c {
        MemberChangeCmd::Correct(a) => correct_member(ctx, a),
        MemberChangeCmd::Depart(a) => {
            let m = member_of(ctx, &a.who)?;
            let cmd = MemberDeparted {
                id: parse::opt_id("--id", a.id.id.as_deref())?,
                member_id: m.id,
                status: departure(&a.status)?,
                on: date_or_today(ctx, a.date.as_deref())?,
                reason: reason(a.reason)?,
            };
            let status = cmd.status;
            let change = ctx.run(|tx| tx.member_departed(cmd))?;
            let code = code_of(ctx, m.cooperative_id)?;
            let on = change.effective_on.map(day).unwrap_or_default();
            let lang = ctx.lang;
            let mut out = Output::new(&change)?;
            out.push(tr(
                lang,
                format!(
                    "Départ enregistré : {} — {} à compter du {on}",
                    who(&m, &code),
                    status.label_fr()
                ),
                format!(
                    "Departure recorded: {} — {} from {on}",
                    who(&m, &code),
                    status.label_en()
                ),
            ));
            out.push(reason_line(ctx, &change, "  "));
            out.push(tr(
                lang,
                "  Ses contrats, avances et livraisons restent dans les rapports ; plus de nouveau contrat ni d'avance pour elle ou lui.",
                "  Their contracts, advances and deliveries stay in the reports; no new contract or advance for them.",
            ));
            Ok(out)
        }
        MemberChangeCmd::Reinstate {
            who: key,
            reason: r,
            id,
        } => {
            let m = member_of(ctx, &key)?;
            let cmd = ReinstateMember {
                id: parse::opt_id("--id", id.id.as_deref())?,
                member_id: m.id,
                reason: reason(r)?,
            };
            let change = ctx.run(|tx| tx.reinstate_member(cmd))?;
            let code = code_of(ctx, m.cooperative_id)?;
            let mut out = Output::new(&change)?;
            out.push(tr(
                ctx.lang,
                format!(
                    "Départ annulé : {} est de nouveau membre actif",
                    who(&m, &code)
                ),
                format!(
                    "Departure undone: {} is an active member again",
                    who(&m, &code)
                ),
            ));
            out.push(reason_line(ctx, &change, "  "));
            Ok(out)
        }
        MemberChangeCmd::Transfer(a) => {
            let m = member_of(ctx, &a.who)?;
            let to = lookup::cooperative(&ctx.db(), &a.to_cooperative)?;
            let cmd = TransferMember {
                id: parse::opt_id("--id", a.id.id.as_deref())?,
                member_id: m.id,
                to_cooperative: to.id,
                new_number: a.new_number,
                new_member_id: None,
                on: date_or_today(ctx, a.date.as_deref())?,
                reason: reason(a.reason)?,
            };
            let t = ctx.run(|tx| tx.transfer_member(cmd))?;
            let from = code_of(ctx, t.left.cooperative_id)?;
            let on = t.left.left_on.map(day).unwrap_or_default();
            let mut out = Output::new(&t)?;
            out.push(tr(
                ctx.lang,
                format!(
                    "{} transféré(e) le {on} : {} ({from}) → {} ({})",
                    t.left.full_name, t.left.number, t.joined.number, to.code
                ),
                format!(
                    "{} transferred on {on}: {} ({from}) → {} ({})",
                    t.left.full_name, t.left.number, t.joined.number, to.code
                ),
            ));
            out.push(tr(
                ctx.lang,
                format!(
                    "  Nouvelle fiche : {} ; l'ancienne garde ses contrats, avances et livraisons",
                    t.joined.id
                ),
                format!(
                    "  New record: {}; the old one keeps its contracts, advances and deliveries",
                    t.joined.id
                ),
            ));
            out.push(reason_line(ctx, &t.changes[0], "  "));
            Ok(out)
        }
        MemberChangeCmd::History { who: key } => {
            let m = member_of(ctx, &key)?;
            let history = ctx.ledger.member_history(m.id)?;
            let code = code_of(ctx, m.cooperative_id)?;
            let lang = ctx.lang;
            let mut out = Output::new(&history)?;
            out.push(tr(
                lang,
                format!(
                    "Historique de {} — {}",
                    who(&m, &code),
                    status_label(m.status, lang)
                ),
                format!(
                    "History of {} — {}",
                    who(&m, &code),
                    status_label(m.status, lang)
                ),
            ));
            if history.is_empty() {
                out.push(tr(
                    lang,
                    "  aucun changement depuis son inscription",
                    "  no change since registration",
                ));
            }
            for h in &history {
                out.push(history_line(ctx, h));
                out.lines.extend(field_lines(ctx, &h.change, "    "));
                out.push(reason_line(ctx, &h.change, "    "));
            }
            Ok(out)
        }
    }
}

/// `05/12/2026 14:03 — correction — Awa, Portable 1` (the date it took effect when it has one).
fn history_line(ctx: &Ctx, h: &HistoryEntry) -> String {
    let c = &h.change;
    let at = c.at.format("%d/%m/%Y %H:%M");
    let action = action_label(c.action, ctx.lang);
    let effective = c.effective_on.map_or_else(String::new, |d| {
        tr(
            ctx.lang,
            format!(" à compter du {}", day(d)),
            format!(" from {}", day(d)),
        )
    });
    let by = tr(ctx.lang, "par", "by");
    let on = tr(ctx.lang, "sur", "on");
    format!(
        "{at} — {action}{effective} — {by} {} {on} {}",
        h.agent, h.device
    )
}

fn correct_member(ctx: &mut Ctx, a: MemberCorrect) -> CliResult<Output> {
    let given = a.number.is_some()
        || a.name.is_some()
        || a.sex.is_some()
        || a.birth_year.is_some()
        || a.no_birth_year
        || a.village.is_some()
        || a.phone.is_some()
        || a.no_phone
        || a.nina.is_some()
        || a.no_nina
        || !a.families.is_empty();
    if !given {
        return Err(nothing(
            "--phone, --name, --village, --nina, --birth-year, --sex, --family, --number",
        ));
    }
    let m = member_of(ctx, &a.who)?;
    let birth_year = match clearable(a.birth_year, a.no_birth_year) {
        Some(Some(y)) => Some(Some(year("--birth-year", &y)?)),
        Some(None) => Some(None),
        None => None,
    };
    let cmd = CorrectMember {
        id: parse::opt_id("--id", a.id.id.as_deref())?,
        member_id: m.id,
        number: a.number,
        full_name: a.name,
        sex: a
            .sex
            .as_deref()
            .map(|s| parse::label::<Sex>("--sex", s))
            .transpose()?,
        birth_year,
        village: a.village,
        phone: clearable(a.phone, a.no_phone),
        nina: clearable(a.nina, a.no_nina),
        crops: if a.families.is_empty() {
            None
        } else {
            Some(families(&a.families)?)
        },
        reason: reason(a.reason)?,
    };
    let done = ctx.run(|tx| tx.correct_member(cmd))?;
    let code = code_of(ctx, done.member.cooperative_id)?;
    let lang = ctx.lang;
    let mut out = Output::new(&done)?;
    out.push(tr(
        lang,
        format!("Fiche corrigée : {}", who(&done.member, &code)),
        format!("Record corrected: {}", who(&done.member, &code)),
    ));
    out.lines.extend(field_lines(ctx, &done.change, "  "));
    out.push(reason_line(ctx, &done.change, "  "));
    for o in &done.look_alikes {
        let c = code_of(ctx, o.cooperative_id)?;
        out.push(tr(
            lang,
            format!(
                "Attention : la fiche ressemble maintenant à {} — doublon probable mis dans la file des conflits (sene conflicts list)",
                who(o, &c)
            ),
            format!(
                "Warning: the record now looks like {} — probable duplicate put in the conflict queue (sene conflicts list)",
                who(o, &c)
            ),
        ));
    }
    Ok(out)
}

/// A correction's answer: what changed, field by field.
fn corrected(ctx: &Ctx, change: &RegistryChange, fr: String, en: String) -> CliResult<Output> {
    let mut out = Output::new(change)?;
    out.push(tr(ctx.lang, fr, en));
    out.lines.extend(field_lines(ctx, change, "  "));
    out.push(reason_line(ctx, change, "  "));
    Ok(out)
}

pub fn cooperative(ctx: &mut Ctx, c: CooperativeChangeCmd) -> CliResult<Output> {
    match c {
        CooperativeChangeCmd::Correct {
            cooperative,
            code,
            name,
            village,
            commune,
            cercle,
            region,
            reason: r,
            id,
        } => {
            if [&code, &name, &village, &commune, &cercle, &region]
                .iter()
                .all(|v| v.is_none())
            {
                return Err(nothing(
                    "--code, --name, --village, --commune, --cercle, --region",
                ));
            }
            let coop = lookup::cooperative(&ctx.db(), &cooperative)?;
            let cmd = CorrectCooperative {
                id: parse::opt_id("--id", id.id.as_deref())?,
                cooperative_id: coop.id,
                code: code.map(|c| c.trim().to_uppercase()),
                name,
                village,
                commune,
                cercle,
                region,
                reason: reason(r)?,
            };
            let change = ctx.run(|tx| tx.correct_cooperative(cmd))?;
            let now = code_of(ctx, coop.id)?;
            corrected(
                ctx,
                &change,
                format!("Coopérative corrigée : {now}"),
                format!("Cooperative corrected: {now}"),
            )
        }
    }
}

pub fn warehouse(ctx: &mut Ctx, c: WarehouseChangeCmd) -> CliResult<Output> {
    match c {
        WarehouseChangeCmd::Correct {
            warehouse,
            name,
            capacity,
            reason: r,
            id,
        } => {
            if name.is_none() && capacity.is_none() {
                return Err(nothing("--name, --capacity"));
            }
            let w = lookup::warehouse(&ctx.db(), &warehouse, None)?;
            let capacity = match clearable(capacity, false) {
                Some(Some(k)) => Some(Some(parse::kg("--capacity", &k)?)),
                Some(None) => Some(None),
                None => None,
            };
            let cmd = CorrectWarehouse {
                id: parse::opt_id("--id", id.id.as_deref())?,
                warehouse_id: w.id,
                name,
                capacity,
                reason: reason(r)?,
            };
            let change = ctx.run(|tx| tx.correct_warehouse(cmd))?;
            corrected(
                ctx,
                &change,
                format!("Magasin corrigé : {}", w.name),
                format!("Warehouse corrected: {}", w.name),
            )
        }
        WarehouseChangeCmd::Close {
            warehouse,
            date,
            reason: r,
            id,
        } => {
            let w = lookup::warehouse(&ctx.db(), &warehouse, None)?;
            let cmd = CloseRecord {
                id: parse::opt_id("--id", id.id.as_deref())?,
                on: date_or_today(ctx, date.as_deref())?,
                reason: reason(r)?,
            };
            let on = day(cmd.on);
            let change = ctx.run(|tx| tx.close_warehouse(w.id, cmd))?;
            let mut out = Output::new(&change)?;
            out.push(tr(
                ctx.lang,
                format!("Magasin « {} » fermé à compter du {on} : plus de livraison dedans ; son stock et son historique restent", w.name),
                format!("Warehouse \"{}\" closed from {on}: no more deliveries into it; its stock and history stay", w.name),
            ));
            out.push(reason_line(ctx, &change, "  "));
            Ok(out)
        }
    }
}

pub fn agent(ctx: &mut Ctx, c: AgentChangeCmd) -> CliResult<Output> {
    match c {
        AgentChangeCmd::Correct {
            name_or_id,
            name,
            phone,
            no_phone,
            reason: r,
            id,
        } => {
            if name.is_none() && phone.is_none() && !no_phone {
                return Err(nothing("--name, --phone, --no-phone"));
            }
            let ag = lookup::agent(&ctx.db(), &name_or_id)?;
            let cmd = CorrectAgent {
                id: parse::opt_id("--id", id.id.as_deref())?,
                agent_id: ag.id,
                name,
                phone: clearable(phone, no_phone),
                reason: reason(r)?,
            };
            let change = ctx.run(|tx| tx.correct_agent(cmd))?;
            corrected(
                ctx,
                &change,
                format!("Agent corrigé : {}", ag.name),
                format!("Agent corrected: {}", ag.name),
            )
        }
        AgentChangeCmd::Left {
            name_or_id,
            date,
            reason: r,
            id,
        } => {
            let ag = lookup::agent(&ctx.db(), &name_or_id)?;
            let cmd = CloseRecord {
                id: parse::opt_id("--id", id.id.as_deref())?,
                on: date_or_today(ctx, date.as_deref())?,
                reason: reason(r)?,
            };
            let on = day(cmd.on);
            let change = ctx.run(|tx| tx.agent_left(ag.id, cmd))?;
            let mut out = Output::new(&change)?;
            out.push(tr(
                ctx.lang,
                format!("{} a quitté le service le {on} : plus rien n'est enregistré à son nom à partir de cette date ; ce qui l'a été reste", ag.name),
                format!("{} left on {on}: nothing is recorded under their name from that date; what was stays", ag.name),
            ));
            out.push(reason_line(ctx, &change, "  "));
            Ok(out)
        }
    }
}
