//! Wallet checks (§8): platform imports, wallet operations recorded once per reference,
//! the wallet check with its fixes and kept history, thresholds, and journal continuity.
//! The app's Checks screen and Dashboard and the `recon check …` commands call these.

use crate::{
    ApiError, ApiResult, CheckExportDto, CheckRunInputDto, CheckRunReportDto, CheckRunSummaryDto,
    ContinuityDto, PlatformImportDto, ThresholdsDto, ThresholdsInputDto, WalletCheckLineDto,
    WalletCheckRunDto, WalletOpInputDto, WalletOpResultDto, WorkspaceWalletDto,
};
use recon_store::Store;
use std::path::Path;

fn not_yet() -> ApiError {
    ApiError::internal("wallet checks are not built yet")
}

/// Imports a platform export of workspace wallets (CSV
/// `workspace_id,wallet_id,currency,balance,locked_balance,as_of`, or a JSON array of
/// objects with those fields). Idempotent on `wallet_id` + `as_of`; a newer snapshot
/// replaces the balances, an older one is kept in the history only. A bad row refuses the
/// file, naming its line and column.
pub fn import_workspace_wallets(
    store: &mut Store,
    actor: &str,
    path: &Path,
) -> ApiResult<PlatformImportDto> {
    let _ = (store, actor, path);
    Err(not_yet())
}

/// Imports activations (CSV
/// `activation_id,workspace_id,status,total_budget,spent_amount,currency`, or JSON).
/// Idempotent on `activation_id`; a known activation with a new status or spent amount is
/// updated (audited with before and after).
pub fn import_activations(
    store: &mut Store,
    actor: &str,
    path: &Path,
) -> ApiResult<PlatformImportDto> {
    let _ = (store, actor, path);
    Err(not_yet())
}

/// Imports wallet transactions (CSV
/// `transaction_id,wallet_id,type,amount,reference_type,reference_id,created_at`, or
/// JSON). Idempotent on `transaction_id`. They are history: balances come from the wallet
/// snapshots. A transaction whose (type, reference) is already recorded counts as unchanged.
pub fn import_wallet_transactions(
    store: &mut Store,
    actor: &str,
    path: &Path,
) -> ApiResult<PlatformImportDto> {
    let _ = (store, actor, path);
    Err(not_yet())
}

/// The workspace wallets with their current balances, by workspace then wallet id.
pub fn workspace_wallet_list(store: &Store) -> ApiResult<Vec<WorkspaceWalletDto>> {
    let _ = store;
    Err(not_yet())
}

/// Records a wallet operation once per (type, reference type, reference id): a second
/// call for the same reference — also from another process at the same moment — changes
/// nothing and answers `already_applied`.
pub fn wallet_op(
    store: &mut Store,
    actor: &str,
    input: WalletOpInputDto,
) -> ApiResult<WalletOpResultDto> {
    let _ = (store, actor, input);
    Err(not_yet())
}

/// Runs the wallet check and keeps it in the history; with `fix`, posts the adjustments of
/// the fixable wallets in the same transaction (each wallet state is fixed at most once).
pub fn check_wallets(
    store: &mut Store,
    actor: &str,
    input: CheckRunInputDto,
) -> ApiResult<WalletCheckRunDto> {
    let _ = (store, actor, input);
    Err(not_yet())
}

/// Every run, newest first.
pub fn check_history(store: &Store) -> ApiResult<Vec<CheckRunSummaryDto>> {
    let _ = store;
    Err(not_yet())
}

/// One run and its report; `not_found` for an unknown id.
pub fn check_show(store: &Store, run_id: &str) -> ApiResult<CheckRunReportDto> {
    let _ = (store, run_id);
    Err(not_yet())
}

/// The newest run (the Dashboard's latest check), or `None` before the first.
pub fn check_latest(store: &Store) -> ApiResult<Option<CheckRunSummaryDto>> {
    let _ = store;
    Err(not_yet())
}

/// The review list: the wallets of the newest run whose action is `review`.
pub fn check_review_list(store: &Store) -> ApiResult<Vec<WalletCheckLineDto>> {
    let _ = store;
    Err(not_yet())
}

/// Every currency's levels (the defaults where none are configured).
pub fn check_thresholds(store: &Store) -> ApiResult<Vec<ThresholdsDto>> {
    let _ = store;
    Err(not_yet())
}

/// Sets a currency's levels (audited); returns them.
pub fn check_thresholds_set(
    store: &mut Store,
    actor: &str,
    input: ThresholdsInputDto,
) -> ApiResult<ThresholdsDto> {
    let _ = (store, actor, input);
    Err(not_yet())
}

/// Running-balance continuity of every journal wallet whose lines carry a balance (or of
/// the one named): each break with the ids and dates of the lines around it, so the app
/// can open the Journal there.
pub fn check_continuity(store: &Store, wallet: Option<&str>) -> ApiResult<Vec<ContinuityDto>> {
    let _ = (store, wallet);
    Err(not_yet())
}

/// Writes the history (every run's report, one row per wallet per run) as CSV to `path`,
/// RFC 4180 with formula cells neutralised.
pub fn check_history_export_csv(store: &Store, path: &Path) -> ApiResult<CheckExportDto> {
    let _ = (store, path);
    Err(not_yet())
}
