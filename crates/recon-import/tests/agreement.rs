//! Readers that agree with the importers people use (issue 15): identity from bank ids only,
//! ids repeated within a file, text kept (CDATA, `:86:`, CAMT structured references), lines
//! that are fine kept, fields the way users read them.

use recon_import::{
    detect_format, read_csv, read_statement, FileSummary, ParsedRow, Profile, Reject, RowResult,
};
use rust_decimal::Decimal;
use std::convert::Infallible;
use std::str::FromStr;

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn statement(text: &str) -> (Vec<ParsedRow>, Vec<Reject>, FileSummary) {
    let (mut rows, mut rejects) = (Vec::new(), Vec::new());
    let format = detect_format(text.as_bytes()).unwrap();
    let summary = read_statement(text.as_bytes(), format, |r| -> Result<(), Infallible> {
        match r {
            RowResult::Row(r) => rows.push(r),
            RowResult::Reject(r) => rejects.push(r),
        }
        Ok(())
    })
    .unwrap_or_else(|e| panic!("{e}"));
    (rows, rejects, summary)
}

fn csv(text: &str, profile: &str) -> (Vec<ParsedRow>, Vec<Reject>, FileSummary) {
    let (mut rows, mut rejects) = (Vec::new(), Vec::new());
    let p = Profile::from_toml(profile).unwrap();
    let summary = read_csv(text.as_bytes(), &p, |r| -> Result<(), Infallible> {
        match r {
            RowResult::Row(r) => rows.push(r),
            RowResult::Reject(r) => rejects.push(r),
        }
        Ok(())
    })
    .unwrap_or_else(|e| panic!("{e}"));
    (rows, rejects, summary)
}

/// ASN Bank writes the other party's IBAN where the customer reference goes.
const MT940_IBAN_AS_CUSTOMER_REF: &str = ":20:0000000000
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
";

#[test]
fn mt940_lines_are_never_keyed_by_the_customer_reference_or_an_account() {
    let (rows, rejects, summary) = statement(MT940_IBAN_AS_CUSTOMER_REF);
    assert!(rejects.is_empty(), "{rejects:?}");
    assert_eq!(rows.len(), 2);
    assert!(rows.iter().all(|r| r.reference.is_none()), "{rows:?}");
    assert_eq!(summary.statement.unwrap().balances_agree, Some(true));
}

const MT940_REPEATED_BANK_REF: &str = ":20:STARTUMS
:25:50880050/0194777100888
:28C:0
:60F:C070903EUR0,00
:61:0709040904DR50990,05NTRFKREF+//0724710352954937
:86:008?00DAUERAUFTRAG?20EREF+EndToEnd-1?21SVWZ+Miete September
:61:0709040904CR50990,05NTRFNONREF//0724710352954937
:86:051?00UEBERWEISUNG?20SVWZ+Rueckbuchung Miete
:61:0709040904CR7,00NTRFNONREF//0724710290621954
:86:051?00UEBERWEISUNG?20SVWZ+Zinsen
:62F:C070904EUR7,00
";

#[test]
fn a_bank_id_repeated_within_a_file_falls_back_to_the_fingerprint_with_a_note() {
    let (rows, _, summary) = statement(MT940_REPEATED_BANK_REF);
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0].reference.as_deref(), Some("0724710352954937"));
    assert_eq!(rows[1].reference, None, "the second use is not an id");
    assert_eq!(rows[2].reference.as_deref(), Some("0724710290621954"));
    let note = summary.notes.iter().find(|n| n.contains("repeat")).unwrap();
    assert!(note.starts_with("1 line repeat"), "{note}");
    assert!(note.contains("0724710352954937"), "{note}");
}

fn ofx(transactions: &str) -> String {
    format!(
        "OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\n\n<OFX><BANKMSGSRSV1><STMTTRNRS><STMTRS><CURDEF>USD\
         <BANKTRANLIST>{transactions}</BANKTRANLIST></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>\n"
    )
}

#[test]
fn a_reused_ofx_fitid_keys_its_later_lines_by_fingerprint() {
    let text = ofx(
        "<STMTTRN><DTPOSTED>20230105<TRNAMT>-12.00<FITID>0<NAME>Coffee</STMTTRN>\
         <STMTTRN><DTPOSTED>20230106<TRNAMT>-40.00<FITID>0<NAME>Fuel</STMTTRN>\
         <STMTTRN><DTPOSTED>20230107<TRNAMT>-3.00<FITID>0<NAME>Bus</STMTTRN>",
    );
    let (rows, _, summary) = statement(&text);
    let refs: Vec<_> = rows.iter().map(|r| r.reference.as_deref()).collect();
    assert_eq!(refs, [Some("0"), None, None]);
    assert!(summary
        .notes
        .iter()
        .any(|n| n.starts_with("2 lines repeat")));
}

#[test]
fn a_line_listed_twice_with_its_fitid_keeps_the_id_so_it_is_a_duplicate_not_booked_twice() {
    let text = ofx(
        "<STMTTRN><DTPOSTED>20230105<TRNAMT>-12.00<FITID>7<NAME>Coffee</STMTTRN>\
         <STMTTRN><DTPOSTED>20230105<TRNAMT>-12.00<FITID>7<NAME>Coffee</STMTTRN>\
         <STMTTRN><DTPOSTED>20230105<TRNAMT>-12.00<FITID>7<NAME>Tea</STMTTRN>",
    );
    let (rows, _, summary) = statement(&text);
    let refs: Vec<_> = rows.iter().map(|r| r.reference.as_deref()).collect();
    // The exact copy keeps FITID 7 (the store counts it a duplicate); the different line
    // under the same FITID falls back to its fingerprint.
    assert_eq!(refs, [Some("7"), Some("7"), None]);
    assert!(summary.notes.iter().any(|n| n.starts_with("1 line repeat")));
}

#[test]
fn a_csv_reference_column_that_repeats_is_not_an_id_for_its_later_rows() {
    let (rows, _, summary) = csv(
        "date,text,amount,ref\n2023-01-01,a,1.00,INV-1\n2023-01-02,b,2.00,INV-1\n2023-01-03,c,3.00,INV-2\n",
        "date = \"date\"\ndate_format = \"%Y-%m-%d\"\namount = \"amount\"\ndescription = \"text\"\nreference = \"ref\"\n",
    );
    let refs: Vec<_> = rows.iter().map(|r| r.reference.as_deref()).collect();
    assert_eq!(refs, [Some("INV-1"), None, Some("INV-2")]);
    assert!(summary.notes.iter().any(|n| n.contains("INV-1")));
}

#[test]
fn ofx_cdata_text_is_read_and_name_is_the_counterparty_memo_the_description() {
    let text = ofx("<STMTTRN><DTPOSTED>20230105<TRNAMT>-12.00<FITID>A1\
         <NAME><![CDATA[Ben & Jerry's]]></NAME><MEMO><![CDATA[Ice <cream>]]></MEMO></STMTTRN>\
         <STMTTRN><DTPOSTED>20230106<TRNAMT>5.00<FITID>A2<NAME>Refund shop</STMTTRN>");
    let (rows, rejects, _) = statement(&text);
    assert!(rejects.is_empty(), "{rejects:?}");
    assert_eq!(rows[0].counterparty.as_deref(), Some("Ben & Jerry's"));
    assert_eq!(rows[0].description, "Ice <cream>");
    // no MEMO: the name is the description too
    assert_eq!(rows[1].description, "Refund shop");
    assert_eq!(rows[1].counterparty.as_deref(), Some("Refund shop"));
}

#[test]
fn every_86_line_of_a_statement_line_is_kept() {
    let text = ":20:940A110615
:25:1291.99.348EUR
:28C:1/1
:60F:C110614EUR000000001608,54
:61:110527D000000001213,28N0440121470966      W.P. Jansen
:86:Terugboeking
:86:NIET AKKOORD MET AFSCHRIJVING
:86:KOSTEN KINDEROPVANG JUNI
:62F:C110615EUR000000000395,26
";
    let (rows, _, _) = statement(text);
    assert_eq!(
        rows[0].description,
        "Terugboeking NIET AKKOORD MET AFSCHRIJVING KOSTEN KINDEROPVANG JUNI"
    );
}

#[test]
fn sepa_86_subfields_give_purpose_party_and_end_to_end_reference() {
    let (rows, _, _) = statement(MT940_REPEATED_BANK_REF);
    assert_eq!(rows[0].description, "Miete September · EREF EndToEnd-1");
    let text = ":20:X
:25:DE12/34
:60F:C230101EUR0,00
:61:230102C100,00NTRFNONREF//B1
:86:166?00GUTSCHRIFT?20SVWZ+Rechnung 17?30COBADEFFXXX?31DE89370400440532013000?32Erika Musterfrau
:62F:C230102EUR100,00
";
    let (rows, _, _) = statement(text);
    assert_eq!(rows[0].description, "Rechnung 17");
    assert_eq!(
        rows[0].counterparty.as_deref(),
        Some("Erika Musterfrau (DE89370400440532013000)")
    );
}

fn camt(entry: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt><Stmt>
<Acct><Id><IBAN>DE89370400440532013000</IBAN></Id><Ccy>EUR</Ccy></Acct>{entry}</Stmt></BkToCstmrStmt></Document>"#
    )
}

#[test]
fn camt_structured_remittance_is_the_description() {
    let (rows, _, _) = statement(&camt(
        "<Ntry><Amt Ccy=\"EUR\">10.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>\
         <BookgDt><Dt>2023-01-02</Dt></BookgDt><ValDt><Dt>2023-01-03</Dt></ValDt>\
         <NtryDtls><TxDtls><RltdPties><Dbtr><Nm>Payer AG</Nm></Dbtr></RltdPties>\
         <RmtInf><Strd><CdtrRefInf><Ref>RF18539007547034</Ref></CdtrRefInf></Strd></RmtInf>\
         </TxDtls></NtryDtls></Ntry>",
    ));
    assert_eq!(rows[0].description, "RF18539007547034");
    assert_eq!(rows[0].counterparty.as_deref(), Some("Payer AG"));
    // the booking date is the line's date
    assert_eq!(rows[0].date.to_string(), "2023-01-02");
}

#[test]
fn a_camt_file_without_entries_says_why() {
    let (rows, _, summary) = statement(&camt(""));
    assert!(rows.is_empty());
    assert!(
        summary.notes.iter().any(|n| n.contains("no entries")),
        "{:?}",
        summary.notes
    );
    let weird = "<?xml version='1.0'?><Document xmlns=\"urn:weird\"><BkToCstmrStmt></BkToCstmrStmt></Document>";
    let (_, _, summary) = statement(weird);
    assert!(
        summary.notes.iter().any(|n| n.contains("urn:weird")),
        "{:?}",
        summary.notes
    );
}

#[test]
fn an_mt940_file_of_balances_only_says_why_it_has_no_lines() {
    let (rows, _, summary) =
        statement(":25:51210600/9223382012EUR\n:62F:C140901EUR000000000137,00\n");
    assert!(rows.is_empty());
    assert!(
        summary.notes.iter().any(|n| n.contains("only balances")),
        "{:?}",
        summary.notes
    );
}

#[test]
fn an_amount_on_the_line_after_the_61_mark_is_read() {
    let text = ":20:STARTUMS
:25:12345678/0000000000
:60F:C181126EUR0,00
:61:1811261126CR
30,00N062NONREF
:
86:166?00GUTSCHR. UEBERWEISUNG?20SVWZ+Test
:62F:C181126EUR30,00
";
    let (rows, rejects, summary) = statement(text);
    assert!(rejects.is_empty(), "{rejects:?}");
    assert_eq!(rows[0].amount, dec("30.00"));
    assert_eq!(rows[0].description, "Test");
    assert_eq!(summary.statement.unwrap().balances_agree, Some(true));
}

#[test]
fn a_closing_balance_followed_by_a_trailer_is_read() {
    let text = ":20:ABN AMRO BANK NV
:25:517852257
:28C:19321/1
:60F:C110522EUR3236,28
:61:1105230523D10,00N426NONREF
:86:BEA   NR:XXX1234
:62F:C110523EUR3226,28
ABNANL2A
940
ABNANL2A
";
    let (_, _, summary) = statement(text);
    let st = summary.statement.unwrap();
    assert_eq!(st.closing_balance, Some(dec("3226.28")));
    assert_eq!(st.balances_agree, Some(true), "{:?}", summary.notes);
}

#[test]
fn an_impossible_value_date_keeps_the_line_by_its_booking_date_with_a_note() {
    let text = ":20:STARTUMSE
:25:12345678/1020304050
:60F:C160229EUR1200,00
:61:1602300301DR6,00N024NONREF
:86:805?00ENTGELTABSCHLUSS?20Pauschalen
:62F:C160301EUR1194,00
";
    let (rows, rejects, summary) = statement(text);
    assert!(rejects.is_empty(), "{rejects:?}");
    assert_eq!(rows[0].date.to_string(), "2016-03-01");
    assert!(
        summary.notes.iter().any(|n| n.contains("'160230'")),
        "{:?}",
        summary.notes
    );
}

#[test]
fn a_brokerage_date_with_its_as_of_date_is_read_by_the_first_date() {
    let (rows, rejects, _) = csv(
        "Date,Description,Amount\n\"04/17/2023 as of 04/15/2023\",BANK INT,$0.03\n04/18/2023,FEE,-$1.00\n",
        "date = \"Date\"\ndate_format = \"%m/%d/%Y\"\namount = \"Amount\"\ndescription = \"Description\"\n",
    );
    assert!(rejects.is_empty(), "{rejects:?}");
    assert_eq!(rows[0].date.to_string(), "2023-04-17");
}

#[test]
fn a_central_european_mt940_in_ibm852_reads_its_accents() {
    // "napi összevont utánvét" in IBM852: ö = 0x94, á = 0xA0, é = 0x82
    let bytes = b":20:STARTUMS\n:25:UBRTHUHB/123456789150ABCDEF002/HUF\n:60F:C180417HUF100,00\n\
:61:180417CF50,00N527\n:86:UV, napi \x94sszevont ut\xa0nv\x82t\n:62F:C180417HUF150,00\n"
        .to_vec();
    let format = detect_format(&bytes).unwrap();
    let mut rows = Vec::new();
    let summary = read_statement(&bytes[..], format, |r| -> Result<(), Infallible> {
        if let RowResult::Row(r) = r {
            rows.push(r);
        }
        Ok(())
    })
    .unwrap();
    assert_eq!(summary.encoding, "ibm852");
    assert_eq!(rows[0].description, "UV, napi összevont utánvét");
}
