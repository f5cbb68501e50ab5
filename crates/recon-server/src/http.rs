//! HTTP layer: routes, auth, JSON errors, push / journal / whoami handlers.

use std::time::Duration;

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{DefaultBodyLimit, FromRequest, FromRequestParts, Query, Request, State};
use axum::http::{header, request::Parts, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use recon_sync::{
    ErrorBody, Event, EventAnswer, EventBody, EventResult, JournalLine, JournalLinesImported,
    JournalPage, PushRequest, PushResponse, ServerJournalLine, WhoAmI, HEALTH_PATH, JOURNAL_PATH,
    MAX_BODY_BYTES, MAX_EVENTS_PER_PUSH, MAX_LINES_PER_EVENT, PUSH_PATH, WHOAMI_PATH,
};
use rust_decimal::Decimal;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use tokio_postgres::error::SqlState;
use tokio_postgres::Transaction;
use uuid::Uuid;

use crate::{db::token_sha256, Db, ServerError};

const DEFAULT_PAGE: i64 = 1000;
const MAX_PAGE: i64 = 10_000;
/// Attempts of one push when PostgreSQL reports a deadlock / serialization failure.
const PUSH_ATTEMPTS: u32 = 3;

#[derive(Clone)]
struct AppState {
    db: Db,
}

/// The axum router of the whole API (see the crate docs).
pub fn router(db: Db) -> Router {
    Router::new()
        .route(HEALTH_PATH, get(healthz))
        .route(PUSH_PATH, post(push))
        .route(JOURNAL_PATH, get(journal))
        .route(WHOAMI_PATH, get(whoami))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(AppState { db })
}

// ---------------------------------------------------------------------------------------
// Errors

/// An error answer: status + [`ErrorBody`].
#[derive(Debug)]
struct ApiError {
    status: StatusCode,
    body: ErrorBody,
}

impl ApiError {
    fn new(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            body: ErrorBody {
                code: code.to_owned(),
                message: message.into(),
                event_id: None,
            },
        }
    }

    fn with_event(mut self, id: Uuid) -> Self {
        self.body.event_id = Some(id);
        self
    }

    fn bad_request(message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }

    fn unauthorized(message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
    }
}

impl From<ServerError> for ApiError {
    fn from(err: ServerError) -> Self {
        eprintln!("recon-server: internal error: {err}");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "internal server error",
        )
    }
}

impl From<tokio_postgres::Error> for ApiError {
    fn from(err: tokio_postgres::Error) -> Self {
        ServerError::from(err).into()
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(self.body)).into_response()
    }
}

async fn not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such route")
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "method not allowed on this route",
    )
}

/// `Json` whose rejection is an [`ErrorBody`].
struct ApiJson<T>(T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(value)) => Ok(ApiJson(value)),
            Err(rejection) => Err(json_rejection(rejection)),
        }
    }
}

fn json_rejection(rejection: JsonRejection) -> ApiError {
    if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!("request body larger than {MAX_BODY_BYTES} bytes"),
        )
    } else {
        ApiError::bad_request(rejection.body_text())
    }
}

fn query_rejection(rejection: QueryRejection) -> ApiError {
    ApiError::bad_request(rejection.body_text())
}

// ---------------------------------------------------------------------------------------
// Auth

/// The authenticated caller, from `Authorization: Bearer <token>`.
struct Caller {
    org_id: i64,
    device_id: i64,
    org: String,
    user: String,
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, token)| token.trim())
            .filter(|token| !token.is_empty())
            .ok_or_else(|| ApiError::unauthorized("missing Authorization: Bearer <token>"))?;
        let client = state.db.client().await?;
        let row = client
            .query_opt(
                "SELECT d.id, d.org_id, o.name, d.user_email
                   FROM devices d JOIN orgs o ON o.id = d.org_id
                  WHERE d.token_sha256 = $1 AND d.revoked_at IS NULL",
                &[&token_sha256(token)],
            )
            .await?
            .ok_or_else(|| ApiError::unauthorized("unknown or revoked token"))?;
        Ok(Caller {
            device_id: row.get(0),
            org_id: row.get(1),
            org: row.get(2),
            user: row.get(3),
        })
    }
}

// ---------------------------------------------------------------------------------------
// Handlers

async fn healthz(State(state): State<AppState>) -> Response {
    let check = async {
        let client = state.db.client().await?;
        client.simple_query("SELECT 1").await?;
        Ok::<_, ServerError>(())
    };
    match tokio::time::timeout(Duration::from_secs(5), check).await {
        Ok(Ok(())) => (StatusCode::OK, "ok").into_response(),
        Ok(Err(err)) => {
            eprintln!("recon-server: health check failed: {err}");
            unavailable()
        }
        Err(_) => {
            eprintln!("recon-server: health check timed out");
            unavailable()
        }
    }
}

fn unavailable() -> Response {
    ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "unavailable",
        "the database does not answer",
    )
    .into_response()
}

async fn whoami(caller: Caller) -> Json<WhoAmI> {
    Json(WhoAmI {
        org: caller.org,
        user: caller.user,
    })
}

#[derive(Debug, Deserialize)]
struct JournalQuery {
    wallet_key: Option<String>,
    limit: Option<i64>,
    offset: Option<i64>,
}

async fn journal(
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
    let lines = rows
        .iter()
        .map(|row| ServerJournalLine {
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
        })
        .collect();
    Ok(Json(JournalPage {
        total: u64::try_from(total).unwrap_or(0),
        lines,
    }))
}

async fn push(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(request): ApiJson<PushRequest>,
) -> Result<Json<PushResponse>, ApiError> {
    if request.events.len() > MAX_EVENTS_PER_PUSH {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_many_events",
            format!(
                "a push carries at most {MAX_EVENTS_PER_PUSH} events, this one has {}",
                request.events.len()
            ),
        ));
    }
    for event in &request.events {
        validate(event)?;
    }
    let mut attempt = 0;
    loop {
        attempt += 1;
        match push_once(&state.db, &caller, &request.events).await {
            Ok(outcome) => return outcome.map(Json),
            Err(ServerError::Db(err)) if attempt < PUSH_ATTEMPTS && is_retryable(&err) => {
                eprintln!("recon-server: push attempt {attempt} failed, retrying: {err}");
            }
            Err(err) => return Err(err.into()),
        }
    }
}

fn validate(event: &Event) -> Result<(), ApiError> {
    match &event.body {
        EventBody::JournalLinesImported(body) => {
            if body.lines.len() > MAX_LINES_PER_EVENT {
                return Err(ApiError::bad_request(format!(
                    "an event carries at most {MAX_LINES_PER_EVENT} journal lines, this one has {}",
                    body.lines.len()
                ))
                .with_event(event.id));
            }
            if body.wallet.key.trim().is_empty() {
                return Err(ApiError::bad_request("the wallet key is empty").with_event(event.id));
            }
        }
    }
    Ok(())
}

fn is_retryable(err: &tokio_postgres::Error) -> bool {
    matches!(
        err.code(),
        Some(code) if *code == SqlState::T_R_DEADLOCK_DETECTED
            || *code == SqlState::T_R_SERIALIZATION_FAILURE
    )
}

/// One attempt at applying a whole push in one transaction. The inner `Err` is a refusal
/// (409) after which nothing was committed; the outer `Err` a database failure.
async fn push_once(
    db: &Db,
    caller: &Caller,
    events: &[Event],
) -> Result<Result<PushResponse, ApiError>, ServerError> {
    let mut client = db.client().await?;
    let tx = client.transaction().await?;
    let mut results = Vec::with_capacity(events.len());
    for event in events {
        let digest = event.body.digest_hex();
        // Claim the event id first: the primary key makes a concurrent push of the same id
        // wait for this transaction and then see the committed row (exactly-once).
        let claimed = tx
            .execute(
                "INSERT INTO sync_events (org_id, event_id, kind, body_sha256, created_at, device_id)
                 VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (org_id, event_id) DO NOTHING",
                &[
                    &caller.org_id,
                    &event.id,
                    &event.body.kind(),
                    &digest,
                    &event.created_at,
                    &caller.device_id,
                ],
            )
            .await?;
        if claimed == 0 {
            let row = tx
                .query_one(
                    "SELECT body_sha256, answer FROM sync_events
                      WHERE org_id = $1 AND event_id = $2",
                    &[&caller.org_id, &event.id],
                )
                .await?;
            let stored_digest: String = row.get(0);
            if stored_digest != digest {
                tx.rollback().await?;
                return Ok(Err(ApiError::new(
                    StatusCode::CONFLICT,
                    "event_id_reused",
                    format!(
                        "event {} was already received with a different body; nothing of this push was applied",
                        event.id
                    ),
                )
                .with_event(event.id)));
            }
            let answer: Option<serde_json::Value> = row.get(1);
            let answer = answer.ok_or_else(|| {
                ServerError::Invalid(format!("stored event {} has no answer", event.id))
            })?;
            results.push(EventResult {
                id: event.id,
                replayed: true,
                answer: serde_json::from_value(answer)?,
            });
            continue;
        }
        let answer = match &event.body {
            EventBody::JournalLinesImported(body) => {
                apply_journal_lines(&tx, caller.org_id, event.id, body).await?
            }
        };
        tx.execute(
            "UPDATE sync_events SET answer = $3 WHERE org_id = $1 AND event_id = $2",
            &[&caller.org_id, &event.id, &serde_json::to_value(&answer)?],
        )
        .await?;
        results.push(EventResult {
            id: event.id,
            replayed: false,
            answer,
        });
    }
    tx.commit().await?;
    Ok(Ok(PushResponse { results }))
}

async fn apply_journal_lines(
    tx: &Transaction<'_>,
    org_id: i64,
    event_id: Uuid,
    body: &JournalLinesImported,
) -> Result<EventAnswer, ServerError> {
    let wallet = &body.wallet;
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
    if body.lines.is_empty() {
        return Ok(EventAnswer {
            inserted: 0,
            duplicates: 0,
        });
    }
    let lines = &body.lines;
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
    let total = lines.len() as u64;
    Ok(EventAnswer {
        inserted,
        duplicates: total.saturating_sub(inserted),
    })
}
