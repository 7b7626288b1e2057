//! The projection can be rebuilt from the stored automerge changes: a store rebuilt from the
//! documents equals the live one, row for row.
#![allow(clippy::unwrap_used)]

use sene_app::fertilizer::*;
use sene_app::finance::*;
use sene_app::org::*;
use sene_app::season::*;
use sene_app::*;
use sene_domain::*;
use sene_store::Store;

use crate::common::{d, ledger};

/// A season with every kind of record, reversals and a state change included.
pub fn season() -> Ledger {
    let mut l = ledger();
    let sec = l
        .init(&InitUnion {
            union_name: "Union".into(),
            region: "Ségou".into(),
            agent_name: "Sec".into(),
            device_label: "Bureau".into(),
            receipt_prefix: "U1".into(),
        })
        .unwrap();
    let (coop, wh, agent, camp, m, c, ctc) = l
        .run(&sec, |tx| {
            let coop = tx.add_cooperative(NewCooperative {
                id: None,
                code: "DIO".into(),
                name: "Dioro".into(),
                village: "Dioro".into(),
                commune: "Dioro".into(),
                cercle: "Ségou".into(),
                region: "Ségou".into(),
            })?;
            let wh = tx.add_warehouse(NewWarehouse {
                id: None,
                cooperative_id: coop.id,
                name: "Magasin".into(),
                capacity: Some(Kg::from_kg(500_000)?),
            })?;
            let agent = tx.add_agent(NewAgent {
                id: None,
                name: "Moussa".into(),
                phone: None,
                role: Role::FieldAgent,
                cooperatives: vec![coop.id],
            })?;
            let ctc = tx.add_agent(NewAgent {
                id: None,
                name: "Comité".into(),
                phone: None,
                role: Role::Committee,
                cooperatives: vec![coop.id],
            })?;
            tx.add_device(NewDevice {
                id: None,
                label: "Portable".into(),
                receipt_prefix: "A1".into(),
            })?;
            let camp = tx.open_campaign(NewCampaign {
                id: None,
                name: "Riz".into(),
                family: CropFamily::Rice,
                prices: vec![CropPrice {
                    crop: Crop::PaddyRice,
                    base_price: Money::from_francs(210)?,
                    over_delivery_price: Some(Money::from_francs(180)?),
                }],
                advance_share: None,
                fee: FeeModel::Flat {
                    rate: "0.02".parse()?,
                },
                contract_window: (d(2026, 5, 1), d(2026, 8, 31)),
                delivery_window: (d(2026, 10, 1), d(2027, 3, 31)),
                max_moisture: None,
                max_impurity: None,
                bag_tare: None,
                over_delivery_bought: true,
            })?;
            let m = tx.register_member(
                NewMember {
                    id: None,
                    cooperative_id: coop.id,
                    number: "DIO-0001".into(),
                    full_name: "Aminata Traoré".into(),
                    sex: Sex::Female,
                    birth_year: Some(1979),
                    village: "Dioro".into(),
                    phone: Some("76123456".into()),
                    nina: None,
                    crops: vec![CropFamily::Rice],
                },
                false,
            )?;
            let c = tx.request_contract(RequestContract {
                id: None,
                member_id: m.id,
                campaign_id: camp.id,
                crop: Crop::PaddyRice,
                committed: Kg::from_kg(1000)?,
                date: d(2026, 5, 10),
            })?;
            Ok((coop, wh, agent, camp, m, c, ctc))
        })
        .unwrap();
    // maker-checker: the committee approves, and voids the secretariat's mistyped advance
    let committee = Actor {
        agent: ctc.id,
        device: sec.device,
    };
    l.run(&committee, |tx| tx.approve_contract(c.id, d(2026, 5, 11)))
        .unwrap();
    let x = l
        .run(&sec, |tx| {
            tx.disburse_advance(DisburseAdvance {
                id: None,
                contract_id: c.id,
                amount: Money::from_francs(100_000)?,
                date: d(2026, 6, 1),
                mode: PayMode::Cash,
            })
        })
        .unwrap();
    l.run(&committee, |tx| {
        tx.reverse(Reverse {
            id: None,
            target_kind: RecordKind::Disbursement,
            target_id: x.id.to_string(),
            reason: "erreur".into(),
            date: d(2026, 6, 1),
        })
    })
    .unwrap();
    l.run(&sec, |tx| {
        tx.disburse_advance(DisburseAdvance {
            id: None,
            contract_id: c.id,
            amount: Money::from_francs(90_000)?,
            date: d(2026, 6, 1),
            mode: PayMode::MobileMoney,
        })?;
        tx.record_delivery(RecordDelivery {
            id: None,
            member_id: m.id,
            contract_id: c.id,
            warehouse_id: wh.id,
            bags: 20,
            gross: Kg::from_kg(1010)?,
            moisture: "15".parse()?,
            impurity: "2".parse()?,
            date: d(2026, 11, 2),
        })?;
        let p = tx.add_product(NewProduct {
            id: None,
            name: "Urée".into(),
            bag_weight: Kg::from_kg(50)?,
            price_per_bag: Money::from_francs(15_000)?,
        })?;
        tx.add_need(NewNeed {
            id: None,
            member_id: m.id,
            campaign_id: camp.id,
            product_id: p.id,
            bags: 2,
        })?;
        tx.add_group_order(NewGroupOrder {
            id: None,
            cooperative_id: coop.id,
            campaign_id: camp.id,
            product_id: p.id,
            bags: 2,
            date: d(2026, 5, 20),
        })?;
        let po = tx.add_purchase_order(NewPurchaseOrder {
            id: None,
            campaign_id: camp.id,
            supplier: "Toguna".into(),
            product_id: p.id,
            bags: 2,
            unit_cost: Money::from_francs(14_000)?,
            date: d(2026, 5, 21),
        })?;
        tx.receive_fertilizer(NewReception {
            id: None,
            purchase_order_id: po.id,
            warehouse_id: wh.id,
            bags_expected: 2,
            bags_received: 2,
            date: d(2026, 5, 30),
            note: String::new(),
        })?;
        tx.distribute_fertilizer(DistributeFertilizer {
            id: None,
            member_id: m.id,
            campaign_id: camp.id,
            product_id: p.id,
            bags: 2,
            cash_paid: Money::from_francs(10_000)?,
            date: d(2026, 6, 2),
        })?;
        let lender = tx.add_lender(NewLender {
            id: None,
            name: "Kafo Jiginew".into(),
            kind: LenderKind::Microfinance,
        })?;
        let line = tx.add_credit_line(NewCreditLine {
            id: None,
            lender_id: lender.id,
            campaign_id: Some(camp.id),
            principal: Money::from_francs(5_000_000)?,
            annual_rate: "0.1".parse()?,
            start: d(2026, 5, 1),
            maturity: d(2027, 4, 30),
            guarantee_share: "0.5".parse()?,
        })?;
        tx.draw(NewDrawdown {
            id: None,
            credit_line_id: line.id,
            amount: Money::from_francs(1_000_000)?,
            date: d(2026, 5, 2),
        })?;
        tx.allocate_funds(NewAllocation {
            id: None,
            campaign_id: camp.id,
            agent_id: agent.id,
            cooperative_id: coop.id,
            amount: Money::from_francs(300_000)?,
            date: d(2026, 5, 30),
        })?;
        let lot = tx.add_sale_lot(NewSaleLot {
            id: None,
            campaign_id: camp.id,
            crop: Crop::PaddyRice,
            buyer: "Moulin".into(),
            sources: vec![LotSource {
                warehouse_id: wh.id,
                kg: Kg::from_kg(500)?,
            }],
            price_per_kg: Money::from_francs(250)?,
            costs: Money::from_francs(5_000)?,
            date: d(2027, 1, 5),
        })?;
        tx.mark_lot_paid(lot.id)?;
        tx.repay_lender(NewRepayment {
            id: None,
            credit_line_id: line.id,
            principal: Money::from_francs(1_000_000)?,
            interest: Money::from_francs(50_000)?,
            date: d(2027, 1, 10),
        })?;
        tx.pay_balance(PayBalance {
            id: None,
            member_id: m.id,
            campaign_id: camp.id,
            amount: Money::from_francs(50_000)?,
            date: d(2027, 1, 20),
            mode: PayMode::Cash,
        })?;
        Ok(())
    })
    .unwrap();
    l
}

#[test]
fn the_rebuilt_projection_equals_the_live_one_row_for_row() {
    let mut live = season();
    let mut target = Store::open_in_memory().unwrap();
    let n = target
        .write(|db| sene_sync::rebuild(&live.db(), db))
        .unwrap();
    assert!(n > 20, "only {n} records rebuilt");
    let a = live.db().projection_dump().unwrap();
    let b = target.db().projection_dump().unwrap();
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(x, y);
    }
    // and the receipt sequences continue where they were
    let dev = live.local_actor().unwrap().device;
    let from_target = target.write(|db| db.next_receipt(dev)).unwrap();
    let (store, _, _) = live.parts().unwrap();
    let from_live = store.write(|db| db.next_receipt(dev)).unwrap();
    assert_eq!(from_target, from_live);
    assert_ne!(from_live, "U1-000001");
}

#[test]
fn every_write_appends_to_a_document_in_the_same_transaction() {
    let live = season();
    let docs = live.db().doc_ids().unwrap();
    assert!(docs.contains(&"union".to_string()));
    assert!(docs.iter().any(|d| d.starts_with("registry/")));
    assert!(docs.iter().any(|d| d.starts_with("season/")));
}
