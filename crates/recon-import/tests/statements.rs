//! OFX 1.x/2.x, CAMT.053/.052/.054 and MT940: rows, references, signs, balances.

use recon_import::{
    detect_format, read_statement, FileSummary, Format, ParsedRow, Reject, RowResult,
};
use rust_decimal::Decimal;
use std::convert::Infallible;
use std::str::FromStr;

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn read(text: &[u8]) -> (Vec<ParsedRow>, Vec<Reject>, FileSummary) {
    let format = detect_format(text).unwrap();
    let mut rows = Vec::new();
    let mut rejects = Vec::new();
    let summary = read_statement(text, format, |r| -> Result<(), Infallible> {
        match r {
            RowResult::Row(r) => rows.push(r),
            RowResult::Reject(r) => rejects.push(r),
        }
        Ok(())
    })
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(summary.format, format);
    assert_eq!(summary.read, (rows.len() + rejects.len()) as u64);
    (rows, rejects, summary)
}

const OFX_SGML: &str = "OFXHEADER:100\r\nDATA:OFXSGML\r\nVERSION:102\r\nSECURITY:NONE\r\nENCODING:USASCII\r\nCHARSET:1252\r\nCOMPRESSION:NONE\r\nOLDFILEUID:NONE\r\nNEWFILEUID:NONE\r\n\r\n<OFX>\r\n<SIGNONMSGSRSV1><SONRS><STATUS><CODE>0<SEVERITY>INFO</STATUS><DTSERVER>20260430120000<LANGUAGE>ENG</SONRS></SIGNONMSGSRSV1>\r\n<BANKMSGSRSV1><STMTTRNRS><TRNUID>1<STATUS><CODE>0<SEVERITY>INFO</STATUS>\r\n<STMTRS><CURDEF>EUR<BANKACCTFROM><BANKID>123<ACCTID>DE001234<ACCTTYPE>CHECKING</BANKACCTFROM>\r\n<BANKTRANLIST><DTSTART>20260401<DTEND>20260430\r\n<STMTTRN>\r\n<TRNTYPE>DEBIT\r\n<DTPOSTED>20260403120000.000[-5:EST]\r\n<TRNAMT>-3.50\r\n<FITID>F-0001\r\n<NAME>Caf\u{e9} &amp; Bar\r\n<MEMO>Espresso\r\n</STMTTRN>\r\n<STMTTRN>\r\n<TRNTYPE>CREDIT\r\n<DTPOSTED>20260404\r\n<TRNAMT>2000.00\r\n<FITID>F-0002\r\n<NAME>Salary\r\n</STMTTRN>\r\n<STMTTRN>\r\n<TRNTYPE>DEBIT\r\n<DTPOSTED>2026-04-05\r\n<TRNAMT>-1.00\r\n<FITID>F-0003\r\n</STMTTRN>\r\n</BANKTRANLIST>\r\n<LEDGERBAL><BALAMT>1996.50<DTASOF>20260430</LEDGERBAL>\r\n</STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>\r\n";

#[test]
fn ofx_1_sgml() {
    let bytes: Vec<u8> = OFX_SGML.chars().map(|c| c as u32 as u8).collect(); // \xe9 as a cp1252 byte
    let (rows, rejects, summary) = read(&bytes);
    assert_eq!(summary.encoding, "windows-1252");
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].amount, dec("-3.50"));
    assert_eq!(rows[0].reference.as_deref(), Some("F-0001"));
    // NAME is the counterparty, MEMO the description
    assert_eq!(rows[0].description, "Espresso");
    assert_eq!(rows[0].counterparty.as_deref(), Some("Café & Bar"));
    assert_eq!(rows[0].currency.as_deref(), Some("EUR"));
    assert_eq!(rows[0].date.to_string(), "2026-04-03");
    assert_eq!(rows[0].line, 16);
    assert!(rows[0].raw.starts_with("<STMTTRN>") && rows[0].raw.contains("F-0001"));
    assert_eq!(rows[1].amount, dec("2000.00"));
    assert_eq!(rejects.len(), 1);
    assert_eq!(rejects[0].column.as_deref(), Some("DTPOSTED"));
    assert_eq!(rejects[0].raw_value, "2026-04-05");
    let st = summary.statement.unwrap();
    assert_eq!(st.account.as_deref(), Some("DE001234"));
    assert_eq!(st.closing_balance, Some(dec("1996.50")));
    assert_eq!(st.opening_balance, None);
    assert_eq!(st.balances_agree, None);
}

#[test]
fn ofx_2_xml() {
    let xml = r#"<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<?OFX OFXHEADER="200" VERSION="220" SECURITY="NONE" OLDFILEUID="NONE" NEWFILEUID="NONE"?>
<OFX>
  <CREDITCARDMSGSRSV1><CCSTMTTRNRS><TRNUID>0</TRNUID>
    <CCSTMTRS><CURDEF>USD</CURDEF><CCACCTFROM><ACCTID>4111</ACCTID></CCACCTFROM>
      <BANKTRANLIST>
        <STMTTRN><TRNTYPE>DEBIT</TRNTYPE><DTPOSTED>20260403</DTPOSTED><TRNAMT>-12,34</TRNAMT><FITID>X1</FITID><PAYEE><NAME>Shop</NAME></PAYEE><MEMO></MEMO></STMTTRN>
        <STMTTRN><TRNTYPE>CREDIT</TRNTYPE><DTPOSTED>20260404</DTPOSTED><TRNAMT>100</TRNAMT><FITID>X2</FITID><NAME>Refund</NAME><CURRENCY><CURRATE>1.0</CURRATE><CURSYM>CAD</CURSYM></CURRENCY></STMTTRN>
      </BANKTRANLIST>
      <LEDGERBAL><BALAMT>-500.00</BALAMT><DTASOF>20260430</DTASOF></LEDGERBAL>
    </CCSTMTRS></CCSTMTTRNRS></CREDITCARDMSGSRSV1>
</OFX>"#;
    let (rows, rejects, summary) = read(xml.as_bytes());
    assert!(rejects.is_empty(), "{rejects:?}");
    assert_eq!(rows.len(), 2);
    assert_eq!(
        (rows[0].amount, rows[0].reference.as_deref()),
        (dec("-12.34"), Some("X1"))
    );
    assert_eq!(rows[0].counterparty.as_deref(), Some("Shop"));
    assert_eq!(rows[1].currency.as_deref(), Some("CAD"));
    let st = summary.statement.unwrap();
    assert_eq!(st.account.as_deref(), Some("4111"));
    assert_eq!(st.currency.as_deref(), Some("USD"));
    assert_eq!(st.closing_balance, Some(dec("-500.00")));
}

fn camt(version: &str, root: &str, stmt: &str, entries: &str, balances: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.{version}">
  <{root}>
    <GrpHdr><MsgId>M1</MsgId><CreDtTm>2026-04-30T10:00:00</CreDtTm></GrpHdr>
    <{stmt}>
      <Id>S1</Id>
      <Acct><Id><IBAN>DE89370400440532013000</IBAN></Id><Ccy>EUR</Ccy></Acct>
{balances}{entries}
    </{stmt}>
  </{root}>
</Document>"#
    )
}

fn bal(code: &str, amount: &str, ind: &str) -> String {
    format!("      <Bal><Tp><CdOrPrtry><Cd>{code}</Cd></CdOrPrtry></Tp><Amt Ccy=\"EUR\">{amount}</Amt><CdtDbtInd>{ind}</CdtDbtInd><Dt><Dt>2026-04-30</Dt></Dt></Bal>\n")
}

const ENTRIES: &str = r#"      <Ntry>
        <NtryRef>NREF-1</NtryRef>
        <Amt Ccy="EUR">50.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>
        <BookgDt><Dt>2026-04-03</Dt></BookgDt><ValDt><Dt>2026-04-04</Dt></ValDt>
        <AcctSvcrRef>BANK-REF-1</AcctSvcrRef>
        <NtryDtls><TxDtls><Refs><EndToEndId>E2E-1</EndToEndId></Refs>
          <RltdPties><Dbtr><Nm>Me</Nm></Dbtr><Cdtr><Nm>Landlord &amp; Co</Nm></Cdtr></RltdPties>
          <RmtInf><Ustrd>Rent</Ustrd><Ustrd>April</Ustrd></RmtInf></TxDtls></NtryDtls>
      </Ntry>
      <Ntry>
        <Amt Ccy="EUR">120.25</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>
        <BookgDt><DtTm>2026-04-05T09:00:00+02:00</DtTm></BookgDt>
        <NtryDtls><TxDtls><Refs><EndToEndId>E2E-2</EndToEndId></Refs>
          <RltdPties><Dbtr><Pty><Nm>Customer</Nm></Pty></Dbtr></RltdPties>
          <AddtlTxInf>Invoice 7</AddtlTxInf></TxDtls></NtryDtls>
      </Ntry>
      <Ntry>
        <Amt Ccy="EUR">1.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>PDNG</Sts>
        <BookgDt><Dt>2026-04-06</Dt></BookgDt>
      </Ntry>
"#;

#[test]
fn camt_053_rows_references_and_balances() {
    let doc = camt(
        "053.001.02",
        "BkToCstmrStmt",
        "Stmt",
        ENTRIES,
        &(bal("OPBD", "100.00", "CRDT") + &bal("CLBD", "170.25", "CRDT")),
    );
    let (rows, rejects, summary) = read(doc.as_bytes());
    assert!(rejects.is_empty());
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].amount, dec("-50.00"));
    assert_eq!(rows[0].reference.as_deref(), Some("BANK-REF-1"));
    assert_eq!(rows[0].description, "Rent April");
    assert_eq!(rows[0].counterparty.as_deref(), Some("Landlord & Co"));
    assert_eq!(rows[0].date.to_string(), "2026-04-03");
    assert_eq!(rows[0].currency.as_deref(), Some("EUR"));
    assert!(
        rows[0].raw.starts_with("<Ntry>") && rows[0].raw.ends_with("</Ntry>"),
        "{}",
        rows[0].raw
    );
    assert_eq!(rows[1].amount, dec("120.25"));
    // an end-to-end id is the payer's, not the bank's: the line is keyed by its fingerprint
    assert_eq!(rows[1].reference, None);
    assert_eq!(rows[1].counterparty.as_deref(), Some("Customer"));
    assert_eq!(rows[1].description, "Invoice 7");
    assert_eq!(rows[1].date.to_string(), "2026-04-05");
    let st = summary.statement.unwrap();
    assert_eq!(st.account.as_deref(), Some("DE89370400440532013000"));
    assert_eq!(st.currency.as_deref(), Some("EUR"));
    assert_eq!(
        (st.opening_balance, st.closing_balance),
        (Some(dec("100.00")), Some(dec("170.25")))
    );
    assert_eq!(st.balances_agree, Some(true));
    assert!(
        summary.notes.iter().any(|n| n.contains("1 pending")),
        "{:?}",
        summary.notes
    );

    // a closing balance that does not add up is reported, rows are still read
    let doc = camt(
        "053.001.08",
        "BkToCstmrStmt",
        "Stmt",
        ENTRIES,
        &(bal("OPBD", "10.00", "DBIT") + &bal("CLBD", "170.25", "CRDT")),
    );
    let (rows, _, summary) = read(doc.as_bytes());
    assert_eq!(rows.len(), 2);
    let st = summary.statement.unwrap();
    assert_eq!(st.opening_balance, Some(dec("-10.00")));
    assert_eq!(st.balances_agree, Some(false));
    assert!(
        summary
            .notes
            .iter()
            .any(|n| n.contains("closing balance is 170.25")),
        "{:?}",
        summary.notes
    );
}

/// Found by the fuzzer: lines whose sum passes what a decimal holds panicked the reader. Now
/// the lines are read and the balances are said to be unchecked, never compared to a wrong sum.
#[test]
fn lines_too_large_to_add_up_leave_the_balances_unchecked_instead_of_panicking() {
    let huge = "<Ntry><Amt Ccy=\"EUR\">40000000000000000000000000000</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts><BookgDt><Dt>2026-04-03</Dt></BookgDt></Ntry>\n";
    let doc = camt(
        "053.001.02",
        "BkToCstmrStmt",
        "Stmt",
        &huge.repeat(3),
        &(bal("OPBD", "100.00", "CRDT") + &bal("CLBD", "170.25", "CRDT")),
    );
    let (rows, _, summary) = read(doc.as_bytes());
    assert_eq!(rows.len(), 3);
    assert_eq!(summary.statement.unwrap().balances_agree, None);
    assert!(
        summary
            .notes
            .iter()
            .any(|n| n.contains("too large to add up")),
        "{:?}",
        summary.notes
    );
}

#[test]
fn camt_052_and_054() {
    for (v, root, stmt) in [
        ("052.001.02", "BkToCstmrAcctRpt", "Rpt"),
        ("054.001.02", "BkToCstmrDbtCdtNtfctn", "Ntfctn"),
    ] {
        let doc = camt(v, root, stmt, ENTRIES, "");
        assert_eq!(detect_format(doc.as_bytes()).unwrap(), Format::Camt);
        let (rows, _, summary) = read(doc.as_bytes());
        assert_eq!(rows.len(), 2, "{v}");
        assert_eq!(summary.statement.unwrap().balances_agree, None);
    }
    // an entry without CdtDbtInd is a reject naming the field
    let doc = camt(
        "053.001.02",
        "BkToCstmrStmt",
        "Stmt",
        "<Ntry><Amt Ccy=\"EUR\">1</Amt><BookgDt><Dt>2026-04-01</Dt></BookgDt></Ntry>",
        "",
    );
    let (_, rejects, _) = read(doc.as_bytes());
    assert_eq!(rejects[0].column.as_deref(), Some("CdtDbtInd"));
}

const MT940: &str =
    "{1:F01BANKDEFFAXXX0000000000}{2:O9401200260430BANKDEFFAXXX00000000002604301200N}{4:\r
:20:STMT-1\r
:25:DE89370400440532013000\r
:28C:1/1\r
:60F:C260401EUR1000,00\r
:61:2604030403D50,00NTRFNONREF//BREF-1\r
:86:166?00GUTSCHRIFT?20Miete?21 April?32Landlord GmbH\r
:61:2604050405C120,25NMSCCUSTREF-2\r
Supplementary details\r
:61:2512311231RD1,50NCHGNONREF//BREF-3\r
:86:Reversal of\r
 a charge\r
:62F:C260430EUR1071,75\r
-}\r
";

#[test]
fn mt940_lines_details_and_balances() {
    assert_eq!(detect_format(MT940.as_bytes()).unwrap(), Format::Mt940);
    let (rows, rejects, summary) = read(MT940.as_bytes());
    assert!(rejects.is_empty(), "{rejects:?}");
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0].amount, dec("-50.00"));
    assert_eq!(rows[0].reference.as_deref(), Some("BREF-1"));
    assert_eq!(rows[0].description, "Miete April");
    assert_eq!(rows[0].counterparty.as_deref(), Some("Landlord GmbH"));
    assert_eq!(rows[0].line, 6);
    assert!(rows[0].raw.starts_with(":61:") && rows[0].raw.contains(":86:"));
    assert_eq!(rows[1].amount, dec("120.25"));
    // the customer reference is the account owner's, not the line's identity
    assert_eq!(rows[1].reference, None);
    assert_eq!(rows[1].description, "Supplementary details");
    assert_eq!(
        rows[2].amount,
        dec("1.50"),
        "RD is a reversed debit: money in"
    );
    assert_eq!(rows[2].date.to_string(), "2025-12-31");
    let st = summary.statement.unwrap();
    assert_eq!(st.account.as_deref(), Some("DE89370400440532013000"));
    assert_eq!(st.currency.as_deref(), Some("EUR"));
    assert_eq!(
        (st.opening_balance, st.closing_balance),
        (Some(dec("1000.00")), Some(dec("1071.75")))
    );
    assert_eq!(st.balances_agree, Some(true));

    let broken = MT940.replace(":61:2604050405C120,25", ":61:2604050405X120,25");
    let (rows, rejects, summary) = read(broken.as_bytes());
    assert_eq!((rows.len(), rejects.len()), (2, 1));
    assert_eq!(rejects[0].line, 8);
    assert_eq!(rejects[0].column.as_deref(), Some(":61:"));
    assert_eq!(summary.statement.unwrap().balances_agree, Some(false));
}

#[test]
fn statement_encodings_and_invalid_bytes() {
    // declared UTF-8 with an invalid byte inside one entry: that entry is rejected
    let doc = camt("053.001.02", "BkToCstmrStmt", "Stmt", ENTRIES, "")
        .replace("Invoice 7", "Invoice \u{1}7");
    let bytes = doc.replace('\u{1}', "\u{FFFF}").into_bytes();
    let mut bytes = bytes;
    let i = bytes
        .windows(3)
        .position(|w| w == "\u{FFFF}".as_bytes())
        .unwrap();
    bytes.splice(i..i + 3, [0xFFu8]);
    let (rows, rejects, _) = read(&bytes);
    assert_eq!((rows.len(), rejects.len()), (1, 1));
    assert!(rejects[0].reason.contains("invalid bytes"));
    // Latin-1 declared in the XML declaration
    let latin = camt("053.001.02", "BkToCstmrStmt", "Stmt", ENTRIES, "")
        .replace("encoding=\"UTF-8\"", "encoding=\"ISO-8859-1\"")
        .replace("Rent", "Miete für Büro");
    let bytes: Vec<u8> = latin
        .chars()
        .map(|c| u8::try_from(c as u32).unwrap())
        .collect();
    let (rows, _, summary) = read(&bytes);
    assert_eq!(summary.encoding, "windows-1252");
    assert_eq!(rows[0].description, "Miete für Büro April");
}
