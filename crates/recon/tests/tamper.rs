//! Tampering with the ledger file directly (SQLite, as an attacker with `sqlite3` would) is
//! found by `recon audit verify` (issue 14, item 2): each audit record attests the rows it
//! left, the chain's head is kept outside the log, and the server refuses a head that went
//! back or changed.

mod common;
use common::{Ledger, TestServer};
use rusqlite::Connection;

const JOURNAL: &str = r#"[
 {"id": 9001, "date": "2026-03-01T12:00:00Z", "ref_type": "player_donation", "description": "a", "amount": 1500000.5, "balance": 2500000.5},
 {"id": 9002, "date": "2026-03-02T12:00:00Z", "ref_type": "player_donation", "description": "b", "amount": 250.25, "balance": 2500250.75},
 {"id": 9003, "date": "2026-03-03T12:00:00Z", "ref_type": "bounty_prizes", "description": "c", "amount": -75.0, "balance": 2500175.75}
]"#;

const PROFILE: &str = "delimiter = \";\"\ndate = \"Date\"\ndate_format = \"%Y-%m-%d\"\ndescription = \"Text\"\ncounterparty = \"Party\"\nreference = \"Ref\"\ndecimal_separator = \",\"\namount = \"Amount\"\n";

const BANK: &str = "Date;Text;Party;Amount;Ref\n2026-01-02;ARB c1 Anna;Anna;50,00;T1\n2026-01-03;Rent;Landlord;-800,00;T2\n2026-01-01;Coffee;;-3,50;\n";

const EXPECTED: &str = "cycle_id,character_name,character_id,expected_amount,currency,memo\nc1,Anna,,50.00,EUR,\nc1,Bob,7,20.00,EUR,\n";

/// A ledger with an ESI wallet and its journal imported (records 1 and 2); the import's
/// record is the newest.
fn ledger_with_journal() -> Ledger {
    let l = Ledger::new();
    l.ok(&["wallet", "add", "Main", "--owner-id", "90000001"]);
    let path = l.file("j.json", JOURNAL);
    l.ok(&["import", "esi-journal", "--wallet", "Main", &path]);
    let ok = l.ok(&["audit", "verify"]);
    assert!(ok.contains("audit chain OK: 2 records"), "{ok}");
    l
}

fn sql(l: &Ledger, statement: &str) {
    let conn = Connection::open(&l.db).unwrap();
    let changed = conn.execute(statement, []).unwrap();
    assert!(changed >= 1, "{statement} changed nothing");
}

fn newest_record(l: &Ledger, action: &str) -> i64 {
    let conn = Connection::open(&l.db).unwrap();
    conn.query_row(
        "SELECT MAX(id) FROM audit_log WHERE action = ?1",
        [action],
        |r| r.get(0),
    )
    .unwrap()
}

#[test]
fn an_amount_multiplied_by_100_names_the_import_that_recorded_it() {
    let l = ledger_with_journal();
    let import = newest_record(&l, "import.batch");
    sql(
        &l,
        "UPDATE journal_entries SET amount_minor = amount_minor * 100 WHERE natural_key = '9002'",
    );
    let err = l.refused(&["audit", "verify"]);
    assert!(err.contains(&format!("BROKEN at record {import}")), "{err}");
    assert!(err.contains("journal rows of import batch"), "{err}");
    assert!(err.contains("no longer match"), "{err}");
}

#[test]
fn a_deleted_journal_row_is_found() {
    let l = ledger_with_journal();
    let import = newest_record(&l, "import.batch");
    sql(&l, "DELETE FROM journal_entries WHERE natural_key = '9001'");
    let err = l.refused(&["audit", "verify"]);
    assert!(err.contains(&format!("BROKEN at record {import}")), "{err}");
    assert!(
        err.contains("3 rows recorded, 2 in the journal now"),
        "{err}"
    );
}

#[test]
fn the_newest_audit_record_deleted_is_found_from_the_kept_head() {
    let l = ledger_with_journal();
    let head = l.ok(&["audit", "head"]);
    let (seq, hash) = head.trim().split_once(' ').unwrap();
    assert_eq!(seq, "2");
    assert_eq!(hash.len(), 64, "{head}");
    sql(
        &l,
        "DELETE FROM audit_log WHERE id = (SELECT MAX(id) FROM audit_log)",
    );
    let err = l.refused(&["audit", "verify"]);
    assert!(err.contains("BROKEN at record 2"), "{err}");
    assert!(err.contains("the newest records were removed"), "{err}");

    // An attacker who also winds the kept head back is still caught: the journal rows
    // the removed record attested are attested by nothing.
    sql(
        &l,
        "UPDATE device SET audit_head_seq = 1, audit_head_hash = (SELECT hash FROM audit_log WHERE id = 1)",
    );
    let err = l.refused(&["audit", "verify"]);
    assert!(err.contains("no audit record attests"), "{err}");
}

#[test]
fn an_edited_audit_record_is_named() {
    let l = ledger_with_journal();
    sql(&l, "UPDATE audit_log SET actor = 'mallory' WHERE id = 1");
    let err = l.refused(&["audit", "verify"]);
    assert!(err.contains("BROKEN at record 1"), "{err}");
    assert!(err.contains("altered"), "{err}");
    // Its digest cannot be blanked out either: the chain hash covers it.
    let l = ledger_with_journal();
    sql(
        &l,
        "UPDATE audit_log SET content_digest = NULL WHERE id = 2",
    );
    let err = l.refused(&["audit", "verify"]);
    assert!(err.contains("BROKEN at record 2"), "{err}");
}

#[test]
fn bank_expected_and_matching_changes_attest_their_rows_and_verify() {
    let l = Ledger::new();
    l.ok(&[
        "wallet",
        "add",
        "Giro",
        "--kind",
        "bank",
        "--currency",
        "EUR",
        "--receiving",
    ]);
    let p = l.file("p.toml", PROFILE);
    l.ok(&["profile", "save", "giro", &p]);
    let bank = l.file("bank.csv", BANK);
    let batch = l.json(&[
        "import",
        "csv",
        "--wallet",
        "Giro",
        "--profile",
        "giro",
        "--json",
        &bank,
    ]);
    assert_eq!(batch["inserted"], 3);
    l.ok(&["match", "rules", "--ref-types", "bank_credit"]);
    let e = l.file("e.csv", EXPECTED);
    l.ok(&["import", "expected", &e]);
    assert_eq!(l.json(&["match", "--json"])["matched"], 1);
    let ok = l.ok(&["audit", "verify"]);
    assert!(ok.contains("audit chain OK"), "{ok}");
    assert!(!ok.contains("not checked"), "{ok}");

    // The expected payment the run confirmed: its status set back by hand is found, and
    // named by the record that last changed it (the run's update).
    let update = newest_record(&l, "expected.update");
    sql(
        &l,
        "UPDATE expected_payments SET status = 'awaiting_payment' WHERE memo = 'ARB c1 Anna'",
    );
    let err = l.refused(&["audit", "verify"]);
    assert!(err.contains(&format!("BROKEN at record {update}")), "{err}");
    assert!(err.contains("expected_payment"), "{err}");
    sql(
        &l,
        "UPDATE expected_payments SET status = 'confirmed' WHERE memo = 'ARB c1 Anna'",
    );
    assert!(l.ok(&["audit", "verify"]).contains("audit chain OK"));

    // A bank row's counterparty changed.
    sql(
        &l,
        "UPDATE journal_entries SET counterparty = 'Mallory' WHERE natural_key = 'ref:T2'",
    );
    let err = l.refused(&["audit", "verify"]);
    assert!(err.contains("journal rows of import batch"), "{err}");
}

#[test]
fn a_removed_batch_verifies_and_its_rows_put_back_do_not() {
    let l = ledger_with_journal();
    let batch = l.json(&["import", "batches", "--json"])[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let conn = Connection::open(&l.db).unwrap();
    conn.execute_batch("CREATE TABLE saved AS SELECT * FROM journal_entries")
        .unwrap();
    drop(conn);
    l.ok(&["import", "remove", &batch]);
    assert!(l.ok(&["audit", "verify"]).contains("audit chain OK"));
    sql(&l, "INSERT INTO journal_entries SELECT * FROM saved");
    let err = l.refused(&["audit", "verify"]);
    let removal = newest_record(&l, "import.remove");
    assert!(
        err.contains(&format!("BROKEN at record {removal}")),
        "{err}"
    );
}

#[test]
fn the_server_refuses_a_head_that_went_back_or_changed() {
    let server = TestServer::start();
    let l = ledger_with_journal();
    let env = [("RECON_TOKEN", server.token.as_str())];
    let sync = |l: &Ledger| l.run_with_env(&["sync", "--server", &server.url], &env);
    let out = sync(&l);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let head = l.ok(&["audit", "head"]);
    let stored = stored_head(&server);
    assert_eq!(format!("{} {}\n", stored.0, stored.1), head);

    // Cut the newest record (and wind the kept head back, so only the server can tell).
    // (The sync itself appended the token's user as learned from whoami: the newest record
    // is not always the import's.)
    sql(
        &l,
        "DELETE FROM audit_log WHERE id = (SELECT MAX(id) FROM audit_log)",
    );
    sql(
        &l,
        "UPDATE device SET audit_head_seq = (SELECT MAX(id) FROM audit_log), \
         audit_head_hash = (SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1)",
    );
    let out = sync(&l);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cut from its end"), "{err}");
    assert_eq!(
        stored_head(&server),
        stored,
        "the server keeps the head it had"
    );

    // Same length, other content: the record the server kept as head, rewritten.
    let l2 = ledger_with_journal();
    let out = sync(&l2);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The record the server kept as this ledger's head (the pull after it appended more).
    let kept_seq = stored_head(&server).0;
    let conn = Connection::open(&l2.db).unwrap();
    conn.execute(
        "UPDATE audit_log SET hash = (CASE WHEN hash LIKE 'f%' THEN 'e' ELSE 'f' END) || substr(hash, 2) \
         WHERE id = ?1",
        [kept_seq],
    )
    .unwrap();
    drop(conn);
    let out = sync(&l2);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("the chain was rewritten"), "{err}");
}

/// The head the server keeps for the only device that synced last, as (seq, hash).
fn stored_head(server: &TestServer) -> (i64, String) {
    server.rt.block_on(async {
        let (client, conn) = tokio_postgres::connect(&server.db_url, tokio_postgres::NoTls)
            .await
            .unwrap();
        tokio::spawn(conn);
        let row = client
            .query_one(
                "SELECT seq, hash FROM audit_heads ORDER BY received_at DESC LIMIT 1",
                &[],
            )
            .await
            .unwrap();
        (row.get(0), row.get(1))
    })
}
