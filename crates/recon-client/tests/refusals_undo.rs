//! Refused changes undone on the laptop, against a real recon-server on real PostgreSQL
//! (issue 12, "refusals are never silent"): `maker` rejects one conversion and approves
//! another and syncs; `checker`, not synced since, decides both the other way. The server
//! refuses both of checker's decisions; checker's laptop undoes them (the approval's entry
//! reversed, both conversions pending again), lists them under Needs attention, and the
//! pull in the same sync brings maker's decisions, so both laptops end as the server is.
//! And a batch `checker` approved, which `maker` then deleted before syncing: the server
//! refuses the deletion, maker's laptop puts the batch back, and the approval arrives.

use chrono::Utc;
use recon_client::sync;
use recon_core::ledger::{EntityType, Rate, RoundingMode};
use recon_core::payouts::{BatchAction, BatchStatus};
use recon_store::ledger::{EntryQuery, NewEntity, NewProgram};
use recon_store::Store;

mod common;

use common::Server;

/// (conversion id, status) on the server, and its entries' keys.
fn held_on_server(server: &Server) -> (Vec<(String, String)>, Vec<String>) {
    let conversions = server
        .rows("SELECT conversion_id, status FROM ledger_conversions ORDER BY conversion_id")
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    let entries = server.texts("SELECT source || '/' || source_ref FROM ledger_entries ORDER BY 1");
    (conversions, entries)
}

/// A program with one sponsor paying 12.50 a conversion, and conversions C1, C2 pending.
fn ledger(store: &mut Store, actor: &str) {
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
}

fn statuses(store: &Store) -> Vec<(String, String)> {
    store
        .ledger_conversions("spring", None)
        .unwrap()
        .into_iter()
        .map(|c| (c.conversion_id, c.status))
        .collect()
}

/// Keys of the entries still to pay.
fn pending_entries(store: &Store) -> Vec<String> {
    store
        .ledger_entries(&EntryQuery {
            status: Some("pending".into()),
            ..Default::default()
        })
        .unwrap()
        .into_iter()
        .map(|e| format!("{}/{}", e.source, e.source_ref))
        .collect()
}

#[test]
fn decisions_the_server_refuses_are_undone_on_the_laptop_and_the_colleagues_arrive() {
    let server = Server::start();
    let (maker_token, checker_token) = (
        server.token("acme", "maker"),
        server.token("acme", "checker"),
    );
    let dir = tempfile::tempdir().unwrap();
    let mut maker = Store::open(&dir.path().join("maker.sqlite")).unwrap();
    let mut checker = Store::open(&dir.path().join("checker.sqlite")).unwrap();
    ledger(&mut maker, "maker");
    sync(&mut maker, &server.url, &maker_token, "maker", &Utc::now).unwrap();
    sync(
        &mut checker,
        &server.url,
        &checker_token,
        "checker",
        &Utc::now,
    )
    .unwrap();
    assert_eq!(
        statuses(&checker).len(),
        2,
        "checker holds maker's conversions"
    );

    maker
        .reject_conversion("maker", Utc::now(), "spring", "C1", "bot traffic")
        .unwrap();
    maker
        .approve_conversion("maker", Utc::now(), "spring", "C2")
        .unwrap();
    sync(&mut maker, &server.url, &maker_token, "maker", &Utc::now).unwrap();
    // Checker, not synced since, decides both the other way.
    checker
        .approve_conversion("checker", Utc::now(), "spring", "C1")
        .unwrap();
    checker
        .reject_conversion("checker", Utc::now(), "spring", "C2", "looks doubled")
        .unwrap();

    let report = sync(
        &mut checker,
        &server.url,
        &checker_token,
        "checker",
        &Utc::now,
    )
    .unwrap();
    let mut refused: Vec<(String, bool)> = report
        .refused
        .iter()
        .map(|r| (r.kind.clone(), r.undone))
        .collect();
    refused.sort();
    assert_eq!(
        refused,
        vec![
            ("conversion_approved".to_owned(), true),
            ("conversion_rejected".to_owned(), true)
        ],
        "{:?}",
        report.refused
    );
    assert!(report
        .refused
        .iter()
        .all(|r| r.reason.contains("on the server")));
    assert_eq!(checker.sync_refusals().unwrap().len(), 2, "Needs attention");

    // Undone, then maker's decisions pulled over them: checker's laptop is the server's.
    let server_state = held_on_server(&server);
    assert_eq!(
        server_state.0,
        vec![
            ("C1".to_owned(), "rejected".to_owned()),
            ("C2".to_owned(), "approved".to_owned())
        ]
    );
    assert_eq!(statuses(&checker), server_state.0);
    assert_eq!(statuses(&maker), server_state.0);
    assert_eq!(pending_entries(&checker), vec!["conversion/C2".to_owned()]);
    assert_eq!(server_state.1, vec!["conversion/C2".to_owned()]);
    // Checker's refused approval left its trace: its entry, reversed by the refusal.
    let entries = checker.ledger_entries(&EntryQuery::default()).unwrap();
    let reversal = entries.iter().find(|e| e.source == "reversal").unwrap();
    assert!(
        reversal
            .reason
            .as_deref()
            .unwrap()
            .starts_with("refused by the server: "),
        "{reversal:?}"
    );
    assert!(checker.ledger_verify().unwrap().first_failure.is_none());
    assert!(checker.audit_verify().unwrap().ok());

    // Syncing again changes nothing: the refusals were answered once.
    let again = sync(
        &mut checker,
        &server.url,
        &checker_token,
        "checker",
        &Utc::now,
    )
    .unwrap();
    assert!(again.refused.is_empty());
    assert_eq!(statuses(&checker), server_state.0);
}

#[test]
fn a_deletion_of_a_batch_a_colleague_approved_is_refused_and_the_batch_comes_back_approved() {
    let server = Server::start();
    let (maker_token, checker_token) = (
        server.token("acme", "maker"),
        server.token("acme", "checker"),
    );
    let dir = tempfile::tempdir().unwrap();
    let mut maker = Store::open(&dir.path().join("maker.sqlite")).unwrap();
    let mut checker = Store::open(&dir.path().join("checker.sqlite")).unwrap();
    ledger(&mut maker, "maker");
    for id in ["C1", "C2"] {
        maker
            .approve_conversion("maker", Utc::now(), "spring", id)
            .unwrap();
    }
    let batch = maker
        .create_payout("maker", Utc::now(), "spring", "2026-03", "March")
        .unwrap();
    maker
        .payout_transition("maker", Utc::now(), &batch.id, &BatchAction::Submit)
        .unwrap();
    sync(&mut maker, &server.url, &maker_token, "maker", &Utc::now).unwrap();
    sync(
        &mut checker,
        &server.url,
        &checker_token,
        "checker",
        &Utc::now,
    )
    .unwrap();
    checker
        .payout_transition("checker", Utc::now(), &batch.id, &BatchAction::Approve)
        .unwrap();
    sync(
        &mut checker,
        &server.url,
        &checker_token,
        "checker",
        &Utc::now,
    )
    .unwrap();

    // Maker, not synced since, deletes the batch it still sees awaiting approval.
    maker.delete_payout("maker", Utc::now(), &batch.id).unwrap();
    let report = sync(&mut maker, &server.url, &maker_token, "maker", &Utc::now).unwrap();
    assert_eq!(report.refused.len(), 1, "{:?}", report.refused);
    assert_eq!(report.refused[0].kind, "payout_batch_deleted");
    assert!(report.refused[0].undone, "{:?}", report.refused[0]);
    let back = maker.payout_batch(&batch.id).unwrap();
    assert_eq!(
        back.status,
        BatchStatus::Approved,
        "checker's approval arrived"
    );
    assert_eq!(back.approved_by.as_deref(), Some("checker"));
    assert_eq!((back.total_minor, back.lines.len()), (2500, 1));
    assert_eq!(back.lines[0].entry_ids.len(), 2);
    assert!(maker.audit_verify().unwrap().ok());
}
