//! Who is calling: the device token in `Authorization: Bearer <token>` names a device of
//! one organization, and every query below runs inside that organization.

use axum::extract::FromRequestParts;
use axum::http::{header, request::Parts};

use super::errors::ApiError;
use super::AppState;
use crate::db::token_sha256;

/// The authenticated caller.
pub(crate) struct Caller {
    pub org_id: i64,
    /// The token's row in `devices` (not the ledger's own device id, which events carry).
    pub device_id: i64,
    pub org: String,
    pub user: String,
    /// The request's place among its organization's running requests ([`super::limits`]).
    _permit: tokio::sync::OwnedSemaphorePermit,
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
        drop(client);
        let org_id: i64 = row.get(1);
        let org: String = row.get(2);
        let permit = state.limits.request_permit(org_id, &org).await?;
        Ok(Caller {
            device_id: row.get(0),
            org_id,
            org,
            user: row.get(3),
            _permit: permit,
        })
    }
}
