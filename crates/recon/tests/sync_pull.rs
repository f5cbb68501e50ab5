//! `recon sync --json` between two laptops of one organization, through a real
//! recon-server on a real PostgreSQL: colleagues' payments and journal lines arrive, and
//! a change the server refuses is listed with its reason and undone.

mod common;
use common::Ledger;

fn expected_csv(amount: &str) -> String {
    format!("cycle_id,character_name,character_id,expected_amount,currency,memo\nc1,Alpha,101,{amount},ISK,\n")
}

const JOURNAL: &str = r#"[{"id":7,"date":"2026-03-01T10:00:00Z","ref_type":"player_donation","description":"deposited cash","first_party_id":101,"second_party_id":90000001,"amount":100.00,"reason":"ARB c1 Alpha"}]"#;

#[test]
fn recon_sync_json_lists_what_the_server_refused_and_counts_what_was_pulled() {
    let server = common::TestServer::start();
    let checker_token = server.rt.block_on(async {
        let db = recon_server::connect(&server.db_url).await.unwrap();
        recon_server::create_token(&db, "acme", "checker@acme.test")
            .await
            .unwrap()
    });
    let maker = Ledger::new();
    let checker = Ledger::new();
    maker.ok(&[
        "wallet",
        "add",
        "Logistics",
        "--owner-id",
        "90000001",
        "--receiving",
    ]);
    let csv = maker.file("expected.csv", &expected_csv("100.00"));
    maker.ok(&["import", "expected", &csv]);
    let journal = maker.file("journal.json", JOURNAL);
    maker.ok(&["import", "esi-journal", "--wallet", "Logistics", &journal]);
    let sync = |l: &Ledger, token: &str| {
        let out = l.run_with_env(
            &["sync", "--server", &server.url, "--json"],
            &[("RECON_TOKEN", token)],
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
    };
    let first = sync(&maker, &server.token);
    assert_eq!(
        (first["pushed"].as_i64(), first["pulled"].as_i64()),
        (Some(2), Some(0))
    );

    // Offline, the checker imported the same payment at another amount.
    let theirs = checker.file("expected.csv", &expected_csv("150.00"));
    checker.ok(&["import", "expected", &theirs]);
    let report = sync(&checker, &checker_token);
    assert_eq!(report["pushed"], 1);
    assert_eq!(report["pulled"], 2, "{report:#}");
    let refused = report["refused"].as_array().unwrap();
    assert_eq!(refused.len(), 1, "{report:#}");
    assert_eq!(refused[0]["kind"], "expected_payments_added");
    assert_eq!(refused[0]["undone"], true);
    assert!(refused[0]["event_id"].as_str().unwrap().len() == 36);
    let reason = refused[0]["reason"].as_str().unwrap();
    assert!(reason.contains("ARB c1 Alpha"), "{reason}");
    assert_eq!(report["status"]["needs_attention"], 1);
    assert_eq!(report["status"]["last_counts"]["refused"], 1);

    // The checker now holds the maker's payment and journal line.
    let listed = checker.json(&["expected", "list", "--json"]);
    let rows = listed.as_array().unwrap();
    assert_eq!(rows.len(), 1, "{listed:#}");
    assert_eq!(
        (
            rows[0]["expected_amount"].as_str(),
            rows[0]["status"].as_str()
        ),
        (Some("100.00"), Some("awaiting_payment"))
    );
    let lines = checker.json(&["journal", "list", "--json"]);
    assert!(lines.to_string().contains("ARB c1 Alpha"), "{lines:#}");

    // Syncing again: nothing new, the refusal still listed under Needs attention.
    let again = sync(&checker, &checker_token);
    assert_eq!(
        (again["pushed"].as_i64(), again["pulled"].as_i64()),
        (Some(0), Some(0))
    );
    assert_eq!(again["refused"].as_array().unwrap().len(), 0);
    assert_eq!(again["status"]["needs_attention"], 1);
}
