//! Embedded, append-only SQL migrations.

use crate::ServerError;

/// (version, SQL). Append only; versions strictly increasing.
const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("../../../migrations/server/0001_init.sql")),
    (
        2,
        include_str!("../../../migrations/server/0002_device_sequence_and_unapplied.sql"),
    ),
    (
        3,
        include_str!("../../../migrations/server/0003_audit_head.sql"),
    ),
    (
        4,
        include_str!("../../../migrations/server/0004_pull_positions.sql"),
    ),
    (
        5,
        include_str!("../../../migrations/server/0005_ledger_and_payouts.sql"),
    ),
    (
        6,
        include_str!("../../../migrations/server/0006_matching_state.sql"),
    ),
    (
        7,
        include_str!("../../../migrations/server/0007_wallet_checks.sql"),
    ),
];

/// The newest schema version this binary knows.
pub const LATEST_VERSION: i64 = 7;

/// Arbitrary constant key for `pg_advisory_xact_lock` ("recondsk").
const LOCK_KEY: i64 = 0x7265_636f_6e64_736b;

pub(crate) async fn run(client: &mut tokio_postgres::Client) -> Result<(), ServerError> {
    debug_assert_eq!(MIGRATIONS.last().map(|m| m.0), Some(LATEST_VERSION));
    let tx = client.transaction().await?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&LOCK_KEY])
        .await?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
             version    BIGINT PRIMARY KEY,
             applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
         )",
    )
    .await?;
    let row = tx
        .query_one(
            "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
            &[],
        )
        .await?;
    let current: i64 = row.get(0);
    if current > LATEST_VERSION {
        return Err(ServerError::SchemaTooNew {
            db_version: current,
            binary_version: LATEST_VERSION,
        });
    }
    for (version, sql) in MIGRATIONS {
        if *version <= current {
            continue;
        }
        tx.batch_execute(sql).await?;
        tx.execute(
            "INSERT INTO schema_migrations (version) VALUES ($1)",
            &[version],
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}
