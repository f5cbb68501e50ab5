//! The Tauri commands: one table below names each command, its arguments and its answer, and
//! makes from it the IPC wrappers, the handler list and the UI's typed calls
//! (`ui/src/bindings/commands.ts`, see [`typescript`]). Each command calls the function of the
//! same name in its domain module, which adapts `recon_api`; errors reach the UI as
//! `ApiError {code, message}`.

mod app;
mod audit;
mod checks;
mod context;
mod imports;
mod journal;
mod ledger;
mod matching;
mod payouts;
mod sync;
mod table;
#[cfg(test)]
mod typescript;
mod wallets;

pub use context::AppState;

use recon_api::{
    ActionSummaryDto, AuditRecordDto, AuditVerifyDto, BatchDto, CurrencyDto, CycleSummaryDto,
    ExpectedDto, ExpectedImportDto, ImportRequestDto, ImportResultDto, ImportSummaryDto,
    JournalPageDto, JournalQueryDto, MatchRunSummaryDto, NeedsAttentionDto, NewExpectedDto,
    NewWalletDto, PreviewDto, ProfileDto, ProgressDto, RejectedRowDto, ReviewQueuesDto,
    SavedProfileDto, SplitShareDto, SyncReportDto, SyncStatusDto, WalletDto,
};
use recon_api::{
    ApproveResultDto, ConversionDto, EntityDto, EntryDetailDto, ExportDto, LedgerEntryDto,
    LedgerQueryDto, LedgerVerifyDto, ProgramDto, SummaryDto, SummaryRowDto,
};
use recon_api::{
    NewPayoutDto, PartnerSummaryDto, PayoutApproveResultDto, PayoutBatchDto, PayoutPreviewDto,
    PayoutQueryDto, PayoutStatsDto,
};

table::command_table! {
    app {
        /// The ledger file this window works on.
        quick fn db_path() -> String;
        /// Who is acting (`RECON_USER`, else the login name), as the audit log records it.
        quick fn current_actor() -> String;
    }
    wallets {
        quick fn currency_list() -> Vec<CurrencyDto>;
        /// Adds a currency with its decimals (a statement named one the ledger lacks).
        quick fn currency_add(input: CurrencyDto) -> CurrencyDto;
        quick fn wallet_list() -> Vec<WalletDto>;
        quick fn wallet_add(input: NewWalletDto) -> WalletDto;
    }
    journal {
        quick fn journal_query(q: JournalQueryDto) -> JournalPageDto;
        quick fn journal_ref_types() -> Vec<String>;
        /// Writes every line the query selects (paging ignored) as CSV to an absolute path.
        long fn journal_export(path: String, q: JournalQueryDto) -> u64;
    }
    sync {
        quick fn sync_status() -> SyncStatusDto;
        quick fn sync_set_server(url: String) -> SyncStatusDto;
        quick fn sync_set_token(token: String) -> ();
        /// Pushes the outbox and pulls colleagues' changes now (network I/O, off the window's thread).
        long fn sync_now() -> SyncReportDto;
        /// Needs attention: local changes the server refused, colleagues' events not applied.
        quick fn sync_needs_attention() -> NeedsAttentionDto;
    }
    audit {
        quick fn audit_verify() -> AuditVerifyDto;
        /// The newest `limit` audit records, oldest first; of one entity when `entity` is `KIND:ID`.
        quick fn audit_list(entity: Option<String>, limit: u32) -> Vec<AuditRecordDto>;
    }
    matching {
        /// Expected payments, optionally of one cycle and/or one status (`null` = all).
        quick fn expected_list(cycle: Option<String>, status: Option<String>) -> Vec<ExpectedDto>;
        quick fn expected_add(input: NewExpectedDto) -> ExpectedDto;
        /// Changes the amount, memo or payer of the expected payment with this memo (awaiting only).
        quick fn expected_edit(memo: String, edit: recon_api::ExpectedEditDto) -> ExpectedDto;
        /// Writes the expected payments (of a cycle and/or status) as CSV to an absolute path.
        quick fn expected_export(path: String, cycle: Option<String>, status: Option<String>) -> u32;
        /// Cancels one expected payment still awaiting (kept, audited).
        quick fn expected_cancel(memo: String) -> ExpectedDto;
        /// Imports a CSV or JSON file of expected payments from an absolute path.
        quick fn expected_import(path: String) -> ExpectedImportDto;
        /// Runs the matching engine (all cycles, or one); a large run takes seconds.
        long fn match_run(cycle: Option<String>) -> MatchRunSummaryDto;
        long fn review_queues() -> ReviewQueuesDto;
        /// Writes the three review queues (best suggestion each) as CSV to an absolute path.
        long fn review_export(path: String) -> u32;
        /// Accepts a suggestion: links receipt `rowid` to the expected payment `memo`.
        quick fn match_accept(memo: String, rowid: i64) -> ActionSummaryDto;
        /// Links a receipt to an expected payment by hand.
        quick fn match_link(memo: String, rowid: i64) -> ActionSummaryDto;
        /// Unlinks a receipt (from `memo`, or from everything when `null`).
        quick fn match_unlink(rowid: i64, memo: Option<String>) -> ActionSummaryDto;
        /// Marks a receipt "not a participation payment" (the reason is recorded).
        quick fn match_reject(rowid: i64, reason: String) -> ActionSummaryDto;
        /// Receipts marked "not a participation payment", newest mark first.
        quick fn rejected_list() -> Vec<recon_api::RejectedReceiptDto>;
        /// Restores a receipt marked "not a participation payment" (undoable).
        quick fn match_restore(rowid: i64) -> ActionSummaryDto;
        /// Splits one receipt across expected payments; the share amounts must add up to it.
        quick fn match_split(rowid: i64, shares: Vec<SplitShareDto>) -> ActionSummaryDto;
        /// Undoes the newest reviewer step (link, unlink, accept, reject, split, bulk accept, restore).
        quick fn match_undo() -> ActionSummaryDto;
        /// Accepts every untied top suggestion scoring ≥ `minScore`; `dryRun` only counts them.
        quick fn match_accept_above(min_score: u32, dry_run: bool) -> ActionSummaryDto;
        /// Opens a cycle: cancels its still-awaiting expected payments; returns how many.
        quick fn cycle_open(cycle_id: String) -> u32;
        quick fn cycle_summaries() -> Vec<CycleSummaryDto>;
    }
    checks {
        /// Imports the platform's workspace wallets export (CSV or JSON) from an absolute path.
        long fn import_workspace_wallets(path: String) -> recon_api::PlatformImportDto;
        /// Imports the platform's activations export (CSV or JSON).
        long fn import_activations(path: String) -> recon_api::PlatformImportDto;
        /// Imports the platform's wallet transactions export (CSV or JSON).
        long fn import_wallet_transactions(path: String) -> recon_api::PlatformImportDto;
        quick fn workspace_wallet_list() -> Vec<recon_api::WorkspaceWalletDto>;
        /// Records lock / spend / release / refund once per reference (`already_applied` after).
        quick fn wallet_op(input: recon_api::WalletOpInputDto) -> recon_api::WalletOpResultDto;
        /// Runs the wallet check (kept in the history); with `fix`, posts the adjustments.
        long fn check_wallets(input: recon_api::CheckRunInputDto) -> recon_api::WalletCheckRunDto;
        /// Every run, newest first.
        quick fn check_history() -> Vec<recon_api::CheckRunSummaryDto>;
        quick fn check_show(run_id: String) -> recon_api::CheckRunReportDto;
        /// The newest run, `null` before the first.
        quick fn check_latest() -> Option<recon_api::CheckRunSummaryDto>;
        /// The newest run's wallets whose action is `review`.
        quick fn check_review_list() -> Vec<recon_api::WalletCheckLineDto>;
        quick fn check_thresholds() -> Vec<recon_api::ThresholdsDto>;
        quick fn check_thresholds_set(input: recon_api::ThresholdsInputDto) -> recon_api::ThresholdsDto;
        /// Running-balance continuity of each journal wallet (or of `wallet`).
        long fn check_continuity(wallet: Option<String>) -> Vec<recon_api::ContinuityDto>;
        /// Writes every run's report as CSV to an absolute path.
        long fn check_history_export_csv(path: String) -> recon_api::CheckExportDto;
    }
    imports {
        quick fn import_esi_journal(req: ImportRequestDto) -> ImportSummaryDto;
        /// Reads the head of one file: format, proposed (or the given) profile, first rows
        /// parsed and, with a wallet, checked as the import into it will check them;
        /// `date_order` answers a QIF's date question.
        long fn import_preview(
            path: String,
            profile: Option<ProfileDto>,
            wallet: Option<String>,
            date_order: Option<String>,
        ) -> PreviewDto;
        /// Imports files as one batch; `committed: false` = refused for bad rows (in `rejects`).
        long fn import_run(
            wallet: String,
            paths: Vec<String>,
            profile: Option<ProfileDto>,
            valid_rows_only: bool,
            restore_removed: bool,
            date_order: Option<String>,
        ) -> ImportResultDto;
        /// How far the running import has read (polled while `import_run` works).
        quick fn import_progress() -> ProgressDto;
        quick fn import_batches() -> Vec<BatchDto>;
        quick fn batch_rejects(id: String) -> Vec<RejectedRowDto>;
        /// Removes a batch's rows (kept as tombstones); returns how many rows left the journal.
        quick fn batch_remove(id: String) -> u64;
        quick fn profile_list() -> Vec<SavedProfileDto>;
        quick fn profile_save(name: String, profile: ProfileDto) -> SavedProfileDto;
    }
    ledger {
        quick fn program_list() -> Vec<ProgramDto>;
        /// `active`, `paused` or `closed`: only an active program takes new entries.
        quick fn program_set_status(slug: String, status: String) -> ProgramDto;
        /// A program's entities in tree order (`depth` in the affiliate tree).
        quick fn entity_list(program: String) -> Vec<EntityDto>;
        quick fn conversion_list(program: String, status: Option<String>) -> Vec<ConversionDto>;
        /// Approves each conversion (its entry is written in the same transaction); one
        /// result per id: `approved`, `already_exists` (nothing written) or `refused`.
        quick fn conversion_approve(program: String, ids: Vec<String>) -> Vec<ApproveResultDto>;
        /// Rejects a pending conversion; the reason is required.
        quick fn conversion_reject(program: String, id: String, reason: String) -> ConversionDto;
        quick fn ledger_list(query: LedgerQueryDto) -> Vec<LedgerEntryDto>;
        /// One entry with its transaction's postings and its audit trail.
        quick fn ledger_entry(id: i64) -> EntryDetailDto;
        /// Reverses a pending entry once, with a reason; returns the reversal entry.
        quick fn ledger_reverse(id: i64, reason: String) -> LedgerEntryDto;
        /// A program's earnings by `entity`, `period` or `status` (default).
        quick fn ledger_summary(program: String, by: Option<String>) -> SummaryDto;
        /// Every program's totals (pending, paid, reversed), one row per program and currency.
        quick fn ledger_program_totals() -> Vec<SummaryRowDto>;
        /// Recomputes every transaction from its posting lines.
        long fn ledger_verify() -> LedgerVerifyDto;
        /// Writes a program's entries (optionally one `YYYY-MM`) as CSV to `path`.
        long fn ledger_export(program: String, period: Option<String>, path: String, bom: bool) -> ExportDto;
    }
    payouts {
        /// The lines and total a batch of the program's pending, unreserved entries of
        /// `period` (`YYYY-MM`) would hold; nothing is written.
        quick fn payout_preview(program: String, period: String) -> PayoutPreviewDto;
        /// A draft batch of those entries (one line per entity); they are reserved by it.
        quick fn payout_create(input: NewPayoutDto) -> PayoutBatchDto;
        /// draft → pending_approval.
        quick fn payout_submit(id: String) -> PayoutBatchDto;
        /// Approves each batch on its own; one result per id: `approved` or `refused` with
        /// the reason (the creator of a batch cannot approve it).
        quick fn payout_approve(ids: Vec<String>) -> Vec<PayoutApproveResultDto>;
        /// pending_approval → rejected (reason required); its entries are released.
        quick fn payout_reject(id: String, reason: String) -> PayoutBatchDto;
        /// approved → processing.
        quick fn payout_process(id: String) -> PayoutBatchDto;
        /// approved/processing → paid: entries paid and the payout posted, in one transaction.
        quick fn payout_pay(id: String) -> PayoutBatchDto;
        /// processing → failed (reason required).
        quick fn payout_fail(id: String, reason: String) -> PayoutBatchDto;
        /// failed → processing.
        quick fn payout_retry(id: String) -> PayoutBatchDto;
        /// Notes of a draft or pending batch.
        quick fn payout_set_notes(id: String, notes: String) -> PayoutBatchDto;
        /// Removes an entity's line (`REF` or `TYPE:REF`) from a draft or pending batch.
        quick fn payout_remove_line(id: String, entity_ref: String) -> PayoutBatchDto;
        /// Deletes a draft or pending batch (its entries are released); returns its id.
        quick fn payout_delete(id: String) -> String;
        /// Batches, newest first, with their lines (no entry ids); filters optional.
        quick fn payout_list(query: PayoutQueryDto) -> Vec<PayoutBatchDto>;
        /// One batch with its lines, their entry ids and every transition.
        quick fn payout_show(id: String) -> PayoutBatchDto;
        /// Counts and totals per status and currency, by period, and how many batches
        /// await the current user's approval.
        quick fn payout_stats(program: Option<String>) -> PayoutStatsDto;
        /// An entity's lifetime earnings, pending (reserved), paid and last payout.
        quick fn partner_summary(program: String, entity_ref: String) -> PartnerSummaryDto;
        /// Writes batches (or, with `lines`, their lines) as CSV to `path`.
        long fn payout_export(program: Option<String>, period: Option<String>, lines: bool, path: String, bom: bool) -> ExportDto;
    }
}
