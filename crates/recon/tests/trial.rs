//! What a finance user trying Recon Desk for the first time must not run into (issue 13):
//! ISK journals landing in a bank wallet, a bank wallet whose currency was guessed, a match
//! type that hides a reviewer's manual link.

mod common;

use common::Ledger;

fn entry(id: u64, amount: &str, reason: &str, payer: u64) -> String {
    format!(
        r#"{{"id": {id}, "date": "2026-03-0{day}T10:00:00Z", "ref_type": "player_donation",
        "description": "deposited cash", "reason": "{reason}", "first_party_id": {payer},
        "second_party_id": 90000001, "amount": {amount}}}"#,
        day = 1 + id % 8
    )
}

fn journal(entries: &[String]) -> String {
    format!("[{}]", entries.join(","))
}

/// The exit status and standard error of a refused command (clap refuses with 2, recon with 1).
fn refused_any(l: &Ledger, args: &[&str]) -> String {
    let out = l.run(args);
    assert!(!out.status.success(), "recon {args:?} should be refused");
    assert!(out.stdout.is_empty(), "a refusal prints nothing on stdout");
    String::from_utf8(out.stderr).unwrap()
}

fn entry_count(l: &Ledger, wallet: &str) -> u64 {
    let wallets = l.json(&["wallet", "list", "--json"]);
    wallets
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["name"] == wallet)
        .unwrap_or_else(|| panic!("no wallet {wallet} in {wallets}"))["entry_count"]
        .as_u64()
        .unwrap()
}

#[test]
fn an_esi_journal_imports_only_into_an_isk_character_or_corporation_wallet() {
    let l = Ledger::new();
    l.ok(&[
        "wallet",
        "add",
        "Giro",
        "--kind",
        "bank",
        "--currency",
        "EUR",
    ]);
    l.ok(&["wallet", "add", "Euro char", "--currency", "EUR"]);
    l.ok(&["wallet", "add", "Main", "--owner-id", "90000001"]);
    let file = l.file(
        "j.json",
        &journal(&[entry(1, "250000000.00", "ARB c1 A", 101)]),
    );

    let err = l.refused(&["import", "esi-journal", "--wallet", "Giro", &file]);
    assert!(
        err.contains(
            "wallet 'Giro' is a bank wallet in EUR; an ESI journal is in ISK and imports only into a character or corporation wallet in ISK"
        ),
        "{err}"
    );
    // Through format detection too: the file is ESI JSON, the wallet is still wrong.
    let err = l.refused(&["import", "file", "--wallet", "Giro", &file]);
    assert!(
        err.contains("wallet 'Giro' is a bank wallet in EUR"),
        "{err}"
    );
    let err = l.refused(&["import", "esi-journal", "--wallet", "Euro char", &file]);
    assert!(
        err.contains("wallet 'Euro char' is a character wallet in EUR"),
        "{err}"
    );
    assert_eq!(entry_count(&l, "Giro"), 0, "nothing half-written");
    assert_eq!(entry_count(&l, "Euro char"), 0);

    let s = l.json(&["import", "esi-journal", "--wallet", "Main", "--json", &file]);
    assert_eq!(s["inserted"], 1);
    assert_eq!(entry_count(&l, "Main"), 1);
}

#[test]
fn a_bank_wallet_must_be_given_its_currency() {
    let l = Ledger::new();
    let err = refused_any(&l, &["wallet", "add", "Schwab", "--kind", "bank"]);
    assert!(err.contains("--currency"), "{err}");
    assert_eq!(l.json(&["wallet", "list", "--json"]), serde_json::json!([]));

    l.ok(&[
        "wallet",
        "add",
        "Schwab",
        "--kind",
        "bank",
        "--currency",
        "USD",
    ]);
    // EVE wallets are ISK unless told otherwise.
    l.ok(&["wallet", "add", "Main", "--owner-id", "90000001"]);
    let currencies: Vec<(String, String)> = l
        .json(&["wallet", "list", "--json"])
        .as_array()
        .unwrap()
        .iter()
        .map(|w| {
            (
                w["name"].as_str().unwrap().to_string(),
                w["currency"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(currencies.contains(&("Schwab".into(), "USD".into())));
    assert!(currencies.contains(&("Main".into(), "ISK".into())));
}

fn matching_ledger() -> Ledger {
    let l = Ledger::new();
    l.ok(&[
        "wallet",
        "add",
        "Main",
        "--owner-id",
        "90000001",
        "--receiving",
    ]);
    let expected = l.file(
        "expected.csv",
        "cycle_id,character_name,character_id,expected_amount,currency,memo\n\
         c1,Alpha,101,1000.00,ISK,\n",
    );
    l.ok(&["import", "expected", &expected]);
    let file = l.file(
        "j.json",
        &journal(&[
            entry(1, "600.00", "ARB c1 Alpha", 101),
            entry(2, "400.00", "thanks", 101),
        ]),
    );
    l.ok(&["import", "esi-journal", "--wallet", "Main", &file]);
    l
}

fn alpha(l: &Ledger) -> serde_json::Value {
    l.json(&["expected", "list", "--json"])[0].clone()
}

#[test]
fn the_match_type_says_manual_once_a_reviewer_linked_by_hand() {
    let l = matching_ledger();
    l.ok(&["match"]);
    let a = alpha(&l);
    assert_eq!(a["match_type"], "auto_exact");
    assert_eq!(a["actual_amount"], "600.00");

    l.ok(&["match", "link", "ARB c1 Alpha", "2"]);
    let a = alpha(&l);
    assert_eq!(a["match_type"], "manual", "{a}");
    assert_eq!(a["actual_amount"], "1000.00");
    let types: Vec<&str> = a["links"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["match_type"].as_str().unwrap())
        .collect();
    assert_eq!(
        types,
        vec!["auto_exact", "manual"],
        "each link keeps its type"
    );
}

#[test]
fn the_review_queues_tell_the_qualifying_score_and_what_a_payment_has_received() {
    let l = matching_ledger();
    l.ok(&["match"]);
    let q = l.json(&["match", "review", "--json"]);
    assert_eq!(q["threshold"], 100, "{q}");
    let receipt = q["unmatched_receipts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["receipt"]["journal_id"] == "2")
        .unwrap_or_else(|| panic!("receipt 2 is not in review: {q}"))
        .clone();
    let top = &receipt["suggestions"][0];
    assert_eq!(top["memo"], "ARB c1 Alpha");
    assert_eq!(top["status"], "confirmed");
    assert_eq!(top["actual_amount"], "600.00");
    assert!(top["score"]["total"].as_u64().unwrap() < 100, "{top}");
}
