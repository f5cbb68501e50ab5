//! Colleagues' events pulled from the server, applied to this ledger. A page, the held
//! events retried with it and the new cursor are one transaction through the write path;
//! every event received is recorded by id (`sync_remote_events`), so a page applied
//! twice, or a re-pull after the server's epoch changed, changes nothing.

use crate::sync_keys::{touched, unanswered};
use crate::write::{Audit, Change, LocalOnly, RenderedAudit};
use crate::{timestamp, Result, Store, StoreError};
use chrono::{DateTime, Utc};
use recon_sync::pull::PullPage;
use recon_sync::EventBody;
use rusqlite::{params, OptionalExtension, Transaction};
use serde_json::json;
use std::collections::HashSet;

/// What one pull did on this ledger.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PullOutcome {
    /// Colleagues' events whose change is now in this ledger.
    pub applied: u64,
    /// Events waiting for this ledger's own unanswered changes (retried at every sync).
    pub held: u64,
    /// Events received that this ledger cannot apply (kept and counted, never dropped).
    pub not_applied: u64,
    /// Events this ledger had already (a page seen before, a re-pull from the start).
    pub already_had: u64,
    /// This ledger's own events, which it skips.
    pub own: u64,
}

/// A colleague's event received but not (yet) applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteEventView {
    pub event_id: String,
    pub kind: String,
    pub pushed_by: String,
    /// `held` or `not_applied`.
    pub state: String,
    pub note: Option<String>,
}

/// One event to settle: from a page, or held from an earlier one.
struct Incoming {
    event_id: String,
    position: i64,
    kind: String,
    device_id: String,
    pushed_by: String,
    payload: String,
}

enum Settled {
    Applied(Vec<RenderedAudit>),
    Held,
    NotApplied(String),
    /// Part of the event applied (its audit records); the rest (`payload`, the event
    /// reduced to it) held or kept as not applied, as `rest` says.
    Partly {
        audits: Vec<RenderedAudit>,
        rest: Box<Settled>,
        payload: String,
    },
}

impl Settled {
    fn state(&self) -> &'static str {
        match self {
            Settled::Applied(_) => "applied",
            Settled::Held => "held",
            Settled::NotApplied(_) => "not_applied",
            Settled::Partly { rest, .. } => rest.state(),
        }
    }

    fn note(&self) -> Option<&str> {
        match self {
            Settled::NotApplied(note) => Some(note),
            Settled::Partly { rest, .. } => rest.note(),
            _ => None,
        }
    }

    /// What stays to apply of `e`: none once applied.
    fn kept_payload<'a>(&'a self, e: &'a Incoming) -> Option<&'a str> {
        match self {
            Settled::Applied(_) => None,
            Settled::Partly { payload, .. } => Some(payload),
            _ => Some(&e.payload),
        }
    }
}

const CURSOR_SELECT: &str = "SELECT cursor FROM sync_cursor WHERE singleton = 1";

impl Store {
    /// The cursor of the last page applied (None: never pulled).
    pub fn sync_cursor(&self) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row(CURSOR_SELECT, [], |r| r.get(0))
            .optional()?)
    }

    /// Applies a page of colleagues' events (held ones first) and stores its cursor, in
    /// one transaction. Without a page, only retries the held events.
    pub fn apply_pulled_page(
        &mut self,
        actor: &str,
        now: DateTime<Utc>,
        page: Option<&PullPage>,
    ) -> Result<PullOutcome> {
        let (outcome, cursor_left) = self.write(actor, now, |tx| settle_page(tx, now, page))?;
        if let (true, Some(page)) = (cursor_left, page) {
            // Nothing of a colleague's was in the page: the cursor alone moves on.
            self.write_bookkeeping(|tx| set_cursor(tx, &page.next_cursor, now))?;
        }
        Ok(outcome)
    }

    /// Colleagues' events received and not applied here (held first), oldest first.
    pub fn remote_events_waiting(&self) -> Result<Vec<RemoteEventView>> {
        let mut stmt = self.conn.prepare(
            "SELECT event_id, kind, pushed_by, state, note FROM sync_remote_events
              WHERE state <> 'applied' ORDER BY state, position",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(RemoteEventView {
                event_id: r.get(0)?,
                kind: r.get(1)?,
                pushed_by: r.get(2)?,
                state: r.get(3)?,
                note: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

/// The page's change; `true` when nothing was recorded and the cursor is left to write.
fn settle_page(
    tx: &Transaction<'_>,
    now: DateTime<Utc>,
    page: Option<&PullPage>,
) -> Result<Change<(PullOutcome, bool)>> {
    let own = crate::write::device_id(tx)?;
    let mut blocked = unanswered(tx)?;
    let mut outcome = PullOutcome::default();
    let mut audits = Vec::new();
    let mut recorded = 0;
    for incoming in held(tx)? {
        let settled = settle(tx, now, &incoming, &mut blocked)?;
        // A held event left as it was needs no new row; one partly applied does.
        if !matches!(settled, Settled::Held) {
            recorded += 1;
            record(tx, now, &incoming, &settled, true)?;
        }
        tally(&mut outcome, settled, &mut audits);
    }
    for pulled in page.map(|p| p.events.as_slice()).unwrap_or_default() {
        let event = &pulled.event;
        if event.device_id.to_string() == own {
            outcome.own += 1;
            continue;
        }
        if known(tx, &event.id.to_string())? {
            outcome.already_had += 1;
            continue;
        }
        let incoming = Incoming {
            event_id: event.id.to_string(),
            position: pulled.position,
            kind: event.kind.clone(),
            device_id: event.device_id.to_string(),
            pushed_by: pulled.user.clone(),
            payload: event.payload.get().to_owned(),
        };
        let settled = settle(tx, now, &incoming, &mut blocked)?;
        record(tx, now, &incoming, &settled, false)?;
        recorded += 1;
        tally(&mut outcome, settled, &mut audits);
    }
    if recorded == 0 {
        return Ok(Change::unchanged((outcome, true)));
    }
    if let Some(page) = page {
        set_cursor(tx, &page.next_cursor, now)?;
    }
    let summary = Audit {
        action: "sync.pulled",
        entity: "sync",
        entity_id: page.map_or("held".into(), |p| p.next_cursor.clone()),
        before: None,
        after: Some(json!({
            "applied": outcome.applied, "held": outcome.held,
            "not_applied": outcome.not_applied, "reset": page.is_some_and(|p| p.reset),
        })),
    };
    let change = Change::local((outcome, false), summary, LocalOnly::PulledFromServer);
    Ok(change.and_rendered_audits(audits))
}

fn tally(outcome: &mut PullOutcome, settled: Settled, audits: &mut Vec<RenderedAudit>) {
    match settled {
        Settled::Applied(records) => {
            outcome.applied += 1;
            audits.extend(records);
        }
        Settled::Held => outcome.held += 1,
        Settled::NotApplied(_) => outcome.not_applied += 1,
        Settled::Partly {
            audits: part, rest, ..
        } => {
            audits.extend(part);
            tally(outcome, *rest, audits);
        }
    }
}

/// Decides one event: held (it touches an unanswered local change, or an event held
/// before it), applied, or kept as not applied. An event that fails on a rule of this
/// ledger (a conflict, a bad value) rolls back to before it and is kept as not applied.
fn settle(
    tx: &Transaction<'_>,
    now: DateTime<Utc>,
    incoming: &Incoming,
    blocked: &mut HashSet<String>,
) -> Result<Settled> {
    let wire = format!(
        r#"{{"kind":{},"payload":{}}}"#,
        serde_json::Value::String(incoming.kind.clone()),
        incoming.payload
    );
    let Ok(body) = serde_json::from_str::<EventBody>(&wire) else {
        return Ok(Settled::NotApplied(format!(
            "this version of Recon Desk cannot read '{}' events",
            incoming.kind
        )));
    };
    if let EventBody::ExpectedPaymentsAdded(b) = &body {
        if b.payments.len() > 1 {
            return settle_payments(tx, now, incoming, b, blocked);
        }
    }
    let keys = touched(&body);
    if !keys.is_disjoint(blocked) {
        blocked.extend(keys);
        return Ok(Settled::Held);
    }
    tx.execute_batch("SAVEPOINT pulled_event")?;
    let outcome = apply(tx, now, incoming, &body);
    let settled = match outcome {
        Ok(Ok(audits)) => {
            tx.execute_batch("RELEASE pulled_event")?;
            return Ok(Settled::Applied(audits));
        }
        Ok(Err(note)) => Settled::NotApplied(note),
        Err(
            e @ (StoreError::Conflict(_) | StoreError::Invalid(_) | StoreError::NotFound { .. }),
        ) => Settled::NotApplied(e.to_string()),
        Err(e) => return Err(e),
    };
    tx.execute_batch("ROLLBACK TO pulled_event; RELEASE pulled_event")?;
    Ok(settled)
}

/// A colleague's several expected payments, each on its own: those free to apply are
/// applied; one touching an unanswered local change is held, one this ledger refuses (a
/// conflict) kept as not applied, and only those stay in the event's row, named in its
/// note. (Held ones first: the event row has one state, and a held payment is retried.)
fn settle_payments(
    tx: &Transaction<'_>,
    now: DateTime<Utc>,
    incoming: &Incoming,
    body: &recon_sync::matching::ExpectedPaymentsAdded,
    blocked: &mut HashSet<String>,
) -> Result<Settled> {
    let one =
        |p: &recon_sync::matching::ExpectedPayment| recon_sync::matching::ExpectedPaymentsAdded {
            file: body.file.clone(),
            payments: vec![p.clone()],
        };
    let (mut audits, mut held, mut refused) = (Vec::new(), Vec::new(), Vec::new());
    for payment in &body.payments {
        let keys = touched(&EventBody::ExpectedPaymentsAdded(one(payment)));
        if !keys.is_disjoint(blocked) {
            blocked.extend(keys);
            held.push(payment.clone());
            continue;
        }
        tx.execute_batch("SAVEPOINT pulled_payment")?;
        let outcome = crate::matching::remote::apply_expected_added(
            tx,
            &timestamp(now),
            &incoming.pushed_by,
            &one(payment),
        );
        let why = match outcome {
            Ok(Ok(records)) => {
                tx.execute_batch("RELEASE pulled_payment")?;
                audits.extend(records);
                continue;
            }
            Ok(Err(note)) => note,
            Err(
                e
                @ (StoreError::Conflict(_) | StoreError::Invalid(_) | StoreError::NotFound { .. }),
            ) => e.to_string(),
            Err(e) => return Err(e),
        };
        tx.execute_batch("ROLLBACK TO pulled_payment; RELEASE pulled_payment")?;
        refused.push((payment.clone(), why));
    }
    if held.is_empty() && refused.is_empty() {
        return Ok(Settled::Applied(audits));
    }
    let applied = body.payments.len() - held.len() - refused.len();
    let rest = if held.is_empty() {
        let notes: Vec<String> = refused.iter().map(|(_, why)| why.clone()).collect();
        Settled::NotApplied(format!(
            "{} of {} payments not applied: {}",
            refused.len(),
            body.payments.len(),
            notes.join("; ")
        ))
    } else {
        Settled::Held
    };
    let mut kept = held;
    kept.extend(refused.into_iter().map(|(p, _)| p));
    let payload = serde_json::to_string(&recon_sync::matching::ExpectedPaymentsAdded {
        file: body.file.clone(),
        payments: kept,
    })
    .map_err(|e| StoreError::Invalid(e.to_string()))?;
    if applied == 0 {
        // Nothing of it applied: the event as it came, as before.
        return Ok(match rest {
            Settled::Held => Settled::Held,
            other => other,
        });
    }
    Ok(Settled::Partly {
        audits,
        rest: Box::new(rest),
        payload,
    })
}

/// Applies one colleague's change. `Ok(Err(note))`: not a kind this ledger applies yet.
fn apply(
    tx: &Transaction<'_>,
    now: DateTime<Utc>,
    incoming: &Incoming,
    body: &EventBody,
) -> Result<Result<Vec<RenderedAudit>, String>> {
    let by = incoming.pushed_by.as_str();
    match body {
        EventBody::JournalLinesImported(b) => {
            crate::sync_pull_journal::apply(tx, now, by, &incoming.payload, b)
        }
        EventBody::ExpectedPaymentsAdded(b) => {
            crate::matching::remote::apply_expected_added(tx, &timestamp(now), by, b)
        }
        EventBody::ExpectedPaymentEdited(b) => {
            crate::matching::remote_edit::apply_expected_edited(tx, by, b)
        }
        // The partner ledger and payouts (issue 12).
        other if crate::sync_pull_ledger::handles(other) => {
            crate::sync_pull_ledger::apply(tx, &timestamp(now), by, other)
        }
        b if crate::sync_pull_matching::handles(b) => {
            crate::sync_pull_matching::apply(tx, now, by, b)
        }
        b if crate::sync_pull_checks::handles(b) => {
            crate::sync_pull_checks::apply(tx, &timestamp(now), by, b)
        }
        other => Ok(Err(format!(
            "this ledger does not apply colleagues' '{}' events yet",
            other.kind()
        ))),
    }
}

fn held(tx: &Transaction<'_>) -> Result<Vec<Incoming>> {
    let mut stmt = tx.prepare_cached(
        "SELECT event_id, position, kind, device_id, pushed_by, payload FROM sync_remote_events
          WHERE state = 'held' ORDER BY position",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(Incoming {
            event_id: r.get(0)?,
            position: r.get(1)?,
            kind: r.get(2)?,
            device_id: r.get(3)?,
            pushed_by: r.get(4)?,
            payload: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn known(tx: &Transaction<'_>, event_id: &str) -> Result<bool> {
    Ok(tx
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM sync_remote_events WHERE event_id = ?1)")?
        .query_row([event_id], |r| r.get(0))?)
}

/// Records an event's state: a new row, or a held row's new state.
fn record(
    tx: &Transaction<'_>,
    now: DateTime<Utc>,
    e: &Incoming,
    settled: &Settled,
    was_held: bool,
) -> Result<()> {
    let at = timestamp(now);
    let applied = matches!(settled, Settled::Applied(_));
    let payload = settled.kept_payload(e);
    let note = settled.note();
    let applied_at = applied.then_some(at.as_str());
    if was_held {
        tx.prepare_cached(
            "UPDATE sync_remote_events SET state = ?2, payload = ?3, note = ?4, applied_at = ?5
              WHERE event_id = ?1",
        )?
        .execute(params![
            e.event_id,
            settled.state(),
            payload,
            note,
            applied_at
        ])?;
        return Ok(());
    }
    tx.prepare_cached(
        "INSERT INTO sync_remote_events (event_id, position, kind, device_id, pushed_by, payload,
                                         state, note, received_at, applied_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?
    .execute(params![
        e.event_id,
        e.position,
        e.kind,
        e.device_id,
        e.pushed_by,
        payload,
        settled.state(),
        note,
        at,
        applied_at
    ])?;
    Ok(())
}

fn set_cursor(tx: &Transaction<'_>, cursor: &str, now: DateTime<Utc>) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO sync_cursor (singleton, cursor, pulled_at) VALUES (1, ?1, ?2)
         ON CONFLICT (singleton) DO UPDATE SET cursor = excluded.cursor, pulled_at = excluded.pulled_at",
    )?
    .execute(params![cursor, timestamp(now)])?;
    Ok(())
}

#[cfg(test)]
#[path = "sync_pull_tests.rs"]
mod tests;
