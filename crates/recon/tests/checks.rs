//! Wallet checks through the real `recon` binary on a real SQLite file: boundaries,
//! fixes, review, applied-once (also two processes at once), history and export.

mod common;

use common::Ledger;
use serde_json::Value;
use std::process::{Command, Stdio};

const WALLETS_HEADER: &str = "workspace_id,wallet_id,currency,balance,locked_balance,as_of\n";
const ACTIVATIONS_HEADER: &str =
    "activation_id,workspace_id,status,total_budget,spent_amount,currency\n";

/// A ledger holding, per (wallet, balance, locked, expected): one workspace and one live
/// activation making the expected locked amount, all in `currency`.
fn ledger_with(currency: &str, wallets: &[(&str, &str, &str, &str)]) -> Ledger {
    let ledger = Ledger::new();
    let mut w = WALLETS_HEADER.to_string();
    let mut a = ACTIVATIONS_HEADER.to_string();
    for (id, balance, locked, expected) in wallets {
        w += &format!("ws-{id},{id},{currency},{balance},{locked},2026-02-16T10:00:00Z\n");
        a += &format!("act-{id},ws-{id},live,{expected},0,{currency}\n");
    }
    let wf = ledger.file("wallets.csv", &w);
    let af = ledger.file("activations.csv", &a);
    ledger.ok(&["import", "workspace-wallets", &wf]);
    ledger.ok(&["import", "activations", &af]);
    ledger
}

fn by_wallet(run: &Value) -> std::collections::HashMap<String, Value> {
    run["wallets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| (w["wallet_id"].as_str().unwrap().to_string(), w.clone()))
        .collect()
}

fn adjustments(ledger: &Ledger) -> Vec<(String, i64)> {
    let conn = rusqlite::Connection::open(&ledger.db).unwrap();
    let mut stmt = conn
        .prepare("SELECT wallet_id, amount_minor FROM wallet_transactions WHERE type = 'adjustment' ORDER BY wallet_id")
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

#[test]
fn the_boundaries_decide_status_warning_and_action_exactly() {
    // KWD has three decimals, so 0.009 and 0.011 are real discrepancies.
    let cases = [
        ("d0009", "0.009", "synced", false, "none"),
        ("d0010", "0.010", "synced", false, "none"),
        ("d0011", "0.011", "discrepancy", false, "auto_fix"),
        ("d1000", "1.000", "discrepancy", false, "auto_fix"),
        ("d1010", "1.010", "discrepancy", true, "auto_fix"),
        ("d9990", "9.990", "discrepancy", true, "auto_fix"),
        ("d10000", "10.000", "discrepancy", true, "review"),
    ];
    // Over-locked by d: locked = 100 + d, expected = 100.
    let owned: Vec<(&str, String)> = cases.iter().map(|(id, d, ..)| (*id, add_100(d))).collect();
    let rows: Vec<(&str, &str, &str, &str)> = owned
        .iter()
        .map(|(id, locked)| (*id, "1000.000", locked.as_str(), "100.000"))
        .collect();
    let ledger = ledger_with("KWD", &rows);
    let run = by_wallet(&ledger.json(&["check", "wallets", "--json"]));
    for (id, d, status, warning, action) in cases {
        let w = &run[id];
        assert_eq!(w["discrepancy"], d, "{id}");
        assert_eq!(w["status"], status, "{id}");
        assert_eq!(w["warning"], warning, "{id}");
        assert_eq!(w["action"], action, "{id}");
        assert_eq!(w["fixed"], false, "{id}");
    }
    assert!(run["d10000"]["reason"]
        .as_str()
        .unwrap()
        .contains("auto-fix threshold"));
}

/// 100 + d as decimal text, without floats.
fn add_100(d: &str) -> String {
    let (units, frac) = d.split_once('.').unwrap();
    format!("{}.{frac}", 100 + units.parse::<i64>().unwrap())
}

#[test]
fn over_and_under_locked_wallets_are_fixed_and_an_uncovered_one_goes_to_review() {
    // (wallet, balance, locked, expected)
    let ledger = ledger_with(
        "NGN",
        &[
            ("over", "100.00", "55.00", "50.00"),
            ("under", "100.00", "45.00", "50.00"),
            ("poor", "1.00", "45.00", "50.00"),
            ("big", "100.00", "80.00", "50.00"),
        ],
    );
    let run = by_wallet(&ledger.json(&["check", "wallets", "--fix", "--json"]));
    assert_eq!(
        (
            run["over"]["fixed"].clone(),
            run["over"]["adjustment"].clone()
        ),
        (true.into(), "-5.00".into())
    );
    assert_eq!(
        (
            run["under"]["fixed"].clone(),
            run["under"]["adjustment"].clone()
        ),
        (true.into(), "5.00".into())
    );
    assert_eq!(run["poor"]["action"], "review");
    assert_eq!(run["poor"]["reason"], "insufficient balance");
    assert_eq!(run["poor"]["fixed"], false);
    assert_eq!(run["big"]["action"], "review");
    assert_eq!(run["big"]["fixed"], false);
    // The fixes moved money between balance and locked, never created it.
    let wallets = ledger.ok(&["check", "wallets", "--json"]);
    let after = by_wallet(&serde_json::from_str(&wallets).unwrap());
    assert_eq!(after["over"]["status"], "synced");
    assert_eq!(after["under"]["status"], "synced");
    assert_eq!(after["over"]["actual_locked"], "50.00");
    let conn = rusqlite::Connection::open(&ledger.db).unwrap();
    let (balance, locked): (i64, i64) = conn
        .query_row(
            "SELECT balance_minor, locked_minor FROM workspace_wallets WHERE wallet_id = 'over'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((balance, locked), (10_500, 5_000));
    // Each fix is audited and queued for the server.
    let kinds: Vec<String> = conn
        .prepare("SELECT kind FROM outbox WHERE kind = 'wallet_adjusted'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(kinds.len(), 2);
    let fixes: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'check.fix'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(fixes, 2);
    assert!(ledger.ok(&["audit", "verify"]).contains("OK"));
}

#[test]
fn fixing_twice_posts_one_adjustment_per_wallet() {
    let ledger = ledger_with(
        "NGN",
        &[
            ("a", "100.00", "55.00", "50.00"),
            ("b", "100.00", "47.50", "50.00"),
        ],
    );
    ledger.ok(&["check", "wallets", "--fix"]);
    let second = by_wallet(&ledger.json(&["check", "wallets", "--fix", "--json"]));
    assert_eq!(second["a"]["fixed"], false);
    assert_eq!(second["a"]["status"], "synced");
    assert_eq!(
        adjustments(&ledger),
        [("a".to_string(), -500), ("b".to_string(), 250)]
    );
}

fn spawn(ledger: &Ledger, args: &[&str]) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_recon"))
        .arg("--db")
        .arg(&ledger.db)
        .args(args)
        .env_remove("RECON_DB")
        .env("RECON_USER", "tester")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

#[test]
fn two_fix_processes_started_together_post_one_adjustment_each_wallet() {
    let wallets: Vec<(String, &str, &str, &str)> = (0..20)
        .map(|i| (format!("w{i:02}"), "100.00", "53.00", "50.00"))
        .collect();
    let rows: Vec<(&str, &str, &str, &str)> = wallets
        .iter()
        .map(|(a, b, c, d)| (a.as_str(), *b, *c, *d))
        .collect();
    let ledger = ledger_with("NGN", &rows);
    let children: Vec<_> = (0..2)
        .map(|_| spawn(&ledger, &["check", "wallets", "--fix", "--json"]))
        .collect();
    let mut fixed = 0;
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let run: Value = serde_json::from_slice(&out.stdout).unwrap();
        fixed += run["wallets"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|w| w["fixed"] == true)
            .count();
    }
    assert_eq!(fixed, 20, "together the two runs fixed each wallet once");
    let posted = adjustments(&ledger);
    assert_eq!(posted.len(), 20);
    assert!(posted.iter().all(|(_, amount)| *amount == -300));
}

#[test]
fn a_release_recorded_twice_applies_once() {
    let ledger = ledger_with("NGN", &[("w", "100.00", "50.00", "50.00")]);
    let release = [
        "wallet-op",
        "release",
        "--wallet",
        "w",
        "--amount",
        "10.00",
        "--reference-type",
        "payment",
        "--reference-id",
        "pay-1",
        "--json",
    ];
    let first = ledger.json(&release);
    assert_eq!(first["result"], "applied");
    let again = ledger.json(&release);
    assert_eq!(again["result"], "already_applied");
    assert_eq!(again["transaction_id"], first["transaction_id"]);
    let text = ledger.ok(&release[..release.len() - 1]);
    assert!(text.contains("already applied"), "{text}");
    let conn = rusqlite::Connection::open(&ledger.db).unwrap();
    let locked: i64 = conn
        .query_row("SELECT locked_minor FROM workspace_wallets", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(locked, 4_000, "locked decreased once");
    // The same reference with another amount is refused, not hidden.
    let err = ledger.refused(&[
        "wallet-op",
        "release",
        "--wallet",
        "w",
        "--amount",
        "11.00",
        "--reference-type",
        "payment",
        "--reference-id",
        "pay-1",
    ]);
    assert!(err.contains("already applied"), "{err}");
}

#[test]
fn a_release_from_two_processes_at_once_applies_once() {
    let ledger = ledger_with("NGN", &[("w", "100.00", "50.00", "50.00")]);
    for round in 0..5 {
        let reference = format!("pay-{round}");
        let args = [
            "wallet-op",
            "release",
            "--wallet",
            "w",
            "--amount",
            "1.00",
            "--reference-type",
            "payment",
            "--reference-id",
            &reference,
            "--json",
        ];
        let children: Vec<_> = (0..2).map(|_| spawn(&ledger, &args)).collect();
        let results: Vec<String> = children
            .into_iter()
            .map(|c| {
                let out = c.wait_with_output().unwrap();
                assert!(
                    out.status.success(),
                    "{}",
                    String::from_utf8_lossy(&out.stderr)
                );
                let v: Value = serde_json::from_slice(&out.stdout).unwrap();
                v["result"].as_str().unwrap().to_string()
            })
            .collect();
        let mut sorted = results.clone();
        sorted.sort();
        assert_eq!(sorted, ["already_applied", "applied"], "round {round}");
    }
    let conn = rusqlite::Connection::open(&ledger.db).unwrap();
    let (locked, unlocks): (i64, i64) = conn
        .query_row("SELECT (SELECT locked_minor FROM workspace_wallets), (SELECT COUNT(*) FROM wallet_transactions WHERE type = 'unlock')", [], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap();
    assert_eq!((locked, unlocks), (4_500, 5));
}

#[test]
fn the_history_lists_every_run_with_its_report_and_exports_safely() {
    let ledger = ledger_with("NGN", &[("=cmd", "100.00", "55.00", "50.00")]);
    let first = ledger.json(&["check", "wallets", "--json"]);
    let fixing = ledger.json(&["check", "wallets", "--fix", "--json"]);
    let history = ledger.json(&["check", "history", "--json"]);
    let runs = history.as_array().unwrap();
    assert_eq!(runs.len(), 2);
    assert_eq!(runs[0]["run_id"], fixing["run_id"], "newest first");
    assert_eq!(runs[0]["fixed"], 1);
    assert_eq!(runs[1]["run_id"], first["run_id"]);
    assert_eq!(runs[1]["fixable"], 1);
    let shown = ledger.json(&["check", "show", first["run_id"].as_str().unwrap(), "--json"]);
    assert_eq!(
        shown["wallets"], first["wallets"],
        "the report is kept as it was"
    );
    let err = ledger.refused(&["check", "show", "no-such-run"]);
    assert!(err.contains("no check run named 'no-such-run'"), "{err}");
    let path = ledger.dir.path().join("history.csv");
    let text = ledger.ok(&["check", "export", path.to_str().unwrap()]);
    assert!(text.contains("2 row(s)"), "{text}");
    let csv = std::fs::read_to_string(&path).unwrap();
    assert!(csv.contains(",'=cmd,") && !csv.contains(",=cmd,"), "{csv}");
    assert!(
        csv.contains(",-5.00,"),
        "the adjustment stays a number: {csv}"
    );
}

#[test]
fn bad_rows_are_refused_naming_line_and_column_and_nothing_is_imported() {
    let ledger = Ledger::new();
    let file = ledger.file(
        "w.csv",
        &format!("{WALLETS_HEADER}ws,w1,NGN,1.00,0,2026-01-01\nws,w2,NGN,1.001,0,2026-01-01\n"),
    );
    let err = ledger.refused(&["import", "workspace-wallets", &file]);
    assert!(
        err.contains("line 3, column balance: '1.001' has 3 decimals but NGN allows 2"),
        "{err}"
    );
    assert!(ledger.json(&["check", "wallets", "--json"])["wallets"]
        .as_array()
        .unwrap()
        .is_empty());
}

#[test]
fn a_newer_snapshot_replaces_the_balances_and_an_older_one_is_kept_as_history() {
    let ledger = ledger_with("NGN", &[("w", "100.00", "50.00", "50.00")]);
    let newer = ledger.file("n.csv", &format!("{WALLETS_HEADER}ws-w,w,NGN,90.00,60.00,2026-02-17T10:00:00Z\nws-w,w,NGN,1.00,1.00,2026-02-01T00:00:00Z\n"));
    let done = ledger.json(&["import", "workspace-wallets", "--json", &newer]);
    assert_eq!(
        (done["updated"].clone(), done["history_only"].clone()),
        (1.into(), 1.into())
    );
    let again = ledger.json(&["import", "workspace-wallets", "--json", &newer]);
    assert_eq!(again["unchanged"], 2, "idempotent on the platform's ids");
    let run = by_wallet(&ledger.json(&["check", "wallets", "--json"]));
    assert_eq!(run["w"]["actual_locked"], "60.00");
    let conn = rusqlite::Connection::open(&ledger.db).unwrap();
    let kept: i64 = conn
        .query_row("SELECT COUNT(*) FROM workspace_wallet_snapshots", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(kept, 3);
}

#[test]
fn thresholds_are_per_currency_and_the_run_threshold_overrides_them() {
    let ledger = ledger_with("NGN", &[("w", "100.00", "55.00", "50.00")]);
    ledger.ok(&[
        "check",
        "thresholds",
        "--currency",
        "NGN",
        "--auto-fix",
        "5.00",
    ]);
    let shown = ledger.ok(&["check", "thresholds", "--currency", "ngn"]);
    assert!(shown.contains("NGN") && shown.contains("5"), "{shown}");
    assert_eq!(
        by_wallet(&ledger.json(&["check", "wallets", "--json"]))["w"]["action"],
        "review"
    );
    let run = by_wallet(&ledger.json(&["check", "wallets", "--threshold", "5.01", "--json"]));
    assert_eq!(run["w"]["action"], "auto_fix");
    let err = ledger.refused(&[
        "check",
        "thresholds",
        "--currency",
        "NGN",
        "--warning",
        "-1",
    ]);
    assert!(err.contains("must not be negative"), "{err}");
}
