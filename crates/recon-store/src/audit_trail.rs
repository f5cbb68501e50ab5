//! Reading the audit trail: every record, or one entity's (an expected payment's history in
//! the app, `recon audit list --entity KIND:ID`). Records are only ever appended by `write.rs`.

use crate::{AuditRecord, Result, Store};

/// The most records one listing returns (the newest ones).
pub const MAX_AUDIT_LIST: u32 = 10_000;

impl Store {
    /// Audit records oldest first: the newest `limit` of all, or of one entity (kind and id
    /// as recorded, e.g. `expected_payment` and its id).
    pub fn audit_list(&self, entity: Option<(&str, &str)>, limit: u32) -> Result<Vec<AuditRecord>> {
        let (kind, id) = entity.unzip();
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, at, actor, action, entity, entity_id, before, after FROM (
                 SELECT * FROM audit_log
                 WHERE ?1 IS NULL OR (entity = ?1 AND entity_id = ?2)
                 ORDER BY id DESC LIMIT ?3
             ) ORDER BY id",
        )?;
        let rows = stmt.query_map(
            rusqlite::params![kind, id, limit.min(MAX_AUDIT_LIST)],
            |r| {
                Ok(AuditRecord {
                    id: r.get(0)?,
                    at: r.get(1)?,
                    actor: r.get(2)?,
                    action: r.get(3)?,
                    entity: r.get(4)?,
                    entity_id: r.get(5)?,
                    before: r.get(6)?,
                    after: r.get(7)?,
                })
            },
        )?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
