//! Collective sale, lenders and funds: sale lots, lenders, credit lines, drawdowns,
//! repayments, fund allocations to agents, and balance payments to members.

use chrono::NaiveDate;
use sene_domain::validate::{self, limits};
use sene_domain::*;
use sene_store::Table;
use serde::{Deserialize, Serialize};

use crate::season::{campaign, member};
use crate::{missing, AppError, Fresh, Result, Tx};

/// A sale lot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewSaleLot {
    pub id: Option<SaleLotId>,
    pub campaign_id: CampaignId,
    pub crop: Crop,
    pub buyer: String,
    pub sources: Vec<LotSource>,
    pub price_per_kg: Money,
    pub costs: Money,
    pub date: NaiveDate,
}

/// A lender.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewLender {
    pub id: Option<LenderId>,
    pub name: String,
    pub kind: LenderKind,
}

/// A credit line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewCreditLine {
    pub id: Option<CreditLineId>,
    pub lender_id: LenderId,
    pub campaign_id: Option<CampaignId>,
    pub principal: Money,
    pub annual_rate: Rate,
    pub start: NaiveDate,
    pub maturity: NaiveDate,
    pub guarantee_share: Rate,
}

/// A drawdown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewDrawdown {
    pub id: Option<DrawdownId>,
    pub credit_line_id: CreditLineId,
    pub amount: Money,
    pub date: NaiveDate,
}

/// A repayment to a lender.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewRepayment {
    pub id: Option<RepaymentId>,
    pub credit_line_id: CreditLineId,
    pub principal: Money,
    pub interest: Money,
    pub date: NaiveDate,
}

/// Funds for an agent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewAllocation {
    pub id: Option<AllocationId>,
    pub campaign_id: CampaignId,
    pub agent_id: AgentId,
    pub cooperative_id: CooperativeId,
    pub amount: Money,
    pub date: NaiveDate,
}

/// A balance paid to a member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayBalance {
    pub id: Option<PaymentId>,
    pub member_id: MemberId,
    pub campaign_id: CampaignId,
    pub amount: Money,
    pub date: NaiveDate,
    pub mode: PayMode,
}

impl Tx<'_, '_> {
    /// Records a sale lot taken from warehouses' stock (secretariat).
    ///
    /// # Errors
    /// Validation, more kg than a warehouse holds, unknown references.
    pub fn add_sale_lot(&self, cmd: NewSaleLot) -> Result<SaleLot> {
        self.require(self.role.may_configure(), "configurer l'union")?;
        if cmd.sources.is_empty() {
            return Err(DomainError::EmptyLot.into());
        }
        let lot = SaleLot {
            id: cmd.id.unwrap_or_default(),
            campaign_id: cmd.campaign_id,
            crop: cmd.crop,
            buyer: validate::text("acheteur", &cmd.buyer, limits::TEXT_MAX)?,
            sources: cmd.sources.clone(),
            price_per_kg: validate::positive_money(
                "prix au kg",
                cmd.price_per_kg,
                limits::PRICE_PER_KG_MAX,
            )?,
            costs: validate::non_negative_money("frais", cmd.costs, limits::UNION_MONEY_MAX)?,
            date: cmd.date,
            paid: false,
        };
        let cmd = NewSaleLot {
            id: Some(lot.id),
            ..cmd
        };
        let id = lot.id.to_string();
        if self.fresh(Table::SaleLots, "add_sale_lot", "lot de vente", &id, &cmd)? == Fresh::Repeat
        {
            return Ok(lot);
        }
        let camp = campaign(self.db, lot.campaign_id)?;
        camp.price(lot.crop)?;
        let mut seen = Vec::new();
        for s in &lot.sources {
            validate::positive_kg("kg du lot", s.kg, limits::LOT_KG_MAX)?;
            if seen.contains(&s.warehouse_id) {
                return Err(AppError::Mismatch(
                    "un magasin figure deux fois dans le lot".into(),
                ));
            }
            seen.push(s.warehouse_id);
            let w = self
                .db
                .warehouse(s.warehouse_id)?
                .ok_or_else(|| missing("magasin", s.warehouse_id))?;
            let stock = self.db.warehouse_stock(w.id, lot.crop)?;
            if s.kg > stock {
                return Err(AppError::AboveAvailable {
                    what: "stock du magasin",
                    requested: s.kg.to_string(),
                    available: format!("{stock} ({})", w.name),
                });
            }
        }
        self.db.insert_sale_lot(&lot)?;
        self.audit("add_sale_lot", "sale_lot", &id, &cmd)?;
        Ok(lot)
    }

    /// Marks a sale lot paid by its buyer (secretariat).
    ///
    /// # Errors
    /// Unknown lot.
    pub fn mark_lot_paid(&self, id: SaleLotId) -> Result<bool> {
        self.require(self.role.may_configure(), "configurer l'union")?;
        if !self.db.exists(Table::SaleLots, &id.to_string())? {
            return Err(missing("lot de vente", id));
        }
        let changed = self.db.mark_lot_paid(id)?;
        if changed {
            self.audit("mark_lot_paid", "sale_lot", &id.to_string(), &id)?;
        }
        Ok(changed)
    }

    /// Registers a lender (secretariat).
    ///
    /// # Errors
    /// Validation.
    pub fn add_lender(&self, cmd: NewLender) -> Result<Lender> {
        self.require(self.role.may_configure(), "configurer l'union")?;
        let l = Lender {
            id: cmd.id.unwrap_or_default(),
            name: validate::text("nom du prêteur", &cmd.name, limits::TEXT_MAX)?,
            kind: cmd.kind,
        };
        let cmd = NewLender {
            id: Some(l.id),
            ..cmd
        };
        let id = l.id.to_string();
        if self.fresh(Table::Lenders, "add_lender", "prêteur", &id, &cmd)? == Fresh::Repeat {
            return Ok(l);
        }
        self.db.insert_lender(&l)?;
        self.audit("add_lender", "lender", &id, &cmd)?;
        Ok(l)
    }

    /// Opens a credit line (secretariat). The guarantee covers at most 50 %.
    ///
    /// # Errors
    /// Validation, unknown lender or campaign.
    pub fn add_credit_line(&self, cmd: NewCreditLine) -> Result<CreditLine> {
        self.require(self.role.may_configure(), "configurer l'union")?;
        validate::positive_money("principal", cmd.principal, limits::UNION_MONEY_MAX)?;
        DateWindow::new(cmd.start, cmd.maturity)?;
        if cmd.guarantee_share.as_decimal() > rust_decimal::Decimal::new(5, 1) {
            return Err(DomainError::OutOfRange {
                field: "part garantie",
                value: cmd.guarantee_share.to_string(),
                min: "0 %".into(),
                max: "50 %".into(),
            }
            .into());
        }
        let l = CreditLine {
            id: cmd.id.unwrap_or_default(),
            lender_id: cmd.lender_id,
            campaign_id: cmd.campaign_id,
            principal: cmd.principal,
            annual_rate: cmd.annual_rate,
            start: cmd.start,
            maturity: cmd.maturity,
            guarantee_share: cmd.guarantee_share,
        };
        let cmd = NewCreditLine {
            id: Some(l.id),
            ..cmd
        };
        let id = l.id.to_string();
        if self.fresh(
            Table::CreditLines,
            "add_credit_line",
            "ligne de crédit",
            &id,
            &cmd,
        )? == Fresh::Repeat
        {
            return Ok(l);
        }
        if !self.db.exists(Table::Lenders, &l.lender_id.to_string())? {
            return Err(missing("prêteur", l.lender_id));
        }
        if let Some(c) = l.campaign_id {
            campaign(self.db, c)?;
        }
        self.db.insert_credit_line(&l)?;
        self.audit("add_credit_line", "credit_line", &id, &cmd)?;
        Ok(l)
    }

    /// Draws on a credit line, within its principal (secretariat).
    ///
    /// # Errors
    /// Validation, above the undrawn principal, unknown line.
    pub fn draw(&self, cmd: NewDrawdown) -> Result<Drawdown> {
        self.require(self.role.may_configure(), "configurer l'union")?;
        validate::positive_money("montant du tirage", cmd.amount, limits::UNION_MONEY_MAX)?;
        let x = Drawdown {
            id: cmd.id.unwrap_or_default(),
            credit_line_id: cmd.credit_line_id,
            amount: cmd.amount,
            date: cmd.date,
        };
        let cmd = NewDrawdown {
            id: Some(x.id),
            ..cmd
        };
        let id = x.id.to_string();
        if self.fresh(Table::Drawdowns, "draw", "tirage", &id, &cmd)? == Fresh::Repeat {
            return Ok(x);
        }
        let line = self
            .db
            .credit_line(x.credit_line_id)?
            .ok_or_else(|| missing("ligne de crédit", x.credit_line_id))?;
        let drawn = self.db.drawn_on(line.id)?;
        if drawn + x.amount.francs() > line.principal.francs() {
            return Err(AppError::AboveAvailable {
                what: "tirage sur la ligne de crédit",
                requested: x.amount.to_string(),
                available: Money::from_francs(line.principal.francs() - drawn)?.to_string(),
            });
        }
        DateWindow::new(line.start, line.maturity)?.check("date du tirage", x.date)?;
        self.db.insert_drawdown(&x)?;
        self.audit("draw", "drawdown", &id, &cmd)?;
        Ok(x)
    }

    /// Records a repayment to a lender (secretariat).
    ///
    /// # Errors
    /// Validation, unknown line.
    pub fn repay_lender(&self, cmd: NewRepayment) -> Result<LenderRepayment> {
        self.require(self.role.may_configure(), "configurer l'union")?;
        validate::non_negative_money(
            "principal remboursé",
            cmd.principal,
            limits::UNION_MONEY_MAX,
        )?;
        validate::non_negative_money("intérêts payés", cmd.interest, limits::UNION_MONEY_MAX)?;
        if !cmd.principal.checked_add(cmd.interest)?.is_positive() {
            return Err(DomainError::OutOfRange {
                field: "remboursement",
                value: "0 FCFA".into(),
                min: "1 FCFA".into(),
                max: "—".into(),
            }
            .into());
        }
        let x = LenderRepayment {
            id: cmd.id.unwrap_or_default(),
            credit_line_id: cmd.credit_line_id,
            principal: cmd.principal,
            interest: cmd.interest,
            date: cmd.date,
        };
        let cmd = NewRepayment {
            id: Some(x.id),
            ..cmd
        };
        let id = x.id.to_string();
        if self.fresh(
            Table::LenderRepayments,
            "repay_lender",
            "remboursement",
            &id,
            &cmd,
        )? == Fresh::Repeat
        {
            return Ok(x);
        }
        self.db
            .credit_line(x.credit_line_id)?
            .ok_or_else(|| missing("ligne de crédit", x.credit_line_id))?;
        self.db.insert_repayment(&x)?;
        self.audit("repay_lender", "repayment", &id, &cmd)?;
        Ok(x)
    }

    /// Hands funds to an agent for a cooperative (secretariat).
    ///
    /// # Errors
    /// Validation, unknown references.
    pub fn allocate_funds(&self, cmd: NewAllocation) -> Result<FundAllocation> {
        self.require(self.role.may_configure(), "configurer l'union")?;
        validate::positive_money(
            "montant de la dotation",
            cmd.amount,
            limits::UNION_MONEY_MAX,
        )?;
        let x = FundAllocation {
            id: cmd.id.unwrap_or_default(),
            campaign_id: cmd.campaign_id,
            agent_id: cmd.agent_id,
            cooperative_id: cmd.cooperative_id,
            amount: cmd.amount,
            date: cmd.date,
        };
        let cmd = NewAllocation {
            id: Some(x.id),
            ..cmd
        };
        let id = x.id.to_string();
        if self.fresh(
            Table::FundAllocations,
            "allocate_funds",
            "dotation",
            &id,
            &cmd,
        )? == Fresh::Repeat
        {
            return Ok(x);
        }
        campaign(self.db, x.campaign_id)?;
        self.db
            .agent(x.agent_id)?
            .ok_or_else(|| missing("agent", x.agent_id))?;
        self.db
            .cooperative(x.cooperative_id)?
            .ok_or_else(|| missing("coopérative", x.cooperative_id))?;
        self.db.insert_allocation(&x)?;
        self.audit("allocate_funds", "allocation", &id, &cmd)?;
        Ok(x)
    }

    /// Pays a member's balance, within what the settlement at that date says is still owed.
    ///
    /// # Errors
    /// Validation, above the balance still owed, unknown references.
    pub fn pay_balance(&self, cmd: PayBalance) -> Result<BalancePayment> {
        let id = cmd.id.unwrap_or_default();
        let cmd = PayBalance {
            id: Some(id),
            ..cmd
        };
        if self.fresh(
            Table::BalancePayments,
            "pay_balance",
            "paiement",
            &id.to_string(),
            &cmd,
        )? == Fresh::Repeat
        {
            return self.db.payment(id)?.ok_or_else(|| missing("paiement", id));
        }
        validate::positive_money("montant payé", cmd.amount, limits::MEMBER_MONEY_MAX)?;
        let m = member(self.db, cmd.member_id)?;
        campaign(self.db, cmd.campaign_id)?;
        let report = crate::reports::settle_campaign(self.db, cmd.campaign_id, cmd.date)?;
        let remaining = report
            .members
            .iter()
            .find(|l| l.member_id == m.id)
            .map_or(Money::ZERO, |l| l.remaining);
        if cmd.amount > remaining {
            return Err(AppError::AboveAvailable {
                what: "solde à payer au membre",
                requested: cmd.amount.to_string(),
                available: remaining.to_string(),
            });
        }
        let x = BalancePayment {
            id,
            member_id: m.id,
            campaign_id: cmd.campaign_id,
            amount: cmd.amount,
            date: cmd.date,
            mode: cmd.mode,
            recorded: self.recorded()?,
        };
        self.db.insert_payment(&x)?;
        self.audit("pay_balance", "payment", &id.to_string(), &cmd)?;
        Ok(x)
    }
}
