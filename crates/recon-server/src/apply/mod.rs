//! What the server does with each event, one module per kind: [`journal`] applies
//! `journal_lines_imported`; [`unapplied`] stores every other kind as received and says
//! so in its answer, so a client newer than this server is never refused for it.

mod expected;
mod journal;
mod unapplied;

use recon_sync::matching::ExpectedPaymentsAdded;
use recon_sync::{EventAnswer, JournalLinesImported, RawEvent};
use tokio_postgres::Transaction;

use crate::ServerError;

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
    /// Store without applying; the note says why.
    Store {
        note: String,
    },
}

/// Reads one event before the push's transaction starts. Its kind decides how it is
/// checked and digested. `Err` says why the event is refused (400).
pub(crate) fn decode(event: RawEvent) -> Result<Incoming, String> {
    if event.device_seq < 1 {
        return Err(format!(
            "event {}: device_seq must be 1 or more, got {}",
            event.id, event.device_seq
        ));
    }
    let (digest, plan) = match event.kind.as_str() {
        recon_sync::journal::KIND => journal::decode(&event)?,
        recon_sync::matching::EXPECTED_PAYMENTS_ADDED => expected::decode(&event)?,
        _ => unapplied::decode(&event)?,
    };
    Ok(Incoming {
        event,
        digest,
        plan,
    })
}

/// Applies (or stores) a claimed event inside the push's transaction; its answer is
/// stored with the claim and given again to every replay.
pub(crate) async fn apply(
    tx: &Transaction<'_>,
    org_id: i64,
    incoming: &Incoming,
) -> Result<EventAnswer, ServerError> {
    match &incoming.plan {
        Plan::Journal(body) => journal::apply(tx, org_id, incoming.event.id, body).await,
        Plan::Expected(body) => expected::apply(tx, org_id, incoming.event.id, body).await,
        Plan::Store { note } => unapplied::store(tx, org_id, &incoming.event, note).await,
    }
}
