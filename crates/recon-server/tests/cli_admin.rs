//! The built binary for an administrator: `devices --org`, `token revoke`, and `serve`
//! over HTTPS with `--tls-cert` / `--tls-key`.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Output, Stdio};

use common::*;
use recon_sync::{HEALTH_PATH, WHOAMI_PATH};

async fn run(db_url: &str, args: &[&str]) -> Output {
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    let db_url = db_url.to_owned();
    tokio::task::spawn_blocking(move || {
        Command::new(BIN)
            .args(&args)
            .env("DATABASE_URL", db_url)
            .env("RUST_LOG", "warn")
            .output()
            .expect("run recon-server")
    })
    .await
    .unwrap()
}

fn stdout(output: &Output) -> String {
    assert!(
        output.status.success(),
        "failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout.clone()).unwrap()
}

/// `token create` for ana@acme.test by the binary: its stdout, the token and a newline.
async fn ana_token(db_url: &str) -> String {
    let args = [
        "token",
        "create",
        "--org",
        "Acme",
        "--user",
        "ana@acme.test",
    ];
    stdout(&run(db_url, &args).await)
}

async fn whoami_status(h: &Harness, token: &str) -> u16 {
    h.http
        .get(format!("{}{WHOAMI_PATH}", h.base))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn devices_are_listed_and_a_revoked_token_is_refused() {
    let h = Harness::start().await;
    let ana = ana_token(&h.db_url).await;
    let ana = ana.trim();
    let ben = h.token("Acme", "ben@acme.test").await;
    h.token("Other", "eve@other.test").await;
    assert_eq!(whoami_status(&h, ana).await, 200);

    let listing = stdout(&run(&h.db_url, &["devices", "--org", "Acme"]).await);
    let rows: Vec<Vec<&str>> = listing
        .lines()
        .skip(1)
        .map(|l| l.split('\t').collect())
        .collect();
    assert_eq!(rows.len(), 2, "{listing}");
    assert_eq!((rows[0][1], rows[1][1]), ("ana@acme.test", "ben@acme.test"));
    assert!(
        rows.iter().all(|r| r[3] == "-"),
        "none revoked yet: {listing}"
    );
    assert!(!listing.contains("eve@other.test"), "{listing}");
    assert!(!listing.contains(ana), "the token itself is never shown");

    let revoked = stdout(&run(&h.db_url, &["token", "revoke", "--token", ana]).await);
    assert!(revoked.starts_with("revoked device"), "{revoked}");
    assert_eq!(whoami_status(&h, ana).await, 401);
    assert_eq!(whoami_status(&h, &ben).await, 200);
    let again = run(&h.db_url, &["token", "revoke", "--token", ana]).await;
    assert!(
        !again.status.success(),
        "revoking twice is not taken for success"
    );

    let ben_id = rows[1][0];
    stdout(
        &run(
            &h.db_url,
            &["token", "revoke", "--org", "Acme", "--device", ben_id],
        )
        .await,
    );
    assert_eq!(whoami_status(&h, &ben).await, 401);
    let listing = stdout(&run(&h.db_url, &["devices", "--org", "Acme"]).await);
    assert!(
        listing
            .lines()
            .skip(1)
            .all(|l| l.split('\t').nth(3) != Some("-")),
        "{listing}"
    );
    // Another organization's device is not revoked through this one.
    let wrong = run(
        &h.db_url,
        &["token", "revoke", "--org", "Other", "--device", ben_id],
    )
    .await;
    assert!(!wrong.status.success());
    let unknown = run(&h.db_url, &["devices", "--org", "Nobody"]).await;
    assert!(!unknown.status.success());
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_with_tls_cert_and_key_answers_https() {
    let url = fresh_db_url().await;
    let dir = tempfile_dir();
    let cert = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned()]).unwrap();
    let cert_path = dir.join("cert.pem");
    let key_path = dir.join("key.pem");
    std::fs::write(&cert_path, cert.cert.pem()).unwrap();
    std::fs::write(&key_path, cert.key_pair.serialize_pem()).unwrap();
    let (mut child, base) = spawn_serve(
        Command::new(BIN)
            .args(["serve", "--bind", "127.0.0.1:0", "--tls-cert"])
            .arg(&cert_path)
            .arg("--tls-key")
            .arg(&key_path)
            .env("DATABASE_URL", &url)
            .stderr(Stdio::inherit()),
    )
    .await;
    assert!(base.starts_with("https://"), "{base}");
    let https = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(cert.cert.pem().as_bytes()).unwrap())
        .build()
        .unwrap();
    let health = https
        .get(format!("{base}{HEALTH_PATH}"))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status().as_u16(), 200);
    child.kill().unwrap();
    child.wait().unwrap();
    let _ = std::fs::remove_dir_all(&dir);

    // Only one of the two is a clear error, not a plain-HTTP server.
    let half = run(
        &url,
        &["serve", "--bind", "127.0.0.1:0", "--tls-cert", "x.pem"],
    )
    .await;
    assert!(!half.status.success());
    drop_db(&url).await;
}

fn tempfile_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("recon-server-tls-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_refusal_is_logged_with_org_device_and_reason() {
    let url = fresh_db_url().await;
    let token = ana_token(&url).await;
    let (mut child, base) = serve_logging(&url).await;
    let mut bad = line(2, "2.00");
    bad.description = "a\u{0}b".into();
    let response = reqwest::Client::new()
        .post(format!("{base}{}", recon_sync::PUSH_PATH))
        .bearer_auth(token.trim())
        .json(&recon_sync::PushRequest {
            events: vec![event("character:1:", vec![bad])],
        })
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let logged = &log_lines(&mut child, &["event refused"]).await[0];
    for part in [
        "org=Acme",
        "device=",
        "user=ana@acme.test",
        "code=InvalidValue",
        "reason=journal line 2 description",
    ] {
        assert!(logged.contains(part), "{part} not in {logged}");
    }
    drop_db(&url).await;
}

/// `serve` on a free port with its log (`RUST_LOG=info`) piped for [`log_lines`].
async fn serve_logging(db_url: &str) -> (std::process::Child, String) {
    spawn_serve(
        Command::new(BIN)
            .args(["serve", "--bind", "127.0.0.1:0"])
            .env("DATABASE_URL", db_url)
            .env("RUST_LOG", "info")
            .stderr(Stdio::piped()),
    )
    .await
}

/// Reads the server's log until a line holding each of `messages` has come, then stops
/// the server; after 10 s it stops the server (so the reader ends) and fails.
async fn log_lines(child: &mut std::process::Child, messages: &[&'static str]) -> Vec<String> {
    let err = child.stderr.take().unwrap();
    let messages = messages.to_vec();
    let found = tokio::task::spawn_blocking(move || {
        let mut found = vec![String::new(); messages.len()];
        for l in BufReader::new(err).lines().map_while(Result::ok) {
            for (i, m) in messages.iter().enumerate() {
                if found[i].is_empty() && l.contains(m) {
                    found[i] = l.clone();
                }
            }
            if found.iter().all(|f| !f.is_empty()) {
                break;
            }
        }
        found
    });
    let found = tokio::time::timeout(std::time::Duration::from_secs(10), found).await;
    child.kill().unwrap();
    child.wait().unwrap();
    found.expect("the log lines").unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stale_cursor_and_a_refused_audit_head_are_logged_with_org_device_and_reason() {
    let url = fresh_db_url().await;
    let token = ana_token(&url).await;
    let token = token.trim();
    let (mut child, base) = serve_logging(&url).await;
    let http = reqwest::Client::new();
    // A cursor of another database (a restore): answered from the start, and logged.
    let stale = recon_sync::pull::Cursor {
        epoch: uuid::Uuid::new_v4(),
        position: 7,
    };
    let page: recon_sync::pull::PullPage = http
        .get(format!("{base}{}", recon_sync::pull::PULL_PATH))
        .bearer_auth(token)
        .query(&[("after", stale.to_string())])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(page.reset);
    // A ledger's audit head that went back from record 5 to record 3.
    let head = |seq: i64, digit: &str, at_known: Option<i64>| recon_sync::audit::AuditHeadPush {
        device_id: DEVICE,
        head: recon_sync::audit::AuditHead {
            seq,
            hash: digit.repeat(64),
        },
        at_known: at_known.map(|seq| recon_sync::audit::AuditHeadAt {
            seq,
            hash: Some("a".repeat(64)),
        }),
    };
    for (push, status) in [(head(5, "a", None), 200), (head(3, "b", Some(5)), 409)] {
        let response = http
            .post(format!("{base}{}", recon_sync::AUDIT_HEAD_PATH))
            .bearer_auth(token)
            .json(&push)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), status);
    }
    let messages = ["pull cursor not of this database", "audit head refused"];
    let logged = log_lines(&mut child, &messages).await;
    let (pull, head) = (&logged[0], &logged[1]);
    for part in [
        "org=Acme",
        "device=",
        "user=ana@acme.test",
        &format!("cursor={stale}"),
    ] {
        assert!(pull.contains(part), "{part} not in {pull}");
    }
    for part in [
        "org=Acme",
        "device=",
        "user=ana@acme.test",
        &format!("ledger={DEVICE}"),
        "code=\"audit_chain_cut\"",
        "reason=",
    ] {
        assert!(head.contains(part), "{part} not in {head}");
    }
    drop_db(&url).await;
}
