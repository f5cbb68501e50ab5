//! The matching kinds of two-way sync, dispatched: colleagues' links, unlinks, rejects,
//! splits, undos and cycle openings applied to this ledger when pulled, and this
//! ledger's own the server refused, undone (links unlinked; a reject or split refused
//! undone the same way). The steps themselves are in `matching::remote_links`.

use crate::matching::remote_links::{self as links, Step};
use crate::write::RenderedAudit;
use crate::Result;
use chrono::{DateTime, Utc};
use recon_sync::EventBody;
use rusqlite::Transaction;

pub(crate) fn handles(body: &EventBody) -> bool {
    matches!(
        body,
        EventBody::MatchLinked(_)
            | EventBody::MatchUnlinked(_)
            | EventBody::ReceiptRejected(_)
            | EventBody::ReceiptSplit(_)
            | EventBody::MatchUndone(_)
            | EventBody::CycleOpened(_)
    )
}

/// Applies a colleague's matching event (accepted by the server). `Ok(Err(note))`: it
/// names a line or payment this ledger does not hold.
pub(crate) fn apply(
    tx: &Transaction<'_>,
    now: DateTime<Utc>,
    by: &str,
    body: &EventBody,
) -> Result<Result<Vec<RenderedAudit>, String>> {
    let step = Step { tx, now, by };
    match body {
        EventBody::MatchLinked(b) => links::apply_links(&step, &b.links),
        EventBody::ReceiptSplit(b) => links::apply_links(&step, &b.shares),
        EventBody::MatchUnlinked(b) => links::apply_unlinks(&step, &b.links),
        EventBody::ReceiptRejected(b) => links::apply_reject(&step, &b.journal, &b.reason),
        EventBody::CycleOpened(b) => links::apply_cycle_opened(&step, &b.cycle_id, &b.cancelled),
        EventBody::MatchUndone(b) => {
            let mut audits = match links::apply_unlinks(&step, &b.links_removed)? {
                Ok(audits) => audits,
                Err(note) => return Ok(Err(note)),
            };
            for part in [
                links::lift_rejections(&step, &b.rejections_lifted)?,
                links::apply_links(&step, &b.links_restored)?,
            ] {
                match part {
                    Ok(more) => audits.extend(more),
                    Err(note) => return Ok(Err(note)),
                }
            }
            Ok(Ok(audits))
        }
        other => Ok(Err(format!("'{}' is not a matching kind", other.kind()))),
    }
}

/// Undoes this ledger's matching event the server refused. Links made (a link, a split)
/// are unlinked; other kinds stay "refused, not undone" for a person to settle.
pub(crate) fn undo(
    tx: &Transaction<'_>,
    now: DateTime<Utc>,
    actor: &str,
    body: &EventBody,
    reason: &str,
) -> Result<(bool, Vec<RenderedAudit>)> {
    let step = Step { tx, now, by: actor };
    match body {
        EventBody::MatchLinked(b) => links::undo_links(&step, &b.links, reason),
        EventBody::ReceiptSplit(b) => links::undo_links(&step, &b.shares, reason),
        _ => Ok((false, Vec::new())),
    }
}
