//! Shared harness: a fresh PostgreSQL database per test and the server on 127.0.0.1:0.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::str::FromStr;
use std::sync::atomic::{AtomicI64, Ordering};

use recon_server::Db;
use recon_sync::{
    ErrorBody, Event, EventBody, JournalLine, JournalLinesImported, JournalPage, PushRequest,
    PushResponse, WalletRef, JOURNAL_PATH, PUSH_PATH,
};
use rust_decimal::Decimal;
use uuid::Uuid;

pub const DEFAULT_ADMIN_URL: &str = "host=/var/run/postgresql user=root dbname=postgres";

/// Admin connection string: `RECON_TEST_PG_URL`, else the local socket as root.
pub fn admin_url() -> String {
    std::env::var("RECON_TEST_PG_URL").unwrap_or_else(|_| DEFAULT_ADMIN_URL.to_owned())
}

/// A fresh, migrated-on-connect database URL. Panics (fails the test) when PostgreSQL
/// cannot be reached: these tests never skip silently.
pub async fn fresh_db_url() -> String {
    let admin = admin_url();
    match recon_server::fresh_test_database(&admin).await {
        Ok(url) => url,
        Err(e) => panic!(
            "cannot create a test database through PostgreSQL at {admin:?}: {e}\n\
             (start PostgreSQL or point RECON_TEST_PG_URL at an admin connection string)"
        ),
    }
}

pub struct Harness {
    pub base: String,
    pub db_url: String,
    pub db: Db,
    pub http: reqwest::Client,
    server: tokio::task::JoinHandle<Result<(), recon_server::ServerError>>,
}

impl Harness {
    pub async fn start() -> Harness {
        Harness::start_with(None, recon_server::ServeConfig::default()).await
    }

    /// The server with its own limits, and over HTTPS when `tls` is given (then `http`
    /// trusts nothing extra: tests build their own client for it).
    pub async fn start_with(
        tls: Option<recon_server::Tls>,
        config: recon_server::ServeConfig,
    ) -> Harness {
        let db_url = fresh_db_url().await;
        let db = recon_server::connect(&db_url)
            .await
            .expect("connect + migrate the fresh database");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let scheme = if tls.is_some() { "https" } else { "http" };
        let server = tokio::spawn(recon_server::serve_with(listener, db.clone(), tls, config));
        Harness {
            base: format!("{scheme}://{addr}"),
            db_url,
            db,
            http: reqwest::Client::new(),
            server,
        }
    }

    pub async fn token(&self, org: &str, user: &str) -> String {
        recon_server::create_token(&self.db, org, user)
            .await
            .expect("create token")
    }

    pub async fn push_raw(&self, token: &str, request: &PushRequest) -> reqwest::Response {
        self.http
            .post(format!("{}{PUSH_PATH}", self.base))
            .bearer_auth(token)
            .json(request)
            .send()
            .await
            .expect("send push")
    }

    pub async fn push(&self, token: &str, request: &PushRequest) -> PushResponse {
        let response = self.push_raw(token, request).await;
        let status = response.status();
        let text = response.text().await.unwrap();
        assert_eq!(status.as_u16(), 200, "push failed: {text}");
        serde_json::from_str(&text).expect("PushResponse JSON")
    }

    pub async fn push_err(&self, token: &str, request: &PushRequest) -> (u16, ErrorBody) {
        error_of(self.push_raw(token, request).await).await
    }

    pub async fn journal(&self, token: &str, wallet_key: Option<&str>) -> JournalPage {
        let mut req = self
            .http
            .get(format!("{}{JOURNAL_PATH}", self.base))
            .bearer_auth(token);
        if let Some(key) = wallet_key {
            req = req.query(&[("wallet_key", key)]);
        }
        let response = req.send().await.expect("send journal");
        let status = response.status();
        let text = response.text().await.unwrap();
        assert_eq!(status.as_u16(), 200, "journal failed: {text}");
        serde_json::from_str(&text).expect("JournalPage JSON")
    }

    /// Stops the server and drops the database (left behind if the test panicked first).
    pub async fn finish(self) {
        self.server.abort();
        let _ = self.server.await;
        drop(self.db);
        recon_server::drop_test_database(&admin_url(), &self.db_url)
            .await
            .expect("drop test database");
    }
}

pub async fn error_of(response: reqwest::Response) -> (u16, ErrorBody) {
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    let body: ErrorBody = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("error answer is not an ErrorBody ({e}): {text}"));
    (status, body)
}

pub fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

pub fn line(id: i64, amount: &str) -> JournalLine {
    JournalLine {
        id,
        date: format!("2026-01-{:02}T12:00:00Z", 1 + (id % 28)),
        ref_type: "player_donation".into(),
        description: format!("line {id}"),
        amount: Some(dec(amount)),
        amount_raw: Some(amount.into()),
        balance: Some(dec("1000000.00")),
        balance_raw: Some("1000000.0".into()),
        reason: None,
        first_party_id: Some(90000001),
        second_party_id: Some(90000002),
        context_id: None,
        context_id_type: None,
        tax: None,
        tax_raw: None,
        tax_receiver_id: None,
    }
}

pub fn wallet(key: &str) -> WalletRef {
    WalletRef {
        key: key.into(),
        name: format!("wallet {key}"),
        kind: "character".into(),
        owner_id: Some(90000001),
        division: None,
        currency: "ISK".into(),
    }
}

/// The ledger the harness's events come from.
pub const DEVICE: Uuid = Uuid::from_u128(0x0b5e_55ed_0000_4000_8000_0000_0000_0001);

/// The next sequence number of [`DEVICE`] (1, 2, 3, … across the test binary).
pub fn next_device_seq() -> i64 {
    static LAST: AtomicI64 = AtomicI64::new(0);
    LAST.fetch_add(1, Ordering::Relaxed) + 1
}

pub fn event(wallet_key: &str, lines: Vec<JournalLine>) -> Event {
    Event {
        id: Uuid::new_v4(),
        created_at: "2026-01-02T03:04:05Z".into(),
        device_id: DEVICE,
        device_seq: next_device_seq(),
        body: EventBody::JournalLinesImported(JournalLinesImported {
            batch_id: Uuid::new_v4(),
            wallet: wallet(wallet_key),
            lines,
        }),
    }
}

/// The journal payload of a harness event (whatever other kinds `EventBody` grows).
#[allow(irrefutable_let_patterns)]
pub fn journal_body_mut(event: &mut Event) -> &mut JournalLinesImported {
    let kind = event.body.kind();
    if let EventBody::JournalLinesImported(body) = &mut event.body {
        body
    } else {
        panic!("not a journal event: {kind}")
    }
}

/// A raw connection to the test database, to look at what the server stored.
pub async fn raw_client(url: &str) -> tokio_postgres::Client {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .expect("raw connection to the test database");
    tokio::spawn(connection);
    client
}

pub fn ids(page: &JournalPage) -> Vec<(String, i64)> {
    page.lines
        .iter()
        .map(|l| (l.wallet_key.clone(), l.line.id))
        .collect()
}

/// The built `recon-server` binary.
pub const BIN: &str = env!("CARGO_BIN_EXE_recon-server");

/// Spawns `cmd` (a `recon-server serve`) with its stdout piped and returns the child and the
/// base URL of its first line, `listening on <base>`.
pub async fn spawn_serve(cmd: &mut Command) -> (Child, String) {
    let mut child = cmd
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn recon-server serve");
    let out = child.stdout.take().unwrap();
    let first_line = tokio::task::spawn_blocking(move || {
        let mut line = String::new();
        BufReader::new(out).read_line(&mut line).unwrap();
        line
    })
    .await
    .unwrap();
    let base = first_line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {first_line:?}"))
        .to_owned();
    (child, base)
}

/// Drops the database `fresh_db_url` made.
pub async fn drop_db(url: &str) {
    recon_server::drop_test_database(&admin_url(), url)
        .await
        .unwrap();
}
