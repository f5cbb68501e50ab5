//! Payment matching through the `recon` binary on a real ledger: every scenario of the
//! seed (participation-payment-matching.md) plus the edges of SPEC §5.

mod common;
use common::Ledger;
use serde_json::{json, Value};

const EXPECTED_CSV: &str = "cycle_id,character_name,character_id,expected_amount,currency,memo
c1,Alpha,101,5000000000.00,ISK,
c1,Bravo,102,5000000000.00,ISK,
c1,Charlie,103,5000000000.00,ISK,
c1,Delta,104,1000000000.00,ISK,
c1,Echo,105,2000000000.00,ISK,
c1,Foxtrot,106,3000000000.00,ISK,
c1,Golf,107,1000000000.00,ISK,
c1,Hotel,108,1000000000.00,ISK,
c1,India,109,2000000000.00,ISK,
c1,Juliet,110,1000000000.00,ISK,
c1,Kilo,111,1000000000.00,ISK,
c1,Lima,112,1000000000.00,ISK,
c1,Mike,113,243877.50,ISK,
c1,Nov1,114,1000000000.00,ISK,
c1,Nov2,115,1000000000.00,ISK,
c1,Oscar,116,1000000000.00,ISK,
c1,Oscars,117,1000000000.00,ISK,
c1,Papa,118,1000000000.00,ISK,
c1,Quebec,119,1000000000.00,ISK,
c1,Romeo,120,1000000000.00,ISK,
c1,Sierra,121,1000000000.00,ISK,
";

/// One ESI journal entry; `amount` is written as JSON number text.
fn entry(
    id: i64,
    ref_type: &str,
    amount: &str,
    reason: Option<&str>,
    description: &str,
    payer: i64,
) -> String {
    let mut e = json!({
        "id": id, "date": format!("2026-03-{:02}T10:00:00Z", 1 + id % 27), "ref_type": ref_type,
        "description": description, "first_party_id": payer, "second_party_id": 90000001,
        "amount": 0,
    });
    if let Some(r) = reason {
        e["reason"] = json!(r);
    }
    e.to_string()
        .replace("\"amount\":0", &format!("\"amount\":{amount}"))
}

/// (ESI id, ref type, amount text, reason, description, payer).
type Line = (
    i64,
    &'static str,
    &'static str,
    Option<&'static str>,
    &'static str,
    i64,
);

const D: &str = "player_donation";

/// One line per scenario of the seed, received by the Logistics wallet.
#[rustfmt::skip]
const RECEIVED: [Line; 18] = [
    (1, D, "5000000000.00", Some("ARB c1 Alpha"), "Alpha deposited cash", 101),
    (2, D, "4500000000", Some("ARB c1 Bravo"), "Bravo deposited cash", 102),
    (3, D, "6000000000", Some("ARB c1 Charlie"), "Charlie deposited cash", 103),
    (4, D, "900000000", Some("ARB c1 Delt"), "Delta deposited cash", 104),
    (5, D, "2000000000", Some("ARB c1 Ecoh"), "Echo deposited cash", 105),
    (6, D, "3100000000", Some("ARB c1 Fxtrt"), "Foxtrot deposited cash", 106),
    (7, D, "1000000000", Some(""), "Golf deposited cash", 107),
    (8, D, "1000000000", Some("ARB c1 India"), "India deposited cash", 109),
    (9, D, "1000000000", Some("ARB c1 India"), "India deposited cash", 109),
    (10, D, "1000000000", Some("ARB c1 Juliet"), "Alt of Juliet deposited cash", 999),
    (11, D, "1000000000", None, "ARB c1 Kilo", 111),
    (12, D, "1000000000", Some("  arb   C1 LIMA "), "Lima deposited cash", 112),
    (13, D, "243877.49999999997", Some("ARB c1 Mike"), "Mike deposited cash", 113),
    (14, D, "500000000", Some("ARB c1 Nov"), "Someone deposited cash", 555),
    (15, D, "1000000000", Some("ARB c1 Oscar"), "Oscar deposited cash", 116),
    (16, "corporation_account_withdrawal", "1000000000", Some("ARB c1 Papa"), "Papa", 118),
    (17, D, "-1000000000", Some("ARB c1 Romeo"), "Romeo got cash back", 120),
    (18, D, "1000000000", Some("payment ARB c1 Sierra thanks"), "Sierra deposited cash", 121),
];

fn journal(lines: &[Line]) -> String {
    let entries: Vec<String> = lines
        .iter()
        .map(|&(id, ref_type, amount, reason, description, payer)| {
            entry(id, ref_type, amount, reason, description, payer)
        })
        .collect();
    format!("[{}]", entries.join(","))
}

fn setup() -> Ledger {
    let l = Ledger::new();
    l.ok(&[
        "wallet",
        "add",
        "Logistics",
        "--owner-id",
        "90000001",
        "--receiving",
    ]);
    l.ok(&["wallet", "add", "Alt", "--owner-id", "90000002"]);
    let received = l.file("recv.json", &journal(&RECEIVED));
    l.ok(&["import", "esi-journal", "--wallet", "Logistics", &received]);
    let alt = journal(&[(19, D, "1000000000", Some("ARB c1 Quebec"), "Quebec", 119)]);
    let alt = l.file("alt.json", &alt);
    l.ok(&["import", "esi-journal", "--wallet", "Alt", &alt]);
    let expected = l.file("expected.csv", EXPECTED_CSV);
    let s = l.json(&["import", "expected", "--json", &expected]);
    assert_eq!(s["inserted"], 21);
    l
}

fn by_memo(list: &Value) -> std::collections::HashMap<String, Value> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|e| (e["memo"].as_str().unwrap().to_owned(), e.clone()))
        .collect()
}

fn expected(l: &Ledger) -> std::collections::HashMap<String, Value> {
    by_memo(&l.json(&["expected", "list", "--json"]))
}

#[rustfmt::skip] // a table of outcomes reads best one per line
#[test]
fn every_seed_scenario_ends_in_the_right_status_amount_and_payer() {
    let l = setup();
    let run = l.json(&["match", "--json"]);
    let e = expected(&l);
    // (memo, status, actual amount, amount adjusted, actual payer, journal ids, match type)
    type Outcome = (&'static str, &'static str, Option<&'static str>, bool, Option<i64>, &'static [&'static str], Option<&'static str>);
    let awaiting = |memo| -> Outcome { (memo, "awaiting_payment", None, false, None, &[], None) };
    let outcomes: Vec<Outcome> = vec![
        // Full payment, correct memo.
        ("ARB c1 Alpha", "confirmed", Some("5000000000.00"), false, Some(101), &["1"], Some("auto_exact")),
        // Partial and overpayment: accepted, amount updated, flagged.
        ("ARB c1 Bravo", "confirmed", Some("4500000000.00"), true, Some(102), &["2"], Some("auto_exact")),
        ("ARB c1 Charlie", "confirmed", Some("6000000000.00"), true, Some(103), &["3"], Some("auto_exact")),
        // One typo qualifies alone; two typos only with the amount.
        ("ARB c1 Delta", "confirmed", Some("900000000.00"), true, Some(104), &["4"], Some("auto_fuzzy")),
        ("ARB c1 Echo", "confirmed", Some("2000000000.00"), false, Some(105), &["5"], Some("auto_fuzzy")),
        awaiting("ARB c1 Foxtrot"),
        // No memo: never auto-linked. Not received: stays awaiting.
        awaiting("ARB c1 Golf"),
        awaiting("ARB c1 Hotel"),
        // Several payments are summed.
        ("ARB c1 India", "confirmed", Some("2000000000.00"), false, Some(109), &["8", "9"], Some("auto_exact")),
        // Sent from another character: the actual payer is kept for payouts.
        ("ARB c1 Juliet", "confirmed", Some("1000000000.00"), false, Some(999), &["10"], Some("auto_exact")),
        // Memo only in the description; case and spacing differences; ESI float noise.
        ("ARB c1 Kilo", "confirmed", Some("1000000000.00"), false, Some(111), &["11"], Some("auto_exact")),
        ("ARB c1 Lima", "confirmed", Some("1000000000.00"), false, Some(112), &["12"], Some("auto_exact")),
        ("ARB c1 Mike", "confirmed", Some("243877.50"), false, Some(113), &["13"], Some("auto_exact")),
        // A tie is ambiguous: neither is linked.
        awaiting("ARB c1 Nov1"),
        awaiting("ARB c1 Nov2"),
        // An exact match beats a one-edit neighbour.
        ("ARB c1 Oscar", "confirmed", Some("1000000000.00"), false, Some(116), &["15"], Some("auto_exact")),
        awaiting("ARB c1 Oscars"),
        // Wrong ref type, non-receiving wallet, outgoing money: not receipts.
        awaiting("ARB c1 Papa"),
        awaiting("ARB c1 Quebec"),
        awaiting("ARB c1 Romeo"),
        ("ARB c1 Sierra", "confirmed", Some("1000000000.00"), false, Some(121), &["18"], Some("auto_contains")),
    ];
    assert_eq!(outcomes.len(), e.len(), "every expected payment is checked");
    for (memo, status, actual, adjusted, payer, ids, kind) in outcomes {
        let x = &e[memo];
        assert_eq!(x["status"], status, "{memo}: {x}");
        assert_eq!(x["actual_amount"], json!(actual), "{memo}: {x}");
        assert_eq!(x["amount_adjusted"], adjusted, "{memo}: {x}");
        assert_eq!(x["actual_payer_id"], json!(payer), "{memo}: {x}");
        assert_eq!(x["journal_ids"], json!(ids), "{memo}: {x}");
        assert_eq!(x["match_type"], json!(kind), "{memo}: {x}");
    }

    assert_eq!(run["matched"], 12);
    assert_eq!(run["receipts_linked"], 13);
    assert_eq!(run["amount_adjusted"], 3);
    assert_eq!(run["ambiguous"], 1);
    let unmatched: Vec<&str> = run["unmatched_receipts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["journal_id"].as_str().unwrap())
        .collect();
    assert_eq!(unmatched, ["6", "7"]);
    // The wrong-memo receipt suggests its near memo; the memo-less one suggests by amount and payer.
    let sugg = |i: usize| run["unmatched_receipts"][i]["suggestions"][0].clone();
    assert_eq!(sugg(0)["memo"], "ARB c1 Foxtrot");
    assert_eq!(sugg(0)["score"]["total"], 85);
    assert_eq!(sugg(1)["memo"], "ARB c1 Golf");
    assert_eq!(sugg(1)["score"]["payer_equal"], true);

    // Re-running changes nothing.
    let again = l.json(&["match", "--json"]);
    assert_eq!(again["matched"], 0);
    assert_eq!(again["receipts_linked"], 0);
    assert_eq!(expected(&l), e);
    l.ok(&["audit", "verify"]);
}

#[test]
fn manual_link_reject_split_and_undo_are_recorded_and_reversible() {
    let l = setup();
    l.ok(&["match"]);
    // Link the two-typo receipt by hand, then undo it.
    l.ok(&["match", "link", "ARB c1 Foxtrot", "6"]);
    let e = expected(&l);
    assert_eq!(e["ARB c1 Foxtrot"]["status"], "confirmed");
    assert_eq!(e["ARB c1 Foxtrot"]["match_type"], "manual");
    assert_eq!(e["ARB c1 Foxtrot"]["actual_amount"], "3100000000.00");
    let refused = l.refused(&["match", "link", "ARB c1 Hotel", "6"]);
    assert!(
        refused.contains("already linked to 'ARB c1 Foxtrot'"),
        "{refused}"
    );
    l.ok(&["match", "undo"]);
    assert_eq!(expected(&l)["ARB c1 Foxtrot"]["status"], "awaiting_payment");

    // Unlink an auto match (memo first, as `link` takes it), then undo restores it.
    l.ok(&["match", "unlink", "ARB c1 Alpha", "1"]);
    assert_eq!(expected(&l)["ARB c1 Alpha"]["status"], "awaiting_payment");
    l.ok(&["match", "undo"]);
    let alpha = &expected(&l)["ARB c1 Alpha"];
    assert_eq!(alpha["status"], "confirmed");
    assert_eq!(alpha["match_type"], "auto_exact");

    // Reject the memo-less receipt: it leaves the queue; undo brings it back.
    l.ok(&["match", "reject", "7"]);
    let run = l.json(&["match", "--json"]);
    assert_eq!(run["unmatched_receipts"].as_array().unwrap().len(), 1);
    l.ok(&["match", "undo"]);
    let run = l.json(&["match", "--json"]);
    assert_eq!(run["unmatched_receipts"].as_array().unwrap().len(), 2);

    // Split the ambiguous receipt (500,000,000) across the two tied payments.
    let bad = l.refused(&[
        "match",
        "split",
        "14",
        "ARB c1 Nov1=200000000",
        "ARB c1 Nov2=200000000",
    ]);
    assert!(
        bad.contains("add up to 400000000.00 but journal line 14 is 500000000.00 ISK"),
        "{bad}"
    );
    l.ok(&[
        "match",
        "split",
        "14",
        "ARB c1 Nov1=200000000",
        "ARB c1 Nov2=300000000.00",
    ]);
    let e = expected(&l);
    assert_eq!(e["ARB c1 Nov1"]["actual_amount"], "200000000.00");
    assert_eq!(e["ARB c1 Nov2"]["actual_amount"], "300000000.00");
    assert_eq!(e["ARB c1 Nov2"]["journal_ids"], json!(["14"]));
    l.ok(&["audit", "verify"]);
}

#[test]
fn opening_a_cycle_cancels_what_is_still_awaiting_and_keeps_it() {
    let l = setup();
    l.ok(&["match"]);
    let out = l.ok(&["cycle", "open", "c1"]);
    assert!(
        out.contains("9 expected payment(s) still awaiting were cancelled"),
        "{out}"
    );
    let cancelled = l.json(&[
        "expected",
        "list",
        "--cycle",
        "c1",
        "--status",
        "cancelled",
        "--json",
    ]);
    assert_eq!(cancelled.as_array().unwrap().len(), 9);
    assert_eq!(
        l.json(&["expected", "list", "--status", "confirmed", "--json"])
            .as_array()
            .unwrap()
            .len(),
        12
    );
    // A cancelled payment is never a candidate again.
    let refused = l.refused(&["match", "link", "ARB c1 Foxtrot", "6"]);
    assert!(refused.contains("is cancelled"), "{refused}");
    let cycles = l.json(&["cycle", "list", "--json"]);
    assert_eq!(cycles[0]["confirmed_total"], "25400243877.50");
    l.ok(&["audit", "verify"]);
}

#[test]
fn bad_expected_files_are_refused_whole_naming_the_line() {
    let l = setup();
    let f = l.file(
        "bad.csv",
        "cycle_id,character_name,character_id,expected_amount,currency,memo\nc2,A,1,10.00,ISK,\nc2,B,2,10.001,ISK,\n",
    );
    let err = l.refused(&["import", "expected", &f]);
    assert!(
        err.contains("line 3, column 'expected_amount': '10.001' has 3 decimals but ISK allows 2"),
        "{err}"
    );
    let f = l.file(
        "dup.csv",
        "cycle_id,character_name,character_id,expected_amount,currency,memo\nc2,A,1,10,ISK,ARB c2 Same\nc2,B,2,10,ISK,arb  C2 same\n",
    );
    let err = l.refused(&["import", "expected", &f]);
    assert!(
        err.contains("line 3, column 'memo'") && err.contains("same memo as line 2"),
        "{err}"
    );
    assert!(l
        .json(&["expected", "list", "--cycle", "c2", "--json"])
        .as_array()
        .unwrap()
        .is_empty());
    // Re-importing the same file adds nothing.
    let again = l.json(&[
        "import",
        "expected",
        "--json",
        &l.dir.path().join("expected.csv").display().to_string(),
    ]);
    assert_eq!(
        (again["inserted"].as_u64(), again["duplicates"].as_u64()),
        (Some(0), Some(21))
    );
}
