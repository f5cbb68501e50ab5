//! The three review queues of `match review` as CSV through [`crate::csv_export`]: one row
//! per queued item with its best candidate (amounts and scores stay numbers, text cells are
//! neutralised against spreadsheet formulas).

use crate::csv_export::{write_rows, Cell};
use crate::{ApiError, ApiResult, ErrorCode, ReceiptDto, ReviewQueuesDto};
use std::path::Path;

const HEADER: [&str; 12] = [
    "queue",
    "journal_id",
    "wallet",
    "date",
    "amount",
    "currency",
    "payer_id",
    "description",
    "reason",
    "suggestion_memo",
    "suggestion_expected_amount",
    "suggestion_score",
];

/// One row's owned texts: the receipt side, then the best candidate (memo, amount, score).
struct Row<'a> {
    queue: &'static str,
    receipt: Option<&'a ReceiptDto>,
    memo: &'a str,
    expected_amount: &'a str,
    score: String,
    payer: String,
}

fn receipt_rows<'a>(
    queue: &'static str,
    list: &'a [crate::ReceiptSuggestionsDto],
) -> impl Iterator<Item = Row<'a>> {
    list.iter().map(move |r| {
        let best = r.suggestions.first();
        Row {
            queue,
            receipt: Some(&r.receipt),
            memo: best.map(|s| s.memo.as_str()).unwrap_or_default(),
            expected_amount: best.map(|s| s.expected_amount.as_str()).unwrap_or_default(),
            score: best.map(|s| s.score.total.to_string()).unwrap_or_default(),
            payer: payer(&r.receipt),
        }
    })
}

fn payer(r: &ReceiptDto) -> String {
    r.payer_id.map(|i| i.to_string()).unwrap_or_default()
}

/// The queues as CSV: unmatched and ambiguous receipts with their best suggestion, then the
/// expected payments awaiting with their best receipt (empty receipt cells when none).
pub fn review_csv(q: &ReviewQueuesDto) -> String {
    let awaiting = q.awaiting.iter().map(|a| {
        let best = a.suggestions.first();
        Row {
            queue: "awaiting",
            receipt: best.map(|s| &s.receipt),
            memo: &a.expected.memo,
            expected_amount: &a.expected.expected_amount,
            score: best.map(|s| s.score.total.to_string()).unwrap_or_default(),
            payer: best.map(|s| payer(&s.receipt)).unwrap_or_default(),
        }
    });
    let rows: Vec<Row> = receipt_rows("unmatched", &q.unmatched_receipts)
        .chain(receipt_rows("ambiguous", &q.ambiguous_receipts))
        .chain(awaiting)
        .collect();
    let cells = rows.iter().map(|r| {
        let text = |f: fn(&ReceiptDto) -> &str| r.receipt.map(f).unwrap_or_default();
        vec![
            Cell::Text(r.queue),
            Cell::Text(text(|x| &x.journal_id)),
            Cell::Text(text(|x| &x.wallet)),
            Cell::Text(text(|x| &x.date)),
            Cell::Amount(text(|x| &x.amount)),
            Cell::Text(text(|x| &x.currency)),
            Cell::Amount(&r.payer),
            Cell::Text(text(|x| &x.description)),
            Cell::Text(text(|x| x.reason.as_deref().unwrap_or_default())),
            Cell::Text(r.memo),
            Cell::Amount(r.expected_amount),
            Cell::Amount(&r.score),
        ]
    });
    let mut out = Vec::new();
    write_rows(&mut out, &HEADER, false, cells).expect("writing to a Vec cannot fail");
    String::from_utf8(out).expect("cells are UTF-8")
}

/// Writes the review queues to `path`; returns the number of rows.
pub fn review_export(store: &recon_store::Store, path: &Path) -> ApiResult<u32> {
    let q = crate::matching::review_queues(store)?;
    let n = q.unmatched_receipts.len() + q.ambiguous_receipts.len() + q.awaiting.len();
    std::fs::write(path, review_csv(&q))
        .map_err(|e| ApiError::new(ErrorCode::Io, format!("{}: {e}", path.display())))?;
    Ok(n as u32)
}
