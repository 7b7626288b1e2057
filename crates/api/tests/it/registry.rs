//! The registry's commands through `Session`, on the demo union: a member corrected (each
//! refusal naming its field, in the session's language), her departure and reinstatement (the
//! card's flags then say what the window may offer), a transfer, and the history as the window
//! shows it, worded for people in French and English.
#![allow(clippy::unwrap_used)]

use chrono::{TimeZone, Utc};
use sene_api::*;

use crate::common::session;

fn demo(dir: &tempfile::TempDir) -> Session {
    let mut s = session(
        dir.path(),
        Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap(),
    );
    s.load_demo(&mut |_| {}).expect("demo");
    s
}

fn cards(s: &Session) -> Vec<MemberCard> {
    s.search_members(&SearchRequest {
        query: String::new(),
        cooperative_id: None,
    })
    .unwrap()
    .into_iter()
    .map(|m| s.member_card(&MemberRequest { member_id: m.id }).unwrap())
    .collect()
}

fn phone(member: &str, phone: &str, reason: &str) -> CorrectMemberRequest {
    CorrectMemberRequest {
        member_id: member.into(),
        number: None,
        full_name: None,
        sex: None,
        birth_year: None,
        village: None,
        phone: Some(phone.into()),
        nina: None,
        crops: None,
        reason: reason.into(),
    }
}

#[test]
fn a_correction_is_refused_at_its_field_then_kept_in_the_history_in_words() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = demo(&dir);
    let card = cards(&s)
        .into_iter()
        .find(|c| c.member.phone.is_some())
        .unwrap();
    let id = card.member.id.clone();
    let old = card.member.phone.clone().unwrap();

    let e = s
        .correct_member(&phone(&id, "12 34", "nouveau"))
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidValue);
    assert_eq!(e.field.as_deref(), Some("téléphone"), "{e:?}");
    let e = s
        .correct_member(&phone(&id, "76 01 02 03", " "))
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("motif"), "{e:?}");
    let e = s.correct_member(&phone(&id, &old, "rien")).unwrap_err();
    assert_eq!(e.code, ErrorCode::RuleRefused, "{e:?}");
    assert!(e.message.contains("rien à corriger"), "{}", e.message);
    assert!(s
        .member_history(&MemberRequest {
            member_id: id.clone()
        })
        .unwrap()
        .is_empty());

    let done = s
        .correct_member(&phone(&id, "76 01 02 03", "nouveau numéro"))
        .unwrap();
    assert_eq!(done.member.phone.as_deref(), Some("+22376010203"));
    let c = &done.change;
    assert_eq!(
        (c.action.as_str(), c.action_label.as_str()),
        ("correct", "Correction")
    );
    assert_eq!(c.changes.len(), 1, "{c:?}");
    assert_eq!(c.changes[0].label, "téléphone");
    assert_eq!(c.changes[0].old.as_deref(), Some(old.as_str()));
    assert_eq!(c.changes[0].new.as_deref(), Some("+22376010203"));
    assert_eq!(c.reason, "nouveau numéro");
    let status = s.status().unwrap();
    assert_eq!(Some(c.agent.clone()), status.agent_name);
    assert_eq!(Some(c.device.clone()), status.device_label);

    // the sex, the crops and a cleared field, in words; in English
    s.set_lang(&LangRequest { lang: "en".into() }).unwrap();
    let e = s.correct_member(&phone(&id, "12", "again")).unwrap_err();
    assert!(e.message.contains("invalid phone"), "{}", e.message);
    s.correct_member(&CorrectMemberRequest {
        sex: Some(if card.sex == "f" { "m" } else { "f" }.into()),
        crops: Some(vec!["rice".into(), "shallot".into()]),
        phone: Some(String::new()),
        ..phone(&id, "", "written wrong at registration")
    })
    .unwrap();
    let h = s
        .member_history(&MemberRequest {
            member_id: id.clone(),
        })
        .unwrap();
    assert_eq!(h.len(), 2, "{h:?}");
    let last = &h[1];
    let field = |f: &str| last.changes.iter().find(|c| c.field == f).unwrap().clone();
    assert_eq!(field("phone").label, "phone");
    assert_eq!(field("phone").new, None, "the phone cleared");
    assert!(
        ["Man", "Woman"].contains(&field("sex").new.unwrap().as_str()),
        "{last:?}"
    );
    assert_eq!(field("crops").new.as_deref(), Some("Rice, Shallot"));
    assert_eq!(
        h[0].changes[0].label, "phone",
        "the history follows the language"
    );
    let card = s.member_card(&MemberRequest { member_id: id }).unwrap();
    assert_eq!(card.member.phone, None);
}

#[test]
fn a_member_who_left_gets_no_new_contract_until_reinstated() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = demo(&dir);
    let card = cards(&s)
        .into_iter()
        .find(|c| c.may_contract && !c.contracts.is_empty())
        .unwrap();
    assert!(card.may_depart && !card.may_reinstate && card.member.active);
    let id = card.member.id.clone();
    let e = s
        .member_departed(&MemberDepartedRequest {
            member_id: id.clone(),
            status: "gone fishing".into(),
            on: String::new(),
            reason: "parti".into(),
        })
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("status"), "{e:?}");
    let e = s
        .member_departed(&MemberDepartedRequest {
            member_id: id.clone(),
            status: "left".into(),
            on: "2030-01-01".into(),
            reason: "parti".into(),
        })
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::RuleRefused, "{e:?}");
    assert!(e.message.contains("futur"), "{}", e.message);
    let gone = s
        .member_departed(&MemberDepartedRequest {
            member_id: id.clone(),
            status: "deceased".into(),
            on: String::new(),
            reason: "décédée le mois dernier".into(),
        })
        .unwrap();
    assert_eq!(gone.action, "depart");
    assert_eq!(gone.effective_on.as_deref(), Some("2026-11-23"));
    let status = gone.changes.iter().find(|c| c.field == "status").unwrap();
    assert_eq!(
        (status.old.as_deref(), status.new.as_deref()),
        (Some("Actif"), Some("Décédé"))
    );
    let card = s.member_card(&MemberRequest {
        member_id: id.clone(),
    });
    let card = card.unwrap();
    assert!(!card.may_contract && !card.may_depart && card.may_reinstate);
    assert!(!card.member.active);
    assert_eq!(card.member.status, "deceased");
    assert_eq!(card.member.status_label, "Décédé");
    assert_eq!(card.member.left_on.as_deref(), Some("2026-11-23"));
    // still found by the search (and in every report)
    let found = s
        .search_members(&SearchRequest {
            query: card.member.number.clone(),
            cooperative_id: None,
        })
        .unwrap();
    assert!(found.iter().any(|m| m.id == id && !m.active));
    let campaign = &card.contracts[0];
    let e = s
        .request_contract(&ContractRequest {
            member_id: id.clone(),
            campaign_id: campaign.campaign_id.clone(),
            crop: campaign.crop.clone(),
            committed_kg: "500".into(),
        })
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::RuleRefused, "{e:?}");
    assert!(e.message.contains("n'est plus membre"), "{}", e.message);

    s.set_lang(&LangRequest { lang: "en".into() }).unwrap();
    let back = s
        .reinstate_member(&ReinstateMemberRequest {
            member_id: id.clone(),
            reason: "recorded on the wrong card".into(),
        })
        .unwrap();
    assert_eq!(back.action_label, "Reinstatement");
    let card = s.member_card(&MemberRequest { member_id: id }).unwrap();
    assert!(card.may_contract && card.member.active);
    let e = s
        .reinstate_member(&ReinstateMemberRequest {
            member_id: card.member.id.clone(),
            reason: "again".into(),
        })
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::RuleRefused);
    assert!(e.message.contains("no departure to undo"), "{}", e.message);
}

#[test]
fn a_transfer_makes_a_new_card_linked_both_ways() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = demo(&dir);
    let all = cards(&s);
    let open = |c: &MemberCard| {
        c.contracts.iter().any(|k| {
            ["requested", "approved", "disbursed", "delivering"].contains(&k.state.as_str())
        })
    };
    let busy = all.iter().find(|c| open(c)).unwrap();
    let free = all
        .iter()
        .find(|c| !open(c) && c.balances.iter().all(|b| b.carried_debt == "0"))
        .unwrap();
    let to = s
        .cooperatives()
        .unwrap()
        .into_iter()
        .find(|c| c.id != free.member.cooperative_id)
        .unwrap();
    let req = |c: &MemberCard, number: &str| TransferMemberRequest {
        member_id: c.member.id.clone(),
        to_cooperative_id: to.id.clone(),
        new_number: number.into(),
        on: String::new(),
        reason: "mariage".into(),
    };
    if busy.member.cooperative_id != to.id {
        let e = s.transfer_member(&req(busy, "T-0001")).unwrap_err();
        assert_eq!(e.code, ErrorCode::RuleRefused, "{e:?}");
        assert!(e.message.contains("contrat(s) en cours"), "{}", e.message);
    }
    let e = s.transfer_member(&req(free, "not a number!")).unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidValue, "{e:?}");
    let done = s.transfer_member(&req(free, "t-0001")).unwrap();
    assert_eq!(done.joined.number, "T-0001");
    assert_eq!(done.joined.cooperative_id, to.id);
    assert!(done.joined.active && !done.left.active);
    assert_eq!(done.left.status_label, "Transféré");
    let old = s
        .member_card(&MemberRequest {
            member_id: done.left.id.clone(),
        })
        .unwrap();
    assert_eq!(
        old.moved_to.as_ref().map(|m| m.id.as_str()),
        Some(done.joined.id.as_str())
    );
    assert!(
        !old.may_reinstate,
        "a transfer is undone by a transfer back"
    );
    let new = s
        .member_card(&MemberRequest {
            member_id: done.joined.id.clone(),
        })
        .unwrap();
    assert_eq!(
        new.moved_from.as_ref().map(|m| m.id.as_str()),
        Some(done.left.id.as_str())
    );
    let h = s
        .member_history(&MemberRequest {
            member_id: done.joined.id.clone(),
        })
        .unwrap();
    let actions: Vec<&str> = h.iter().map(|e| e.action.as_str()).collect();
    assert!(actions.contains(&"transfer_out") && actions.contains(&"transfer_in"));
    let out = h.iter().find(|e| e.action == "transfer_out").unwrap();
    let coop = out
        .changes
        .iter()
        .find(|c| c.field == "cooperative_id")
        .unwrap();
    assert_eq!(coop.label, "coopérative");
    assert_eq!(
        coop.new.as_deref(),
        Some(to.name.as_str()),
        "by name: {coop:?}"
    );
    assert!(out.record.starts_with(&free.member.number), "{out:?}");
}
