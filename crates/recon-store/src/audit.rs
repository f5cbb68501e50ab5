//! Verifying the hash-chained audit log (records are appended by the write path, `write.rs`):
//! the chain itself, its head (kept in the `device` row, outside the log), and the content
//! each record attests, recomputed from the live tables (`audit_digest.rs`).

use crate::{Result, Store};
use recon_core::audit::{AuditFields, ChainBreak, ChainHead, ChainVerifier, GENESIS_HASH};
use rusqlite::OptionalExtension;

/// What `audit verify` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditReport {
    pub records: u64,
    /// The first problem: the record it names (when one is to blame) and why.
    pub first_break: Option<AuditBreak>,
    /// Records whose content was recomputed from the live tables and matched.
    pub content_checked: u64,
    /// Records written before content digests existed (older ledgers): chained, but their
    /// rows are not checked against the tables.
    pub not_attested: u64,
    /// The chain's newest record as the log holds it.
    pub head: ChainHead,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditBreak {
    pub record: Option<i64>,
    pub reason: String,
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

fn broken(record: i64, reason: impl Into<String>) -> Option<AuditBreak> {
    Some(AuditBreak {
        record: Some(record),
        reason: reason.into(),
    })
}

/// The head the write path keeps in the `device` row, and the first record id that must
/// carry a content digest.
fn kept_head(conn: &rusqlite::Connection) -> Result<(ChainHead, i64)> {
    Ok(conn.query_row(
        "SELECT audit_head_seq, audit_head_hash, digests_from FROM device WHERE singleton = 1",
        [],
        |r| {
            Ok((
                ChainHead {
                    seq: r.get(0)?,
                    hash: r.get(1)?,
                },
                r.get(2)?,
            ))
        },
    )?)
}

/// A log that ends elsewhere than the head the write path kept names the missing end.
fn head_problem(kept: &ChainHead, found: &ChainHead) -> Option<AuditBreak> {
    if found.seq < kept.seq {
        broken(
            kept.seq,
            format!(
                "the log ends at record {} but this ledger last wrote record {} (hash {}): the newest records were removed",
                found.seq, kept.seq, kept.hash
            ),
        )
    } else if found.seq > kept.seq {
        broken(
            found.seq,
            format!(
                "records after {} were not written by Recon Desk (its head says record {} is the newest)",
                kept.seq, kept.seq
            ),
        )
    } else if found.hash != kept.hash {
        broken(
            found.seq,
            format!(
                "the newest record is not the one this ledger wrote (its hash was {})",
                kept.hash
            ),
        )
    } else {
        None
    }
}

impl Store {
    /// Re-hashes the whole log in id order, checks it ends where the write path left it,
    /// then recomputes what each record attests from the live tables; reports the first
    /// problem.
    pub fn audit_verify(&self) -> Result<AuditReport> {
        let (kept, digests_from) = kept_head(&self.conn)?;
        let (records, head, chain_break) = self.verify_chain(digests_from)?;
        let mut report = AuditReport {
            records,
            first_break: chain_break,
            content_checked: 0,
            not_attested: 0,
            head,
        };
        if report.first_break.is_none() {
            report.first_break = head_problem(&kept, &report.head);
        }
        if report.first_break.is_none() {
            let content = crate::audit_digest::verify_content(&self.conn)?;
            report.content_checked = content.checked;
            report.not_attested = content.not_attested;
            report.first_break = content.first_break;
        }
        Ok(report)
    }

    /// The chain's newest record (`0` and the genesis hash for an empty log): what a sync
    /// sends the server.
    pub fn audit_head(&self) -> Result<ChainHead> {
        Ok(self
            .conn
            .query_row(
                "SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1",
                [],
                |r| {
                    Ok(ChainHead {
                        seq: r.get(0)?,
                        hash: r.get(1)?,
                    })
                },
            )
            .optional()?
            .unwrap_or(ChainHead {
                seq: 0,
                hash: GENESIS_HASH.to_owned(),
            }))
    }

    /// This ledger's identity as a sync client (the `device` row's UUID).
    pub fn device_id(&self) -> Result<String> {
        crate::write::device_id(&self.conn)
    }

    /// The hash of record `seq` as the log now holds it (`None`: no such record).
    pub fn audit_hash_at(&self, seq: i64) -> Result<Option<String>> {
        if seq == 0 {
            return Ok(Some(GENESIS_HASH.to_owned()));
        }
        Ok(self
            .conn
            .query_row("SELECT hash FROM audit_log WHERE id = ?1", [seq], |r| {
                r.get(0)
            })
            .optional()?)
    }

    /// The chain pass: records checked, the newest record, and the first break.
    fn verify_chain(&self, digests_from: i64) -> Result<(u64, ChainHead, Option<AuditBreak>)> {
        let mut stmt = self.conn.prepare(
            "SELECT id, at, actor, action, entity, entity_id, before, after, prev_hash, hash, content_digest
             FROM audit_log ORDER BY id",
        )?;
        let mut rows = stmt.query([])?;
        let mut verifier = ChainVerifier::default();
        let mut expected_id = 1;
        let mut head = ChainHead {
            seq: 0,
            hash: GENESIS_HASH.to_owned(),
        };
        while let Some(row) = rows.next()? {
            let id: i64 = row.get(0)?;
            let text = |i: usize| row.get::<_, String>(i);
            let (at, actor, action, entity, entity_id) =
                (text(1)?, text(2)?, text(3)?, text(4)?, text(5)?);
            let before: Option<String> = row.get(6)?;
            let after: Option<String> = row.get(7)?;
            let (prev, hash) = (text(8)?, text(9)?);
            let content: Option<String> = row.get(10)?;
            let fields = AuditFields {
                id,
                at: &at,
                actor: &actor,
                action: &action,
                entity: &entity,
                entity_id: &entity_id,
                before: before.as_deref(),
                after: after.as_deref(),
                content_digest: content.as_deref(),
            };
            let problem = if id != expected_id {
                Some(format!(
                    "record id {id} follows {}: a record is missing",
                    expected_id - 1
                ))
            } else {
                match verifier.check(&fields, &prev, &hash) {
                    Ok(()) if content.is_none()
                        && id >= digests_from
                        && crate::audit_digest::is_attested(&entity) =>
                    {
                        Some("it attests no content, though every record since this ledger's upgrade must".into())
                    }
                    Ok(()) => None,
                    Err(ChainBreak::HashMismatch) => Some("its content does not match its hash (altered)".into()),
                    Err(ChainBreak::PrevHashMismatch) => {
                        Some("it does not chain to the record before it (a record was removed, inserted or altered)".into())
                    }
                }
            };
            if let Some(reason) = problem {
                return Ok((verifier.checked(), head, broken(id, reason)));
            }
            head = ChainHead { seq: id, hash };
            expected_id += 1;
        }
        Ok((verifier.checked(), head, None))
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
            report.first_break.as_ref().and_then(|b| b.record),
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
            report.first_break.as_ref().and_then(|b| b.record),
            Some(3),
            "{report:?}"
        );
    }

    /// A record's fields as stored: id, at, actor, action, entity, entity id, before, after.
    type Stored = (
        i64,
        String,
        String,
        String,
        String,
        String,
        Option<String>,
        Option<String>,
    );

    /// Rewrites the log as a ledger from before content digests would have it: no digests,
    /// hashes without them, `digests_from` past the end.
    fn make_legacy(store: &crate::Store) {
        use recon_core::audit::{chain_hash, AuditFields, GENESIS_HASH};
        let rows: Vec<Stored> = store
            .conn
            .prepare("SELECT id, at, actor, action, entity, entity_id, before, after FROM audit_log ORDER BY id")
            .unwrap()
            .query_map([], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?))
            })
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        let mut prev = GENESIS_HASH.to_string();
        for (id, at, actor, action, entity, entity_id, before, after) in &rows {
            let fields = AuditFields {
                id: *id,
                at,
                actor,
                action,
                entity,
                entity_id,
                before: before.as_deref(),
                after: after.as_deref(),
                content_digest: None,
            };
            let hash = chain_hash(&prev, &fields);
            store
                .conn
                .execute(
                    "UPDATE audit_log SET content_digest = NULL, prev_hash = ?2, hash = ?3 WHERE id = ?1",
                    rusqlite::params![id, prev, hash],
                )
                .unwrap();
            prev = hash;
        }
        store
            .conn
            .execute(
                "UPDATE device SET audit_head_hash = ?1, digests_from = ?2",
                rusqlite::params![prev, rows.len() as i64 + 1],
            )
            .unwrap();
    }

    #[test]
    fn records_from_before_digests_are_reported_not_checked_and_new_ones_are() {
        let (_dir, mut store) = temp_store();
        store.add_wallet("alice", now(), wallet("A")).unwrap();
        store.add_wallet("alice", now(), wallet("B")).unwrap();
        make_legacy(&store);
        let report = store.audit_verify().unwrap();
        assert!(report.ok(), "{report:?}");
        assert_eq!((report.not_attested, report.content_checked), (2, 0));
        // A legacy wallet row altered is out of reach; a new one is not.
        store.add_wallet("alice", now(), wallet("C")).unwrap();
        let report = store.audit_verify().unwrap();
        assert_eq!(
            (report.not_attested, report.content_checked),
            (2, 1),
            "{report:?}"
        );
        store
            .conn
            .execute("UPDATE wallets SET owner_id = 7 WHERE name = 'C'", [])
            .unwrap();
        let report = store.audit_verify().unwrap();
        assert_eq!(report.first_break.and_then(|b| b.record), Some(3));
        // A record past `digests_from` without a digest is refused even if it chains.
        make_legacy(&store);
        store
            .conn
            .execute("UPDATE device SET digests_from = 3", [])
            .unwrap();
        let report = store.audit_verify().unwrap();
        let broken = report.first_break.expect("a missing digest");
        assert_eq!(broken.record, Some(3));
        assert!(
            broken.reason.contains("attests no content"),
            "{}",
            broken.reason
        );
    }
}
