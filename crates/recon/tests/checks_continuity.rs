//! Journal continuity and same-second ESI order through the real `recon` binary.

mod common;

use common::Ledger;
use serde_json::Value;

/// ESI journal entries (id, second, amount, balance) as one page, newest first as ESI sends.
fn page(entries: &[(i64, u32, i64, i64)]) -> String {
    let mut sorted = entries.to_vec();
    sorted.sort_by_key(|(id, second, ..)| std::cmp::Reverse((*second, *id)));
    let items: Vec<String> = sorted
        .iter()
        .map(|(id, second, amount, balance)| {
            format!(
                r#"{{"id":{id},"date":"2026-03-01T12:00:{second:02}Z","ref_type":"player_donation","description":"d","amount":{amount},"balance":{balance}}}"#
            )
        })
        .collect();
    format!("[{}]", items.join(","))
}

fn import(ledger: &Ledger, wallet: &str, entries: &[(i64, u32, i64, i64)]) {
    ledger.ok(&["wallet", "add", wallet]);
    let file = ledger.file(&format!("{wallet}.json"), &page(entries));
    ledger.ok(&["import", "esi-journal", "--wallet", wallet, &file]);
}

#[test]
fn esi_lines_of_one_second_read_in_id_order_and_their_balances_run_on() {
    let ledger = Ledger::new();
    // Four lines in one second, one before: in id order each balance follows the last.
    let entries = [
        (100, 1, 100, 100),
        (101, 5, 10, 110),
        (102, 5, -5, 105),
        (103, 5, 20, 125),
        (104, 5, 1, 126),
    ];
    import(&ledger, "Main", &entries);
    let rows = ledger.json(&["journal", "list", "--wallet", "Main", "--json"]);
    let ids: Vec<i64> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [100, 101, 102, 103, 104]);
    let report = ledger.json(&["check", "continuity", "--json"]);
    assert_eq!(report[0]["wallet"], "Main");
    assert_eq!(report[0]["lines"], 5);
    assert_eq!(report[0]["breaks"], Value::Array(vec![]));
}

#[test]
fn a_missing_entry_is_reported_between_its_neighbours_with_its_amount() {
    let ledger = Ledger::new();
    // 3 (amount 7) is missing: 2's balance 30, 4 carries +5 and balance 42.
    import(
        &ledger,
        "Gap",
        &[(1, 1, 10, 10), (2, 2, 20, 30), (4, 4, 5, 42), (5, 5, 1, 43)],
    );
    import(&ledger, "Clean", &[(11, 1, 10, 10), (12, 2, 20, 30)]);
    let report = ledger.json(&["check", "continuity", "--wallet", "Gap", "--json"]);
    assert_eq!(report.as_array().unwrap().len(), 1);
    let breaks = report[0]["breaks"].as_array().unwrap();
    assert_eq!(breaks.len(), 1);
    let b = &breaks[0];
    assert_eq!(b["after_date"], "2026-03-01T12:00:02Z");
    assert_eq!(b["before_date"], "2026-03-01T12:00:04Z");
    assert_eq!(
        (b["after_key"].clone(), b["before_key"].clone()),
        ("2".into(), "4".into())
    );
    assert_eq!(
        (b["after_position"].clone(), b["before_position"].clone()),
        (1.into(), 2.into())
    );
    assert_eq!(b["expected_balance"], "35.00");
    assert_eq!(b["found_balance"], "42.00");
    assert_eq!(b["missing_amount"], "7.00");
    assert!(b["after_id"].as_i64().unwrap() < b["before_id"].as_i64().unwrap());
    let all = ledger.json(&["check", "continuity", "--json"]);
    let names: Vec<&str> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["wallet"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Clean", "Gap"]);
    let text = ledger.ok(&["check", "continuity"]);
    assert!(
        text.contains("Gap: 4 line(s) with a balance, 1 break(s)") && text.contains("missing 7.00"),
        "{text}"
    );
    let err = ledger.refused(&["check", "continuity", "--wallet", "Nope"]);
    assert!(err.contains("no wallet named 'Nope'"), "{err}");
}
