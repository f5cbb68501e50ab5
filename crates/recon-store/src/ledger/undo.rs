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
//! - a settlements import: each commission entry reversed (as above) and each
//!   settlement's revenue posted back by the opposite lines, so the ledger's balances are
//!   the server's again; the settlement rows stay (never deleted), their ids spent here,
//!   and a colleague's settlement under one of them is kept "not applied".
//!
//! Not undone (listed, for a person to settle): an entry that is paid, reserved by a
//! batch or reversed meanwhile (a settlements event: if any of its entries is); a
//! reversal (see `sync_refusals.rs`).

use super::entries::{entry_by_id, negate_text, opposite_lines, post_reversal};
use super::remote::entry_by_key;
use super::{account_id, insert_lines, next_txn_id, EntryView};
use crate::write::{Audit, RenderedAudit};
use crate::Result;
use recon_core::ledger::{check_reversible, EntryFacts, EntrySource, EntryStatus};
use recon_sync::ledger::{ConversionApproved, ConversionRejected, SettlementsImported};
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

/// The entry, when recon-core's rules let it be reversed now (pending, not reversed, not
/// held by a live batch).
fn reversible(tx: &Transaction<'_>, id: i64, reason: &str) -> Result<Option<EntryView>> {
    let entry = entry_by_id(tx, id)?;
    let facts = EntryFacts {
        id,
        source: EntrySource::parse(&entry.source).map_err(crate::StoreError::Invalid)?,
        status: EntryStatus::parse(&entry.status).map_err(crate::StoreError::Invalid)?,
        reversed_by: entry.reversed_by,
    };
    let holder = crate::payouts::holder_of(tx, id)?;
    let reserved = recon_core::payouts::check_not_reserved(
        &id.to_string(),
        holder.as_ref().map(|(b, s)| (b.as_str(), *s)),
    );
    Ok((check_reversible(&facts, reason).is_ok() && reserved.is_ok()).then_some(entry))
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
    let note = refused_note(reason);
    let Some(original) = reversible(tx, entry_id, &note)? else {
        return not_undone();
    };
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

/// One settlement of a refused import as this ledger holds it: its revenue transaction
/// and its commission entries.
struct HeldSettlement {
    id: String,
    revenue_txn: i64,
    entries: Vec<EntryView>,
}

/// A refused settlements import: every commission reversed and every revenue posted back,
/// or (an entry paid, in a batch, reversed) nothing.
pub(crate) fn settlements_imported(
    tx: &Transaction<'_>,
    now: &str,
    b: &SettlementsImported,
    reason: &str,
) -> Undone {
    let note = refused_note(reason);
    let mut held = Vec::with_capacity(b.settlements.len());
    for s in &b.settlements {
        let revenue_txn: Option<i64> = tx
            .prepare_cached("SELECT txn_id FROM ledger_settlements WHERE settlement_id = ?1")?
            .query_row([&s.settlement_id], |r| r.get(0))
            .optional()?;
        let Some(revenue_txn) = revenue_txn else {
            return not_undone();
        };
        let ids: Vec<i64> = tx
            .prepare_cached(
                "SELECT id FROM ledger_entries WHERE source = 'settlement'
                    AND source_ref IN (?1 || ':direct', ?1 || ':override') ORDER BY id",
            )?
            .query_map([&s.settlement_id], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        let mut entries = Vec::with_capacity(ids.len());
        for id in ids {
            match reversible(tx, id, &note)? {
                Some(entry) => entries.push(entry),
                None => return not_undone(),
            }
        }
        held.push(HeldSettlement {
            id: s.settlement_id.clone(),
            revenue_txn,
            entries,
        });
    }
    let mut audits = Vec::new();
    for s in held {
        let mut reversed = Vec::with_capacity(s.entries.len());
        for entry in &s.entries {
            let residue = negate_text(&entry.residue);
            let posted = post_reversal(tx, entry, &note, &residue, now, Some(&note))?;
            reversed.push(entry.id);
            audits.extend([posted.reversed.into(), posted.created.into()]);
        }
        let opposite = opposite_lines(
            tx,
            s.revenue_txn,
            &format!("the revenue of settlement '{}' posted back", s.id),
        )?;
        let txn_id = next_txn_id(tx)?;
        insert_lines(tx, txn_id, 1, &opposite, &mut account_id)?;
        let audit = Audit {
            action: "sync.refused",
            entity: "ledger_settlement",
            entity_id: s.id.clone(),
            before: Some(json!({"revenue_transaction": s.revenue_txn})),
            after: Some(
                json!({"revenue_posted_back": txn_id, "entries_reversed": reversed,
                "note": note}),
            ),
        };
        audits.push(audit.into());
    }
    Ok((true, audits))
}
