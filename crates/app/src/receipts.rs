//! Receipts of a member's money records, to print when the record is made and to reprint
//! later: an advance paid, a delivery weighed, fertilizer handed out, a balance paid, and the
//! reversal that cancels one of them.
//!
//! [`receipt_doc`] reads the stored records (never the command as typed) and builds the
//! [`ReceiptDoc`] that `sene_print` renders; [`receipts_for_member`] lists a member's
//! receipts, each with the number of the receipt that cancels it, if any.

use std::collections::{HashMap, HashSet};
use std::str::FromStr;

use chrono::NaiveDate;
use sene_domain::rules::{self, FertilizerLine};
use sene_domain::*;
use sene_print::{format_date, format_kg, format_money};
use sene_store::{Db, StoreError, Table};
use serde::{Deserialize, Serialize};

use crate::season::{campaign, member, preview_delivery};
use crate::{missing, AppError, Ledger, Result};

pub use sene_print::ReceiptDoc;

/// A receipt: the money record it is the receipt of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum ReceiptRef {
    Disbursement(DisbursementId),
    Delivery(DeliveryId),
    Distribution(DistributionId),
    BalancePayment(PaymentId),
    Reversal(ReversalId),
}

impl ReceiptRef {
    /// The title printed on the receipt.
    #[must_use]
    pub const fn title(&self) -> &'static str {
        match self {
            ReceiptRef::Disbursement(_) => "Reçu de décaissement d'avance",
            ReceiptRef::Delivery(_) => "Reçu de livraison",
            ReceiptRef::Distribution(_) => "Reçu de distribution d'engrais",
            ReceiptRef::BalancePayment(_) => "Reçu de paiement du solde",
            ReceiptRef::Reversal(_) => "Reçu d'annulation",
        }
    }

    /// The record's id.
    #[must_use]
    pub fn id(&self) -> String {
        match self {
            ReceiptRef::Disbursement(id) => id.to_string(),
            ReceiptRef::Delivery(id) => id.to_string(),
            ReceiptRef::Distribution(id) => id.to_string(),
            ReceiptRef::BalancePayment(id) => id.to_string(),
            ReceiptRef::Reversal(id) => id.to_string(),
        }
    }

    /// The receipt of a reversal's target, when it is a member's record.
    fn target(kind: RecordKind, id: &str) -> Option<ReceiptRef> {
        match kind {
            RecordKind::Disbursement => id.parse().ok().map(ReceiptRef::Disbursement),
            RecordKind::Delivery => id.parse().ok().map(ReceiptRef::Delivery),
            RecordKind::Distribution => id.parse().ok().map(ReceiptRef::Distribution),
            RecordKind::Payment => id.parse().ok().map(ReceiptRef::BalancePayment),
            RecordKind::Allocation
            | RecordKind::Drawdown
            | RecordKind::Repayment
            | RecordKind::SaleLot => None,
        }
    }
}

/// One line of a member's list of receipts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptEntry {
    pub receipt: ReceiptRef,
    /// `A07-000123`.
    pub number: String,
    pub date: NaiveDate,
    pub title: String,
    /// The number of the reversal's receipt that cancels this one.
    pub cancelled_by: Option<String>,
}

/// The receipt of a record, as printed.
///
/// # Errors
/// [`AppError::NotFound`] for an unknown record; [`AppError::Mismatch`] for a reversal of a
/// record that is not a member's (a drawdown, a sale lot…: they have no receipt);
/// [`AppError::NotInitialized`]; store errors.
pub fn receipt_doc(db: &Db<'_>, r: ReceiptRef) -> Result<ReceiptDoc> {
    match r {
        ReceiptRef::Disbursement(id) => disbursement(db, id),
        ReceiptRef::Delivery(id) => {
            // the weighing ticket: its figures signed by this device (#21), when it has a key
            let mut doc = delivery(db, id)?;
            doc.proof = crate::tickets::ticket_payload(db, id)?;
            Ok(doc)
        }
        ReceiptRef::Distribution(id) => distribution(db, id),
        ReceiptRef::BalancePayment(id) => payment(db, id),
        ReceiptRef::Reversal(id) => reversal(db, id),
    }
}

/// The receipt of a record as a PDF file (see `sene_print::render_receipt`).
///
/// # Errors
/// As [`receipt_doc`].
pub fn receipt_pdf(db: &Db<'_>, r: ReceiptRef) -> Result<Vec<u8>> {
    Ok(sene_print::render_receipt(&receipt_doc(db, r)?))
}

/// A money table, the column that ties its rows to a member, and how its ids make receipts.
type Source = (Table, &'static str, fn(&str) -> Option<ReceiptRef>);

/// Every receipt of a member (advances, deliveries, fertilizer, balance payments, and the
/// reversals of these), by date then number.
///
/// # Errors
/// [`AppError::NotFound`] for an unknown member; store errors.
pub fn receipts_for_member(db: &Db<'_>, member_id: MemberId) -> Result<Vec<ReceiptEntry>> {
    member(db, member_id)?;
    let me = member_id.to_string();
    let contracts: HashSet<String> = db
        .member_contracts(member_id, None)?
        .into_iter()
        .map(|c| c.id.to_string())
        .collect();
    let mut out = Vec::new();
    let sources: [Source; 4] = [
        (Table::Disbursements, "contract_id", |id| {
            id.parse().ok().map(ReceiptRef::Disbursement)
        }),
        (Table::Deliveries, "member_id", |id| {
            id.parse().ok().map(ReceiptRef::Delivery)
        }),
        (Table::FertilizerDistributions, "member_id", |id| {
            id.parse().ok().map(ReceiptRef::Distribution)
        }),
        (Table::BalancePayments, "member_id", |id| {
            id.parse().ok().map(ReceiptRef::BalancePayment)
        }),
    ];
    // The store has no per-member listing of money records: scan each table once.
    for (table, owner, make) in sources {
        for row in db.list_rows(table, u32::MAX)? {
            let o = text(&row, table, owner)?;
            let mine = if owner == "contract_id" {
                contracts.contains(o)
            } else {
                o == me
            };
            if !mine {
                continue;
            }
            let id = text(&row, table, "id")?;
            let receipt = make(id).ok_or_else(|| decode(table, "id", id))?;
            out.push(ReceiptEntry {
                receipt,
                number: text(&row, table, "receipt")?.to_owned(),
                date: parse(&row, table, "date")?,
                title: receipt.title().to_owned(),
                cancelled_by: None,
            });
        }
    }
    let index: HashMap<String, usize> = out
        .iter()
        .enumerate()
        .map(|(i, e)| (e.receipt.id(), i))
        .collect();
    let mut reversals = Vec::new();
    for row in db.list_rows(Table::Reversals, u32::MAX)? {
        let t = Table::Reversals;
        let Some(&i) = index.get(text(&row, t, "target_id")?) else {
            continue;
        };
        let number = text(&row, t, "receipt")?.to_owned();
        if out[i].cancelled_by.is_none() {
            out[i].cancelled_by = Some(number.clone());
        }
        let receipt = ReceiptRef::Reversal(parse(&row, t, "id")?);
        reversals.push(ReceiptEntry {
            receipt,
            number,
            date: parse(&row, t, "date")?,
            title: receipt.title().to_owned(),
            cancelled_by: None,
        });
    }
    out.extend(reversals);
    out.sort_by(|a, b| (a.date, &a.number).cmp(&(b.date, &b.number)));
    Ok(out)
}

impl Ledger {
    /// [`receipt_doc`] on this ledger.
    ///
    /// # Errors
    /// As [`receipt_doc`].
    pub fn receipt_doc(&self, r: ReceiptRef) -> Result<ReceiptDoc> {
        receipt_doc(&self.db(), r)
    }

    /// [`receipt_pdf`] on this ledger.
    ///
    /// # Errors
    /// As [`receipt_doc`].
    pub fn receipt_pdf(&self, r: ReceiptRef) -> Result<Vec<u8>> {
        receipt_pdf(&self.db(), r)
    }

    /// [`receipts_for_member`] on this ledger.
    ///
    /// # Errors
    /// As [`receipts_for_member`].
    pub fn receipts_for_member(&self, member_id: MemberId) -> Result<Vec<ReceiptEntry>> {
        receipts_for_member(&self.db(), member_id)
    }
}

// ----- one builder per kind -----

/// What every receipt of a member shows besides its own lines.
struct Common {
    union_name: String,
    cooperative_name: String,
    member_name: String,
    member_number: String,
}

fn common(db: &Db<'_>, member_id: MemberId) -> Result<Common> {
    let union = db.union()?.ok_or(AppError::NotInitialized)?;
    let m = member(db, member_id)?;
    let coop = db
        .cooperative(m.cooperative_id)?
        .ok_or_else(|| missing("coopérative", m.cooperative_id))?;
    Ok(Common {
        union_name: union.name,
        cooperative_name: coop.name,
        member_name: m.full_name,
        member_number: m.number,
    })
}

/// The agent's name; the id when the agent is not (yet) in this store.
fn agent_name(db: &Db<'_>, id: AgentId) -> Result<String> {
    Ok(db.agent(id)?.map_or_else(|| id.to_string(), |a| a.name))
}

struct Body {
    title: &'static str,
    member_id: MemberId,
    recorded: Recorded,
    date: NaiveDate,
    lines: Vec<(String, String)>,
    amount_label: &'static str,
    amount: Money,
}

fn build(db: &Db<'_>, b: Body) -> Result<ReceiptDoc> {
    let c = common(db, b.member_id)?;
    Ok(ReceiptDoc {
        title: b.title.to_owned(),
        number: b.recorded.receipt,
        date: b.date,
        union_name: c.union_name,
        cooperative_name: c.cooperative_name,
        member_name: c.member_name,
        member_number: c.member_number,
        agent_name: agent_name(db, b.recorded.agent_id)?,
        lines: b.lines,
        amount_label: b.amount_label.to_owned(),
        amount: b.amount,
        cancels: None,
        cancel_reason: None,
        duplicate: false,
        proof: None,
    })
}

fn line(label: &str, value: impl Into<String>) -> (String, String) {
    (label.to_owned(), value.into())
}

fn per_kg(price: Money) -> String {
    format!("{}/kg", format_money(price))
}

fn contract(db: &Db<'_>, id: ContractId) -> Result<Contract> {
    db.contract(id)?.ok_or_else(|| missing("contrat", id))
}

fn disbursement(db: &Db<'_>, id: DisbursementId) -> Result<ReceiptDoc> {
    let x = db.disbursement(id)?.ok_or_else(|| missing("avance", id))?;
    let c = contract(db, x.contract_id)?;
    let camp = campaign(db, c.campaign_id)?;
    let due = crate::progress::advance_due(&camp, &c)?;
    build(
        db,
        Body {
            title: ReceiptRef::Disbursement(id).title(),
            member_id: c.member_id,
            recorded: x.recorded,
            date: x.date,
            lines: vec![
                line("Campagne", camp.name),
                line("Culture", c.crop.label_fr()),
                line("Quantité engagée", format_kg(c.committed)),
                line("Prix de base", per_kg(c.base_price)),
                line("Avance prévue au contrat", format_money(due)),
                line("Mode de paiement", x.mode.label_fr()),
            ],
            amount_label: "Montant de l'avance versée",
            amount: x.amount,
        },
    )
}

pub(crate) fn delivery(db: &Db<'_>, id: DeliveryId) -> Result<ReceiptDoc> {
    let x = db.delivery(id)?.ok_or_else(|| missing("livraison", id))?;
    let c = contract(db, x.contract_id)?;
    let camp = campaign(db, c.campaign_id)?;
    let price = camp.price(x.crop)?.base_price;
    // the rule the agent saw while weighing; the printed value always follows the printed
    // accepted weight (the stored one)
    let p = preview_delivery(&camp, x.crop, x.bags, x.gross, x.moisture, x.impurity)?;
    let value = if p.accepted == x.accepted {
        p.value
    } else {
        Money::round_half_up(x.accepted.as_decimal() * price.as_decimal())?
    };
    let warehouse = db
        .warehouse(x.warehouse_id)?
        .map_or_else(|| x.warehouse_id.to_string(), |w| w.name);
    let deduction = rules::quality_deduction(x.moisture, x.impurity, camp.quality);
    let deduction = Percent::try_from_decimal(deduction.round_dp(1))
        .map_or_else(|_| format!("{deduction}\u{a0}%"), |p| p.to_string());
    let mut lines = vec![
        line("Campagne", camp.name),
        line("Culture", x.crop.label_fr()),
        line("Magasin", warehouse),
        line("Nombre de sacs", x.bags.to_string()),
        line("Poids brut", format_kg(x.gross)),
    ];
    lines.extend(weighing_lines(x.weighing.as_ref()));
    build(
        db,
        Body {
            title: ReceiptRef::Delivery(id).title(),
            member_id: x.member_id,
            recorded: x.recorded,
            date: x.date,
            lines: lines
                .into_iter()
                .chain([
                    line(
                        &format!(
                            "Tare des sacs ({}\u{a0}×\u{a0}{})",
                            x.bags,
                            format_kg(camp.bag_tare)
                        ),
                        format_kg(x.gross.checked_sub(x.net)?),
                    ),
                    line("Poids net", format_kg(x.net)),
                    line(
                        &format!("Humidité (limite {})", camp.quality.max_moisture),
                        x.moisture.to_string(),
                    ),
                    line(
                        &format!("Impuretés (limite {})", camp.quality.max_impurity),
                        x.impurity.to_string(),
                    ),
                    line("Réfaction qualité", deduction),
                    line("Poids accepté", format_kg(x.accepted)),
                    line("Prix de base", per_kg(price)),
                ])
                .collect(),
            amount_label: "Valeur de la livraison (poids accepté × prix de base)",
            amount: value,
        },
    )
}

/// How the gross weight was obtained, as the ticket prints it (#21): each capture from the scale
/// (exact kg, stable, time of the frame, UTC), or « pesée manuelle : <raison> », or, for a
/// delivery recorded before Sene read scales, « saisie avant la balance ».
fn weighing_lines(w: Option<&Weighing>) -> Vec<(String, String)> {
    match w {
        None => vec![line("Pesée", "saisie avant la balance")],
        Some(Weighing::Hand { reason, note }) => {
            let mut v = format!("pesée manuelle : {}", reason.label_fr());
            if !note.is_empty() {
                v.push_str(&format!(" ({note})"));
            }
            vec![line("Pesée", v)]
        }
        Some(Weighing::Scale { captures }) => captures
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let kg = c.kg.normalize().to_string().replace('.', ",");
                let stable = if c.stable { "stable" } else { "instable" };
                let mut v = format!("{kg}\u{a0}kg · {stable} · {}", c.at.format("%H:%M:%S"));
                if let Some(id) = &c.indicator {
                    v.push_str(&format!(" · balance {id}"));
                }
                line(&format!("Pesée {} (balance)", i + 1), v)
            })
            .collect(),
    }
}

fn distribution(db: &Db<'_>, id: DistributionId) -> Result<ReceiptDoc> {
    let x = db
        .distribution(id)?
        .ok_or_else(|| missing("distribution", id))?;
    let camp = campaign(db, x.campaign_id)?;
    let product = db
        .product(x.product_id)?
        .ok_or_else(|| missing("produit", x.product_id))?;
    let cost = rules::fertilizer_cost(x.bags, x.price_per_bag)?;
    let credit = rules::fertilizer_credit(&[FertilizerLine {
        bags: x.bags,
        price_per_bag: x.price_per_bag,
        cash_paid: x.cash_paid,
    }])?;
    let bags = if x.bags == 1 { "sac" } else { "sacs" };
    build(
        db,
        Body {
            title: ReceiptRef::Distribution(id).title(),
            member_id: x.member_id,
            recorded: x.recorded,
            date: x.date,
            lines: vec![
                line("Campagne", camp.name),
                line("Produit", product.name),
                line(
                    "Sacs remis",
                    format!("{} {bags} de {}", x.bags, format_kg(product.bag_weight)),
                ),
                line("Prix par sac", format_money(x.price_per_bag)),
                line("Payé comptant", format_money(x.cash_paid)),
                line("À crédit (retenu au règlement)", format_money(credit)),
            ],
            amount_label: "Valeur des engrais remis",
            amount: cost,
        },
    )
}

fn payment(db: &Db<'_>, id: PaymentId) -> Result<ReceiptDoc> {
    let x = db.payment(id)?.ok_or_else(|| missing("paiement", id))?;
    let camp = campaign(db, x.campaign_id)?;
    build(
        db,
        Body {
            title: ReceiptRef::BalancePayment(id).title(),
            member_id: x.member_id,
            recorded: x.recorded,
            date: x.date,
            lines: vec![
                line("Campagne", camp.name),
                line("Mode de paiement", x.mode.label_fr()),
            ],
            amount_label: "Solde versé au membre",
            amount: x.amount,
        },
    )
}

fn reversal(db: &Db<'_>, id: ReversalId) -> Result<ReceiptDoc> {
    let t = Table::Reversals;
    let row = db
        .row_by_key(t, &id.to_string())?
        .map(serde_json::Value::Object)
        .ok_or_else(|| missing("annulation", id))?;
    let kind: RecordKind = parse(&row, t, "target_kind")?;
    let target_id = text(&row, t, "target_id")?;
    let target = ReceiptRef::target(kind, target_id).ok_or_else(|| {
        AppError::Mismatch(format!(
            "l'annulation {id} porte sur un enregistrement sans reçu de membre ({kind} {target_id})"
        ))
    })?;
    let original = receipt_doc(db, target)?;
    // enough of the cancelled receipt to recognise it; the original has the details
    let keep: &[&str] = match target {
        ReceiptRef::Delivery(_) => &[
            "Campagne",
            "Magasin",
            "Nombre de sacs",
            "Poids brut",
            "Poids accepté",
        ],
        ReceiptRef::Distribution(_) => &["Campagne", "Produit", "Sacs remis"],
        _ => &["Campagne", "Culture", "Mode de paiement"],
    };
    let mut lines = vec![
        line("Opération annulée", original.title.clone()),
        line("Date du reçu annulé", format_date(original.date)),
    ];
    lines.extend(
        original
            .lines
            .into_iter()
            .filter(|(label, _)| keep.contains(&label.as_str())),
    );
    let amount_label = match target {
        ReceiptRef::Delivery(_) | ReceiptRef::Distribution(_) => "Valeur annulée",
        _ => "Montant annulé",
    };
    Ok(ReceiptDoc {
        title: ReceiptRef::Reversal(id).title().to_owned(),
        number: text(&row, t, "receipt")?.to_owned(),
        date: parse(&row, t, "date")?,
        agent_name: agent_name(db, parse(&row, t, "agent_id")?)?,
        lines,
        amount_label: amount_label.to_owned(),
        cancels: Some(original.number),
        cancel_reason: Some(text(&row, t, "reason")?.to_owned()),
        proof: None,
        ..original
    })
}

// ----- rows -----

fn decode(table: Table, column: &'static str, value: &str) -> AppError {
    StoreError::Decode {
        table: table.name(),
        column,
        value: value.to_owned(),
    }
    .into()
}

fn text<'r>(row: &'r serde_json::Value, table: Table, column: &'static str) -> Result<&'r str> {
    row.get(column)
        .and_then(serde_json::Value::as_str)
        .ok_or_else(|| {
            decode(
                table,
                column,
                &row.get(column).map(ToString::to_string).unwrap_or_default(),
            )
        })
}

fn parse<T: FromStr>(row: &serde_json::Value, table: Table, column: &'static str) -> Result<T> {
    let s = text(row, table, column)?;
    s.parse().map_err(|_| decode(table, column, s))
}
