//! Receipts marked "not a participation payment": listing them, and restoring one (back into
//! the matching input) as a reviewer step of its own, undoable like the others.

use super::links::refusal;
use super::records::{is_rejected, receipt_by_rowid, receipt_from_row};
use super::views::{ActionSummary, RejectedReceipt};
use super::{action_audit, new_action, summary, synced};
use crate::{Result, Store};
use chrono::{DateTime, Utc};
use recon_core::matching::{check_restore, ActionKind, ReceiptState};
use recon_sync::matching::MatchUndone;
use recon_sync::EventBody;
use rusqlite::params;
use serde_json::json;

impl Store {
    /// Every receipt marked "not a participation payment" and not restored, newest mark first.
    pub fn rejected_receipts(&self) -> Result<Vec<RejectedReceipt>> {
        // receipt_select!()'s columns (0..=12), then the mark's.
        let sql = "SELECT j.rowid_pk, j.natural_key, w.name, j.date, j.amount_minor,
                w.currency, c.scale, j.first_party_id, j.reason, j.description,
                w.kind, w.owner_id, w.division, x.reason, a.at, a.actor
             FROM receipt_rejections x
             JOIN match_actions a ON a.id = x.created_by_action
             JOIN journal_entries j ON j.rowid_pk = x.journal_rowid
             JOIN wallets w ON w.no = j.wallet_no
             JOIN currencies c ON c.code = w.currency
             WHERE x.removed_by_action IS NULL ORDER BY x.id DESC";
        let mut stmt = self.conn.prepare_cached(sql)?;
        let rows = stmt
            .query_map([], |r| {
                Ok(RejectedReceipt {
                    receipt: receipt_from_row(r)?.view,
                    rejection_reason: r.get(13)?,
                    rejected_at: r.get(14)?,
                    rejected_by: r.get(15)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    /// Lifts the "not a participation payment" mark of a receipt: it is matched again.
    pub fn match_restore(
        &mut self,
        actor: &str,
        now: DateTime<Utc>,
        rowid: i64,
    ) -> Result<ActionSummary> {
        self.write(actor, now, |tx| {
            let receipt = receipt_by_rowid(tx, rowid)?;
            check_restore(ReceiptState {
                journal_id: &receipt.view.journal_id,
                amount: &receipt.amount,
                linked_to: None,
                rejected: is_rejected(tx, rowid)?,
            })
            .map_err(refusal)?;
            let action = new_action(tx, ActionKind::Restore, actor, now)?;
            tx.prepare_cached(
                "UPDATE receipt_rejections SET removed_by_action = ?2
                 WHERE journal_rowid = ?1 AND removed_by_action IS NULL",
            )?
            .execute(params![rowid, action])?;
            let summary = summary(action, ActionKind::Restore.as_str());
            let detail = json!({"journal_id": receipt.view.journal_id});
            let audit = action_audit(&summary, ActionKind::Restore, None, detail);
            // Another device sees what an undone rejection shows it: the mark lifted.
            let event = EventBody::MatchUndone(MatchUndone {
                undone: ActionKind::Reject.as_str().to_owned(),
                links_removed: Vec::new(),
                links_restored: Vec::new(),
                rejections_lifted: vec![receipt.journal_ref()],
            });
            Ok(synced(summary, vec![audit], vec![event]))
        })
    }
}
