//! Wallet checks (SPEC §8): the platform's three exports, the wallet check with its fixes,
//! the kept history of runs, thresholds, and journal continuity. Imports, runs and the
//! continuity scan read whole files or journals, so they are long commands.

use std::path::Path;

use recon_api::{
    CheckExportDto, CheckRunInputDto, CheckRunReportDto, CheckRunSummaryDto, ContinuityDto,
    PlatformImportDto, ThresholdsDto, ThresholdsInputDto, WalletCheckLineDto, WalletCheckRunDto,
    WalletOpInputDto, WalletOpResultDto, WorkspaceWalletDto,
};

use super::context::{actor, AppState, Detached, Res};

pub fn import_workspace_wallets(detached: &Detached, path: String) -> Res<PlatformImportDto> {
    recon_api::import_workspace_wallets(&mut detached.open()?, &actor(), Path::new(&path))
}

pub fn import_activations(detached: &Detached, path: String) -> Res<PlatformImportDto> {
    recon_api::import_activations(&mut detached.open()?, &actor(), Path::new(&path))
}

pub fn import_wallet_transactions(detached: &Detached, path: String) -> Res<PlatformImportDto> {
    recon_api::import_wallet_transactions(&mut detached.open()?, &actor(), Path::new(&path))
}

pub fn workspace_wallet_list(state: &AppState) -> Res<Vec<WorkspaceWalletDto>> {
    recon_api::workspace_wallet_list(&*state.store()?)
}

pub fn wallet_op(state: &AppState, input: WalletOpInputDto) -> Res<WalletOpResultDto> {
    recon_api::wallet_op(&mut *state.store()?, &actor(), input)
}

pub fn check_wallets(detached: &Detached, input: CheckRunInputDto) -> Res<WalletCheckRunDto> {
    recon_api::check_wallets(&mut detached.open()?, &actor(), input)
}

pub fn check_history(state: &AppState) -> Res<Vec<CheckRunSummaryDto>> {
    recon_api::check_history(&*state.store()?)
}

pub fn check_show(state: &AppState, run_id: String) -> Res<CheckRunReportDto> {
    recon_api::check_show(&*state.store()?, &run_id)
}

pub fn check_latest(state: &AppState) -> Res<Option<CheckRunSummaryDto>> {
    recon_api::check_latest(&*state.store()?)
}

pub fn check_review_list(state: &AppState) -> Res<Vec<WalletCheckLineDto>> {
    recon_api::check_review_list(&*state.store()?)
}

pub fn check_thresholds(state: &AppState) -> Res<Vec<ThresholdsDto>> {
    recon_api::check_thresholds(&*state.store()?)
}

pub fn check_thresholds_set(state: &AppState, input: ThresholdsInputDto) -> Res<ThresholdsDto> {
    recon_api::check_thresholds_set(&mut *state.store()?, &actor(), input)
}

pub fn check_continuity(detached: &Detached, wallet: Option<String>) -> Res<Vec<ContinuityDto>> {
    recon_api::check_continuity(&detached.open()?, wallet.as_deref())
}

pub fn check_history_export_csv(detached: &Detached, path: String) -> Res<CheckExportDto> {
    recon_api::check_history_export_csv(&detached.open()?, Path::new(&path))
}
