//! Payout batches and the partner ledger through a real recon-server on real PostgreSQL
//! (issue 12): `maker` creates and submits a batch, `checker` sees it awaiting approval
//! and approves it, `maker` sees it approved; a laptop that approves its own batch
//! (skipping the local two-person check) is refused by the server, which checks the
//! token's user, and shows it under Needs attention with the batch back in
//! `pending_approval`; the same entry from two laptops is one entry on the server;
//! another organization pulls none of it.

mod common;

use chrono::Utc;
use common::Server;
use recon_core::ledger::{EntityType, Rate, RoundingMode};
use recon_core::payouts::{BatchAction, BatchStatus};
use recon_store::ledger::{NewEntity, NewProgram};
use recon_store::Store;

/// A program with one sponsor and two approved conversions: two pending entries.
fn ledger_with_entries(store: &mut Store, actor: &str) {
    let now = Utc::now();
    store
        .add_program(
            actor,
            now,
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
            actor,
            now,
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
        .import_conversions(actor, now, "spring", "c.csv", file.as_bytes())
        .unwrap();
    for id in ["C1", "C2"] {
        store.approve_conversion(actor, now, "spring", id).unwrap();
    }
}

/// `ledger_with_entries`, then a batch of March created and submitted by `actor`.
fn submitted_batch(store: &mut Store, actor: &str) -> String {
    ledger_with_entries(store, actor);
    let batch = store
        .create_payout(actor, Utc::now(), "spring", "2026-03", "March")
        .unwrap();
    store
        .payout_transition(actor, Utc::now(), &batch.id, &BatchAction::Submit)
        .unwrap();
    batch.id
}

#[test]
fn maker_submits_checker_approves_and_maker_sees_it_approved() {
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let mut maker = server.laptop(&dir, "maker", "acme", "maker");
    let mut checker = server.laptop(&dir, "checker", "acme", "checker");
    let id = submitted_batch(&mut maker, "maker");

    let sent = maker.sync();
    assert!(sent.refused.is_empty(), "{:?}", sent.refused);
    assert_eq!(maker.token_user().unwrap().as_deref(), Some("maker"));

    let got = checker.sync();
    assert_eq!(
        got.pull.not_applied,
        0,
        "{:?}",
        checker.remote_events_waiting().unwrap()
    );
    // The laptop's user is now the token's user, learned from whoami.
    let me = checker.token_user().unwrap().expect("whoami learned");
    assert_eq!(me, "checker");
    let seen = checker.payout_batch(&id).unwrap();
    assert_eq!(seen.status, BatchStatus::PendingApproval);
    assert_eq!(seen.created_by, "maker");
    assert_eq!((seen.total_minor, seen.entry_count), (2500, 2));
    assert_eq!(
        checker.outbox_pending_count().unwrap(),
        0,
        "pulled work is not pushed back"
    );
    // The creator may not approve it here either: the colleague's name came from the server.
    let own = checker.payout_transition("maker", Utc::now(), &id, &BatchAction::Approve);
    assert!(own.is_err());

    checker
        .payout_transition(&me, Utc::now(), &id, &BatchAction::Approve)
        .unwrap();
    let approved = checker.sync_as(&me);
    assert!(approved.refused.is_empty(), "{:?}", approved.refused);

    let back = maker.sync();
    assert_eq!(
        back.pull.not_applied,
        0,
        "{:?}",
        maker.remote_events_waiting().unwrap()
    );
    let mine = maker.payout_batch(&id).unwrap();
    assert_eq!(mine.status, BatchStatus::Approved);
    assert_eq!(mine.approved_by.as_deref(), Some("checker"));
    assert!(maker.audit_verify().unwrap().ok());
    assert!(checker.audit_verify().unwrap().ok());

    // Applying everything again (a re-pull after an epoch change) changes nothing.
    server.rotate_epoch();
    let again = checker.sync_as(&me);
    assert_eq!(again.pull.applied, 0);
    assert_eq!(
        checker.payout_batch(&id).unwrap().status,
        BatchStatus::Approved
    );

    let status: Vec<(String, String, String)> = server
        .rows("SELECT status, created_by, approved_by FROM payout_batches")
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect();
    assert_eq!(
        status,
        vec![("approved".into(), "maker".into(), "checker".into())]
    );

    // maker pays it; on checker's laptop the entries become paid and the payout posts.
    maker
        .payout_transition("maker", Utc::now(), &id, &BatchAction::Pay)
        .unwrap();
    let paid = maker.sync();
    assert!(paid.refused.is_empty(), "{:?}", paid.refused);
    let got = checker.sync_as(&me);
    assert_eq!(
        got.pull.not_applied,
        0,
        "{:?}",
        checker.remote_events_waiting().unwrap()
    );
    let theirs = checker.payout_batch(&id).unwrap();
    assert_eq!(
        (theirs.status, theirs.paid_by.as_deref()),
        (BatchStatus::Paid, Some("maker"))
    );
    let paid_entries = |s: &Store| {
        s.ledger_entries(&Default::default())
            .unwrap()
            .iter()
            .filter(|e| e.status == "paid")
            .count()
    };
    assert_eq!((paid_entries(&checker), paid_entries(&maker)), (2, 2));
    assert!(checker.ledger_verify().unwrap().first_failure.is_none());
    assert!(checker.audit_verify().unwrap().ok());

    // Another organization's token pulls none of it.
    let mut eve = server.laptop(&dir, "eve", "globex", "eve");
    let theirs = eve.sync();
    assert_eq!((theirs.pull.applied, theirs.pull.not_applied), (0, 0));
    assert!(eve.payout_batch(&id).is_err());
    assert!(eve.ledger_programs().unwrap().is_empty());
}

#[test]
fn approving_ones_own_batch_is_refused_by_the_server_and_undone_on_the_laptop() {
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let mut maker = server.laptop(&dir, "maker", "acme", "maker");
    let id = submitted_batch(&mut maker, "maker");
    // A client that skips the two-person check: the approval claims another name, but
    // it is pushed with maker's token.
    maker
        .payout_transition("mallory", Utc::now(), &id, &BatchAction::Approve)
        .unwrap();
    assert_eq!(
        maker.payout_batch(&id).unwrap().status,
        BatchStatus::Approved
    );

    let report = maker.sync();
    assert_eq!(report.refused.len(), 1, "{:?}", report.refused);
    let refused = &report.refused[0];
    assert_eq!(refused.kind, "payout_batch_transitioned");
    assert_eq!(refused.code, "not_allowed");
    assert!(refused.reason.contains("creator"), "{}", refused.reason);
    assert!(refused.undone);
    let batch = maker.payout_batch(&id).unwrap();
    assert_eq!(batch.status, BatchStatus::PendingApproval);
    assert_eq!(batch.approved_by, None);
    let last = batch.transitions.last().unwrap();
    assert_eq!(last.to, "pending_approval");
    assert!(
        last.reason
            .as_deref()
            .unwrap()
            .starts_with("refused by the server: "),
        "{last:?}"
    );
    assert_eq!(
        maker.sync_refusals().unwrap().len(),
        1,
        "listed under Needs attention"
    );
    assert!(maker.audit_verify().unwrap().ok());
    // The server kept the batch awaiting approval.
    let status: Vec<String> = server
        .rows("SELECT status FROM payout_batches")
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(status, vec!["pending_approval".to_owned()]);
    // Syncing again changes nothing: the refusal is answered once.
    let again = maker.sync();
    assert!(again.refused.is_empty());
    assert_eq!(
        maker.payout_batch(&id).unwrap().status,
        BatchStatus::PendingApproval
    );
}

#[test]
fn the_same_entry_from_two_laptops_is_one_entry_and_the_second_already_exists() {
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let mut maker = server.laptop(&dir, "maker", "acme", "maker");
    let mut checker = server.laptop(&dir, "checker", "acme", "checker");
    ledger_with_entries(&mut maker, "maker");
    ledger_with_entries(&mut checker, "checker");
    let first = maker.sync();
    let second = checker.sync();
    assert!(first.refused.is_empty() && second.refused.is_empty());
    assert_eq!(
        second.pull.not_applied,
        0,
        "{:?}",
        checker.remote_events_waiting().unwrap()
    );
    let entries: i64 = server.rows("SELECT COUNT(*) FROM ledger_entries")[0].get(0);
    let answers: Vec<String> = server
        .rows(
            "SELECT answer->>'note' FROM sync_events WHERE kind = 'conversion_approved'
              ORDER BY arrival",
        )
        .iter()
        .map(|r| r.get::<_, Option<String>>(0).unwrap_or_default())
        .collect();
    assert_eq!(entries, 2, "C1 and C2, once each");
    assert_eq!(answers.len(), 4);
    assert!(answers[..2].iter().all(String::is_empty), "{answers:?}");
    assert!(
        answers[2..]
            .iter()
            .all(|n| n.starts_with("already exists: entry conversion/C")),
        "{answers:?}"
    );
    // Both laptops still hold the two entries once.
    assert_eq!(maker.ledger_entries(&Default::default()).unwrap().len(), 2);
    assert_eq!(
        checker.ledger_entries(&Default::default()).unwrap().len(),
        2
    );
}

#[test]
fn a_colleagues_settlement_file_arrives_with_the_same_commissions_and_balances() {
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let mut maker = server.laptop(&dir, "maker", "acme", "maker");
    let mut checker = server.laptop(&dir, "checker", "acme", "checker");
    let now = Utc::now();
    maker
        .add_program(
            "maker",
            now,
            NewProgram {
                slug: "aff".into(),
                name: "Affiliates".into(),
                currency: "USD".into(),
                direct_rate: Rate::parse("10").unwrap(),
                override_rate: Rate::parse("2.5").unwrap(),
                rounding: RoundingMode::HalfEven,
            },
        )
        .unwrap();
    for (r, parent) in [("A1", None), ("A2", Some("A1"))] {
        maker
            .add_entity(
                "maker",
                now,
                NewEntity {
                    program: "aff".into(),
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
        S1,u1,A2,123.45,USD,2026-01-02\nS2,u2,A1,0.50,USD,2026-02-03\n";
    maker
        .import_settlements("maker", now, "aff", "s.csv", file.as_bytes())
        .unwrap();
    let sent = maker.sync();
    assert!(sent.refused.is_empty(), "{:?}", sent.refused);
    let got = checker.sync();
    assert_eq!(
        got.pull.not_applied,
        0,
        "{:?}",
        checker.remote_events_waiting().unwrap()
    );
    let entries = |s: &Store| -> Vec<(String, String, i64, String)> {
        s.ledger_entries(&Default::default())
            .unwrap()
            .into_iter()
            .map(|e| (e.source_ref, e.entity_ref, e.earnings_minor, e.residue))
            .collect()
    };
    assert_eq!(
        entries(&checker).len(),
        3,
        "S1 direct + override, S2 direct"
    );
    assert_eq!(entries(&checker), entries(&maker));
    assert!(checker.ledger_verify().unwrap().first_failure.is_none());
    assert!(checker.audit_verify().unwrap().ok());
    let on_server: i64 = server.rows("SELECT COUNT(*) FROM ledger_entries")[0].get(0);
    assert_eq!(on_server, 3);
}
