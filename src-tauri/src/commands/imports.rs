//! Imports: ESI journal files, the import wizard (preview, run, progress), import history and
//! saved CSV profiles. Preview and run are long commands, so `import_progress` can be polled
//! while they work.

use recon_api::import_wizard as api;
use recon_api::{
    BatchDto, ImportRequestDto, ImportResultDto, ImportSummaryDto, PreviewDto, ProfileDto,
    ProgressDto, RejectedRowDto, SavedProfileDto,
};

use super::context::{actor, AppState, Detached, Res};

pub fn import_esi_journal(state: &AppState, req: ImportRequestDto) -> Res<ImportSummaryDto> {
    recon_api::import_esi_journal(&mut *state.store()?, &actor(), req)
}

pub fn import_preview(
    detached: &Detached,
    path: String,
    profile: Option<ProfileDto>,
    wallet: Option<String>,
    date_order: Option<String>,
) -> Res<PreviewDto> {
    let store = detached.open()?;
    api::import_preview_for(
        &store,
        &path,
        profile,
        wallet.as_deref(),
        date_order.as_deref(),
    )
}

pub fn import_run(
    detached: &Detached,
    wallet: String,
    paths: Vec<String>,
    profile: Option<ProfileDto>,
    valid_rows_only: bool,
    restore_removed: bool,
    date_order: Option<String>,
) -> Res<ImportResultDto> {
    let mut store = detached.open()?;
    let request = api::ImportRunRequest {
        wallet,
        paths,
        profile,
        date_order,
        valid_rows_only,
        restore_removed,
    };
    api::import_run(&mut store, &actor(), request, &detached.import_progress)
}

pub fn import_progress(state: &AppState) -> Res<ProgressDto> {
    Ok(api::import_progress(&state.import_progress))
}

pub fn import_batches(state: &AppState) -> Res<Vec<BatchDto>> {
    api::import_batches(&*state.store()?)
}

pub fn batch_rejects(state: &AppState, id: String) -> Res<Vec<RejectedRowDto>> {
    api::batch_rejects(&*state.store()?, &id)
}

pub fn batch_remove(state: &AppState, id: String) -> Res<u64> {
    api::batch_remove(&mut *state.store()?, &actor(), &id)
}

pub fn profile_list(state: &AppState) -> Res<Vec<SavedProfileDto>> {
    api::profile_list(&*state.store()?)
}

pub fn profile_save(state: &AppState, name: String, profile: ProfileDto) -> Res<SavedProfileDto> {
    api::profile_save(&mut *state.store()?, &actor(), &name, profile)
}
