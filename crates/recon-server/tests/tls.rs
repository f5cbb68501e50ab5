//! HTTPS served by the server itself (rustls), with a self-signed certificate this test
//! generates; `/healthz` is the one endpoint answered without a token.

mod common;

use common::*;
use recon_server::{ServeConfig, Tls};
use recon_sync::{WhoAmI, AUDIT_HEAD_PATH, HEALTH_PATH, JOURNAL_PATH, PUSH_PATH, WHOAMI_PATH};

/// A self-signed certificate for `localhost` and 127.0.0.1: (certificate PEM, key PEM).
fn self_signed() -> (String, String) {
    let names = vec!["localhost".to_owned(), "127.0.0.1".to_owned()];
    let cert = rcgen::generate_simple_self_signed(names).expect("generate a certificate");
    (cert.cert.pem(), cert.key_pair.serialize_pem())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_serves_https_with_its_own_certificate() {
    let (cert_pem, key_pem) = self_signed();
    let tls = Tls::from_pem(cert_pem.as_bytes(), key_pem.as_bytes()).unwrap();
    let h = Harness::start_with(Some(tls), ServeConfig::default()).await;
    assert!(h.base.starts_with("https://127.0.0.1:"), "{}", h.base);
    let token = h.token("Acme", "ana@acme.test").await;
    let https = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(cert_pem.as_bytes()).unwrap())
        .build()
        .unwrap();

    let health = https
        .get(format!("{}{HEALTH_PATH}", h.base))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status().as_u16(), 200);
    assert_eq!(health.text().await.unwrap(), "ok");
    let who: WhoAmI = https
        .get(format!("{}{WHOAMI_PATH}", h.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(who.user, "ana@acme.test");
    let response = https
        .post(format!("{}{PUSH_PATH}", h.base))
        .bearer_auth(&token)
        .json(&recon_sync::PushRequest {
            events: vec![event("character:90000001:", vec![line(1, "1.00")])],
        })
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);

    // Every other endpoint needs the token.
    for (method, path) in [
        ("GET", WHOAMI_PATH),
        ("GET", JOURNAL_PATH),
        ("POST", PUSH_PATH),
        ("GET", AUDIT_HEAD_PATH),
    ] {
        let request = match method {
            "GET" => https.get(format!("{}{path}", h.base)),
            _ => https.post(format!("{}{path}", h.base)).body("{}"),
        };
        let (status, body) = error_of(request.send().await.unwrap()).await;
        assert_eq!(
            (status, body.code.as_str()),
            (401, "unauthorized"),
            "{method} {path}"
        );
    }

    // A client that does not trust the certificate, or speaks plain HTTP, gets nothing.
    let untrusting = reqwest::Client::new();
    assert!(untrusting
        .get(format!("{}{HEALTH_PATH}", h.base))
        .send()
        .await
        .is_err());
    let plain = h.base.replace("https://", "http://");
    let answer = untrusting.get(format!("{plain}{HEALTH_PATH}")).send().await;
    assert!(
        answer.map(|r| r.status().as_u16() != 200).unwrap_or(true),
        "plain HTTP was answered on the HTTPS port"
    );
    h.finish().await;
}

#[test]
fn a_bad_certificate_or_key_is_a_clear_error() {
    let (cert_pem, _) = self_signed();
    let (_, other_key) = self_signed();
    let err = Tls::from_pem(b"not pem", other_key.as_bytes()).unwrap_err();
    assert!(err.to_string().contains("certificate"), "{err}");
    let err = Tls::from_pem(cert_pem.as_bytes(), other_key.as_bytes()).unwrap_err();
    assert!(err.to_string().contains("TLS"), "{err}");
}
