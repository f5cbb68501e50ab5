//! Matching changes reach the outbox with their audit records: one event per change (more
//! when a run is cut into bounded events), naming payments by memo and lines by wallet key.

use crate::test_support::{now, temp_store};
use crate::{NewWallet, SourceFile, Store};
use recon_sync::matching::MAX_LINKS_PER_EVENT;
use recon_sync::EventBody;

fn setup() -> (tempfile::TempDir, Store) {
    let (dir, mut store) = temp_store();
    store
        .add_wallet(
            "alice",
            now(),
            NewWallet {
                name: "Main".into(),
                kind: "character".into(),
                owner_id: Some(90000001),
                division: None,
                currency: "ISK".into(),
                receiving: true,
            },
        )
        .unwrap();
    (dir, store)
}

fn expected_csv(rows: &[(&str, &str)]) -> Vec<u8> {
    let mut csv =
        String::from("cycle_id,character_name,character_id,expected_amount,currency,memo\n");
    for (memo, amount) in rows {
        csv.push_str(&format!("2026-11,{memo},,{amount},ISK,{memo}\n"));
    }
    csv.into_bytes()
}

/// Journal lines paying `memo` with `amount`, ids from `first`.
fn pay(store: &mut Store, lines: &[(i64, &str, &str)]) {
    let entries: Vec<String> = lines
        .iter()
        .map(|(id, memo, amount)| {
            format!(
                r#"{{"id":{id},"date":"2026-11-01T12:00:00Z","ref_type":"player_donation","description":"d","amount":{amount},"reason":"{memo}","first_party_id":7}}"#
            )
        })
        .collect();
    let file = SourceFile {
        name: format!("j{}.json", lines[0].0),
        bytes: format!("[{}]", entries.join(",")).into_bytes(),
    };
    store
        .import_esi_journal("alice", now(), "Main", &[file])
        .unwrap();
}

/// The kinds of the matching events queued so far, in order.
fn matching_events(store: &Store) -> Vec<EventBody> {
    store
        .outbox_pending(10_000)
        .unwrap()
        .into_iter()
        .map(|e| e.event.body)
        .filter(|b| !matches!(b, EventBody::JournalLinesImported(_)))
        .collect()
}

fn kinds(events: &[EventBody]) -> Vec<&'static str> {
    events.iter().map(EventBody::kind).collect()
}

#[test]
fn imported_expected_payments_are_queued_in_bounded_events() {
    let (_dir, mut store) = setup();
    let memos: Vec<String> = (0..=MAX_LINKS_PER_EVENT)
        .map(|i| format!("ARB P{i}"))
        .collect();
    let rows: Vec<(&str, &str)> = memos.iter().map(|m| (m.as_str(), "10")).collect();
    let bytes = expected_csv(&rows);
    store
        .import_expected("alice", now(), "e.csv", &bytes)
        .unwrap();
    let events = matching_events(&store);
    let sizes: Vec<usize> = events
        .iter()
        .map(|e| match e {
            EventBody::ExpectedPaymentsAdded(a) => {
                assert_eq!(a.file.as_deref(), Some("e.csv"));
                a.payments.len()
            }
            other => panic!("unexpected {}", other.kind()),
        })
        .collect();
    assert_eq!(sizes, [MAX_LINKS_PER_EVENT, 1]);
    // Re-importing adds nothing, so it sends nothing.
    store
        .import_expected("alice", now(), "e.csv", &bytes)
        .unwrap();
    assert_eq!(matching_events(&store).len(), 2);
    assert!(store.audit_verify().unwrap().ok());
}

#[test]
fn a_run_and_each_reviewer_step_queue_their_events() {
    let (_dir, mut store) = setup();
    let bytes = expected_csv(&[("ARB A", "100"), ("ARB B", "50"), ("ARB C", "30")]);
    store
        .import_expected("alice", now(), "e.csv", &bytes)
        .unwrap();
    pay(
        &mut store,
        &[
            (1, "ARB A", "100"),
            (2, "nothing", "80"),
            (3, "nothing", "5"),
        ],
    );

    let run = store.match_run("alice", now(), None).unwrap();
    assert_eq!(run.receipts_linked, 1);
    let events = matching_events(&store);
    let EventBody::MatchLinked(linked) = &events[1] else {
        panic!("expected match_linked, got {}", events[1].kind());
    };
    assert_eq!(linked.action, "run");
    assert_eq!(linked.links[0].expected.memo, "ARB A");
    assert_eq!(linked.links[0].journal.wallet_key, "character:90000001:");
    assert_eq!(linked.links[0].journal.journal_id, "1");
    assert_eq!(linked.links[0].amount.to_string(), "100.00");
    assert_eq!(linked.links[0].match_type, "auto_exact");

    let two = store.resolve_journal_id("2").unwrap();
    let three = store.resolve_journal_id("3").unwrap();
    store
        .match_split(
            "alice",
            now(),
            two,
            &[("ARB B".into(), "50".into()), ("ARB C".into(), "30".into())],
        )
        .unwrap();
    store.match_reject("alice", now(), three, "gift").unwrap();
    store.match_undo("alice", now()).unwrap();
    store
        .match_unlink("alice", now(), two, Some("ARB C"))
        .unwrap();
    store.cycle_open("alice", now(), "2026-11").unwrap();
    let events = matching_events(&store);
    assert_eq!(
        kinds(&events),
        [
            "expected_payments_added",
            "match_linked",
            "receipt_split",
            "receipt_rejected",
            "match_undone",
            "match_unlinked",
            "cycle_opened"
        ]
    );
    let EventBody::ReceiptSplit(split) = &events[2] else {
        unreachable!()
    };
    let shares: Vec<String> = split.shares.iter().map(|s| s.amount.to_string()).collect();
    assert_eq!(shares, ["50.00", "30.00"]);
    let EventBody::MatchUndone(undone) = &events[4] else {
        unreachable!()
    };
    assert_eq!(undone.undone, "reject");
    assert_eq!(undone.rejections_lifted[0].journal_id, "3");
    let EventBody::CycleOpened(opened) = &events[6] else {
        unreachable!()
    };
    assert_eq!(opened.cancelled, ["ARB C"]);
    assert!(store.audit_verify().unwrap().ok());
}

#[test]
fn refused_steps_and_rule_changes_queue_nothing() {
    let (_dir, mut store) = setup();
    store
        .import_expected("alice", now(), "e.csv", &expected_csv(&[("ARB A", "100")]))
        .unwrap();
    pay(&mut store, &[(1, "other", "100")]);
    let before = matching_events(&store).len();
    let rowid = store.resolve_journal_id("1").unwrap();
    let err = store
        .match_split(
            "alice",
            now(),
            rowid,
            &[("ARB A".into(), "99".into()), ("ARB A".into(), "1".into())],
        )
        .unwrap_err();
    assert!(err.to_string().contains("appears twice"), "{err}");
    assert!(store.match_undo("alice", now()).is_err());
    let rules = store.match_rules().unwrap();
    store.set_match_rules("alice", now(), &rules).unwrap();
    assert_eq!(matching_events(&store).len(), before);
    let audit = store.audit_verify().unwrap();
    assert!(audit.ok());
}
