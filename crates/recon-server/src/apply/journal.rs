//! `journal_lines_imported`: ESI journal lines keyed by (org, wallet key, ESI id); a line
//! the server already holds counts as a duplicate.

use recon_core::money::{builtin_currencies, to_minor, Currency};
use recon_sync::{
    EventAnswer, EventBody, JournalLine, JournalLinesImported, RawEvent, WalletRef,
    MAX_LINES_PER_EVENT,
};
use rust_decimal::Decimal;
use tokio_postgres::Transaction;
use uuid::Uuid;

use super::Plan;
use crate::ServerError;

/// Checks the event the way the laptop made it: the same money rules from `recon-core`.
/// A currency this server does not know is stored, not applied: its scale is unknown
/// here, and refusing would block the device's whole queue behind one event.
pub(super) fn decode(event: &RawEvent) -> Result<(String, Plan), String> {
    let body: JournalLinesImported = serde_json::from_str(event.payload.get())
        .map_err(|e| format!("event {}: not a {} payload: {e}", event.id, event.kind))?;
    if body.lines.len() > MAX_LINES_PER_EVENT {
        return Err(format!(
            "an event carries at most {MAX_LINES_PER_EVENT} journal lines, this one has {}",
            body.lines.len()
        ));
    }
    if body.wallet.key.trim().is_empty() {
        return Err("the wallet key is empty".into());
    }
    let digest = EventBody::JournalLinesImported(body.clone()).digest_hex();
    let Some(currency) = known_currency(&body.wallet.currency) else {
        let note = format!(
            "stored; this server does not know currency '{}' yet, so it does not apply these lines",
            body.wallet.currency
        );
        return Ok((digest, Plan::Store { note }));
    };
    for line in &body.lines {
        check_amounts(line, &currency)?;
    }
    Ok((digest, Plan::Journal(body)))
}

fn known_currency(code: &str) -> Option<Currency> {
    builtin_currencies().into_iter().find(|c| c.code == code)
}

/// Amount, balance and tax must each be an exact amount of the wallet's currency: no
/// more decimals than its scale, and within what minor units can hold.
fn check_amounts(line: &JournalLine, currency: &Currency) -> Result<(), String> {
    let fields = [
        ("amount", line.amount),
        ("balance", line.balance),
        ("tax", line.tax),
    ];
    for (field, value) in fields {
        let Some(value) = value else { continue };
        if to_minor(value, currency.scale).is_err() {
            return Err(format!(
                "journal line {}: {field} {value} is not an amount of {} ({} decimals)",
                line.id, currency.code, currency.scale
            ));
        }
    }
    Ok(())
}

pub(super) async fn apply(
    tx: &Transaction<'_>,
    org_id: i64,
    event_id: Uuid,
    body: &JournalLinesImported,
) -> Result<EventAnswer, ServerError> {
    upsert_wallet(tx, org_id, &body.wallet).await?;
    if body.lines.is_empty() {
        return Ok(EventAnswer::applied(0, 0));
    }
    let inserted = insert_lines(tx, org_id, event_id, &body.wallet, &body.lines).await?;
    let total = body.lines.len() as u64;
    Ok(EventAnswer::applied(
        inserted,
        total.saturating_sub(inserted),
    ))
}

async fn upsert_wallet(
    tx: &Transaction<'_>,
    org_id: i64,
    wallet: &WalletRef,
) -> Result<(), ServerError> {
    tx.execute(
        "INSERT INTO wallets (org_id, key, name, kind, owner_id, division, currency)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (org_id, key) DO UPDATE SET
             name = EXCLUDED.name, kind = EXCLUDED.kind, owner_id = EXCLUDED.owner_id,
             division = EXCLUDED.division, currency = EXCLUDED.currency, updated_at = now()",
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

/// One statement for all lines (column arrays through `unnest`); returns how many were new.
async fn insert_lines(
    tx: &Transaction<'_>,
    org_id: i64,
    event_id: Uuid,
    wallet: &WalletRef,
    lines: &[JournalLine],
) -> Result<u64, ServerError> {
    let ids: Vec<i64> = lines.iter().map(|l| l.id).collect();
    let dates: Vec<&str> = lines.iter().map(|l| l.date.as_str()).collect();
    let ref_types: Vec<&str> = lines.iter().map(|l| l.ref_type.as_str()).collect();
    let descriptions: Vec<&str> = lines.iter().map(|l| l.description.as_str()).collect();
    let amounts: Vec<Option<Decimal>> = lines.iter().map(|l| l.amount).collect();
    let amount_raws: Vec<Option<&str>> = lines.iter().map(|l| l.amount_raw.as_deref()).collect();
    let balances: Vec<Option<Decimal>> = lines.iter().map(|l| l.balance).collect();
    let balance_raws: Vec<Option<&str>> = lines.iter().map(|l| l.balance_raw.as_deref()).collect();
    let reasons: Vec<Option<&str>> = lines.iter().map(|l| l.reason.as_deref()).collect();
    let first_parties: Vec<Option<i64>> = lines.iter().map(|l| l.first_party_id).collect();
    let second_parties: Vec<Option<i64>> = lines.iter().map(|l| l.second_party_id).collect();
    let context_ids: Vec<Option<i64>> = lines.iter().map(|l| l.context_id).collect();
    let context_types: Vec<Option<&str>> =
        lines.iter().map(|l| l.context_id_type.as_deref()).collect();
    let taxes: Vec<Option<Decimal>> = lines.iter().map(|l| l.tax).collect();
    let tax_raws: Vec<Option<&str>> = lines.iter().map(|l| l.tax_raw.as_deref()).collect();
    let tax_receivers: Vec<Option<i64>> = lines.iter().map(|l| l.tax_receiver_id).collect();
    let inserted = tx
        .execute(
            "INSERT INTO journal_lines (
                 org_id, wallet_key, currency, source_event,
                 entry_id, date, ref_type, description, amount, amount_raw, balance,
                 balance_raw, reason, first_party_id, second_party_id, context_id,
                 context_id_type, tax, tax_raw, tax_receiver_id)
             SELECT $1, $2, $3, $4, u.*
               FROM unnest($5::bigint[], $6::text[], $7::text[], $8::text[], $9::numeric[],
                           $10::text[], $11::numeric[], $12::text[], $13::text[], $14::bigint[],
                           $15::bigint[], $16::bigint[], $17::text[], $18::numeric[],
                           $19::text[], $20::bigint[]) AS u
             ON CONFLICT (org_id, wallet_key, entry_id) DO NOTHING",
            &[
                &org_id,
                &wallet.key,
                &wallet.currency,
                &event_id,
                &ids,
                &dates,
                &ref_types,
                &descriptions,
                &amounts,
                &amount_raws,
                &balances,
                &balance_raws,
                &reasons,
                &first_parties,
                &second_parties,
                &context_ids,
                &context_types,
                &taxes,
                &tax_raws,
                &tax_receivers,
            ],
        )
        .await?;
    Ok(inserted)
}
