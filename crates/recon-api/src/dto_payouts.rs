//! DTOs of payout batches (§7): batches and their lines, transitions, previews, bulk
//! approval results, stats, the partner summary. Amounts are decimal strings at the
//! currency's scale; statuses are `draft`, `pending_approval`, `approved`, `processing`,
//! `paid`, `rejected`, `failed`.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// One partner entity's payout in a batch: the sum of its entries the batch holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PayoutLineDto {
    /// `sponsor`, `hunt`, `stop`, `affiliate` or `partner`.
    pub entity_type: String,
    pub entity_ref: String,
    pub entity_name: String,
    pub amount: String,
    /// How many entries the line holds.
    #[ts(type = "number")]
    pub entries: u64,
    /// The ledger entries of the line (empty in lists; filled by `payout_show`, `payout_create`
    /// and `payout_preview`).
    #[ts(type = "Array<number>")]
    pub entry_ids: Vec<i64>,
}

/// Who moved a batch, when, from which state to which (`from` is null at creation).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PayoutTransitionDto {
    pub at: String,
    pub actor: String,
    pub from: Option<String>,
    pub to: String,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PayoutBatchDto {
    pub id: String,
    pub program: String,
    /// `YYYY-MM`.
    pub period: String,
    pub currency: String,
    pub status: String,
    pub total: String,
    pub notes: String,
    pub created_by: String,
    pub created_at: String,
    pub updated_at: String,
    pub approved_by: Option<String>,
    pub approved_at: Option<String>,
    pub paid_by: Option<String>,
    pub paid_at: Option<String>,
    /// The last rejection or failure reason.
    pub reason: Option<String>,
    #[ts(type = "number")]
    pub entry_count: u64,
    pub lines: Vec<PayoutLineDto>,
    /// Every transition, oldest first (empty in lists).
    pub transitions: Vec<PayoutTransitionDto>,
    /// The steps the batch's status offers, each with whether the current user may take
    /// it now (`recon_core::payouts::steps`): the Payouts screen's buttons, never a copy
    /// of the rules in the UI. The creator's approval is listed, not allowed, with why.
    pub allowed_actions: Vec<PayoutStepDto>,
}

/// One step of a batch for the current user: `submit`, `approve`, `reject`, `process`,
/// `pay`, `fail` or `retry`; `reason` says why it is not allowed (the backend's words).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PayoutStepDto {
    pub action: String,
    pub allowed: bool,
    pub reason: Option<String>,
}

/// What `payout_create` would make now: the lines and the total, nothing written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PayoutPreviewDto {
    pub program: String,
    pub period: String,
    pub currency: String,
    pub total: String,
    #[ts(type = "number")]
    pub entry_count: u64,
    pub lines: Vec<PayoutLineDto>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct NewPayoutDto {
    pub program: String,
    /// `YYYY-MM`.
    pub period: String,
    pub notes: Option<String>,
}

/// Filters of `payout_list`; `partner` matches an entity ref or name (case-insensitive, part).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PayoutQueryDto {
    pub program: Option<String>,
    pub status: Option<String>,
    pub period: Option<String>,
    pub partner: Option<String>,
}

/// One batch's outcome in a bulk approval: `approved` or `refused` (with the reason).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PayoutApproveResultDto {
    pub batch_id: String,
    pub result: String,
    pub reason: Option<String>,
}

/// Batches and their total of one status in one currency.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PayoutStatusTotalDto {
    pub status: String,
    pub currency: String,
    #[ts(type = "number")]
    pub batches: u64,
    pub total: String,
}

/// Batches of one period in one currency, with their total per status.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PayoutPeriodDto {
    pub period: String,
    pub currency: String,
    #[ts(type = "number")]
    pub batches: u64,
    pub total: String,
    pub by_status: Vec<PayoutStatusTotalDto>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PayoutStatsDto {
    pub program: Option<String>,
    /// Every (status, currency) that has a batch, statuses in §7 order.
    pub by_status: Vec<PayoutStatusTotalDto>,
    /// Newest period first.
    pub by_period: Vec<PayoutPeriodDto>,
    /// Batches pending approval that the current user did not create (the user may approve them).
    #[ts(type = "number")]
    pub awaiting_your_approval: u64,
}

/// A partner entity's money: everything it earned (not reversed), what is pending (of which
/// reserved by a batch), what was paid, and its last payout.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PartnerSummaryDto {
    pub program: String,
    pub entity_type: String,
    pub entity_ref: String,
    pub name: String,
    pub currency: String,
    pub lifetime_earnings: String,
    pub pending: String,
    /// Part of `pending` held by a batch not yet paid.
    pub reserved: String,
    pub paid: String,
    pub last_payout_at: Option<String>,
    pub last_payout_amount: Option<String>,
    pub last_payout_batch: Option<String>,
}
