//! DTOs of payment matching (SPEC §5) for the Review, Expected payments and Dashboard screens.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Why a receipt scores what it does against an expected payment; each signal with its points.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ScoreDto {
    /// `equal`, `contained`, `distance` or `null` (no memo signal).
    pub memo: Option<String>,
    /// Edit distance when `memo` is `distance`.
    pub distance: Option<u8>,
    pub memo_points: u32,
    pub amount_equal: bool,
    pub amount_points: u32,
    pub payer_equal: bool,
    pub total: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SuggestionDto {
    pub memo: String,
    pub cycle_id: String,
    pub character_name: String,
    pub expected_amount: String,
    pub status: String,
    /// Received so far; `null` while nothing is linked.
    pub actual_amount: Option<String>,
    pub score: ScoreDto,
    pub match_type: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ReceiptDto {
    /// The ledger's row id: what link/reject/accept take.
    #[ts(type = "number")]
    pub rowid: i64,
    /// ESI id (or bank reference).
    pub journal_id: String,
    pub wallet: String,
    pub date: String,
    pub amount: String,
    pub currency: String,
    #[ts(type = "number | null")]
    pub payer_id: Option<i64>,
    pub reason: Option<String>,
    pub description: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ReceiptSuggestionsDto {
    pub receipt: ReceiptDto,
    pub suggestions: Vec<SuggestionDto>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct LinkDto {
    /// The linked line's row id (what `match_unlink` takes).
    #[ts(type = "number")]
    pub rowid: i64,
    pub journal_id: String,
    pub wallet: String,
    pub date: String,
    pub amount: String,
    #[ts(type = "number | null")]
    pub payer_id: Option<i64>,
    pub match_type: String,
    pub score: Option<u32>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ExpectedDto {
    pub id: String,
    pub memo: String,
    pub cycle_id: String,
    pub character_name: String,
    #[ts(type = "number | null")]
    pub character_id: Option<i64>,
    pub status: String,
    pub currency: String,
    pub expected_amount: String,
    pub actual_amount: Option<String>,
    #[ts(type = "number | null")]
    pub actual_payer_id: Option<i64>,
    pub amount_adjusted: bool,
    pub validated_at: Option<String>,
    pub journal_ids: Vec<String>,
    pub match_type: Option<String>,
    pub links: Vec<LinkDto>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ReceiptScoreDto {
    pub receipt: ReceiptDto,
    pub score: ScoreDto,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AwaitingDto {
    pub expected: ExpectedDto,
    pub suggestions: Vec<ReceiptScoreDto>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ReviewQueuesDto {
    pub unmatched_receipts: Vec<ReceiptSuggestionsDto>,
    pub ambiguous_receipts: Vec<ReceiptSuggestionsDto>,
    pub awaiting: Vec<AwaitingDto>,
    /// The score a suggestion needs to qualify (§5): below it, the app asks before accepting.
    pub threshold: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct MatchRunSummaryDto {
    pub matched: u32,
    pub receipts_linked: u32,
    pub amount_adjusted: u32,
    pub ambiguous: u32,
    pub unmatched: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ActionSummaryDto {
    #[ts(type = "number")]
    pub action_id: i64,
    pub kind: String,
    pub links_added: u32,
    pub links_removed: u32,
    pub expected_changed: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CycleSummaryDto {
    pub cycle_id: String,
    pub currency: String,
    #[ts(type = "number")]
    pub awaiting: i64,
    #[ts(type = "number")]
    pub confirmed: i64,
    #[ts(type = "number")]
    pub cancelled: i64,
    #[ts(type = "number")]
    pub other: i64,
    #[ts(type = "number")]
    pub amount_adjusted: i64,
    pub expected_total: String,
    pub confirmed_total: String,
    /// Σ (expected − received) of the payments awaiting or short-paid.
    pub outstanding_total: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct NewExpectedDto {
    pub cycle_id: String,
    pub character_name: String,
    #[ts(type = "number | null")]
    pub character_id: Option<i64>,
    /// Decimal text, at most the currency's decimals.
    pub expected_amount: String,
    pub currency: String,
    /// Empty = `ARB {cycle_id} {character_name}`.
    pub memo: String,
}

/// What to change on an expected payment still awaiting; a field left `null` is kept. The
/// payer is its name and id together: with `character_name` set, `character_id` replaces the
/// id (`null` forgets it).
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ExpectedEditDto {
    /// Decimal text; separators such as `250,000,000` are read.
    pub expected_amount: Option<String>,
    pub memo: Option<String>,
    pub character_name: Option<String>,
    #[ts(type = "number | null")]
    pub character_id: Option<i64>,
}

/// A receipt marked "not a participation payment", with the mark's reason, time and author.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RejectedReceiptDto {
    #[serde(flatten)]
    #[ts(flatten)]
    pub receipt: ReceiptDto,
    /// Why it was marked (`reason` is the receipt's own memo).
    pub rejection_reason: String,
    pub rejected_at: String,
    pub rejected_by: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ExpectedImportDto {
    pub file: String,
    pub read: u32,
    pub inserted: u32,
    pub duplicates: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SplitShareDto {
    pub memo: String,
    pub amount: String,
}

/// A receipt with the expected payments it may pay, its own fields at the top level (the
/// shape `recon match --json` prints).
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ReceiptCandidatesDto {
    #[serde(flatten)]
    #[ts(flatten)]
    pub receipt: ReceiptDto,
    pub suggestions: Vec<SuggestionDto>,
}

/// A matching run's counts and the receipts it left for review.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct MatchRunReportDto {
    #[serde(flatten)]
    #[ts(flatten)]
    pub summary: MatchRunSummaryDto,
    pub ambiguous_receipts: Vec<ReceiptCandidatesDto>,
    pub unmatched_receipts: Vec<ReceiptCandidatesDto>,
}
