// The IPC types, from the bindings Rust generates into `src/bindings/index.ts`
// (`SENE_BLESS=1 cargo test -p sene-api bindings`; never edited by hand).
//
// This file only re-exports them under the names the UI uses, narrows a few
// string fields the UI switches on, and adds the UI's own error codes.
//
// Money values are strings of whole francs ("200000", may be "-15000");
// kilograms and percents are strings of decimals ("1234.5"); dates are
// "YYYY-MM-DD"; ids are UUID strings; counts of bags are strings too ("12").

import type {
  AccountRequest,
  AccountView,
  AddAccountRequest,
  BackupProgressView,
  BackupRequest,
  BackupStatusView,
  BackupView,
  CreateVaultRequest,
  IdleLockRequest,
  RecoverRequest,
  RestoreCheckView,
  RestoreRequest,
  RestoreView,
  SignInRequest,
  VaultCreatedView,
  VaultStatus,
  AgentView,
  DateRequest,
  DrawRequest,
  LendersView,
  RepayRequest,
  SaleLotLineView,
  SaleLotRequest,
  ComplementView,
  ComplementRequest,
  CashReturnRequest,
  AnomalyView,
  ApiError,
  AppStatus,
  CampaignRequest,
  CashView,
  CollectionSheetView,
  ConflictView,
  ContractRequest,
  ContractView,
  CooperativeRequest,
  CooperativeView,
  DecideRequest,
  DeliveryPreviewView,
  DeliveryRequest,
  DisburseRequest,
  DistributeRequest,
  EnrollRequest,
  ErrorCode as RustErrorCode,
  FileWritten,
  HubStartRequest,
  HubView,
  InitRequest,
  LangRequest,
  MemberCard,
  MemberRequest,
  MemberSummary,
  NeedRequest,
  NewMemberRequest,
  OfficeRecordView,
  PairRequest,
  PairingView,
  PathRequest,
  PayBalanceRequest,
  PortfolioExportRequest,
  DashboardExportRequest,
  ProductView,
  ReceiptRequest,
  ReceiptView,
  ReverseRequest,
  SearchRequest,
  SheetRequest,
  SheetRow,
  SyncProgressView,
  SyncResult,
  SyncStatus,
  WarehouseView,
  CampaignDateRequest,
  DashboardView,
  ExportRequest,
  ExportView,
  LockRequest,
  ResolutionView,
  ResolveAnomalyRequest,
  ResolveConflictRequest,
  RunRequest,
  RunView,
  SettlementView,
  StockCountRequest,
} from '../bindings';

export type {
  AccountView,
  AddAccountRequest,
  BackupProgressView,
  BackupRequest,
  BackupStatusView,
  BackupView,
  DriveView,
  CreateVaultRequest,
  RecoverRequest,
  RestoreCheckView,
  RestoreRequest,
  RestoreView,
  SignInRequest,
  VaultCreatedView,
  VaultStatus,
  ComplementView,
  AgentDashLine,
  LenderPositionView,
  LendersView,
  SaleLotLineView,
  AgentView,
  HubView,
  PairingView,
  AnomalyView,
  DashLine,
  DashboardView,
  ExportView,
  ProgressView,
  ResolutionView,
  RunView,
  SettlementLineView,
  SettlementView,
  StockView,
  AppStatus,
  BalanceView,
  CampaignView,
  CashView,
  CollectionSheetView,
  ConflictView,
  ContractRequest,
  ContractView,
  CooperativeView,
  CropPriceView,
  DeliveryPreviewView,
  DeliveryRequest,
  DeliveryView,
  DisburseRequest,
  DistributeRequest,
  DistributionView,
  EnrollRequest,
  FileWritten,
  InitRequest,
  MemberCard,
  MemberSummary,
  MoneyLine,
  NeedRequest,
  NewMemberRequest,
  ProductView,
  ReceiptLine,
  ReceiptRef,
  ReceiptView,
  SheetRow,
  SheetTotals,
  SyncProgressView,
  SyncResult,
  SyncStatus,
  WarehouseView,
} from '../bindings';

export type Lang = 'fr' | 'en';
/** `VaultStatus.state`: where the store's lock stands. */
export type VaultState = 'new' | 'plain' | 'locked' | 'open' | 'unreadable';
export type Role = 'field_agent' | 'ctc' | 'secretariat' | 'read_only';
export type PaymentMode = 'cash' | 'mobile_money' | 'bank';
export type ReceiptKind = 'disbursement' | 'delivery' | 'distribution' | 'payment' | 'reversal';
export type ReversibleKind = Exclude<ReceiptKind, 'reversal'>;
/** Crop families (NewMemberRequest.crops, CampaignView.family). */
export type CropFamily = 'rice' | 'dry_cereals' | 'shallot';

/** Rust's codes, plus two the UI makes itself (see ipc.ts). */
export type ErrorCode = RustErrorCode | 'no_tauri' | 'ipc_failure';

/** What every command rejects with (ApiError), or the UI's own failure. */
export type IpcError = Omit<ApiError, 'code'> & { code: ErrorCode };

/** A member as typed, before the duplicate step (`confirmed` is added when saving). */
export type NewMember = Omit<NewMemberRequest, 'confirmed'>;

/** Every command: its request (or `void`) and its answer. Names as in src-tauri/src/main.rs. */
export interface Commands {
  // the gate: usable before anyone is signed in
  vault_status: [void, VaultStatus];
  create_vault: [CreateVaultRequest, VaultCreatedView];
  encrypt_store: [CreateVaultRequest, VaultCreatedView];
  sign_in: [SignInRequest, AppStatus];
  recover: [RecoverRequest, AppStatus];
  restore_check: [RestoreRequest, RestoreCheckView];
  restore_backup: [RestoreRequest, RestoreView];
  lock: [void, VaultStatus];
  // the accounts of this device, once signed in
  list_accounts: [void, AccountView[]];
  add_account: [AddAccountRequest, AccountView[]];
  remove_account: [AccountRequest, AccountView[]];
  set_idle_lock: [IdleLockRequest, AppStatus];
  app_status: [void, AppStatus];
  set_lang: [LangRequest, AppStatus];
  init_union: [InitRequest, AppStatus];
  load_demo: [void, AppStatus];
  enroll: [EnrollRequest, AppStatus];
  list_cooperatives: [void, CooperativeView[]];
  list_warehouses: [CooperativeRequest, WarehouseView[]];
  search_members: [SearchRequest, MemberSummary[]];
  member_card: [MemberRequest, MemberCard];
  check_member: [NewMemberRequest, MemberSummary[]];
  register_member: [NewMemberRequest, MemberSummary];
  request_contract: [ContractRequest, ContractView];
  decide_contract: [DecideRequest, ContractView];
  disburse: [DisburseRequest, ReceiptView];
  pay_balance: [PayBalanceRequest, ReceiptView];
  preview_delivery: [DeliveryRequest, DeliveryPreviewView];
  record_delivery: [DeliveryRequest, ReceiptView];
  list_products: [void, ProductView[]];
  add_need: [NeedRequest, null];
  distribute: [DistributeRequest, ReceiptView];
  reverse: [ReverseRequest, ReceiptView];
  receipt: [ReceiptRequest, ReceiptView];
  collection_sheet: [SheetRequest, CollectionSheetView];
  agent_cash: [CampaignRequest, CashView];
  sync_status: [void, SyncStatus];
  sync_now: [void, SyncResult];
  usb_export: [PathRequest, FileWritten];
  usb_import: [PathRequest, SyncResult];
  list_conflicts: [void, ConflictView[]];
  backup_status: [void, BackupStatusView];
  backup_now: [BackupRequest, BackupView];
  print_page: [void, null];
  office_dashboard: [CampaignDateRequest, DashboardView];
  office_anomalies: [CampaignRequest, AnomalyView[]];
  resolve_anomaly: [ResolveAnomalyRequest, ResolutionView];
  anomaly_log: [CampaignRequest, ResolutionView[]];
  resolve_conflict: [ResolveConflictRequest, null];
  settlement_preview: [CampaignDateRequest, SettlementView];
  propose_settlement: [CampaignDateRequest, SettlementView];
  lock_settlement: [LockRequest, SettlementView];
  settlement_runs: [CampaignRequest, RunView[]];
  settlement_run: [RunRequest, SettlementView];
  export_settlement: [ExportRequest, ExportView];
  export_portfolio: [PortfolioExportRequest, ExportView];
  export_dashboard: [DashboardExportRequest, ExportView];
  hub_status: [void, HubView];
  hub_start: [HubStartRequest, HubView];
  list_agents: [void, AgentView[]];
  pair_device: [PairRequest, PairingView];
  record_stock_count: [StockCountRequest, OfficeRecordView];
  record_cash_return: [CashReturnRequest, OfficeRecordView];
  lender_positions: [DateRequest, LendersView];
  sale_lots: [CampaignRequest, SaleLotLineView[]];
  add_sale_lot: [SaleLotRequest, SaleLotLineView];
  complement_options: [CampaignRequest, ComplementView[]];
  set_price_complement: [ComplementRequest, ComplementView];
  draw_credit: [DrawRequest, LendersView];
  repay_lender: [RepayRequest, LendersView];
}

export type CommandName = keyof Commands;

/** Payload of the `sync-progress` and `demo-progress` events. */
export type ProgressEvent = SyncProgressView;
/** Payload of the `backup-progress` event (`stage`: started, writing, verifying, done). */
export type BackupProgressEvent = BackupProgressView;

// Names used before the bindings existed, kept for readability in the screens.
export type DeliveryPreview = DeliveryPreviewView;
export type CollectionSheet = CollectionSheetView;
export type CollectionRow = SheetRow;
export type AgentCash = CashView;
