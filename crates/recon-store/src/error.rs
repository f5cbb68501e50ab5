use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open the ledger {path}: {source}")]
    Open {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the ledger {path} was written by a newer Recon Desk (schema version {found}; this version knows up to {known}); upgrade Recon Desk to open it")]
    NewerSchema {
        path: PathBuf,
        found: i64,
        known: i64,
    },
    #[error("no {what} named '{name}'")]
    NotFound { what: &'static str, name: String },
    #[error("nothing to undo: every reviewer step is undone already, or none was taken")]
    NothingToUndo,
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{file}: {detail}")]
    BadFile {
        file: String,
        detail: recon_core::esi::EsiError,
    },
    #[error("{} bad row(s); nothing was imported:{}", .0.rejected, .0.rejects_text())]
    RowsRejected(Box<crate::bank_import::BankImportSummary>),
    #[error("the ledger is busy: {holder}; gave up after waiting {}", crate::contention::seconds(*waited_ms))]
    Busy { holder: String, waited_ms: u64 },
    /// Internal to an import: its files held no rows, so its transaction is rolled back.
    #[error("no rows found; nothing was imported")]
    NoRows(Box<crate::bank_import::BankImportSummary>),
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
}

impl StoreError {
    /// Stable machine code the UI and scripts switch on.
    pub fn code(&self) -> &'static str {
        match self {
            StoreError::Open { .. } | StoreError::Io { .. } => "io",
            StoreError::NewerSchema { .. } => "ledger_too_new",
            StoreError::NotFound { .. } | StoreError::NothingToUndo => "not_found",
            StoreError::Invalid(_) => "invalid_input",
            StoreError::Conflict(_) => "conflict",
            StoreError::BadFile { .. } => "bad_file",
            StoreError::RowsRejected(_) => "rows_rejected",
            StoreError::NoRows(_) => "invalid_input",
            StoreError::Sqlite(_) | StoreError::Busy { .. } => "database",
        }
    }
}
