//! The weighing ticket's proof (#21 item 3): a delivery receipt printed by a device with a
//! ticket key carries a QR code of its figures and signature; read back out of the PDF, the
//! code verifies against the books; the same code with one figure changed does not, and says
//! which figure.
#![allow(clippy::unwrap_used)]

use chrono::{TimeZone, Utc};
use sene_app::receipts::ReceiptRef;
use sene_app::tickets::{self, Signature};
use sene_app::*;
use sene_domain::*;
use sene_print::qr::{read_back, Qr};
use sene_print::receipt::{proof_position, receipt_document, PROOF_MODULE};
use sene_print::PageSize;
use sene_store::Table;

use crate::common::ledger_at;

fn demo() -> Ledger {
    let mut l = ledger_at(Utc.with_ymd_and_hms(2027, 1, 15, 9, 0, 0).unwrap());
    sene_app::demo::load_demo(&mut l, &mut |_| {}).unwrap();
    l
}

fn a_delivery(l: &Ledger) -> DeliveryId {
    let rows = l.db().list_rows(Table::Deliveries, 1).unwrap();
    rows[0]["id"].as_str().unwrap().parse().unwrap()
}

/// The text a field's change makes of a ticket's code: `part` (0 = tag) replaced.
fn with_part(payload: &str, part: usize, value: &str) -> String {
    let mut parts: Vec<String> = payload.splitn(8, ':').map(str::to_owned).collect();
    parts[part] = value.to_owned();
    parts.join(":")
}

#[test]
fn a_printed_ticket_verifies_and_one_figure_changed_fails() {
    let mut l = demo();
    let id = a_delivery(&l);
    // a store with no key prints no code (never a code that cannot be checked)
    assert_eq!(l.receipt_doc(ReceiptRef::Delivery(id)).unwrap().proof, None);

    l.ensure_ticket_secret().unwrap();
    let secret = l.setting(tickets::TICKET_SECRET).unwrap().unwrap();
    l.ensure_ticket_secret().unwrap();
    assert_eq!(
        l.setting(tickets::TICKET_SECRET).unwrap().unwrap(),
        secret,
        "made once"
    );

    let doc = l.receipt_doc(ReceiptRef::Delivery(id)).unwrap();
    let payload = doc
        .proof
        .clone()
        .expect("a delivery receipt carries its proof");
    assert!(payload.starts_with("SENE2:"), "{payload}");
    assert!(payload.contains(&doc.number.to_uppercase()));
    assert!(payload.ends_with(&doc.member_number.to_uppercase()));

    // the code printed on the receipt is the code of this text
    let size = PageSize::A5;
    let layout = receipt_document(&doc, size);
    let size = if layout.pages().len() == 1 {
        size
    } else {
        PageSize::A4
    };
    let (page, x, y) = proof_position(&doc, size).expect("the code is on the receipt");
    let qr = Qr::encode(&payload).unwrap();
    let printed = receipt_document(&doc, size);
    let back = read_back(
        printed.pages()[page].content(),
        x,
        y,
        PROOF_MODULE,
        qr.width(),
    );
    let want: Vec<bool> = (0..qr.width() * qr.width())
        .map(|i| qr.is_dark(i % qr.width(), i / qr.width()))
        .collect();
    assert_eq!(back, want, "the printed squares are the ticket's code");
    let pdf = l.receipt_pdf(ReceiptRef::Delivery(id)).unwrap();
    let text = sene_print::pdf_text(&pdf);
    assert!(text.contains("Preuve du ticket"), "{text}");

    // scanned at the office: it matches
    let check = l.check_ticket_text(&payload).unwrap().unwrap();
    assert_eq!(check.signature, Signature::Valid);
    assert!(check.found && check.differences.is_empty(), "{check:?}");
    assert!(check.matches(), "{}", check.message(Lang::Fr));
    assert!(check.message(Lang::Fr).contains("conforme"));
    // as a reader with the caps lock on types it
    assert!(l
        .check_ticket_text(&payload.to_lowercase())
        .unwrap()
        .unwrap()
        .matches());

    // one figure changed on the paper: the signature fails and the figure is named
    let accepted: i64 = payload.split(':').nth(3).unwrap().parse().unwrap();
    let more = with_part(&payload, 3, &(accepted + 500).to_string());
    let c = l.check_ticket_text(&more).unwrap().unwrap();
    assert_eq!(c.signature, Signature::Invalid);
    assert!(!c.matches());
    assert_eq!(c.differences.len(), 1, "{c:?}");
    assert_eq!(c.differences[0].field, "accepted");
    let m = c.message(Lang::En);
    assert!(
        m.contains("does NOT match") && m.contains("accepted weight"),
        "{m}"
    );
    assert!(c.message(Lang::Fr).contains("poids accepté"));

    let value: i64 = payload.split(':').nth(4).unwrap().parse().unwrap();
    let c = l
        .check_ticket_text(&with_part(&payload, 4, &(value - 1).to_string()))
        .unwrap()
        .unwrap();
    assert_eq!(c.signature, Signature::Invalid);
    assert_eq!(c.differences[0].field, "value");

    // another member's number on the paper
    let c = l
        .check_ticket_text(&with_part(&payload, 7, "DIO-9999"))
        .unwrap()
        .unwrap();
    assert_eq!(c.signature, Signature::Invalid);
    assert_eq!(c.differences[0].field, "member");

    // a signature changed by one digit
    let sig = payload.split(':').nth(6).unwrap();
    let flipped: String = sig
        .chars()
        .enumerate()
        .map(|(i, ch)| {
            if i == 0 {
                if ch == '0' {
                    '1'
                } else {
                    '0'
                }
            } else {
                ch
            }
        })
        .collect();
    let c = l
        .check_ticket_text(&with_part(&payload, 6, &flipped))
        .unwrap()
        .unwrap();
    assert_eq!(c.signature, Signature::Invalid);
    assert!(c.differences.is_empty(), "same figures, forged signature");

    // a delivery not in the books
    let other = with_part(&payload, 1, "0193A5E2-7B4C-7D11-9E0F-1A2B3C4D5E6F");
    let c = l.check_ticket_text(&other).unwrap().unwrap();
    assert!(!c.found && !c.matches());

    // not a ticket
    assert!(l.check_ticket_text("Aminata").unwrap().is_none());
}

#[test]
fn a_store_that_does_not_hold_the_signer_key_says_so() {
    let mut a = demo();
    a.ensure_ticket_secret().unwrap();
    let id = a_delivery(&a);
    let payload = a
        .receipt_doc(ReceiptRef::Delivery(id))
        .unwrap()
        .proof
        .unwrap();
    // another store (its own secret, the same demo records) cannot check a's signature
    let mut b = demo();
    b.ensure_ticket_secret().unwrap();
    let c = b.check_ticket_text(&payload).unwrap().unwrap();
    assert_ne!(c.signature, Signature::Valid, "{c:?}");
    assert!(!c.matches());
}
