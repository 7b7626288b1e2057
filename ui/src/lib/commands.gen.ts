// Generated from src-tauri/src/registry.rs by
// `SENE_BLESS=1 cargo test -p sene-desktop --test commands`. Do not edit.

import type {
  AboutView,
  AccountRequest,
  AccountView,
  AddAccountRequest,
  AgentView,
  AnomalyView,
  AppStatus,
  BackupRequest,
  BackupStatusView,
  BackupView,
  CampaignDateRequest,
  CampaignRequest,
  CashReturnRequest,
  CashView,
  CollectionSheetView,
  ComplementRequest,
  ComplementView,
  ConflictView,
  ContractRequest,
  ContractView,
  CooperativeRequest,
  CooperativeView,
  CorrectMemberRequest,
  CreateVaultRequest,
  DashboardExportRequest,
  DashboardView,
  DateRequest,
  DecideRequest,
  DeliveryPreviewView,
  DeliveryRequest,
  DeviceRequest,
  DisburseRequest,
  DistributeRequest,
  DrawRequest,
  EnrollRequest,
  ExportRequest,
  ExportView,
  FileWritten,
  HistoryEntryView,
  HubDeviceView,
  HubStartRequest,
  HubView,
  IdleLockRequest,
  InitRequest,
  LangRequest,
  LendersView,
  LockRequest,
  MemberCard,
  MemberCardsView,
  MemberCorrectedView,
  MemberDepartedRequest,
  MemberRequest,
  MemberSummary,
  MemberTransferredView,
  NeedRequest,
  NewMemberRequest,
  OfficeRecordView,
  PairRequest,
  PairingView,
  PathRequest,
  PayBalanceRequest,
  PortfolioExportRequest,
  ProductView,
  ReceiptRequest,
  ReceiptView,
  RecoverRequest,
  ReinstateMemberRequest,
  RepayRequest,
  ResolutionView,
  ResolveAnomalyRequest,
  ResolveConflictRequest,
  RestoreCheckView,
  RestoreRequest,
  RestoreView,
  ReverseRequest,
  RunRequest,
  RunView,
  SaleLotLineView,
  SaleLotRequest,
  ScaleCaptureView,
  ScaleLiveView,
  ScaleSettingsRequest,
  ScaleSettingsView,
  ScanRequest,
  ScanView,
  SearchRequest,
  SettlementView,
  SheetRequest,
  SignInRequest,
  StockCountRequest,
  SyncResult,
  SyncStatus,
  TransferMemberRequest,
  UsbExportRequest,
  VaultCreatedView,
  VaultStatus,
  WarehouseView,
} from '../bindings';

/** Every command of the window: its request (or `void`) and its answer. */
export interface Commands {
  vault_status: [void, VaultStatus];
  create_vault: [CreateVaultRequest, VaultCreatedView];
  encrypt_store: [CreateVaultRequest, VaultCreatedView];
  sign_in: [SignInRequest, AppStatus];
  recover: [RecoverRequest, AppStatus];
  restore_check: [RestoreRequest, RestoreCheckView];
  restore_backup: [RestoreRequest, RestoreView];
  lock: [void, VaultStatus];
  print_page: [void, null];
  about: [void, AboutView];
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
  member_cards: [CooperativeRequest, MemberCardsView];
  read_scan: [ScanRequest, ScanView];
  check_member: [NewMemberRequest, MemberSummary[]];
  register_member: [NewMemberRequest, MemberSummary];
  correct_member: [CorrectMemberRequest, MemberCorrectedView];
  member_departed: [MemberDepartedRequest, HistoryEntryView];
  reinstate_member: [ReinstateMemberRequest, HistoryEntryView];
  transfer_member: [TransferMemberRequest, MemberTransferredView];
  member_history: [MemberRequest, HistoryEntryView[]];
  request_contract: [ContractRequest, ContractView];
  decide_contract: [DecideRequest, ContractView];
  disburse: [DisburseRequest, ReceiptView];
  pay_balance: [PayBalanceRequest, ReceiptView];
  preview_delivery: [DeliveryRequest, DeliveryPreviewView];
  record_delivery: [DeliveryRequest, ReceiptView];
  scale_settings: [void, ScaleSettingsView];
  set_scale_settings: [ScaleSettingsRequest, ScaleSettingsView];
  scale_reading: [void, ScaleLiveView];
  scale_capture: [void, ScaleCaptureView];
  scale_close: [void, null];
  list_products: [void, ProductView[]];
  add_need: [NeedRequest, null];
  distribute: [DistributeRequest, ReceiptView];
  reverse: [ReverseRequest, ReceiptView];
  receipt: [ReceiptRequest, ReceiptView];
  collection_sheet: [SheetRequest, CollectionSheetView];
  agent_cash: [CampaignRequest, CashView];
  sync_status: [void, SyncStatus];
  sync_now: [void, SyncResult];
  usb_export: [UsbExportRequest, FileWritten];
  usb_import: [PathRequest, SyncResult];
  list_conflicts: [void, ConflictView[]];
  resolve_conflict: [ResolveConflictRequest, null];
  backup_status: [void, BackupStatusView];
  backup_now: [BackupRequest, BackupView];
  office_dashboard: [CampaignDateRequest, DashboardView];
  office_anomalies: [CampaignRequest, AnomalyView[]];
  resolve_anomaly: [ResolveAnomalyRequest, ResolutionView];
  anomaly_log: [CampaignRequest, ResolutionView[]];
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
  hub_devices: [void, HubDeviceView[]];
  revoke_device: [DeviceRequest, HubDeviceView[]];
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

/**
 * Who may call a command: `gate` with or without a session (before sign-in),
 * `signed_in` any signed-in account, `approver` the CTC or the secretariat,
 * `secretariat` the union's secretariat only. Rust refuses anyone else.
 */
export type Access = 'gate' | 'signed_in' | 'approver' | 'secretariat';

export const ACCESS: { readonly [K in keyof Commands]: Access } = {
  vault_status: 'gate',
  create_vault: 'gate',
  encrypt_store: 'gate',
  sign_in: 'gate',
  recover: 'gate',
  restore_check: 'gate',
  restore_backup: 'gate',
  lock: 'gate',
  print_page: 'gate',
  about: 'gate',
  list_accounts: 'signed_in',
  add_account: 'secretariat',
  remove_account: 'secretariat',
  set_idle_lock: 'signed_in',
  app_status: 'signed_in',
  set_lang: 'signed_in',
  init_union: 'signed_in',
  load_demo: 'signed_in',
  enroll: 'signed_in',
  list_cooperatives: 'signed_in',
  list_warehouses: 'signed_in',
  search_members: 'signed_in',
  member_card: 'signed_in',
  member_cards: 'signed_in',
  read_scan: 'signed_in',
  check_member: 'signed_in',
  register_member: 'signed_in',
  correct_member: 'signed_in',
  member_departed: 'signed_in',
  reinstate_member: 'signed_in',
  transfer_member: 'secretariat',
  member_history: 'signed_in',
  request_contract: 'signed_in',
  decide_contract: 'approver',
  disburse: 'signed_in',
  pay_balance: 'signed_in',
  preview_delivery: 'signed_in',
  record_delivery: 'signed_in',
  scale_settings: 'signed_in',
  set_scale_settings: 'signed_in',
  scale_reading: 'signed_in',
  scale_capture: 'signed_in',
  scale_close: 'signed_in',
  list_products: 'signed_in',
  add_need: 'signed_in',
  distribute: 'signed_in',
  reverse: 'signed_in',
  receipt: 'signed_in',
  collection_sheet: 'signed_in',
  agent_cash: 'signed_in',
  sync_status: 'signed_in',
  sync_now: 'signed_in',
  usb_export: 'signed_in',
  usb_import: 'signed_in',
  list_conflicts: 'signed_in',
  resolve_conflict: 'signed_in',
  backup_status: 'signed_in',
  backup_now: 'signed_in',
  office_dashboard: 'secretariat',
  office_anomalies: 'secretariat',
  resolve_anomaly: 'secretariat',
  anomaly_log: 'secretariat',
  settlement_preview: 'secretariat',
  propose_settlement: 'secretariat',
  lock_settlement: 'secretariat',
  settlement_runs: 'secretariat',
  settlement_run: 'secretariat',
  export_settlement: 'secretariat',
  export_portfolio: 'secretariat',
  export_dashboard: 'secretariat',
  hub_status: 'secretariat',
  hub_start: 'secretariat',
  list_agents: 'secretariat',
  pair_device: 'secretariat',
  hub_devices: 'secretariat',
  revoke_device: 'secretariat',
  record_stock_count: 'secretariat',
  record_cash_return: 'secretariat',
  lender_positions: 'secretariat',
  sale_lots: 'secretariat',
  add_sale_lot: 'secretariat',
  complement_options: 'secretariat',
  set_price_complement: 'secretariat',
  draw_credit: 'secretariat',
  repay_lender: 'secretariat',
};

/** Commands that record something in the store or write a file. */
export const WRITES: readonly (keyof Commands)[] = [
  'create_vault',
  'encrypt_store',
  'recover',
  'restore_backup',
  'add_account',
  'remove_account',
  'set_idle_lock',
  'set_lang',
  'init_union',
  'load_demo',
  'enroll',
  'member_cards',
  'read_scan',
  'register_member',
  'correct_member',
  'member_departed',
  'reinstate_member',
  'transfer_member',
  'request_contract',
  'decide_contract',
  'disburse',
  'pay_balance',
  'record_delivery',
  'set_scale_settings',
  'add_need',
  'distribute',
  'reverse',
  'sync_now',
  'usb_export',
  'usb_import',
  'resolve_conflict',
  'backup_now',
  'resolve_anomaly',
  'propose_settlement',
  'lock_settlement',
  'export_settlement',
  'export_portfolio',
  'export_dashboard',
  'hub_start',
  'pair_device',
  'revoke_device',
  'record_stock_count',
  'record_cash_return',
  'add_sale_lot',
  'set_price_complement',
  'draw_credit',
  'repay_lender',
];

/** The gate's commands: they answer whether a session is open or not. */
export const GATE: readonly (keyof Commands)[] = [
  'vault_status',
  'create_vault',
  'encrypt_store',
  'sign_in',
  'recover',
  'restore_check',
  'restore_backup',
  'lock',
  'print_page',
  'about',
];
