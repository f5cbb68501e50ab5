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
