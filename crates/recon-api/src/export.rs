//! CSV exports (RFC 4180): the Expected payments list as the user filtered it. A cell that a
//! spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, CR first) is prefixed with `'`,
//! except a plain decimal number such as `-1500.00`, which stays a number.

use crate::{ApiError, ApiResult, ErrorCode, ExpectedDto};
use std::path::Path;

fn is_plain_number(cell: &str) -> bool {
    let digits = cell.strip_prefix('-').unwrap_or(cell);
    let (int, frac) = digits.split_once('.').unwrap_or((digits, "0"));
    !int.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && !frac.is_empty()
        && frac.bytes().all(|b| b.is_ascii_digit())
}

/// One field: neutralised if it could run as a formula, quoted when it holds `,` `"` CR or LF.
pub fn csv_cell(cell: &str) -> String {
    let risky = matches!(
        cell.chars().next(),
        Some('=' | '+' | '-' | '@' | '\t' | '\r')
    );
    let safe = if risky && !is_plain_number(cell) {
        format!("'{cell}")
    } else {
        cell.to_string()
    };
    if safe.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", safe.replace('"', "\"\""))
    } else {
        safe
    }
}

/// Rows as CSV text, CRLF line ends (RFC 4180).
pub fn csv_text(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut out = String::new();
    let line = |cells: &mut dyn Iterator<Item = String>, out: &mut String| {
        out.push_str(&cells.collect::<Vec<_>>().join(","));
        out.push_str("\r\n");
    };
    line(&mut header.iter().map(|h| csv_cell(h)), &mut out);
    for row in rows {
        line(&mut row.iter().map(|c| csv_cell(c)), &mut out);
    }
    out
}

/// The expected payments as CSV, with what is outstanding or in excess.
pub fn expected_csv(list: &[ExpectedDto]) -> String {
    let header = [
        "memo",
        "cycle_id",
        "character_name",
        "character_id",
        "status",
        "currency",
        "expected_amount",
        "actual_amount",
        "amount_adjusted",
        "actual_payer_id",
        "match_type",
        "journal_ids",
    ];
    let rows: Vec<Vec<String>> = list
        .iter()
        .map(|e| {
            vec![
                e.memo.clone(),
                e.cycle_id.clone(),
                e.character_name.clone(),
                e.character_id.map(|i| i.to_string()).unwrap_or_default(),
                e.status.clone(),
                e.currency.clone(),
                e.expected_amount.clone(),
                e.actual_amount.clone().unwrap_or_default(),
                e.amount_adjusted.to_string(),
                e.actual_payer_id.map(|i| i.to_string()).unwrap_or_default(),
                e.match_type.clone().unwrap_or_default(),
                e.journal_ids.join(" "),
            ]
        })
        .collect();
    csv_text(&header, &rows)
}

/// Writes the expected payments (of one cycle and/or status) to `path`; returns the row count.
pub fn expected_export(
    store: &recon_store::Store,
    path: &Path,
    cycle: Option<String>,
    status: Option<String>,
) -> ApiResult<u32> {
    let list = crate::matching::expected_list(store, cycle, status)?;
    std::fs::write(path, expected_csv(&list))
        .map_err(|e| ApiError::new(ErrorCode::Io, format!("{}: {e}", path.display())))?;
    Ok(list.len() as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_neutralised_and_numbers_kept() {
        assert_eq!(csv_cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_cell("+1+1"), "'+1+1");
        assert_eq!(csv_cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_cell("-2+3"), "'-2+3");
        assert_eq!(csv_cell("\tx"), "'\tx");
        assert_eq!(csv_cell("-1500.00"), "-1500.00");
        assert_eq!(csv_cell("250000000.00"), "250000000.00");
        assert_eq!(csv_cell("ARB c1, Alpha"), "\"ARB c1, Alpha\"");
        assert_eq!(csv_cell("two\nlines"), "\"two\nlines\"");
    }

    #[test]
    fn rows_end_in_crlf() {
        let text = csv_text(&["a", "b"], &[vec!["1".into(), "=x".into()]]);
        assert_eq!(text, "a,b\r\n1,'=x\r\n");
    }
}
