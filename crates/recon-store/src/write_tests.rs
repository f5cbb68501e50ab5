//! The write path on real ledger files: all or nothing, no unaudited write, and outbox
//! events numbered per device in commit order.

use super::*;
use crate::test_support::{main_wallet, now, temp_store};
use crate::SourceFile;
use recon_sync::{JournalLinesImported, WalletRef};

fn audit(entity_id: &str) -> Audit {
    Audit {
        action: "test.change",
        entity: "test",
        entity_id: entity_id.to_owned(),
        before: None,
        after: Some(serde_json::json!({"id": entity_id})),
    }
}

fn event() -> EventBody {
    EventBody::JournalLinesImported(JournalLinesImported {
        batch_id: uuid::Uuid::new_v4(),
        wallet: WalletRef {
            key: "character:90000001".into(),
            name: "Main".into(),
            kind: "character".into(),
            owner_id: Some(90000001),
            division: None,
            currency: "ISK".into(),
        },
        lines: Vec::new(),
    })
}

fn add_currency_row(tx: &Transaction<'_>, code: &str) -> Result<()> {
    tx.execute(
        "INSERT INTO currencies (code, scale, name) VALUES (?1, 0, ?1)",
        [code],
    )?;
    Ok(())
}

fn count(store: &Store, sql: &str) -> i64 {
    store.conn.query_row(sql, [], |r| r.get(0)).unwrap()
}

fn audit_records(store: &Store) -> i64 {
    count(store, "SELECT COUNT(*) FROM audit_log")
}

fn outbox_rows(store: &Store) -> i64 {
    count(store, "SELECT COUNT(*) FROM outbox")
}

fn currency_exists(store: &Store, code: &str) -> bool {
    store.currencies().unwrap().iter().any(|c| c.code == code)
}

/// (device_id, device_seq) of every outbox row, in the order they were queued.
fn outbox_sequence(store: &Store) -> Vec<(String, i64)> {
    store
        .conn
        .prepare("SELECT device_id, device_seq FROM outbox ORDER BY seq")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap()
}

fn last_seq(store: &Store) -> i64 {
    count(store, "SELECT last_seq FROM device WHERE singleton = 1")
}

#[test]
fn a_failing_change_leaves_no_row_no_audit_record_and_no_outbox_row() {
    let (_dir, mut store) = temp_store();
    let err = store
        .write("alice", now(), |tx| -> Result<Change<()>> {
            add_currency_row(tx, "ZZA")?;
            Err(StoreError::Conflict("refused after writing".into()))
        })
        .unwrap_err();
    assert_eq!(err.code(), "conflict");
    assert!(!currency_exists(&store, "ZZA"));
    assert_eq!((audit_records(&store), outbox_rows(&store)), (0, 0));

    // A change that fails while its own events are queued (here: the second event) takes
    // its row, its audit record and its first event with it.
    store
        .conn
        .execute_batch(
            "CREATE TEMP TRIGGER refuse_second AFTER INSERT ON outbox WHEN NEW.device_seq = 2
             BEGIN SELECT RAISE(ABORT, 'outbox refused'); END",
        )
        .unwrap();
    let err = store
        .write("alice", now(), |tx| {
            add_currency_row(tx, "ZZB")?;
            Ok(Change::synced((), audit("ZZB"), vec![event(), event()]))
        })
        .unwrap_err();
    assert!(err.to_string().contains("outbox refused"), "{err}");
    assert!(!currency_exists(&store, "ZZB"));
    assert_eq!((audit_records(&store), outbox_rows(&store)), (0, 0));
    assert_eq!(last_seq(&store), 0, "no sequence number was used up");
    assert_eq!(store.audit_verify().unwrap().records, 0);
}

#[test]
fn a_refused_esi_import_leaves_no_audit_record_and_no_outbox_row() {
    let (_dir, mut store) = temp_store();
    store.add_wallet("alice", now(), main_wallet()).unwrap();
    let entry = |id: i64, amount: &str| {
        format!(
            r#"{{"id":{id},"date":"2026-03-01T12:00:00Z","ref_type":"player_donation","description":"d","amount":{amount}}}"#
        )
    };
    let file = |entries: &[String]| SourceFile {
        name: "p.json".into(),
        bytes: format!("[{}]", entries.join(",")).into_bytes(),
    };
    store
        .import_esi_journal("alice", now(), "Main", &[file(&[entry(1, "5")])])
        .unwrap();
    let (audit_before, outbox_before) = (audit_records(&store), outbox_rows(&store));
    assert_eq!((audit_before, outbox_before), (2, 1));
    // Entry 2 is new (and written) before entry 1 disagrees with the stored one.
    let err = store
        .import_esi_journal(
            "alice",
            now(),
            "Main",
            &[file(&[entry(2, "7"), entry(1, "6")])],
        )
        .unwrap_err();
    assert_eq!(err.code(), "conflict");
    assert_eq!(
        (audit_records(&store), outbox_rows(&store)),
        (audit_before, outbox_before)
    );
    assert_eq!(
        count(&store, "SELECT COUNT(*) FROM journal_entries"),
        1,
        "entry 2 was rolled back"
    );
    assert_eq!(count(&store, "SELECT COUNT(*) FROM import_batches"), 1);
}

#[test]
fn unchanged_from_a_closure_that_wrote_rows_is_refused_and_rolled_back() {
    let (_dir, mut store) = temp_store();
    let err = store
        .write("alice", now(), |tx| {
            add_currency_row(tx, "ZZC")?;
            Ok(Change::unchanged(()))
        })
        .unwrap_err();
    assert_eq!(err.code(), "invalid_input");
    assert!(err.to_string().contains("no audit record"), "{err}");
    assert!(!currency_exists(&store, "ZZC"), "the row was rolled back");
    assert_eq!((audit_records(&store), outbox_rows(&store)), (0, 0));

    // A closure that really changed nothing may say so, and commits nothing.
    let value = store
        .write("alice", now(), |tx| {
            let n: i64 = tx.query_row("SELECT COUNT(*) FROM currencies", [], |r| r.get(0))?;
            Ok(Change::unchanged(n))
        })
        .unwrap();
    assert!(value > 0);
    assert_eq!((audit_records(&store), outbox_rows(&store)), (0, 0));
}

#[test]
fn outbox_events_are_numbered_per_device_gaplessly_in_commit_order() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ledger.sqlite");
    let mut store = Store::open(&path).unwrap();
    let device = device_id(&store.conn).unwrap();
    assert_eq!(uuid::Uuid::parse_str(&device).unwrap().get_version_num(), 4);

    store
        .write("alice", now(), |tx| {
            add_currency_row(tx, "ZZD")?;
            Ok(Change::synced((), audit("ZZD"), vec![event(), event()]))
        })
        .unwrap();
    // A local change and a change with nothing to send use up no number.
    store
        .write("alice", now(), |tx| {
            add_currency_row(tx, "ZZE")?;
            Ok(Change::local(
                (),
                audit("ZZE"),
                LocalOnly::CurrencyDefinition,
            ))
        })
        .unwrap();
    store
        .write("alice", now(), |tx| {
            add_currency_row(tx, "ZZF")?;
            Ok(Change::synced((), audit("ZZF"), Vec::new()))
        })
        .unwrap();
    // Neither does a change that failed.
    let _ = store
        .write("alice", now(), |tx| -> Result<Change<()>> {
            add_currency_row(tx, "ZZG")?;
            Err(StoreError::Invalid("no".into()))
        })
        .unwrap_err();
    store
        .write("bob", now(), |tx| {
            add_currency_row(tx, "ZZH")?;
            Ok(Change::synced((), audit("ZZH"), vec![event()]).and_audit(audit("ZZH-2")))
        })
        .unwrap();
    drop(store);
    // The numbering continues after a reopen.
    let mut store = Store::open(&path).unwrap();
    store
        .write("alice", now(), |tx| {
            add_currency_row(tx, "ZZI")?;
            Ok(Change::synced(
                (),
                audit("ZZI"),
                vec![event(), event(), event()],
            ))
        })
        .unwrap();

    let sequence = outbox_sequence(&store);
    let expected: Vec<(String, i64)> = (1..=6).map(|n| (device.clone(), n)).collect();
    assert_eq!(sequence, expected);
    assert_eq!(last_seq(&store), 6);
    assert_eq!(
        audit_records(&store),
        6,
        "one per change that committed, two for the one with a further record"
    );
    assert!(store.audit_verify().unwrap().ok());
    let pending = store.outbox_pending(100).unwrap();
    assert_eq!(pending.len(), 6, "every event is pending, in order");
    assert!(pending.windows(2).all(|w| w[0].seq < w[1].seq));
}
