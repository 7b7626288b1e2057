//! Shared fixtures for the cross-crate scenarios.

pub mod hubkit;

use chrono::NaiveDate;
use sene_app::org::{NewAgent, NewCooperative, NewMember, NewWarehouse};
use sene_app::season::{NewCampaign, RequestContract};
use sene_app::{Actor, InitUnion, Ledger, Result};
use sene_domain::*;

/// Ids a writer needs.
#[derive(Debug, Clone, Copy)]
pub struct Fixture {
    pub cooperative: CooperativeId,
    pub warehouse: WarehouseId,
    pub member: MemberId,
    pub contract: ContractId,
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

/// Initialises a union with one cooperative, one member and one approved contract with a
/// large commitment, so that many deliveries and small advances can be recorded on it.
///
/// # Errors
/// Use-case errors.
pub fn setup(ledger: &mut Ledger) -> Result<Fixture> {
    let actor = ledger.init(&InitUnion {
        union_name: "Union du test de coupure".into(),
        region: "Ségou".into(),
        agent_name: "Agent Test".into(),
        device_label: "Portable".into(),
        receipt_prefix: "CR".into(),
    })?;
    let (fixture, committee) = ledger.run(&actor, |tx| {
        let coop = tx.add_cooperative(NewCooperative {
            id: None,
            code: "TST".into(),
            name: "Coopérative test".into(),
            village: "Sibila".into(),
            commune: "Sibila".into(),
            cercle: "Ségou".into(),
            region: "Ségou".into(),
        })?;
        let wh = tx.add_warehouse(NewWarehouse {
            id: None,
            cooperative_id: coop.id,
            name: "Magasin".into(),
            capacity: None,
        })?;
        let camp = tx.open_campaign(NewCampaign {
            id: None,
            name: "Riz test".into(),
            family: CropFamily::Rice,
            prices: vec![CropPrice {
                crop: Crop::PaddyRice,
                base_price: Money::from_francs(200)?,
                over_delivery_price: None,
            }],
            advance_share: None,
            fee: FeeModel::None,
            contract_window: (date(2020, 1, 1), date(2035, 12, 31)),
            delivery_window: (date(2020, 1, 1), date(2035, 12, 31)),
            max_moisture: None,
            max_impurity: None,
            bag_tare: None,
            over_delivery_bought: false,
        })?;
        let m = tx.register_member(
            NewMember {
                id: None,
                cooperative_id: coop.id,
                number: "TST-0001".into(),
                full_name: "Awa Coulibaly".into(),
                sex: Sex::Female,
                birth_year: Some(1980),
                village: "Sibila".into(),
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
            committed: Kg::from_kg(500_000)?,
            date: date(2026, 5, 1),
        })?;
        let committee = tx.add_agent(NewAgent {
            id: None,
            name: "Comité test".into(),
            phone: None,
            role: Role::Committee,
            cooperatives: vec![coop.id],
        })?;
        Ok((
            Fixture {
                cooperative: coop.id,
                warehouse: wh.id,
                member: m.id,
                contract: c.id,
            },
            committee.id,
        ))
    })?;
    // maker-checker: the committee approves the contract the agent requested
    let checker = Actor {
        agent: committee,
        device: actor.device,
    };
    ledger.run(&checker, |tx| {
        tx.approve_contract(fixture.contract, date(2026, 5, 2))
    })?;
    Ok(fixture)
}
