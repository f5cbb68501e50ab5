//! Migrations are the SQL files of `migrations/sqlite/`, embedded at build time and applied
//! in order inside one transaction; `PRAGMA user_version` records how far a ledger is.

use crate::{Result, StoreError};
use recon_core::money::builtin_currencies;
use rusqlite::{params, Connection};
use std::path::Path;

const MIGRATIONS: &[&str] = &[
    include_str!("../../../migrations/sqlite/0001_init.sql"),
    include_str!("../../../migrations/sqlite/0002_matching.sql"),
    include_str!("../../../migrations/sqlite/0003_imports.sql"),
    include_str!("../../../migrations/sqlite/0004_journal_order.sql"),
    include_str!("../../../migrations/sqlite/0005_device_sequence.sql"),
    include_str!("../../../migrations/sqlite/0006_check_lists.sql"),
    include_str!("../../../migrations/sqlite/0007_ledger.sql"),
    include_str!("../../../migrations/sqlite/0008_wallet_checks.sql"),
    include_str!("../../../migrations/sqlite/0009_audit_content.sql"),
    include_str!("../../../migrations/sqlite/0010_payouts.sql"),
    include_str!("../../../migrations/sqlite/0011_match_restore.sql"),
    include_str!("../../../migrations/sqlite/0012_sync_pull.sql"),
    include_str!("../../../migrations/sqlite/0013_value_date.sql"),
    include_str!("../../../migrations/sqlite/0014_checks_statements_reports.sql"),
    include_str!("../../../migrations/sqlite/0015_statement_sums.sql"),
];

pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

pub(crate) fn migrate(conn: &mut Connection, path: &Path) -> Result<()> {
    // Read first, without a lock: a ledger that is up to date (nearly every open) is never
    // locked by opening it, so a reader started during an import answers at once.
    let found: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if found == SCHEMA_VERSION {
        return Ok(());
    }
    if found > SCHEMA_VERSION {
        return Err(StoreError::NewerSchema {
            path: path.to_path_buf(),
            found,
            known: SCHEMA_VERSION,
        });
    }
    // Rebuilding a table other tables point at (SQLite's 12-step recipe) needs foreign keys
    // off, and the pragma is ignored inside a transaction; they are checked before commit.
    conn.execute_batch("PRAGMA foreign_keys = OFF")?;
    let migrated = migrate_in_tx(conn, path);
    conn.execute_batch("PRAGMA foreign_keys = ON")?;
    migrated
}

fn migrate_in_tx(conn: &mut Connection, path: &Path) -> Result<()> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let found: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if found > SCHEMA_VERSION {
        return Err(StoreError::NewerSchema {
            path: path.to_path_buf(),
            found,
            known: SCHEMA_VERSION,
        });
    }
    for sql in &MIGRATIONS[found as usize..] {
        tx.execute_batch(sql)?;
    }
    if found < SCHEMA_VERSION {
        let broken: Vec<(String, i64, String)> = tx
            .prepare("PRAGMA foreign_key_check")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<rusqlite::Result<_>>()?;
        if let Some((table, rowid, parent)) = broken.first() {
            return Err(StoreError::Invalid(format!(
                "{}: upgrading the ledger would leave {} broken reference(s), e.g. {table} row {rowid} -> {parent}; nothing was changed",
                path.display(),
                broken.len()
            )));
        }
        tx.execute_batch(&format!("PRAGMA user_version = {SCHEMA_VERSION}"))?;
        for c in builtin_currencies() {
            tx.execute(
                "INSERT OR IGNORE INTO currencies (code, scale, name) VALUES (?1, ?2, ?3)",
                params![c.code, c.scale, c.name],
            )?;
        }
    }
    tx.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Store;

    #[test]
    fn pragmas_are_set_and_reopen_is_idempotent() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/dir/ledger.sqlite");
        let store = Store::open(&path).unwrap();
        let mode: String = store
            .conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        let sync: i64 = store
            .conn
            .query_row("PRAGMA synchronous", [], |r| r.get(0))
            .unwrap();
        let fk: i64 = store
            .conn
            .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
            .unwrap();
        assert_eq!((mode.as_str(), sync, fk), ("wal", 2, 1));
        let page: u32 = store
            .conn
            .query_row("PRAGMA page_size", [], |r| r.get(0))
            .unwrap();
        assert_eq!(page, crate::PAGE_SIZE_BYTES, "a new ledger's page size");
        // Reads are mapped (issue 11's check speed); 0 would mean the build disabled mmap.
        let mmap: i64 = store
            .conn
            .query_row("PRAGMA mmap_size", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mmap, 1 << 30, "reads go through a mapping of the ledger");
        drop(store);
        let store = Store::open(&path).unwrap();
        assert_eq!(
            store.currencies().unwrap().len(),
            builtin_currencies().len()
        );
    }

    #[test]
    fn a_ledger_from_a_newer_version_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ledger.sqlite");
        drop(Store::open(&path).unwrap());
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch("PRAGMA user_version = 99").unwrap();
        drop(conn);
        let err = Store::open(&path).unwrap_err();
        assert_eq!(err.code(), "ledger_too_new");
        assert!(err.to_string().contains("schema version 99"), "{err}");
    }

    #[test]
    fn a_file_that_is_not_a_ledger_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("notes.txt");
        std::fs::write(
            &path,
            b"this is not a database, just some text that is long enough",
        )
        .unwrap();
        let err = Store::open(&path).unwrap_err();
        assert!(err.to_string().contains("notes.txt"), "{err}");
    }

    /// A version-3 ledger (sequential row ids, wallet UUIDs on rows) with two wallets, their
    /// rows in an arrival order that differs from date order, a link and a rejection.
    fn version_3_ledger(path: &Path) {
        let mut conn = Connection::open(path).unwrap();
        conn.execute_batch("PRAGMA foreign_keys = ON").unwrap();
        let tx = conn.transaction().unwrap();
        for sql in &MIGRATIONS[..3] {
            tx.execute_batch(sql).unwrap();
        }
        tx.execute_batch(
            "PRAGMA user_version = 3;
             INSERT INTO currencies VALUES ('ISK', 2, 'ISK'), ('EUR', 2, 'Euro');
             INSERT INTO wallets (id, name, kind, currency, receiving, created_at, created_by)
               VALUES ('w-esi', 'Corp', 'corporation', 'ISK', 1, 't', 'me'),
                      ('w-bank', 'Bank', 'bank', 'EUR', 0, 't', 'me');
             INSERT INTO import_batches VALUES ('b1', 'w-esi', 'esi_journal', 3, 3, 0, 0, 'me', 't', 0, NULL, NULL);
             INSERT INTO import_batches VALUES ('b2', 'w-bank', 'csv', 2, 2, 0, 0, 'me', 't', 0, NULL, NULL);
             -- arrival order differs from date order on purpose
             INSERT INTO journal_entries (rowid_pk, wallet_id, natural_key, esi_id, date, ref_type, description, amount_minor, batch_id)
               VALUES (1, 'w-esi', '30', 30, '2026-03-02T10:00:00Z', 'player_donation', 'late', 500, 'b1'),
                      (2, 'w-esi', '20', 20, '2026-03-01T09:00:00Z', 'player_donation', 'early', 700, 'b1'),
                      (3, 'w-esi', '25', 25, '2026-03-01T09:00:00Z', 'player_donation', 'same second', 100, 'b1'),
                      (4, 'w-bank', 'ref:A', NULL, '2026-03-01', 'bank_credit', 'bank', 900, 'b2'),
                      (5, 'w-bank', 'ref:B', NULL, '2026-03-03', 'bank_debit', 'bank later', -50, 'b2');
             INSERT INTO expected_payments (id, cycle_id, character_name, memo, memo_normalized, expected_minor, currency, status, created_at, created_by)
               VALUES ('e1', 'C1', 'Ann', 'ARB C1 Ann', 'arb c1 ann', 700, 'ISK', 'confirmed', 't', 'me');
             INSERT INTO match_actions (id, kind, actor, at) VALUES (1, 'link', 'me', 't'), (2, 'reject', 'me', 't');
             INSERT INTO match_links (expected_id, journal_rowid, amount_minor, match_type, created_by_action)
               VALUES ('e1', 2, 700, 'manual', 1);
             INSERT INTO receipt_rejections (journal_rowid, reason, created_by_action) VALUES (1, 'gift', 2);",
        )
        .unwrap();
        tx.commit().unwrap();
        drop(conn);
    }

    /// A version-3 ledger (sequential row ids, wallet UUIDs on rows) upgraded in place: rows,
    /// their order and the links that point at them survive, ids follow the dates.
    #[test]
    fn a_version_3_ledger_is_upgraded_with_its_links_intact() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ledger.sqlite");
        version_3_ledger(&path);

        let store = Store::open(&path).unwrap();
        let fk: i64 = store
            .conn
            .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
            .unwrap();
        assert_eq!(fk, 1, "foreign keys are back on after the upgrade");
        let rows: Vec<(i64, String, i64)> = store
            .conn
            .prepare("SELECT j.rowid_pk, j.natural_key, w.no FROM journal_entries j JOIN wallets w ON w.no = j.wallet_no ORDER BY j.rowid_pk")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        let keys: Vec<&str> = rows.iter().map(|r| r.1.as_str()).collect();
        // By date; the midnight bank row first; one second's rows keep their arrival order.
        assert_eq!(keys, ["ref:A", "20", "25", "30", "ref:B"]);
        let day = crate::journal_ids::seconds_of_day(
            chrono::NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(),
        );
        assert_eq!(rows[0].0, day << crate::journal_ids::SEQUENCE_BITS);
        assert_eq!(
            rows[2].0,
            rows[1].0 + 1,
            "same second: next sequence number"
        );
        let linked: String = store
            .conn
            .query_row(
                "SELECT j.natural_key FROM match_links l JOIN journal_entries j ON j.rowid_pk = l.journal_rowid",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(linked, "20");
        let rejected: String = store
            .conn
            .query_row(
                "SELECT j.natural_key FROM receipt_rejections r JOIN journal_entries j ON j.rowid_pk = r.journal_rowid",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(rejected, "30");
        let batch: String = store
            .conn
            .query_row(
                "SELECT b.id FROM journal_entries j JOIN import_batches b ON b.no = j.batch_no WHERE j.natural_key = 'ref:A'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(batch, "b2");
        let wallets = store.wallets().unwrap();
        let counts: Vec<(String, i64)> = wallets
            .iter()
            .map(|w| (w.name.clone(), w.entry_count))
            .collect();
        assert!(
            counts.contains(&("Corp".into(), 3)) && counts.contains(&("Bank".into(), 2)),
            "{counts:?}"
        );
        // A wallet added after the upgrade gets the next number.
        drop(store);
        let mut store = Store::open(&path).unwrap();
        let w = store
            .add_wallet(
                "me",
                chrono::Utc::now(),
                crate::NewWallet {
                    name: "Second bank".into(),
                    kind: "bank".into(),
                    owner_id: None,
                    division: None,
                    currency: "EUR".into(),
                    receiving: false,
                },
            )
            .unwrap();
        assert_eq!(w.no, 3);
    }
}
