//! Declares the app's own commands so that the capability file can grant exactly them (and the
//! window can call nothing else), then runs Tauri's build step.

const COMMANDS: &[&str] = &[
    "app_status",
    "set_lang",
    "init_union",
    "load_demo",
    "enroll",
    "list_cooperatives",
    "list_warehouses",
    "search_members",
    "member_card",
    "check_member",
    "register_member",
    "request_contract",
    "decide_contract",
    "disburse",
    "pay_balance",
    "preview_delivery",
    "record_delivery",
    "list_products",
    "add_need",
    "distribute",
    "reverse",
    "receipt",
    "collection_sheet",
    "agent_cash",
    "sync_status",
    "sync_now",
    "usb_export",
    "usb_import",
    "list_conflicts",
    "print_page",
    "office_dashboard",
    "office_anomalies",
    "resolve_anomaly",
    "anomaly_log",
    "resolve_conflict",
    "settlement_preview",
    "lock_settlement",
    "settlement_runs",
    "settlement_run",
    "export_settlement",
    "export_portfolio",
    "hub_status",
    "hub_start",
    "list_agents",
    "pair_device",
    "record_stock_count",
    "record_cash_return",
];

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .unwrap_or_else(|e| panic!("tauri build step: {e}"));
}
