//! Fertilizer: products, needs, group and purchase orders, receptions, hand-outs.

use rusqlite::{params, OptionalExtension};
use sene_domain::*;

use super::{Db, R};
use crate::codec::{d, ts, RowExt};

impl Db<'_> {
    /// Inserts a catalog product.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn insert_product(&self, p: &FertilizerProduct) -> R<()> {
        self.conn.execute(
            "INSERT INTO fertilizer_products (id, name, bag_weight_t, price_per_bag) VALUES (?1,?2,?3,?4)",
            params![p.id.to_string(), p.name, p.bag_weight.tenths(), p.price_per_bag.francs()],
        )?;
        Ok(())
    }

    /// A product by id.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn product(&self, id: ProductId) -> R<Option<FertilizerProduct>> {
        Ok(self
            .conn
            .query_row(
                "SELECT id, name, bag_weight_t, price_per_bag FROM fertilizer_products WHERE id = ?1",
                [id.to_string()],
                |r| {
                    Ok(FertilizerProduct {
                        id: r.parse(0)?,
                        name: r.get(1)?,
                        bag_weight: r.kg(2)?,
                        price_per_bag: r.money(3)?,
                    })
                },
            )
            .optional()?)
    }

    /// The fertilizer catalog, by name.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn products(&self) -> R<Vec<FertilizerProduct>> {
        let mut st = self.conn.prepare_cached(
            "SELECT id, name, bag_weight_t, price_per_bag FROM fertilizer_products ORDER BY name, id",
        )?;
        let rows = st.query_map([], |r| {
            Ok(FertilizerProduct {
                id: r.parse(0)?,
                name: r.get(1)?,
                bag_weight: r.kg(2)?,
                price_per_bag: r.money(3)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Inserts a member's need.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn insert_need(&self, n: &FertilizerNeed) -> R<()> {
        self.conn.execute(
            "INSERT INTO fertilizer_needs (id, member_id, campaign_id, product_id, bags) VALUES (?1,?2,?3,?4,?5)",
            params![n.id.to_string(), n.member_id.to_string(), n.campaign_id.to_string(), n.product_id.to_string(), n.bags],
        )?;
        Ok(())
    }

    /// Inserts a group order.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn insert_group_order(&self, g: &GroupOrder) -> R<()> {
        self.conn.execute(
            "INSERT INTO group_orders (id, cooperative_id, campaign_id, product_id, bags, date) VALUES (?1,?2,?3,?4,?5,?6)",
            params![g.id.to_string(), g.cooperative_id.to_string(), g.campaign_id.to_string(), g.product_id.to_string(), g.bags, d(g.date)],
        )?;
        Ok(())
    }

    /// Inserts a purchase order.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn insert_purchase_order(&self, p: &PurchaseOrder) -> R<()> {
        self.conn.execute(
            "INSERT INTO purchase_orders (id, campaign_id, supplier, product_id, bags, unit_cost, date) VALUES (?1,?2,?3,?4,?5,?6,?7)",
            params![p.id.to_string(), p.campaign_id.to_string(), p.supplier, p.product_id.to_string(), p.bags, p.unit_cost.francs(), d(p.date)],
        )?;
        Ok(())
    }

    /// A purchase order by id.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn purchase_order(&self, id: PurchaseOrderId) -> R<Option<PurchaseOrder>> {
        Ok(self.conn.query_row(
            "SELECT id, campaign_id, supplier, product_id, bags, unit_cost, date FROM purchase_orders WHERE id = ?1",
            [id.to_string()],
            |r| Ok(PurchaseOrder { id: r.parse(0)?, campaign_id: r.parse(1)?, supplier: r.get(2)?, product_id: r.parse(3)?,
                bags: r.count(4)?, unit_cost: r.money(5)?, date: r.date(6)? })).optional()?)
    }

    /// Bags already received against a purchase order.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn received_on(&self, po: PurchaseOrderId) -> R<i64> {
        Ok(self.conn.query_row(
            "SELECT coalesce(sum(bags_received), 0) FROM receptions WHERE purchase_order_id = ?1",
            [po.to_string()],
            |r| r.get(0),
        )?)
    }

    /// Inserts a reception.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn insert_reception(&self, x: &Reception) -> R<()> {
        self.conn.execute(
            "INSERT INTO receptions (id, purchase_order_id, warehouse_id, bags_expected, bags_received, date, note) VALUES (?1,?2,?3,?4,?5,?6,?7)",
            params![x.id.to_string(), x.purchase_order_id.to_string(), x.warehouse_id.to_string(), x.bags_expected, x.bags_received, d(x.date), x.note],
        )?;
        Ok(())
    }

    /// Inserts a distribution.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn insert_distribution(&self, x: &FertilizerDistribution) -> R<()> {
        self.conn.execute(
            "INSERT INTO fertilizer_distributions (id, member_id, campaign_id, product_id, bags, price_per_bag, cash_paid, date, agent_id, device_id, receipt, recorded_at) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12)",
            params![x.id.to_string(), x.member_id.to_string(), x.campaign_id.to_string(), x.product_id.to_string(), x.bags,
                x.price_per_bag.francs(), x.cash_paid.francs(), d(x.date),
                x.recorded.agent_id.to_string(), x.recorded.device_id.to_string(), x.recorded.receipt, ts(x.recorded.recorded_at)],
        )?;
        Ok(())
    }

    /// A distribution by id.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn distribution(&self, id: DistributionId) -> R<Option<FertilizerDistribution>> {
        Ok(self.conn.query_row(
            "SELECT id, member_id, campaign_id, product_id, bags, price_per_bag, cash_paid, date, agent_id, device_id, receipt, recorded_at FROM fertilizer_distributions WHERE id = ?1",
            [id.to_string()],
            |r| Ok(FertilizerDistribution {
                id: r.parse(0)?, member_id: r.parse(1)?, campaign_id: r.parse(2)?, product_id: r.parse(3)?, bags: r.count(4)?,
                price_per_bag: r.money(5)?, cash_paid: r.money(6)?, date: r.date(7)?,
                recorded: Recorded { agent_id: r.parse(8)?, device_id: r.parse(9)?, receipt: r.get(10)?, recorded_at: r.instant(11)? },
            })).optional()?)
    }

    /// A balance payment by id.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn payment(&self, id: PaymentId) -> R<Option<BalancePayment>> {
        Ok(self.conn.query_row(
            "SELECT id, member_id, campaign_id, amount, date, mode, agent_id, device_id, receipt, recorded_at FROM balance_payments WHERE id = ?1",
            [id.to_string()],
            |r| Ok(BalancePayment {
                id: r.parse(0)?, member_id: r.parse(1)?, campaign_id: r.parse(2)?, amount: r.money(3)?, date: r.date(4)?, mode: r.parse(5)?,
                recorded: Recorded { agent_id: r.parse(6)?, device_id: r.parse(7)?, receipt: r.get(8)?, recorded_at: r.instant(9)? },
            })).optional()?)
    }
}
