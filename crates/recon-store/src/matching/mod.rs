//! Expected payments, matching runs and the reviewer's steps (SPEC §5), as SQL.
//!
//! The rules are `recon_core::matching`'s: the engine decides what links, and the rules
//! decide what a payment's links make of it, what a reviewer may do and what opening a
//! cycle cancels. This module loads rows for them and writes what they decided, each
//! change through [`Store::write`](crate::Store) with its audit records and outbox events.
//! Links are never deleted: unlinking stamps the action that removed them.
//!
//! - `records`: the rows read (expected payments, receipts, links) as typed records.
//! - `expected`: adding, importing, editing and listing expected payments.
//! - `links`: a payment re-derived from its links; manual links, splits, unlinks, rejects.
//! - `undo`: reversing the newest reviewer step.
//! - `restore`: receipts marked "not a participation payment", and restoring one.
//! - `run`: matching runs and bulk accept.
//! - `review`: the review queues and finding the line a user means.
//! - `cycles`: opening a cycle, per-cycle totals.
//! - `rules`: the saved matching rules.
//! - `events`: the outbox events of these changes.
//! - `remote`: colleagues' expected payments pulled here; refused ones undone.

mod cycles;
mod events;
mod expected;
mod links;
mod records;
pub(crate) mod remote;
pub(crate) mod remote_edit;
pub(crate) mod remote_links;
mod restore;
mod review;
mod rules;
mod run;
mod undo;
mod views;

pub use views::{
    ActionSummary, AwaitingSuggestions, CycleSummary, ExpectedEdit, ExpectedImportSummary,
    ExpectedView, LinkView, MatchRunSummary, NewExpected, ReceiptSuggestionForExpected,
    ReceiptSuggestions, ReceiptView, RejectedReceipt, ReviewQueues, Suggestion,
};

use crate::write::{Audit, Change};
use crate::{timestamp, Result};
use chrono::{DateTime, Utc};
use recon_core::matching::{ActionKind, ExpectedStatus};
use recon_sync::EventBody;
use rusqlite::{params, Transaction};
use serde_json::json;

/// How many suggestions a reviewer sees per row.
pub const SUGGESTIONS_PER_ROW: usize = 3;

/// Every status an expected payment can have.
pub const STATUSES: &[ExpectedStatus] = ExpectedStatus::ALL;

/// A change of several audit records (in the order given) and its events.
fn synced<T>(value: T, audit: Vec<Audit>, events: Vec<EventBody>) -> Change<T> {
    let mut audit = audit.into_iter();
    let first = audit
        .next()
        .expect("a change has at least one audit record");
    Change::synced(value, first, events).and_audits(audit)
}

fn new_action(
    tx: &Transaction<'_>,
    kind: ActionKind,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<i64> {
    tx.prepare_cached("INSERT INTO match_actions (kind, actor, at) VALUES (?1, ?2, ?3)")?
        .execute(params![kind.as_str(), actor, timestamp(now)])?;
    Ok(tx.last_insert_rowid())
}

/// The audit action of a reviewer step: `match.link`, …, `match.undo_split`.
fn action_audit_name(kind: ActionKind, undone: Option<ActionKind>) -> &'static str {
    use ActionKind::*;
    match (kind, undone) {
        (Undo, Some(Link)) => "match.undo_link",
        (Undo, Some(Unlink)) => "match.undo_unlink",
        (Undo, Some(Reject)) => "match.undo_reject",
        (Undo, Some(Split)) => "match.undo_split",
        (Undo, Some(Accept)) => "match.undo_accept",
        (Undo, Some(BulkAccept)) => "match.undo_bulk_accept",
        (Undo, Some(Restore)) => "match.undo_restore",
        (Undo, other) => unreachable!("undo of {other:?} is never recorded"),
        (Run, _) => "match.run",
        (Link, _) => "match.link",
        (Unlink, _) => "match.unlink",
        (Reject, _) => "match.reject",
        (Split, _) => "match.split",
        (Accept, _) => "match.accept",
        (BulkAccept, _) => "match.bulk_accept",
        (Restore, _) => "match.restore",
    }
}

/// The audit record of a reviewer step, after those of the payments it changed.
fn action_audit(
    summary: &ActionSummary,
    kind: ActionKind,
    undone: Option<ActionKind>,
    detail: serde_json::Value,
) -> Audit {
    Audit {
        action: action_audit_name(kind, undone),
        entity: "match_action",
        entity_id: summary.action_id.to_string(),
        before: None,
        after: Some(json!({
            "links_added": summary.links_added, "links_removed": summary.links_removed,
            "expected_changed": summary.expected_changed, "detail": detail,
        })),
    }
}

fn summary(action_id: i64, kind: impl Into<String>) -> ActionSummary {
    ActionSummary {
        action_id,
        kind: kind.into(),
        links_added: 0,
        links_removed: 0,
        expected_changed: Vec::new(),
    }
}

#[cfg(test)]
mod tests;
