//! `recon-server`: the Recon Desk sync server (axum + PostgreSQL).
//!
//! # HTTP API
//!
//! All bodies are JSON using the wire types of [`recon_sync`]; every non-2xx answer is an
//! [`ErrorBody`](recon_sync::ErrorBody) `{code, message, event_id?}`.
//!
//! * `GET /healthz` — no auth. `200 ok` when the database answers `SELECT 1`, else
//!   `503 {code:"unavailable"}`.
//! * Every `/api/v1/*` route needs `Authorization: Bearer <token>` (a device token made by
//!   `recon-server token create` / [`create_token`]). Missing or unknown → `401 unauthorized`.
//!   The token determines the organization; organizations never see each other's data.
//! * `POST /api/v1/sync/push` — [`PushRequest`](recon_sync::PushRequest) →
//!   [`PushResponse`](recon_sync::PushResponse). All events of one push are applied in
//!   order in ONE transaction. Each event id is applied once per organization: a replay with
//!   the same body answers the stored first answer with `replayed: true`; a reused id with a
//!   different body rolls back the whole push and answers `409 event_id_reused` (with
//!   `event_id`). More than [`MAX_EVENTS_PER_PUSH`](recon_sync::MAX_EVENTS_PER_PUSH) events →
//!   `413 too_many_events`; more than [`MAX_LINES_PER_EVENT`](recon_sync::MAX_LINES_PER_EVENT)
//!   lines in one event or malformed JSON → `400 bad_request`; a body above
//!   [`MAX_BODY_BYTES`](recon_sync::MAX_BODY_BYTES) → `413 payload_too_large`. Journal lines
//!   are keyed by (org, wallet key, ESI id): a line already held counts as a duplicate, and
//!   each amount, balance and tax must be an exact amount of the wallet's currency
//!   (recon-core's money rules, the laptop's own) or the event is refused (`400`).
//!   Events are read as [`RawEvent`](recon_sync::RawEvent)s: every event's `device_id` and
//!   `device_seq` (1 or more) are stored with it. A kind this server does not apply yet
//!   (or a journal event in a currency it does not know) is stored as received and
//!   answered `applied: false` with a `note`; it counts as delivered, and replays and
//!   reused ids behave as for any event.
//! * `GET /api/v1/journal?wallet_key=K&limit=N&offset=M` —
//!   [`JournalPage`](recon_sync::JournalPage) of the caller's organization, ordered by
//!   (wallet_key, date, id). `limit` defaults to 1000 and is capped at 10000.
//! * `GET /api/v1/sync/pull?after=CURSOR&limit=N` — [`PullPage`](recon_sync::pull::PullPage):
//!   the organization's accepted events (refused ones never) in commit order, every
//!   device's, `limit` 1–1000 (default 500). The cursor is `EPOCH:POSITION`; one of another
//!   epoch (the database was restored and `recon-server epoch rotate` run), or past the
//!   last position, answers from the start with `reset: true`. Positions are handed out
//!   after commit under a per-organization lock, so none is skipped.
//! * `GET /api/v1/whoami` — [`WhoAmI`](recon_sync::WhoAmI).
//! * Internal failures are logged on stderr and answered `500 internal` without details.
//!
//! # Library surface
//!
//! [`connect`] (pool + migrations), [`create_token`], [`router`], [`serve`], and for tests
//! [`fresh_test_database`] / [`drop_test_database`].
//!
//! # Migrations
//!
//! `migrations/server/NNNN_*.sql` are embedded in the binary and applied in order at start,
//! in one transaction guarded by `pg_advisory_xact_lock`, tracked in `schema_migrations`.
//! A database already at a newer version than this binary knows is refused
//! ([`ServerError::SchemaTooNew`]).

mod apply;
mod db;
mod error;
mod http;
mod migrate;
mod pull_log;

pub use db::{connect, create_token, drop_test_database, fresh_test_database, Db};
pub use error::ServerError;
pub use http::router;
pub use migrate::LATEST_VERSION;
pub use pull_log::rotate_epoch;

/// Serves [`router`] on `listener` until the returned future is dropped (e.g. the task is
/// aborted) or the listener fails.
pub async fn serve(listener: tokio::net::TcpListener, db: Db) -> Result<(), ServerError> {
    axum::serve(listener, router(db)).await?;
    Ok(())
}
