//! The reference for the desktop's start-up and memory figures (BENCHMARKS.md): a Tauri window
//! with no state, no command and a static page, built from the same crate, configuration and
//! Tauri features as `sene-desktop`, in the same run.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    let mut context = tauri::generate_context!();
    context.config_mut().app.windows.clear();
    let result = tauri::Builder::default()
        .setup(|app| {
            tauri::WebviewWindowBuilder::new(
                app,
                "main",
                tauri::WebviewUrl::App("minimal.html".into()),
            )
            .title("Tauri minimal")
            .inner_size(1366.0, 768.0)
            .build()?;
            Ok(())
        })
        .run(context);
    if let Err(e) = result {
        eprintln!("minimal_window: {e}");
        std::process::exit(1);
    }
}
