//! Group purchase of fertilizer: catalog, members' needs, group orders, purchase orders,
//! receptions, and distribution to members.

use chrono::NaiveDate;
use sene_domain::validate::{self, limits};
use sene_domain::*;
use sene_store::Table;
use serde::{Deserialize, Serialize};

use crate::season::{campaign, member};
use crate::{missing, AppError, Fresh, Result, Tx};

/// Add a product to the catalog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewProduct {
    pub id: Option<ProductId>,
    pub name: String,
    pub bag_weight: Kg,
    pub price_per_bag: Money,
}

/// A member's need.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewNeed {
    pub id: Option<NeedId>,
    pub member_id: MemberId,
    pub campaign_id: CampaignId,
    pub product_id: ProductId,
    pub bags: u32,
}

/// A cooperative's grouped order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewGroupOrder {
    pub id: Option<GroupOrderId>,
    pub cooperative_id: CooperativeId,
    pub campaign_id: CampaignId,
    pub product_id: ProductId,
    pub bags: u32,
    pub date: NaiveDate,
}

/// The union's purchase order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewPurchaseOrder {
    pub id: Option<PurchaseOrderId>,
    pub campaign_id: CampaignId,
    pub supplier: String,
    pub product_id: ProductId,
    pub bags: u32,
    pub unit_cost: Money,
    pub date: NaiveDate,
}

/// A reception at a warehouse.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewReception {
    pub id: Option<ReceptionId>,
    pub purchase_order_id: PurchaseOrderId,
    pub warehouse_id: WarehouseId,
    pub bags_expected: u32,
    pub bags_received: u32,
    pub date: NaiveDate,
    pub note: String,
}

/// Bags handed to a member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DistributeFertilizer {
    pub id: Option<DistributionId>,
    pub member_id: MemberId,
    pub campaign_id: CampaignId,
    pub product_id: ProductId,
    pub bags: u32,
    pub cash_paid: Money,
    pub date: NaiveDate,
}

fn product(tx: &Tx<'_, '_>, id: ProductId) -> Result<FertilizerProduct> {
    tx.db.product(id)?.ok_or_else(|| missing("produit", id))
}

impl Tx<'_, '_> {
    /// Adds a product to the catalog (secretariat).
    ///
    /// # Errors
    /// Validation, [`AppError::IdConflict`].
    pub fn add_product(&self, cmd: NewProduct) -> Result<FertilizerProduct> {
        self.require(self.role.may_configure(), "configurer l'union")?;
        let p = FertilizerProduct {
            id: cmd.id.unwrap_or_default(),
            name: validate::text("nom du produit", &cmd.name, limits::TEXT_MAX)?,
            bag_weight: validate::positive_kg("poids du sac", cmd.bag_weight, 100)?,
            price_per_bag: validate::positive_money(
                "prix du sac",
                cmd.price_per_bag,
                limits::PRICE_PER_BAG_MAX,
            )?,
        };
        let cmd = NewProduct {
            id: Some(p.id),
            ..cmd
        };
        let id = p.id.to_string();
        if self.fresh(
            Table::FertilizerProducts,
            "add_product",
            "produit",
            &id,
            &cmd,
        )? == Fresh::Repeat
        {
            return product(self, p.id);
        }
        self.db.insert_product(&p)?;
        self.audit("add_product", "product", &id, &cmd)?;
        Ok(p)
    }

    /// Records a member's fertilizer need.
    ///
    /// # Errors
    /// Validation, unknown references, [`AppError::IdConflict`].
    pub fn add_need(&self, cmd: NewNeed) -> Result<FertilizerNeed> {
        let n = FertilizerNeed {
            id: cmd.id.unwrap_or_default(),
            member_id: cmd.member_id,
            campaign_id: cmd.campaign_id,
            product_id: cmd.product_id,
            bags: validate::bags("sacs", cmd.bags, false)?,
        };
        let cmd = NewNeed {
            id: Some(n.id),
            ..cmd
        };
        let id = n.id.to_string();
        if self.fresh(Table::FertilizerNeeds, "add_need", "besoin", &id, &cmd)? == Fresh::Repeat {
            return Ok(n);
        }
        member(self.db, n.member_id)?;
        campaign(self.db, n.campaign_id)?;
        product(self, n.product_id)?;
        self.db.insert_need(&n)?;
        self.audit("add_need", "need", &id, &cmd)?;
        Ok(n)
    }

    /// Records a cooperative's grouped order.
    ///
    /// # Errors
    /// Validation, unknown references, [`AppError::IdConflict`].
    pub fn add_group_order(&self, cmd: NewGroupOrder) -> Result<GroupOrder> {
        let g = GroupOrder {
            id: cmd.id.unwrap_or_default(),
            cooperative_id: cmd.cooperative_id,
            campaign_id: cmd.campaign_id,
            product_id: cmd.product_id,
            bags: validate::bags("sacs", cmd.bags, false)?,
            date: cmd.date,
        };
        let cmd = NewGroupOrder {
            id: Some(g.id),
            ..cmd
        };
        let id = g.id.to_string();
        if self.fresh(
            Table::GroupOrders,
            "add_group_order",
            "commande groupée",
            &id,
            &cmd,
        )? == Fresh::Repeat
        {
            return Ok(g);
        }
        self.db
            .cooperative(g.cooperative_id)?
            .ok_or_else(|| missing("coopérative", g.cooperative_id))?;
        campaign(self.db, g.campaign_id)?;
        product(self, g.product_id)?;
        self.db.insert_group_order(&g)?;
        self.audit("add_group_order", "group_order", &id, &cmd)?;
        Ok(g)
    }

    /// Records the union's purchase order to a supplier (secretariat).
    ///
    /// # Errors
    /// Validation, unknown references, [`AppError::IdConflict`].
    pub fn add_purchase_order(&self, cmd: NewPurchaseOrder) -> Result<PurchaseOrder> {
        self.require(self.role.may_configure(), "configurer l'union")?;
        let p = PurchaseOrder {
            id: cmd.id.unwrap_or_default(),
            campaign_id: cmd.campaign_id,
            supplier: validate::text("fournisseur", &cmd.supplier, limits::TEXT_MAX)?,
            product_id: cmd.product_id,
            bags: if cmd.bags == 0 || cmd.bags > 1_000_000 {
                return Err(DomainError::OutOfRange {
                    field: "sacs commandés",
                    value: cmd.bags.to_string(),
                    min: "1".into(),
                    max: "1000000".into(),
                }
                .into());
            } else {
                cmd.bags
            },
            unit_cost: validate::positive_money(
                "coût du sac",
                cmd.unit_cost,
                limits::PRICE_PER_BAG_MAX,
            )?,
            date: cmd.date,
        };
        let cmd = NewPurchaseOrder {
            id: Some(p.id),
            ..cmd
        };
        let id = p.id.to_string();
        if self.fresh(
            Table::PurchaseOrders,
            "add_purchase_order",
            "bon de commande",
            &id,
            &cmd,
        )? == Fresh::Repeat
        {
            return self
                .db
                .purchase_order(p.id)?
                .ok_or_else(|| missing("bon de commande", p.id));
        }
        campaign(self.db, p.campaign_id)?;
        product(self, p.product_id)?;
        self.db.insert_purchase_order(&p)?;
        self.audit("add_purchase_order", "purchase_order", &id, &cmd)?;
        Ok(p)
    }

    /// Records bags received at a warehouse (a shortfall is noted as expected − received).
    ///
    /// # Errors
    /// Validation, more bags received than ordered, unknown references.
    pub fn receive_fertilizer(&self, cmd: NewReception) -> Result<Reception> {
        let r = Reception {
            id: cmd.id.unwrap_or_default(),
            purchase_order_id: cmd.purchase_order_id,
            warehouse_id: cmd.warehouse_id,
            bags_expected: cmd.bags_expected,
            bags_received: cmd.bags_received,
            date: cmd.date,
            note: validate::optional_text("note", &cmd.note, limits::NOTE_MAX)?,
        };
        let cmd = NewReception {
            id: Some(r.id),
            ..cmd
        };
        let id = r.id.to_string();
        if self.fresh(
            Table::Receptions,
            "receive_fertilizer",
            "réception",
            &id,
            &cmd,
        )? == Fresh::Repeat
        {
            return Ok(r);
        }
        let po = self
            .db
            .purchase_order(r.purchase_order_id)?
            .ok_or_else(|| missing("bon de commande", r.purchase_order_id))?;
        self.db
            .warehouse(r.warehouse_id)?
            .ok_or_else(|| missing("magasin", r.warehouse_id))?;
        if r.bags_expected == 0 || r.bags_received > r.bags_expected {
            return Err(AppError::Mismatch(format!(
                "sacs reçus ({}) supérieurs aux sacs attendus ({}) ou aucun sac attendu",
                r.bags_received, r.bags_expected
            )));
        }
        let already = self.db.received_on(po.id)?;
        if already + i64::from(r.bags_received) > i64::from(po.bags) {
            return Err(AppError::AboveAvailable {
                what: "sacs reçus sur le bon de commande",
                requested: r.bags_received.to_string(),
                available: (i64::from(po.bags) - already).to_string(),
            });
        }
        self.db.insert_reception(&r)?;
        self.audit("receive_fertilizer", "reception", &id, &cmd)?;
        Ok(r)
    }

    /// Hands fertilizer bags to a member at the catalog price; what is not paid in cash is
    /// credit deducted at settlement.
    ///
    /// # Errors
    /// Validation, cash above cost, a date outside the campaign, unknown references,
    /// [`AppError::IdConflict`].
    pub fn distribute_fertilizer(
        &self,
        cmd: DistributeFertilizer,
    ) -> Result<FertilizerDistribution> {
        let id = cmd.id.unwrap_or_default();
        let cmd = DistributeFertilizer {
            id: Some(id),
            ..cmd
        };
        if self.fresh(
            Table::FertilizerDistributions,
            "distribute_fertilizer",
            "distribution",
            &id.to_string(),
            &cmd,
        )? == Fresh::Repeat
        {
            return self
                .db
                .distribution(id)?
                .ok_or_else(|| missing("distribution", id));
        }
        validate::bags("sacs remis", cmd.bags, false)?;
        validate::non_negative_money("payé comptant", cmd.cash_paid, limits::MEMBER_MONEY_MAX)?;
        let m = member(self.db, cmd.member_id)?;
        let camp = campaign(self.db, cmd.campaign_id)?;
        camp.season().check("date de distribution", cmd.date)?;
        let p = product(self, cmd.product_id)?;
        let cost = rules::fertilizer_cost(cmd.bags, p.price_per_bag)?;
        validate::positive_money("coût des sacs", cost, limits::MEMBER_MONEY_MAX)?;
        if cmd.cash_paid > cost {
            return Err(DomainError::CashAboveCost {
                paid: cmd.cash_paid.to_string(),
                cost: cost.to_string(),
            }
            .into());
        }
        let x = FertilizerDistribution {
            id,
            member_id: m.id,
            campaign_id: camp.id,
            product_id: p.id,
            bags: cmd.bags,
            price_per_bag: p.price_per_bag,
            cash_paid: cmd.cash_paid,
            date: cmd.date,
            recorded: self.recorded()?,
        };
        self.db.insert_distribution(&x)?;
        self.audit(
            "distribute_fertilizer",
            "distribution",
            &id.to_string(),
            &cmd,
        )?;
        Ok(x)
    }
}
