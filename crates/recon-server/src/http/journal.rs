//! `GET /api/v1/journal?wallet_key=K&limit=N&offset=M`: the caller's organization's
//! journal, ordered by (wallet_key, date, id).

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::Json;
use recon_sync::{JournalLine, JournalPage, ServerJournalLine};
use serde::Deserialize;
use tokio_postgres::Row;

use super::auth::Caller;
use super::errors::{query_rejection, ApiError};
use super::AppState;

const DEFAULT_PAGE: i64 = 1000;
const MAX_PAGE: i64 = 10_000;

#[derive(Debug, Deserialize)]
pub(crate) struct JournalQuery {
    wallet_key: Option<String>,
    limit: Option<i64>,
    offset: Option<i64>,
}

pub(crate) async fn journal(
    State(state): State<AppState>,
    caller: Caller,
    query: Result<Query<JournalQuery>, QueryRejection>,
) -> Result<Json<JournalPage>, ApiError> {
    let Query(query) = query.map_err(query_rejection)?;
    let limit = query.limit.unwrap_or(DEFAULT_PAGE);
    if limit < 0 {
        return Err(ApiError::bad_request("limit must not be negative"));
    }
    let limit = limit.min(MAX_PAGE);
    let offset = query.offset.unwrap_or(0);
    if offset < 0 {
        return Err(ApiError::bad_request("offset must not be negative"));
    }
    let wallet_key = query.wallet_key.as_deref();
    let client = state.db.client().await?;
    let total: i64 = client
        .query_one(
            "SELECT count(*) FROM journal_lines
              WHERE org_id = $1 AND ($2::text IS NULL OR wallet_key = $2)",
            &[&caller.org_id, &wallet_key],
        )
        .await?
        .get(0);
    let rows = client
        .query(
            "SELECT wallet_key, currency, entry_id, date, ref_type, description,
                    amount, amount_raw, balance, balance_raw, reason,
                    first_party_id, second_party_id, context_id, context_id_type,
                    tax, tax_raw, tax_receiver_id
               FROM journal_lines
              WHERE org_id = $1 AND ($2::text IS NULL OR wallet_key = $2)
              ORDER BY wallet_key, date, entry_id
              LIMIT $3 OFFSET $4",
            &[&caller.org_id, &wallet_key, &limit, &offset],
        )
        .await?;
    Ok(Json(JournalPage {
        total: u64::try_from(total).unwrap_or(0),
        lines: rows.iter().map(server_line).collect(),
    }))
}

fn server_line(row: &Row) -> ServerJournalLine {
    ServerJournalLine {
        wallet_key: row.get("wallet_key"),
        currency: row.get("currency"),
        line: JournalLine {
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
        },
    }
}
