//! One `#[tauri::command]` per `recon_api` operation: lock the store, call, return.
//! Errors reach the UI as `ApiError {code, message}`.

use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard};

use recon_api::{
    ApiError, AuditVerifyDto, CurrencyDto, ImportRequestDto, ImportSummaryDto, JournalPageDto,
    JournalQueryDto, NewWalletDto, SyncReportDto, SyncStatusDto, WalletDto,
};
use recon_store::Store;
use tauri::State;

pub struct AppState {
    pub db_path: PathBuf,
    pub store: Mutex<Store>,
}

impl AppState {
    pub(crate) fn store(&self) -> Result<MutexGuard<'_, Store>, ApiError> {
        self.store.lock().map_err(|_| ApiError {
            code: "internal".into(),
            message: "the ledger lock was poisoned by an earlier failure; restart Recon Desk"
                .into(),
        })
    }
}

type Res<T> = Result<T, ApiError>;

#[tauri::command]
pub fn db_path(state: State<'_, AppState>) -> String {
    state.db_path.display().to_string()
}

#[tauri::command]
pub fn current_actor() -> String {
    recon_api::current_actor()
}

#[tauri::command]
pub fn currency_list(state: State<'_, AppState>) -> Res<Vec<CurrencyDto>> {
    let store = state.store()?;
    recon_api::currency_list(&store)
}

#[tauri::command]
pub fn wallet_list(state: State<'_, AppState>) -> Res<Vec<WalletDto>> {
    let store = state.store()?;
    recon_api::wallet_list(&store)
}

#[tauri::command]
pub fn wallet_add(state: State<'_, AppState>, input: NewWalletDto) -> Res<WalletDto> {
    let mut store = state.store()?;
    recon_api::wallet_add(&mut store, &recon_api::current_actor(), input)
}

#[tauri::command]
pub fn journal_query(state: State<'_, AppState>, q: JournalQueryDto) -> Res<JournalPageDto> {
    let store = state.store()?;
    recon_api::journal_query(&store, q)
}

#[tauri::command]
pub fn journal_ref_types(state: State<'_, AppState>) -> Res<Vec<String>> {
    let store = state.store()?;
    recon_api::journal_ref_types(&store)
}

#[tauri::command]
pub fn import_esi_journal(
    state: State<'_, AppState>,
    req: ImportRequestDto,
) -> Res<ImportSummaryDto> {
    let mut store = state.store()?;
    recon_api::import_esi_journal(&mut store, &recon_api::current_actor(), req)
}

#[tauri::command]
pub fn sync_status(state: State<'_, AppState>) -> Res<SyncStatusDto> {
    let store = state.store()?;
    recon_api::sync_status(&store)
}

#[tauri::command]
pub fn sync_set_server(state: State<'_, AppState>, url: String) -> Res<SyncStatusDto> {
    let mut store = state.store()?;
    recon_api::sync_set_server(&mut store, &recon_api::current_actor(), url)
}

/// Network I/O on its own connection: runs on a blocking thread, without the store lock.
#[tauri::command]
pub async fn sync_now(state: State<'_, AppState>) -> Res<SyncReportDto> {
    let db_path = state.db_path.clone();
    tauri::async_runtime::spawn_blocking(move || {
        recon_api::sync_now(&db_path, &recon_api::current_actor())
    })
    .await
    .map_err(|e| ApiError {
        code: "internal".into(),
        message: format!("sync task failed: {e}"),
    })?
}

#[tauri::command]
pub fn audit_verify(state: State<'_, AppState>) -> Res<AuditVerifyDto> {
    let store = state.store()?;
    recon_api::audit_verify(&store)
}

#[tauri::command]
pub fn sync_set_token(token: String) -> Res<()> {
    recon_api::sync_set_token(token)
}
