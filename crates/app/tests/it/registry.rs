//! The registry lives (issue #18), use case by use case: every member field corrected and
//! every refusal, departures and reinstatement, transfers, warehouses closed and agents who
//! left, the history, duplicate detection after a correction, and concurrent corrections
//! between a laptop and the office.
#![allow(clippy::unwrap_used, clippy::too_many_lines)]

use crate::common::*;
use chrono::{TimeZone, Utc};
use sene_app::org::*;
use sene_app::registry::*;
use sene_app::season::*;
use sene_app::*;
use sene_domain::*;

fn correct(member: MemberId, reason: &str) -> CorrectMember {
    CorrectMember {
        member_id: member,
        reason: reason.into(),
        ..CorrectMember::default()
    }
}

fn at(s: &Season, y: i32, m: u32, day: u32) {
    s.clock
        .set(Utc.with_ymd_and_hms(y, m, day, 10, 0, 0).unwrap());
}

/// A member without contracts, registered on the season's first day.
fn newcomer(s: &mut Season, number: &str, name: &str) -> MemberId {
    let coop = s.coop;
    s.l.run(&s.sec, |tx| {
        tx.register_member(
            NewMember {
                id: None,
                cooperative_id: coop,
                number: number.into(),
                full_name: name.into(),
                sex: Sex::Female,
                birth_year: Some(1980),
                village: "Sansanding".into(),
                phone: None,
                nina: None,
                crops: vec![CropFamily::Rice],
            },
            true,
        )
    })
    .unwrap()
    .id
}

fn code(e: &AppError) -> &'static str {
    e.code()
}

#[test]
fn every_field_is_corrected_alone_and_kept_in_the_history() {
    let mut s = memory();
    let before = s.l.db().member(s.a).unwrap().unwrap();
    let out =
        s.l.run(&s.field, |tx| {
            tx.correct_member(CorrectMember {
                phone: Some(Some("76 12 34 56".into())),
                ..correct(s.a, "numéro donné à la réunion")
            })
        })
        .unwrap();
    // validated and written as at registration, the other fields as they were
    assert_eq!(out.member.phone.as_deref(), Some("+22376123456"));
    assert_eq!(
        Member {
            phone: before.phone.clone(),
            ..out.member.clone()
        },
        before
    );
    assert_eq!(out.change.action, RegistryAction::Correct);
    assert_eq!(
        out.change.changes.get("phone"),
        Some(&(None, Some("+22376123456".to_owned())))
    );
    assert_eq!(out.change.changes.len(), 1);

    // the others, one correction each
    let steps: Vec<(CorrectMember, &str, Option<&str>)> = vec![
        (
            CorrectMember {
                full_name: Some("Aminata Traoré épouse Coulibaly".into()),
                ..correct(s.a, "mariage")
            },
            "full_name",
            Some("Aminata Traoré épouse Coulibaly"),
        ),
        (
            CorrectMember {
                number: Some("dio-0101".into()),
                ..correct(s.a, "numéro du registre papier")
            },
            "number",
            Some("DIO-0101"),
        ),
        (
            CorrectMember {
                sex: Some(Sex::Male),
                ..correct(s.a, "erreur de saisie")
            },
            "sex",
            Some("m"),
        ),
        (
            CorrectMember {
                birth_year: Some(Some(1975)),
                ..correct(s.a, "carte d'identité")
            },
            "birth_year",
            Some("1975"),
        ),
        (
            CorrectMember {
                village: Some("Kolongo".into()),
                ..correct(s.a, "a déménagé")
            },
            "village",
            Some("Kolongo"),
        ),
        (
            CorrectMember {
                nina: Some(Some("12345678901234A".into())),
                ..correct(s.a, "NINA trouvé plus tard")
            },
            "nina",
            Some("12345678901234A"),
        ),
        (
            CorrectMember {
                crops: Some(vec![CropFamily::Shallot, CropFamily::Rice]),
                ..correct(s.a, "cultive aussi l'échalote")
            },
            "crops",
            None,
        ),
        (
            CorrectMember {
                phone: Some(None),
                ..correct(s.a, "téléphone perdu")
            },
            "phone",
            None,
        ),
    ];
    for (cmd, field, new) in steps {
        let out =
            s.l.run(&s.field, |tx| tx.correct_member(cmd.clone()))
                .unwrap();
        let (_, got) = out.change.changes.get(field).unwrap().clone();
        assert_eq!(out.change.changes.len(), 1, "{field}: {:?}", out.change);
        if let Some(new) = new {
            assert_eq!(got.as_deref(), Some(new), "{field}");
        }
    }
    let m = s.l.db().member(s.a).unwrap().unwrap();
    assert_eq!(m.number, "DIO-0101");
    assert_eq!(m.full_name, "Aminata Traoré épouse Coulibaly");
    assert_eq!((m.sex, m.birth_year), (Sex::Male, Some(1975)));
    assert_eq!(m.village, "Kolongo");
    assert_eq!(m.phone, None);
    assert_eq!(m.nina.as_deref(), Some("12345678901234A"));
    assert_eq!(m.crops.len(), 2);
    // the collection sheet and her card read the corrections
    let sheet = views::collection_sheet(&s.l.db(), s.coop, s.camp).unwrap();
    let line = sheet.lines.iter().find(|l| l.member_id == s.a).unwrap();
    assert_eq!(
        (line.number.as_str(), line.full_name.as_str()),
        ("DIO-0101", "Aminata Traoré épouse Coulibaly")
    );
    let card = views::member_card(&s.l.db(), s.a, d(2026, 12, 1)).unwrap();
    assert_eq!(card.member.village, "Kolongo");
    // found by her corrected name
    assert!(s
        .l
        .db()
        .search_members("coulibaly", 10)
        .unwrap()
        .iter()
        .any(|x| x.id == s.a));

    let h = s.l.member_history(s.a).unwrap();
    assert_eq!(h.len(), 9);
    assert_eq!(h[0].agent, "Moussa");
    assert_eq!(h[0].device, "Portable");
    assert_eq!(h[0].change.reason, "numéro donné à la réunion");
    assert_eq!(
        h.last().unwrap().change.changes.get("phone"),
        Some(&(Some("+22376123456".to_owned()), None))
    );
}

#[test]
fn a_correction_is_refused_when_a_field_is_wrong_and_nothing_is_written() {
    let mut s = memory();
    let a = s.a;
    let before = s.l.db().member(a).unwrap().unwrap();
    let refused = |s: &mut Season, cmd: CorrectMember| -> AppError {
        let actor = s.field;
        s.l.run(&actor, |tx| tx.correct_member(cmd)).unwrap_err()
    };
    let bad_phone = refused(
        &mut s,
        CorrectMember {
            phone: Some(Some("12".into())),
            ..correct(a, "nouveau numéro")
        },
    );
    assert_eq!(code(&bad_phone), "invalid_value");
    assert!(
        bad_phone.message(Lang::Fr).contains("téléphone"),
        "{bad_phone}"
    );
    assert!(
        bad_phone.message(Lang::En).contains("phone"),
        "{}",
        bad_phone.message(Lang::En)
    );
    let bad_nina = refused(
        &mut s,
        CorrectMember {
            nina: Some(Some("abc".into())),
            ..correct(a, "NINA")
        },
    );
    assert_eq!(code(&bad_nina), "invalid_value");
    let bad_year = refused(
        &mut s,
        CorrectMember {
            birth_year: Some(Some(2030)),
            ..correct(a, "année")
        },
    );
    assert_eq!(code(&bad_year), "invalid_value");
    let empty_name = refused(
        &mut s,
        CorrectMember {
            full_name: Some("  ".into()),
            ..correct(a, "nom")
        },
    );
    assert_eq!(code(&empty_name), "invalid_value");
    let no_reason = refused(
        &mut s,
        CorrectMember {
            village: Some("Kolongo".into()),
            ..correct(a, " ")
        },
    );
    assert_eq!(code(&no_reason), "invalid_value");
    assert!(no_reason.message(Lang::Fr).contains("motif"), "{no_reason}");
    let same = refused(
        &mut s,
        CorrectMember {
            village: Some(before.village.clone()),
            ..correct(a, "vérification")
        },
    );
    assert_eq!(code(&same), "nothing_to_correct");
    assert!(same.message(Lang::En).starts_with("nothing to correct"));
    let taken = refused(
        &mut s,
        CorrectMember {
            number: Some("DIO-0002".into()),
            ..correct(a, "numéro")
        },
    );
    assert_eq!(code(&taken), "duplicate_member_number");
    let unknown = refused(
        &mut s,
        CorrectMember {
            village: Some("Kolongo".into()),
            ..correct(MemberId::new(), "inconnu")
        },
    );
    assert_eq!(code(&unknown), "not_found");
    // a read-only account corrects nothing
    let reader =
        s.l.run(&s.sec, |tx| {
            tx.add_agent(NewAgent {
                id: None,
                name: "Auditeur".into(),
                phone: None,
                role: Role::ReadOnly,
                cooperatives: vec![],
            })
        })
        .unwrap();
    let ro = Actor {
        agent: reader.id,
        device: s.sec.device,
    };
    let e =
        s.l.run(&ro, |tx| {
            tx.correct_member(CorrectMember {
                village: Some("Kolongo".into()),
                ..correct(a, "lecture")
            })
        })
        .unwrap_err();
    assert_eq!(code(&e), "forbidden");
    assert_eq!(s.l.db().member(s.a).unwrap().unwrap(), before);
    assert!(s.l.member_history(s.a).unwrap().is_empty());
}

#[test]
fn a_retry_with_the_same_id_records_once() {
    let mut s = memory();
    let cmd = CorrectMember {
        id: Some(RegistryChangeId::new()),
        village: Some("Kolongo".into()),
        ..correct(s.a, "déménagement")
    };
    let first =
        s.l.run(&s.field, |tx| tx.correct_member(cmd.clone()))
            .unwrap();
    let again =
        s.l.run(&s.field, |tx| tx.correct_member(cmd.clone()))
            .unwrap();
    assert_eq!(first.change, again.change);
    assert_eq!(s.l.member_history(s.a).unwrap().len(), 1);
    // the same id for another correction is refused
    let e =
        s.l.run(&s.field, |tx| {
            tx.correct_member(CorrectMember {
                village: Some("Markala".into()),
                ..cmd.clone()
            })
        })
        .unwrap_err();
    assert_eq!(code(&e), "id_conflict");
}

#[test]
fn a_corrected_phone_that_reveals_a_duplicate_goes_to_the_queue() {
    let mut s = memory();
    let c = newcomer(&mut s, "DIO-0003", "Fanta Keita");
    s.l.run(&s.field, |tx| {
        tx.correct_member(CorrectMember {
            phone: Some(Some("66 00 11 22".into())),
            ..correct(s.a, "numéro")
        })
    })
    .unwrap();
    assert!(s
        .l
        .db()
        .conflicts(true)
        .unwrap()
        .iter()
        .all(|x| x.field != "(doublon probable)" || !x.candidates.contains(&c.to_string())));
    let out =
        s.l.run(&s.field, |tx| {
            tx.correct_member(CorrectMember {
                phone: Some(Some("+223 66 00 11 22".into())),
                ..correct(c, "numéro")
            })
        })
        .unwrap();
    assert_eq!(
        out.look_alikes.iter().map(|m| m.id).collect::<Vec<_>>(),
        vec![s.a]
    );
    let open = s.l.db().conflicts(true).unwrap();
    let dup = open
        .iter()
        .find(|x| x.record_table == "members" && x.candidates.contains(&c.to_string()))
        .unwrap_or_else(|| panic!("{open:#?}"));
    assert!(dup.candidates.contains(&s.a.to_string()));
}

#[test]
fn a_departure_stops_new_contracts_and_advances_and_flags_later_records() {
    let mut s = memory();
    at(&s, 2026, 11, 10);
    let refused = |s: &mut Season, cmd: MemberDeparted| -> AppError {
        let actor = s.field;
        s.l.run(&actor, |tx| tx.member_departed(cmd)).unwrap_err()
    };
    let who = s.b;
    let cmd = |status, on| MemberDeparted {
        id: None,
        member_id: who,
        status,
        on,
        reason: "décès annoncé par le chef de village".into(),
    };
    // not a departure, before her registration (1 June 2026), in the future
    assert_eq!(
        code(&refused(&mut s, cmd(MemberStatus::Active, d(2026, 11, 1)))),
        "registry_refused"
    );
    assert_eq!(
        code(&refused(
            &mut s,
            cmd(MemberStatus::Transferred, d(2026, 11, 1))
        )),
        "registry_refused"
    );
    let early = refused(&mut s, cmd(MemberStatus::Deceased, d(2026, 5, 1)));
    assert!(
        early.message(Lang::Fr).contains("avant l'inscription"),
        "{early}"
    );
    assert!(early.message(Lang::En).contains("before the registration"));
    let future = refused(&mut s, cmd(MemberStatus::Deceased, d(2026, 12, 1)));
    assert!(future.message(Lang::En).contains("future"));
    assert_eq!(
        s.l.db().member(s.b).unwrap().unwrap().status,
        MemberStatus::Active
    );

    let ch =
        s.l.run(&s.field, |tx| {
            tx.member_departed(cmd(MemberStatus::Deceased, d(2026, 11, 5)))
        })
        .unwrap();
    assert_eq!(ch.action, RegistryAction::Depart);
    assert_eq!(ch.effective_on, Some(d(2026, 11, 5)));
    let m = s.l.db().member(s.b).unwrap().unwrap();
    assert_eq!(
        (m.status, m.left_on),
        (MemberStatus::Deceased, Some(d(2026, 11, 5)))
    );
    // twice: refused
    assert_eq!(
        code(&refused(&mut s, cmd(MemberStatus::Left, d(2026, 11, 6)))),
        "registry_refused"
    );

    // no advance on or after the departure; a delivery (an heir's) is taken, and flagged
    let e =
        s.l.run(&s.sec, |tx| {
            tx.disburse_advance(DisburseAdvance {
                id: None,
                contract_id: s.cb,
                amount: fr(1_000),
                date: d(2026, 11, 6),
                mode: PayMode::Cash,
            })
        })
        .unwrap_err();
    assert_eq!(code(&e), "registry_refused");
    assert!(e.message(Lang::Fr).contains("décédé"), "{e}");
    assert!(
        e.message(Lang::En).contains("deceased"),
        "{}",
        e.message(Lang::En)
    );
    let (coop_wh, cb, b) = (s.wh, s.cb, s.b);
    let late =
        s.l.run(&s.field, |tx| {
            tx.record_delivery(RecordDelivery {
                id: None,
                member_id: b,
                contract_id: cb,
                warehouse_id: coop_wh,
                bags: 2,
                gross: Kg::from_kg(150)?,
                moisture: "14".parse()?,
                impurity: "2".parse()?,
                date: d(2026, 11, 8),
            })
        })
        .unwrap();
    let q = s.l.anomalies(s.camp).unwrap();
    let a = q
        .iter()
        .find(|a| a.kind.code() == "after_departure")
        .unwrap_or_else(|| panic!("{q:#?}"));
    match &a.kind {
        anomalies::AnomalyKind::AfterDeparture {
            member_id,
            status,
            left_on,
            records,
        } => {
            assert_eq!(
                (*member_id, *status, *left_on),
                (b, MemberStatus::Deceased, d(2026, 11, 5))
            );
            assert_eq!(
                records,
                &vec![("delivery".to_owned(), late.id.to_string(), d(2026, 11, 8))]
            );
        }
        other => panic!("{other:#?}"),
    }
    let told = anomalies::tell(&s.l.db(), &a.kind, Lang::En).unwrap();
    assert!(told.summary.contains("Seydou Diarra"), "{told:#?}");
    assert!(
        told.evidence
            .iter()
            .any(|f| f.value.starts_with("08/11/2026")),
        "{told:#?}"
    );
    // the delivery of 3 November, before the departure, is not in it; she is still in the
    // campaign's report
    let report = s.l.campaign_report(s.camp).unwrap();
    assert_eq!(report.total.contracts, 2, "{report:#?}");

    // a new contract is refused
    let e = s.l.run(&s.sec, |tx| {
        tx.request_contract(RequestContract {
            id: None,
            member_id: b,
            campaign_id: s.camp,
            crop: Crop::PaddyRice,
            committed: Kg::from_kg(100)?,
            date: d(2026, 8, 1),
        })
    });
    // dated before the departure: taken (a paper contract typed late)
    assert!(e.is_ok(), "{e:?}");

    // reinstated (the departure was an error): active again, both steps in the history
    let r =
        s.l.run(&s.sec, |tx| {
            tx.reinstate_member(ReinstateMember {
                id: None,
                member_id: b,
                reason: "homonyme : c'est un autre Seydou qui est décédé".into(),
            })
        })
        .unwrap();
    assert_eq!(r.action, RegistryAction::Reinstate);
    let m = s.l.db().member(b).unwrap().unwrap();
    assert_eq!((m.status, m.left_on), (MemberStatus::Active, None));
    let e =
        s.l.run(&s.sec, |tx| {
            tx.reinstate_member(ReinstateMember {
                id: None,
                member_id: b,
                reason: "encore".into(),
            })
        })
        .unwrap_err();
    assert_eq!(code(&e), "registry_refused");
    let h = s.l.member_history(b).unwrap();
    assert_eq!(
        h.iter().map(|e| e.change.action).collect::<Vec<_>>(),
        vec![RegistryAction::Depart, RegistryAction::Reinstate]
    );
    assert!(s
        .l
        .anomalies(s.camp)
        .unwrap()
        .iter()
        .all(|a| a.kind.code() != "after_departure"));
}

#[test]
fn a_contract_after_a_departure_is_refused() {
    let mut s = memory();
    let c = newcomer(&mut s, "DIO-0003", "Fanta Keita");
    at(&s, 2026, 7, 1);
    s.l.run(&s.field, |tx| {
        tx.member_departed(MemberDeparted {
            id: None,
            member_id: c,
            status: MemberStatus::Left,
            on: d(2026, 6, 20),
            reason: "partie à Bamako".into(),
        })
    })
    .unwrap();
    let e =
        s.l.run(&s.field, |tx| {
            tx.request_contract(RequestContract {
                id: None,
                member_id: c,
                campaign_id: s.camp,
                crop: Crop::PaddyRice,
                committed: Kg::from_kg(100)?,
                date: d(2026, 6, 25),
            })
        })
        .unwrap_err();
    assert_eq!(code(&e), "registry_refused");
    assert!(e.message(Lang::Fr).contains("n'est plus membre"), "{e}");
}

#[test]
fn a_transfer_makes_a_linked_record_in_the_other_cooperative() {
    let mut s = memory();
    let c = newcomer(&mut s, "DIO-0003", "Fanta Keita");
    at(&s, 2026, 7, 1);
    let other =
        s.l.run(&s.sec, |tx| {
            tx.add_cooperative(NewCooperative {
                id: None,
                code: "MKL".into(),
                name: "Markala".into(),
                village: "Markala".into(),
                commune: "Markala".into(),
                cercle: "Ségou".into(),
                region: "Ségou".into(),
            })
        })
        .unwrap();
    let cmd = |member, to, number: &str| TransferMember {
        id: None,
        member_id: member,
        to_cooperative: to,
        new_number: number.into(),
        new_member_id: None,
        on: d(2026, 6, 30),
        reason: "mariage à Markala".into(),
    };
    // a field agent may not; an unknown or the same cooperative; open contracts
    let e =
        s.l.run(&s.field, |tx| {
            tx.transfer_member(cmd(c, other.id, "MKL-0001"))
        })
        .unwrap_err();
    assert_eq!(code(&e), "forbidden");
    let e =
        s.l.run(&s.sec, |tx| {
            tx.transfer_member(cmd(c, CooperativeId::new(), "MKL-0001"))
        })
        .unwrap_err();
    assert_eq!(code(&e), "not_found");
    let e =
        s.l.run(&s.sec, |tx| tx.transfer_member(cmd(c, s.coop, "DIO-0099")))
            .unwrap_err();
    assert_eq!(code(&e), "registry_refused");
    let e =
        s.l.run(&s.sec, |tx| {
            tx.transfer_member(cmd(s.b, other.id, "MKL-0001"))
        })
        .unwrap_err();
    assert_eq!(code(&e), "registry_refused");
    assert!(e.message(Lang::Fr).contains("contrat(s) en cours"), "{e}");
    assert!(
        e.message(Lang::En).contains("open contract"),
        "{}",
        e.message(Lang::En)
    );

    let t =
        s.l.run(&s.sec, |tx| {
            tx.transfer_member(cmd(c, other.id, "mkl-0001"))
        })
        .unwrap();
    assert_eq!(t.left.status, MemberStatus::Transferred);
    assert_eq!(t.left.moved_to, Some(t.joined.id));
    assert_eq!(t.joined.moved_from, Some(c));
    assert_eq!(
        (
            t.joined.cooperative_id,
            t.joined.number.as_str(),
            t.joined.status
        ),
        (other.id, "MKL-0001", MemberStatus::Active)
    );
    assert_eq!(t.joined.full_name, "Fanta Keita");
    // her new record's history carries the old one's
    let h = s.l.member_history(t.joined.id).unwrap();
    assert_eq!(
        h.iter().map(|e| e.change.action).collect::<Vec<_>>(),
        vec![RegistryAction::TransferOut, RegistryAction::TransferIn]
    );
    // the two records of one person are no duplicate
    let q = s.l.anomalies(s.camp).unwrap();
    assert!(
        q.iter()
            .all(|a| !(a.kind.code() == "duplicate_member" && a.key.contains(&c.to_string()))),
        "{q:#?}"
    );
    assert!(s
        .l
        .db()
        .conflicts(true)
        .unwrap()
        .iter()
        .all(|x| !x.candidates.contains(&t.joined.id.to_string())));
    // her old record gets no contract; the new one does
    let e =
        s.l.run(&s.sec, |tx| {
            tx.request_contract(RequestContract {
                id: None,
                member_id: c,
                campaign_id: s.camp,
                crop: Crop::PaddyRice,
                committed: Kg::from_kg(100)?,
                date: d(2026, 7, 1),
            })
        })
        .unwrap_err();
    assert_eq!(code(&e), "registry_refused");
    s.l.run(&s.sec, |tx| {
        tx.request_contract(RequestContract {
            id: None,
            member_id: t.joined.id,
            campaign_id: s.camp,
            crop: Crop::PaddyRice,
            committed: Kg::from_kg(100)?,
            date: d(2026, 7, 1),
        })
    })
    .unwrap();
}

#[test]
fn warehouses_cooperatives_and_agents_are_corrected_closed_and_left() {
    let mut s = memory();
    at(&s, 2026, 11, 10);
    let wh = s.wh;
    let ch =
        s.l.run(&s.sec, |tx| {
            tx.correct_warehouse(CorrectWarehouse {
                id: None,
                warehouse_id: wh,
                name: Some("Magasin de Dioro-Centre".into()),
                capacity: Some(Some(Kg::from_kg(50_000)?)),
                reason: "nouveau magasin construit".into(),
            })
        })
        .unwrap();
    assert_eq!(ch.changes.len(), 2);
    assert_eq!(
        s.l.db().warehouse(wh).unwrap().unwrap().name,
        "Magasin de Dioro-Centre"
    );
    let e =
        s.l.run(&s.field, |tx| {
            tx.close_warehouse(
                wh,
                CloseRecord {
                    id: None,
                    on: d(2026, 11, 9),
                    reason: "toit effondré".into(),
                },
            )
        })
        .unwrap_err();
    assert_eq!(code(&e), "forbidden");
    s.l.run(&s.sec, |tx| {
        tx.close_warehouse(
            wh,
            CloseRecord {
                id: None,
                on: d(2026, 11, 9),
                reason: "toit effondré".into(),
            },
        )
    })
    .unwrap();
    let (a, ca) = (s.a, s.l.db().member_contracts(s.a, None).unwrap()[0].id);
    let e =
        s.l.run(&s.field, |tx| {
            tx.record_delivery(RecordDelivery {
                id: None,
                member_id: a,
                contract_id: ca,
                warehouse_id: wh,
                bags: 1,
                gross: Kg::from_kg(50)?,
                moisture: "14".parse()?,
                impurity: "2".parse()?,
                date: d(2026, 11, 10),
            })
        })
        .unwrap_err();
    assert_eq!(code(&e), "registry_refused");
    assert!(
        e.message(Lang::En).contains("closed"),
        "{}",
        e.message(Lang::En)
    );

    let coop = s.coop;
    s.l.run(&s.sec, |tx| {
        tx.correct_cooperative(CorrectCooperative {
            name: Some("Coopérative de Dioro".into()),
            ..CorrectCooperative {
                cooperative_id: coop,
                reason: "nom officiel".into(),
                ..CorrectCooperative::default()
            }
        })
    })
    .unwrap();
    assert_eq!(
        s.l.db().cooperative(coop).unwrap().unwrap().name,
        "Coopérative de Dioro"
    );

    // the field agent leaves: nothing more under their name; their records stay theirs
    let field = s.field;
    let e =
        s.l.run(&s.sec, |tx| {
            tx.agent_left(
                s.sec.agent,
                CloseRecord {
                    id: None,
                    on: d(2026, 11, 10),
                    reason: "moi-même".into(),
                },
            )
        })
        .unwrap_err();
    assert_eq!(code(&e), "registry_refused");
    s.l.run(&s.sec, |tx| {
        tx.correct_agent(CorrectAgent {
            id: None,
            agent_id: field.agent,
            name: Some("Moussa Coulibaly".into()),
            phone: Some(Some("76000000".into())),
            reason: "nom complet".into(),
        })
    })
    .unwrap();
    s.l.run(&s.sec, |tx| {
        tx.agent_left(
            field.agent,
            CloseRecord {
                id: None,
                on: d(2026, 11, 10),
                reason: "fin de contrat".into(),
            },
        )
    })
    .unwrap();
    let e =
        s.l.run(&field, |tx| {
            tx.correct_member(CorrectMember {
                village: Some("Kolongo".into()),
                ..correct(a, "déménagement")
            })
        })
        .unwrap_err();
    assert_eq!(code(&e), "registry_refused");
    assert!(
        e.message(Lang::Fr)
            .contains("Moussa Coulibaly a quitté le service"),
        "{e}"
    );
    let h =
        s.l.registry_history(sene_store::Table::Agents, &field.agent.to_string())
            .unwrap();
    assert_eq!(
        h.iter().map(|c| c.action).collect::<Vec<_>>(),
        vec![RegistryAction::Correct, RegistryAction::Close]
    );
}

/// Two corrections made offline, on the laptop and at the office: different fields both
/// stand, with no conflict; the same field twice is one conflict with both values in both
/// queues.
#[test]
fn concurrent_corrections_merge_field_by_field() {
    let mut s = memory();
    let (mut dev, _clock, scope) = laptop(&mut s);
    let field = s.field;
    dev.run(&field, |tx| {
        tx.correct_member(CorrectMember {
            phone: Some(Some("76 11 22 33".into())),
            ..correct(s.a, "au village")
        })
    })
    .unwrap();
    s.l.run(&s.sec, |tx| {
        tx.correct_member(CorrectMember {
            village: Some("Kolongo".into()),
            ..correct(s.a, "au bureau")
        })
    })
    .unwrap();
    sync(&mut dev, &mut s.l, &scope);
    for l in [&dev, &s.l] {
        let m = l.db().member(s.a).unwrap().unwrap();
        assert_eq!(m.phone.as_deref(), Some("+22376112233"));
        assert_eq!(m.village, "Kolongo");
        assert!(l.db().conflicts(true).unwrap().is_empty());
        assert_eq!(l.member_history(s.a).unwrap().len(), 2);
    }
    // the same field, differently
    dev.run(&field, |tx| {
        tx.correct_member(CorrectMember {
            phone: Some(Some("76 44 55 66".into())),
            ..correct(s.a, "nouvelle puce")
        })
    })
    .unwrap();
    s.l.run(&s.sec, |tx| {
        tx.correct_member(CorrectMember {
            phone: Some(Some("66 77 88 99".into())),
            ..correct(s.a, "appel au bureau")
        })
    })
    .unwrap();
    sync(&mut dev, &mut s.l, &scope);
    for l in [&dev, &s.l] {
        let open = l.db().conflicts(true).unwrap();
        assert_eq!(open.len(), 1, "{open:#?}");
        assert_eq!(open[0].record_table, "members");
        assert_eq!(open[0].field, "phone");
        assert!(
            open[0].candidates.contains("+22376445566"),
            "{}",
            open[0].candidates
        );
        assert!(
            open[0].candidates.contains("+22366778899"),
            "{}",
            open[0].candidates
        );
    }
    assert_eq!(
        dev.db().member(s.a).unwrap().unwrap().phone,
        s.l.db().member(s.a).unwrap().unwrap().phone
    );
}
