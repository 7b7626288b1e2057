//! The Sene desktop window: Tauri builder, the session as managed state, and one command per
//! use case, each a few lines that call `sene-api`. No business rule lives here.
//!
//! Commands run off the main thread (`async`), so a long sync, a backup or the demo load never
//! freezes the window (their steps go out as events); the session is behind a mutex, so writes
//! happen one at a time, each committed before its command answers.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use std::sync::Mutex;

use sene_api::*;
use tauri::{AppHandle, Emitter, State};

/// Where the store is (or why that cannot be known), and the session once someone signed in.
/// Locking drops the session: the store's connection closes and its key is zeroed.
struct ShellState {
    gate: Result<Gate, ApiError>,
    session: Option<Session>,
}

struct Shell(Mutex<ShellState>);

type R<T> = Result<T, ApiError>;

fn state<T>(shell: &State<'_, Shell>, f: impl FnOnce(&mut ShellState) -> R<T>) -> R<T> {
    let mut guard = shell.0.lock().map_err(|_| {
        ApiError::new(
            ErrorCode::Internal,
            "session bloquée après une erreur : redémarrez l'application",
        )
    })?;
    f(&mut guard)
}

fn with<T>(shell: &State<'_, Shell>, f: impl FnOnce(&mut Session) -> R<T>) -> R<T> {
    state(shell, |st| match st.session.as_mut() {
        Some(s) => f(s),
        None => Err(ApiError::new(
            ErrorCode::Locked,
            "l'application est verrouillée : connectez-vous",
        )),
    })
}

fn gate(st: &ShellState) -> R<Gate> {
    st.gate.clone()
}

fn vault_view(st: &ShellState) -> R<VaultStatus> {
    let g = gate(st)?;
    let mut v = g.status();
    if let Some(s) = &st.session {
        v.state = "open".into();
        v.accounts = s.accounts()?;
    }
    Ok(v)
}

#[tauri::command(async)]
fn vault_status(shell: State<'_, Shell>) -> R<VaultStatus> {
    state(&shell, |st| vault_view(st))
}

/// Opens a session through the gate (dropping any open one first) and keeps it.
fn open(shell: &State<'_, Shell>, f: impl FnOnce(&Gate) -> R<Session>) -> R<AppStatus> {
    state(shell, |st| {
        st.session = None;
        let session = f(&gate(st)?)?;
        let status = session.status()?;
        st.session = Some(session);
        Ok(status)
    })
}

/// As [`open`], for a new key whose recovery key the window shows once.
fn open_new(
    shell: &State<'_, Shell>,
    f: impl FnOnce(&Gate) -> R<(Session, String)>,
) -> R<VaultCreatedView> {
    let mut recovery_key = String::new();
    let status = open(shell, |g| {
        let (session, key) = f(g)?;
        recovery_key = key;
        Ok(session)
    })?;
    Ok(VaultCreatedView {
        recovery_key,
        status,
    })
}

#[tauri::command(async)]
fn create_vault(shell: State<'_, Shell>, req: CreateVaultRequest) -> R<VaultCreatedView> {
    open_new(&shell, |g| g.create(&req))
}

#[tauri::command(async)]
fn encrypt_store(shell: State<'_, Shell>, req: CreateVaultRequest) -> R<VaultCreatedView> {
    open_new(&shell, |g| g.encrypt_existing(&req))
}

#[tauri::command(async)]
fn sign_in(shell: State<'_, Shell>, req: SignInRequest) -> R<AppStatus> {
    open(&shell, |g| g.sign_in(&req))
}

#[tauri::command(async)]
fn recover(shell: State<'_, Shell>, req: RecoverRequest) -> R<AppStatus> {
    open(&shell, |g| g.recover(&req))
}

#[tauri::command(async)]
fn lock(shell: State<'_, Shell>) -> R<VaultStatus> {
    state(&shell, |st| {
        st.session = None;
        vault_view(st)
    })
}

/// At the gate: reads and verifies a backup before it is put back (nothing is written).
#[tauri::command(async)]
fn restore_check(shell: State<'_, Shell>, req: RestoreRequest) -> R<RestoreCheckView> {
    state(&shell, |st| gate(st)?.restore_check(&req))
}

/// At the gate: puts a backup back in place of the store (the one there moved aside, never
/// deleted); any open session is closed first, and one signs in on the restored store.
#[tauri::command(async)]
fn restore_backup(shell: State<'_, Shell>, req: RestoreRequest) -> R<RestoreView> {
    state(&shell, |st| {
        st.session = None;
        gate(st)?.restore(&req)
    })
}

macro_rules! cmd {
    ($name:ident () -> $out:ty = $method:ident) => {
        #[tauri::command(async)]
        fn $name(shell: State<'_, Shell>) -> R<$out> {
            with(&shell, |s| s.$method())
        }
    };
    ($name:ident ($req:ty) -> $out:ty = $method:ident) => {
        #[tauri::command(async)]
        fn $name(shell: State<'_, Shell>, req: $req) -> R<$out> {
            with(&shell, |s| s.$method(&req))
        }
    };
}

macro_rules! commands {
    ($($name:ident ($($req:ty)?) -> $out:ty = $method:ident;)*) => {
        $( cmd!($name ($($req)?) -> $out = $method); )*
    };
}

commands! {
    list_accounts() -> Vec<AccountView> = accounts;
    add_account(AddAccountRequest) -> Vec<AccountView> = add_account;
    remove_account(AccountRequest) -> Vec<AccountView> = remove_account;
    set_idle_lock(IdleLockRequest) -> AppStatus = set_idle_lock;
    app_status() -> AppStatus = status;
    set_lang(LangRequest) -> AppStatus = set_lang;
    init_union(InitRequest) -> AppStatus = init_union;
    list_cooperatives() -> Vec<CooperativeView> = cooperatives;
    list_warehouses(CooperativeRequest) -> Vec<WarehouseView> = warehouses;
    search_members(SearchRequest) -> Vec<MemberSummary> = search_members;
    member_card(MemberRequest) -> MemberCard = member_card;
    check_member(NewMemberRequest) -> Vec<MemberSummary> = check_member;
    register_member(NewMemberRequest) -> MemberSummary = register_member;
    request_contract(ContractRequest) -> ContractView = request_contract;
    decide_contract(DecideRequest) -> ContractView = decide_contract;
    disburse(DisburseRequest) -> ReceiptView = disburse;
    pay_balance(PayBalanceRequest) -> ReceiptView = pay_balance;
    preview_delivery(DeliveryRequest) -> DeliveryPreviewView = preview_delivery;
    record_delivery(DeliveryRequest) -> ReceiptView = record_delivery;
    list_products() -> Vec<ProductView> = products;
    add_need(NeedRequest) -> () = add_need;
    distribute(DistributeRequest) -> ReceiptView = distribute;
    reverse(ReverseRequest) -> ReceiptView = reverse;
    receipt(ReceiptRequest) -> ReceiptView = receipt;
    collection_sheet(SheetRequest) -> CollectionSheetView = collection_sheet;
    agent_cash(CampaignRequest) -> CashView = agent_cash;
    sync_status() -> SyncStatus = sync_status;
    usb_export(PathRequest) -> FileWritten = usb_export;
    usb_import(PathRequest) -> SyncResult = usb_import;
    list_conflicts() -> Vec<ConflictView> = conflicts;
    backup_status() -> BackupStatusView = backup_status;
    // the union office (secretariat)
    office_dashboard(CampaignDateRequest) -> DashboardView = office_dashboard;
    office_anomalies(CampaignRequest) -> Vec<AnomalyView> = office_anomalies;
    resolve_anomaly(ResolveAnomalyRequest) -> ResolutionView = resolve_anomaly;
    anomaly_log(CampaignRequest) -> Vec<ResolutionView> = anomaly_log;
    resolve_conflict(ResolveConflictRequest) -> () = resolve_conflict;
    settlement_preview(CampaignDateRequest) -> SettlementView = settlement_preview;
    propose_settlement(CampaignDateRequest) -> SettlementView = propose_settlement;
    lock_settlement(LockRequest) -> SettlementView = lock_settlement;
    settlement_runs(CampaignRequest) -> Vec<RunView> = settlement_runs;
    settlement_run(RunRequest) -> SettlementView = settlement_run;
    export_settlement(ExportRequest) -> ExportView = export_settlement;
    export_portfolio(PortfolioExportRequest) -> ExportView = export_portfolio;
    export_dashboard(DashboardExportRequest) -> ExportView = export_dashboard;
    hub_status() -> HubView = hub_status;
    hub_start(HubStartRequest) -> HubView = hub_start;
    list_agents() -> Vec<AgentView> = agents;
    pair_device(PairRequest) -> PairingView = pair_device;
    record_stock_count(StockCountRequest) -> OfficeRecordView = record_stock_count;
    record_cash_return(CashReturnRequest) -> OfficeRecordView = record_cash_return;
    lender_positions(DateRequest) -> LendersView = lender_positions;
    sale_lots(CampaignRequest) -> Vec<SaleLotLineView> = sale_lots;
    add_sale_lot(SaleLotRequest) -> SaleLotLineView = add_sale_lot;
    complement_options(CampaignRequest) -> Vec<ComplementView> = complement_options;
    set_price_complement(ComplementRequest) -> ComplementView = set_price_complement;
    draw_credit(DrawRequest) -> LendersView = draw_credit;
    repay_lender(RepayRequest) -> LendersView = repay_lender;
}

#[tauri::command(async)]
fn load_demo(app: AppHandle, shell: State<'_, Shell>) -> R<AppStatus> {
    with(&shell, |s| {
        s.load_demo(&mut |line| {
            let _ = app.emit(
                "demo-progress",
                SyncProgressView {
                    step: line.to_owned(),
                    done: 0,
                    total: 0,
                },
            );
        })
    })
}

#[tauri::command(async)]
fn sync_now(app: AppHandle, shell: State<'_, Shell>) -> R<SyncResult> {
    with(&shell, |s| {
        s.sync_now(&mut |p| {
            let _ = app.emit("sync-progress", p.clone());
        })
    })
}

/// A backup of the store into a folder (a USB drive), checked; its steps go out as
/// `backup-progress` events while the window stays responsive.
#[tauri::command(async)]
fn backup_now(app: AppHandle, shell: State<'_, Shell>, req: BackupRequest) -> R<BackupView> {
    with(&shell, |s| {
        s.backup_now(&req, &mut |p| {
            let _ = app.emit("backup-progress", p.clone());
        })
    })
}

#[tauri::command(async)]
fn enroll(app: AppHandle, shell: State<'_, Shell>, req: EnrollRequest) -> R<AppStatus> {
    with(&shell, |s| {
        s.enroll(&req, &mut |p| {
            let _ = app.emit("sync-progress", p.clone());
        })
    })
}

/// Opens the system print dialog for what the window shows (a receipt, a collection sheet: their
/// print style sheet leaves the rest of the window out). WebKitGTK's own `window.print()` shows
/// no dialog in this window; Tauri's print does (GTK's print dialog, modal to the window).
#[tauri::command(async)]
fn print_page(webview: tauri::Webview) -> R<()> {
    webview
        .print()
        .map_err(|e| ApiError::new(ErrorCode::Internal, format!("impression impossible : {e}")))
}

/// The script the page runs before its own: the store's lock at start-up, so that the first
/// screen (sign-in, or the first passphrase) is drawn without waiting for a command's round trip
/// (the first one, at start-up, takes 100–250 ms here: BENCHMARKS.md). The page asks again at
/// once and takes that answer, so a reload of the page shows the fresh state a moment later.
fn boot_script(vault: &VaultStatus) -> String {
    let json = serde_json::to_string(vault).unwrap_or_else(|_| "null".into());
    format!("window.__SENE_VAULT__ = {json};")
}

fn main() {
    // Nothing is opened before sign-in: the store is encrypted, its key sealed per account.
    let gate = Gate::from_env();
    let boot = match &gate {
        Ok(g) => Some(boot_script(&g.status())),
        Err(e) => {
            eprintln!("sene-desktop : {}", e.message);
            None
        }
    };
    let session = ShellState {
        gate,
        session: None,
    };
    let mut context = tauri::generate_context!();
    let windows = std::mem::take(&mut context.config_mut().app.windows);
    let result = tauri::Builder::default()
        .manage(Shell(Mutex::new(session)))
        .setup(move |app| {
            for config in &windows {
                let mut window = tauri::WebviewWindowBuilder::from_config(app, config)?;
                if let Some(script) = &boot {
                    window = window.initialization_script(script);
                }
                window.build()?;
            }
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            vault_status,
            create_vault,
            encrypt_store,
            sign_in,
            recover,
            restore_check,
            restore_backup,
            lock,
            list_accounts,
            add_account,
            remove_account,
            set_idle_lock,
            app_status,
            set_lang,
            init_union,
            load_demo,
            enroll,
            list_cooperatives,
            list_warehouses,
            search_members,
            member_card,
            check_member,
            register_member,
            request_contract,
            decide_contract,
            disburse,
            pay_balance,
            preview_delivery,
            record_delivery,
            list_products,
            add_need,
            distribute,
            reverse,
            receipt,
            collection_sheet,
            agent_cash,
            sync_status,
            sync_now,
            usb_export,
            usb_import,
            list_conflicts,
            backup_status,
            backup_now,
            print_page,
            office_dashboard,
            office_anomalies,
            resolve_anomaly,
            anomaly_log,
            resolve_conflict,
            settlement_preview,
            propose_settlement,
            lock_settlement,
            settlement_runs,
            settlement_run,
            export_settlement,
            export_portfolio,
            export_dashboard,
            hub_status,
            hub_start,
            list_agents,
            pair_device,
            record_stock_count,
            record_cash_return,
            lender_positions,
            sale_lots,
            add_sale_lot,
            complement_options,
            set_price_complement,
            draw_credit,
            repay_lender,
        ])
        .run(context);
    if let Err(e) = result {
        eprintln!("sene-desktop : la fenêtre n'a pas pu s'ouvrir : {e}");
        std::process::exit(1);
    }
}
