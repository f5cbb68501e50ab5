//! Issue 13, item 8: the journal's running balance is the wallet's balance after each line,
//! in the wallet's order, exact, and stays the wallet's under a filter.

mod common;

use common::Ledger;

fn entry(id: u64, day: u32, amount: &str, balance: Option<&str>) -> String {
    let balance = balance
        .map(|b| format!(r#", "balance": {b}"#))
        .unwrap_or_default();
    format!(
        r#"{{"id": {id}, "date": "2026-03-0{day}T10:00:00Z", "ref_type": "player_donation",
        "description": "line {id}", "amount": {amount}{balance}}}"#
    )
}

fn balances(l: &Ledger, args: &[&str]) -> Vec<(i64, String)> {
    let mut all = vec!["journal", "list", "--json"];
    all.extend_from_slice(args);
    l.json(&all)
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let b = r["running_balance"].as_str().unwrap_or("none").to_owned();
            (r["id"].as_i64().unwrap(), b)
        })
        .collect()
}

#[test]
fn the_running_balance_is_the_wallets_under_any_filter() {
    let l = Ledger::new();
    for (name, owner) in [("Main", "90000001"), ("Alt", "90000002")] {
        l.ok(&["wallet", "add", name, "--owner-id", owner, "--receiving"]);
    }
    // The first line states the balance after it (1,000.10): the opening was 900.00.
    // 0.1 + 0.2 is exactly 0.30 here, never a float's 0.30000000000000004.
    let main = format!(
        "[{},{},{},{}]",
        entry(1, 1, "100.10", Some("1000.10")),
        entry(2, 2, "0.1", None),
        entry(3, 3, "0.2", None),
        entry(4, 4, "-250000000.00", None),
    );
    let alt = format!("[{}]", entry(10, 2, "5.00", None));
    l.ok(&[
        "import",
        "esi-journal",
        "--wallet",
        "Main",
        &l.file("m.json", &main),
    ]);
    l.ok(&[
        "import",
        "esi-journal",
        "--wallet",
        "Alt",
        &l.file("a.json", &alt),
    ]);

    let all = balances(&l, &[]);
    assert_eq!(
        all,
        vec![
            (1, "1000.10".to_owned()),
            (2, "1000.20".to_owned()),
            (10, "5.00".to_owned()),
            (3, "1000.40".to_owned()),
            (4, "-249998999.60".to_owned()),
        ],
        "each wallet its own balance, in date order; a wallet stating none counts from 0"
    );
    // Filtered to one line, it still shows the wallet's balance, not the filtered rows' sum.
    assert_eq!(
        balances(&l, &["--search", "0.2"]),
        vec![(3, "1000.40".to_owned())]
    );
    assert_eq!(
        balances(&l, &["--wallet", "Main", "--from", "2026-03-04"]),
        vec![(4, "-249998999.60".to_owned())]
    );
    let text = l.ok(&["journal", "list", "--search", "250,000,000"]);
    assert!(text.lines().next().unwrap().contains("BALANCE"), "{text}");
    assert!(text.contains("-249998999.60"), "{text}");
}

#[test]
fn a_statement_without_line_balances_counts_from_its_opening_balance() {
    let l = Ledger::new();
    l.ok(&[
        "wallet",
        "add",
        "Bank",
        "--kind",
        "bank",
        "--currency",
        "EUR",
    ]);
    let sta = ":20:STMT\n:25:NL81ASNB9999999999\n:28C:1/1\n:60F:C260101EUR444,29\n\
               :61:2601050105D65,00NTRFNONREF\n:86:rent\n\
               :61:2601070107D10,00NTRFNONREF\n:86:fuel\n:62F:C260131EUR369,29\n";
    l.ok(&[
        "import",
        "file",
        "--wallet",
        "Bank",
        &l.file("jan.sta", sta),
    ]);
    let rows = l.json(&["journal", "list", "--json"]);
    let running: Vec<&str> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["running_balance"].as_str().unwrap_or("none"))
        .collect();
    assert_eq!(running, vec!["379.29", "369.29"], "{rows}");
}
