//! Verifying the hash-chained audit log (records are appended by the write path, `write.rs`).

use crate::{Result, Store};
use recon_core::audit::{AuditFields, ChainBreak, ChainVerifier};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditReport {
    pub records: u64,
    /// The first record that breaks the chain, and why.
    pub first_break: Option<(i64, String)>,
}

impl AuditReport {
    pub fn ok(&self) -> bool {
        self.first_break.is_none()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AuditRecord {
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

impl Store {
    /// Re-hashes the whole log in id order and reports the first record that does not chain.
    pub fn audit_verify(&self) -> Result<AuditReport> {
        let mut stmt = self.conn.prepare(
            "SELECT id, at, actor, action, entity, entity_id, before, after, prev_hash, hash
             FROM audit_log ORDER BY id",
        )?;
        let mut rows = stmt.query([])?;
        let mut verifier = ChainVerifier::default();
        let mut expected_id = 1;
        while let Some(row) = rows.next()? {
            let id: i64 = row.get(0)?;
            let text = |i: usize| row.get::<_, String>(i);
            let (at, actor, action, entity, entity_id) =
                (text(1)?, text(2)?, text(3)?, text(4)?, text(5)?);
            let before: Option<String> = row.get(6)?;
            let after: Option<String> = row.get(7)?;
            let (prev, hash) = (text(8)?, text(9)?);
            let fields = AuditFields {
                id,
                at: &at,
                actor: &actor,
                action: &action,
                entity: &entity,
                entity_id: &entity_id,
                before: before.as_deref(),
                after: after.as_deref(),
            };
            let problem = if id != expected_id {
                Some(format!(
                    "record id {id} follows {}: a record is missing",
                    expected_id - 1
                ))
            } else {
                match verifier.check(&fields, &prev, &hash) {
                    Ok(()) => None,
                    Err(ChainBreak::HashMismatch) => Some("its content does not match its hash (altered)".into()),
                    Err(ChainBreak::PrevHashMismatch) => {
                        Some("it does not chain to the record before it (a record was removed, inserted or altered)".into())
                    }
                }
            };
            if let Some(reason) = problem {
                return Ok(AuditReport {
                    records: verifier.checked(),
                    first_break: Some((id, reason)),
                });
            }
            expected_id += 1;
        }
        Ok(AuditReport {
            records: verifier.checked(),
            first_break: None,
        })
    }

    /// The most recent audit records, newest first.
    pub fn audit_tail(&self, limit: u32) -> Result<Vec<AuditRecord>> {
        let mut stmt = self.conn.prepare(
            "SELECT id, at, actor, action, entity, entity_id, before, after
             FROM audit_log ORDER BY id DESC LIMIT ?1",
        )?;
        let rows = stmt.query_map([limit], |r| {
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
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

#[cfg(test)]
mod tests {
    use crate::test_support::*;
    use crate::NewWallet;

    fn wallet(name: &str) -> NewWallet {
        NewWallet {
            name: name.into(),
            kind: "character".into(),
            owner_id: None,
            division: None,
            currency: "ISK".into(),
            receiving: false,
        }
    }

    #[test]
    fn altering_or_deleting_a_record_is_detected_and_named() {
        let (_dir, mut store) = temp_store();
        for name in ["A", "B", "C"] {
            store.add_wallet("alice", now(), wallet(name)).unwrap();
        }
        let report = store.audit_verify().unwrap();
        assert!(report.ok());
        assert_eq!(report.records, 3);

        store
            .conn
            .execute("UPDATE audit_log SET actor = 'mallory' WHERE id = 2", [])
            .unwrap();
        let report = store.audit_verify().unwrap();
        assert_eq!(
            report.first_break.as_ref().map(|b| b.0),
            Some(2),
            "{report:?}"
        );

        let (_dir, mut store) = temp_store();
        for name in ["A", "B", "C"] {
            store.add_wallet("alice", now(), wallet(name)).unwrap();
        }
        store
            .conn
            .execute("DELETE FROM audit_log WHERE id = 2", [])
            .unwrap();
        let report = store.audit_verify().unwrap();
        assert_eq!(
            report.first_break.as_ref().map(|b| b.0),
            Some(3),
            "{report:?}"
        );
    }
}
