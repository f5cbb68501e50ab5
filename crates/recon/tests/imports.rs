//! Bank and payment file imports through the `recon` binary on a real ledger (issue 3):
//! overlapping exports, fingerprints, tombstones, rejects, ambiguity, statements.

mod common;
use common::Ledger;
use serde_json::Value;

const PROFILE: &str = r#"delimiter = ";"
encoding = "utf-8"
skip_lines = 2
date = "Buchungstag"
date_format = "%d.%m.%Y"
description = "Verwendungszweck"
counterparty = "Empfänger"
reference = "Referenz"
decimal_separator = ","
thousands_separator = "."
amount = "Betrag"
"#;

fn bank_csv(rows: &[(&str, &str, &str, &str, &str)]) -> String {
    let mut s = String::from("Kontoauszug;Girokonto\nIBAN;DE00 1234\nBuchungstag;Verwendungszweck;Empfänger;Betrag;Referenz\n");
    for (date, text, party, amount, reference) in rows {
        s.push_str(&format!("{date};{text};{party};{amount};{reference}\n"));
    }
    s
}

fn setup() -> Ledger {
    let l = Ledger::new();
    l.ok(&[
        "wallet",
        "add",
        "Giro",
        "--kind",
        "bank",
        "--currency",
        "EUR",
    ]);
    let p = l.file("giro.toml", PROFILE);
    l.ok(&["profile", "save", "giro", &p]);
    l
}

fn import_csv(l: &Ledger, file: &str, extra: &[&str]) -> Value {
    let mut args = vec![
        "import",
        "csv",
        "--wallet",
        "Giro",
        "--profile",
        "giro",
        "--json",
    ];
    args.extend_from_slice(extra);
    args.push(file);
    l.json(&args)
}

/// (read, inserted, duplicates, rejected) of an import's JSON summary.
fn counts(s: &Value) -> (u64, u64, u64, u64) {
    let n = |k: &str| {
        s[k].as_u64()
            .unwrap_or_else(|| panic!("{k} missing in {s}"))
    };
    (n("read"), n("inserted"), n("duplicates"), n("rejected"))
}

fn journal_amounts(l: &Ledger) -> Vec<String> {
    let rows = l.json(&["journal", "list", "--wallet", "Giro", "--json"]);
    rows.as_array()
        .unwrap()
        .iter()
        .map(|r| {
            format!(
                "{} {} {}",
                r["date"].as_str().unwrap(),
                r["amount"].as_str().unwrap(),
                r["description"].as_str().unwrap()
            )
        })
        .collect()
}

#[test]
fn an_overlapping_export_imports_only_its_new_rows() {
    let l = setup();
    let jan = l.file(
        "jan.csv",
        &bank_csv(&[
            ("02.01.2026", "Miete", "Vermieter", "-1.200,00", "R1"),
            ("03.01.2026", "Gehalt", "ACME GmbH", "3.456,78", "R2"),
            ("04.01.2026", "Kaffee", "Café", "-3,50", "R3"),
        ]),
    );
    let s = import_csv(&l, &jan, &[]);
    assert_eq!(counts(&s), (3, 3, 0, 0));
    let overlap = l.file(
        "jan-feb.csv",
        &bank_csv(&[
            ("03.01.2026", "Gehalt", "ACME GmbH", "3.456,78", "R2"),
            ("04.01.2026", "Kaffee", "Café", "-3,50", "R3"),
            ("02.02.2026", "Miete", "Vermieter", "-1.200,00", "R4"),
        ]),
    );
    let s = import_csv(&l, &overlap, &[]);
    assert_eq!(counts(&s), (3, 1, 2, 0));
    assert_eq!(
        journal_amounts(&l),
        [
            "2026-01-02 -1200.00 Miete",
            "2026-01-03 3456.78 Gehalt",
            "2026-01-04 -3.50 Kaffee",
            "2026-02-02 -1200.00 Miete"
        ]
    );
    // The same id with another amount is a disagreement, not a duplicate: alone (found when
    // its insert is ignored) and after a duplicate (found by the probe that comes first then).
    let alone = [("04.01.2026", "Kaffee", "Café", "-4,50", "R3")];
    let after_duplicate = [
        ("03.01.2026", "Gehalt", "ACME GmbH", "3.456,78", "R2"),
        ("04.01.2026", "Kaffee", "Café", "-4,50", "R3"),
    ];
    for (name, rows) in [
        ("alone.csv", &alone[..]),
        ("after.csv", &after_duplicate[..]),
    ] {
        let changed = l.file(name, &bank_csv(rows));
        let err = l.refused(&[
            "import",
            "csv",
            "--wallet",
            "Giro",
            "--profile",
            "giro",
            &changed,
        ]);
        assert!(
            err.contains(
                "transaction R3 was already imported with date 2026-01-04 and amount -3.50"
            ),
            "{name}: {err}"
        );
    }
    assert_eq!(
        journal_amounts(&l).len(),
        4,
        "a refused file changes nothing"
    );
}

#[test]
fn identical_rows_without_ids_survive_once_each_and_never_twice() {
    let l = setup();
    let day = l.file(
        "day.csv",
        &bank_csv(&[
            ("05.01.2026", "Kaffee", "Café", "-3,50", ""),
            ("05.01.2026", "Kaffee", "Café", "-3,50", ""),
            ("05.01.2026", "Brot", "Bäcker", "-2,10", ""),
        ]),
    );
    let s = import_csv(&l, &day, &[]);
    assert_eq!(s["inserted"], 2 + 1);
    let s = import_csv(&l, &day, &[]);
    assert_eq!(counts(&s), (3, 0, 3, 0));
    // A later export of the same day holding a third coffee adds exactly that one.
    let more = l.file(
        "more.csv",
        &bank_csv(&[
            ("05.01.2026", "Kaffee", "Café", "-3,50", ""),
            ("05.01.2026", "Kaffee", "Café", "-3,50", ""),
            ("05.01.2026", "Kaffee", "Café", "-3,50", ""),
        ]),
    );
    let s = import_csv(&l, &more, &[]);
    assert_eq!(counts(&s), (3, 1, 2, 0));
    assert_eq!(
        journal_amounts(&l)
            .iter()
            .filter(|r| r.contains("Kaffee"))
            .count(),
        3
    );
}

#[test]
fn removed_rows_stay_removed_unless_the_user_asks() {
    let l = setup();
    let f = l.file(
        "jan.csv",
        &bank_csv(&[
            ("02.01.2026", "Miete", "Vermieter", "-1.200,00", "R1"),
            ("04.01.2026", "Kaffee", "Café", "-3,50", ""),
        ]),
    );
    let batch = import_csv(&l, &f, &[])["batch_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let out = l.ok(&["import", "remove", &batch]);
    assert!(out.contains("2 row(s) left the journal"), "{out}");
    assert!(journal_amounts(&l).is_empty());
    let s = import_csv(&l, &f, &[]);
    assert_eq!(counts(&s), (2, 0, 2, 0));
    assert_eq!(s["files"][0]["removed_earlier"], 2);
    assert!(journal_amounts(&l).is_empty());
    let s = import_csv(&l, &f, &["--restore-removed"]);
    assert_eq!(s["inserted"], 2);
    assert_eq!(journal_amounts(&l).len(), 2);
    let batches = l.json(&["import", "batches", "--json"]);
    let removed: Vec<&Value> = batches
        .as_array()
        .unwrap()
        .iter()
        .filter(|b| !b["removed_at"].is_null())
        .collect();
    assert_eq!(removed.len(), 1);
    assert_eq!(removed[0]["id"], batch.as_str());
    l.ok(&["audit", "verify"]);
}

#[test]
fn a_batch_with_a_matched_row_cannot_be_removed() {
    let l = setup();
    l.ok(&[
        "wallet",
        "add",
        "Payments",
        "--kind",
        "bank",
        "--currency",
        "EUR",
        "--receiving",
    ]);
    l.ok(&["match", "rules", "--ref-types", "bank_credit"]);
    let f = l.file(
        "in.csv",
        &bank_csv(&[("02.01.2026", "ARB c1 Anna", "Anna", "50,00", "T1")]),
    );
    let batch = l.json(&[
        "import",
        "csv",
        "--wallet",
        "Payments",
        "--profile",
        "giro",
        "--json",
        &f,
    ])["batch_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let e = l.file(
        "e.csv",
        "cycle_id,character_name,character_id,expected_amount,currency,memo\nc1,Anna,,50.00,EUR,\n",
    );
    l.ok(&["import", "expected", &e]);
    let run = l.json(&["match", "--json"]);
    assert_eq!(run["matched"], 1);
    let err = l.refused(&["import", "remove", &batch]);
    assert!(err.contains("1 of its rows have been matched"), "{err}");
    let listed = l.json(&["expected", "list", "--json"]);
    assert_eq!(listed[0]["journal_ids"][0], "ref:T1");
}

#[test]
fn bad_rows_refuse_the_file_by_default_or_are_kept_on_the_batch() {
    let l = setup();
    let f = l.file(
        "bad.csv",
        &bank_csv(&[
            ("02.01.2026", "Miete", "Vermieter", "-1.200,00", "R1"),
            ("31.02.2026", "Unmöglich", "X", "-1,00", "R2"),
            ("03.01.2026", "Zu genau", "Y", "-1,005", "R3"),
            ("04.01.2026", "Kaffee", "Café", "abc", "R4"),
        ]),
    );
    let err = l.refused(&["import", "csv", "--wallet", "Giro", "--profile", "giro", &f]);
    assert!(err.contains("3 bad row(s); nothing was imported"), "{err}");
    for needle in [
        "line 5, column",
        "'31.02.2026'",
        "line 6, column",
        "'-1.005'",
        "line 7, column",
        "'abc'",
    ] {
        assert!(err.contains(needle), "missing {needle} in {err}");
    }
    assert!(journal_amounts(&l).is_empty(), "nothing is half-written");
    assert!(l
        .json(&["import", "batches", "--json"])
        .as_array()
        .unwrap()
        .is_empty());

    let s = import_csv(&l, &f, &["--valid-rows-only"]);
    assert_eq!(counts(&s), (4, 1, 0, 3));
    let b = &l.json(&["import", "batches", "--json"])[0];
    assert_eq!(
        b["read"].as_i64().unwrap(),
        b["inserted"].as_i64().unwrap()
            + b["duplicates"].as_i64().unwrap()
            + b["rejected"].as_i64().unwrap()
    );
    assert_eq!(b["rejected"], 3);
}

#[test]
fn an_ambiguous_date_column_is_asked_not_guessed() {
    let l = setup();
    let f = l.file(
        "amb.csv",
        "Date,Description,Amount\n03/04/2026,Coffee,-3.50\n05/06/2026,Lunch,-12.00\n",
    );
    let err = l.refused(&["import", "file", "--wallet", "Giro", &f]);
    assert!(
        err.contains("column 'Date'") && err.contains(" or "),
        "{err}"
    );
    let err = l.refused(&["profile", "detect", &f]);
    assert!(err.contains("column 'Date'"), "{err}");
    // An unambiguous day (13) settles it.
    let f = l.file(
        "clear.csv",
        "Date,Description,Amount\n03/04/2026,Coffee,-3.50\n13/06/2026,Lunch,-12.00\n",
    );
    let out = l.ok(&["profile", "detect", &f]);
    assert!(out.contains("date_format = \"%d/%m/%Y\""), "{out}");
}

#[test]
fn dry_run_needs_no_wallet_and_writes_nothing() {
    let l = setup();
    let f = l.file("x.csv", "Date,Description,Amount\n2026-01-02,Coffee,-3.50\n2026-01-03,Refund,\"1,234.50\"\n2026-01-04,Broken,x\n");
    let r = l.json(&["import", "file", "--dry-run", "--json", &f]);
    assert_eq!(r["format"], "csv");
    assert_eq!(r["encoding"], "utf-8");
    assert_eq!(r["rows"], 3);
    assert_eq!(r["rejected"], 1);
    assert_eq!(r["rejects"][0]["line"], 4);
    assert!(r["profile"].as_str().unwrap().contains("date = \"Date\""));
    assert!(l
        .json(&["import", "batches", "--json"])
        .as_array()
        .unwrap()
        .is_empty());
}

const OFX_USD: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<?OFX OFXHEADER="200" VERSION="220" SECURITY="NONE" OLDFILEUID="NONE" NEWFILEUID="NONE"?>
<OFX><BANKMSGSRSV1><STMTTRNRS><TRNUID>1</TRNUID><STATUS><CODE>0</CODE><SEVERITY>INFO</SEVERITY></STATUS>
<STMTRS><CURDEF>USD</CURDEF><BANKACCTFROM><BANKID>1</BANKID><ACCTID>42</ACCTID><ACCTTYPE>CHECKING</ACCTTYPE></BANKACCTFROM>
<BANKTRANLIST><DTSTART>20260101</DTSTART><DTEND>20260131</DTEND>
<STMTTRN><TRNTYPE>DEBIT</TRNTYPE><DTPOSTED>20260105</DTPOSTED><TRNAMT>-12.50</TRNAMT><FITID>F1</FITID><NAME>Grocer</NAME></STMTTRN>
<STMTTRN><TRNTYPE>CREDIT</TRNTYPE><DTPOSTED>20260106</DTPOSTED><TRNAMT>100.00</TRNAMT><FITID>F2</FITID><NAME>Payroll</NAME></STMTTRN>
</BANKTRANLIST><LEDGERBAL><BALAMT>187.50</BALAMT><DTASOF>20260131</DTASOF></LEDGERBAL></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>
"#;

#[test]
fn a_statement_in_another_currency_than_the_wallet_is_refused() {
    let l = setup();
    let f = l.file("s.ofx", OFX_USD);
    let r = l.json(&["import", "file", "--dry-run", "--json", &f]);
    assert_eq!(
        (r["format"].as_str(), r["rows"].as_u64()),
        (Some("ofx"), Some(2))
    );
    let err = l.refused(&["import", "file", "--wallet", "Giro", &f]);
    assert!(
        err.contains("the statement is in USD but wallet 'Giro' holds EUR"),
        "{err}"
    );
    l.ok(&[
        "wallet",
        "add",
        "Checking",
        "--kind",
        "bank",
        "--currency",
        "USD",
    ]);
    let s = l.json(&["import", "file", "--wallet", "Checking", "--json", &f]);
    assert_eq!(s["inserted"], 2);
    let s = l.json(&["import", "file", "--wallet", "Checking", "--json", &f]);
    assert_eq!(counts(&s), (2, 0, 2, 0));
}

#[test]
fn the_same_statement_in_three_encodings_gives_the_same_rows() {
    let text = "Buchungstag;Verwendungszweck;Empfänger;Betrag;Referenz\n02.01.2026;Gebühr für Überweisung;Bäckerei Müller;-1,50;\n";
    let profile = PROFILE
        .replace("skip_lines = 2", "skip_lines = 0")
        .replace("encoding = \"utf-8\"", "encoding = \"auto\"");
    let mut seen = Vec::new();
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(text.encode_utf16().flat_map(|u| u.to_le_bytes()))
        .collect();
    let latin: Vec<u8> = text
        .chars()
        .map(|c| u8::try_from(u32::from(c)).unwrap())
        .collect();
    for (name, bytes) in [
        ("utf8.csv", text.as_bytes().to_vec()),
        ("utf16.csv", utf16),
        ("cp1252.csv", latin),
    ] {
        let l = Ledger::new();
        l.ok(&[
            "wallet",
            "add",
            "Giro",
            "--kind",
            "bank",
            "--currency",
            "EUR",
        ]);
        let p = l.file("p.toml", &profile);
        let path = l.dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        let path = path.display().to_string();
        l.ok(&["import", "csv", "--wallet", "Giro", "--profile", &p, &path]);
        let rows = l.json(&["journal", "list", "--json"]);
        seen.push((
            rows[0]["description"].clone(),
            rows[0]["counterparty"].clone(),
            rows[0]["amount"].clone(),
        ));
    }
    assert_eq!(seen[0].0, "Gebühr für Überweisung");
    assert_eq!(seen[0].1, "Bäckerei Müller");
    assert!(seen.iter().all(|s| *s == seen[0]), "{seen:?}");
}

#[test]
fn removed_esi_lines_stay_removed_too() {
    let l = Ledger::new();
    l.ok(&["wallet", "add", "Main", "--owner-id", "90000001"]);
    let f = l.file(
        "j.json",
        r#"[{"id": 7, "date": "2026-03-01T07:00:00Z", "ref_type": "player_donation",
             "description": "d", "amount": 10.5}]"#,
    );
    let first = l.json(&["import", "file", "--wallet", "Main", "--json", &f]);
    assert_eq!(counts(&first), (1, 1, 0, 0));
    l.ok(&["import", "remove", first["batch_id"].as_str().unwrap()]);
    let again = l.json(&["import", "file", "--wallet", "Main", "--json", &f]);
    assert_eq!(counts(&again), (1, 0, 1, 0));
    assert!(l
        .json(&["journal", "list", "--json"])
        .as_array()
        .unwrap()
        .is_empty());
}

#[test]
fn a_date_outside_1900_to_2099_is_a_reject_naming_the_row() {
    let l = setup();
    let file = l.file(
        "typo.csv",
        &bank_csv(&[
            ("02.01.2026", "Miete", "Vermieter", "-1.200,00", "R1"),
            ("03.01.2206", "Gehalt", "ACME GmbH", "3.456,78", "R2"),
        ]),
    );
    let err = l.refused(&[
        "import",
        "csv",
        "--wallet",
        "Giro",
        "--profile",
        "giro",
        &file,
    ]);
    assert!(
        err.contains("line 5")
            && err.contains(
                "2206-01-03 is outside the dates the ledger holds (1900-01-01 to 2099-12-31)"
            ),
        "{err}"
    );
    assert!(journal_amounts(&l).is_empty(), "nothing is half-written");
}
