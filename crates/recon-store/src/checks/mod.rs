//! Wallet checks (§8), SQL only: the platform's workspace wallets, activations and wallet
//! transactions (`imports`), wallet operations applied once per reference (`ops`), the
//! wallet check with its fixes (`run`), its kept history (`history`), per-currency levels
//! (`levels`) and journal continuity: running balances (`continuity`) and statements'
//! opening and closing balances (`statements`). Every rule comes from
//! `recon_core::checks`; every change goes through `Store::write`.
//!
//! "Applied once" is the UNIQUE index `wallet_transactions_once` on (type, reference type,
//! reference id): inside one `BEGIN IMMEDIATE` transaction the second writer — another
//! process included — finds the first one's row and changes nothing.

mod continuity;
mod history;
mod imports;
mod levels;
mod ops;
// Colleagues' wallet-check changes pulled from the server (issue 12).
pub(crate) mod remote;
mod report;
mod run;
mod statements;

pub use continuity::{BreakKind, ContinuityBreak, ContinuityReport, StatementRef};
pub use imports::PlatformImportSummary;
pub use levels::LevelsView;
pub use ops::{OpOutcome, WalletOpRequest};
pub use run::{CheckRunOptions, FixScope};

use recon_core::money::from_minor;
use rust_decimal::Decimal;

/// A workspace wallet as held now (minor units of `currency`, at `scale`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkspaceWallet {
    pub workspace_id: String,
    pub wallet_id: String,
    pub currency: String,
    pub scale: u8,
    pub balance_minor: i64,
    pub locked_minor: i64,
    pub as_of: String,
}

impl WorkspaceWallet {
    /// Its balance and locked balance, as recon-core's wallet rules take them.
    pub fn balances(&self) -> recon_core::checks::WalletBalances {
        recon_core::checks::WalletBalances {
            balance_minor: self.balance_minor,
            locked_minor: self.locked_minor,
        }
    }
}

/// One wallet's line of a run's report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckLine {
    pub workspace_id: String,
    pub wallet_id: String,
    pub currency: String,
    pub scale: u8,
    pub expected_minor: i64,
    pub actual_minor: i64,
    pub discrepancy_minor: i64,
    /// `synced` or `discrepancy`.
    pub status: String,
    pub warning: bool,
    /// `none`, `auto_fix` or `review`.
    pub action: String,
    pub fixed: bool,
    pub adjustment_minor: Option<i64>,
    pub reason: Option<String>,
}

/// A run's counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckRunSummary {
    pub run_id: String,
    pub at: String,
    pub actor: String,
    pub workspace: Option<String>,
    pub fix: bool,
    pub threshold: Option<String>,
    pub wallets: i64,
    pub synced: i64,
    pub discrepancies: i64,
    pub warnings: i64,
    pub to_review: i64,
    pub fixable: i64,
    pub fixed: i64,
}

impl CheckRunSummary {
    fn count(lines: &[CheckLine]) -> [i64; 6] {
        let n = |f: &dyn Fn(&CheckLine) -> bool| lines.iter().filter(|l| f(l)).count() as i64;
        [
            n(&|l| l.status == "synced"),
            n(&|l| l.status == "discrepancy"),
            n(&|l| l.warning),
            n(&|l| l.action == "review"),
            n(&|l| l.action == "auto_fix" && !l.fixed),
            n(&|l| l.fixed),
        ]
    }
}

/// A run and its report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckRunReport {
    pub summary: CheckRunSummary,
    pub lines: Vec<CheckLine>,
}

fn decimal(minor: i64, scale: u8) -> Decimal {
    from_minor(minor, scale)
}
