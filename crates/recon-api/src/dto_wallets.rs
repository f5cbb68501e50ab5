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
