//! The collective sale and the lenders (secretariat): sale lots drawn from a warehouse, the
//! lenders' position at any date (interest accrued), drawdowns and repayments.

use sene_app::finance::{NewDrawdown, NewRepayment, NewSaleLot};
use sene_app::lending::{
    lender_position_totals, ComplementOption, LenderPosition, SaleLotView, SetComplement,
};
use sene_app::AppError;
use sene_domain::*;

use crate::dto::*;
use crate::session::{date, kg, money, Session, R};

fn position(p: &LenderPosition, campaigns: &[Campaign]) -> LenderPositionView {
    LenderPositionView {
        credit_line_id: p.credit_line_id.to_string(),
        lender: p.lender.clone(),
        campaign: p.campaign_id.map(|id| {
            campaigns
                .iter()
                .find(|c| c.id == id)
                .map_or_else(|| id.to_string(), |c| c.name.clone())
        }),
        annual_rate: (p.annual_rate.as_decimal() * rust_decimal::Decimal::ONE_HUNDRED)
            .normalize()
            .to_string(),
        start: date(p.start),
        maturity: date(p.maturity),
        principal: money(p.principal),
        drawn: money(p.drawn),
        repaid_principal: money(p.repaid_principal),
        outstanding_principal: money(p.outstanding_principal),
        interest_accrued: money(p.interest_accrued),
        repaid_interest: money(p.repaid_interest),
        interest_due: money(p.interest_due),
        total_due: money(p.total_due),
    }
}

fn lot(l: &SaleLotView, crop: String) -> SaleLotLineView {
    SaleLotLineView {
        id: l.id.to_string(),
        crop,
        buyer: l.buyer.clone(),
        date: date(l.date),
        kg: kg(l.kg),
        price_per_kg: money(l.price_per_kg),
        gross: money(l.gross),
        costs: money(l.costs),
        net: money(l.net),
        base_price_per_kg: l.base_price_per_kg.map(money),
        above_base: l.above_base.map(money),
        paid: l.paid,
        reversed: l.reversed,
    }
}

fn complement(o: &ComplementOption, crop_label: String) -> ComplementView {
    ComplementView {
        crop: o.crop.code().into(),
        crop_label,
        base_price: money(o.base_price),
        surplus: money(o.surplus),
        counted_kg: kg(o.counted),
        max_per_kg: money(o.max_per_kg),
        per_kg: money(o.per_kg),
    }
}

impl Session {
    /// `complement_options`: per crop of the campaign, what its lots made above the base
    /// price net of costs, the kg it would be paid on, and the complement decided.
    ///
    /// # Errors
    /// Not the secretariat, unknown campaign, store errors.
    pub fn complement_options(&self, req: &CampaignRequest) -> R<Vec<ComplementView>> {
        self.require_office()?;
        let camp: CampaignId = self.id("campagne", &req.campaign_id)?;
        let options = self
            .ledger
            .complement_options(camp)
            .map_err(|e| self.app(&e))?;
        Ok(options
            .iter()
            .map(|o| complement(o, self.label(o.crop.label_fr(), o.crop.label_en())))
            .collect())
    }

    /// `set_price_complement`: the complement per kg of a campaign's crop (0 takes it back).
    ///
    /// # Errors
    /// Not the secretariat, unknown campaign or crop, an amount that is not whole francs or is
    /// above what the lots made over the base price.
    pub fn set_price_complement(&mut self, req: &ComplementRequest) -> R<ComplementView> {
        let cmd = SetComplement {
            campaign_id: self.id("campagne", &req.campaign_id)?,
            crop: self.parse_field("crop", "culture", &req.crop)?,
            per_kg: self.parse_field("per_kg", "complément au kg", &req.per_kg)?,
        };
        let actor = self.actor()?;
        let o = self
            .ledger
            .run(&actor, |tx| tx.set_price_complement(cmd))
            .map_err(|e| {
                let mut err = self.app(&e);
                // above what the lots allow: the amount typed is what must change
                if matches!(e, AppError::AboveAvailable { .. }) {
                    err.field = Some("per_kg".into());
                }
                err
            })?;
        Ok(complement(
            &o,
            self.label(o.crop.label_fr(), o.crop.label_en()),
        ))
    }

    /// `lender_positions`: every credit line at a date: drawn, repaid, outstanding, interest
    /// accrued and due.
    ///
    /// # Errors
    /// Not the secretariat, a malformed date, store errors.
    pub fn lender_positions(&self, req: &DateRequest) -> R<LendersView> {
        self.require_office()?;
        let day = self.office_date("date", &req.date)?;
        let positions = self
            .ledger
            .lender_positions(day)
            .map_err(|e| self.app(&e))?;
        let totals = lender_position_totals(&positions).map_err(|e| self.app(&e))?;
        let db = self.ledger.db();
        let mut campaigns = Vec::new();
        for id in db.campaign_ids().map_err(|e| self.app(&e.into()))? {
            if let Some(c) = db.campaign(id).map_err(|e| self.app(&e.into()))? {
                campaigns.push(c);
            }
        }
        Ok(LendersView {
            date: date(day),
            lines: positions.iter().map(|p| position(p, &campaigns)).collect(),
            outstanding_principal: money(totals.outstanding_principal),
            interest_due: money(totals.interest_due),
            total_due: money(totals.total_due),
        })
    }

    /// `sale_lots`: the campaign's lots, with what each made above the base price.
    ///
    /// # Errors
    /// Not the secretariat, unknown campaign, store errors.
    pub fn sale_lots(&self, req: &CampaignRequest) -> R<Vec<SaleLotLineView>> {
        self.require_office()?;
        let camp: CampaignId = self.id("campagne", &req.campaign_id)?;
        let lots = self.ledger.sale_lots(camp).map_err(|e| self.app(&e))?;
        Ok(lots
            .iter()
            .map(|l| lot(l, self.label(l.crop.label_fr(), l.crop.label_en())))
            .collect())
    }

    /// `add_sale_lot`: a lot sold today, drawn from one warehouse's stock.
    ///
    /// # Errors
    /// Not the secretariat, unknown campaign, crop or warehouse, kg above the warehouse's stock,
    /// a price or costs that are not whole francs.
    pub fn add_sale_lot(&mut self, req: &SaleLotRequest) -> R<SaleLotLineView> {
        let cmd = NewSaleLot {
            id: None,
            campaign_id: self.id("campagne", &req.campaign_id)?,
            crop: self.parse_field("crop", "culture", &req.crop)?,
            buyer: req.buyer.clone(),
            sources: vec![LotSource {
                warehouse_id: self.id("magasin", &req.warehouse_id)?,
                kg: self.parse_field("kg", "poids vendu (kg)", &req.kg)?,
            }],
            price_per_kg: self.parse_field("price_per_kg", "prix au kg", &req.price_per_kg)?,
            costs: self.parse_field("costs", "frais", &req.costs)?,
            date: self.today(),
        };
        let camp = cmd.campaign_id;
        let actor = self.actor()?;
        let made = self
            .ledger
            .run(&actor, |tx| tx.add_sale_lot(cmd))
            .map_err(|e| {
                let mut err = self.app(&e);
                // more than the warehouse holds: the kg typed is what must change
                if matches!(e, AppError::AboveAvailable { .. }) {
                    err.field = Some("kg".into());
                }
                err
            })?;
        let lots = self.ledger.sale_lots(camp).map_err(|e| self.app(&e))?;
        let view = lots.iter().find(|l| l.id == made.id).ok_or_else(|| {
            self.app(&AppError::NotFound {
                kind: "lot",
                id: made.id.to_string(),
            })
        })?;
        Ok(lot(
            view,
            self.label(view.crop.label_fr(), view.crop.label_en()),
        ))
    }

    /// `draw_credit`: money drawn today on a credit line.
    ///
    /// # Errors
    /// Not the secretariat, unknown credit line, an amount above what is undrawn.
    pub fn draw_credit(&mut self, req: &DrawRequest) -> R<LendersView> {
        let cmd = NewDrawdown {
            id: None,
            credit_line_id: self.id("ligne de crédit", &req.credit_line_id)?,
            amount: self.parse_field("amount", "montant", &req.amount)?,
            date: self.today(),
        };
        let actor = self.actor()?;
        self.ledger
            .run(&actor, |tx| tx.draw(cmd))
            .map_err(|e| self.app(&e))?;
        self.lender_positions(&DateRequest {
            date: String::new(),
        })
    }

    /// `repay_lender`: a repayment today, principal and interest.
    ///
    /// # Errors
    /// Not the secretariat, unknown credit line, more principal than is outstanding.
    pub fn repay_lender(&mut self, req: &RepayRequest) -> R<LendersView> {
        let cmd = NewRepayment {
            id: None,
            credit_line_id: self.id("ligne de crédit", &req.credit_line_id)?,
            principal: self.parse_field("principal", "principal remboursé", &req.principal)?,
            interest: self.parse_field("interest", "intérêts payés", &req.interest)?,
            date: self.today(),
        };
        let actor = self.actor()?;
        self.ledger
            .run(&actor, |tx| tx.repay_lender(cmd))
            .map_err(|e| self.app(&e))?;
        self.lender_positions(&DateRequest {
            date: String::new(),
        })
    }
}
