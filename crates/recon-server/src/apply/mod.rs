//! What the server does with each event, one module per kind: [`journal`] applies
//! `journal_lines_imported`; [`typed`] the partner ledger's and payout batches' kinds
//! ([`ledger`], [`ledger_entries`], [`ledger_settlements`], [`payouts`],
//! [`payout_moves`]) and the wallet checks' ([`checks`], [`check_runs`]), with the
//! token's user in [`Ctx`]; [`unapplied`] stores every other
//! kind as received and says so in its answer, so a client newer than this server is
//! never refused for it.
//!
//! A value the server cannot accept (a control character, a bad date, an amount finer
//! than its currency, a conflict with what it holds) is a *refusal*: the event is answered
//! 200 with [`EventAnswer::refused`], stored with that first answer, and the device's
//! sequence moves on, so one bad event never blocks the ones behind it. Only a malformed
//! envelope (a client bug, not user data) still refuses the whole push with 400.

mod expected;
mod journal;
mod journal_check;
mod journal_insert;
mod unapplied;
// The partner ledger and payouts (issue 12); `ledger` first: its `check!` macro is used
// by the others.
#[macro_use]
mod ledger;
mod ledger_entries;
mod ledger_settlements;
// Matching state (issue 12): links, rejects, splits, undos, cycle openings.
mod expected_edit;
mod matching;
mod matching_state;
mod payout_moves;
mod payouts;
mod typed;
// Wallet checks (issue 12): platform imports, operations, runs and their fixes.
mod check_runs;
mod checks;

use recon_sync::matching::ExpectedPaymentsAdded;
use recon_sync::{
    untyped_digest_hex, EventAnswer, JournalLinesImported, RawEvent, RefusalCode, MAX_EVENT_BYTES,
};
use tokio_postgres::Transaction;
use uuid::Uuid;

use crate::prepared::Prepared;
use crate::ServerError;

/// What a typed kind's apply needs: the push's transaction, the organization, the
/// **token's user** (who the server authenticated, never a name the event claims) and
/// the event's id.
pub(crate) struct Ctx<'a> {
    pub tx: &'a Transaction<'a>,
    pub org_id: i64,
    pub user: &'a str,
    pub event_id: Uuid,
}

/// Longest `kind` an envelope may name.
const MAX_KIND_BYTES: usize = 64;
/// Longest `created_at` an envelope may carry (RFC 3339 with nanoseconds and an offset is 35).
const MAX_CREATED_AT_BYTES: usize = 64;

/// One event of a push, checked and ready to claim and apply.
pub(crate) struct Incoming {
    pub event: RawEvent,
    /// What "the same body" means for this event's kind (`body_sha256`).
    pub digest: String,
    plan: Plan,
}

enum Plan {
    Journal(JournalLinesImported),
    Expected(ExpectedPaymentsAdded),
    /// A ledger or payout kind, typed ([`typed`]).
    Typed(Box<recon_sync::EventBody>),
    /// Store without applying; the note says why.
    Store {
        note: String,
    },
    /// Refused before touching the database (its answer is stored all the same).
    Refuse(EventAnswer),
}

/// Reads one event before the push's transaction starts. Its kind decides how it is
/// checked and digested. `Err` says why the envelope is malformed (400 for the push).
pub(crate) fn decode(event: RawEvent) -> Result<Incoming, String> {
    check_envelope(&event)?;
    let size = event.payload.get().len();
    let (digest, plan) = if size > MAX_EVENT_BYTES {
        let answer = EventAnswer::refused(
            RefusalCode::TooLarge,
            format!(
                "the event's payload is {size} bytes; this server accepts at most \
                 {MAX_EVENT_BYTES} bytes per event"
            ),
            vec![],
        );
        (raw_digest(&event)?, Plan::Refuse(answer))
    } else {
        match event.kind.as_str() {
            recon_sync::journal::KIND => journal::decode(&event)?,
            recon_sync::matching::EXPECTED_PAYMENTS_ADDED => expected::decode(&event)?,
            k if typed::handles(k) => typed::decode(&event)?,
            _ => unapplied::decode(&event)?,
        }
    };
    Ok(Incoming {
        event,
        digest,
        plan,
    })
}

/// The envelope is made by the client program, never typed by a person: a bad one is a
/// bug to fix, refused for the whole push.
fn check_envelope(event: &RawEvent) -> Result<(), String> {
    if event.device_seq < 1 {
        return Err(format!(
            "event {}: device_seq must be 1 or more, got {}",
            event.id, event.device_seq
        ));
    }
    let kind_ok = !event.kind.is_empty()
        && event.kind.len() <= MAX_KIND_BYTES
        && event
            .kind
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if !kind_ok {
        return Err(format!(
            "event {}: kind must be 1 to {MAX_KIND_BYTES} lower-case letters, digits or '_'",
            event.id
        ));
    }
    let created_ok = event.created_at.len() <= MAX_CREATED_AT_BYTES
        && recon_core::esi::normalize_date(&event.created_at).is_some();
    if !created_ok {
        return Err(format!(
            "event {}: created_at must be an RFC 3339 date-time",
            event.id
        ));
    }
    Ok(())
}

/// The digest of an event refused before its payload was typed: over the payload's
/// canonical JSON, so a replay of the same body finds the same digest.
fn raw_digest(event: &RawEvent) -> Result<String, String> {
    untyped_digest_hex(&event.kind, &event.payload)
        .map_err(|e| format!("event {}: payload is not JSON: {e}", event.id))
}

/// Applies (or stores) a claimed event inside the push's transaction; its answer is
/// stored with the claim and given again to every replay.
pub(crate) async fn apply(
    tx: &Transaction<'_>,
    prepared: &Prepared,
    org_id: i64,
    user: &str,
    incoming: &Incoming,
) -> Result<EventAnswer, ServerError> {
    match &incoming.plan {
        Plan::Typed(body) => {
            let ctx = Ctx {
                tx,
                org_id,
                user,
                event_id: incoming.event.id,
            };
            typed::apply(&ctx, body).await
        }
        Plan::Journal(body) => journal::apply(tx, prepared, org_id, incoming.event.id, body).await,
        Plan::Expected(body) => expected::apply(tx, org_id, incoming.event.id, body).await,
        Plan::Store { note } => unapplied::store(tx, org_id, &incoming.event, note).await,
        Plan::Refuse(answer) => Ok(answer.clone()),
    }
}
