//! The check history as CSV: one row per wallet per run, oldest run first. RFC 4180
//! quoting; a cell starting with `=`, `+`, `-`, `@`, tab or CR is prefixed with `'` so a
//! spreadsheet shows it as text instead of running it — except a plain negative decimal
//! (`-5.00`), which no spreadsheet can run and finance staff want as a number.
//!
//! A private writer for now: `recon_api::csv_export` (helper `ledger`) is built at the same
//! time and this one should be folded into it.

use crate::{ApiError, ApiResult, CheckExportDto, ErrorCode};
use recon_core::money::format_minor;
use recon_store::Store;
use std::io::Write;
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

/// One cell, neutralised and quoted as RFC 4180 asks.
pub(crate) fn csv_cell(value: &str) -> String {
    let plain_negative = value.strip_prefix('-').is_some_and(|digits| {
        !digits.is_empty()
            && !digits.starts_with('.')
            && digits.chars().all(|c| c.is_ascii_digit() || c == '.')
            && digits.matches('.').count() <= 1
    });
    let neutral = match value.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') if !plain_negative => format!("'{value}"),
        _ => value.to_string(),
    };
    if neutral.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", neutral.replace('"', "\"\""))
    } else {
        neutral
    }
}

fn csv_line(out: &mut impl Write, cells: &[&str]) -> std::io::Result<()> {
    let line: Vec<String> = cells.iter().map(|c| csv_cell(c)).collect();
    out.write_all(line.join(",").as_bytes())?;
    out.write_all(b"\r\n")
}

/// Writes the whole history to `path` (through a temporary file renamed into place, so
/// a failed export leaves no half-written file).
pub fn write_history_csv(store: &Store, path: &Path) -> ApiResult<CheckExportDto> {
    let io = |e: std::io::Error| ApiError::new(ErrorCode::Io, format!("{}: {e}", path.display()));
    let partial = path.with_extension("csv.partial");
    let mut out = std::io::BufWriter::new(std::fs::File::create(&partial).map_err(io)?);
    csv_line(&mut out, &HEADER).map_err(io)?;
    let mut rows = 0i64;
    let mut failure = None;
    store.each_check_report(|report| {
        let s = &report.summary;
        for l in &report.lines {
            let show = |m: i64| format_minor(m, l.scale);
            let cells = [
                s.run_id.clone(),
                s.at.clone(),
                s.actor.clone(),
                s.workspace.clone().unwrap_or_default(),
                s.fix.to_string(),
                l.workspace_id.clone(),
                l.wallet_id.clone(),
                l.currency.clone(),
                show(l.expected_minor),
                show(l.actual_minor),
                show(l.discrepancy_minor),
                l.status.clone(),
                l.warning.to_string(),
                l.action.clone(),
                l.fixed.to_string(),
                l.adjustment_minor.map(show).unwrap_or_default(),
                l.reason.clone().unwrap_or_default(),
            ];
            let refs: Vec<&str> = cells.iter().map(String::as_str).collect();
            if let Err(e) = csv_line(&mut out, &refs) {
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
    out.flush().map_err(io)?;
    drop(out);
    std::fs::rename(&partial, path).map_err(io)?;
    Ok(CheckExportDto {
        path: path.display().to_string(),
        rows,
    })
}

#[cfg(test)]
mod tests {
    use super::csv_cell;

    #[test]
    fn formula_cells_are_neutralised_and_quotes_doubled() {
        assert_eq!(csv_cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_cell("-5.00"), "-5.00");
        assert_eq!(csv_cell("-1+1"), "'-1+1");
        assert_eq!(csv_cell("-A1"), "'-A1");
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
        assert_eq!(csv_cell("12.50"), "12.50");
    }
}
