//! Wallet checks (§8): platform imports, wallet operations recorded once per reference,
//! the wallet check with its fixes and kept history, thresholds, and journal continuity.
//! The app's Checks screen and Dashboard and the `recon check …` commands call these.

use crate::{
    ApiError, ApiResult, CheckExportDto, CheckRunInputDto, CheckRunReportDto, CheckRunSummaryDto,
    ContinuityDto, PlatformImportDto, ThresholdsDto, ThresholdsInputDto, WalletCheckLineDto,
    WalletCheckRunDto, WalletOpInputDto, WalletOpResultDto, WorkspaceWalletDto,
};
use crate::{
    CheckActionDto, CheckStatusDto, ContinuityBreakDto, ContinuityBreakKindDto,
    ContinuityStatementDto, WalletOpKindDto, WalletOpResult,
};
use chrono::Utc;
use recon_core::checks::ops::WalletOp;
use recon_core::checks::verdict::parse_level;
use recon_core::money::format_minor;
use recon_store::{
    BreakKind, CheckLine, CheckRunOptions, CheckRunSummary, FixScope, LevelsView,
    PlatformImportSummary, Store,
};
use std::path::Path;

fn read_file(path: &Path) -> ApiResult<(String, Vec<u8>)> {
    let bytes = std::fs::read(path)
        .map_err(|e| ApiError::new(crate::ErrorCode::Io, format!("{}: {e}", path.display())))?;
    Ok((path.display().to_string(), bytes))
}

fn import_dto(s: PlatformImportSummary) -> PlatformImportDto {
    PlatformImportDto {
        kind: s.kind.to_string(),
        file: s.file,
        read: s.read,
        inserted: s.inserted,
        updated: s.updated,
        unchanged: s.unchanged,
        history_only: s.history_only,
    }
}

pub(crate) fn line_dto(l: CheckLine) -> WalletCheckLineDto {
    let show = |m: i64| format_minor(m, l.scale);
    WalletCheckLineDto {
        expected_locked: show(l.expected_minor),
        actual_locked: show(l.actual_minor),
        discrepancy: show(l.discrepancy_minor),
        status: if l.status == "synced" {
            CheckStatusDto::Synced
        } else {
            CheckStatusDto::Discrepancy
        },
        warning: l.warning,
        action: match l.action.as_str() {
            "auto_fix" => CheckActionDto::AutoFix,
            "review" => CheckActionDto::Review,
            _ => CheckActionDto::None,
        },
        fixed: l.fixed,
        adjustment: l.adjustment_minor.map(show),
        reason: l.reason,
        workspace_id: l.workspace_id,
        wallet_id: l.wallet_id,
        currency: l.currency,
    }
}

pub(crate) fn summary_dto(s: CheckRunSummary) -> CheckRunSummaryDto {
    CheckRunSummaryDto {
        run_id: s.run_id,
        at: s.at,
        actor: s.actor,
        workspace: s.workspace,
        fix: s.fix,
        threshold: s.threshold,
        wallet_count: s.wallets,
        synced: s.synced,
        discrepancies: s.discrepancies,
        warnings: s.warnings,
        to_review: s.to_review,
        fixable: s.fixable,
        fixed: s.fixed,
    }
}

fn levels_dto(v: LevelsView) -> ThresholdsDto {
    ThresholdsDto {
        currency: v.currency,
        tolerance: v.levels.tolerance.to_string(),
        warning: v.levels.warning.to_string(),
        auto_fix: v.levels.auto_fix.to_string(),
        configured: v.configured,
    }
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
    let (file, bytes) = read_file(path)?;
    Ok(import_dto(store.import_workspace_wallets(
        actor,
        Utc::now(),
        &file,
        &bytes,
    )?))
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
    let (file, bytes) = read_file(path)?;
    Ok(import_dto(store.import_activations(
        actor,
        Utc::now(),
        &file,
        &bytes,
    )?))
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
    let (file, bytes) = read_file(path)?;
    Ok(import_dto(store.import_wallet_transactions(
        actor,
        Utc::now(),
        &file,
        &bytes,
    )?))
}

/// The workspace wallets with their current balances, by workspace then wallet id.
pub fn workspace_wallet_list(store: &Store) -> ApiResult<Vec<WorkspaceWalletDto>> {
    Ok(store
        .workspace_wallets()?
        .into_iter()
        .map(|w| WorkspaceWalletDto {
            balance: format_minor(w.balance_minor, w.scale),
            locked_balance: format_minor(w.locked_minor, w.scale),
            workspace_id: w.workspace_id,
            wallet_id: w.wallet_id,
            currency: w.currency,
            as_of: w.as_of,
        })
        .collect())
}

/// Records a wallet operation once per (type, reference type, reference id): a second
/// call for the same reference — also from another process at the same moment — changes
/// nothing and answers `already_applied`.
pub fn wallet_op(
    store: &mut Store,
    actor: &str,
    input: WalletOpInputDto,
) -> ApiResult<WalletOpResultDto> {
    let op = match input.op {
        WalletOpKindDto::Lock => WalletOp::Lock,
        WalletOpKindDto::Spend => WalletOp::Spend,
        WalletOpKindDto::Release => WalletOp::Release,
        WalletOpKindDto::Refund => WalletOp::Refund,
    };
    let request = recon_store::WalletOpRequest {
        op,
        wallet_id: &input.wallet_id,
        amount: &input.amount,
        reference_type: &input.reference_type,
        reference_id: &input.reference_id,
    };
    let outcome = store.record_wallet_op(actor, Utc::now(), &request)?;
    Ok(WalletOpResultDto {
        result: if outcome.applied {
            WalletOpResult::Applied
        } else {
            WalletOpResult::AlreadyApplied
        },
        transaction_id: outcome.transaction_id,
    })
}

/// Runs the wallet check and keeps it in the history; with `fix`, posts the adjustments of
/// the fixable wallets in the same transaction (each wallet state is fixed at most once).
pub fn check_wallets(
    store: &mut Store,
    actor: &str,
    input: CheckRunInputDto,
) -> ApiResult<WalletCheckRunDto> {
    let threshold = input
        .threshold
        .as_deref()
        .map(|t| parse_level("--threshold", t).map_err(|e| ApiError::invalid(e.to_string())))
        .transpose()?;
    let fix = match (input.fix, input.fix_wallets) {
        (false, _) => FixScope::None,
        (true, None) => FixScope::All,
        (true, Some(ids)) => FixScope::Wallets(ids.into_iter().collect()),
    };
    let options = CheckRunOptions {
        workspace: input.workspace,
        fix,
        threshold,
    };
    let report = store.run_wallet_check(actor, Utc::now(), &options)?;
    Ok(WalletCheckRunDto {
        run_id: report.summary.run_id,
        wallets: report.lines.into_iter().map(line_dto).collect(),
    })
}

/// Every run, newest first.
pub fn check_history(store: &Store) -> ApiResult<Vec<CheckRunSummaryDto>> {
    Ok(store.check_runs()?.into_iter().map(summary_dto).collect())
}

/// One run and its report; `not_found` for an unknown id.
pub fn check_show(store: &Store, run_id: &str) -> ApiResult<CheckRunReportDto> {
    let report = store.check_run(run_id)?;
    Ok(CheckRunReportDto {
        summary: summary_dto(report.summary),
        wallets: report.lines.into_iter().map(line_dto).collect(),
    })
}

/// The newest run (the Dashboard's latest check), or `None` before the first.
pub fn check_latest(store: &Store) -> ApiResult<Option<CheckRunSummaryDto>> {
    Ok(store.latest_check_run()?.map(summary_dto))
}

/// The review list: the wallets of the newest run whose action is `review`.
pub fn check_review_list(store: &Store) -> ApiResult<Vec<WalletCheckLineDto>> {
    let Some(latest) = store.latest_check_run()? else {
        return Ok(Vec::new());
    };
    Ok(store
        .check_run(&latest.run_id)?
        .lines
        .into_iter()
        .filter(|l| l.action == "review")
        .map(line_dto)
        .collect())
}

/// Every currency's levels (the defaults where none are configured).
pub fn check_thresholds(store: &Store) -> ApiResult<Vec<ThresholdsDto>> {
    Ok(store.check_levels()?.into_iter().map(levels_dto).collect())
}

/// Sets a currency's levels (audited); returns them.
pub fn check_thresholds_set(
    store: &mut Store,
    actor: &str,
    input: ThresholdsInputDto,
) -> ApiResult<ThresholdsDto> {
    let changes = [
        input.tolerance.as_deref(),
        input.warning.as_deref(),
        input.auto_fix.as_deref(),
    ];
    Ok(levels_dto(store.set_check_levels(
        actor,
        Utc::now(),
        &input.currency,
        changes,
    )?))
}

/// Running-balance continuity of every journal wallet whose lines carry a balance (or of
/// the one named): each break with the ids and dates of the lines around it, so the app
/// can open the Journal there.
pub fn check_continuity(store: &Store, wallet: Option<&str>) -> ApiResult<Vec<ContinuityDto>> {
    Ok(store
        .journal_continuity(wallet)?
        .into_iter()
        .map(|r| {
            let show = |m: i64| format_minor(m, r.scale);
            ContinuityDto {
                breaks: r
                    .breaks
                    .iter()
                    .map(|b| ContinuityBreakDto {
                        kind: match b.kind {
                            BreakKind::RunningBalance => ContinuityBreakKindDto::RunningBalance,
                            BreakKind::Statement => ContinuityBreakKindDto::Statement,
                            BreakKind::BetweenStatements => {
                                ContinuityBreakKindDto::BetweenStatements
                            }
                        },
                        statement: b.statement.as_ref().map(|s| ContinuityStatementDto {
                            batch_id: s.batch_id.clone(),
                            file_name: s.file_name.clone(),
                            opening_balance: format_minor(s.opening_minor, s.scale),
                            closing_balance: format_minor(s.closing_minor, s.scale),
                        }),
                        after_id: b.after_id,
                        after_date: b.after_date.clone(),
                        after_key: b.after_key.clone(),
                        after_position: b.after_position,
                        before_id: b.before_id,
                        before_date: b.before_date.clone(),
                        before_key: b.before_key.clone(),
                        before_position: b.before_position,
                        expected_balance: show(b.expected_minor),
                        found_balance: show(b.found_minor),
                        missing_amount: show(b.missing_minor),
                    })
                    .collect(),
                wallet: r.wallet,
                lines: r.lines,
                statements: r.statements,
            }
        })
        .collect())
}

/// Writes the history (every run's report, one row per wallet per run) as CSV to `path`,
/// RFC 4180 with formula cells neutralised.
pub fn check_history_export_csv(store: &Store, path: &Path) -> ApiResult<CheckExportDto> {
    crate::checks_export::write_history_csv(store, path)
}

#[cfg(test)]
#[path = "checks_tests.rs"]
mod tests;
