//! Receipts built from the demo union's stored records, rendered to PDF and read back: every
//! kind (advance, delivery, fertilizer, balance payment, reversal) names the right member,
//! number and amount, in figures and in words.
#![allow(clippy::unwrap_used, clippy::too_many_lines)]

use std::collections::BTreeMap;

use chrono::{NaiveDate, TimeZone, Utc};
use sene_app::finance::PayBalance;
use sene_app::receipts::*;
use sene_app::season::preview_delivery;
use sene_app::*;
use sene_domain::*;
use sene_print::{format_money, inspect, pdf_text};

use crate::common::ledger_at;

fn demo() -> Ledger {
    let mut l = ledger_at(Utc.with_ymd_and_hms(2027, 1, 15, 9, 0, 0).unwrap());
    sene_app::demo::load_demo(&mut l, &mut |_| {}).unwrap();
    l
}

fn flat(s: &str) -> String {
    s.split(|c: char| c.is_whitespace() || c == '\u{a0}' || c == '\u{c}')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Renders the receipt and checks what every receipt must show.
fn check_printed(l: &Ledger, r: ReceiptRef, m: &Member) -> (ReceiptDoc, String) {
    let doc = l.receipt_doc(r).unwrap();
    let pdf = l.receipt_pdf(r).unwrap();
    assert!(pdf.starts_with(b"%PDF-1.4"));
    let info = inspect(&pdf).unwrap();
    assert_eq!(info.pages.len(), 1, "{r:?}: one page");
    assert_eq!(info.pages[0].width, 420, "{r:?}: A5");
    let text = pdf_text(&pdf);
    let words = sene_domain::words::fcfa_in_words(i128::from(doc.amount.francs()));
    assert_eq!(doc.amount_in_words(), words);
    assert_eq!(doc.member_name, m.full_name);
    assert_eq!(doc.member_number, m.number);
    for expected in [
        doc.title.as_str(),
        &format!("Reçu N°\u{a0}{}", doc.number),
        &m.full_name,
        &format!("N° de membre\u{a0}: {}", m.number),
        &format_money(doc.amount),
        "Signature de l'agent",
        "Signature ou empreinte du membre",
    ] {
        assert!(
            text.contains(expected),
            "{r:?}: {expected:?} missing from\n{text}"
        );
    }
    assert!(
        flat(&text).contains(&format!("Soit : {words}")),
        "{r:?}: words {words:?} missing from\n{text}"
    );
    assert!(doc.amount.is_positive(), "{r:?}");
    (doc, text)
}

fn value<'d>(doc: &'d ReceiptDoc, label: &str) -> &'d str {
    doc.lines
        .iter()
        .find(|(l, _)| l.starts_with(label))
        .map(|(_, v)| v.as_str())
        .unwrap_or_else(|| panic!("{label} missing in {:?}", doc.lines))
}

#[test]
fn every_kind_of_receipt_prints_from_the_demo() {
    let mut l = demo();
    let actor = l.local_actor().unwrap();
    let date = NaiveDate::from_ymd_opt(2027, 1, 15).unwrap();

    // A balance payment: the demo has none, pay one member what the settlement says.
    let camp = l.db().campaign_ids().unwrap()[0];
    let settlement = l.settle_campaign(camp, date).unwrap();
    let line = settlement
        .members
        .iter()
        .find(|m| m.remaining.is_positive())
        .unwrap()
        .clone();
    let paid = l
        .run(&actor, |tx| {
            tx.pay_balance(PayBalance {
                id: None,
                member_id: line.member_id,
                campaign_id: camp,
                amount: line.remaining,
                date,
                mode: PayMode::MobileMoney,
            })
        })
        .unwrap();

    let db = l.db();
    let members: BTreeMap<MemberId, Member> = db
        .members(None)
        .unwrap()
        .into_iter()
        .map(|m| (m.id, m))
        .collect();
    let mut seen: BTreeMap<&'static str, u32> = BTreeMap::new();
    let mut reversal_checked = 0;
    for m in members.values() {
        let list = receipts_for_member(&db, m.id).unwrap();
        let mut numbers: Vec<&str> = list.iter().map(|e| e.number.as_str()).collect();
        numbers.sort_unstable();
        numbers.dedup();
        assert_eq!(numbers.len(), list.len(), "receipt numbers are unique");
        for w in list.windows(2) {
            assert!(w[0].date <= w[1].date, "by date");
        }
        for e in &list {
            let kind = match e.receipt {
                ReceiptRef::Disbursement(_) => "disbursement",
                ReceiptRef::Delivery(_) => "delivery",
                ReceiptRef::Distribution(_) => "distribution",
                ReceiptRef::BalancePayment(_) => "payment",
                ReceiptRef::Reversal(_) => "reversal",
            };
            let n = seen.entry(kind).or_default();
            *n += 1;
            // every receipt of a reversal, of a balance payment, and the first few of the others
            if *n > 3 && !matches!(kind, "reversal" | "payment") {
                continue;
            }
            let (doc, text) = check_printed(&l, e.receipt, m);
            if *n == 1 || kind == "reversal" {
                println!("----- {kind}\n{text}");
            }
            assert_eq!(doc.number, e.number);
            assert_eq!(doc.date, e.date);
            assert_eq!(doc.title, e.title);
            match e.receipt {
                ReceiptRef::Disbursement(id) => {
                    let x = db.disbursement(id).unwrap().unwrap();
                    assert_eq!(doc.amount, x.amount);
                    assert_eq!(doc.title, "Reçu de décaissement d'avance");
                    assert_eq!(value(&doc, "Mode de paiement"), x.mode.label_fr());
                    let agent = db.agent(x.recorded.agent_id).unwrap().unwrap();
                    assert_eq!(doc.agent_name, agent.name);
                    assert!(text.contains(&agent.name));
                }
                ReceiptRef::Delivery(id) => {
                    let x = db.delivery(id).unwrap().unwrap();
                    let c = db.contract(x.contract_id).unwrap().unwrap();
                    let camp = db.campaign(c.campaign_id).unwrap().unwrap();
                    let p =
                        preview_delivery(&camp, x.crop, x.bags, x.gross, x.moisture, x.impurity)
                            .unwrap();
                    assert_eq!((p.net, p.accepted), (x.net, x.accepted));
                    assert_eq!(doc.amount, p.value);
                    assert_eq!(value(&doc, "Nombre de sacs"), x.bags.to_string());
                    assert_eq!(value(&doc, "Poids brut"), x.gross.to_string());
                    assert_eq!(value(&doc, "Poids net"), x.net.to_string());
                    assert_eq!(value(&doc, "Poids accepté"), x.accepted.to_string());
                    assert_eq!(value(&doc, "Humidité"), x.moisture.to_string());
                    assert_eq!(value(&doc, "Impuretés"), x.impurity.to_string());
                    assert!(
                        text.contains(&format!("Poids accepté\t{}", x.accepted)),
                        "{text}"
                    );
                }
                ReceiptRef::Distribution(id) => {
                    let x = db.distribution(id).unwrap().unwrap();
                    let cost = x.price_per_bag.francs() * i64::from(x.bags);
                    assert_eq!(doc.amount.francs(), cost);
                    let credit = cost - x.cash_paid.francs();
                    assert_eq!(
                        value(&doc, "À crédit"),
                        format_money(Money::from_francs(credit).unwrap())
                    );
                    let product = db.product(x.product_id).unwrap().unwrap();
                    assert_eq!(value(&doc, "Produit"), product.name);
                }
                ReceiptRef::BalancePayment(id) => {
                    assert_eq!(id, paid.id);
                    assert_eq!(m.id, line.member_id);
                    assert_eq!(doc.amount, line.remaining);
                    assert_eq!(doc.number, paid.recorded.receipt);
                    assert_eq!(value(&doc, "Mode de paiement"), "mobile money");
                }
                ReceiptRef::Reversal(_) => {
                    let cancelled = doc.cancels.clone().unwrap();
                    let target = list.iter().find(|t| t.number == cancelled).unwrap();
                    assert_eq!(target.cancelled_by.as_deref(), Some(e.number.as_str()));
                    let original = l.receipt_doc(target.receipt).unwrap();
                    assert_eq!(doc.amount, original.amount);
                    assert_eq!(value(&doc, "Opération annulée"), original.title);
                    assert_eq!(
                        value(&doc, "Date du reçu annulé"),
                        sene_print::format_date(original.date)
                    );
                    assert_eq!(value(&doc, "Campagne"), value(&original, "Campagne"));
                    if let ReceiptRef::Delivery(_) = target.receipt {
                        assert_eq!(
                            value(&doc, "Poids accepté"),
                            value(&original, "Poids accepté")
                        );
                    }
                    assert!(
                        text.contains(&format!("Annule le reçu N°\u{a0}{cancelled}")),
                        "{text}"
                    );
                    let reason = doc.cancel_reason.clone().unwrap();
                    assert!(!reason.is_empty());
                    assert!(
                        flat(&text).contains(&flat(&format!("Motif : {reason}"))),
                        "{text}"
                    );
                    reversal_checked += 1;
                }
            }
        }
        // a record's reversal is listed with it, and only reversed records are marked
        for e in list.iter().filter(|e| e.cancelled_by.is_some()) {
            let by = e.cancelled_by.as_deref().unwrap();
            assert!(list
                .iter()
                .any(|r| r.number == by && matches!(r.receipt, ReceiptRef::Reversal(_))));
        }
    }
    for kind in [
        "disbursement",
        "delivery",
        "distribution",
        "payment",
        "reversal",
    ] {
        assert!(
            seen.get(kind).copied().unwrap_or(0) > 0,
            "no {kind} in {seen:?}"
        );
    }
    println!("{seen:?}");
    assert_eq!(seen["payment"], 1);
    // the demo reverses one advance and voids one delivery
    assert_eq!(reversal_checked, 2, "{seen:?}");
}

#[test]
fn unknown_records_are_not_found() {
    let l = demo();
    for r in [
        ReceiptRef::Disbursement(DisbursementId::new()),
        ReceiptRef::Delivery(DeliveryId::new()),
        ReceiptRef::Distribution(DistributionId::new()),
        ReceiptRef::BalancePayment(PaymentId::new()),
        ReceiptRef::Reversal(ReversalId::new()),
    ] {
        let e = l.receipt_doc(r).unwrap_err();
        assert!(matches!(e, AppError::NotFound { .. }), "{r:?}: {e:?}");
        assert_eq!(e.code(), "not_found");
        assert!(l.receipt_pdf(r).is_err());
    }
    let e = l.receipts_for_member(MemberId::new()).unwrap_err();
    assert!(
        matches!(e, AppError::NotFound { kind: "membre", .. }),
        "{e:?}"
    );
}

#[test]
fn receipt_refs_serialize_with_their_kind() {
    let id = DeliveryId::new();
    let json = serde_json::to_string(&ReceiptRef::Delivery(id)).unwrap();
    assert_eq!(json, format!("{{\"kind\":\"delivery\",\"id\":\"{id}\"}}"));
    let back: ReceiptRef = serde_json::from_str(&json).unwrap();
    assert_eq!(back, ReceiptRef::Delivery(id));
}
