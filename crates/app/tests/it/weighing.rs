//! A delivery's weighing evidence (#21 item 2): the scale's captures or a hand weight's reason
//! recorded with the delivery, read back from the projection, printed on the receipt, and
//! carried to the office by a sync like any other field; a delivery recorded before scales
//! keeps none and stays valid.
#![allow(clippy::unwrap_used)]

use sene_app::receipts::ReceiptRef;
use sene_app::season::RecordDelivery;
use sene_app::*;
use sene_domain::*;

use crate::common::{d, laptop, memory, sync};

fn capture(kg: &str, stable: bool, at: &str) -> ScaleCapture {
    ScaleCapture {
        kg: kg.parse().unwrap(),
        stable,
        at: at.parse().unwrap(),
        raw: "ST,GS,+00050.25kg".into(),
        protocol: "and".into(),
        port: "/dev/ttyUSB0 9600 8N1".into(),
        indicator: None,
    }
}

fn lines(l: &Ledger, id: DeliveryId) -> Vec<(String, String)> {
    l.receipt_doc(ReceiptRef::Delivery(id)).unwrap().lines
}

#[test]
fn the_evidence_is_recorded_printed_and_synced() {
    let mut s = memory();
    let (mut dev, _clock, scope) = laptop(&mut s);
    let field = s.field;
    let cmd = |gross: &str| RecordDelivery {
        id: None,
        member_id: s.b,
        contract_id: s.cb,
        warehouse_id: s.wh,
        bags: 2,
        gross: gross.parse().unwrap(),
        moisture: "14".parse().unwrap(),
        impurity: "2".parse().unwrap(),
        date: d(2026, 12, 1),
    };
    // two parts: 50.25 + 49.30 = 99.55, rounded once to 99.6
    let parts = Weighing::Scale {
        captures: vec![
            capture("50.25", true, "2026-12-01T08:10:02.120Z"),
            capture("49.30", true, "2026-12-01T08:11:40.500Z"),
        ],
    };
    // a gross that is not the captures' sum is refused, and so is an unstable capture
    let e = dev
        .run(&field, |tx| {
            tx.record_weighed_delivery(cmd("99.5"), Some(parts.clone()))
        })
        .unwrap_err();
    assert!(
        matches!(e, AppError::Domain(DomainError::GrossNotCaptured { .. })),
        "{e:?}"
    );
    let unstable = Weighing::Scale {
        captures: vec![capture("99.6", false, "2026-12-01T08:10:02Z")],
    };
    let e = dev
        .run(&field, |tx| {
            tx.record_weighed_delivery(cmd("99.6"), Some(unstable))
        })
        .unwrap_err();
    assert!(
        matches!(e, AppError::Domain(DomainError::CaptureNotStable { .. })),
        "{e:?}"
    );
    assert!(e.message(Lang::En).contains("unstable weighing"), "{e:?}");
    // « autre motif » needs its note
    let e = dev
        .run(&field, |tx| {
            tx.record_weighed_delivery(
                cmd("80"),
                Some(Weighing::Hand {
                    reason: HandReason::Other,
                    note: " ".into(),
                }),
            )
        })
        .unwrap_err();
    assert!(
        matches!(e, AppError::Domain(DomainError::EmptyText { .. })),
        "{e:?}"
    );

    let weighed = dev
        .run(&field, |tx| {
            tx.record_weighed_delivery(cmd("99.6"), Some(parts.clone()))
        })
        .unwrap();
    let by_hand = dev
        .run(&field, |tx| {
            tx.record_weighed_delivery(
                cmd("80"),
                Some(Weighing::Hand {
                    reason: HandReason::ScaleBroken,
                    note: "écran noir".into(),
                }),
            )
        })
        .unwrap();
    // a retry of the same command and evidence is the same record; other evidence is a conflict
    let again = dev
        .run(&field, |tx| {
            tx.record_weighed_delivery(
                RecordDelivery {
                    id: Some(weighed.id),
                    ..cmd("99.6")
                },
                Some(parts.clone()),
            )
        })
        .unwrap();
    assert_eq!(again, weighed);
    let e = dev
        .run(&field, |tx| {
            tx.record_weighed_delivery(
                RecordDelivery {
                    id: Some(weighed.id),
                    ..cmd("99.6")
                },
                None,
            )
        })
        .unwrap_err();
    assert!(matches!(e, AppError::IdConflict { .. }), "{e:?}");

    // read back from the projection as recorded
    let back = dev.db().delivery(weighed.id).unwrap().unwrap();
    assert_eq!(back.weighing.as_ref(), Some(&parts));
    assert_eq!(back.gross.tenths(), 996);

    // the receipt lists the captures, or the hand weight's reason
    let l = lines(&dev, weighed.id);
    let find = |l: &[(String, String)], k: &str| {
        l.iter()
            .find(|(a, _)| a == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| panic!("{k} in {l:?}"))
    };
    assert_eq!(
        find(&l, "Pesée 1 (balance)"),
        "50,25\u{a0}kg · stable · 08:10:02"
    );
    assert_eq!(
        find(&l, "Pesée 2 (balance)"),
        "49,3\u{a0}kg · stable · 08:11:40"
    );
    assert_eq!(
        find(&lines(&dev, by_hand.id), "Pesée"),
        "pesée manuelle : balance en panne (écran noir)"
    );

    // the office receives the evidence with the delivery
    sync(&mut dev, &mut s.l, &scope);
    let at_office = s.l.db().delivery(weighed.id).unwrap().unwrap();
    assert_eq!(at_office.weighing, Some(parts));
    let hand = s.l.db().delivery(by_hand.id).unwrap().unwrap();
    assert!(matches!(
        hand.weighing,
        Some(Weighing::Hand {
            reason: HandReason::ScaleBroken,
            ..
        })
    ));

    // a delivery recorded before scales: no evidence, still valid, said so on its receipt
    let old =
        s.l.db()
            .list_rows(sene_store::Table::Deliveries, 100)
            .unwrap()
            .into_iter()
            .map(|r| r["id"].as_str().unwrap().parse::<DeliveryId>().unwrap())
            .find(|id| *id != weighed.id && *id != by_hand.id)
            .unwrap();
    assert_eq!(s.l.db().delivery(old).unwrap().unwrap().weighing, None);
    assert_eq!(find(&lines(&s.l, old), "Pesée"), "saisie avant la balance");
}
