//! The record rules an incoming record must pass before it is merged, beyond what the store's
//! schema enforces (types, references, immutability): decodable domain values, whole and
//! positive money within plausible bounds, single-line bounded text.

use sene_domain::validate::limits;
use sene_store::{Db, Table};
use serde_json::{Map, Value};

fn id(row: &Map<String, Value>) -> Result<String, String> {
    row.get("id")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| "identifiant absent".to_owned())
}

fn parse<T: std::str::FromStr>(row: &Map<String, Value>) -> Result<T, String> {
    id(row)?
        .parse()
        .map_err(|_| "identifiant invalide".to_owned())
}

fn column_id<T: std::str::FromStr>(row: &Map<String, Value>, c: &str) -> Result<T, String> {
    row.get(c)
        .and_then(Value::as_str)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("{c} : identifiant invalide"))
}

fn present<T>(r: Result<Option<T>, sene_store::StoreError>) -> Result<(), String> {
    match r {
        Ok(Some(_)) => Ok(()),
        Ok(None) => Err("enregistrement absent après écriture".into()),
        Err(e) => Err(format!("valeur invalide : {e}")),
    }
}

/// Checks one record as written in the projection.
///
/// # Errors
/// Longest weighing evidence of a delivery (characters of its JSON): 40 captures of a few
/// hundred characters each.
const WEIGHING_MAX: usize = 20_000;

/// A French sentence saying what is wrong.
pub fn check_row(db: &Db<'_>, table: Table, row: &Map<String, Value>) -> Result<(), String> {
    for (col, v) in row {
        match v {
            Value::String(s) => {
                if s.chars().any(char::is_control) {
                    return Err(format!("{col} : caractères de contrôle"));
                }
                // a delivery's weighing evidence (#21) is JSON of up to 40 captures: bounded apart,
                // and it must read as evidence
                if table == Table::Deliveries && col == "weighing" {
                    if s.chars().count() > WEIGHING_MAX {
                        return Err(format!("{col} : texte trop long"));
                    }
                    serde_json::from_str::<sene_domain::Weighing>(s)
                        .map_err(|_| format!("{col} : pesée illisible"))?;
                } else if s.chars().count() > limits::NOTE_MAX {
                    return Err(format!("{col} : texte trop long"));
                }
            }
            Value::Number(n) if n.as_i64().is_none() => {
                return Err(format!("{col} : nombre non entier"))
            }
            _ => {}
        }
    }
    let int = |c: &str| row.get(c).and_then(Value::as_i64);
    let positive = |c: &str, max: i64| -> Result<(), String> {
        match int(c) {
            Some(v) if v > 0 && v <= max => Ok(()),
            Some(v) => Err(format!("{c} : {v} hors limites (1 à {max})")),
            None => Err(format!("{c} absent")),
        }
    };
    let at_most = |c: &str, max: i64| -> Result<(), String> {
        match int(c) {
            Some(v) if (0..=max).contains(&v) => Ok(()),
            Some(v) => Err(format!("{c} : {v} hors limites (0 à {max})")),
            None => Err(format!("{c} absent")),
        }
    };
    use Table as T;
    match table {
        T::Members => present(db.member(parse(row)?)),
        T::Cooperatives => present(db.cooperative(parse(row)?)),
        T::Warehouses => present(db.warehouse(parse(row)?)),
        T::Agents => present(db.agent(parse(row)?)),
        T::Devices => present(db.device(parse(row)?)),
        T::Campaigns => present(db.campaign(parse(row)?)),
        T::Contracts => {
            positive("committed_t", limits::COMMITTED_KG_MAX * 10)?;
            // maker-checker: the requester does not approve
            let by = |c: &str| row.get(c).and_then(Value::as_str);
            if by("approved_by").is_some() && by("approved_by") == by("requested_by") {
                return Err(
                    "contrat approuvé par la personne qui l'a demandé : il faut une seconde personne"
                        .into(),
                );
            }
            present(db.contract(parse(row)?))
        }
        T::Disbursements => {
            positive("amount", limits::MEMBER_MONEY_MAX)?;
            present(db.disbursement(parse(row)?))
        }
        T::Deliveries => {
            positive("gross_t", limits::DELIVERY_KG_MAX * 10)?;
            let (gross, net, acc) = (int("gross_t"), int("net_t"), int("accepted_t"));
            if !(acc <= net && net <= gross && acc >= Some(0)) {
                return Err("poids incohérents (accepté ≤ net ≤ brut)".into());
            }
            present(db.delivery(parse(row)?))
        }
        T::FertilizerDistributions => {
            positive("bags", i64::from(limits::BAGS_MAX))?;
            present(db.distribution(parse(row)?))
        }
        T::BalancePayments => {
            positive("amount", limits::MEMBER_MONEY_MAX)?;
            present(db.payment(parse(row)?))
        }
        T::DebtCarries => {
            at_most("amount", limits::MEMBER_MONEY_MAX)?;
            present(db.debt_carry(column_id(row, "member_id")?, column_id(row, "campaign_id")?))
        }
        T::CampaignPrices => {
            positive("base_price", limits::PRICE_PER_KG_MAX)?;
            // a price recorded before complements existed has none: zero
            if row.contains_key("complement") {
                at_most("complement", limits::PRICE_PER_KG_MAX)
            } else {
                Ok(())
            }
        }
        T::Drawdowns | T::FundAllocations => positive("amount", limits::UNION_MONEY_MAX),
        T::CreditLines => {
            positive("principal", limits::UNION_MONEY_MAX)?;
            present(db.credit_line(parse(row)?))
        }
        T::FertilizerProducts => present(db.product(parse(row)?)),
        T::PurchaseOrders => present(db.purchase_order(parse(row)?)),
        T::Reversals => {
            let target = row
                .get("target_id")
                .and_then(Value::as_str)
                .unwrap_or_default();
            // maker-checker: who made a money record does not reverse it (checked when the
            // record is known here; the member-level ones carry their agent)
            let kind = row
                .get("target_kind")
                .and_then(Value::as_str)
                .and_then(|k| k.parse::<sene_domain::RecordKind>().ok());
            if let Some(kind) = kind {
                let maker = db
                    .record_maker(kind, target)
                    .map_err(|e| format!("valeur invalide : {e}"))?;
                if maker.is_some()
                    && maker.as_deref() == row.get("agent_id").and_then(Value::as_str)
                {
                    return Err(
                        "enregistrement d'argent annulé par la personne qui l'a fait : il faut une seconde personne"
                            .into(),
                    );
                }
            }
            present(db.reversal_of(target))
        }
        T::MemberMerges => {
            let text = |c: &str| row.get(c).and_then(Value::as_str).unwrap_or_default();
            text("kind")
                .parse::<sene_domain::MergeKind>()
                .map_err(|_| format!("kind : « {} » inconnu", text("kind")))?;
            let (kept, merged) = (text("kept_id"), text("merged_id"));
            if kept == merged {
                return Err("un membre fusionné avec lui-même".into());
            }
            let coop = |m: &str| db.column_by_key(Table::Members, m, "cooperative_id");
            let (a, b) = (
                coop(kept).map_err(|e| e.to_string())?,
                coop(merged).map_err(|e| e.to_string())?,
            );
            if a.is_none() || a != b {
                return Err("les deux inscriptions ne sont pas de la même coopérative".into());
            }
            present(db.member_merge(&id(row)?))
        }
        T::RegistryChanges => {
            let text = |c: &str| row.get(c).and_then(Value::as_str).unwrap_or_default();
            text("action")
                .parse::<sene_domain::RegistryAction>()
                .map_err(|_| format!("action : « {} » inconnue", text("action")))?;
            if text("reason").trim().is_empty() {
                return Err("changement du registre sans motif".into());
            }
            present(db.registry_change(&id(row)?))
        }
        T::ConflictResolutions => {
            let text = |c: &str| row.get(c).and_then(Value::as_str).unwrap_or_default();
            if !matches!(text("kind"), "fields" | "duplicate" | "creation") {
                return Err(format!("kind : « {} » inconnu", text("kind")));
            }
            if !matches!(text("action"), "value" | "keep" | "merge" | "distinct") {
                return Err(format!("action : « {} » inconnue", text("action")));
            }
            present(db.conflict_resolution(&id(row)?))
        }
        _ => Ok(()),
    }
}
