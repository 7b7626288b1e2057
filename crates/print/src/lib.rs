//! # sene-print
//!
//! Printable documents in French, as PDF files, with no third-party crate:
//!
//! - [`pdf`]: a small PDF 1.4 writer ([`Document`], [`Page`], [`Flow`] with tables over several
//!   pages) using the standard fonts Helvetica and Helvetica-Bold in WinAnsiEncoding, so that
//!   accents and no-break spaces show with no embedded font;
//! - [`receipt`]: the receipt handed to a member ([`ReceiptDoc`], [`render_receipt`]);
//! - [`cards`]: the A4 sheet of member cards ([`CardsDoc`], [`render_cards`]);
//! - [`qr`]: QR codes drawn as vector squares (member cards, weighing tickets);
//! - [`read`]: the check of a file's structure ([`inspect`]) and the text it shows
//!   ([`pdf_text`]), for tests and snapshot tests;
//! - [`winansi`]: the encoding.
//!
//! Amounts and weights are formatted by `sene_domain::words` ([`format_money`], [`format_kg`]).

pub mod cards;
pub mod pdf;
pub mod qr;
pub mod read;
pub mod receipt;
pub mod statement;
pub mod winansi;

mod metrics;

use chrono::{Datelike, NaiveDate};
use sene_domain::{Kg, Money};

pub use cards::{render_cards, CardsDoc, MemberCardLine};
pub use pdf::{Align, Column, Document, Flow, Font, Page, PageSize, Stroke};
pub use qr::{Qr, QrError};
pub use read::{inspect, pdf_text, PdfError, PdfInfo};
pub use receipt::{receipt_document, render_receipt, ReceiptDoc};
pub use statement::{
    render_payment_list, render_statement, PaymentListDoc, PaymentRow, StatementDelivery,
    StatementDoc,
};

/// An amount as printed: `200 000 FCFA`, digits grouped by three with no-break spaces
/// (U+00A0), which WinAnsiEncoding prints as spaces that never break a line.
#[must_use]
pub fn format_money(m: Money) -> String {
    m.to_string()
}

/// A weight as printed: `1 234,5 kg` (no-break spaces, one decimal).
#[must_use]
pub fn format_kg(kg: Kg) -> String {
    kg.to_string()
}

/// A date as printed: `15/01/2027`.
#[must_use]
pub fn format_date(d: NaiveDate) -> String {
    format!("{:02}/{:02}/{}", d.day(), d.month(), d.year())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        let m = Money::from_francs(200_000).unwrap_or(Money::ZERO);
        assert_eq!(format_money(m), "200\u{a0}000\u{a0}FCFA");
        let k = Kg::from_tenths(12_345).unwrap_or(Kg::ZERO);
        assert_eq!(format_kg(k), "1\u{a0}234,5\u{a0}kg");
        let d = NaiveDate::from_ymd_opt(2027, 1, 5).unwrap_or_default();
        assert_eq!(format_date(d), "05/01/2027");
    }
}
