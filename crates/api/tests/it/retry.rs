//! Idempotent writes end to end (issue #19, item 2): the window mints a record's id when the
//! person confirms; a retry of the same confirmed action returns the same record; a receipt
//! whose PDF cannot be written is said on its own, the record saved and reprintable.
#![allow(clippy::unwrap_used)]

use chrono::{TimeZone, Utc};
use sene_api::*;
use sene_domain::{AgentId, DisbursementId};

use crate::common::session;

/// The demo union with its receipts folder blocked by a file of that name (a PDF cannot be
/// written), and an approved shallot contract of a new member.
fn blocked(dir: &tempfile::TempDir) -> (Session, ContractView, std::path::PathBuf) {
    let receipts = dir.path().join("receipts");
    std::fs::write(&receipts, b"not a folder").unwrap();
    // its receipts folder is `receipts`, blocked by that file
    let mut s = session(
        dir.path(),
        Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap(),
    );
    s.load_demo(&mut |_| {}).unwrap();
    let st = s.status().unwrap();
    let shallot = st
        .campaigns
        .iter()
        .find(|c| c.family == "shallot")
        .unwrap()
        .clone();
    let coop = s.cooperatives().unwrap().remove(0);
    let m = s
        .register_member(&NewMemberRequest {
            cooperative_id: coop.id.clone(),
            number: "T-9101".into(),
            full_name: "Kadia Sidibé".into(),
            sex: "F".into(),
            birth_year: Some(1984),
            village: "Diado".into(),
            phone: None,
            nina: None,
            crops: vec!["shallot".into()],
            confirmed: true,
        })
        .unwrap();
    let c = s
        .request_contract(&ContractRequest {
            member_id: m.id.clone(),
            campaign_id: shallot.id.clone(),
            crop: "shallot".into(),
            committed_kg: "1000".into(),
        })
        .unwrap();
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
    let c = s
        .decide_contract(&DecideRequest {
            contract_id: c.id.clone(),
            approve: true,
            reason: String::new(),
        })
        .unwrap();
    s.ledger().set_acting_agent(None).unwrap();
    (s, c, receipts)
}

#[test]
fn a_retry_after_a_receipt_failure_leaves_one_advance_and_a_reprintable_receipt() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, c, receipts) = blocked(&dir);
    let id = DisbursementId::new().to_string();
    let req = DisburseRequest {
        record_id: Some(id.clone()),
        contract_id: c.id.clone(),
        amount: "10000".into(),
        mode: "cash".into(),
    };
    // the advance is saved; the PDF is not, and that is said on its own
    let first = s.disburse(&req).unwrap();
    assert_eq!(first.id, id);
    let why = first
        .pdf_error
        .clone()
        .expect("the PDF could not be written");
    assert!(why.contains("receipts"), "{why}");
    assert!(!std::path::Path::new(&first.pdf_path).exists());
    // the agent tries again: the same advance, the same receipt number, nothing recorded twice
    let again = s.disburse(&req).unwrap();
    assert_eq!(
        (again.id.as_str(), again.number.as_str()),
        (id.as_str(), first.number.as_str())
    );
    let member_id = s
        .ledger()
        .db()
        .contract(c.id.parse().unwrap())
        .unwrap()
        .unwrap()
        .member_id
        .to_string();
    let card = s.member_card(&MemberRequest { member_id }).unwrap();
    assert_eq!(card.disbursements.len(), 1, "{:?}", card.disbursements);
    // a reprint while the folder is still blocked is an error of its own (nothing is written)
    let reprint = ReceiptRequest {
        kind: "disbursement".into(),
        id: id.clone(),
    };
    let e = s.receipt(&reprint).unwrap_err();
    assert_eq!(e.code, ErrorCode::File, "{e:?}");
    // the folder freed: the receipt reprints, the same number
    std::fs::remove_file(&receipts).unwrap();
    let r = s.receipt(&reprint).unwrap();
    assert_eq!(r.number, first.number);
    assert!(r.pdf_error.is_none());
    assert!(std::fs::read(&r.pdf_path).unwrap().starts_with(b"%PDF-"));
    // the same id for another amount is refused, nothing written
    let e = s
        .disburse(&DisburseRequest {
            amount: "5000".into(),
            ..req
        })
        .unwrap_err();
    assert_ne!(e.code, ErrorCode::File, "{e:?}");
    let card = s
        .member_card(&MemberRequest {
            member_id: card.member.id.clone(),
        })
        .unwrap();
    assert_eq!(card.disbursements.len(), 1);
}

#[test]
fn without_an_id_two_confirmations_are_two_records() {
    // the window always sends one; a script that sends none records each call
    let dir = tempfile::tempdir().unwrap();
    let (mut s, c, receipts) = blocked(&dir);
    std::fs::remove_file(&receipts).unwrap();
    let req = DisburseRequest {
        record_id: None,
        contract_id: c.id.clone(),
        amount: "1000".into(),
        mode: "cash".into(),
    };
    let a = s.disburse(&req).unwrap();
    let b = s.disburse(&req).unwrap();
    assert_ne!(a.id, b.id);
    assert!(a.pdf_error.is_none() && b.pdf_error.is_none());
}
