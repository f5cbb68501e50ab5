//! Migration 0008 on a ledger whose ESI lines of one second arrived newest first: they swap
//! ids into ESI id order, other rows keep theirs, and links follow their line.

use recon_store::Store;
use rusqlite::Connection;

const FIRST_SIX: [&str; 6] = [
    include_str!("../../../migrations/sqlite/0001_init.sql"),
    include_str!("../../../migrations/sqlite/0002_matching.sql"),
    include_str!("../../../migrations/sqlite/0003_imports.sql"),
    include_str!("../../../migrations/sqlite/0004_journal_order.sql"),
    include_str!("../../../migrations/sqlite/0005_device_sequence.sql"),
    include_str!("../../../migrations/sqlite/0006_check_lists.sql"),
];

const SECOND: i64 = 1_772_366_400; // 2026-03-01T12:00:00Z

fn version_6_ledger(path: &std::path::Path) {
    let mut conn = Connection::open(path).unwrap();
    let tx = conn.transaction().unwrap();
    for sql in FIRST_SIX {
        tx.execute_batch(sql).unwrap();
    }
    tx.execute_batch(
        "PRAGMA user_version = 6;
         INSERT INTO currencies (code, scale, name) VALUES ('ISK', 2, 'ISK');
         INSERT INTO wallets (id, name, kind, currency, created_at, created_by, no)
             VALUES ('w', 'Main', 'character', 'ISK', '2026-03-01', 't', 1);
         INSERT INTO import_batches (id, wallet_id, format, read, inserted, duplicates, rejected, actor, at, no)
             VALUES ('b', 'w', 'esi_journal', 4, 4, 0, 0, 't', '2026-03-01', 1);
         INSERT INTO expected_payments (id, cycle_id, character_name, memo, memo_normalized, expected_minor, currency, status, created_at, created_by)
             VALUES ('e', '1', 'X', 'm', 'm', 100, 'ISK', 'confirmed', '2026-03-01', 't');
         INSERT INTO match_actions (id, kind, actor, at) VALUES (1, 'link', 't', '2026-03-01');",
    )
    .unwrap();
    // Arrival order newest first: ESI 103, 102, 101, then a bank row of the same second.
    let rows: [(i64, Option<i64>, &str); 4] = [
        (0, Some(103), "103"),
        (1, Some(102), "102"),
        (2, Some(101), "101"),
        (3, None, "ref:x"),
    ];
    for (n, esi, key) in rows {
        tx.execute(
            "INSERT INTO journal_entries (rowid_pk, wallet_no, natural_key, esi_id, date, ref_type, description, amount_minor, batch_no)
             VALUES (?1, 1, ?2, ?3, '2026-03-01T12:00:00Z', 'player_donation', 'd', 100, 1)",
            rusqlite::params![(SECOND << 21) + n, key, esi],
        )
        .unwrap();
    }
    tx.execute(
        "INSERT INTO match_links (expected_id, journal_rowid, amount_minor, match_type, created_by_action) VALUES ('e', ?1, 100, 'manual', 1)",
        [SECOND << 21],
    )
    .unwrap();
    tx.commit().unwrap();
}

#[test]
fn esi_lines_of_one_second_take_ids_in_esi_id_order_and_links_follow() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ledger.sqlite");
    version_6_ledger(&path);
    drop(Store::open(&path).unwrap());
    let conn = Connection::open(&path).unwrap();
    let keys: Vec<(i64, String)> = conn
        .prepare("SELECT rowid_pk - ?1, natural_key FROM journal_entries ORDER BY rowid_pk")
        .unwrap()
        .query_map([SECOND << 21], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    let expected = [(0, "101"), (1, "102"), (2, "103"), (3, "ref:x")];
    assert_eq!(keys, expected.map(|(n, k)| (n, k.to_string())));
    let linked: String = conn
        .query_row(
            "SELECT j.natural_key FROM match_links l JOIN journal_entries j ON j.rowid_pk = l.journal_rowid",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        linked, "103",
        "the link still names the line it was made on"
    );
}
