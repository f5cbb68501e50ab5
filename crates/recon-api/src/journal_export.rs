//! A journal view (its filters) as CSV through [`crate::csv_export`], page by page: amounts
//! and ids stay numbers, text cells are neutralised against spreadsheet formulas.

use crate::csv_export::{Cell, CsvWriter};
use crate::{journal_pages, ApiError, ApiResult, ErrorCode, JournalQueryDto};
use std::path::Path;

const HEADER: [&str; 13] = [
    "date",
    "wallet",
    "ref_type",
    "amount",
    "currency",
    "balance",
    "description",
    "reason",
    "counterparty",
    "first_party_id",
    "second_party_id",
    "matched_to",
    "running_balance",
];

/// Writes every line `query` selects to `path`; returns how many.
pub fn journal_export(
    store: &recon_store::Store,
    path: &Path,
    query: JournalQueryDto,
) -> ApiResult<u64> {
    let io = |e: std::io::Error| ApiError::new(ErrorCode::Io, format!("{}: {e}", path.display()));
    let file = std::fs::File::create(path).map_err(io)?;
    let mut w = CsvWriter::new(std::io::BufWriter::new(file), &HEADER, false).map_err(io)?;
    for page in journal_pages(store, query) {
        for r in page? {
            let ids = [r.first_party_id, r.second_party_id]
                .map(|i| i.map(|i| i.to_string()).unwrap_or_default());
            let matched = r.matched_to.join(" | ");
            w.row(&[
                Cell::Text(&r.date),
                Cell::Text(&r.wallet),
                Cell::Text(&r.ref_type),
                Cell::Amount(r.amount.as_deref().unwrap_or_default()),
                Cell::Text(&r.currency),
                Cell::Amount(r.balance.as_deref().unwrap_or_default()),
                Cell::Text(&r.description),
                Cell::Text(r.reason.as_deref().unwrap_or_default()),
                Cell::Text(r.counterparty.as_deref().unwrap_or_default()),
                Cell::Amount(&ids[0]),
                Cell::Amount(&ids[1]),
                Cell::Text(&matched),
                Cell::Amount(r.running_balance.as_deref().unwrap_or_default()),
            ])
            .map_err(io)?;
        }
    }
    w.finish().map_err(io)
}
