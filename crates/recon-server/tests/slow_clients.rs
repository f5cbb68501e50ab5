//! Half-sent requests are not held: a connection that stops in the middle of its request
//! head, or of its body, is closed within the server's bounds. Real server (its own accept
//! loop) on 127.0.0.1:0, real PostgreSQL.

mod common;

use std::time::{Duration, Instant};

use common::*;
use recon_server::ServeConfig;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const BOUND: Duration = Duration::from_secs(1);
/// How long past the bound the test waits before calling the connection held.
const SLACK: Duration = Duration::from_secs(4);

async fn server() -> (Harness, String) {
    let config = ServeConfig {
        header_read_timeout: BOUND,
        body_read_timeout: BOUND,
        ..ServeConfig::default()
    };
    let h = Harness::start_with(None, config).await;
    let addr = h.base.trim_start_matches("http://").to_owned();
    (h, addr)
}

/// Reads until the server closes the connection; what it said and how long it took.
async fn until_closed(mut stream: TcpStream) -> (String, Duration) {
    let started = Instant::now();
    let mut answer = Vec::new();
    let read = tokio::time::timeout(BOUND + SLACK, stream.read_to_end(&mut answer)).await;
    assert!(
        read.is_ok(),
        "the server still held the half-sent request after {:?}",
        BOUND + SLACK
    );
    (
        String::from_utf8_lossy(&answer).into_owned(),
        started.elapsed(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_half_sent_request_head_is_closed_within_the_bound() {
    let (h, addr) = server().await;
    let mut stream = TcpStream::connect(&addr).await.unwrap();
    stream
        .write_all(b"POST /api/v1/sync/push HTTP/1.1\r\nHost: x\r\nContent-Type: app")
        .await
        .unwrap();
    let (_, took) = until_closed(stream).await;
    assert!(took < BOUND + SLACK, "{took:?}");
    // The server still serves everyone else.
    let health = h
        .http
        .get(format!("{}/healthz", h.base))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status().as_u16(), 200);
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_half_sent_body_is_answered_408_and_closed_within_the_bound() {
    let (h, addr) = server().await;
    let token = h.token("Acme", "ana@acme.test").await;
    let mut stream = TcpStream::connect(&addr).await.unwrap();
    let head = format!(
        "POST /api/v1/sync/push HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n{{\"events\": ["
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let (answer, took) = until_closed(stream).await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("request_timeout"), "{answer}");
    assert!(took < BOUND + SLACK, "{took:?}");
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_organizations_requests_are_bounded_and_never_stall_another() {
    let hold = Duration::from_secs(3);
    let config = ServeConfig {
        header_read_timeout: hold,
        body_read_timeout: hold,
        ..ServeConfig::default()
    };
    let h = Harness::start_with(None, config).await;
    let addr = h.base.trim_start_matches("http://").to_owned();
    let acme = h.token("Acme", "ana@acme.test").await;
    let other = h.token("Other", "eve@other.test").await;
    // Acme's every place is taken by a request whose body never comes.
    let mut held = Vec::new();
    for _ in 0..recon_server::MAX_REQUESTS_PER_ORG {
        let mut stream = TcpStream::connect(&addr).await.unwrap();
        let head = format!(
            "POST /api/v1/sync/push HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {acme}\r\n\
             Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{{"
        );
        stream.write_all(head.as_bytes()).await.unwrap();
        held.push(stream);
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let whoami = |token: String| {
        let http = h.http.clone();
        let url = format!("{}{}", h.base, recon_sync::WHOAMI_PATH);
        async move {
            let started = Instant::now();
            let status = http
                .get(url)
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .status();
            (status.as_u16(), started.elapsed())
        }
    };
    let (acme_answer, other_answer) = tokio::join!(whoami(acme.clone()), whoami(other));
    assert_eq!(other_answer.0, 200);
    assert!(
        other_answer.1 < Duration::from_secs(1),
        "{:?}",
        other_answer.1
    );
    // Acme's next request waited for a place, and got one once the held bodies timed out.
    assert_eq!(acme_answer.0, 200);
    assert!(
        acme_answer.1 > Duration::from_secs(1),
        "{:?}",
        acme_answer.1
    );
    drop(held);
    h.finish().await;
}
