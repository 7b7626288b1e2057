//! Requests and responses. Field names are the wire names (snake_case).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{ApiError, ErrorCode};

macro_rules! dto {
    ($($(#[$m:meta])* pub struct $name:ident { $($(#[$fm:meta])* pub $f:ident : $t:ty),* $(,)? })*) => {
        $(
            $(#[$m])*
            #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
            pub struct $name { $($(#[$fm])* pub $f: $t),* }
        )*
        /// Every declared type, in order.
        fn declared(cfg: &ts_rs::Config) -> Vec<String> {
            vec![$(<$name as TS>::decl(cfg)),*]
        }
    };
}

dto! {
    /// Where the session stands: shown in the header, decides the first screen.
    pub struct AppStatus {
        pub initialized: bool,
        pub union_name: Option<String>,
        pub agent_name: Option<String>,
        /// `field_agent`, `ctc`, `secretariat`, `read_only`.
        pub role: Option<String>,
        pub role_label: Option<String>,
        pub device_label: Option<String>,
        pub may_approve: bool,
        /// False for the read-only role (board, lender): the window shows no write action.
        pub may_write: bool,
        /// True for the secretariat: the office screens (dashboard, anomalies, settlement).
        pub may_configure: bool,
        /// `fr` or `en`.
        pub lang: String,
        pub campaigns: Vec<CampaignView>,
        pub today: String,
        /// Where receipts (PDF) are saved.
        pub receipts_dir: String,
        /// The store is encrypted (signed in with a passphrase).
        pub encrypted: bool,
        /// The sign-in name of who is signed in, when the store is encrypted.
        pub account_label: Option<String>,
        /// Minutes without a key press or click before the window locks itself (0: never).
        pub idle_lock_minutes: u32,
    }

    /// « À propos » (`about`, at the gate): what this build is, for a union's IT volunteer.
    pub struct AboutView {
        /// Sene's version (`0.1.0`).
        pub version: String,
        /// The store schema this build writes: its last migration's number.
        pub schema_version: u32,
        /// The commit it was built from (`git rev-parse --short=12`); none when it was built
        /// without git (the window says « inconnu » / "unknown").
        pub commit: Option<String>,
    }

    /// The store's lock, before anyone is signed in: decides the sign-in screen.
    pub struct VaultStatus {
        /// `new` (no store yet: choose a passphrase), `plain` (a store made before
        /// encryption: encrypt it), `locked` (sign in), `open` (a session is open),
        /// `unreadable` (see `problem`).
        pub state: String,
        /// Who can sign in on this device.
        pub accounts: Vec<AccountView>,
        pub store_path: String,
        /// Why the store cannot be opened, when it cannot.
        pub problem: Option<String>,
    }

    /// One sign-in on this device.
    pub struct AccountView {
        pub id: String,
        pub label: String,
        /// The agent who signs in with it (none until the store knows its first agent).
        pub agent_id: Option<String>,
        pub agent_name: Option<String>,
        pub role_label: Option<String>,
    }

    /// First start: the first sign-in name and passphrase (typed twice).
    pub struct CreateVaultRequest {
        pub label: String,
        pub passphrase: String,
        pub confirm: String,
        /// The window's language (`fr`, `en`): the gate's refusals follow it.
        #[serde(default)]
        #[ts(optional)]
        pub lang: Option<String>,
    }

    /// The recovery key, shown once, and the session it opened.
    pub struct VaultCreatedView {
        /// 14 groups of 4 characters: the only way in if every passphrase is forgotten.
        pub recovery_key: String,
        pub status: AppStatus,
    }

    /// Sign in with one account's passphrase.
    pub struct SignInRequest {
        pub account: String,
        pub passphrase: String,
        /// The window's language (`fr`, `en`): the gate's refusals follow it.
        #[serde(default)]
        #[ts(optional)]
        pub lang: Option<String>,
    }

    /// Every passphrase forgotten: the recovery key and a new first sign-in.
    pub struct RecoverRequest {
        pub recovery_key: String,
        pub label: String,
        pub passphrase: String,
        pub confirm: String,
        /// The window's language (`fr`, `en`): the gate's refusals follow it.
        #[serde(default)]
        #[ts(optional)]
        pub lang: Option<String>,
    }

    /// The secretariat gives another agent a sign-in on this device.
    pub struct AddAccountRequest {
        pub agent_id: String,
        pub passphrase: String,
        pub confirm: String,
    }

    /// An account to remove from this device.
    pub struct AccountRequest {
        pub account: String,
    }

    /// The idle time before the window locks itself.
    pub struct IdleLockRequest {
        pub minutes: u32,
    }

    /// A crop's price in a campaign.
    pub struct CropPriceView {
        pub crop: String,
        pub label: String,
        pub base_price: String,
    }

    /// A campaign and its settings.
    pub struct CampaignView {
        pub id: String,
        pub name: String,
        pub family: String,
        pub family_label: String,
        pub crops: Vec<CropPriceView>,
        /// A fraction: `"0.6"`.
        pub advance_share: String,
        pub contract_from: String,
        pub contract_to: String,
        pub delivery_from: String,
        pub delivery_to: String,
        pub max_moisture: String,
        pub max_impurity: String,
        pub bag_tare_kg: String,
        pub over_delivery_bought: bool,
    }

    /// `set_lang`.
    pub struct LangRequest {
        pub lang: String,
    }

    /// `init_union`: a new union on this device, with its first (secretariat) agent.
    pub struct InitRequest {
        pub union_name: String,
        pub region: String,
        pub agent_name: String,
        pub device_label: String,
        pub receipt_prefix: String,
    }

    /// `enroll`: this device joins a union with the pairing code the secretariat gave.
    pub struct EnrollRequest {
        pub hub_url: String,
        pub device_id: String,
        pub code: String,
    }

    /// A base cooperative.
    pub struct CooperativeView {
        pub id: String,
        pub code: String,
        pub name: String,
        pub village: String,
        pub member_count: u32,
    }

    /// `list_warehouses`.
    pub struct CooperativeRequest {
        pub cooperative_id: String,
    }

    /// A warehouse (collection point).
    pub struct WarehouseView {
        pub id: String,
        pub name: String,
    }

    /// `search_members`: by name (accents and case ignored), number or phone.
    pub struct SearchRequest {
        pub query: String,
        pub cooperative_id: Option<String>,
    }

    /// A member in a list.
    pub struct MemberSummary {
        pub id: String,
        pub number: String,
        pub full_name: String,
        pub village: String,
        pub phone: Option<String>,
        pub cooperative_id: String,
        pub cooperative_name: String,
        /// `active`, `left`, `deceased`, `excluded` or `transferred`.
        pub status: String,
        /// The status in words, in the session's language (`Parti`, `Deceased`…).
        pub status_label: String,
        /// Still a member of her cooperative (not left, deceased, excluded nor transferred).
        pub active: bool,
        /// When she left (or was transferred), `YYYY-MM-DD`.
        pub left_on: Option<String>,
    }

    /// `member_card`.
    pub struct MemberRequest {
        pub member_id: String,
    }

    /// A contract and its figures.
    pub struct ContractView {
        pub id: String,
        pub member_id: String,
        pub campaign_id: String,
        pub campaign_name: String,
        pub crop: String,
        pub crop_label: String,
        pub committed_kg: String,
        pub base_price: String,
        pub state: String,
        pub state_label: String,
        pub advance_due: String,
        pub disbursed: String,
        pub accepted_kg: String,
        pub value: String,
        /// An advance may be paid on it today (its state and the member's presence, as the
        /// ledger checks them); the window shows « Verser une avance » by this flag.
        pub may_disburse: bool,
        /// A delivery may be recorded on it (its state, as the ledger checks it).
        pub may_deliver: bool,
    }

    /// An advance or a balance payment.
    pub struct MoneyLine {
        pub id: String,
        pub date: String,
        pub amount: String,
        pub receipt: String,
        pub reversed: bool,
        pub contract_id: Option<String>,
    }

    /// A delivery.
    pub struct DeliveryView {
        pub id: String,
        pub date: String,
        pub contract_id: String,
        pub crop_label: String,
        pub bags: u32,
        pub gross_kg: String,
        pub net_kg: String,
        pub accepted_kg: String,
        pub receipt: String,
        pub voided: bool,
    }

    /// A fertilizer distribution.
    pub struct DistributionView {
        pub id: String,
        pub date: String,
        pub product_name: String,
        pub bags: u32,
        pub amount: String,
        pub cash_paid: String,
        pub receipt: String,
        pub reversed: bool,
    }

    /// A member's balance in a campaign (the settlement at today's date).
    pub struct BalanceView {
        pub campaign_id: String,
        pub campaign_name: String,
        pub contracts_value: String,
        pub advances: String,
        pub fees: String,
        pub fertilizer: String,
        /// The debt carried in from the previous campaign of the crop family.
        pub carried_debt: String,
        /// The price complement on the member's kg.
        pub complement: String,
        /// May be negative: a debt carried forward.
        pub net: String,
        pub paid: String,
        /// Still to pay to the member: max(0, net − paid).
        pub remaining: String,
    }

    /// A receipt that can be reprinted.
    pub struct ReceiptRef {
        /// `disbursement`, `delivery`, `distribution`, `payment`, `reversal`.
        pub kind: String,
        pub id: String,
        pub number: String,
        pub date: String,
        pub title: String,
    }

    /// Everything about a member.
    pub struct MemberCard {
        pub member: MemberSummary,
        /// `f` or `m`.
        pub sex: String,
        pub birth_year: Option<i32>,
        pub crops: Vec<String>,
        pub contracts: Vec<ContractView>,
        pub disbursements: Vec<MoneyLine>,
        pub payments: Vec<MoneyLine>,
        pub deliveries: Vec<DeliveryView>,
        pub distributions: Vec<DistributionView>,
        pub balances: Vec<BalanceView>,
        pub receipts: Vec<ReceiptRef>,
        /// Her national id, when known.
        pub nina: Option<String>,
        /// The day she was registered, `YYYY-MM-DD` (unknown for older registrations).
        pub registered_on: Option<String>,
        /// She may get a new contract or an advance today (the ledger's rule: a member who
        /// left, died, was excluded or transferred gets none). The window offers neither
        /// otherwise.
        pub may_contract: bool,
        /// Her departure or transfer may be recorded (she is active).
        pub may_depart: bool,
        /// Her departure may be undone (left, deceased, excluded; a transfer is undone by a
        /// transfer back).
        pub may_reinstate: bool,
        /// Her record in the cooperative she moved to, after a transfer.
        pub moved_to: Option<MemberSummary>,
        /// Her record in the cooperative she came from, after a transfer.
        pub moved_from: Option<MemberSummary>,
    }

    /// `check_member` and `register_member`.
    pub struct NewMemberRequest {
        pub cooperative_id: String,
        pub number: String,
        pub full_name: String,
        /// `f` or `m` (either case).
        pub sex: String,
        pub birth_year: Option<i32>,
        pub village: String,
        pub phone: Option<String>,
        pub nina: Option<String>,
        /// Crop families: `rice`, `dry_cereals`, `shallot`.
        pub crops: Vec<String>,
        /// Save even though probable duplicates were shown.
        pub confirmed: bool,
    }

    /// `correct_member`: the fields to correct, each absent when unchanged, and why. Text as
    /// typed: an empty `birth_year`, `phone` or `nina` clears it. Each field is checked as at
    /// registration.
    pub struct CorrectMemberRequest {
        pub member_id: String,
        #[serde(default)]
        #[ts(optional)]
        pub number: Option<String>,
        #[serde(default)]
        #[ts(optional)]
        pub full_name: Option<String>,
        /// `f` or `m`.
        #[serde(default)]
        #[ts(optional)]
        pub sex: Option<String>,
        #[serde(default)]
        #[ts(optional)]
        pub birth_year: Option<String>,
        #[serde(default)]
        #[ts(optional)]
        pub village: Option<String>,
        #[serde(default)]
        #[ts(optional)]
        pub phone: Option<String>,
        #[serde(default)]
        #[ts(optional)]
        pub nina: Option<String>,
        /// Crop families: `rice`, `dry_cereals`, `shallot`.
        #[serde(default)]
        #[ts(optional)]
        pub crops: Option<Vec<String>>,
        pub reason: String,
    }

    /// What a correction did: the change as the history shows it, the member as she now
    /// reads, and the members she now looks like (put in the conflict queue as probable
    /// duplicates).
    pub struct MemberCorrectedView {
        pub change: HistoryEntryView,
        pub member: MemberSummary,
        pub look_alikes: Vec<MemberSummary>,
    }

    /// `member_departed`: a member who left, died or was excluded, from a date.
    pub struct MemberDepartedRequest {
        pub member_id: String,
        /// `left`, `deceased` or `excluded`.
        pub status: String,
        /// `YYYY-MM-DD`; empty: today.
        pub on: String,
        pub reason: String,
    }

    /// `reinstate_member`: a departure recorded in error, undone.
    pub struct ReinstateMemberRequest {
        pub member_id: String,
        pub reason: String,
    }

    /// `transfer_member` (secretariat): a member moving to another cooperative of the union,
    /// with her number there.
    pub struct TransferMemberRequest {
        pub member_id: String,
        pub to_cooperative_id: String,
        pub new_number: String,
        /// `YYYY-MM-DD`; empty: today.
        pub on: String,
        pub reason: String,
    }

    /// A transfer: the record she left (kept, with her records) and her new one.
    pub struct MemberTransferredView {
        pub left: MemberSummary,
        pub joined: MemberSummary,
    }

    /// One field of a change, its values as a person reads them (`Femme`, `Riz, Échalote`,
    /// `12/01/2027`, a cooperative's name), `None` when it had or has none.
    pub struct FieldChangeView {
        /// The stored field: `phone`, `full_name`, `village`, `status`…
        pub field: String,
        /// Its name in the session's language (`téléphone`, `nom`…).
        pub label: String,
        pub old: Option<String>,
        pub new: Option<String>,
    }

    /// One change of a member's history: when, what, each field old → new, why, who, on which
    /// device; worded in the session's language.
    pub struct HistoryEntryView {
        pub id: String,
        /// When it was recorded (RFC 3339, UTC, by the recording device's clock).
        pub at: String,
        /// `correct`, `depart`, `reinstate`, `transfer_out` or `transfer_in`.
        pub action: String,
        pub action_label: String,
        /// The date a departure or transfer took effect, `YYYY-MM-DD`.
        pub effective_on: Option<String>,
        pub changes: Vec<FieldChangeView>,
        pub reason: String,
        /// Who recorded it, by name.
        pub agent: String,
        /// On which device, by its label.
        pub device: String,
        /// The record it changed (`COOP-0042 · Coopérative de …`): after a transfer the history
        /// holds the record she came from too.
        pub record: String,
    }

    /// `request_contract`.
    pub struct ContractRequest {
        pub member_id: String,
        pub campaign_id: String,
        pub crop: String,
        #[serde(deserialize_with = "text")]
        pub committed_kg: String,
    }

    /// `decide_contract`.
    pub struct DecideRequest {
        pub contract_id: String,
        pub approve: bool,
        pub reason: String,
    }

    /// `disburse`: an advance on an approved contract.
    pub struct DisburseRequest {
        pub contract_id: String,
        #[serde(deserialize_with = "text")]
        pub amount: String,
        /// `cash`, `mobile_money`, `bank`.
        pub mode: String,
        /// The record's id, minted by the window when the person first confirms: a retry of the
        /// same confirmed action returns the same record instead of recording it twice.
        #[serde(default)]
        #[ts(optional)]
        pub record_id: Option<String>,
    }

    /// `pay_balance`: the balance owed to a member for a campaign, paid after the settlement.
    pub struct PayBalanceRequest {
        pub member_id: String,
        pub campaign_id: String,
        #[serde(deserialize_with = "text")]
        pub amount: String,
        /// `cash`, `mobile_money`, `bank`.
        pub mode: String,
        /// The record's id, minted by the window when the person first confirms: a retry of the
        /// same confirmed action returns the same record instead of recording it twice.
        #[serde(default)]
        #[ts(optional)]
        pub record_id: Option<String>,
    }

    /// `preview_delivery` and `record_delivery`.
    pub struct DeliveryRequest {
        pub contract_id: String,
        pub warehouse_id: String,
        #[serde(deserialize_with = "text")]
        pub bags: String,
        #[serde(deserialize_with = "text")]
        pub gross_kg: String,
        #[serde(deserialize_with = "text")]
        pub moisture: String,
        #[serde(deserialize_with = "text")]
        pub impurity: String,
        /// The record's id, minted by the window when the person first confirms: a retry of the
        /// same confirmed action returns the same record instead of recording it twice.
        #[serde(default)]
        #[ts(optional)]
        pub record_id: Option<String>,
        /// The weights taken from the scale (`scale_capture` ids), summed into the gross weight
        /// (`gross_kg` is then not read).
        #[serde(default)]
        #[ts(optional)]
        pub captures: Option<Vec<String>>,
        /// A weight typed by hand: why (a `HandReason` code). Sent empty, it is refused: the
        /// window always sends it for a typed weight. Absent (scripts, older callers): the
        /// delivery is recorded without weighing evidence.
        #[serde(default)]
        #[ts(optional)]
        pub hand_reason: Option<String>,
        /// Free text with the reason (required for `other`).
        #[serde(default)]
        #[ts(optional)]
        pub hand_note: Option<String>,
    }

    /// What a delivery would give, computed by the rules (nothing written).
    pub struct DeliveryPreviewView {
        pub net_kg: String,
        pub accepted_kg: String,
        /// What the delivery adds to the contract's value: kg above the commitment at the
        /// over-delivery price when the campaign buys them, nothing otherwise.
        pub value: String,
        /// The contract's accepted kg would pass its committed kg.
        pub over_committed: bool,
        /// The gross weight counted: the one typed, or the captures' sum (rounded to 0,1 kg).
        pub gross_kg: String,
    }

    /// This device's scale: what is set, and what may be chosen.
    pub struct ScaleSettingsView {
        /// `COM3`, `/dev/ttyUSB0`; empty when none is set.
        pub port: String,
        /// `mt-sics`, `and`, `xk3190`; empty when none is set.
        pub protocol: String,
        pub baud: String,
        /// Data bits, parity, stop bits: `8N1`, `7E1`…
        pub format: String,
        /// How long the same weight must be held to be taken, in milliseconds.
        pub stable_ms: String,
        pub configured: bool,
        /// The serial ports this computer has (a pseudo-terminal is not listed: type its name).
        pub ports: Vec<String>,
        pub protocols: Vec<ScaleOption>,
        pub bauds: Vec<String>,
    }

    /// A choice of a list: its code and what people read.
    pub struct ScaleOption {
        pub code: String,
        pub label: String,
    }

    /// This device's scale as set in the Appareil screen.
    pub struct ScaleSettingsRequest {
        pub port: String,
        pub protocol: String,
        #[serde(deserialize_with = "text")]
        pub baud: String,
        #[serde(default)]
        pub format: String,
        #[serde(default, deserialize_with = "text")]
        pub stable_ms: String,
    }

    /// The scale, live: its latest frame, and whether the stable-weight rule holds.
    pub struct ScaleLiveView {
        /// `off` (no scale set), `waiting` (port open, no weight yet), `reading`, `error`.
        pub state: String,
        /// The weight shown, in kg (exact decimal), when the last frame is a weight.
        pub kg: Option<String>,
        /// The same weight held for the hold time: « Capturer » takes it.
        pub stable: bool,
        /// The scale flags the load as moving.
        pub moving: bool,
        /// The last frame was refused (overload, negative, garbled…): why.
        pub refusal: Option<String>,
        pub refusal_code: Option<String>,
        /// What keeps the scale from being read: no port, port not found, nothing received,
        /// frames that none can read.
        pub error: Option<String>,
        pub error_code: Option<String>,
        pub port: String,
        pub protocol: String,
        /// Frames read since the port opened.
        pub frames: u32,
        /// When the last weight came, and since when it is held stable (ms since 1970, this
        /// computer's clock).
        pub read_at_ms: Option<String>,
        pub stable_since_ms: Option<String>,
    }

    /// A weight taken from the scale (« Capturer »), to name in `record_delivery`.
    pub struct ScaleCaptureView {
        pub id: String,
        /// Exact, in kg.
        pub kg: String,
        pub stable: bool,
        /// When the frame came (RFC 3339, UTC).
        pub at: String,
        /// The frame as received.
        pub raw: String,
        pub protocol: String,
        /// The port and its settings: `COM3 9600 8N1`.
        pub port: String,
    }

    /// A fertilizer product.
    pub struct ProductView {
        pub id: String,
        pub name: String,
        pub bag_weight_kg: String,
        pub price_per_bag: String,
    }

    /// `add_need`.
    pub struct NeedRequest {
        pub member_id: String,
        pub campaign_id: String,
        pub product_id: String,
        #[serde(deserialize_with = "text")]
        pub bags: String,
    }

    /// `distribute`.
    pub struct DistributeRequest {
        pub member_id: String,
        pub campaign_id: String,
        pub product_id: String,
        #[serde(deserialize_with = "text")]
        pub bags: String,
        #[serde(deserialize_with = "text")]
        pub cash_paid: String,
        /// The record's id, minted by the window when the person first confirms: a retry of the
        /// same confirmed action returns the same record instead of recording it twice.
        #[serde(default)]
        #[ts(optional)]
        pub record_id: Option<String>,
    }

    /// `reverse`: cancels a money record, with a reason; the original stays.
    pub struct ReverseRequest {
        /// `disbursement`, `delivery`, `distribution`, `payment`.
        pub kind: String,
        pub target_id: String,
        pub reason: String,
        /// The record's id, minted by the window when the person first confirms: a retry of the
        /// same confirmed action returns the same record instead of recording it twice.
        #[serde(default)]
        #[ts(optional)]
        pub record_id: Option<String>,
    }

    /// `receipt`: a receipt to show or reprint.
    pub struct ReceiptRequest {
        pub kind: String,
        pub id: String,
    }

    /// One line of a receipt.
    pub struct ReceiptLine {
        pub label: String,
        pub value: String,
    }

    /// A receipt, as shown and as saved (PDF at `pdf_path`).
    pub struct ReceiptView {
        pub kind: String,
        pub id: String,
        pub number: String,
        pub title: String,
        pub date: String,
        pub union_name: String,
        pub cooperative: String,
        pub member: String,
        pub member_number: String,
        pub agent: String,
        pub lines: Vec<ReceiptLine>,
        pub amount: String,
        pub amount_words: String,
        /// The receipt a reversal cancels, and why.
        pub cancels: Option<String>,
        pub pdf_path: String,
        /// The record is saved but its PDF could not be written (a full disk, a folder that
        /// cannot be written): said on its own, the receipt can be reprinted from the card.
        #[serde(default)]
        #[ts(optional)]
        pub pdf_error: Option<String>,
        /// A weighing ticket's proof: the text of the QR code printed on it (#21), scanned at
        /// the office by `read_scan`.
        #[serde(default)]
        #[ts(optional)]
        pub proof: Option<String>,
        /// The same QR code's modules, row by row from the top (`1` dark, `0` light), for the
        /// window's printed receipt: drawn from Rust's one encoder, never made up in the page.
        #[serde(default)]
        #[ts(optional)]
        pub proof_modules: Option<Vec<String>>,
    }

    /// `collection_sheet`.
    pub struct SheetRequest {
        pub cooperative_id: String,
        pub campaign_id: String,
    }

    /// One member's line on a collection sheet.
    pub struct SheetRow {
        pub member_id: String,
        pub number: String,
        pub full_name: String,
        pub crop_label: String,
        pub committed_kg: String,
        pub delivered_kg: String,
        pub remaining_kg: String,
        pub advance: String,
    }

    /// Totals of a collection sheet.
    pub struct SheetTotals {
        pub committed_kg: String,
        pub delivered_kg: String,
        pub remaining_kg: String,
        pub advance: String,
    }

    /// Who committed what and who delivered what.
    pub struct CollectionSheetView {
        pub cooperative: String,
        pub campaign: String,
        pub rows: Vec<SheetRow>,
        pub totals: SheetTotals,
    }

    /// `agent_cash`.
    pub struct CampaignRequest {
        pub campaign_id: String,
    }

    /// The agent's cash for a campaign.
    pub struct CashView {
        pub received: String,
        pub paid_out: String,
        pub fertilizer_cash: String,
        pub to_return: String,
    }

    /// The sync screen's summary.
    pub struct SyncStatus {
        pub enrolled: bool,
        pub hub_url: Option<String>,
        pub last_sync_at: Option<String>,
        /// Actions recorded here since the last successful sync. Always 0 at the union office,
        /// which sends nothing anywhere: it is the hub, the laptops fetch from it (see
        /// `devices_behind`).
        pub pending_changes: u32,
        pub open_conflicts: u32,
        /// This store is the union office's (the hub's store, the secretariat signed in): its
        /// sync screen shows the devices, not a sync with a hub.
        pub office: bool,
        /// At the office: the enrolled laptops that lack something it holds (0 elsewhere).
        pub devices_behind: u32,
    }

    /// A step of a sync, sent as the `sync-progress` event.
    pub struct SyncProgressView {
        pub step: String,
        pub done: u32,
        pub total: u32,
    }

    /// What a sync (or a USB import) did.
    pub struct SyncResult {
        pub sent: u32,
        pub received: u32,
        pub conflicts: u32,
        pub refused: Vec<String>,
        pub message: String,
    }

    /// `usb_export` / `usb_import`.
    pub struct PathRequest {
        pub path: String,
    }

    /// `usb_export`: the file to write and, at the union office, the laptop it is for.
    pub struct UsbExportRequest {
        pub path: String,
        /// At the office: the device the file is for (its id). Empty on a laptop (its file is
        /// for the office).
        pub device_id: String,
    }

    /// `revoke_device`.
    pub struct DeviceRequest {
        pub device_id: String,
    }

    /// A laptop the union office registered, as the secretariat's sync screen lists it.
    pub struct HubDeviceView {
        pub device_id: String,
        pub label: String,
        pub receipt_prefix: String,
        pub agent_name: String,
        /// Codes of the cooperatives it serves (none for the federation).
        pub cooperatives: Vec<String>,
        /// The federation of unions: it reads every document of the union and writes none.
        pub federation: bool,
        /// What it reads and writes, in words: its cooperatives' codes, or the federation's
        /// read-only scope.
        pub scope_label: String,
        /// `enrolled`, `pending` (its code given, not used yet), `revoked`.
        pub state: String,
        pub state_label: String,
        pub enrolled_at: Option<String>,
        /// Its last exchange with the office: an HTTP sync, or its USB file read here.
        pub last_sync_at: Option<String>,
        /// Changes of others (the office's, other laptops') it has not received since its last
        /// sync; `None` when nothing goes to it (not enrolled yet, revoked).
        pub lacks_changes: Option<u32>,
        /// What it lacks, in words.
        pub lacks_label: String,
        /// The office may write it a file (enrolled, not revoked), and revoke it.
        pub may_export: bool,
        pub may_revoke: bool,
    }

    /// A file written.
    pub struct FileWritten {
        pub path: String,
        pub bytes: u32,
    }

    /// `backup_now`: the folder the backup goes into (a USB drive's, or one typed by hand).
    pub struct BackupRequest {
        pub dir: String,
    }

    /// A backup written and checked (read back: SHA-256, integrity, manifest).
    pub struct BackupView {
        /// The copy's full path, its name alone, and its folder.
        pub file: String,
        pub file_name: String,
        pub dir: String,
        /// Its manifest (`<file>.manifest.json`), beside it.
        pub manifest: String,
        /// Size in bytes, as decimal text (a store may pass 4 GB).
        pub bytes: String,
        /// The size for people (`1,2 Mo` / `1.2 MB`).
        pub size_label: String,
        /// When it was taken (RFC 3339, UTC, by the ledger's clock).
        pub made_at: String,
        /// The first 16 hex digits of its SHA-256.
        pub sha256_prefix: String,
        /// The store is encrypted: its key file `<file>.keys` was copied beside it.
        pub encrypted: bool,
    }

    /// A step of a backup, sent as the `backup-progress` event.
    pub struct BackupProgressView {
        /// `started`, `writing`, `verifying` or `done`.
        pub stage: String,
        /// The step for people, in the session's language.
        pub step: String,
        pub done: u32,
        pub total: u32,
    }

    /// `restore_check` / `restore_backup`, at the gate: a backup file (typed; its manifest
    /// `<file>.manifest.json` and, when encrypted, its key file `<file>.keys` beside it), the
    /// passphrase of one of its accounts (or its recovery key) when it is encrypted, and the
    /// language of the gate's messages (`fr` or `en`; nobody is signed in yet).
    pub struct RestoreRequest {
        pub file: String,
        pub passphrase: String,
        pub lang: String,
    }

    /// A backup read and checked before it is put in place: what it is, and what will happen
    /// to the store on this computer.
    pub struct RestoreCheckView {
        /// The backup's full path.
        pub file: String,
        /// When it was taken (RFC 3339, UTC).
        pub made_at: String,
        /// Size in bytes, as decimal text, and for people (`1,2 Mo` / `1.2 MB`).
        pub bytes: String,
        pub size_label: String,
        pub schema_version: u32,
        pub encrypted: bool,
        /// The sign-ins its key file holds (those passphrases open the restored store).
        pub accounts: Vec<String>,
        /// The store the backup will replace.
        pub store_path: String,
        /// A store is in place now: it will be moved aside (never deleted) to
        /// `<store>.avant-restauration-<date>`.
        pub replaces_store: bool,
        /// Where it will go, the date as it would be now (`…-AAAAMMJJ-HHMMSS`).
        pub moved_aside_to: Option<String>,
    }

    /// A backup put back in place and marked restored (a new sync identity and receipt series).
    pub struct RestoreView {
        /// When the backup was taken (RFC 3339, UTC).
        pub made_at: String,
        /// The store's new sync generation.
        pub generation: u32,
        /// The first receipt of the new series (`A1-1-000001`), when the store has a device.
        pub first_receipt: Option<String>,
        /// Where the store that was in place went, if there was one (never deleted).
        pub moved_aside: Option<String>,
        /// The gate as it stands now: sign in on the restored store.
        pub vault: VaultStatus,
    }

    /// A removable drive mounted on this machine (a USB stick).
    pub struct DriveView {
        /// Its mount point: the folder to back up into.
        pub path: String,
        /// Its name (the mount point's last part).
        pub name: String,
        /// Free space for people (`3,4 Go` / `3.4 GB`), when it could be read at once.
        pub free_label: Option<String>,
    }

    /// The Appareil screen's backup section, and the office dashboard's warning.
    pub struct BackupStatusView {
        /// When this store last made a backup (RFC 3339, UTC), if ever.
        pub last_backup_at: Option<String>,
        /// Where that backup went.
        pub last_backup_file: Option<String>,
        /// No backup yet, or the last one is more than 24 hours old by the ledger's clock: the
        /// window warns (the rule is here, not in the window).
        pub overdue: bool,
        /// Removable drives found (mount points under `/media/<user>`, `/run/media/<user>`,
        /// `/media`).
        pub drives: Vec<DriveView>,
        /// A folder to suggest when no drive is plugged in: `<store folder>/sauvegardes`.
        pub default_dir: Option<String>,
        /// The office's standby machine (a secretariat session only).
        pub standby: Option<StandbyView>,
    }

    /// The office's standby machine, as the office knows it (`sene standby` on a secretariat
    /// laptop keeps the newest of the hub's backups).
    pub struct StandbyView {
        /// The standby device's label (its id when this store does not know it).
        pub device: Option<String>,
        /// When it last said which copy it holds (RFC 3339).
        pub kept_at: Option<String>,
        /// When that copy was made (RFC 3339).
        pub made_at: Option<String>,
        /// Its copy is the newest backup.
        pub current: bool,
        /// No standby, or none heard from within an hour: the window warns (the rule is Rust's).
        pub overdue: bool,
    }

    /// A sync conflict waiting for the secretariat, as a person reads it (session language).
    pub struct ConflictView {
        pub id: String,
        /// `fields` (choose a value), `member_duplicate` (choose the registration kept, or
        /// "different people"), `duplicate` or `creation` (both records stay).
        pub kind: String,
        /// The record in conflict, in words.
        pub record: String,
        /// What differs, in words.
        pub field: String,
        pub money: bool,
        /// One line per candidate: the value in words, who, on which device, when.
        pub values: Vec<String>,
        /// The members concerned.
        pub member_ids: Vec<String>,
        pub at: String,
    }

    // ----- the union office (secretariat) -----

    /// A campaign at a date (empty: today).
    pub struct CampaignDateRequest {
        pub campaign_id: String,
        pub date: String,
    }

    /// Committed vs delivered, advances due vs paid, recovery. Money in whole francs, weights
    /// in kg, the rate in % (one decimal), all as text.
    pub struct ProgressView {
        pub contracts: u32,
        pub committed_kg: String,
        pub delivered_kg: String,
        pub advance_due: String,
        pub disbursed: String,
        pub recovered: String,
        pub recovery_rate: String,
    }

    /// A line of the dashboard: a crop or a cooperative.
    pub struct DashLine {
        pub label: String,
        pub progress: ProgressView,
    }

    /// An agent's work and cash position in the campaign.
    pub struct AgentDashLine {
        pub name: String,
        pub disbursed: String,
        pub delivered_kg: String,
        pub received: String,
        pub paid_out: String,
        pub fertilizer_cash: String,
        pub returned: String,
        pub to_return: String,
    }

    /// Stock of a warehouse: accepted deliveries − sale lots.
    pub struct StockView {
        pub warehouse: String,
        pub cooperative: String,
        pub crop: String,
        pub delivered_kg: String,
        pub sold_kg: String,
        pub stock_kg: String,
    }

    /// Fertilizer of one product, in bags, and its cost.
    pub struct FertilizerDashLine {
        pub product: String,
        pub needed_bags: String,
        pub ordered_bags: String,
        pub received_bags: String,
        pub distributed_bags: String,
        pub cost: String,
        pub cash_paid: String,
        pub on_credit: String,
    }

    /// A credit line's position.
    pub struct LenderDashLine {
        pub lender: String,
        pub principal: String,
        pub drawn: String,
        pub repaid_principal: String,
        pub repaid_interest: String,
        pub outstanding: String,
    }

    /// The office dashboard of a campaign at a date.
    pub struct DashboardView {
        pub campaign: String,
        pub date: String,
        pub total: ProgressView,
        pub crops: Vec<DashLine>,
        pub cooperatives: Vec<DashLine>,
        pub agents: Vec<AgentDashLine>,
        pub stock: Vec<StockView>,
        pub fertilizer: Vec<FertilizerDashLine>,
        pub fertilizer_recovered: String,
        pub fertilizer_outstanding: String,
        pub lenders: Vec<LenderDashLine>,
        pub lenders_outstanding: String,
        /// Per crop family, the totals of all its campaigns (the campaign's own family
        /// included): the union's view across seasons.
        pub families: Vec<DashLine>,
    }

    /// A record an anomaly is about, as a button the window shows.
    pub struct AnomalyLinkView {
        /// What it opens: `member` (the member's card, `id` the member), `settlement` (`id`
        /// the run, when one is meant), `dashboard` (agents' cash, stock, office entries),
        /// `sync` (devices, USB files).
        pub target: String,
        pub id: Option<String>,
        /// What the button says, in the session's language.
        pub label: String,
    }

    /// One anomaly of the queue, told for a person: who and what by name, the figures
    /// formatted (`2 688,4 kg`, `1 234 567 FCFA`), what to open, what to do.
    pub struct AnomalyView {
        /// Stable while the evidence is the same: what a resolution names.
        pub key: String,
        /// `sync_conflict`, `duplicate_member`, …
        pub kind: String,
        pub title: String,
        /// One sentence: who and what, in the session's language.
        pub summary: String,
        /// The evidence, one `label : value` line each, in the session's language (names and
        /// formatted figures, never an id).
        pub evidence: Vec<String>,
        /// The member cards and screens to open.
        pub links: Vec<AnomalyLinkView>,
        /// What the secretariat should do, in the session's language.
        pub action: String,
        /// For a sync conflict: its id and the values in conflict, as a person reads them.
        pub conflict_id: Option<String>,
        pub values: Vec<String>,
        pub money: bool,
        /// For a sync conflict: `fields`, `member_duplicate`, `duplicate` or `creation` (see
        /// [`ConflictView::kind`]).
        pub conflict_kind: Option<String>,
    }

    /// Resolves an anomaly (not a sync conflict) with the reason.
    pub struct ResolveAnomalyRequest {
        pub campaign_id: String,
        pub key: String,
        pub note: String,
    }

    /// Resolves a sync conflict with the reason. `choice` is an index in `values`: for a
    /// `fields` conflict the value kept (the record then reads as that device left it), for a
    /// `member_duplicate` the registration kept (the others are merged into it). `None`: the
    /// values shown stay (`fields`), the registrations are different people
    /// (`member_duplicate`), both records stay (`duplicate`, `creation`).
    pub struct ResolveConflictRequest {
        pub conflict_id: String,
        pub choice: Option<u32>,
        pub reason: String,
    }

    /// A resolution in the log: who, when, why.
    pub struct ResolutionView {
        pub key: String,
        pub kind: String,
        /// The kind in words, in the session's language.
        pub title: String,
        pub note: String,
        pub by: String,
        pub at: String,
    }

    /// A member's settlement line.
    pub struct SettlementLineView {
        pub member_id: String,
        pub number: String,
        pub name: String,
        pub cooperative: String,
        pub committed_kg: String,
        pub accepted_kg: String,
        pub delivered_value: String,
        /// The price complement on the member's kg.
        pub complement: String,
        pub advances: String,
        pub fees: String,
        pub fertilizer_credit: String,
        /// The debt carried in from the previous campaign of the crop family.
        pub carried_debt: String,
        pub net: String,
        pub paid: String,
        pub remaining: String,
        pub debt: String,
    }

    /// Totals of a settlement.
    pub struct SettlementTotalsView {
        pub members: u32,
        pub members_in_debt: u32,
        pub accepted_kg: String,
        pub delivered_value: String,
        pub complement: String,
        pub advances: String,
        pub fees: String,
        pub fertilizer_credit: String,
        pub carried_debt: String,
        pub net: String,
        pub payable: String,
        pub debt: String,
    }

    /// A settlement computed for review (`run_id` empty) or a locked run.
    pub struct SettlementView {
        pub run_id: Option<String>,
        pub campaign: String,
        pub date: String,
        pub locked_at: Option<String>,
        pub replaces: Option<String>,
        pub note: Option<String>,
        pub lines: Vec<SettlementLineView>,
        pub totals: SettlementTotalsView,
        /// The open proposal of this settlement (a preview): a second secretariat agent locks it.
        pub proposal: Option<ProposalView>,
    }

    /// A settlement proposed for locking (maker-checker).
    pub struct ProposalView {
        /// Who proposed it.
        pub proposed_by: String,
        pub proposed_at: String,
        /// Proposed by the one signed in: someone else must lock it.
        pub by_me: bool,
        /// The figures are still those proposed (else: propose again).
        pub holds: bool,
    }

    /// Locks the settlement of a campaign at a date (a correction names the run it replaces).
    pub struct LockRequest {
        pub campaign_id: String,
        pub date: String,
        pub replaces: Option<String>,
        pub note: String,
    }

    /// A locked run in the list.
    pub struct RunView {
        pub id: String,
        pub campaign: String,
        pub date: String,
        pub locked_at: String,
        pub replaces: Option<String>,
        pub note: String,
        pub members: u32,
        pub net: String,
    }

    /// A locked run.
    pub struct RunRequest {
        pub run_id: String,
    }

    /// An export of a locked run: `xlsx`, `csv` (the settlement), `statements` (a PDF per
    /// member and a payment list per cooperative).
    pub struct ExportRequest {
        pub run_id: String,
        pub format: String,
    }

    /// The lender portfolio report of a campaign (per cooperative: disbursed, recovered in
    /// kind, outstanding, repayment rate): `xlsx` or `csv`.
    pub struct PortfolioExportRequest {
        pub campaign_id: String,
        pub format: String,
    }

    /// The dashboard of a campaign at a date, exported (`xlsx`: every table; `csv`: the
    /// progress per cooperative).
    pub struct DashboardExportRequest {
        pub campaign_id: String,
        /// `YYYY-MM-DD`, empty: today.
        pub date: String,
        pub format: String,
    }

    /// A physical count of a warehouse, entered by the secretariat.
    pub struct StockCountRequest {
        pub warehouse_id: String,
        pub campaign_id: String,
        /// `YYYY-MM-DD`, empty: today.
        pub date: String,
        #[serde(deserialize_with = "text")]
        pub kg: String,
        pub note: String,
    }

    /// Cash an agent hands back to the office.
    pub struct CashReturnRequest {
        pub agent_id: String,
        pub campaign_id: String,
        /// `YYYY-MM-DD`, empty: today.
        pub date: String,
        #[serde(deserialize_with = "text")]
        pub amount: String,
        pub note: String,
    }

    /// What the office recorded (a count or a cash return), as confirmed.
    pub struct OfficeRecordView {
        pub what: String,
        pub date: String,
        /// kg for a count, FCFA for a cash return.
        pub figure: String,
        pub note: String,
    }

    /// A date (empty: today).
    pub struct DateRequest {
        pub date: String,
    }

    /// A credit line's position at a date (money in whole francs; the rate in %).
    pub struct LenderPositionView {
        pub credit_line_id: String,
        pub lender: String,
        pub campaign: Option<String>,
        pub annual_rate: String,
        pub start: String,
        pub maturity: String,
        pub principal: String,
        pub drawn: String,
        pub repaid_principal: String,
        pub outstanding_principal: String,
        pub interest_accrued: String,
        pub repaid_interest: String,
        pub interest_due: String,
        pub total_due: String,
    }

    /// Every credit line's position at a date, and their totals.
    pub struct LendersView {
        pub date: String,
        pub lines: Vec<LenderPositionView>,
        pub outstanding_principal: String,
        pub interest_due: String,
        pub total_due: String,
    }

    /// A sale lot of a campaign.
    pub struct SaleLotLineView {
        pub id: String,
        pub crop: String,
        pub buyer: String,
        pub date: String,
        pub kg: String,
        pub price_per_kg: String,
        pub gross: String,
        pub costs: String,
        pub net: String,
        pub base_price_per_kg: Option<String>,
        /// What the lot made above the base price, net of costs (when positive).
        pub above_base: Option<String>,
        pub paid: bool,
        pub reversed: bool,
    }

    /// A lot sold from one warehouse.
    pub struct SaleLotRequest {
        pub campaign_id: String,
        /// `paddy_rice`, `shallot`, …
        pub crop: String,
        pub buyer: String,
        pub warehouse_id: String,
        #[serde(deserialize_with = "text")]
        pub kg: String,
        #[serde(deserialize_with = "text")]
        pub price_per_kg: String,
        #[serde(deserialize_with = "text")]
        pub costs: String,
    }

    /// What a crop's lots made above the base price and the complement per kg it allows.
    pub struct ComplementView {
        /// `paddy_rice`, `shallot`, …
        pub crop: String,
        pub crop_label: String,
        pub base_price: String,
        /// Σ of what the crop's lots made above the base price, net of costs.
        pub surplus: String,
        /// The kg the contracts' values count.
        pub counted_kg: String,
        /// The most per kg the surplus pays on every counted kg.
        pub max_per_kg: String,
        /// The complement decided per kg (0: none).
        pub per_kg: String,
    }

    /// A price complement decided for a campaign's crop.
    pub struct ComplementRequest {
        pub campaign_id: String,
        pub crop: String,
        #[serde(deserialize_with = "text")]
        pub per_kg: String,
    }

    /// Money drawn on a credit line today.
    pub struct DrawRequest {
        pub credit_line_id: String,
        #[serde(deserialize_with = "text")]
        pub amount: String,
    }

    /// A repayment to a lender today, principal and interest.
    pub struct RepayRequest {
        pub credit_line_id: String,
        #[serde(deserialize_with = "text")]
        pub principal: String,
        #[serde(deserialize_with = "text")]
        pub interest: String,
    }

    /// Starts the union office's hub in the app, listening on `listen` (empty: `0.0.0.0:8750`).
    pub struct HubStartRequest {
        pub listen: String,
    }

    /// The hub run by this app.
    pub struct HubView {
        pub running: bool,
        /// The address it listens on, and the addresses devices on the LAN can use.
        pub listen: Option<String>,
        pub urls: Vec<String>,
    }

    /// An agent of the union.
    pub struct AgentView {
        pub id: String,
        pub name: String,
        pub role: String,
        pub role_label: String,
        /// Codes of the cooperatives the agent follows.
        pub cooperatives: Vec<String>,
    }

    /// Registers a new laptop for an agent and gives its one-time pairing code; or, with
    /// `federation`, the federation of unions (`agent_id` unused): it reads every document of
    /// the union and writes none, its read-only agent named as the device.
    pub struct PairRequest {
        pub agent_id: String,
        pub device_label: String,
        pub receipt_prefix: String,
        #[serde(default)]
        pub federation: bool,
    }

    /// What the agent types on the new laptop's first-run screen.
    pub struct PairingView {
        pub device_id: String,
        pub code: String,
        pub expires: String,
        pub hub_urls: Vec<String>,
    }

    /// Files written by an export, in one folder.
    pub struct ExportView {
        pub folder: String,
        pub files: Vec<String>,
        pub bytes: u32,
    }

    /// `member_cards`: a cooperative's sheet of member cards, written as PDF (#21).
    pub struct MemberCardsView {
        pub path: String,
        pub cooperative: String,
        pub cards: u32,
        pub pages: u32,
    }

    /// `read_scan`: what a card or ticket reader typed into a field, then Enter.
    pub struct ScanRequest {
        pub text: String,
    }

    /// What a scan is: `member` (open `member_id`), `ticket` (a weighing ticket checked:
    /// `ticket`), `refused` (a damaged code, another union's card…: say `message`).
    pub struct ScanView {
        pub kind: String,
        pub member_id: Option<String>,
        /// The verdict or the refusal, in the session's language.
        pub message: String,
        pub ticket: Option<TicketCheckView>,
    }

    /// A weighing ticket's paper against the books.
    pub struct TicketCheckView {
        pub receipt: String,
        pub member_number: String,
        /// Accepted weight and value as the paper says.
        pub accepted_kg: String,
        pub value: String,
        /// `valid`, `invalid`, `no_key`.
        pub signature: String,
        pub found: bool,
        pub reversed_by: Option<String>,
        /// Signed, found, same figures, not reversed.
        pub matches: bool,
        pub differences: Vec<TicketDifferenceView>,
    }

    /// One figure that differs between the paper and the books.
    pub struct TicketDifferenceView {
        /// `receipt`, `member`, `accepted`, `value`.
        pub field: String,
        pub label: String,
        pub paper: String,
        pub books: String,
    }
}

/// A typed value as text: the window sends what was typed (a string); a number is taken too,
/// so that a value never fails on its JSON type before the rules can say what is wrong with it.
fn text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    match serde_json::Value::deserialize(d)? {
        serde_json::Value::String(s) => Ok(s),
        serde_json::Value::Number(n) => Ok(n.to_string()),
        serde_json::Value::Null => Ok(String::new()),
        other => Err(serde::de::Error::custom(format!(
            "attendu un nombre ou un texte, reçu {other}"
        ))),
    }
}

/// The TypeScript module: every declaration, exported.
pub(crate) fn bindings() -> String {
    let cfg = ts_rs::Config::new();
    let mut out = String::from(
        "// Generated from crates/api by `SENE_BLESS=1 cargo test -p sene-api bindings`. Do not edit.\n\n",
    );
    let mut decls = vec![<ErrorCode as TS>::decl(&cfg), <ApiError as TS>::decl(&cfg)];
    decls.extend(declared(&cfg));
    for d in decls {
        out.push_str("export ");
        out.push_str(d.trim());
        out.push_str("\n\n");
    }
    out.truncate(out.trim_end().len());
    out.push('\n');
    out
}
