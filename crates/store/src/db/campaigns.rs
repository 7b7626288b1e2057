//! Campaigns and their prices.

use rusqlite::{params, OptionalExtension};
use sene_domain::*;

use super::{Db, R};
use crate::codec::{d, RowExt};

impl Db<'_> {
    /// Inserts a campaign and its prices.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn insert_campaign(&self, c: &Campaign) -> R<()> {
        let (fee_kind, fee_rate) = match c.fee {
            FeeModel::None => ("none", Rate::ZERO),
            FeeModel::Flat { rate } => ("flat", rate),
            FeeModel::Interest { annual_rate } => ("interest", annual_rate),
        };
        self.conn.execute(
            "INSERT INTO campaigns (id, name, family, advance_share, fee_kind, fee_rate, contract_start, contract_end, delivery_start, delivery_end, max_moisture_t, max_impurity_t, bag_tare_t, over_delivery_bought) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14)",
            params![c.id.to_string(), c.name, c.family.code(), c.advance_share.as_decimal().to_string(),
                fee_kind, fee_rate.as_decimal().to_string(), d(c.contract_window.start), d(c.contract_window.end),
                d(c.delivery_window.start), d(c.delivery_window.end), c.quality.max_moisture.tenths(),
                c.quality.max_impurity.tenths(), c.bag_tare.tenths(), c.over_delivery_bought],
        )?;
        for p in &c.prices {
            self.conn.execute(
                "INSERT INTO campaign_prices (campaign_id, crop, base_price, over_price) VALUES (?1,?2,?3,?4)",
                params![c.id.to_string(), p.crop.code(), p.base_price.francs(), p.over_delivery_price.map(|m| m.francs())],
            )?;
        }
        Ok(())
    }

    /// A campaign by id.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn campaign(&self, id: CampaignId) -> R<Option<Campaign>> {
        let c = self.conn.query_row(
            "SELECT id, name, family, advance_share, fee_kind, fee_rate, contract_start, contract_end, delivery_start, delivery_end, max_moisture_t, max_impurity_t, bag_tare_t, over_delivery_bought FROM campaigns WHERE id = ?1",
            [id.to_string()],
            |r| {
                let kind: String = r.get(4)?;
                let rate = r.rate(5)?;
                Ok(Campaign {
                    id: r.parse(0)?,
                    name: r.get(1)?,
                    family: r.parse(2)?,
                    prices: Vec::new(),
                    advance_share: r.rate(3)?,
                    fee: match kind.as_str() {
                        "flat" => FeeModel::Flat { rate },
                        "interest" => FeeModel::Interest { annual_rate: rate },
                        _ => FeeModel::None,
                    },
                    contract_window: DateWindow { start: r.date(6)?, end: r.date(7)? },
                    delivery_window: DateWindow { start: r.date(8)?, end: r.date(9)? },
                    quality: QualityLimits { max_moisture: r.pct(10)?, max_impurity: r.pct(11)? },
                    bag_tare: r.kg(12)?,
                    over_delivery_bought: r.get(13)?,
                })
            },
        ).optional()?;
        let Some(mut c) = c else { return Ok(None) };
        let mut st = self.conn.prepare_cached(
            "SELECT crop, base_price, over_price FROM campaign_prices WHERE campaign_id = ?1 ORDER BY crop",
        )?;
        c.prices = st
            .query_map([id.to_string()], |r| {
                Ok(CropPrice {
                    crop: r.parse(0)?,
                    base_price: r.money(1)?,
                    over_delivery_price: r.opt_money(2)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(Some(c))
    }

    /// Every campaign id, by name.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn campaign_ids(&self) -> R<Vec<CampaignId>> {
        let mut st = self
            .conn
            .prepare_cached("SELECT id FROM campaigns ORDER BY name")?;
        let rows = st.query_map([], |r| r.parse(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// A campaign id by its name.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn campaign_by_name(&self, name: &str) -> R<Option<CampaignId>> {
        Ok(self
            .conn
            .query_row(
                "SELECT id FROM campaigns WHERE lower(name) = lower(?1)",
                [name.trim()],
                |r| r.parse(0),
            )
            .optional()?)
    }
}
