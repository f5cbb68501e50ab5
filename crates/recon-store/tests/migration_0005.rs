//! Migration 0005 on a ledger that already queued events: every outbox row gets this
//! ledger's device id and its place in the order it was queued, and new events continue
//! the numbering.

use chrono::{TimeZone, Utc};
use recon_store::{NewWallet, SourceFile, Store};
use rusqlite::Connection;

const FIRST_FOUR: [&str; 4] = [
    include_str!("../../../migrations/sqlite/0001_init.sql"),
    include_str!("../../../migrations/sqlite/0002_matching.sql"),
    include_str!("../../../migrations/sqlite/0003_imports.sql"),
    include_str!("../../../migrations/sqlite/0004_journal_order.sql"),
];

/// A version-4 ledger whose outbox holds rows with `seq` 1, 2, 4 and 7 (gaps from rows
/// deleted after being sent), the second of them already sent.
fn version_4_ledger(path: &std::path::Path) -> Vec<String> {
    let mut conn = Connection::open(path).unwrap();
    let tx = conn.transaction().unwrap();
    for sql in FIRST_FOUR {
        tx.execute_batch(sql).unwrap();
    }
    tx.execute_batch("PRAGMA user_version = 4").unwrap();
    let mut event_ids = Vec::new();
    for seq in [1, 2, 3, 4, 5, 6, 7] {
        let event_id = format!("00000000-0000-4000-8000-00000000000{seq}");
        tx.execute(
            "INSERT INTO outbox (seq, event_id, kind, body, created_at, sent_at) VALUES (?1, ?2, 'journal_lines_imported', '{}', '2026-03-01T00:00:00.000Z', ?3)",
            rusqlite::params![seq, event_id, (seq == 2).then_some("2026-03-02T00:00:00.000Z")],
        )
        .unwrap();
        if [1, 2, 4, 7].contains(&seq) {
            event_ids.push(event_id);
        }
    }
    tx.execute("DELETE FROM outbox WHERE seq IN (3, 5, 6)", [])
        .unwrap();
    tx.commit().unwrap();
    event_ids
}

/// (event_id, device_id, device_seq) in the order the rows were queued.
fn outbox(path: &std::path::Path) -> Vec<(String, String, i64)> {
    let conn = Connection::open(path).unwrap();
    let rows = conn
        .prepare("SELECT event_id, device_id, device_seq FROM outbox ORDER BY seq")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    rows
}

#[test]
fn existing_outbox_rows_are_numbered_in_queue_order_and_new_events_follow() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ledger.sqlite");
    let event_ids = version_4_ledger(&path);

    let mut store = Store::open(&path).unwrap();
    let before = outbox(&path);
    let device = before[0].1.clone();
    assert_eq!(
        uuid::Uuid::parse_str(&device).unwrap().get_version_num(),
        4,
        "{device}"
    );
    let expected: Vec<(String, String, i64)> = event_ids
        .iter()
        .zip(1..)
        .map(|(id, n)| (id.clone(), device.clone(), n))
        .collect();
    assert_eq!(before, expected, "every row, sent or not, in queue order");

    let now = Utc.with_ymd_and_hms(2026, 11, 21, 12, 0, 0).unwrap();
    store
        .add_wallet(
            "alice",
            now,
            NewWallet {
                name: "Main".into(),
                kind: "character".into(),
                owner_id: Some(90000001),
                division: None,
                currency: "ISK".into(),
                receiving: true,
            },
        )
        .unwrap();
    store
        .import_esi_journal(
            "alice",
            now,
            "Main",
            &[SourceFile {
                name: "p.json".into(),
                bytes: br#"[{"id":1,"date":"2026-03-01T12:00:00Z","ref_type":"player_donation","description":"d","amount":5}]"#.to_vec(),
            }],
        )
        .unwrap();
    drop(store);
    let after = outbox(&path);
    assert_eq!(after.len(), 5);
    assert_eq!(&after[..4], &expected[..]);
    assert_eq!((after[4].1.as_str(), after[4].2), (device.as_str(), 5));

    // Opening again migrates nothing twice.
    drop(Store::open(&path).unwrap());
    assert_eq!(outbox(&path), after);
}
