//! The season: campaigns, contracts, advances, deliveries, and reversals of money records.

use chrono::NaiveDate;
use sene_domain::rules;
use sene_domain::validate::{self, limits};
use sene_domain::*;
use sene_store::{Db, Table};
use serde::{Deserialize, Serialize};

use crate::progress::ContractProgress;
use crate::{missing, AppError, Fresh, Result, Tx};

/// Open a campaign.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewCampaign {
    pub id: Option<CampaignId>,
    pub name: String,
    pub family: CropFamily,
    pub prices: Vec<CropPrice>,
    /// Default 60 %.
    pub advance_share: Option<Rate>,
    pub fee: FeeModel,
    pub contract_window: (NaiveDate, NaiveDate),
    pub delivery_window: (NaiveDate, NaiveDate),
    /// Default 14 %.
    pub max_moisture: Option<Percent>,
    /// Default 2 %.
    pub max_impurity: Option<Percent>,
    /// Default 0,5 kg.
    pub bag_tare: Option<Kg>,
    pub over_delivery_bought: bool,
}

/// A member's request for an advance-payment contract.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestContract {
    pub id: Option<ContractId>,
    pub member_id: MemberId,
    pub campaign_id: CampaignId,
    pub crop: Crop,
    pub committed: Kg,
    pub date: NaiveDate,
}

/// A decision on a contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Approve,
    Reject,
    Cancel,
    Default,
}

/// Pay an advance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisburseAdvance {
    pub id: Option<DisbursementId>,
    pub contract_id: ContractId,
    pub amount: Money,
    pub date: NaiveDate,
    pub mode: PayMode,
}

/// Record a delivery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordDelivery {
    pub id: Option<DeliveryId>,
    pub member_id: MemberId,
    pub contract_id: ContractId,
    pub warehouse_id: WarehouseId,
    pub bags: u32,
    pub gross: Kg,
    pub moisture: Percent,
    pub impurity: Percent,
    pub date: NaiveDate,
}

/// A delivery's command with its weighing evidence, as the audit trail keeps it (the evidence
/// left out when there is none: the JSON of a delivery recorded before scales is unchanged).
#[derive(Serialize)]
struct WeighedDelivery<'a> {
    #[serde(flatten)]
    cmd: &'a RecordDelivery,
    #[serde(skip_serializing_if = "Option::is_none")]
    weighing: Option<&'a Weighing>,
}

/// Reverse (void) a money record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reverse {
    pub id: Option<ReversalId>,
    pub target_kind: RecordKind,
    pub target_id: String,
    pub reason: String,
    pub date: NaiveDate,
}

/// A weighing as it would be recorded, before any contract: net and accepted kg, and their
/// value at the crop's base price (what `sene delivery preview --campaign --crop` shows).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryPreview {
    pub net: Kg,
    pub accepted: Kg,
    /// Accepted kg × base price, before any contract's cap.
    pub value: Money,
}

/// A delivery on a contract as it would be recorded: what the agent sees while typing and
/// what the confirmation spells out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContractDeliveryPreview {
    pub net: Kg,
    pub accepted: Kg,
    /// What the delivery adds to the contract's value ([`ContractProgress::value_added`]): kg
    /// above the commitment are worth the over-delivery price when the campaign buys them,
    /// nothing otherwise — as the settlement pays them.
    pub value: Money,
    /// The delivery takes the contract above its committed kg.
    pub over_committed: bool,
}

pub(crate) fn campaign(db: &Db<'_>, id: CampaignId) -> Result<Campaign> {
    db.campaign(id)?.ok_or_else(|| missing("campagne", id))
}

pub(crate) fn member(db: &Db<'_>, id: MemberId) -> Result<Member> {
    db.member(id)?.ok_or_else(|| missing("membre", id))
}

fn contract(db: &Db<'_>, id: ContractId) -> Result<Contract> {
    db.contract(id)?.ok_or_else(|| missing("contrat", id))
}

/// Net and accepted kg of a weighing under the campaign's tare and quality rules.
///
/// # Errors
/// Validation: a net weight that is not positive.
fn weigh(
    campaign: &Campaign,
    bags: u32,
    gross: Kg,
    moisture: Percent,
    impurity: Percent,
) -> Result<(Kg, Kg)> {
    let net = rules::net_kg(gross, bags, campaign.bag_tare)?;
    if !net.is_positive() {
        return Err(DomainError::NetNotPositive {
            gross: gross.to_string(),
            tare: Kg::round_half_up(
                campaign.bag_tare.as_decimal() * rust_decimal::Decimal::from(bags),
            )?
            .to_string(),
        }
        .into());
    }
    let accepted = rules::accepted_kg(net, moisture, impurity, campaign.quality)?;
    Ok((net, accepted))
}

/// The preview of a weighing's net and accepted kg and their value at the crop's base price,
/// with no contract and no write.
///
/// # Errors
/// Validation.
pub fn preview_delivery(
    campaign: &Campaign,
    crop: Crop,
    bags: u32,
    gross: Kg,
    moisture: Percent,
    impurity: Percent,
) -> Result<DeliveryPreview> {
    let (net, accepted) = weigh(campaign, bags, gross, moisture, impurity)?;
    let price = campaign.price(crop)?.base_price;
    let value = Money::round_half_up(accepted.as_decimal() * price.as_decimal())?;
    Ok(DeliveryPreview {
        net,
        accepted,
        value,
    })
}

/// The preview of a delivery on a contract that already has `so_far` accepted kg: net and
/// accepted kg, the value the delivery adds to the contract (capped as the settlement caps
/// it) and whether it goes above the commitment. No write.
///
/// # Errors
/// Validation, overflow.
#[allow(clippy::too_many_arguments)]
pub fn preview_contract_delivery(
    campaign: &Campaign,
    contract: &Contract,
    so_far: Kg,
    bags: u32,
    gross: Kg,
    moisture: Percent,
    impurity: Percent,
) -> Result<ContractDeliveryPreview> {
    let (net, accepted) = weigh(campaign, bags, gross, moisture, impurity)?;
    let now = ContractProgress::of(campaign, contract, Money::ZERO, so_far)?;
    Ok(ContractDeliveryPreview {
        net,
        accepted,
        value: now.value_added(campaign, contract, accepted)?,
        over_committed: now.over_committed_with(accepted),
    })
}

/// [`preview_contract_delivery`] on a stored contract, with what was already accepted on it.
///
/// # Errors
/// Unknown contract or campaign, validation, overflow.
pub fn preview_on_contract(
    db: &Db<'_>,
    contract_id: ContractId,
    bags: u32,
    gross: Kg,
    moisture: Percent,
    impurity: Percent,
) -> Result<ContractDeliveryPreview> {
    let c = contract(db, contract_id)?;
    let camp = campaign(db, c.campaign_id)?;
    let so_far = db.accepted_on(c.id)?;
    preview_contract_delivery(&camp, &c, so_far, bags, gross, moisture, impurity)
}

impl Tx<'_, '_> {
    /// Opens a campaign with its settings (secretariat).
    ///
    /// # Errors
    /// Validation, [`AppError::Taken`] for a name in use, [`AppError::IdConflict`].
    pub fn open_campaign(&self, cmd: NewCampaign) -> Result<Campaign> {
        self.require(self.role.may_configure(), "configurer l'union")?;
        let mut prices = Vec::new();
        for p in &cmd.prices {
            if p.crop.family() != cmd.family {
                return Err(AppError::Mismatch(format!(
                    "la culture « {} » n'est pas de la famille « {} »",
                    p.crop, cmd.family
                )));
            }
            if prices.iter().any(|x: &CropPrice| x.crop == p.crop) {
                return Err(AppError::Mismatch(format!("deux prix pour « {} »", p.crop)));
            }
            validate::positive_money("prix de base au kg", p.base_price, limits::PRICE_PER_KG_MAX)?;
            if let Some(o) = p.over_delivery_price {
                validate::positive_money("prix du surplus au kg", o, limits::PRICE_PER_KG_MAX)?;
            }
            prices.push(*p);
        }
        if prices.is_empty() {
            return Err(DomainError::EmptyText {
                field: "prix des cultures",
            }
            .into());
        }
        let c = Campaign {
            id: cmd.id.unwrap_or_default(),
            name: validate::text("nom de la campagne", &cmd.name, limits::TEXT_MAX)?,
            family: cmd.family,
            prices,
            advance_share: cmd.advance_share.unwrap_or_else(|| {
                Rate::try_from_decimal(rust_decimal::Decimal::new(6, 1)).unwrap_or_default()
            }),
            fee: cmd.fee,
            contract_window: DateWindow::new(cmd.contract_window.0, cmd.contract_window.1)?,
            delivery_window: DateWindow::new(cmd.delivery_window.0, cmd.delivery_window.1)?,
            quality: QualityLimits {
                max_moisture: cmd.max_moisture.unwrap_or(Percent::from_tenths(140)?),
                max_impurity: cmd.max_impurity.unwrap_or(Percent::from_tenths(20)?),
            },
            bag_tare: cmd.bag_tare.unwrap_or(Kg::from_tenths(5)?),
            over_delivery_bought: cmd.over_delivery_bought,
        };
        if c.bag_tare.tenths() < 0 || c.bag_tare.tenths() > 50 {
            return Err(DomainError::OutOfRange {
                field: "tare du sac",
                value: c.bag_tare.to_string(),
                min: "0 kg".into(),
                max: "5 kg".into(),
            }
            .into());
        }
        if c.over_delivery_bought && c.prices.iter().any(|p| p.over_delivery_price.is_none()) {
            return Err(AppError::Mismatch(
                "le surplus est acheté : donnez un prix du surplus pour chaque culture".into(),
            ));
        }
        let cmd = NewCampaign {
            id: Some(c.id),
            ..cmd
        };
        let id = c.id.to_string();
        if self.fresh(Table::Campaigns, "open_campaign", "campagne", &id, &cmd)? == Fresh::Repeat {
            return campaign(self.db, c.id);
        }
        if self.db.campaign_by_name(&c.name)?.is_some() {
            return Err(AppError::Taken {
                what: "le nom de campagne",
                value: c.name,
            });
        }
        self.db.insert_campaign(&c)?;
        self.audit("open_campaign", "campaign", &id, &cmd)?;
        Ok(c)
    }

    /// Records a member's contract request at the campaign's base price.
    ///
    /// # Errors
    /// Validation (quantity, dates in the contract window, crop of the campaign), unknown
    /// member or campaign, a member who left, [`AppError::IdConflict`].
    pub fn request_contract(&self, cmd: RequestContract) -> Result<Contract> {
        let id = cmd.id.unwrap_or_default();
        let cmd = RequestContract {
            id: Some(id),
            ..cmd
        };
        if self.fresh(
            Table::Contracts,
            "request_contract",
            "contrat",
            &id.to_string(),
            &cmd,
        )? == Fresh::Repeat
        {
            return contract(self.db, id);
        }
        let m = member(self.db, cmd.member_id)?;
        self.present_on(&m, cmd.date)?;
        let camp = campaign(self.db, cmd.campaign_id)?;
        let price = camp.price(cmd.crop)?;
        validate::positive_kg("quantité engagée", cmd.committed, limits::COMMITTED_KG_MAX)?;
        camp.contract_window.check("date de la demande", cmd.date)?;
        let c = Contract {
            id,
            member_id: m.id,
            campaign_id: camp.id,
            crop: cmd.crop,
            committed: cmd.committed,
            base_price: price.base_price,
            state: ContractState::Requested,
            requested_on: cmd.date,
        };
        self.db.insert_contract(&c)?;
        self.db.set_contract_requested_by(id, self.actor.agent)?;
        self.audit("request_contract", "contract", &id.to_string(), &cmd)?;
        Ok(c)
    }

    /// Approves, rejects, cancels or marks defaulted a contract. Approving and rejecting need
    /// the committee (CTC) or the secretariat.
    ///
    /// # Errors
    /// [`AppError::Forbidden`], [`DomainError::TransitionNotAllowed`], unknown contract.
    pub fn decide_contract(
        &self,
        id: ContractId,
        decision: Decision,
        date: NaiveDate,
    ) -> Result<Contract> {
        let mut c = contract(self.db, id)?;
        let to = match decision {
            Decision::Approve => ContractState::Approved,
            Decision::Reject => ContractState::Rejected,
            Decision::Cancel => ContractState::Cancelled,
            Decision::Default => ContractState::Defaulted,
        };
        if matches!(
            decision,
            Decision::Approve | Decision::Reject | Decision::Default
        ) {
            self.require(self.role.may_approve(), "approuver ou rejeter un contrat")?;
        }
        if c.state == to {
            return Ok(c);
        }
        if decision == Decision::Approve
            && self.db.contract_requested_by(id)?.as_deref()
                == Some(self.actor.agent.to_string().as_str())
        {
            return Err(AppError::SecondPersonRequired {
                action: "approuver le contrat qu'il a demandé",
            });
        }
        c.state = c.state.transition(to)?;
        if date < c.requested_on {
            return Err(DomainError::DateOutsideWindow {
                field: "date de décision",
                date: date.to_string(),
                start: c.requested_on.to_string(),
                end: "…".into(),
            }
            .into());
        }
        self.db
            .set_contract_state(id, to, Some(self.actor.agent), Some(date))?;
        if decision == Decision::Approve {
            self.db.set_contract_approved_by(id, self.actor.agent)?;
        }
        self.audit(
            &format!(
                "{}_contract",
                match decision {
                    Decision::Approve => "approve",
                    Decision::Reject => "reject",
                    Decision::Cancel => "cancel",
                    Decision::Default => "default",
                }
            ),
            "contract",
            &id.to_string(),
            &(id, decision, date),
        )?;
        Ok(c)
    }

    /// Approves a contract (committee or secretariat).
    ///
    /// # Errors
    /// As [`Tx::decide_contract`].
    pub fn approve_contract(&self, id: ContractId, date: NaiveDate) -> Result<Contract> {
        self.decide_contract(id, Decision::Approve, date)
    }

    /// The advance due on a contract, and what was already paid (non-reversed).
    ///
    /// # Errors
    /// Unknown contract or campaign.
    pub fn advance_position(&self, id: ContractId) -> Result<(Money, Money)> {
        let c = contract(self.db, id)?;
        let camp = campaign(self.db, c.campaign_id)?;
        let due = crate::progress::advance_due(&camp, &c)?;
        Ok((due, self.db.disbursed_on(id)?))
    }

    /// Pays an advance on an approved contract, within the advance due.
    ///
    /// # Errors
    /// [`DomainError::ContractNotApproved`], [`DomainError::AboveAdvanceDue`], amounts out of
    /// range, a date outside the campaign, [`AppError::IdConflict`].
    pub fn disburse_advance(&self, cmd: DisburseAdvance) -> Result<Disbursement> {
        let id = cmd.id.unwrap_or_default();
        let cmd = DisburseAdvance {
            id: Some(id),
            ..cmd
        };
        if self.fresh(
            Table::Disbursements,
            "disburse_advance",
            "avance",
            &id.to_string(),
            &cmd,
        )? == Fresh::Repeat
        {
            return self
                .db
                .disbursement(id)?
                .ok_or_else(|| missing("avance", id));
        }
        validate::positive_money("montant de l'avance", cmd.amount, limits::MEMBER_MONEY_MAX)?;
        let c = contract(self.db, cmd.contract_id)?;
        self.present_on(&member(self.db, c.member_id)?, cmd.date)?;
        if !c.state.accepts_disbursement() {
            return Err(DomainError::ContractNotApproved {
                state: c.state.label_fr().into(),
            }
            .into());
        }
        let camp = campaign(self.db, c.campaign_id)?;
        camp.season().check("date de l'avance", cmd.date)?;
        let (due, already) = self.advance_position(c.id)?;
        if already.checked_add(cmd.amount)? > due {
            return Err(DomainError::AboveAdvanceDue {
                due: due.to_string(),
                already: already.to_string(),
                requested: cmd.amount.to_string(),
            }
            .into());
        }
        let x = Disbursement {
            id,
            contract_id: c.id,
            amount: cmd.amount,
            date: cmd.date,
            mode: cmd.mode,
            recorded: self.recorded()?,
        };
        self.db.insert_disbursement(&x)?;
        if c.state == ContractState::Approved {
            self.db
                .set_contract_state(c.id, ContractState::Disbursed, None, None)?;
        }
        self.audit("disburse_advance", "disbursement", &id.to_string(), &cmd)?;
        Ok(x)
    }

    /// Records a delivery, weighed and checked, at a warehouse of the member's cooperative.
    ///
    /// # Errors
    /// [`AppError::OtherCooperative`], a contract of another member or not approved, weights
    /// out of range, a net weight ≤ 0, a date outside the delivery window,
    /// [`AppError::IdConflict`].
    pub fn record_delivery(&self, cmd: RecordDelivery) -> Result<Delivery> {
        self.record_weighed_delivery(cmd, None)
    }

    /// As [`Tx::record_delivery`], with how the gross weight was obtained: the scale's
    /// captures (the gross must be their sum, rounded to 0,1 kg) or a hand weight's reason. The
    /// evidence is part of the record: synced, printed on the receipt, never changed.
    ///
    /// # Errors
    /// As [`Tx::record_delivery`]; [`DomainError::NoCapture`],
    /// [`DomainError::CaptureNotStable`], [`DomainError::TooManyCaptures`],
    /// [`DomainError::GrossNotCaptured`], a hand weight without its reason's note.
    pub fn record_weighed_delivery(
        &self,
        cmd: RecordDelivery,
        weighing: Option<Weighing>,
    ) -> Result<Delivery> {
        let id = cmd.id.unwrap_or_default();
        let cmd = RecordDelivery {
            id: Some(id),
            ..cmd
        };
        let weighing = weighing.map(Weighing::checked).transpose()?;
        // the audit row and the repeat check see the evidence with the command; a delivery
        // without evidence keeps the command's JSON as it always was
        let audited = WeighedDelivery {
            cmd: &cmd,
            weighing: weighing.as_ref(),
        };
        if self.fresh(
            Table::Deliveries,
            "record_delivery",
            "livraison",
            &id.to_string(),
            &audited,
        )? == Fresh::Repeat
        {
            return self
                .db
                .delivery(id)?
                .ok_or_else(|| missing("livraison", id));
        }
        validate::bags("nombre de sacs", cmd.bags, false)?;
        validate::positive_kg("poids brut", cmd.gross, limits::DELIVERY_KG_MAX)?;
        if let Some(captured) = weighing
            .as_ref()
            .map(Weighing::captured_gross)
            .transpose()?
            .flatten()
        {
            if captured != cmd.gross {
                return Err(DomainError::GrossNotCaptured {
                    gross: cmd.gross.to_string(),
                    captured: captured.to_string(),
                }
                .into());
            }
        }
        let m = member(self.db, cmd.member_id)?;
        let c = contract(self.db, cmd.contract_id)?;
        if c.member_id != m.id {
            return Err(AppError::Mismatch(format!(
                "le contrat {} n'est pas celui du membre {}",
                c.id, m.number
            )));
        }
        if !c.state.accepts_delivery() {
            return Err(DomainError::ContractNotApproved {
                state: c.state.label_fr().into(),
            }
            .into());
        }
        let w = self
            .db
            .warehouse(cmd.warehouse_id)?
            .ok_or_else(|| missing("magasin", cmd.warehouse_id))?;
        if w.cooperative_id != m.cooperative_id {
            let name = |id| -> Result<String> {
                Ok(self.db.cooperative(id)?.map(|c| c.name).unwrap_or_default())
            };
            return Err(AppError::OtherCooperative {
                member: m.number,
                member_coop: name(m.cooperative_id)?,
                warehouse_coop: name(w.cooperative_id)?,
                warehouse: w.name,
            });
        }
        self.warehouse_open_on(&w, cmd.date)?;
        let camp = campaign(self.db, c.campaign_id)?;
        camp.delivery_window.check("date de livraison", cmd.date)?;
        let p = preview_delivery(
            &camp,
            c.crop,
            cmd.bags,
            cmd.gross,
            cmd.moisture,
            cmd.impurity,
        )?;
        let x = Delivery {
            id,
            member_id: m.id,
            contract_id: c.id,
            crop: c.crop,
            warehouse_id: w.id,
            bags: cmd.bags,
            gross: cmd.gross,
            moisture: cmd.moisture,
            impurity: cmd.impurity,
            net: p.net,
            accepted: p.accepted,
            date: cmd.date,
            recorded: self.recorded()?,
            weighing: weighing.clone(),
        };
        self.db.insert_delivery(&x)?;
        if matches!(c.state, ContractState::Approved | ContractState::Disbursed) {
            self.db
                .set_contract_state(c.id, ContractState::Delivering, None, None)?;
        }
        self.audit("record_delivery", "delivery", &id.to_string(), &audited)?;
        Ok(x)
    }

    /// Reverses (voids) a money record with a reason. The original stays; reports leave it out.
    ///
    /// # Errors
    /// Unknown record, [`AppError::AlreadyReversed`], empty reason, [`AppError::IdConflict`].
    pub fn reverse(&self, cmd: Reverse) -> Result<Reversal> {
        let id = cmd.id.unwrap_or_default();
        let cmd = Reverse {
            id: Some(id),
            ..cmd
        };
        if self.fresh(
            Table::Reversals,
            "reverse",
            "annulation",
            &id.to_string(),
            &cmd,
        )? == Fresh::Repeat
        {
            return self
                .db
                .reversal_of(&cmd.target_id)?
                .ok_or_else(|| missing("annulation", id));
        }
        let reason = validate::text("motif", &cmd.reason, limits::NOTE_MAX)?;
        let table = sene_store::Db::table_of(cmd.target_kind);
        if !self.db.exists(table, &cmd.target_id)? {
            return Err(missing(
                "enregistrement",
                format!("{} {}", cmd.target_kind, cmd.target_id),
            ));
        }
        if let Some(r) = self.db.reversal_of(&cmd.target_id)? {
            return Err(AppError::AlreadyReversed {
                receipt: r.recorded.receipt,
            });
        }
        if self
            .db
            .record_maker(cmd.target_kind, &cmd.target_id)?
            .as_deref()
            == Some(self.actor.agent.to_string().as_str())
        {
            return Err(AppError::SecondPersonRequired {
                action: "annuler l'enregistrement d'argent qu'il a fait",
            });
        }
        let x = Reversal {
            id,
            target_kind: cmd.target_kind,
            target_id: cmd.target_id.clone(),
            reason,
            date: cmd.date,
            recorded: self.recorded()?,
        };
        self.db.insert_reversal(&x)?;
        self.audit("reverse", "reversal", &id.to_string(), &cmd)?;
        Ok(x)
    }
}
