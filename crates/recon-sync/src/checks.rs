//! Events of the wallet-check family (§8): platform imports (workspace wallets,
//! activations, wallet transactions), wallet operations recorded once per reference,
//! check runs and the adjustments their fixes post. Amounts are decimal strings with
//! their currency; platform rows are named by the platform's own ids, which every device
//! and the server share. Imports are cut into events of at most [`MAX_ROWS_PER_EVENT`] rows.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Most rows one platform import event carries.
pub const MAX_ROWS_PER_EVENT: usize = 500;

pub const WORKSPACE_WALLETS_IMPORTED: &str = "workspace_wallets_imported";
pub const ACTIVATIONS_IMPORTED: &str = "activations_imported";
pub const WALLET_TRANSACTIONS_IMPORTED: &str = "wallet_transactions_imported";
pub const WALLET_OPERATION_RECORDED: &str = "wallet_operation_recorded";
pub const WALLET_CHECK_RUN: &str = "wallet_check_run";
pub const WALLET_ADJUSTED: &str = "wallet_adjusted";

/// A workspace wallet snapshot as imported (also the older ones, kept as history).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WalletSnapshot {
    pub workspace_id: String,
    pub wallet_id: String,
    pub currency: String,
    pub balance: Decimal,
    pub locked_balance: Decimal,
    pub as_of: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkspaceWalletsImported {
    pub file: String,
    pub wallets: Vec<WalletSnapshot>,
}

/// An activation as it stands after the import (new or changed).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Activation {
    pub activation_id: String,
    pub workspace_id: String,
    /// `draft`, `live`, `paused`, `completed` or `cancelled`.
    pub status: String,
    pub total_budget: Decimal,
    pub spent_amount: Decimal,
    pub currency: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActivationsImported {
    pub file: String,
    pub activations: Vec<Activation>,
}

/// A wallet transaction (imported, recorded by an operation, or a check's adjustment).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WalletTransaction {
    pub transaction_id: String,
    pub wallet_id: String,
    /// `lock`, `unlock`, `refund`, `credit`, `debit` or `adjustment`.
    pub tx_type: String,
    pub amount: Decimal,
    pub currency: String,
    pub reference_type: Option<String>,
    pub reference_id: Option<String>,
    pub created_at: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WalletTransactionsImported {
    pub file: String,
    pub transactions: Vec<WalletTransaction>,
}

/// A wallet operation (`lock`, `spend`, `release`, `refund`) applied once for its reference;
/// the wallet's balances after it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WalletOperationRecorded {
    pub operation: String,
    pub transaction: WalletTransaction,
    pub balance_after: Decimal,
    pub locked_after: Decimal,
}

/// A wallet check run's outcome (its per-wallet report stays on the device).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WalletCheckRun {
    pub run_id: String,
    pub workspace: Option<String>,
    pub wallets: u64,
    pub synced: u64,
    pub discrepancies: u64,
    pub to_review: u64,
    pub fixed: u64,
}

/// A check's fix: an `adjustment` of the locked balance (negative = unlocked), the
/// discrepancy it fixed and the balances after it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WalletAdjusted {
    pub run_id: String,
    pub transaction: WalletTransaction,
    pub expected_locked: Decimal,
    pub discrepancy: Decimal,
    pub balance_after: Decimal,
    pub locked_after: Decimal,
}
