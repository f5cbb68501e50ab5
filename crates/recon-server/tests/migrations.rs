//! Migrations: idempotent, and a newer schema is refused.

mod common;

use common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connecting_twice_migrates_once() {
    let url = fresh_db_url().await;
    let first = recon_server::connect(&url).await.expect("first connect");
    let token = recon_server::create_token(&first, "Acme", "ana@acme.test")
        .await
        .unwrap();
    let second = recon_server::connect(&url).await.expect("second connect");
    // data survives and the token still works against the second pool
    let again = recon_server::create_token(&second, "Acme", "bob@acme.test")
        .await
        .unwrap();
    assert_ne!(token, again);
    let client = raw_client(&url).await;
    let versions: Vec<i64> = client
        .query(
            "SELECT version FROM schema_migrations ORDER BY version",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(
        versions,
        (1..=recon_server::LATEST_VERSION).collect::<Vec<_>>(),
        "each migration applied once, in order"
    );
    let orgs: i64 = client
        .query_one("SELECT count(*) FROM orgs", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(orgs, 1, "create_token reuses an existing organization");
    let stored: String = client
        .query_one("SELECT token_sha256 FROM devices ORDER BY id LIMIT 1", &[])
        .await
        .unwrap()
        .get(0);
    assert_ne!(stored, token, "only the hash of the token is stored");
    drop((first, second, client));
    recon_server::drop_test_database(&admin_url(), &url)
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_first_connects_do_not_race() {
    let url = fresh_db_url().await;
    let (a, b, c) = tokio::join!(
        recon_server::connect(&url),
        recon_server::connect(&url),
        recon_server::connect(&url)
    );
    a.expect("a");
    b.expect("b");
    c.expect("c");
    recon_server::drop_test_database(&admin_url(), &url)
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_from_the_future_is_refused() {
    let url = fresh_db_url().await;
    recon_server::connect(&url).await.expect("first connect");
    let future = recon_server::LATEST_VERSION + 41;
    raw_client(&url)
        .await
        .execute(
            "INSERT INTO schema_migrations (version) VALUES ($1)",
            &[&future],
        )
        .await
        .unwrap();
    let err = recon_server::connect(&url)
        .await
        .expect_err("a newer schema must be refused");
    let message = err.to_string();
    assert!(
        matches!(err, recon_server::ServerError::SchemaTooNew { .. }),
        "{message}"
    );
    assert!(message.contains(&future.to_string()), "{message}");
    assert!(
        message.contains(&format!("up to {}", recon_server::LATEST_VERSION)),
        "{message}"
    );
    recon_server::drop_test_database(&admin_url(), &url)
        .await
        .unwrap();
}
