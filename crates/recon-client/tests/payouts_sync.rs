//! Payout batches and the partner ledger through a real recon-server on real PostgreSQL
//! (issue 12): `maker` creates and submits a batch, `checker` sees it awaiting approval
//! and approves it, `maker` sees it approved; a laptop that approves its own batch
//! (skipping the local two-person check) is refused by the server, which checks the
//! token's user, and shows it under Needs attention with the batch back in
//! `pending_approval`; the same entry from two laptops is one entry on the server;
//! another organization pulls none of it.

use chrono::Utc;
use recon_client::sync;
use recon_core::ledger::{EntityType, Rate, RoundingMode};
use recon_core::payouts::{BatchAction, BatchStatus};
use recon_store::ledger::{NewEntity, NewProgram};
use recon_store::Store;

struct Server {
    url: String,
    admin_url: String,
    db_url: String,
    runtime: tokio::runtime::Runtime,
}

impl Server {
    fn start() -> Self {
        let admin_url = std::env::var("RECON_TEST_PG_URL")
            .unwrap_or_else(|_| "host=/var/run/postgresql user=root dbname=postgres".into());
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let (url, db_url) = runtime.block_on(async {
            let db_url = recon_server::fresh_test_database(&admin_url)
                .await
                .unwrap_or_else(|e| panic!("PostgreSQL at {admin_url} is needed: {e}"));
            let db = recon_server::connect(&db_url).await.unwrap();
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let url = format!("http://{}", listener.local_addr().unwrap());
            tokio::spawn(recon_server::serve(listener, db));
            (url, db_url)
        });
        Server {
            url,
            admin_url,
            db_url,
            runtime,
        }
    }

    fn token(&self, org: &str, user: &str) -> String {
        self.runtime.block_on(async {
            let db = recon_server::connect(&self.db_url).await.unwrap();
            recon_server::create_token(&db, org, user).await.unwrap()
        })
    }

    fn rotate_epoch(&self) {
        self.runtime.block_on(async {
            let db = recon_server::connect(&self.db_url).await.unwrap();
            recon_server::rotate_epoch(&db).await.unwrap();
        });
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let (admin, db) = (self.admin_url.clone(), self.db_url.clone());
        let _ = self
            .runtime
            .block_on(recon_server::drop_test_database(&admin, &db));
    }
}

fn laptop(dir: &tempfile::TempDir, name: &str) -> Store {
    Store::open(&dir.path().join(name)).unwrap()
}

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

async fn server_rows(db_url: &str, sql: &str) -> Vec<tokio_postgres::Row> {
    let (client, conn) = tokio_postgres::connect(db_url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(conn);
    client.query(sql, &[]).await.unwrap()
}

#[test]
fn maker_submits_checker_approves_and_maker_sees_it_approved() {
    let server = Server::start();
    let maker_token = server.token("acme", "maker");
    let checker_token = server.token("acme", "checker");
    let globex_token = server.token("globex", "eve");
    let dir = tempfile::tempdir().unwrap();
    let mut maker = laptop(&dir, "maker.sqlite");
    let mut checker = laptop(&dir, "checker.sqlite");
    let id = submitted_batch(&mut maker, "maker");

    let sent = sync(&mut maker, &server.url, &maker_token, "maker", &Utc::now).unwrap();
    assert!(sent.refused.is_empty(), "{:?}", sent.refused);
    assert_eq!(maker.token_user().unwrap().as_deref(), Some("maker"));

    let got = sync(
        &mut checker,
        &server.url,
        &checker_token,
        "checker",
        &Utc::now,
    )
    .unwrap();
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
    let approved = sync(&mut checker, &server.url, &checker_token, &me, &Utc::now).unwrap();
    assert!(approved.refused.is_empty(), "{:?}", approved.refused);

    let back = sync(&mut maker, &server.url, &maker_token, "maker", &Utc::now).unwrap();
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
    let again = sync(&mut checker, &server.url, &checker_token, &me, &Utc::now).unwrap();
    assert_eq!(again.pull.applied, 0);
    assert_eq!(
        checker.payout_batch(&id).unwrap().status,
        BatchStatus::Approved
    );

    let status: Vec<(String, String, String)> = server.runtime.block_on(async {
        server_rows(
            &server.db_url,
            "SELECT status, created_by, approved_by FROM payout_batches",
        )
        .await
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect()
    });
    assert_eq!(
        status,
        vec![("approved".into(), "maker".into(), "checker".into())]
    );

    // maker pays it; on checker's laptop the entries become paid and the payout posts.
    maker
        .payout_transition("maker", Utc::now(), &id, &BatchAction::Pay)
        .unwrap();
    let paid = sync(&mut maker, &server.url, &maker_token, "maker", &Utc::now).unwrap();
    assert!(paid.refused.is_empty(), "{:?}", paid.refused);
    let got = sync(&mut checker, &server.url, &checker_token, &me, &Utc::now).unwrap();
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
    let mut eve = laptop(&dir, "eve.sqlite");
    let theirs = sync(&mut eve, &server.url, &globex_token, "eve", &Utc::now).unwrap();
    assert_eq!((theirs.pull.applied, theirs.pull.not_applied), (0, 0));
    assert!(eve.payout_batch(&id).is_err());
    assert!(eve.ledger_programs().unwrap().is_empty());
}

#[test]
fn approving_ones_own_batch_is_refused_by_the_server_and_undone_on_the_laptop() {
    let server = Server::start();
    let maker_token = server.token("acme", "maker");
    let dir = tempfile::tempdir().unwrap();
    let mut maker = laptop(&dir, "maker.sqlite");
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

    let report = sync(&mut maker, &server.url, &maker_token, "maker", &Utc::now).unwrap();
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
    let status: Vec<String> = server.runtime.block_on(async {
        server_rows(&server.db_url, "SELECT status FROM payout_batches")
            .await
            .iter()
            .map(|r| r.get(0))
            .collect()
    });
    assert_eq!(status, vec!["pending_approval".to_owned()]);
    // Syncing again changes nothing: the refusal is answered once.
    let again = sync(&mut maker, &server.url, &maker_token, "maker", &Utc::now).unwrap();
    assert!(again.refused.is_empty());
    assert_eq!(
        maker.payout_batch(&id).unwrap().status,
        BatchStatus::PendingApproval
    );
}

#[test]
fn the_same_entry_from_two_laptops_is_one_entry_and_the_second_already_exists() {
    let server = Server::start();
    let maker_token = server.token("acme", "maker");
    let checker_token = server.token("acme", "checker");
    let dir = tempfile::tempdir().unwrap();
    let mut maker = laptop(&dir, "maker.sqlite");
    let mut checker = laptop(&dir, "checker.sqlite");
    ledger_with_entries(&mut maker, "maker");
    ledger_with_entries(&mut checker, "checker");
    let first = sync(&mut maker, &server.url, &maker_token, "maker", &Utc::now).unwrap();
    let second = sync(
        &mut checker,
        &server.url,
        &checker_token,
        "checker",
        &Utc::now,
    )
    .unwrap();
    assert!(first.refused.is_empty() && second.refused.is_empty());
    assert_eq!(
        second.pull.not_applied,
        0,
        "{:?}",
        checker.remote_events_waiting().unwrap()
    );
    let (entries, answers): (i64, Vec<String>) = server.runtime.block_on(async {
        let entries =
            server_rows(&server.db_url, "SELECT COUNT(*) FROM ledger_entries").await[0].get(0);
        let answers = server_rows(
            &server.db_url,
            "SELECT answer->>'note' FROM sync_events WHERE kind = 'conversion_approved'
              ORDER BY arrival",
        )
        .await
        .iter()
        .map(|r| r.get::<_, Option<String>>(0).unwrap_or_default())
        .collect();
        (entries, answers)
    });
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
    let maker_token = server.token("acme", "maker");
    let checker_token = server.token("acme", "checker");
    let dir = tempfile::tempdir().unwrap();
    let mut maker = laptop(&dir, "maker.sqlite");
    let mut checker = laptop(&dir, "checker.sqlite");
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
    let sent = sync(&mut maker, &server.url, &maker_token, "maker", &Utc::now).unwrap();
    assert!(sent.refused.is_empty(), "{:?}", sent.refused);
    let got = sync(
        &mut checker,
        &server.url,
        &checker_token,
        "checker",
        &Utc::now,
    )
    .unwrap();
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
    let on_server: i64 = server.runtime.block_on(async {
        server_rows(&server.db_url, "SELECT COUNT(*) FROM ledger_entries").await[0].get(0)
    });
    assert_eq!(on_server, 3);
}
