//! Issue 13, item 10: an expected payments file given to `import file` is recognised and
//! sent to its own import instead of being read as a bank CSV.

mod common;

use common::Ledger;

#[test]
fn an_expected_payments_file_is_sent_to_its_own_import() {
    let l = Ledger::new();
    l.ok(&[
        "wallet",
        "add",
        "Bank",
        "--kind",
        "bank",
        "--currency",
        "ISK",
    ]);
    let csv = l.file(
        "payments.csv",
        "cycle_id,character_name,character_id,expected_amount,currency,memo\n\
         c1,Alpha,101,250000000.00,ISK,\n",
    );
    let json = l.file(
        "payments.json",
        r#"[{"cycle_id":"c1","character_name":"Beta","expected_amount":"5.00","currency":"ISK"}]"#,
    );
    for file in [&csv, &json] {
        let err = l.refused(&["import", "file", "--wallet", "Bank", file]);
        assert!(
            err.contains("is an expected payments file")
                && err.contains(&format!("recon import expected {file}")),
            "{err}"
        );
        let err = l.refused(&["import", "file", "--dry-run", file]);
        assert!(err.contains("is an expected payments file"), "{err}");
    }
    assert_eq!(
        l.ok(&["journal", "list"]),
        "No journal lines yet: import a journal or a statement with `recon import file`.\n",
        "nothing was read as bank lines"
    );
    // Where it belongs, it imports.
    l.ok(&["import", "expected", &csv]);
    let listed = l.ok(&["expected", "list"]);
    assert!(listed.contains("ARB c1 Alpha"), "{listed}");
}

#[test]
fn split_shares_typed_with_thousands_separators_are_read() {
    let l = Ledger::new();
    l.ok(&[
        "wallet",
        "add",
        "Main",
        "--owner-id",
        "90000001",
        "--receiving",
    ]);
    let journal = l.file(
        "j.json",
        r#"[{"id": 14, "date": "2026-03-01T10:00:00Z", "ref_type": "player_donation",
            "description": "x", "reason": "", "first_party_id": 101,
            "second_party_id": 90000001, "amount": 500000000.00}]"#,
    );
    l.ok(&["import", "esi-journal", "--wallet", "Main", &journal]);
    let expected = l.file(
        "e.csv",
        "cycle_id,character_name,character_id,expected_amount,currency,memo\n\
         c1,Alpha,101,200000000.00,ISK,\n\
         c1,Beta,102,300000000.00,ISK,\n",
    );
    l.ok(&["import", "expected", &expected]);
    l.ok(&[
        "match",
        "split",
        "14",
        "ARB c1 Alpha=200,000,000",
        "ARB c1 Beta=300,000,000.00",
    ]);
    let list = l.json(&["expected", "list", "--json"]);
    let actual: Vec<(String, String)> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let memo = e["memo"].as_str().unwrap().to_owned();
            (
                memo,
                e["actual_amount"].as_str().unwrap_or("none").to_owned(),
            )
        })
        .collect();
    assert!(
        actual.contains(&("ARB c1 Alpha".into(), "200000000.00".into()))
            && actual.contains(&("ARB c1 Beta".into(), "300000000.00".into())),
        "{actual:?}"
    );
}
