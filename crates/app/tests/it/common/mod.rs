//! What sene-app's tests start from, built one way (sene-app cannot use `sene-fixture`,
//! which depends on it; the scenarios' union, hub on loopback and laptops are there).
//!
//! **A union**: [`memory`] (or [`season`] on a store of your own): the small fixed union the
//! office tests share, « Union Faso Jigi » with one cooperative (DIO) and its warehouse, a
//! field agent, a committee agent, a laptop's device, a rice campaign and two members half
//! through a season (see [`season`]), its clock ([`Season::clock`]) on 1 June 2026. An empty
//! in-memory ledger to init a union of one's own: [`ledger`] (1 June 2026, 09:00 UTC) or
//! [`ledger_at`]; a generated or demo union is `sene_app::demo` on one.
//!
//! **A hub**: the office's own ledger, [`Season::l`], exchanges with a laptop in process:
//! [`sync`] until neither side has anything to say.
//!
//! **A laptop**: [`laptop`]: the field agent's device joined and synced with the office, its
//! own clock on 1 December 2026.
#![allow(dead_code, clippy::unwrap_used)]

use std::sync::Arc;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use sene_app::fertilizer::*;
use sene_app::org::*;
use sene_app::season::*;
use sene_app::*;
use sene_domain::*;
use sene_store::Store;

pub fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

pub fn fr(n: i64) -> Money {
    Money::from_francs(n).unwrap()
}

/// An empty ledger in memory, its clock fixed at `at`.
pub fn ledger_at(at: DateTime<Utc>) -> Ledger {
    Ledger::with_clock(
        Store::open_in_memory().unwrap(),
        Box::new(FixedClock::new(at)),
    )
}

/// An empty ledger in memory on 1 June 2026, 09:00 UTC.
pub fn ledger() -> Ledger {
    ledger_at(Utc.with_ymd_and_hms(2026, 6, 1, 9, 0, 0).unwrap())
}

pub struct Season {
    pub l: Ledger,
    pub clock: Arc<FixedClock>,
    pub sec: Actor,
    pub field: Actor,
    pub committee: Actor,
    pub coop: CooperativeId,
    pub wh: WarehouseId,
    pub camp: CampaignId,
    pub a: MemberId,
    pub b: MemberId,
    pub cb: ContractId,
}

/// Two members of DIO on a rice campaign at 200 FCFA/kg, 60 % advance, 2 % flat fee:
/// A delivers all 1 000 kg and took 2 bags of urea on credit (net 47 600 FCFA to pay);
/// B delivers 300 kg (debt 62 400 FCFA).
pub fn season(store: Store) -> Season {
    let clock = Arc::new(FixedClock::new(
        Utc.with_ymd_and_hms(2026, 6, 1, 9, 0, 0).unwrap(),
    ));
    let mut l = Ledger::with_clock(store, Box::new(Arc::clone(&clock)));
    let sec = l
        .init(&InitUnion {
            union_name: "Union Faso Jigi".into(),
            region: "Ségou".into(),
            agent_name: "Sec".into(),
            device_label: "Bureau".into(),
            receipt_prefix: "U1".into(),
        })
        .unwrap();
    let s0 = l
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
                capacity: None,
            })?;
            let fa = tx.add_agent(NewAgent {
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
            let dev = tx.add_device(NewDevice {
                id: None,
                label: "Portable".into(),
                receipt_prefix: "A1".into(),
            })?;
            let camp = tx.open_campaign(NewCampaign {
                id: None,
                name: "Riz 2026/27".into(),
                family: CropFamily::Rice,
                prices: vec![CropPrice {
                    crop: Crop::PaddyRice,
                    base_price: fr(200),
                    over_delivery_price: None,
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
                over_delivery_bought: false,
            })?;
            let mut ids = vec![];
            for (n, name) in [
                ("DIO-0001", "Aminata Traoré"),
                ("DIO-0002", "Seydou Diarra"),
            ] {
                let m = tx.register_member(
                    NewMember {
                        id: None,
                        cooperative_id: coop.id,
                        number: n.into(),
                        full_name: name.into(),
                        sex: Sex::Female,
                        birth_year: None,
                        village: "Dioro".into(),
                        phone: None,
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
                ids.push((m.id, c.id));
            }
            Ok((coop, wh, fa, ctc, dev, camp, ids))
        })
        .unwrap();
    let (coop, wh, fa, ctc, dev, camp, ids) = s0;
    // maker-checker: the secretariat requested the contracts, the committee approves them
    let committee = Actor {
        agent: ctc.id,
        device: sec.device,
    };
    l.run(&committee, |tx| {
        for (_, c) in &ids {
            tx.approve_contract(*c, d(2026, 5, 11))?;
        }
        Ok(())
    })
    .unwrap();
    let s = l
        .run(&sec, |tx| {
            for (_, c) in &ids {
                tx.disburse_advance(DisburseAdvance {
                    id: None,
                    contract_id: *c,
                    amount: fr(120_000),
                    date: d(2026, 6, 1),
                    mode: PayMode::Cash,
                })?;
            }
            let (a, ca) = ids[0];
            let (b, cb) = ids[1];
            tx.record_delivery(RecordDelivery {
                id: None,
                member_id: a,
                contract_id: ca,
                warehouse_id: wh.id,
                bags: 20,
                gross: Kg::from_kg(1010)?,
                moisture: "14".parse()?,
                impurity: "2".parse()?,
                date: d(2026, 11, 2),
            })?;
            tx.record_delivery(RecordDelivery {
                id: None,
                member_id: b,
                contract_id: cb,
                warehouse_id: wh.id,
                bags: 4,
                gross: Kg::from_kg(302)?,
                moisture: "14".parse()?,
                impurity: "2".parse()?,
                date: d(2026, 11, 3),
            })?;
            let p = tx.add_product(NewProduct {
                id: None,
                name: "Urée".into(),
                bag_weight: Kg::from_kg(50)?,
                price_per_bag: fr(15_000),
            })?;
            let po = tx.add_purchase_order(NewPurchaseOrder {
                id: None,
                campaign_id: camp.id,
                supplier: "Toguna".into(),
                product_id: p.id,
                bags: 2,
                unit_cost: fr(14_000),
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
                member_id: a,
                campaign_id: camp.id,
                product_id: p.id,
                bags: 2,
                cash_paid: Money::ZERO,
                date: d(2026, 6, 2),
            })?;
            Ok((coop.id, wh.id, fa.id, ctc.id, dev.id, camp.id, a, b, cb))
        })
        .unwrap();
    let (coop, wh, fa, ctc, dev, camp, a, b, cb) = s;
    Season {
        l,
        clock,
        sec,
        field: Actor {
            agent: fa,
            device: dev,
        },
        committee: Actor {
            agent: ctc,
            device: dev,
        },
        coop,
        wh,
        camp,
        a,
        b,
        cb,
    }
}

/// [`season`] in memory.
pub fn memory() -> Season {
    season(Store::open_in_memory().unwrap())
}

/// Syncs a device with the office until neither side has anything to say.
pub fn sync(device: &mut Ledger, hub: &mut Ledger, scope: &sene_app::sync::Scope) {
    use sene_app::sync::Scope;
    let peer = device.local_actor().map(|a| a.device.to_string()).unwrap();
    device.sync_reset("hub").unwrap();
    hub.sync_reset(&peer).unwrap();
    for _ in 0..10 {
        let up = device.sync_outgoing("hub", &Scope::Everything).unwrap();
        let (report, down) = hub.sync_exchange(&peer, &up, scope).unwrap();
        assert!(report.refused.is_empty(), "{:?}", report.refused);
        let r = device
            .sync_incoming("hub", &down, &Scope::Everything)
            .unwrap();
        assert!(r.refused.is_empty(), "{:?}", r.refused);
        if up.items.is_empty() && down.items.is_empty() {
            return;
        }
    }
    panic!("sync did not converge");
}

/// The field agent's laptop, joined and synced with the office, its clock on 1 December 2026.
pub fn laptop(s: &mut Season) -> (Ledger, Arc<FixedClock>, sene_app::sync::Scope) {
    let scope = sene_app::sync::Scope::Device {
        device: s.field.device,
        agent: s.field.agent,
        role: Role::FieldAgent,
        cooperatives: vec![s.coop],
    };
    let clock = Arc::new(FixedClock::new(
        Utc.with_ymd_and_hms(2026, 12, 1, 8, 0, 0).unwrap(),
    ));
    let mut dev = Ledger::with_clock(
        Store::open_in_memory().unwrap(),
        Box::new(Arc::clone(&clock)),
    );
    dev.join(&s.field).unwrap();
    sync(&mut dev, &mut s.l, &scope);
    (dev, clock, scope)
}

/// A second secretariat agent on the office's computer (added the first time): who proposes a
/// settlement for the first to lock (maker-checker).
pub fn second_secretariat(s: &mut Season) -> Actor {
    let sec = s.sec;
    let db = s.l.db();
    let existing = db
        .agent_ids()
        .unwrap()
        .into_iter()
        .filter_map(|id| db.agent(id).unwrap())
        .find(|a| a.name == "Seconde secrétaire");
    let agent = match existing {
        Some(a) => a.id,
        None => {
            s.l.run(&sec, |tx| {
                tx.add_agent(sene_app::org::NewAgent {
                    id: None,
                    name: "Seconde secrétaire".into(),
                    phone: None,
                    role: Role::Secretariat,
                    cooperatives: Vec::new(),
                })
            })
            .unwrap()
            .id
        }
    };
    Actor {
        agent,
        device: sec.device,
    }
}

/// The settlement of the season's campaign at `date`, proposed by the second secretariat
/// agent, for `s.sec` to lock.
pub fn propose(s: &mut Season, camp: CampaignId, date: NaiveDate) {
    let second = second_secretariat(s);
    s.l.run(&second, |tx| tx.propose_settlement(camp, date))
        .unwrap();
}
