//! QIF: bank, card and cash lists, date orders, splits, investment lists left out.

use recon_import::{detect_format, read_statement, FileSummary, Format, ParsedRow, RowResult};
use rust_decimal::Decimal;
use std::convert::Infallible;
use std::str::FromStr;

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn read(text: &str) -> (Vec<ParsedRow>, u64, FileSummary) {
    assert_eq!(detect_format(text.as_bytes()).unwrap(), Format::Qif);
    let mut rows = Vec::new();
    let mut rejected = 0;
    let summary = read_statement(
        text.as_bytes(),
        Format::Qif,
        |r| -> Result<(), Infallible> {
            match r {
                RowResult::Row(r) => rows.push(r),
                RowResult::Reject(_) => rejected += 1,
            }
            Ok(())
        },
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(summary.format, Format::Qif);
    (rows, rejected, summary)
}

#[test]
fn bank_records_become_rows_with_payee_memo_and_the_account() {
    let text =
        "!Account\nNChecking Main\nTBank\n^\n!Type:Bank\nD12/19/18\nPCOUNTY WASTE\nT-25.00\n^\n\
                D12/20/18\nT1,000.00\nPEMPLOYER INC\nMSalary December\nN1001\n^\n";
    let (rows, rejected, summary) = read(text);
    assert_eq!(rejected, 0);
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].date.to_string(), "2018-12-19");
    assert_eq!(rows[0].amount, dec("-25.00"));
    assert_eq!(rows[0].description, "COUNTY WASTE");
    assert_eq!(rows[1].amount, dec("1000.00"));
    assert_eq!(rows[1].description, "Salary December");
    assert_eq!(rows[1].counterparty.as_deref(), Some("EMPLOYER INC"));
    // a check number is not a bank id
    assert_eq!(rows[1].reference, None);
    assert_eq!(rows[0].line, 6);
    assert!(rows[0].raw.starts_with("D12/19/18") && rows[0].raw.ends_with('^'));
    assert_eq!(
        summary.statement.unwrap().account.as_deref(),
        Some("Checking Main")
    );
}

#[test]
fn card_and_cash_lists_and_quicken_dates_are_read() {
    let text = "!Type:CCard\nD2/10'2020\nT-67.50\nPT-Mobile\n^\nD1/ 1'01\nT-1.00\nPFee\n^\n\
                !Type:Cash\nD2022-09-23\nPFIRST\nT-184.8\n^\n";
    let (rows, _, _) = read(text);
    let dates: Vec<String> = rows.iter().map(|r| r.date.to_string()).collect();
    assert_eq!(dates, ["2020-02-10", "2001-01-01", "2022-09-23"]);
    assert_eq!(rows[2].amount, dec("-184.8"));
}

#[test]
fn the_date_order_is_taken_from_a_date_that_shows_it() {
    // 22/12/2017 can only be day first, so 02/01/2018 is the 2nd of January
    let text = "!Type:Bank\nD22/12/2017\nT1000.00\nPIncome\n^\nD02/01/2018\nT-12.57\nPFOOD\n^\n";
    let (rows, _, summary) = read(text);
    assert_eq!(rows[1].date.to_string(), "2018-01-02");
    assert!(summary.notes.is_empty(), "{:?}", summary.notes);
    // nothing shows it: month first, and the note says so
    let (rows, _, summary) = read("!Type:Bank\nD02/01/2018\nT-1.00\nPX\n^\n");
    assert_eq!(rows[0].date.to_string(), "2018-02-01");
    assert!(summary.notes.iter().any(|n| n.contains("month first")));
}

#[test]
fn a_split_stays_one_line_with_its_split_text() {
    let text =
        "!Type:Bank\nD1/ 1'00\nU-10.00\nT-10.00\nPA Payee\nL--Split--\nS[An Account]\n$-9.00\n\
                SA Category\nEsome memo\n$-1.00\n^\n";
    let (rows, _, _) = read(text);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].amount, dec("-10.00"));
    assert_eq!(
        rows[0].description,
        "A Payee · splits: [An Account] -9.00; A Category (some memo) -1.00"
    );
}

#[test]
fn investment_lists_are_left_out_with_a_note_and_other_lists_are_not_rows() {
    let text = "### exported\n!Type:Cat\nNInvestments:Stocks\nDA category\n^\n!Type:Invst\nD8/25/93\nNShrsIn\n\
                Yibm4\nT1,000.00\n^\n!Type:Bank\nD8/26/93\nT-5.00\nPShop\n^\n";
    let (rows, rejected, summary) = read(text);
    assert_eq!((rows.len(), rejected), (1, 0));
    assert!(
        summary.notes.iter().any(|n| n.contains("1 investment")),
        "{:?}",
        summary.notes
    );
    let (rows, _, summary) = read("!Type:Invst\nD8/25/93\nNShrsIn\nT1.00\n^\n");
    assert!(rows.is_empty());
    assert!(summary.notes.iter().any(|n| n.contains("investment")));
    let (rows, _, summary) = read("!Option:AutoSwitch\n!Account\nNMy Bank\nTBank\n^\n");
    assert!(rows.is_empty());
    assert!(summary
        .notes
        .iter()
        .any(|n| n.contains("nothing to import")));
}

#[test]
fn a_bad_date_or_amount_rejects_its_record_only() {
    let (rows, rejected, _) =
        read("!Type:Bank\nD13/13/2020\nT-1.00\n^\nD01/05/2020\nTabc\n^\nD01/06/2020\nT2.00\n^\n");
    assert_eq!((rows.len(), rejected), (1, 2));
    // Quicken's opening balance record is the statement's opening balance, not a line
    let (rows, _, summary) = read(
        "!Type:Bank\nD2/10'2020\nT100.00\nCX\nPOpening Balance\nL[Checking]\n^\nD2/14'2020\nT67.50\nPT-Mobile\n^\n",
    );
    assert_eq!(rows.len(), 1);
    assert_eq!(
        summary.statement.unwrap().opening_balance,
        Some(dec("100.00"))
    );
}

#[test]
fn an_ambiguous_date_order_is_asked_and_the_answer_read() {
    use recon_import::{qif_date_question, read_statement_with, DayOrder, StatementOptions};
    let text = "!Type:Bank\nD03/04/2026\nT-1.00\nPX\n^\nD05/04/2026\nT2.00\nPY\n^\n";
    let q = qif_date_question(text.as_bytes()).expect("both orders read every date");
    assert_eq!(q.options, ["month-first", "day-first"]);
    assert_eq!(
        q.readings,
        [
            "03/04/2026 → 2026-03-04 (month first)",
            "03/04/2026 → 2026-04-03 (day first)"
        ]
    );
    let read_as = |order| {
        let options = StatementOptions {
            day_order: Some(order),
        };
        let mut dates = Vec::new();
        let summary = read_statement_with(text.as_bytes(), Format::Qif, options, |r| {
            if let RowResult::Row(r) = r {
                dates.push(r.date.to_string());
            }
            Ok::<(), Infallible>(())
        })
        .unwrap();
        assert!(summary.notes.is_empty(), "{:?}", summary.notes);
        dates
    };
    assert_eq!(read_as(DayOrder::DayFirst), ["2026-04-03", "2026-04-05"]);
    assert_eq!(read_as(DayOrder::MonthFirst), ["2026-03-04", "2026-05-04"]);
    // a date that settles it: no question, and the file's order wins over an answer
    let settled = "!Type:Bank\nD22/12/2017\nT1.00\nPX\n^\nD02/01/2018\nT-1.00\nPY\n^\n";
    assert!(qif_date_question(settled.as_bytes()).is_none());
    assert!(qif_date_question(b"!Type:Bank\nD2026-03-04\nT1.00\n^\n").is_none());
}
