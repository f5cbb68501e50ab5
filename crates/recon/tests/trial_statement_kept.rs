//! Issue 13, item 9: an import batch keeps its statement's check (opening, closing, the
//! lines' sum, agrees or the difference), shown afterwards in the batch list and on the
//! wallet, not only at import.

mod common;

use common::Ledger;

/// An MT940 statement in EUR: opening, lines (YYMMDD, cents), closing.
fn mt940(opening: i64, lines: &[(&str, i64)], closing: i64) -> String {
    let amount = |minor: i64| {
        let mark = if minor < 0 { 'D' } else { 'C' };
        (
            mark,
            format!("{},{:02}", minor.abs() / 100, minor.abs() % 100),
        )
    };
    let (om, o) = amount(opening);
    let mut text = format!(":20:STMT\n:25:NL81ASNB9999999999\n:28C:1/1\n:60F:{om}260101EUR{o}\n");
    for (date, cents) in lines {
        let (m, a) = amount(*cents);
        text.push_str(&format!(
            ":61:{date}{}{m}{a}NTRFNONREF\n:86:line {date}\n",
            &date[2..]
        ));
    }
    let (cm, c) = amount(closing);
    text.push_str(&format!(":62F:{cm}260131EUR{c}\n"));
    text
}

#[test]
fn a_statement_that_does_not_add_up_stays_flagged_on_its_batch_and_wallet() {
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
    l.ok(&[
        "wallet",
        "add",
        "Clean",
        "--kind",
        "bank",
        "--currency",
        "EUR",
    ]);
    // 444.29 − 65.00 − 10.00 = 369.29, but the statement closes at 359.29.
    let broken = l.file(
        "january.sta",
        &mt940(44429, &[("260105", -6500), ("260107", -1000)], 35929),
    );
    l.ok(&["import", "file", "--wallet", "Bank", &broken]);
    let clean = l.file("clean.sta", &mt940(10000, &[("260105", 2550)], 12550));
    l.ok(&["import", "file", "--wallet", "Clean", &clean]);

    let batches = l.json(&["import", "batches", "--json"]);
    let statement_of = |wallet: &str| {
        batches
            .as_array()
            .unwrap()
            .iter()
            .find(|b| b["wallet"] == wallet)
            .unwrap()["files"][0]["statement"]
            .clone()
    };
    let kept = statement_of("Bank");
    assert_eq!(kept["opening_balance"], "444.29", "{kept}");
    assert_eq!(kept["closing_balance"], "359.29", "{kept}");
    assert_eq!(kept["lines_sum"], "-75.00", "{kept}");
    assert_eq!(kept["balances_agree"], false, "{kept}");
    assert_eq!(kept["difference"], "-10.00", "{kept}");
    let fine = statement_of("Clean");
    assert_eq!(
        (&fine["balances_agree"], &fine["difference"]),
        (&serde_json::json!(true), &serde_json::json!("0.00")),
        "{fine}"
    );

    let text = l.ok(&["import", "batches"]);
    assert!(
        text.contains("opening 444.29 closing 359.29 lines -75.00 (LINES DO NOT ADD UP to the closing balance: off by -10.00)"),
        "{text}"
    );

    let wallets = l.json(&["wallet", "list", "--json"]);
    let bank = wallets
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["name"] == "Bank")
        .unwrap();
    assert_eq!(
        bank["last_statement"]["statement"]["difference"], "-10.00",
        "{bank}"
    );
    assert!(
        bank["last_statement"]["file_name"]
            .as_str()
            .unwrap()
            .ends_with("january.sta"),
        "{bank}"
    );
    let listed = l.ok(&["wallet", "list"]);
    let row = listed.lines().find(|r| r.starts_with("Bank ")).unwrap();
    assert!(row.contains("off by -10.00"), "{listed}");
    let row = listed.lines().find(|r| r.starts_with("Clean ")).unwrap();
    assert!(row.contains("(lines add up)"), "{listed}");
}
