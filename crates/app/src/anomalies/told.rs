//! An anomaly told to a person: who (member, cooperative, agent, device, by name), what (the
//! figures formatted as everywhere else in the app: `2 688,4 kg`, `1 234 567 FCFA`, dates
//! `15/01/2027`), the records to open, and what to do about it, in French or English.
//!
//! The one place these words are made: the window (through the API's `AnomalyView`) and the
//! CLI show them as they are. Figures go through the domain's own formatter
//! ([`Money`]'s and [`Kg`]'s `Display`, `sene_domain::words`), the one the receipts, the PDFs and
//! the window's `lib/format.ts` follow; the app writes figures the same way in both languages.

use chrono::{DateTime, NaiveDate};
use sene_domain::*;
use sene_store::Db;
use serde::{Deserialize, Serialize};

use super::{AnomalyKind, DuplicateReason};
use crate::reports::CashPosition;
use crate::Result;

/// What a link opens in the window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    /// A member's card (`id` is the member id).
    Member,
    /// The settlement screen (`id`: the run, when one is meant).
    Settlement,
    /// The dashboard: the agents' cash and the warehouses' stock, and the office's entries
    /// (stock counts, cash handed back).
    Dashboard,
    /// The exchanges screen: devices, USB files.
    Sync,
}

/// A record the anomaly is about, as a button: what it opens and its label.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Link {
    pub target: Target,
    /// The member's (or run's) id, when the target opens one record.
    pub id: Option<String>,
    /// What the button says, in the language asked (« Fiche de Awa Traoré (DIO-0042) »).
    pub label: String,
}

/// One line of evidence: a label and its value, both for a person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fact {
    pub label: String,
    pub value: String,
}

/// An anomaly in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Told {
    /// The kind in words.
    pub title: String,
    /// One sentence: who and what.
    pub summary: String,
    /// The figures and names, one per line (never an id).
    pub evidence: Vec<Fact>,
    /// The member cards and screens to open.
    pub links: Vec<Link>,
    /// What the secretariat should do.
    pub action: String,
}

/// The title of an anomaly kind, by its code (also for resolutions in the log).
#[must_use]
pub fn title(code: &str, lang: Lang) -> String {
    let (fr, en) = match code {
        "sync_conflict" => ("Conflit de synchronisation", "Sync conflict"),
        "duplicate_member" => ("Membre en double probable", "Probable duplicate member"),
        "duplicate_delivery" => (
            "Livraison en double probable",
            "Probable duplicate delivery",
        ),
        "disbursement_above_due" => (
            "Avance au-delà du montant prévu",
            "Advance above the amount due",
        ),
        "disbursement_not_approved" => (
            "Avance sans contrat approuvé",
            "Advance without an approved contract",
        ),
        "delivery_above_committed" => (
            "Livraison au-delà de l'engagement",
            "Delivery above the commitment",
        ),
        "receipt_gap" => (
            "Reçus manquants dans la série d'un appareil",
            "Receipts missing from a device's series",
        ),
        "agent_cash_negative" => (
            "Caisse d'agent qui ne se réconcilie pas",
            "Agent's cash that does not reconcile",
        ),
        "agent_cash_outstanding_after_close" => (
            "Argent encore détenu par un agent après l'arrêt",
            "Cash still held by an agent after the close",
        ),
        "quarantined_file" => (
            "Fichier d'un appareil révoqué en quarantaine",
            "File of a revoked device in quarantine",
        ),
        "office_restored" => (
            "Restauration du bureau depuis une sauvegarde",
            "Office restored from a backup",
        ),
        "audit_rewritten" => (
            "Historique d'un appareil réécrit",
            "A device's history was rewritten",
        ),
        "stock_count_mismatch" => (
            "Stock compté différent du stock théorique",
            "Counted stock differs from the book",
        ),
        "settlement_debt" => (
            "Membre endetté au règlement",
            "Member in debt at settlement",
        ),
        "late_record" => (
            "Enregistrement arrivé après le règlement arrêté",
            "Record arrived after the locked settlement",
        ),
        "after_departure" => (
            "Enregistrement après le départ du membre",
            "Record after the member's departure",
        ),
        other => super::weighing::title(other).unwrap_or((other, other)),
    };
    pick(lang, fr, en).to_owned()
}

fn pick<T>(lang: Lang, fr: T, en: T) -> T {
    if lang == Lang::Fr {
        fr
    } else {
        en
    }
}

/// A date as the app shows it: `15/01/2027`.
fn day(d: NaiveDate) -> String {
    sene_print::format_date(d)
}

/// A stored time (RFC 3339) as the window shows one: `15/01/2027 09:00`, as written (no time
/// zone shift, like `formatDate` in the window); unreadable text as it is.
fn moment(s: &str) -> String {
    DateTime::parse_from_rfc3339(s.trim()).map_or_else(
        |_| s.to_owned(),
        |t| format!("{} {}", day(t.date_naive()), t.format("%H:%M")),
    )
}

/// A count with its digits grouped (`12 345`), by the domain's formatter.
fn count(n: u64) -> String {
    words::group_thousands(i128::from(n))
}

/// The difference between two weights, as a positive weight.
fn kg_between(a: Kg, b: Kg) -> Result<Kg> {
    let d = a.checked_sub(b)?;
    Ok(if d.tenths() < 0 { b.checked_sub(a)? } else { d })
}

/// Names read from the store, with what to say when a record is not (yet) here.
struct Names<'a, 'db> {
    db: &'a Db<'db>,
    lang: Lang,
}

/// A member as a person reads it.
struct Who {
    id: MemberId,
    name: String,
    number: String,
    cooperative: String,
    village: String,
}

impl Names<'_, '_> {
    fn member(&self, id: MemberId) -> Result<Who> {
        let Some(m) = self.db.member(id)? else {
            return Ok(Who {
                id,
                name: pick(
                    self.lang,
                    "membre inconnu de ce bureau",
                    "member unknown here",
                )
                .into(),
                number: String::new(),
                cooperative: String::new(),
                village: String::new(),
            });
        };
        let cooperative = self.cooperative(m.cooperative_id)?;
        Ok(Who {
            id,
            name: m.full_name,
            number: m.number,
            cooperative,
            village: m.village,
        })
    }

    fn cooperative(&self, id: CooperativeId) -> Result<String> {
        Ok(self.db.cooperative(id)?.map_or_else(
            || pick(self.lang, "coopérative inconnue", "unknown cooperative").into(),
            |c| c.name,
        ))
    }

    fn agent(&self, id: AgentId) -> Result<String> {
        Ok(self.db.agent(id)?.map_or_else(
            || pick(self.lang, "agent inconnu", "unknown agent").into(),
            |a| a.name,
        ))
    }

    /// A device by its label, and the agent it was paired for when the office knows it.
    fn device(&self, id: &str) -> Result<String> {
        let label = match id.parse::<DeviceId>() {
            Ok(d) => self.db.device(d)?.map(|d| d.label),
            Err(_) => None,
        };
        let agent = match self.db.hub_device(id)? {
            Some(h) => match h.agent_id.parse::<AgentId>() {
                Ok(a) => self.db.agent(a)?.map(|a| a.name),
                Err(_) => None,
            },
            None => None,
        };
        let unknown = pick(
            self.lang,
            "appareil inconnu de ce bureau",
            "device unknown to this office",
        );
        Ok(match (label, agent) {
            (Some(l), Some(a)) if !l.contains(&a) => {
                format!(
                    "« {l} » ({} {a})",
                    pick(self.lang, "utilisé par", "used by")
                )
            }
            (Some(l), _) => format!("« {l} »"),
            (None, Some(a)) => format!(
                "{unknown} ({} {a})",
                pick(self.lang, "appairé pour", "paired for")
            ),
            (None, None) => unknown.to_owned(),
        })
    }

    fn warehouse(&self, id: WarehouseId) -> Result<(String, String)> {
        match self.db.warehouse(id)? {
            Some(w) => Ok((w.name, self.cooperative(w.cooperative_id)?)),
            None => Ok((
                pick(self.lang, "magasin inconnu", "unknown warehouse").into(),
                String::new(),
            )),
        }
    }

    /// `BDI-000124 (Bakary Diarra, « Portable de … »)`: a money record's receipt and who
    /// recorded it where.
    fn recorded(&self, r: &Recorded) -> Result<String> {
        Ok(format!(
            "{} ({}, {})",
            r.receipt,
            self.agent(r.agent_id)?,
            self.device(&r.device_id.to_string())?
        ))
    }
}

/// The facts and link of a member.
fn member_facts(lang: Lang, w: &Who, facts: &mut Vec<Fact>, links: &mut Vec<Link>, n: Option<u8>) {
    let label = match (n, lang) {
        (None, Lang::Fr) => "membre".to_owned(),
        (None, _) => "member".to_owned(),
        (Some(n), Lang::Fr) => format!("membre {n}"),
        (Some(n), _) => format!("member {n}"),
    };
    let mut value = w.name.clone();
    if !w.number.is_empty() {
        value.push_str(&format!(" ({})", w.number));
    }
    if !w.village.is_empty() {
        value.push_str(&format!(", {}", w.village));
    }
    facts.push(Fact { label, value });
    if !w.cooperative.is_empty() {
        facts.push(Fact {
            label: pick(lang, "coopérative", "cooperative").into(),
            value: w.cooperative.clone(),
        });
    }
    links.push(Link {
        target: Target::Member,
        id: Some(w.id.to_string()),
        label: pick(
            lang,
            format!("Fiche de {}", w.short()),
            format!("{}'s card", w.short()),
        ),
    });
}

impl Who {
    /// `Awa Traoré (DIO-0042)`.
    fn short(&self) -> String {
        if self.number.is_empty() {
            self.name.clone()
        } else {
            format!("{} ({})", self.name, self.number)
        }
    }

    /// `Awa Traoré (DIO-0042, Coopérative de Dioro)`.
    fn full(&self) -> String {
        match (self.number.is_empty(), self.cooperative.is_empty()) {
            (true, true) => self.name.clone(),
            (false, true) => format!("{} ({})", self.name, self.number),
            (true, false) => format!("{} ({})", self.name, self.cooperative),
            (false, false) => format!("{} ({}, {})", self.name, self.number, self.cooperative),
        }
    }
}

fn fact(label: impl Into<String>, value: impl Into<String>) -> Fact {
    Fact {
        label: label.into(),
        value: value.into(),
    }
}

fn screen(target: Target, lang: Lang) -> Link {
    let label = match target {
        Target::Member => pick(lang, "Fiche du membre", "Member's card"),
        Target::Settlement => pick(lang, "Ouvrir le règlement", "Open the settlement"),
        Target::Dashboard => pick(
            lang,
            "Ouvrir le tableau de bord (caisses, stocks, saisies du bureau)",
            "Open the dashboard (cash, stock, office entries)",
        ),
        Target::Sync => pick(
            lang,
            "Ouvrir la synchronisation (appareils)",
            "Open sync (devices)",
        ),
    };
    Link {
        target,
        id: None,
        label: label.into(),
    }
}

/// The cash position of an agent, line by line.
fn cash_facts(lang: Lang, p: &CashPosition, facts: &mut Vec<Fact>) {
    facts.push(fact(
        pick(
            lang,
            "fonds reçus par l'agent",
            "funds received by the agent",
        ),
        p.received.to_string(),
    ));
    facts.push(fact(
        pick(lang, "payé aux membres", "paid to members"),
        p.paid_out.to_string(),
    ));
    facts.push(fact(
        pick(lang, "engrais encaissé", "fertilizer cash collected"),
        p.fertilizer_cash.to_string(),
    ));
    facts.push(fact(
        pick(lang, "rendu au bureau", "handed back to the office"),
        p.returned.to_string(),
    ));
    facts.push(fact(
        pick(lang, "reste à rendre", "still to hand back"),
        p.to_return.to_string(),
    ));
}

/// A list of at most `max` items, then « … et 12 autres ».
fn some_of(lang: Lang, items: &[String], max: usize) -> String {
    let mut s = items
        .iter()
        .take(max)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if items.len() > max {
        let rest = count(u64::try_from(items.len() - max).unwrap_or(u64::MAX));
        s.push_str(&pick(
            lang,
            format!(" … et {rest} autres"),
            format!(" … and {rest} more"),
        ));
    }
    s
}

/// What a late record is, in words.
fn record_kind(kind: &str, lang: Lang) -> &str {
    match kind {
        "delivery" => pick(lang, "livraison", "delivery"),
        "disbursement" => pick(lang, "avance", "advance"),
        "fertilizer_distribution" => {
            pick(lang, "distribution d'engrais", "fertilizer distribution")
        }
        "reversal" => pick(lang, "contre-passation", "reversal"),
        "balance_payment" => pick(lang, "paiement de solde", "balance payment"),
        "contract" => pick(lang, "contrat", "contract"),
        other => other,
    }
}

/// The anomaly `kind` in words, with names read from `db`, in `lang`.
///
/// # Errors
/// Store errors, overflow.
#[allow(clippy::too_many_lines)] // one arm per kind, each short
pub fn tell(db: &Db<'_>, kind: &AnomalyKind, lang: Lang) -> Result<Told> {
    let n = Names { db, lang };
    let mut facts = Vec::new();
    let mut links = Vec::new();
    let (summary, action) = match kind {
        AnomalyKind::HandWeighed { .. } | AnomalyKind::TicketDiffers { .. } => {
            if let Some(t) = super::weighing::told(db, kind, lang)? {
                return Ok(t);
            }
            (String::new(), String::new())
        }
        AnomalyKind::SyncConflict { .. } => {
            // the conflict's values and their evidence are the conflict screen's (office.rs)
            (
                pick(
                    lang,
                    "Deux appareils ont enregistré des valeurs différentes pour un même enregistrement.",
                    "Two devices recorded different values for the same record.",
                )
                .to_owned(),
                pick(
                    lang,
                    "Choisissez la valeur à retenir, ou gardez les enregistrements tels quels, et écrivez pourquoi.",
                    "Choose the value to keep, or keep the records as they are, and write why.",
                )
                .to_owned(),
            )
        }
        AnomalyKind::AuditRewritten {
            device_id,
            at_seq,
            expected,
            got,
            reason,
            detected_at,
        } => {
            let device = n.device(device_id)?;
            facts.push(fact(pick(lang, "appareil", "device"), device.clone()));
            facts.push(fact(
                pick(lang, "entrée d'audit", "audit entry"),
                format!("n° {}", count(at_seq.unsigned_abs())),
            ));
            facts.push(fact(pick(lang, "motif", "reason"), reason.clone()));
            facts.push(fact(
                pick(
                    lang,
                    "empreintes (reçue / donnée)",
                    "fingerprints (received / given)",
                ),
                format!("{} / {}", short_hash(expected), short_hash(got)),
            ));
            facts.push(fact(
                pick(lang, "détecté le", "detected on"),
                moment(detected_at),
            ));
            links.push(screen(Target::Sync, lang));
            (
                pick(
                    lang,
                    format!("L'historique de l'appareil {device} ne donne plus ce que le bureau en a reçu (entrée n° {}) : des enregistrements ont pu être modifiés ou effacés dans son fichier.", count(at_seq.unsigned_abs())),
                    format!("The history of device {device} no longer gives what the office received from it (entry no. {}): records may have been changed or erased in its file.", count(at_seq.unsigned_abs())),
                ),
                pick(
                    lang,
                    "Révoquez l'appareil et faites vérifier l'ordinateur ; comparez ses reçus avec les carnets de l'agent, puis réenrôlez un appareil sain.",
                    "Revoke the device and have the computer checked; compare its receipts with the agent's receipt books, then enroll a clean device.",
                )
                .to_owned(),
            )
        }
        AnomalyKind::QuarantinedFile {
            device_id,
            received_at,
            created_at,
            size,
            ..
        } => {
            let device = n.device(device_id)?;
            facts.push(fact(
                pick(lang, "appareil révoqué", "revoked device"),
                device.clone(),
            ));
            facts.push(fact(
                pick(lang, "reçu le", "received on"),
                moment(received_at),
            ));
            facts.push(fact(
                pick(lang, "écrit par l'appareil le", "written by the device on"),
                moment(created_at),
            ));
            facts.push(fact(
                pick(lang, "taille", "size"),
                format!(
                    "{} {}",
                    count(size.unsigned_abs()),
                    pick(lang, "octets", "bytes")
                ),
            ));
            links.push(screen(Target::Sync, lang));
            (
                pick(
                    lang,
                    format!("Un fichier USB de l'appareil révoqué {device}, reçu le {}, est gardé en quarantaine : rien n'en a été fusionné.", moment(received_at)),
                    format!("A USB file of the revoked device {device}, received on {}, is kept in quarantine: nothing of it was merged.", moment(received_at)),
                ),
                pick(
                    lang,
                    "Demandez à l'agent ce qu'il a saisi depuis la révocation ; faites ressaisir les enregistrements légitimes sur un appareil enrôlé, puis résolvez.",
                    "Ask the agent what was recorded since the revocation; have the genuine records entered again on an enrolled device, then resolve.",
                )
                .to_owned(),
            )
        }
        AnomalyKind::DuplicateMember { members, reasons } => {
            let a = n.member(members[0])?;
            let b = n.member(members[1])?;
            member_facts(lang, &a, &mut facts, &mut links, Some(1));
            member_facts(lang, &b, &mut facts, &mut links, Some(2));
            let why: Vec<String> = reasons
                .iter()
                .map(|r| match r {
                    DuplicateReason::Number(v) => pick(
                        lang,
                        format!("même n° de membre {v}"),
                        format!("same member no. {v}"),
                    ),
                    DuplicateReason::Phone(v) => pick(
                        lang,
                        format!("même téléphone {v}"),
                        format!("same phone {v}"),
                    ),
                    DuplicateReason::Nina(v) => {
                        pick(lang, format!("même NINA {v}"), format!("same NINA {v}"))
                    }
                    DuplicateReason::NameVillage(_) => pick(
                        lang,
                        format!("même nom et même village ({})", a.village),
                        format!("same name and village ({})", a.village),
                    ),
                })
                .collect();
            facts.push(fact(
                pick(lang, "ressemblances", "likenesses"),
                why.join(" ; "),
            ));
            (
                pick(
                    lang,
                    format!("{} et {} semblent être la même personne : {}.", a.full(), b.full(), why.join(", ")),
                    format!("{} and {} look like the same person: {}.", a.full(), b.full(), why.join(", ")),
                ),
                pick(
                    lang,
                    "Si c'est la même personne, fusionnez les deux fiches (l'une est gardée, les enregistrements de l'autre lui sont rattachés, rien n'est effacé) ; sinon, résolvez en écrivant que ce sont deux personnes différentes.",
                    "If it is the same person, merge the two registrations (one is kept, the other's records are attached to it, nothing is deleted); otherwise resolve, writing that they are two different people.",
                )
                .to_owned(),
            )
        }
        AnomalyKind::DuplicateDelivery {
            deliveries,
            member_id,
            date,
            gross,
            bags,
            ..
        } => {
            let w = n.member(*member_id)?;
            member_facts(lang, &w, &mut facts, &mut links, None);
            facts.push(fact("date", day(*date)));
            facts.push(fact(
                pick(lang, "poids brut", "gross weight"),
                gross.to_string(),
            ));
            facts.push(fact(pick(lang, "sacs", "bags"), count(u64::from(*bags))));
            let mut receipts = Vec::new();
            for d in deliveries {
                if let Some(d) = db.delivery(*d)? {
                    receipts.push(n.recorded(&d.recorded)?);
                }
            }
            facts.push(fact(
                pick(lang, "reçus (agent, appareil)", "receipts (agent, device)"),
                receipts.join(" ; "),
            ));
            let k = count(u64::try_from(deliveries.len()).unwrap_or(u64::MAX));
            (
                pick(
                    lang,
                    format!("{k} livraisons identiques de {} le {} : {gross} brut, {bags} sacs chacune.", w.full(), day(*date)),
                    format!("{k} identical deliveries by {} on {}: {gross} gross, {bags} bags each.", w.full(), day(*date)),
                ),
                pick(
                    lang,
                    "Si c'est une même pesée saisie deux fois, contre-passez le reçu en trop depuis la fiche du membre ; sinon, résolvez en écrivant pourquoi les deux livraisons sont réelles.",
                    "If one weighing was entered twice, reverse the extra receipt from the member's card; otherwise resolve, writing why both deliveries are real.",
                )
                .to_owned(),
            )
        }
        AnomalyKind::DisbursementAboveDue {
            contract_id,
            disbursements,
            due,
            disbursed,
        } => {
            let (w, crop) = contract_member(&n, *contract_id)?;
            member_facts(lang, &w, &mut facts, &mut links, None);
            let above = disbursed.checked_sub(*due)?;
            facts.push(fact(pick(lang, "contrat", "contract"), crop.clone()));
            facts.push(fact(
                pick(lang, "avance prévue", "advance due"),
                due.to_string(),
            ));
            facts.push(fact(
                pick(lang, "avances versées", "advances paid"),
                disbursed.to_string(),
            ));
            facts.push(fact(
                pick(lang, "dépassement", "above the due"),
                above.to_string(),
            ));
            receipts_of(&n, disbursements, &mut facts)?;
            (
                pick(
                    lang,
                    format!("{} a reçu {disbursed} d'avances sur son contrat de {crop} pour {due} prévus : {above} de trop.", w.full()),
                    format!("{} received {disbursed} of advances on the {crop} contract for {due} due: {above} too much.", w.full()),
                ),
                pick(
                    lang,
                    "Vérifiez les reçus avec l'agent qui a payé : contre-passez une avance versée par erreur, ou résolvez en écrivant pourquoi le dépassement est accepté (il est retenu au règlement).",
                    "Check the receipts with the agent who paid: reverse an advance paid by mistake, or resolve, writing why the excess is accepted (it is deducted at settlement).",
                )
                .to_owned(),
            )
        }
        AnomalyKind::DisbursementNotApproved {
            contract_id,
            state,
            disbursements,
            disbursed,
        } => {
            let (w, crop) = contract_member(&n, *contract_id)?;
            member_facts(lang, &w, &mut facts, &mut links, None);
            let state = pick(lang, state.label_fr(), state.label_en());
            facts.push(fact(pick(lang, "contrat", "contract"), crop.clone()));
            facts.push(fact(pick(lang, "état du contrat", "contract state"), state));
            facts.push(fact(
                pick(lang, "avances versées", "advances paid"),
                disbursed.to_string(),
            ));
            receipts_of(&n, disbursements, &mut facts)?;
            (
                pick(
                    lang,
                    format!("{} a reçu {disbursed} d'avances sur un contrat de {crop} qui n'est pas approuvé (état : {state}).", w.full()),
                    format!("{} received {disbursed} of advances on a {crop} contract that is not approved (state: {state}).", w.full()),
                ),
                pick(
                    lang,
                    "Faites statuer le comité technique (CTC) sur le contrat ; s'il est refusé, contre-passez les avances et faites rembourser le membre.",
                    "Have the technical committee (CTC) decide on the contract; if it is refused, reverse the advances and have the member pay them back.",
                )
                .to_owned(),
            )
        }
        AnomalyKind::DeliveryAboveCommitted {
            contract_id,
            committed,
            accepted,
        } => {
            let (w, crop) = contract_member(&n, *contract_id)?;
            member_facts(lang, &w, &mut facts, &mut links, None);
            let above = accepted.checked_sub(*committed)?;
            facts.push(fact(pick(lang, "culture", "crop"), crop.clone()));
            facts.push(fact(
                pick(lang, "engagé", "committed"),
                committed.to_string(),
            ));
            facts.push(fact(
                pick(lang, "livré (accepté)", "delivered (accepted)"),
                accepted.to_string(),
            ));
            facts.push(fact(
                pick(lang, "au-delà de l'engagement", "above the commitment"),
                above.to_string(),
            ));
            (
                pick(
                    lang,
                    format!("{} a livré {accepted} de {crop} pour {committed} engagés : {above} au-delà du contrat.", w.full()),
                    format!("{} delivered {accepted} of {crop} for {committed} committed: {above} above the contract.", w.full()),
                ),
                pick(
                    lang,
                    "Vérifiez les pesées sur la fiche du membre : contre-passez une livraison saisie par erreur, ou résolvez en écrivant que le surplus est accepté (meilleure récolte).",
                    "Check the weighings on the member's card: reverse a delivery entered by mistake, or resolve, writing that the surplus is accepted (a better harvest).",
                )
                .to_owned(),
            )
        }
        AnomalyKind::ReceiptGap {
            device_id,
            prefix,
            lowest,
            highest,
            missing,
        } => {
            let device = n.device(&device_id.to_string())?;
            let numbers: Vec<String> = missing
                .iter()
                .map(|m| receipt::number(prefix, *m))
                .collect();
            let k = count(u64::try_from(missing.len()).unwrap_or(u64::MAX));
            facts.push(fact(pick(lang, "appareil", "device"), device.clone()));
            facts.push(fact(
                pick(lang, "série", "series"),
                format!(
                    "{} {} {}",
                    receipt::number(prefix, *lowest),
                    pick(lang, "à", "to"),
                    receipt::number(prefix, *highest)
                ),
            ));
            facts.push(fact(
                pick(lang, "reçus manquants", "missing receipts"),
                format!(
                    "{k}{} {}",
                    pick(lang, " :", ":"),
                    some_of(lang, &numbers, 12)
                ),
            ));
            links.push(screen(Target::Sync, lang));
            (
                pick(
                    lang,
                    format!("{k} reçu(s) manquent dans la série de l'appareil {device} : {}.", some_of(lang, &numbers, 5)),
                    format!("{k} receipt(s) are missing from the series of device {device}: {}.", some_of(lang, &numbers, 5)),
                ),
                pick(
                    lang,
                    "Demandez à l'agent de cet appareil les souches de ces reçus : une saisie perdue (appareil non synchronisé, réinstallé) est à faire synchroniser ou ressaisir ; un numéro sauté sans argent se résout en l'écrivant.",
                    "Ask the agent of this device for these receipts' stubs: a lost record (a device not synced, reinstalled) is to be synced or entered again; a number skipped with no money is resolved by writing so.",
                )
                .to_owned(),
            )
        }
        AnomalyKind::AgentCashNegative { position, gap } => {
            let agent = n.agent(position.agent_id)?;
            facts.push(fact("agent", agent.clone()));
            cash_facts(lang, position, &mut facts);
            facts.push(fact(pick(lang, "écart", "gap"), gap.to_string()));
            links.push(screen(Target::Dashboard, lang));
            (
                pick(
                    lang,
                    format!("La caisse de {agent} ne se réconcilie pas : {} payés et {} rendus pour {} reçus et {} d'engrais encaissés, soit {gap} sans provenance.", position.paid_out, position.returned, position.received, position.fertilizer_cash),
                    format!("{agent}'s cash does not reconcile: {} paid out and {} handed back for {} received and {} of fertilizer cash, {gap} from nowhere.", position.paid_out, position.returned, position.received, position.fertilizer_cash),
                ),
                pick(
                    lang,
                    "Vérifiez avec l'agent ses dotations de fonds (une dotation non saisie ou contre-passée ?) et ses paiements : saisissez la dotation manquante ou contre-passez le paiement en trop.",
                    "Check the agent's fund allocations (one not entered, or reversed?) and payments with the agent: enter the missing allocation or reverse the extra payment.",
                )
                .to_owned(),
            )
        }
        AnomalyKind::AgentCashOutstandingAfterClose {
            position,
            run_id,
            gap,
        } => {
            let agent = n.agent(position.agent_id)?;
            facts.push(fact("agent", agent.clone()));
            cash_facts(lang, position, &mut facts);
            let run = db.settlement_run(*run_id)?.map(|r| day(r.date));
            if let Some(d) = &run {
                facts.push(fact(
                    pick(lang, "règlement arrêté au", "settlement locked at"),
                    d.clone(),
                ));
            }
            links.push(screen(Target::Dashboard, lang));
            let at = run.unwrap_or_default();
            (
                pick(
                    lang,
                    format!("{agent} détient encore {gap} alors que la campagne est arrêtée (règlement au {at})."),
                    format!("{agent} still holds {gap} although the campaign is closed (settlement at {at})."),
                ),
                pick(
                    lang,
                    format!("Faites rendre {gap} au bureau par {agent} et saisissez-le au tableau de bord (« Argent rendu par un agent »)."),
                    format!("Have {agent} hand {gap} back to the office and enter it on the dashboard (“Cash handed back by an agent”)."),
                ),
            )
        }
        AnomalyKind::StockCountMismatch {
            warehouse_id,
            counted_on,
            counted,
            book,
            difference,
            ..
        } => {
            let (wh, coop) = n.warehouse(*warehouse_id)?;
            let gap = kg_between(*counted, *book)?;
            let missing = difference.tenths() < 0;
            facts.push(fact(pick(lang, "magasin", "warehouse"), wh.clone()));
            if !coop.is_empty() {
                facts.push(fact(pick(lang, "coopérative", "cooperative"), coop.clone()));
            }
            facts.push(fact(
                pick(lang, "compté le", "counted on"),
                day(*counted_on),
            ));
            facts.push(fact(pick(lang, "compté", "counted"), counted.to_string()));
            facts.push(fact(
                pick(lang, "stock théorique", "book stock"),
                book.to_string(),
            ));
            facts.push(fact(
                if missing {
                    pick(lang, "manquant", "missing")
                } else {
                    pick(lang, "en trop", "extra")
                },
                gap.to_string(),
            ));
            links.push(screen(Target::Dashboard, lang));
            let place = if coop.is_empty() {
                wh.clone()
            } else {
                format!("{wh} ({coop})")
            };
            (
                pick(
                    lang,
                    format!("Au magasin {place}, {counted} comptés le {} pour {book} en stock théorique : {gap} {}.", day(*counted_on), if missing { "manquent" } else { "en trop" }),
                    format!("At the warehouse {place}, {counted} counted on {} for {book} in the book: {gap} {}.", day(*counted_on), if missing { "missing" } else { "too many" }),
                ),
                if missing {
                    pick(
                        lang,
                        "Recherchez les sacs manquants avec le magasinier (vente non saisie, pertes, vol) : saisissez le lot de vente manquant, ou résolvez en écrivant la perte constatée.",
                        "Look for the missing bags with the storekeeper (a sale not entered, losses, theft): enter the missing sale lot, or resolve, writing down the loss found.",
                    )
                } else {
                    pick(
                        lang,
                        "Recherchez une livraison non saisie ou pas encore synchronisée : faites synchroniser les portables de la coopérative puis recomptez, ou résolvez en écrivant l'explication.",
                        "Look for a delivery not entered or not yet synced: have the cooperative's laptops sync and count again, or resolve, writing the explanation.",
                    )
                }
                .to_owned(),
            )
        }
        AnomalyKind::SettlementDebt {
            run_id,
            member_id,
            net,
            ..
        } => {
            let w = n.member(*member_id)?;
            member_facts(lang, &w, &mut facts, &mut links, None);
            let debt = net.negated();
            facts.push(fact(
                pick(lang, "net au règlement", "net at settlement"),
                net.to_string(),
            ));
            let run = db.settlement_run(*run_id)?.map(|r| day(r.date));
            if let Some(d) = &run {
                facts.push(fact(
                    pick(lang, "règlement arrêté au", "settlement locked at"),
                    d.clone(),
                ));
            }
            links.push(Link {
                id: Some(run_id.to_string()),
                ..screen(Target::Settlement, lang)
            });
            let at = run.unwrap_or_default();
            (
                pick(
                    lang,
                    format!("{} doit {debt} au règlement arrêté au {at} : ses livraisons ne couvrent pas ses avances, frais et engrais.", w.full()),
                    format!("{} owes {debt} at the settlement locked at {at}: the deliveries do not cover the advances, fees and fertilizer.", w.full()),
                ),
                pick(
                    lang,
                    format!("Remettez son relevé au membre par sa coopérative : la dette de {debt} est reportée sur sa prochaine campagne. Résolvez une fois le membre prévenu."),
                    format!("Hand the member the statement through the cooperative: the debt of {debt} is carried to the next campaign. Resolve once the member is told."),
                ),
            )
        }
        AnomalyKind::LateRecord {
            run_id,
            record_kind: code,
            record_id,
            member_id,
            date,
            receipt,
        } => {
            let w = n.member(*member_id)?;
            member_facts(lang, &w, &mut facts, &mut links, None);
            let what = record_kind(code, lang).to_owned();
            facts.push(fact(pick(lang, "enregistrement", "record"), what.clone()));
            facts.push(fact("date", day(*date)));
            let recorded = match recorded_of(db, code, record_id)? {
                Some(r) => n.recorded(&r)?,
                None => receipt.clone(),
            };
            facts.push(fact(
                pick(lang, "reçu (agent, appareil)", "receipt (agent, device)"),
                recorded,
            ));
            let run = db.settlement_run(*run_id)?.map(|r| day(r.date));
            if let Some(d) = &run {
                facts.push(fact(
                    pick(lang, "règlement arrêté au", "settlement locked at"),
                    d.clone(),
                ));
            }
            links.push(Link {
                id: Some(run_id.to_string()),
                ..screen(Target::Settlement, lang)
            });
            let at = run.unwrap_or_default();
            (
                pick(
                    lang,
                    format!("Arrivé après l'arrêt du règlement au {at}, qui ne le compte pas : {what} de {} du {} (reçu {receipt}).", w.full(), day(*date)),
                    format!("Arrived after the settlement at {at} was locked, which does not count it: {what} of {} dated {} (receipt {receipt}).", w.full(), day(*date)),
                ),
                pick(
                    lang,
                    "Proposez puis faites arrêter un nouveau règlement de la campagne, qui la comptera ; ou résolvez en écrivant pourquoi elle reste hors règlement.",
                    "Propose, then have locked, a new settlement of the campaign, which will count it; or resolve, writing why it stays out of the settlement.",
                )
                .to_owned(),
            )
        }
        AnomalyKind::AfterDeparture {
            member_id,
            status,
            left_on,
            records,
        } => {
            let w = n.member(*member_id)?;
            member_facts(lang, &w, &mut facts, &mut links, None);
            let how = pick(lang, status.label_fr(), status.label_en()).to_owned();
            facts.push(fact(
                pick(lang, "départ", "departure"),
                format!("{how}, {}", day(*left_on)),
            ));
            for (code, id, date) in records {
                let what = record_kind(code, lang).to_owned();
                let recorded = match recorded_of(db, code, id)? {
                    Some(r) => format!(" — {}", n.recorded(&r)?),
                    None => String::new(),
                };
                facts.push(fact(what, format!("{}{recorded}", day(*date))));
            }
            let many = count(u64::try_from(records.len()).unwrap_or(u64::MAX));
            (
                pick(
                    lang,
                    format!("{} est inscrit(e) {how} depuis le {} ; {many} enregistrement(s) de la campagne sont datés de ce jour ou après (faits sur un autre appareil, ou livrés par un ayant droit). Ils sont gardés.", w.full(), day(*left_on)),
                    format!("{} is recorded as {how} since {}; {many} record(s) of the campaign are dated that day or later (made on another device, or delivered by an heir). They are kept.", w.full(), day(*left_on)),
                ),
                pick(
                    lang,
                    "Vérifiez avec l'agent qui les a faits : une livraison d'un ayant droit reste et rembourse l'avance ; une avance ou un contrat fait par erreur se contre-passe depuis la fiche ; un départ enregistré par erreur s'annule par « Réintégrer ». Résolvez en écrivant ce qui a été décidé.",
                    "Check with the agent who made them: a delivery by an heir stays and repays the advance; an advance or a contract made in error is reversed from the card; a departure recorded in error is undone by « Reinstate ». Resolve, writing what was decided.",
                )
                .to_owned(),
            )
        }
        AnomalyKind::OfficeRestored {
            restored_at,
            backup_made_at,
            lost_runs,
            receipts_back,
            receipts_at_backup,
            ..
        } => {
            facts.push(fact(
                pick(lang, "restauré le", "restored on"),
                moment(restored_at),
            ));
            facts.push(fact(
                pick(lang, "sauvegarde du", "backup of"),
                moment(backup_made_at),
            ));
            let runs = count(u64::try_from(lost_runs.len()).unwrap_or(u64::MAX));
            facts.push(fact(
                pick(
                    lang,
                    "règlements arrêtés après la sauvegarde, à arrêter de nouveau",
                    "settlement runs locked after the backup, to lock again",
                ),
                runs.clone(),
            ));
            facts.push(fact(
                pick(
                    lang,
                    "dernier reçu du bureau connu de la sauvegarde",
                    "last office receipt the backup knew",
                ),
                format!("n° {}", count(receipts_at_backup.unsigned_abs())),
            ));
            if !receipts_back.is_empty() {
                facts.push(fact(
                    pick(
                        lang,
                        "reçus du bureau émis après la sauvegarde, revenus des portables",
                        "office receipts issued after the backup, back from the laptops",
                    ),
                    some_of(lang, receipts_back, 12),
                ));
            }
            links.push(screen(Target::Settlement, lang));
            (
                pick(
                    lang,
                    format!("Le bureau a été restauré le {} depuis la sauvegarde du {} : ce qu'il a saisi après la sauvegarde est perdu, sauf ce que les portables ont rapporté.", moment(restored_at), moment(backup_made_at)),
                    format!("The office was restored on {} from the backup of {}: what it entered after the backup is lost, except what the laptops brought back.", moment(restored_at), moment(backup_made_at)),
                ),
                pick(
                    lang,
                    format!("Arrêtez de nouveau les règlements perdus ({runs}), refaites les résolutions, comptages de stock et retours d'argent saisis après la sauvegarde, et faites synchroniser tous les portables."),
                    format!("Lock the lost settlement runs again ({runs}), redo the resolutions, stock counts and cash returns entered after the backup, and have every laptop sync."),
                ),
            )
        }
    };
    Ok(Told {
        title: title(kind.code(), lang),
        summary,
        evidence: facts,
        links,
        action,
    })
}

/// The member of a contract and the contract's crop in words.
fn contract_member(n: &Names<'_, '_>, id: ContractId) -> Result<(Who, String)> {
    match n.db.contract(id)? {
        Some(c) => Ok((
            n.member(c.member_id)?,
            pick(n.lang, c.crop.label_fr(), c.crop.label_en()).to_owned(),
        )),
        None => Ok((
            Who {
                id: MemberId::new(),
                name: pick(
                    n.lang,
                    "contrat inconnu de ce bureau",
                    "contract unknown here",
                )
                .into(),
                number: String::new(),
                cooperative: String::new(),
                village: String::new(),
            },
            String::new(),
        )),
    }
}

/// The receipts of advances, with who paid them on which device.
fn receipts_of(n: &Names<'_, '_>, ids: &[DisbursementId], facts: &mut Vec<Fact>) -> Result<()> {
    let mut receipts = Vec::new();
    for id in ids {
        if let Some(d) = n.db.disbursement(*id)? {
            receipts.push(format!("{} — {}", d.amount, n.recorded(&d.recorded)?));
        }
    }
    if !receipts.is_empty() {
        facts.push(fact(
            pick(
                n.lang,
                "avances (reçu, agent, appareil)",
                "advances (receipt, agent, device)",
            ),
            receipts.join(" ; "),
        ));
    }
    Ok(())
}

/// Who recorded a late record, for the kinds that carry it.
fn recorded_of(db: &Db<'_>, code: &str, id: &str) -> Result<Option<Recorded>> {
    Ok(match code {
        "delivery" => match id.parse::<DeliveryId>() {
            Ok(d) => db.delivery(d)?.map(|d| d.recorded),
            Err(_) => None,
        },
        "disbursement" => match id.parse::<DisbursementId>() {
            Ok(d) => db.disbursement(d)?.map(|d| d.recorded),
            Err(_) => None,
        },
        _ => None,
    })
}

/// The first characters of a fingerprint, enough to compare two.
fn short_hash(h: &str) -> String {
    let s: String = h.chars().take(12).collect();
    if s.len() < h.len() {
        format!("{s}…")
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use chrono::{TimeZone, Utc};
    use sene_store::Store;

    use super::*;
    use crate::{FixedClock, Ledger};

    const NBSP: char = '\u{a0}';

    fn demo() -> Ledger {
        let clock = FixedClock::new(Utc.with_ymd_and_hms(2027, 1, 15, 9, 0, 0).unwrap());
        let mut l = Ledger::with_clock(Store::open_in_memory().unwrap(), Box::new(clock));
        crate::demo::load_demo(&mut l, &mut |_| {}).unwrap();
        l
    }

    fn text(t: &Told) -> String {
        let mut s = format!("{}\n{}\n{}\n", t.title, t.summary, t.action);
        for f in &t.evidence {
            s.push_str(&format!("{} : {}\n", f.label, f.value));
        }
        for l in &t.links {
            s.push_str(&format!("{}\n", l.label));
        }
        s
    }

    /// No UUID, no dotted decimal ("2688.4"), no JSON.
    fn readable(s: &str) {
        let b = s.as_bytes();
        for w in b.windows(3) {
            assert!(
                !(w[0].is_ascii_digit() && w[1] == b'.' && w[2].is_ascii_digit()),
                "a dotted decimal in: {s}"
            );
        }
        for token in s.split(|c: char| !(c.is_ascii_hexdigit() || c == '-')) {
            let parts: Vec<usize> = token.split('-').map(str::len).collect();
            assert!(parts != [8, 4, 4, 4, 12], "an id in: {s}");
        }
        assert!(!s.contains('{') && !s.contains('"'), "JSON in: {s}");
    }

    fn kg(t: i64) -> Kg {
        Kg::from_tenths(t).unwrap()
    }

    #[test]
    fn a_delivery_above_the_commitment_names_the_member_and_formats_the_weights() {
        let l = demo();
        let db = l.db();
        let camp = db.campaign_ids().unwrap()[0];
        let contract = db.campaign_contracts(camp).unwrap()[0].contract.clone();
        let c = contract.id;
        let m = db.member(contract.member_id).unwrap().unwrap();
        let coop = db.cooperative(m.cooperative_id).unwrap().unwrap();
        let kind = AnomalyKind::DeliveryAboveCommitted {
            contract_id: c,
            committed: kg(23_500),
            accepted: kg(26_884),
        };
        let fr = tell(&db, &kind, Lang::Fr).unwrap();
        assert_eq!(fr.title, "Livraison au-delà de l'engagement");
        assert!(fr.summary.starts_with(&format!(
            "{} ({}, {}) a livré 2{NBSP}688,4{NBSP}kg de {} pour 2{NBSP}350,0{NBSP}kg engagés : 338,4{NBSP}kg au-delà du contrat.",
            m.full_name,
            m.number,
            coop.name,
            contract.crop.label_fr()
        )), "{}", fr.summary);
        assert!(fr.evidence.contains(&Fact {
            label: "livré (accepté)".into(),
            value: format!("2{NBSP}688,4{NBSP}kg")
        }));
        assert!(fr.evidence.contains(&Fact {
            label: "coopérative".into(),
            value: coop.name.clone()
        }));
        assert_eq!(
            fr.links,
            [Link {
                target: Target::Member,
                id: Some(m.id.to_string()),
                label: format!("Fiche de {} ({})", m.full_name, m.number),
            }]
        );
        assert!(fr.action.contains("contre-passez"), "{}", fr.action);
        readable(&text(&fr));

        let en = tell(&db, &kind, Lang::En).unwrap();
        assert_eq!(en.title, "Delivery above the commitment");
        assert!(
            en.summary.contains(&format!(
                "delivered 2{NBSP}688,4{NBSP}kg of {} for 2{NBSP}350,0{NBSP}kg committed",
                contract.crop.label_en()
            )),
            "{}",
            en.summary
        );
        assert!(
            en.action.starts_with("Check the weighings"),
            "{}",
            en.action
        );
        assert_eq!(
            en.links[0].label,
            format!("{} ({})'s card", m.full_name, m.number)
        );
        readable(&text(&en));
    }

    #[test]
    fn money_is_in_francs_and_agents_and_devices_by_name() {
        let l = demo();
        let db = l.db();
        let agent = db
            .agent_ids()
            .unwrap()
            .into_iter()
            .filter_map(|a| db.agent(a).unwrap())
            .find(|a| a.role == Role::FieldAgent)
            .unwrap();
        let m = |f| Money::from_francs(f).unwrap();
        let kind = AnomalyKind::AgentCashNegative {
            position: CashPosition {
                agent_id: agent.id,
                received: m(1_000_000),
                paid_out: m(1_234_567),
                fertilizer_cash: m(0),
                returned: m(0),
                to_return: m(-234_567),
            },
            gap: m(234_567),
        };
        let fr = tell(&db, &kind, Lang::Fr).unwrap();
        assert!(
            fr.summary.starts_with(&format!(
                "La caisse de {} ne se réconcilie pas : 1{NBSP}234{NBSP}567{NBSP}FCFA payés",
                agent.name
            )),
            "{}",
            fr.summary
        );
        assert!(fr.evidence.contains(&Fact {
            label: "reste à rendre".into(),
            value: format!("-234{NBSP}567{NBSP}FCFA")
        }));
        assert_eq!(fr.links[0].target, Target::Dashboard);
        readable(&text(&fr));
        let en = tell(&db, &kind, Lang::En).unwrap();
        assert!(en
            .summary
            .starts_with(&format!("{}'s cash does not reconcile", agent.name)));
        readable(&text(&en));

        // a device by its label; a device the office does not know, said so (never its id)
        let (_, _, device, _) = db.money_receipts().unwrap().into_iter().next().unwrap();
        let device = db.device(device).unwrap().unwrap();
        let gap = AnomalyKind::ReceiptGap {
            device_id: device.id,
            prefix: device.receipt_prefix.clone(),
            lowest: 1,
            highest: 20,
            missing: (2..=15).collect(),
        };
        let fr = tell(&db, &gap, Lang::Fr).unwrap();
        assert!(
            fr.summary.contains(&format!("« {} »", device.label)),
            "{}",
            fr.summary
        );
        let p = &device.receipt_prefix;
        assert!(
            fr.evidence.contains(&Fact {
                label: "reçus manquants".into(),
                value: format!(
                    "14 : {}, … et 2 autres",
                    (2..=13)
                        .map(|n| receipt::number(p, n))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
                .replace(", …", " …")
            }),
            "{:?}",
            fr.evidence
        );
        readable(&text(&fr));
        let unknown = AnomalyKind::AuditRewritten {
            device_id: DeviceId::new().to_string(),
            at_seq: 1_042,
            expected: "00ff00ff00ff00ff00ff".into(),
            got: "ff00".into(),
            reason: "historique raccourci".into(),
            detected_at: "2027-01-15T09:30:00Z".into(),
        };
        let en = tell(&db, &unknown, Lang::En).unwrap();
        assert!(
            en.summary.contains("device unknown to this office"),
            "{}",
            en.summary
        );
        assert!(en.evidence.contains(&Fact {
            label: "detected on".into(),
            value: "15/01/2027 09:30".into()
        }));
        assert!(en.evidence.contains(&Fact {
            label: "audit entry".into(),
            value: format!("n° 1{NBSP}042")
        }));
        readable(&text(&en));
    }

    #[test]
    fn duplicates_name_both_members_and_say_to_merge() {
        let l = demo();
        let db = l.db();
        let ms = db.members(None).unwrap();
        let (a, b) = (&ms[0], &ms[1]);
        let kind = AnomalyKind::DuplicateMember {
            members: [a.id, b.id],
            reasons: vec![DuplicateReason::Phone("+223 76 00 00 00".into())],
        };
        let fr = tell(&db, &kind, Lang::Fr).unwrap();
        assert!(fr.summary.contains(&a.full_name) && fr.summary.contains(&b.full_name));
        assert!(
            fr.summary
                .ends_with("semblent être la même personne : même téléphone +223 76 00 00 00."),
            "{}",
            fr.summary
        );
        assert!(fr
            .action
            .starts_with("Si c'est la même personne, fusionnez les deux fiches"));
        let ids: Vec<_> = fr.links.iter().map(|l| l.id.clone().unwrap()).collect();
        assert_eq!(ids, [a.id.to_string(), b.id.to_string()]);
        readable(&text(&fr));
        let en = tell(&db, &kind, Lang::En).unwrap();
        assert!(en
            .action
            .starts_with("If it is the same person, merge the two registrations"));
        readable(&text(&en));
    }

    #[test]
    fn a_restore_says_what_to_redo_with_dates_as_shown() {
        let l = demo();
        let db = l.db();
        let kind = AnomalyKind::OfficeRestored {
            restored_at: "2027-01-15T08:05:00+00:00".into(),
            backup_made_at: "2027-01-10T18:00:00Z".into(),
            generation: 1,
            lost_runs: vec![SettlementRunId::new().to_string()],
            receipts_back: vec!["SEC-1-000012".into()],
            receipts_at_backup: 11,
        };
        let fr = tell(&db, &kind, Lang::Fr).unwrap();
        assert!(fr.summary.starts_with("Le bureau a été restauré le 15/01/2027 08:05 depuis la sauvegarde du 10/01/2027 18:00"), "{}", fr.summary);
        assert!(fr
            .action
            .starts_with("Arrêtez de nouveau les règlements perdus (1)"));
        readable(&text(&fr));
        readable(&text(&tell(&db, &kind, Lang::En).unwrap()));
    }

    #[test]
    fn the_small_formatters() {
        assert_eq!(moment("2027-01-15T09:00:00Z"), "15/01/2027 09:00");
        assert_eq!(moment("pas une date"), "pas une date");
        assert_eq!(short_hash("0123456789abcdef"), "0123456789ab…");
        assert_eq!(short_hash("00ff"), "00ff");
        assert_eq!(count(1_234_567), format!("1{NBSP}234{NBSP}567"));
        let items: Vec<String> = (1..=4).map(|n| n.to_string()).collect();
        assert_eq!(some_of(Lang::Fr, &items, 2), "1, 2 … et 2 autres");
        assert_eq!(some_of(Lang::En, &items, 9), "1, 2, 3, 4");
        assert_eq!(
            title("late_record", Lang::En),
            "Record arrived after the locked settlement"
        );
    }
}
