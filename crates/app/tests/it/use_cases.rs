//! The use cases end to end on a real SQLite store: worked settlement examples, every
//! validation, idempotency, reversals, roles and the audit trail.
#![allow(clippy::unwrap_used, clippy::too_many_lines)]

use chrono::NaiveDate;
use sene_app::fertilizer::*;
use sene_app::finance::*;
use sene_app::org::*;
use sene_app::season::*;
use sene_app::*;
use sene_domain::*;
use sene_store::Table;

use crate::common::{d, ledger};

fn m(f: i64) -> Money {
    Money::from_francs(f).unwrap()
}
fn kg(s: &str) -> Kg {
    s.parse().unwrap()
}
fn pct(s: &str) -> Percent {
    s.parse().unwrap()
}

/// A union with two cooperatives, a field agent, a campaign, and helpers.
struct World {
    l: Ledger,
    sec: Actor,
    agent: Actor,
    coop: CooperativeId,
    other_coop: CooperativeId,
    wh: WarehouseId,
    other_wh: WarehouseId,
    rice: CampaignId,
}

fn campaign_cmd(name: &str, fee: FeeModel, over: bool) -> NewCampaign {
    NewCampaign {
        id: None,
        name: name.into(),
        family: CropFamily::Rice,
        prices: vec![CropPrice {
            crop: Crop::PaddyRice,
            base_price: m(200),
            over_delivery_price: if over { Some(m(150)) } else { None },
        }],
        advance_share: None,
        fee,
        contract_window: (d(2026, 5, 1), d(2026, 8, 31)),
        delivery_window: (d(2026, 10, 1), d(2027, 3, 31)),
        max_moisture: None,
        max_impurity: None,
        bag_tare: None,
        over_delivery_bought: over,
    }
}

impl World {
    fn new() -> World {
        let mut l = ledger();
        let sec = l
            .init(&InitUnion {
                union_name: "Union test".into(),
                region: "Ségou".into(),
                agent_name: "Awa Secrétaire".into(),
                device_label: "Bureau".into(),
                receipt_prefix: "U1".into(),
            })
            .unwrap();
        let (coop, other_coop, wh, other_wh, rice, agent) = l
            .run(&sec, |tx| {
                let coop = tx.add_cooperative(NewCooperative {
                    id: None,
                    code: "DIO".into(),
                    name: "Coopérative de Dioro".into(),
                    village: "Dioro".into(),
                    commune: "Dioro".into(),
                    cercle: "Ségou".into(),
                    region: "Ségou".into(),
                })?;
                let other = tx.add_cooperative(NewCooperative {
                    id: None,
                    code: "MKL".into(),
                    name: "Coopérative de Markala".into(),
                    village: "Markala".into(),
                    commune: "Markala".into(),
                    cercle: "Ségou".into(),
                    region: "Ségou".into(),
                })?;
                let wh = tx.add_warehouse(NewWarehouse {
                    id: None,
                    cooperative_id: coop.id,
                    name: "Magasin de Dioro".into(),
                    capacity: None,
                })?;
                let owh = tx.add_warehouse(NewWarehouse {
                    id: None,
                    cooperative_id: other.id,
                    name: "Magasin de Markala".into(),
                    capacity: None,
                })?;
                let camp = tx.open_campaign(campaign_cmd("Riz 2026/27", FeeModel::None, false))?;
                let a = tx.add_agent(NewAgent {
                    id: None,
                    name: "Moussa Diarra".into(),
                    phone: Some("76 00 00 01".into()),
                    role: Role::FieldAgent,
                    cooperatives: vec![coop.id],
                })?;
                let dv = tx.add_device(NewDevice {
                    id: None,
                    label: "Portable Moussa".into(),
                    receipt_prefix: "A01".into(),
                })?;
                Ok((
                    coop.id,
                    other.id,
                    wh.id,
                    owh.id,
                    camp.id,
                    Actor {
                        agent: a.id,
                        device: dv.id,
                    },
                ))
            })
            .unwrap();
        World {
            l,
            sec,
            agent,
            coop,
            other_coop,
            wh,
            other_wh,
            rice,
        }
    }

    fn member(&mut self, number: &str, name: &str) -> MemberId {
        let coop = self.coop;
        self.l
            .run(&self.agent, |tx| {
                tx.register_member(
                    NewMember {
                        id: None,
                        cooperative_id: coop,
                        number: number.into(),
                        full_name: name.into(),
                        sex: Sex::Female,
                        birth_year: Some(1980),
                        village: "Dioro".into(),
                        phone: None,
                        nina: None,
                        crops: vec![CropFamily::Rice],
                    },
                    false,
                )
            })
            .unwrap()
            .id
    }

    /// A requested and approved contract.
    fn contract(&mut self, member: MemberId, campaign: CampaignId, committed: &str) -> ContractId {
        let id = self
            .l
            .run(&self.agent, |tx| {
                tx.request_contract(RequestContract {
                    id: None,
                    member_id: member,
                    campaign_id: campaign,
                    crop: Crop::PaddyRice,
                    committed: kg(committed),
                    date: d(2026, 5, 10),
                })
            })
            .unwrap()
            .id;
        self.l
            .run(&self.sec, |tx| tx.approve_contract(id, d(2026, 5, 20)))
            .unwrap();
        id
    }

    fn disburse(&mut self, contract: ContractId, amount: i64, date: NaiveDate) -> Disbursement {
        self.l
            .run(&self.agent, |tx| {
                tx.disburse_advance(DisburseAdvance {
                    id: None,
                    contract_id: contract,
                    amount: m(amount),
                    date,
                    mode: PayMode::Cash,
                })
            })
            .unwrap()
    }

    fn deliver(
        &mut self,
        member: MemberId,
        contract: ContractId,
        bags: u32,
        gross: &str,
        moisture: &str,
        impurity: &str,
    ) -> Delivery {
        let wh = self.wh;
        self.l
            .run(&self.agent, |tx| {
                tx.record_delivery(RecordDelivery {
                    id: None,
                    member_id: member,
                    contract_id: contract,
                    warehouse_id: wh,
                    bags,
                    gross: kg(gross),
                    moisture: pct(moisture),
                    impurity: pct(impurity),
                    date: d(2026, 11, 5),
                })
            })
            .unwrap()
    }

    fn net(&self, campaign: CampaignId, member: MemberId, date: NaiveDate) -> i64 {
        let r = self.l.settle_campaign(campaign, date).unwrap();
        r.members
            .iter()
            .find(|l| l.member_id == member)
            .map(|l| l.net.francs())
            .unwrap()
    }
}

#[test]
fn sixty_forty_with_full_delivery() {
    let mut w = World::new();
    let a = w.member("DIO-0001", "Aminata Traoré");
    let c = w.contract(a, w.rice, "1000");
    // advance due = 60 % × 200 × 1 000 = 120 000
    w.disburse(c, 120_000, d(2026, 6, 1));
    // 20 bags, 1 010 kg gross, tare 0,5: 1 000 kg net, within quality limits
    let x = w.deliver(a, c, 20, "1010", "13", "1.5");
    assert_eq!(x.net, kg("1000"));
    assert_eq!(x.accepted, kg("1000"));
    assert_eq!(w.net(w.rice, a, d(2027, 1, 15)), 80_000);
}

#[test]
fn half_up_on_fractional_commitment_and_partial_delivery() {
    let mut w = World::new();
    let a = w.member("DIO-0002", "Fatoumata Coulibaly");
    // 60 % × 200 × 412,5 = 49 500 exactly; use a fractional that rounds: 412,7 → 49 524
    let c = w.contract(a, w.rice, "412.7");
    let (due, _) = w.l.run(&w.agent, |tx| tx.advance_position(c)).unwrap();
    assert_eq!(due.francs(), 49_524); // 49 524,0
    let c2 = w.contract(a, w.rice, "0.3");
    let (due2, _) = w.l.run(&w.agent, |tx| tx.advance_position(c2)).unwrap();
    assert_eq!(due2.francs(), 36); // 0,6 × 200 × 0,3 = 36
    w.disburse(c, 49_524, d(2026, 6, 1));
    // partial: 6 bags 203,3 gross → 200,3 net, moisture 14,5 (0,5 over) → 199,2985 → 199,3 kg
    let x = w.deliver(a, c, 6, "203.3", "14.5", "2");
    assert_eq!(x.accepted, kg("199.3"));
    // value 199,3 × 200 = 39 860 ; c2: nothing delivered, nothing paid
    assert_eq!(w.net(w.rice, a, d(2027, 1, 15)), 39_860 - 49_524);
}

#[test]
fn moisture_and_impurity_above_limits_reduce_accepted_kg() {
    let mut w = World::new();
    let a = w.member("DIO-0003", "Kadiatou Diarra");
    let c = w.contract(a, w.rice, "2000");
    // 16,5 % moisture (+2,5) and 3,2 % impurity (+1,2): −3,7 % of 1 000 kg = 963 kg
    let x = w.deliver(a, c, 20, "1010", "16.5", "3.2");
    assert_eq!(x.accepted, kg("963"));
    assert_eq!(w.net(w.rice, a, d(2027, 1, 15)), 963 * 200);
}

#[test]
fn over_delivery_bought_and_not_bought() {
    let mut w = World::new();
    let bought =
        w.l.run(&w.sec, |tx| {
            tx.open_campaign(campaign_cmd("Riz surplus", FeeModel::None, true))
        })
        .unwrap()
        .id;
    let a = w.member("DIO-0004", "Oumou Keïta");
    let b = w.member("DIO-0005", "Mariam Koné");
    let ca = w.contract(a, bought, "500");
    let cb = w.contract(b, w.rice, "500");
    w.deliver(a, ca, 12, "626", "14", "2"); // 620 kg net
    w.deliver(b, cb, 12, "626", "14", "2");
    assert_eq!(w.net(bought, a, d(2027, 1, 15)), 500 * 200 + 120 * 150);
    assert_eq!(w.net(w.rice, b, d(2027, 1, 15)), 500 * 200);
}

#[test]
fn interest_on_two_tranches() {
    let mut w = World::new();
    let camp =
        w.l.run(&w.sec, |tx| {
            tx.open_campaign(campaign_cmd(
                "Riz intérêts",
                FeeModel::Interest {
                    annual_rate: "0.12".parse().unwrap(),
                },
                false,
            ))
        })
        .unwrap()
        .id;
    let a = w.member("DIO-0006", "Djénéba Sangaré");
    let c = w.contract(a, camp, "2000"); // due 240 000
    w.disburse(c, 150_000, d(2026, 5, 25));
    w.disburse(c, 90_000, d(2026, 8, 1));
    // to 31 Jan 2027: 251 days → 150 000 × 0,12 × 251/365 = 12 378,08 → 12 378
    //                  183 days →  90 000 × 0,12 × 183/365 =  5 414,79 →  5 415
    let r = w.l.settle_campaign(camp, d(2027, 1, 31)).unwrap();
    let line = r.members.iter().find(|l| l.member_id == a).unwrap();
    assert_eq!(line.fees.francs(), 12_378 + 5_415);
    assert_eq!(line.net.francs(), -240_000 - 12_378 - 5_415);
    assert_eq!(line.debt.francs(), 240_000 + 12_378 + 5_415);
}

#[test]
fn flat_fee_with_a_shortfall_leaves_a_debt() {
    let mut w = World::new();
    let camp =
        w.l.run(&w.sec, |tx| {
            tx.open_campaign(campaign_cmd(
                "Riz forfait",
                FeeModel::Flat {
                    rate: "0.02".parse().unwrap(),
                },
                false,
            ))
        })
        .unwrap()
        .id;
    let a = w.member("DIO-0007", "Awa Dembélé");
    let c = w.contract(a, camp, "1000");
    w.disburse(c, 120_000, d(2026, 6, 1));
    w.deliver(a, c, 10, "505", "14", "2"); // 500 kg
    let r = w.l.settle_campaign(camp, d(2027, 1, 15)).unwrap();
    let line = r.members.iter().find(|l| l.member_id == a).unwrap();
    assert_eq!(line.fees.francs(), 2_400);
    assert_eq!(line.net.francs(), 100_000 - 120_000 - 2_400);
    assert_eq!(line.debt.francs(), 22_400);
    assert_eq!(r.totals.members_in_debt, 1);
}

#[test]
fn fertilizer_part_on_credit_part_in_cash() {
    let mut w = World::new();
    let urea =
        w.l.run(&w.sec, |tx| {
            tx.add_product(NewProduct {
                id: None,
                name: "Urée 46 %".into(),
                bag_weight: kg("50"),
                price_per_bag: m(15_000),
            })
        })
        .unwrap()
        .id;
    let a = w.member("DIO-0008", "Nana Touré");
    let c = w.contract(a, w.rice, "1000");
    w.disburse(c, 100_000, d(2026, 6, 1));
    let rice = w.rice;
    w.l.run(&w.agent, |tx| {
        tx.distribute_fertilizer(DistributeFertilizer {
            id: None,
            member_id: a,
            campaign_id: rice,
            product_id: urea,
            bags: 4,
            cash_paid: m(20_000),
            date: d(2026, 7, 1),
        })
    })
    .unwrap();
    w.deliver(a, c, 20, "1010", "14", "2");
    // 200 000 − 100 000 − (60 000 − 20 000)
    assert_eq!(w.net(w.rice, a, d(2027, 1, 15)), 60_000);
    // cash above cost is refused
    let e =
        w.l.run(&w.agent, |tx| {
            tx.distribute_fertilizer(DistributeFertilizer {
                id: None,
                member_id: a,
                campaign_id: rice,
                product_id: urea,
                bags: 1,
                cash_paid: m(15_001),
                date: d(2026, 7, 1),
            })
        })
        .unwrap_err();
    assert!(
        matches!(e, AppError::Domain(DomainError::CashAboveCost { .. })),
        "{e}"
    );
}

/// The look-alikes of a merge's deliveries read in one query are those read one by one: the
/// same member's deliveries of that day at the same gross weight, neither voided.
#[test]
fn deliveries_look_alikes_read_together_are_those_read_one_by_one() {
    let mut w = World::new();
    let a = w.member("DIO-0010", "Awa Traoré");
    let b = w.member("DIO-0011", "Oumar Coulibaly");
    let (ca, cb) = (w.contract(a, w.rice, "1000"), w.contract(b, w.rice, "1000"));
    let same = [
        w.deliver(a, ca, 10, "505", "14", "2"),
        w.deliver(a, ca, 10, "505", "14", "2"),
        w.deliver(a, ca, 10, "505", "14", "2"),
    ];
    let other_weight = w.deliver(a, ca, 5, "300", "14", "2");
    let other_member = w.deliver(b, cb, 10, "505", "14", "2");
    let checker = Actor {
        agent: w.sec.agent,
        device: w.agent.device,
    };
    w.l.run(&checker, |tx| {
        tx.reverse(Reverse {
            id: None,
            target_kind: RecordKind::Delivery,
            target_id: same[2].id.to_string(),
            reason: "livraison comptée deux fois".into(),
            date: d(2026, 11, 5),
        })
    })
    .unwrap();
    let ids: Vec<String> = same
        .iter()
        .chain([&other_weight, &other_member])
        .map(|x| x.id.to_string())
        .collect();
    let listed: Vec<&str> = ids.iter().map(String::as_str).collect();
    let db = w.l.db();
    let together = db.delivery_look_alikes(&listed).unwrap();
    for id in &ids {
        let alone = db.look_alikes(Table::Deliveries, id).unwrap();
        assert_eq!(together.get(id).cloned().unwrap_or_default(), alone, "{id}");
    }
    // the first two look alike, the voided one and the others look like nothing
    let (first, second) = (same[0].id.to_string(), same[1].id.to_string());
    assert_eq!(together.len(), 2, "{together:?}");
    assert_eq!(together[&first], std::slice::from_ref(&second));
    assert_eq!(together[&second], [first]);
    assert!(db.delivery_look_alikes(&[]).unwrap().is_empty());
}

#[test]
fn a_reversed_disbursement_and_a_voided_delivery_cancel_exactly() {
    let mut w = World::new();
    let a = w.member("DIO-0009", "Salimata Sidibé");
    let c = w.contract(a, w.rice, "1000");
    w.disburse(c, 100_000, d(2026, 6, 1));
    w.deliver(a, c, 10, "505", "14", "2");
    let before = w.l.settle_campaign(w.rice, d(2027, 1, 15)).unwrap();
    let wrong = w.disburse(c, 20_000, d(2026, 6, 2));
    let wrong_delivery = w.deliver(a, c, 5, "300", "14", "2");
    assert_ne!(
        w.l.settle_campaign(w.rice, d(2027, 1, 15)).unwrap().members,
        before.members
    );
    // maker-checker: the agent who typed it may not void it; the secretariat, signed in on
    // the same laptop, does
    let own = w.l.run(&w.agent, |tx| {
        tx.reverse(Reverse {
            id: None,
            target_kind: RecordKind::Disbursement,
            target_id: wrong.id.to_string(),
            reason: "erreur de saisie".into(),
            date: d(2026, 6, 2),
        })
    });
    assert!(
        matches!(own, Err(AppError::SecondPersonRequired { .. })),
        "{own:?}"
    );
    let checker = Actor {
        agent: w.sec.agent,
        device: w.agent.device,
    };
    let rev =
        w.l.run(&checker, |tx| {
            tx.reverse(Reverse {
                id: None,
                target_kind: RecordKind::Disbursement,
                target_id: wrong.id.to_string(),
                reason: "erreur de saisie".into(),
                date: d(2026, 6, 2),
            })
        })
        .unwrap();
    assert!(rev.recorded.receipt.starts_with("A01-"));
    w.l.run(&checker, |tx| {
        tx.reverse(Reverse {
            id: None,
            target_kind: RecordKind::Delivery,
            target_id: wrong_delivery.id.to_string(),
            reason: "livraison comptée deux fois".into(),
            date: d(2026, 11, 5),
        })
    })
    .unwrap();
    let after = w.l.settle_campaign(w.rice, d(2027, 1, 15)).unwrap();
    assert_eq!(after.members, before.members);
    assert_eq!(after.totals, before.totals);
    // the originals are still there
    assert!(w.l.db().disbursement(wrong.id).unwrap().is_some());
    // a second reversal is refused
    let e =
        w.l.run(&checker, |tx| {
            tx.reverse(Reverse {
                id: None,
                target_kind: RecordKind::Disbursement,
                target_id: wrong.id.to_string(),
                reason: "encore".into(),
                date: d(2026, 6, 2),
            })
        })
        .unwrap_err();
    assert!(matches!(e, AppError::AlreadyReversed { .. }), "{e}");
    // once reversed, the advance can be paid again up to the advance due
    w.disburse(c, 20_000, d(2026, 6, 3));
}

#[test]
fn disbursement_rules() {
    let mut w = World::new();
    let a = w.member("DIO-0010", "Bintou Konaté");
    let rice = w.rice;
    let requested =
        w.l.run(&w.agent, |tx| {
            tx.request_contract(RequestContract {
                id: None,
                member_id: a,
                campaign_id: rice,
                crop: Crop::PaddyRice,
                committed: kg("1000"),
                date: d(2026, 5, 10),
            })
        })
        .unwrap()
        .id;
    let pay = |w: &mut World, c, amount, date| {
        w.l.run(&w.agent, |tx| {
            tx.disburse_advance(DisburseAdvance {
                id: None,
                contract_id: c,
                amount: m(amount),
                date,
                mode: PayMode::MobileMoney,
            })
        })
    };
    // not approved
    assert!(matches!(
        pay(&mut w, requested, 1000, d(2026, 6, 1)),
        Err(AppError::Domain(DomainError::ContractNotApproved { .. }))
    ));
    // the field agent may not approve
    assert!(matches!(
        w.l.run(&w.agent, |tx| tx
            .approve_contract(requested, d(2026, 5, 11))),
        Err(AppError::Forbidden { .. })
    ));
    w.l.run(&w.sec, |tx| tx.approve_contract(requested, d(2026, 5, 11)))
        .unwrap();
    // zero, negative, absurd
    assert!(matches!(
        pay(&mut w, requested, 0, d(2026, 6, 1)),
        Err(AppError::Domain(DomainError::OutOfRange { .. }))
    ));
    assert!(matches!(
        pay(&mut w, requested, -5, d(2026, 6, 1)),
        Err(AppError::Domain(DomainError::OutOfRange { .. }))
    ));
    assert!(matches!(
        pay(&mut w, requested, 60_000_000, d(2026, 6, 1)),
        Err(AppError::Domain(DomainError::OutOfRange { .. }))
    ));
    // above the advance due (120 000)
    assert!(matches!(
        pay(&mut w, requested, 120_001, d(2026, 6, 1)),
        Err(AppError::Domain(DomainError::AboveAdvanceDue { .. }))
    ));
    pay(&mut w, requested, 100_000, d(2026, 6, 1)).unwrap();
    assert!(matches!(
        pay(&mut w, requested, 20_001, d(2026, 6, 1)),
        Err(AppError::Domain(DomainError::AboveAdvanceDue { .. }))
    ));
    // outside the campaign
    assert!(matches!(
        pay(&mut w, requested, 1_000, d(2025, 6, 1)),
        Err(AppError::Domain(DomainError::DateOutsideWindow { .. }))
    ));
    // unknown contract
    assert!(matches!(
        pay(&mut w, ContractId::new(), 1_000, d(2026, 6, 1)),
        Err(AppError::NotFound { .. })
    ));
    // state moved to disbursed
    assert_eq!(
        w.l.db().contract(requested).unwrap().unwrap().state,
        ContractState::Disbursed
    );
    // a fractional franc never reaches a use case: it is refused when parsed
    assert!(matches!(
        "1500.5".parse::<Money>(),
        Err(DomainError::FractionalFranc { .. })
    ));
}

#[test]
fn delivery_rules() {
    let mut w = World::new();
    let a = w.member("DIO-0011", "Hawa Doumbia");
    let c = w.contract(a, w.rice, "1000");
    let (rice, wh, other_wh) = (w.rice, w.wh, w.other_wh);
    let deliver = |w: &mut World, member, warehouse, bags, gross: &str, date| {
        w.l.run(&w.agent, |tx| {
            tx.record_delivery(RecordDelivery {
                id: None,
                member_id: member,
                contract_id: c,
                warehouse_id: warehouse,
                bags,
                gross: kg(gross),
                moisture: pct("14"),
                impurity: pct("2"),
                date,
            })
        })
    };
    // another cooperative's warehouse
    assert!(matches!(
        deliver(&mut w, a, other_wh, 10, "500", d(2026, 11, 1)),
        Err(AppError::OtherCooperative { .. })
    ));
    // a member of another cooperative on this contract
    let other_coop = w.other_coop;
    let b =
        w.l.run(&w.sec, |tx| {
            tx.register_member(
                NewMember {
                    id: None,
                    cooperative_id: other_coop,
                    number: "MKL-0001".into(),
                    full_name: "Ousmane Mariko".into(),
                    sex: Sex::Male,
                    birth_year: None,
                    village: "Markala".into(),
                    phone: None,
                    nina: None,
                    crops: vec![],
                },
                false,
            )
        })
        .unwrap()
        .id;
    assert!(matches!(
        deliver(&mut w, b, wh, 10, "500", d(2026, 11, 1)),
        Err(AppError::Mismatch(_))
    ));
    // zero and absurd weights, tare above gross, no bags
    assert!(matches!(
        deliver(&mut w, a, wh, 10, "0", d(2026, 11, 1)),
        Err(AppError::Domain(DomainError::OutOfRange { .. }))
    ));
    assert!(matches!(
        deliver(&mut w, a, wh, 10, "70000", d(2026, 11, 1)),
        Err(AppError::Domain(DomainError::OutOfRange { .. }))
    ));
    assert!(matches!(
        deliver(&mut w, a, wh, 10, "5", d(2026, 11, 1)),
        Err(AppError::Domain(DomainError::NetNotPositive { .. }))
    ));
    assert!(matches!(
        deliver(&mut w, a, wh, 0, "500", d(2026, 11, 1)),
        Err(AppError::Domain(DomainError::OutOfRange { .. }))
    ));
    // outside the delivery window
    assert!(matches!(
        deliver(&mut w, a, wh, 10, "500", d(2026, 7, 1)),
        Err(AppError::Domain(DomainError::DateOutsideWindow { .. }))
    ));
    // unknown member
    assert!(matches!(
        deliver(&mut w, MemberId::new(), wh, 10, "500", d(2026, 11, 1)),
        Err(AppError::NotFound { .. })
    ));
    let x = deliver(&mut w, a, wh, 10, "500", d(2026, 11, 1)).unwrap();
    assert_eq!(x.recorded.receipt, "A01-000001");
    assert_eq!(
        w.l.db().contract(c).unwrap().unwrap().state,
        ContractState::Delivering
    );
    let _ = rice;
}

#[test]
fn member_rules_and_duplicates() {
    let mut w = World::new();
    let coop = w.coop;
    let cmd = |number: &str, name: &str, phone: Option<&str>| NewMember {
        id: None,
        cooperative_id: coop,
        number: number.into(),
        full_name: name.into(),
        sex: Sex::Male,
        birth_year: Some(1975),
        village: "Dioro".into(),
        phone: phone.map(Into::into),
        nina: None,
        crops: vec![CropFamily::Rice],
    };
    w.l.run(&w.agent, |tx| {
        tx.register_member(cmd("DIO-0100", "Bakary Traoré", Some("76123456")), false)
    })
    .unwrap();
    // the same number again
    assert!(matches!(
        w.l.run(&w.agent, |tx| tx
            .register_member(cmd("dio-0100", "Seydou Keïta", None), false)),
        Err(AppError::DuplicateMemberNumber { .. })
    ));
    // a probable duplicate by name (accents and case folded), village and birth year
    let e =
        w.l.run(&w.agent, |tx| {
            tx.register_member(cmd("DIO-0101", "BAKARY TRAORE", None), false)
        })
        .unwrap_err();
    assert!(matches!(e, AppError::ProbableDuplicate { .. }), "{e}");
    assert!(e.to_string().contains("DIO-0100"));
    // by phone
    assert!(matches!(
        w.l.run(&w.agent, |tx| tx.register_member(
            cmd("DIO-0102", "Drissa Samaké", Some("+223 76 12 34 56")),
            false
        )),
        Err(AppError::ProbableDuplicate { .. })
    ));
    // confirmed by the agent: registered
    w.l.run(&w.agent, |tx| {
        tx.register_member(cmd("DIO-0101", "BAKARY TRAORE", None), true)
    })
    .unwrap();
    // bad text
    assert!(matches!(
        w.l.run(&w.agent, |tx| tx
            .register_member(cmd("DIO-0103", &"x".repeat(121), None), false)),
        Err(AppError::Domain(DomainError::TextTooLong { .. }))
    ));
    assert!(matches!(
        w.l.run(&w.agent, |tx| tx
            .register_member(cmd("DIO-0103", "Modibo\u{7}", None), false)),
        Err(AppError::Domain(DomainError::ControlCharacter { .. }))
    ));
    assert!(matches!(
        w.l.run(&w.agent, |tx| tx
            .register_member(cmd("DIO-0103", "Modibo", Some("12")), false)),
        Err(AppError::Domain(DomainError::InvalidPhone { .. }))
    ));
    // unknown cooperative
    let mut c = cmd("X-1", "Modibo Coulibaly", None);
    c.cooperative_id = CooperativeId::new();
    assert!(matches!(
        w.l.run(&w.agent, |tx| tx.register_member(c.clone(), false)),
        Err(AppError::NotFound { .. })
    ));
    // search is accent- and case-insensitive
    let found = w.l.db().search_members("traore", 10).unwrap();
    assert_eq!(found.len(), 2);
}

#[test]
fn same_id_same_content_is_a_no_op_and_other_content_an_error() {
    let mut w = World::new();
    let a = w.member("DIO-0012", "Assitan Diallo");
    let c = w.contract(a, w.rice, "1000");
    let id = DisbursementId::new();
    let cmd = DisburseAdvance {
        id: Some(id),
        contract_id: c,
        amount: m(50_000),
        date: d(2026, 6, 1),
        mode: PayMode::Cash,
    };
    let first =
        w.l.run(&w.agent, |tx| tx.disburse_advance(cmd.clone()))
            .unwrap();
    let again =
        w.l.run(&w.agent, |tx| tx.disburse_advance(cmd.clone()))
            .unwrap();
    assert_eq!(first, again);
    assert_eq!(w.l.db().count(Table::Disbursements).unwrap(), 1);
    let other = DisburseAdvance {
        amount: m(60_000),
        ..cmd
    };
    assert!(matches!(
        w.l.run(&w.agent, |tx| tx.disburse_advance(other)),
        Err(AppError::IdConflict { .. })
    ));
    // members too
    let coop = w.coop;
    let mid = MemberId::new();
    let mc = NewMember {
        id: Some(mid),
        cooperative_id: coop,
        number: "DIO-0200".into(),
        full_name: "Rokia Cissé".into(),
        sex: Sex::Female,
        birth_year: None,
        village: "Dioro".into(),
        phone: None,
        nina: None,
        crops: vec![],
    };
    w.l.run(&w.agent, |tx| tx.register_member(mc.clone(), false))
        .unwrap();
    w.l.run(&w.agent, |tx| tx.register_member(mc.clone(), false))
        .unwrap();
    let changed = NewMember {
        full_name: "Rokia Cissé-Traoré".into(),
        ..mc
    };
    assert!(matches!(
        w.l.run(&w.agent, |tx| tx.register_member(changed, false)),
        Err(AppError::IdConflict { .. })
    ));
}

#[test]
fn every_use_case_writes_one_audit_row_in_its_transaction() {
    let mut w = World::new();
    let before = w.l.db().count(Table::Audit).unwrap();
    let a = w.member("DIO-0013", "Sira Bagayoko");
    let c = w.contract(a, w.rice, "100");
    w.disburse(c, 12_000, d(2026, 6, 1));
    assert_eq!(w.l.db().count(Table::Audit).unwrap(), before + 4);
    let rows = w.l.db().audit_entries(1000).unwrap();
    let last = rows.last().unwrap();
    assert_eq!(last.action, "disburse_advance");
    assert_eq!(last.agent_id, w.agent.agent);
    assert_eq!(last.device_id, w.agent.device);
    // a failing use case leaves nothing, not even its audit row
    let n = w.l.db().count(Table::Audit).unwrap();
    let _ = w.l.run(&w.agent, |tx| {
        tx.disburse_advance(DisburseAdvance {
            id: None,
            contract_id: c,
            amount: m(1_000),
            date: d(2026, 6, 1),
            mode: PayMode::Cash,
        })?;
        tx.disburse_advance(DisburseAdvance {
            id: None,
            contract_id: c,
            amount: m(1_000_000),
            date: d(2026, 6, 1),
            mode: PayMode::Cash,
        })
    });
    assert_eq!(w.l.db().count(Table::Audit).unwrap(), n);
    assert_eq!(w.l.db().count(Table::Disbursements).unwrap(), 1);
}

#[test]
fn roles_and_actors() {
    let mut w = World::new();
    // a field agent may not configure the union
    let e =
        w.l.run(&w.agent, |tx| {
            tx.add_product(NewProduct {
                id: None,
                name: "DAP".into(),
                bag_weight: kg("50"),
                price_per_bag: m(17_500),
            })
        })
        .unwrap_err();
    assert!(matches!(e, AppError::Forbidden { .. }));
    assert!(e.message(Lang::En).contains("may not"));
    // a read-only person may not write at all
    let ro =
        w.l.run(&w.sec, |tx| {
            tx.add_agent(NewAgent {
                id: None,
                name: "Banque Lecture".into(),
                phone: None,
                role: Role::ReadOnly,
                cooperatives: vec![],
            })
        })
        .unwrap();
    let dev = w.agent.device;
    let coop = w.coop;
    let e =
        w.l.run(
            &Actor {
                agent: ro.id,
                device: dev,
            },
            |tx| {
                tx.register_member(
                    NewMember {
                        id: None,
                        cooperative_id: coop,
                        number: "DIO-0300".into(),
                        full_name: "Test".into(),
                        sex: Sex::Male,
                        birth_year: None,
                        village: "Dioro".into(),
                        phone: None,
                        nina: None,
                        crops: vec![],
                    },
                    false,
                )
            },
        )
        .unwrap_err();
    assert!(matches!(e, AppError::Forbidden { .. }));
    // an unknown agent or device
    assert!(matches!(
        w.l.run(
            &Actor {
                agent: AgentId::new(),
                device: dev
            },
            |_| Ok(())
        ),
        Err(AppError::NotFound { .. })
    ));
    assert!(matches!(
        w.l.run(
            &Actor {
                agent: ro.id,
                device: DeviceId::new()
            },
            |_| Ok(())
        ),
        Err(AppError::NotFound { .. })
    ));
    // receipt prefixes are unique in the union
    assert!(matches!(
        w.l.run(&w.sec, |tx| tx.add_device(NewDevice {
            id: None,
            label: "Autre".into(),
            receipt_prefix: "a01".into()
        })),
        Err(AppError::Taken { .. })
    ));
}

#[test]
fn messages_exist_in_french_and_english() {
    let mut w = World::new();
    let e =
        w.l.run(&w.agent, |tx| {
            tx.disburse_advance(DisburseAdvance {
                id: None,
                contract_id: ContractId::new(),
                amount: m(1),
                date: d(2026, 6, 1),
                mode: PayMode::Cash,
            })
        })
        .unwrap_err();
    assert!(e.message(Lang::Fr).contains("introuvable"));
    assert!(e.message(Lang::En).contains("not found"));
    assert_eq!(e.code(), "not_found");
}

#[test]
fn fertilizer_chain_and_campaign_report() {
    let mut w = World::new();
    let (rice, coop, wh) = (w.rice, w.coop, w.wh);
    let a = w.member("DIO-0014", "Korotoumou Sanogo");
    let (p, po) =
        w.l.run(&w.sec, |tx| {
            let p = tx.add_product(NewProduct {
                id: None,
                name: "NPK 15-15-15".into(),
                bag_weight: kg("50"),
                price_per_bag: m(16_000),
            })?;
            tx.add_need(NewNeed {
                id: None,
                member_id: a,
                campaign_id: rice,
                product_id: p.id,
                bags: 6,
            })?;
            tx.add_group_order(NewGroupOrder {
                id: None,
                cooperative_id: coop,
                campaign_id: rice,
                product_id: p.id,
                bags: 6,
                date: d(2026, 5, 15),
            })?;
            let po = tx.add_purchase_order(NewPurchaseOrder {
                id: None,
                campaign_id: rice,
                supplier: "Toguna Agro".into(),
                product_id: p.id,
                bags: 6,
                unit_cost: m(14_500),
                date: d(2026, 5, 20),
            })?;
            tx.receive_fertilizer(NewReception {
                id: None,
                purchase_order_id: po.id,
                warehouse_id: wh,
                bags_expected: 6,
                bags_received: 5,
                date: d(2026, 6, 1),
                note: "1 sac manquant".into(),
            })?;
            Ok((p.id, po.id))
        })
        .unwrap();
    // more than ordered is refused
    assert!(w
        .l
        .run(&w.sec, |tx| tx.receive_fertilizer(NewReception {
            id: None,
            purchase_order_id: po,
            warehouse_id: wh,
            bags_expected: 6,
            bags_received: 2,
            date: d(2026, 6, 2),
            note: String::new()
        }))
        .is_err());
    w.l.run(&w.agent, |tx| {
        tx.distribute_fertilizer(DistributeFertilizer {
            id: None,
            member_id: a,
            campaign_id: rice,
            product_id: p,
            bags: 5,
            cash_paid: m(0),
            date: d(2026, 6, 5),
        })
    })
    .unwrap();
    let c = w.contract(a, rice, "1000");
    w.disburse(c, 60_000, d(2026, 6, 1));
    w.deliver(a, c, 10, "505", "14", "2");
    let r = w.l.campaign_report(rice).unwrap();
    assert_eq!(r.total.committed, kg("1000"));
    assert_eq!(r.total.delivered, kg("500"));
    assert_eq!(r.total.advance_due.francs(), 120_000);
    assert_eq!(r.total.disbursed.francs(), 60_000);
    assert_eq!(r.total.recovered.francs(), 60_000);
    assert_eq!(r.total.recovery_rate, rust_decimal::Decimal::ONE_HUNDRED);
    let f = &r.fertilizer[0];
    assert_eq!(
        (
            f.needed_bags,
            f.ordered_bags,
            f.purchased_bags,
            f.received_bags,
            f.distributed_bags
        ),
        (6, 6, 6, 5, 5)
    );
    assert_eq!(f.on_credit.francs(), 80_000);
    assert_eq!(w.net(rice, a, d(2027, 1, 15)), 100_000 - 60_000 - 80_000);
}

#[test]
fn sale_lot_lenders_funds_and_balance_payment() {
    let mut w = World::new();
    let (rice, coop, wh) = (w.rice, w.coop, w.wh);
    let a = w.member("DIO-0015", "Tenin Fofana");
    let c = w.contract(a, rice, "1000");
    w.disburse(c, 120_000, d(2026, 6, 1));
    w.deliver(a, c, 20, "1010", "14", "2");
    let agent = w.agent.agent;
    w.l.run(&w.sec, |tx| {
        let l = tx.add_lender(NewLender {
            id: None,
            name: "Kafo Jiginew".into(),
            kind: LenderKind::Microfinance,
        })?;
        let line = tx.add_credit_line(NewCreditLine {
            id: None,
            lender_id: l.id,
            campaign_id: Some(rice),
            principal: m(10_000_000),
            annual_rate: "0.10".parse().unwrap(),
            start: d(2026, 5, 1),
            maturity: d(2027, 4, 30),
            guarantee_share: "0.5".parse().unwrap(),
        })?;
        tx.draw(NewDrawdown {
            id: None,
            credit_line_id: line.id,
            amount: m(5_000_000),
            date: d(2026, 5, 5),
        })?;
        assert!(tx
            .draw(NewDrawdown {
                id: None,
                credit_line_id: line.id,
                amount: m(5_000_001),
                date: d(2026, 5, 5)
            })
            .is_err());
        tx.allocate_funds(NewAllocation {
            id: None,
            campaign_id: rice,
            agent_id: agent,
            cooperative_id: coop,
            amount: m(500_000),
            date: d(2026, 5, 30),
        })?;
        tx.add_sale_lot(NewSaleLot {
            id: None,
            campaign_id: rice,
            crop: Crop::PaddyRice,
            buyer: "Grands Moulins".into(),
            sources: vec![LotSource {
                warehouse_id: wh,
                kg: kg("800"),
            }],
            price_per_kg: m(240),
            costs: m(10_000),
            date: d(2027, 1, 5),
        })?;
        // more than the warehouse holds
        assert!(matches!(
            tx.add_sale_lot(NewSaleLot {
                id: None,
                campaign_id: rice,
                crop: Crop::PaddyRice,
                buyer: "X".into(),
                sources: vec![LotSource {
                    warehouse_id: wh,
                    kg: kg("201")
                }],
                price_per_kg: m(240),
                costs: m(0),
                date: d(2027, 1, 5)
            }),
            Err(AppError::AboveAvailable { .. })
        ));
        tx.repay_lender(NewRepayment {
            id: None,
            credit_line_id: line.id,
            principal: m(5_000_000),
            interest: m(300_000),
            date: d(2027, 1, 20),
        })?;
        Ok(())
    })
    .unwrap();
    assert_eq!(
        w.l.db().warehouse_stock(wh, Crop::PaddyRice).unwrap(),
        kg("200")
    );
    // the balance is 80 000: paying more is refused, paying it works
    let pay = |w: &mut World, amount| {
        w.l.run(&w.agent, |tx| {
            tx.pay_balance(PayBalance {
                id: None,
                member_id: a,
                campaign_id: rice,
                amount: m(amount),
                date: d(2027, 1, 20),
                mode: PayMode::Cash,
            })
        })
    };
    assert!(matches!(
        pay(&mut w, 80_001),
        Err(AppError::AboveAvailable { .. })
    ));
    pay(&mut w, 50_000).unwrap();
    assert!(matches!(
        pay(&mut w, 30_001),
        Err(AppError::AboveAvailable { .. })
    ));
    pay(&mut w, 30_000).unwrap();
    let r = w.l.settle_campaign(rice, d(2027, 1, 20)).unwrap();
    assert_eq!(r.totals.paid.francs(), 80_000);
    assert_eq!(r.totals.remaining.francs(), 0);
    let cash = sene_app::reports::agent_cash(&w.l.db(), agent, rice).unwrap();
    assert_eq!(cash.to_return.francs(), 500_000 - 120_000 - 80_000);
}
