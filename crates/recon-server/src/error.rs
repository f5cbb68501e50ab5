/// Library error type.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error("database error: {0}")]
    Db(#[from] tokio_postgres::Error),
    #[error("database pool error: {0}")]
    Pool(#[from] deadpool_postgres::PoolError),
    #[error("cannot build the database pool: {0}")]
    PoolBuild(#[from] deadpool_postgres::BuildError),
    #[error("invalid database URL: {0}")]
    DatabaseUrl(String),
    #[error(
        "the database schema is at version {db_version}, but this recon-server only knows \
         versions up to {binary_version}; refusing to start (upgrade recon-server)"
    )]
    SchemaTooNew {
        db_version: i64,
        binary_version: i64,
    },
    #[error("invalid input: {0}")]
    Invalid(String),
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    #[error("JSON error: {0}")]
    Json(#[from] serde_json::Error),
}
