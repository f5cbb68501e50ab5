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
//!   `413 too_many_events`; malformed JSON or a malformed envelope (`device_seq` < 1, a
//!   bad `kind` or `created_at`) → `400 bad_request`; a body above
//!   [`MAX_BODY_BYTES`](recon_sync::MAX_BODY_BYTES) → `413 payload_too_large`. What is
//!   wrong with an event's *values* is a refusal in its answer instead
//!   ([`EventAnswer::refused`](recon_sync::EventAnswer::refused)): `too_large` (over
//!   [`MAX_EVENT_BYTES`](recon_sync::MAX_EVENT_BYTES) or
//!   [`MAX_LINES_PER_EVENT`](recon_sync::MAX_LINES_PER_EVENT) lines), `invalid_value`
//!   (control characters, non-RFC 3339 dates, unknown currencies, amounts not exact in the
//!   wallet's currency, over-long keys and texts: the reason names the field) or
//!   `conflict` (an ESI id held with other values, a wallet's currency changed: both
//!   values listed, nothing applied). A refused event is stored with that first answer
//!   and the device's sequence moves on past it. Journal lines are keyed by (org, wallet
//!   key, ESI id): a line already held with the same values counts as a duplicate.
//!   Pushes of one organization are applied one at a time (in-process turn plus
//!   `pg_advisory_xact_lock`), so concurrent pushes never deadlock.
//!   Events are read as [`RawEvent`](recon_sync::RawEvent)s: every event's `device_id` and
//!   `device_seq` (1 or more) are stored with it. A kind this server does not apply yet
//!   is stored as received and
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
//! * Internal failures are logged (`tracing`: PostgreSQL code and message, org, device,
//!   event) and answered `500 internal` without details; every refusal is logged with
//!   org, device, user and reason.
//! * At most [`MAX_REQUESTS_PER_ORG`] authenticated requests of one organization run at
//!   once (others wait, then `429 busy`). The request head must arrive within
//!   [`ServeConfig::header_read_timeout`] and the body within
//!   [`ServeConfig::body_read_timeout`] (`408`, connection closed). [`serve_with`] serves
//!   HTTPS with a [`Tls`] certificate and key.
//!
//! # Library surface
//!
//! [`connect`] (pool + migrations), [`create_token`], [`list_devices`], [`revoke_token`],
//! [`router`], [`serve`] / [`serve_with`], and for tests
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
mod devices;
mod error;
mod http;
mod migrate;
mod prepared;
mod pull_log;
mod serve;

pub use db::{connect, create_token, drop_test_database, fresh_test_database, Db};
pub use devices::{list_devices, revoke_token, DeviceInfo, RevokeTarget};
pub use error::ServerError;
pub use http::{router, router_with, MAX_REQUESTS_PER_ORG};
pub use migrate::LATEST_VERSION;
pub use pull_log::rotate_epoch;
pub use serve::{serve_with, ServeConfig, Tls};

/// Serves the API over plain HTTP on `listener` with the default limits until the
/// returned future is dropped (e.g. the task is aborted). See [`serve_with`] for HTTPS.
pub async fn serve(listener: tokio::net::TcpListener, db: Db) -> Result<(), ServerError> {
    serve_with(listener, db, None, ServeConfig::default()).await
}
