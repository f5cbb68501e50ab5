//! Connection pool, migrations at connect, device tokens, test databases.

use std::str::FromStr;
use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use sha2::{Digest, Sha256};
use tokio_postgres::NoTls;

use crate::ServerError;

/// A PostgreSQL connection pool (cheap to clone).
#[derive(Clone)]
pub struct Db {
    pub(crate) pool: Pool,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db")
            .field("status", &self.pool.status())
            .finish()
    }
}

impl Db {
    pub(crate) async fn client(&self) -> Result<deadpool_postgres::Object, ServerError> {
        Ok(self.pool.get().await?)
    }
}

fn pg_config(database_url: &str) -> Result<tokio_postgres::Config, ServerError> {
    let mut config = tokio_postgres::Config::from_str(database_url)
        .map_err(|e| ServerError::DatabaseUrl(e.to_string()))?;
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(Duration::from_secs(10));
    }
    if config.get_application_name().is_none() {
        config.application_name("recon-server");
    }
    Ok(config)
}

/// Builds the pool for `database_url` (URL or `key=value` form), checks the database
/// answers and applies pending migrations.
pub async fn connect(database_url: &str) -> Result<Db, ServerError> {
    let manager = Manager::from_config(
        pg_config(database_url)?,
        NoTls,
        ManagerConfig {
            recycling_method: RecyclingMethod::Fast,
        },
    );
    let pool = Pool::builder(manager)
        .max_size(16)
        .runtime(Runtime::Tokio1)
        .wait_timeout(Some(Duration::from_secs(15)))
        .create_timeout(Some(Duration::from_secs(15)))
        .build()?;
    let db = Db { pool };
    let mut client = db.client().await?;
    crate::migrate::run(&mut client).await?;
    Ok(db)
}

pub(crate) fn token_sha256(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn new_token() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!("rdt_{}", hex::encode(bytes))
}

/// Creates organization `org` if missing and a new device token for `user` in it.
/// Returns the token (`rdt_` + 64 hex chars); only its SHA-256 is stored.
pub async fn create_token(db: &Db, org: &str, user: &str) -> Result<String, ServerError> {
    let org = org.trim();
    let user = user.trim();
    if org.is_empty() {
        return Err(ServerError::Invalid(
            "the organization name is empty".into(),
        ));
    }
    if user.is_empty() {
        return Err(ServerError::Invalid("the user e-mail is empty".into()));
    }
    let token = new_token();
    let mut client = db.client().await?;
    let tx = client.transaction().await?;
    tx.execute(
        "INSERT INTO orgs (name) VALUES ($1) ON CONFLICT (name) DO NOTHING",
        &[&org],
    )
    .await?;
    let org_id: i64 = tx
        .query_one("SELECT id FROM orgs WHERE name = $1", &[&org])
        .await?
        .get(0);
    tx.execute(
        "INSERT INTO devices (org_id, user_email, token_sha256) VALUES ($1, $2, $3)",
        &[&org_id, &user, &token_sha256(&token)],
    )
    .await?;
    tx.commit().await?;
    Ok(token)
}

async fn admin_client(admin_url: &str) -> Result<tokio_postgres::Client, ServerError> {
    let (client, connection) = pg_config(admin_url)?.connect(NoTls).await?;
    tokio::spawn(async move {
        if let Err(e) = connection.await {
            tracing::warn!(error = %e, "admin connection error");
        }
    });
    Ok(client)
}

/// `database_url` with its database name replaced by `dbname` (URL or `key=value` form).
fn with_dbname(database_url: &str, dbname: &str) -> String {
    let url = database_url.trim();
    for scheme in ["postgresql://", "postgres://"] {
        if let Some(rest) = url.strip_prefix(scheme) {
            let (before_query, query) = match rest.find('?') {
                Some(i) => (&rest[..i], &rest[i..]),
                None => (rest, ""),
            };
            let authority = match before_query.find('/') {
                Some(i) => &before_query[..i],
                None => before_query,
            };
            return format!("{scheme}{authority}/{dbname}{query}");
        }
    }
    // key=value form: a later `dbname` overrides an earlier one.
    format!("{url} dbname={dbname}")
}

/// Test support: creates a new, uniquely named database (`recon_test_<uuid simple>`)
/// through the admin connection `admin_url` and returns its URL (same form as
/// `admin_url`). The database is empty; [`connect`] migrates it. Callers drop it with
/// [`drop_test_database`] or leave it behind (they are cheap; a later cleanup of
/// `recon_test_%` databases is safe).
pub async fn fresh_test_database(admin_url: &str) -> Result<String, ServerError> {
    let name = format!("recon_test_{}", uuid::Uuid::new_v4().simple());
    let client = admin_client(admin_url).await?;
    client
        .batch_execute(&format!("CREATE DATABASE \"{name}\""))
        .await?;
    Ok(with_dbname(admin_url, &name))
}

/// Test support: drops a database made by [`fresh_test_database`] (forcibly closing its
/// connections). Refuses names not starting with `recon_test_`.
pub async fn drop_test_database(admin_url: &str, database_url: &str) -> Result<(), ServerError> {
    let config = pg_config(database_url)?;
    let name = config.get_dbname().unwrap_or_default().to_owned();
    if !name.starts_with("recon_test_")
        || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    {
        return Err(ServerError::Invalid(format!(
            "refusing to drop database {name:?}: not a recon_test_ database"
        )));
    }
    let client = admin_client(admin_url).await?;
    client
        .batch_execute(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dbname_is_replaced_in_both_forms() {
        assert_eq!(
            with_dbname("postgresql://root@%2Fvar%2Frun%2Fpostgresql/postgres", "x"),
            "postgresql://root@%2Fvar%2Frun%2Fpostgresql/x"
        );
        assert_eq!(
            with_dbname("postgres://u:p@h:5432?sslmode=disable", "x"),
            "postgres://u:p@h:5432/x?sslmode=disable"
        );
        let kv = with_dbname("host=/var/run/postgresql user=root dbname=postgres", "x");
        let config = tokio_postgres::Config::from_str(&kv).unwrap();
        assert_eq!(config.get_dbname(), Some("x"));
    }

    #[test]
    fn tokens_are_prefixed_random_and_hashed() {
        let a = new_token();
        let b = new_token();
        assert!(a.starts_with("rdt_") && a.len() == 4 + 64, "{a}");
        assert_ne!(a, b);
        assert_eq!(token_sha256(&a).len(), 64);
        assert_ne!(token_sha256(&a), a);
    }
}
