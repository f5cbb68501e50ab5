//! CSV through profiles: encodings, delimiters, quoting, line endings, metadata, headerless
//! files, amount mappings, rejects, profile TOML, proposals, fingerprints.

use chrono::NaiveDate;
use recon_import::{
    fingerprint, propose_profile, read_csv, AmountMapping, Column, CurrencySource, FileSummary,
    Occurrences, ParsedRow, Profile, ReadError, Reject, RowResult,
};
use rust_decimal::Decimal;
use std::convert::Infallible;
use std::str::FromStr;

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn profile(toml: &str) -> Profile {
    Profile::from_toml(toml).unwrap_or_else(|e| panic!("{e}\n{toml}"))
}

fn read(bytes: &[u8], p: &Profile) -> (Vec<ParsedRow>, Vec<Reject>, FileSummary) {
    let mut rows = Vec::new();
    let mut rejects = Vec::new();
    let summary = read_csv(bytes, p, |r| -> Result<(), Infallible> {
        match r {
            RowResult::Row(r) => rows.push(r),
            RowResult::Reject(r) => rejects.push(r),
        }
        Ok(())
    })
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(summary.read, (rows.len() + rejects.len()) as u64);
    assert_eq!(summary.rejected, rejects.len() as u64);
    (rows, rejects, summary)
}

const BASIC: &str = r#"
date = "Date"
date_format = "%d/%m/%Y"
description = "Description"
amount = "Amount"
decimal_separator = ","
"#;

/// (date, amount, description) of rows, for comparing reads.
fn triples(rows: &[ParsedRow]) -> Vec<(NaiveDate, Decimal, String)> {
    rows.iter()
        .map(|r| (r.date, r.amount, r.description.clone()))
        .collect()
}

#[test]
fn the_same_csv_in_every_encoding_gives_identical_rows() {
    let text = "Date;Description;Amount\n03/04/2026;Café crème à Zürich;-3,50\n04/04/2026;Überweisung Müller € Ñandú;1.234,56\n05/04/2026;Plain;12,00\n";
    let mut p = profile(&format!("delimiter = \";\"\n{BASIC}"));
    let utf8 = text.as_bytes().to_vec();
    let (expected, rejects, _) = read(&utf8, &p);
    assert!(rejects.is_empty());
    assert_eq!(expected.len(), 3);
    assert_eq!(expected[1].description, "Überweisung Müller € Ñandú");
    assert_eq!(expected[1].amount, dec("1234.56"));

    let mut bom = vec![0xEF, 0xBB, 0xBF];
    bom.extend_from_slice(text.as_bytes());
    let utf16 = |big: bool| {
        let mut v = if big {
            vec![0xFE, 0xFF]
        } else {
            vec![0xFF, 0xFE]
        };
        for u in text.encode_utf16() {
            v.extend_from_slice(&if big {
                u.to_be_bytes()
            } else {
                u.to_le_bytes()
            });
        }
        v
    };
    let (cp1252, _, bad) = encoding_rs::WINDOWS_1252.encode(text);
    assert!(!bad);
    // Latin-1 cannot hold €: the same text without it
    let latin_text = text.replace('€', "EUR");
    let latin1: Vec<u8> = latin_text
        .chars()
        .map(|c| u8::try_from(c as u32).unwrap())
        .collect();
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("utf-8", utf8.clone(), "utf-8"),
        ("utf-8 BOM", bom, "utf-8"),
        ("utf-16le BOM", utf16(false), "utf-16le"),
        ("utf-16be BOM", utf16(true), "utf-16be"),
        ("windows-1252", cp1252.to_vec(), "windows-1252"),
    ];
    for label in ["auto", "declared"] {
        for (name, bytes, enc) in &cases {
            p.encoding = if label == "auto" {
                "auto".into()
            } else {
                enc.to_string()
            };
            let (rows, rejects, summary) = read(bytes, &p);
            assert!(rejects.is_empty(), "{name} ({label}): {rejects:?}");
            assert_eq!(triples(&rows), triples(&expected), "{name} ({label})");
            assert_eq!(summary.encoding, *enc, "{name} ({label})");
        }
    }
    // Latin-1 declared and auto-detected
    p.encoding = "iso-8859-1".into();
    let (rows, rejects, _) = read(&latin1, &p);
    assert!(rejects.is_empty());
    assert_eq!(rows[1].description, "Überweisung Müller EUR Ñandú");
    p.encoding = "auto".into();
    let (rows_auto, _, summary) = read(&latin1, &p);
    assert_eq!(triples(&rows_auto), triples(&rows));
    assert_eq!(summary.encoding, "windows-1252");
    // UTF-16 without a BOM, declared
    p.encoding = "utf-16le".into();
    let no_bom: Vec<u8> = text.encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
    let (rows, _, _) = read(&no_bom, &p);
    assert_eq!(triples(&rows), triples(&expected));
}

#[test]
fn legacy_encodings_are_detected_with_chardetng() {
    let text = "Date;Description;Amount\n03/04/2026;東京の喫茶店でコーヒーを飲みました;-3,50\n04/04/2026;銀行振込 株式会社テスト;1.234,56\n05/04/2026;コンビニエンスストア 新宿;12,00\n";
    let (sjis, _, bad) = encoding_rs::SHIFT_JIS.encode(text);
    assert!(!bad);
    let p = profile(&format!("delimiter = \";\"\n{BASIC}"));
    let (rows, rejects, summary) = read(&sjis, &p);
    assert!(rejects.is_empty(), "{rejects:?}");
    assert_eq!(summary.encoding, "shift_jis");
    assert_eq!(rows[0].description, "東京の喫茶店でコーヒーを飲みました");
}

#[test]
fn invalid_bytes_reject_their_row_never_a_silent_replacement() {
    let mut bytes = b"Date,Description,Amount\n03/04/2026,ok,1\n04/04/2026,bad \xFF\xFE byte,2\n05/04/2026,ok too,3\n".to_vec();
    let mut p = profile(BASIC);
    p.decimal_separator = '.';
    p.encoding = "utf-8".into();
    let (rows, rejects, _) = read(&bytes, &p);
    assert_eq!(rows.len(), 2);
    assert_eq!(rejects.len(), 1);
    assert_eq!(rejects[0].line, 3);
    assert!(
        rejects[0].reason.contains("invalid bytes"),
        "{}",
        rejects[0].reason
    );
    assert!(rows
        .iter()
        .all(|r| !r.raw.contains('\u{FFFD}') && !r.description.contains('\u{FFFD}')));
    // UTF-16 with an unpaired surrogate
    p.encoding = "utf-16le".into();
    bytes = "Date,Description,Amount\n03/04/2026,ok,1\n"
        .encode_utf16()
        .flat_map(|u| u.to_le_bytes())
        .collect();
    bytes.extend([0x00, 0xD8]); // lone high surrogate
    bytes.extend("x,5\n".encode_utf16().flat_map(|u| u.to_le_bytes()));
    let (rows, rejects, _) = read(&bytes, &p);
    assert_eq!(rows.len(), 1);
    assert_eq!(rejects.len(), 1);
}

#[test]
fn delimiters_quotes_and_line_endings() {
    for delim in [',', ';', '\t', '|'] {
        for eol in ["\n", "\r\n", "\r"] {
            let d = delim;
            let text = format!(
                "Date{d}Description{d}Amount{eol}03/04/2026{d}\"Quoted {d} delimiter\"{d}1{eol}04/04/2026{d}\"Two{eol}lines and \"\"quotes\"\"\"{d}2{eol}05/04/2026{d}Last{d}3"
            );
            let mut p = profile(BASIC);
            p.delimiter = delim;
            p.decimal_separator = '.';
            let (rows, rejects, _) = read(text.as_bytes(), &p);
            assert!(rejects.is_empty(), "{delim:?} {eol:?}: {rejects:?}");
            assert_eq!(rows.len(), 3, "{delim:?} {eol:?}");
            assert_eq!(rows[0].description, format!("Quoted {d} delimiter"));
            assert_eq!(rows[1].description, format!("Two{eol}lines and \"quotes\""));
            // line numbers are physical lines of each row's start
            assert_eq!(
                rows.iter().map(|r| r.line).collect::<Vec<_>>(),
                vec![2, 3, 5],
                "{delim:?} {eol:?}"
            );
            assert_eq!(rows[2].raw, format!("05/04/2026{d}Last{d}3"));
        }
    }
}

#[test]
fn metadata_lines_and_headerless_files() {
    let text = "Account: 12345\n\"Exported\";\"2026-04-30\"\n\nDate;Description;Amount\n03/04/2026;A;1,00\n04/04/2026;B;-2,00\n";
    let p = profile(&format!("delimiter = \";\"\nskip_lines = 3\n{BASIC}"));
    let (rows, rejects, _) = read(text.as_bytes(), &p);
    assert!(rejects.is_empty());
    assert_eq!(rows.iter().map(|r| r.line).collect::<Vec<_>>(), vec![5, 6]);

    let headerless = "03/04/2026,Coffee,-3.50,100.00\n04/04/2026,Salary,2000.00,2100.00\n";
    let p = profile(
        "has_header = false\ndate = 1\ndate_format = \"%d/%m/%Y\"\ndescription = 2\namount = 3\nbalance = 4\ncurrency = \"EUR\"\n",
    );
    let (rows, rejects, _) = read(headerless.as_bytes(), &p);
    assert!(rejects.is_empty());
    assert_eq!(rows[0].amount, dec("-3.50"));
    assert_eq!(rows[1].balance, Some(dec("2100.00")));
    assert_eq!(rows[1].currency.as_deref(), Some("EUR"));
    assert_eq!(rows[0].line, 1);
    // a named column with has_header = false is refused
    assert!(Profile::from_toml(
        "has_header = false\ndate = \"Date\"\ndate_format = \"%d\"\namount = 2"
    )
    .is_err());
}

#[test]
fn debit_credit_columns_and_indicators() {
    let text = "Date,Description,Debit,Credit\n03/04/2026,Coffee,3.50,\n04/04/2026,Salary,,2000.00\n05/04/2026,Both,1.00,2.00\n06/04/2026,Neither,,\n07/04/2026,Zero pad,0.00,5.00\n08/04/2026,Dash,-,7.00\n";
    let p = profile("date = \"Date\"\ndate_format = \"%d/%m/%Y\"\ndescription = \"Description\"\n[amount]\ndebit = \"Debit\"\ncredit = \"Credit\"\n");
    let (rows, rejects, _) = read(text.as_bytes(), &p);
    assert_eq!(
        rows.iter()
            .map(|r| (r.description.as_str(), r.amount))
            .collect::<Vec<_>>(),
        vec![
            ("Coffee", dec("-3.50")),
            ("Salary", dec("2000.00")),
            ("Zero pad", dec("5.00")),
            ("Dash", dec("7.00"))
        ]
    );
    assert_eq!(rejects.len(), 2);
    assert_eq!((rejects[0].line, rejects[1].line), (4, 5));
    assert!(rejects[0].reason.contains("both"), "{}", rejects[0].reason);
    assert!(
        rejects[1].reason.contains("neither"),
        "{}",
        rejects[1].reason
    );

    for (ind_d, ind_c) in [
        ("D", "C"),
        ("Debit", "Credit"),
        ("S", "H"),
        ("DR", "CR"),
        ("Af", "Bij"),
    ] {
        let text = format!("Date;Text;Betrag;Kz\n03.04.2026;Miete;1.200,00;{ind_d}\n04.04.2026;Gehalt;3.000,00;{ind_c}\n05.04.2026;Komisch;1,00;X\n");
        let p = profile(
            "delimiter = \";\"\ndate = \"Date\"\ndate_format = \"%d.%m.%Y\"\ndescription = \"Text\"\ndecimal_separator = \",\"\n[amount]\ncolumn = \"Betrag\"\nindicator = \"Kz\"\n",
        );
        let (rows, rejects, _) = read(text.as_bytes(), &p);
        assert_eq!(rows[0].amount, dec("-1200.00"), "{ind_d}");
        assert_eq!(rows[1].amount, dec("3000.00"), "{ind_c}");
        assert_eq!(rejects.len(), 1);
        assert_eq!(rejects[0].column.as_deref(), Some("Kz"));
        assert_eq!(rejects[0].raw_value, "X");
    }
    // explicit values
    let p = profile("date = 1\ndate_format = \"%Y-%m-%d\"\nhas_header = false\n[amount]\ncolumn = 2\nindicator = 3\ndebit_values = [\"out\"]\ncredit_values = [\"in\"]\n");
    let (rows, _, _) = read(b"2026-04-03,5,OUT\n2026-04-04,6,in\n", &p);
    assert_eq!(
        rows.iter().map(|r| r.amount).collect::<Vec<_>>(),
        vec![dec("-5"), dec("6")]
    );
    // negate
    let p = profile("date = 1\ndate_format = \"%Y-%m-%d\"\nhas_header = false\n[amount]\ncolumn = 2\nnegate = true\n");
    let (rows, _, _) = read(b"2026-04-03,5.25\n2026-04-04,-1\n", &p);
    assert_eq!(
        rows.iter().map(|r| r.amount).collect::<Vec<_>>(),
        vec![dec("-5.25"), dec("1")]
    );
}

#[test]
fn bad_rows_are_rejects_naming_line_column_and_value() {
    let text = "Date,Description,Amount,Currency\n03/04/2026,ok,1.00,EUR\n04/04/2026,short row\n31/02/2026,bad date,1.00,EUR\n05/04/2026,bad amount,12.3.4,EUR\n06/04/2026,bad currency,1.00,€€\n07/04/2026,extra empty fields,2.00,EUR,,\n08/04/2026,extra data,2.00,EUR,x\n";
    let mut p = profile(BASIC);
    p.decimal_separator = '.';
    p.currency = Some(CurrencySource::Column(Column::Name("Currency".into())));
    let (rows, rejects, summary) = read(text.as_bytes(), &p);
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[1].description, "extra empty fields");
    assert_eq!(summary.read, 7);
    let got: Vec<_> = rejects
        .iter()
        .map(|r| (r.line, r.column.clone(), r.raw_value.clone()))
        .collect();
    assert_eq!(
        got,
        vec![
            (3, None, String::new()),
            (4, Some("Date".into()), "31/02/2026".into()),
            (5, Some("Amount".into()), "12.3.4".into()),
            (6, Some("Currency".into()), "€€".into()),
            (8, None, String::new()),
        ]
    );
    assert!(
        rejects[0].reason.contains("expected 4 fields, found 2"),
        "{}",
        rejects[0].reason
    );
    assert_eq!(rejects[0].raw, "04/04/2026,short row");
}

#[test]
fn missing_columns_and_callback_errors_stop_the_read() {
    let p = profile(BASIC);
    let err = read_csv(&b"Datum,Betrag\n"[..], &p, |_| -> Result<(), Infallible> {
        Ok(())
    })
    .unwrap_err();
    assert!(
        err.to_string()
            .contains("is not in the header (columns: 'Datum', 'Betrag')"),
        "{err}"
    );
    let text = "Date,Description,Amount\n03/04/2026,a,1\n04/04/2026,b,2\n";
    let mut n = 0;
    let err = read_csv(text.as_bytes(), &p, |_| {
        n += 1;
        Err("stop")
    })
    .unwrap_err();
    assert!(matches!(err, ReadError::Callback("stop")));
    assert_eq!(n, 1);
}

#[test]
fn profiles_round_trip_through_toml() {
    let variants = [
        AmountMapping::Single {
            column: Column::Name("Amount".into()),
            negate: false,
        },
        AmountMapping::Single {
            column: Column::Index(4),
            negate: true,
        },
        AmountMapping::DebitCredit {
            debit: Column::Name("Soll".into()),
            credit: Column::Index(7),
        },
        AmountMapping::Indicator {
            column: Column::Name("Betrag".into()),
            indicator: Column::Name("S/H".into()),
            debit_values: vec!["S".into()],
            credit_values: vec!["H".into()],
        },
    ];
    for amount in variants {
        let p = Profile {
            delimiter: '\t',
            quote: '"',
            encoding: "windows-1252".into(),
            skip_lines: 2,
            has_header: true,
            date: Column::Name("Buchungstag".into()),
            date_format: "%d.%m.%Y".into(),
            description: Some(Column::Name("Verwendungszweck".into())),
            counterparty: Some(Column::Index(3)),
            reference: None,
            balance: Some(Column::Name("Saldo".into())),
            decimal_separator: ',',
            thousands_separator: Some('.'),
            currency: Some(CurrencySource::Column(Column::Name("Währung".into()))),
            extra_text: false,
            amount,
        };
        let text = p.to_toml();
        assert_eq!(
            Profile::from_toml(&text).unwrap_or_else(|e| panic!("{e}\n{text}")),
            p,
            "{text}"
        );
    }
    let p = profile("date = 3\ndate_format = \"%F\"\namount = \"Amount\"\ncurrency = \"USD\"\n");
    assert_eq!(p.date, Column::Index(3));
    assert_eq!(p.delimiter, ',');
    assert_eq!(p.encoding, "auto");
    assert_eq!(p.currency, Some(CurrencySource::Fixed("USD".into())));
    for (bad, needle) in [
        ("date = 0\ndate_format = \"%F\"\namount = 2", "start at 1"),
        (
            "date = 1\ndate_format = \"%F\"\namount = 2\ndelimter = \";\"",
            "delimter",
        ),
        (
            "date = 1\ndate_format = \"%F\"\n[amount]\ndebit = 2",
            "amount",
        ),
        (
            "date = 1\ndate_format = \"%F\"\namount = 2\nencoding = \"klingon\"",
            "klingon",
        ),
        (
            "date = 1\ndate_format = \"%F\"\namount = 2\ndecimal_separator = \"x\"",
            "decimal_separator",
        ),
        (
            "date = 1\ndate_format = \"%F\"\namount = 2\ncurrency = \"euro\"",
            "currency",
        ),
        ("date_format = \"%F\"\namount = 2", "date"),
    ] {
        let err = Profile::from_toml(bad).unwrap_err().to_string();
        assert!(err.contains(needle), "{bad:?}: {err}");
    }
}

#[test]
fn proposals_sniff_delimiter_header_columns_and_formats() {
    // German bank export: metadata, semicolons, decimal comma, Windows-1252
    let text = "Umsatzanzeige;Datei erstellt am: 28.12.2018 16:57\n\nIBAN;DE12 3456 7890 1234 5678 90\nKontoname;Girokonto\n\nBuchung;Valuta;Auftraggeber/Empfänger;Buchungstext;Verwendungszweck;Saldo;Währung;Betrag;Währung\n27.12.2018;27.12.2018;Max Mustermann;Gutschrift;Miete Dezember;1.234,56;EUR;-500,00;EUR\n20.12.2018;20.12.2018;Arbeitgeber GmbH;Gehalt;Lohn 12/2018;1.734,56;EUR;2.500,00;EUR\n14.12.2018;13.12.2018;Café Süß;Lastschrift;Kaffee;-765,44;EUR;-3,50;EUR\n";
    let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(text);
    let pr = propose_profile(&bytes).unwrap();
    let p = &pr.profile;
    assert_eq!(pr.encoding, "windows-1252");
    assert_eq!(p.delimiter, ';');
    assert_eq!(p.skip_lines, 5);
    assert!(p.has_header);
    assert_eq!(p.date, Column::Name("Buchung".into()));
    assert_eq!(p.date_format, "%d.%m.%Y");
    assert_eq!(p.decimal_separator, ',');
    assert_eq!(
        p.amount,
        AmountMapping::Single {
            column: Column::Name("Betrag".into()),
            negate: false
        }
    );
    assert_eq!(p.balance, Some(Column::Name("Saldo".into())));
    assert_eq!(p.description, Some(Column::Name("Verwendungszweck".into())));
    assert_eq!(
        p.counterparty,
        Some(Column::Name("Auftraggeber/Empfänger".into()))
    );
    assert!(pr.ambiguities.is_empty(), "{:?}", pr.ambiguities);
    let (rows, rejects, _) = read(&bytes, p);
    assert!(rejects.is_empty(), "{rejects:?}");
    assert_eq!(rows[2].amount, dec("-3.50"));
    assert_eq!(rows[2].counterparty.as_deref(), Some("Café Süß"));

    // US export with debit/credit columns, dollar signs, quoted
    let us = "\"Date\",\"Status\",\"Type\",\"CheckNumber\",\"Description\",\"Withdrawal\",\"Deposit\",\"RunningBalance\"\n\"08/17/2022\",\"Posted\",\"DEPOSIT\",\"\",\"Deposit Mobile Banking\",\"\",\"$20.00\",\"$878.47\"\n\"08/14/2022\",\"Posted\",\"ATM\",\"\",\"BMO HARRIS BANK\",\"$1,103.00\",\"\",\"$858.47\"\n";
    let pr = propose_profile(us.as_bytes()).unwrap();
    assert_eq!(pr.profile.date_format, "%m/%d/%Y");
    assert!(pr.ambiguities.is_empty());
    assert_eq!(
        pr.profile.amount,
        AmountMapping::DebitCredit {
            debit: Column::Name("Withdrawal".into()),
            credit: Column::Name("Deposit".into())
        }
    );
    assert_eq!(pr.profile.decimal_separator, '.');
    let (rows, _, _) = read(us.as_bytes(), &pr.profile);
    assert_eq!(rows[1].amount, dec("-1103.00"));

    // Dutch: amount + Af/Bij indicator, dates as YYYYMMDD
    let nl = "\"Datum\",\"Naam / Omschrijving\",\"Rekening\",\"Tegenrekening\",\"Code\",\"Af Bij\",\"Bedrag (EUR)\",\"Mutatiesoort\",\"Mededelingen\"\n\"20200213\",\"Kosten\",\"NL99INGB9999999999\",\"\",\"DV\",\"Af\",\"1,25\",\"Diversen\",\"jan\"\n\"20200214\",\"Terug\",\"NL99INGB9999999999\",\"\",\"VZ\",\"Bij\",\"10,00\",\"Verzamelbetaling\",\"x\"\n";
    let pr = propose_profile(nl.as_bytes()).unwrap();
    assert_eq!(pr.profile.date_format, "%Y%m%d");
    assert!(
        matches!(pr.profile.amount, AmountMapping::Indicator { .. }),
        "{:?}",
        pr.profile.amount
    );
    assert_eq!(
        pr.profile.currency,
        Some(CurrencySource::Fixed("EUR".into()))
    );
    let (rows, rejects, _) = read(nl.as_bytes(), &pr.profile);
    assert!(rejects.is_empty(), "{rejects:?}");
    assert_eq!(
        rows.iter().map(|r| r.amount).collect::<Vec<_>>(),
        vec![dec("-1.25"), dec("10.00")]
    );

    // headerless
    let hl = "2026-04-03,Coffee shop,-3.50\n2026-04-04,Salary,2000.00\n";
    let pr = propose_profile(hl.as_bytes()).unwrap();
    assert!(!pr.profile.has_header);
    assert_eq!(pr.profile.date, Column::Index(1));
    assert_eq!(
        pr.profile.amount,
        AmountMapping::Single {
            column: Column::Index(3),
            negate: false
        }
    );
    assert_eq!(pr.profile.description, Some(Column::Index(2)));

    // French, Spanish headers
    let fr = "Date de l'opération;Libellé;Montant\n03/04/2026;Boulangerie;-3,50\n14/04/2026;Salaire;1 500,00\n";
    let pr = propose_profile(fr.as_bytes()).unwrap();
    assert_eq!(pr.profile.date_format, "%d/%m/%Y");
    assert_eq!(pr.profile.description, Some(Column::Name("Libellé".into())));
    assert_eq!(pr.profile.decimal_separator, ',');
    let es = "Fecha,Concepto,Importe,Saldo\n24/03/2022,Abono,2.83,1719.90\n08/04/2022,Compra,-12.69,1707.21\n";
    let pr = propose_profile(es.as_bytes()).unwrap();
    assert_eq!(
        pr.profile.amount,
        AmountMapping::Single {
            column: Column::Name("Importe".into()),
            negate: false
        }
    );
    assert_eq!(pr.profile.balance, Some(Column::Name("Saldo".into())));
}

#[test]
fn ambiguous_dates_are_listed_not_guessed() {
    let text = "Date,Description,Amount\n03/04/2026,a,1.00\n05/06/2026,b,2.00\n12/11/2026,c,3.00\n";
    let pr = propose_profile(text.as_bytes()).unwrap();
    assert_eq!(pr.ambiguities.len(), 1);
    let a = &pr.ambiguities[0];
    assert_eq!(a.column, "Date");
    assert_eq!(a.options, vec!["%d/%m/%Y", "%m/%d/%Y"]);
    assert_eq!(
        a.readings,
        vec!["%d/%m/%Y → 2026-04-03", "%m/%d/%Y → 2026-03-04"]
    );
    // one unambiguous value in the whole column settles it
    let text = "Date,Description,Amount\n03/04/2026,a,1.00\n05/06/2026,b,2.00\n25/11/2026,c,3.00\n";
    let pr = propose_profile(text.as_bytes()).unwrap();
    assert!(pr.ambiguities.is_empty());
    assert_eq!(pr.profile.date_format, "%d/%m/%Y");
    let text = "Date,Description,Amount\n03/04/2026,a,1.00\n11/25/2026,c,3.00\n";
    assert_eq!(
        propose_profile(text.as_bytes())
            .unwrap()
            .profile
            .date_format,
        "%m/%d/%Y"
    );
}

#[test]
fn fingerprints_are_stable_and_count_occurrences() {
    let d = date("2026-04-03");
    let a = fingerprint(d, &dec("-3.50"), "  Coffee   SHOP ", 1);
    assert_eq!(a, fingerprint(d, &dec("-3.5"), "coffee shop", 1));
    assert_eq!(a.len(), 64);
    assert_ne!(a, fingerprint(d, &dec("-3.50"), "coffee shop", 2));
    assert_ne!(a, fingerprint(d, &dec("3.50"), "coffee shop", 1));
    assert_ne!(
        a,
        fingerprint(date("2026-04-04"), &dec("-3.50"), "coffee shop", 1)
    );
    assert_ne!(a, fingerprint(d, &dec("-3.50"), "coffee shop 2", 1));
    // pinned: changing it would re-import every fingerprinted row
    assert_eq!(a, fingerprint(d, &dec("-3.500"), "Coffee shop", 1));
    let mut occ = Occurrences::new();
    assert_eq!(occ.next(d, &dec("-3.50"), "Coffee shop"), 1);
    assert_eq!(occ.next(d, &dec("-3.5"), "coffee  shop"), 2);
    assert_eq!(occ.next(d, &dec("-4.00"), "Coffee shop"), 1);
}
