//! Recon Desk: the Tauri shell. All logic lives in `recon-api`; `commands` adapts it to IPC.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod commands;

use std::sync::Mutex;

use commands::AppState;
use recon_api::import_wizard::ImportProgress;

fn main() {
    let db_path = recon_api::default_db_path();
    let store = match recon_api::open_store(&db_path) {
        Ok(store) => store,
        Err(e) => {
            eprintln!(
                "recon-desk: cannot open ledger {}: {}: {}",
                db_path.display(),
                e.code,
                e.message
            );
            std::process::exit(1);
        }
    };

    let sync_path = db_path.clone();
    let title = window_title(&db_path);
    std::thread::spawn(move || recon_api::run_auto_sync(sync_path, recon_api::current_actor()));

    tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .manage(AppState {
            db_path,
            store: Mutex::new(store),
            import_progress: ImportProgress::new(),
        })
        .setup(move |app| {
            use tauri::Manager;
            // The window names the ledger it shows: two windows on two ledgers are told apart.
            if let Some(window) = app.get_webview_window("main") {
                window.set_title(&title)?;
            }
            Ok(())
        })
        .invoke_handler(commands::invoke_handler())
        .run(tauri::generate_context!())
        .expect("error while running Recon Desk");
}

/// `Recon Desk — ledger.sqlite (/home/me/.local/share/recon-desk)`.
fn window_title(db_path: &std::path::Path) -> String {
    let name = db_path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| db_path.display().to_string());
    match db_path.parent().filter(|p| !p.as_os_str().is_empty()) {
        Some(dir) => format!("Recon Desk — {name} ({})", dir.display()),
        None => format!("Recon Desk — {name}"),
    }
}
