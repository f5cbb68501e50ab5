//! CSV export of batches (one row each) or of their lines (one row per entity of each batch),
//! through the one CSV writer (`csv_export`: text cells neutralised against formulas).

use crate::csv_export::{Cell, CsvWriter};
use crate::{ApiError, ApiResult, ErrorCode, ExportDto, PayoutBatchDto, PayoutQueryDto};
use std::path::Path;

pub const BATCH_COLUMNS: [&str; 17] = [
    "batch_id",
    "program",
    "period",
    "currency",
    "status",
    "total",
    "lines",
    "entries",
    "notes",
    "created_by",
    "created_at",
    "approved_by",
    "approved_at",
    "paid_by",
    "paid_at",
    "reason",
    "updated_at",
];

pub const LINE_COLUMNS: [&str; 10] = [
    "batch_id",
    "program",
    "period",
    "currency",
    "status",
    "entity_type",
    "entity_ref",
    "entity_name",
    "amount",
    "entries",
];

fn io(out: &Path) -> impl Fn(std::io::Error) -> ApiError + '_ {
    move |e| ApiError::new(ErrorCode::Io, format!("{}: {e}", out.display()))
}

fn batch_row(b: &PayoutBatchDto) -> Vec<String> {
    let o = |v: &Option<String>| v.clone().unwrap_or_default();
    vec![
        b.id.clone(),
        b.program.clone(),
        b.period.clone(),
        b.currency.clone(),
        b.status.clone(),
        b.total.clone(),
        b.lines.len().to_string(),
        b.entry_count.to_string(),
        b.notes.clone(),
        b.created_by.clone(),
        b.created_at.clone(),
        o(&b.approved_by),
        o(&b.approved_at),
        o(&b.paid_by),
        o(&b.paid_at),
        o(&b.reason),
        b.updated_at.clone(),
    ]
}

/// Writes the batches of `program` (all when `None`), optionally one `period`, oldest first —
/// or, with `lines`, one row per line of each — as CSV to `out`.
pub fn payout_export(
    store: &recon_store::Store,
    program: Option<&str>,
    period: Option<&str>,
    lines: bool,
    out: &Path,
    bom: bool,
) -> ApiResult<ExportDto> {
    let q = PayoutQueryDto {
        program: program.map(str::to_owned),
        period: period.map(str::to_owned),
        ..Default::default()
    };
    // The steps are not exported; whoever this process acts as sees them.
    let mut batches = super::payout_list(store, &crate::current_actor(), q)?;
    batches.reverse();
    let file = std::fs::File::create(out).map_err(io(out))?;
    let header: &[&str] = if lines { &LINE_COLUMNS } else { &BATCH_COLUMNS };
    let mut w = CsvWriter::new(std::io::BufWriter::new(file), header, bom).map_err(io(out))?;
    // Amounts and counts we produced are written as numbers; everything else is text.
    for b in &batches {
        if lines {
            for l in &b.lines {
                let entries = l.entries.to_string();
                w.row(&[
                    Cell::Text(&b.id),
                    Cell::Text(&b.program),
                    Cell::Text(&b.period),
                    Cell::Text(&b.currency),
                    Cell::Text(&b.status),
                    Cell::Text(&l.entity_type),
                    Cell::Text(&l.entity_ref),
                    Cell::Text(&l.entity_name),
                    Cell::Amount(&l.amount),
                    Cell::Amount(&entries),
                ])
                .map_err(io(out))?;
            }
        } else {
            let row = batch_row(b);
            let cells: Vec<Cell> = row
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    if matches!(i, 5..=7) {
                        Cell::Amount(v)
                    } else {
                        Cell::Text(v)
                    }
                })
                .collect();
            w.row(&cells).map_err(io(out))?;
        }
    }
    let rows = w.finish().map_err(io(out))?;
    Ok(ExportDto {
        path: out.display().to_string(),
        rows,
    })
}
