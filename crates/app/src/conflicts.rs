//! The conflict queue as a person reads it, and its resolutions.
//!
//! A conflict is one of: one record's fields written differently on several devices (each
//! candidate is a change: what it wrote, who, on which device, when); a member registered twice
//! (each candidate a registration, resolved by **merging** them into one — a synced
//! [`MemberMerge`] re-points the other's records for every reading — or by declaring them two
//! people); another probable duplicate (two deliveries alike: both stay, the extra one is
//! reversed from the member card); a record created twice under one key.
//!
//! A resolution is a synced record (`conflict_resolutions`) written in the document of the
//! record it settles, in the same change as the values it chose: every device that receives
//! it closes its own open conflicts on that record whose candidates it covers, so the same
//! conflict is closed everywhere, and the record reads the same everywhere. Choosing a
//! candidate of a fields conflict makes the record read as that candidate's device left it (a
//! contract resolved to « rejeté » names who rejected it, and no stale `approved_by`).

use chrono::{DateTime, SecondsFormat, Utc};
use sene_domain::merges::Merges;
use sene_domain::words::{format_fcfa, format_kg_tenths};
use sene_domain::*;
use sene_store::{ConflictResolution, ConflictRow, Db, Table};
use sene_sync::engine::{candidate_key, close_covered, conflict_kind, principal_field};
use sene_sync::{DocId, Engine, FieldWrite};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::{missing, Actor, AppError, Ledger, Result};

/// What kind of conflict, for what the secretariat may choose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConflictKind {
    /// One record's fields written differently on several devices: choose one of the values
    /// (the record then reads as that device left it), or keep the one shown.
    Fields,
    /// A member registered twice: choose the registration to keep (the other is merged into
    /// it), or declare them two people.
    MemberDuplicate,
    /// Two money records alike (deliveries, reversals): both stay; the extra one is reversed
    /// from the member card.
    Duplicate,
    /// A record created twice under one key: kept as it reads.
    Creation,
}

impl ConflictKind {
    /// The stable code the window matches on.
    #[must_use]
    pub const fn code(self) -> &'static str {
        match self {
            ConflictKind::Fields => "fields",
            ConflictKind::MemberDuplicate => "member_duplicate",
            ConflictKind::Duplicate => "duplicate",
            ConflictKind::Creation => "creation",
        }
    }

    /// Whether one of the candidates may be chosen.
    #[must_use]
    pub const fn choosable(self) -> bool {
        matches!(self, ConflictKind::Fields | ConflictKind::MemberDuplicate)
    }

    fn of(c: &ConflictRow) -> ConflictKind {
        match conflict_kind(&c.field) {
            "duplicate" if c.record_table == Table::Members.name() => ConflictKind::MemberDuplicate,
            "duplicate" => ConflictKind::Duplicate,
            "creation" => ConflictKind::Creation,
            _ => ConflictKind::Fields,
        }
    }
}

/// A conflict as the secretariat reads it, in the session's language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConflictText {
    pub id: String,
    pub kind: ConflictKind,
    pub money: bool,
    /// The record in conflict, in words (« Contrat de Aminata Traoré (DIO-0001) … »).
    pub record: String,
    /// What differs, in words (« décision », « inscrite deux fois »).
    pub what: String,
    /// One line per candidate: the value in words, who, on which device, when.
    pub candidates: Vec<String>,
    /// The members concerned, each with the label of a link to their card.
    pub members: Vec<(MemberId, String)>,
    /// What the secretariat does about it.
    pub action: String,
    /// When this store found it (RFC 3339).
    pub found_at: String,
}

/// The merges in force in a store (see [`sene_domain::merges`]).
///
/// # Errors
/// Store errors.
pub fn merges(db: &Db<'_>) -> Result<Merges> {
    Ok(Merges::new(&db.member_merges()?))
}

/// The members a device lists: a registration merged into another is not listed on its own
/// (its records are on the kept one's card).
///
/// # Errors
/// Store errors.
pub fn listed(db: &Db<'_>, members: Vec<Member>) -> Result<Vec<Member>> {
    let m = merges(db)?;
    if m.is_empty() {
        return Ok(members);
    }
    Ok(members
        .into_iter()
        .filter(|x| !m.is_absorbed(x.id))
        .collect())
}

fn fr(lang: Lang) -> bool {
    lang == Lang::Fr
}

/// `dd/mm/yyyy` of a stored date (`YYYY-MM-DD`), or the text as it is.
fn date_text(s: &str) -> String {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_or_else(|_| s.to_owned(), |d| d.format("%d/%m/%Y").to_string())
}

fn instant_text(ms: i64, lang: Lang) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms).map_or_else(String::new, |t| {
        if fr(lang) {
            t.format("le %d/%m/%Y à %H:%M UTC").to_string()
        } else {
            t.format("on %d/%m/%Y at %H:%M UTC").to_string()
        }
    })
}

fn agent_text(db: &Db<'_>, id: &str, lang: Lang) -> String {
    match id.parse().ok().and_then(|a| db.agent(a).ok().flatten()) {
        Some(a) => format!(
            "{} ({})",
            a.name,
            if fr(lang) {
                a.role.label_fr()
            } else {
                a.role.label_en()
            }
        ),
        None if fr(lang) => "agent inconnu".into(),
        None => "unknown agent".into(),
    }
}

fn agent_name(db: &Db<'_>, id: &str) -> Option<String> {
    id.parse()
        .ok()
        .and_then(|a| db.agent(a).ok().flatten())
        .map(|a| a.name)
}

fn device_text(db: &Db<'_>, id: &str, lang: Lang) -> String {
    match id.parse().ok().and_then(|d| db.device(d).ok().flatten()) {
        Some(d) => d.label,
        None if fr(lang) => "appareil inconnu".into(),
        None => "unknown device".into(),
    }
}

fn member_text(db: &Db<'_>, id: &str) -> String {
    match id.parse().ok().and_then(|m| db.member(m).ok().flatten()) {
        Some(m) => format!("{} ({})", m.full_name, m.number),
        None => id.to_owned(),
    }
}

fn capitalized(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map_or_else(String::new, |f| f.to_uppercase().chain(c).collect())
}

fn plain(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "—".into(),
        other => other.to_string(),
    }
}

/// A field's name in words.
fn field_label(field: &str, lang: Lang) -> String {
    let (f, e) = match field {
        "state" => ("état", "state"),
        "decided_by" => ("décidé par", "decided by"),
        "decided_on" => ("date de décision", "decision date"),
        "approved_by" => ("approuvé par", "approved by"),
        "requested_by" => ("demandé par", "requested by"),
        "committed_t" => ("quantité engagée", "committed quantity"),
        "base_price" => ("prix de base", "base price"),
        "full_name" => ("nom", "name"),
        "number" => ("numéro", "number"),
        "phone" => ("téléphone", "phone"),
        "village" => ("village", "village"),
        "birth_year" => ("année de naissance", "birth year"),
        "status" => ("statut", "status"),
        "amount" => ("montant", "amount"),
        "date" => ("date", "date"),
        "paid" => ("payé", "paid"),
        other => (other, other),
    };
    if fr(lang) { f } else { e }.to_owned()
}

/// A field's value in words: states, names, dates, francs and kilograms as people write them.
fn value_text(db: &Db<'_>, table: &str, field: &str, v: &Value, lang: Lang) -> String {
    let s = match v {
        Value::Null => return "—".into(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    match field {
        "state" if table == Table::Contracts.name() => {
            s.parse::<ContractState>().map_or(s.clone(), |st| {
                if fr(lang) {
                    st.label_fr().to_owned()
                } else {
                    st.label_en().to_owned()
                }
            })
        }
        "status" => s.parse::<MemberStatus>().map_or(s.clone(), |st| {
            if fr(lang) {
                st.label_fr().to_owned()
            } else {
                st.label_en().to_owned()
            }
        }),
        "decided_by" | "approved_by" | "requested_by" | "agent_id" => {
            agent_name(db, &s).unwrap_or(s)
        }
        "member_id" => member_text(db, &s),
        "device_id" => device_text(db, &s, lang),
        f if f == "date" || f.ends_with("_on") || f.ends_with("_date") => date_text(&s),
        f if f.ends_with("_t") => v.as_i64().map_or(s.clone(), format_kg_tenths),
        f if sene_sync::doc::is_money_column(f) || f == "price_per_kg" => {
            v.as_i64().map_or(s.clone(), |n| format_fcfa(i128::from(n)))
        }
        "paid" => match (v.as_i64(), fr(lang)) {
            (Some(0), true) => "non".into(),
            (Some(0), false) => "no".into(),
            (_, true) => "oui".into(),
            (_, false) => "yes".into(),
        },
        _ => s,
    }
}

/// "— who (role), on which device, when" of a candidate.
fn authorship(db: &Db<'_>, c: &Value, lang: Lang) -> String {
    let mut parts = Vec::new();
    if let Some(a) = c.get("agent").and_then(Value::as_str) {
        parts.push(agent_text(db, a, lang));
    }
    if let Some(d) = c.get("device").and_then(Value::as_str) {
        parts.push(device_text(db, d, lang));
    }
    if let Some(t) = c.get("time").and_then(Value::as_i64).filter(|t| *t > 0) {
        parts.push(instant_text(t, lang));
    }
    parts.join(", ")
}

/// A fields conflict's candidate: the principal value in words, the decision date, the other
/// fields it wrote, then who, where, when.
fn fields_candidate(db: &Db<'_>, c: &ConflictRow, k: &Value, lang: Lang) -> String {
    let principal = principal_field(&c.field);
    let fields = k.get("fields").and_then(Value::as_object);
    let value = fields
        .and_then(|f| f.get(principal))
        .or_else(|| k.get("value"))
        .cloned()
        .unwrap_or(Value::Null);
    let mut text = capitalized(&value_text(db, &c.record_table, principal, &value, lang));
    if let Some(f) = fields {
        for (name, v) in f {
            if name == principal || (name == "decided_by" && k.get("agent") == Some(v)) {
                continue;
            }
            if name == "decided_on" {
                let d = value_text(db, &c.record_table, name, v, lang);
                text.push_str(&if fr(lang) {
                    format!(" le {d}")
                } else {
                    format!(" on {d}")
                });
                continue;
            }
            text.push_str(&format!(
                ", {} : {}",
                field_label(name, lang),
                value_text(db, &c.record_table, name, v, lang)
            ));
        }
    }
    let who = authorship(db, k, lang);
    if who.is_empty() {
        text
    } else {
        format!("{text} — {who}")
    }
}

/// A member registration as a candidate: who, where, what records it holds, who registered it.
fn member_candidate(
    db: &Db<'_>,
    engine: &mut Engine,
    doc: Option<&DocId>,
    id: &str,
    lang: Lang,
) -> Result<String> {
    let Some(m) = id.parse().ok().and_then(|m| db.member(m).ok().flatten()) else {
        return Ok(id.to_owned());
    };
    let coop = db
        .cooperative(m.cooperative_id)?
        .map_or_else(String::new, |c| c.name);
    let mut text = format!("{}, n° {}, {coop}, {}", m.full_name, m.number, m.village);
    if let Some(y) = m.birth_year {
        text.push_str(&if fr(lang) {
            format!(", né(e) en {y}")
        } else {
            format!(", born {y}")
        });
    }
    if let Some(p) = &m.phone {
        text.push_str(&if fr(lang) {
            format!(", tél. {p}")
        } else {
            format!(", phone {p}")
        });
    }
    let contracts = db.member_contracts(m.id, None)?.len();
    let ids = db.member_record_ids(m.id)?;
    let mut advances = Money::ZERO;
    for x in &ids.disbursements {
        if let Some(d) = db.disbursement(*x)? {
            advances = advances.checked_add(d.amount)?;
        }
    }
    let mut kg = Kg::default();
    for x in &ids.deliveries {
        if let Some(d) = db.delivery(*x)? {
            kg = kg.checked_add(d.accepted)?;
        }
    }
    text.push_str(&if fr(lang) {
        format!(
            " — {contracts} contrat(s), {} d'avances, {} livrés",
            format_fcfa(i128::from(advances.francs())),
            format_kg_tenths(kg.tenths())
        )
    } else {
        format!(
            " — {contracts} contract(s), {} in advances, {} delivered",
            format_fcfa(i128::from(advances.francs())),
            format_kg_tenths(kg.tenths())
        )
    });
    let origin = match doc {
        Some(d) => engine.record_origin(db, d, Table::Members, id)?,
        None => None,
    };
    if let Some((device, agent, time)) = origin {
        let mut who = Vec::new();
        if let Some(a) = agent {
            who.push(agent_text(db, &a, lang));
        }
        who.push(device_text(db, &device, lang));
        who.push(instant_text(time, lang));
        text.push_str(&if fr(lang) {
            format!(" ; inscrit(e) par {}", who.join(", "))
        } else {
            format!("; registered by {}", who.join(", "))
        });
    }
    Ok(text)
}

/// A money record alike another (delivery, reversal) as a candidate.
fn record_candidate(db: &Db<'_>, table: &str, id: &str, lang: Lang) -> Result<String> {
    if table == Table::Deliveries.name() {
        if let Some(d) = id.parse().ok().and_then(|x| db.delivery(x).ok().flatten()) {
            let who = format!(
                "{}, {}, {}",
                agent_text(db, &d.recorded.agent_id.to_string(), lang),
                device_text(db, &d.recorded.device_id.to_string(), lang),
                instant_text(d.recorded.recorded_at.timestamp_millis(), lang)
            );
            return Ok(if fr(lang) {
                format!(
                    "Livraison reçu {} du {} : {}, {} brut, {} sacs, {} acceptés — {who}",
                    d.recorded.receipt,
                    d.date.format("%d/%m/%Y"),
                    member_text(db, &d.member_id.to_string()),
                    format_kg_tenths(d.gross.tenths()),
                    d.bags,
                    format_kg_tenths(d.accepted.tenths()),
                )
            } else {
                format!(
                    "Delivery receipt {} of {}: {}, {} gross, {} bags, {} accepted — {who}",
                    d.recorded.receipt,
                    d.date.format("%d/%m/%Y"),
                    member_text(db, &d.member_id.to_string()),
                    format_kg_tenths(d.gross.tenths()),
                    d.bags,
                    format_kg_tenths(d.accepted.tenths()),
                )
            });
        }
    }
    if table == Table::Reversals.name() {
        if let Some(r) = db
            .row_by_key(Table::Reversals, id)?
            .filter(|r| r.get("id").is_some())
        {
            let get = |c: &str| r.get(c).map(plain).unwrap_or_default();
            let who = format!(
                "{}, {}, {}",
                agent_text(db, &get("agent_id"), lang),
                device_text(db, &get("device_id"), lang),
                date_text(&get("date"))
            );
            return Ok(if fr(lang) {
                format!(
                    "Annulation reçu {} : « {} » — {who}",
                    get("receipt"),
                    get("reason")
                )
            } else {
                format!(
                    "Reversal receipt {}: “{}” — {who}",
                    get("receipt"),
                    get("reason")
                )
            });
        }
    }
    Ok(id.to_owned())
}

/// The record in conflict, in words.
fn record_text(db: &Db<'_>, table: &str, key: &str, lang: Lang) -> Result<String> {
    if table == Table::Contracts.name() {
        if let Some(c) = key.parse().ok().and_then(|k| db.contract(k).ok().flatten()) {
            let camp = db
                .campaign(c.campaign_id)?
                .map(|c| c.name)
                .unwrap_or_default();
            let crop = if fr(lang) {
                c.crop.label_fr()
            } else {
                c.crop.label_en()
            };
            return Ok(if fr(lang) {
                format!(
                    "Contrat de {} : {crop}, {} engagés, campagne {camp}, demandé le {}",
                    member_text(db, &c.member_id.to_string()),
                    format_kg_tenths(c.committed.tenths()),
                    c.requested_on.format("%d/%m/%Y")
                )
            } else {
                format!(
                    "Contract of {}: {crop}, {} committed, campaign {camp}, requested on {}",
                    member_text(db, &c.member_id.to_string()),
                    format_kg_tenths(c.committed.tenths()),
                    c.requested_on.format("%d/%m/%Y")
                )
            });
        }
    }
    if table == Table::Members.name() {
        return Ok(if fr(lang) {
            format!("Membre {}", member_text(db, key))
        } else {
            format!("Member {}", member_text(db, key))
        });
    }
    if table == Table::Deliveries.name() {
        if let Some(d) = key.parse().ok().and_then(|x| db.delivery(x).ok().flatten()) {
            return Ok(if fr(lang) {
                format!(
                    "Livraisons de {}",
                    member_text(db, &d.member_id.to_string())
                )
            } else {
                format!(
                    "Deliveries of {}",
                    member_text(db, &d.member_id.to_string())
                )
            });
        }
    }
    let label = match (table, fr(lang)) {
        ("reversals", true) => "Annulation".to_owned(),
        ("reversals", false) => "Reversal".to_owned(),
        (t, _) => t.replace('_', " "),
    };
    Ok(format!("{label} {key}"))
}

/// The members a conflict concerns.
fn members_of(db: &Db<'_>, c: &ConflictRow, candidates: &[Value]) -> Result<Vec<MemberId>> {
    let mut out: Vec<MemberId> = Vec::new();
    let mut push = |m: MemberId| {
        if !out.contains(&m) {
            out.push(m);
        }
    };
    if c.record_table == Table::Members.name() {
        for k in candidates {
            if let Some(m) = k
                .get("value")
                .and_then(Value::as_str)
                .and_then(|s| s.parse().ok())
            {
                push(m);
            }
        }
        if let Ok(m) = c.record_key.parse() {
            push(m);
        }
    } else if let Some(Some(m)) = Table::from_name(&c.record_table)
        .map(|t| db.column_by_key(t, &c.record_key, "member_id"))
        .transpose()?
    {
        if let Ok(m) = m.parse() {
            push(m);
        }
    }
    Ok(out)
}

fn candidates_of(c: &ConflictRow) -> Vec<Value> {
    serde_json::from_str(&c.candidates).unwrap_or_default()
}

/// One candidate's key (see [`candidate_key`]).
fn keys(candidates: &[Value]) -> Vec<String> {
    candidates.iter().map(candidate_key).collect()
}

impl Ledger {
    /// A conflict as the secretariat reads it, in `lang`.
    ///
    /// # Errors
    /// Store and sync errors.
    pub fn conflict_text(&mut self, c: &ConflictRow, lang: Lang) -> Result<ConflictText> {
        let (store, engine, _) = self.parts()?;
        let db = store.db();
        let kind = ConflictKind::of(c);
        let candidates = candidates_of(c);
        let doc: Option<DocId> = c.doc_id.parse().ok();
        let mut lines = Vec::new();
        for k in &candidates {
            let id = k.get("value").map(plain).unwrap_or_default();
            lines.push(match kind {
                ConflictKind::Fields => fields_candidate(&db, c, k, lang),
                ConflictKind::MemberDuplicate => {
                    member_candidate(&db, engine, doc.as_ref(), &id, lang)?
                }
                ConflictKind::Duplicate => record_candidate(&db, &c.record_table, &id, lang)?,
                ConflictKind::Creation => {
                    let who = authorship(&db, k, lang);
                    if fr(lang) {
                        format!("Créé — {who}")
                    } else {
                        format!("Created — {who}")
                    }
                }
            });
        }
        let what = match kind {
            ConflictKind::Fields => {
                let fields: Vec<String> =
                    c.field.split(", ").map(|f| field_label(f, lang)).collect();
                if c.record_table == Table::Contracts.name()
                    && c.field.split(", ").any(|f| f == "state")
                {
                    if fr(lang) {
                        format!("décisions concurrentes ({})", fields.join(", "))
                    } else {
                        format!("concurrent decisions ({})", fields.join(", "))
                    }
                } else if fr(lang) {
                    format!("modifié sur plusieurs appareils : {}", fields.join(", "))
                } else {
                    format!("changed on several devices: {}", fields.join(", "))
                }
            }
            ConflictKind::MemberDuplicate if fr(lang) => {
                "inscrit deux fois (doublon probable)".into()
            }
            ConflictKind::MemberDuplicate => "registered twice (probable duplicate)".into(),
            ConflictKind::Duplicate if fr(lang) => "enregistré deux fois (doublon probable)".into(),
            ConflictKind::Duplicate => "recorded twice (probable duplicate)".into(),
            ConflictKind::Creation if fr(lang) => "créé deux fois".into(),
            ConflictKind::Creation => "created twice".into(),
        };
        let action = match (kind, fr(lang)) {
            (ConflictKind::Fields, true) => "Choisissez la valeur à retenir (l'enregistrement se lit alors comme l'appareil qui l'a écrite l'avait laissé), ou gardez la valeur affichée, et écrivez pourquoi.",
            (ConflictKind::Fields, false) => "Choose the value to keep (the record then reads as the device that wrote it left it), or keep the value shown, and write why.",
            (ConflictKind::MemberDuplicate, true) => "Gardez l'une des inscriptions : l'autre y est fusionnée (rien n'est effacé, ses contrats, avances et livraisons comptent sous celle gardée) ; ou dites que ce sont deux personnes différentes. Écrivez pourquoi.",
            (ConflictKind::MemberDuplicate, false) => "Keep one of the registrations: the other is merged into it (nothing is deleted, its contracts, advances and deliveries count under the one kept); or say they are two different people. Write why.",
            (ConflictKind::Duplicate, true) => "Les deux enregistrements restent : annulez celui en trop depuis la fiche du membre, puis résolvez en écrivant pourquoi.",
            (ConflictKind::Duplicate, false) => "Both records stay: reverse the extra one from the member's card, then resolve, writing why.",
            (ConflictKind::Creation, true) => "Gardez l'enregistrement tel qu'il se lit, et écrivez pourquoi.",
            (ConflictKind::Creation, false) => "Keep the record as it reads, and write why.",
        }
        .to_owned();
        let members = members_of(&db, c, &candidates)?
            .into_iter()
            .map(|m| {
                let who = member_text(&db, &m.to_string());
                let label = if fr(lang) {
                    format!("Fiche de {who}")
                } else {
                    format!("{who}'s card")
                };
                (m, label)
            })
            .collect();
        Ok(ConflictText {
            id: c.id.clone(),
            kind,
            money: c.money,
            record: record_text(&db, &c.record_table, &c.record_key, lang)?,
            what,
            candidates: lines,
            members,
            action,
            found_at: c.found_at.clone(),
        })
    }

    /// Resolves a conflict, given a value (for a fields conflict: the principal field's value,
    /// or a candidate's change hash; for a duplicate: a record id) or none; see
    /// [`Ledger::resolve_conflict_choice`].
    ///
    /// # Errors
    /// As [`Ledger::resolve_conflict_choice`]; a value that is none of the candidates'.
    pub fn resolve_conflict(
        &mut self,
        actor: &Actor,
        conflict_id: &str,
        value: Option<&Value>,
        reason: &str,
    ) -> Result<ConflictRow> {
        let choice = match value {
            None => None,
            Some(v) => {
                let c = self
                    .db()
                    .conflicts(true)?
                    .into_iter()
                    .find(|c| c.id == conflict_id)
                    .ok_or_else(|| missing("conflit ouvert", conflict_id))?;
                let candidates = candidates_of(&c);
                let i = candidates
                    .iter()
                    .position(|k| k.get("value") == Some(v) || k.get("change") == Some(v))
                    .ok_or_else(|| AppError::Resolution {
                        fr: format!("la valeur {v} n'est pas une des valeurs en conflit"),
                        en: format!("the value {v} is not one of the values in conflict"),
                    })?;
                Some(i)
            }
        };
        self.resolve_conflict_choice(actor, conflict_id, choice, reason)
    }

    /// Resolves an open conflict with a written reason, in one synced change:
    ///
    /// - fields: `Some(i)` makes the record read as candidate `i`'s device left it (every
    ///   field it or a competing change wrote); `None` keeps the values shown, the same way,
    ///   from the candidate whose value is shown;
    /// - a member registered twice (secretariat): `Some(i)` keeps registration `i` and merges
    ///   the others into it; `None` declares them different people;
    /// - other duplicates and double creations: `None` only (both records stay).
    ///
    /// A `conflict_resolutions` row goes with it; every store that syncs it closes the same
    /// conflict. Money conflicts need the secretariat and a second person.
    ///
    /// # Errors
    /// Unknown or resolved conflict, an empty reason, [`AppError::Forbidden`],
    /// [`AppError::SecondPersonRequired`], a choice out of range or not allowed for the kind.
    pub fn resolve_conflict_choice(
        &mut self,
        actor: &Actor,
        conflict_id: &str,
        choice: Option<usize>,
        reason: &str,
    ) -> Result<ConflictRow> {
        let reason =
            sene_domain::validate::text("motif", reason, sene_domain::validate::limits::NOTE_MAX)?;
        let now = self.now();
        let at = now.to_rfc3339_opts(SecondsFormat::Millis, true);
        let role = self
            .db()
            .agent(actor.agent)?
            .ok_or_else(|| missing("agent", actor.agent))?
            .role;
        if !role.may_write() {
            return Err(AppError::Forbidden {
                role: role.label_fr().into(),
                action: "enregistrer",
            });
        }
        let (store, engine, _) = self.parts()?;
        let out = store.write(|db| {
            let c = db
                .conflicts(true)?
                .into_iter()
                .find(|c| c.id == conflict_id)
                .ok_or_else(|| missing("conflit ouvert", conflict_id))?;
            let kind = ConflictKind::of(&c);
            let candidates = candidates_of(&c);
            if let Some(i) = choice {
                if i >= candidates.len() {
                    return Err(AppError::Resolution {
                        fr: format!("le choix {} n'est pas une des valeurs en conflit", i + 1),
                        en: format!("choice {} is not one of the values in conflict", i + 1),
                    });
                }
                if !kind.choosable() {
                    return Err(AppError::Resolution {
                        fr: "ces enregistrements restent tous : annulez celui en trop depuis la fiche du membre".into(),
                        en: "these records all stay: reverse the extra one from the member's card".into(),
                    });
                }
            }
            if (c.money || kind == ConflictKind::MemberDuplicate) && role != Role::Secretariat {
                return Err(AppError::Forbidden {
                    role: role.label_fr().into(),
                    action: if c.money {
                        "résoudre un conflit sur de l'argent"
                    } else {
                        "fusionner deux inscriptions d'un membre"
                    },
                });
            }
            if c.money {
                check_second_person(db, &c, &candidates, actor)?;
            }
            let doc: DocId = c.doc_id.parse()?;
            let table = Table::from_name(&c.record_table)
                .ok_or_else(|| missing("table", &c.record_table))?;
            let mut rows = Vec::new();
            let mut writes: Vec<(String, Value)> = Vec::new();
            let (action, chosen) = match kind {
                ConflictKind::Fields => {
                    let i = match choice {
                        Some(i) => i,
                        None => shown_candidate(db, table, &c, &candidates)?,
                    };
                    let change = candidates[i]
                        .get("change")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_owned();
                    let others: Vec<String> = candidates
                        .iter()
                        .filter_map(|k| k.get("change").and_then(Value::as_str))
                        .filter(|h| *h != change)
                        .map(str::to_owned)
                        .collect();
                    writes =
                        engine.values_as_of(db, &doc, table, &c.record_key, &change, &others)?;
                    (
                        if choice.is_some() { "value" } else { "keep" },
                        Some(candidate_key(&candidates[i])),
                    )
                }
                ConflictKind::MemberDuplicate => {
                    let ids: Vec<MemberId> = candidates
                        .iter()
                        .filter_map(|k| k.get("value").and_then(Value::as_str))
                        .filter_map(|s| s.parse().ok())
                        .collect();
                    let m = merges(db)?;
                    let decide = |kind: MergeKind, kept: MemberId, merged: MemberId| {
                        MemberMerge {
                            id: MemberMergeId::new(),
                            kind,
                            kept,
                            merged,
                            reason: reason.clone(),
                            agent_id: actor.agent,
                            device_id: actor.device,
                            at: now,
                        }
                    };
                    let mut decided = Vec::new();
                    match choice {
                        Some(i) => {
                            let kept: MemberId = candidates[i]
                                .get("value")
                                .and_then(Value::as_str)
                                .and_then(|s| s.parse().ok())
                                .ok_or_else(|| missing("membre", plain(&candidates[i])))?;
                            if m.is_absorbed(kept) {
                                let into = member_text(db, &m.canonical(kept).to_string());
                                return Err(AppError::Resolution {
                                    fr: format!("cette inscription est déjà fusionnée dans {into}"),
                                    en: format!("this registration is already merged into {into}"),
                                });
                            }
                            for other in ids.iter().copied().filter(|o| *o != kept) {
                                if m.settled(kept, other) {
                                    continue;
                                }
                                same_cooperative(db, kept, other)?;
                                decided.push(decide(MergeKind::Merge, kept, m.canonical(other)));
                            }
                        }
                        None => {
                            for (n, a) in ids.iter().enumerate() {
                                for b in ids.iter().skip(n + 1) {
                                    if !m.settled(*a, *b) && same_cooperative(db, *a, *b).is_ok()
                                    {
                                        decided.push(decide(MergeKind::Distinct, *a, *b));
                                    }
                                }
                            }
                        }
                    }
                    for d in &decided {
                        db.insert_member_merge(d)?;
                        if let Some(row) = db.row_by_key(Table::MemberMerges, &d.id.to_string())? {
                            rows.push((Table::MemberMerges, row));
                        }
                    }
                    match choice {
                        Some(i) => ("merge", Some(candidate_key(&candidates[i]))),
                        None => ("distinct", None),
                    }
                }
                ConflictKind::Duplicate | ConflictKind::Creation => ("keep", None),
            };
            let resolution = ConflictResolution {
                id: ResolutionId::new().to_string(),
                record_table: c.record_table.clone(),
                record_key: c.record_key.clone(),
                kind: conflict_kind(&c.field).to_owned(),
                covers: keys(&candidates).join(","),
                choice: chosen,
                action: action.to_owned(),
                money: c.money,
                reason: reason.clone(),
                agent_id: actor.agent.to_string(),
                device_id: actor.device.to_string(),
                resolved_at: at.clone(),
            };
            db.insert_conflict_resolution(&resolution)?;
            if let Some(row) = db.row_by_key(Table::ConflictResolutions, &resolution.id)? {
                rows.push((Table::ConflictResolutions, row));
            }
            // the resolution, its merge records and the values chosen: one change, in the
            // document of the record in conflict
            let fw: Vec<FieldWrite<'_>> = writes
                .iter()
                .map(|(f, v)| FieldWrite {
                    table,
                    key: &c.record_key,
                    field: f,
                    value: v,
                })
                .collect();
            let message = serde_json::json!({
                "actions": format!("resolve_conflict {}", c.id),
                "agent": actor.agent.to_string(),
            })
            .to_string();
            engine.write_resolution(db, &doc, &fw, &rows, &message, now.timestamp_millis())?;
            close_covered(db, &resolution)?;
            let payload = serde_json::json!({
                "conflict": c.id,
                "resolution": resolution.id,
                "action": action,
                "choice": resolution.choice,
                "values": Map::from_iter(writes.iter().cloned()),
                "reason": reason,
            })
            .to_string();
            db.audit(&sene_store::AuditEntry {
                at: now,
                agent_id: actor.agent,
                device_id: actor.device,
                action: "resolve_conflict".into(),
                record_kind: "conflict".into(),
                record_id: c.id.clone(),
                payload,
            })?;
            db.conflicts(false)?
                .into_iter()
                .find(|x| x.id == c.id)
                .ok_or_else(|| missing("conflit ouvert", &c.id))
        });
        if out.is_err() {
            engine.invalidate();
        }
        out
    }
}

/// Maker-checker: one whose value, or whose record in a duplicate group, is in a money
/// conflict does not choose.
fn check_second_person(
    db: &Db<'_>,
    c: &ConflictRow,
    candidates: &[Value],
    actor: &Actor,
) -> Result<()> {
    let me = actor.agent.to_string();
    let table = Table::from_name(&c.record_table);
    let maker = |k: &Value| -> Option<String> {
        if let Some(a) = k.get("agent").and_then(Value::as_str) {
            return Some(a.to_owned());
        }
        let id = k.get("value").and_then(Value::as_str)?;
        db.column_by_key(table?, id, "agent_id").ok().flatten()
    };
    if candidates
        .iter()
        .any(|k| maker(k).as_deref() == Some(me.as_str()))
    {
        return Err(AppError::SecondPersonRequired {
            action: "résoudre un conflit d'argent sur ses propres enregistrements",
        });
    }
    Ok(())
}

/// The candidate whose value the record shows now (the one "keep as is" keeps).
fn shown_candidate(
    db: &Db<'_>,
    table: Table,
    c: &ConflictRow,
    candidates: &[Value],
) -> Result<usize> {
    let principal = principal_field(&c.field);
    let now = db
        .row_by_key(table, &c.record_key)?
        .and_then(|r| r.get(principal).cloned())
        .unwrap_or(Value::Null);
    Ok(candidates
        .iter()
        .position(|k| {
            k.get("fields")
                .and_then(|f| f.get(principal))
                .or_else(|| k.get("value"))
                == Some(&now)
        })
        .unwrap_or(0))
}

fn same_cooperative(db: &Db<'_>, a: MemberId, b: MemberId) -> Result<()> {
    let (x, y) = (db.member(a)?, db.member(b)?);
    match (x, y) {
        (Some(x), Some(y)) if x.cooperative_id == y.cooperative_id => Ok(()),
        (Some(x), Some(y)) => Err(AppError::Resolution {
            fr: format!(
                "{} et {} sont de deux coopératives : une fusion se fait dans une coopérative",
                x.number, y.number
            ),
            en: format!(
                "{} and {} are of two cooperatives: a merge is made within one cooperative",
                x.number, y.number
            ),
        }),
        _ => Err(missing("membre", a)),
    }
}
