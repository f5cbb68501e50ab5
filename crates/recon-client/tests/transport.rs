//! How the device reaches a real recon-server (real PostgreSQL): events bounded by bytes
//! so a large import is delivered, HTTPS with a certificate the test makes, and plain
//! HTTP refused to anything but a loopback address.

mod common;

use chrono::Utc;
use common::{add_wallet, esi_line, import_esi, Server};
use recon_client::{push, push_with, ClientOptions, SyncError};
use recon_store::Store;

/// A ledger with one ISK wallet and `count` imported ESI lines of `description_bytes`.
fn ledger(dir: &tempfile::TempDir, count: i64, description_bytes: usize) -> Store {
    let mut store = Store::open(&dir.path().join("a.sqlite")).unwrap();
    add_wallet(&mut store, "alice", "ISK");
    let description = "d".repeat(description_bytes);
    let lines: Vec<String> = (1..=count)
        .map(|id| esi_line(id, &description, "100.5", None))
        .collect();
    import_esi(&mut store, "alice", &lines);
    store
}

#[test]
fn five_hundred_lines_of_70_kb_are_delivered_in_bounded_requests() {
    let server = Server::start();
    let token = server.token("acme", "alice@acme.test");
    let dir = tempfile::tempdir().unwrap();
    // One 35 MB event before events were bounded by bytes: 413 on every try.
    let mut store = ledger(&dir, 500, 70_000);
    let pending = store.outbox_pending(1000).unwrap();
    assert!(pending.len() > 1, "split into several events");
    for event in &pending {
        let bytes = serde_json::to_vec(&event.event).unwrap().len();
        assert!(bytes < recon_sync::MAX_EVENT_BYTES, "{bytes}");
    }
    let report = push(&mut store, &server.url, &token, &Utc::now).unwrap();
    assert_eq!((report.pushed, report.pending), (pending.len() as i64, 0));
    let http = reqwest::blocking::Client::new();
    assert_eq!(server.journal(&token, 1, &http).total, 500);
}

#[test]
fn pushes_over_https_to_a_server_with_its_own_certificate() {
    let cert = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned()]).unwrap();
    let (cert_pem, key_pem) = (cert.cert.pem(), cert.key_pair.serialize_pem());
    let tls = recon_server::Tls::from_pem(cert_pem.as_bytes(), key_pem.as_bytes()).unwrap();
    let server = Server::start_with(Some(tls));
    assert!(server.url.starts_with("https://"));
    let token = server.token("acme", "alice@acme.test");
    let dir = tempfile::tempdir().unwrap();
    let mut store = ledger(&dir, 3, 10);

    // Not trusting the certificate: unreachable, nothing marked sent.
    let err = push_with(
        &mut store,
        &server.url,
        &token,
        &Utc::now,
        &ClientOptions::default(),
    )
    .unwrap_err();
    assert_eq!(err.code(), "server_unreachable", "{err}");
    assert_eq!(store.outbox_pending_count().unwrap(), 1);

    let trusting = ClientOptions {
        extra_roots_pem: vec![cert_pem.clone().into_bytes()],
        ..ClientOptions::default()
    };
    let report = push_with(&mut store, &server.url, &token, &Utc::now, &trusting).unwrap();
    assert_eq!((report.pushed, report.pending), (1, 0));
    let http = reqwest::blocking::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(cert_pem.as_bytes()).unwrap())
        .build()
        .unwrap();
    assert_eq!(server.journal(&token, 1, &http).total, 3);
}

#[test]
fn plain_http_to_another_machine_is_refused_before_anything_is_sent() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = ledger(&dir, 2, 10);
    let remote = "http://sync.example.invalid:8787";
    let err = push(&mut store, remote, "rdt_secret", &Utc::now).unwrap_err();
    assert!(matches!(err, SyncError::InsecureUrl(_)), "{err}");
    assert!(err.to_string().contains("--allow-insecure-http"), "{err}");
    assert_eq!(store.outbox_pending_count().unwrap(), 1);
    // Allowed explicitly, it is tried (and the host does not exist).
    let allowed = ClientOptions::default().allowing_insecure_http(true);
    let err = push_with(&mut store, remote, "rdt_secret", &Utc::now, &allowed).unwrap_err();
    assert_eq!(err.code(), "server_unreachable", "{err}");
}
