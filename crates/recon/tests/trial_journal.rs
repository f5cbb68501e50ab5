//! Issue 13, item 8: the journal finds amounts (with or without separators, a range), days,
//! shows what a line is matched to, and an empty result says the filter matched nothing.

mod common;

use common::Ledger;

fn entry(id: u64, day: u64, amount: &str, reason: &str) -> String {
    common::esi_entry(id, day, amount, "deposited cash", reason, 101)
}

fn ledger() -> Ledger {
    let l = Ledger::new();
    l.main_wallet();
    l.import_journal(&[
        entry(1, 1, "250000000.00", "ARB c1 Alpha"),
        entry(2, 2, "2.90", "coffee"),
        entry(3, 3, "1000.00", "rent"),
        entry(4, 4, "-1000.00", "refund"),
    ]);
    l
}

fn ids(l: &Ledger, args: &[&str]) -> Vec<i64> {
    let mut all = vec!["journal", "list", "--json"];
    all.extend_from_slice(args);
    let mut ids: Vec<i64> = l
        .json(&all)
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .collect();
    ids.sort();
    ids
}

#[test]
fn the_journal_finds_amounts_ranges_and_days() {
    let l = ledger();
    assert_eq!(ids(&l, &["--search", "250000000"]), vec![1]);
    assert_eq!(ids(&l, &["--search", "250,000,000"]), vec![1]);
    assert_eq!(ids(&l, &["--search", "250,000,000.00"]), vec![1]);
    assert_eq!(ids(&l, &["--search", "2.90"]), vec![2]);
    // In or out: the sign is not typed.
    assert_eq!(ids(&l, &["--search", "1,000"]), vec![3, 4]);
    assert_eq!(ids(&l, &["--search", "2..1000"]), vec![2, 3, 4]);
    assert_eq!(
        ids(
            &l,
            &["--amount-min", "1,000", "--amount-max", "300,000,000"]
        ),
        vec![1, 3, 4]
    );
    assert_eq!(
        ids(&l, &["--from", "2026-03-02", "--to", "2026-03-03"]),
        vec![2, 3]
    );
    assert_eq!(
        ids(&l, &["--search", "coffee"]),
        vec![2],
        "text still found"
    );

    assert_eq!(
        l.ok(&["journal", "list", "--search", "nothing like it"]),
        "No journal line matches the filter.\n"
    );
    let err = l.refused(&["journal", "list", "--from", "2026-13-01"]);
    assert!(
        err.contains("date from: '2026-13-01' is not a date like 2026-12-31"),
        "{err}"
    );
    assert_eq!(
        Ledger::new().ok(&["journal", "list"]),
        "No journal lines yet: import a journal or a statement with `recon import file`.\n"
    );
}

#[test]
fn a_journal_line_says_which_expected_payment_it_is_matched_to() {
    let l = ledger();
    l.import_expected("c1,Alpha,101,250000000.00,ISK,\n");
    l.ok(&["match"]);
    let rows = l.json(&["journal", "list", "--json", "--search", "250,000,000"]);
    assert_eq!(
        rows[0]["matched_to"],
        serde_json::json!(["ARB c1 Alpha"]),
        "{rows}"
    );
    assert!(rows[0]["rowid"].as_i64().is_some());
    let text = l.ok(&["journal", "list", "--search", "ARB"]);
    assert!(text.contains("[→ ARB c1 Alpha]"), "{text}");
}

#[test]
fn a_journal_view_exports_as_injection_safe_csv() {
    let l = ledger();
    let hostile = l.file(
        "h.json",
        &format!("[{}]", entry(9, 5, "5.00", "=HYPERLINK(\\\"http://x\\\")")),
    );
    l.ok(&["import", "esi-journal", "--wallet", "Main", &hostile]);
    let out = l.dir.path().join("journal.csv");
    let said = l.ok(&[
        "journal",
        "export",
        "--search",
        "5.00",
        out.to_str().unwrap(),
    ]);
    assert_eq!(
        said,
        format!("Exported 1 journal line(s) to {}.\n", out.display())
    );
    let csv = std::fs::read_to_string(&out).unwrap();
    assert!(
        csv.starts_with("date,wallet,ref_type,amount,currency,balance,description,reason,"),
        "{csv}"
    );
    assert!(csv.contains(",5.00,ISK,"), "{csv}");
    assert!(csv.contains("\"'=HYPERLINK(\"\"http://x\"\")\""), "{csv}");
    let all = l.dir.path().join("all.csv");
    l.ok(&["journal", "export", all.to_str().unwrap()]);
    assert_eq!(
        std::fs::read_to_string(&all).unwrap().split("\r\n").count(),
        7,
        "header, 5 lines, final CRLF"
    );
}
