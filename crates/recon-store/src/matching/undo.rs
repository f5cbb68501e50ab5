//! Undo: reverses the newest reviewer step not yet undone.

use super::links::{refresh_all, refusal, remove_link};
use super::records::{
    active_links_of, is_rejected, links_created_by, links_removed_by, receipt_by_rowid,
};
use super::views::ActionSummary;
use super::{action_audit, events, new_action, summary};
use crate::write::Change;
use crate::{timestamp, Result, Store, StoreError};
use chrono::{DateTime, Utc};
use recon_core::matching::{check_rejectable, check_restorable, ActionKind, ReceiptState};
use recon_sync::matching::{JournalRef, ReceiptRejected};
use recon_sync::EventBody;
use rusqlite::{params, OptionalExtension, Transaction};
use serde_json::json;
use std::collections::BTreeSet;

/// The newest reviewer step not yet undone: its id and kind.
fn undo_target(tx: &Transaction<'_>) -> Result<(i64, ActionKind)> {
    // The kinds of `ActionKind::UNDOABLE`.
    let target: Option<(i64, String)> = tx
        .query_row(
            "SELECT id, kind FROM match_actions
             WHERE kind IN ('link', 'unlink', 'reject', 'split', 'accept', 'bulk_accept', 'restore')
               AND undone_by_action IS NULL ORDER BY id DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let Some((id, kind)) = target else {
        return Err(StoreError::NothingToUndo);
    };
    let kind = ActionKind::parse(&kind).map_err(|e| StoreError::Invalid(e.to_string()))?;
    debug_assert!(kind.is_undoable());
    Ok((id, kind))
}

/// Lifts the rejections `target` made; returns the lines they were on.
fn lift_rejections(tx: &Transaction<'_>, target: i64, undo: i64) -> Result<Vec<JournalRef>> {
    let rowids: Vec<i64> = tx
        .prepare_cached(
            "SELECT journal_rowid FROM receipt_rejections
             WHERE created_by_action = ?1 AND removed_by_action IS NULL ORDER BY id",
        )?
        .query_map([target], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut lifted = Vec::with_capacity(rowids.len());
    for rowid in rowids {
        lifted.push(receipt_by_rowid(tx, rowid)?.journal_ref());
    }
    tx.execute(
        "UPDATE receipt_rejections SET removed_by_action = ?2 WHERE created_by_action = ?1 AND removed_by_action IS NULL",
        params![target, undo],
    )?;
    Ok(lifted)
}

/// Puts back the "not a participation payment" marks a restore (`target`) lifted, unless the
/// receipt has been linked since; returns their events.
fn remark_rejections(tx: &Transaction<'_>, target: i64) -> Result<Vec<EventBody>> {
    let marks: Vec<(i64, i64, String)> = tx
        .prepare_cached(
            "SELECT id, journal_rowid, reason FROM receipt_rejections
             WHERE removed_by_action = ?1 ORDER BY id",
        )?
        .query_map([target], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut events = Vec::with_capacity(marks.len());
    for (id, rowid, reason) in marks {
        let receipt = receipt_by_rowid(tx, rowid)?;
        let linked_to = active_links_of(tx, rowid)?.into_iter().next();
        check_rejectable(ReceiptState {
            journal_id: &receipt.view.journal_id,
            amount: &receipt.amount,
            linked_to: linked_to.as_ref().map(|l| l.memo.as_str()),
            rejected: is_rejected(tx, rowid)?,
        })
        .map_err(refusal)?;
        tx.prepare_cached("UPDATE receipt_rejections SET removed_by_action = NULL WHERE id = ?1")?
            .execute([id])?;
        events.push(EventBody::ReceiptRejected(ReceiptRejected {
            journal: receipt.journal_ref(),
            reason,
        }));
    }
    Ok(events)
}

impl Store {
    /// Reverses the newest reviewer step not yet undone (runs are not undone: unlink what
    /// a run linked instead). Refused when a link it would restore conflicts with one made since.
    pub fn match_undo(&mut self, actor: &str, now: DateTime<Utc>) -> Result<ActionSummary> {
        let at = timestamp(now);
        self.write(actor, now, |tx| {
            let (target, target_kind) = undo_target(tx)?;
            let undo = new_action(tx, ActionKind::Undo, actor, now)?;
            let mut summary = summary(undo, format!("undo {target_kind}"));
            let mut touched: BTreeSet<String> = BTreeSet::new();
            let created = links_created_by(tx, target)?;
            for link in &created {
                remove_link(tx, link.id, undo)?;
                summary.links_removed += 1;
                touched.insert(link.expected_id.clone());
            }
            let removed = links_removed_by(tx, target)?;
            for link in &removed {
                let linked_to = active_links_of(tx, link.journal_rowid)?.into_iter().next();
                let rejected = is_rejected(tx, link.journal_rowid)?;
                check_restorable(linked_to.as_ref().map(|l| l.memo.as_str()), rejected)
                    .map_err(refusal)?;
                tx.prepare_cached("UPDATE match_links SET removed_by_action = NULL WHERE id = ?1")?
                    .execute([link.id])?;
                summary.links_added += 1;
                touched.insert(link.expected_id.clone());
            }
            let lifted = lift_rejections(tx, target, undo)?;
            let remarked = remark_rejections(tx, target)?;
            tx.execute(
                "UPDATE match_actions SET undone_by_action = ?2 WHERE id = ?1",
                params![target, undo],
            )?;
            let mut audit = Vec::with_capacity(touched.len() + 1);
            let ids = touched.iter().map(String::as_str);
            refresh_all(tx, &at, ids, &mut audit, &mut summary.expected_changed)?;
            let detail = json!({"undone_action": target});
            audit.push(action_audit(&summary, ActionKind::Undo, Some(target_kind), detail).into());
            let mut events = events::undone(
                target_kind.as_str(),
                created.into_iter().map(|l| l.event).collect(),
                removed.into_iter().map(|l| l.event).collect(),
                lifted,
            );
            events.extend(remarked);
            Ok(Change::synced_rendered(summary, audit, events))
        })
    }
}
