// Provisional IPC types, written by hand from the IPC contract.
//
// The Rust side generates the authoritative types into `src/bindings/index.ts`
// (never edit that folder). When they appear, the rest of the UI should import
// from `./api-types` which re-exports whichever set is current; until then
// these shapes follow the contract exactly (snake_case field names).
//
// Money values are strings of whole francs ("200000", may be "-15000");
// kilograms and percents are strings of decimals ("1234.5"); dates are
// "YYYY-MM-DD"; ids are UUID strings.

export type Money = string;
export type Decimal = string;
export type IsoDate = string;
export type Uuid = string;

export type Lang = 'fr' | 'en';
export type Role = 'field_agent' | 'ctc' | 'secretariat' | 'read_only';

export type ErrorCode =
  | 'invalid_value'
  | 'store_unreadable'
  | 'store_too_new'
  | 'store_error'
  | 'sync_refused'
  | 'sync_unauthentic'
  | 'sync_error'
  | 'not_initialized'
  | 'already_initialized'
  | 'not_found'
  | 'forbidden'
  | 'id_conflict'
  | 'duplicate_member_number'
  | 'taken'
  | 'probable_duplicate'
  | 'other_cooperative'
  | 'mismatch'
  | 'already_reversed'
  | 'above_available'
  // Produced by the UI itself (see ipc.ts), never by Rust:
  | 'no_tauri'
  | 'ipc_failure'
  // Future codes from Rust are shown like any other.
  | (string & {});

export interface IpcError {
  code: ErrorCode;
  message: string;
  field: string | null;
}

export interface CropPriceView {
  crop: string;
  label: string;
  base_price: Money;
}

export interface CampaignView {
  id: Uuid;
  name: string;
  family: string;
  family_label: string;
  crops: CropPriceView[];
  advance_share: Decimal;
  contract_from: IsoDate;
  contract_to: IsoDate;
  delivery_from: IsoDate;
  delivery_to: IsoDate;
  max_moisture: Decimal;
  max_impurity: Decimal;
  bag_tare_kg: Decimal;
  over_delivery_bought: boolean;
}

export interface AppStatus {
  initialized: boolean;
  union_name: string | null;
  agent_name: string | null;
  role: Role | (string & {}) | null;
  role_label: string | null;
  device_label: string | null;
  may_approve: boolean;
  lang: Lang;
  campaigns: CampaignView[];
  today: IsoDate;
}

export interface SetLangRequest {
  lang: Lang;
}

export interface InitUnionRequest {
  union_name: string;
  region: string;
  agent_name: string;
  device_label: string;
  receipt_prefix: string;
}

export interface EnrollRequest {
  hub_url: string;
  code: string;
  device_label: string;
}

export interface CooperativeView {
  id: Uuid;
  code: string;
  name: string;
  village: string;
  member_count: number;
}

export interface ListWarehousesRequest {
  cooperative_id: Uuid;
}

export interface WarehouseView {
  id: Uuid;
  name: string;
}

export interface SearchMembersRequest {
  query: string;
  cooperative_id: Uuid | null;
}

export interface MemberSummary {
  id: Uuid;
  number: string;
  full_name: string;
  village: string;
  phone: string | null;
  cooperative_id: Uuid;
  cooperative_name: string;
}

export type ContractState =
  | 'requested'
  | 'approved'
  | 'rejected'
  | 'cancelled'
  | 'disbursed'
  | 'delivering'
  | 'settled'
  | 'defaulted'
  | (string & {});

export interface ContractView {
  id: Uuid;
  campaign_id: Uuid;
  campaign_name: string;
  crop: string;
  crop_label: string;
  committed_kg: Decimal;
  base_price: Money;
  state: ContractState;
  state_label: string;
  advance_due: Money;
  disbursed: Money;
  accepted_kg: Decimal;
  value: Money;
}

export interface MoneyLine {
  id: Uuid;
  date: IsoDate;
  amount: Money;
  receipt: string;
  reversed: boolean;
  contract_id: Uuid | null;
}

export interface DeliveryView {
  id: Uuid;
  date: IsoDate;
  contract_id: Uuid;
  bags: number;
  gross_kg: Decimal;
  net_kg: Decimal;
  accepted_kg: Decimal;
  receipt: string;
  voided: boolean;
}

export interface DistributionView {
  id: Uuid;
  date: IsoDate;
  product_name: string;
  bags: number;
  amount: Money;
  cash_paid: Money;
  receipt: string;
  reversed: boolean;
}

export interface BalanceView {
  campaign_id: Uuid;
  campaign_name: string;
  contracts_value: Money;
  advances: Money;
  fees: Money;
  fertilizer: Money;
  net: Money;
}

export type ReceiptKind = 'disbursement' | 'delivery' | 'distribution' | 'payment' | 'reversal';
export type ReversibleKind = Exclude<ReceiptKind, 'reversal'>;

export interface ReceiptRef {
  kind: ReceiptKind;
  id: Uuid;
  number: string;
  date: IsoDate;
  title: string;
}

export interface MemberCardRequest {
  member_id: Uuid;
}

export interface MemberCard {
  member: MemberSummary;
  sex: 'F' | 'M';
  birth_year: number | null;
  crops: string[];
  contracts: ContractView[];
  disbursements: MoneyLine[];
  /** Balance payments (not in the written contract; the Rust draft sends them). */
  payments?: MoneyLine[];
  deliveries: DeliveryView[];
  distributions: DistributionView[];
  balances: BalanceView[];
  receipts: ReceiptRef[];
}

export interface NewMemberRequest {
  cooperative_id: Uuid;
  number: string;
  full_name: string;
  sex: 'F' | 'M';
  birth_year: number | null;
  village: string;
  phone: string | null;
  nina: string | null;
  crops: string[];
}

export interface RegisterMemberRequest extends NewMemberRequest {
  confirmed: boolean;
}

export interface RequestContractRequest {
  member_id: Uuid;
  campaign_id: Uuid;
  crop: string;
  committed_kg: Decimal;
}

export interface DecideContractRequest {
  contract_id: Uuid;
  approve: boolean;
  reason: string;
}

export type PaymentMode = 'cash' | 'mobile_money' | 'bank';

export interface DisburseRequest {
  contract_id: Uuid;
  amount: Money;
  mode: PaymentMode;
}

export interface PreviewDeliveryRequest {
  contract_id: Uuid;
  /** Not in the contract; sent anyway (the Rust draft reuses its delivery request). */
  warehouse_id?: Uuid;
  bags: number;
  gross_kg: Decimal;
  moisture: Decimal;
  impurity: Decimal;
}

export interface DeliveryPreview {
  net_kg: Decimal;
  accepted_kg: Decimal;
  value: Money;
  over_committed: boolean;
}

export interface RecordDeliveryRequest {
  contract_id: Uuid;
  warehouse_id: Uuid;
  bags: number;
  gross_kg: Decimal;
  moisture: Decimal;
  impurity: Decimal;
}

export interface ProductView {
  id: Uuid;
  name: string;
  bag_weight_kg: Decimal;
  price_per_bag: Money;
}

export interface AddNeedRequest {
  member_id: Uuid;
  campaign_id: Uuid;
  product_id: Uuid;
  bags: number;
}

export interface DistributeRequest {
  member_id: Uuid;
  campaign_id: Uuid;
  product_id: Uuid;
  bags: number;
  cash_paid: Money;
}

export interface ReverseRequest {
  kind: ReversibleKind;
  target_id: Uuid;
  reason: string;
}

export interface ReceiptRequest {
  kind: ReceiptKind;
  id: Uuid;
}

export interface ReceiptView {
  kind: ReceiptKind;
  id: Uuid;
  number: string;
  title: string;
  date: IsoDate;
  cooperative: string;
  member: string;
  member_number: string;
  agent: string;
  lines: [string, string][];
  amount: Money;
  amount_words: string;
  cancels: string | null;
  pdf_path: string;
}

export interface CollectionSheetRequest {
  cooperative_id: Uuid;
  campaign_id: Uuid;
}

export interface CollectionRow {
  member_id: Uuid;
  number: string;
  full_name: string;
  crop_label: string;
  committed_kg: Decimal;
  delivered_kg: Decimal;
  remaining_kg: Decimal;
  advance: Money;
}

export interface CollectionTotals {
  committed_kg: Decimal;
  delivered_kg: Decimal;
  remaining_kg: Decimal;
  advance: Money;
}

export interface CollectionSheet {
  cooperative: string;
  campaign: string;
  rows: CollectionRow[];
  totals: CollectionTotals;
}

export interface AgentCashRequest {
  campaign_id: Uuid;
}

export interface AgentCash {
  received: Money;
  paid_out: Money;
  to_return: Money;
}

export interface SyncStatus {
  last_sync_at: string | null;
  hub_url: string | null;
  pending_changes: number;
  open_conflicts: number;
}

export interface SyncReport {
  sent: number;
  received: number;
  refused: string[];
  message: string;
}

export interface SyncProgress {
  step: string;
  done: number;
  total: number;
}

export interface UsbExportRequest {
  path: string;
}

export interface UsbExportReport {
  path: string;
  bytes: number;
}

export interface UsbImportRequest {
  path: string;
}

export interface UsbImportReport {
  received: number;
  refused: string[];
  message: string;
}

export interface ConflictView {
  id: Uuid;
  record: string;
  field: string;
  values: string[];
  at: string;
}

/** Every command of the contract: its request (or `void`) and its answer. */
export interface Commands {
  app_status: [void, AppStatus];
  set_lang: [SetLangRequest, AppStatus];
  init_union: [InitUnionRequest, AppStatus];
  load_demo: [void, AppStatus];
  enroll: [EnrollRequest, AppStatus];
  list_cooperatives: [void, CooperativeView[]];
  list_warehouses: [ListWarehousesRequest, WarehouseView[]];
  search_members: [SearchMembersRequest, MemberSummary[]];
  member_card: [MemberCardRequest, MemberCard];
  check_member: [NewMemberRequest, MemberSummary[]];
  register_member: [RegisterMemberRequest, MemberSummary];
  request_contract: [RequestContractRequest, ContractView];
  decide_contract: [DecideContractRequest, ContractView];
  disburse: [DisburseRequest, ReceiptView];
  preview_delivery: [PreviewDeliveryRequest, DeliveryPreview];
  record_delivery: [RecordDeliveryRequest, ReceiptView];
  list_products: [void, ProductView[]];
  add_need: [AddNeedRequest, void];
  distribute: [DistributeRequest, ReceiptView];
  reverse: [ReverseRequest, ReceiptView];
  receipt: [ReceiptRequest, ReceiptView];
  collection_sheet: [CollectionSheetRequest, CollectionSheet];
  agent_cash: [AgentCashRequest, AgentCash];
  sync_status: [void, SyncStatus];
  sync_now: [void, SyncReport];
  usb_export: [UsbExportRequest, UsbExportReport];
  usb_import: [UsbImportRequest, UsbImportReport];
  list_conflicts: [void, ConflictView[]];
}

export type CommandName = keyof Commands;
