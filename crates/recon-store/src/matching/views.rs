//! What the matching operations return: plain records for the CLI and `recon-api`.

use recon_core::matching::{ExpectedStatus, LinkType, Score};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExpectedImportSummary {
    pub file: String,
    pub read: u64,
    pub inserted: u64,
    pub duplicates: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LinkView {
    /// The linked journal line's row id: what unlink takes.
    pub rowid: i64,
    pub journal_id: String,
    pub wallet: String,
    pub date: String,
    pub amount: String,
    pub payer_id: Option<i64>,
    pub match_type: LinkType,
    pub score: Option<u32>,
}

/// An expected payment as listed (`recon expected list --json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExpectedView {
    pub id: String,
    pub memo: String,
    pub cycle_id: String,
    pub character_name: String,
    pub character_id: Option<i64>,
    pub status: ExpectedStatus,
    pub currency: String,
    pub expected_amount: String,
    pub actual_amount: Option<String>,
    pub actual_payer_id: Option<i64>,
    pub amount_adjusted: bool,
    pub validated_at: Option<String>,
    /// ESI ids (or bank references) of the linked lines.
    pub journal_ids: Vec<String>,
    /// `manual` once any active link is manual (a reviewer decided), else the first link's
    /// type; `null` until paid. Every link keeps its own type in `links`.
    pub match_type: Option<LinkType>,
    pub links: Vec<LinkView>,
}

/// A journal line that could pay an expected payment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReceiptView {
    /// The ledger's own row id: unique even where an ESI id is not.
    pub rowid: i64,
    pub journal_id: String,
    pub wallet: String,
    pub date: String,
    pub amount: String,
    pub currency: String,
    pub payer_id: Option<i64>,
    pub reason: Option<String>,
    pub description: String,
}

/// A receipt marked "not a participation payment": the mark's reason, when and by whom.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RejectedReceipt {
    #[serde(flatten)]
    pub receipt: ReceiptView,
    /// Why it was marked (`reason` is the receipt's own memo).
    pub rejection_reason: String,
    pub rejected_at: String,
    pub rejected_by: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Suggestion {
    pub memo: String,
    pub cycle_id: String,
    pub character_name: String,
    pub expected_amount: String,
    pub status: ExpectedStatus,
    /// What it has received so far (`null` while nothing is linked): the reviewer sees what
    /// accepting would make of it.
    pub actual_amount: Option<String>,
    pub score: Score,
    /// The type a link would record: `auto_exact`, … of the memo signal.
    pub match_type: LinkType,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReceiptSuggestions {
    #[serde(flatten)]
    pub receipt: ReceiptView,
    pub suggestions: Vec<Suggestion>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReceiptSuggestionForExpected {
    #[serde(flatten)]
    pub receipt: ReceiptView,
    pub score: Score,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AwaitingSuggestions {
    #[serde(flatten)]
    pub expected: ExpectedView,
    pub suggestions: Vec<ReceiptSuggestionForExpected>,
}

/// The summary of `recon match`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MatchRunSummary {
    /// Expected payments that received at least one new link in this run.
    pub matched: u64,
    /// Receipts linked in this run.
    pub receipts_linked: u64,
    /// Of the matched, those whose received total differs from the expected amount.
    pub amount_adjusted: u64,
    /// Receipts whose best score ties between expected payments: left for review.
    pub ambiguous: u64,
    pub ambiguous_receipts: Vec<ReceiptSuggestions>,
    /// Receipts no expected payment qualifies for, with their best suggestions.
    pub unmatched_receipts: Vec<ReceiptSuggestions>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReviewQueues {
    pub unmatched_receipts: Vec<ReceiptSuggestions>,
    pub ambiguous_receipts: Vec<ReceiptSuggestions>,
    pub awaiting: Vec<AwaitingSuggestions>,
}

/// What a reviewer step did, for the status line and `recon match link|unlink|…`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ActionSummary {
    pub action_id: i64,
    /// The step's kind as shown (`link`, `bulk_accept`, `undo split`, …).
    pub kind: String,
    pub links_added: u64,
    pub links_removed: u64,
    /// Expected payments whose status or amounts changed.
    pub expected_changed: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CycleSummary {
    pub cycle_id: String,
    pub currency: String,
    pub awaiting: i64,
    pub confirmed: i64,
    pub cancelled: i64,
    pub other: i64,
    pub amount_adjusted: i64,
    pub expected_total: String,
    pub confirmed_total: String,
    /// Still to receive: Σ (expected − received) over payments awaiting or short-paid; an
    /// overpayment never offsets another payer's shortfall. Cancelled payments owe nothing.
    pub outstanding_total: String,
}

/// What a reviewer changes on an expected payment still awaiting; `None` keeps a field.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExpectedEdit {
    pub expected_amount: Option<String>,
    pub memo: Option<String>,
    pub character_name: Option<String>,
    /// `Some(None)` forgets the character id.
    pub character_id: Option<Option<i64>>,
}

/// A new expected payment entered by hand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewExpected {
    pub cycle_id: String,
    pub character_name: String,
    pub character_id: Option<i64>,
    pub expected_amount: String,
    pub currency: String,
    /// Empty = `ARB {cycle_id} {character_name}`.
    pub memo: String,
}
