//! Member cards: an A4 sheet of ten cards of bank-card size (85 × 54 mm, two columns of
//! five), each with the member's name, number and village, her cooperative and union, and a QR
//! code that a warehouse's reader types into Sene's member search.
//!
//! What the code holds (the member's id, the union, a check) is made by `sene_app::cards`;
//! here it is only drawn.

use crate::pdf::{ascent, leading, wrap, Align, Document, Font, PageSize, Stroke};
use crate::qr::{Qr, QrError};

/// One member's card.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberCardLine {
    pub name: String,
    /// `DIO-0042`.
    pub number: String,
    pub village: String,
    /// What the QR code holds.
    pub payload: String,
}

/// A cooperative's sheet of cards.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardsDoc {
    pub union_name: String,
    pub cooperative_name: String,
    pub cards: Vec<MemberCardLine>,
}

/// A card's width and height, points (85,6 × 54 mm, an ID-1 card).
pub const CARD_W: i32 = 243;
/// See [`CARD_W`].
pub const CARD_H: i32 = 153;
/// Cards per row and per column of a page.
pub const COLUMNS: i32 = 2;
/// See [`COLUMNS`].
pub const ROWS: i32 = 5;
/// Space between cards (to cut along the outlines).
const GAP: i32 = 6;
/// A QR module, points (0,7 mm: read by the cheapest readers at arm's length).
pub const MODULE: i32 = 2;
const PAD: i32 = 8;

/// Where card `i` of a page stands: its lower left corner.
#[must_use]
pub fn card_origin(i: usize) -> (i32, i32) {
    let i = i32::try_from(i).unwrap_or(0);
    let (col, row) = (i % COLUMNS, i / COLUMNS);
    let total_w = COLUMNS * CARD_W + (COLUMNS - 1) * GAP;
    let total_h = ROWS * CARD_H + (ROWS - 1) * GAP;
    let left = (PageSize::A4.width() - total_w) / 2;
    let top = (PageSize::A4.height() + total_h) / 2 - 6;
    (
        left + col * (CARD_W + GAP),
        top - (row + 1) * CARD_H - row * GAP,
    )
}

/// The sheet laid out: ten cards a page, a header line on each page.
///
/// # Errors
/// [`QrError`] when a payload is too long for a code (never with Sene's own payloads).
pub fn cards_document(doc: &CardsDoc) -> Result<Document, QrError> {
    let per_page = usize::try_from(COLUMNS * ROWS).unwrap_or(10);
    let title = format!("Cartes des membres {}", doc.cooperative_name);
    let mut d = Document::new(PageSize::A4, &title);
    let pages = doc.cards.len().div_ceil(per_page).max(1);
    for (p, chunk) in doc
        .cards
        .chunks(per_page)
        .chain(std::iter::once(&[][..]).take(usize::from(doc.cards.is_empty())))
        .enumerate()
    {
        let page = d.new_page();
        page.text(
            PageSize::A4.width() / 2,
            PageSize::A4.height() - 16,
            Font::Regular,
            8,
            Align::Center,
            &format!(
                "{} — {} — cartes des membres — page {}/{pages} — découper le long des traits",
                doc.union_name,
                doc.cooperative_name,
                p + 1
            ),
        );
        for (i, card) in chunk.iter().enumerate() {
            let qr = Qr::encode(&card.payload)?;
            let (x, y) = card_origin(i);
            draw_card(page, doc, card, &qr, x, y);
        }
    }
    Ok(d)
}

/// The sheet as a PDF file.
///
/// # Errors
/// As [`cards_document`].
pub fn render_cards(doc: &CardsDoc) -> Result<Vec<u8>, QrError> {
    Ok(cards_document(doc)?.to_pdf())
}

fn draw_card(
    page: &mut crate::pdf::Page,
    doc: &CardsDoc,
    card: &MemberCardLine,
    qr: &Qr,
    x: i32,
    y: i32,
) {
    page.rect(x, y, CARD_W, CARD_H, Stroke::Hairline);
    let side = qr.side(MODULE);
    // the code on the right, centred in height (its quiet zone is part of the side)
    let (qx, qy) = (x + CARD_W - side - 2, y + (CARD_H - side) / 2);
    qr.draw(page, qx, qy, MODULE);
    let text_w = CARD_W - side - PAD - 2;
    let mut ty = y + CARD_H - PAD;
    let lines: [(Font, u16, &str, usize, i32); 5] = [
        (Font::Regular, 7, &doc.union_name, 1, 0),
        (Font::Bold, 8, &doc.cooperative_name, 2, 0),
        (Font::Regular, 7, "CARTE DE MEMBRE", 1, 6),
        (Font::Bold, 12, &card.name, 2, 2),
        (Font::Regular, 8, &card.village, 1, 0),
    ];
    let number = format!("N°\u{a0}{}", card.number);
    for (i, (font, size, text, max, after)) in lines.into_iter().enumerate() {
        if i == 4 {
            text_lines(page, (x + PAD, &mut ty), Font::Bold, 11, &number, 1, text_w);
        }
        text_lines(page, (x + PAD, &mut ty), font, size, text, max, text_w);
        ty -= after;
    }
    page.text(
        x + PAD,
        y + PAD + 8,
        Font::Regular,
        6,
        Align::Left,
        "À présenter à chaque livraison",
    );
    // the code's text, for a person to type when no reader is at hand (its check catches a
    // typing mistake)
    page.text(x + PAD, y + 5, Font::Regular, 5, Align::Left, &card.payload);
}

/// Up to `max` wrapped lines of `text` from `*y` (the top) down; `*y` moves under them.
fn text_lines(
    page: &mut crate::pdf::Page,
    (x, y): (i32, &mut i32),
    font: Font,
    size: u16,
    text: &str,
    max: usize,
    width: i32,
) {
    if text.is_empty() {
        return;
    }
    for s in wrap(font, size, text, width).into_iter().take(max) {
        page.text(x, *y - ascent(size), font, size, Align::Left, &s);
        *y -= leading(size);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::qr::read_back;

    fn sheet(n: usize) -> CardsDoc {
        CardsDoc {
            union_name: "Union des coopératives de Koutiala".into(),
            cooperative_name: "Coopérative de Diola".into(),
            cards: (0..n)
                .map(|i| MemberCardLine {
                    name: format!("Aminata Traoré {i}"),
                    number: format!("DIO-{i:04}"),
                    village: "Diola".into(),
                    payload: format!(
                        "SENE1:1234ABCD:0193A5E2-7B4C-7D11-9E0F-1A2B3C4D{i:04}:ABCD1234"
                    ),
                })
                .collect(),
        }
    }

    #[test]
    fn ten_cards_a_page_each_with_its_code() {
        let doc = sheet(13);
        let d = cards_document(&doc).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(d.pages().len(), 2);
        let pdf = d.to_pdf();
        let info = crate::read::inspect(&pdf).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(info.pages.len(), 2);
        let text = crate::read::pdf_text(&pdf);
        for c in &doc.cards {
            assert!(text.contains(&c.name), "{} missing", c.name);
            assert!(text.contains(&c.number), "{} missing", c.number);
            assert!(text.contains(&c.payload), "{} missing", c.payload);
        }
        // the eleventh card is the first of page 2, drawn where the first of page 1 is
        let qr = Qr::encode(&doc.cards[10].payload).unwrap_or_else(|e| panic!("{e}"));
        let side = qr.side(MODULE);
        let (x, y) = card_origin(0);
        let (qx, qy) = (x + CARD_W - side - 2, y + (CARD_H - side) / 2);
        let back = read_back(d.pages()[1].content(), qx, qy, MODULE, qr.width());
        let want: Vec<bool> = (0..qr.width() * qr.width())
            .map(|i| qr.is_dark(i % qr.width(), i / qr.width()))
            .collect();
        assert_eq!(back, want);
    }

    #[test]
    fn the_cards_stay_on_the_page() {
        for i in 0..10 {
            let (x, y) = card_origin(i);
            assert!(x >= 20 && y >= 20, "card {i} at {x},{y}");
            assert!(x + CARD_W <= PageSize::A4.width() - 20);
            assert!(
                y + CARD_H <= PageSize::A4.height() - 24,
                "card {i} under the header"
            );
        }
        // an empty cooperative still gets a page
        let d = cards_document(&sheet(0)).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(d.pages().len(), 1);
    }
}
