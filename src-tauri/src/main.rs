//! The Sene desktop window: Tauri builder, the session as managed state, and one command per
//! use case, each a few lines that call `sene-api`. No business rule lives here.
//!
//! Commands run off the main thread (`async`), so a long sync, a backup or the demo load never
//! freezes the window (their steps go out as events); the session is behind a mutex, so writes
//! happen one at a time, each committed before its command answers.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use std::sync::Mutex;

use sene_api::*;
use tauri::ipc::Invoke;
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

#[macro_use]
mod registry;

/// The compile-time check of a hand-written command against its registry line: it takes the
/// line's request (`()`: none) and answers its response, whatever else it takes (the app handle
/// for its progress events, the webview). `M` tells the shapes apart.
trait Answers<Req, Resp, M> {}
struct Plain;
struct Asked;
struct Progress;
struct AskedProgress;
struct Page;
impl<F: Fn(State<'_, Shell>) -> R<T>, T> Answers<(), T, Plain> for F {}
impl<F: Fn(State<'_, Shell>, Q) -> R<T>, Q, T> Answers<Q, T, Asked> for F {}
impl<F: Fn(AppHandle, State<'_, Shell>) -> R<T>, T> Answers<(), T, Progress> for F {}
impl<F: Fn(AppHandle, State<'_, Shell>, Q) -> R<T>, Q, T> Answers<Q, T, AskedProgress> for F {}
impl<F: Fn(tauri::Webview) -> R<T>, T> Answers<(), T, Page> for F {}
const fn answers<Req, Resp, M, F: Answers<Req, Resp, M>>(_: &F) {}

/// Expands the registry (`src/registry.rs`): the one-line commands, the check of the
/// hand-written ones, and the handler of every command.
macro_rules! shell {
    ($($name:ident ($($req:ty)?) -> $out:ty [$access:ident, $rw:ident] $(= $method:ident)?;)*) => {
        $( shell!(@one $name ($($req)?) -> $out [$access] $(= $method)?); )*

        /// Every command of the registry, each noted in the command log first (debug builds).
        fn handler() -> impl Fn(Invoke) -> bool + Send + Sync + 'static {
            fn every() -> impl Fn(Invoke) -> bool + Send + Sync + 'static {
                tauri::generate_handler![$($name),*]
            }
            let handle = every();
            move |invoke: Invoke| {
                command_log::note(invoke.message.command());
                handle(invoke)
            }
        }
    };
    (@one $name:ident ($($req:ty)?) -> $out:ty [gate] = $method:ident) => {
        compile_error!(concat!(
            stringify!($name),
            ": a gate command answers without a session; write its function by hand"
        ));
    };
    (@one $name:ident () -> $out:ty [$access:ident] = $method:ident) => {
        #[tauri::command(async)]
        fn $name(shell: State<'_, Shell>) -> R<$out> {
            with(&shell, |s| s.$method())
        }
    };
    (@one $name:ident ($req:ty) -> $out:ty [$access:ident] = $method:ident) => {
        #[tauri::command(async)]
        fn $name(shell: State<'_, Shell>, req: $req) -> R<$out> {
            with(&shell, |s| s.$method(&req))
        }
    };
    (@one $name:ident () -> $out:ty [$access:ident]) => {
        const _: () = answers::<(), $out, _, _>(&$name);
    };
    (@one $name:ident ($req:ty) -> $out:ty [$access:ident]) => {
        const _: () = answers::<$req, $out, _, _>(&$name);
    };
}

registry!(shell);

/// Debug builds only: with `SENE_COMMAND_LOG=<file>`, the name of every command the window
/// invokes is appended to the file, one a line. The real-window tests set it, and
/// `tests/window_coverage.rs` fails for a command none of them called.
mod command_log {
    #[cfg(debug_assertions)]
    pub fn note(command: &str) {
        use std::io::Write;
        let Some(path) = std::env::var_os("SENE_COMMAND_LOG") else {
            return;
        };
        let path = std::path::PathBuf::from(path);
        if let Some(dir) = path.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        if let Ok(mut f) = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
        {
            let _ = writeln!(f, "{command}");
        }
    }

    #[cfg(not(debug_assertions))]
    pub fn note(_: &str) {}
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

/// A USB file written (a laptop's for the office, or the office's for a laptop); its steps go
/// out as `sync-progress` events.
#[tauri::command(async)]
fn usb_export(app: AppHandle, shell: State<'_, Shell>, req: UsbExportRequest) -> R<FileWritten> {
    with(&shell, |s| {
        s.usb_export(&req, &mut |p| {
            let _ = app.emit("sync-progress", p.clone());
        })
    })
}

/// A USB file read (the office's on a laptop, a laptop's at the office); its steps go out as
/// `sync-progress` events.
#[tauri::command(async)]
fn usb_import(app: AppHandle, shell: State<'_, Shell>, req: PathRequest) -> R<SyncResult> {
    with(&shell, |s| {
        s.usb_import(&req, &mut |p| {
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

/// « À propos »: Sene's version, the store schema it writes and the commit it was built from
/// (`SENE_COMMIT`, set by build.rs; empty without git). Answers before sign-in too.
#[tauri::command(async)]
fn about(_shell: State<'_, Shell>) -> R<AboutView> {
    Ok(sene_api::about(env!("SENE_COMMIT")))
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
        .invoke_handler(handler())
        .run(context);
    if let Err(e) = result {
        eprintln!("sene-desktop : la fenêtre n'a pas pu s'ouvrir : {e}");
        std::process::exit(1);
    }
}
