//! `GET /healthz` (no auth) and `GET /api/v1/whoami`.

use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use recon_sync::WhoAmI;

use super::auth::Caller;
use super::errors::ApiError;
use super::AppState;
use crate::ServerError;

/// How long the health check waits for the database.
const HEALTH_TIMEOUT: Duration = Duration::from_secs(5);

pub(crate) async fn healthz(State(state): State<AppState>) -> Response {
    let check = async {
        let client = state.db.client().await?;
        client.simple_query("SELECT 1").await?;
        Ok::<_, ServerError>(())
    };
    match tokio::time::timeout(HEALTH_TIMEOUT, check).await {
        Ok(Ok(())) => (StatusCode::OK, "ok").into_response(),
        Ok(Err(err)) => {
            tracing::error!(error = %err, "health check failed");
            unavailable()
        }
        Err(_) => {
            tracing::error!(timeout = ?HEALTH_TIMEOUT, "health check timed out");
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

pub(crate) async fn whoami(caller: Caller) -> Json<WhoAmI> {
    Json(WhoAmI {
        org: caller.org,
        user: caller.user,
    })
}
