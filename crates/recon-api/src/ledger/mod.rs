//! The partner ledger (§6) for the app and the CLI: programs, entities, conversions,
//! settlements, entries, reversals, summaries, balances, verification and CSV export.
//! Every change goes through the store's one write path (audited, with outbox events).

use crate::{
    AccountBalanceDto, ApiError, ApiResult, ApproveResultDto, ConversionDto, EntityDto,
    EntryDetailDto, ExportDto, LedgerEntryDto, LedgerImportDto, LedgerQueryDto, LedgerVerifyDto,
    NewEntityDto, NewProgramDto, ProgramDto, SummaryDto, SummaryRowDto,
};
use recon_store::Store;
use std::path::Path;

fn pending() -> ApiError {
    ApiError::internal("not built yet")
}

/// Adds a program (slug unique; rates exact percentages; rounding `half-even` by default).
pub fn program_add(
    _store: &mut Store,
    _actor: &str,
    _input: NewProgramDto,
) -> ApiResult<ProgramDto> {
    Err(pending())
}

/// Every program, by slug.
pub fn program_list(_store: &Store) -> ApiResult<Vec<ProgramDto>> {
    Err(pending())
}

/// Sets a program's status (`active`, `paused`, `closed`); only active programs take entries.
pub fn program_set_status(
    _store: &mut Store,
    _actor: &str,
    _slug: &str,
    _status: &str,
) -> ApiResult<ProgramDto> {
    Err(pending())
}

/// Adds an entity; an affiliate's parent must be an affiliate of the same program (no cycles).
pub fn entity_add(_store: &mut Store, _actor: &str, _input: NewEntityDto) -> ApiResult<EntityDto> {
    Err(pending())
}

/// A program's entities in tree order: each affiliate followed by its children (`depth` says how deep).
pub fn entity_list(_store: &Store, _program: &str) -> ApiResult<Vec<EntityDto>> {
    Err(pending())
}

/// Imports a conversions file (CSV or JSON) as pending conversions; re-import is idempotent.
pub fn conversions_import(
    _store: &mut Store,
    _actor: &str,
    _program: &str,
    _path: &Path,
) -> ApiResult<LedgerImportDto> {
    Err(pending())
}

/// Approves each id on its own: creates its entry at the sponsor's payout in the same
/// transaction (`approved`), or reports `already_exists` (nothing written), or `refused`
/// with the reason. One refusal never undoes another approval.
pub fn conversion_approve(
    _store: &mut Store,
    _actor: &str,
    _program: &str,
    _ids: &[String],
) -> ApiResult<Vec<ApproveResultDto>> {
    Err(pending())
}

/// Rejects a pending conversion with a reason (required).
pub fn conversion_reject(
    _store: &mut Store,
    _actor: &str,
    _program: &str,
    _id: &str,
    _reason: &str,
) -> ApiResult<ConversionDto> {
    Err(pending())
}

/// A program's conversions, optionally of one status, oldest first.
pub fn conversion_list(
    _store: &Store,
    _program: &str,
    _status: Option<&str>,
) -> ApiResult<Vec<ConversionDto>> {
    Err(pending())
}

/// Imports a settlements file (CSV or JSON): revenue postings and the direct and override
/// commissions, all in one transaction; re-import is idempotent.
pub fn settlements_import(
    _store: &mut Store,
    _actor: &str,
    _program: &str,
    _path: &Path,
) -> ApiResult<LedgerImportDto> {
    Err(pending())
}

/// Ledger entries matching the filters, newest first.
pub fn ledger_list(_store: &Store, _query: LedgerQueryDto) -> ApiResult<Vec<LedgerEntryDto>> {
    Err(pending())
}

/// One entry with its transaction's posting lines and its audit trail.
pub fn ledger_entry(_store: &Store, _id: i64) -> ApiResult<EntryDetailDto> {
    Err(pending())
}

/// Reverses a pending entry once, with a reason; returns the reversal entry.
pub fn ledger_reverse(
    _store: &mut Store,
    _actor: &str,
    _id: i64,
    _reason: &str,
) -> ApiResult<LedgerEntryDto> {
    Err(pending())
}

/// A program's earnings grouped by `entity`, `period` or `status` (default `status`).
pub fn ledger_summary(_store: &Store, _program: &str, _by: Option<&str>) -> ApiResult<SummaryDto> {
    Err(pending())
}

/// Every program's totals (the Dashboard cards), one row per program, `key` = slug.
pub fn ledger_program_totals(_store: &Store) -> ApiResult<Vec<SummaryRowDto>> {
    Err(pending())
}

/// Every account's debits, credits and balance, per currency.
pub fn ledger_accounts(_store: &Store) -> ApiResult<Vec<AccountBalanceDto>> {
    Err(pending())
}

/// Recomputes every transaction from its lines: OK, or the first that does not balance.
pub fn ledger_verify(_store: &Store) -> ApiResult<LedgerVerifyDto> {
    Err(pending())
}

/// Writes a program's entries (optionally of one `YYYY-MM`) as CSV to `out`; `bom` for Excel.
pub fn ledger_export(
    _store: &Store,
    _program: &str,
    _period: Option<&str>,
    _out: &Path,
    _bom: bool,
) -> ApiResult<ExportDto> {
    Err(pending())
}

/// Writes the account balances as CSV to `out`.
pub fn ledger_accounts_export(_store: &Store, _out: &Path, _bom: bool) -> ApiResult<ExportDto> {
    Err(pending())
}
