//! Types that cross the IPC boundary to the UI. `cargo test -p recon-api` regenerates
//! `ui/src/bindings/*.ts` from them; amounts are decimal strings, never JS numbers.
//! ids are plain numbers in TS: EVE ids stay far below 2^53.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Every failed command reaches the UI as `{code, message}`; the UI switches on `code`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, thiserror::Error)]
#[ts(export)]
#[error("{code}: {message}")]
pub struct ApiError {
    pub code: String,
    pub message: String,
}

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

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct JournalQueryDto {
    /// Wallet name; `null` = all wallets.
    pub wallet: Option<String>,
    pub ref_type: Option<String>,
    /// Case-insensitive text searched in description, reason and ref type.
    pub search: Option<String>,
    /// `true` = newest first (the default view).
    pub newest_first: bool,
    #[ts(type = "number")]
    pub offset: i64,
    /// At most 1000 rows a page.
    #[ts(type = "number")]
    pub limit: i64,
    /// Only the rows of this import batch.
    #[serde(default)]
    #[ts(optional)]
    pub batch: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct JournalRowDto {
    /// The ESI journal id; `null` for bank rows.
    #[ts(type = "number | null")]
    pub id: Option<i64>,
    /// The row's identity in its wallet: ESI id, `ref:{bank id}` or `fp:{fingerprint}`.
    pub key: String,
    pub counterparty: Option<String>,
    pub wallet: String,
    /// RFC 3339, UTC (ESI) or `YYYY-MM-DD` (bank statements).
    pub date: String,
    pub ref_type: String,
    /// Decimal string at the currency's scale, e.g. `"-1500.00"`.
    pub amount: Option<String>,
    pub balance: Option<String>,
    pub currency: String,
    pub description: String,
    pub reason: Option<String>,
    #[ts(type = "number | null")]
    pub first_party_id: Option<i64>,
    #[ts(type = "number | null")]
    pub second_party_id: Option<i64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct JournalPageDto {
    /// Rows matching the filter, over all pages.
    #[ts(type = "number")]
    pub total: i64,
    pub rows: Vec<JournalRowDto>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ImportRequestDto {
    pub wallet: String,
    /// Absolute paths of ESI journal JSON files (several pages at once).
    pub paths: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ImportFileDto {
    pub file_name: String,
    pub sha256: String,
    #[ts(type = "number")]
    pub read: i64,
    #[ts(type = "number")]
    pub inserted: i64,
    #[ts(type = "number")]
    pub duplicates: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ImportSummaryDto {
    pub batch_id: String,
    pub wallet: String,
    #[ts(type = "number")]
    pub read: i64,
    #[ts(type = "number")]
    pub inserted: i64,
    #[ts(type = "number")]
    pub duplicates: i64,
    #[ts(type = "number")]
    pub rejected: i64,
    pub files: Vec<ImportFileDto>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SyncStatusDto {
    pub server_url: Option<String>,
    #[ts(type = "number")]
    pub pending: i64,
    pub last_success_at: Option<String>,
    pub last_error: Option<String>,
    pub last_error_at: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SyncReportDto {
    /// Events the server accepted in this run (new or replayed).
    #[ts(type = "number")]
    pub pushed: i64,
    pub status: SyncStatusDto,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AuditVerifyDto {
    pub ok: bool,
    #[ts(type = "number")]
    pub records: i64,
    /// Id of the first record whose hash does not match, when `ok` is false.
    #[ts(type = "number | null")]
    pub first_broken_id: Option<i64>,
    pub message: String,
}
