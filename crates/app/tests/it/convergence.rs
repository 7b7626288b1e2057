//! Property: replicas converge whatever the transport does.
//!
//! A hub (the union office, secretariat) and four enrolled devices — two field agents of the
//! same cooperative, a committee (CTC) device holding both cooperatives, a field agent of the
//! other cooperative — run a random mix of use cases (members, contracts, approvals, advances
//! within the advance due, deliveries, fertilizer, reversals, members' cards corrected and
//! members who leave, the same card often on several replicas) and of exchanges with the hub over
//! a transport that drops, duplicates and reorders envelopes, with sessions reset at random on
//! either side (a device's reset is a restart: its documents leave memory, and it merges what
//! it can without loading them). After a healing phase (every device restarted, then reliable
//! syncs until neither side has anything to say, twice over every device), every device's
//! projection equals the hub's restricted to what the device may see, devices with the same
//! cooperatives hold identical projections, the settlement and campaign reports of each
//! cooperative are the same on every replica that sees it, and the hub's totals are exactly
//! those of every money record ever saved anywhere, minus the reversed.
#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet};

use chrono::Days;
use proptest::prelude::*;
use sene_app::fertilizer::*;
use sene_app::org::*;
use sene_app::registry::{CorrectMember, MemberDeparted};
use sene_app::reports::{campaign_report, settle_campaign};
use sene_app::season::*;
use sene_app::sync::Scope;
use sene_app::*;
use sene_domain::*;
use sene_store::Table;
use sene_sync::doc::route;
use sene_sync::wire::Envelope;
use sene_sync::DocId;
use serde_json::{Map, Value};

use crate::common::{d, ledger};

/// Replica 0 is the hub; 1..=4 are the devices.
const HUB: usize = 0;
const DEVICES: usize = 4;
/// The committee device.
const CTC: usize = 3;
/// Most round trips of one reliable sync.
const MAX_ROUNDS: usize = 12;

// ---------------------------------------------------------------------------------------------
// The generated steps

/// What the transport does with one envelope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fate {
    Deliver,
    Drop,
    /// Delivered twice in a row.
    Duplicate,
    /// Held back, delivered after a later one (when the link releases what it holds).
    Hold,
}

#[derive(Debug, Clone)]
enum Op {
    Register {
        coop: usize,
        number: u8,
    },
    Request {
        member: usize,
        tenths: i64,
        day: u32,
    },
    Approve {
        contract: usize,
    },
    Cancel {
        contract: usize,
    },
    Disburse {
        contract: usize,
        pct: u8,
        day: u64,
    },
    Deliver {
        contract: usize,
        bags: u32,
        gross_t: i64,
        moisture_t: i64,
        impurity_t: i64,
        day: u32,
    },
    Distribute {
        member: usize,
        bags: u32,
        cash_pct: u8,
    },
    Reverse {
        pick: usize,
    },
    /// One field of a member's card corrected (0 phone, 1 village, 2 name), to one of a few
    /// values: the same card corrected on two replicas is common.
    Correct {
        member: usize,
        field: u8,
        value: u8,
    },
    /// A member who leaves (on the clock's day: the only one neither in the future nor before
    /// her registration).
    Depart {
        member: usize,
        deceased: bool,
    },
}

#[derive(Debug, Clone)]
enum Step {
    /// A use case on replica `at`.
    Op { at: usize, op: Op },
    /// One exchange of device `dev` with the hub over a misbehaving transport; `release`
    /// delivers what the link held back, after the fresh envelope.
    Link {
        dev: usize,
        up: Fate,
        down: Fate,
        release: bool,
    },
    /// A new session on the device's side, the hub's side, or both.
    Reset {
        dev: usize,
        device_side: bool,
        hub_side: bool,
    },
}

fn fate() -> impl Strategy<Value = Fate> {
    prop_oneof![
        4 => Just(Fate::Deliver),
        1 => Just(Fate::Drop),
        1 => Just(Fate::Duplicate),
        2 => Just(Fate::Hold),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        2 => (0usize..2, 0u8..12).prop_map(|(coop, number)| Op::Register { coop, number }),
        2 => (0usize..64, 1_000i64..30_000, 2u32..20)
            .prop_map(|(member, tenths, day)| Op::Request { member, tenths, day }),
        1 => (0usize..64).prop_map(|contract| Op::Cancel { contract }),
        4 => (0usize..64, 1u8..=100, 0u64..60)
            .prop_map(|(contract, pct, day)| Op::Disburse { contract, pct, day }),
        3 => (0usize..64, 1u32..30, 200i64..20_000, 100i64..250, 0i64..60, 1u32..28).prop_map(
            |(contract, bags, gross_t, moisture_t, impurity_t, day)| Op::Deliver {
                contract,
                bags,
                gross_t: gross_t + i64::from(bags) * 10,
                moisture_t,
                impurity_t,
                day,
            }
        ),
        2 => (0usize..64, 1u32..8, 0u8..=100)
            .prop_map(|(member, bags, cash_pct)| Op::Distribute { member, bags, cash_pct }),
        2 => (0usize..64).prop_map(|pick| Op::Reverse { pick }),
        3 => (0usize..64, 0u8..3, 0u8..5)
            .prop_map(|(member, field, value)| Op::Correct { member, field, value }),
        1 => (0usize..64, any::<bool>())
            .prop_map(|(member, deceased)| Op::Depart { member, deceased }),
    ]
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        // any replica, the hub included
        10 => (0usize..=DEVICES, op()).prop_map(|(at, op)| Step::Op { at, op }),
        // approvals by those who may approve
        2 => (prop_oneof![Just(HUB), Just(CTC)], 0usize..64)
            .prop_map(|(at, contract)| Step::Op { at, op: Op::Approve { contract } }),
        8 => (1usize..=DEVICES, fate(), fate(), any::<bool>())
            .prop_map(|(dev, up, down, release)| Step::Link { dev, up, down, release }),
        1 => (1usize..=DEVICES, any::<bool>(), any::<bool>()).prop_map(
            |(dev, device_side, hub_side)| Step::Reset { dev, device_side, hub_side }
        ),
    ]
}

// ---------------------------------------------------------------------------------------------
// The world

struct Replica {
    ledger: Ledger,
    actor: Actor,
    /// The cooperatives it sees (every one for the hub).
    coops: Vec<CooperativeId>,
    /// The hub's view of the device (unused for the hub).
    scope: Scope,
    /// Envelopes held back by the transport, device → hub and hub → device.
    up: Vec<Envelope>,
    down: Vec<Envelope>,
}

impl Replica {
    fn peer(&self) -> String {
        self.actor.device.to_string()
    }
}

/// Every money record saved anywhere, and every reversal.
#[derive(Debug, Default)]
struct Model {
    /// disbursement id → francs
    disbursed: BTreeMap<String, i64>,
    /// delivery id → accepted tenths of kg
    accepted: BTreeMap<String, i64>,
    /// distribution id → francs on credit
    credit: BTreeMap<String, i64>,
    reversed: BTreeSet<String>,
}

struct World {
    reps: Vec<Replica>,
    coops: [CooperativeId; 2],
    codes: [&'static str; 2],
    warehouses: BTreeMap<CooperativeId, WarehouseId>,
    camp: CampaignId,
    product: ProductId,
    next_id: u64,
    model: Model,
    /// Documents refused while the transport misbehaved (out-of-order references).
    refusals: usize,
}

/// Deterministic ids, so that a failing case replays the same picks.
fn fresh_id<T: std::str::FromStr>(n: &mut u64) -> T
where
    T::Err: std::fmt::Debug,
{
    *n += 1;
    format!("01900000-0000-7000-8000-{:012x}", *n)
        .parse()
        .unwrap()
}

fn world() -> World {
    let mut hub = ledger();
    let sec = hub
        .init(&InitUnion {
            union_name: "Union".into(),
            region: "Ségou".into(),
            agent_name: "Sec".into(),
            device_label: "Bureau".into(),
            receipt_prefix: "U1".into(),
        })
        .unwrap();
    let mut n = 0u64;
    let codes = ["DIO", "MKL"];
    let coops: [CooperativeId; 2] = [fresh_id(&mut n), fresh_id(&mut n)];
    let whs: [WarehouseId; 2] = [fresh_id(&mut n), fresh_id(&mut n)];
    let camp: CampaignId = fresh_id(&mut n);
    let product: ProductId = fresh_id(&mut n);
    // devices: two field agents of DIO, the committee with both, a field agent of MKL
    let plan: [(Role, Vec<CooperativeId>); DEVICES] = [
        (Role::FieldAgent, vec![coops[0]]),
        (Role::FieldAgent, vec![coops[0]]),
        (Role::Committee, vec![coops[0], coops[1]]),
        (Role::FieldAgent, vec![coops[1]]),
    ];
    let ids: Vec<(AgentId, DeviceId)> = (0..DEVICES)
        .map(|_| (fresh_id(&mut n), fresh_id(&mut n)))
        .collect();
    let mut seeded: Vec<(MemberId, ContractId, bool)> = Vec::new();
    for i in 0..6u64 {
        seeded.push((fresh_id(&mut n), fresh_id(&mut n), i % 3 != 2));
    }
    let checker: AgentId = fresh_id(&mut n);
    hub.run(&sec, |tx| {
        for (i, code) in codes.iter().enumerate() {
            tx.add_cooperative(NewCooperative {
                id: Some(coops[i]),
                code: (*code).into(),
                name: format!("Coopérative {code}"),
                village: "Dioro".into(),
                commune: "Dioro".into(),
                cercle: "Ségou".into(),
                region: "Ségou".into(),
            })?;
            tx.add_warehouse(NewWarehouse {
                id: Some(whs[i]),
                cooperative_id: coops[i],
                name: format!("Magasin {code}"),
                capacity: None,
            })?;
        }
        tx.open_campaign(NewCampaign {
            id: Some(camp),
            name: "Riz".into(),
            family: CropFamily::Rice,
            prices: vec![CropPrice {
                crop: Crop::PaddyRice,
                base_price: Money::from_francs(200)?,
                over_delivery_price: Some(Money::from_francs(150)?),
            }],
            advance_share: None,
            fee: FeeModel::Interest {
                annual_rate: "0.1".parse()?,
            },
            contract_window: (d(2026, 5, 1), d(2026, 8, 31)),
            delivery_window: (d(2026, 10, 1), d(2027, 3, 31)),
            max_moisture: None,
            max_impurity: None,
            bag_tare: None,
            over_delivery_bought: true,
        })?;
        tx.add_product(NewProduct {
            id: Some(product),
            name: "Urée".into(),
            bag_weight: Kg::from_kg(50)?,
            price_per_bag: Money::from_francs(15_500)?,
        })?;
        for (k, ((role, cs), (agent, device))) in plan.iter().zip(&ids).enumerate() {
            tx.add_agent(NewAgent {
                id: Some(*agent),
                name: format!("Agent {k}"),
                phone: None,
                role: *role,
                cooperatives: cs.clone(),
            })?;
            tx.add_device(NewDevice {
                id: Some(*device),
                label: format!("Appareil {k}"),
                receipt_prefix: format!("D{k}"),
            })?;
        }
        // material for the first steps: members with contracts, most of them approved
        for (i, (m, c, _)) in seeded.iter().enumerate() {
            let coop = i % 2;
            tx.register_member(
                NewMember {
                    id: Some(*m),
                    cooperative_id: coops[coop],
                    number: format!("{}-S{i}", codes[coop]),
                    full_name: format!("Semé {i}"),
                    sex: Sex::Female,
                    birth_year: None,
                    village: "Dioro".into(),
                    phone: None,
                    nina: None,
                    crops: vec![],
                },
                true,
            )?;
            tx.request_contract(RequestContract {
                id: Some(*c),
                member_id: *m,
                campaign_id: camp,
                crop: Crop::PaddyRice,
                committed: Kg::from_kg(1_000 + 250 * i64::try_from(i).unwrap_or(0))?,
                date: d(2026, 5, 2),
            })?;
        }
        tx.add_agent(NewAgent {
            id: Some(checker),
            name: "Contrôleur".into(),
            phone: None,
            role: Role::Secretariat,
            cooperatives: vec![],
        })?;
        Ok(())
    })
    .unwrap();
    // maker-checker: a second secretariat agent approves what the first requested
    hub.run(
        &Actor {
            agent: checker,
            device: sec.device,
        },
        |tx| {
            for (_, c, approve) in &seeded {
                if *approve {
                    tx.approve_contract(*c, d(2026, 5, 3))?;
                }
            }
            Ok(())
        },
    )
    .unwrap();
    let mut reps = vec![Replica {
        ledger: hub,
        actor: sec,
        coops: coops.to_vec(),
        scope: Scope::Everything,
        up: vec![],
        down: vec![],
    }];
    for ((role, cs), (agent, device)) in plan.into_iter().zip(ids) {
        let actor = Actor { agent, device };
        let mut l = ledger();
        l.join(&actor).unwrap();
        reps.push(Replica {
            ledger: l,
            actor,
            scope: Scope::Device {
                device,
                agent,
                role,
                cooperatives: cs.clone(),
            },
            coops: cs,
            up: vec![],
            down: vec![],
        });
    }
    let mut w = World {
        reps,
        coops,
        codes,
        warehouses: coops.into_iter().zip(whs).collect(),
        camp,
        product,
        next_id: n,
        model: Model::default(),
        refusals: 0,
    };
    for dev in 1..=DEVICES {
        heal(&mut w, dev);
        assert_eq!(w.reps[dev].ledger.union().unwrap().name, "Union");
    }
    w
}

/// The hub and a device, both mutably.
fn pair(reps: &mut [Replica], dev: usize) -> (&mut Replica, &mut Replica) {
    let (h, rest) = reps.split_at_mut(1);
    (&mut h[0], &mut rest[dev - 1])
}

/// What a transport does to bytes: the envelope is encoded and decoded on its way.
fn wire(e: &Envelope) -> Envelope {
    Envelope::decode(&e.encode().unwrap()).unwrap()
}

/// A reliable sync in a new session (as the HTTP client and the hub start one), until neither
/// side has anything to say; a session that does not settle within [`MAX_ROUNDS`] round trips
/// fails. Nothing may be refused. Returns the records written on either side.
fn heal(w: &mut World, dev: usize) -> usize {
    let (hub, d) = pair(&mut w.reps, dev);
    let peer = d.peer();
    d.ledger.sync_reset("hub").unwrap();
    hub.ledger.sync_reset(&peer).unwrap();
    let mut records = 0;
    for _ in 1..=MAX_ROUNDS {
        let up = d.ledger.sync_outgoing("hub", &Scope::Everything).unwrap();
        let (report, down) = hub
            .ledger
            .sync_exchange(&peer, &wire(&up), &d.scope)
            .unwrap();
        assert!(
            report.refused.is_empty(),
            "the hub refused from device {dev} while healing: {:?}",
            report.refused
        );
        let r = d
            .ledger
            .sync_incoming("hub", &wire(&down), &Scope::Everything)
            .unwrap();
        assert!(
            r.refused.is_empty(),
            "device {dev} refused from the hub while healing: {:?}",
            r.refused
        );
        records += report.records + r.records;
        if up.items.is_empty() && down.items.is_empty() {
            return records;
        }
    }
    panic!("device {dev} and the hub still had something to say after {MAX_ROUNDS} round trips");
}

/// One exchange over the misbehaving transport. Refusals are counted, not failures: a season
/// document may arrive before the registry it refers to when envelopes are lost or reordered.
fn link(w: &mut World, dev: usize, up: Fate, down: Fate, release: bool) {
    let (hub, d) = pair(&mut w.reps, dev);
    let peer = d.peer();
    let fresh = d.ledger.sync_outgoing("hub", &Scope::Everything).unwrap();
    let mut to_hub = Vec::new();
    match up {
        Fate::Deliver => to_hub.push(fresh),
        Fate::Duplicate => to_hub.extend([fresh.clone(), fresh]),
        Fate::Drop => {}
        Fate::Hold => d.up.push(fresh),
    }
    if release {
        to_hub.append(&mut d.up);
    }
    let mut to_dev = Vec::new();
    for e in to_hub {
        let (report, answer) = hub
            .ledger
            .sync_exchange(&peer, &wire(&e), &d.scope)
            .unwrap();
        w.refusals += report.refused.len();
        match down {
            Fate::Deliver => to_dev.push(answer),
            Fate::Duplicate => to_dev.extend([answer.clone(), answer]),
            Fate::Drop => {}
            Fate::Hold => d.down.push(answer),
        }
    }
    if release {
        to_dev.append(&mut d.down);
    }
    for e in to_dev {
        let r = d
            .ledger
            .sync_incoming("hub", &wire(&e), &Scope::Everything)
            .unwrap();
        w.refusals += r.refused.len();
    }
}

// ---------------------------------------------------------------------------------------------
// Use cases on a replica

fn ids(l: &Ledger, table: Table) -> Vec<String> {
    let mut v: Vec<String> = l
        .db()
        .list_rows(table, u32::MAX)
        .unwrap()
        .into_iter()
        .filter_map(|r| r.get("id").and_then(Value::as_str).map(str::to_owned))
        .collect();
    v.sort();
    v
}

fn pick<T: Clone>(v: &[T], i: usize) -> Option<T> {
    if v.is_empty() {
        None
    } else {
        v.get(i % v.len()).cloned()
    }
}

/// The replica's contracts whose state passes `keep`, sorted by id.
fn contracts(l: &Ledger, keep: impl Fn(ContractState) -> bool) -> Vec<Contract> {
    ids(l, Table::Contracts)
        .iter()
        .filter_map(|id| l.db().contract(id.parse().unwrap()).unwrap())
        .filter(|c| keep(c.state))
        .collect()
}

fn members(l: &Ledger) -> Vec<Member> {
    let mut v = l.db().members(None).unwrap();
    v.sort_by_key(|m| m.id);
    v
}

/// Runs `op` on replica `at`; a refusal (unknown there yet, above the advance due, a transition
/// not allowed…) is simply skipped. Saved money records go to the model.
fn apply(w: &mut World, at: usize, op: &Op) {
    let camp = w.camp;
    let product = w.product;
    let coops = w.reps[at].coops.clone();
    let actor = w.reps[at].actor;
    let n = &mut w.next_id;
    let l = &mut w.reps[at].ledger;
    match *op {
        Op::Register { coop, number } => {
            let Some(c) = pick(&coops, coop) else { return };
            let code = if c == w.coops[0] {
                w.codes[0]
            } else {
                w.codes[1]
            };
            let id: MemberId = fresh_id(n);
            let _ = l.run(&actor, |tx| {
                tx.register_member(
                    NewMember {
                        id: Some(id),
                        cooperative_id: c,
                        number: format!("{code}-{number:04}"),
                        full_name: format!("Membre {id}"),
                        sex: Sex::Male,
                        birth_year: None,
                        village: "Dioro".into(),
                        phone: None,
                        nina: None,
                        crops: vec![],
                    },
                    true,
                )
            });
        }
        Op::Request {
            member,
            tenths,
            day,
        } => {
            let Some(m) = pick(&members(l), member) else {
                return;
            };
            let id: ContractId = fresh_id(n);
            let _ = l.run(&actor, |tx| {
                tx.request_contract(RequestContract {
                    id: Some(id),
                    member_id: m.id,
                    campaign_id: camp,
                    crop: Crop::PaddyRice,
                    committed: Kg::from_tenths(tenths)?,
                    date: d(2026, 5, day),
                })
            });
        }
        Op::Approve { contract } => {
            let Some(c) = pick(&contracts(l, |s| s == ContractState::Requested), contract) else {
                return;
            };
            let _ = l.run(&actor, |tx| tx.approve_contract(c.id, d(2026, 5, 25)));
        }
        Op::Cancel { contract } => {
            let Some(c) = pick(&contracts(l, |_| true), contract) else {
                return;
            };
            let _ = l.run(&actor, |tx| {
                tx.decide_contract(c.id, Decision::Cancel, d(2026, 5, 26))
            });
        }
        Op::Disburse { contract, pct, day } => {
            let Some(c) = pick(&contracts(l, ContractState::accepts_disbursement), contract) else {
                return;
            };
            let id: DisbursementId = fresh_id(n);
            let r = l.run(&actor, |tx| {
                let (due, already) = tx.advance_position(c.id)?;
                let room = due.francs() - already.francs();
                let amount = (room * i64::from(pct) / 100).max(1);
                tx.disburse_advance(DisburseAdvance {
                    id: Some(id),
                    contract_id: c.id,
                    amount: Money::from_francs(amount)?,
                    date: d(2026, 6, 1) + Days::new(day),
                    mode: PayMode::Cash,
                })
            });
            if let Ok(x) = r {
                w.model
                    .disbursed
                    .insert(x.id.to_string(), x.amount.francs());
            }
        }
        Op::Deliver {
            contract,
            bags,
            gross_t,
            moisture_t,
            impurity_t,
            day,
        } => {
            let Some(c) = pick(&contracts(l, ContractState::accepts_delivery), contract) else {
                return;
            };
            let m = l.db().member(c.member_id).unwrap().unwrap();
            let wh = w.warehouses[&m.cooperative_id];
            let id: DeliveryId = fresh_id(n);
            let r = l.run(&actor, |tx| {
                tx.record_delivery(RecordDelivery {
                    id: Some(id),
                    member_id: m.id,
                    contract_id: c.id,
                    warehouse_id: wh,
                    bags,
                    gross: Kg::from_tenths(gross_t)?,
                    moisture: Percent::from_tenths(moisture_t)?,
                    impurity: Percent::from_tenths(impurity_t)?,
                    date: d(2026, 11, day),
                })
            });
            if let Ok(x) = r {
                w.model
                    .accepted
                    .insert(x.id.to_string(), x.accepted.tenths());
            }
        }
        Op::Distribute {
            member,
            bags,
            cash_pct,
        } => {
            let Some(m) = pick(&members(l), member) else {
                return;
            };
            let id: DistributionId = fresh_id(n);
            let cost = 15_500 * i64::from(bags);
            let cash = cost * i64::from(cash_pct) / 100;
            let r = l.run(&actor, |tx| {
                tx.distribute_fertilizer(DistributeFertilizer {
                    id: Some(id),
                    member_id: m.id,
                    campaign_id: camp,
                    product_id: product,
                    bags,
                    cash_paid: Money::from_francs(cash)?,
                    date: d(2026, 6, 10),
                })
            });
            if let Ok(x) = r {
                w.model.credit.insert(x.id.to_string(), cost - cash);
            }
        }
        Op::Reverse { pick: i } => {
            let mut targets: Vec<(RecordKind, String)> = Vec::new();
            for (kind, table) in [
                (RecordKind::Disbursement, Table::Disbursements),
                (RecordKind::Delivery, Table::Deliveries),
                (RecordKind::Distribution, Table::FertilizerDistributions),
            ] {
                for id in ids(l, table) {
                    if l.db().reversal_of(&id).unwrap().is_none() {
                        targets.push((kind, id));
                    }
                }
            }
            let Some((kind, target)) = pick(&targets, i) else {
                return;
            };
            let id: ReversalId = fresh_id(n);
            let r = l.run(&actor, |tx| {
                tx.reverse(Reverse {
                    id: Some(id),
                    target_kind: kind,
                    target_id: target.clone(),
                    reason: "erreur de saisie".into(),
                    date: d(2026, 12, 1),
                })
            });
            if r.is_ok() {
                w.model.reversed.insert(target);
            }
        }
        Op::Correct {
            member,
            field,
            value,
        } => {
            let Some(m) = pick(&members(l), member) else {
                return;
            };
            let mut cmd = CorrectMember {
                id: Some(fresh_id(n)),
                member_id: m.id,
                reason: "fiche vérifiée".into(),
                ..CorrectMember::default()
            };
            match field {
                // a value shared by several members makes look-alikes; 4 clears the phone
                0 => cmd.phone = Some((value < 4).then(|| format!("+2237600000{value}"))),
                1 => {
                    cmd.village = Some(
                        ["Dioro", "Sibila", "Markala", "Kolongo", "Sama"][usize::from(value)]
                            .into(),
                    )
                }
                _ => cmd.full_name = Some(format!("Membre corrigé {value}")),
            }
            // refused when it changes nothing: skipped
            let _ = l.run(&actor, |tx| tx.correct_member(cmd));
        }
        Op::Depart { member, deceased } => {
            let Some(m) = pick(&members(l), member) else {
                return;
            };
            let id = fresh_id(n);
            let _ = l.run(&actor, |tx| {
                tx.member_departed(MemberDeparted {
                    id: Some(id),
                    member_id: m.id,
                    status: if deceased {
                        MemberStatus::Deceased
                    } else {
                        MemberStatus::Left
                    },
                    on: tx.now().date_naive(),
                    reason: "départ signalé".into(),
                })
            });
        }
    }
}

// ---------------------------------------------------------------------------------------------
// What must hold after healing

/// The hub's projection restricted to the union document and the documents of `coops`.
fn visible(hub: &Ledger, coops: &[CooperativeId]) -> Vec<String> {
    let db = hub.db();
    hub.db()
        .projection_dump()
        .unwrap()
        .into_iter()
        .filter(|line| {
            let (table, json) = line.split_once(':').unwrap();
            let table = Table::from_name(table).unwrap();
            let row: Map<String, Value> = serde_json::from_str(json).unwrap();
            match route(&db, table, &row).unwrap() {
                DocId::Union => true,
                doc => doc.cooperative().is_some_and(|c| coops.contains(&c)),
            }
        })
        .collect()
}

/// The figures of one cooperative on one replica: settlement lines and totals, campaign
/// progress lines.
fn figures(
    w: &World,
    at: usize,
    k: usize,
) -> (
    Vec<reports::MemberLine>,
    Option<reports::Totals>,
    Vec<reports::ProgressLine>,
) {
    let db = w.reps[at].ledger.db();
    let code = w.codes[k];
    let s = settle_campaign(&db, w.camp, d(2027, 1, 15)).unwrap();
    let r = campaign_report(&db, w.camp).unwrap();
    (
        s.members
            .into_iter()
            .filter(|m| m.cooperative == code)
            .collect(),
        s.cooperatives.get(code).cloned(),
        r.lines
            .into_iter()
            .filter(|l| l.cooperative == code)
            .collect(),
    )
}

/// Asserts that device `dev` holds exactly the rows `want` (of `whose`), showing the difference.
fn same(want: &[String], got: &[String], whose: &str, dev: usize) {
    let missing: Vec<&String> = want.iter().filter(|r| !got.contains(r)).collect();
    let extra: Vec<&String> = got.iter().filter(|r| !want.contains(r)).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "device {dev} differs from {whose}\nonly on {whose}: {missing:#?}\nonly on device {dev}: {extra:#?}"
    );
}

fn check(w: &World) {
    let hub = &w.reps[HUB].ledger;
    let dumps: Vec<Vec<String>> = w
        .reps
        .iter()
        .map(|r| r.ledger.db().projection_dump().unwrap())
        .collect();
    for dev in 1..=DEVICES {
        same(
            &visible(hub, &w.reps[dev].coops),
            &dumps[dev],
            "the hub",
            dev,
        );
        for other in dev + 1..=DEVICES {
            if w.reps[other].coops == w.reps[dev].coops {
                same(&dumps[other], &dumps[dev], &format!("device {other}"), dev);
            }
        }
    }
    for (k, coop) in w.coops.iter().enumerate() {
        let want = figures(w, HUB, k);
        for at in 1..=DEVICES {
            if w.reps[at].coops.contains(coop) {
                assert_eq!(
                    figures(w, at, k),
                    want,
                    "figures of {} on device {at}",
                    w.codes[k]
                );
            }
        }
    }
    // the hub holds every money record saved anywhere, the reversed left out
    let m = &w.model;
    let kept = |map: &BTreeMap<String, i64>| -> i64 {
        map.iter()
            .filter(|(id, _)| !m.reversed.contains(*id))
            .map(|(_, v)| v)
            .sum()
    };
    let s = hub.settle_campaign(w.camp, d(2027, 1, 15)).unwrap();
    assert_eq!(s.totals.advances.francs(), kept(&m.disbursed), "advances");
    assert_eq!(s.totals.accepted.tenths(), kept(&m.accepted), "accepted kg");
    assert_eq!(
        s.totals.fertilizer_credit.francs(),
        kept(&m.credit),
        "fertilizer credit"
    );
    for (table, map) in [
        (Table::Disbursements, &m.disbursed),
        (Table::Deliveries, &m.accepted),
        (Table::FertilizerDistributions, &m.credit),
    ] {
        let there: BTreeSet<String> = ids(hub, table).into_iter().collect();
        let saved: BTreeSet<String> = map.keys().cloned().collect();
        assert_eq!(there, saved, "{} on the hub", table.name());
    }
    let reversed: BTreeSet<String> = hub
        .db()
        .list_rows(Table::Reversals, u32::MAX)
        .unwrap()
        .into_iter()
        .filter_map(|r| {
            r.get("target_id")
                .and_then(Value::as_str)
                .map(str::to_owned)
        })
        .collect();
    assert_eq!(reversed, m.reversed, "reversed records on the hub");
}

fn run(steps: &[Step]) -> World {
    let mut w = world();
    for s in steps {
        match s {
            Step::Op { at, op } => apply(&mut w, *at, op),
            Step::Link {
                dev,
                up,
                down,
                release,
            } => link(&mut w, *dev, *up, *down, *release),
            Step::Reset {
                dev,
                device_side,
                hub_side,
            } => {
                let peer = w.reps[*dev].peer();
                if *device_side {
                    // the laptop restarted: its session and the documents it held in memory
                    // are gone (what comes next merges without them when it can)
                    w.reps[*dev].ledger.sync_reset("hub").unwrap();
                    w.reps[*dev].ledger.engine().unwrap().invalidate();
                }
                if *hub_side {
                    w.reps[HUB].ledger.sync_reset(&peer).unwrap();
                }
            }
        }
    }
    // healing: what the transport still holds is lost; two reliable passes over every device
    for r in &mut w.reps {
        r.up.clear();
        r.down.clear();
    }
    // the next morning: every laptop started again, nothing of it in memory
    for dev in 1..=DEVICES {
        w.reps[dev].ledger.engine().unwrap().invalidate();
    }
    for _ in 0..2 {
        for dev in 1..=DEVICES {
            heal(&mut w, dev);
        }
    }
    // and now nobody has anything new for anybody
    for dev in 1..=DEVICES {
        assert_eq!(
            heal(&mut w, dev),
            0,
            "device {dev} still merging after healing"
        );
    }
    check(&w);
    w
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(40))]

    #[test]
    fn replicas_converge_over_a_lossy_transport(steps in proptest::collection::vec(step(), 1..36)) {
        run(&steps);
    }
}

/// A fixed scenario through the same harness: concurrent work on the two devices sharing a
/// cooperative (one member's phone corrected differently on both, her village on one, another
/// member leaving), every kind of transport fault, then healing.
#[test]
fn a_fixed_lossy_scenario_converges() {
    use Fate::*;
    let op = |at, op| Step::Op { at, op };
    let link = |dev, up, down, release| Step::Link {
        dev,
        up,
        down,
        release,
    };
    let w = run(&[
        op(1, Op::Register { coop: 0, number: 1 }),
        op(2, Op::Register { coop: 0, number: 1 }),
        op(
            1,
            Op::Disburse {
                contract: 0,
                pct: 50,
                day: 1,
            },
        ),
        op(
            2,
            Op::Disburse {
                contract: 0,
                pct: 60,
                day: 2,
            },
        ),
        link(1, Hold, Deliver, false),
        link(2, Duplicate, Hold, false),
        op(
            1,
            Op::Request {
                member: 0,
                tenths: 5_000,
                day: 3,
            },
        ),
        link(1, Deliver, Drop, true),
        op(CTC, Op::Approve { contract: 0 }),
        link(CTC, Deliver, Deliver, false),
        op(2, Op::Reverse { pick: 0 }),
        op(
            1,
            Op::Deliver {
                contract: 1,
                bags: 10,
                gross_t: 6_000,
                moisture_t: 140,
                impurity_t: 10,
                day: 3,
            },
        ),
        Step::Reset {
            dev: 2,
            device_side: true,
            hub_side: false,
        },
        op(
            1,
            Op::Correct {
                member: 0,
                field: 0,
                value: 1,
            },
        ),
        op(
            2,
            Op::Correct {
                member: 0,
                field: 0,
                value: 2,
            },
        ),
        op(
            2,
            Op::Correct {
                member: 0,
                field: 1,
                value: 1,
            },
        ),
        op(
            1,
            Op::Depart {
                member: 1,
                deceased: false,
            },
        ),
        link(2, Deliver, Duplicate, true),
        link(1, Drop, Hold, false),
    ]);
    assert!(!w.model.disbursed.is_empty());
    // the registry's changes reached every store: the same member's phone is one conflict in
    // the queues of the office and of both devices that corrected it, her village stands
    let first = members(&w.reps[1].ledger)[0].id;
    let gone = members(&w.reps[1].ledger)[1].id;
    let hub = &w.reps[HUB].ledger;
    assert_eq!(
        hub.db()
            .list_rows(Table::RegistryChanges, u32::MAX)
            .unwrap()
            .len(),
        4
    );
    let card = hub.db().member(first).unwrap().unwrap();
    assert!(
        matches!(card.phone.as_deref(), Some("+22376000001" | "+22376000002")),
        "{card:?}"
    );
    assert_eq!(card.village, "Sibila");
    assert_eq!(
        hub.db().member(gone).unwrap().unwrap().status,
        MemberStatus::Left
    );
    for at in [HUB, 1, 2] {
        let q: Vec<_> = w.reps[at]
            .ledger
            .conflicts(true)
            .unwrap()
            .into_iter()
            .filter(|c| c.record_key == first.to_string())
            .collect();
        assert_eq!(q.len(), 1, "replica {at}: {q:?}");
        assert_eq!(q[0].field, "phone", "replica {at}");
    }
}
