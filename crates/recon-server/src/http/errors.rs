//! Error answers: every non-2xx is a status with an [`ErrorBody`], including axum's own
//! rejections (bad JSON, bad query, unknown route, wrong method).

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use recon_sync::{ErrorBody, MAX_BODY_BYTES};
use serde::de::DeserializeOwned;
use uuid::Uuid;

use crate::ServerError;

/// An error answer: status + [`ErrorBody`].
#[derive(Debug)]
pub(crate) struct ApiError {
    status: StatusCode,
    body: ErrorBody,
}

impl ApiError {
    pub(crate) fn new(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            body: ErrorBody {
                code: code.to_owned(),
                message: message.into(),
                event_id: None,
            },
        }
    }

    pub(crate) fn with_event(mut self, id: Uuid) -> Self {
        self.body.event_id = Some(id);
        self
    }

    pub(crate) fn bad_request(message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }

    pub(crate) fn unauthorized(message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
    }
}

impl ApiError {
    /// `500 internal`, without details (the cause is logged where it is known).
    pub(crate) fn internal() -> Self {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "internal server error",
        )
    }
}

impl From<ServerError> for ApiError {
    fn from(err: ServerError) -> Self {
        let db = match &err {
            ServerError::Db(e) => e.as_db_error(),
            _ => None,
        };
        tracing::error!(
            pg_code = db.map(|d| d.code().code()),
            pg_message = db.map(|d| d.message()),
            error = %err,
            "internal error"
        );
        ApiError::internal()
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

pub(crate) async fn not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such route")
}

pub(crate) async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "method not allowed on this route",
    )
}

/// `Json` whose rejection is an [`ErrorBody`].
pub(crate) struct ApiJson<T>(pub T);

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
    let text = rejection.body_text();
    if text.contains("timeout") {
        // RequestBodyTimeoutLayer: the body did not arrive in time.
        tracing::info!("request body not received in time");
        return ApiError::new(
            StatusCode::REQUEST_TIMEOUT,
            "request_timeout",
            "the request body was not received in time",
        );
    }
    if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!("request body larger than {MAX_BODY_BYTES} bytes"),
        )
    } else {
        ApiError::bad_request(text)
    }
}

pub(crate) fn query_rejection(rejection: QueryRejection) -> ApiError {
    ApiError::bad_request(rejection.body_text())
}
