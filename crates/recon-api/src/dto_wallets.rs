//! DTOs of wallets and currencies.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CurrencyDto {
    pub code: String,
    pub scale: u8,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct WalletDto {
    pub id: String,
    pub name: String,
    /// `character`, `corporation` or `bank`.
    pub kind: String,
    #[ts(type = "number | null")]
    pub owner_id: Option<i64>,
    pub division: Option<i32>,
    pub currency: String,
    pub receiving: bool,
    #[ts(type = "number")]
    pub entry_count: i64,
    /// The check of the newest statement imported into the wallet (a batch not removed);
    /// `null` when no imported file stated balances.
    #[serde(default)]
    pub last_statement: Option<WalletStatementDto>,
}

/// A wallet's newest statement and its check, as its import batch kept it.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct WalletStatementDto {
    pub batch_id: String,
    pub file_name: String,
    /// When it was imported (RFC 3339).
    pub at: String,
    pub statement: crate::StatementDto,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct NewWalletDto {
    pub name: String,
    pub kind: String,
    #[ts(type = "number | null")]
    pub owner_id: Option<i64>,
    pub division: Option<i32>,
    pub currency: String,
    pub receiving: bool,
}
