//! The ledger, payout, matching and wallet-check kinds, typed and applied
//! ([`super::ledger`], [`super::ledger_entries`], [`super::payouts`], [`super::checks`],
//! [`super::check_runs`]). Their digest stays the untyped one:
//! events of these kinds stored before this server applied them were digested so, and
//! their replays must still match. Each event runs in a SAVEPOINT, so a refusal found
//! half-way leaves nothing of it behind.

use recon_sync::{EventAnswer, EventBody, RawEvent, RefusalCode};

use super::{
    check_runs, checks, ledger, ledger_entries, matching, payouts, raw_digest, unapplied, Ctx, Plan,
};
use crate::ServerError;

pub(super) fn handles(kind: &str) -> bool {
    ledger::handles(kind)
        || ledger_entries::handles(kind)
        || payouts::handles(kind)
        || matching::handles(kind)
        || checks::handles(kind)
        || check_runs::handles(kind)
}

pub(super) fn decode(event: &RawEvent) -> Result<(String, Plan), String> {
    let digest = raw_digest(event)?;
    let value: serde_json::Value = serde_json::from_str(event.payload.get())
        .map_err(|e| format!("event {}: payload is not JSON: {e}", event.id))?;
    if let Some(path) = unapplied::nul_in(&value, "payload") {
        let answer = EventAnswer::refused(
            RefusalCode::InvalidValue,
            format!("{path}: holds a control character (U+0000) that cannot be stored"),
            vec![],
        );
        return Ok((digest, Plan::Refuse(answer)));
    }
    let wire = serde_json::json!({"kind": event.kind, "payload": value});
    match serde_json::from_value::<EventBody>(wire) {
        Ok(body) => Ok((digest, Plan::Typed(Box::new(body)))),
        Err(e) => {
            let answer = EventAnswer::refused(
                RefusalCode::InvalidValue,
                format!("payload: not a {} payload: {e}", event.kind),
                vec![],
            );
            Ok((digest, Plan::Refuse(answer)))
        }
    }
}

pub(super) async fn apply(ctx: &Ctx<'_>, body: &EventBody) -> Result<EventAnswer, ServerError> {
    ctx.tx.batch_execute("SAVEPOINT typed_event").await?;
    let kind = body.kind();
    let answer = if ledger::handles(kind) {
        ledger::apply(ctx, body).await?
    } else if ledger_entries::handles(kind) {
        ledger_entries::apply(ctx, body).await?
    } else if matching::handles(kind) {
        matching::apply(ctx, body).await?
    } else if checks::handles(kind) {
        checks::apply(ctx, body).await?
    } else if check_runs::handles(kind) {
        check_runs::apply(ctx, body).await?
    } else {
        payouts::apply(ctx, body).await?
    };
    if answer.refused.is_some() {
        ctx.tx
            .batch_execute("ROLLBACK TO SAVEPOINT typed_event")
            .await?;
    } else {
        ctx.tx
            .batch_execute("RELEASE SAVEPOINT typed_event")
            .await?;
    }
    Ok(answer)
}
