//! The partner ledger through the real `recon` binary on a real SQLite file.

mod common;

use common::Ledger;
use serde_json::Value;

/// A USD program `spring` (10% direct, 2.5% override, `rounding`), affiliates A1 ← A2 ← A3
/// (three levels) and a sponsor S1 paying 12.50 per conversion.
fn program(rounding: &str) -> Ledger {
    let l = Ledger::new();
    let rates = ["--direct-rate", "10", "--override-rate", "2.5"];
    l.program(
        "spring",
        "Spring",
        &[&rates[..], &["--rounding", rounding]].concat(),
    );
    l.entity(
        "spring",
        &["--type", "affiliate", "--ref", "A1", "--name", "Top"],
    );
    let mid = ["--type", "affiliate", "--ref", "A2", "--name", "Mid"];
    l.entity("spring", &[&mid[..], &["--parent", "A1"]].concat());
    let low = ["--type", "affiliate", "--ref", "A3", "--name", "Low"];
    l.entity("spring", &[&low[..], &["--parent", "A2"]].concat());
    l.sponsor("spring", "S1", "Acme", "12.50");
    l
}

fn conversions(l: &Ledger, description: &str) -> String {
    l.file(
        "conversions.csv",
        &format!("conversion_id,sponsor_ref,occurred_at,description\nC1,S1,2026-03-05,{description}\nC2,S1,2026-03-06,second\n"),
    )
}

fn entries(l: &Ledger, args: &[&str]) -> Vec<Value> {
    let mut all = vec!["ledger", "list", "--json"];
    all.extend_from_slice(args);
    l.json(&all).as_array().unwrap().clone()
}

fn sql(l: &Ledger, statement: &str) -> rusqlite::Result<usize> {
    rusqlite::Connection::open(&l.db)
        .unwrap()
        .execute_batch(statement)
        .map(|_| 0)
}

fn account(l: &Ledger, name: &str) -> Value {
    let accounts = l.json(&["ledger", "accounts", "--json"]);
    accounts
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["account"] == name)
        .cloned()
        .unwrap_or(Value::Null)
}

#[test]
fn approving_twice_gives_one_entry_and_already_exists() {
    let l = program("half-even");
    let file = conversions(&l, "first");
    l.ok(&["import", "conversions", "--program", "spring", &file]);
    let first = l.json(&[
        "conversion",
        "approve",
        "--program",
        "spring",
        "--json",
        "C1",
    ]);
    assert_eq!(first[0]["result"], "approved");
    let again = l.json(&[
        "conversion",
        "approve",
        "--program",
        "spring",
        "--json",
        "C1",
    ]);
    assert_eq!(again[0]["result"], "already_exists");
    assert_eq!(again[0]["entry_id"], first[0]["entry_id"]);
    let text = l.ok(&["conversion", "approve", "--program", "spring", "C1"]);
    assert!(text.contains("already exists"), "{text}");
    let list = entries(&l, &[]);
    assert_eq!(list.len(), 1, "one entry, never a duplicate");
    assert_eq!(list[0]["earnings_amount"], "12.50");
    assert_eq!(list[0]["source"], "conversion");
    assert_eq!(list[0]["source_ref"], "C1");
    // re-importing the file changes nothing
    let again: Value = l.json(&[
        "import",
        "conversions",
        "--program",
        "spring",
        "--json",
        &file,
    ]);
    assert_eq!(
        (again["inserted"].as_u64(), again["duplicates"].as_u64()),
        (Some(0), Some(2))
    );
}

#[test]
fn an_entry_write_that_fails_leaves_the_conversion_pending() {
    let l = program("half-even");
    l.ok(&[
        "import",
        "conversions",
        "--program",
        "spring",
        &conversions(&l, "first"),
    ]);
    sql(&l, "CREATE TRIGGER inject BEFORE INSERT ON ledger_entries BEGIN SELECT RAISE(ABORT, 'disk full (injected)'); END;").unwrap();
    let out = l.run(&[
        "conversion",
        "approve",
        "--program",
        "spring",
        "--json",
        "C1",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let results: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(results[0]["result"], "refused");
    assert!(
        results[0]["reason"].as_str().unwrap().contains("injected"),
        "{results}"
    );
    let pending = l.json(&[
        "conversion",
        "list",
        "--program",
        "spring",
        "--status",
        "pending",
        "--json",
    ]);
    assert_eq!(pending.as_array().unwrap().len(), 2, "C1 is still pending");
    assert!(entries(&l, &[]).is_empty());
    sql(&l, "DROP TRIGGER inject;").unwrap();
    let ok = l.json(&[
        "conversion",
        "approve",
        "--program",
        "spring",
        "--json",
        "C1",
    ]);
    assert_eq!(ok[0]["result"], "approved");
}

#[test]
fn a_settlement_under_a_three_level_chain_pays_direct_and_override_only_rounded_with_the_mode() {
    let l = program("half-up");
    let file = l.file(
        "settlements.csv",
        "settlement_id,user_ref,affiliate_ref,gross_amount,currency,occurred_at\nX1,u1,A3,0.25,USD,2026-03-07\n",
    );
    let r = l.json(&[
        "import",
        "settlements",
        "--program",
        "spring",
        "--json",
        &file,
    ]);
    assert_eq!(r["entries_created"], 2);
    let list = entries(&l, &["--program", "spring"]);
    let by_ref = |r: &str| list.iter().find(|e| e["source_ref"] == r).unwrap().clone();
    let direct = by_ref("X1:direct");
    let over = by_ref("X1:override");
    assert_eq!(direct["entity_ref"], "A3");
    // 10% of 0.25 = 0.025 → half-up 0.03, residue −0.005
    assert_eq!(
        (
            direct["earnings_amount"].as_str(),
            direct["rounding_residue"].as_str()
        ),
        (Some("0.03"), Some("-0.005"))
    );
    assert_eq!(over["entity_ref"], "A2");
    // 2.5% of 0.25 = 0.00625 → 0.01, residue −0.00375
    assert_eq!(
        (
            over["earnings_amount"].as_str(),
            over["rounding_residue"].as_str()
        ),
        (Some("0.01"), Some("-0.00375"))
    );
    assert_eq!(direct["gross_amount"], "0.25");
    assert!(
        entries(&l, &["--entity", "A1"]).is_empty(),
        "the top of the chain earns nothing"
    );
    assert_eq!(account(&l, "affiliate:A3:liability")["credits"], "0.03");
    assert_eq!(account(&l, "system:settlements")["debits"], "0.25");
    assert_eq!(account(&l, "program:spring:revenue")["credits"], "0.25");
    // idempotent re-import
    let again = l.json(&[
        "import",
        "settlements",
        "--program",
        "spring",
        "--json",
        &file,
    ]);
    assert_eq!(
        (again["inserted"].as_u64(), again["duplicates"].as_u64()),
        (Some(0), Some(1))
    );
    assert_eq!(entries(&l, &[]).len(), 2);
}

#[test]
fn a_settlement_in_another_currency_is_refused_naming_the_row() {
    let l = program("half-even");
    let file = l.file(
        "s.csv",
        "settlement_id,user_ref,affiliate_ref,gross_amount,currency,occurred_at\nX1,u1,A3,10,USD,2026-03-07\nX2,u2,A3,10,EUR,2026-03-07\n",
    );
    let err = l.refused(&["import", "settlements", "--program", "spring", &file]);
    assert!(
        err.contains("line 3") && err.contains("EUR") && err.contains("nothing was imported"),
        "{err}"
    );
    assert!(
        entries(&l, &[]).is_empty(),
        "the file landed whole or not at all"
    );
}

#[test]
fn a_reversal_marks_the_original_posts_the_opposite_and_happens_once() {
    let l = program("half-even");
    l.ok(&[
        "import",
        "conversions",
        "--program",
        "spring",
        &conversions(&l, "first"),
    ]);
    let entry_id = l.json(&[
        "conversion",
        "approve",
        "--program",
        "spring",
        "--json",
        "C1",
    ])[0]["entry_id"]
        .as_i64()
        .unwrap();
    let id = entry_id.to_string();
    assert_eq!(account(&l, "sponsor:S1:liability")["balance"], "-12.50");
    let out = l.ok(&["ledger", "reverse", &id, "--reason", "duplicate claim"]);
    assert!(out.contains("-12.50"), "{out}");
    let list = entries(&l, &[]);
    let original = list.iter().find(|e| e["id"] == entry_id).unwrap();
    let reversal = list.iter().find(|e| e["reverses"] == entry_id).unwrap();
    assert_eq!(original["status"], "reversed");
    assert_eq!(original["reversed_by"], reversal["id"]);
    assert_eq!(reversal["earnings_amount"], "-12.50");
    let liability = account(&l, "sponsor:S1:liability");
    assert_eq!(
        (liability["debits"].as_str(), liability["credits"].as_str()),
        (Some("12.50"), Some("12.50"))
    );
    assert_eq!(account(&l, "program:spring:expense")["balance"], "0.00");
    let err = l.refused(&["ledger", "reverse", &id, "--reason", "again"]);
    assert!(err.contains("already reversed"), "{err}");
    assert!(l
        .refused(&[
            "ledger",
            "reverse",
            &reversal["id"].to_string(),
            "--reason",
            "x"
        ])
        .contains("itself a reversal"));
    let summary = l.json(&["ledger", "summary", "--program", "spring", "--json"]);
    assert_eq!(summary["totals"]["reversed"], "12.50");
    assert_eq!(summary["totals"]["total"], "0.00");
    l.ok(&["ledger", "verify"]);
}

#[test]
fn sqlite_refuses_editing_or_deleting_an_entry() {
    let l = program("half-even");
    l.ok(&[
        "import",
        "conversions",
        "--program",
        "spring",
        &conversions(&l, "first"),
    ]);
    l.ok(&["conversion", "approve", "--program", "spring", "C1"]);
    let err = sql(&l, "UPDATE ledger_entries SET earnings_minor = 999999").unwrap_err();
    assert!(err.to_string().contains("never edited"), "{err}");
    assert!(sql(&l, "UPDATE ledger_entries SET currency = 'EUR'").is_err());
    assert!(sql(&l, "DELETE FROM ledger_entries")
        .unwrap_err()
        .to_string()
        .contains("never deleted"));
    assert!(sql(&l, "DELETE FROM ledger_postings").is_err());
    assert!(
        sql(&l, "UPDATE ledger_entries SET status = 'paid'").is_err(),
        "paid needs a payout batch"
    );
    assert_eq!(entries(&l, &[])[0]["earnings_amount"], "12.50");
}

#[test]
fn verify_passes_then_names_the_transaction_whose_line_was_altered() {
    let l = program("half-even");
    let file = l.file(
        "s.csv",
        "settlement_id,user_ref,affiliate_ref,gross_amount,currency,occurred_at\nX1,u1,A3,100.10,USD,2026-03-07\nX2,u2,A2,50,USD,2026-03-08\n",
    );
    l.ok(&["import", "settlements", "--program", "spring", &file]);
    let v = l.json(&["ledger", "verify", "--json"]);
    assert_eq!(v["ok"], true);
    assert_eq!(v["transactions"], 6, "2 revenues, 2 direct, 2 override");
    assert!(v["first_failure"].is_null());
    let direct = entries(&l, &[])
        .into_iter()
        .find(|e| e["source_ref"] == "X2:direct")
        .unwrap();
    let id = direct["id"].as_i64().unwrap();
    // An attacker with sqlite3 drops the guard first.
    sql(
        &l,
        &format!(
            "DROP TRIGGER ledger_postings_fixed;
         UPDATE ledger_postings SET amount_minor = amount_minor + 1 WHERE line = 1
           AND txn_id = (SELECT txn_id FROM ledger_entries WHERE id = {id});"
        ),
    )
    .unwrap();
    let out = l.run(&["ledger", "verify", "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["ok"], false);
    let f = &v["first_failure"];
    assert!(
        f["what"].as_str().unwrap().contains(&format!("entry {id}")),
        "{v}"
    );
    assert_eq!(
        (f["debits"].as_str(), f["credits"].as_str()),
        (Some("5.01"), Some("5.00"))
    );
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains(&format!("transaction {}", f["transaction"])),
        "{err}"
    );
}

#[test]
fn exported_formula_cells_are_neutralised() {
    let l = program("half-even");
    l.approved_conversions(
        "spring",
        "C1,S1,2026-03-05,=HYPERLINK(\"http://x\")\nC2,S1,2026-03-05,+1\nC3,S1,2026-03-05,-2\nC4,S1,2026-04-05,@SUM(A1)\n",
        &["C1", "C2", "C3", "C4"],
    );
    let out = l.dir.path().join("march.csv");
    l.ok(&[
        "ledger",
        "export",
        "--program",
        "spring",
        "--period",
        "2026-03",
        "--out",
        out.to_str().unwrap(),
    ]);
    let text = std::fs::read_to_string(&out).unwrap();
    let rows: Vec<&str> = text.split("\r\n").filter(|r| !r.is_empty()).collect();
    assert_eq!(rows.len(), 4, "header + the three March entries: {text}");
    assert!(rows[0].starts_with("id,program,entity_type,entity_ref,source,source_ref,status"));
    assert!(text.contains("\"'=HYPERLINK(\"\"http://x\"\")\""), "{text}");
    assert!(text.contains(",'+1,") && text.contains(",'-2,"), "{text}");
    assert!(
        text.contains(",12.50,"),
        "amounts stay plain decimals: {text}"
    );
    let all = l.dir.path().join("all.csv");
    l.ok(&[
        "ledger",
        "export",
        "--program",
        "spring",
        "--out",
        all.to_str().unwrap(),
        "--bom",
    ]);
    let bytes = std::fs::read(&all).unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBFid,"));
    assert!(String::from_utf8(bytes).unwrap().contains("'@SUM(A1)"));
}

#[test]
fn a_paused_program_refuses_new_entries_naming_itself() {
    let l = program("half-even");
    l.ok(&[
        "import",
        "conversions",
        "--program",
        "spring",
        &conversions(&l, "first"),
    ]);
    l.ok(&["program", "set-status", "spring", "paused"]);
    let out = l.run(&[
        "conversion",
        "approve",
        "--program",
        "spring",
        "--json",
        "C1",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let results: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(results[0]["result"], "refused");
    assert_eq!(
        results[0]["reason"],
        "program 'spring' is paused: it accepts no new entries"
    );
    let file = l.file(
        "s.csv",
        "settlement_id,user_ref,affiliate_ref,gross_amount,currency,occurred_at\nX1,u1,A3,10,USD,2026-03-07\n",
    );
    let err = l.refused(&["import", "settlements", "--program", "spring", &file]);
    assert!(err.contains("program 'spring' is paused"), "{err}");
    assert!(entries(&l, &[]).is_empty());
    l.ok(&["program", "set-status", "spring", "active"]);
    l.ok(&["conversion", "approve", "--program", "spring", "C1"]);
    let programs = l.json(&["program", "list", "--json"]);
    assert_eq!(programs[0]["status"], "active");
}

#[test]
fn json_shapes_follow_the_contract() {
    let l = program("half-even");
    l.ok(&[
        "import",
        "conversions",
        "--program",
        "spring",
        &conversions(&l, "first"),
    ]);
    l.ok(&["conversion", "approve", "--program", "spring", "C1"]);
    let e = &entries(&l, &[])[0];
    for key in [
        "id",
        "program",
        "entity_type",
        "entity_ref",
        "source",
        "source_ref",
        "status",
        "gross_amount",
        "earnings_amount",
        "rounding_residue",
        "currency",
        "description",
        "created_at",
        "payout_batch",
        "reverses",
        "reversed_by",
    ] {
        assert!(e.get(key).is_some(), "ledger list --json lacks {key}: {e}");
    }
    let a = &l.json(&["ledger", "accounts", "--json"])[0];
    for key in ["account", "currency", "debits", "credits", "balance"] {
        assert!(a[key].is_string(), "accounts lacks {key}: {a}");
    }
    let tree = l.json(&["entity", "list", "--program", "spring", "--json"]);
    let a3 = tree
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["entity_ref"] == "A3")
        .unwrap();
    assert_eq!(
        (a3["parent"].as_str(), a3["depth"].as_u64()),
        (Some("A2"), Some(2))
    );
    let s = l.json(&[
        "ledger",
        "summary",
        "--program",
        "spring",
        "--by",
        "entity",
        "--json",
    ]);
    assert_eq!(s["rows"][0]["key"], "S1");
    assert_eq!(s["rows"][0]["pending"], "12.50");
    let rejected = l.ok(&[
        "conversion",
        "reject",
        "--program",
        "spring",
        "C2",
        "--reason",
        "no proof",
    ]);
    assert!(rejected.contains("rejected"));
    assert!(l
        .refused(&[
            "conversion",
            "reject",
            "--program",
            "spring",
            "C2",
            "--reason",
            "  "
        ])
        .contains("reason"));
}

#[test]
fn a_conversion_is_decided_once_and_deciding_it_again_the_same_way_changes_nothing() {
    let l = program("half-even");
    let file = conversions(&l, "first");
    l.ok(&["import", "conversions", "--program", "spring", &file]);
    let reject = |reason: &str| {
        l.ok(&[
            "conversion",
            "reject",
            "--program",
            "spring",
            "C2",
            "--reason",
            reason,
        ])
    };
    reject("no proof");
    // The second rejection is accepted and keeps the first one's reason.
    reject("another reason");
    let list = l.json(&["conversion", "list", "--program", "spring", "--json"]);
    let c2 = list
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["conversion_id"] == "C2")
        .unwrap()
        .clone();
    assert_eq!(c2["status"], "rejected");
    assert_eq!(c2["reason"], "no proof");
    let out = l.run(&[
        "conversion",
        "approve",
        "--program",
        "spring",
        "--json",
        "C2",
    ]);
    assert_eq!(out.status.code(), Some(1), "a refused approval exits 1");
    let approve: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(approve[0]["result"], "refused");
    assert_eq!(
        approve[0]["reason"],
        "conversion 'C2' was rejected and cannot be approved"
    );
    l.ok(&["conversion", "approve", "--program", "spring", "C1"]);
    let refused = l.refused(&[
        "conversion",
        "reject",
        "--program",
        "spring",
        "C1",
        "--reason",
        "late",
    ]);
    assert!(
        refused.contains("conversion 'C1' was approved and cannot be rejected"),
        "{refused}"
    );
    assert_eq!(entries(&l, &[]).len(), 1, "only C1's entry");
}
