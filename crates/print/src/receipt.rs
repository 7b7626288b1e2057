//! The printed receipt handed to a member: who, what, how much in figures and in words, and
//! two boxes to sign (the member may press a thumb instead).

use chrono::NaiveDate;
use sene_domain::Money;

use crate::pdf::{ascent, leading, wrap, Align, Document, Flow, Font, PageSize, Stroke};
use crate::{format_date, format_money};

/// Everything a receipt shows, already in French.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiptDoc {
    /// "Reçu de décaissement d'avance", "Reçu de livraison"…
    pub title: String,
    /// `A07-000123`.
    pub number: String,
    pub date: NaiveDate,
    pub union_name: String,
    pub cooperative_name: String,
    pub member_name: String,
    /// `DIO-0042`.
    pub member_number: String,
    /// The agent who made the record.
    pub agent_name: String,
    /// What was given or delivered: (label, value), in order.
    pub lines: Vec<(String, String)>,
    /// What the amount is: "Montant de l'avance versée", "Valeur de la livraison"…
    pub amount_label: String,
    /// Printed in figures (`200 000 FCFA`) and in words (`deux cent mille francs CFA`).
    pub amount: Money,
    /// For a reversal: the number of the receipt it cancels, printed prominently.
    pub cancels: Option<String>,
    /// For a reversal: why.
    pub cancel_reason: Option<String>,
    /// A reprint: "DUPLICATA" is printed at the top.
    pub duplicate: bool,
    /// A weighing ticket's proof: the text of its QR code (figures and the device's
    /// signature, `sene_app::tickets`), printed beside the agent's name.
    pub proof: Option<String>,
}

impl ReceiptDoc {
    /// The amount in figures: `200 000 FCFA` (no-break spaces).
    #[must_use]
    pub fn amount_in_figures(&self) -> String {
        format_money(self.amount)
    }

    /// The amount in French words: `deux cent mille francs CFA`.
    #[must_use]
    pub fn amount_in_words(&self) -> String {
        sene_domain::words::fcfa_in_words(i128::from(self.amount.francs()))
    }

    /// The line that names the cancelled receipt, for a reversal.
    #[must_use]
    pub fn cancel_line(&self) -> Option<String> {
        self.cancels
            .as_ref()
            .map(|n| format!("Annule le reçu N°\u{a0}{n}"))
    }
}

/// Margin on every side, points.
const MARGIN: i32 = 24;
/// Padding inside boxes, points.
const PAD: i32 = 5;
/// Space between blocks, points.
const GAP: i32 = 6;

/// The receipt as a PDF: an A5 page, or an A4 page when the content does not fit on A5.
#[must_use]
pub fn render_receipt(doc: &ReceiptDoc) -> Vec<u8> {
    let a5 = receipt_document(doc, PageSize::A5);
    if a5.pages().len() == 1 {
        a5.to_pdf()
    } else {
        receipt_document(doc, PageSize::A4).to_pdf()
    }
}

/// The receipt laid out on pages of `size` (a second page only when it does not fit).
#[must_use]
pub fn receipt_document(doc: &ReceiptDoc, size: PageSize) -> Document {
    let mut f = Flow::new(size, &format!("{} {}", doc.title, doc.number), MARGIN);
    if doc.duplicate {
        let (x, y) = (f.right(), size.height() - MARGIN / 2 - 4);
        f.page()
            .text(x, y, Font::Bold, 9, Align::Right, "DUPLICATA");
    }
    // who issues it
    f.paragraph(Font::Bold, 13, Align::Center, &doc.union_name);
    f.paragraph(Font::Regular, 10, Align::Center, &doc.cooperative_name);
    f.rule(Stroke::Thin, 4);
    f.paragraph(Font::Bold, 16, Align::Center, &doc.title);
    f.space(4);
    two_sided(
        &mut f,
        (Font::Bold, 12, &format!("Reçu N°\u{a0}{}", doc.number)),
        (
            Font::Regular,
            11,
            &format!("Date\u{a0}: {}", format_date(doc.date)),
        ),
    );
    f.space(GAP);

    if let Some(line) = doc.cancel_line() {
        let mut rows = vec![(Font::Bold, 13, line)];
        if let Some(r) = &doc.cancel_reason {
            rows.push((Font::Regular, 10, format!("Motif\u{a0}: {r}")));
        }
        boxed(&mut f, &rows, 90, Stroke::Thick);
        f.space(GAP);
    }

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
    f.space(GAP);

    detail_lines(&mut f, &doc.lines);
    f.space(GAP);

    boxed(
        &mut f,
        &[
            (Font::Regular, 10, doc.amount_label.clone()),
            (Font::Bold, 20, doc.amount_in_figures()),
            (
                Font::Regular,
                11,
                format!("Soit\u{a0}: {}", doc.amount_in_words()),
            ),
        ],
        94,
        Stroke::Thick,
    );
    f.space(GAP);
    f.paragraph(
        Font::Regular,
        10,
        Align::Left,
        &format!("Agent\u{a0}: {}", doc.agent_name),
    );
    f.space(GAP);
    if let Some(p) = &doc.proof {
        proof(&mut f, p);
        f.space(GAP);
    }
    signatures(&mut f);
    f.space(4);
    f.paragraph(
        Font::Regular,
        7,
        Align::Center,
        "Reçu à conserver. Une erreur ne se rature pas : elle se corrige par un reçu d'annulation.",
    );
    f.finish()
}

/// A QR module on a receipt, points.
pub const PROOF_MODULE: i32 = 2;

/// Where the proof's code stands on its page: the lower left corner of its quiet zone, the
/// page's index (tests read it back).
#[must_use]
pub fn proof_position(doc: &ReceiptDoc, size: PageSize) -> Option<(usize, i32, i32)> {
    let payload = doc.proof.as_ref()?;
    let qr = crate::qr::Qr::encode(payload).ok()?;
    let d = receipt_document(doc, size);
    // the code is the only filled path drawn with square modules of PROOF_MODULE
    for (i, page) in d.pages().iter().enumerate() {
        let c = page.content();
        let Some(start) = c.find("q 0 g\n") else {
            continue;
        };
        let first = c[start..].lines().nth(1)?;
        let n: Vec<i32> = first
            .split_whitespace()
            .take(4)
            .filter_map(|v| v.parse().ok())
            .collect();
        let (x, y) = (*n.first()?, *n.get(1)?);
        // the first rectangle is the top left finder pattern's top row
        let w = i32::try_from(qr.width()).ok()?;
        let qx = x - crate::qr::QUIET * PROOF_MODULE;
        let qy = y - (w - 1 + crate::qr::QUIET) * PROOF_MODULE;
        return Some((i, qx, qy));
    }
    None
}

/// The ticket's QR code and what it is for.
fn proof(f: &mut Flow, payload: &str) {
    const SIZE: u16 = 8;
    let Ok(qr) = crate::qr::Qr::encode(payload) else {
        f.paragraph(
            Font::Regular,
            SIZE,
            Align::Left,
            "(code de preuve trop long)",
        );
        return;
    };
    let side = qr.side(PROOF_MODULE);
    f.ensure(side);
    let (l, top, w) = (f.left(), f.y(), f.width());
    qr.draw(
        f.page(),
        l - crate::qr::QUIET * PROOF_MODULE,
        top - side,
        PROOF_MODULE,
    );
    let tx = l + side - crate::qr::QUIET * PROOF_MODULE + PAD;
    let mut y = top - crate::qr::QUIET * PROOF_MODULE - ascent(SIZE);
    let text = "Preuve du ticket : ce code porte le numéro du reçu, le membre, le poids accepté, \
                la valeur et la signature de l'appareil. Scanné au bureau de l'union, il dit si \
                ce papier correspond aux livres.";
    for s in wrap(Font::Regular, SIZE, text, w - (tx - l)) {
        f.page().text(tx, y, Font::Regular, SIZE, Align::Left, &s);
        y -= leading(SIZE);
    }
    f.space(side - crate::qr::QUIET * PROOF_MODULE);
}

/// One line with a text on the left and one on the right.
pub(crate) fn two_sided(f: &mut Flow, left: (Font, u16, &str), right: (Font, u16, &str)) {
    let size = left.1.max(right.1);
    f.ensure(leading(size));
    let base = f.y() - ascent(size);
    let (l, r) = (f.left(), f.right());
    f.page().text(l, base, left.0, left.1, Align::Left, left.2);
    f.page()
        .text(r, base, right.0, right.1, Align::Right, right.2);
    f.space(leading(size));
}

/// Lines of text (wrapped) in a box across the text area, on a grey background (`gray`: 100
/// is white).
pub(crate) fn boxed(f: &mut Flow, rows: &[(Font, u16, String)], gray: u8, stroke: Stroke) {
    let inner = f.width() - 2 * PAD;
    let wrapped: Vec<(Font, u16, Vec<String>)> = rows
        .iter()
        .map(|(font, size, text)| (*font, *size, wrap(*font, *size, text, inner)))
        .collect();
    let h: i32 = 2 * PAD
        + wrapped
            .iter()
            .map(|(_, size, ls)| leading(*size) * i32::try_from(ls.len()).unwrap_or(1))
            .sum::<i32>();
    f.ensure(h);
    let (l, w, top) = (f.left(), f.width(), f.y());
    if gray < 100 {
        f.page().fill_rect(l, top - h, w, h, gray);
    }
    f.page().rect(l, top - h, w, h, stroke);
    let mut y = top - PAD;
    for (font, size, ls) in wrapped {
        for line in ls {
            f.page()
                .text(l + PAD, y - ascent(size), font, size, Align::Left, &line);
            y -= leading(size);
        }
    }
    f.space(h);
}

/// The detail lines: label on the left, value in bold on the right, a hairline under each.
pub(crate) fn detail_lines(f: &mut Flow, lines: &[(String, String)]) {
    const SIZE: u16 = 10;
    let label_w = f.width() * 11 / 20;
    let value_w = f.width() - label_w - 2 * PAD;
    for (label, value) in lines {
        let ls = wrap(Font::Regular, SIZE, label, label_w - PAD);
        let vs = wrap(Font::Bold, SIZE, value, value_w);
        let n = i32::try_from(ls.len().max(vs.len())).unwrap_or(1);
        let h = n * leading(SIZE) + 2;
        f.ensure(h);
        let (l, r, top) = (f.left(), f.right(), f.y());
        for (i, s) in ls.iter().enumerate() {
            let y = top - 1 - ascent(SIZE) - leading(SIZE) * i32::try_from(i).unwrap_or(0);
            f.page()
                .text(l + PAD, y, Font::Regular, SIZE, Align::Left, s);
        }
        for (i, s) in vs.iter().enumerate() {
            let y = top - 1 - ascent(SIZE) - leading(SIZE) * i32::try_from(i).unwrap_or(0);
            f.page().text(r - PAD, y, Font::Bold, SIZE, Align::Right, s);
        }
        f.page().line(l, top - h, r, top - h, Stroke::Hairline);
        f.space(h);
    }
}

/// The agent's signature box and the member's signature-or-thumbprint box, side by side.
pub(crate) fn signatures(f: &mut Flow) {
    const SIZE: u16 = 9;
    const H: i32 = 96;
    const THUMB: i32 = 60;
    f.ensure(H);
    let (l, r, top) = (f.left(), f.right(), f.y());
    let w = (r - l - 12) / 2;
    for (x, label) in [
        (l, "Signature de l'agent"),
        (l + w + 12, "Signature ou empreinte du membre"),
    ] {
        f.page().rect(x, top - H, w, H, Stroke::Thin);
        let mut y = top - PAD - ascent(SIZE);
        for s in wrap(Font::Bold, SIZE, label, w - 2 * PAD) {
            f.page().text(x + PAD, y, Font::Bold, SIZE, Align::Left, &s);
            y -= leading(SIZE);
        }
    }
    // the thumbprint square, bottom right of the member's box
    let tx = l + w + 12 + w - PAD - THUMB;
    let ty = top - H + PAD;
    f.page().dashed_rect(tx, ty, THUMB, THUMB, Stroke::Hairline);
    f.page().text(
        tx + THUMB / 2,
        ty + 3,
        Font::Regular,
        6,
        Align::Center,
        "empreinte",
    );
    f.space(H);
}
