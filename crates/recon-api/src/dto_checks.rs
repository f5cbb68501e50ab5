//! DTOs of wallet checks (§8): platform imports (workspace wallets, activations, wallet
//! transactions), wallet operations, check runs and their history, thresholds, and journal
//! continuity. Amounts are decimal strings at the currency's scale.
//!
//! `WalletCheckRunDto`, `ContinuityDto` and `WalletOpResultDto` are also the `--json`
//! output of `recon check wallets`, `recon check continuity` and `recon wallet-op`: their
//! field names are a contract.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// What a platform export import did. `kind` is `workspace_wallets`, `activations` or
/// `wallet_transactions`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PlatformImportDto {
    pub kind: String,
    pub file: String,
    /// Rows in the file.
    #[ts(type = "number")]
    pub read: i64,
    /// Rows the ledger did not know (new wallet, activation or transaction).
    #[ts(type = "number")]
    pub inserted: i64,
    /// Known rows whose values changed: a newer wallet snapshot, an activation's new
    /// status or spent amount. The previous values stay in the history.
    #[ts(type = "number")]
    pub updated: i64,
    /// Rows already imported with the same values.
    #[ts(type = "number")]
    pub unchanged: i64,
    /// Wallet snapshots older than the one held: kept in the history, balances untouched.
    #[ts(type = "number")]
    pub history_only: i64,
}

/// A platform wallet of a workspace (not a journal wallet).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct WorkspaceWalletDto {
    pub workspace_id: String,
    pub wallet_id: String,
    pub currency: String,
    pub balance: String,
    pub locked_balance: String,
    /// RFC 3339 time of the snapshot the balances come from (or of the last operation).
    pub as_of: String,
}

/// A wallet operation: `lock` (publish: balance → locked), `spend` (a creator joins:
/// recorded, no balance moves), `release` (payment: locked decreases), `refund`
/// (cancel or finalize: locked → balance).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum WalletOpKindDto {
    Lock,
    Spend,
    Release,
    Refund,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct WalletOpInputDto {
    pub op: WalletOpKindDto,
    pub wallet_id: String,
    /// Positive decimal at the wallet's currency scale.
    pub amount: String,
    pub reference_type: String,
    pub reference_id: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum WalletOpResult {
    Applied,
    /// The same operation for the same reference was recorded before; nothing changed.
    AlreadyApplied,
}

/// `recon wallet-op --json`: `{"result", "transaction_id"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct WalletOpResultDto {
    pub result: WalletOpResult,
    /// The wallet transaction that records it (the earlier one when already applied).
    pub transaction_id: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum CheckStatusDto {
    Synced,
    Discrepancy,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum CheckActionDto {
    None,
    AutoFix,
    Review,
}

/// One wallet of a check run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct WalletCheckLineDto {
    pub workspace_id: String,
    pub wallet_id: String,
    pub currency: String,
    /// Σ (total budget − spent) over the workspace's live and draft activations.
    pub expected_locked: String,
    pub actual_locked: String,
    /// actual − expected: positive = over-locked.
    pub discrepancy: String,
    pub status: CheckStatusDto,
    /// |discrepancy| above the currency's warning level.
    pub warning: bool,
    pub action: CheckActionDto,
    /// True when this run posted the adjustment.
    pub fixed: bool,
    /// The change the adjustment made to the locked balance (negative = unlocked).
    pub adjustment: Option<String>,
    /// Why the action is `review` (e.g. "insufficient balance"), or null.
    pub reason: Option<String>,
}

/// `recon check wallets --json`: `{"run_id", "wallets": [...]}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct WalletCheckRunDto {
    pub run_id: String,
    pub wallets: Vec<WalletCheckLineDto>,
}

/// What to check and what to fix.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CheckRunInputDto {
    /// Only this workspace's wallets; `null` = all.
    pub workspace: Option<String>,
    /// Post the adjustments of the `auto_fix` wallets.
    pub fix: bool,
    /// With `fix`: only these wallet ids (the app's "fix one"); `null` = every fixable one.
    pub fix_wallets: Option<Vec<String>>,
    /// The auto-fix threshold for this run, overriding every currency's setting.
    pub threshold: Option<String>,
}

/// A run in the history (and the Dashboard's latest check).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CheckRunSummaryDto {
    pub run_id: String,
    /// RFC 3339 UTC.
    pub at: String,
    pub actor: String,
    pub workspace: Option<String>,
    pub fix: bool,
    pub threshold: Option<String>,
    /// Wallets checked.
    #[ts(type = "number")]
    pub wallet_count: i64,
    #[ts(type = "number")]
    pub synced: i64,
    #[ts(type = "number")]
    pub discrepancies: i64,
    #[ts(type = "number")]
    pub warnings: i64,
    /// Wallets whose action is `review`.
    #[ts(type = "number")]
    pub to_review: i64,
    /// Wallets fixable now (`auto_fix`) that this run did not fix.
    #[ts(type = "number")]
    pub fixable: i64,
    #[ts(type = "number")]
    pub fixed: i64,
}

/// `recon check show RUN_ID --json`: the run and its report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CheckRunReportDto {
    #[serde(flatten)]
    pub summary: CheckRunSummaryDto,
    pub wallets: Vec<WalletCheckLineDto>,
}

/// A currency's check levels, exact decimals.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ThresholdsDto {
    pub currency: String,
    /// |discrepancy| ≤ tolerance is `synced` (default 0.01).
    pub tolerance: String,
    /// |discrepancy| > warning raises a warning (default 1).
    pub warning: String,
    /// |discrepancy| < auto_fix may be fixed automatically (default 10).
    pub auto_fix: String,
    /// False while the currency uses the defaults.
    pub configured: bool,
}

/// Changes a currency's levels; `null` keeps the current value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ThresholdsInputDto {
    pub currency: String,
    pub tolerance: Option<String>,
    pub warning: Option<String>,
    pub auto_fix: Option<String>,
}

/// What a continuity break is a break of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ContinuityBreakKindDto {
    /// A line's balance is not the previous line's plus its amount.
    RunningBalance,
    /// A statement's opening plus its lines is not its closing (the break spans the
    /// statement: `after_*` its first line, `before_*` its last).
    Statement,
    /// A statement's closing plus the lines after it is not the next one's opening
    /// (`statement` names the later one).
    BetweenStatements,
}

/// The statement a break names: its import batch and file, and its stated balances.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ContinuityStatementDto {
    pub batch_id: String,
    pub file_name: String,
    pub opening_balance: String,
    pub closing_balance: String,
}

/// A probable missing entry: between line `after_id` and line `before_id` (journal row ids)
/// the running balance jumps by `missing_amount`. For a statement break (`kind`), the
/// statement's own lines lie between them (ids 0 and empty dates when it has none). `*_key` is the line's key in its wallet
/// (`JournalRowDto.key`: ESI id, `ref:…`, `fp:…`); `*_position` its 0-based place in the
/// wallet's journal oldest first, so the Journal screen (filtered to the wallet) opens there
/// with `offset = position` (oldest first) or `total − 1 − position` (newest first).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ContinuityBreakDto {
    pub kind: ContinuityBreakKindDto,
    /// The statement, for `statement` and `between_statements` breaks.
    pub statement: Option<ContinuityStatementDto>,
    #[ts(type = "number")]
    pub after_id: i64,
    pub after_date: String,
    pub after_key: String,
    #[ts(type = "number")]
    pub after_position: i64,
    #[ts(type = "number")]
    pub before_id: i64,
    pub before_date: String,
    pub before_key: String,
    #[ts(type = "number")]
    pub before_position: i64,
    /// The previous line's balance plus this line's amount.
    pub expected_balance: String,
    /// The balance this line carries.
    pub found_balance: String,
    /// found − expected: the amount of the entry that is probably missing.
    pub missing_amount: String,
}

/// `recon check continuity --json`: one per journal wallet whose lines carry a balance or
/// that has statements with opening and closing balances.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ContinuityDto {
    pub wallet: String,
    /// Lines with a running balance that were checked.
    #[ts(type = "number")]
    pub lines: i64,
    /// Statements with an opening and a closing balance that were checked.
    #[ts(type = "number")]
    pub statements: i64,
    pub breaks: Vec<ContinuityBreakDto>,
}

/// What an export wrote.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CheckExportDto {
    pub path: String,
    /// Data rows written (one per wallet per run).
    #[ts(type = "number")]
    pub rows: i64,
}
