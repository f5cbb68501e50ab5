//! `GET` / `POST /api/v1/sync/audit-head`: the newest audit-chain head each ledger sent.
//! A head may only move forward over the same records (`recon_core::audit::check_head`);
//! one that went back or changed is refused (409) and kept in `audit_head_refusals`.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::Json;
use recon_core::audit::{check_head, ChainHead, HeadRefusal};
use recon_sync::audit::{
    AuditHead, AuditHeadAccepted, AuditHeadPush, AuditHeadQuery, KnownAuditHead,
};

use super::auth::Caller;
use super::errors::{query_rejection, ApiError, ApiJson};
use super::AppState;

pub(crate) async fn known(
    State(state): State<AppState>,
    caller: Caller,
    query: Result<Query<AuditHeadQuery>, QueryRejection>,
) -> Result<Json<KnownAuditHead>, ApiError> {
    let Query(query) = query.map_err(query_rejection)?;
    let client = state.db.client().await.map_err(ApiError::from)?;
    let row = client
        .query_opt(
            "SELECT seq, hash FROM audit_heads WHERE org_id = $1 AND client_device_id = $2",
            &[&caller.org_id, &query.device_id],
        )
        .await?;
    Ok(Json(KnownAuditHead {
        known: row.map(|r| AuditHead {
            seq: r.get(0),
            hash: r.get(1),
        }),
    }))
}

pub(crate) async fn push(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(push): ApiJson<AuditHeadPush>,
) -> Result<Json<AuditHeadAccepted>, ApiError> {
    if push.head.seq < 0 || push.head.hash.len() != 64 {
        return Err(ApiError::bad_request(
            "head: a sequence from 0 and a 64-digit SHA-256 hash",
        ));
    }
    let mut client = state.db.client().await.map_err(ApiError::from)?;
    let tx = client.transaction().await?;
    let kept = tx
        .query_opt(
            "SELECT seq, hash FROM audit_heads WHERE org_id = $1 AND client_device_id = $2 FOR UPDATE",
            &[&caller.org_id, &push.device_id],
        )
        .await?
        .map(|r| ChainHead {
            seq: r.get(0),
            hash: r.get(1),
        });
    if let Some(known) = &kept {
        if push.at_known.as_ref().map(|a| a.seq) != Some(known.seq) {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "audit_head_stale",
                format!("the server keeps record {} as this ledger's head: send the hash at that record", known.seq),
            ));
        }
    }
    let new = ChainHead {
        seq: push.head.seq,
        hash: push.head.hash.clone(),
    };
    let at_known = push.at_known.as_ref().and_then(|a| a.hash.as_deref());
    if let Err(refusal) = check_head(kept.as_ref(), &new, at_known) {
        let known = kept.as_ref().expect("a refusal needs a kept head");
        let code = match refusal {
            HeadRefusal::WentBack { .. } => "audit_chain_cut",
            HeadRefusal::Rewritten { .. } => "audit_chain_rewritten",
        };
        let reason = refusal.to_string();
        tx.execute(
            "INSERT INTO audit_head_refusals (org_id, client_device_id, known_seq, known_hash,
                offered_seq, offered_hash, reason, pushed_by)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            &[
                &caller.org_id,
                &push.device_id,
                &known.seq,
                &known.hash,
                &new.seq,
                &new.hash,
                &reason,
                &caller.device_id,
            ],
        )
        .await?;
        tx.commit().await?;
        tracing::warn!(
            org = %caller.org,
            device = caller.device_id,
            user = %caller.user,
            ledger = %push.device_id,
            code,
            reason = %reason,
            "audit head refused"
        );
        return Err(ApiError::new(StatusCode::CONFLICT, code, reason));
    }
    tx.execute(
        "INSERT INTO audit_heads (org_id, client_device_id, seq, hash, pushed_by)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (org_id, client_device_id)
         DO UPDATE SET seq = excluded.seq, hash = excluded.hash, pushed_by = excluded.pushed_by,
                       received_at = now()",
        &[
            &caller.org_id,
            &push.device_id,
            &new.seq,
            &new.hash,
            &caller.device_id,
        ],
    )
    .await?;
    tx.commit().await?;
    Ok(Json(AuditHeadAccepted { seq: new.seq }))
}
