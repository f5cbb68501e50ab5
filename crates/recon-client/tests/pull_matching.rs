//! Matching through the server (issue 12): two laptops of one organization link the same
//! receipt to different expected payments. The later link is refused by the server, undone
//! on that laptop (the payment back to awaiting payment, audited "refused by the server"),
//! listed under Needs attention, and the other laptop's link pulled in its place; an
//! unlink travels back. Real recon-server on real PostgreSQL.

use chrono::Utc;
use recon_client::sync;
use recon_store::{NewExpected, NewWallet, SourceFile, Store};

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

fn import_journal(store: &mut Store, ids: std::ops::RangeInclusive<i64>) {
    store
        .add_wallet(
            "maker",
            Utc::now(),
            NewWallet {
                name: "Logistics One".into(),
                kind: "character".into(),
                owner_id: Some(90000001),
                division: None,
                currency: "ISK".into(),
                receiving: true,
            },
        )
        .unwrap();
    let entries: Vec<String> = ids
        .map(|id| {
            format!(
                r#"{{"id":{id},"date":"2026-03-01T12:00:00Z","ref_type":"player_donation","description":"d{id}","amount":1500000.25,"reason":"ARB 1 P{id}"}}"#
            )
        })
        .collect();
    let file = SourceFile {
        name: "page.json".into(),
        bytes: format!("[{}]", entries.join(",")).into_bytes(),
    };
    store
        .import_esi_journal("maker", Utc::now(), "Logistics One", &[file])
        .unwrap();
}

fn payment(memo: &str, amount: &str) -> NewExpected {
    NewExpected {
        cycle_id: "2026-11".into(),
        character_name: memo.trim_start_matches("ARB ").into(),
        character_id: None,
        expected_amount: amount.into(),
        currency: "ISK".into(),
        memo: memo.into(),
    }
}

/// Memo, status and linked journal ids of every payment.
fn payments(store: &Store) -> Vec<(String, String, Vec<String>)> {
    store
        .expected_list(None, None)
        .unwrap()
        .into_iter()
        .map(|e| (e.memo, e.status.as_str().to_owned(), e.journal_ids))
        .collect()
}

fn status_of(store: &Store, memo: &str) -> String {
    payments(store)
        .into_iter()
        .find(|p| p.0 == memo)
        .map(|p| p.1)
        .unwrap()
}

#[test]
fn a_receipt_linked_on_two_laptops_keeps_the_first_link_and_the_later_is_undone_and_listed() {
    let server = Server::start();
    let maker_token = server.token("acme", "maker@acme.test");
    let checker_token = server.token("acme", "checker@acme.test");
    let dir = tempfile::tempdir().unwrap();
    let mut maker = laptop(&dir, "maker.sqlite");
    let mut checker = laptop(&dir, "checker.sqlite");
    import_journal(&mut maker, 7001..=7001);
    for memo in ["ARB Alice", "ARB Bob"] {
        maker
            .add_expected("maker", Utc::now(), &payment(memo, "1500000.25"))
            .unwrap();
    }
    sync(&mut maker, &server.url, &maker_token, "maker", &Utc::now).unwrap();
    sync(
        &mut checker,
        &server.url,
        &checker_token,
        "checker",
        &Utc::now,
    )
    .unwrap();
    assert_eq!(payments(&checker), payments(&maker));

    // Both offline: the maker links the receipt to Alice, the checker to Bob.
    let on_maker = maker.resolve_journal_id("7001").unwrap();
    maker
        .match_link("maker", Utc::now(), "ARB Alice", on_maker)
        .unwrap();
    let on_checker = checker.resolve_journal_id("7001").unwrap();
    checker
        .match_link("checker", Utc::now(), "ARB Bob", on_checker)
        .unwrap();
    assert_ne!(status_of(&checker, "ARB Bob"), "awaiting_payment");
    sync(&mut maker, &server.url, &maker_token, "maker", &Utc::now).unwrap();

    let report = sync(
        &mut checker,
        &server.url,
        &checker_token,
        "checker",
        &Utc::now,
    )
    .unwrap();
    assert_eq!(report.refused.len(), 1, "{report:?}");
    let refused = &report.refused[0];
    assert_eq!(
        (refused.kind.as_str(), refused.code.as_str()),
        ("match_linked", "conflict")
    );
    assert!(
        refused.reason.contains("'ARB Alice'") && refused.reason.contains("'ARB Bob'"),
        "{}",
        refused.reason
    );
    assert!(refused.undone, "{refused:?}");
    // Undone here and replaced by the maker's link, pulled: both laptops agree.
    assert_eq!(status_of(&checker, "ARB Bob"), "awaiting_payment");
    assert_eq!(payments(&checker), payments(&maker));
    let alice = payments(&checker)
        .into_iter()
        .find(|p| p.0 == "ARB Alice")
        .unwrap();
    assert_eq!(alice.2, vec!["7001".to_owned()]);
    assert_eq!(checker.sync_refusals().unwrap().len(), 1, "Needs attention");
    let trail = checker.audit_tail(20).unwrap();
    assert!(
        trail.iter().any(|r| r.action == "sync.refused"
            && r.entity == "match_action"
            && r.after
                .as_deref()
                .unwrap_or("")
                .contains("refused by the server: journal line 7001")),
        "{trail:?}"
    );
    assert!(checker.audit_verify().unwrap().ok());

    // A pulled page applied again changes nothing; the maker's unlink travels back.
    let before = payments(&checker);
    sync(
        &mut checker,
        &server.url,
        &checker_token,
        "checker",
        &Utc::now,
    )
    .unwrap();
    assert_eq!(payments(&checker), before);
    maker
        .match_unlink("maker", Utc::now(), on_maker, Some("ARB Alice"))
        .unwrap();
    sync(&mut maker, &server.url, &maker_token, "maker", &Utc::now).unwrap();
    let report = sync(
        &mut checker,
        &server.url,
        &checker_token,
        "checker",
        &Utc::now,
    )
    .unwrap();
    assert_eq!(report.pull.applied, 1, "{report:?}");
    assert_eq!(status_of(&checker, "ARB Alice"), "awaiting_payment");
    assert_eq!(payments(&checker), payments(&maker));
}
