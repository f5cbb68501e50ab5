//! Ledger rows edited with `sqlite3` behind recon's back (after dropping the triggers that
//! refuse it) are found by `recon audit verify`: settlement imports and entries attest
//! their rows like imports do (issue 14 for the partner ledger).

mod common;

use common::Ledger;
use rusqlite::Connection;

/// Program `spring` (USD 10 % / 2.5 %), affiliates A1 ← A2, sponsor S1 paying 12.50, a
/// settlements file imported and conversion C1 approved.
fn ledger() -> Ledger {
    let l = Ledger::new();
    l.program(
        "spring",
        "Spring",
        &["--direct-rate", "10", "--override-rate", "2.5"],
    );
    l.entity(
        "spring",
        &["--type", "affiliate", "--ref", "A1", "--name", "Top"],
    );
    let low = ["--type", "affiliate", "--ref", "A2", "--name", "Low"];
    l.entity("spring", &[&low[..], &["--parent", "A1"]].concat());
    l.sponsor("spring", "S1", "Acme", "12.50");
    let s = l.file(
        "s.csv",
        "settlement_id,user_ref,affiliate_ref,gross_amount,currency,occurred_at\nX1,u1,A2,100.10,USD,2026-03-07\nX2,u2,A1,50,USD,2026-03-08\n",
    );
    l.ok(&["import", "settlements", "--program", "spring", &s]);
    let c = l.file(
        "c.csv",
        "conversion_id,sponsor_ref,occurred_at,description\nC1,S1,2026-03-05,first\n",
    );
    l.ok(&["import", "conversions", "--program", "spring", &c]);
    l.ok(&["conversion", "approve", "--program", "spring", "C1"]);
    let ok = l.ok(&["audit", "verify"]);
    assert!(ok.contains("audit chain OK"), "{ok}");
    l
}

fn sql(l: &Ledger, statement: &str) {
    Connection::open(&l.db)
        .unwrap()
        .execute_batch(statement)
        .unwrap();
}

fn record(l: &Ledger, action: &str) -> i64 {
    Connection::open(&l.db)
        .unwrap()
        .query_row(
            "SELECT MAX(id) FROM audit_log WHERE action = ?1",
            [action],
            |r| r.get(0),
        )
        .unwrap()
}

#[test]
fn a_settlement_entry_amount_changed_with_sqlite3_names_the_import() {
    let l = ledger();
    let import = record(&l, "ledger.settlements_import");
    sql(
        &l,
        "DROP TRIGGER ledger_entries_fixed;
         UPDATE ledger_entries SET earnings_minor = earnings_minor * 100 WHERE source_ref = 'X1:override';",
    );
    let err = l.refused(&["audit", "verify"]);
    assert!(err.contains(&format!("BROKEN at record {import}")), "{err}");
}

#[test]
fn an_approved_entry_changed_with_sqlite3_names_its_record() {
    let l = ledger();
    let created = record(&l, "ledger.entry_create");
    sql(
        &l,
        "DROP TRIGGER ledger_entries_fixed;
         UPDATE ledger_entries SET earnings_minor = 125000 WHERE source = 'conversion';",
    );
    let err = l.refused(&["audit", "verify"]);
    assert!(
        err.contains(&format!("BROKEN at record {created}")),
        "{err}"
    );
}

#[test]
fn balanced_lines_moved_to_another_account_are_found_though_verify_balances() {
    let l = ledger();
    // Both lines of the conversion's entry moved to the program's revenue: still balanced,
    // so `ledger verify` passes; the entry's record attests its lines.
    sql(
        &l,
        "DROP TRIGGER ledger_postings_fixed;
         UPDATE ledger_postings SET account_id = (SELECT id FROM ledger_accounts WHERE name = 'program:spring:revenue')
         WHERE txn_id = (SELECT txn_id FROM ledger_entries WHERE source = 'conversion');",
    );
    let v = l.json(&["ledger", "verify", "--json"]);
    assert_eq!(v["ok"], true);
    let err = l.refused(&["audit", "verify"]);
    assert!(
        err.contains(&format!(
            "BROKEN at record {}",
            record(&l, "ledger.entry_create")
        )),
        "{err}"
    );
}

#[test]
fn status_moves_keep_the_digests_valid() {
    let l = ledger();
    let id = l
        .json(&["ledger", "list", "--json"])
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["source_ref"] == "X1:direct")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    l.ok(&[
        "ledger",
        "reverse",
        &id.to_string(),
        "--reason",
        "chargeback",
    ]);
    let ok = l.ok(&["audit", "verify"]);
    assert!(ok.contains("audit chain OK"), "{ok}");
}
