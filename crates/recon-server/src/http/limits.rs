//! Bounded work per organization: at most [`MAX_REQUESTS_PER_ORG`] authenticated requests
//! of one organization run at once (the rest wait a little, then get `429 busy`), and one
//! push at a time, so one team's burst can neither exhaust the connection pool for the
//! others nor make its own pushes fight over rows.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::StatusCode;
use tokio::sync::{OwnedMutexGuard, OwnedSemaphorePermit, Semaphore};

use super::errors::ApiError;

/// Requests of one organization served at the same time.
pub const MAX_REQUESTS_PER_ORG: usize = 8;
/// How long a request waits for its organization's turn before `429 busy`.
const WAIT_FOR_TURN: Duration = Duration::from_secs(30);

#[derive(Default)]
pub(crate) struct OrgLimits {
    orgs: Mutex<HashMap<i64, Arc<OrgSlot>>>,
}

struct OrgSlot {
    requests: Arc<Semaphore>,
    push: Arc<tokio::sync::Mutex<()>>,
}

impl OrgLimits {
    fn slot(&self, org_id: i64) -> Arc<OrgSlot> {
        let mut orgs = self.orgs.lock().unwrap_or_else(|e| e.into_inner());
        orgs.entry(org_id)
            .or_insert_with(|| {
                Arc::new(OrgSlot {
                    requests: Arc::new(Semaphore::new(MAX_REQUESTS_PER_ORG)),
                    push: Arc::new(tokio::sync::Mutex::new(())),
                })
            })
            .clone()
    }

    /// A place among the organization's running requests, held for the request's life.
    pub(crate) async fn request_permit(
        &self,
        org_id: i64,
        org: &str,
    ) -> Result<OwnedSemaphorePermit, ApiError> {
        let requests = self.slot(org_id).requests.clone();
        match tokio::time::timeout(WAIT_FOR_TURN, requests.acquire_owned()).await {
            Ok(Ok(permit)) => Ok(permit),
            _ => {
                tracing::warn!(org = %org, "request refused: the organization's requests are all busy");
                Err(ApiError::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "busy",
                    format!(
                        "{MAX_REQUESTS_PER_ORG} requests of this organization are already \
                         running; try again shortly"
                    ),
                ))
            }
        }
    }

    /// The organization's one push at a time.
    pub(crate) async fn push_turn(&self, org_id: i64) -> OwnedMutexGuard<()> {
        self.slot(org_id).push.clone().lock_owned().await
    }
}
