//! Refused local changes undone on the laptop: what a finance user sees after the server
//! said no to a conversion decision, a cycle opening, a batch's notes, a reversal.

use super::*;
use crate::ledger::{EntryQuery, NewEntity, NewProgram};
use crate::test_support::*;
use crate::NewExpected;
use recon_core::ledger::{EntityType, Rate, RoundingMode};
use recon_sync::{Event, Refusal, RefusalCode};

fn refusal(reason: &str) -> Refusal {
    Refusal {
        code: RefusalCode::Conflict,
        reason: reason.into(),
        conflicts: vec![],
    }
}

/// The newest outbox event of `kind`, everything before it marked sent.
fn last_event(store: &mut Store, kind: &str) -> Event {
    let pending = store.outbox_pending(1000).unwrap();
    let seqs: Vec<i64> = pending.iter().map(|e| e.seq).collect();
    store.outbox_mark_sent(&seqs, now()).unwrap();
    pending
        .into_iter()
        .rev()
        .find(|e| e.event.body.kind() == kind)
        .unwrap_or_else(|| panic!("no {kind} in the outbox"))
        .event
}

/// A program with one sponsor paying 12.50 a conversion, and conversions C1, C2 pending.
fn ledger() -> (tempfile::TempDir, Store) {
    let (dir, mut store) = temp_store();
    store
        .add_program(
            "maker",
            now(),
            NewProgram {
                slug: "spring".into(),
                name: "Spring".into(),
                currency: "USD".into(),
                direct_rate: Rate::parse("10").unwrap(),
                override_rate: Rate::parse("2.5").unwrap(),
                rounding: RoundingMode::HalfEven,
            },
        )
        .unwrap();
    store
        .add_entity(
            "maker",
            now(),
            NewEntity {
                program: "spring".into(),
                entity_type: EntityType::Sponsor,
                entity_ref: "S1".into(),
                name: "Sponsor One".into(),
                parent: None,
                payout_per_conversion: Some("12.50".into()),
            },
        )
        .unwrap();
    let file = "conversion_id,sponsor_ref,occurred_at,description\nC1,S1,2026-03-05,a\nC2,S1,2026-03-06,b\n";
    store
        .import_conversions("maker", now(), "spring", "c.csv", file.as_bytes())
        .unwrap();
    (dir, store)
}

/// A page serving `event` as a colleague's (checker's), at position 1.
fn page_of(event: &Event) -> recon_sync::pull::PullPage {
    let json = serde_json::to_string(event).unwrap();
    recon_sync::pull::PullPage {
        events: vec![recon_sync::pull::PulledEvent {
            position: 1,
            user: "checker".into(),
            event: serde_json::from_str(&json).unwrap(),
        }],
        next_cursor: format!("{}:1", uuid::Uuid::nil()),
        more: false,
        reset: false,
    }
}

fn conversion_status(store: &Store, id: &str) -> String {
    store
        .ledger_conversions("spring", None)
        .unwrap()
        .into_iter()
        .find(|c| c.conversion_id == id)
        .unwrap()
        .status
}

fn earnings_pending(store: &Store) -> i64 {
    store
        .ledger_entries(&EntryQuery {
            status: Some("pending".into()),
            ..Default::default()
        })
        .unwrap()
        .iter()
        .map(|e| e.earnings_minor)
        .sum()
}

#[test]
fn a_refused_conversion_approval_reverses_its_entry_and_the_conversion_is_pending_again() {
    let (_dir, mut store) = ledger();
    store
        .approve_conversion("maker", now(), "spring", "C1")
        .unwrap();
    assert_eq!(earnings_pending(&store), 1250);
    let event = last_event(&mut store, "conversion_approved");
    let why = "conversion 'C1' was rejected on the server and cannot be approved";
    let refused = store
        .record_refusal("sync", now(), &event, &refusal(why))
        .unwrap();
    assert!(refused.undone, "{refused:?}");

    assert_eq!(conversion_status(&store, "C1"), "pending");
    assert_eq!(earnings_pending(&store), 0, "nothing left to pay");
    let entries = store.ledger_entries(&EntryQuery::default()).unwrap();
    let reversal = entries.iter().find(|e| e.source == "reversal").unwrap();
    assert_eq!(reversal.earnings_minor, -1250);
    assert_eq!(
        reversal.reason.as_deref(),
        Some(format!("refused by the server: {why}").as_str())
    );
    assert!(store.ledger_verify().unwrap().first_failure.is_none());
    // The reversal is this laptop's own bookkeeping: nothing new travels to the server.
    assert!(store.outbox_pending(10).unwrap().is_empty());
    // Approving again here is refused with why, not answered "already exists".
    let again = store
        .approve_conversion("maker", now(), "spring", "C1")
        .unwrap_err();
    assert!(
        again.to_string().contains("refused its approval"),
        "{again}"
    );
    assert!(store.audit_verify().unwrap().ok());
    assert_eq!(store.sync_refusals().unwrap().len(), 1);
}

#[test]
fn a_refused_approval_of_an_entry_already_in_a_batch_stays_listed_not_undone() {
    let (_dir, mut store) = ledger();
    store
        .approve_conversion("maker", now(), "spring", "C1")
        .unwrap();
    let event = last_event(&mut store, "conversion_approved");
    store
        .create_payout("maker", now(), "spring", "2026-03", "March")
        .unwrap();
    let refused = store
        .record_refusal(
            "sync",
            now(),
            &event,
            &refusal("program 'spring' is closed"),
        )
        .unwrap();
    assert!(!refused.undone);
    assert_eq!(conversion_status(&store, "C1"), "approved");
    assert_eq!(earnings_pending(&store), 1250);
}

#[test]
fn a_refused_conversion_rejection_puts_it_back_to_pending_and_it_can_be_approved() {
    let (_dir, mut store) = ledger();
    store
        .reject_conversion("maker", now(), "spring", "C2", "duplicate click")
        .unwrap();
    let event = last_event(&mut store, "conversion_rejected");
    let refused = store
        .record_refusal(
            "sync",
            now(),
            &event,
            &refusal("conversion 'C2' was approved on the server and cannot be rejected"),
        )
        .unwrap();
    assert!(refused.undone);
    assert_eq!(conversion_status(&store, "C2"), "pending");
    store
        .approve_conversion("maker", now(), "spring", "C2")
        .unwrap();
    assert_eq!(conversion_status(&store, "C2"), "approved");
    assert!(store.audit_verify().unwrap().ok());
}

#[test]
fn a_refused_reversal_stays_listed_not_undone_and_the_entry_stays_reversed() {
    let (_dir, mut store) = ledger();
    store
        .approve_conversion("maker", now(), "spring", "C1")
        .unwrap();
    let id = store.ledger_entries(&EntryQuery::default()).unwrap()[0].id;
    store
        .reverse_entry("maker", now(), id, "wrong sponsor")
        .unwrap();
    let event = last_event(&mut store, "ledger_entry_reversed");
    let refused = store
        .record_refusal(
            "sync",
            now(),
            &event,
            &refusal("entry conversion/C1 is held by payout batch b1 and cannot be reversed"),
        )
        .unwrap();
    assert!(!refused.undone);
    assert_eq!(store.sync_refusals().unwrap()[0].event_id, refused.event_id);
}

#[test]
fn a_refused_cycle_opening_puts_its_payments_back_to_awaiting_payment() {
    let (_dir, mut store) = store_with_main_wallet();
    for memo in ["arb alice", "arb bob"] {
        store
            .add_expected(
                "maker",
                now(),
                &NewExpected {
                    cycle_id: "2026-11".into(),
                    character_name: "Alice".into(),
                    character_id: None,
                    expected_amount: "100".into(),
                    currency: "ISK".into(),
                    memo: memo.into(),
                },
            )
            .unwrap();
    }
    assert_eq!(store.cycle_open("maker", now(), "2026-11").unwrap(), 2);
    let event = last_event(&mut store, "cycle_opened");
    let why = "'ARB Alice' has journal line 7 linked on the server; opening cycle 2026-11 cancels only payments still awaiting payment";
    let refused = store
        .record_refusal("sync", now(), &event, &refusal(why))
        .unwrap();
    assert!(refused.undone);
    let statuses: Vec<&str> = store
        .expected_list(None, None)
        .unwrap()
        .iter()
        .map(|e| e.status.as_str())
        .collect();
    assert_eq!(statuses, vec!["awaiting_payment", "awaiting_payment"]);
    assert!(store.audit_verify().unwrap().ok());
}

#[test]
fn a_refused_notes_edit_puts_the_notes_back() {
    let (_dir, mut store) = ledger();
    store
        .approve_conversion("maker", now(), "spring", "C1")
        .unwrap();
    let batch = store
        .create_payout("maker", now(), "spring", "2026-03", "March")
        .unwrap();
    store
        .set_payout_notes("maker", now(), &batch.id, "March, second try")
        .unwrap();
    let event = last_event(&mut store, "payout_batch_edited");
    let refused = store
        .record_refusal(
            "sync",
            now(),
            &event,
            &refusal("payout batch is approved: it cannot be edited"),
        )
        .unwrap();
    assert!(refused.undone);
    assert_eq!(store.payout_batch(&batch.id).unwrap().notes, "March");
    assert!(store.audit_verify().unwrap().ok());
}

#[test]
fn a_refused_settlements_import_reverses_its_commissions_and_posts_its_revenue_back() {
    let (_dir, mut store) = ledger();
    for (r, parent) in [("A1", None), ("A2", Some("A1"))] {
        store
            .add_entity(
                "maker",
                now(),
                NewEntity {
                    program: "spring".into(),
                    entity_type: EntityType::Affiliate,
                    entity_ref: r.into(),
                    name: r.into(),
                    parent: parent.map(str::to_owned),
                    payout_per_conversion: None,
                },
            )
            .unwrap();
    }
    let file = "settlement_id,user_ref,affiliate_ref,gross_amount,currency,occurred_at\n\
        S1,u1,A2,100.00,USD,2026-03-02\nS2,u2,A1,40.00,USD,2026-03-03\n";
    store
        .import_settlements("maker", now(), "spring", "s.csv", file.as_bytes())
        .unwrap();
    // Direct 10.00 + override 2.50 on S1, direct 4.00 on S2.
    assert_eq!(earnings_pending(&store), 1650);
    let event = last_event(&mut store, "settlements_imported");
    let refused = store
        .record_refusal(
            "sync",
            now(),
            &event,
            &refusal("settlement 'S1' exists on the server with other values"),
        )
        .unwrap();
    assert!(refused.undone, "{refused:?}");
    assert_eq!(earnings_pending(&store), 0);
    // Every account is back where it was: the revenue and the commissions posted back.
    let balances: Vec<(String, i128)> = store
        .ledger_accounts()
        .unwrap()
        .into_iter()
        .map(|a| (a.account, a.debits_minor - a.credits_minor))
        .collect();
    assert!(balances.iter().all(|(_, net)| *net == 0), "{balances:?}");
    assert!(balances.iter().any(|(a, _)| a.ends_with(":revenue")));
    assert!(store.ledger_verify().unwrap().first_failure.is_none());
    assert!(store.audit_verify().unwrap().ok());
    assert!(store.outbox_pending(10).unwrap().is_empty());
}

#[test]
fn a_refused_settlements_import_whose_entry_is_in_a_batch_is_left_whole() {
    let (_dir, mut store) = ledger();
    store
        .add_entity(
            "maker",
            now(),
            NewEntity {
                program: "spring".into(),
                entity_type: EntityType::Affiliate,
                entity_ref: "A1".into(),
                name: "A1".into(),
                parent: None,
                payout_per_conversion: None,
            },
        )
        .unwrap();
    let file = "settlement_id,user_ref,affiliate_ref,gross_amount,currency,occurred_at\n\
        S1,u1,A1,100.00,USD,2026-03-02\n";
    store
        .import_settlements("maker", now(), "spring", "s.csv", file.as_bytes())
        .unwrap();
    let event = last_event(&mut store, "settlements_imported");
    store
        .create_payout("maker", now(), "spring", "2026-03", "March")
        .unwrap();
    let refused = store
        .record_refusal(
            "sync",
            now(),
            &event,
            &refusal("program 'spring' is closed"),
        )
        .unwrap();
    assert!(!refused.undone);
    assert_eq!(earnings_pending(&store), 1000);
    assert!(store.ledger_verify().unwrap().first_failure.is_none());
}

#[test]
fn a_colleagues_settlement_under_an_id_spent_by_a_refused_import_is_kept_not_applied() {
    let settlement = |store: &mut Store| {
        store
            .add_entity(
                "maker",
                now(),
                NewEntity {
                    program: "spring".into(),
                    entity_type: EntityType::Affiliate,
                    entity_ref: "A1".into(),
                    name: "A1".into(),
                    parent: None,
                    payout_per_conversion: None,
                },
            )
            .unwrap();
        let file = "settlement_id,user_ref,affiliate_ref,gross_amount,currency,occurred_at\n\
            S1,u1,A1,100.00,USD,2026-03-02\n";
        store
            .import_settlements("maker", now(), "spring", "s.csv", file.as_bytes())
            .unwrap();
    };
    let (_a, mut mine) = ledger();
    let (_b, mut theirs) = ledger();
    settlement(&mut mine);
    settlement(&mut theirs);
    let event = last_event(&mut mine, "settlements_imported");
    mine.record_refusal(
        "sync",
        now(),
        &event,
        &refusal("program 'spring' is closed"),
    )
    .unwrap();
    let page = page_of(&last_event(&mut theirs, "settlements_imported"));
    let outcome = mine.apply_pulled_page("maker", now(), Some(&page)).unwrap();
    assert_eq!((outcome.applied, outcome.not_applied), (0, 1));
    let note = mine.remote_events_waiting().unwrap()[0]
        .note
        .clone()
        .unwrap();
    assert!(note.contains("posted back"), "{note}");
    assert_eq!(earnings_pending(&mine), 0);
}

#[test]
fn a_colleagues_approval_of_a_conversion_whose_approval_was_refused_here_is_kept_not_applied() {
    let (_a, mut mine) = ledger();
    let (_b, mut theirs) = ledger();
    mine.approve_conversion("maker", now(), "spring", "C1")
        .unwrap();
    let event = last_event(&mut mine, "conversion_approved");
    mine.record_refusal(
        "sync",
        now(),
        &event,
        &refusal("program 'spring' is closed"),
    )
    .unwrap();
    theirs
        .approve_conversion("checker", now(), "spring", "C1")
        .unwrap();
    let page = page_of(&last_event(&mut theirs, "conversion_approved"));
    let outcome = mine.apply_pulled_page("maker", now(), Some(&page)).unwrap();
    assert_eq!((outcome.applied, outcome.not_applied), (0, 1));
    let note = mine.remote_events_waiting().unwrap()[0]
        .note
        .clone()
        .unwrap();
    assert!(note.contains("was reversed here"), "{note}");
    assert_eq!(conversion_status(&mine, "C1"), "pending");
}
