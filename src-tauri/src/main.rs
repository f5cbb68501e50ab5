//! Recon Desk: the Tauri shell. All logic lives in `recon-api`; `commands` only adapts it to IPC.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod commands;
mod import_commands;
mod matching_commands;

use std::sync::Mutex;

use commands::AppState;

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
    std::thread::spawn(move || recon_api::run_auto_sync(sync_path, recon_api::current_actor()));

    tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .manage(AppState {
            db_path,
            store: Mutex::new(store),
        })
        .invoke_handler(tauri::generate_handler![
            commands::db_path,
            commands::current_actor,
            commands::currency_list,
            commands::wallet_list,
            commands::wallet_add,
            commands::journal_query,
            commands::journal_ref_types,
            commands::import_esi_journal,
            commands::sync_status,
            commands::sync_set_server,
            commands::sync_set_token,
            commands::sync_now,
            commands::audit_verify,
            matching_commands::expected_list,
            matching_commands::expected_add,
            matching_commands::expected_edit,
            matching_commands::expected_import,
            matching_commands::match_run,
            matching_commands::review_queues,
            matching_commands::match_accept,
            matching_commands::match_link,
            matching_commands::match_unlink,
            matching_commands::match_reject,
            matching_commands::match_split,
            matching_commands::match_undo,
            matching_commands::match_accept_above,
            matching_commands::cycle_open,
            matching_commands::cycle_summaries,
            import_commands::import_preview,
            import_commands::import_run,
            import_commands::import_progress,
            import_commands::import_batches,
            import_commands::batch_rejects,
            import_commands::batch_remove,
            import_commands::profile_list,
            import_commands::profile_save,
        ])
        .run(tauri::generate_context!())
        .expect("error while running Recon Desk");
}
