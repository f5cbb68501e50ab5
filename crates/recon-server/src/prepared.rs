//! Statements prepared once per push instead of once per event. tokio-postgres prepares a
//! query given as text on every call (a Parse round trip before each Bind/Execute); a push
//! of 100 one-line events ran each of its per-event statements 100 times. A statement
//! prepared on the push's connection serves every event of that push (a prepared statement
//! outlives a rolled-back savepoint or transaction), so each costs one round trip per
//! event instead of two.

use std::collections::HashMap;
use std::sync::Mutex;

use tokio_postgres::{Statement, Transaction};

/// The push's prepared statements, keyed by their text.
#[derive(Default)]
pub(crate) struct Prepared {
    cache: Mutex<HashMap<&'static str, Statement>>,
}

impl Prepared {
    /// `sql` prepared on `tx`'s connection, the first time only. The lock is never held
    /// across an await (a cloned `Statement` is a reference-counted handle).
    pub(crate) async fn get(
        &self,
        tx: &Transaction<'_>,
        sql: &'static str,
    ) -> Result<Statement, tokio_postgres::Error> {
        if let Some(found) = self.lock().get(sql).cloned() {
            return Ok(found);
        }
        let statement = tx.prepare(sql).await?;
        self.lock().insert(sql, statement.clone());
        Ok(statement)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<&'static str, Statement>> {
        // A panic while holding the lock left at most a missing entry: still usable.
        self.cache
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
