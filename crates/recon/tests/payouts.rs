//! Payout batches (§7) through the real `recon` binary on a real SQLite file: paying posts
//! balanced lines and marks entries paid, reservations, rejection releasing entries,
//! two-person approval (bulk too), edits only before approval, the audit trail.

mod common;

use common::Ledger;
use serde_json::Value;

/// A USD program `spring` with sponsors S1 (12.50 a conversion) and S2 (3.00) and approved
/// conversions: in 2026-03 two for S1 and one for S2 (28.00), in 2026-04 one for S2.
fn program() -> Ledger {
    let l = Ledger::new();
    l.program("spring", "Spring", &[]);
    for (r, pay) in [("S1", "12.50"), ("S2", "3.00")] {
        l.sponsor("spring", r, &format!("Sponsor {r}"), pay);
    }
    l.approved_conversions(
        "spring",
        "C1,S1,2026-03-05,a\nC2,S1,2026-03-06,b\nC3,S2,2026-03-07,c\nC4,S2,2026-04-01,d\n",
        &["C1", "C2", "C3", "C4"],
    );
    l
}

/// `recon ARGS` as `user`; must succeed.
fn as_user(l: &Ledger, user: &str, args: &[&str]) -> String {
    let out = l.run_with_env(args, &[("RECON_USER", user)]);
    assert!(
        out.status.success(),
        "recon {args:?} as {user} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// `recon ARGS` as `user`; must be refused (status 1): its stderr.
fn refused_as(l: &Ledger, user: &str, args: &[&str]) -> String {
    let out = l.run_with_env(args, &[("RECON_USER", user)]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "recon {args:?} as {user} should be refused"
    );
    String::from_utf8(out.stderr).unwrap()
}

fn create(l: &Ledger, period: &str) -> Value {
    l.json(&[
        "payout",
        "create",
        "--program",
        "spring",
        "--period",
        period,
        "--json",
    ])
}

fn verified(l: &Ledger) {
    let v = l.ok(&["ledger", "verify"]);
    assert!(v.starts_with("OK:"), "{v}");
}

fn entries(l: &Ledger, period: &str) -> Vec<Value> {
    l.json(&[
        "ledger",
        "list",
        "--program",
        "spring",
        "--period",
        period,
        "--json",
    ])
    .as_array()
    .unwrap()
    .clone()
}

fn balance(l: &Ledger, account: &str) -> String {
    let accounts = l.json(&["ledger", "accounts", "--json"]);
    let a = accounts
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["account"] == account)
        .cloned()
        .unwrap_or(Value::Null);
    a["balance"].as_str().unwrap_or("none").to_owned()
}

#[test]
fn paying_posts_balanced_lines_marks_every_entry_paid_and_verify_passes_after_each_step() {
    let l = program();
    verified(&l);
    let b = create(&l, "2026-03");
    let id = b["id"].as_str().unwrap().to_owned();
    assert_eq!(
        (
            b["status"].as_str(),
            b["total"].as_str(),
            b["currency"].as_str()
        ),
        (Some("draft"), Some("28.00"), Some("USD"))
    );
    assert_eq!(
        (b["created_by"].as_str(), &b["approved_by"]),
        (Some("tester"), &Value::Null)
    );
    let lines = b["lines"].as_array().unwrap();
    assert_eq!(
        (lines[0]["entity_ref"].as_str(), lines[0]["amount"].as_str()),
        (Some("S1"), Some("25.00"))
    );
    assert_eq!(lines[0]["entry_ids"].as_array().unwrap().len(), 2);
    assert_eq!(
        (lines[1]["entity_ref"].as_str(), lines[1]["amount"].as_str()),
        (Some("S2"), Some("3.00"))
    );
    verified(&l);
    l.ok(&["payout", "submit", &id]);
    verified(&l);
    as_user(&l, "checker", &["payout", "approve", &id]);
    verified(&l);
    l.ok(&["payout", "process", &id]);
    verified(&l);
    let text = as_user(&l, "payer", &["payout", "pay", &id]);
    assert!(text.contains("processing → paid"), "{text}");
    verified(&l);
    let shown = l.json(&["payout", "show", &id, "--json"]);
    assert_eq!(
        (
            shown["status"].as_str(),
            shown["approved_by"].as_str(),
            shown["paid_by"].as_str()
        ),
        (Some("paid"), Some("checker"), Some("payer"))
    );
    assert!(shown["paid_at"].is_string());
    for e in entries(&l, "2026-03") {
        assert_eq!(
            (e["status"].as_str(), e["payout_batch"].as_str()),
            (Some("paid"), Some(id.as_str())),
            "{e}"
        );
    }
    assert_eq!(
        entries(&l, "2026-04")[0]["status"],
        "pending",
        "another month is untouched"
    );
    assert_eq!(balance(&l, "sponsor:S1:liability"), "0.00");
    assert_eq!(
        balance(&l, "sponsor:S2:liability"),
        "-3.00",
        "April's 3.00 is still owed"
    );
    assert_eq!(balance(&l, "system:payouts"), "-28.00");
    // A paid batch is final.
    let err = refused_as(&l, "checker", &["payout", "pay", &id]);
    assert!(err.contains("from paid to paid"), "{err}");
    let summary = l.json(&["partner", "summary", "--program", "spring", "S1", "--json"]);
    assert_eq!(
        (
            summary["paid"].as_str(),
            summary["pending"].as_str(),
            summary["lifetime_earnings"].as_str()
        ),
        (Some("25.00"), Some("0.00"), Some("25.00"))
    );
    assert_eq!(summary["last_payout_amount"], "25.00");
}

#[test]
fn a_reserved_entry_cannot_join_a_second_batch_or_be_reversed() {
    let l = program();
    let b = create(&l, "2026-03");
    let entry = b["lines"][0]["entry_ids"][0].as_i64().unwrap().to_string();
    let err = l.refused(&[
        "payout",
        "create",
        "--program",
        "spring",
        "--period",
        "2026-03",
    ]);
    assert!(
        err.contains("no pending, unreserved entries of program 'spring' in 2026-03"),
        "{err}"
    );
    let err = l.refused(&["ledger", "reverse", &entry, "--reason", "mistake"]);
    assert!(
        err.contains(&format!(
            "entry {entry} is reserved by payout batch {}",
            b["id"].as_str().unwrap()
        )),
        "{err}"
    );
    // SQL enforces both rules too, whatever writes the file.
    let conn = rusqlite::Connection::open(&l.db).unwrap();
    let raw = conn.execute(&format!("UPDATE ledger_entries SET status = 'reversed', reversed_by = {entry} WHERE id = {entry}"), []);
    assert!(raw
        .unwrap_err()
        .to_string()
        .contains("reserved by a payout batch cannot be reversed"));
    conn.execute_batch("PRAGMA foreign_keys = OFF").unwrap();
    let twice = conn.execute(
        &format!("INSERT INTO payout_entries (batch_id, entry_id, line_id, reserved) SELECT 'other', {entry}, id, 1 FROM payout_lines LIMIT 1"),
        [],
    );
    assert!(
        twice.unwrap_err().to_string().contains("UNIQUE"),
        "one reservation per entry"
    );
    drop(conn);
    // The other month's entry is free and can still be reversed.
    let april = entries(&l, "2026-04")[0]["id"]
        .as_i64()
        .unwrap()
        .to_string();
    l.ok(&["ledger", "reverse", &april, "--reason", "mistake"]);
    verified(&l);
}

#[test]
fn rejecting_releases_the_entries_into_the_next_batch_and_needs_a_reason() {
    let l = program();
    let first = create(&l, "2026-03");
    let id = first["id"].as_str().unwrap();
    l.ok(&["payout", "submit", id]);
    let err = refused_as(&l, "checker", &["payout", "reject", id, "--reason", " "]);
    assert!(err.contains("reject needs a reason"), "{err}");
    as_user(
        &l,
        "checker",
        &["payout", "reject", id, "--reason", "wrong bank details"],
    );
    let rejected = l.json(&["payout", "show", id, "--json"]);
    assert_eq!(
        (rejected["status"].as_str(), rejected["reason"].as_str()),
        (Some("rejected"), Some("wrong bank details"))
    );
    let second = create(&l, "2026-03");
    assert_ne!(second["id"], first["id"]);
    assert_eq!(second["total"], "28.00");
    assert_eq!(
        second["lines"], first["lines"],
        "the same entries, released and taken again"
    );
    verified(&l);
}

#[test]
fn the_creator_cannot_approve_and_a_batch_is_edited_or_deleted_only_before_approval() {
    let l = program();
    let b = create(&l, "2026-03");
    let id = b["id"].as_str().unwrap();
    let err = l.refused(&["payout", "pay", id]);
    assert!(
        err.contains("a batch cannot go from draft to paid"),
        "names both states: {err}"
    );
    let text = l.ok(&["payout", "remove-line", id, "S2"]);
    assert!(text.contains("1 line(s), 25.00 USD"), "{text}");
    l.ok(&["payout", "submit", id]);
    let out = l.run(&["payout", "approve", "--json", id]);
    assert_eq!(out.status.code(), Some(1));
    let results: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (
            results[0]["batch_id"].as_str(),
            results[0]["result"].as_str()
        ),
        (Some(id), Some("refused"))
    );
    assert!(results[0]["reason"]
        .as_str()
        .unwrap()
        .starts_with("the creator of a batch cannot approve it"));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("the creator of a batch cannot approve it")
    );
    let err = refused_as(&l, " Tester ", &["payout", "approve", id]);
    assert!(
        err.contains("the creator of a batch cannot approve it"),
        "{err}"
    );
    let ok = as_user(&l, "checker", &["payout", "approve", "--json", id]);
    let results: Value = serde_json::from_str(&ok).unwrap();
    assert_eq!(
        (results[0]["result"].as_str(), &results[0]["reason"]),
        (Some("approved"), &Value::Null)
    );
    for args in [
        vec!["payout", "remove-line", id, "S1"],
        vec!["payout", "delete", id],
        vec!["payout", "notes", id, "late"],
    ] {
        let err = l.refused(&args);
        assert!(
            err.contains("a batch that is approved can no longer be"),
            "{args:?}: {err}"
        );
    }
    // S2's released entry makes a batch of its own; a draft can be deleted, releasing it again.
    let s2 = create(&l, "2026-03");
    assert_eq!(s2["total"], "3.00");
    l.ok(&["payout", "delete", s2["id"].as_str().unwrap()]);
    assert_eq!(create(&l, "2026-03")["total"], "3.00");
}

#[test]
fn every_transition_is_audited_with_its_actor_and_a_failure_can_be_retried() {
    let l = program();
    let b = create(&l, "2026-03");
    let id = b["id"].as_str().unwrap();
    as_user(&l, "tester", &["payout", "submit", id]);
    as_user(&l, "checker", &["payout", "approve", id]);
    as_user(&l, "payer", &["payout", "process", id]);
    let err = refused_as(&l, "payer", &["payout", "fail", id, "--reason", ""]);
    assert!(err.contains("fail needs a reason"), "{err}");
    as_user(
        &l,
        "payer",
        &["payout", "fail", id, "--reason", "bank timeout"],
    );
    as_user(&l, "payer", &["payout", "retry", id]);
    as_user(&l, "payer", &["payout", "pay", id]);
    let trail = l.json(&[
        "audit",
        "list",
        "--entity",
        &format!("payout_batch:{id}"),
        "--json",
    ]);
    let got: Vec<(String, String)> = trail
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["action"].as_str().unwrap().to_owned(),
                r["actor"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let want = [
        ("payout.batch_create", "tester"),
        ("payout.submit", "tester"),
        ("payout.approve", "checker"),
        ("payout.process", "payer"),
        ("payout.fail", "payer"),
        ("payout.retry", "payer"),
        ("payout.pay", "payer"),
    ];
    assert_eq!(got, want.map(|(a, u)| (a.to_owned(), u.to_owned())));
    let fail = &trail[4];
    assert!(fail["before"].as_str().unwrap().contains("processing"));
    assert!(fail["after"].as_str().unwrap().contains("bank timeout"));
    let shown = l.json(&["payout", "show", id, "--json"]);
    let moves: Vec<&str> = shown["transitions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["to"].as_str().unwrap())
        .collect();
    assert_eq!(
        moves,
        [
            "draft",
            "pending_approval",
            "approved",
            "processing",
            "failed",
            "processing",
            "paid"
        ]
    );
    l.ok(&["audit", "verify"]);
    verified(&l);
}

#[test]
fn stats_list_and_export_show_batches_by_status_period_and_partner() {
    let l = program();
    let march = create(&l, "2026-03");
    l.ok(&[
        "payout",
        "notes",
        march["id"].as_str().unwrap(),
        "=HYPERLINK(\"x\")",
    ]);
    let april = create(&l, "2026-04");
    l.ok(&["payout", "submit", april["id"].as_str().unwrap()]);
    let stats = as_user(
        &l,
        "checker",
        &["payout", "stats", "--program", "spring", "--json"],
    );
    let stats: Value = serde_json::from_str(&stats).unwrap();
    let by_status: Vec<(&str, &str, u64)> = stats["by_status"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["status"].as_str().unwrap(),
                r["total"].as_str().unwrap(),
                r["batches"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        by_status,
        [("draft", "28.00", 1), ("pending_approval", "3.00", 1)]
    );
    assert_eq!(stats["by_period"][0]["period"], "2026-04");
    assert_eq!(stats["awaiting_your_approval"], 1);
    assert_eq!(
        l.json(&["payout", "stats", "--json"])["awaiting_your_approval"],
        0,
        "the creator's own batch"
    );
    let listed = l.json(&["payout", "list", "--status", "draft", "--json"]);
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(
        l.json(&["payout", "list", "--partner", "s1", "--json"])
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        l.json(&["payout", "list", "--period", "2026-04", "--json"])[0]["id"],
        april["id"]
    );
    let out = l.dir.path().join("batches.csv");
    l.ok(&[
        "payout",
        "export",
        "--program",
        "spring",
        "--out",
        out.to_str().unwrap(),
    ]);
    let csv = std::fs::read_to_string(&out).unwrap();
    assert!(
        csv.starts_with("batch_id,program,period,currency,status,total,"),
        "{csv}"
    );
    assert!(
        csv.contains(",28.00,2,3,\"'=HYPERLINK(\"\"x\"\")\","),
        "notes neutralised: {csv}"
    );
    let out = l.dir.path().join("lines.csv");
    l.ok(&[
        "payout",
        "export",
        "--period",
        "2026-03",
        "--lines",
        "--out",
        out.to_str().unwrap(),
    ]);
    let csv = std::fs::read_to_string(&out).unwrap();
    assert_eq!(csv.lines().count(), 3, "header + S1 + S2: {csv}");
    assert!(csv.contains(",sponsor,S1,Sponsor S1,25.00,2\r\n"), "{csv}");
}

#[test]
fn bulk_approve_of_500_batches_of_which_50_are_the_users_own_gives_450_approved_and_50_refused() {
    let l = Ledger::new();
    l.program("bulk", "Bulk", &[]);
    l.sponsor("bulk", "S", "S", "1.00");
    // One conversion in each of 500 months (1990-01 …), so each month makes one batch.
    let months: Vec<String> = (0..500)
        .map(|i| format!("{}-{:02}", 1990 + i / 12, i % 12 + 1))
        .collect();
    let mut csv = String::from("conversion_id,sponsor_ref,occurred_at,description\n");
    for (i, m) in months.iter().enumerate() {
        csv.push_str(&format!("C{i},S,{m}-15,month\n"));
    }
    l.ok(&[
        "import",
        "conversions",
        "--program",
        "bulk",
        &l.file("c.csv", &csv),
    ]);
    // Setup in-process (the same recon-api the binary calls), to keep the test fast.
    let mut store = recon_api::open_store(&l.db).unwrap();
    let ids: Vec<String> = (0..500).map(|i| format!("C{i}")).collect();
    recon_api::ledger::conversion_approve(&mut store, "setup", "bulk", &ids).unwrap();
    let mut batches = Vec::new();
    for (i, m) in months.iter().enumerate() {
        let creator = if i % 10 == 3 { "tester" } else { "maker" };
        let input = recon_api::NewPayoutDto {
            program: "bulk".into(),
            period: m.clone(),
            notes: None,
        };
        let b = recon_api::payouts::payout_create(&mut store, creator, input).unwrap();
        recon_api::payouts::payout_submit(&mut store, creator, &b.id).unwrap();
        batches.push((b.id, creator));
    }
    drop(store);
    let mut args = vec!["payout", "approve", "--json"];
    args.extend(batches.iter().map(|(id, _)| id.as_str()));
    let out = l.run(&args);
    assert_eq!(out.status.code(), Some(1), "some were refused");
    let results: Value = serde_json::from_slice(&out.stdout).unwrap();
    let results = results.as_array().unwrap();
    assert_eq!(results.len(), 500, "one result per batch");
    for ((id, creator), r) in batches.iter().zip(results) {
        assert_eq!(r["batch_id"].as_str(), Some(id.as_str()));
        if *creator == "tester" {
            assert_eq!(r["result"], "refused");
            assert!(r["reason"]
                .as_str()
                .unwrap()
                .starts_with("the creator of a batch cannot approve it"));
        } else {
            assert_eq!(
                (r["result"].as_str(), &r["reason"]),
                (Some("approved"), &Value::Null),
                "{r}"
            );
        }
    }
    let count = |status: &str| {
        l.json(&["payout", "list", "--status", status, "--json"])
            .as_array()
            .unwrap()
            .len()
    };
    assert_eq!(
        (count("approved"), count("pending_approval")),
        (450, 50),
        "refusals undid no approval"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("50 of 500 batch(es) refused"));
}
