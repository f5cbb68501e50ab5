//! The audit chain's head at each sync (SPEC §10, issue 14): the server keeps the newest
//! head each ledger sent, and refuses one that went back (records cut from the chain's end)
//! or whose record at the kept sequence no longer has the kept hash (the chain rewritten).
//!
//! Two requests: `GET AUDIT_HEAD_PATH?device_id=…` answers the kept head
//! ([`KnownAuditHead`]); the ledger then posts its head with the hash it now has at the kept
//! sequence ([`AuditHeadPush`]). Refusals are 409 with code `audit_chain_cut`,
//! `audit_chain_rewritten` or `audit_head_stale` (the kept head moved meanwhile: ask again).

use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub const AUDIT_HEAD_PATH: &str = "/api/v1/sync/audit-head";

/// A chain's newest record: its id (sequence number) and hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditHead {
    pub seq: i64,
    pub hash: String,
}

/// The `device_id` query of the GET.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditHeadQuery {
    pub device_id: Uuid,
}

/// The head the server kept for a ledger (`None`: it never sent one).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KnownAuditHead {
    pub known: Option<AuditHead>,
}

/// The ledger's head, and what it now holds at the kept head's sequence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditHeadPush {
    pub device_id: Uuid,
    pub head: AuditHead,
    /// Present when the server kept a head: its sequence and the hash the ledger now has
    /// there (`None`: no such record any more).
    pub at_known: Option<AuditHeadAt>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditHeadAt {
    pub seq: i64,
    pub hash: Option<String>,
}

/// The answer to an accepted head.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditHeadAccepted {
    pub seq: i64,
}
