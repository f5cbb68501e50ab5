//! DTOs of sync and the audit chain.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SyncStatusDto {
    pub server_url: Option<String>,
    #[ts(type = "number")]
    pub pending: i64,
    pub last_success_at: Option<String>,
    pub last_error: Option<String>,
    pub last_error_at: Option<String>,
    /// Set when other users of the machine can read the ledger's files (checked at open).
    pub ledger_warning: Option<String>,
    /// Local changes the server refused (Needs attention; the sidebar's badge).
    #[ts(type = "number")]
    pub needs_attention: i64,
    /// Colleagues' events waiting for this ledger's own unanswered changes.
    #[ts(type = "number")]
    pub held: i64,
    /// Colleagues' events received that this ledger cannot apply (kept, never dropped).
    #[ts(type = "number")]
    pub not_applied: i64,
    /// What the last finished sync did.
    pub last_counts: Option<SyncCountsDto>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SyncCountsDto {
    #[ts(type = "number")]
    pub pushed: i64,
    #[ts(type = "number")]
    pub pulled: i64,
    #[ts(type = "number")]
    pub refused: i64,
    pub at: Option<String>,
}

/// A local change the server refused for good.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RefusedChangeDto {
    pub event_id: String,
    pub kind: String,
    /// `invalid_value`, `conflict`, `rule_broken`, `not_allowed`, `too_large`.
    pub code: String,
    pub reason: String,
    /// The values that disagree (the server's and this ledger's).
    pub conflicts: Vec<ConflictDto>,
    /// A compensating change reverted it here; false: "refused, not undone".
    pub undone: bool,
    pub refused_at: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ConflictDto {
    pub field: String,
    pub server: String,
    pub event: String,
}

/// A colleague's event received but not applied here.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RemoteEventDto {
    pub event_id: String,
    pub kind: String,
    pub pushed_by: String,
    /// `held` (waits for this ledger's own changes to be answered) or `not_applied`.
    pub state: String,
    pub note: Option<String>,
}

/// The Sync screen's Needs attention list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct NeedsAttentionDto {
    pub refused: Vec<RefusedChangeDto>,
    pub waiting: Vec<RemoteEventDto>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SyncReportDto {
    /// Events the server accepted in this run (new or replayed).
    #[ts(type = "number")]
    pub pushed: i64,
    /// Of those, events the server had already applied (an earlier answer was lost).
    #[ts(type = "number")]
    pub replayed: i64,
    /// Colleagues' events applied to this ledger in this run.
    #[ts(type = "number")]
    pub pulled: i64,
    /// Colleagues' events waiting for this ledger's unanswered changes.
    #[ts(type = "number")]
    pub held: i64,
    /// Colleagues' events received in this run that this ledger cannot apply.
    #[ts(type = "number")]
    pub not_applied: i64,
    /// Local changes the server refused in this run.
    pub refused: Vec<RefusedChangeDto>,
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

/// The audit chain's newest record: what each sync sends the server, so that a chain cut
/// or rewritten on this laptop is refused there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AuditHeadDto {
    /// The newest record's id (0 for an empty log).
    #[ts(type = "number")]
    pub seq: i64,
    /// Its hash (SHA-256, hex).
    pub hash: String,
}
