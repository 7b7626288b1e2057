//! The records of a union's season, as the store holds them.
//!
//! Money records (disbursements, deliveries, fertilizer distributions, fund allocations,
//! drawdowns, lender repayments, balance payments, sale lots) are immutable once confirmed: a
//! mistake is corrected by a [`Reversal`] that references the record, with a reason.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::error::DomainError;
use crate::ids::*;
use crate::quantity::{Kg, Money, Percent, Rate};

macro_rules! labelled_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $code:literal / $fr:literal / $en:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vdoc])* $variant),+ }

        impl $name {
            /// Every value, in order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// The stable code stored and exchanged (`snake_case`).
            #[must_use]
            pub const fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }
            /// The French label.
            #[must_use]
            pub const fn label_fr(self) -> &'static str {
                match self { $($name::$variant => $fr),+ }
            }
            /// The English label.
            #[must_use]
            pub const fn label_en(self) -> &'static str {
                match self { $($name::$variant => $en),+ }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.label_fr())
            }
        }

        impl std::str::FromStr for $name {
            type Err = DomainError;
            /// Accepts the code, or the French or English label, case-insensitively.
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                let t = s.trim().to_lowercase();
                $name::ALL
                    .iter()
                    .copied()
                    .find(|v| v.code() == t || v.label_fr().to_lowercase() == t || v.label_en().to_lowercase() == t)
                    .ok_or_else(|| DomainError::OutOfRange {
                        field: stringify!($name),
                        value: s.to_owned(),
                        min: $name::ALL.first().map(|v| v.code()).unwrap_or_default().to_owned(),
                        max: $name::ALL.last().map(|v| v.code()).unwrap_or_default().to_owned(),
                    })
            }
        }
    };
}

labelled_enum!(
    /// A crop family: each has its own campaign and orientation committee.
    CropFamily {
        Rice = "rice" / "riz" / "rice",
        DryCereals = "dry_cereals" / "céréales sèches" / "dry cereals",
        Shallot = "shallot" / "échalote" / "shallot",
    }
);

labelled_enum!(
    /// A crop that can be contracted and delivered.
    Crop {
        PaddyRice = "paddy_rice" / "riz paddy" / "paddy rice",
        Millet = "millet" / "mil" / "millet",
        Sorghum = "sorghum" / "sorgho" / "sorghum",
        Maize = "maize" / "maïs" / "maize",
        Shallot = "shallot" / "échalote" / "shallot",
    }
);

impl Crop {
    /// The family this crop belongs to.
    #[must_use]
    pub const fn family(self) -> CropFamily {
        match self {
            Crop::PaddyRice => CropFamily::Rice,
            Crop::Millet | Crop::Sorghum | Crop::Maize => CropFamily::DryCereals,
            Crop::Shallot => CropFamily::Shallot,
        }
    }
}

labelled_enum!(
    /// Sex of a member, as on the register.
    Sex {
        #[serde(rename = "f")]
        Female = "f" / "femme" / "woman",
        #[serde(rename = "m")]
        Male = "m" / "homme" / "man",
    }
);

labelled_enum!(
    /// Whether a member is still in the cooperative, and if not, why.
    MemberStatus {
        Active = "active" / "actif" / "active",
        Left = "left" / "parti" / "left",
        Deceased = "deceased" / "décédé" / "deceased",
        Excluded = "excluded" / "exclu" / "excluded",
        Transferred = "transferred" / "transféré" / "transferred",
    }
);

impl MemberStatus {
    /// A departure a person records (a transfer is its own use case).
    #[must_use]
    pub const fn is_departure(self) -> bool {
        matches!(
            self,
            MemberStatus::Left | MemberStatus::Deceased | MemberStatus::Excluded
        )
    }
}

labelled_enum!(
    /// What a change of the registry did.
    RegistryAction {
        /// Fields corrected (a phone, a misspelt name, a NINA found later…).
        Correct = "correct" / "correction" / "correction",
        /// A member left, died or was excluded.
        Depart = "depart" / "départ" / "departure",
        /// A departure recorded in error, undone.
        Reinstate = "reinstate" / "réintégration" / "reinstatement",
        /// A member moved to another cooperative (on the record she leaves).
        TransferOut = "transfer_out" / "transfert (départ)" / "transfer (out)",
        /// A member arrived from another cooperative (on her new record).
        TransferIn = "transfer_in" / "transfert (arrivée)" / "transfer (in)",
        /// A warehouse closed, or an agent who left.
        Close = "close" / "fermeture" / "closing",
    }
);

labelled_enum!(
    /// What a person may do.
    Role {
        FieldAgent = "field_agent" / "agent de terrain" / "field agent",
        #[serde(rename = "ctc")]
        Committee = "ctc" / "comité technique (CTC)" / "technical committee",
        Secretariat = "secretariat" / "secrétariat" / "secretariat",
        ReadOnly = "read_only" / "lecture seule" / "read-only",
    }
);

impl Role {
    /// True when the role may approve or reject contracts.
    #[must_use]
    pub const fn may_approve(self) -> bool {
        matches!(self, Role::Committee | Role::Secretariat)
    }
    /// True when the role may write anything at all.
    #[must_use]
    pub const fn may_write(self) -> bool {
        !matches!(self, Role::ReadOnly)
    }
    /// True when the role may write union-wide settings (campaigns, catalog, lenders).
    #[must_use]
    pub const fn may_configure(self) -> bool {
        matches!(self, Role::Secretariat)
    }
}

labelled_enum!(
    /// How money was handed over.
    PayMode {
        Cash = "cash" / "espèces" / "cash",
        MobileMoney = "mobile_money" / "mobile money" / "mobile money",
    }
);

labelled_enum!(
    /// A lender's kind.
    LenderKind {
        Microfinance = "microfinance" / "institution de microfinance" / "microfinance institution",
        Bank = "bank" / "banque" / "bank",
    }
);

labelled_enum!(
    /// The life cycle of an advance-payment contract.
    ///
    /// requested → approved → disbursed → delivering → settled, or rejected / cancelled /
    /// defaulted. `disbursed` and `delivering` are reached by recording a disbursement or a
    /// delivery; the others by an explicit decision.
    ContractState {
        Requested = "requested" / "demandé" / "requested",
        Approved = "approved" / "approuvé" / "approved",
        Disbursed = "disbursed" / "avance versée" / "disbursed",
        Delivering = "delivering" / "en livraison" / "delivering",
        Settled = "settled" / "soldé" / "settled",
        Rejected = "rejected" / "rejeté" / "rejected",
        Cancelled = "cancelled" / "annulé" / "cancelled",
        Defaulted = "defaulted" / "défaillant" / "defaulted",
    }
);

impl ContractState {
    /// Whether the life cycle allows moving from `self` to `to`.
    #[must_use]
    pub const fn can_become(self, to: ContractState) -> bool {
        use ContractState as S;
        matches!(
            (self, to),
            (S::Requested, S::Approved | S::Rejected | S::Cancelled)
                | (S::Approved, S::Disbursed | S::Delivering | S::Cancelled)
                | (S::Disbursed, S::Delivering | S::Settled | S::Defaulted)
                | (S::Delivering, S::Settled | S::Defaulted)
                | (S::Approved, S::Settled)
        )
    }

    /// Checks a transition.
    ///
    /// # Errors
    /// [`DomainError::TransitionNotAllowed`].
    pub fn transition(self, to: ContractState) -> Result<ContractState, DomainError> {
        if self == to || self.can_become(to) {
            Ok(to)
        } else {
            Err(DomainError::TransitionNotAllowed {
                from: self.label_fr().into(),
                to: to.label_fr().into(),
            })
        }
    }

    /// True when advances may be paid on the contract.
    #[must_use]
    pub const fn accepts_disbursement(self) -> bool {
        matches!(
            self,
            ContractState::Approved | ContractState::Disbursed | ContractState::Delivering
        )
    }

    /// True when deliveries may be recorded on the contract.
    #[must_use]
    pub const fn accepts_delivery(self) -> bool {
        self.accepts_disbursement()
    }
}

labelled_enum!(
    /// The kinds of money record a [`Reversal`] may cancel.
    RecordKind {
        Disbursement = "disbursement" / "avance" / "disbursement",
        Delivery = "delivery" / "livraison" / "delivery",
        Distribution = "distribution" / "distribution d'engrais" / "fertilizer distribution",
        Allocation = "allocation" / "dotation de fonds" / "fund allocation",
        Drawdown = "drawdown" / "tirage" / "drawdown",
        Repayment = "repayment" / "remboursement" / "repayment",
        Payment = "payment" / "paiement de solde" / "balance payment",
        SaleLot = "sale_lot" / "lot de vente" / "sale lot",
    }
);

/// The union: one per store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Union {
    pub id: UnionId,
    pub name: String,
    pub region: String,
}

/// A base cooperative.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cooperative {
    pub id: CooperativeId,
    /// Short code used in member numbers (`DIO`).
    pub code: String,
    pub name: String,
    pub village: String,
    pub commune: String,
    pub cercle: String,
    pub region: String,
}

/// A cooperative's warehouse.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Warehouse {
    pub id: WarehouseId,
    pub cooperative_id: CooperativeId,
    pub name: String,
    pub capacity: Option<Kg>,
}

/// A person who records or checks data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Agent {
    pub id: AgentId,
    pub name: String,
    pub phone: Option<String>,
    pub role: Role,
    /// Cooperatives the agent follows.
    pub cooperatives: Vec<CooperativeId>,
}

/// A laptop that records data. Its receipt prefix is unique in the union, so that receipt
/// numbers `PREFIX-000123` made on different devices never collide, with no coordination.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Device {
    pub id: DeviceId,
    pub label: String,
    pub receipt_prefix: String,
}

/// A member farmer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    pub id: MemberId,
    pub cooperative_id: CooperativeId,
    /// Unique in the cooperative (`DIO-0042`).
    pub number: String,
    pub full_name: String,
    pub sex: Sex,
    pub birth_year: Option<i32>,
    pub village: String,
    /// `+223` and 8 digits.
    pub phone: Option<String>,
    /// National identity number.
    pub nina: Option<String>,
    pub crops: Vec<CropFamily>,
    pub status: MemberStatus,
    /// When the departure (or transfer) took effect.
    pub left_on: Option<NaiveDate>,
    /// The member's record in the cooperative she moved to.
    pub moved_to: Option<MemberId>,
    /// The member's record in the cooperative she came from.
    pub moved_from: Option<MemberId>,
    /// The day she was registered (unknown for registrations older than the registry's
    /// history).
    pub registered_on: Option<NaiveDate>,
}

/// A period of dates, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DateWindow {
    pub start: NaiveDate,
    pub end: NaiveDate,
}

impl DateWindow {
    /// A window; refuses an end before the start.
    ///
    /// # Errors
    /// [`DomainError::WindowInverted`].
    pub fn new(start: NaiveDate, end: NaiveDate) -> Result<Self, DomainError> {
        if end < start {
            return Err(DomainError::WindowInverted {
                start: start.to_string(),
                end: end.to_string(),
            });
        }
        Ok(Self { start, end })
    }

    /// True when the date is inside.
    #[must_use]
    pub fn contains(&self, date: NaiveDate) -> bool {
        self.start <= date && date <= self.end
    }

    /// Checks that a date is inside.
    ///
    /// # Errors
    /// [`DomainError::DateOutsideWindow`].
    pub fn check(&self, field: &'static str, date: NaiveDate) -> Result<(), DomainError> {
        if self.contains(date) {
            Ok(())
        } else {
            Err(DomainError::DateOutsideWindow {
                field,
                date: date.to_string(),
                start: self.start.to_string(),
                end: self.end.to_string(),
            })
        }
    }
}

/// How the union charges for the advance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FeeModel {
    /// No fee.
    None,
    /// A flat share of the amounts advanced.
    Flat { rate: Rate },
    /// Simple annual interest, actual/365, from each disbursement's date to the settlement date.
    Interest { annual_rate: Rate },
}

/// Quality limits above which weight is deducted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct QualityLimits {
    /// Default 14 %.
    pub max_moisture: Percent,
    /// Default 2 %.
    pub max_impurity: Percent,
}

/// The price of one crop in a campaign.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CropPrice {
    pub crop: Crop,
    /// Francs per kg.
    pub base_price: Money,
    /// Francs per kg paid for kg above the committed quantity, when over-delivery is bought.
    pub over_delivery_price: Option<Money>,
}

/// A season of one crop family, with every setting the secretariat can change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Campaign {
    pub id: CampaignId,
    pub name: String,
    pub family: CropFamily,
    pub prices: Vec<CropPrice>,
    /// Default 60 %.
    pub advance_share: Rate,
    pub fee: FeeModel,
    pub contract_window: DateWindow,
    pub delivery_window: DateWindow,
    pub quality: QualityLimits,
    /// Default 0,5 kg per bag.
    pub bag_tare: Kg,
    /// Whether kg above the committed quantity are bought (at the crop's over-delivery price).
    pub over_delivery_bought: bool,
}

impl Campaign {
    /// The price of a crop in this campaign.
    ///
    /// # Errors
    /// [`DomainError::CropNotInCampaign`].
    pub fn price(&self, crop: Crop) -> Result<&CropPrice, DomainError> {
        self.prices
            .iter()
            .find(|p| p.crop == crop)
            .ok_or_else(|| DomainError::CropNotInCampaign {
                crop: crop.label_fr().into(),
            })
    }

    /// The first day anything of the campaign may happen to the last day of deliveries.
    #[must_use]
    pub fn season(&self) -> DateWindow {
        DateWindow {
            start: self.contract_window.start.min(self.delivery_window.start),
            end: self.delivery_window.end.max(self.contract_window.end),
        }
    }
}

/// An advance-payment contract.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contract {
    pub id: ContractId,
    pub member_id: MemberId,
    pub campaign_id: CampaignId,
    pub crop: Crop,
    pub committed: Kg,
    /// Francs per kg, taken from the campaign when the contract is requested.
    pub base_price: Money,
    pub state: ContractState,
    pub requested_on: NaiveDate,
}

/// Who recorded a record, on which device, and its receipt number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recorded {
    pub agent_id: AgentId,
    pub device_id: DeviceId,
    pub receipt: String,
    pub recorded_at: DateTime<Utc>,
}

/// A cash advance paid against a contract.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Disbursement {
    pub id: DisbursementId,
    pub contract_id: ContractId,
    pub amount: Money,
    pub date: NaiveDate,
    pub mode: PayMode,
    pub recorded: Recorded,
}

/// A delivery of crop to a warehouse, weighed and checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivery {
    pub id: DeliveryId,
    pub member_id: MemberId,
    pub contract_id: ContractId,
    pub crop: Crop,
    pub warehouse_id: WarehouseId,
    pub bags: u32,
    pub gross: Kg,
    pub moisture: Percent,
    pub impurity: Percent,
    /// gross − bags × tare.
    pub net: Kg,
    /// net reduced by the points of moisture and impurity above the limits.
    pub accepted: Kg,
    pub date: NaiveDate,
    pub recorded: Recorded,
    /// How the gross weight was obtained: read from the scale (each capture's evidence) or
    /// typed by hand (the reason). `None` for a delivery recorded before Sene read scales
    /// (« saisie avant la balance »): such records stay valid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weighing: Option<Weighing>,
}

labelled_enum!(
    /// Why a delivery's gross weight was typed by hand rather than captured from the scale.
    HandReason {
        NoScale = "no_scale" / "pas de balance au magasin" / "no scale at the warehouse",
        ScaleBroken = "scale_broken" / "balance en panne" / "scale broken",
        NoStableWeight = "no_stable_weight" / "balance instable ou illisible" / "scale unstable or unreadable",
        PowerCut = "power_cut" / "coupure de courant ou batterie" / "power cut or battery",
        PaperTicket = "paper_ticket" / "pesée sur un bon papier" / "weighed on a paper ticket",
        Other = "other" / "autre motif" / "other reason",
    }
);

/// One weight taken from the scale (« Capturer »): what the indicator sent, when, and from which
/// scale. Kept whole in the delivery record so that a ticket can be checked against it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScaleCapture {
    /// The gross weight read, in kg, exact as converted from the indicator's unit (the
    /// delivery's gross is the sum of its captures rounded to 0,1 kg).
    pub kg: rust_decimal::Decimal,
    /// The stable-weight rule held (the same weight for the scale's hold time, not flagged
    /// moving). A capture is only taken stable; the flag is kept as read.
    pub stable: bool,
    /// When the frame was read, by this device's clock.
    pub at: DateTime<Utc>,
    /// The frame as received, control bytes escaped (`\x02…\x03`).
    pub raw: String,
    /// The protocol's code (`mt-sics`, `and`, `xk3190`).
    pub protocol: String,
    /// The port the scale was read on (`COM3`, `/dev/ttyUSB0`) and its settings
    /// (`9600 8N1`): the scale's identity as this device configured it.
    pub port: String,
    /// The indicator's own identity when its protocol gives one (MT-SICS serial number).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub indicator: Option<String>,
}

/// How a delivery's gross weight was obtained.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum Weighing {
    /// Read from the scale: one capture, or several summed (a delivery weighed in parts).
    Scale { captures: Vec<ScaleCapture> },
    /// Typed by hand, with the reason chosen and a free note (required for « autre motif »).
    Hand {
        reason: HandReason,
        #[serde(default)]
        note: String,
    },
}

impl Weighing {
    /// Most captures summed into one delivery.
    pub const CAPTURES_MAX: usize = 40;
    /// Longest raw frame, port or indicator id kept (characters).
    pub const FIELD_MAX: usize = 120;

    /// The gross weight the captures make: their exact sum rounded to 0,1 kg, half up. `None`
    /// for a hand weight.
    ///
    /// # Errors
    /// [`DomainError::Overflow`].
    pub fn captured_gross(&self) -> Result<Option<Kg>, DomainError> {
        match self {
            Weighing::Scale { captures } => {
                let mut sum = rust_decimal::Decimal::ZERO;
                for c in captures {
                    sum = sum.checked_add(c.kg).ok_or(DomainError::Overflow)?;
                }
                Kg::round_half_up(sum).map(Some)
            }
            Weighing::Hand { .. } => Ok(None),
        }
    }

    /// Checks the evidence before it is recorded: at least one capture, each stable, positive,
    /// its text single-line and bounded; a hand weight's note bounded, and present for
    /// « autre motif ». Returns it with its texts trimmed.
    ///
    /// # Errors
    /// [`DomainError::NoCapture`], [`DomainError::TooManyCaptures`],
    /// [`DomainError::CaptureNotStable`], [`DomainError::OutOfRange`], text errors.
    pub fn checked(self) -> Result<Weighing, DomainError> {
        use crate::validate::{limits, optional_text, text};
        match self {
            Weighing::Scale { captures } => {
                if captures.is_empty() {
                    return Err(DomainError::NoCapture);
                }
                if captures.len() > Self::CAPTURES_MAX {
                    return Err(DomainError::TooManyCaptures {
                        max: Self::CAPTURES_MAX,
                    });
                }
                let mut out = Vec::with_capacity(captures.len());
                for c in captures {
                    if !c.stable {
                        return Err(DomainError::CaptureNotStable {
                            kg: c.kg.normalize().to_string(),
                        });
                    }
                    let max = rust_decimal::Decimal::from(limits::DELIVERY_KG_MAX);
                    if c.kg <= rust_decimal::Decimal::ZERO || c.kg > max {
                        return Err(DomainError::OutOfRange {
                            field: "pesée",
                            value: c.kg.normalize().to_string(),
                            min: "0".into(),
                            max: max.to_string(),
                        });
                    }
                    out.push(ScaleCapture {
                        kg: c.kg.normalize(),
                        stable: c.stable,
                        at: c.at,
                        raw: optional_text("trame", &c.raw, Self::FIELD_MAX)?,
                        protocol: text("protocole", &c.protocol, 20)?,
                        port: text("port série", &c.port, Self::FIELD_MAX)?,
                        indicator: match c.indicator {
                            Some(i) if !i.trim().is_empty() => {
                                Some(optional_text("balance", &i, Self::FIELD_MAX)?)
                            }
                            _ => None,
                        },
                    });
                }
                Ok(Weighing::Scale { captures: out })
            }
            Weighing::Hand { reason, note } => {
                let note = if reason == HandReason::Other {
                    text("motif de la saisie à la main", &note, limits::TEXT_MAX)?
                } else {
                    optional_text("motif de la saisie à la main", &note, limits::TEXT_MAX)?
                };
                Ok(Weighing::Hand { reason, note })
            }
        }
    }
}

/// The reversal (or void) of a money record, with its reason. The original stays.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reversal {
    pub id: ReversalId,
    pub target_kind: RecordKind,
    pub target_id: String,
    pub reason: String,
    pub date: NaiveDate,
    pub recorded: Recorded,
}

/// A fertilizer product of the catalog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FertilizerProduct {
    pub id: ProductId,
    pub name: String,
    /// Usually 50 kg.
    pub bag_weight: Kg,
    /// Francs per bag charged to members.
    pub price_per_bag: Money,
}

/// A member's stated need of fertilizer for a campaign.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FertilizerNeed {
    pub id: NeedId,
    pub member_id: MemberId,
    pub campaign_id: CampaignId,
    pub product_id: ProductId,
    pub bags: u32,
}

/// A cooperative's grouped order (the sum of its members' needs, as forwarded).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupOrder {
    pub id: GroupOrderId,
    pub cooperative_id: CooperativeId,
    pub campaign_id: CampaignId,
    pub product_id: ProductId,
    pub bags: u32,
    pub date: NaiveDate,
}

/// The union's purchase order to a supplier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PurchaseOrder {
    pub id: PurchaseOrderId,
    pub campaign_id: CampaignId,
    pub supplier: String,
    pub product_id: ProductId,
    pub bags: u32,
    /// Francs per bag paid to the supplier.
    pub unit_cost: Money,
    pub date: NaiveDate,
}

/// Bags received at a cooperative's warehouse against a purchase order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reception {
    pub id: ReceptionId,
    pub purchase_order_id: PurchaseOrderId,
    pub warehouse_id: WarehouseId,
    pub bags_expected: u32,
    pub bags_received: u32,
    pub date: NaiveDate,
    pub note: String,
}

/// Bags of fertilizer handed to a member, against a receipt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FertilizerDistribution {
    pub id: DistributionId,
    pub member_id: MemberId,
    pub campaign_id: CampaignId,
    pub product_id: ProductId,
    pub bags: u32,
    /// Francs per bag at the time of distribution.
    pub price_per_bag: Money,
    /// Paid in cash on the spot; the rest is credit deducted at settlement.
    pub cash_paid: Money,
    pub date: NaiveDate,
    pub recorded: Recorded,
}

/// Where a sale lot takes its stock from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LotSource {
    pub warehouse_id: WarehouseId,
    pub kg: Kg,
}

/// A lot of crop sold by the union.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SaleLot {
    pub id: SaleLotId,
    pub campaign_id: CampaignId,
    pub crop: Crop,
    pub buyer: String,
    pub sources: Vec<LotSource>,
    /// Francs per kg.
    pub price_per_kg: Money,
    /// Transport, handling, commission…
    pub costs: Money,
    pub date: NaiveDate,
    pub paid: bool,
}

/// A microfinance institution or bank.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lender {
    pub id: LenderId,
    pub name: String,
    pub kind: LenderKind,
}

/// A lender's credit line to the union.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreditLine {
    pub id: CreditLineId,
    pub lender_id: LenderId,
    pub campaign_id: Option<CampaignId>,
    pub principal: Money,
    pub annual_rate: Rate,
    pub start: NaiveDate,
    pub maturity: NaiveDate,
    /// Share of the loan covered by a guarantee fund (at most 50 %).
    pub guarantee_share: Rate,
}

/// Money drawn on a credit line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Drawdown {
    pub id: DrawdownId,
    pub credit_line_id: CreditLineId,
    pub amount: Money,
    pub date: NaiveDate,
}

/// Money repaid to a lender.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LenderRepayment {
    pub id: RepaymentId,
    pub credit_line_id: CreditLineId,
    pub principal: Money,
    pub interest: Money,
    pub date: NaiveDate,
}

/// Funds handed to an agent to pay advances in a cooperative.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FundAllocation {
    pub id: AllocationId,
    pub campaign_id: CampaignId,
    pub agent_id: AgentId,
    pub cooperative_id: CooperativeId,
    pub amount: Money,
    pub date: NaiveDate,
}

/// The balance paid to a member after settlement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BalancePayment {
    pub id: PaymentId,
    pub member_id: MemberId,
    pub campaign_id: CampaignId,
    pub amount: Money,
    pub date: NaiveDate,
    pub mode: PayMode,
    pub recorded: Recorded,
}

/// A member's debt at a locked settlement of a campaign, carried to the member's next campaign
/// of the same crop family (where it is deducted like an advance). Written by the secretariat
/// when it locks a run; one per member and campaign (a correction run writes it again).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DebtCarry {
    pub member_id: MemberId,
    /// The campaign the debt comes from.
    pub campaign_id: CampaignId,
    /// Zero or more (zero when a correction leaves the member out of debt).
    pub amount: Money,
    /// The locked run that set this amount (a later run that finds the same debt leaves it).
    pub run_id: SettlementRunId,
    /// The run's settlement date.
    pub date: NaiveDate,
}

labelled_enum!(
    /// What the secretariat decided about two registrations that look like one person.
    MergeKind {
        /// The same person: the merged registration's records count under the kept one.
        Merge = "merge" / "fusion" / "merge",
        /// Two different people: both registrations stay, the pair is no longer flagged.
        Distinct = "distinct" / "personnes différentes" / "different people",
    }
);

/// The secretariat's decision on two registrations of what looked like one member (a synced
/// record; nothing is deleted or rewritten). A merge re-points, for every reading, the records
/// of `merged` (contracts, advances, deliveries, fertilizer, payments, debts) to `kept`: see
/// [`crate::merges::Merges`]. A distinct decision only says the pair is two people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberMerge {
    pub id: MemberMergeId,
    pub kind: MergeKind,
    /// The registration kept (for a distinct decision: the first of the pair).
    pub kept: MemberId,
    /// The registration whose records now count under `kept` (or the second of the pair).
    pub merged: MemberId,
    pub reason: String,
    pub agent_id: AgentId,
    pub device_id: DeviceId,
    pub at: DateTime<Utc>,
}

/// One change of the registry, as every store keeps it (a synced record, append-only): the
/// fields it changed with their old and new values, why, who, on which device, when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistryChange {
    pub id: RegistryChangeId,
    /// `members`, `warehouses`, `cooperatives` or `agents`.
    pub record_table: String,
    pub record_id: String,
    /// The cooperative whose registry holds it (none: the union document).
    pub cooperative_id: Option<CooperativeId>,
    pub action: RegistryAction,
    /// Field → (old value, new value), as stored (codes, `+223…`, ISO dates).
    pub changes: std::collections::BTreeMap<String, (Option<String>, Option<String>)>,
    pub reason: String,
    /// The date a departure, transfer or closing took effect.
    pub effective_on: Option<NaiveDate>,
    pub agent_id: AgentId,
    pub device_id: DeviceId,
    pub at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contract_life_cycle() {
        use ContractState as S;
        assert!(S::Requested.can_become(S::Approved));
        assert!(S::Approved.can_become(S::Disbursed));
        assert!(S::Disbursed.can_become(S::Delivering));
        assert!(S::Delivering.can_become(S::Settled));
        assert!(!S::Requested.can_become(S::Disbursed));
        assert!(!S::Rejected.can_become(S::Approved));
        assert!(!S::Settled.can_become(S::Requested));
        assert!(S::Rejected.transition(S::Approved).is_err());
        assert!(!S::Requested.accepts_disbursement());
        assert!(S::Disbursed.accepts_delivery());
    }

    #[test]
    fn serde_names_are_the_stored_codes() {
        for r in Role::ALL {
            assert_eq!(
                serde_json::to_string(r).unwrap_or_default(),
                format!("\"{}\"", r.code())
            );
        }
        for x in Sex::ALL {
            assert_eq!(
                serde_json::to_string(x).unwrap_or_default(),
                format!("\"{}\"", x.code())
            );
        }
        for x in Crop::ALL {
            assert_eq!(
                serde_json::to_string(x).unwrap_or_default(),
                format!("\"{}\"", x.code())
            );
        }
        for x in ContractState::ALL {
            assert_eq!(
                serde_json::to_string(x).unwrap_or_default(),
                format!("\"{}\"", x.code())
            );
        }
        for x in RecordKind::ALL {
            assert_eq!(
                serde_json::to_string(x).unwrap_or_default(),
                format!("\"{}\"", x.code())
            );
        }
        for x in PayMode::ALL {
            assert_eq!(
                serde_json::to_string(x).unwrap_or_default(),
                format!("\"{}\"", x.code())
            );
        }
    }

    #[test]
    fn labelled_enums_parse_codes_and_labels() {
        assert_eq!("riz".parse::<CropFamily>(), Ok(CropFamily::Rice));
        assert_eq!(
            "Dry_Cereals".parse::<CropFamily>(),
            Ok(CropFamily::DryCereals)
        );
        assert_eq!("maïs".parse::<Crop>(), Ok(Crop::Maize));
        assert_eq!("F".parse::<Sex>(), Ok(Sex::Female));
        assert!("avoine".parse::<Crop>().is_err());
        assert_eq!(Crop::Sorghum.family(), CropFamily::DryCereals);
    }

    #[allow(clippy::unwrap_used)]
    fn capture(kg: &str, stable: bool) -> ScaleCapture {
        ScaleCapture {
            kg: kg.parse().unwrap(),
            stable,
            at: "2026-11-20T09:15:02.120Z".parse().unwrap(),
            raw: r"ST,GS,+00050.25kg".into(),
            protocol: "and".into(),
            port: "COM3 9600 8N1".into(),
            indicator: None,
        }
    }

    #[test]
    #[allow(clippy::unwrap_used)]
    fn weighing_evidence() {
        let w = Weighing::Scale {
            captures: vec![capture("50.25", true), capture("49.30", true)],
        };
        // the sum, exact, rounded once: 99.55 -> 99.6
        assert_eq!(w.captured_gross().unwrap().unwrap().tenths(), 996);
        let json = serde_json::to_string(&w).unwrap();
        assert!(json.starts_with(r#"{"method":"scale","captures":[{"kg":"50.25","stable":true,"#));
        let back: Weighing = serde_json::from_str(&json).unwrap();
        assert_eq!(back, w);
        assert_eq!(w.clone().checked().unwrap(), w);

        assert_eq!(
            Weighing::Scale { captures: vec![] }.checked(),
            Err(DomainError::NoCapture)
        );
        assert!(matches!(
            Weighing::Scale {
                captures: vec![capture("50.25", false)]
            }
            .checked(),
            Err(DomainError::CaptureNotStable { .. })
        ));
        assert!(matches!(
            Weighing::Scale {
                captures: vec![capture("0", true)]
            }
            .checked(),
            Err(DomainError::OutOfRange { .. })
        ));
        let mut bad = capture("10", true);
        bad.raw = "a\nb".into();
        assert!(matches!(
            Weighing::Scale {
                captures: vec![bad]
            }
            .checked(),
            Err(DomainError::ControlCharacter { .. })
        ));

        let hand = Weighing::Hand {
            reason: HandReason::Other,
            note: "  ".into(),
        };
        assert!(matches!(hand.checked(), Err(DomainError::EmptyText { .. })));
        let hand = Weighing::Hand {
            reason: HandReason::ScaleBroken,
            note: String::new(),
        };
        assert_eq!(hand.captured_gross().unwrap(), None);
        assert_eq!(
            serde_json::to_string(&hand.clone().checked().unwrap()).unwrap(),
            r#"{"method":"hand","reason":"scale_broken","note":""}"#
        );
        // an old record has no weighing at all
        assert_eq!(HandReason::ALL.len(), 6);
    }
}
