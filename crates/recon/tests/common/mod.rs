//! The test ledger: the real `recon` binary on a real SQLite file in a temp dir.
// Each test binary that includes this module uses only part of it.
#![allow(dead_code)]

use serde_json::Value;
use std::path::PathBuf;
use std::process::{Command, Output};

pub struct Ledger {
    pub dir: tempfile::TempDir,
    pub db: PathBuf,
}

impl Ledger {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("ledger.sqlite");
        Ledger { dir, db }
    }

    /// `run` with extra environment variables (e.g. `RECON_TOKEN` for a sync).
    pub fn run_with_env(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_recon"));
        cmd.arg("--db")
            .arg(&self.db)
            .args(args)
            .env_remove("RECON_DB")
            .env_remove("RECON_TOKEN")
            .env("RECON_USER", "tester");
        for (key, value) in env {
            cmd.env(key, value);
        }
        cmd.output().unwrap()
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.run_with_env(args, &[])
    }

    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "recon {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    pub fn refused(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert_eq!(
            out.status.code(),
            Some(1),
            "recon {args:?} should be refused with status 1"
        );
        assert!(out.stdout.is_empty(), "a refusal prints nothing on stdout");
        String::from_utf8(out.stderr).unwrap()
    }

    pub fn json(&self, args: &[&str]) -> Value {
        serde_json::from_str(&self.ok(args)).unwrap()
    }

    pub fn file(&self, name: &str, text: &str) -> String {
        let path = self.dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path.display().to_string()
    }

    /// Program `slug` called `name`, in USD; `extra` adds its rates and rounding.
    pub fn program(&self, slug: &str, name: &str, extra: &[&str]) {
        let args = ["program", "add", slug, "--name", name, "--currency", "USD"];
        self.ok(&[&args[..], extra].concat());
    }

    /// `recon entity add --program PROGRAM ARGS` (type, ref, name, parent …).
    pub fn entity(&self, program: &str, args: &[&str]) {
        self.ok(&[&["entity", "add", "--program", program][..], args].concat());
    }

    /// Sponsor `r` of `program`, called `name`, paying `pay` a conversion.
    pub fn sponsor(&self, program: &str, r: &str, name: &str, pay: &str) {
        let args = ["--type", "sponsor", "--ref", r, "--name", name];
        self.entity(
            program,
            &[&args[..], &["--payout-per-conversion", pay]].concat(),
        );
    }

    /// Conversions `rows` (after the header) imported into `program` as `c.csv`, then `ids`
    /// approved.
    pub fn approved_conversions(&self, program: &str, rows: &str, ids: &[&str]) {
        let header = "conversion_id,sponsor_ref,occurred_at,description\n";
        let file = self.file("c.csv", &format!("{header}{rows}"));
        self.ok(&["import", "conversions", "--program", program, &file]);
        let approve = ["conversion", "approve", "--program", program];
        self.ok(&[&approve[..], ids].concat());
    }

    /// Expected payments `rows` (after the header) imported as `expected.csv`.
    pub fn import_expected(&self, rows: &str) {
        let header = "cycle_id,character_name,character_id,expected_amount,currency,memo\n";
        let file = self.file("expected.csv", &format!("{header}{rows}"));
        self.ok(&["import", "expected", &file]);
    }

    /// Wallet `Main`, the receiving wallet of character 90000001 (the journals' second party).
    pub fn main_wallet(&self) {
        self.ok(&[
            "wallet",
            "add",
            "Main",
            "--owner-id",
            "90000001",
            "--receiving",
        ]);
    }

    /// `entries` as the ESI journal `j.json`, imported into `Main`.
    pub fn import_journal(&self, entries: &[String]) {
        let file = self.file("j.json", &format!("[{}]", entries.join(",")));
        self.ok(&["import", "esi-journal", "--wallet", "Main", &file]);
    }
}

/// One ESI journal line from `payer` to character 90000001 on 2026-03-0`day`.
pub fn esi_entry(
    id: u64,
    day: u64,
    amount: &str,
    description: &str,
    reason: &str,
    payer: u64,
) -> String {
    format!(
        r#"{{"id": {id}, "date": "2026-03-0{day}T10:00:00Z", "ref_type": "player_donation",
        "description": "{description}", "reason": "{reason}", "first_party_id": {payer},
        "second_party_id": 90000001, "amount": {amount}}}"#
    )
}

/// A real `recon-server` on `127.0.0.1:0` over a fresh PostgreSQL database
/// (`RECON_TEST_PG_URL`, else the local socket as root), with a device token for it.
pub struct TestServer {
    pub url: String,
    pub token: String,
    pub db_url: String,
    admin: String,
    pub rt: tokio::runtime::Runtime,
}

impl TestServer {
    pub fn start() -> Self {
        let admin = std::env::var("RECON_TEST_PG_URL")
            .unwrap_or_else(|_| "host=/var/run/postgresql user=root dbname=postgres".into());
        let rt = tokio::runtime::Runtime::new().unwrap();
        let (url, token, db_url) = rt.block_on(async {
            let db_url = recon_server::fresh_test_database(&admin)
                .await
                .expect("PostgreSQL is needed for this test");
            let db = recon_server::connect(&db_url).await.unwrap();
            let token = recon_server::create_token(&db, "acme", "t@acme.test")
                .await
                .unwrap();
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let url = format!("http://{}", listener.local_addr().unwrap());
            tokio::spawn(recon_server::serve(listener, db));
            (url, token, db_url)
        });
        TestServer {
            url,
            token,
            db_url,
            admin,
            rt,
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        let _ = self
            .rt
            .block_on(recon_server::drop_test_database(&self.admin, &self.db_url));
    }
}
