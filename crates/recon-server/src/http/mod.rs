//! HTTP layer: the router; auth, error answers and one handler module per endpoint family.

mod audit_head;
mod auth;
mod errors;
mod journal;
mod limits;

pub use limits::MAX_REQUESTS_PER_ORG;
mod pull;
mod push;
mod status;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::Router;
use recon_sync::{
    AUDIT_HEAD_PATH, HEALTH_PATH, JOURNAL_PATH, MAX_BODY_BYTES, PULL_PATH, PUSH_PATH, WHOAMI_PATH,
};

use std::sync::Arc;
use std::time::Duration;

use tower_http::timeout::RequestBodyTimeoutLayer;

use crate::Db;

#[derive(Clone)]
pub(crate) struct AppState {
    db: Db,
    limits: Arc<limits::OrgLimits>,
}

/// The axum router of the whole API (see the crate docs), with the default body timeout.
pub fn router(db: Db) -> Router {
    router_with(db, crate::ServeConfig::default().body_read_timeout)
}

/// [`router`] whose request bodies must arrive within `body_read_timeout` (else `408`).
pub fn router_with(db: Db, body_read_timeout: Duration) -> Router {
    Router::new()
        .route(HEALTH_PATH, get(status::healthz))
        .route(PUSH_PATH, post(push::push))
        .route(PULL_PATH, get(pull::pull))
        .route(JOURNAL_PATH, get(journal::journal))
        .route(WHOAMI_PATH, get(status::whoami))
        .route(
            AUDIT_HEAD_PATH,
            get(audit_head::known).post(audit_head::push),
        )
        .fallback(errors::not_found)
        .method_not_allowed_fallback(errors::method_not_allowed)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(RequestBodyTimeoutLayer::new(body_read_timeout))
        .with_state(AppState {
            db,
            limits: Arc::default(),
        })
}
