//! The `recon` command-line contract, run as a user would: the real binary on a real ledger file.

use serde_json::Value;
use std::process::{Command, Output};

mod common;
use common::Ledger;

const JOURNAL: &str = r#"[
  {"id": 20000000003, "date": "2026-03-03T09:15:00Z", "ref_type": "player_donation",
   "description": "Pilot Two deposited cash into Logistics One's account", "amount": 243877.49999999997,
   "balance": 1000243877.5, "reason": "ARB 42 Pilot Two", "first_party_id": 90000003, "second_party_id": 90000001},
  {"id": 20000000002, "date": "2026-03-02T08:00:00Z", "ref_type": "bounty_prizes",
   "description": "Bounty", "amount": 1500000, "balance": 1000000000, "first_party_id": 1000125, "second_party_id": 90000001,
   "context_id": 30000142, "context_id_type": "system_id", "tax": -150000.0, "tax_receiver_id": 98000001},
  {"id": 20000000001, "date": "2026-03-01T07:00:00Z", "ref_type": "some_ref_type_ccp_added_later",
   "description": "New kind of entry", "amount": -0.01}
]"#;

fn import_json(ledger: &Ledger, wallet: &str, path: &str) -> Value {
    ledger.json(&["import", "esi-journal", "--wallet", wallet, "--json", path])
}

fn journal(ledger: &Ledger) -> Vec<Value> {
    ledger
        .json(&["journal", "list", "--json"])
        .as_array()
        .unwrap()
        .clone()
}

#[test]
fn import_is_idempotent_exact_and_listed() {
    let l = Ledger::new();
    l.ok(&[
        "wallet",
        "add",
        "Logistics One",
        "--owner-id",
        "90000001",
        "--receiving",
    ]);
    let path = l.file("journal.json", JOURNAL);

    let first = import_json(&l, "Logistics One", &path);
    assert_eq!(
        (
            &first["read"],
            &first["inserted"],
            &first["duplicates"],
            &first["rejected"]
        ),
        (
            &Value::from(3),
            &Value::from(3),
            &Value::from(0),
            &Value::from(0)
        )
    );
    assert!(first["batch_id"].as_str().unwrap().len() == 36);
    let second = import_json(&l, "Logistics One", &path);
    assert_eq!(
        (&second["inserted"], &second["duplicates"]),
        (&Value::from(0), &Value::from(3))
    );
    assert_ne!(first["batch_id"], second["batch_id"]);

    let rows = journal(&l);
    assert_eq!(rows.len(), 3);
    let donation = rows.iter().find(|r| r["id"] == 20000000003_i64).unwrap();
    assert_eq!(donation["amount"], "243877.50");
    assert_eq!(donation["balance"], "1000243877.50");
    assert_eq!(donation["reason"], "ARB 42 Pilot Two");
    assert_eq!(donation["wallet"], "Logistics One");
    assert_eq!(donation["ref_type"], "player_donation");
    assert_eq!(donation["first_party_id"], 90000003);
    assert_eq!(donation["date"], "2026-03-03T09:15:00Z");
    let tiny = rows.iter().find(|r| r["id"] == 20000000001_i64).unwrap();
    assert_eq!(
        tiny["amount"], "-0.01",
        "amounts in JSON are always strings"
    );
    assert_eq!(tiny["ref_type"], "some_ref_type_ccp_added_later");

    let wallets = l.json(&["wallet", "list", "--json"]);
    assert_eq!(wallets[0]["entry_count"], 3);
    assert_eq!(wallets[0]["receiving"], true);
    assert!(l.ok(&["journal", "list"]).contains("243877.50"));
}

#[test]
fn a_journal_with_an_entry_missing_its_date_is_refused_whole() {
    let l = Ledger::new();
    l.ok(&["wallet", "add", "Main"]);
    let good = l.file("good.json", JOURNAL);
    l.ok(&["import", "esi-journal", "--wallet", "Main", &good]);
    let before = journal(&l);

    let bad = l.file(
        "page2.json",
        r#"[{"id": 30000000001, "date": "2026-04-01T00:00:00Z", "ref_type": "x", "description": "fine", "amount": 1},
            {"id": 30000000002, "ref_type": "x", "description": "no date", "amount": 2}]"#,
    );
    let err = l.refused(&["import", "esi-journal", "--wallet", "Main", &bad]);
    assert!(
        err.contains("page2.json: entry 1 (id 30000000002): field 'date' is missing"),
        "{err}"
    );
    assert_eq!(journal(&l), before, "the journal is unchanged");

    let broken = l.file("broken.json", "[{\"id\": 1,\n \"date\": ");
    let err = l.refused(&["import", "esi-journal", "--wallet", "Main", &broken]);
    assert!(
        err.contains("broken.json: not valid JSON at line 2"),
        "{err}"
    );
    let err = l.refused(&["import", "esi-journal", "--wallet", "Nobody", &good]);
    assert!(err.contains("no wallet named 'Nobody'"), "{err}");
}

#[test]
fn audit_verify_passes_then_names_the_altered_record() {
    let l = Ledger::new();
    l.ok(&["wallet", "add", "A"]);
    l.ok(&[
        "wallet",
        "add",
        "B",
        "--kind",
        "corporation",
        "--owner-id",
        "98000001",
        "--division",
        "2",
    ]);
    let path = l.file("j.json", JOURNAL);
    l.ok(&["import", "esi-journal", "--wallet", "A", &path]);
    assert!(l
        .ok(&["audit", "verify"])
        .contains("audit chain OK: 3 records"));

    let conn = rusqlite::Connection::open(&l.db).unwrap();
    conn.execute(
        "UPDATE audit_log SET after = replace(after, '\"read\":3', '\"read\":4') WHERE id = 3",
        [],
    )
    .unwrap();
    assert_eq!(conn.changes(), 1);
    drop(conn);
    let err = l.refused(&["audit", "verify"]);
    assert!(err.contains("BROKEN at record 3"), "{err}");
}

#[test]
fn wallets_and_currencies_are_validated() {
    let l = Ledger::new();
    l.ok(&["currency", "add", "PLEX", "--scale", "0"]);
    l.ok(&[
        "wallet",
        "add",
        "Bank EUR",
        "--kind",
        "bank",
        "--currency",
        "EUR",
    ]);
    let err = l.refused(&[
        "wallet",
        "add",
        "bank eur",
        "--kind",
        "bank",
        "--currency",
        "EUR",
    ]);
    assert!(err.contains("already exists"), "{err}");
    let err = l.refused(&["wallet", "add", "X", "--currency", "ZZZ"]);
    assert!(err.contains("no currency named 'ZZZ'"), "{err}");
    let err = l.refused(&["wallet", "add", "Y", "--division", "3"]);
    assert!(err.contains("division"), "{err}");
    let names: Vec<String> = l
        .json(&["wallet", "list", "--json"])
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names, vec!["Bank EUR"]);
}

#[test]
fn a_newer_ledger_is_refused_with_a_clear_message() {
    let l = Ledger::new();
    l.ok(&["wallet", "list"]);
    rusqlite::Connection::open(&l.db)
        .unwrap()
        .execute_batch("PRAGMA user_version = 42")
        .unwrap();
    let err = l.refused(&["wallet", "list"]);
    assert!(
        err.contains("newer Recon Desk") && err.contains("42"),
        "{err}"
    );
}

#[test]
fn recon_db_env_picks_the_ledger() {
    let l = Ledger::new();
    let out = Command::new(env!("CARGO_BIN_EXE_recon"))
        .args(["wallet", "add", "Via Env"])
        .env("RECON_DB", &l.db)
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(l.ok(&["wallet", "list"]).contains("Via Env"));
}

fn run_sync(l: &Ledger, server: &str, token: Option<&str>) -> Output {
    let args = ["sync", "--server", server];
    match token {
        Some(token) => l.run_with_env(&args, &[("RECON_TOKEN", token)]),
        None => l.run(&args),
    }
}

#[test]
fn sync_offline_reports_pending_and_fails_then_pushes_when_the_server_is_there() {
    let l = Ledger::new();
    l.ok(&["wallet", "add", "Main", "--owner-id", "90000001"]);
    let path = l.file("j.json", JOURNAL);
    l.ok(&["import", "esi-journal", "--wallet", "Main", &path]);

    let out = run_sync(&l, "http://127.0.0.1:9", Some("rdt_x"));
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("server unreachable (http://127.0.0.1:9), 1 pending"));

    let server = common::TestServer::start();
    let (url, token) = (&server.url, &server.token);
    let out = run_sync(&l, url, Some(token));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "pushed 1 events (0 already on the server), 0 pending"
    );
    let out = run_sync(&l, url, None);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no device token"));
}
