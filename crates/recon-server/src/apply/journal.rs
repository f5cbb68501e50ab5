//! `journal_lines_imported`: ESI journal lines keyed by (org, wallet key, ESI id). A line
//! the server already holds with the same values counts as a duplicate; with other values
//! it is a conflict, answered with both values and never overwritten. A wallet's currency
//! is fixed by the first event that names the wallet.

use std::collections::HashMap;

use recon_sync::{
    Conflict, EventAnswer, EventBody, JournalLine, JournalLinesImported, RawEvent, RefusalCode,
    WalletRef, MAX_LINES_PER_EVENT,
};
use tokio_postgres::Transaction;
use uuid::Uuid;

use super::journal_check::check;
use super::journal_insert::{held_lines, insert_lines};
use super::{raw_digest, Plan};
use crate::prepared::Prepared;
use crate::ServerError;

/// Most conflicting values one answer lists (the reason gives the full count).
const MAX_CONFLICTS_LISTED: usize = 20;

/// Checks the event the way the laptop made it: the same rules from `recon-core`. What
/// fails is refused for good (answered, stored, never blocking the device's queue).
pub(super) fn decode(event: &RawEvent) -> Result<(String, Plan), String> {
    let body: JournalLinesImported = match serde_json::from_str(event.payload.get()) {
        Ok(body) => body,
        Err(e) => {
            let answer = EventAnswer::refused(
                RefusalCode::InvalidValue,
                format!("payload: not a {} payload: {e}", event.kind),
                vec![],
            );
            return Ok((raw_digest(event)?, Plan::Refuse(answer)));
        }
    };
    let digest = EventBody::JournalLinesImported(body.clone()).digest_hex();
    if body.lines.len() > MAX_LINES_PER_EVENT {
        let answer = EventAnswer::refused(
            RefusalCode::TooLarge,
            format!(
                "an event carries at most {MAX_LINES_PER_EVENT} journal lines, this one has {}",
                body.lines.len()
            ),
            vec![],
        );
        return Ok((digest, Plan::Refuse(answer)));
    }
    if let Err(invalid) = check(&body, event.payload.get()) {
        let answer = EventAnswer::refused(RefusalCode::InvalidValue, invalid.reason(), vec![]);
        return Ok((digest, Plan::Refuse(answer)));
    }
    Ok((digest, Plan::Journal(body)))
}

/// Applies the whole event or, on a conflict with what the server holds, none of it.
pub(super) async fn apply(
    tx: &Transaction<'_>,
    prepared: &Prepared,
    org_id: i64,
    event_id: Uuid,
    body: &JournalLinesImported,
) -> Result<EventAnswer, ServerError> {
    if let Some(refusal) = currency_conflict(tx, prepared, org_id, &body.wallet).await? {
        return Ok(refusal);
    }
    let ids: Vec<i64> = body.lines.iter().map(|l| l.id).collect();
    let held = held_lines(tx, prepared, org_id, &body.wallet.key, &ids).await?;
    if let Some(refusal) = line_conflicts(&body.lines, &held) {
        return Ok(refusal);
    }
    upsert_wallet(tx, prepared, org_id, &body.wallet).await?;
    if body.lines.is_empty() {
        return Ok(EventAnswer::applied(0, 0));
    }
    let inserted = insert_lines(tx, prepared, org_id, event_id, &body.wallet, &body.lines).await?;
    let total = body.lines.len() as u64;
    Ok(EventAnswer::applied(
        inserted,
        total.saturating_sub(inserted),
    ))
}

async fn currency_conflict(
    tx: &Transaction<'_>,
    prepared: &Prepared,
    org_id: i64,
    wallet: &WalletRef,
) -> Result<Option<EventAnswer>, ServerError> {
    let select = prepared
        .get(
            tx,
            "SELECT currency FROM wallets WHERE org_id = $1 AND key = $2",
        )
        .await?;
    let row = tx.query_opt(&select, &[&org_id, &wallet.key]).await?;
    let Some(held) = row.map(|r| r.get::<_, String>(0)) else {
        return Ok(None);
    };
    if held == wallet.currency {
        return Ok(None);
    }
    Ok(Some(EventAnswer::refused(
        RefusalCode::Conflict,
        format!(
            "wallet {} holds {held} on the server; a wallet's currency never changes",
            wallet.key
        ),
        vec![Conflict {
            field: format!("wallet {} currency", wallet.key),
            server: held,
            event: wallet.currency.clone(),
        }],
    )))
}

/// Lines whose ESI id the server holds with other values: every differing field, both
/// values. ESI's raw texts are not compared (the same number may be written two ways).
fn line_conflicts(lines: &[JournalLine], held: &[JournalLine]) -> Option<EventAnswer> {
    let held: HashMap<i64, &JournalLine> = held.iter().map(|l| (l.id, l)).collect();
    let mut conflicts = Vec::new();
    let mut lines_in_conflict = 0usize;
    for line in lines {
        let Some(server) = held.get(&line.id) else {
            continue;
        };
        let differing = differing_fields(server, line);
        if !differing.is_empty() {
            lines_in_conflict += 1;
        }
        conflicts.extend(differing);
    }
    if conflicts.is_empty() {
        return None;
    }
    let total = conflicts.len();
    conflicts.truncate(MAX_CONFLICTS_LISTED);
    Some(EventAnswer::refused(
        RefusalCode::Conflict,
        format!(
            "{lines_in_conflict} journal line(s) are held on the server with other values \
             ({total} differing value(s)); nothing of this event was applied"
        ),
        conflicts,
    ))
}

fn differing_fields(server: &JournalLine, event: &JournalLine) -> Vec<Conflict> {
    fn text<T: ToString>(v: &Option<T>) -> String {
        v.as_ref().map_or_else(|| "(none)".to_owned(), T::to_string)
    }
    let pairs = [
        ("date", server.date.clone(), event.date.clone()),
        ("ref_type", server.ref_type.clone(), event.ref_type.clone()),
        (
            "description",
            server.description.clone(),
            event.description.clone(),
        ),
        ("amount", text(&server.amount), text(&event.amount)),
        ("balance", text(&server.balance), text(&event.balance)),
        ("reason", text(&server.reason), text(&event.reason)),
        (
            "first_party_id",
            text(&server.first_party_id),
            text(&event.first_party_id),
        ),
        (
            "second_party_id",
            text(&server.second_party_id),
            text(&event.second_party_id),
        ),
        (
            "context_id",
            text(&server.context_id),
            text(&event.context_id),
        ),
        (
            "context_id_type",
            text(&server.context_id_type),
            text(&event.context_id_type),
        ),
        ("tax", text(&server.tax), text(&event.tax)),
        (
            "tax_receiver_id",
            text(&server.tax_receiver_id),
            text(&event.tax_receiver_id),
        ),
    ];
    // Amounts compare as numbers (100 and 100.00 are one amount), the rest as text.
    let same_amount = |a: &Option<rust_decimal::Decimal>, b: &Option<rust_decimal::Decimal>| a == b;
    pairs
        .into_iter()
        .filter(|(field, server_value, event_value)| match *field {
            "amount" => !same_amount(&server.amount, &event.amount),
            "balance" => !same_amount(&server.balance, &event.balance),
            "tax" => !same_amount(&server.tax, &event.tax),
            _ => server_value != event_value,
        })
        .map(|(field, server_value, event_value)| Conflict {
            field: format!("journal line {} {field}", event.id),
            server: server_value,
            event: event_value,
        })
        .collect()
}

/// Creates the wallet or refreshes its name and owner; the currency is never updated
/// (a different one was refused above).
async fn upsert_wallet(
    tx: &Transaction<'_>,
    prepared: &Prepared,
    org_id: i64,
    wallet: &WalletRef,
) -> Result<(), ServerError> {
    let upsert = prepared
        .get(
            tx,
            "INSERT INTO wallets (org_id, key, name, kind, owner_id, division, currency)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (org_id, key) DO UPDATE SET
                 name = EXCLUDED.name, kind = EXCLUDED.kind, owner_id = EXCLUDED.owner_id,
                 division = EXCLUDED.division, updated_at = now()",
        )
        .await?;
    tx.execute(
        &upsert,
        &[
            &org_id,
            &wallet.key,
            &wallet.name,
            &wallet.kind,
            &wallet.owner_id,
            &wallet.division,
            &wallet.currency,
        ],
    )
    .await?;
    Ok(())
}
