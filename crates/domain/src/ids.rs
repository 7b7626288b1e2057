//! Typed identifiers.
//!
//! Every record is named by a UUIDv7 made on the device that created it, wrapped in a newtype per
//! record kind so that a `MemberId` can never be passed where a `ContractId` is expected.
//! UUIDv7 sorts by creation time on the creating device, which keeps SQLite indexes compact; it is
//! never used to order records across devices (device clocks are wrong in the field).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The error of parsing an identifier from text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("identifiant invalide « {0} » (attendu : un UUID)")]
pub struct ParseIdError(pub String);

macro_rules! id_type {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {$(
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        #[repr(transparent)]
        pub struct $name(Uuid);

        impl $name {
            /// A fresh UUIDv7 identifier.
            #[must_use]
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }
            /// Wraps an existing UUID.
            #[must_use]
            pub const fn from_uuid(uuid: Uuid) -> Self {
                Self(uuid)
            }
            /// The UUID inside.
            #[must_use]
            pub const fn as_uuid(&self) -> &Uuid {
                &self.0
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0.hyphenated(), f)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), self.0.hyphenated())
            }
        }

        impl FromStr for $name {
            type Err = ParseIdError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s.trim()).map(Self).map_err(|_| ParseIdError(s.to_owned()))
            }
        }
    )*};
}

id_type!(
    /// The union (one per store).
    UnionId,
    /// A base cooperative.
    CooperativeId,
    /// A cooperative's warehouse (magasin).
    WarehouseId,
    /// A field agent, committee member or secretariat staff.
    AgentId,
    /// A laptop that records data.
    DeviceId,
    /// A member farmer.
    MemberId,
    /// A campaign (one season of one crop family).
    CampaignId,
    /// An advance-payment contract.
    ContractId,
    /// A cash advance paid against a contract.
    DisbursementId,
    /// A delivery of crop to a warehouse.
    DeliveryId,
    /// A reversal (or void) of a money record.
    ReversalId,
    /// A fertilizer product of the catalog.
    ProductId,
    /// A member's stated fertilizer need.
    NeedId,
    /// A cooperative's grouped fertilizer order.
    GroupOrderId,
    /// The union's purchase order to a supplier.
    PurchaseOrderId,
    /// A reception of fertilizer bags at a warehouse.
    ReceptionId,
    /// A distribution of fertilizer bags to a member.
    DistributionId,
    /// A lot of crop sold by the union.
    SaleLotId,
    /// A microfinance institution or bank.
    LenderId,
    /// A lender's credit line for a season.
    CreditLineId,
    /// A drawdown on a credit line.
    DrawdownId,
    /// A repayment to a lender.
    RepaymentId,
    /// Funds handed to an agent for a cooperative.
    AllocationId,
    /// A balance paid to a member after settlement.
    PaymentId,
    /// A locked settlement run of a campaign.
    SettlementRunId,
    /// A decision on two registrations of a member: merged into one, or different people.
    MemberMergeId,
    /// A sync conflict's resolution, synced so that every device closes the conflict.
    ResolutionId,
    /// A change of the registry: a correction, a departure, a transfer, a closing.
    RegistryChangeId,
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_through_text_and_json() {
        let id = MemberId::new();
        let text = id.to_string();
        assert_eq!(text.parse::<MemberId>(), Ok(id));
        let json = serde_json_like(&text);
        assert!(json.contains(&text));
        assert!("pas-un-uuid".parse::<MemberId>().is_err());
    }

    fn serde_json_like(s: &str) -> String {
        format!("\"{s}\"")
    }

    #[test]
    fn ids_are_v7_and_increase_on_one_device() {
        let a = ContractId::new();
        let b = ContractId::new();
        assert_eq!(a.as_uuid().get_version_num(), 7);
        assert!(a < b);
    }
}
