//! Tauri commands of the import wizard and import history: each calls
//! `recon_api::import_wizard`. Preview and import run on a blocking thread with their own
//! connection, so the window stays responsive and `import_progress` can be polled meanwhile.

use crate::commands::AppState;
use recon_api::import_wizard::{self as api, ImportProgress, ImportRunRequest};
use recon_api::{
    ApiError, BatchDto, ImportResultDto, PreviewDto, ProfileDto, ProgressDto, RejectedRowDto,
    SavedProfileDto,
};
use tauri::{AppHandle, Manager, State};

type Res<T> = Result<T, ApiError>;

fn actor() -> String {
    recon_api::current_actor()
}

fn task_failed(e: impl std::fmt::Display) -> ApiError {
    ApiError::internal(format!("import task failed: {e}"))
}

/// The app's one import progress, in Tauri's managed state (put there on first use).
fn progress(app: &AppHandle) -> ImportProgress {
    app.manage(ImportProgress::new()); // no-op once managed
    app.state::<ImportProgress>().inner().clone()
}

#[tauri::command]
pub async fn import_preview(path: String, profile: Option<ProfileDto>) -> Res<PreviewDto> {
    tauri::async_runtime::spawn_blocking(move || api::import_preview(&path, profile))
        .await
        .map_err(task_failed)?
}

#[tauri::command]
pub async fn import_run(
    app: AppHandle,
    state: State<'_, AppState>,
    wallet: String,
    paths: Vec<String>,
    profile: Option<ProfileDto>,
    valid_rows_only: bool,
    restore_removed: bool,
) -> Res<ImportResultDto> {
    let db_path = state.db_path.clone();
    let progress = progress(&app);
    let request = ImportRunRequest {
        wallet,
        paths,
        profile,
        valid_rows_only,
        restore_removed,
    };
    tauri::async_runtime::spawn_blocking(move || {
        let mut store = recon_api::open_store(&db_path)?;
        api::import_run(&mut store, &actor(), request, &progress)
    })
    .await
    .map_err(task_failed)?
}

#[tauri::command]
pub fn import_progress(app: AppHandle) -> ProgressDto {
    api::import_progress(&progress(&app))
}

#[tauri::command]
pub fn import_batches(state: State<'_, AppState>) -> Res<Vec<BatchDto>> {
    api::import_batches(&*state.store()?)
}

#[tauri::command]
pub fn batch_rejects(state: State<'_, AppState>, id: String) -> Res<Vec<RejectedRowDto>> {
    api::batch_rejects(&*state.store()?, &id)
}

#[tauri::command]
pub fn batch_remove(state: State<'_, AppState>, id: String) -> Res<u64> {
    api::batch_remove(&mut *state.store()?, &actor(), &id)
}

#[tauri::command]
pub fn profile_list(state: State<'_, AppState>) -> Res<Vec<SavedProfileDto>> {
    api::profile_list(&*state.store()?)
}

#[tauri::command]
pub fn profile_save(
    state: State<'_, AppState>,
    name: String,
    profile: ProfileDto,
) -> Res<SavedProfileDto> {
    api::profile_save(&mut *state.store()?, &actor(), &name, profile)
}
