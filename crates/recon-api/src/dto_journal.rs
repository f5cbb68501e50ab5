//! DTOs of the journal screen and `recon journal list`. Amounts are decimal strings.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

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
    /// Only lines whose absolute amount is at least / at most this (separators allowed).
    #[serde(default)]
    #[ts(optional)]
    pub amount_min: Option<String>,
    #[serde(default)]
    #[ts(optional)]
    pub amount_max: Option<String>,
    /// Only lines dated from / to these days, `YYYY-MM-DD`, inclusive.
    #[serde(default)]
    #[ts(optional)]
    pub date_from: Option<String>,
    #[serde(default)]
    #[ts(optional)]
    pub date_to: Option<String>,
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
    /// A bank line's value date beside `date`: `YYYY-MM-DD`, or the bank's text when it is
    /// no date (a 30 February); absent where the file gave none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub value_date: Option<String>,
    pub wallet: String,
    /// RFC 3339, UTC (ESI) or `YYYY-MM-DD` (bank statements).
    pub date: String,
    pub ref_type: String,
    /// Decimal string at the currency's scale, e.g. `"-1500.00"`.
    pub amount: Option<String>,
    pub balance: Option<String>,
    /// The wallet's balance after this line (decimal string), counted over all the wallet's
    /// lines in its order, not only those the filter shows; from the first line that states
    /// a balance, else from 0. `null` where it cannot be told.
    pub running_balance: Option<String>,
    pub currency: String,
    pub description: String,
    pub reason: Option<String>,
    #[ts(type = "number | null")]
    pub first_party_id: Option<i64>,
    #[ts(type = "number | null")]
    pub second_party_id: Option<i64>,
    /// ESI's context of the entry (a system, a contract…) and what kind of id it is.
    #[ts(type = "number | null")]
    pub context_id: Option<i64>,
    pub context_id_type: Option<String>,
    pub tax: Option<String>,
    #[ts(type = "number | null")]
    pub tax_receiver_id: Option<i64>,
    /// ESI's own text of the amount (a binary double), kept for audit.
    pub amount_raw: Option<String>,
    pub batch_id: String,
    /// The ledger's row id (the line's detail, review steps).
    #[ts(type = "number")]
    pub rowid: i64,
    /// Memos of the expected payments the line is linked to.
    pub matched_to: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct JournalPageDto {
    /// Rows matching the filter, over all pages.
    #[ts(type = "number")]
    pub total: i64,
    pub rows: Vec<JournalRowDto>,
}
