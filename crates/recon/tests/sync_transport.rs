//! `recon sync` sends the device token only over TLS, or to this machine: plain `http://`
//! to another host is refused unless `--allow-insecure-http`.

mod common;

use common::Ledger;

const JOURNAL: &str = r#"[{"id":1,"date":"2026-03-01T12:00:00Z","ref_type":"player_donation","description":"d","amount":100}]"#;

#[test]
fn plain_http_to_another_host_is_refused_unless_allowed() {
    let l = Ledger::new();
    l.ok(&["wallet", "add", "Main", "--owner-id", "90000001"]);
    let path = l.file("j.json", JOURNAL);
    l.ok(&["import", "esi-journal", "--wallet", "Main", &path]);
    let remote = "http://sync.example.invalid:8787";
    let env = [("RECON_TOKEN", "rdt_secret")];

    let out = l.run_with_env(&["sync", "--server", remote], &env);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("refusing plain HTTP") && stderr.contains("--allow-insecure-http"),
        "{stderr}"
    );

    let out = l.run_with_env(&["sync", "--server", remote, "--allow-insecure-http"], &env);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("server unreachable"),
        "tried when allowed: {stderr}"
    );
    assert!(stderr.contains("1 pending"), "{stderr}");
}

#[test]
fn a_server_that_answered_is_remembered_for_the_next_sync_and_one_that_did_not_is_not() {
    let server = common::TestServer::start();
    let l = Ledger::new();
    l.ok(&["wallet", "add", "Main", "--owner-id", "90000001"]);
    let path = l.file("j.json", JOURNAL);
    l.ok(&["import", "esi-journal", "--wallet", "Main", &path]);
    let env = [("RECON_TOKEN", server.token.as_str())];

    // A server that never answers is not kept.
    let out = l.run_with_env(&["sync", "--server", "http://127.0.0.1:9"], &env);
    assert_eq!(out.status.code(), Some(1));
    let out = l.run_with_env(&["sync"], &env);
    assert_eq!(out.status.code(), Some(1), "no server is saved yet");

    let given = format!("{}/", server.url);
    let out = l.run_with_env(&["sync", "--server", &given], &env);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The next sync needs no --server: it goes to the one that answered.
    let out = l.run_with_env(&["sync", "--json"], &env);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["status"]["server_url"], server.url.as_str());
    assert_eq!(report["status"]["pending"], 0);
}
