//! The weighing station's anomalies (#21 item 3):
//!
//! - **weights typed by hand**: per agent and per warehouse, the share of the campaign's
//!   deliveries whose gross weight was typed rather than read from the scale (from the
//!   evidence each delivery carries, `Delivery::weighing`). A hand weight is allowed (no scale,
//!   a broken one), with its reason; a share above [`HAND_SHARE_FLAG`] of at least
//!   [`HAND_MIN`] weighed deliveries is listed, with the share and the reasons given.
//!   Deliveries typed before Sene read scales (no evidence) and reversed ones are not counted;
//! - **a paper ticket that differs from the books**: a weighing ticket scanned at the office
//!   (`read_scan`) whose signature or figures did not match, as kept in the audit trail
//!   (`ticket_scanned`, [`crate::tickets::SCANNED`]).

use std::collections::{BTreeMap, HashSet};

use sene_domain::*;
use sene_store::{ContractFigures, Db};
use serde::{Deserialize, Serialize};

use super::told::{Fact, Link, Target, Told};
use super::{anomaly, Anomaly, AnomalyKind};
use crate::tickets::{Signature, TicketCheck};
use crate::Result;

/// A share of hand weights above this percentage is listed.
pub const HAND_SHARE_FLAG: u32 = 20;
/// Fewest weighed deliveries (scale or hand) before a share is judged.
pub const HAND_MIN: u32 = 5;

/// Who weighed: an agent or a warehouse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WeighedBy {
    Agent,
    Warehouse,
}

/// The hand weights of one agent or warehouse in a campaign.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HandShare {
    pub by: WeighedBy,
    /// The agent's or warehouse's id.
    pub id: String,
    /// Deliveries with a weight typed by hand.
    pub hand: u32,
    /// Deliveries with evidence (scale or hand).
    pub weighed: u32,
    /// Each reason given (`HandReason` code) and how often.
    pub reasons: Vec<(String, u32)>,
}

impl HandShare {
    /// The share in whole percent, rounded down.
    #[must_use]
    pub fn percent(&self) -> u32 {
        (self.hand.saturating_mul(100))
            .checked_div(self.weighed)
            .unwrap_or(0)
    }
}

/// The shares of hand weights of a campaign, per agent and per warehouse, from the deliveries
/// of its contracts (`figures`).
///
/// # Errors
/// Store errors; a stored weighing that does not read.
pub fn hand_shares(db: &Db<'_>, figures: &[ContractFigures]) -> Result<Vec<HandShare>> {
    // every contract of `figures` is of one campaign; a delivery is on a contract that counts
    let Some(campaign) = figures.first().map(|f| f.contract.campaign_id) else {
        return Ok(Vec::new());
    };
    type Tally = (u32, u32, BTreeMap<String, u32>);
    let mut by: BTreeMap<(WeighedBy, String), Tally> = BTreeMap::new();
    for w in db.campaign_weighings(campaign)? {
        for (b, who) in [
            (WeighedBy::Agent, &w.agent_id),
            (WeighedBy::Warehouse, &w.warehouse_id),
        ] {
            let t = by.entry((b, who.clone())).or_default();
            t.1 += 1;
            if let Some(r) = &w.hand_reason {
                t.0 += 1;
                *t.2.entry(r.clone()).or_default() += 1;
            }
        }
    }
    Ok(by
        .into_iter()
        .map(|((b, id), (hand, weighed, reasons))| HandShare {
            by: b,
            id,
            hand,
            weighed,
            reasons: reasons.into_iter().collect(),
        })
        .collect())
}

/// The weighing anomalies of a campaign: shares of hand weights above the flag, then paper
/// tickets scanned at the office that differ from the books.
///
/// # Errors
/// Store errors.
pub(super) fn anomalies(db: &Db<'_>, figures: &[ContractFigures]) -> Result<Vec<Anomaly>> {
    let mut out = Vec::new();
    for s in hand_shares(db, figures)? {
        if s.weighed >= HAND_MIN && s.percent() > HAND_SHARE_FLAG {
            let keys = [
                format!("{:?}", s.by).to_lowercase(),
                s.id.clone(),
                s.hand.to_string(),
                s.weighed.to_string(),
            ];
            out.push(anomaly(AnomalyKind::HandWeighed { share: s }, &keys));
        }
    }
    let contracts: HashSet<ContractId> = figures.iter().map(|f| f.contract.id).collect();
    let mut seen = HashSet::new();
    for e in db.ticket_scans()? {
        let Ok(check) = serde_json::from_str::<TicketCheck>(&e.payload) else {
            continue;
        };
        // the campaign of the delivery; a ticket of no delivery in the books: every queue
        if let Some(d) = db.delivery(check.figures.delivery)? {
            if !contracts.contains(&d.contract_id) {
                continue;
            }
        }
        let f = &check.figures;
        let keys = [
            f.delivery.to_string(),
            f.receipt.clone(),
            f.member_number.clone(),
            f.accepted.tenths().to_string(),
            f.value.francs().to_string(),
        ];
        if !seen.insert(keys.clone()) {
            continue; // the same paper scanned again
        }
        out.push(anomaly(
            AnomalyKind::TicketDiffers {
                check,
                scanned_at: e.at.to_rfc3339(),
                scanned_by: e.agent_id,
            },
            &keys,
        ));
    }
    Ok(out)
}

fn pick<T>(lang: Lang, fr: T, en: T) -> T {
    if lang == Lang::Fr {
        fr
    } else {
        en
    }
}

fn fact(label: &str, value: impl Into<String>) -> Fact {
    Fact {
        label: label.to_owned(),
        value: value.into(),
    }
}

/// The title of this module's kinds.
#[must_use]
pub(super) fn title(code: &str) -> Option<(&'static str, &'static str)> {
    match code {
        "hand_weighed" => Some((
            "Beaucoup de pesées saisies à la main",
            "Many weights typed by hand",
        )),
        "ticket_differs" => Some((
            "Ticket de pesée différent des livres",
            "Weighing ticket differs from the books",
        )),
        _ => None,
    }
}

/// This module's kinds in words.
///
/// # Errors
/// Store errors.
pub(super) fn told(db: &Db<'_>, kind: &AnomalyKind, lang: Lang) -> Result<Option<Told>> {
    let title = |code: &str| {
        title(code).map_or_else(|| code.to_owned(), |(fr, en)| pick(lang, fr, en).to_owned())
    };
    match kind {
        AnomalyKind::HandWeighed { share: s } => {
            let name = match s.by {
                WeighedBy::Agent => match s.id.parse::<AgentId>() {
                    Ok(a) => db.agent(a)?.map_or_else(|| s.id.clone(), |a| a.name),
                    Err(_) => s.id.clone(),
                },
                WeighedBy::Warehouse => match s.id.parse::<WarehouseId>() {
                    Ok(w) => db.warehouse(w)?.map_or_else(|| s.id.clone(), |w| w.name),
                    Err(_) => s.id.clone(),
                },
            };
            let who = match (s.by, lang) {
                (WeighedBy::Agent, Lang::Fr) => format!("l'agent {name}"),
                (WeighedBy::Agent, Lang::En) => format!("agent {name}"),
                (WeighedBy::Warehouse, Lang::Fr) => format!("le magasin {name}"),
                (WeighedBy::Warehouse, Lang::En) => format!("warehouse {name}"),
            };
            let mut evidence = vec![
                fact(
                    pick(lang, "pesées saisies à la main", "weights typed by hand"),
                    format!("{} / {} ({} %)", s.hand, s.weighed, s.percent()),
                ),
                fact(
                    pick(lang, "seuil", "threshold"),
                    format!("{HAND_SHARE_FLAG} %"),
                ),
            ];
            for (code, n) in &s.reasons {
                let label = code.parse::<HandReason>().map_or_else(
                    |_| code.clone(),
                    |r| pick(lang, r.label_fr(), r.label_en()).to_owned(),
                );
                evidence.push(fact(
                    pick(lang, "motif", "reason"),
                    format!("{label} : {n}"),
                ));
            }
            Ok(Some(Told {
                title: title("hand_weighed"),
                summary: pick(
                    lang,
                    format!("Pour {who}, {} % des livraisons de la campagne ont un poids tapé à la main plutôt que lu sur la balance.", s.percent()),
                    format!("For {who}, {} % of the campaign's deliveries have a weight typed by hand rather than read from the scale.", s.percent()),
                ),
                evidence,
                links: vec![Link {
                    target: Target::Dashboard,
                    id: None,
                    label: pick(lang, "Tableau de bord", "Dashboard").to_owned(),
                }],
                action: pick(
                    lang,
                    "Vérifiez la balance du magasin (branchée, réglée dans l'écran Appareil) et demandez à l'agent pourquoi il tape les poids ; comparez avec les bons papier si besoin.",
                    "Check the warehouse's scale (plugged in, set in the Device screen) and ask the agent why weights are typed; compare with the paper slips if needed.",
                )
                .to_owned(),
            }))
        }
        AnomalyKind::TicketDiffers {
            check,
            scanned_at,
            scanned_by,
        } => {
            let f = &check.figures;
            let by = db
                .agent(*scanned_by)?
                .map_or_else(|| scanned_by.to_string(), |a| a.name);
            let mut evidence = vec![
                fact(pick(lang, "ticket", "ticket"), f.receipt.clone()),
                fact(
                    pick(lang, "signature", "signature"),
                    match (check.signature, lang) {
                        (Signature::Valid, Lang::Fr) => "valide",
                        (Signature::Valid, Lang::En) => "valid",
                        (Signature::Invalid, Lang::Fr) => "fausse",
                        (Signature::Invalid, Lang::En) => "wrong",
                        (Signature::NoKey, Lang::Fr) => "invérifiable ici",
                        (Signature::NoKey, Lang::En) => "cannot be checked here",
                    },
                ),
                fact(
                    pick(lang, "scanné le", "scanned on"),
                    scanned_at.get(..16).unwrap_or(scanned_at).replace('T', " "),
                ),
                fact(pick(lang, "par", "by"), by),
            ];
            for d in &check.differences {
                evidence.push(fact(
                    d.label(lang),
                    pick(
                        lang,
                        format!("papier {}, livres {}", d.paper, d.books),
                        format!("paper {}, books {}", d.paper, d.books),
                    ),
                ));
            }
            let mut links = Vec::new();
            if let Some(d) = db.delivery(f.delivery)? {
                let m = db.member(d.member_id)?;
                links.push(Link {
                    target: Target::Member,
                    id: Some(d.member_id.to_string()),
                    label: m.map_or_else(
                        || d.member_id.to_string(),
                        |m| {
                            pick(
                                lang,
                                format!("Fiche de {} ({})", m.full_name, m.number),
                                format!("Card of {} ({})", m.full_name, m.number),
                            )
                        },
                    ),
                });
            }
            Ok(Some(Told {
                title: title("ticket_differs"),
                summary: check.message(lang),
                evidence,
                links,
                action: pick(
                    lang,
                    "Gardez le papier. Comparez-le avec la livraison enregistrée, entendez le membre et l'agent ; une erreur de l'enregistrement se corrige par une annulation et une nouvelle livraison, un papier falsifié se signale.",
                    "Keep the paper. Compare it with the recorded delivery, hear the member and the agent; a wrong record is corrected by a reversal and a new delivery, a forged paper is reported.",
                )
                .to_owned(),
            }))
        }
        _ => Ok(None),
    }
}
