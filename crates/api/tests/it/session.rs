//! The desktop's commands through `Session`, on a real SQLite file with the demo union: the
//! village day the window drives, and the errors each entry point must give.
#![allow(clippy::unwrap_used)]

use chrono::{TimeZone, Utc};
use sene_api::*;
use sene_domain::AgentId;

fn session(dir: &tempfile::TempDir) -> Session {
    // inside the shallot campaign's contract window, the rice campaign's delivery window
    crate::common::session(
        dir.path(),
        Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap(),
    )
}

fn demo(dir: &tempfile::TempDir) -> Session {
    let mut s = session(dir);
    let st = s.load_demo(&mut |_| {}).expect("demo");
    assert!(st.initialized);
    s
}

fn new_member(coop: &str, number: &str, name: &str, phone: Option<&str>) -> NewMemberRequest {
    NewMemberRequest {
        cooperative_id: coop.into(),
        number: number.into(),
        full_name: name.into(),
        sex: "F".into(),
        birth_year: Some(1984),
        village: "Diado".into(),
        phone: phone.map(str::to_owned),
        nina: None,
        crops: vec!["shallot".into()],
        confirmed: false,
    }
}

#[test]
fn an_empty_store_says_so_and_offers_the_demo() {
    let dir = tempfile::tempdir().unwrap();
    let s = session(&dir);
    let st = s.status().unwrap();
    assert!(!st.initialized);
    assert_eq!(st.lang, "fr");
    let e = s.cooperatives().map(|_| ()).and_then(|()| {
        s.member_card(&MemberRequest {
            member_id: "0190f0f0-0000-7000-8000-000000000000".into(),
        })
    });
    assert!(e.is_err());
}

#[test]
fn a_village_day_through_the_commands() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = demo(&dir);
    let st = s.status().unwrap();
    assert!(st.may_approve, "the demo's desktop acts as the secretariat");
    let shallot = st
        .campaigns
        .iter()
        .find(|c| c.family == "shallot")
        .expect("shallot campaign")
        .clone();
    let coop = s.cooperatives().unwrap().remove(0);

    // search ignores accents and case
    let found = s
        .search_members(&SearchRequest {
            query: "traore".into(),
            cooperative_id: None,
        })
        .unwrap();
    assert!(!found.is_empty());
    assert!(found.iter().all(|m| m.full_name.contains("Traoré")
        || m.number.contains("TRAORE")
        || m.full_name.to_lowercase().contains("traore")));

    // a new member, then a second one that looks the same: warned, saved only when confirmed
    let m = s
        .register_member(&new_member(
            &coop.id,
            "T-9001",
            "Awa Traoré",
            Some("+223 76 00 11 22"),
        ))
        .unwrap();
    let twin = new_member(&coop.id, "T-9002", "Awa TRAORE", Some("+223 76 00 11 22"));
    let dups = s.check_member(&twin).unwrap();
    assert_eq!(dups.len(), 1);
    assert_eq!(dups[0].id, m.id);
    let e = s.register_member(&twin).unwrap_err();
    assert_eq!(e.code, ErrorCode::ProbableDuplicate);
    assert!(e.message.contains("doublon"), "{}", e.message);

    // a contract, approved, an advance
    let c = s
        .request_contract(&ContractRequest {
            member_id: m.id.clone(),
            campaign_id: shallot.id.clone(),
            crop: "shallot".into(),
            committed_kg: "1000".into(),
        })
        .unwrap();
    assert_eq!(c.state, "requested");
    let price: i64 = shallot.crops[0].base_price.parse().unwrap();
    // maker-checker: who requested it may not approve it; the committee member does
    let approve = DecideRequest {
        contract_id: c.id.clone(),
        approve: true,
        reason: String::new(),
    };
    let e = s.decide_contract(&approve).unwrap_err();
    assert_eq!(e.code, ErrorCode::SecondPersonRequired, "{e:?}");
    assert!(e.message.contains("seconde personne"), "{}", e.message);
    let ctc: AgentId = s
        .agents()
        .unwrap()
        .iter()
        .find(|a| a.role == "ctc")
        .unwrap()
        .id
        .parse()
        .unwrap();
    s.ledger().set_acting_agent(Some(ctc)).unwrap();
    let c = s.decide_contract(&approve).unwrap();
    s.ledger().set_acting_agent(None).unwrap();
    assert_eq!(c.state, "approved");
    let due: i64 = c.advance_due.parse().unwrap();
    assert_eq!(
        due,
        price * 1000 * 6 / 10,
        "60 % of 1 000 kg at the base price"
    );

    // above the advance due: refused with the rule's message, nothing written
    let e = s
        .disburse(&DisburseRequest {
            record_id: None,
            contract_id: c.id.clone(),
            amount: (due + 1).to_string(),
            mode: "cash".into(),
        })
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::RuleRefused, "{e:?}");
    let r = s
        .disburse(&DisburseRequest {
            record_id: None,
            contract_id: c.id.clone(),
            amount: due.to_string(),
            mode: "cash".into(),
        })
        .unwrap();
    assert_eq!(r.amount, due.to_string());
    assert!(r.amount_words.ends_with("francs CFA"), "{}", r.amount_words);
    assert!(std::path::Path::new(&r.pdf_path).exists(), "{}", r.pdf_path);
    let pdf = std::fs::read(&r.pdf_path).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));

    let card = s
        .member_card(&MemberRequest {
            member_id: m.id.clone(),
        })
        .unwrap();
    assert_eq!(card.contracts.len(), 1);
    assert_eq!(card.disbursements.len(), 1);
    assert_eq!(card.receipts.len(), 1);
    assert_eq!(card.balances.len(), 1);
    assert_eq!(
        card.balances[0].net,
        (-due).to_string(),
        "nothing delivered yet: the advance is owed"
    );

    // reversal, by a second person: its own receipt naming the one it cancels, and the card
    // shows it reversed
    let own = s.reverse(&ReverseRequest {
        record_id: None,
        kind: "disbursement".into(),
        target_id: r.id.clone(),
        reason: "montant saisi sur le mauvais contrat".into(),
    });
    assert_eq!(own.unwrap_err().code, ErrorCode::SecondPersonRequired);
    s.ledger().set_acting_agent(Some(ctc)).unwrap();
    let rev = s
        .reverse(&ReverseRequest {
            record_id: None,
            kind: "disbursement".into(),
            target_id: r.id.clone(),
            reason: "montant saisi sur le mauvais contrat".into(),
        })
        .unwrap();
    assert!(
        rev.cancels.as_deref().unwrap_or("").contains(&r.number),
        "{rev:?}"
    );
    let card = s
        .member_card(&MemberRequest {
            member_id: m.id.clone(),
        })
        .unwrap();
    assert!(card.disbursements[0].reversed);
    assert_eq!(card.balances[0].net, "0");
    let e = s
        .reverse(&ReverseRequest {
            record_id: None,
            kind: "disbursement".into(),
            target_id: r.id.clone(),
            reason: "encore".into(),
        })
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::AlreadyReversed);
}

#[test]
fn a_delivery_previewed_then_recorded_on_a_rice_contract() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = demo(&dir);
    // a demo member with an approved rice contract
    let coops = s.cooperatives().unwrap();
    let mut target = None;
    'outer: for coop in &coops {
        for m in s
            .search_members(&SearchRequest {
                query: String::new(),
                cooperative_id: Some(coop.id.clone()),
            })
            .unwrap()
        {
            let card = s
                .member_card(&MemberRequest {
                    member_id: m.id.clone(),
                })
                .unwrap();
            if let Some(c) = card.contracts.iter().find(|c| {
                c.crop == "paddy_rice"
                    && c.accepted_kg == "0"
                    && c.state != "rejected"
                    && c.state != "requested"
                    && c.state != "cancelled"
            }) {
                target = Some((coop.id.clone(), m, c.clone()));
                break 'outer;
            }
        }
    }
    let (coop, _m, c) = target.expect("a rice contract with nothing delivered yet");
    let wh = s
        .warehouses(&CooperativeRequest {
            cooperative_id: coop,
        })
        .unwrap()
        .remove(0);
    let mut req = DeliveryRequest {
        record_id: None,
        contract_id: c.id.clone(),
        warehouse_id: wh.id.clone(),
        bags: "10".into(),
        gross_kg: "805".into(),
        moisture: "16".into(),
        impurity: "1".into(),
        captures: None,
        hand_reason: None,
        hand_note: None,
    };
    let p = s.preview_delivery(&req).unwrap();
    assert_eq!(p.net_kg, "800", "10 bags of 0,5 kg tare");
    assert!(!p.accepted_kg.is_empty());
    // bad input: a clear error naming the field
    req.moisture = "abc".into();
    let e = s.preview_delivery(&req).unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidValue);
    assert_eq!(e.field.as_deref(), Some("humidité (%)"));
    req.moisture = "16".into();
    req.bags = "-3".into();
    assert_eq!(
        s.preview_delivery(&req).unwrap_err().code,
        ErrorCode::InvalidValue
    );
    req.bags = "10".into();
    let r = s.record_delivery(&req).unwrap();
    assert_eq!(r.kind, "delivery");
    assert!(r.lines.iter().any(|l| l.value.contains("kg")), "{r:?}");
    let again = s
        .receipt(&ReceiptRequest {
            kind: "delivery".into(),
            id: r.id.clone(),
        })
        .unwrap();
    assert_eq!(again.number, r.number, "a reprint is the same receipt");
}

#[test]
fn bad_input_gets_a_clear_error_in_the_chosen_language() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = demo(&dir);
    let e = s
        .member_card(&MemberRequest {
            member_id: "not-an-id".into(),
        })
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::NotFound);
    assert!(e.message.contains("introuvable"), "{}", e.message);
    let e = s.set_lang(&LangRequest { lang: "de".into() }).unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidValue);
    s.set_lang(&LangRequest { lang: "en".into() }).unwrap();
    let e = s
        .member_card(&MemberRequest {
            member_id: "not-an-id".into(),
        })
        .unwrap_err();
    assert!(e.message.contains("not found"), "{}", e.message);
    let coop = s.cooperatives().unwrap().remove(0);
    let mut m = new_member(&coop.id, "T-9100", "", None);
    let e = s.register_member(&m).unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidValue);
    assert!(e.field.is_some(), "{e:?}");
    m.full_name = "Fanta Coulibaly".into();
    m.phone = Some("12".into());
    let e = s.register_member(&m).unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidValue);
    // the language is kept in the store
    drop(s);
    let s = session(&dir);
    assert_eq!(s.status().unwrap().lang, "en");
}

#[test]
fn typed_values_arrive_as_text_or_numbers() {
    let as_text: DeliveryRequest = serde_json::from_value(serde_json::json!({
        "contract_id": "x", "warehouse_id": "y", "bags": "20", "gross_kg": "1010,5",
        "moisture": "12", "impurity": "1"
    }))
    .unwrap();
    let as_numbers: DeliveryRequest = serde_json::from_value(serde_json::json!({
        "contract_id": "x", "warehouse_id": "y", "bags": 20, "gross_kg": 1010.5,
        "moisture": 12, "impurity": 1
    }))
    .unwrap();
    assert_eq!(as_text.bags, as_numbers.bags);
    assert_eq!(as_numbers.gross_kg, "1010.5");
    let bad = serde_json::from_value::<DisburseRequest>(serde_json::json!({
        "contract_id": "x", "amount": [1], "mode": "cash"
    }));
    assert!(bad.is_err());
}
