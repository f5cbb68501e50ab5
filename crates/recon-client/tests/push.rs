//! The device's outbox pushed to a real recon-server over a real PostgreSQL database.

mod common;

use chrono::Utc;
use common::{add_wallet, esi_line, import_esi, Server};
use recon_client::{push, SyncError};
use recon_store::Store;
use recon_sync::JournalPage;

/// The organization's journal as the server answers it to `token`.
fn journal(server: &Server, token: &str) -> JournalPage {
    server.journal(token, 10000, &reqwest::blocking::Client::new())
}

fn ledger_with_journal(
    dir: &tempfile::TempDir,
    name: &str,
    ids: std::ops::RangeInclusive<i64>,
) -> Store {
    ledger_with_journal_in(dir, name, ids, "ISK")
}

fn ledger_with_journal_in(
    dir: &tempfile::TempDir,
    name: &str,
    ids: std::ops::RangeInclusive<i64>,
    currency: &str,
) -> Store {
    let mut store = Store::open(&dir.path().join(name)).unwrap();
    if store.currency(currency).is_err() {
        let added = recon_core::money::Currency::new(currency, 0, currency).unwrap();
        store.add_currency("alice", Utc::now(), added).unwrap();
    }
    add_wallet(&mut store, "alice", currency);
    let lines: Vec<String> = ids
        .map(|id| esi_line(id, "d", "243877.49999999997", Some(&format!("ARB 1 P{id}"))))
        .collect();
    import_esi(&mut store, "alice", &lines);
    store
}

#[test]
fn pushing_twice_or_replaying_leaves_exactly_one_copy_on_the_server() {
    let server = Server::start();
    let token = server.token("acme", "alice@acme.test");
    let dir = tempfile::tempdir().unwrap();
    // 1203 lines → 3 outbox events
    let mut store = ledger_with_journal(&dir, "a.sqlite", 1..=1203);
    assert_eq!(store.outbox_pending_count().unwrap(), 3);

    let first = push(&mut store, &server.url, &token, &Utc::now).unwrap();
    assert_eq!((first.pushed, first.replayed, first.pending), (3, 0, 0));
    let page = journal(&server, &token);
    assert_eq!(page.total, 1203);
    assert_eq!(page.lines[0].line.amount.unwrap().to_string(), "243877.50");

    let again = push(&mut store, &server.url, &token, &Utc::now).unwrap();
    assert_eq!(again.pushed, 0, "nothing pending, nothing sent");

    // The answer of a push was lost: the device still thinks the events are pending.
    let path = store.path().to_path_buf();
    drop(store);
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute("UPDATE outbox SET sent_at = NULL", [])
        .unwrap();
    let mut store = Store::open(&path).unwrap();
    let replay = push(&mut store, &server.url, &token, &Utc::now).unwrap();
    assert_eq!((replay.pushed, replay.replayed), (3, 3));
    assert_eq!(
        journal(&server, &token).total,
        1203,
        "a replay adds nothing"
    );
    let status = store.sync_status().unwrap();
    assert_eq!(status.pending, 0);
    assert!(status.last_success_at.is_some() && status.last_error.is_none());

    // A colleague's laptop imports the same character's journal (plus one newer line).
    let mut colleague = ledger_with_journal(&dir, "b.sqlite", 1..=1204);
    let theirs = push(
        &mut colleague,
        &server.url,
        &server.token("acme", "bob@acme.test"),
        &Utc::now,
    )
    .unwrap();
    assert_eq!(theirs.pushed, 3);
    assert_eq!(
        journal(&server, &token).total,
        1204,
        "one copy of each line for the whole team"
    );
}

#[test]
fn events_the_server_stores_without_applying_are_delivered_all_the_same() {
    let server = Server::start();
    let token = server.token("acme", "alice@acme.test");
    let dir = tempfile::tempdir().unwrap();
    // An event the server does not apply: an expected payment in a currency the user
    // added (PLEX), which the server does not know. ESI journal lines are always ISK
    // since issue 13, so they cannot serve here.
    let mut store = Store::open(&dir.path().join("a.sqlite")).unwrap();
    let plex = recon_core::money::Currency::new("PLEX", 0, "PLEX").unwrap();
    store.add_currency("alice", Utc::now(), plex).unwrap();
    store
        .add_expected(
            "alice",
            Utc::now(),
            &recon_store::NewExpected {
                cycle_id: "c1".into(),
                character_name: "Pilot".into(),
                character_id: Some(101),
                expected_amount: "1000".into(),
                currency: "PLEX".into(),
                memo: String::new(),
            },
        )
        .unwrap();
    let report = push(&mut store, &server.url, &token, &Utc::now).unwrap();
    assert_eq!(
        (
            report.pushed,
            report.replayed,
            report.stored_not_applied,
            report.pending
        ),
        (1, 0, 1, 0)
    );
    assert_eq!(store.outbox_pending_count().unwrap(), 0, "marked sent");
    let status = store.sync_status().unwrap();
    assert!(status.last_success_at.is_some() && status.last_error.is_none());
    assert_eq!(journal(&server, &token).total, 0, "stored, not applied");
    let again = push(&mut store, &server.url, &token, &Utc::now).unwrap();
    assert_eq!(again.pushed, 0, "never pushed again");
}

#[test]
fn another_organization_sees_none_of_it() {
    let server = Server::start();
    let acme = server.token("acme", "alice@acme.test");
    let globex = server.token("globex", "eve@globex.test");
    let dir = tempfile::tempdir().unwrap();
    let mut store = ledger_with_journal(&dir, "a.sqlite", 1..=5);
    push(&mut store, &server.url, &acme, &Utc::now).unwrap();
    assert_eq!(journal(&server, &acme).total, 5);
    assert_eq!(journal(&server, &globex).total, 0);
}

#[test]
fn offline_is_reported_with_the_pending_count_and_kept_for_later() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = ledger_with_journal(&dir, "a.sqlite", 1..=3);
    // Port 9 on loopback: nothing listens there.
    let err = push(&mut store, "http://127.0.0.1:9", "rdt_x", &Utc::now).unwrap_err();
    assert!(
        matches!(err, SyncError::Unreachable { pending: 1, .. }),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "server unreachable (http://127.0.0.1:9), 1 pending"
    );
    let status = store.sync_status().unwrap();
    assert_eq!(status.pending, 1);
    assert_eq!(
        status.last_error.as_deref(),
        Some("server unreachable (http://127.0.0.1:9), 1 pending")
    );
    assert!(status.last_success_at.is_none());
}

#[test]
fn a_bad_token_is_refused_and_nothing_is_marked_sent() {
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let mut store = ledger_with_journal(&dir, "a.sqlite", 1..=3);
    let err = push(&mut store, &server.url, "rdt_not_a_token", &Utc::now).unwrap_err();
    assert_eq!(err.code(), "unauthorized");
    assert_eq!(store.outbox_pending_count().unwrap(), 1);
}
