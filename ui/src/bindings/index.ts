// Generated from crates/api by `SENE_BLESS=1 cargo test -p sene-api bindings`. Do not edit.

export type ErrorCode = "invalid_value" | "rule_refused" | "store_unreadable" | "store_too_new" | "store_error" | "not_initialized" | "already_initialized" | "not_found" | "forbidden" | "id_conflict" | "duplicate_member_number" | "taken" | "probable_duplicate" | "other_cooperative" | "mismatch" | "already_reversed" | "above_available" | "sync_refused" | "sync_unauthentic" | "sync_error" | "network" | "unauthorized" | "file" | "internal" | "locked" | "wrong_passphrase" | "foreign_file" | "second_person_required" | "scale";

export type ApiError = { code: ErrorCode, 
/**
 * For people, in the session's language: what was wrong and what to do.
 */
message: string, 
/**
 * The field concerned, when one is (its label as the message names it).
 */
field: string | null, };

export type AppStatus = { initialized: boolean, union_name: string | null, agent_name: string | null, 
/**
 * `field_agent`, `ctc`, `secretariat`, `read_only`.
 */
role: string | null, role_label: string | null, device_label: string | null, may_approve: boolean, 
/**
 * False for the read-only role (board, lender): the window shows no write action.
 */
may_write: boolean, 
/**
 * True for the secretariat: the office screens (dashboard, anomalies, settlement).
 */
may_configure: boolean, 
/**
 * `fr` or `en`.
 */
lang: string, campaigns: Array<CampaignView>, today: string, 
/**
 * Where receipts (PDF) are saved.
 */
receipts_dir: string, 
/**
 * The store is encrypted (signed in with a passphrase).
 */
encrypted: boolean, 
/**
 * The sign-in name of who is signed in, when the store is encrypted.
 */
account_label: string | null, 
/**
 * Minutes without a key press or click before the window locks itself (0: never).
 */
idle_lock_minutes: number, };

export type AboutView = { 
/**
 * Sene's version (`0.1.0`).
 */
version: string, 
/**
 * The store schema this build writes: its last migration's number.
 */
schema_version: number, 
/**
 * The commit it was built from (`git rev-parse --short=12`); none when it was built
 * without git (the window says « inconnu » / "unknown").
 */
commit: string | null, };

export type VaultStatus = { 
/**
 * `new` (no store yet: choose a passphrase), `plain` (a store made before
 * encryption: encrypt it), `locked` (sign in), `open` (a session is open),
 * `unreadable` (see `problem`).
 */
state: string, 
/**
 * Who can sign in on this device.
 */
accounts: Array<AccountView>, store_path: string, 
/**
 * Why the store cannot be opened, when it cannot.
 */
problem: string | null, };

export type AccountView = { id: string, label: string, 
/**
 * The agent who signs in with it (none until the store knows its first agent).
 */
agent_id: string | null, agent_name: string | null, role_label: string | null, };

export type CreateVaultRequest = { label: string, passphrase: string, confirm: string, 
/**
 * The window's language (`fr`, `en`): the gate's refusals follow it.
 */
lang?: string, };

export type VaultCreatedView = { 
/**
 * 14 groups of 4 characters: the only way in if every passphrase is forgotten.
 */
recovery_key: string, status: AppStatus, };

export type SignInRequest = { account: string, passphrase: string, 
/**
 * The window's language (`fr`, `en`): the gate's refusals follow it.
 */
lang?: string, };

export type RecoverRequest = { recovery_key: string, label: string, passphrase: string, confirm: string, 
/**
 * The window's language (`fr`, `en`): the gate's refusals follow it.
 */
lang?: string, };

export type AddAccountRequest = { agent_id: string, passphrase: string, confirm: string, };

export type AccountRequest = { account: string, };

export type IdleLockRequest = { minutes: number, };

export type CropPriceView = { crop: string, label: string, base_price: string, };

export type CampaignView = { id: string, name: string, family: string, family_label: string, crops: Array<CropPriceView>, 
/**
 * A fraction: `"0.6"`.
 */
advance_share: string, contract_from: string, contract_to: string, delivery_from: string, delivery_to: string, max_moisture: string, max_impurity: string, bag_tare_kg: string, over_delivery_bought: boolean, };

export type LangRequest = { lang: string, };

export type InitRequest = { union_name: string, region: string, agent_name: string, device_label: string, receipt_prefix: string, };

export type EnrollRequest = { hub_url: string, device_id: string, code: string, };

export type CooperativeView = { id: string, code: string, name: string, village: string, member_count: number, };

export type CooperativeRequest = { cooperative_id: string, };

export type WarehouseView = { id: string, name: string, };

export type SearchRequest = { query: string, cooperative_id: string | null, };

export type MemberSummary = { id: string, number: string, full_name: string, village: string, phone: string | null, cooperative_id: string, cooperative_name: string, 
/**
 * `active`, `left`, `deceased`, `excluded` or `transferred`.
 */
status: string, 
/**
 * The status in words, in the session's language (`Parti`, `Deceased`…).
 */
status_label: string, 
/**
 * Still a member of her cooperative (not left, deceased, excluded nor transferred).
 */
active: boolean, 
/**
 * When she left (or was transferred), `YYYY-MM-DD`.
 */
left_on: string | null, };

export type MemberRequest = { member_id: string, };

export type ContractView = { id: string, member_id: string, campaign_id: string, campaign_name: string, crop: string, crop_label: string, committed_kg: string, base_price: string, state: string, state_label: string, advance_due: string, disbursed: string, accepted_kg: string, value: string, 
/**
 * An advance may be paid on it today (its state and the member's presence, as the
 * ledger checks them); the window shows « Verser une avance » by this flag.
 */
may_disburse: boolean, 
/**
 * A delivery may be recorded on it (its state, as the ledger checks it).
 */
may_deliver: boolean, };

export type MoneyLine = { id: string, date: string, amount: string, receipt: string, reversed: boolean, contract_id: string | null, };

export type DeliveryView = { id: string, date: string, contract_id: string, crop_label: string, bags: number, gross_kg: string, net_kg: string, accepted_kg: string, receipt: string, voided: boolean, };

export type DistributionView = { id: string, date: string, product_name: string, bags: number, amount: string, cash_paid: string, receipt: string, reversed: boolean, };

export type BalanceView = { campaign_id: string, campaign_name: string, contracts_value: string, advances: string, fees: string, fertilizer: string, 
/**
 * The debt carried in from the previous campaign of the crop family.
 */
carried_debt: string, 
/**
 * The price complement on the member's kg.
 */
complement: string, 
/**
 * May be negative: a debt carried forward.
 */
net: string, paid: string, 
/**
 * Still to pay to the member: max(0, net − paid).
 */
remaining: string, };

export type ReceiptRef = { 
/**
 * `disbursement`, `delivery`, `distribution`, `payment`, `reversal`.
 */
kind: string, id: string, number: string, date: string, title: string, };

export type MemberCard = { member: MemberSummary, 
/**
 * `f` or `m`.
 */
sex: string, birth_year: number | null, crops: Array<string>, contracts: Array<ContractView>, disbursements: Array<MoneyLine>, payments: Array<MoneyLine>, deliveries: Array<DeliveryView>, distributions: Array<DistributionView>, balances: Array<BalanceView>, receipts: Array<ReceiptRef>, 
/**
 * Her national id, when known.
 */
nina: string | null, 
/**
 * The day she was registered, `YYYY-MM-DD` (unknown for older registrations).
 */
registered_on: string | null, 
/**
 * She may get a new contract or an advance today (the ledger's rule: a member who
 * left, died, was excluded or transferred gets none). The window offers neither
 * otherwise.
 */
may_contract: boolean, 
/**
 * Her departure or transfer may be recorded (she is active).
 */
may_depart: boolean, 
/**
 * Her departure may be undone (left, deceased, excluded; a transfer is undone by a
 * transfer back).
 */
may_reinstate: boolean, 
/**
 * Her record in the cooperative she moved to, after a transfer.
 */
moved_to: MemberSummary | null, 
/**
 * Her record in the cooperative she came from, after a transfer.
 */
moved_from: MemberSummary | null, };

export type NewMemberRequest = { cooperative_id: string, number: string, full_name: string, 
/**
 * `f` or `m` (either case).
 */
sex: string, birth_year: number | null, village: string, phone: string | null, nina: string | null, 
/**
 * Crop families: `rice`, `dry_cereals`, `shallot`.
 */
crops: Array<string>, 
/**
 * Save even though probable duplicates were shown.
 */
confirmed: boolean, };

export type CorrectMemberRequest = { member_id: string, number?: string, full_name?: string, 
/**
 * `f` or `m`.
 */
sex?: string, birth_year?: string, village?: string, phone?: string, nina?: string, 
/**
 * Crop families: `rice`, `dry_cereals`, `shallot`.
 */
crops?: Array<string>, reason: string, };

export type MemberCorrectedView = { change: HistoryEntryView, member: MemberSummary, look_alikes: Array<MemberSummary>, };

export type MemberDepartedRequest = { member_id: string, 
/**
 * `left`, `deceased` or `excluded`.
 */
status: string, 
/**
 * `YYYY-MM-DD`; empty: today.
 */
on: string, reason: string, };

export type ReinstateMemberRequest = { member_id: string, reason: string, };

export type TransferMemberRequest = { member_id: string, to_cooperative_id: string, new_number: string, 
/**
 * `YYYY-MM-DD`; empty: today.
 */
on: string, reason: string, };

export type MemberTransferredView = { left: MemberSummary, joined: MemberSummary, };

export type FieldChangeView = { 
/**
 * The stored field: `phone`, `full_name`, `village`, `status`…
 */
field: string, 
/**
 * Its name in the session's language (`téléphone`, `nom`…).
 */
label: string, old: string | null, new: string | null, };

export type HistoryEntryView = { id: string, 
/**
 * When it was recorded (RFC 3339, UTC, by the recording device's clock).
 */
at: string, 
/**
 * `correct`, `depart`, `reinstate`, `transfer_out` or `transfer_in`.
 */
action: string, action_label: string, 
/**
 * The date a departure or transfer took effect, `YYYY-MM-DD`.
 */
effective_on: string | null, changes: Array<FieldChangeView>, reason: string, 
/**
 * Who recorded it, by name.
 */
agent: string, 
/**
 * On which device, by its label.
 */
device: string, 
/**
 * The record it changed (`COOP-0042 · Coopérative de …`): after a transfer the history
 * holds the record she came from too.
 */
record: string, };

export type ContractRequest = { member_id: string, campaign_id: string, crop: string, committed_kg: string, };

export type DecideRequest = { contract_id: string, approve: boolean, reason: string, };

export type DisburseRequest = { contract_id: string, amount: string, 
/**
 * `cash`, `mobile_money`, `bank`.
 */
mode: string, 
/**
 * The record's id, minted by the window when the person first confirms: a retry of the
 * same confirmed action returns the same record instead of recording it twice.
 */
record_id?: string, };

export type PayBalanceRequest = { member_id: string, campaign_id: string, amount: string, 
/**
 * `cash`, `mobile_money`, `bank`.
 */
mode: string, 
/**
 * The record's id, minted by the window when the person first confirms: a retry of the
 * same confirmed action returns the same record instead of recording it twice.
 */
record_id?: string, };

export type DeliveryRequest = { contract_id: string, warehouse_id: string, bags: string, gross_kg: string, moisture: string, impurity: string, 
/**
 * The record's id, minted by the window when the person first confirms: a retry of the
 * same confirmed action returns the same record instead of recording it twice.
 */
record_id?: string, 
/**
 * The weights taken from the scale (`scale_capture` ids), summed into the gross weight
 * (`gross_kg` is then not read).
 */
captures?: Array<string>, 
/**
 * A weight typed by hand: why (a `HandReason` code). Sent empty, it is refused: the
 * window always sends it for a typed weight. Absent (scripts, older callers): the
 * delivery is recorded without weighing evidence.
 */
hand_reason?: string, 
/**
 * Free text with the reason (required for `other`).
 */
hand_note?: string, };

export type DeliveryPreviewView = { net_kg: string, accepted_kg: string, 
/**
 * What the delivery adds to the contract's value: kg above the commitment at the
 * over-delivery price when the campaign buys them, nothing otherwise.
 */
value: string, 
/**
 * The contract's accepted kg would pass its committed kg.
 */
over_committed: boolean, 
/**
 * The gross weight counted: the one typed, or the captures' sum (rounded to 0,1 kg).
 */
gross_kg: string, };

export type ScaleSettingsView = { 
/**
 * `COM3`, `/dev/ttyUSB0`; empty when none is set.
 */
port: string, 
/**
 * `mt-sics`, `and`, `xk3190`; empty when none is set.
 */
protocol: string, baud: string, 
/**
 * Data bits, parity, stop bits: `8N1`, `7E1`…
 */
format: string, 
/**
 * How long the same weight must be held to be taken, in milliseconds.
 */
stable_ms: string, configured: boolean, 
/**
 * The serial ports this computer has (a pseudo-terminal is not listed: type its name).
 */
ports: Array<string>, protocols: Array<ScaleOption>, bauds: Array<string>, };

export type ScaleOption = { code: string, label: string, };

export type ScaleSettingsRequest = { port: string, protocol: string, baud: string, format: string, stable_ms: string, };

export type ScaleLiveView = { 
/**
 * `off` (no scale set), `waiting` (port open, no weight yet), `reading`, `error`.
 */
state: string, 
/**
 * The weight shown, in kg (exact decimal), when the last frame is a weight.
 */
kg: string | null, 
/**
 * The same weight held for the hold time: « Capturer » takes it.
 */
stable: boolean, 
/**
 * The scale flags the load as moving.
 */
moving: boolean, 
/**
 * The last frame was refused (overload, negative, garbled…): why.
 */
refusal: string | null, refusal_code: string | null, 
/**
 * What keeps the scale from being read: no port, port not found, nothing received,
 * frames that none can read.
 */
error: string | null, error_code: string | null, port: string, protocol: string, 
/**
 * Frames read since the port opened.
 */
frames: number, 
/**
 * When the last weight came, and since when it is held stable (ms since 1970, this
 * computer's clock).
 */
read_at_ms: string | null, stable_since_ms: string | null, };

export type ScaleCaptureView = { id: string, 
/**
 * Exact, in kg.
 */
kg: string, stable: boolean, 
/**
 * When the frame came (RFC 3339, UTC).
 */
at: string, 
/**
 * The frame as received.
 */
raw: string, protocol: string, 
/**
 * The port and its settings: `COM3 9600 8N1`.
 */
port: string, };

export type ProductView = { id: string, name: string, bag_weight_kg: string, price_per_bag: string, };

export type NeedRequest = { member_id: string, campaign_id: string, product_id: string, bags: string, };

export type DistributeRequest = { member_id: string, campaign_id: string, product_id: string, bags: string, cash_paid: string, 
/**
 * The record's id, minted by the window when the person first confirms: a retry of the
 * same confirmed action returns the same record instead of recording it twice.
 */
record_id?: string, };

export type ReverseRequest = { 
/**
 * `disbursement`, `delivery`, `distribution`, `payment`.
 */
kind: string, target_id: string, reason: string, 
/**
 * The record's id, minted by the window when the person first confirms: a retry of the
 * same confirmed action returns the same record instead of recording it twice.
 */
record_id?: string, };

export type ReceiptRequest = { kind: string, id: string, };

export type ReceiptLine = { label: string, value: string, };

export type ReceiptView = { kind: string, id: string, number: string, title: string, date: string, union_name: string, cooperative: string, member: string, member_number: string, agent: string, lines: Array<ReceiptLine>, amount: string, amount_words: string, 
/**
 * The receipt a reversal cancels, and why.
 */
cancels: string | null, pdf_path: string, 
/**
 * The record is saved but its PDF could not be written (a full disk, a folder that
 * cannot be written): said on its own, the receipt can be reprinted from the card.
 */
pdf_error?: string, 
/**
 * A weighing ticket's proof: the text of the QR code printed on it (#21), scanned at
 * the office by `read_scan`.
 */
proof?: string, 
/**
 * The same QR code's modules, row by row from the top (`1` dark, `0` light), for the
 * window's printed receipt: drawn from Rust's one encoder, never made up in the page.
 */
proof_modules?: Array<string>, };

export type SheetRequest = { cooperative_id: string, campaign_id: string, };

export type SheetRow = { member_id: string, number: string, full_name: string, crop_label: string, committed_kg: string, delivered_kg: string, remaining_kg: string, advance: string, };

export type SheetTotals = { committed_kg: string, delivered_kg: string, remaining_kg: string, advance: string, };

export type CollectionSheetView = { cooperative: string, campaign: string, rows: Array<SheetRow>, totals: SheetTotals, };

export type CampaignRequest = { campaign_id: string, };

export type CashView = { received: string, paid_out: string, fertilizer_cash: string, to_return: string, };

export type SyncStatus = { enrolled: boolean, hub_url: string | null, last_sync_at: string | null, 
/**
 * Actions recorded here since the last successful sync. Always 0 at the union office,
 * which sends nothing anywhere: it is the hub, the laptops fetch from it (see
 * `devices_behind`).
 */
pending_changes: number, open_conflicts: number, 
/**
 * This store is the union office's (the hub's store, the secretariat signed in): its
 * sync screen shows the devices, not a sync with a hub.
 */
office: boolean, 
/**
 * At the office: the enrolled laptops that lack something it holds (0 elsewhere).
 */
devices_behind: number, };

export type SyncProgressView = { step: string, done: number, total: number, };

export type SyncResult = { sent: number, received: number, conflicts: number, refused: Array<string>, message: string, };

export type PathRequest = { path: string, };

export type UsbExportRequest = { path: string, 
/**
 * At the office: the device the file is for (its id). Empty on a laptop (its file is
 * for the office).
 */
device_id: string, };

export type DeviceRequest = { device_id: string, };

export type HubDeviceView = { device_id: string, label: string, receipt_prefix: string, agent_name: string, 
/**
 * Codes of the cooperatives it serves (none for the federation).
 */
cooperatives: Array<string>, 
/**
 * The federation of unions: it reads every document of the union and writes none.
 */
federation: boolean, 
/**
 * What it reads and writes, in words: its cooperatives' codes, or the federation's
 * read-only scope.
 */
scope_label: string, 
/**
 * `enrolled`, `pending` (its code given, not used yet), `revoked`.
 */
state: string, state_label: string, enrolled_at: string | null, 
/**
 * Its last exchange with the office: an HTTP sync, or its USB file read here.
 */
last_sync_at: string | null, 
/**
 * Changes of others (the office's, other laptops') it has not received since its last
 * sync; `None` when nothing goes to it (not enrolled yet, revoked).
 */
lacks_changes: number | null, 
/**
 * What it lacks, in words.
 */
lacks_label: string, 
/**
 * The office may write it a file (enrolled, not revoked), and revoke it.
 */
may_export: boolean, may_revoke: boolean, };

export type FileWritten = { path: string, bytes: number, };

export type BackupRequest = { dir: string, };

export type BackupView = { 
/**
 * The copy's full path, its name alone, and its folder.
 */
file: string, file_name: string, dir: string, 
/**
 * Its manifest (`<file>.manifest.json`), beside it.
 */
manifest: string, 
/**
 * Size in bytes, as decimal text (a store may pass 4 GB).
 */
bytes: string, 
/**
 * The size for people (`1,2 Mo` / `1.2 MB`).
 */
size_label: string, 
/**
 * When it was taken (RFC 3339, UTC, by the ledger's clock).
 */
made_at: string, 
/**
 * The first 16 hex digits of its SHA-256.
 */
sha256_prefix: string, 
/**
 * The store is encrypted: its key file `<file>.keys` was copied beside it.
 */
encrypted: boolean, };

export type BackupProgressView = { 
/**
 * `started`, `writing`, `verifying` or `done`.
 */
stage: string, 
/**
 * The step for people, in the session's language.
 */
step: string, done: number, total: number, };

export type RestoreRequest = { file: string, passphrase: string, lang: string, };

export type RestoreCheckView = { 
/**
 * The backup's full path.
 */
file: string, 
/**
 * When it was taken (RFC 3339, UTC).
 */
made_at: string, 
/**
 * Size in bytes, as decimal text, and for people (`1,2 Mo` / `1.2 MB`).
 */
bytes: string, size_label: string, schema_version: number, encrypted: boolean, 
/**
 * The sign-ins its key file holds (those passphrases open the restored store).
 */
accounts: Array<string>, 
/**
 * The store the backup will replace.
 */
store_path: string, 
/**
 * A store is in place now: it will be moved aside (never deleted) to
 * `<store>.avant-restauration-<date>`.
 */
replaces_store: boolean, 
/**
 * Where it will go, the date as it would be now (`…-AAAAMMJJ-HHMMSS`).
 */
moved_aside_to: string | null, };

export type RestoreView = { 
/**
 * When the backup was taken (RFC 3339, UTC).
 */
made_at: string, 
/**
 * The store's new sync generation.
 */
generation: number, 
/**
 * The first receipt of the new series (`A1-1-000001`), when the store has a device.
 */
first_receipt: string | null, 
/**
 * Where the store that was in place went, if there was one (never deleted).
 */
moved_aside: string | null, 
/**
 * The gate as it stands now: sign in on the restored store.
 */
vault: VaultStatus, };

export type DriveView = { 
/**
 * Its mount point: the folder to back up into.
 */
path: string, 
/**
 * Its name (the mount point's last part).
 */
name: string, 
/**
 * Free space for people (`3,4 Go` / `3.4 GB`), when it could be read at once.
 */
free_label: string | null, };

export type BackupStatusView = { 
/**
 * When this store last made a backup (RFC 3339, UTC), if ever.
 */
last_backup_at: string | null, 
/**
 * Where that backup went.
 */
last_backup_file: string | null, 
/**
 * No backup yet, or the last one is more than 24 hours old by the ledger's clock: the
 * window warns (the rule is here, not in the window).
 */
overdue: boolean, 
/**
 * Removable drives found (mount points under `/media/<user>`, `/run/media/<user>`,
 * `/media`).
 */
drives: Array<DriveView>, 
/**
 * A folder to suggest when no drive is plugged in: `<store folder>/sauvegardes`.
 */
default_dir: string | null, 
/**
 * The office's standby machine (a secretariat session only).
 */
standby: StandbyView | null, };

export type StandbyView = { 
/**
 * The standby device's label (its id when this store does not know it).
 */
device: string | null, 
/**
 * When it last said which copy it holds (RFC 3339).
 */
kept_at: string | null, 
/**
 * When that copy was made (RFC 3339).
 */
made_at: string | null, 
/**
 * Its copy is the newest backup.
 */
current: boolean, 
/**
 * No standby, or none heard from within an hour: the window warns (the rule is Rust's).
 */
overdue: boolean, };

export type ConflictView = { id: string, 
/**
 * `fields` (choose a value), `member_duplicate` (choose the registration kept, or
 * "different people"), `duplicate` or `creation` (both records stay).
 */
kind: string, 
/**
 * The record in conflict, in words.
 */
record: string, 
/**
 * What differs, in words.
 */
field: string, money: boolean, 
/**
 * One line per candidate: the value in words, who, on which device, when.
 */
values: Array<string>, 
/**
 * The members concerned.
 */
member_ids: Array<string>, at: string, };

export type CampaignDateRequest = { campaign_id: string, date: string, };

export type ProgressView = { contracts: number, committed_kg: string, delivered_kg: string, advance_due: string, disbursed: string, recovered: string, recovery_rate: string, };

export type DashLine = { label: string, progress: ProgressView, };

export type AgentDashLine = { name: string, disbursed: string, delivered_kg: string, received: string, paid_out: string, fertilizer_cash: string, returned: string, to_return: string, };

export type StockView = { warehouse: string, cooperative: string, crop: string, delivered_kg: string, sold_kg: string, stock_kg: string, };

export type FertilizerDashLine = { product: string, needed_bags: string, ordered_bags: string, received_bags: string, distributed_bags: string, cost: string, cash_paid: string, on_credit: string, };

export type LenderDashLine = { lender: string, principal: string, drawn: string, repaid_principal: string, repaid_interest: string, outstanding: string, };

export type DashboardView = { campaign: string, date: string, total: ProgressView, crops: Array<DashLine>, cooperatives: Array<DashLine>, agents: Array<AgentDashLine>, stock: Array<StockView>, fertilizer: Array<FertilizerDashLine>, fertilizer_recovered: string, fertilizer_outstanding: string, lenders: Array<LenderDashLine>, lenders_outstanding: string, 
/**
 * Per crop family, the totals of all its campaigns (the campaign's own family
 * included): the union's view across seasons.
 */
families: Array<DashLine>, };

export type AnomalyLinkView = { 
/**
 * What it opens: `member` (the member's card, `id` the member), `settlement` (`id`
 * the run, when one is meant), `dashboard` (agents' cash, stock, office entries),
 * `sync` (devices, USB files).
 */
target: string, id: string | null, 
/**
 * What the button says, in the session's language.
 */
label: string, };

export type AnomalyView = { 
/**
 * Stable while the evidence is the same: what a resolution names.
 */
key: string, 
/**
 * `sync_conflict`, `duplicate_member`, …
 */
kind: string, title: string, 
/**
 * One sentence: who and what, in the session's language.
 */
summary: string, 
/**
 * The evidence, one `label : value` line each, in the session's language (names and
 * formatted figures, never an id).
 */
evidence: Array<string>, 
/**
 * The member cards and screens to open.
 */
links: Array<AnomalyLinkView>, 
/**
 * What the secretariat should do, in the session's language.
 */
action: string, 
/**
 * For a sync conflict: its id and the values in conflict, as a person reads them.
 */
conflict_id: string | null, values: Array<string>, money: boolean, 
/**
 * For a sync conflict: `fields`, `member_duplicate`, `duplicate` or `creation` (see
 * [`ConflictView::kind`]).
 */
conflict_kind: string | null, };

export type ResolveAnomalyRequest = { campaign_id: string, key: string, note: string, };

export type ResolveConflictRequest = { conflict_id: string, choice: number | null, reason: string, };

export type ResolutionView = { key: string, kind: string, 
/**
 * The kind in words, in the session's language.
 */
title: string, note: string, by: string, at: string, };

export type SettlementLineView = { member_id: string, number: string, name: string, cooperative: string, committed_kg: string, accepted_kg: string, delivered_value: string, 
/**
 * The price complement on the member's kg.
 */
complement: string, advances: string, fees: string, fertilizer_credit: string, 
/**
 * The debt carried in from the previous campaign of the crop family.
 */
carried_debt: string, net: string, paid: string, remaining: string, debt: string, };

export type SettlementTotalsView = { members: number, members_in_debt: number, accepted_kg: string, delivered_value: string, complement: string, advances: string, fees: string, fertilizer_credit: string, carried_debt: string, net: string, payable: string, debt: string, };

export type SettlementView = { run_id: string | null, campaign: string, date: string, locked_at: string | null, replaces: string | null, note: string | null, lines: Array<SettlementLineView>, totals: SettlementTotalsView, 
/**
 * The open proposal of this settlement (a preview): a second secretariat agent locks it.
 */
proposal: ProposalView | null, };

export type ProposalView = { 
/**
 * Who proposed it.
 */
proposed_by: string, proposed_at: string, 
/**
 * Proposed by the one signed in: someone else must lock it.
 */
by_me: boolean, 
/**
 * The figures are still those proposed (else: propose again).
 */
holds: boolean, };

export type LockRequest = { campaign_id: string, date: string, replaces: string | null, note: string, };

export type RunView = { id: string, campaign: string, date: string, locked_at: string, replaces: string | null, note: string, members: number, net: string, };

export type RunRequest = { run_id: string, };

export type ExportRequest = { run_id: string, format: string, };

export type PortfolioExportRequest = { campaign_id: string, format: string, };

export type DashboardExportRequest = { campaign_id: string, 
/**
 * `YYYY-MM-DD`, empty: today.
 */
date: string, format: string, };

export type StockCountRequest = { warehouse_id: string, campaign_id: string, 
/**
 * `YYYY-MM-DD`, empty: today.
 */
date: string, kg: string, note: string, };

export type CashReturnRequest = { agent_id: string, campaign_id: string, 
/**
 * `YYYY-MM-DD`, empty: today.
 */
date: string, amount: string, note: string, };

export type OfficeRecordView = { what: string, date: string, 
/**
 * kg for a count, FCFA for a cash return.
 */
figure: string, note: string, };

export type DateRequest = { date: string, };

export type LenderPositionView = { credit_line_id: string, lender: string, campaign: string | null, annual_rate: string, start: string, maturity: string, principal: string, drawn: string, repaid_principal: string, outstanding_principal: string, interest_accrued: string, repaid_interest: string, interest_due: string, total_due: string, };

export type LendersView = { date: string, lines: Array<LenderPositionView>, outstanding_principal: string, interest_due: string, total_due: string, };

export type SaleLotLineView = { id: string, crop: string, buyer: string, date: string, kg: string, price_per_kg: string, gross: string, costs: string, net: string, base_price_per_kg: string | null, 
/**
 * What the lot made above the base price, net of costs (when positive).
 */
above_base: string | null, paid: boolean, reversed: boolean, };

export type SaleLotRequest = { campaign_id: string, 
/**
 * `paddy_rice`, `shallot`, …
 */
crop: string, buyer: string, warehouse_id: string, kg: string, price_per_kg: string, costs: string, };

export type ComplementView = { 
/**
 * `paddy_rice`, `shallot`, …
 */
crop: string, crop_label: string, base_price: string, 
/**
 * Σ of what the crop's lots made above the base price, net of costs.
 */
surplus: string, 
/**
 * The kg the contracts' values count.
 */
counted_kg: string, 
/**
 * The most per kg the surplus pays on every counted kg.
 */
max_per_kg: string, 
/**
 * The complement decided per kg (0: none).
 */
per_kg: string, };

export type ComplementRequest = { campaign_id: string, crop: string, per_kg: string, };

export type DrawRequest = { credit_line_id: string, amount: string, };

export type RepayRequest = { credit_line_id: string, principal: string, interest: string, };

export type HubStartRequest = { listen: string, };

export type HubView = { running: boolean, 
/**
 * The address it listens on, and the addresses devices on the LAN can use.
 */
listen: string | null, urls: Array<string>, };

export type AgentView = { id: string, name: string, role: string, role_label: string, 
/**
 * Codes of the cooperatives the agent follows.
 */
cooperatives: Array<string>, };

export type PairRequest = { agent_id: string, device_label: string, receipt_prefix: string, federation: boolean, };

export type PairingView = { device_id: string, code: string, expires: string, hub_urls: Array<string>, };

export type ExportView = { folder: string, files: Array<string>, bytes: number, };

export type MemberCardsView = { path: string, cooperative: string, cards: number, pages: number, };

export type ScanRequest = { text: string, };

export type ScanView = { kind: string, member_id: string | null, 
/**
 * The verdict or the refusal, in the session's language.
 */
message: string, ticket: TicketCheckView | null, };

export type TicketCheckView = { receipt: string, member_number: string, 
/**
 * Accepted weight and value as the paper says.
 */
accepted_kg: string, value: string, 
/**
 * `valid`, `invalid`, `no_key`.
 */
signature: string, found: boolean, reversed_by: string | null, 
/**
 * Signed, found, same figures, not reversed.
 */
matches: boolean, differences: Array<TicketDifferenceView>, };

export type TicketDifferenceView = { 
/**
 * `receipt`, `member`, `accepted`, `value`.
 */
field: string, label: string, paper: string, books: string, };
