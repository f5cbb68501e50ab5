//! Which colleagues' partner-ledger and payout events this ledger applies when pulled
//! (issue 12), and where each goes: `ledger/remote.rs`, `payouts/remote.rs`.

use crate::ledger::remote::{self as ledger, Applied};
use crate::payouts::remote as payouts;
use recon_sync::EventBody;
use rusqlite::Transaction;

pub(crate) fn handles(body: &EventBody) -> bool {
    matches!(
        body,
        EventBody::ProgramAdded(_)
            | EventBody::ProgramStatusSet(_)
            | EventBody::EntityAdded(_)
            | EventBody::ConversionsImported(_)
            | EventBody::ConversionApproved(_)
            | EventBody::SettlementsImported(_)
            | EventBody::ConversionRejected(_)
            | EventBody::LedgerEntryReversed(_)
            | EventBody::PayoutBatchCreated(_)
            | EventBody::PayoutEntriesReserved(_)
            | EventBody::PayoutBatchEdited(_)
            | EventBody::PayoutBatchDeleted(_)
            | EventBody::PayoutBatchTransitioned(_)
    )
}

/// Applies one of the kinds [`handles`] says yes to, as `by` (the colleague the server
/// authenticated) at `now`.
pub(crate) fn apply(tx: &Transaction<'_>, now: &str, by: &str, body: &EventBody) -> Applied {
    match body {
        EventBody::ProgramAdded(b) => ledger::program_added(tx, now, by, b),
        EventBody::ProgramStatusSet(b) => ledger::program_status_set(tx, by, b),
        EventBody::EntityAdded(b) => ledger::entity_added(tx, now, by, b),
        EventBody::ConversionsImported(b) => ledger::conversions_imported(tx, now, by, b),
        EventBody::ConversionApproved(b) => ledger::conversion_approved(tx, now, by, b),
        EventBody::ConversionRejected(b) => ledger::conversion_rejected(tx, now, by, b),
        EventBody::LedgerEntryReversed(b) => ledger::entry_reversed(tx, now, by, b),
        EventBody::SettlementsImported(b) => {
            crate::ledger::remote_settlements::settlements_imported(tx, now, by, b)
        }
        EventBody::PayoutBatchCreated(b) => payouts::created(tx, now, by, b),
        EventBody::PayoutEntriesReserved(b) => payouts::reserved(tx, by, b),
        EventBody::PayoutBatchEdited(b) => payouts::edited(tx, now, by, b),
        EventBody::PayoutBatchDeleted(b) => payouts::deleted(tx, by, b),
        EventBody::PayoutBatchTransitioned(b) => payouts::transitioned(tx, now, by, b),
        other => Ok(Err(format!(
            "this ledger does not apply colleagues' '{}' events yet",
            other.kind()
        ))),
    }
}
