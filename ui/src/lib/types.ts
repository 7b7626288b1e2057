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
  ApiError,
  BackupProgressView,
  CashView,
  CollectionSheetView,
  DeliveryPreviewView,
  ErrorCode as RustErrorCode,
  NewMemberRequest,
  SheetRow,
  SyncProgressView,
} from '../bindings';
import type { Commands } from './commands.gen';

export type { Commands, Access } from './commands.gen';

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
  HubDeviceView,
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

/** A command of the window (src-tauri/src/registry.rs; the map is in commands.gen.ts). */
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
