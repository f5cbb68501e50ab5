//! A batch deletion or line removal the server refused: the batch comes back as the
//! server still holds it.

use crate::ledger::{NewEntity, NewProgram};
use crate::test_support::*;
use crate::Store;
use recon_core::ledger::{EntityType, Rate, RoundingMode};
use recon_core::payouts::{BatchAction, BatchStatus};
use recon_sync::{Event, Refusal, RefusalCode};

fn refusal(reason: &str) -> Refusal {
    Refusal {
        code: RefusalCode::RuleBroken,
        reason: reason.into(),
        conflicts: vec![],
    }
}

fn last_event(store: &mut Store, kind: &str) -> Event {
    let pending = store.outbox_pending(1000).unwrap();
    let seqs: Vec<i64> = pending.iter().map(|e| e.seq).collect();
    store.outbox_mark_sent(&seqs, now()).unwrap();
    pending
        .into_iter()
        .rev()
        .find(|e| e.event.body.kind() == kind)
        .unwrap()
        .event
}

/// Sponsors S1 (12.50) and S2 (7.00), one approved conversion each, a March batch of
/// both submitted.
fn submitted_batch() -> (tempfile::TempDir, Store, String) {
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
    for (r, payout) in [("S1", "12.50"), ("S2", "7.00")] {
        store
            .add_entity(
                "maker",
                now(),
                NewEntity {
                    program: "spring".into(),
                    entity_type: EntityType::Sponsor,
                    entity_ref: r.into(),
                    name: r.into(),
                    parent: None,
                    payout_per_conversion: Some(payout.into()),
                },
            )
            .unwrap();
    }
    let file = "conversion_id,sponsor_ref,occurred_at,description\nC1,S1,2026-03-05,a\nC2,S2,2026-03-06,b\n";
    store
        .import_conversions("maker", now(), "spring", "c.csv", file.as_bytes())
        .unwrap();
    for id in ["C1", "C2"] {
        store
            .approve_conversion("maker", now(), "spring", id)
            .unwrap();
    }
    let batch = store
        .create_payout("maker", now(), "spring", "2026-03", "March")
        .unwrap();
    store
        .payout_transition("maker", now(), &batch.id, &BatchAction::Submit)
        .unwrap();
    (dir, store, batch.id)
}

#[test]
fn a_refused_deletion_brings_the_batch_back_with_its_lines_and_entries() {
    let (_dir, mut store, id) = submitted_batch();
    let held = store.payout_batch(&id).unwrap();
    store.delete_payout("maker", now(), &id).unwrap();
    let event = last_event(&mut store, "payout_batch_deleted");
    let refused = store
        .record_refusal(
            "sync",
            now(),
            &event,
            &refusal("payout batch is approved: it cannot be deleted"),
        )
        .unwrap();
    assert!(refused.undone, "{refused:?}");
    let back = store.payout_batch(&id).unwrap();
    assert_eq!(back.status, BatchStatus::PendingApproval);
    assert_eq!((back.total_minor, back.notes.as_str()), (1950, "March"));
    assert_eq!(back.lines, held.lines);
    assert!(back
        .transitions
        .last()
        .unwrap()
        .reason
        .as_deref()
        .unwrap()
        .starts_with("refused by the server: "));
    // Its entries are held again: no second batch can take them.
    assert!(store
        .create_payout("maker", now(), "spring", "2026-03", "again")
        .is_err());
    assert!(store.audit_verify().unwrap().ok());
}

#[test]
fn a_refused_deletion_whose_entries_another_batch_took_stays_not_undone() {
    let (_dir, mut store, id) = submitted_batch();
    store.delete_payout("maker", now(), &id).unwrap();
    let event = last_event(&mut store, "payout_batch_deleted");
    store
        .create_payout("maker", now(), "spring", "2026-03", "again")
        .unwrap();
    let refused = store
        .record_refusal("sync", now(), &event, &refusal("payout batch is approved"))
        .unwrap();
    assert!(!refused.undone);
    assert!(store.payout_batch(&id).is_err());
}

#[test]
fn a_refused_line_removal_puts_the_line_and_its_entries_back() {
    let (_dir, mut store, id) = submitted_batch();
    let held = store.payout_batch(&id).unwrap();
    store.remove_payout_line("maker", now(), &id, "S2").unwrap();
    assert_eq!(store.payout_batch(&id).unwrap().total_minor, 1250);
    let event = last_event(&mut store, "payout_batch_edited");
    let refused = store
        .record_refusal(
            "sync",
            now(),
            &event,
            &refusal("payout batch is approved: it cannot be edited"),
        )
        .unwrap();
    assert!(refused.undone, "{refused:?}");
    let back = store.payout_batch(&id).unwrap();
    assert_eq!(back.total_minor, 1950);
    assert_eq!(back.lines, held.lines);
    assert!(store.audit_verify().unwrap().ok());
}

#[test]
fn a_refused_deletion_of_a_batch_whose_creation_was_refused_does_not_bring_it_back() {
    let (_dir, mut store, id) = submitted_batch();
    let created = last_event(&mut store, "payout_batch_created");
    store.delete_payout("maker", now(), &id).unwrap();
    let deleted = last_event(&mut store, "payout_batch_deleted");
    let why = refusal("program 'spring' is not on the server");
    store.record_refusal("sync", now(), &created, &why).unwrap();
    let refused = store
        .record_refusal(
            "sync",
            now(),
            &deleted,
            &refusal("payout batch is not on the server"),
        )
        .unwrap();
    assert!(!refused.undone);
    assert!(store.payout_batch(&id).is_err());
}
