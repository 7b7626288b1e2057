//! Setup: the union, its organisation (cooperatives, warehouses, agents and their devices), the
//! campaigns and the fertilizer catalog, written by the secretariat; the [`World`] the plan
//! and the execution refer to by index.

use std::collections::HashMap;

use sene_domain::*;

use super::asset::{AgentSpec, Asset, CampaignSpec, CoopSpec, SecretariatSpec};
use crate::fertilizer::NewProduct;
use crate::org::{NewAgent, NewCooperative, NewDevice, NewWarehouse};
use crate::season::NewCampaign;
use crate::{Actor, AppError, InitUnion, Ledger, Result};

pub(super) struct CoopW {
    pub(super) id: CooperativeId,
    pub(super) spec: CoopSpec,
    pub(super) warehouses: Vec<WarehouseId>,
    /// The field agent who follows it (the secretariat when none does).
    pub(super) agent: Actor,
    /// Who approves its contracts: its CTC member, else the secretariat.
    pub(super) approver: Actor,
}

pub(super) struct CampW {
    pub(super) campaign: Campaign,
    pub(super) spec: CampaignSpec,
    /// Indices in `World::products`.
    pub(super) fertilizers: Vec<usize>,
}

pub(super) struct ProductW {
    pub(super) id: ProductId,
    pub(super) price: Money,
    pub(super) cost: Money,
}

pub(super) struct World {
    pub(super) sec: Actor,
    pub(super) coops: Vec<CoopW>,
    pub(super) camps: Vec<CampW>,
    pub(super) products: Vec<ProductW>,
}

impl World {
    pub(super) fn camp_by_key(&self, key: &str) -> Result<usize> {
        self.camps
            .iter()
            .position(|c| c.spec.key == key)
            .ok_or_else(|| AppError::Mismatch(format!("campagne « {key} » inconnue")))
    }

    pub(super) fn camp_of_family(&self, f: CropFamily) -> Option<usize> {
        self.camps.iter().position(|c| c.campaign.family == f)
    }
}

pub(super) fn setup(
    ledger: &mut Ledger,
    asset: &Asset,
    coops: &[CoopSpec],
    agents: &[AgentSpec],
    secretariat: &SecretariatSpec,
) -> Result<World> {
    let sec = ledger.init(&InitUnion {
        union_name: asset.union.name.clone(),
        region: asset.union.region.clone(),
        agent_name: secretariat.name.clone(),
        device_label: secretariat.device_label.clone(),
        receipt_prefix: secretariat.receipt_prefix.clone(),
    })?;
    ledger.run(&sec, |tx| {
        let mut ws = Vec::with_capacity(coops.len());
        let mut by_code = HashMap::new();
        for c in coops {
            let coop = tx.add_cooperative(NewCooperative {
                id: None,
                code: c.code.clone(),
                name: c.name.clone(),
                village: c.village.clone(),
                commune: c.commune.clone(),
                cercle: c.cercle.clone(),
                region: c.region.clone(),
            })?;
            let mut warehouses = Vec::new();
            for w in &c.warehouses {
                let capacity = w.capacity_kg.map(Kg::from_kg).transpose()?;
                warehouses.push(
                    tx.add_warehouse(NewWarehouse {
                        id: None,
                        cooperative_id: coop.id,
                        name: w.name.clone(),
                        capacity,
                    })?
                    .id,
                );
            }
            if warehouses.is_empty() {
                return Err(AppError::Mismatch(format!(
                    "la coopérative {} n'a pas de magasin",
                    c.code
                )));
            }
            by_code.insert(coop.code.clone(), ws.len());
            ws.push(CoopW {
                id: coop.id,
                spec: c.clone(),
                warehouses,
                agent: sec,
                approver: sec,
            });
        }
        let mut field_set = vec![false; ws.len()];
        let mut ctc_set = vec![false; ws.len()];
        for a in agents {
            let mut followed = Vec::new();
            for code in &a.cooperatives {
                let i = *by_code.get(code).ok_or_else(|| {
                    AppError::Mismatch(format!("coopérative « {code} » inconnue"))
                })?;
                followed.push(i);
            }
            let agent = tx.add_agent(NewAgent {
                id: None,
                name: a.name.clone(),
                phone: a.phone.clone(),
                role: a.role,
                cooperatives: followed.iter().map(|&i| ws[i].id).collect(),
            })?;
            let device = tx.add_device(NewDevice {
                id: None,
                label: a.device_label.clone(),
                receipt_prefix: a.receipt_prefix.clone(),
            })?;
            let actor = Actor {
                agent: agent.id,
                device: device.id,
            };
            for i in followed {
                match a.role {
                    Role::FieldAgent if !field_set[i] => {
                        ws[i].agent = actor;
                        field_set[i] = true;
                    }
                    Role::Committee if !ctc_set[i] => {
                        ws[i].approver = actor;
                        ctc_set[i] = true;
                    }
                    _ => {}
                }
            }
        }
        let mut products = Vec::new();
        for p in &asset.fertilizers {
            let x = tx.add_product(NewProduct {
                id: None,
                name: p.name.clone(),
                bag_weight: Kg::from_kg(p.bag_kg)?,
                price_per_bag: p.price_per_bag,
            })?;
            products.push(ProductW {
                id: x.id,
                price: x.price_per_bag,
                cost: p.supplier_cost,
            });
        }
        let mut camps = Vec::new();
        for c in &asset.campaigns {
            let campaign = tx.open_campaign(NewCampaign {
                id: None,
                name: c.name.clone(),
                family: c.family,
                prices: c.prices.clone(),
                advance_share: c.advance_share,
                fee: c.fee,
                contract_window: c.contract_window,
                delivery_window: c.delivery_window,
                max_moisture: None,
                max_impurity: None,
                bag_tare: None,
                over_delivery_bought: c.over_delivery_bought,
            })?;
            let mut fertilizers = Vec::new();
            for name in &c.plan.fertilizers {
                let i = asset
                    .fertilizers
                    .iter()
                    .position(|p| &p.name == name)
                    .ok_or_else(|| AppError::Mismatch(format!("engrais « {name} » inconnu")))?;
                fertilizers.push(i);
            }
            camps.push(CampW {
                campaign,
                spec: c.clone(),
                fertilizers,
            });
        }
        Ok(World {
            sec,
            coops: ws,
            camps,
            products,
        })
    })
}
