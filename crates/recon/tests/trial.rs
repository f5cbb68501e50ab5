//! What a finance user trying Recon Desk for the first time must not run into (issue 13):
//! ISK journals landing in a bank wallet, a bank wallet whose currency was guessed, a match
//! type that hides a reviewer's manual link.

mod common;

use common::Ledger;

fn entry(id: u64, amount: &str, reason: &str, payer: u64) -> String {
    common::esi_entry(id, 1 + id % 8, amount, "deposited cash", reason, payer)
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
    l.main_wallet();
    l.import_expected("c1,Alpha,101,1000.00,ISK,\n");
    l.import_journal(&[
        entry(1, "600.00", "ARB c1 Alpha", 101),
        entry(2, "400.00", "thanks", 101),
    ]);
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

#[test]
fn the_cycle_list_shows_what_is_still_outstanding() {
    let l = matching_ledger();
    let extra = l.file(
        "more.csv",
        "cycle_id,character_name,character_id,expected_amount,currency,memo\n\
         c1,Bravo,102,2500000.00,ISK,\n",
    );
    l.ok(&["import", "expected", &extra]);
    l.ok(&["match"]);
    // Alpha received 600 of 1000; Bravo nothing of 2,500,000.
    let cycles = l.json(&["cycle", "list", "--json"]);
    assert_eq!(cycles[0]["confirmed_total"], "600.00");
    assert_eq!(cycles[0]["outstanding_total"], "2500400.00");
    let text = l.ok(&["cycle", "list"]);
    assert!(text.contains("OUTSTANDING"), "{text}");
    assert!(text.contains("2,500,400.00"), "{text}");

    l.ok(&["match", "link", "ARB c1 Alpha", "2"]);
    let cycles = l.json(&["cycle", "list", "--json"]);
    assert_eq!(cycles[0]["outstanding_total"], "2500000.00");
}

#[test]
fn expected_list_aligns_its_columns_with_thousands_separators() {
    let l = matching_ledger();
    let extra = l.file(
        "more.csv",
        "cycle_id,character_name,character_id,expected_amount,currency,memo\n\
         c1,Bravo Long Name,102,250000000.00,ISK,\n",
    );
    l.ok(&["import", "expected", &extra]);
    l.ok(&["match"]);
    let text = l.ok(&["expected", "list"]);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert!(lines[0].starts_with("MEMO"), "{text}");
    let bravo = lines.iter().find(|l| l.contains("Bravo")).unwrap();
    let alpha = lines.iter().find(|l| l.contains("Alpha")).unwrap();
    assert!(bravo.contains("250,000,000.00"), "{text}");
    assert!(
        alpha.contains("1,000.00") && alpha.contains("600.00"),
        "{text}"
    );
    // Right-aligned: the expected amounts end in the same column, under the header's end.
    let end = |line: &str, cell: &str| line.find(cell).unwrap() + cell.len();
    assert_eq!(
        end(bravo, "250,000,000.00"),
        end(alpha, "1,000.00"),
        "{text}"
    );
    assert_eq!(end(lines[0], "EXPECTED"), end(alpha, "1,000.00"), "{text}");
    // The status column starts at the same place on every line.
    assert_eq!(
        bravo.find("awaiting_payment"),
        alpha.find("confirmed"),
        "{text}"
    );
}

#[test]
fn empty_lists_and_an_exhausted_undo_say_so_in_sentences() {
    let l = Ledger::new();
    assert_eq!(
        l.ok(&["wallet", "list"]),
        "No wallets yet: add one with `recon wallet add NAME`.\n"
    );
    assert_eq!(
        l.ok(&["expected", "list"]),
        "No expected payments yet: import them with `recon import expected FILE`.\n"
    );
    assert_eq!(
        l.ok(&["cycle", "list"]),
        "No cycles yet: import expected payments first.\n"
    );
    let l = matching_ledger();
    assert_eq!(
        l.ok(&["expected", "list", "--status", "cancelled"]),
        "No expected payment matches the filter.\n"
    );
    let err = l.refused(&["match", "undo"]);
    assert!(
        err.contains("nothing to undo: every reviewer step is undone already"),
        "{err}"
    );
}

#[test]
fn audit_list_shows_one_expected_payments_trail() {
    let l = matching_ledger();
    l.ok(&["match"]);
    l.ok(&["match", "link", "ARB c1 Alpha", "2"]);
    let id = alpha(&l)["id"].as_str().unwrap().to_string();
    let entity = format!("expected_payment:{id}");
    let trail = l.json(&["audit", "list", "--entity", &entity, "--json"]);
    let actions: Vec<&str> = trail
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions.first(), Some(&"expected.create"), "{trail}");
    assert!(
        actions.len() >= 3,
        "created, matched, linked by hand: {trail}"
    );
    assert!(trail
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["entity_id"] == id.as_str()));
    let last_after = trail.as_array().unwrap().last().unwrap()["after"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        last_after.contains("\"actual_amount\":\"1000.00\""),
        "{last_after}"
    );

    let text = l.ok(&["audit", "list", "--entity", &entity]);
    assert!(
        text.lines().next().unwrap().contains("expected.create"),
        "{text}"
    );
    assert!(text.contains("tester"), "who acted: {text}");

    let all = l.json(&["audit", "list", "--json"]);
    assert!(all.as_array().unwrap().len() > trail.as_array().unwrap().len());
    assert_eq!(
        l.ok(&["audit", "list", "--entity", "expected_payment:nope"]),
        "No audit records for expected_payment:nope.\n"
    );
    let err = l.refused(&["audit", "list", "--entity", "nope"]);
    assert!(err.contains("entity 'nope' is not KIND:ID"), "{err}");
}

#[test]
fn one_expected_payment_is_cancelled_kept_and_audited() {
    let l = matching_ledger();
    let extra = l.file(
        "more.csv",
        "cycle_id,character_name,character_id,expected_amount,currency,memo\n\
         c1,Bravo,102,2500000.00,ISK,\n",
    );
    l.ok(&["import", "expected", &extra]);
    assert_eq!(
        l.ok(&["expected", "cancel", "ARB c1 Bravo"]),
        "Cancelled 'ARB c1 Bravo' (kept, with an audit record).\n"
    );
    let list = l.json(&["expected", "list", "--json"]);
    let bravo = list
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["memo"] == "ARB c1 Bravo")
        .unwrap()
        .clone();
    assert_eq!(bravo["status"], "cancelled", "kept, not deleted");
    let trail = l.json(&[
        "audit",
        "list",
        "--entity",
        &format!("expected_payment:{}", bravo["id"].as_str().unwrap()),
        "--json",
    ]);
    let last = trail.as_array().unwrap().last().unwrap();
    assert_eq!(last["action"], "expected.cancel");
    assert!(last["before"]
        .as_str()
        .unwrap()
        .contains("awaiting_payment"));
    assert!(last["after"].as_str().unwrap().contains("cancelled"));
    let cycles = l.json(&["cycle", "list", "--json"]);
    assert_eq!(cycles[0]["cancelled"], 1);
    assert_eq!(
        cycles[0]["outstanding_total"], "1000.00",
        "a cancelled payment owes nothing"
    );

    // Paid (or already cancelled) payments are refused: unlink first.
    l.ok(&["match"]);
    let err = l.refused(&["expected", "cancel", "ARB c1 Alpha"]);
    assert!(
        err.contains("'ARB c1 Alpha' is confirmed: only an expected payment awaiting payment can be cancelled"),
        "{err}"
    );
    let err = l.refused(&["expected", "cancel", "ARB c1 Bravo"]);
    assert!(err.contains("is cancelled"), "{err}");
}

#[test]
fn expected_payments_export_as_injection_safe_csv() {
    let l = Ledger::new();
    l.import_expected(
        "c1,=HYPERLINK(\"http://x\"),101,1000.00,ISK,\n\
         c1,\"Bravo, Jr\",102,2500000.00,ISK,@SUM(A1)\n",
    );
    let out = l.dir.path().join("out.csv");
    let said = l.ok(&["expected", "export", out.to_str().unwrap()]);
    assert_eq!(
        said,
        format!("Exported 2 expected payment(s) to {}.\n", out.display())
    );
    let csv = std::fs::read_to_string(&out).unwrap();
    let lines: Vec<&str> = csv.split("\r\n").collect();
    assert!(lines[0].starts_with("memo,cycle_id,character_name,character_id,status"));
    assert_eq!(lines.len(), 4, "header, two rows, final CRLF: {csv:?}");
    assert!(
        csv.contains(",\"'=HYPERLINK(\"\"http://x\"\")\",101,"),
        "{csv}"
    );
    assert!(
        csv.starts_with("memo")
            && csv.contains("'@SUM(A1),c1,\"Bravo, Jr\",102,awaiting_payment,ISK,2500000.00,"),
        "{csv}"
    );
    let only = l.dir.path().join("none.csv");
    l.ok(&[
        "expected",
        "export",
        "--status",
        "confirmed",
        only.to_str().unwrap(),
    ]);
    assert_eq!(
        std::fs::read_to_string(&only).unwrap().lines().count(),
        1,
        "only the header"
    );
}
