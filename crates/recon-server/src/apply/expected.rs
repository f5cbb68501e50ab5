//! `expected_payments_added`: the organization's expected payments, one per memo. A memo
//! the server holds with another payment is refused as a conflict (both values in the
//! answer); an amount that is not an exact, positive amount of its currency, or text with
//! control characters, is refused as an invalid value. A refusal leaves nothing of the
//! event behind, and never blocks the device's events behind it.

use recon_core::matching::normalize_memo;
use recon_core::money::{builtin_currencies, to_minor};
use recon_core::untrusted::check_free_text;
use recon_sync::matching::{ExpectedPayment, ExpectedPaymentsAdded};
use recon_sync::{untyped_digest_hex, Conflict, EventAnswer, RawEvent, RefusalCode};
use rust_decimal::Decimal;
use tokio_postgres::Transaction;
use uuid::Uuid;

use super::Plan;
use crate::ServerError;

/// The digest stays the untyped one: events of this kind stored before this server
/// applied it were digested so, and their replays must still match.
pub(super) fn decode(event: &RawEvent) -> Result<(String, Plan), String> {
    let digest = untyped_digest_hex(&event.kind, &event.payload)
        .map_err(|e| format!("event {}: payload is not JSON: {e}", event.id))?;
    let body: ExpectedPaymentsAdded = serde_json::from_str(event.payload.get())
        .map_err(|e| format!("event {}: not a {} payload: {e}", event.id, event.kind))?;
    if body
        .payments
        .iter()
        .any(|p| known_scale(&p.currency).is_none())
    {
        let note = "stored; this server does not know every currency of these payments yet";
        return Ok((digest, Plan::Store { note: note.into() }));
    }
    Ok((digest, Plan::Expected(body)))
}

pub(super) fn known_scale(code: &str) -> Option<u8> {
    builtin_currencies()
        .into_iter()
        .find(|c| c.code == code)
        .map(|c| c.scale)
}

pub(super) fn invalid(payment: &ExpectedPayment) -> Option<String> {
    let scale = known_scale(&payment.currency)?;
    if to_minor(payment.expected_amount, scale).is_err() || payment.expected_amount <= Decimal::ZERO
    {
        return Some(format!(
            "expected payment '{}': {} is not a positive amount of {} ({scale} decimals)",
            payment.memo, payment.expected_amount, payment.currency
        ));
    }
    for (field, text) in [
        ("memo", &payment.memo),
        ("cycle_id", &payment.cycle_id),
        ("character_name", &payment.character_name),
    ] {
        if text.trim().is_empty() {
            return Some(format!(
                "expected payment '{}': {field} is empty",
                payment.memo
            ));
        }
        if let Err(why) = check_free_text(text) {
            return Some(format!(
                "expected payment '{}': {field}: {why}",
                payment.memo
            ));
        }
    }
    None
}

pub(super) async fn apply(
    tx: &Transaction<'_>,
    org_id: i64,
    event_id: Uuid,
    body: &ExpectedPaymentsAdded,
) -> Result<EventAnswer, ServerError> {
    if let Some(why) = body.payments.iter().find_map(invalid) {
        return Ok(EventAnswer::refused(
            RefusalCode::InvalidValue,
            why,
            Vec::new(),
        ));
    }
    tx.batch_execute("SAVEPOINT expected_event").await?;
    let (mut inserted, mut duplicates) = (0, 0);
    for p in &body.payments {
        let memo = normalize_memo(&p.memo);
        let added = tx
            .execute(
                "INSERT INTO expected_payments (org_id, memo_normalized, memo, cycle_id,
                     character_name, character_id, expected_amount, currency, source_event)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                 ON CONFLICT (org_id, memo_normalized) DO NOTHING",
                &[
                    &org_id,
                    &memo,
                    &p.memo,
                    &p.cycle_id,
                    &p.character_name,
                    &p.character_id,
                    &p.expected_amount,
                    &p.currency,
                    &event_id,
                ],
            )
            .await?;
        if added == 1 {
            inserted += 1;
            continue;
        }
        let conflicts = differences(tx, org_id, &memo, p).await?;
        if conflicts.is_empty() {
            duplicates += 1;
            continue;
        }
        tx.batch_execute("ROLLBACK TO SAVEPOINT expected_event")
            .await?;
        let reason = format!(
            "memo '{}' already belongs to another expected payment on the server",
            p.memo
        );
        return Ok(EventAnswer::refused(
            RefusalCode::Conflict,
            reason,
            conflicts,
        ));
    }
    tx.batch_execute("RELEASE SAVEPOINT expected_event").await?;
    Ok(EventAnswer::applied(inserted, duplicates))
}

/// The fields on which the held payment and `p` differ.
async fn differences(
    tx: &Transaction<'_>,
    org_id: i64,
    memo: &str,
    p: &ExpectedPayment,
) -> Result<Vec<Conflict>, ServerError> {
    let row = tx
        .query_one(
            "SELECT cycle_id, character_name, character_id, expected_amount, currency
               FROM expected_payments WHERE org_id = $1 AND memo_normalized = $2",
            &[&org_id, &memo],
        )
        .await?;
    let held_amount: Decimal = row.get(3);
    let show = |id: Option<i64>| id.map_or("none".to_owned(), |v| v.to_string());
    let pairs = [
        ("cycle", row.get::<_, String>(0), p.cycle_id.clone()),
        (
            "character",
            row.get::<_, String>(1),
            p.character_name.clone(),
        ),
        ("character id", show(row.get(2)), show(p.character_id)),
        (
            "amount",
            held_amount.normalize().to_string(),
            p.expected_amount.normalize().to_string(),
        ),
        ("currency", row.get::<_, String>(4), p.currency.clone()),
    ];
    Ok(pairs
        .into_iter()
        .filter(|(_, server, event)| server != event)
        .map(|(field, server, event)| Conflict {
            field: format!("expected payment '{}' {field}", p.memo),
            server,
            event,
        })
        .collect())
}
