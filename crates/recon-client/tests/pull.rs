//! Two laptops of one organization (device tokens of `maker` and `checker`) syncing
//! through a real recon-server on real PostgreSQL: each one's work appears on the other,
//! a page applied twice or re-pulled after an epoch change changes nothing, another
//! organization pulls nothing, and a refused change is listed and undone.

mod common;

use chrono::Utc;
use common::{import_journal, payment, Server};
use recon_store::{JournalQuery, Store};

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
    let dir = tempfile::tempdir().unwrap();
    let mut maker = server.laptop(&dir, "maker", "acme", "maker@acme.test");
    let mut checker = server.laptop(&dir, "checker", "acme", "checker@acme.test");
    import_journal(&mut maker, 1..=1203);
    maker
        .add_expected("maker", Utc::now(), &payment("ARB Alice", "1500000.25"))
        .unwrap();
    maker
        .add_expected("maker", Utc::now(), &payment("ARB Bob", "200"))
        .unwrap();

    let sent = maker.sync();
    assert_eq!(
        (sent.push.pushed, sent.pull.applied, sent.pull.own),
        (5, 0, 5)
    );
    let got = checker.sync();
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
    let again = checker.sync();
    assert_eq!(again.pull.applied, 0);
    let cursor = checker.sync_cursor().unwrap().unwrap();
    server.rotate_epoch();
    let repull = checker.sync();
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
    checker.sync();
    let back = maker.sync();
    assert_eq!(back.pull.applied, 1);
    assert_eq!(payments(&maker), payments(&checker));

    // Another organization pulls nothing of Acme's.
    let mut eve = server.laptop(&dir, "eve", "globex", "eve@globex.test");
    let theirs = eve.sync();
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
    let dir = tempfile::tempdir().unwrap();
    let mut maker = server.laptop(&dir, "maker", "acme", "maker@acme.test");
    let mut checker = server.laptop(&dir, "checker", "acme", "checker@acme.test");
    maker
        .add_expected("maker", Utc::now(), &payment("ARB Bob", "100"))
        .unwrap();
    maker.sync();
    // Offline meanwhile, the checker adds the same memo at another amount.
    checker
        .add_expected("checker", Utc::now(), &payment("ARB  bob", "250"))
        .unwrap();

    let report = checker.sync();
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
    maker.sync();
    assert_eq!(payments(&maker), payments(&checker));
}

/// Found by `recon-sim` (seed 9): a refused event with two payments is undone whole; the
/// one whose values the server holds from a colleague must come back, not stay cancelled.
#[test]
fn a_refused_payment_identical_to_a_colleagues_comes_back_after_the_undo() {
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let mut maker = server.laptop(&dir, "maker", "acme", "maker@acme.test");
    let mut checker = server.laptop(&dir, "checker", "acme", "checker@acme.test");
    let file = |bob: &str| {
        format!(
            "cycle_id,character_name,character_id,expected_amount,currency,memo\n\
             2026-11,Bob,,{bob},ISK,ARB Bob\n2026-11,Ann,,50,ISK,ARB Ann\n"
        )
    };
    maker
        .import_expected("maker", Utc::now(), "m.csv", file("100").as_bytes())
        .unwrap();
    maker.sync();
    checker
        .import_expected("checker", Utc::now(), "c.csv", file("250").as_bytes())
        .unwrap();
    let report = checker.sync();
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

/// Issue 12 item 2: once the laptop has a device token its user is the token's user, so
/// a colleague's work pulled here is recorded under that name, not the login the app or
/// `recon` started under (`RECON_USER` / the OS login).
#[test]
fn pulled_work_is_audited_under_the_token_user_not_the_start_up_login() {
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let mut maker = server.laptop(&dir, "maker", "acme", "maker@acme.test");
    let mut checker = server.laptop(&dir, "checker", "acme", "checker@acme.test");
    maker
        .add_expected("maker", Utc::now(), &payment("ARB Alice", "100"))
        .unwrap();
    maker.sync();
    // The first sync of this laptop: the process started as the OS login `jdoe`.
    let got = checker.sync_as("jdoe");
    assert_eq!(got.pull.applied, 1);
    assert_eq!(
        checker.token_user().unwrap().as_deref(),
        Some("checker@acme.test")
    );
    let trail = checker.audit_list(None, 50).unwrap();
    let pulled: Vec<_> = trail
        .iter()
        .filter(|r| r.entity == "expected_payment")
        .collect();
    assert!(!pulled.is_empty(), "{trail:?}");
    for record in &pulled {
        assert_eq!(record.actor, "checker@acme.test", "{record:?}");
    }
    assert!(
        trail.iter().all(|r| r.actor != "jdoe"),
        "nothing recorded under the start-up login: {trail:?}"
    );
    assert!(checker.audit_verify().unwrap().ok());
}
