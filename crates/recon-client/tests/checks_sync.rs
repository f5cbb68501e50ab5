//! Wallet checks through the server (issue 12): two laptops of one organization converge
//! on workspace wallets, operations, check runs and their fixes; a fix decided on a wallet
//! a colleague moved first is refused, undone and listed under Needs attention; a replay
//! gets its first answer (also one stored before this server applied the kind); another
//! organization's token pulls none of it; a value the server cannot hold is refused.
//! Real recon-server on real PostgreSQL.

use chrono::Utc;
use recon_client::sync;
use recon_core::checks::WalletOp;
use recon_store::{CheckRunOptions, FixScope, Store, WalletOpRequest};
use recon_sync::{PushRequest, PushResponse, PUSH_PATH};

mod common;

use common::Server;

const WALLETS: &str = r#"[{"workspace_id":"ws1","wallet_id":"w1","currency":"NGN","balance":"1000","locked_balance":"100","as_of":"2026-02-16T09:00:00Z"}]"#;
const ACTIVATIONS: &str = r#"[{"activation_id":"a1","workspace_id":"ws1","status":"live","total_budget":"150","spent_amount":"50","currency":"NGN"}]"#;

fn laptop(dir: &tempfile::TempDir, name: &str) -> Store {
    Store::open(&dir.path().join(name)).unwrap()
}

fn import_platform(store: &mut Store, actor: &str) {
    store
        .import_workspace_wallets(actor, Utc::now(), "wallets.json", WALLETS.as_bytes())
        .unwrap();
    store
        .import_activations(
            actor,
            Utc::now(),
            "activations.json",
            ACTIVATIONS.as_bytes(),
        )
        .unwrap();
}

/// (wallet, balance, locked) in minor units.
fn balances(store: &Store) -> Vec<(String, i64, i64)> {
    store
        .workspace_wallets()
        .unwrap()
        .into_iter()
        .map(|w| (w.wallet_id, w.balance_minor, w.locked_minor))
        .collect()
}

fn op(store: &mut Store, actor: &str, op: WalletOp, amount: &str, reference: &str) {
    let request = WalletOpRequest {
        op,
        wallet_id: "w1",
        amount,
        reference_type: "activation",
        reference_id: reference,
    };
    store.record_wallet_op(actor, Utc::now(), &request).unwrap();
}

fn fix_all(store: &mut Store, actor: &str) -> String {
    let options = CheckRunOptions {
        fix: FixScope::All,
        ..Default::default()
    };
    let report = store.run_wallet_check(actor, Utc::now(), &options).unwrap();
    report.summary.run_id
}

fn server_wallet(server: &Server) -> Vec<String> {
    server.texts("SELECT wallet_id || ' ' || balance::text || ' ' || locked_balance::text FROM check_wallets")
}

#[test]
fn two_laptops_converge_on_wallet_operations_check_runs_and_adjustments() {
    let server = Server::start();
    let maker_token = server.token("acme", "maker");
    let checker_token = server.token("acme", "checker");
    let dir = tempfile::tempdir().unwrap();
    let mut maker = laptop(&dir, "maker.sqlite");
    let mut checker = laptop(&dir, "checker.sqlite");
    import_platform(&mut maker, "maker");
    sync(&mut maker, &server.url, &maker_token, "maker", &Utc::now).unwrap();
    let pulled = sync(
        &mut checker,
        &server.url,
        &checker_token,
        "checker",
        &Utc::now,
    )
    .unwrap();
    assert_eq!(pulled.pull.not_applied, 0, "{:?}", pulled.pull);
    assert_eq!(balances(&checker), vec![("w1".to_owned(), 100_000, 10_000)]);

    // The maker locks 5 for an activation; the checker's check finds it over-locked by 5
    // and fixes it; both laptops and the server end at the same balances and history.
    op(&mut maker, "maker", WalletOp::Lock, "5", "a9");
    sync(&mut maker, &server.url, &maker_token, "maker", &Utc::now).unwrap();
    sync(
        &mut checker,
        &server.url,
        &checker_token,
        "checker",
        &Utc::now,
    )
    .unwrap();
    assert_eq!(balances(&checker), vec![("w1".to_owned(), 99_500, 10_500)]);
    let run_id = fix_all(&mut checker, "checker");
    assert_eq!(balances(&checker), vec![("w1".to_owned(), 100_000, 10_000)]);
    let pushed = sync(
        &mut checker,
        &server.url,
        &checker_token,
        "checker",
        &Utc::now,
    )
    .unwrap();
    assert!(pushed.refused.is_empty(), "{:?}", pushed.refused);
    let pulled = sync(&mut maker, &server.url, &maker_token, "maker", &Utc::now).unwrap();
    assert_eq!(
        (pulled.pull.applied, pulled.pull.not_applied),
        (2, 0),
        "{:?}",
        pulled.pull
    );
    assert_eq!(balances(&maker), balances(&checker));
    assert_eq!(server_wallet(&server), vec!["w1 1000.00 100.00".to_owned()]);
    let runs = maker.check_runs().unwrap();
    assert!(
        runs.iter()
            .any(|r| r.run_id == run_id && r.actor == "checker" && r.fixed == 1),
        "{runs:?}"
    );
    assert_eq!(maker.wallet_adjustment_count("w1").unwrap(), 1);
    assert_eq!(
        server.texts("SELECT run_by FROM check_runs"),
        vec!["checker".to_owned()]
    );
    assert_eq!(
        server.texts(
            "SELECT tx_type || ' ' || amount::text FROM check_transactions ORDER BY tx_type"
        ),
        vec!["adjustment -5.00".to_owned(), "lock 5.00".to_owned()]
    );
    // Syncing again pulls nothing new and changes nothing.
    let again = sync(&mut maker, &server.url, &maker_token, "maker", &Utc::now).unwrap();
    assert_eq!(again.pull.applied, 0);
    assert_eq!(balances(&maker), balances(&checker));
    assert!(maker.audit_verify().unwrap().ok());
    assert!(checker.audit_verify().unwrap().ok());
}

#[test]
fn a_fix_decided_on_a_wallet_a_colleague_moved_is_refused_undone_and_listed() {
    let server = Server::start();
    let maker_token = server.token("acme", "maker");
    let checker_token = server.token("acme", "checker");
    let dir = tempfile::tempdir().unwrap();
    let mut maker = laptop(&dir, "maker.sqlite");
    let mut checker = laptop(&dir, "checker.sqlite");
    import_platform(&mut maker, "maker");
    sync(&mut maker, &server.url, &maker_token, "maker", &Utc::now).unwrap();
    sync(
        &mut checker,
        &server.url,
        &checker_token,
        "checker",
        &Utc::now,
    )
    .unwrap();

    // The maker locks 4 and syncs; the checker, not having pulled it, locks 2 and fixes
    // its wallet back to 100 locked: on the server the wallet holds 106, not 102.
    op(&mut maker, "maker", WalletOp::Lock, "4", "a7");
    sync(&mut maker, &server.url, &maker_token, "maker", &Utc::now).unwrap();
    op(&mut checker, "checker", WalletOp::Lock, "2", "a8");
    fix_all(&mut checker, "checker");
    assert_eq!(balances(&checker), vec![("w1".to_owned(), 100_000, 10_000)]);

    let report = sync(
        &mut checker,
        &server.url,
        &checker_token,
        "checker",
        &Utc::now,
    )
    .unwrap();
    assert_eq!(report.refused.len(), 1, "{:?}", report.refused);
    let refused = &report.refused[0];
    assert_eq!(
        (refused.kind.as_str(), refused.code.as_str()),
        ("wallet_adjusted", "conflict")
    );
    let locked = refused
        .conflicts
        .iter()
        .find(|c| c.field == "wallet 'w1' locked balance")
        .unwrap_or_else(|| panic!("{refused:?}"));
    assert_eq!(
        (locked.server.as_str(), locked.event.as_str()),
        ("106", "102")
    );
    assert!(refused.undone, "{refused:?}");
    // Undone (998 / 102) and the maker's lock pulled on top: the server's 994 / 106.
    assert_eq!(balances(&checker), vec![("w1".to_owned(), 99_400, 10_600)]);
    assert_eq!(checker.wallet_adjustment_count("w1").unwrap(), 0);
    sync(&mut maker, &server.url, &maker_token, "maker", &Utc::now).unwrap();
    assert_eq!(balances(&maker), balances(&checker));
    assert_eq!(server_wallet(&server), vec!["w1 994.00 106.00".to_owned()]);
    assert_eq!(checker.sync_refusals().unwrap().len(), 1, "Needs attention");
    let trail = checker.audit_tail(20).unwrap();
    assert!(
        trail.iter().any(|r| r.action == "sync.refused"
            && r.entity == "workspace_wallet"
            && r.after
                .as_deref()
                .unwrap_or("")
                .contains("refused by the server: ")),
        "{trail:?}"
    );
    assert!(checker.audit_verify().unwrap().ok());
    assert!(maker.audit_verify().unwrap().ok());
}

fn push(server: &Server, token: &str, request: &PushRequest) -> PushResponse {
    let response = reqwest::blocking::Client::new()
        .post(format!("{}{PUSH_PATH}", server.url))
        .bearer_auth(token)
        .json(request)
        .send()
        .unwrap();
    assert!(response.status().is_success(), "{}", response.status());
    response.json().unwrap()
}

#[test]
fn a_replayed_wallet_event_gets_its_first_answer_and_another_org_pulls_none_of_it() {
    let server = Server::start();
    let maker_token = server.token("acme", "maker");
    let dir = tempfile::tempdir().unwrap();
    let mut maker = laptop(&dir, "maker.sqlite");
    import_platform(&mut maker, "maker");
    op(&mut maker, "maker", WalletOp::Lock, "5", "a9");
    let events: Vec<_> = maker
        .outbox_pending(100)
        .unwrap()
        .into_iter()
        .map(|o| o.event)
        .collect();
    assert_eq!(events.len(), 3);
    let first = sync(&mut maker, &server.url, &maker_token, "maker", &Utc::now).unwrap();
    assert!(first.refused.is_empty());
    let replay = push(&server, &maker_token, &PushRequest { events });
    for result in &replay.results {
        assert!(result.replayed, "{result:?}");
        assert!(
            result.answer.applied && result.answer.refused.is_none(),
            "{result:?}"
        );
    }
    assert_eq!(
        replay.results[2].answer.inserted, 1,
        "the lock's first answer"
    );
    assert_eq!(
        server_wallet(&server),
        vec!["w1 995.00 105.00".to_owned()],
        "applied once"
    );

    // Another organization's laptop pulls none of acme's wallets; its own wallet of the
    // same platform id is its own.
    let rival_token = server.token("rival", "eve");
    let mut eve = laptop(&dir, "eve.sqlite");
    let pulled = sync(&mut eve, &server.url, &rival_token, "eve", &Utc::now).unwrap();
    assert_eq!((pulled.pull.applied, pulled.pull.not_applied), (0, 0));
    assert!(eve.workspace_wallets().unwrap().is_empty());
    import_platform(&mut eve, "eve");
    op(&mut eve, "eve", WalletOp::Lock, "1", "a9");
    let pushed = sync(&mut eve, &server.url, &rival_token, "eve", &Utc::now).unwrap();
    assert!(pushed.refused.is_empty(), "{:?}", pushed.refused);
    let by_org = server.texts(
        "SELECT o.name || ' ' || w.balance::text || ' ' || w.locked_balance::text
           FROM check_wallets w JOIN orgs o ON o.id = w.org_id ORDER BY o.name",
    );
    assert_eq!(
        by_org,
        vec![
            "acme 995.00 105.00".to_owned(),
            "rival 999.00 101.00".to_owned()
        ]
    );
    assert_eq!(balances(&eve), vec![("w1".to_owned(), 99_900, 10_100)]);
}

#[test]
fn a_wallet_event_stored_before_this_server_applied_its_kind_replays_its_first_answer() {
    let server = Server::start();
    let maker_token = server.token("acme", "maker");
    let dir = tempfile::tempdir().unwrap();
    let mut maker = laptop(&dir, "maker.sqlite");
    import_platform(&mut maker, "maker");
    let events: Vec<_> = maker
        .outbox_pending(100)
        .unwrap()
        .into_iter()
        .map(|o| o.event)
        .collect();
    // What a server before the wallet-check kinds kept: the untyped digest and its
    // "stored; not applied" answer.
    let e = &events[0];
    let payload = serde_json::to_value(&e.body).unwrap()["payload"].to_string();
    let raw = serde_json::value::RawValue::from_string(payload.clone()).unwrap();
    let digest = recon_sync::untyped_digest_hex(e.body.kind(), &raw).unwrap();
    let answer = serde_json::to_string(&recon_sync::EventAnswer::stored_not_applied(format!(
        "stored; this server does not apply '{}' yet",
        e.body.kind()
    )))
    .unwrap();
    server.execute(&format!(
        "INSERT INTO sync_events (org_id, event_id, kind, body_sha256, answer, created_at, device_id,
                                  client_device_id, device_seq, payload)
         SELECT d.org_id, '{}', '{}', '{digest}', '{}'::jsonb, '{}', d.id, '{}', 1, '{}'::jsonb
           FROM devices d WHERE d.user_email = 'maker'",
        e.id,
        e.body.kind(),
        answer.replace('\'', "''"),
        e.created_at,
        e.device_id,
        payload.replace('\'', "''"),
    ));
    let replay = push(
        &server,
        &maker_token,
        &PushRequest {
            events: vec![e.clone()],
        },
    );
    assert!(replay.results[0].replayed, "{replay:?}");
    assert!(
        !replay.results[0].answer.applied,
        "its first answer: {replay:?}"
    );
    assert_eq!(
        replay.results[0].answer.note.as_deref(),
        Some("stored; this server does not apply 'workspace_wallets_imported' yet")
    );
    // The next event of the device, new to the server, is applied.
    let fresh = push(
        &server,
        &maker_token,
        &PushRequest {
            events: vec![events[1].clone()],
        },
    );
    assert!(!fresh.results[0].replayed, "{fresh:?}");
    assert!(fresh.results[0].answer.applied, "{fresh:?}");
    assert_eq!(
        server.texts("SELECT activation_id || ' ' || status FROM check_activations"),
        vec!["a1 live".to_owned()]
    );
}

#[test]
fn a_wallet_in_a_currency_the_server_does_not_know_is_refused_and_listed() {
    let server = Server::start();
    let maker_token = server.token("acme", "maker");
    let dir = tempfile::tempdir().unwrap();
    let mut maker = laptop(&dir, "maker.sqlite");
    maker
        .add_currency(
            "maker",
            Utc::now(),
            recon_core::money::Currency::new("ZZZ", 2, "Local test money").unwrap(),
        )
        .unwrap();
    let file = WALLETS.replace("NGN", "ZZZ");
    maker
        .import_workspace_wallets("maker", Utc::now(), "wallets.json", file.as_bytes())
        .unwrap();
    let report = sync(&mut maker, &server.url, &maker_token, "maker", &Utc::now).unwrap();
    assert_eq!(report.refused.len(), 1, "{:?}", report.refused);
    let refused = &report.refused[0];
    assert_eq!(
        (refused.kind.as_str(), refused.code.as_str()),
        ("workspace_wallets_imported", "invalid_value")
    );
    assert!(
        refused.reason.contains("unknown currency 'ZZZ'"),
        "{}",
        refused.reason
    );
    assert!(
        !refused.undone,
        "an import is what the platform's file said: not undone"
    );
    assert_eq!(maker.sync_refusals().unwrap().len(), 1, "Needs attention");
    assert!(server_wallet(&server).is_empty());
    assert_eq!(balances(&maker).len(), 1, "kept on the laptop");
}

#[test]
fn a_snapshot_two_laptops_imported_with_other_balances_is_refused_with_both_values() {
    let server = Server::start();
    let maker_token = server.token("acme", "maker");
    let checker_token = server.token("acme", "checker");
    let dir = tempfile::tempdir().unwrap();
    let mut maker = laptop(&dir, "maker.sqlite");
    let mut checker = laptop(&dir, "checker.sqlite");
    import_platform(&mut maker, "maker");
    let other = WALLETS.replace(r#""balance":"1000""#, r#""balance":"1200""#);
    checker
        .import_workspace_wallets("checker", Utc::now(), "wallets.json", other.as_bytes())
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
    assert_eq!(report.refused.len(), 1, "{:?}", report.refused);
    let refused = &report.refused[0];
    assert_eq!(
        (refused.kind.as_str(), refused.code.as_str(), refused.undone),
        ("workspace_wallets_imported", "conflict", false)
    );
    let balance = &refused.conflicts[0];
    assert_eq!(
        (
            balance.field.as_str(),
            balance.server.as_str(),
            balance.event.as_str()
        ),
        (
            "wallet 'w1' snapshot as of 2026-02-16T09:00:00.000Z balance",
            "1000",
            "1200"
        )
    );
    // The server kept the first; the maker's snapshot is kept here as not applied.
    assert_eq!(server_wallet(&server), vec!["w1 1000.00 100.00".to_owned()]);
    assert_eq!(balances(&checker), vec![("w1".to_owned(), 120_000, 10_000)]);
    assert_eq!(checker.sync_refusals().unwrap().len(), 1, "Needs attention");
    let waiting = checker.remote_events_waiting().unwrap();
    assert!(
        waiting
            .iter()
            .any(|w| w.kind == "workspace_wallets_imported" && w.state == "not_applied"),
        "{waiting:?}"
    );
}

#[test]
fn a_lock_the_servers_balance_cannot_cover_is_refused_and_undone() {
    let server = Server::start();
    let maker_token = server.token("acme", "maker");
    let checker_token = server.token("acme", "checker");
    let dir = tempfile::tempdir().unwrap();
    let mut maker = laptop(&dir, "maker.sqlite");
    let mut checker = laptop(&dir, "checker.sqlite");
    import_platform(&mut maker, "maker");
    sync(&mut maker, &server.url, &maker_token, "maker", &Utc::now).unwrap();
    sync(
        &mut checker,
        &server.url,
        &checker_token,
        "checker",
        &Utc::now,
    )
    .unwrap();
    // Each laptop's balance of 1000 covers its own lock; together they do not.
    op(&mut maker, "maker", WalletOp::Lock, "600", "a1");
    op(&mut checker, "checker", WalletOp::Lock, "500", "a2");
    sync(&mut maker, &server.url, &maker_token, "maker", &Utc::now).unwrap();
    let report = sync(
        &mut checker,
        &server.url,
        &checker_token,
        "checker",
        &Utc::now,
    )
    .unwrap();
    assert_eq!(report.refused.len(), 1, "{:?}", report.refused);
    let refused = &report.refused[0];
    assert_eq!(
        (refused.kind.as_str(), refused.code.as_str(), refused.undone),
        ("wallet_operation_recorded", "rule_broken", true)
    );
    assert!(
        refused.reason.contains("insufficient balance"),
        "{}",
        refused.reason
    );
    // Undone, and the maker's lock pulled in its place.
    assert_eq!(balances(&checker), vec![("w1".to_owned(), 40_000, 70_000)]);
    assert_eq!(server_wallet(&server), vec!["w1 400.00 700.00".to_owned()]);
    sync(&mut maker, &server.url, &maker_token, "maker", &Utc::now).unwrap();
    assert_eq!(balances(&maker), balances(&checker));
    assert!(checker.audit_verify().unwrap().ok());
}
