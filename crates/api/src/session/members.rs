//! Cooperatives and members: the lists, the member's card (every record and receipt), the
//! duplicate check and the registration.

use sene_app::org::NewMember;
use sene_app::views;
use sene_domain::*;

use super::{date, kg, money, Session, R};
use crate::dto::*;

impl Session {
    /// `list_cooperatives`.
    ///
    /// # Errors
    /// Store errors.
    pub fn cooperatives(&self) -> R<Vec<CooperativeView>> {
        let db = self.ledger.db();
        let mut out = Vec::new();
        for c in db.cooperatives().map_err(|e| self.app(&e.into()))? {
            let members = db.members(Some(c.id)).map_err(|e| self.app(&e.into()))?;
            let n = sene_app::conflicts::listed(&db, members)
                .map_err(|e| self.app(&e))?
                .len();
            out.push(CooperativeView {
                id: c.id.to_string(),
                code: c.code,
                name: c.name,
                village: c.village,
                member_count: u32::try_from(n).unwrap_or(u32::MAX),
            });
        }
        Ok(out)
    }

    /// `list_warehouses`.
    ///
    /// # Errors
    /// Unknown cooperative; store errors.
    pub fn warehouses(&self, req: &CooperativeRequest) -> R<Vec<WarehouseView>> {
        let coop: CooperativeId = self.id("coopérative", &req.cooperative_id)?;
        Ok(self
            .ledger
            .db()
            .warehouses(Some(coop))
            .map_err(|e| self.app(&e.into()))?
            .into_iter()
            .map(|w| WarehouseView {
                id: w.id.to_string(),
                name: w.name,
            })
            .collect())
    }

    pub(crate) fn summary(&self, m: &Member) -> R<MemberSummary> {
        let coop = self
            .ledger
            .db()
            .cooperative(m.cooperative_id)
            .map_err(|e| self.app(&e.into()))?;
        Ok(MemberSummary {
            id: m.id.to_string(),
            number: m.number.clone(),
            full_name: m.full_name.clone(),
            village: m.village.clone(),
            phone: m.phone.clone(),
            cooperative_id: m.cooperative_id.to_string(),
            cooperative_name: coop.map(|c| c.name).unwrap_or_default(),
            status: m.status.code().into(),
            status_label: crate::registry::capitalized(
                &self.label(m.status.label_fr(), m.status.label_en()),
            ),
            active: m.status == MemberStatus::Active,
            left_on: m.left_on.map(date),
        })
    }

    /// `search_members`: accent- and case-insensitive name, number or phone; an empty query
    /// lists the cooperative's members.
    ///
    /// # Errors
    /// Store errors.
    pub fn search_members(&self, req: &SearchRequest) -> R<Vec<MemberSummary>> {
        let coop: Option<CooperativeId> = match req.cooperative_id.as_deref() {
            Some(c) if !c.trim().is_empty() => Some(self.id("coopérative", c)?),
            _ => None,
        };
        let db = self.ledger.db();
        let found = if req.query.trim().is_empty() {
            db.members(coop)
        } else {
            db.search_members(&req.query, 200)
        }
        .map_err(|e| self.app(&e.into()))?;
        // a registration merged into another is found as the one kept
        let found = sene_app::conflicts::listed(&db, found).map_err(|e| self.app(&e))?;
        found
            .iter()
            .filter(|m| coop.is_none_or(|c| m.cooperative_id == c))
            .take(200)
            .map(|m| self.summary(m))
            .collect()
    }

    pub(super) fn contract_view(&self, l: &views::ContractLine) -> ContractView {
        let c = &l.contract;
        ContractView {
            id: c.id.to_string(),
            member_id: c.member_id.to_string(),
            campaign_id: c.campaign_id.to_string(),
            campaign_name: l.campaign_name.clone(),
            crop: c.crop.code().into(),
            crop_label: self.label(c.crop.label_fr(), c.crop.label_en()),
            committed_kg: kg(c.committed),
            base_price: money(c.base_price),
            state: c.state.code().into(),
            state_label: self.label(c.state.label_fr(), c.state.label_en()),
            advance_due: money(l.advance_due),
            disbursed: money(l.disbursed),
            accepted_kg: kg(l.accepted),
            value: money(l.value),
            may_disburse: l.may_disburse,
            may_deliver: l.may_deliver,
        }
    }

    /// `member_card`.
    ///
    /// # Errors
    /// Unknown member; store errors.
    pub fn member_card(&self, req: &MemberRequest) -> R<MemberCard> {
        let id: MemberId = self.id("membre", &req.member_id)?;
        let db = self.ledger.db();
        let card = views::member_card(&db, id, self.today()).map_err(|e| self.app(&e))?;
        let mut receipts = Vec::new();
        let contracts: Vec<ContractView> = card
            .contracts
            .iter()
            .map(|l| self.contract_view(l))
            .collect();
        let crop_of = |c: ContractId| {
            card.contracts
                .iter()
                .find(|l| l.contract.id == c)
                .map(|l| self.label(l.contract.crop.label_fr(), l.contract.crop.label_en()))
                .unwrap_or_default()
        };
        let reversal = |receipts: &mut Vec<ReceiptRef>, target: &str| -> R<()> {
            if let Some(r) = db.reversal_of(target).map_err(|e| self.app(&e.into()))? {
                receipts.push(ReceiptRef {
                    kind: "reversal".into(),
                    id: r.id.to_string(),
                    number: r.recorded.receipt,
                    date: date(r.date),
                    title: self.label("Annulation", "Reversal"),
                });
            }
            Ok(())
        };
        let mut disbursements = Vec::new();
        for m in &card.disbursements {
            let x = &m.record;
            receipts.push(ReceiptRef {
                kind: "disbursement".into(),
                id: x.id.to_string(),
                number: x.recorded.receipt.clone(),
                date: date(x.date),
                title: self.label("Avance", "Advance"),
            });
            reversal(&mut receipts, &x.id.to_string())?;
            disbursements.push(MoneyLine {
                id: x.id.to_string(),
                date: date(x.date),
                amount: money(x.amount),
                receipt: x.recorded.receipt.clone(),
                reversed: m.reversed_by.is_some(),
                contract_id: Some(x.contract_id.to_string()),
            });
        }
        let mut deliveries = Vec::new();
        for m in &card.deliveries {
            let x = &m.record;
            receipts.push(ReceiptRef {
                kind: "delivery".into(),
                id: x.id.to_string(),
                number: x.recorded.receipt.clone(),
                date: date(x.date),
                title: self.label("Livraison", "Delivery"),
            });
            reversal(&mut receipts, &x.id.to_string())?;
            deliveries.push(DeliveryView {
                id: x.id.to_string(),
                date: date(x.date),
                contract_id: x.contract_id.to_string(),
                crop_label: crop_of(x.contract_id),
                bags: x.bags,
                gross_kg: kg(x.gross),
                net_kg: kg(x.net),
                accepted_kg: kg(x.accepted),
                receipt: x.recorded.receipt.clone(),
                voided: m.reversed_by.is_some(),
            });
        }
        let mut distributions = Vec::new();
        for m in &card.distributions {
            let x = &m.record;
            let product = db
                .product(x.product_id)
                .map_err(|e| self.app(&e.into()))?
                .map(|p| p.name)
                .unwrap_or_default();
            receipts.push(ReceiptRef {
                kind: "distribution".into(),
                id: x.id.to_string(),
                number: x.recorded.receipt.clone(),
                date: date(x.date),
                title: self.label("Engrais", "Fertilizer"),
            });
            reversal(&mut receipts, &x.id.to_string())?;
            let amount =
                rules::fertilizer_cost(x.bags, x.price_per_bag).map_err(|e| self.app(&e.into()))?;
            distributions.push(DistributionView {
                id: x.id.to_string(),
                date: date(x.date),
                product_name: product,
                bags: x.bags,
                amount: money(amount),
                cash_paid: money(x.cash_paid),
                receipt: x.recorded.receipt.clone(),
                reversed: m.reversed_by.is_some(),
            });
        }
        let mut payments = Vec::new();
        for m in &card.payments {
            let x = &m.record;
            receipts.push(ReceiptRef {
                kind: "payment".into(),
                id: x.id.to_string(),
                number: x.recorded.receipt.clone(),
                date: date(x.date),
                title: self.label("Paiement du solde", "Balance payment"),
            });
            reversal(&mut receipts, &x.id.to_string())?;
            payments.push(MoneyLine {
                id: x.id.to_string(),
                date: date(x.date),
                amount: money(x.amount),
                receipt: x.recorded.receipt.clone(),
                reversed: m.reversed_by.is_some(),
                contract_id: None,
            });
        }
        receipts.sort_by(|a, b| a.date.cmp(&b.date).then(a.number.cmp(&b.number)));
        let balances = card
            .balances
            .iter()
            .map(|(c, l)| BalanceView {
                campaign_id: c.id.to_string(),
                campaign_name: c.name.clone(),
                contracts_value: money(l.delivered_value),
                advances: money(l.advances),
                fees: money(l.fees),
                fertilizer: money(l.fertilizer_credit),
                carried_debt: money(l.carried_debt),
                complement: money(l.complement),
                net: money(l.net),
                paid: money(l.paid),
                remaining: money(l.remaining),
            })
            .collect();
        let linked = |id: Option<MemberId>| -> R<Option<MemberSummary>> {
            match id {
                Some(id) => match db.member(id).map_err(|e| self.app(&e.into()))? {
                    Some(m) => self.summary(&m).map(Some),
                    None => Ok(None),
                },
                None => Ok(None),
            }
        };
        let m = &card.member;
        Ok(MemberCard {
            member: self.summary(m)?,
            nina: m.nina.clone(),
            registered_on: m.registered_on.map(date),
            may_contract: sene_app::registry::present_on(m, self.today()),
            may_depart: m.status == MemberStatus::Active,
            may_reinstate: m.status.is_departure(),
            moved_to: linked(m.moved_to)?,
            moved_from: linked(m.moved_from)?,
            sex: card.member.sex.code().into(),
            birth_year: card.member.birth_year,
            crops: card
                .member
                .crops
                .iter()
                .map(|c| c.code().to_owned())
                .collect(),
            contracts,
            disbursements,
            payments,
            deliveries,
            distributions,
            balances,
            receipts,
        })
    }

    fn new_member(&self, req: &NewMemberRequest) -> R<NewMember> {
        let crops = req
            .crops
            .iter()
            .map(|c| self.parse::<CropFamily>("cultures", c))
            .collect::<R<Vec<_>>>()?;
        let opt = |v: &Option<String>| {
            v.as_ref()
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
        };
        Ok(NewMember {
            id: None,
            cooperative_id: self.id("coopérative", &req.cooperative_id)?,
            number: req.number.clone(),
            full_name: req.full_name.clone(),
            sex: self.parse("sexe", &req.sex.to_lowercase())?,
            birth_year: req.birth_year,
            village: req.village.clone(),
            phone: opt(&req.phone),
            nina: opt(&req.nina),
            crops,
        })
    }

    /// `check_member`: the probable duplicates of a member about to be registered.
    ///
    /// # Errors
    /// Invalid request; store errors.
    pub fn check_member(&mut self, req: &NewMemberRequest) -> R<Vec<MemberSummary>> {
        let cmd = self.new_member(req)?;
        let actor = self.actor()?;
        let found = self
            .ledger
            .run(&actor, |tx| tx.probable_duplicates(&cmd))
            .map_err(|e| self.app(&e))?;
        found.iter().map(|m| self.summary(m)).collect()
    }

    /// `register_member`.
    ///
    /// # Errors
    /// Validation, duplicate number, probable duplicate not confirmed.
    pub fn register_member(&mut self, req: &NewMemberRequest) -> R<MemberSummary> {
        let cmd = self.new_member(req)?;
        let actor = self.actor()?;
        let confirmed = req.confirmed;
        let m = self
            .ledger
            .run(&actor, |tx| tx.register_member(cmd, confirmed))
            .map_err(|e| self.app(&e))?;
        self.summary(&m)
    }
}
