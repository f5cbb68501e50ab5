//! Tauri commands of payment matching: each locks the store and calls `recon_api::matching`.

use crate::commands::AppState;
use recon_api::matching as api;
use recon_api::{
    ActionSummaryDto, ApiError, CycleSummaryDto, ExpectedDto, ExpectedImportDto,
    MatchRunSummaryDto, NewExpectedDto, ReviewQueuesDto, SplitShareDto,
};
use tauri::State;

type Res<T> = Result<T, ApiError>;

fn actor() -> String {
    recon_api::current_actor()
}

#[tauri::command]
pub fn expected_list(
    state: State<'_, AppState>,
    cycle: Option<String>,
    status: Option<String>,
) -> Res<Vec<ExpectedDto>> {
    api::expected_list(&*state.store()?, cycle, status)
}

#[tauri::command]
pub fn expected_add(state: State<'_, AppState>, input: NewExpectedDto) -> Res<ExpectedDto> {
    api::expected_add(&mut *state.store()?, &actor(), input)
}

#[tauri::command]
pub fn expected_edit(
    state: State<'_, AppState>,
    memo: String,
    expected_amount: String,
) -> Res<ExpectedDto> {
    api::expected_edit(&mut *state.store()?, &actor(), memo, expected_amount)
}

#[tauri::command]
pub fn expected_import(state: State<'_, AppState>, path: String) -> Res<ExpectedImportDto> {
    api::expected_import(&mut *state.store()?, &actor(), path)
}

/// A large run takes seconds: it runs on a blocking thread, on its own connection, so the
/// window stays responsive (the UI shows its progress bar meanwhile).
#[tauri::command]
pub async fn match_run(
    state: State<'_, AppState>,
    cycle: Option<String>,
) -> Res<MatchRunSummaryDto> {
    let db_path = state.db_path.clone();
    tauri::async_runtime::spawn_blocking(move || {
        let mut store = recon_api::open_store(&db_path)?;
        api::match_run(&mut store, &actor(), cycle)
    })
    .await
    .map_err(|e| ApiError::new("internal", format!("matching task failed: {e}")))?
}

#[tauri::command]
pub async fn review_queues(state: State<'_, AppState>) -> Res<ReviewQueuesDto> {
    let db_path = state.db_path.clone();
    tauri::async_runtime::spawn_blocking(move || {
        api::review_queues(&recon_api::open_store(&db_path)?)
    })
    .await
    .map_err(|e| ApiError::new("internal", format!("review task failed: {e}")))?
}

#[tauri::command]
pub fn match_accept(state: State<'_, AppState>, memo: String, rowid: i64) -> Res<ActionSummaryDto> {
    api::match_accept(&mut *state.store()?, &actor(), memo, rowid)
}

#[tauri::command]
pub fn match_link(state: State<'_, AppState>, memo: String, rowid: i64) -> Res<ActionSummaryDto> {
    api::match_link(&mut *state.store()?, &actor(), memo, rowid)
}

#[tauri::command]
pub fn match_unlink(
    state: State<'_, AppState>,
    rowid: i64,
    memo: Option<String>,
) -> Res<ActionSummaryDto> {
    api::match_unlink(&mut *state.store()?, &actor(), rowid, memo)
}

#[tauri::command]
pub fn match_reject(
    state: State<'_, AppState>,
    rowid: i64,
    reason: String,
) -> Res<ActionSummaryDto> {
    api::match_reject(&mut *state.store()?, &actor(), rowid, reason)
}

#[tauri::command]
pub fn match_split(
    state: State<'_, AppState>,
    rowid: i64,
    shares: Vec<SplitShareDto>,
) -> Res<ActionSummaryDto> {
    api::match_split(&mut *state.store()?, &actor(), rowid, shares)
}

#[tauri::command]
pub fn match_undo(state: State<'_, AppState>) -> Res<ActionSummaryDto> {
    api::match_undo(&mut *state.store()?, &actor())
}

#[tauri::command]
pub fn match_accept_above(
    state: State<'_, AppState>,
    min_score: u32,
    dry_run: bool,
) -> Res<ActionSummaryDto> {
    api::match_accept_above(&mut *state.store()?, &actor(), min_score, dry_run)
}

#[tauri::command]
pub fn cycle_open(state: State<'_, AppState>, cycle_id: String) -> Res<u32> {
    api::cycle_open(&mut *state.store()?, &actor(), cycle_id)
}

#[tauri::command]
pub fn cycle_summaries(state: State<'_, AppState>) -> Res<Vec<CycleSummaryDto>> {
    api::cycle_summaries(&*state.store()?)
}
