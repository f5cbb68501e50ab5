use super::*;
use crate::ledger::tests::{sponsor, spring};
use crate::ledger::{conversion_approve, conversions_import};

/// A USD program with sponsors S1 (12.50 a conversion) and S2 (3.00), and approved
/// conversions of 2026-03: two for S1, one for S2.
fn ledger() -> (tempfile::TempDir, Store) {
    let (dir, mut store) = spring(None);
    for (r, pay) in [("S1", "12.5"), ("S2", "3")] {
        sponsor(&mut store, r, &format!("Sponsor {r}"), pay);
    }
    let file = dir.path().join("c.json");
    std::fs::write(
        &file,
        r#"[{"conversion_id":"C1","sponsor_ref":"S1","occurred_at":"2026-03-05","description":"a"},
        {"conversion_id":"C2","sponsor_ref":"S1","occurred_at":"2026-03-06","description":"b"},
        {"conversion_id":"C3","sponsor_ref":"S2","occurred_at":"2026-03-07","description":"c"}]"#,
    )
    .unwrap();
    conversions_import(&mut store, "alice", "spring", &file).unwrap();
    let ids = ["C1", "C2", "C3"].map(String::from);
    conversion_approve(&mut store, "alice", "spring", &ids).unwrap();
    (dir, store)
}

fn new(notes: &str) -> NewPayoutDto {
    NewPayoutDto {
        program: "spring".into(),
        period: "2026-03".into(),
        notes: Some(notes.into()),
    }
}

#[test]
fn a_batch_is_previewed_created_approved_by_another_person_and_paid() {
    let (_dir, mut store) = ledger();
    let preview = payout_preview(&store, "spring", "2026-03").unwrap();
    assert_eq!((preview.total.as_str(), preview.entry_count), ("28.00", 3));
    let b = payout_create(&mut store, "maker", new("march")).unwrap();
    assert_eq!(
        (b.status.as_str(), b.total.as_str(), b.lines.len()),
        ("draft", "28.00", 2)
    );
    assert_eq!(
        (b.lines[0].entity_ref.as_str(), b.lines[0].amount.as_str()),
        ("S1", "25.00")
    );
    // Everything pending is now reserved: a second batch has nothing to take.
    let again = payout_create(&mut store, "maker", new("")).unwrap_err();
    assert!(
        again.message.contains("no pending, unreserved entries"),
        "{}",
        again.message
    );
    payout_submit(&mut store, "maker", &b.id).unwrap();
    let stats = payout_stats(&store, "checker", Some("spring")).unwrap();
    assert_eq!(stats.awaiting_your_approval, 1);
    assert_eq!(
        payout_stats(&store, "maker", None)
            .unwrap()
            .awaiting_your_approval,
        0
    );
    let results = payout_approve(&mut store, "maker", std::slice::from_ref(&b.id)).unwrap();
    assert_eq!(results[0].result, "refused");
    assert!(results[0]
        .reason
        .as_deref()
        .unwrap()
        .starts_with("the creator of a batch cannot approve it"));
    let results = payout_approve(&mut store, "checker", std::slice::from_ref(&b.id)).unwrap();
    assert_eq!(
        (results[0].result.as_str(), results[0].reason.as_ref()),
        ("approved", None)
    );
    let paid = payout_pay(&mut store, "payer", &b.id).unwrap();
    assert_eq!(
        (
            paid.status.as_str(),
            paid.paid_by.as_deref(),
            paid.approved_by.as_deref()
        ),
        ("paid", Some("payer"), Some("checker"))
    );
    let whos: Vec<(&str, &str)> = paid
        .transitions
        .iter()
        .map(|t| (t.actor.as_str(), t.to.as_str()))
        .collect();
    assert_eq!(
        whos,
        [
            ("maker", "draft"),
            ("maker", "pending_approval"),
            ("checker", "approved"),
            ("payer", "paid")
        ]
    );
    let s1 = partner_summary(&store, "spring", "S1").unwrap();
    assert_eq!(
        (
            s1.paid.as_str(),
            s1.pending.as_str(),
            s1.last_payout_amount.as_deref()
        ),
        ("25.00", "0.00", Some("25.00"))
    );
    assert_eq!(
        crate::ledger::ledger_verify(&store).unwrap().first_failure,
        None
    );
}

#[test]
fn each_batch_names_the_steps_the_current_user_may_take() {
    let (_dir, mut store) = ledger();
    let b = payout_create(&mut store, "maker", new("")).unwrap();
    let steps = |b: &PayoutBatchDto| -> Vec<(String, bool)> {
        b.allowed_actions
            .iter()
            .map(|s| (s.action.clone(), s.allowed))
            .collect()
    };
    assert_eq!(steps(&b), [("submit".into(), true)]);
    payout_submit(&mut store, "maker", &b.id).unwrap();
    // The creator sees approve refused, with the rule's words; the colleague may approve.
    let mine = payout_show(&store, "maker", &b.id).unwrap();
    assert_eq!(
        steps(&mine),
        [("approve".into(), false), ("reject".into(), true)]
    );
    let why = mine.allowed_actions[0].reason.as_deref().unwrap();
    assert!(
        why.starts_with("the creator of a batch cannot approve it"),
        "{why}"
    );
    let theirs = payout_list(&store, "checker", PayoutQueryDto::default()).unwrap();
    assert_eq!(
        steps(&theirs[0]),
        [("approve".into(), true), ("reject".into(), true)]
    );
    assert!(theirs[0].allowed_actions.iter().all(|s| s.reason.is_none()));
    let approved = payout_approve(&mut store, "checker", std::slice::from_ref(&b.id)).unwrap();
    assert_eq!(approved[0].result, "approved");
    let paid = payout_pay(&mut store, "maker", &b.id).unwrap();
    assert!(paid.allowed_actions.is_empty(), "a paid batch is final");
}
