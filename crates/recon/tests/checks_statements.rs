//! Continuity of statements that state only an opening and a closing balance (MT940: no
//! balance on each line), through the real `recon` binary.

mod common;

use common::Ledger;
use serde_json::Value;

fn bank(l: &Ledger, name: &str) {
    l.ok(&["wallet", "add", name, "--kind", "bank", "--currency", "EUR"]);
}

/// A `:60F:` / `:62F:` balance field on `date` (YYMMDD).
fn balance(tag: &str, minor: i64, date: &str) -> String {
    let mark = if minor < 0 { 'D' } else { 'C' };
    let (whole, cents) = (minor.abs() / 100, minor.abs() % 100);
    format!(":{tag}:{mark}{date}EUR{whole},{cents:02}\n")
}

/// An MT940 statement: opening, lines (YYMMDD, amount in cents, text), closing; no line
/// carries a balance.
fn mt940(opening: i64, lines: &[(&str, i64, &str)], closing: i64) -> String {
    let first = lines.first().map_or("260101", |l| l.0);
    let last = lines.last().map_or("260101", |l| l.0);
    let mut text = String::from(":20:STMT\n:25:NL81ASNB9999999999\n:28C:1/1\n");
    text.push_str(&balance("60F", opening, first));
    for (date, cents, what) in lines {
        let mark = if *cents < 0 { 'D' } else { 'C' };
        let (whole, frac) = (cents.abs() / 100, cents.abs() % 100);
        text.push_str(&format!(
            ":61:{date}{}{mark}{whole},{frac:02}NTRFNONREF\n:86:{what}\n",
            &date[2..]
        ));
    }
    text.push_str(&balance("62F", closing, last));
    text
}

fn import(l: &Ledger, wallet: &str, name: &str, text: &str) -> Value {
    let f = l.file(name, text);
    l.json(&["import", "file", "--wallet", wallet, "--json", &f])
}

fn report<'a>(all: &'a Value, wallet: &str) -> &'a Value {
    all.as_array()
        .unwrap()
        .iter()
        .find(|r| r["wallet"] == wallet)
        .unwrap_or_else(|| panic!("no report for {wallet}: {all}"))
}

#[test]
fn a_statement_whose_lines_do_not_reach_its_closing_balance_is_flagged_by_name() {
    let l = Ledger::new();
    bank(&l, "Bank");
    bank(&l, "Clean");
    // 444.29 − 65.00 − 10.00 = 369.29, but the statement closes at 359.29: −10.00 missing.
    let lines = [("260105", -6500, "rent"), ("260107", -1000, "fuel")];
    let broken = import(&l, "Bank", "january.sta", &mt940(44429, &lines, 35929));
    assert_eq!(broken["inserted"], 2, "{broken}");
    import(&l, "Clean", "clean.sta", &mt940(44429, &lines, 36929));

    let all = l.json(&["check", "continuity", "--json"]);
    let clean = report(&all, "Clean");
    assert_eq!(
        (clean["statements"].clone(), clean["lines"].clone()),
        (1.into(), 0.into())
    );
    assert_eq!(clean["breaks"], Value::Array(vec![]), "{all}");

    let bank = report(&all, "Bank");
    assert_eq!(bank["statements"], 1);
    let breaks = bank["breaks"].as_array().unwrap();
    assert_eq!(breaks.len(), 1, "{all}");
    let b = &breaks[0];
    assert_eq!(b["kind"], "statement");
    // The file as it was imported (its path).
    let file = b["statement"]["file_name"].as_str().unwrap();
    assert!(file.ends_with("january.sta"), "{file}");
    assert_eq!(b["statement"]["batch_id"], broken["batch_id"]);
    assert_eq!(b["statement"]["opening_balance"], "444.29");
    assert_eq!(b["statement"]["closing_balance"], "359.29");
    assert_eq!(b["expected_balance"], "369.29");
    assert_eq!(b["found_balance"], "359.29");
    assert_eq!(b["missing_amount"], "-10.00");
    // The missing entry lies within the statement: between its first and last line.
    assert_eq!(b["after_date"], "2026-01-05");
    assert_eq!(b["before_date"], "2026-01-07");
    assert_eq!(
        (b["after_position"].clone(), b["before_position"].clone()),
        (0.into(), 1.into())
    );

    let text = l.ok(&["check", "continuity", "--wallet", "Bank"]);
    assert!(
        text.contains("Bank: 0 line(s) with a balance, 1 statement(s), 1 break(s)")
            && text.contains(&format!("statement {file} (batch "))
            && text.contains("missing -10.00"),
        "{text}"
    );
}

#[test]
fn a_gap_between_two_statements_is_reported_and_a_re_imported_statement_still_adds_up() {
    let l = Ledger::new();
    bank(&l, "Bank");
    // January closes at 110.00; March opens at 150.00: 40.00 came in between, unseen.
    let january = mt940(10000, &[("260110", 1000, "salary")], 11000);
    let march = mt940(15000, &[("260310", -500, "coffee")], 14500);
    import(&l, "Bank", "january.sta", &january);
    let second = import(&l, "Bank", "march.sta", &march);
    let all = l.json(&["check", "continuity", "--wallet", "Bank", "--json"]);
    let breaks = all[0]["breaks"].as_array().unwrap();
    assert_eq!(breaks.len(), 1, "{all}");
    let b = &breaks[0];
    assert_eq!(b["kind"], "between_statements");
    assert_eq!(b["statement"]["batch_id"], second["batch_id"]);
    assert_eq!(
        (b["after_date"].clone(), b["before_date"].clone()),
        ("2026-01-10".into(), "2026-03-10".into())
    );
    assert_eq!(b["expected_balance"], "110.00");
    assert_eq!(b["found_balance"], "150.00");
    assert_eq!(b["missing_amount"], "40.00");

    // February, imported later, fills the gap: no break is left.
    let february = mt940(11000, &[("260210", 4000, "refund")], 15000);
    import(&l, "Bank", "february.sta", &february);
    // January again: every line a duplicate, still opening + lines = closing.
    let again = import(&l, "Bank", "january-again.sta", &january);
    assert_eq!(again["duplicates"], 1, "{again}");
    let all = l.json(&["check", "continuity", "--wallet", "Bank", "--json"]);
    assert_eq!(all[0]["statements"], 4);
    assert_eq!(all[0]["breaks"], Value::Array(vec![]), "{all}");
}
