//! Issue 13, item 3 (the rest): a receipt marked "not a payment" can be listed and restored —
//! a reviewer step of its own, audited and undoable — and an expected payment's memo and
//! payer can be edited while it awaits payment.

mod common;

use common::Ledger;
use serde_json::Value;

fn entry(id: u64, amount: &str, reason: &str, payer: u64) -> String {
    common::esi_entry(id, id, amount, "deposited cash", reason, payer)
}

fn ledger() -> Ledger {
    let l = Ledger::new();
    l.main_wallet();
    l.import_expected(
        "c1,Alpha,101,1000.00,ISK,\n\
         c1,Bravo,102,2500000.00,ISK,\n",
    );
    l.import_journal(&[
        entry(1, "600.00", "ARB c1 Alpha", 101),
        entry(2, "400.00", "thanks", 101),
    ]);
    l
}

fn rejected_ids(l: &Ledger) -> Vec<String> {
    l.json(&["match", "rejected", "--json"])
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["journal_id"].as_str().unwrap().to_string())
        .collect()
}

fn unmatched_ids(l: &Ledger) -> Vec<String> {
    l.json(&["match", "review", "--json"])["unmatched_receipts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["receipt"]["journal_id"].as_str().unwrap().to_string())
        .collect()
}

fn actions(l: &Ledger) -> Vec<String> {
    l.json(&["audit", "list", "--json"])
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["action"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_receipt_marked_not_a_payment_is_listed_restored_and_the_restore_undone() {
    let l = ledger();
    assert_eq!(
        l.ok(&["match", "rejected"]),
        "No receipt is marked not a participation payment.\n"
    );
    l.ok(&["match", "reject", "2", "--reason", "a gift"]);
    let list = l.json(&["match", "rejected", "--json"]);
    assert_eq!(list[0]["journal_id"], "2", "{list}");
    assert_eq!(list[0]["rejection_reason"], "a gift");
    assert_eq!(
        list[0]["reason"], "thanks",
        "the receipt's own memo is kept apart"
    );
    assert_eq!(list[0]["rejected_by"], "tester");
    assert!(!unmatched_ids(&l).contains(&"2".to_string()));

    assert_eq!(
        l.ok(&["match", "restore", "2"]),
        "Restored journal line 2: it is no longer marked not a participation payment and is matched again (undo with `recon match undo`).\n"
    );
    assert!(rejected_ids(&l).is_empty());
    assert!(
        unmatched_ids(&l).contains(&"2".to_string()),
        "back in review"
    );
    assert_eq!(actions(&l).last().unwrap(), "match.restore");

    // Undone like any reviewer step: the mark (with its reason) is back.
    let undone = l.ok(&["match", "undo"]);
    assert!(undone.starts_with("undo restore"), "{undone}");
    assert_eq!(rejected_ids(&l), vec!["2"]);
    assert_eq!(
        l.json(&["match", "rejected", "--json"])[0]["rejection_reason"],
        "a gift"
    );
    assert_eq!(actions(&l).last().unwrap(), "match.undo_restore");

    let err = l.refused(&["match", "restore", "1"]);
    assert!(
        err.contains(
            "journal line 1 is not marked not a participation payment; there is nothing to restore"
        ),
        "{err}"
    );
    l.ok(&["audit", "verify"]);
}

fn payment(l: &Ledger, memo: &str) -> Value {
    l.json(&["expected", "list", "--json"])
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["memo"] == memo)
        .unwrap_or_else(|| panic!("no expected payment {memo}"))
        .clone()
}

#[test]
fn an_awaiting_payments_memo_payer_and_amount_are_edited_and_audited() {
    let l = ledger();
    let said = l.ok(&[
        "expected",
        "edit",
        "ARB c1 Bravo",
        "--memo",
        "ARB c1 Bravo (alt)",
        "--payer",
        "Bravo Alt",
        "--payer-id",
        "555",
        "--amount",
        "250,000,000",
    ]);
    assert_eq!(
        said,
        "Changed 'ARB c1 Bravo (alt)': 250,000,000.00 ISK expected from Bravo Alt (555).\n"
    );
    let b = payment(&l, "ARB c1 Bravo (alt)");
    assert_eq!(b["character_name"], "Bravo Alt");
    assert_eq!(b["character_id"], 555);
    assert_eq!(b["expected_amount"], "250000000.00");
    let trail = l.json(&[
        "audit",
        "list",
        "--entity",
        &format!("expected_payment:{}", b["id"].as_str().unwrap()),
        "--json",
    ]);
    let last = trail.as_array().unwrap().last().unwrap();
    assert_eq!(last["action"], "expected.edit");
    assert!(last["before"]
        .as_str()
        .unwrap()
        .contains("\"memo\":\"ARB c1 Bravo\""));
    assert!(last["after"]
        .as_str()
        .unwrap()
        .contains("\"character_name\":\"Bravo Alt\""));

    // A memo stays unique ignoring case and spacing; it is never empty.
    let err = l.refused(&[
        "expected",
        "edit",
        "ARB c1 Bravo (alt)",
        "--memo",
        "arb  C1 alpha",
    ]);
    assert!(
        err.contains(
            "memo: 'arb  C1 alpha' is already used by the expected payment 'ARB c1 Alpha'"
        ),
        "{err}"
    );
    let err = l.refused(&["expected", "edit", "ARB c1 Bravo (alt)", "--memo", "  "]);
    assert!(err.contains("memo: is empty"), "{err}");
    let err = l.refused(&["expected", "edit", "ARB c1 Bravo (alt)"]);
    assert!(err.contains("nothing to change"), "{err}");

    // Only while awaiting payment: Alpha is confirmed once matched.
    l.ok(&["match"]);
    let err = l.refused(&["expected", "edit", "ARB c1 Alpha", "--payer", "Someone"]);
    assert!(
        err.contains("'ARB c1 Alpha' is confirmed; only an expected payment still awaiting payment can be edited"),
        "{err}"
    );
    assert_eq!(payment(&l, "ARB c1 Alpha")["character_name"], "Alpha");
    l.ok(&["audit", "verify"]);
}
