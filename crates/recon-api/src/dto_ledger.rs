//! DTOs of the partner ledger (§6): programs, entities, conversions, settlements, entries,
//! postings, summaries, account balances, verification, exports. Amounts are decimal
//! strings at the currency's scale; rates are decimal percentage strings (`2.5`).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ProgramDto {
    pub slug: String,
    pub name: String,
    /// `active`, `paused` or `closed`.
    pub status: String,
    pub currency: String,
    pub direct_rate: String,
    pub override_rate: String,
    /// `half-even`, `half-up` or `down`.
    pub rounding: String,
    pub created_at: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct NewProgramDto {
    pub slug: String,
    pub name: String,
    pub currency: String,
    /// Default `0`.
    pub direct_rate: Option<String>,
    /// Default `0`.
    pub override_rate: Option<String>,
    /// Default `half-even`.
    pub rounding: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct EntityDto {
    pub program: String,
    /// `sponsor`, `hunt`, `stop`, `affiliate` or `partner`.
    pub entity_type: String,
    pub entity_ref: String,
    pub name: String,
    /// The parent affiliate's ref.
    pub parent: Option<String>,
    /// Depth in the affiliate tree: 0 for a root (and for every non-affiliate).
    pub depth: u32,
    /// A sponsor's payout per approved conversion, in the program's currency.
    pub payout_per_conversion: Option<String>,
    pub currency: String,
    pub created_at: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct NewEntityDto {
    pub program: String,
    pub entity_type: String,
    pub entity_ref: String,
    pub name: String,
    pub parent: Option<String>,
    pub payout_per_conversion: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ConversionDto {
    pub program: String,
    pub conversion_id: String,
    pub sponsor_ref: String,
    pub occurred_at: String,
    pub description: String,
    /// `pending`, `approved` or `rejected`.
    pub status: String,
    pub reason: Option<String>,
    pub decided_at: Option<String>,
    pub decided_by: Option<String>,
    /// The entry its approval created.
    #[ts(type = "number | null")]
    pub entry_id: Option<i64>,
}

/// What a conversion or settlement import did. Re-importing a known id with the same
/// content is a duplicate; with different content the whole file is refused.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct LedgerImportDto {
    pub program: String,
    pub file: String,
    #[ts(type = "number")]
    pub read: u64,
    #[ts(type = "number")]
    pub inserted: u64,
    #[ts(type = "number")]
    pub duplicates: u64,
    /// Ledger entries created (settlements: direct and override commissions).
    #[ts(type = "number")]
    pub entries_created: u64,
}

/// One approval's outcome: `approved`, `already_exists` (nothing written) or `refused`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ApproveResultDto {
    pub id: String,
    pub result: String,
    #[ts(type = "number | null")]
    pub entry_id: Option<i64>,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct LedgerEntryDto {
    #[ts(type = "number")]
    pub id: i64,
    pub program: String,
    pub entity_type: String,
    pub entity_ref: String,
    /// `conversion`, `settlement` or `reversal`.
    pub source: String,
    /// Conversion id, `{settlement_id}:direct` / `:override`, or the reversed entry's id.
    pub source_ref: String,
    pub status: String,
    pub gross_amount: Option<String>,
    pub earnings_amount: String,
    /// Exact product − rounded amount; `0` when nothing was rounded.
    pub rounding_residue: String,
    pub currency: String,
    pub description: String,
    /// `YYYY-MM` of when it was earned.
    pub period: String,
    pub occurred_at: String,
    pub created_at: String,
    pub payout_batch: Option<String>,
    #[ts(type = "number | null")]
    pub reverses: Option<i64>,
    #[ts(type = "number | null")]
    pub reversed_by: Option<i64>,
    /// A reversal's reason.
    pub reason: Option<String>,
}

/// Filters of the ledger list; all optional, combined with AND.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct LedgerQueryDto {
    pub program: Option<String>,
    pub status: Option<String>,
    /// An entity's ref.
    pub entity: Option<String>,
    /// `YYYY-MM`.
    pub period: Option<String>,
    /// Default 1,000, at most 10,000 (the CLI lists everything).
    pub limit: Option<u32>,
    pub offset: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PostingDto {
    #[ts(type = "number")]
    pub transaction: i64,
    pub line: u32,
    pub account: String,
    pub currency: String,
    pub debit: String,
    pub credit: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct LedgerAuditDto {
    #[ts(type = "number")]
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    /// JSON text of the state before and after.
    pub before: Option<String>,
    pub after: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct EntryDetailDto {
    pub entry: LedgerEntryDto,
    /// The lines of the entry's transaction (a settlement's: its revenue and commissions).
    pub postings: Vec<PostingDto>,
    /// Audit records naming this entry (creation, reversal, payout).
    pub audit: Vec<LedgerAuditDto>,
}

/// Earnings of one group. `total` = pending + paid (reversed earnings net to zero with
/// their reversals); `reversed` is what was reversed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SummaryRowDto {
    /// The entity ref, the `YYYY-MM`, the status, or the program slug.
    pub key: String,
    pub entity_type: Option<String>,
    pub currency: String,
    pub total: String,
    pub pending: String,
    pub paid: String,
    pub reversed: String,
    #[ts(type = "number")]
    pub entries: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SummaryDto {
    pub program: String,
    pub currency: String,
    /// `entity`, `period` or `status`.
    pub by: String,
    pub rows: Vec<SummaryRowDto>,
    pub totals: SummaryRowDto,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AccountBalanceDto {
    pub account: String,
    pub currency: String,
    pub debits: String,
    pub credits: String,
    /// debits − credits.
    pub balance: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct VerifyFailureDto {
    #[ts(type = "number")]
    pub transaction: i64,
    pub currency: String,
    pub debits: String,
    pub credits: String,
    /// What the transaction is for (`settlement S1`, `entry 12`), when known.
    pub what: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct LedgerVerifyDto {
    pub ok: bool,
    #[ts(type = "number")]
    pub transactions: u64,
    pub first_failure: Option<VerifyFailureDto>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ExportDto {
    pub path: String,
    #[ts(type = "number")]
    pub rows: u64,
}
