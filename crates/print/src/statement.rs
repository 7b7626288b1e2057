//! Settlement documents: a member's statement (deliveries, value, deductions line by line, the
//! net in figures and in words) and a cooperative's payment list (members to pay, a signature
//! column, totals). Plain data in, PDF out; the data is assembled by `sene-app` from a locked
//! settlement run.

use chrono::NaiveDate;
use sene_domain::{Kg, Money};

use crate::pdf::{Align, Column, Document, Flow, Font, PageSize, Stroke};
use crate::receipt::{boxed, detail_lines, signatures, two_sided};
use crate::{format_date, format_kg, format_money};

/// One delivery on a statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementDelivery {
    pub date: NaiveDate,
    pub receipt: String,
    pub accepted: Kg,
}

/// Everything a member's statement shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementDoc {
    pub union_name: String,
    pub cooperative_name: String,
    pub campaign: String,
    /// The settlement run's id.
    pub run: String,
    /// The settlement date.
    pub date: NaiveDate,
    pub member_name: String,
    pub member_number: String,
    pub deliveries: Vec<StatementDelivery>,
    pub committed: Kg,
    pub accepted: Kg,
    pub delivered_value: Money,
    pub advances: Money,
    pub fees: Money,
    pub fertilizer_credit: Money,
    /// The debt carried in from the member's previous campaign.
    pub carried_debt: Money,
    /// The price complement paid on the member's kg.
    pub complement: Money,
    /// delivered value − deductions.
    pub net: Money,
    /// Balance already paid before the run.
    pub paid: Money,
}

impl StatementDoc {
    /// The label and amount of the net: to pay, or a debt carried forward.
    #[must_use]
    pub fn net_line(&self) -> (String, Money) {
        if self.net.is_negative() {
            (
                "Dette reportée sur la campagne suivante".into(),
                Money::ZERO.checked_sub(self.net).unwrap_or(Money::ZERO),
            )
        } else {
            (
                "Net à payer au membre".into(),
                self.net
                    .checked_sub(self.paid)
                    .unwrap_or(Money::ZERO)
                    .max(Money::ZERO),
            )
        }
    }
}

const MARGIN: i32 = 36;

/// The statement as a PDF (A4).
#[must_use]
pub fn render_statement(doc: &StatementDoc) -> Vec<u8> {
    statement_document(doc).to_pdf()
}

/// The statement laid out on A4 pages.
#[must_use]
pub fn statement_document(doc: &StatementDoc) -> Document {
    let mut f = Flow::new(
        PageSize::A4,
        &format!("Relevé de règlement {}", doc.member_number),
        MARGIN,
    );
    f.paragraph(Font::Bold, 13, Align::Center, &doc.union_name);
    f.paragraph(Font::Regular, 10, Align::Center, &doc.cooperative_name);
    f.rule(Stroke::Thin, 4);
    f.paragraph(Font::Bold, 16, Align::Center, "Relevé de règlement");
    f.paragraph(Font::Regular, 11, Align::Center, &doc.campaign);
    f.space(4);
    two_sided(
        &mut f,
        (Font::Regular, 9, &format!("Règlement N°\u{a0}{}", doc.run)),
        (
            Font::Regular,
            11,
            &format!("Arrêté au\u{a0}: {}", format_date(doc.date)),
        ),
    );
    f.space(6);
    boxed(
        &mut f,
        &[
            (Font::Regular, 8, "Membre".to_owned()),
            (Font::Bold, 14, doc.member_name.clone()),
            (
                Font::Regular,
                11,
                format!("N° de membre\u{a0}: {}", doc.member_number),
            ),
        ],
        100,
        Stroke::Thin,
    );
    f.space(8);
    f.line(Font::Bold, 11, Align::Left, "Livraisons");
    if doc.deliveries.is_empty() {
        f.line(Font::Regular, 10, Align::Left, "Aucune livraison.");
    } else {
        let rows: Vec<Vec<String>> = doc
            .deliveries
            .iter()
            .map(|d| {
                vec![
                    format_date(d.date),
                    d.receipt.clone(),
                    format_kg(d.accepted),
                ]
            })
            .collect();
        f.table(
            &[
                Column::new("Date", 2, Align::Left),
                Column::new("Reçu", 3, Align::Left),
                Column::new("Poids accepté", 3, Align::Right),
            ],
            &rows,
            10,
        );
    }
    f.space(8);
    let mut lines = vec![
        ("Quantité engagée".to_owned(), format_kg(doc.committed)),
        ("Quantité acceptée".to_owned(), format_kg(doc.accepted)),
        (
            "Valeur des livraisons".to_owned(),
            format_money(doc.delivered_value),
        ),
    ];
    if doc.complement.is_positive() {
        lines.push((
            "Plus\u{a0}: complément de prix".to_owned(),
            format_money(doc.complement),
        ));
    }
    lines.extend([
        (
            "Moins\u{a0}: avances reçues".to_owned(),
            format_money(doc.advances),
        ),
        (
            "Moins\u{a0}: frais sur avances".to_owned(),
            format_money(doc.fees),
        ),
        (
            "Moins\u{a0}: engrais à crédit".to_owned(),
            format_money(doc.fertilizer_credit),
        ),
    ]);
    if doc.carried_debt.is_positive() {
        lines.push((
            "Moins\u{a0}: dette reportée".to_owned(),
            format_money(doc.carried_debt),
        ));
    }
    lines.push(("Solde net".to_owned(), format_money(doc.net)));
    if doc.paid.is_positive() {
        lines.push(("Déjà payé au membre".to_owned(), format_money(doc.paid)));
    }
    detail_lines(&mut f, &lines);
    f.space(8);
    let (label, amount) = doc.net_line();
    boxed(
        &mut f,
        &[
            (Font::Regular, 10, label),
            (Font::Bold, 20, format_money(amount)),
            (
                Font::Regular,
                11,
                format!(
                    "Soit\u{a0}: {}",
                    sene_domain::words::fcfa_in_words(i128::from(amount.francs()))
                ),
            ),
        ],
        94,
        Stroke::Thick,
    );
    f.space(8);
    signatures(&mut f);
    f.space(4);
    f.paragraph(
        Font::Regular,
        7,
        Align::Center,
        "Relevé établi d'après le règlement arrêté ci-dessus. Une correction fait l'objet d'un nouveau règlement.",
    );
    let mut d = f.finish();
    d.number_pages(8);
    d
}

/// One member on a payment list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentRow {
    pub member_number: String,
    pub member_name: String,
    pub amount: Money,
}

/// A cooperative's payment list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentListDoc {
    pub union_name: String,
    pub cooperative_name: String,
    pub campaign: String,
    pub run: String,
    pub date: NaiveDate,
    pub rows: Vec<PaymentRow>,
    pub total: Money,
}

/// The payment list as a PDF (A4, as many pages as needed).
#[must_use]
pub fn render_payment_list(doc: &PaymentListDoc) -> Vec<u8> {
    payment_list_document(doc).to_pdf()
}

/// The payment list laid out on A4 pages.
#[must_use]
pub fn payment_list_document(doc: &PaymentListDoc) -> Document {
    let mut f = Flow::new(
        PageSize::A4,
        &format!("Liste de paiement {}", doc.cooperative_name),
        MARGIN,
    );
    f.paragraph(Font::Bold, 13, Align::Center, &doc.union_name);
    f.paragraph(
        Font::Bold,
        15,
        Align::Center,
        "Liste de paiement des soldes",
    );
    f.paragraph(
        Font::Regular,
        11,
        Align::Center,
        &format!("{} — {}", doc.cooperative_name, doc.campaign),
    );
    two_sided(
        &mut f,
        (Font::Regular, 9, &format!("Règlement N°\u{a0}{}", doc.run)),
        (
            Font::Regular,
            11,
            &format!("Arrêté au\u{a0}: {}", format_date(doc.date)),
        ),
    );
    f.space(6);
    let mut rows: Vec<Vec<String>> = doc
        .rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            vec![
                (i + 1).to_string(),
                r.member_number.clone(),
                r.member_name.clone(),
                format_money(r.amount),
                "\n\n".to_owned(),
            ]
        })
        .collect();
    rows.push(vec![
        String::new(),
        String::new(),
        format!("TOTAL ({} membres)", doc.rows.len()),
        format_money(doc.total),
        String::new(),
    ]);
    f.table(
        &[
            Column::new("N°", 1, Align::Right),
            Column::new("Membre", 3, Align::Left),
            Column::new("Nom", 6, Align::Left),
            Column::new("Montant à payer", 4, Align::Right),
            Column::new("Signature ou empreinte", 5, Align::Left),
        ],
        &rows,
        10,
    );
    f.space(8);
    f.paragraph(
        Font::Bold,
        11,
        Align::Left,
        &format!(
            "Total à payer\u{a0}: {} (soit {})",
            format_money(doc.total),
            sene_domain::words::fcfa_in_words(i128::from(doc.total.francs()))
        ),
    );
    let mut d = f.finish();
    d.number_pages(8);
    d
}
