//! Issue 13, item 11: the review queues export as injection-safe CSV through the real binary.

mod common;

use common::{esi_entry, Ledger};

#[test]
fn the_review_queues_export_as_injection_safe_csv() {
    let l = Ledger::new();
    l.main_wallet();
    l.import_journal(&[
        esi_entry(1, 1, "250000000.00", "deposited cash", "ARB c1 Alpha", 101),
        esi_entry(2, 2, "2.90", "=1+2 cash", "coffee", 555),
    ]);
    l.import_expected(
        "c1,Alpha,101,250000000.00,ISK,\n\
         c1,Beta,102,7000.00,ISK,\n",
    );
    l.ok(&["match"]);
    let queues = l.json(&["match", "review", "--json"]);

    let out = l.dir.path().join("review.csv");
    let said = l.ok(&["match", "review", "--csv", out.to_str().unwrap()]);
    assert_eq!(
        said,
        format!("Exported 2 review row(s) to {}.\n", out.display())
    );
    let csv = std::fs::read_to_string(&out).unwrap();
    let lines: Vec<&str> = csv.split("\r\n").collect();
    assert_eq!(
        lines[0],
        "queue,journal_id,wallet,date,amount,currency,payer_id,description,reason,\
         suggestion_memo,suggestion_expected_amount,suggestion_score"
    );
    assert_eq!(lines.len(), 4, "header, 2 rows, final CRLF: {csv}");
    // The unmatched receipt, its description neutralised, with its best suggestion if any.
    let receipt = &queues["unmatched_receipts"][0];
    let best = &receipt["suggestions"][0];
    let suggestion = match best["memo"].as_str() {
        Some(memo) => format!(
            "{memo},{},{}",
            best["expected_amount"].as_str().unwrap(),
            best["score"]["total"]
        ),
        None => ",,".to_string(),
    };
    assert_eq!(
        lines[1],
        format!(
            "unmatched,2,Main,{},2.90,ISK,555,'=1+2 cash,coffee,{suggestion}",
            receipt["receipt"]["date"].as_str().unwrap()
        ),
        "{queues}"
    );
    // Beta still awaits: its row names the expected payment (and its best receipt, if any).
    assert!(lines[2].starts_with("awaiting,"), "{csv}");
    assert!(lines[2].contains(",ARB c1 Beta,7000.00,"), "{csv}");
    assert!(!csv.contains(",=1+2"), "no formula cell left: {csv}");
}
