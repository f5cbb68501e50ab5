//! The undo of this ledger's partner-ledger changes the server refused (issue 12), each
//! through the ledger's own rules and audited "refused by the server: REASON":
//!
//! - a conversion approval: its entry is reversed (entries are immutable, so the undo is
//!   recon-core's reversal, the reason "refused by the server: …") and the conversion goes
//!   back to `pending`, as it stands on the server. Its entry's key is spent here, so it is
//!   not approved again on this laptop (`approve_conversion` says why); a colleague's
//!   later approval of it is kept "not applied" rather than skipped silently.
//! - a conversion rejection: back to `pending` (a colleague's approval pulled next then
//!   applies as on the server).
//!
//! Not undone (listed, for a person to settle): an entry that is paid, reserved by a
//! batch or reversed meanwhile; a reversal (see `sync_refusals.rs`).

use super::entries::{entry_by_id, post_reversal};
use super::remote::entry_by_key;
use crate::write::{Audit, RenderedAudit};
use crate::Result;
use recon_core::ledger::{check_reversible, EntryFacts, EntrySource, EntryStatus};
use recon_sync::ledger::{ConversionApproved, ConversionRejected};
use rusqlite::{params, OptionalExtension, Transaction};
use serde_json::json;

/// What an undo answers: whether it undid the change, and its audit records.
pub(crate) type Undone = Result<(bool, Vec<RenderedAudit>)>;

fn not_undone() -> Undone {
    Ok((false, Vec::new()))
}

pub(crate) fn refused_note(reason: &str) -> String {
    format!("refused by the server: {reason}")
}

fn conversion_state(tx: &Transaction<'_>, id: &str) -> Result<Option<(String, Option<i64>)>> {
    Ok(tx
        .prepare_cached("SELECT status, entry_id FROM ledger_conversions WHERE conversion_id = ?1")?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?)
}

/// A refused approval: its entry reversed, the conversion back to `pending`.
pub(crate) fn conversion_approved(
    tx: &Transaction<'_>,
    now: &str,
    b: &ConversionApproved,
    reason: &str,
) -> Undone {
    let Some(entry_id) = entry_by_key(tx, EntrySource::Conversion.as_str(), &b.conversion_id)?
    else {
        return not_undone();
    };
    if conversion_state(tx, &b.conversion_id)? != Some(("approved".into(), Some(entry_id))) {
        return not_undone();
    }
    let original = entry_by_id(tx, entry_id)?;
    let note = refused_note(reason);
    let facts = EntryFacts {
        id: entry_id,
        source: EntrySource::Conversion,
        status: EntryStatus::parse(&original.status).map_err(crate::StoreError::Invalid)?,
        reversed_by: original.reversed_by,
    };
    let holder = crate::payouts::holder_of(tx, entry_id)?;
    let reserved = recon_core::payouts::check_not_reserved(
        entry_id,
        holder.as_ref().map(|(b, s)| (b.as_str(), *s)),
    );
    if check_reversible(&facts, &note).is_err() || reserved.is_err() {
        return not_undone();
    }
    // The approval's entry carried no residue, so its reversal carries none either.
    let posted = post_reversal(tx, &original, &note, "0", now, Some(&note))?;
    tx.execute(
        "UPDATE ledger_conversions SET status = 'pending', entry_id = NULL, decided_at = NULL,
            decided_by = NULL WHERE conversion_id = ?1",
        [&b.conversion_id],
    )?;
    let conversion = Audit {
        action: "sync.refused",
        entity: "ledger_conversion",
        entity_id: b.conversion_id.clone(),
        before: Some(json!({"status": "approved", "entry_id": entry_id})),
        after: Some(json!({"status": "pending", "reversed_by": posted.id, "note": note})),
    };
    Ok((
        true,
        vec![
            posted.reversed.into(),
            posted.created.into(),
            conversion.into(),
        ],
    ))
}

/// A refused rejection: the conversion back to `pending` while it is still rejected here.
pub(crate) fn conversion_rejected(
    tx: &Transaction<'_>,
    b: &ConversionRejected,
    reason: &str,
) -> Undone {
    let Some((status, _)) = conversion_state(tx, &b.conversion_id)? else {
        return not_undone();
    };
    if status != "rejected" {
        return not_undone();
    }
    let note = refused_note(reason);
    tx.execute(
        "UPDATE ledger_conversions SET status = 'pending', reason = NULL, decided_at = NULL,
            decided_by = NULL WHERE conversion_id = ?1",
        params![b.conversion_id],
    )?;
    let audit = Audit {
        action: "sync.refused",
        entity: "ledger_conversion",
        entity_id: b.conversion_id.clone(),
        before: Some(json!({"status": "rejected", "reason": b.reason.trim()})),
        after: Some(json!({"status": "pending", "note": note})),
    };
    Ok((true, vec![audit.into()]))
}
