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

#[test]
fn the_anomaly_queue_shows_hand_weights_and_tickets_that_differ() {
    use crate::common::{d, memory};
    use sene_app::anomalies::AnomalyKind;
    use sene_app::season::RecordDelivery;

    let mut s = memory();
    let field = s.field;
    let cmd = |gross: &str| RecordDelivery {
        id: None,
        member_id: s.b,
        contract_id: s.cb,
        warehouse_id: s.wh,
        bags: 1,
        gross: gross.parse().unwrap(),
        moisture: "14".parse().unwrap(),
        impurity: "2".parse().unwrap(),
        date: d(2026, 12, 1),
    };
    let scale = |kg: &str| Weighing::Scale {
        captures: vec![ScaleCapture {
            kg: kg.parse().unwrap(),
            stable: true,
            at: "2026-12-01T08:10:02Z".parse().unwrap(),
            raw: format!("ST,GS,+{kg}kg"),
            protocol: "and".into(),
            port: "/dev/ttyUSB0 9600 8N1".into(),
            indicator: None,
        }],
    };
    let hand = Weighing::Hand {
        reason: HandReason::ScaleBroken,
        note: String::new(),
    };
    // two weighed on the scale: no anomaly for 2 of 2
    let mut ids = Vec::new();
    for kg in ["40", "41"] {
        ids.push(
            s.l.run(&field, |tx| {
                tx.record_weighed_delivery(cmd(kg), Some(scale(kg)))
            })
            .unwrap(),
        );
    }
    let kinds = |l: &Ledger| -> Vec<AnomalyKind> {
        l.anomalies(s.camp)
            .unwrap()
            .into_iter()
            .map(|a| a.kind)
            .filter(|k| {
                matches!(
                    k,
                    AnomalyKind::HandWeighed { .. } | AnomalyKind::TicketDiffers { .. }
                )
            })
            .collect()
    };
    assert!(kinds(&s.l).is_empty(), "{:?}", kinds(&s.l));
    // four typed by hand: 4 of 6 (66 %) for the agent and for the warehouse
    for kg in ["30", "31", "32", "33"] {
        s.l.run(&field, |tx| {
            tx.record_weighed_delivery(cmd(kg), Some(hand.clone()))
        })
        .unwrap();
    }
    let found = kinds(&s.l);
    let shares: Vec<_> = found
        .iter()
        .filter_map(|k| match k {
            AnomalyKind::HandWeighed { share } => Some(share.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(shares.len(), 2, "agent and warehouse: {found:?}");
    for sh in &shares {
        assert_eq!((sh.hand, sh.weighed, sh.percent()), (4, 6, 66), "{sh:?}");
        assert_eq!(sh.reasons, vec![("scale_broken".to_owned(), 4)]);
    }
    let told =
        s.l.tell_anomaly(
            &AnomalyKind::HandWeighed {
                share: shares[0].clone(),
            },
            Lang::Fr,
        )
        .unwrap();
    assert!(told.summary.contains("66 %"), "{told:?}");
    assert!(told.title.contains("main"), "{told:?}");
    let told =
        s.l.tell_anomaly(
            &AnomalyKind::HandWeighed {
                share: shares[1].clone(),
            },
            Lang::En,
        )
        .unwrap();
    assert!(told.summary.contains("typed by hand"), "{told:?}");
    assert!(
        told.evidence
            .iter()
            .any(|f| f.value.contains("scale broken")),
        "{told:?}"
    );

    // a paper ticket scanned at the office with another weight: in the queue, once
    s.l.ensure_ticket_secret().unwrap();
    let id = ids[0].id;
    let payload =
        s.l.receipt_doc(ReceiptRef::Delivery(id))
            .unwrap()
            .proof
            .unwrap();
    let accepted: i64 = payload.split(':').nth(3).unwrap().parse().unwrap();
    let altered = with_part(&payload, 3, &(accepted + 100).to_string());
    let check = s.l.check_ticket_text(&altered).unwrap().unwrap();
    assert!(!check.matches());
    let sec = s.sec;
    s.l.record_ticket_scan(&sec, &check).unwrap();
    s.l.record_ticket_scan(&sec, &check).unwrap();
    let tickets: Vec<_> = kinds(&s.l)
        .into_iter()
        .filter(|k| matches!(k, AnomalyKind::TicketDiffers { .. }))
        .collect();
    assert_eq!(
        tickets.len(),
        1,
        "the same paper twice is one anomaly: {tickets:?}"
    );
    let told = s.l.tell_anomaly(&tickets[0], Lang::Fr).unwrap();
    assert!(told.title.contains("Ticket de pesée"), "{told:?}");
    assert!(told.summary.contains("poids accepté"), "{told:?}");
    assert_eq!(told.links.len(), 1, "the member's card: {told:?}");
}
