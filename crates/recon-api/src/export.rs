//! The Expected payments list as the user filtered it, as CSV through
//! [`crate::csv_export`]: amounts and ids stay numbers, text cells are neutralised.

use crate::csv_export::{write_rows, Cell};
use crate::{ApiError, ApiResult, ErrorCode, ExpectedDto};
use std::path::Path;

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
    // Owned texts first: the cells borrow them.
    let texts: Vec<[String; 3]> = list
        .iter()
        .map(|e| {
            [
                e.character_id.map(|i| i.to_string()).unwrap_or_default(),
                e.actual_payer_id.map(|i| i.to_string()).unwrap_or_default(),
                e.journal_ids.join(" "),
            ]
        })
        .collect();
    let rows = list
        .iter()
        .zip(&texts)
        .map(|(e, [character_id, payer_id, journal_ids])| {
            vec![
                Cell::Text(&e.memo),
                Cell::Text(&e.cycle_id),
                Cell::Text(&e.character_name),
                Cell::Amount(character_id),
                Cell::Text(&e.status),
                Cell::Text(&e.currency),
                Cell::Amount(&e.expected_amount),
                Cell::Amount(e.actual_amount.as_deref().unwrap_or_default()),
                Cell::Amount(if e.amount_adjusted { "true" } else { "false" }),
                Cell::Amount(payer_id),
                Cell::Text(e.match_type.as_deref().unwrap_or_default()),
                Cell::Text(journal_ids),
            ]
        });
    let mut out = Vec::new();
    write_rows(&mut out, &header, false, rows).expect("writing to a Vec cannot fail");
    String::from_utf8(out).expect("cells are UTF-8")
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
    use crate::csv_export::{field, write_rows, Cell};

    #[test]
    fn formula_cells_are_neutralised_and_numbers_kept() {
        let text = |t| field(Cell::Text(t));
        let number = |n| field(Cell::Amount(n));
        assert_eq!(text("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(text("+1+1"), "'+1+1");
        assert_eq!(text("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(text("-2+3"), "'-2+3");
        assert_eq!(text("\tx"), "'\tx");
        assert_eq!(number("-1500.00"), "-1500.00");
        assert_eq!(number("250000000.00"), "250000000.00");
        assert_eq!(text("ARB c1, Alpha"), "\"ARB c1, Alpha\"");
        assert_eq!(text("two\nlines"), "\"two\nlines\"");
    }

    #[test]
    fn rows_end_in_crlf() {
        let mut out = Vec::new();
        let rows = vec![vec![Cell::Amount("1"), Cell::Text("=x")]];
        write_rows(&mut out, &["a", "b"], false, rows).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "a,b\r\n1,'=x\r\n");
    }
}
