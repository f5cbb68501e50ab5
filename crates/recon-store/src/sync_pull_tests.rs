//! Two ledgers of one organization, the server's page built from the other's outbox.

use super::*;
use crate::test_support::*;
use crate::{JournalQuery, NewExpected, SourceFile};
use recon_sync::pull::PulledEvent;
use recon_sync::{Refusal, RefusalCode};

fn journal_file(ids: &[i64], amount: &str) -> SourceFile {
    let entries: Vec<String> = ids
        .iter()
        .map(|id| {
            format!(
                r#"{{"id":{id},"date":"2026-03-01T12:00:00Z","ref_type":"player_donation","description":"d{id}","amount":{amount}}}"#
            )
        })
        .collect();
    SourceFile {
        name: "page.json".into(),
        bytes: format!("[{}]", entries.join(",")).into_bytes(),
    }
}

fn expected(memo: &str, amount: &str) -> NewExpected {
    NewExpected {
        cycle_id: "2026-11".into(),
        character_name: "Alice".into(),
        character_id: None,
        expected_amount: amount.into(),
        currency: "ISK".into(),
        memo: memo.into(),
    }
}

/// The page a server would serve of `store`'s pending events, by `user`, from `first`.
fn page_of(store: &Store, user: &str, first: i64) -> PullPage {
    let events: Vec<PulledEvent> = store
        .outbox_pending(1000)
        .unwrap()
        .into_iter()
        .enumerate()
        .map(|(i, e)| {
            let json = serde_json::to_string(&e.event).unwrap();
            PulledEvent {
                position: first + i as i64,
                user: user.into(),
                event: serde_json::from_str(&json).unwrap(),
            }
        })
        .collect();
    let last = first + events.len() as i64 - 1;
    PullPage {
        events,
        next_cursor: format!("{}:{last}", uuid::Uuid::nil()),
        more: false,
        reset: false,
    }
}

fn lines(store: &Store) -> Vec<(String, Option<String>)> {
    let page = store
        .journal(&JournalQuery {
            wallet: None,
            ref_type: None,
            search: None,
            batch: None,
            amount: None,
            date_from: None,
            date_to: None,
            newest_first: false,
            offset: 0,
            limit: 100,
        })
        .unwrap();
    page.rows.into_iter().map(|r| (r.key, r.amount)).collect()
}

#[test]
fn a_colleagues_journal_and_payments_arrive_once_and_the_cursor_moves_with_them() {
    let (_a_dir, mut maker) = store_with_main_wallet();
    let (_b_dir, mut checker) = temp_store();
    maker
        .import_esi_journal("maker", now(), "Main", &[journal_file(&[1, 2], "100")])
        .unwrap();
    maker
        .add_expected("maker", now(), &expected("ARB Alice", "100"))
        .unwrap();
    let page = page_of(&maker, "maker@acme.test", 1);
    assert_eq!(page.events.len(), 2);

    let outcome = checker
        .apply_pulled_page("checker", now(), Some(&page))
        .unwrap();
    assert_eq!(
        (outcome.applied, outcome.held, outcome.not_applied),
        (2, 0, 0)
    );
    assert_eq!(lines(&checker), lines(&maker));
    assert_eq!(
        checker.wallets().unwrap()[0].sync_key(),
        maker.wallets().unwrap()[0].sync_key()
    );
    let listed = checker.expected_list(None, None).unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].memo, "ARB Alice");
    assert_eq!(
        checker.sync_cursor().unwrap(),
        Some(page.next_cursor.clone())
    );
    // Pulled changes are never pushed back.
    assert_eq!(checker.outbox_pending_count().unwrap(), 0);
    assert!(checker.audit_verify().unwrap().ok());

    // The same page again, or a re-pull from the start: nothing changes.
    let records = checker.audit_verify().unwrap().records;
    let again = checker
        .apply_pulled_page("checker", now(), Some(&page))
        .unwrap();
    assert_eq!((again.applied, again.already_had), (0, 2));
    assert_eq!(checker.audit_verify().unwrap().records, records);
    assert_eq!(lines(&checker), lines(&maker));

    // Its own events come back in the organization's stream too: skipped.
    let own = page_of(&checker, "checker", 3);
    assert!(own.events.is_empty());
    let mine = maker
        .apply_pulled_page("maker", now(), Some(&page))
        .unwrap();
    assert_eq!((mine.own, mine.applied), (2, 0));
}

#[test]
fn an_event_touching_an_unanswered_local_change_waits_for_its_answer() {
    let (_a_dir, mut maker) = temp_store();
    let (_b_dir, mut checker) = temp_store();
    maker
        .add_expected("maker", now(), &expected("ARB Alice", "100"))
        .unwrap();
    checker
        .add_expected("checker", now(), &expected("arb  alice", "200"))
        .unwrap();
    let page = page_of(&maker, "maker@acme.test", 1);
    let outcome = checker
        .apply_pulled_page("checker", now(), Some(&page))
        .unwrap();
    assert_eq!((outcome.applied, outcome.held), (0, 1));
    assert_eq!(checker.remote_events_waiting().unwrap()[0].state, "held");
    assert_eq!(
        checker.expected_list(None, None).unwrap()[0].expected_amount,
        "200.00"
    );

    // The server refuses the checker's payment (the maker's came first): it is cancelled
    // here, and the held event then applies the server's version over it.
    let mine = checker.outbox_pending(10).unwrap().remove(0);
    let refusal = Refusal {
        code: RefusalCode::Conflict,
        reason: "memo 'ARB Alice' already holds another payment".into(),
        conflicts: vec![],
    };
    let refused = checker
        .record_refusal("checker", now(), &mine.event, &refusal)
        .unwrap();
    assert!(refused.undone);
    assert_eq!(
        checker.expected_list(None, None).unwrap()[0]
            .status
            .as_str(),
        "cancelled"
    );
    checker.outbox_mark_sent(&[mine.seq], now()).unwrap();
    // Recording the same answer twice changes nothing.
    let records = checker.audit_verify().unwrap().records;
    assert_eq!(
        checker
            .record_refusal("checker", now(), &mine.event, &refusal)
            .unwrap(),
        refused
    );
    assert_eq!(checker.audit_verify().unwrap().records, records);

    let retry = checker.apply_pulled_page("checker", now(), None).unwrap();
    assert_eq!((retry.applied, retry.held), (1, 0));
    let payment = checker.expected_list(None, None).unwrap().remove(0);
    assert_eq!(
        (payment.expected_amount.as_str(), payment.status.as_str()),
        ("100.00", "awaiting_payment")
    );
    assert!(checker.remote_events_waiting().unwrap().is_empty());
    let listed = checker.sync_refusals().unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].reason, refusal.reason);
    assert!(checker.audit_verify().unwrap().ok());
}

#[test]
fn kinds_this_ledger_cannot_apply_are_kept_and_counted_and_conflicts_write_nothing() {
    let (_a_dir, mut maker) = store_with_main_wallet();
    let (_b_dir, mut checker) = store_with_main_wallet();
    maker
        .import_esi_journal("maker", now(), "Main", &[journal_file(&[7], "100")])
        .unwrap();
    checker
        .import_esi_journal("checker", now(), "Main", &[journal_file(&[7], "999")])
        .unwrap();
    let seqs: Vec<i64> = checker
        .outbox_pending(10)
        .unwrap()
        .iter()
        .map(|e| e.seq)
        .collect();
    checker.outbox_mark_sent(&seqs, now()).unwrap();
    let mut page = page_of(&maker, "maker@acme.test", 1);
    let mut future = page.events[0].clone();
    future.position = 2;
    future.event.id = uuid::Uuid::new_v4();
    future.event.kind = "some_kind_from_2031".into();
    page.events.push(future);
    let outcome = checker
        .apply_pulled_page("checker", now(), Some(&page))
        .unwrap();
    assert_eq!((outcome.applied, outcome.not_applied), (0, 2));
    let waiting = checker.remote_events_waiting().unwrap();
    assert!(waiting.iter().all(|w| w.state == "not_applied"));
    assert!(
        waiting[0]
            .note
            .as_deref()
            .unwrap()
            .contains("already imported"),
        "{waiting:?}"
    );
    assert_eq!(lines(&checker), vec![("7".into(), Some("999.00".into()))]);
    assert!(checker.audit_verify().unwrap().ok());
}

/// Marks every pending outbox event of `store` sent (the server answered them).
fn all_sent(store: &mut Store) {
    let seqs: Vec<i64> = store
        .outbox_pending(1000)
        .unwrap()
        .iter()
        .map(|e| e.seq)
        .collect();
    store.outbox_mark_sent(&seqs, now()).unwrap();
}

fn payment(store: &Store) -> (String, String, String) {
    let p = store.expected_list(None, None).unwrap().remove(0);
    (p.memo, p.expected_amount, p.status.as_str().to_owned())
}

#[test]
fn a_colleagues_edit_of_a_payment_arrives_renamed_and_applying_it_again_changes_nothing() {
    let (_a_dir, mut maker) = temp_store();
    let (_b_dir, mut checker) = temp_store();
    maker
        .add_expected("maker", now(), &expected("ARB Alice", "100"))
        .unwrap();
    let added = page_of(&maker, "maker", 1);
    all_sent(&mut maker);
    checker
        .apply_pulled_page("checker", now(), Some(&added))
        .unwrap();
    maker
        .edit_expected(
            "maker",
            now(),
            "ARB Alice",
            &crate::ExpectedEdit {
                expected_amount: Some("150".into()),
                memo: Some("ARB Alice Nov".into()),
                character_name: None,
                character_id: None,
            },
        )
        .unwrap();
    let mut edit = page_of(&maker, "maker", 2);
    let outcome = checker
        .apply_pulled_page("checker", now(), Some(&edit))
        .unwrap();
    assert_eq!((outcome.applied, outcome.not_applied), (1, 0));
    assert_eq!(payment(&checker), payment(&maker));
    assert_eq!(
        payment(&checker),
        (
            "ARB Alice Nov".into(),
            "150.00".into(),
            "awaiting_payment".into()
        )
    );
    assert!(checker.audit_verify().unwrap().ok());

    // The same edit under another id (a re-pull after the server was restored): the
    // payment is left alone.
    let id = checker.expected_list(None, None).unwrap()[0].id.clone();
    let trail = |s: &Store| {
        s.audit_list(Some(("expected_payment", &id)), 100)
            .unwrap()
            .len()
    };
    let records = trail(&checker);
    edit.events[0].event.id = uuid::Uuid::new_v4();
    edit.events[0].position = 3;
    let again = checker
        .apply_pulled_page("checker", now(), Some(&edit))
        .unwrap();
    assert_eq!((again.applied, again.not_applied), (1, 0));
    assert_eq!(trail(&checker), records);
    assert_eq!(payment(&checker), payment(&maker));
}

#[test]
fn a_colleagues_edit_waits_while_my_own_edit_of_that_payment_is_unanswered() {
    let (_a_dir, mut maker) = temp_store();
    let (_b_dir, mut checker) = temp_store();
    maker
        .add_expected("maker", now(), &expected("ARB Alice", "100"))
        .unwrap();
    let added = page_of(&maker, "maker", 1);
    all_sent(&mut maker);
    checker
        .apply_pulled_page("checker", now(), Some(&added))
        .unwrap();
    let amount = |a: &str| crate::ExpectedEdit {
        expected_amount: Some(a.into()),
        memo: None,
        character_name: None,
        character_id: None,
    };
    checker
        .edit_expected("checker", now(), "ARB Alice", &amount("120"))
        .unwrap();
    maker.cancel_expected("maker", now(), "ARB Alice").unwrap();
    let cancel = page_of(&maker, "maker", 2);
    let outcome = checker
        .apply_pulled_page("checker", now(), Some(&cancel))
        .unwrap();
    assert_eq!((outcome.applied, outcome.held), (0, 1));
    assert_eq!(payment(&checker).1, "120.00", "mine stays while unanswered");

    // The server answered mine (accepted before the colleague's): the colleague's
    // cancellation, which came after it on the server, now applies.
    all_sent(&mut checker);
    let retry = checker.apply_pulled_page("checker", now(), None).unwrap();
    assert_eq!((retry.applied, retry.held), (1, 0));
    assert_eq!(payment(&checker).2, "cancelled");
    assert!(checker.audit_verify().unwrap().ok());
}

/// One event of `maker`'s holding all its pending expected payments (as a file import
/// makes), served as position 1.
fn payments_in_one_event(maker: &Store) -> PullPage {
    let pending = maker.outbox_pending(100).unwrap();
    let mut payments = Vec::new();
    for e in &pending {
        if let EventBody::ExpectedPaymentsAdded(b) = &e.event.body {
            payments.extend(b.payments.clone());
        }
    }
    let mut event = pending[0].event.clone();
    event.body = EventBody::ExpectedPaymentsAdded(recon_sync::matching::ExpectedPaymentsAdded {
        file: Some("november.csv".into()),
        payments,
    });
    let json = serde_json::to_string(&event).unwrap();
    PullPage {
        events: vec![PulledEvent {
            position: 1,
            user: "maker".into(),
            event: serde_json::from_str(&json).unwrap(),
        }],
        next_cursor: format!("{}:1", uuid::Uuid::nil()),
        more: false,
        reset: false,
    }
}

fn memos_and_amounts(store: &Store) -> Vec<(String, String)> {
    let mut all: Vec<(String, String)> = store
        .expected_list(None, None)
        .unwrap()
        .into_iter()
        .map(|p| (p.memo, p.expected_amount))
        .collect();
    all.sort();
    all
}

#[test]
fn one_conflicting_payment_in_a_colleagues_file_is_kept_alone_and_the_others_arrive() {
    let (_a_dir, mut maker) = temp_store();
    let (_b_dir, mut checker) = temp_store();
    for (memo, amount) in [
        ("ARB Alice", "100"),
        ("ARB Bob", "200"),
        ("ARB Carol", "300"),
    ] {
        maker
            .add_expected("maker", now(), &expected(memo, amount))
            .unwrap();
    }
    checker
        .add_expected("checker", now(), &expected("arb bob", "999"))
        .unwrap();
    all_sent(&mut checker);
    let page = payments_in_one_event(&maker);
    let outcome = checker
        .apply_pulled_page("checker", now(), Some(&page))
        .unwrap();
    assert_eq!((outcome.applied, outcome.not_applied), (0, 1));
    assert_eq!(
        memos_and_amounts(&checker),
        vec![
            ("ARB Alice".to_owned(), "100.00".to_owned()),
            ("ARB Carol".to_owned(), "300.00".to_owned()),
            ("arb bob".to_owned(), "999.00".to_owned()),
        ]
    );
    let waiting = checker.remote_events_waiting().unwrap();
    assert_eq!(waiting.len(), 1);
    let note = waiting[0].note.as_deref().unwrap();
    assert!(note.starts_with("1 of 3 payments not applied"), "{note}");
    assert!(
        note.contains("arb bob") && !note.contains("ARB Carol"),
        "{note}"
    );
    assert!(checker.audit_verify().unwrap().ok());
}

#[test]
fn a_payment_of_a_colleagues_file_under_my_unanswered_change_waits_alone() {
    let (_a_dir, mut maker) = temp_store();
    let (_b_dir, mut checker) = temp_store();
    for (memo, amount) in [("ARB Alice", "100"), ("ARB Bob", "200")] {
        maker
            .add_expected("maker", now(), &expected(memo, amount))
            .unwrap();
    }
    checker
        .add_expected("checker", now(), &expected("ARB Bob", "200"))
        .unwrap();
    let page = payments_in_one_event(&maker);
    let outcome = checker
        .apply_pulled_page("checker", now(), Some(&page))
        .unwrap();
    assert_eq!((outcome.applied, outcome.held), (0, 1));
    assert_eq!(memos_and_amounts(&checker).len(), 2, "Alice arrived");

    all_sent(&mut checker);
    let retry = checker.apply_pulled_page("checker", now(), None).unwrap();
    assert_eq!((retry.applied, retry.held, retry.not_applied), (1, 0, 0));
    assert!(checker.remote_events_waiting().unwrap().is_empty());
    assert_eq!(memos_and_amounts(&checker), memos_and_amounts(&maker));
    assert!(checker.audit_verify().unwrap().ok());
}
