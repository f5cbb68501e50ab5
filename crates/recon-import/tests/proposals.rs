//! Profile proposals judged over the whole sample (issue 15, item 5): running balances,
//! balance histories, indicator columns, mostly empty descriptions, repeating references,
//! and the reasons shown beside the proposal.

use recon_import::{propose_profile, AmountMapping, Column};

#[test]
fn a_headerless_running_balance_is_the_balance_not_the_amount() {
    // ASN: date, own account, other account, name, …, balance before, currency, amount
    let csv = "17-06-2022,NL00ASNB9999999999,NL99ASNB0000000000,Z Z,EUR,130.44,EUR,223.77,t1\n\
               17-06-2022,NL00ASNB9999999999,NL11ABNA0000000000,ICS,EUR,354.21,EUR,-200.00,t2\n\
               25-06-2022,NL00ASNB9999999999,,,EUR,154.21,EUR,-2.20,t3\n\
               26-06-2022,NL00ASNB9999999999,,,EUR,152.01,EUR,-2.01,t4\n";
    let p = propose_profile(csv.as_bytes()).unwrap();
    assert!(!p.profile.has_header);
    match &p.profile.amount {
        AmountMapping::Single { column, .. } => assert_eq!(*column, Column::Index(8)),
        other => panic!("{other:?}"),
    }
    assert_eq!(p.profile.balance, Some(Column::Index(6)));
    assert!(
        p.reasons.iter().any(|r| r.contains("running balance")),
        "{:?}",
        p.reasons
    );
}

#[test]
fn a_balance_history_is_not_read_as_transactions() {
    let csv = "\"Datum\",\"Boeksaldo\",\"Valutair saldo\"\n\"2020-05-30\",\"13,20\",\"13,20\"\n\"2020-05-29\",\"13,20\",\"13,20\"\n\"2020-05-28\",\"20,00\",\"20,00\"\n";
    let err = propose_profile(csv.as_bytes()).unwrap_err().to_string();
    assert!(err.contains("balances"), "{err}");
}

#[test]
fn an_indicator_column_signs_the_amounts_even_with_a_repeated_header() {
    let csv = "\r\r\rDate,Description,Amount,Transaction Type,Notes\r6/12/15,Transfer,\"1,000.00\",debit,\r\
               6/13/15,Transfer back,\"2,000.00\",credit,\r6/14/15,Fee,\"2.50\",debit,\r\
               Date,Description,Amount,Transaction Type,Notes\r";
    let p = propose_profile(csv.as_bytes()).unwrap();
    match &p.profile.amount {
        AmountMapping::Indicator { indicator, .. } => {
            assert_eq!(*indicator, Column::Name("Transaction Type".into()))
        }
        other => panic!("{other:?}"),
    }
    assert!(
        p.reasons.iter().any(|r| r.starts_with("sign:")),
        "{:?}",
        p.reasons
    );
}

#[test]
fn a_mostly_empty_column_is_not_the_description_and_a_repeating_one_not_the_reference() {
    let csv = "Buchungsdatum;Betrag;Text;Verwendungszweck;Referenz\n\
               15.03.2017;-11,00;Miete;;R1\n15.03.2017;-10,00;Strom;;R1\n\
               16.03.2017;-9,00;Wasser;;R2\n17.03.2017;11,00;Gutschrift;SCOR Zweck;R3\n";
    let p = propose_profile(csv.as_bytes()).unwrap();
    assert_eq!(p.profile.description, Some(Column::Name("Text".into())));
    assert_eq!(p.profile.reference, None);
    assert!(
        p.reasons
            .iter()
            .any(|r| r.starts_with("not a reference: 'Referenz'")),
        "{:?}",
        p.reasons
    );
    assert!(
        p.reasons
            .iter()
            .any(|r| r.starts_with("not the description: 'Verwendungszweck'")),
        "{:?}",
        p.reasons
    );
}

/// A statement export whose rows run past its header: 10 names, then rows of 12 cells
/// (the text split over two more) and bank notices of 14 with an amount of 0,00; Latin-1.
fn ragged_export() -> Vec<u8> {
    let mut csv = String::from(
        "Konto;Auszug;Buchungsdatum;Valutadatum;Zeit;Zahlungsreferenz;Waehrung;Betrag;Buchungstext;Umsatztext\r\n",
    );
    let notice = |d: &str| {
        format!(
            "4711;2;{d};{d};{d}-09.00.00.1;\"\";EUR;0,00;\"Mitteilung\";\"Änderung der Zinsen\";\"Bonus 0,60 %\";\"Basis 0,50 %\";\"Gesamt 1,10 %\";\"Details online\"\r\n"
        )
    };
    csv.push_str("4711;2;2024-03-04;2024-03-04;2024-03-04-08.21.36.1;\"\";EUR;250,00;\"Gutschrift\";Max Muster;\"Miete März\";\"REF: A1\"\r\n");
    csv.push_str(&notice("2024-03-01"));
    csv.push_str("4711;2;2024-02-12;2024-02-13;2024-02-12-10.09.26.1;\"\";EUR;-75,50;\"Onlineauftrag\";\"Stadtwerke\";\"Strom\";\"Kunde 99\"\r\n");
    csv.push_str("4711;2;2024-02-05;2024-02-05;2024-02-05-06.31.12.1;\"\";EUR;3.000,00;\"Gutschrift\";\"Firma AG\";\"Gehalt\";\"REF: B2\"\r\n");
    csv.push_str(&notice("2024-02-01"));
    csv.push_str(&notice("2024-01-02"));
    let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(&csv);
    bytes.into_owned()
}

#[test]
fn rows_running_past_their_header_are_read_with_their_extra_text() {
    let bytes = ragged_export();
    let p = propose_profile(&bytes).unwrap();
    let profile = &p.profile;
    assert!(profile.has_header && profile.extra_text, "{profile:?}");
    assert_eq!(profile.skip_lines, 0);
    assert_eq!(profile.date, Column::Name("Buchungsdatum".into()));
    match &profile.amount {
        AmountMapping::Single { column, .. } => assert_eq!(*column, Column::Name("Betrag".into())),
        other => panic!("{other:?}"),
    }
    assert!(
        p.reasons.iter().any(|r| r.contains("past the header")),
        "{:?}",
        p.reasons
    );
    // every line of the statement is read: the real ones with their amounts and text
    let mut rows = Vec::new();
    recon_import::read_csv(&bytes[..], profile, |r| {
        match r {
            recon_import::RowResult::Row(r) => rows.push(r),
            recon_import::RowResult::Reject(r) => panic!("{r:?}"),
        }
        Ok::<(), std::convert::Infallible>(())
    })
    .unwrap();
    let amounts: Vec<String> = rows.iter().map(|r| r.amount.to_string()).collect();
    assert_eq!(
        amounts,
        ["250.00", "0.00", "-75.50", "3000.00", "0.00", "0.00"]
    );
    assert_eq!(rows[0].date.to_string(), "2024-03-04");
    let texts = format!("{} | {}", rows[0].description, rows[1].description);
    assert!(
        texts.contains("REF: A1") && texts.contains("Gesamt 1,10 %"),
        "{texts}"
    );
    // the profile says so and reads back from its TOML
    let toml = profile.to_toml();
    assert!(toml.contains("extra_text = true"), "{toml}");
    assert_eq!(recon_import::Profile::from_toml(&toml).unwrap(), *profile);
}

#[test]
fn without_extra_text_a_row_past_the_header_is_refused() {
    let mut profile = propose_profile(&ragged_export()).unwrap().profile;
    profile.extra_text = false;
    let mut rejected = 0;
    recon_import::read_csv(&ragged_export()[..], &profile, |r| {
        if let recon_import::RowResult::Reject(r) = r {
            assert!(r.reason.contains("expected 10 fields"), "{r:?}");
            rejected += 1;
        }
        Ok::<(), std::convert::Infallible>(())
    })
    .unwrap();
    assert_eq!(rejected, 6);
}

/// Found by the CI fuzz step: a header of 65,000 commas took minutes to propose (roles are
/// chosen by comparing columns with each other). A table that wide is refused at once, saying why.
#[test]
fn a_table_thousands_of_columns_wide_is_refused_at_once_naming_its_width() {
    let header = format!("Date,Description,Amount{}\n", ",".repeat(65_000));
    let started = std::time::Instant::now();
    let err = recon_import::propose_profile(header.as_bytes())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("65003 columns") && err.contains("at most 512"),
        "{err}"
    );
    assert!(
        started.elapsed() < std::time::Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );
}
