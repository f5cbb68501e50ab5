//! `--json` prints the DTOs the app receives: every command's output reads back as its
//! `recon_api` DTO and writes out again unchanged, so the CLI and the app cannot drift apart.

mod common;
use common::Ledger;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

/// The output is exactly `T`: nothing the DTO lacks, nothing it would add.
fn is_dto<T: DeserializeOwned + Serialize>(what: &str, json: &Value) {
    let dto: T = serde_json::from_value(json.clone())
        .unwrap_or_else(|e| panic!("{what}: not its DTO: {e}\n{json}"));
    assert_eq!(&serde_json::to_value(&dto).unwrap(), json, "{what}");
}

const JOURNAL: &str = r#"[
 {"id": 1, "date": "2026-03-02T10:00:00Z", "ref_type": "player_donation",
  "description": "Alpha deposited cash", "reason": "ARB c1 Alpha", "first_party_id": 101,
  "second_party_id": 90000001, "amount": 5000000000.00, "tax": -1.5, "context_id": 7,
  "context_id_type": "system_id"},
 {"id": 6, "date": "2026-03-07T10:00:00Z", "ref_type": "player_donation",
  "description": "Foxtrot", "reason": "ARB c1 Fxtrt", "first_party_id": 106,
  "second_party_id": 90000001, "amount": 3100000000},
 {"id": 14, "date": "2026-03-15T10:00:00Z", "ref_type": "player_donation",
  "description": "Someone", "reason": "ARB c1 Nov", "first_party_id": 555,
  "second_party_id": 90000001, "amount": 500000000}
]"#;

const EXPECTED: &str = "cycle_id,character_name,character_id,expected_amount,currency,memo
c1,Alpha,101,5000000000.00,ISK,
c1,Foxtrot,106,3000000000.00,ISK,
c1,Nov1,114,1000000000.00,ISK,
c1,Nov2,115,1000000000.00,ISK,
";

const BANK: &str = "Buchungstag;Betrag;Verwendungszweck;Saldo\n\
    03.04.2026;1.234,56;Gehalt;2.000,00\n\
    14.04.2026;-12,50;Kaffee;1.987,50\n\
    15.04.2026;zwölf;Kaputt;1.987,50\n";

#[test]
fn every_json_output_is_the_apps_dto() {
    let l = Ledger::new();
    l.main_wallet();
    l.ok(&[
        "wallet",
        "add",
        "Giro",
        "--kind",
        "bank",
        "--currency",
        "EUR",
    ]);
    let journal = l.file("j.json", JOURNAL);
    let esi = l.json(&[
        "import",
        "esi-journal",
        "--wallet",
        "Main",
        "--json",
        &journal,
    ]);
    is_dto::<recon_api::ImportSummaryDto>("import esi-journal", &esi);
    let expected = l.file("e.csv", EXPECTED);
    let imported = l.json(&["import", "expected", "--json", &expected]);
    is_dto::<recon_api::ExpectedImportDto>("import expected", &imported);

    let run = l.json(&["match", "--json"]);
    is_dto::<recon_api::MatchRunReportDto>("match", &run);
    assert_eq!(run["ambiguous_receipts"][0]["journal_id"], "14");
    let review = l.json(&["match", "review", "--json"]);
    is_dto::<recon_api::ReviewQueuesDto>("match review", &review);
    assert!(!review["unmatched_receipts"].as_array().unwrap().is_empty());
    let list = l.json(&["expected", "list", "--json"]);
    is_dto::<Vec<recon_api::ExpectedDto>>("expected list", &list);
    let cycles = l.json(&["cycle", "list", "--json"]);
    is_dto::<Vec<recon_api::CycleSummaryDto>>("cycle list", &cycles);
    let wallets = l.json(&["wallet", "list", "--json"]);
    is_dto::<Vec<recon_api::WalletDto>>("wallet list", &wallets);

    let bank = l.file("k.csv", BANK);
    let dry = l.json(&["import", "file", "--dry-run", "--json", &bank]);
    is_dto::<recon_api::DryRunDto>("import file --dry-run", &dry);
    let args = [
        "import",
        "file",
        "--wallet",
        "Giro",
        "--valid-rows-only",
        "--json",
    ];
    let bank_import = l.json(&[&args[..], &[bank.as_str()]].concat());
    is_dto::<recon_api::ImportResultDto>("import file", &bank_import);
    assert_eq!(bank_import["committed"], true);
    let batches = l.json(&["import", "batches", "--json"]);
    is_dto::<Vec<recon_api::BatchDto>>("import batches", &batches);
    let rows = l.json(&["journal", "list", "--json"]);
    is_dto::<Vec<recon_api::JournalRowDto>>("journal list", &rows);
    assert_eq!(rows.as_array().unwrap().len(), 5);
}
