//! The links side of two-way sync: colleagues' links, unlinks, rejects, splits, undos and
//! cycle openings applied here (pulled), and this ledger's links the server refused,
//! unlinked by a compensating change. Payments are re-derived from their links by the
//! normal rules (`refresh_expected`).
//!
//! Both record their step as a `run` action: a colleague's step, or the server's refusal,
//! is not this reviewer's step for `recon match undo` to reverse.

use super::links::{insert_link, refresh_all, remove_link};
use super::records::{
    active_links_of, expected_by_memo, is_rejected, receipt_from_row, receipt_select, ReceiptRecord,
};
use super::remote::REFUSED_ACTION;
use super::{action_audit, new_action, summary};
use crate::write::{Audit, RenderedAudit};
use crate::{timestamp, Result, StoreError};
use chrono::{DateTime, Utc};
use recon_core::matching::{normalize_memo, ActionKind, ExpectedStatus, LinkType};
use recon_core::money::Money;
use recon_sync::matching::{JournalRef, MatchLink};
use rusqlite::{params, Transaction};
use serde_json::json;

/// The journal line another device names, if this ledger holds it.
fn receipt_of(tx: &Transaction<'_>, journal: &JournalRef) -> Result<Option<ReceiptRecord>> {
    let rows: Vec<ReceiptRecord> = tx
        .prepare_cached(concat!(receipt_select!(), " WHERE j.natural_key = ?1"))?
        .query_map([&journal.journal_id], receipt_from_row)?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows
        .into_iter()
        .find(|r| r.journal_ref().wallet_key == journal.wallet_key))
}

fn missing(journal: &JournalRef) -> String {
    format!(
        "journal line {} of wallet {} is not in this ledger",
        journal.journal_id, journal.wallet_key
    )
}

/// Where a step pulled from a colleague or refused by the server is written.
pub(crate) struct Step<'a> {
    pub tx: &'a Transaction<'a>,
    pub now: DateTime<Utc>,
    pub by: &'a str,
}

impl Step<'_> {
    fn action(&self) -> Result<i64> {
        new_action(self.tx, ActionKind::Run, self.by, self.now)
    }

    /// Re-derives the payments of `expected_ids` and closes the step's audit.
    fn finish(
        &self,
        action: i64,
        audit_action: &'static str,
        expected_ids: Vec<String>,
        detail: serde_json::Value,
        counts: (u64, u64),
    ) -> Result<Vec<RenderedAudit>> {
        let mut summary = summary(action, ActionKind::Run.as_str());
        summary.links_added = counts.0;
        summary.links_removed = counts.1;
        let mut audits = Vec::new();
        let at = timestamp(self.now);
        let ids = expected_ids.iter().map(String::as_str);
        refresh_all(
            self.tx,
            &at,
            ids,
            &mut audits,
            &mut summary.expected_changed,
        )?;
        let mut record = action_audit(&summary, ActionKind::Run, None, detail);
        record.action = audit_action;
        audits.push(record.into());
        Ok(audits)
    }
}

/// Adds a colleague's links (accepted by the server). A link held here already is a
/// no-op; a receipt held here by another payment, or rejected, is a conflict (`Err`).
/// `Ok(Err(note))`: a line or payment this ledger does not hold.
pub(crate) fn apply_links(
    step: &Step<'_>,
    links: &[MatchLink],
) -> Result<Result<Vec<RenderedAudit>, String>> {
    let action = step.action()?;
    let (mut ids, mut added) = (Vec::new(), 0);
    for link in links {
        let Some(receipt) = receipt_of(step.tx, &link.journal)? else {
            return Ok(Err(missing(&link.journal)));
        };
        let expected = match expected_by_memo(step.tx, &link.expected.memo) {
            Ok(e) => e,
            Err(StoreError::NotFound { .. }) => {
                return Ok(Err(format!(
                    "expected payment '{}' is not in this ledger",
                    link.expected.memo
                )))
            }
            Err(e) => return Err(e),
        };
        let held = active_links_of(step.tx, receipt.view.rowid)?;
        let wanted = normalize_memo(&link.expected.memo);
        if held.iter().any(|h| normalize_memo(&h.memo) == wanted) {
            continue;
        }
        let split = links.len() > 1 && links.iter().all(|l| l.journal == link.journal);
        if let Some(other) = held.first().filter(|_| !split) {
            return Err(StoreError::Conflict(format!(
                "journal line {} is linked here to '{}'; {} linked it to '{}'",
                receipt.view.journal_id, other.memo, step.by, link.expected.memo
            )));
        }
        if is_rejected(step.tx, receipt.view.rowid)? {
            return Err(StoreError::Conflict(format!(
                "journal line {} is marked not a participation payment here",
                receipt.view.journal_id
            )));
        }
        let amount = Money::parse(&link.amount.to_string(), &receipt.currency)
            .map_err(|e| StoreError::Invalid(format!("link amount {}: {e}", link.amount)))?;
        let kind = LinkType::parse(&link.match_type).unwrap_or(LinkType::Manual);
        insert_link(
            step.tx,
            &expected.id,
            receipt.view.rowid,
            &amount,
            kind,
            None,
            action,
        )?;
        ids.push(expected.id);
        added += 1;
    }
    let detail = json!({"links": links.len(), "pulled_from": step.by});
    let audits = step.finish(action, "match.pulled_link", ids, detail, (added, 0))?;
    Ok(Ok(audits))
}

/// Removes the active links named (a colleague's unlink, or this ledger's refused link).
/// Links already gone are skipped. Returns the payments touched and the links removed.
fn remove_links(
    step: &Step<'_>,
    action: i64,
    links: &[MatchLink],
) -> Result<Result<(Vec<String>, u64), String>> {
    let (mut ids, mut removed) = (Vec::new(), 0);
    for link in links {
        let Some(receipt) = receipt_of(step.tx, &link.journal)? else {
            return Ok(Err(missing(&link.journal)));
        };
        let wanted = normalize_memo(&link.expected.memo);
        for held in active_links_of(step.tx, receipt.view.rowid)? {
            if normalize_memo(&held.memo) == wanted {
                remove_link(step.tx, held.id, action)?;
                ids.push(held.expected_id);
                removed += 1;
            }
        }
    }
    Ok(Ok((ids, removed)))
}

/// A colleague's unlink.
pub(crate) fn apply_unlinks(
    step: &Step<'_>,
    links: &[MatchLink],
) -> Result<Result<Vec<RenderedAudit>, String>> {
    let action = step.action()?;
    let (ids, removed) = match remove_links(step, action, links)? {
        Ok(done) => done,
        Err(note) => return Ok(Err(note)),
    };
    let detail = json!({"links": links.len(), "pulled_from": step.by});
    Ok(Ok(step.finish(
        action,
        "match.pulled_unlink",
        ids,
        detail,
        (0, removed),
    )?))
}

/// This ledger's links the server refused, unlinked; the payments they had paid are
/// re-derived (back to awaiting payment when nothing else pays them). Returns whether
/// every link was undone, and the audit ("refused by the server: REASON").
pub(crate) fn undo_links(
    step: &Step<'_>,
    links: &[MatchLink],
    reason: &str,
) -> Result<(bool, Vec<RenderedAudit>)> {
    let action = step.action()?;
    let (ids, removed) = match remove_links(step, action, links)? {
        Ok(done) => done,
        Err(_) => return Ok((false, Vec::new())),
    };
    let note = format!("refused by the server: {reason}");
    let detail = json!({"links": links.len(), "note": note});
    let audits = step.finish(action, REFUSED_ACTION, ids, detail, (0, removed))?;
    Ok((true, audits))
}

/// A colleague's "not a participation payment" (a receipt rejected here already is a
/// no-op; one linked here is a conflict).
pub(crate) fn apply_reject(
    step: &Step<'_>,
    journal: &JournalRef,
    reason: &str,
) -> Result<Result<Vec<RenderedAudit>, String>> {
    let Some(receipt) = receipt_of(step.tx, journal)? else {
        return Ok(Err(missing(journal)));
    };
    if is_rejected(step.tx, receipt.view.rowid)? {
        return Ok(Ok(Vec::new()));
    }
    if let Some(link) = active_links_of(step.tx, receipt.view.rowid)?.first() {
        return Err(StoreError::Conflict(format!(
            "journal line {} is linked here to '{}'",
            receipt.view.journal_id, link.memo
        )));
    }
    let action = step.action()?;
    step.tx
        .prepare_cached(
            "INSERT INTO receipt_rejections (journal_rowid, reason, created_by_action)
             VALUES (?1, ?2, ?3)",
        )?
        .execute(params![receipt.view.rowid, reason, action])?;
    let detail = json!({"journal_id": receipt.view.journal_id, "reason": reason,
                        "pulled_from": step.by});
    Ok(Ok(step.finish(
        action,
        "match.pulled_reject",
        Vec::new(),
        detail,
        (0, 0),
    )?))
}

/// Lifts the rejections of the lines named (a colleague's undo or restore).
pub(crate) fn lift_rejections(
    step: &Step<'_>,
    journals: &[JournalRef],
) -> Result<Result<Vec<RenderedAudit>, String>> {
    let action = step.action()?;
    for journal in journals {
        let Some(receipt) = receipt_of(step.tx, journal)? else {
            return Ok(Err(missing(journal)));
        };
        step.tx
            .prepare_cached(
                "UPDATE receipt_rejections SET removed_by_action = ?2
                  WHERE journal_rowid = ?1 AND removed_by_action IS NULL",
            )?
            .execute(params![receipt.view.rowid, action])?;
    }
    let detail = json!({"lifted": journals.len(), "pulled_from": step.by});
    Ok(Ok(step.finish(
        action,
        "match.pulled_restore",
        Vec::new(),
        detail,
        (0, 0),
    )?))
}

/// A colleague opened a cycle: the payments it cancelled that still await payment here
/// are cancelled here too (one paid here meanwhile stays as it is).
pub(crate) fn apply_cycle_opened(
    step: &Step<'_>,
    cycle_id: &str,
    memos: &[String],
) -> Result<Result<Vec<RenderedAudit>, String>> {
    let mut audits = Vec::new();
    for memo in memos {
        let Ok(held) = expected_by_memo(step.tx, memo) else {
            continue;
        };
        if held.state.status != ExpectedStatus::AwaitingPayment {
            continue;
        }
        step.tx
            .prepare_cached("UPDATE expected_payments SET status = 'cancelled' WHERE id = ?1")?
            .execute([&held.id])?;
        audits.push(
            Audit {
                action: "expected.update",
                entity: "expected_payment",
                entity_id: held.id.clone(),
                before: Some(held.audit_json()),
                after: Some(json!({"status": "cancelled",
                    "note": format!("cycle {cycle_id} opened by {}", step.by)})),
            }
            .into(),
        );
    }
    Ok(Ok(audits))
}
