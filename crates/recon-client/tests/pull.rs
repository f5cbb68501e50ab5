//! Two laptops of one organization (device tokens of `maker` and `checker`) syncing
//! through a real recon-server on real PostgreSQL: each one's work appears on the other,
//! a page applied twice or re-pulled after an epoch change changes nothing, another
//! organization pulls nothing, and a refused change is listed and undone.

use chrono::Utc;
use recon_client::sync;
use recon_store::{JournalQuery, NewExpected, NewWallet, SourceFile, Store};

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

fn journal(store: &Store) -> Vec<(String, Option<String>, String)> {
    let mut rows = Vec::new();
    loop {
        let query = JournalQuery {
            wallet: None,
            ref_type: None,
            search: None,
            batch: None,
            amount: None,
            date_from: None,
            date_to: None,
            newest_first: false,
            offset: rows.len() as i64,
            limit: 1000,
        };
        let page = store.journal(&query).unwrap();
        if page.rows.is_empty() {
            return rows;
        }
        rows.extend(page.rows.into_iter().map(|r| (r.key, r.amount, r.date)));
    }
}

fn payments(store: &Store) -> Vec<(String, String, String)> {
    store
        .expected_list(None, None)
        .unwrap()
        .into_iter()
        .map(|e| (e.memo, e.expected_amount, e.status.as_str().to_owned()))
        .collect()
}

#[test]
fn two_laptops_converge_a_page_twice_or_a_new_epoch_changes_nothing_and_others_see_nothing() {
    let server = Server::start();
    let maker_token = server.token("acme", "maker@acme.test");
    let checker_token = server.token("acme", "checker@acme.test");
    let globex_token = server.token("globex", "eve@globex.test");
    let dir = tempfile::tempdir().unwrap();
    let mut maker = laptop(&dir, "maker.sqlite");
    let mut checker = laptop(&dir, "checker.sqlite");
    import_journal(&mut maker, 1..=1203);
    maker
        .add_expected("maker", Utc::now(), &payment("ARB Alice", "1500000.25"))
        .unwrap();
    maker
        .add_expected("maker", Utc::now(), &payment("ARB Bob", "200"))
        .unwrap();

    let sent = sync(&mut maker, &server.url, &maker_token, "maker", &Utc::now).unwrap();
    assert_eq!(
        (sent.push.pushed, sent.pull.applied, sent.pull.own),
        (5, 0, 5)
    );
    let got = sync(
        &mut checker,
        &server.url,
        &checker_token,
        "checker",
        &Utc::now,
    )
    .unwrap();
    assert_eq!(
        (got.push.pushed, got.pull.applied, got.pull.not_applied),
        (0, 5, 0)
    );
    assert_eq!(journal(&checker).len(), 1203);
    assert_eq!(journal(&checker), journal(&maker));
    assert_eq!(payments(&checker), payments(&maker));
    assert_eq!(
        checker.outbox_pending_count().unwrap(),
        0,
        "pulled work is not pushed back"
    );
    assert!(checker.audit_verify().unwrap().ok());
    let counts = checker.last_sync_counts().unwrap().unwrap();
    assert_eq!((counts.pushed, counts.pulled, counts.refused), (0, 5, 0));

    // Syncing again, then after the server's epoch changed (a restore): nothing changes.
    let records = checker.audit_verify().unwrap().records;
    let again = sync(
        &mut checker,
        &server.url,
        &checker_token,
        "checker",
        &Utc::now,
    )
    .unwrap();
    assert_eq!(again.pull.applied, 0);
    let cursor = checker.sync_cursor().unwrap().unwrap();
    server.rotate_epoch();
    let repull = sync(
        &mut checker,
        &server.url,
        &checker_token,
        "checker",
        &Utc::now,
    )
    .unwrap();
    assert_eq!((repull.pull.applied, repull.pull.already_had), (0, 5));
    assert_ne!(
        checker.sync_cursor().unwrap().unwrap(),
        cursor,
        "the new epoch's cursor"
    );
    assert_eq!(checker.audit_verify().unwrap().records, records);
    assert_eq!(journal(&checker), journal(&maker));

    // The checker's work reaches the maker.
    checker
        .add_expected("checker", Utc::now(), &payment("ARB Carol", "300"))
        .unwrap();
    sync(
        &mut checker,
        &server.url,
        &checker_token,
        "checker",
        &Utc::now,
    )
    .unwrap();
    let back = sync(&mut maker, &server.url, &maker_token, "maker", &Utc::now).unwrap();
    assert_eq!(back.pull.applied, 1);
    assert_eq!(payments(&maker), payments(&checker));

    // Another organization pulls nothing of Acme's.
    let mut eve = laptop(&dir, "eve.sqlite");
    let theirs = sync(&mut eve, &server.url, &globex_token, "eve", &Utc::now).unwrap();
    assert_eq!(
        (
            theirs.pull.applied,
            theirs.pull.not_applied,
            theirs.pull.own
        ),
        (0, 0, 0)
    );
    assert!(journal(&eve).is_empty() && payments(&eve).is_empty());
}

#[test]
fn a_change_the_server_refuses_is_listed_undone_and_replaced_by_the_accepted_one() {
    let server = Server::start();
    let maker_token = server.token("acme", "maker@acme.test");
    let checker_token = server.token("acme", "checker@acme.test");
    let dir = tempfile::tempdir().unwrap();
    let mut maker = laptop(&dir, "maker.sqlite");
    let mut checker = laptop(&dir, "checker.sqlite");
    maker
        .add_expected("maker", Utc::now(), &payment("ARB Bob", "100"))
        .unwrap();
    sync(&mut maker, &server.url, &maker_token, "maker", &Utc::now).unwrap();
    // Offline meanwhile, the checker adds the same memo at another amount.
    checker
        .add_expected("checker", Utc::now(), &payment("ARB  bob", "250"))
        .unwrap();

    let report = sync(
        &mut checker,
        &server.url,
        &checker_token,
        "checker",
        &Utc::now,
    )
    .unwrap();
    assert_eq!(
        report.push.pushed, 1,
        "a refused event is delivered, never retried"
    );
    assert_eq!(report.refused.len(), 1, "{report:?}");
    let refused = &report.refused[0];
    assert_eq!(
        (refused.kind.as_str(), refused.code.as_str()),
        ("expected_payments_added", "conflict")
    );
    assert!(refused.reason.contains("ARB  bob"), "{}", refused.reason);
    assert!(refused.undone);
    let amounts: Vec<_> = refused
        .conflicts
        .iter()
        .map(|c| (c.server.as_str(), c.event.as_str()))
        .collect();
    assert!(amounts.contains(&("100", "250")), "{:?}", refused.conflicts);
    // Undone, and the payment the server accepted (the maker's) took its place.
    assert_eq!(
        payments(&checker),
        vec![("ARB Bob".into(), "100.00".into(), "awaiting_payment".into())]
    );
    assert_eq!(report.pull.applied, 1);
    assert_eq!(checker.outbox_pending_count().unwrap(), 0);
    assert_eq!(
        checker.sync_refusals().unwrap().len(),
        1,
        "listed under Needs attention"
    );
    let counts = checker.last_sync_counts().unwrap().unwrap();
    assert_eq!((counts.pushed, counts.pulled, counts.refused), (1, 1, 1));
    let trail = checker.audit_tail(10).unwrap();
    assert!(
        trail.iter().any(|r| r.action == "sync.refused"
            && r.after
                .as_deref()
                .unwrap_or("")
                .contains("refused by the server: memo")),
        "{trail:?}"
    );
    assert!(checker.audit_verify().unwrap().ok());
    // Nothing of the refused payment reached the maker.
    sync(&mut maker, &server.url, &maker_token, "maker", &Utc::now).unwrap();
    assert_eq!(payments(&maker), payments(&checker));
}

/// Found by `recon-sim` (seed 9): a refused event with two payments is undone whole; the
/// one whose values the server holds from a colleague must come back, not stay cancelled.
#[test]
fn a_refused_payment_identical_to_a_colleagues_comes_back_after_the_undo() {
    let server = Server::start();
    let maker_token = server.token("acme", "maker@acme.test");
    let checker_token = server.token("acme", "checker@acme.test");
    let dir = tempfile::tempdir().unwrap();
    let mut maker = laptop(&dir, "maker.sqlite");
    let mut checker = laptop(&dir, "checker.sqlite");
    let file = |bob: &str| {
        format!(
            "cycle_id,character_name,character_id,expected_amount,currency,memo\n\
             2026-11,Bob,,{bob},ISK,ARB Bob\n2026-11,Ann,,50,ISK,ARB Ann\n"
        )
    };
    maker
        .import_expected("maker", Utc::now(), "m.csv", file("100").as_bytes())
        .unwrap();
    sync(&mut maker, &server.url, &maker_token, "maker", &Utc::now).unwrap();
    checker
        .import_expected("checker", Utc::now(), "c.csv", file("250").as_bytes())
        .unwrap();
    let report = sync(
        &mut checker,
        &server.url,
        &checker_token,
        "checker",
        &Utc::now,
    )
    .unwrap();
    assert_eq!(report.refused.len(), 1, "{report:?}");
    assert_eq!(
        payments(&checker),
        vec![
            ("ARB Ann".into(), "50.00".into(), "awaiting_payment".into()),
            ("ARB Bob".into(), "100.00".into(), "awaiting_payment".into()),
        ]
    );
    assert_eq!(payments(&checker), payments(&maker));
    assert!(checker.audit_verify().unwrap().ok());
}
