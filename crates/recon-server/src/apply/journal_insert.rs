//! The statements of a `journal_lines_imported` event: the lines the server already holds
//! for the event's ESI ids (to compare), and one insert for all new lines.

use recon_sync::{JournalLine, WalletRef};
use rust_decimal::Decimal;
use tokio_postgres::Transaction;
use uuid::Uuid;

use crate::prepared::Prepared;
use crate::ServerError;

/// The lines of `wallet_key` the server holds among `ids`, as the wire type.
pub(super) async fn held_lines(
    tx: &Transaction<'_>,
    prepared: &Prepared,
    org_id: i64,
    wallet_key: &str,
    ids: &[i64],
) -> Result<Vec<JournalLine>, ServerError> {
    let select = prepared
        .get(
            tx,
            "SELECT entry_id, date, ref_type, description, amount, amount_raw, balance,
                    balance_raw, reason, first_party_id, second_party_id, context_id,
                    context_id_type, tax, tax_raw, tax_receiver_id
               FROM journal_lines
              WHERE org_id = $1 AND wallet_key = $2 AND entry_id = ANY($3)",
        )
        .await?;
    let rows = tx.query(&select, &[&org_id, &wallet_key, &ids]).await?;
    Ok(rows
        .iter()
        .map(|row| JournalLine {
            id: row.get("entry_id"),
            date: row.get("date"),
            ref_type: row.get("ref_type"),
            description: row.get("description"),
            amount: row.get("amount"),
            amount_raw: row.get("amount_raw"),
            balance: row.get("balance"),
            balance_raw: row.get("balance_raw"),
            reason: row.get("reason"),
            first_party_id: row.get("first_party_id"),
            second_party_id: row.get("second_party_id"),
            context_id: row.get("context_id"),
            context_id_type: row.get("context_id_type"),
            tax: row.get("tax"),
            tax_raw: row.get("tax_raw"),
            tax_receiver_id: row.get("tax_receiver_id"),
        })
        .collect())
}

/// One statement for all lines (column arrays through `unnest`); returns how many were new.
pub(super) async fn insert_lines(
    tx: &Transaction<'_>,
    prepared: &Prepared,
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
    let insert = prepared
        .get(
            tx,
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
        )
        .await?;
    let inserted = tx
        .execute(
            &insert,
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
