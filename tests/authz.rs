//! The authorization table: every write path (each projection table a device can fill) ×
//! {foreign cooperative, revoked token, forged actor, a change forged under another device's
//! actor as if relayed for it (no proof of its author), non-secretariat writing the union
//! document, a carried debt or a member merge, a registry change, the federation's read-only
//! token (issue #23: it reads every document of the union and writes none)} is refused (or,
//! for the unproven relay, held back) by the hub, over real HTTP. The test fails if a projection table has
//! no row here, so a new write path cannot be added without deciding its rules.
#![allow(clippy::unwrap_used, clippy::too_many_lines)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use sene_app::fertilizer::*;
use sene_app::finance::*;
use sene_app::org::*;
use sene_app::season::*;
use sene_app::sync::{Scope, FEDERATION_WRITES_NOTHING};
use sene_app::*;
use sene_domain::*;
use sene_fixture::{d, start_hub};
use sene_hub::{client, enroll};
use sene_store::Table;

/// Ids of one cooperative's fixtures.
#[derive(Clone, Copy)]
struct Coop {
    id: CooperativeId,
    member: MemberId,
    contract: ContractId,
    warehouse: WarehouseId,
    disbursement: DisbursementId,
}

#[derive(Clone, Copy)]
struct Fx {
    dio: Coop,
    mkl: Coop,
    camp: CampaignId,
    product: ProductId,
    po: PurchaseOrderId,
    lender: LenderId,
    line: CreditLineId,
    sec: AgentId,
    agent_a: AgentId,
    dev_a: DeviceId,
    dev_b: DeviceId,
    /// The federation's device, paired read-only.
    fed: DeviceId,
}

/// A cooperative, its warehouse and one member.
fn coop(tx: &Tx<'_, '_>, code: &str) -> Result<(CooperativeId, MemberId, WarehouseId)> {
    let c = tx.add_cooperative(NewCooperative {
        id: None,
        code: code.into(),
        name: code.into(),
        village: "V".into(),
        commune: "C".into(),
        cercle: "Ségou".into(),
        region: "Ségou".into(),
    })?;
    let w = tx.add_warehouse(NewWarehouse {
        id: None,
        cooperative_id: c.id,
        name: format!("Magasin {code}"),
        capacity: None,
    })?;
    let m = tx.register_member(
        NewMember {
            id: None,
            cooperative_id: c.id,
            number: format!("{code}-0001"),
            full_name: format!("Membre {code}"),
            sex: Sex::Female,
            birth_year: None,
            village: "V".into(),
            phone: None,
            nina: None,
            crops: vec![],
        },
        true,
    )?;
    Ok((c.id, m.id, w.id))
}

/// The member's contract, requested (approved by another secretariat agent: maker-checker).
fn request(tx: &Tx<'_, '_>, m: MemberId, camp: CampaignId) -> Result<ContractId> {
    Ok(tx
        .request_contract(RequestContract {
            id: None,
            member_id: m,
            campaign_id: camp,
            crop: Crop::PaddyRice,
            committed: Kg::from_kg(10_000)?,
            date: d(2026, 5, 5),
        })?
        .id)
}

/// The contract approved, an advance and a delivery on it.
fn coop_money(
    tx: &Tx<'_, '_>,
    (c, m, w): (CooperativeId, MemberId, WarehouseId),
    k: ContractId,
) -> Result<Coop> {
    tx.approve_contract(k, d(2026, 5, 6))?;
    let x = tx.disburse_advance(DisburseAdvance {
        id: None,
        contract_id: k,
        amount: Money::from_francs(1_000)?,
        date: d(2026, 6, 1),
        mode: PayMode::Cash,
    })?;
    tx.record_delivery(RecordDelivery {
        id: None,
        member_id: m,
        contract_id: k,
        warehouse_id: w,
        bags: 40,
        gross: Kg::from_kg(2_020)?,
        moisture: "14".parse()?,
        impurity: "2".parse()?,
        date: d(2026, 11, 2),
    })?;
    Ok(Coop {
        id: c,
        member: m,
        contract: k,
        warehouse: w,
        disbursement: x.id,
    })
}

/// The office's store, with everything the writers below refer to; the laptops' pairing codes,
/// and the federation's.
fn office(path: &Path) -> (Fx, Vec<(Actor, String)>, String) {
    let mut l = Ledger::open(path).unwrap();
    let sec = l
        .init(&InitUnion {
            union_name: "U".into(),
            region: "Ségou".into(),
            agent_name: "Secrétariat".into(),
            device_label: "Bureau".into(),
            receipt_prefix: "U1".into(),
        })
        .unwrap();
    let (camp, dio0, mkl0, kd, km, sec2) = l
        .run(&sec, |tx| {
            let camp = tx
                .open_campaign(NewCampaign {
                    id: None,
                    name: "Riz".into(),
                    family: CropFamily::Rice,
                    prices: vec![CropPrice {
                        crop: Crop::PaddyRice,
                        base_price: Money::from_francs(200)?,
                        over_delivery_price: None,
                    }],
                    advance_share: None,
                    fee: FeeModel::None,
                    contract_window: (d(2026, 5, 1), d(2026, 8, 31)),
                    delivery_window: (d(2026, 5, 1), d(2027, 3, 31)),
                    max_moisture: None,
                    max_impurity: None,
                    bag_tare: None,
                    over_delivery_bought: false,
                })?
                .id;
            let sec2 = tx.add_agent(NewAgent {
                id: None,
                name: "Secrétariat 2".into(),
                phone: None,
                role: Role::Secretariat,
                cooperatives: vec![],
            })?;
            let dio0 = coop(tx, "DIO")?;
            let mkl0 = coop(tx, "MKL")?;
            let kd = request(tx, dio0.1, camp)?;
            let km = request(tx, mkl0.1, camp)?;
            Ok((camp, dio0, mkl0, kd, km, sec2.id))
        })
        .unwrap();
    // maker-checker: the first secretariat agent requested the contracts, the second approves
    // them and makes the office's records (which the first may then void)
    let checker = Actor {
        agent: sec2,
        device: sec.device,
    };
    let (fx, actors) = l
        .run(&checker, |tx| {
            let dio = coop_money(tx, dio0, kd)?;
            let mkl = coop_money(tx, mkl0, km)?;
            let product = tx
                .add_product(NewProduct {
                    id: None,
                    name: "Urée".into(),
                    bag_weight: Kg::from_kg(50)?,
                    price_per_bag: Money::from_francs(15_000)?,
                })?
                .id;
            let po = tx
                .add_purchase_order(NewPurchaseOrder {
                    id: None,
                    campaign_id: camp,
                    supplier: "S".into(),
                    product_id: product,
                    bags: 100,
                    unit_cost: Money::from_francs(14_000)?,
                    date: d(2026, 5, 10),
                })?
                .id;
            let lender = tx
                .add_lender(NewLender {
                    id: None,
                    name: "Kafo".into(),
                    kind: LenderKind::Microfinance,
                })?
                .id;
            let line = tx
                .add_credit_line(NewCreditLine {
                    id: None,
                    lender_id: lender,
                    campaign_id: Some(camp),
                    principal: Money::from_francs(10_000_000)?,
                    annual_rate: "0.1".parse()?,
                    start: d(2026, 5, 1),
                    maturity: d(2027, 4, 30),
                    guarantee_share: "0.5".parse()?,
                })?
                .id;
            let fed = tx
                .add_device(NewDevice {
                    id: None,
                    label: "Fédération".into(),
                    receipt_prefix: "FD".into(),
                })?
                .id;
            let mut actors = Vec::new();
            for (name, prefix) in [("Awa", "A1"), ("Bintou", "B1"), ("Rokia", "R1")] {
                let a = tx.add_agent(NewAgent {
                    id: None,
                    name: name.into(),
                    phone: None,
                    role: Role::FieldAgent,
                    cooperatives: vec![dio.id],
                })?;
                let dv = tx.add_device(NewDevice {
                    id: None,
                    label: name.into(),
                    receipt_prefix: prefix.into(),
                })?;
                actors.push(Actor {
                    agent: a.id,
                    device: dv.id,
                });
            }
            Ok((
                Fx {
                    dio,
                    mkl,
                    camp,
                    product,
                    po,
                    lender,
                    line,
                    sec: sec.agent,
                    agent_a: actors[0].agent,
                    dev_a: actors[0].device,
                    dev_b: actors[1].device,
                    fed,
                },
                actors,
            ))
        })
        .unwrap();
    let mut out = Vec::new();
    for a in actors {
        let code = enroll::pair(&mut l, a.device, a.agent, &[fx.dio.id])
            .unwrap()
            .code;
        out.push((a, code));
    }
    let fed_code = enroll::pair_federation(&mut l, fx.fed).unwrap().code;
    (fx, out, fed_code)
}

/// Which coop a writer works in.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum In {
    Own,
    Foreign,
}

type Writer = fn(&Tx<'_, '_>, &Fx, In) -> Result<String>;

fn pick(fx: &Fx, w: In) -> Coop {
    if w == In::Own {
        fx.dio
    } else {
        fx.mkl
    }
}

/// One row: a projection table, the writer that fills it, and which attacks apply. `None`
/// writer: no use case writes the table after the union is created (the union row).
/// `secretariat_only`: only the secretariat writes it (the union document, carried debts).
struct Row {
    table: Table,
    secretariat_only: bool,
    has_device: bool,
    writer: Option<Writer>,
}

fn rows() -> Vec<Row> {
    fn r(table: Table, secretariat_only: bool, has_device: bool, writer: Option<Writer>) -> Row {
        Row {
            table,
            secretariat_only,
            has_device,
            writer,
        }
    }
    vec![
        r(Table::Unions, true, false, None),
        r(
            Table::Cooperatives,
            true,
            false,
            Some(|tx, _, _| {
                Ok(tx
                    .add_cooperative(NewCooperative {
                        id: None,
                        code: "NEW".into(),
                        name: "N".into(),
                        village: "V".into(),
                        commune: "C".into(),
                        cercle: "S".into(),
                        region: "S".into(),
                    })?
                    .id
                    .to_string())
            }),
        ),
        r(
            Table::Agents,
            true,
            false,
            Some(|tx, _, _| {
                Ok(tx
                    .add_agent(NewAgent {
                        id: None,
                        name: "Faux agent".into(),
                        phone: None,
                        role: Role::Secretariat,
                        cooperatives: vec![],
                    })?
                    .id
                    .to_string())
            }),
        ),
        r(
            Table::AgentCooperatives,
            true,
            false,
            Some(|tx, fx, _| {
                Ok(format!(
                    "{}/{}",
                    tx.add_agent(NewAgent {
                        id: None,
                        name: "Faux 2".into(),
                        phone: None,
                        role: Role::FieldAgent,
                        cooperatives: vec![fx.mkl.id]
                    })?
                    .id,
                    fx.mkl.id
                ))
            }),
        ),
        r(
            Table::Devices,
            true,
            false,
            Some(|tx, _, _| {
                Ok(tx
                    .add_device(NewDevice {
                        id: None,
                        label: "Faux".into(),
                        receipt_prefix: "ZZ".into(),
                    })?
                    .id
                    .to_string())
            }),
        ),
        r(
            Table::Campaigns,
            true,
            false,
            Some(|tx, _, _| {
                Ok(tx
                    .open_campaign(NewCampaign {
                        id: None,
                        name: "Fausse".into(),
                        family: CropFamily::Shallot,
                        prices: vec![CropPrice {
                            crop: Crop::Shallot,
                            base_price: Money::from_francs(300)?,
                            over_delivery_price: None,
                        }],
                        advance_share: None,
                        fee: FeeModel::None,
                        contract_window: (d(2026, 5, 1), d(2026, 8, 31)),
                        delivery_window: (d(2026, 9, 1), d(2027, 3, 31)),
                        max_moisture: None,
                        max_impurity: None,
                        bag_tare: None,
                        over_delivery_bought: false,
                    })?
                    .id
                    .to_string())
            }),
        ),
        r(
            Table::CampaignPrices,
            true,
            false,
            Some(|tx, _, _| {
                let c = tx.open_campaign(NewCampaign {
                    id: None,
                    name: "Fausse 2".into(),
                    family: CropFamily::Shallot,
                    prices: vec![CropPrice {
                        crop: Crop::Shallot,
                        base_price: Money::from_francs(300)?,
                        over_delivery_price: None,
                    }],
                    advance_share: None,
                    fee: FeeModel::None,
                    contract_window: (d(2026, 5, 1), d(2026, 8, 31)),
                    delivery_window: (d(2026, 9, 1), d(2027, 3, 31)),
                    max_moisture: None,
                    max_impurity: None,
                    bag_tare: None,
                    over_delivery_bought: false,
                })?;
                Ok(format!("{}/shallot", c.id))
            }),
        ),
        r(
            Table::FertilizerProducts,
            true,
            false,
            Some(|tx, _, _| {
                Ok(tx
                    .add_product(NewProduct {
                        id: None,
                        name: "Faux NPK".into(),
                        bag_weight: Kg::from_kg(50)?,
                        price_per_bag: Money::from_francs(1)?,
                    })?
                    .id
                    .to_string())
            }),
        ),
        r(
            Table::PurchaseOrders,
            true,
            false,
            Some(|tx, fx, _| {
                Ok(tx
                    .add_purchase_order(NewPurchaseOrder {
                        id: None,
                        campaign_id: fx.camp,
                        supplier: "X".into(),
                        product_id: fx.product,
                        bags: 5,
                        unit_cost: Money::from_francs(1)?,
                        date: d(2026, 5, 20),
                    })?
                    .id
                    .to_string())
            }),
        ),
        r(
            Table::SaleLots,
            true,
            false,
            Some(|tx, fx, _| {
                Ok(tx
                    .add_sale_lot(NewSaleLot {
                        id: None,
                        campaign_id: fx.camp,
                        crop: Crop::PaddyRice,
                        buyer: "X".into(),
                        sources: vec![LotSource {
                            warehouse_id: fx.dio.warehouse,
                            kg: Kg::from_kg(10)?,
                        }],
                        price_per_kg: Money::from_francs(1)?,
                        costs: Money::ZERO,
                        date: d(2027, 1, 2),
                    })?
                    .id
                    .to_string())
            }),
        ),
        r(
            Table::SaleLotSources,
            true,
            false,
            Some(|tx, fx, _| {
                Ok(format!(
                    "{}/{}",
                    tx.add_sale_lot(NewSaleLot {
                        id: None,
                        campaign_id: fx.camp,
                        crop: Crop::PaddyRice,
                        buyer: "Y".into(),
                        sources: vec![LotSource {
                            warehouse_id: fx.dio.warehouse,
                            kg: Kg::from_kg(10)?
                        }],
                        price_per_kg: Money::from_francs(1)?,
                        costs: Money::ZERO,
                        date: d(2027, 1, 2)
                    })?
                    .id,
                    fx.dio.warehouse
                ))
            }),
        ),
        r(
            Table::Lenders,
            true,
            false,
            Some(|tx, _, _| {
                Ok(tx
                    .add_lender(NewLender {
                        id: None,
                        name: "Faux".into(),
                        kind: LenderKind::Bank,
                    })?
                    .id
                    .to_string())
            }),
        ),
        r(
            Table::CreditLines,
            true,
            false,
            Some(|tx, fx, _| {
                Ok(tx
                    .add_credit_line(NewCreditLine {
                        id: None,
                        lender_id: fx.lender,
                        campaign_id: None,
                        principal: Money::from_francs(1_000)?,
                        annual_rate: "0.1".parse()?,
                        start: d(2026, 5, 1),
                        maturity: d(2027, 4, 30),
                        guarantee_share: "0".parse()?,
                    })?
                    .id
                    .to_string())
            }),
        ),
        r(
            Table::Drawdowns,
            true,
            false,
            Some(|tx, fx, _| {
                Ok(tx
                    .draw(NewDrawdown {
                        id: None,
                        credit_line_id: fx.line,
                        amount: Money::from_francs(1_000)?,
                        date: d(2026, 6, 1),
                    })?
                    .id
                    .to_string())
            }),
        ),
        r(
            Table::LenderRepayments,
            true,
            false,
            Some(|tx, fx, _| {
                Ok(tx
                    .repay_lender(NewRepayment {
                        id: None,
                        credit_line_id: fx.line,
                        principal: Money::from_francs(1_000)?,
                        interest: Money::ZERO,
                        date: d(2026, 6, 1),
                    })?
                    .id
                    .to_string())
            }),
        ),
        r(
            Table::FundAllocations,
            true,
            false,
            Some(|tx, fx, _| {
                Ok(tx
                    .allocate_funds(NewAllocation {
                        id: None,
                        campaign_id: fx.camp,
                        agent_id: fx.agent_a,
                        cooperative_id: fx.dio.id,
                        amount: Money::from_francs(9_999_999)?,
                        date: d(2026, 6, 1),
                    })?
                    .id
                    .to_string())
            }),
        ),
        r(
            Table::Warehouses,
            false,
            false,
            Some(|tx, fx, w| {
                Ok(tx
                    .add_warehouse(NewWarehouse {
                        id: None,
                        cooperative_id: pick(fx, w).id,
                        name: "Faux magasin".into(),
                        capacity: None,
                    })?
                    .id
                    .to_string())
            }),
        ),
        r(
            Table::Members,
            false,
            false,
            Some(|tx, fx, w| {
                Ok(tx
                    .register_member(
                        NewMember {
                            id: None,
                            cooperative_id: pick(fx, w).id,
                            number: "X-9".into(),
                            full_name: "Intrus".into(),
                            sex: Sex::Male,
                            birth_year: None,
                            village: "V".into(),
                            phone: None,
                            nina: None,
                            crops: vec![],
                        },
                        true,
                    )?
                    .id
                    .to_string())
            }),
        ),
        r(
            Table::Contracts,
            false,
            false,
            Some(|tx, fx, w| {
                Ok(tx
                    .request_contract(RequestContract {
                        id: None,
                        member_id: pick(fx, w).member,
                        campaign_id: fx.camp,
                        crop: Crop::PaddyRice,
                        committed: Kg::from_kg(1)?,
                        date: d(2026, 5, 7),
                    })?
                    .id
                    .to_string())
            }),
        ),
        r(
            Table::Disbursements,
            false,
            true,
            Some(|tx, fx, w| {
                Ok(tx
                    .disburse_advance(DisburseAdvance {
                        id: None,
                        contract_id: pick(fx, w).contract,
                        amount: Money::from_francs(7_777)?,
                        date: d(2026, 6, 3),
                        mode: PayMode::Cash,
                    })?
                    .id
                    .to_string())
            }),
        ),
        r(
            Table::Deliveries,
            false,
            true,
            Some(|tx, fx, w| {
                let c = pick(fx, w);
                Ok(tx
                    .record_delivery(RecordDelivery {
                        id: None,
                        member_id: c.member,
                        contract_id: c.contract,
                        warehouse_id: c.warehouse,
                        bags: 1,
                        gross: Kg::from_kg(77)?,
                        moisture: "14".parse()?,
                        impurity: "2".parse()?,
                        date: d(2026, 11, 9),
                    })?
                    .id
                    .to_string())
            }),
        ),
        r(
            Table::FertilizerNeeds,
            false,
            false,
            Some(|tx, fx, w| {
                Ok(tx
                    .add_need(NewNeed {
                        id: None,
                        member_id: pick(fx, w).member,
                        campaign_id: fx.camp,
                        product_id: fx.product,
                        bags: 3,
                    })?
                    .id
                    .to_string())
            }),
        ),
        r(
            Table::GroupOrders,
            false,
            false,
            Some(|tx, fx, w| {
                Ok(tx
                    .add_group_order(NewGroupOrder {
                        id: None,
                        cooperative_id: pick(fx, w).id,
                        campaign_id: fx.camp,
                        product_id: fx.product,
                        bags: 3,
                        date: d(2026, 5, 9),
                    })?
                    .id
                    .to_string())
            }),
        ),
        r(
            Table::Receptions,
            false,
            false,
            Some(|tx, fx, w| {
                Ok(tx
                    .receive_fertilizer(NewReception {
                        id: None,
                        purchase_order_id: fx.po,
                        warehouse_id: pick(fx, w).warehouse,
                        bags_expected: 3,
                        bags_received: 3,
                        date: d(2026, 5, 30),
                        note: String::new(),
                    })?
                    .id
                    .to_string())
            }),
        ),
        r(
            Table::FertilizerDistributions,
            false,
            true,
            Some(|tx, fx, w| {
                Ok(tx
                    .distribute_fertilizer(DistributeFertilizer {
                        id: None,
                        member_id: pick(fx, w).member,
                        campaign_id: fx.camp,
                        product_id: fx.product,
                        bags: 1,
                        cash_paid: Money::ZERO,
                        date: d(2026, 6, 5),
                    })?
                    .id
                    .to_string())
            }),
        ),
        r(
            Table::BalancePayments,
            false,
            true,
            Some(|tx, fx, w| {
                Ok(tx
                    .pay_balance(PayBalance {
                        id: None,
                        member_id: pick(fx, w).member,
                        campaign_id: fx.camp,
                        amount: Money::from_francs(1)?,
                        date: d(2027, 1, 10),
                        mode: PayMode::Cash,
                    })?
                    .id
                    .to_string())
            }),
        ),
        r(
            Table::DebtCarries,
            true,
            false,
            Some(|tx, fx, w| {
                // a carried debt written on the laptop (the office's lock writes them, after
                // a second person's proposal: a laptop has no business writing one)
                let m = pick(fx, w);
                tx.db().put_debt_carry(&DebtCarry {
                    member_id: m.member,
                    campaign_id: fx.camp,
                    amount: Money::from_francs(1_000)?,
                    run_id: SettlementRunId::new(),
                    date: d(2027, 1, 10),
                })?;
                Ok(format!("{}/{}", m.member, fx.camp))
            }),
        ),
        r(
            Table::Reversals,
            false,
            true,
            Some(|tx, fx, w| {
                Ok(tx
                    .reverse(Reverse {
                        id: None,
                        target_kind: RecordKind::Disbursement,
                        target_id: pick(fx, w).disbursement.to_string(),
                        reason: "faux".into(),
                        date: d(2026, 6, 4),
                    })?
                    .id
                    .to_string())
            }),
        ),
        r(
            Table::MemberMerges,
            true,
            true,
            Some(|tx, fx, w| {
                // two registrations of one cooperative declared one person, on the laptop
                let c = pick(fx, w);
                let other = tx
                    .register_member(
                        NewMember {
                            id: None,
                            cooperative_id: c.id,
                            number: "DUP-1".into(),
                            full_name: "Doublon".into(),
                            sex: Sex::Male,
                            birth_year: None,
                            village: "V".into(),
                            phone: None,
                            nina: None,
                            crops: vec![],
                        },
                        true,
                    )?
                    .id;
                let m = MemberMerge {
                    id: MemberMergeId::new(),
                    kind: MergeKind::Merge,
                    kept: c.member,
                    merged: other,
                    reason: "même personne".into(),
                    agent_id: tx.actor().agent,
                    device_id: tx.actor().device,
                    at: tx.now(),
                };
                tx.db().insert_member_merge(&m)?;
                Ok(m.id.to_string())
            }),
        ),
        r(
            Table::RegistryChanges,
            false,
            true,
            Some(|tx, fx, w| {
                // a member's card corrected (issue #18): the change row and the member's field
                Ok(tx
                    .correct_member(sene_app::registry::CorrectMember {
                        member_id: pick(fx, w).member,
                        village: Some("Ailleurs".into()),
                        reason: "faux".into(),
                        ..sene_app::registry::CorrectMember::default()
                    })?
                    .change
                    .id
                    .to_string())
            }),
        ),
        r(
            Table::ConflictResolutions,
            false,
            true,
            Some(|tx, fx, w| {
                // a resolution of a conflict on a contract, written on the laptop
                let r = sene_store::ConflictResolution {
                    id: ResolutionId::new().to_string(),
                    record_table: "contracts".into(),
                    record_key: pick(fx, w).contract.to_string(),
                    kind: "fields".into(),
                    covers: "0123456789abcdef".into(),
                    choice: None,
                    action: "keep".into(),
                    money: false,
                    reason: "faux".into(),
                    agent_id: tx.actor().agent.to_string(),
                    device_id: tx.actor().device.to_string(),
                    resolved_at: tx.now().to_rfc3339(),
                };
                tx.db().insert_conflict_resolution(&r)?;
                // audited as the use case does (the laptop's history grows as with any write)
                tx.db().audit(&sene_store::AuditEntry {
                    at: tx.now(),
                    agent_id: tx.actor().agent,
                    device_id: tx.actor().device,
                    action: "resolve_conflict".into(),
                    record_kind: "conflict".into(),
                    record_id: r.id.clone(),
                    payload: "{}".into(),
                })?;
                Ok(r.id)
            }),
        ),
    ]
}

/// A rogue copy of device A that holds everything (both cooperatives), as if it had got
/// hold of another cooperative's data.
fn rogue(base: &Path, case: &str, dir: &Path) -> Ledger {
    let p: PathBuf = dir.join(format!("{case}.sqlite"));
    for suffix in ["", "-wal"] {
        let mut from = base.as_os_str().to_owned();
        from.push(suffix);
        let mut to = p.as_os_str().to_owned();
        to.push(suffix);
        if Path::new(&from).exists() {
            std::fs::copy(&from, &to).unwrap();
        }
    }
    Ledger::open(&p).unwrap()
}

#[test]
fn every_write_path_is_refused_for_every_attack() {
    let dir = tempfile::tempdir().unwrap();
    let hub_path = dir.path().join("hub.sqlite");
    let (fx, actors, fed_code) = office(&hub_path);
    // the rogue base: device A enrolled, then given both cooperatives' documents in-process
    let base_path = dir.path().join("a.sqlite");
    let addr = start_hub(&hub_path);
    let url = format!("http://{addr}");
    {
        let mut a = Ledger::open(&base_path).unwrap();
        client::enroll(&mut a, &url, actors[0].0.device, &actors[0].1).unwrap();
        client::sync(&mut a, None, &mut |_| {}).unwrap();
        let mut hub = Ledger::open(&hub_path).unwrap();
        for _ in 0..4 {
            let up = a.sync_outgoing("rogue", &Scope::Everything).unwrap();
            let (_, down) = hub.sync_exchange("rogue", &up, &Scope::Everything).unwrap();
            a.sync_incoming("rogue", &down, &Scope::Everything).unwrap();
        }
        assert!(
            a.db().member(fx.mkl.member).unwrap().is_some(),
            "the rogue copy holds MKL"
        );
    }
    // a revoked device, enrolled then revoked
    let revoked_path = dir.path().join("r.sqlite");
    {
        let mut r = Ledger::open(&revoked_path).unwrap();
        client::enroll(&mut r, &url, actors[2].0.device, &actors[2].1).unwrap();
        client::sync(&mut r, None, &mut |_| {}).unwrap();
        let mut hub = Ledger::open(&hub_path).unwrap();
        enroll::revoke(&mut hub, actors[2].0.device).unwrap();
    }

    // the federation, enrolled with its code: it holds every document of the union by right
    let fed_path = dir.path().join("fed.sqlite");
    {
        let mut f = Ledger::open(&fed_path).unwrap();
        client::enroll(&mut f, &url, fx.fed, &fed_code).unwrap();
        let r = client::sync(&mut f, None, &mut |_| {}).unwrap();
        assert!(r.refused_by_hub.is_empty(), "{r:?}");
        assert!(
            f.db().member(fx.mkl.member).unwrap().is_some()
                && f.db().member(fx.dio.member).unwrap().is_some(),
            "the federation reads both cooperatives"
        );
    }

    let table = rows();
    let covered: BTreeSet<&str> = table.iter().map(|r| r.table.name()).collect();
    let all: BTreeSet<&str> = Table::PROJECTION.iter().map(|t| t.name()).collect();
    assert_eq!(
        covered, all,
        "every projection table (write path) needs a row in the authorization table"
    );

    let own = Actor {
        agent: fx.agent_a,
        device: fx.dev_a,
    };
    let mut checked = 0;
    let mut federation = 0;
    for row in &table {
        let Some(writer) = row.writer else { continue };
        let name = row.table.name();
        let mut attacks: Vec<(&str, Actor, In, Option<&Path>)> = Vec::new();
        if row.secretariat_only {
            // the device's agent is a field agent: acting as the secretariat on its own laptop
            attacks.push((
                "non-secretariat writing a secretariat record",
                Actor {
                    agent: fx.sec,
                    device: fx.dev_a,
                },
                In::Own,
                None,
            ));
        } else {
            attacks.push(("foreign cooperative", own, In::Foreign, None));
        }
        if row.has_device {
            attacks.push((
                "forged actor (another device's receipts)",
                Actor {
                    agent: fx.agent_a,
                    device: fx.dev_b,
                },
                In::Own,
                None,
            ));
            // the change itself made under device B's automerge actor, as if relayed for B,
            // with no tag of B's key to prove it: held back, never merged
            attacks.push((
                "forged relay (another device's actor, unproven)",
                Actor {
                    agent: fx.agent_a,
                    device: fx.dev_b,
                },
                In::Own,
                None,
            ));
        }
        let revoked_actor = Actor {
            agent: actors[2].0.agent,
            device: actors[2].0.device,
        };
        let revoked_as = if row.secretariat_only {
            Actor {
                agent: fx.sec,
                device: actors[2].0.device,
            }
        } else {
            revoked_actor
        };
        attacks.push((
            "revoked token",
            revoked_as,
            In::Own,
            Some(revoked_path.as_path()),
        ));
        // the federation's store writing as the secretariat (whose agent it holds), with its
        // read-only token
        attacks.push((
            "federation (read-only token)",
            Actor {
                agent: fx.sec,
                device: fx.fed,
            },
            In::Own,
            Some(fed_path.as_path()),
        ));
        for (what, actor, w, from) in attacks {
            let case = format!("{name}-{}", checked);
            let mut dev = match from {
                Some(p) => rogue(p, &case, dir.path()),
                None => rogue(&base_path, &case, dir.path()),
            };
            if what.starts_with("forged relay") {
                let hex: String = fx
                    .dev_b
                    .as_uuid()
                    .as_bytes()
                    .iter()
                    .map(|b| format!("{b:02x}"))
                    .collect();
                dev.set_setting(sene_store::backup::keys::SYNC_ACTOR, &hex)
                    .unwrap();
            }
            // a write the laptop's own roles refuse (a warehouse) is made as the secretariat there
            let key = dev
                .run(&actor, |tx| writer(tx, &fx, w))
                .or_else(|_| {
                    dev.run(
                        &Actor {
                            agent: fx.sec,
                            ..actor
                        },
                        |tx| writer(tx, &fx, w),
                    )
                })
                .unwrap_or_else(|e| panic!("{name} / {what}: the local write itself failed: {e}"));
            let result = client::sync(&mut dev, Some(&url), &mut |_| {});
            match (what, result) {
                ("revoked token", Err(e)) => {
                    assert!(e.to_string().contains("révoqué"), "{name}: {e}")
                }
                ("revoked token", Ok(r)) => panic!("{name}: a revoked device synced: {r:?}"),
                ("federation (read-only token)", Ok(r)) => {
                    assert!(
                        !r.refused_by_hub.is_empty()
                            && r.refused_by_hub
                                .iter()
                                .all(|x| x.reason == FEDERATION_WRITES_NOTHING),
                        "{name} / {what}: not refused as the federation's: {r:?}"
                    );
                    assert_eq!(r.pushed.records, 0, "{name} / {what}");
                    federation += 1;
                }
                (w, Ok(r)) if w.starts_with("forged relay") => assert!(
                    r.refused_by_hub
                        .iter()
                        .any(|x| x.reason.contains("en attente")),
                    "{name} / {what}: not held back: {r:?}"
                ),
                (_, Ok(r)) => assert!(
                    !r.refused_by_hub.is_empty(),
                    "{name} / {what}: not refused: {r:?}"
                ),
                (_, Err(e)) => panic!("{name} / {what}: sync failed instead of a refusal: {e}"),
            }
            let hub = Ledger::open(&hub_path).unwrap();
            assert!(
                hub.db().row_by_key(row.table, &key).unwrap().is_none(),
                "{name} / {what}: the hub took {key}"
            );
            checked += 1;
        }
    }
    assert!(checked >= 101, "only {checked} cases checked");
    assert_eq!(
        federation,
        table.iter().filter(|r| r.writer.is_some()).count(),
        "every write path is tried from the federation's token"
    );
}
