//! The built binary: `token create` and `serve`.

mod common;

use std::process::{Command, Stdio};

use common::*;
use recon_sync::{WhoAmI, HEALTH_PATH, WHOAMI_PATH};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_create_prints_a_token_that_the_server_accepts() {
    let url = fresh_db_url().await;
    let output = tokio::task::spawn_blocking({
        let url = url.clone();
        move || {
            Command::new(BIN)
                .args([
                    "token",
                    "create",
                    "--org",
                    "Acme",
                    "--user",
                    "ana@acme.test",
                ])
                .args(["--database-url", &url])
                .output()
                .expect("run recon-server token create")
        }
    })
    .await
    .unwrap();
    assert!(
        output.status.success(),
        "token create failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8(output.stdout).unwrap();
    let token = stdout.trim();
    assert_eq!(
        stdout.lines().count(),
        1,
        "only the token on stdout: {stdout:?}"
    );
    assert!(token.starts_with("rdt_"), "{token}");

    // serve with the binary too, reading the bound address from stdout
    let (mut child, base) = spawn_serve(
        Command::new(BIN)
            .args(["serve", "--bind", "127.0.0.1:0"])
            .env("DATABASE_URL", &url)
            .stderr(Stdio::inherit()),
    )
    .await;

    let http = reqwest::Client::new();
    let health = http
        .get(format!("{base}{HEALTH_PATH}"))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status().as_u16(), 200);
    let who: WhoAmI = http
        .get(format!("{base}{WHOAMI_PATH}"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(who.org, "Acme");
    assert_eq!(who.user, "ana@acme.test");

    child.kill().unwrap();
    child.wait().unwrap();
    drop_db(&url).await;
}

#[test]
fn missing_database_url_is_a_clear_error() {
    let output = Command::new(BIN)
        .args(["migrate"])
        .env_remove("DATABASE_URL")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("DATABASE_URL"), "{stderr}");
}
