//! Tauri commands of the import wizard and import history: each calls
//! `recon_api::import_wizard`. Preview and import run on a blocking thread with their own
//! connection, so the window stays responsive and `import_progress` can be polled meanwhile.

use crate::commands::AppState;
use recon_api::import_wizard as api;
use recon_api::{
    ApiError, BatchDto, ImportResultDto, PreviewDto, ProfileDto, ProgressDto, RejectedRowDto,
    SavedProfileDto,
};
use tauri::State;

type Res<T> = Result<T, ApiError>;

fn actor() -> String {
    recon_api::current_actor()
}

fn task_failed(e: impl std::fmt::Display) -> ApiError {
    ApiError::new("internal", format!("import task failed: {e}"))
}

#[tauri::command]
pub async fn import_preview(path: String, profile: Option<ProfileDto>) -> Res<PreviewDto> {
    tauri::async_runtime::spawn_blocking(move || api::import_preview(&path, profile))
        .await
        .map_err(task_failed)?
}

#[tauri::command]
pub async fn import_run(
    state: State<'_, AppState>,
    wallet: String,
    paths: Vec<String>,
    profile: Option<ProfileDto>,
    valid_rows_only: bool,
    restore_removed: bool,
) -> Res<ImportResultDto> {
    let db_path = state.db_path.clone();
    tauri::async_runtime::spawn_blocking(move || {
        let mut store = recon_api::open_store(&db_path)?;
        let (valid, restore) = (valid_rows_only, restore_removed);
        api::import_run(
            &mut store,
            &actor(),
            &wallet,
            paths,
            profile,
            valid,
            restore,
        )
    })
    .await
    .map_err(task_failed)?
}

#[tauri::command]
pub fn import_progress() -> ProgressDto {
    api::import_progress()
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
