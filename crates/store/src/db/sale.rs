//! Sale lots, device revocations, warehouse stock, lenders and credit lines, fund
//! allocations and balance payments.

use rusqlite::{params, OptionalExtension};
use sene_domain::*;

use super::{Db, Table, NOT_REVERSED, R};
use crate::codec::{d, ts, RowExt};

impl Db<'_> {
    /// Inserts a sale lot and its sources.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn insert_sale_lot(&self, x: &SaleLot) -> R<()> {
        self.conn.execute(
            "INSERT INTO sale_lots (id, campaign_id, crop, buyer, price_per_kg, costs, date, paid) VALUES (?1,?2,?3,?4,?5,?6,?7,?8)",
            params![x.id.to_string(), x.campaign_id.to_string(), x.crop.code(), x.buyer, x.price_per_kg.francs(), x.costs.francs(), d(x.date), x.paid],
        )?;
        for s in &x.sources {
            self.conn.execute(
                "INSERT INTO sale_lot_sources (lot_id, warehouse_id, kg_t) VALUES (?1,?2,?3)",
                params![x.id.to_string(), s.warehouse_id.to_string(), s.kg.tenths()],
            )?;
        }
        Ok(())
    }

    /// Marks a sale lot paid (the only change a lot accepts).
    ///
    /// # Errors
    /// SQLite errors.
    pub fn mark_lot_paid(&self, id: SaleLotId) -> R<bool> {
        Ok(self.conn.execute(
            "UPDATE sale_lots SET paid = 1 WHERE id = ?1 AND paid = 0",
            [id.to_string()],
        )? > 0)
    }

    /// Marks a device revoked in the union document (kept once: the first time stays).
    ///
    /// # Errors
    /// SQLite errors.
    pub fn mark_device_revoked(&self, id: DeviceId, at: &str) -> R<bool> {
        Ok(self.conn.execute(
            "UPDATE devices SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL",
            params![id.to_string(), at],
        )? > 0)
    }

    /// When the union document says a device was revoked, if it was.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn device_revoked_at(&self, id: &str) -> R<Option<String>> {
        Ok(self
            .conn
            .query_row("SELECT revoked_at FROM devices WHERE id = ?1", [id], |r| {
                r.get::<_, Option<String>>(0)
            })
            .optional()?
            .flatten())
    }

    /// Stock in a warehouse of a crop: accepted kg of non-voided deliveries − kg of
    /// non-reversed sale lots.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn warehouse_stock(&self, warehouse: WarehouseId, crop: Crop) -> R<Kg> {
        let sql = format!(
            "SELECT (SELECT coalesce(sum(accepted_t),0) FROM deliveries x WHERE warehouse_id = ?1 AND crop = ?2 AND {NOT_REVERSED})
                  - (SELECT coalesce(sum(s.kg_t),0) FROM sale_lot_sources s JOIN sale_lots x ON x.id = s.lot_id
                     WHERE s.warehouse_id = ?1 AND x.crop = ?2 AND {NOT_REVERSED})"
        );
        let v: i64 =
            self.conn
                .query_row(&sql, params![warehouse.to_string(), crop.code()], |r| {
                    r.get(0)
                })?;
        Ok(Kg::from_tenths(v).unwrap_or(Kg::ZERO))
    }

    /// Inserts a lender.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn insert_lender(&self, x: &Lender) -> R<()> {
        self.conn.execute(
            "INSERT INTO lenders (id, name, kind) VALUES (?1,?2,?3)",
            params![x.id.to_string(), x.name, x.kind.code()],
        )?;
        Ok(())
    }

    /// Inserts a credit line.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn insert_credit_line(&self, x: &CreditLine) -> R<()> {
        self.conn.execute(
            "INSERT INTO credit_lines (id, lender_id, campaign_id, principal, annual_rate, start, maturity, guarantee_share) VALUES (?1,?2,?3,?4,?5,?6,?7,?8)",
            params![x.id.to_string(), x.lender_id.to_string(), x.campaign_id.map(|c| c.to_string()), x.principal.francs(),
                x.annual_rate.as_decimal().to_string(), d(x.start), d(x.maturity), x.guarantee_share.as_decimal().to_string()],
        )?;
        Ok(())
    }

    /// A credit line by id.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn credit_line(&self, id: CreditLineId) -> R<Option<CreditLine>> {
        Ok(self.conn.query_row(
            "SELECT id, lender_id, campaign_id, principal, annual_rate, start, maturity, guarantee_share FROM credit_lines WHERE id = ?1",
            [id.to_string()],
            |r| Ok(CreditLine { id: r.parse(0)?, lender_id: r.parse(1)?, campaign_id: r.opt_parse(2)?, principal: r.money(3)?,
                annual_rate: r.rate(4)?, start: r.date(5)?, maturity: r.date(6)?, guarantee_share: r.rate(7)? })).optional()?)
    }

    /// Σ non-reversed drawdowns on a credit line.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn drawn_on(&self, line: CreditLineId) -> R<i64> {
        let sql = format!("SELECT coalesce(sum(amount),0) FROM drawdowns x WHERE credit_line_id = ?1 AND {NOT_REVERSED}");
        Ok(self
            .conn
            .query_row(&sql, [line.to_string()], |r| r.get(0))?)
    }

    /// Inserts a drawdown.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn insert_drawdown(&self, x: &Drawdown) -> R<()> {
        self.conn.execute(
            "INSERT INTO drawdowns (id, credit_line_id, amount, date) VALUES (?1,?2,?3,?4)",
            params![
                x.id.to_string(),
                x.credit_line_id.to_string(),
                x.amount.francs(),
                d(x.date)
            ],
        )?;
        Ok(())
    }

    /// Inserts a lender repayment.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn insert_repayment(&self, x: &LenderRepayment) -> R<()> {
        self.conn.execute(
            "INSERT INTO lender_repayments (id, credit_line_id, principal, interest, date) VALUES (?1,?2,?3,?4,?5)",
            params![x.id.to_string(), x.credit_line_id.to_string(), x.principal.francs(), x.interest.francs(), d(x.date)],
        )?;
        Ok(())
    }

    /// Inserts a fund allocation.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn insert_allocation(&self, x: &FundAllocation) -> R<()> {
        self.conn.execute(
            "INSERT INTO fund_allocations (id, campaign_id, agent_id, cooperative_id, amount, date) VALUES (?1,?2,?3,?4,?5,?6)",
            params![x.id.to_string(), x.campaign_id.to_string(), x.agent_id.to_string(), x.cooperative_id.to_string(), x.amount.francs(), d(x.date)],
        )?;
        Ok(())
    }

    /// Inserts a balance payment.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn insert_payment(&self, x: &BalancePayment) -> R<()> {
        self.conn.execute(
            "INSERT INTO balance_payments (id, member_id, campaign_id, amount, date, mode, agent_id, device_id, receipt, recorded_at) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10)",
            params![x.id.to_string(), x.member_id.to_string(), x.campaign_id.to_string(), x.amount.francs(), d(x.date), x.mode.code(),
                x.recorded.agent_id.to_string(), x.recorded.device_id.to_string(), x.recorded.receipt, ts(x.recorded.recorded_at)],
        )?;
        Ok(())
    }

    /// Which table holds a money record of this kind, and the date column.
    #[must_use]
    pub const fn table_of(kind: RecordKind) -> Table {
        match kind {
            RecordKind::Disbursement => Table::Disbursements,
            RecordKind::Delivery => Table::Deliveries,
            RecordKind::Distribution => Table::FertilizerDistributions,
            RecordKind::Allocation => Table::FundAllocations,
            RecordKind::Drawdown => Table::Drawdowns,
            RecordKind::Repayment => Table::LenderRepayments,
            RecordKind::Payment => Table::BalancePayments,
            RecordKind::SaleLot => Table::SaleLots,
        }
    }
}
