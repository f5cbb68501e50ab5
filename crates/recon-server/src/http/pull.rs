//! `GET /api/v1/sync/pull?after=CURSOR&limit=N`: the caller's organization's accepted
//! events after the cursor, in commit order (see `recon_sync::pull`).

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::Json;
use recon_sync::pull::{Cursor, PullPage, DEFAULT_PULL_LIMIT, MAX_PULL_LIMIT};
use serde::Deserialize;

use super::auth::Caller;
use super::errors::{query_rejection, ApiError};
use super::AppState;
use crate::pull_log;

#[derive(Debug, Deserialize)]
pub(crate) struct PullQuery {
    after: Option<String>,
    limit: Option<u32>,
}

pub(crate) async fn pull(
    State(state): State<AppState>,
    caller: Caller,
    query: Result<Query<PullQuery>, QueryRejection>,
) -> Result<Json<PullPage>, ApiError> {
    let Query(query) = query.map_err(query_rejection)?;
    let limit = query
        .limit
        .unwrap_or(DEFAULT_PULL_LIMIT)
        .clamp(1, MAX_PULL_LIMIT);
    let after = match query.after.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(text) => Some(text.parse::<Cursor>().map_err(ApiError::bad_request)?),
    };
    pull_log::assign_positions(&state.db, caller.org_id).await?;
    let client = state.db.client().await?;
    let head = pull_log::head(&client, caller.org_id).await?;
    // A cursor of another epoch, or past the last position (a restore nobody rotated
    // the epoch after), names positions this database does not hold: start over.
    let (start, reset) = match after {
        None => (0, false),
        Some(c) if c.epoch == head.epoch && c.position <= head.position => (c.position, false),
        Some(c) => {
            tracing::warn!(
                org = %caller.org,
                device = caller.device_id,
                user = %caller.user,
                cursor = %c,
                epoch = %head.epoch,
                last_position = head.position,
                "pull cursor not of this database; answering from the start"
            );
            (0, true)
        }
    };
    let mut events =
        pull_log::events_after(&client, caller.org_id, start, i64::from(limit) + 1).await?;
    let more = events.len() > limit as usize;
    events.truncate(limit as usize);
    let last = events.last().map_or(start, |e| e.position);
    Ok(Json(PullPage {
        events,
        next_cursor: Cursor {
            epoch: head.epoch,
            position: last,
        }
        .to_string(),
        more,
        reset,
    }))
}
