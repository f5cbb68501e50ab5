//! The one error type every operation returns, `{code, message}`, and the one place store
//! and sync errors are given their code.

use recon_client::SyncError;
use recon_store::StoreError;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// What went wrong, as a stable machine code the UI and scripts switch on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ErrorCode {
    Io,
    LedgerTooNew,
    NotFound,
    InvalidInput,
    Conflict,
    BadFile,
    RowsRejected,
    Database,
    /// A CSV column reads two ways and no profile says which.
    AmbiguousColumn,
    /// A bug or a failed background task, not the user's input.
    Internal,
    NoServer,
    NoToken,
    ServerUnreachable,
    Unauthorized,
    SyncRefused,
    SyncProtocol,
    Keychain,
    /// The window could not reach the app's backend (set by the UI, never by Rust).
    Ipc,
}

impl ErrorCode {
    pub const ALL: [ErrorCode; 18] = [
        ErrorCode::Io,
        ErrorCode::LedgerTooNew,
        ErrorCode::NotFound,
        ErrorCode::InvalidInput,
        ErrorCode::Conflict,
        ErrorCode::BadFile,
        ErrorCode::RowsRejected,
        ErrorCode::Database,
        ErrorCode::AmbiguousColumn,
        ErrorCode::Internal,
        ErrorCode::NoServer,
        ErrorCode::NoToken,
        ErrorCode::ServerUnreachable,
        ErrorCode::Unauthorized,
        ErrorCode::SyncRefused,
        ErrorCode::SyncProtocol,
        ErrorCode::Keychain,
        ErrorCode::Ipc,
    ];

    /// The code as it travels (the serde name).
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Io => "io",
            ErrorCode::LedgerTooNew => "ledger_too_new",
            ErrorCode::NotFound => "not_found",
            ErrorCode::InvalidInput => "invalid_input",
            ErrorCode::Conflict => "conflict",
            ErrorCode::BadFile => "bad_file",
            ErrorCode::RowsRejected => "rows_rejected",
            ErrorCode::Database => "database",
            ErrorCode::AmbiguousColumn => "ambiguous_column",
            ErrorCode::Internal => "internal",
            ErrorCode::NoServer => "no_server",
            ErrorCode::NoToken => "no_token",
            ErrorCode::ServerUnreachable => "server_unreachable",
            ErrorCode::Unauthorized => "unauthorized",
            ErrorCode::SyncRefused => "sync_refused",
            ErrorCode::SyncProtocol => "sync_protocol",
            ErrorCode::Keychain => "keychain",
            ErrorCode::Ipc => "ipc",
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<&str> for ErrorCode {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// Every failed command reaches the UI as `{code, message}`; the UI switches on `code`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, thiserror::Error)]
#[ts(export)]
#[error("{code}: {message}")]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
}

impl ApiError {
    pub fn new(code: impl Into<ErrorCode>, message: impl Into<String>) -> Self {
        Self {
            code: code.into(),
            message: message.into(),
        }
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidInput, message)
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Internal, message)
    }
}

/// The one mapping of store errors to codes.
pub fn store_error_code(e: &StoreError) -> ErrorCode {
    match e {
        StoreError::Open { .. } | StoreError::Io { .. } => ErrorCode::Io,
        StoreError::NewerSchema { .. } => ErrorCode::LedgerTooNew,
        StoreError::NotFound { .. } | StoreError::NothingToUndo => ErrorCode::NotFound,
        StoreError::Invalid(_) => ErrorCode::InvalidInput,
        StoreError::Conflict(_) => ErrorCode::Conflict,
        StoreError::BadFile { .. } => ErrorCode::BadFile,
        StoreError::RowsRejected(_) => ErrorCode::RowsRejected,
        StoreError::NoRows(_) => ErrorCode::InvalidInput,
        StoreError::Sqlite(_) | StoreError::Busy { .. } => ErrorCode::Database,
    }
}

/// The one mapping of sync errors to codes.
pub fn sync_error_code(e: &SyncError) -> ErrorCode {
    match e {
        SyncError::NoServer => ErrorCode::NoServer,
        SyncError::NoToken => ErrorCode::NoToken,
        SyncError::Unreachable { .. } => ErrorCode::ServerUnreachable,
        SyncError::Refused { status: 401, .. } => ErrorCode::Unauthorized,
        SyncError::Refused { .. } => ErrorCode::SyncRefused,
        SyncError::Protocol(_) => ErrorCode::SyncProtocol,
        SyncError::Keychain(_) => ErrorCode::Keychain,
        SyncError::InsecureUrl(_) => ErrorCode::InvalidInput,
        SyncError::Store(e) => store_error_code(e),
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        Self::new(store_error_code(&e), e.to_string())
    }
}

impl From<SyncError> for ApiError {
    fn from(e: SyncError) -> Self {
        Self::new(sync_error_code(&e), e.to_string())
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_travel_as_todays_snake_case_strings() {
        for code in ErrorCode::ALL {
            let json = serde_json::to_value(code).unwrap();
            assert_eq!(json, serde_json::json!(code.as_str()));
            let back: ErrorCode = serde_json::from_value(json).unwrap();
            assert_eq!(back, code);
        }
        let names: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
        for today in [
            "io",
            "ledger_too_new",
            "not_found",
            "invalid_input",
            "conflict",
            "bad_file",
            "rows_rejected",
            "database",
        ] {
            assert!(names.contains(&today), "{today}");
        }
    }

    #[test]
    fn store_and_sync_errors_keep_the_codes_their_crates_give_them() {
        let errors = [
            StoreError::NotFound {
                what: "wallet",
                name: "x".into(),
            },
            StoreError::Invalid("bad".into()),
            StoreError::Conflict("taken".into()),
        ];
        for e in errors {
            assert_eq!(store_error_code(&e), e.code());
        }
        for e in [
            SyncError::NoServer,
            SyncError::NoToken,
            SyncError::Protocol("?".into()),
            SyncError::InsecureUrl("http://x".into()),
            SyncError::Refused {
                status: 401,
                code: "x".into(),
                message: "m".into(),
            },
        ] {
            assert_eq!(sync_error_code(&e), e.code());
        }
    }
}
