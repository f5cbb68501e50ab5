//! The check history as CSV: one row per wallet per run, oldest run first, through
//! [`crate::csv_export`] (amounts stay numbers such as `-5.00`; text cells are neutralised).

use crate::csv_export::{Cell, CsvWriter};
use crate::{ApiError, ApiResult, CheckExportDto, ErrorCode};
use recon_core::money::format_minor;
use recon_store::Store;
use std::path::Path;

const HEADER: [&str; 17] = [
    "run_id",
    "at",
    "actor",
    "workspace_filter",
    "fix",
    "workspace_id",
    "wallet_id",
    "currency",
    "expected_locked",
    "actual_locked",
    "discrepancy",
    "status",
    "warning",
    "action",
    "fixed",
    "adjustment",
    "reason",
];

/// Writes the whole history to `path` (through a temporary file renamed into place, so
/// a failed export leaves no half-written file).
pub fn write_history_csv(store: &Store, path: &Path) -> ApiResult<CheckExportDto> {
    let io = |e: std::io::Error| ApiError::new(ErrorCode::Io, format!("{}: {e}", path.display()));
    let partial = path.with_extension("csv.partial");
    let file = std::io::BufWriter::new(std::fs::File::create(&partial).map_err(io)?);
    let mut out = CsvWriter::new(file, &HEADER, false).map_err(io)?;
    let mut rows = 0i64;
    let mut failure = None;
    store.each_check_report(|report| {
        let s = &report.summary;
        for l in &report.lines {
            let show = |m: i64| format_minor(m, l.scale);
            let amounts = [
                show(l.expected_minor),
                show(l.actual_minor),
                show(l.discrepancy_minor),
                l.adjustment_minor.map(show).unwrap_or_default(),
            ];
            let flag = |b: bool| if b { "true" } else { "false" };
            let cells = [
                Cell::Text(&s.run_id),
                Cell::Text(&s.at),
                Cell::Text(&s.actor),
                Cell::Text(s.workspace.as_deref().unwrap_or_default()),
                Cell::Amount(flag(s.fix)),
                Cell::Text(&l.workspace_id),
                Cell::Text(&l.wallet_id),
                Cell::Text(&l.currency),
                Cell::Amount(&amounts[0]),
                Cell::Amount(&amounts[1]),
                Cell::Amount(&amounts[2]),
                Cell::Text(&l.status),
                Cell::Amount(flag(l.warning)),
                Cell::Text(&l.action),
                Cell::Amount(flag(l.fixed)),
                Cell::Amount(&amounts[3]),
                Cell::Text(l.reason.as_deref().unwrap_or_default()),
            ];
            if let Err(e) = out.row(&cells) {
                failure = Some(e);
                return Ok(());
            }
            rows += 1;
        }
        Ok(())
    })?;
    if let Some(e) = failure {
        let _ = std::fs::remove_file(&partial);
        return Err(io(e));
    }
    out.finish().map_err(io)?;
    std::fs::rename(&partial, path).map_err(io)?;
    Ok(CheckExportDto {
        path: path.display().to_string(),
        rows,
    })
}

#[cfg(test)]
mod tests {
    use crate::csv_export::{field, Cell};

    /// The cells of a history row, as the export writes them.
    #[test]
    fn formula_cells_are_neutralised_and_quotes_doubled() {
        let text = |t| field(Cell::Text(t));
        let amount = |a| field(Cell::Amount(a));
        assert_eq!(text("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(text("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(amount("-5.00"), "-5.00");
        assert_eq!(text("-1+1"), "'-1+1");
        assert_eq!(text("-A1"), "'-A1");
        assert_eq!(text("a,b"), "\"a,b\"");
        assert_eq!(amount("12.50"), "12.50");
    }
}
