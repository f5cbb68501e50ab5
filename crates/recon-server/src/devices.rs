//! Device tokens as an administrator sees them: `recon-server devices --org ORG` lists
//! them, `recon-server token revoke` ends one (its next request gets `401`).

use crate::db::token_sha256;
use crate::{Db, ServerError};

/// One device token of an organization (never the token itself: only its hash is kept).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceInfo {
    pub id: i64,
    pub user: String,
    /// RFC 3339 UTC.
    pub created_at: String,
    pub revoked_at: Option<String>,
    /// When the server last received an event pushed with this token.
    pub last_push_at: Option<String>,
    pub events: i64,
}

/// Which token to revoke.
#[derive(Debug, Clone)]
pub enum RevokeTarget {
    /// The token text (`rdt_…`).
    Token(String),
    /// A device id as `devices` lists it, within the organization.
    Device { org: String, id: i64 },
}

/// The organization's device tokens, oldest first. An unknown organization is an error.
pub async fn list_devices(db: &Db, org: &str) -> Result<Vec<DeviceInfo>, ServerError> {
    let client = db.client().await?;
    let org_id = org_id(&client, org).await?;
    let rows = client
        .query(
            "SELECT d.id, d.user_email,
                    to_char(d.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),
                    to_char(d.revoked_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),
                    to_char(max(e.received_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),
                    count(e.event_id)
               FROM devices d
               LEFT JOIN sync_events e ON e.org_id = d.org_id AND e.device_id = d.id
              WHERE d.org_id = $1
              GROUP BY d.id
              ORDER BY d.id",
            &[&org_id],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| DeviceInfo {
            id: r.get(0),
            user: r.get(1),
            created_at: r.get(2),
            revoked_at: r.get(3),
            last_push_at: r.get(4),
            events: r.get(5),
        })
        .collect())
}

/// Revokes one token; returns the device id and user. Revoking a revoked token, or one
/// the server does not know, is an error (so a typo is not taken for success).
pub async fn revoke_token(db: &Db, target: &RevokeTarget) -> Result<(i64, String), ServerError> {
    let client = db.client().await?;
    let row = match target {
        RevokeTarget::Token(token) => {
            client
                .query_opt(
                    "UPDATE devices SET revoked_at = now()
                      WHERE token_sha256 = $1 AND revoked_at IS NULL
                  RETURNING id, user_email",
                    &[&token_sha256(token.trim())],
                )
                .await?
        }
        RevokeTarget::Device { org, id } => {
            let org_id = org_id(&client, org).await?;
            client
                .query_opt(
                    "UPDATE devices SET revoked_at = now()
                      WHERE org_id = $1 AND id = $2 AND revoked_at IS NULL
                  RETURNING id, user_email",
                    &[&org_id, id],
                )
                .await?
        }
    };
    let row =
        row.ok_or_else(|| ServerError::Invalid("no such token, or it is already revoked".into()))?;
    tracing::info!(device = row.get::<_, i64>(0), user = %row.get::<_, String>(1), "token revoked");
    Ok((row.get(0), row.get(1)))
}

async fn org_id(client: &tokio_postgres::Client, org: &str) -> Result<i64, ServerError> {
    client
        .query_opt("SELECT id FROM orgs WHERE name = $1", &[&org.trim()])
        .await?
        .map(|r| r.get(0))
        .ok_or_else(|| ServerError::Invalid(format!("no organization named '{}'", org.trim())))
}
