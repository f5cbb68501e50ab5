//! `recon sync --json` with payout batches, through a real recon-server on real
//! PostgreSQL (issue 12): an approval of one's own batch that skipped the local check is
//! refused by the server, listed with its reason and undone (the batch back in
//! `pending_approval`); after the sync the laptop's user is the device token's user,
//! whatever `RECON_USER` says.

mod common;
use common::Ledger;
use serde_json::Value;

fn program(l: &Ledger) {
    l.ok(&[
        "program",
        "add",
        "spring",
        "--name",
        "Spring",
        "--currency",
        "USD",
    ]);
    l.ok(&[
        "entity",
        "add",
        "--program",
        "spring",
        "--type",
        "sponsor",
        "--ref",
        "S1",
        "--name",
        "Sponsor One",
        "--payout-per-conversion",
        "12.50",
    ]);
    let file = l.file(
        "c.csv",
        "conversion_id,sponsor_ref,occurred_at,description\nC1,S1,2026-03-05,a\n",
    );
    l.ok(&["import", "conversions", "--program", "spring", &file]);
    l.ok(&["conversion", "approve", "--program", "spring", "C1"]);
}

#[test]
fn an_own_approval_is_refused_by_the_server_undone_and_the_token_user_acts_afterwards() {
    let server = common::TestServer::start();
    let maker = Ledger::new();
    program(&maker);
    let batch = maker.json(&[
        "payout",
        "create",
        "--program",
        "spring",
        "--period",
        "2026-03",
        "--json",
    ]);
    let id = batch["id"].as_str().unwrap().to_owned();
    maker.ok(&["payout", "submit", &id]);
    // Before any sync the local user is RECON_USER: a second name passes the local check.
    let out = maker.run_with_env(&["payout", "approve", &id], &[("RECON_USER", "mallory")]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let out = maker.run_with_env(
        &["sync", "--server", &server.url, "--json"],
        &[("RECON_TOKEN", &server.token)],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let refused = report["refused"].as_array().unwrap();
    assert_eq!(refused.len(), 1, "{report:#}");
    assert_eq!(refused[0]["kind"], "payout_batch_transitioned");
    assert_eq!(refused[0]["undone"], true);
    assert_eq!(refused[0]["event_id"].as_str().unwrap().len(), 36);
    let reason = refused[0]["reason"].as_str().unwrap();
    assert!(reason.contains("creator"), "{reason}");
    assert_eq!(report["status"]["needs_attention"], 1);

    let shown = maker.json(&["payout", "show", &id, "--json"]);
    assert_eq!(shown["status"], "pending_approval", "{shown:#}");
    assert_eq!(shown["approved_by"], Value::Null);
    let verify = maker.ok(&["audit", "verify"]);
    assert!(verify.contains("OK"), "{verify}");

    // Now the token's user acts: RECON_USER=mallory no longer lets the creator approve.
    let out = maker.run_with_env(&["payout", "approve", &id], &[("RECON_USER", "mallory")]);
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(said.contains("creator"), "{said}");
    assert_eq!(
        maker.json(&["payout", "show", &id, "--json"])["status"],
        "pending_approval"
    );
}
