//! Which id keys a bank line, through the `recon` binary on a real ledger (issues 13 and
//! 15): a statement is never refused for an id its bank repeats inside the file, the dry
//! run says what the import will do, QIF files import, and a file of no lines says why.

mod common;
use common::Ledger;
use serde_json::Value;

fn ledger(currency: &str) -> Ledger {
    let l = Ledger::new();
    l.ok(&[
        "wallet",
        "add",
        "Bank",
        "--kind",
        "bank",
        "--currency",
        currency,
    ]);
    l
}

fn counts(s: &Value) -> (u64, u64, u64, u64) {
    let n = |k: &str| s[k].as_u64().unwrap();
    (n("read"), n("inserted"), n("duplicates"), n("rejected"))
}

fn notes(s: &Value) -> String {
    s["files"][0]["notes"].to_string()
}

/// ASN Bank: the other party's IBAN where the customer reference goes, two lines with it.
const ASN_MT940: &str = "{1:F01ASNBNL21XXXX0000000000}{2:O940ASNBNL21XXXXN}{3:}{4:
:20:0000000000
:25:NL81ASNB9999999999
:28C:1/1
:60F:C200101EUR444,29
:61:2001010101D65,00NOVBNL47INGB9999999999
hr gjlm paulissen
:86:NL47INGB9999999999 hr gjlm paulissen Betaling sieraden
:61:2001010101D10,00NOVBNL47INGB9999999999
hr gjlm paulissen
:86:NL47INGB9999999999 hr gjlm paulissen Betaling ketting
:62F:C200101EUR369,29
-}
";

#[test]
fn an_mt940_whose_lines_share_a_counterparty_account_imports_whole_and_once() {
    let l = ledger("EUR");
    let f = l.file("asn.sta", ASN_MT940);
    let dry = l.json(&["import", "file", "--dry-run", "--json", &f]);
    assert_eq!(
        (dry["rows"].as_u64(), dry["rejected"].as_u64()),
        (Some(2), Some(0))
    );
    let s = l.json(&["import", "file", "--wallet", "Bank", "--json", &f]);
    assert_eq!(counts(&s), (2, 2, 0, 0));
    let s = l.json(&["import", "file", "--wallet", "Bank", "--json", &f]);
    assert_eq!(counts(&s), (2, 0, 2, 0));
}

const QFX_REUSED_FITID: &str = "OFXHEADER:100
DATA:OFXSGML
VERSION:102

<OFX><BANKMSGSRSV1><STMTTRNRS><STMTRS><CURDEF>USD<BANKTRANLIST>
<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20230105<TRNAMT>-12.00<FITID>0<NAME>Coffee</STMTTRN>
<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20230106<TRNAMT>-40.00<FITID>0<NAME>Fuel</STMTTRN>
<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20230106<TRNAMT>-40.00<FITID>0<NAME>Fuel</STMTTRN>
</BANKTRANLIST></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>
";

#[test]
fn a_reused_fitid_is_a_note_not_a_refusal_and_a_re_import_adds_nothing() {
    let l = ledger("USD");
    let f = l.file("ally.qfx", QFX_REUSED_FITID);
    let dry = l.json(&["import", "file", "--dry-run", "--json", &f]);
    assert!(dry["notes"].to_string().contains("2 lines repeat"), "{dry}");
    let s = l.json(&["import", "file", "--wallet", "Bank", "--json", &f]);
    // the two identical fuel lines are two lines of the statement: both are kept
    assert_eq!(counts(&s), (3, 3, 0, 0));
    assert!(notes(&s).contains("2 lines repeat"), "{s}");
    let s = l.json(&["import", "file", "--wallet", "Bank", "--json", &f]);
    assert_eq!(counts(&s), (3, 0, 3, 0));
}

#[test]
fn a_qif_file_imports_and_its_investment_list_is_a_note() {
    let l = ledger("USD");
    let f = l.file(
        "bank.qif",
        "!Account\nNChecking\nTBank\n^\n!Type:Bank\nD8/12/13\nT-1,000.00\nPDelta PC\n^\nD8/15/13\nT-75.46\nPWalts Drugs\n^\n\
         !Type:Invst\nD8/25/93\nNShrsIn\nT1,000.00\n^\n",
    );
    let dry = l.json(&["import", "file", "--dry-run", "--json", &f]);
    assert_eq!(dry["format"], "qif");
    let s = l.json(&["import", "file", "--wallet", "Bank", "--json", &f]);
    assert_eq!(counts(&s), (2, 2, 0, 0));
    assert!(notes(&s).contains("investment"), "{s}");
}

#[test]
fn a_statement_of_balances_only_says_why_it_has_no_lines() {
    let l = ledger("EUR");
    let f = l.file(
        "balances.sta",
        ":20:STARTUMS\n:25:51210600/9223382012\n:28C:1\n:60F:C140901EUR137,00\n:62F:C140901EUR137,00\n",
    );
    let dry = l.json(&["import", "file", "--dry-run", "--json", &f]);
    assert_eq!(dry["rows"], 0);
    assert!(dry["notes"].to_string().contains("only balances"), "{dry}");
}

#[test]
fn a_qif_whose_dates_read_both_ways_is_asked_like_a_csv_date_column() {
    let l = ledger("EUR");
    let f = l.file(
        "both.qif",
        "!Type:Bank\nD03/04/2026\nT-1.00\nPBaker\n^\nD05/04/2026\nT20.00\nPSalary\n^\n",
    );
    // neither the dry run nor the import guesses: both name the dates' two readings
    for args in [
        vec!["import", "file", "--dry-run", &f],
        vec!["import", "file", "--wallet", "Bank", &f],
    ] {
        let why = l.refused(&args);
        assert!(why.contains("can be read two ways"), "{why}");
        assert!(why.contains("2026-03-04 (month first)"), "{why}");
        assert!(why.contains("2026-04-03 (day first)"), "{why}");
        assert!(why.contains("--date-order day-first"), "{why}");
    }
    assert_eq!(
        l.json(&["journal", "list", "--json"]),
        serde_json::json!([])
    );
    let dry = l.json(&[
        "import",
        "file",
        "--dry-run",
        "--date-order",
        "day-first",
        "--json",
        &f,
    ]);
    assert_eq!(dry["valid"], 2);
    let s = l.json(&[
        "import",
        "file",
        "--wallet",
        "Bank",
        "--date-order",
        "day-first",
        "--json",
        &f,
    ]);
    assert_eq!(counts(&s), (2, 2, 0, 0));
    let rows = l.json(&["journal", "list", "--json"]).to_string();
    assert!(
        rows.contains("2026-04-03") && rows.contains("2026-04-05"),
        "{rows}"
    );
    assert!(!rows.contains("2026-03-04"), "{rows}");
}

#[test]
fn a_bank_line_keeps_its_value_date_beside_its_booking_date() {
    let l = ledger("EUR");
    let f = l.file(
        "feb.sta",
        ":20:STMT\r\n:25:DE89370400440532013000\r\n:28C:1\r\n:60F:C240227EUR100,00\r\n\
         :61:2403010228C10,00NTRFNONREF//B1\r\n:86:one\r\n\
         :61:2402300228C20,00NTRFNONREF//B2\r\n:86:two\r\n:62F:C240228EUR130,00\r\n",
    );
    let s = l.json(&["import", "file", "--wallet", "Bank", "--json", &f]);
    assert_eq!(counts(&s), (2, 2, 0, 0));
    assert!(notes(&s).contains("'240230' is not a date"), "{s}");
    let rows = l.json(&["journal", "list", "--json"]);
    let got: Vec<(String, String)> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let text = |k: &str| r[k].as_str().unwrap_or("").to_string();
            (text("date"), text("value_date"))
        })
        .collect();
    assert_eq!(
        got,
        [
            ("2024-02-28".to_string(), "2024-03-01".to_string()),
            ("2024-02-28".to_string(), "240230".to_string()),
        ]
    );
}
