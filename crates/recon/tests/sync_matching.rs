//! Matching changes reach the team's server: after `recon match` (and the reviewer's
//! manual link, reject, undo and cycle opening) then `recon sync`, the server — a real
//! `recon-server` on a real PostgreSQL — holds exactly one event per change, in the
//! device's order.

mod common;
use common::Ledger;

const EXPECTED_CSV: &str = "cycle_id,character_name,character_id,expected_amount,currency,memo
c1,Alpha,101,100.00,ISK,
c1,Bravo,102,200.00,ISK,
c1,Charlie,103,50.00,ISK,
c1,Delta,104,70.00,ISK,
";

fn donation(id: i64, amount: &str, reason: &str, payer: i64) -> String {
    format!(
        r#"{{"id":{id},"date":"2026-03-0{id}T10:00:00Z","ref_type":"player_donation","description":"deposited cash","first_party_id":{payer},"second_party_id":90000001,"amount":{amount},"reason":"{reason}"}}"#
    )
}

/// The kinds in the local outbox, in the device's sequence order, with their sequence numbers.
fn local_outbox(db: &std::path::Path) -> (String, Vec<(i64, String)>) {
    let conn = rusqlite::Connection::open(db).unwrap();
    let device: String = conn
        .query_row("SELECT device_id FROM device", [], |r| r.get(0))
        .unwrap();
    let mut stmt = conn
        .prepare("SELECT device_seq, kind FROM outbox ORDER BY device_seq")
        .unwrap();
    let rows = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<rusqlite::Result<Vec<_>>>()
        .unwrap();
    (device, rows)
}

#[test]
fn every_matching_change_reaches_the_server_once_in_order() {
    let l = Ledger::new();
    l.ok(&[
        "wallet",
        "add",
        "Logistics",
        "--owner-id",
        "90000001",
        "--receiving",
    ]);
    let expected = l.file("expected.csv", EXPECTED_CSV);
    l.ok(&["import", "expected", &expected]);
    let journal = format!(
        "[{},{},{},{}]",
        donation(1, "100.00", "ARB c1 Alpha", 101),
        donation(2, "200.00", "ARB c1 Bravo", 102),
        donation(3, "50.00", "for the op", 103),
        donation(4, "10.00", "spam", 999),
    );
    let journal = l.file("journal.json", &journal);
    l.ok(&["import", "esi-journal", "--wallet", "Logistics", &journal]);
    l.ok(&["match"]);
    l.ok(&["match", "link", "ARB c1 Charlie", "3"]);
    l.ok(&[
        "match",
        "reject",
        "4",
        "--reason",
        "not a participation payment",
    ]);
    l.ok(&["match", "undo"]);
    l.ok(&["match", "reject", "4"]);
    l.ok(&["cycle", "open", "c1"]);

    let (device, local) = local_outbox(&l.db);
    let kinds: Vec<&str> = local.iter().map(|(_, k)| k.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "expected_payments_added",
            "journal_lines_imported",
            "match_linked",
            "match_linked",
            "receipt_rejected",
            "match_undone",
            "receipt_rejected",
            "cycle_opened",
        ],
        "one outbox event per change, in the order they were made"
    );
    let seqs: Vec<i64> = local.iter().map(|(s, _)| *s).collect();
    assert_eq!(seqs, (1..=8).collect::<Vec<i64>>());

    let server = common::TestServer::start();
    let (url, token) = (&server.url, &server.token);
    let out = l.run_with_env(&["sync", "--server", url], &[("RECON_TOKEN", token)]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "pushed 8 events (0 already on the server), 0 pending"
    );
    // A second sync has nothing left to send and the server still holds each event once.
    let again = l.run_with_env(&["sync", "--server", url], &[("RECON_TOKEN", token)]);
    assert!(again.status.success());

    let on_server: Vec<(String, i64, String)> = server.rt.block_on(async {
        let (client, connection) = tokio_postgres::connect(&server.db_url, tokio_postgres::NoTls)
            .await
            .unwrap();
        tokio::spawn(connection);
        client
            .query(
                "SELECT client_device_id::text, device_seq, kind FROM sync_events ORDER BY device_seq",
                &[],
            )
            .await
            .unwrap()
            .iter()
            .map(|r| (r.get(0), r.get(1), r.get(2)))
            .collect()
    });
    let expected_on_server: Vec<(String, i64, String)> = local
        .iter()
        .map(|(seq, kind)| (device.clone(), *seq, kind.clone()))
        .collect();
    assert_eq!(on_server, expected_on_server);
    // The server applies each of them (issue 12): the run, the manual link, the reject, its
    // undo and the cycle opening all pass its matching rules.
    let answers: Vec<(String, bool, bool)> = server.rt.block_on(async {
        let (client, connection) = tokio_postgres::connect(&server.db_url, tokio_postgres::NoTls)
            .await
            .unwrap();
        tokio::spawn(connection);
        client
            .query(
                "SELECT kind, (answer->>'applied')::boolean, answer ? 'refused'
                   FROM sync_events ORDER BY device_seq",
                &[],
            )
            .await
            .unwrap()
            .iter()
            .map(|r| (r.get(0), r.get(1), r.get(2)))
            .collect()
    });
    assert!(
        answers
            .iter()
            .all(|(_, applied, refused)| *applied && !refused),
        "{answers:?}"
    );
}
