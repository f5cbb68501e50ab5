//! The set-up the recon-client integration tests share: a real recon-server on
//! 127.0.0.1:0 over a fresh PostgreSQL database (dropped with the server), device tokens,
//! laptops (a SQLite ledger with its token), and the ledgers' first imports.

// Each test file uses its own share of these helpers; the rest would warn as unused there.
#![allow(dead_code)]

use chrono::Utc;
use recon_client::{sync, SyncReport};
use recon_store::{NewExpected, NewWallet, SourceFile, Store};
use recon_sync::{JournalPage, JOURNAL_PATH};

/// A recon-server serving a database of its own until dropped.
pub struct Server {
    pub url: String,
    admin_url: String,
    pub db_url: String,
    pub runtime: tokio::runtime::Runtime,
}

impl Server {
    /// Over plain HTTP (loopback).
    pub fn start() -> Self {
        Self::start_with(None)
    }

    /// Over HTTPS when `tls` is given, with the default limits.
    pub fn start_with(tls: Option<recon_server::Tls>) -> Self {
        let admin_url = std::env::var("RECON_TEST_PG_URL")
            .unwrap_or_else(|_| "host=/var/run/postgresql user=root dbname=postgres".into());
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let (url, db_url) = runtime.block_on(async {
            let db_url = recon_server::fresh_test_database(&admin_url)
                .await
                .unwrap_or_else(|e| panic!("PostgreSQL at {admin_url} is needed: {e}"));
            let db = recon_server::connect(&db_url).await.unwrap();
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let scheme = if tls.is_some() { "https" } else { "http" };
            let url = format!("{scheme}://{}", listener.local_addr().unwrap());
            let config = recon_server::ServeConfig::default();
            tokio::spawn(recon_server::serve_with(listener, db, tls, config));
            (url, db_url)
        });
        Server {
            url,
            admin_url,
            db_url,
            runtime,
        }
    }

    pub fn token(&self, org: &str, user: &str) -> String {
        self.runtime.block_on(async {
            let db = recon_server::connect(&self.db_url).await.unwrap();
            recon_server::create_token(&db, org, user).await.unwrap()
        })
    }

    /// What a restore of the server's database does to every cursor.
    pub fn rotate_epoch(&self) {
        self.runtime.block_on(async {
            let db = recon_server::connect(&self.db_url).await.unwrap();
            recon_server::rotate_epoch(&db).await.unwrap();
        });
    }

    /// The rows of `sql` run on the server's database.
    pub fn rows(&self, sql: &str) -> Vec<tokio_postgres::Row> {
        self.runtime.block_on(async {
            let (client, conn) = tokio_postgres::connect(&self.db_url, tokio_postgres::NoTls)
                .await
                .unwrap();
            tokio::spawn(conn);
            client.query(sql, &[]).await.unwrap()
        })
    }

    /// The first (text) column of every row `sql` returns.
    pub fn texts(&self, sql: &str) -> Vec<String> {
        self.rows(sql).iter().map(|r| r.get(0)).collect()
    }

    /// Runs `sql` on the server's database (a test playing an older server, or damage).
    pub fn execute(&self, sql: &str) {
        self.runtime.block_on(async {
            let (client, conn) = tokio_postgres::connect(&self.db_url, tokio_postgres::NoTls)
                .await
                .unwrap();
            tokio::spawn(conn);
            client.batch_execute(sql).await.unwrap();
        })
    }

    /// The organization's journal as the server answers it to `token`.
    pub fn journal(
        &self,
        token: &str,
        limit: u32,
        http: &reqwest::blocking::Client,
    ) -> JournalPage {
        let url = format!("{}{JOURNAL_PATH}?limit={limit}", self.url);
        let response = http.get(url).bearer_auth(token).send().unwrap();
        assert!(response.status().is_success(), "{}", response.status());
        response.json().unwrap()
    }

    /// A laptop of `user` in `org`: the ledger `NAME.sqlite` in `dir`, a device token of
    /// its own, and `name` as the actor its syncs run under.
    pub fn laptop(&self, dir: &tempfile::TempDir, name: &str, org: &str, user: &str) -> Laptop {
        Laptop {
            store: Store::open(&dir.path().join(format!("{name}.sqlite"))).unwrap(),
            token: self.token(org, user),
            actor: name.to_owned(),
            url: self.url.clone(),
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let (admin, db) = (self.admin_url.clone(), self.db_url.clone());
        let _ = self
            .runtime
            .block_on(recon_server::drop_test_database(&admin, &db));
    }
}

/// One laptop's ledger and the device token it syncs with; reads like its [`Store`].
pub struct Laptop {
    pub store: Store,
    pub token: String,
    pub actor: String,
    url: String,
}

impl Laptop {
    /// Pushes and pulls under the laptop's own actor.
    pub fn sync(&mut self) -> SyncReport {
        let actor = self.actor.clone();
        self.sync_as(&actor)
    }

    pub fn sync_as(&mut self, actor: &str) -> SyncReport {
        sync(&mut self.store, &self.url, &self.token, actor, &Utc::now).unwrap()
    }
}

impl std::ops::Deref for Laptop {
    type Target = Store;
    fn deref(&self) -> &Store {
        &self.store
    }
}

impl std::ops::DerefMut for Laptop {
    fn deref_mut(&mut self) -> &mut Store {
        &mut self.store
    }
}

/// The character wallet "Logistics One" in `currency`, added by `actor`.
pub fn add_wallet(store: &mut Store, actor: &str, currency: &str) {
    store
        .add_wallet(
            actor,
            Utc::now(),
            NewWallet {
                name: "Logistics One".into(),
                kind: "character".into(),
                owner_id: Some(90000001),
                division: None,
                currency: currency.into(),
                receiving: true,
            },
        )
        .unwrap();
}

/// One ESI journal line as the API sends it; `amount` is the JSON number's text.
pub fn esi_line(id: i64, description: &str, amount: &str, reason: Option<&str>) -> String {
    let reason = reason.map(|r| format!(r#","reason":"{r}""#));
    format!(
        r#"{{"id":{id},"date":"2026-03-01T12:00:00Z","ref_type":"player_donation","description":"{description}","amount":{amount}{}}}"#,
        reason.unwrap_or_default()
    )
}

/// `lines` imported by `actor` into "Logistics One" as one page.
pub fn import_esi(store: &mut Store, actor: &str, lines: &[String]) {
    let file = SourceFile {
        name: "page.json".into(),
        bytes: format!("[{}]", lines.join(",")).into_bytes(),
    };
    store
        .import_esi_journal(actor, Utc::now(), "Logistics One", &[file])
        .unwrap();
}

/// The maker's ISK wallet with donations of 1,500,000.25 numbered `ids`, memo "ARB 1 P<id>".
pub fn import_journal(store: &mut Store, ids: std::ops::RangeInclusive<i64>) {
    add_wallet(store, "maker", "ISK");
    let lines: Vec<String> = ids
        .map(|id| {
            let reason = format!("ARB 1 P{id}");
            esi_line(id, &format!("d{id}"), "1500000.25", Some(&reason))
        })
        .collect();
    import_esi(store, "maker", &lines);
}

/// An expected ISK payment of cycle 2026-11 for the character the memo names.
pub fn payment(memo: &str, amount: &str) -> NewExpected {
    NewExpected {
        cycle_id: "2026-11".into(),
        character_name: memo.trim_start_matches("ARB ").into(),
        character_id: None,
        expected_amount: amount.into(),
        currency: "ISK".into(),
        memo: memo.into(),
    }
}
