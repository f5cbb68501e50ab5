//! Wallet-sync checks (§8).
//!
//! - [`verdict`]: per wallet, expected locked against actual locked: status, warning,
//!   action (`auto_fix` / `review` with its reason) and the fix to post, by per-currency
//!   levels held as exact decimals.
//! - [`continuity`]: running-balance breaks of a journal, and statements whose opening,
//!   lines and closing do not add up, as probable missing entries.
//! - [`platform_file`]: the platform's CSV / JSON exports (workspace wallets, activations,
//!   wallet transactions) read into typed rows, a bad cell named by line and column.
//! - [`ops`]: wallet operations (lock, spend, release, refund) and what they do to a
//!   wallet's balances.

pub mod continuity;
pub mod ops;
pub mod platform_file;
pub mod verdict;

pub use continuity::{balance_gap, BalanceGap, BalanceLine, Break, ContinuityScan};
pub use ops::{
    apply_op, check_adjustment, undo_transaction, AdjustError, OpError, WalletBalances, WalletOp,
};
pub use verdict::{decide, Action, CheckLevels, Fix, LevelsError, SyncStatus, Verdict};
