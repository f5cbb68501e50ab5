//! The value date kept beside the booking date (issue 15, item 4): CAMT `ValDt`, MT940
//! `:61:`'s value date, OFX `DTAVAIL`; a value date that is no date (a bank's 30 February)
//! keeps its text, with a note, and the line keeps its booking date.

use recon_import::{detect_format, read_statement, FileSummary, ParsedRow, RowResult};
use std::convert::Infallible;

fn read(text: &str) -> (Vec<ParsedRow>, FileSummary) {
    let format = detect_format(text.as_bytes()).unwrap();
    let mut rows = Vec::new();
    let summary = read_statement(text.as_bytes(), format, |r| -> Result<(), Infallible> {
        match r {
            RowResult::Row(r) => rows.push(r),
            RowResult::Reject(r) => panic!("{r:?}"),
        }
        Ok(())
    })
    .unwrap_or_else(|e| panic!("{e}"));
    (rows, summary)
}

fn ntry(booking: &str, value: &str, amount: &str) -> String {
    format!(
        "<Ntry><Amt Ccy=\"EUR\">{amount}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>\
         <BookgDt><Dt>{booking}</Dt></BookgDt>{value}<AcctSvcrRef>R-{amount}</AcctSvcrRef>\
         <NtryDtls><TxDtls><RmtInf><Ustrd>Line {amount}</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>\n"
    )
}

#[test]
fn camt_keeps_the_value_date_and_the_text_of_an_impossible_one() {
    let entries = [
        ntry("2024-02-28", "<ValDt><Dt>2024-03-01</Dt></ValDt>", "10.00"),
        ntry("2024-02-28", "<ValDt><Dt>2024-02-30</Dt></ValDt>", "20.00"),
        ntry("2024-02-29", "", "30.00"),
    ]
    .concat();
    let doc = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>
<GrpHdr><MsgId>M1</MsgId><CreDtTm>2024-03-01T10:00:00</CreDtTm></GrpHdr>
<Stmt><Id>S1</Id><Acct><Id><IBAN>DE89370400440532013000</IBAN></Id><Ccy>EUR</Ccy></Acct>
{entries}</Stmt></BkToCstmrStmt></Document>"#
    );
    let (rows, summary) = read(&doc);
    assert_eq!(rows.len(), 3, "the 30 February does not cost its line");
    let dates: Vec<(String, Option<&str>)> = rows
        .iter()
        .map(|r| (r.date.to_string(), r.value_date.as_deref()))
        .collect();
    assert_eq!(
        dates,
        [
            ("2024-02-28".to_string(), Some("2024-03-01")),
            ("2024-02-28".to_string(), Some("2024-02-30")),
            ("2024-02-29".to_string(), None),
        ]
    );
    let notes = summary.notes.join(" | ");
    assert!(
        notes.contains("the value date '2024-02-30' is not a date"),
        "{notes}"
    );
    assert!(notes.contains("kept as written"), "{notes}");
}

#[test]
fn mt940_keeps_the_value_date_of_its_61_line() {
    let sta = ":20:STMT\r\n:25:DE89370400440532013000\r\n:28C:1\r\n:60F:C240227EUR100,00\r\n\
               :61:2403010228C10,00NTRFNONREF//B1\r\n:86:one\r\n\
               :61:2402300228C20,00NTRFNONREF//B2\r\n:86:two\r\n\
               :62F:C240228EUR130,00\r\n";
    let (rows, summary) = read(sta);
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].date.to_string(), "2024-02-28");
    assert_eq!(rows[0].value_date.as_deref(), Some("2024-03-01"));
    assert_eq!(rows[1].date.to_string(), "2024-02-28");
    assert_eq!(rows[1].value_date.as_deref(), Some("240230"));
    assert!(
        summary
            .notes
            .iter()
            .any(|n| n.contains("'240230' is not a date")),
        "{:?}",
        summary.notes
    );
}

#[test]
fn ofx_reads_dtavail_as_the_value_date() {
    let ofx = "OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\n\n<OFX><BANKMSGSRSV1><STMTTRNRS><STMTRS><CURDEF>EUR\
               <BANKACCTFROM><ACCTID>1</BANKACCTFROM><BANKTRANLIST>\
               <STMTTRN><TRNTYPE>CREDIT<DTPOSTED>20240228<DTAVAIL>20240301<TRNAMT>5.00<FITID>F1<NAME>A</STMTTRN>\
               <STMTTRN><TRNTYPE>CREDIT<DTPOSTED>20240229<TRNAMT>6.00<FITID>F2<NAME>B</STMTTRN>\
               </BANKTRANLIST></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>\n";
    let (rows, _) = read(ofx);
    let got: Vec<Option<&str>> = rows.iter().map(|r| r.value_date.as_deref()).collect();
    assert_eq!(got, [Some("2024-03-01"), None]);
}
