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
