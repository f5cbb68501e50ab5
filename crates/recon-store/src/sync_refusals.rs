//! Local changes the server refused for good (SPEC §9, issue 12): each is undone by a
//! compensating change where this ledger has one, audited "refused by the server:
//! REASON", and listed under Needs attention. And the counts of the last sync.
//!
//! What is undone:
//! - expected payments the server refused are cancelled (kept, as every cancelled payment
//!   is) when nothing links to them yet; a refused cycle opening puts the payments it
//!   cancelled back to awaiting payment (`matching/remote.rs`); refused links and splits
//!   are unlinked (`sync_pull_matching.rs`).
//! - a refused conversion approval: its entry is reversed (recon-core's reversal, as
//!   entries are immutable) and the conversion is `pending` again; a refused rejection:
//!   back to `pending` (`ledger/undo.rs`). Neither while the entry is paid, in a batch or
//!   reversed already. A refused settlements import: its commissions reversed and its
//!   revenue posted back, all or (an entry paid or in a batch) nothing.
//! - a refused payout batch move goes back to the state before it (an approval: back to
//!   `pending_approval`), a refused batch creation deletes the batch while it is still
//!   editable, a refused notes edit puts the notes back (`payouts/remote.rs`); a refused
//!   deletion or line removal puts the batch or line back with its entries, from the
//!   refused change's audit record, while those entries are still pending and free
//!   (`payouts/undo.rs`); a paid batch is final.
//! - a refused wallet operation or check fix is taken back (its transaction removed, the
//!   balances restored) while the wallet's money allows it (`checks/remote.rs`).
//!
//! Not undone (listed "not undone" for a person to settle), and why:
//! - journal lines: they are what the wallet's journal says, so a refusal of them
//!   (another value on the server, a value it cannot store) stays for a person to compare.
//! - a ledger entry reversal: entries are immutable and a reversed entry never becomes
//!   pending again (SQLite triggers); re-posting it would be an entry under a key the
//!   server does not know, which batches could then reserve.
//! - an entries reservation: the server holds the batch without those entries (another
//!   batch there has them) while its lines still count them; releasing them here would
//!   leave a batch whose total its entries do not make. The batch is left for a person
//!   to delete (the server accepts that while it is editable) and create again. So are a
//!   deletion or line removal whose entries were taken meanwhile.
//! - refused platform imports and check runs (`checks/remote.rs`), and every other kind
//!   (programs, entities, conversion imports) until it has a compensation.

use crate::write::{Audit, Change, LocalOnly};
use crate::{timestamp, Result, Store};
use chrono::{DateTime, Utc};
use recon_sync::{Conflict, Event, EventBody, Refusal};
use rusqlite::{params, OptionalExtension};
use serde_json::json;

/// A local change the server refused.
#[derive(Debug, Clone, PartialEq)]
pub struct RefusedChange {
    pub event_id: String,
    pub kind: String,
    /// `recon_sync::RefusalCode` as it travels (`conflict`, `invalid_value`, …).
    pub code: String,
    pub reason: String,
    pub conflicts: Vec<Conflict>,
    /// A compensating change reverted it on this ledger.
    pub undone: bool,
    pub refused_at: String,
}

/// What the last sync did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncCounts {
    pub pushed: i64,
    pub pulled: i64,
    pub refused: i64,
    pub at: Option<String>,
}

const COUNTS: &str = "sync.last_counts";

impl Store {
    /// Records the server's refusal of `event` and undoes it where this ledger can. A
    /// refusal recorded before is returned as it was (a replayed answer).
    pub fn record_refusal(
        &mut self,
        actor: &str,
        now: DateTime<Utc>,
        event: &Event,
        refusal: &Refusal,
    ) -> Result<RefusedChange> {
        let id = event.id.to_string();
        if let Some(known) = self.refusal(&id)? {
            return Ok(known);
        }
        let code = serde_json::to_value(refusal.code)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        let refused = RefusedChange {
            event_id: id.clone(),
            kind: event.body.kind().to_owned(),
            code,
            reason: refusal.reason.clone(),
            conflicts: refusal.conflicts.clone(),
            undone: false,
            refused_at: timestamp(now),
        };
        self.write(actor, now, |tx| {
            let (undone, records) = match &event.body {
                EventBody::ExpectedPaymentsAdded(b) => {
                    crate::matching::remote::undo_expected_added(tx, b, &refusal.reason)?
                }
                EventBody::CycleOpened(b) => {
                    crate::matching::remote::undo_cycle_opened(tx, b, &refusal.reason)?
                }
                b if crate::sync_pull_matching::handles(b) => {
                    crate::sync_pull_matching::undo(tx, now, actor, b, &refusal.reason)?
                }
                EventBody::PayoutBatchTransitioned(b) => crate::payouts::remote::undo_transition(
                    tx,
                    &timestamp(now),
                    b,
                    &refusal.reason,
                )?,
                EventBody::PayoutBatchCreated(b) => {
                    crate::payouts::remote::undo_created(tx, b, &refusal.reason)?
                }
                EventBody::PayoutBatchEdited(b) if b.removed_entity.is_some() => {
                    crate::payouts::undo::undo_line_removed(tx, &timestamp(now), b, &refusal.reason)?
                }
                EventBody::PayoutBatchEdited(b) => {
                    crate::payouts::remote::undo_edited(tx, &timestamp(now), b, &refusal.reason)?
                }
                EventBody::PayoutBatchDeleted(b) => {
                    crate::payouts::undo::undo_deleted(tx, &timestamp(now), b, &refusal.reason)?
                }
                EventBody::ConversionApproved(b) => crate::ledger::undo::conversion_approved(
                    tx,
                    &timestamp(now),
                    b,
                    &refusal.reason,
                )?,
                EventBody::SettlementsImported(b) => crate::ledger::undo::settlements_imported(
                    tx,
                    &timestamp(now),
                    b,
                    &refusal.reason,
                )?,
                EventBody::ConversionRejected(b) => {
                    crate::ledger::undo::conversion_rejected(tx, b, &refusal.reason)?
                }
                b if crate::sync_pull_checks::handles(b) => {
                    crate::checks::remote::undo_refused(tx, b, &refusal.reason)?
                }
                _ => (false, Vec::new()),
            };
            let refused = RefusedChange { undone, ..refused };
            let conflicts = serde_json::to_string(&refused.conflicts).unwrap_or_default();
            tx.execute(
                "INSERT INTO sync_refusals (event_id, kind, code, reason, conflicts, undone, refused_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![refused.event_id, refused.kind, refused.code, refused.reason, conflicts,
                        refused.undone, refused.refused_at],
            )?;
            let note = if undone {
                format!("refused by the server: {}", refused.reason)
            } else {
                format!("refused by the server: {} (not undone here)", refused.reason)
            };
            let audit = Audit {
                action: "sync.refused",
                entity: "sync_event",
                entity_id: refused.event_id.clone(),
                before: None,
                after: Some(json!({
                    "kind": refused.kind, "code": refused.code, "conflicts": refused.conflicts,
                    "undone": undone, "note": note,
                })),
            };
            Ok(Change::local(refused, audit, LocalOnly::RefusedByServer).and_rendered_audits(records))
        })
    }

    fn refusal(&self, event_id: &str) -> Result<Option<RefusedChange>> {
        Ok(self
            .refusals_where("WHERE event_id = ?1", params![event_id])?
            .pop())
    }

    /// Every refused change, newest first: the Needs attention list.
    pub fn sync_refusals(&self) -> Result<Vec<RefusedChange>> {
        self.refusals_where("", params![])
    }

    fn refusals_where(
        &self,
        filter: &str,
        args: &[&dyn rusqlite::ToSql],
    ) -> Result<Vec<RefusedChange>> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT event_id, kind, code, reason, conflicts, undone, refused_at FROM sync_refusals
             {filter} ORDER BY refused_at DESC, event_id"
        ))?;
        let rows = stmt.query_map(args, |r| {
            let conflicts: String = r.get(4)?;
            Ok(RefusedChange {
                event_id: r.get(0)?,
                kind: r.get(1)?,
                code: r.get(2)?,
                reason: r.get(3)?,
                conflicts: serde_json::from_str(&conflicts).unwrap_or_default(),
                undone: r.get(5)?,
                refused_at: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Keeps what the last sync did (bookkeeping: no audit record).
    pub fn record_sync_counts(&mut self, now: DateTime<Utc>, counts: &SyncCounts) -> Result<()> {
        let value = json!({
            "pushed": counts.pushed, "pulled": counts.pulled, "refused": counts.refused,
            "at": timestamp(now),
        })
        .to_string();
        self.write_bookkeeping(|tx| {
            tx.execute(
                "INSERT INTO settings (key, value) VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                params![COUNTS, value],
            )?;
            Ok(())
        })
    }

    /// What the last sync did (None: no sync finished yet).
    pub fn last_sync_counts(&self) -> Result<Option<SyncCounts>> {
        let value: Option<String> = self
            .conn
            .query_row("SELECT value FROM settings WHERE key = ?1", [COUNTS], |r| {
                r.get(0)
            })
            .optional()?;
        Ok(value
            .and_then(|v| serde_json::from_str::<serde_json::Value>(&v).ok())
            .map(|v| SyncCounts {
                pushed: v["pushed"].as_i64().unwrap_or(0),
                pulled: v["pulled"].as_i64().unwrap_or(0),
                refused: v["refused"].as_i64().unwrap_or(0),
                at: v["at"].as_str().map(str::to_owned),
            }))
    }
}

#[cfg(test)]
#[path = "sync_refusals_tests.rs"]
mod tests;
