//! Hostile input and contention (issue 14), through the real `recon` binary on a real
//! ledger file: currencies inside amounts, readers during an import, files without rows,
//! digits beyond what a decimal holds, repeated JSON keys, control characters, dry runs
//! that apply the currency's scale, messages that name their file, file modes.

mod common;
use common::Ledger;
use serde_json::Value;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A German bank export: `;`-separated, decimal comma.
const PROFILE: &str = r#"delimiter = ";"
date = "Datum"
date_format = "%Y-%m-%d"
description = "Text"
decimal_separator = ","
amount = "Betrag"
"#;

fn bank(currency: &str) -> Ledger {
    let l = Ledger::new();
    l.ok(&[
        "wallet",
        "add",
        "Giro",
        "--kind",
        "bank",
        "--currency",
        currency,
    ]);
    let p = l.file("bank.toml", PROFILE);
    l.ok(&["profile", "save", "bank", &p]);
    l
}

fn csv(rows: &[(&str, &str)]) -> String {
    let mut s = String::from("Datum;Text;Betrag\n");
    for (text, amount) in rows {
        s.push_str(&format!("2026-03-01;{text};{amount}\n"));
    }
    s
}

fn import_csv(l: &Ledger, path: &str) -> std::process::Output {
    l.run(&[
        "import",
        "csv",
        "--wallet",
        "Giro",
        "--profile",
        "bank",
        path,
    ])
}

fn journal_amounts(l: &Ledger) -> Vec<String> {
    l.json(&["journal", "list", "--json"])
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["amount"].as_str().unwrap().to_string())
        .collect()
}

fn batches(l: &Ledger) -> usize {
    l.json(&["import", "batches", "--json"])
        .as_array()
        .unwrap()
        .len()
}

#[test]
fn a_currency_written_in_an_amount_that_is_not_the_wallets_refuses_the_row() {
    let l = bank("EUR");
    for (amount, why) in [
        (
            "12,50 USD",
            "'12,50 USD' is in USD but the wallet holds EUR",
        ),
        ("$12,50", "'$12,50' is in '$' (USD, CAD"),
        ("£ 12,50", "'£ 12,50' is in '£' (GBP"),
        (
            "¥1234",
            "'¥1234' is in '¥' (JPY, CNY) but the wallet holds EUR",
        ),
        ("7,00 XYZ", "'7,00 XYZ': 'XYZ' is not a known currency code"),
    ] {
        let f = l.file("x.csv", &csv(&[("fine", "1,00"), ("claim", amount)]));
        let out = import_csv(&l, &f);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{amount} was booked: {err}");
        assert!(
            err.contains(&format!(
                "x.csv: line 3, column 'Betrag': '{amount}': {why}"
            )),
            "{amount}: {err}"
        );
        assert!(err.contains("nothing was imported"), "{err}");
    }
    assert!(journal_amounts(&l).is_empty());
    assert_eq!(batches(&l), 0);
    // The wallet's own currency, as a code or its symbol, is fine.
    let f = l.file(
        "ok.csv",
        &csv(&[
            ("code", "12,50 EUR"),
            ("symbol", "€ 3,00"),
            ("lower", "1,00 eur"),
        ]),
    );
    assert!(import_csv(&l, &f).status.success());
    assert_eq!(journal_amounts(&l).len(), 3);
}

#[test]
fn a_shared_symbol_is_accepted_in_a_wallet_of_one_of_its_currencies() {
    for (currency, amount, stored) in [
        ("USD", "$12,50", "12.50"),
        ("JPY", "¥1234", "1234"),
        ("ISK", "100,00 kr", "100.00"),
    ] {
        let l = bank(currency);
        let f = l.file("x.csv", &csv(&[("shared", amount)]));
        let out = import_csv(&l, &f);
        assert!(
            out.status.success(),
            "{currency} {amount}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(journal_amounts(&l), [stored]);
    }
}

/// An ESI page of `n` entries, one a second.
fn esi_page(n: usize) -> String {
    let entries: Vec<String> = (0..n)
        .map(|i| {
            let at = chrono::DateTime::from_timestamp(1_767_225_600 + i as i64, 0).unwrap();
            format!(
                r#"{{"id":{},"date":"{}","ref_type":"player_donation","description":"deposit","first_party_id":2000,"second_party_id":9,"amount":{}.25,"reason":"note {i}"}}"#,
                1_000_000 + i,
                at.format("%Y-%m-%dT%H:%M:%SZ"),
                i + 1
            )
        })
        .collect();
    format!("[{}]", entries.join(","))
}

#[test]
fn a_reader_answers_at_once_while_an_import_writes_and_a_writer_says_what_it_waits_for() {
    let l = Ledger::new();
    l.ok(&["wallet", "add", "Main"]);
    let page = l.file("big.json", &esi_page(80_000));
    let mut import = Command::new(env!("CARGO_BIN_EXE_recon"))
        .arg("--db")
        .arg(&l.db)
        .args(["import", "esi-journal", "--wallet", "Main", &page])
        .env_remove("RECON_DB")
        .env("RECON_USER", "tester")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until the import holds the write lock (its file parsed, its rows going in).
    let start = Instant::now();
    while !writer_holds(&l.db) {
        assert!(
            import.try_wait().unwrap().is_none(),
            "the import ended before it was seen writing"
        );
        assert!(
            start.elapsed() < Duration::from_secs(300),
            "the import never wrote"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let note = l.dir.path().join("ledger.sqlite-writer");
    let asked = Instant::now();
    let out = l.run(&["wallet", "list", "--json"]);
    let took = asked.elapsed();
    assert!(
        out.status.success(),
        "a reader was locked out by the import: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let wallets: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(wallets[0]["name"], "Main");
    assert!(
        import.try_wait().unwrap().is_none(),
        "the import ended before the reader asked (took {took:?}); the test needs a longer import"
    );
    assert!(
        took < Duration::from_millis(BUSY_TIMEOUT_MS),
        "the reader waited out the busy timeout ({took:?})"
    );

    // A writer meanwhile waits, saying for whom and for how long (or, the import being
    // longer than the wait, giving up naming it).
    let before = writer_holds(&l.db);
    let out = l.run(&["wallet", "add", "Second"]);
    let err = String::from_utf8_lossy(&out.stderr);
    if before {
        let holder = format!(
            "recon: the ledger is busy: 'recon --db {} import esi-journal --wallet Main {page}' (process {}) has been writing since ",
            l.db.display(),
            import.id()
        );
        assert!(err.contains(&holder), "{err}");
        assert!(err.contains("; waiting…"), "{err}");
        if out.status.success() {
            assert!(err.contains("recon: waited "), "{err}");
        } else {
            assert!(err.contains("gave up after waiting 5."), "{err}");
        }
    }
    let done = import.wait_with_output().unwrap();
    assert!(
        done.status.success(),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
    assert!(!note.exists(), "the note leaves with its write");
    let wallets = l.json(&["wallet", "list", "--json"]);
    assert_eq!(wallets[0]["entry_count"], 80_000);
}

/// Whether another connection holds the ledger's write lock (asked without waiting).
fn writer_holds(db: &std::path::Path) -> bool {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.busy_timeout(Duration::ZERO).unwrap();
    match conn.execute_batch("BEGIN IMMEDIATE; ROLLBACK") {
        Ok(()) => false,
        Err(rusqlite::Error::SqliteFailure(e, _))
            if e.code == rusqlite::ErrorCode::DatabaseBusy =>
        {
            true
        }
        Err(e) => panic!("{e}"),
    }
}

/// How long `recon` waits for another writer (`recon_store::BUSY_TIMEOUT_MS`).
const BUSY_TIMEOUT_MS: u64 = 5_000;

#[test]
fn a_file_without_rows_writes_nothing_and_says_so() {
    let l = bank("EUR");
    let audit_before = l.ok(&["audit", "verify"]);
    let f = l.file("header.csv", "Datum;Text;Betrag\n");
    let out = l.ok(&["import", "csv", "--wallet", "Giro", "--profile", "bank", &f]);
    assert!(
        out.contains("no rows found: nothing was imported into 'Giro'"),
        "{out}"
    );
    assert_eq!(batches(&l), 0, "no batch of 0 rows");
    assert_eq!(l.ok(&["audit", "verify"]), audit_before, "no audit record");
    let s = l.json(&[
        "import",
        "csv",
        "--wallet",
        "Giro",
        "--profile",
        "bank",
        "--json",
        &f,
    ]);
    assert_eq!(
        (s["read"].as_u64(), s["batch_id"].as_str()),
        (Some(0), Some(""))
    );

    // An ESI page without entries likewise.
    l.ok(&["wallet", "add", "Main"]);
    let empty = l.file("empty.json", "[]");
    let out = l.ok(&["import", "esi-journal", "--wallet", "Main", &empty]);
    assert!(
        out.contains("no entries found in empty.json: nothing was imported into 'Main'"),
        "{out}"
    );
    assert_eq!(batches(&l), 0);
}

#[test]
fn an_amount_of_more_digits_than_a_decimal_holds_is_rounded_once() {
    let l = Ledger::new();
    l.ok(&["wallet", "add", "Main"]);
    let page = l.file(
        "p.json",
        r#"[{"id":1,"date":"2026-03-01T00:00:00Z","ref_type":"x","description":"d","amount":0.00500000000000000000000000000001},
            {"id":2,"date":"2026-03-01T00:00:01Z","ref_type":"x","description":"d","amount":-2.004999999999999999999999999999999}]"#,
    );
    l.ok(&["import", "esi-journal", "--wallet", "Main", &page]);
    assert_eq!(journal_amounts(&l), ["0.01", "-2.00"]);
}

#[test]
fn a_json_key_written_twice_refuses_the_file_naming_entry_and_key() {
    let l = Ledger::new();
    l.ok(&["wallet", "add", "Main"]);
    let page = l.file(
        "dup.json",
        r#"[{"id":1,"date":"2026-03-01T00:00:00Z","ref_type":"x","description":"d","amount":1},
            {"id":2,"date":"2026-03-01T00:00:00Z","ref_type":"x","description":"d","amount":100,"amount":999}]"#,
    );
    let err = l.refused(&["import", "esi-journal", "--wallet", "Main", &page]);
    assert!(
        err.contains("dup.json: entry 1: field 'amount' appears more than once"),
        "{err}"
    );
    let page = l.file(
        "ids.json",
        r#"[{"id":22,"id":23,"date":"2026-03-01T00:00:00Z","ref_type":"x","description":"d"}]"#,
    );
    let err = l.refused(&["import", "esi-journal", "--wallet", "Main", &page]);
    assert!(
        err.contains("ids.json: entry 0: field 'id' appears more than once"),
        "{err}"
    );
    assert!(journal_amounts(&l).is_empty());

    let expected = l.file(
        "expected.json",
        r#"[{"cycle_id":"C1","character_name":"Ann","expected_amount":100,"currency":"ISK"},
            {"cycle_id":"C1","character_name":"Bob","expected_amount":100,"expected_amount":999,"currency":"ISK"}]"#,
    );
    let err = l.refused(&["import", "expected", &expected]);
    assert!(
        err.contains("line 2, column 'expected_amount': (entry 1) appears more than once"),
        "{err}"
    );
    let listed = l.json(&["expected", "list", "--json"]);
    assert!(listed.as_array().unwrap().is_empty(), "{listed}");
}

#[test]
fn control_characters_in_free_text_refuse_the_row_naming_line_and_column() {
    let l = bank("EUR");
    let f = l.file("nul.csv", &csv(&[("fine", "1,00"), ("bad\0text", "2,00")]));
    let out = import_csv(&l, &f);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("nul.csv: line 3, column 'Text': 'bad\0text': holds a control character (U+0000 at character 4)"),
        "{err}"
    );
    let f = l.file("esc.csv", &csv(&[("red \u{1b}[31m", "2,00")]));
    let err = String::from_utf8_lossy(&import_csv(&l, &f).stderr).to_string();
    assert!(
        err.contains("column 'Text'") && err.contains("U+001B"),
        "{err}"
    );
    // Tabs stay welcome.
    let f = l.file("tab.csv", &csv(&[("a\tb", "2,00")]));
    assert!(import_csv(&l, &f).status.success());
    assert_eq!(journal_amounts(&l), ["2.00"]);

    let expected = l.file(
        "expected.csv",
        "cycle_id,character_name,expected_amount,currency\nC1,Ann,1,ISK\nC1,Bo\u{1}b,1,ISK\n",
    );
    let err = l.refused(&["import", "expected", &expected]);
    assert!(
        err.contains(
            "line 3, column 'character_name': holds a control character (U+0001 at character 3)"
        ),
        "{err}"
    );
}

#[test]
fn the_dry_run_applies_the_scale_of_a_known_currency() {
    let l = bank("EUR");
    let f = l.file(
        "fine.csv",
        "Date,Description,Amount\n2026-01-02,Coffee,-3.50\n2026-01-03,Too fine,1.505\n",
    );
    let r = l.json(&[
        "import",
        "file",
        "--dry-run",
        "--wallet",
        "Giro",
        "--json",
        &f,
    ]);
    assert_eq!(
        (r["rows"].as_u64(), r["valid"].as_u64()),
        (Some(2), Some(1)),
        "{r}"
    );
    assert_eq!(r["rejected"], 1);
    assert_eq!(r["rejects"][0]["line"], 3);
    assert_eq!(r["rejects"][0]["column"], "amount");
    assert_eq!(
        r["rejects"][0]["reason"],
        "'1.505' has more decimals than EUR allows (2)"
    );
    // The import refuses the same row the same way.
    let err = l.refused(&["import", "file", "--wallet", "Giro", &f]);
    assert!(
        err.contains("'1.505' has more decimals than EUR allows (2)"),
        "{err}"
    );

    // Without a wallet, a currency the file names is applied.
    let f = l.file(
        "jpy.csv",
        "Date,Description,Amount,Currency\n2026-01-02,Ramen,1200,JPY\n2026-01-03,Odd,12.5,JPY\n",
    );
    let r = l.json(&["import", "file", "--dry-run", "--json", &f]);
    assert_eq!(
        (r["valid"].as_u64(), r["rejected"].as_u64()),
        (Some(1), Some(1)),
        "{r}"
    );
    assert_eq!(
        r["rejects"][0]["reason"],
        "'12.5' has more decimals than JPY allows (0)"
    );
}

#[test]
fn messages_name_the_file_and_entry_and_undo_says_there_is_nothing_to_undo() {
    let l = Ledger::new();
    l.ok(&["wallet", "add", "Main"]);
    let page = l.file(
        "future.json",
        r#"[{"id":7,"date":"2026-03-01T00:00:00Z","ref_type":"x","description":"d"},
            {"id":8,"date":"2150-01-01T00:00:00Z","ref_type":"x","description":"d"}]"#,
    );
    let err = l.refused(&["import", "esi-journal", "--wallet", "Main", &page]);
    assert!(
        err.contains("future.json: entry 1 (id 8): field 'date': 2150-01-01 is outside the dates the ledger holds"),
        "{err}"
    );
    let err = l.refused(&["match", "undo"]);
    assert!(err.contains("nothing to undo"), "{err}");
    assert!(!err.contains("named"), "{err}");
}

#[cfg(unix)]
#[test]
fn a_new_ledger_is_private_and_one_others_can_read_is_warned_about() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let mut l = Ledger::new();
    l.db = l.dir.path().join("data/recon-desk/ledger.sqlite");
    let out = l.run(&["wallet", "add", "Main"]);
    assert!(out.status.success());
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(mode(l.db.parent().unwrap()), 0o700, "the data folder");
    assert_eq!(mode(&l.db), 0o600, "the ledger");
    std::fs::set_permissions(&l.db, std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = l.run(&["wallet", "list"]);
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!(
            "recon: warning: {} can be read by other users of this machine (mode 0644)",
            l.db.display()
        )),
        "{err}"
    );
}
