//! Import history: the batches with their files, a batch's rejected rows, and removing a
//! batch's rows.

use super::preview::statement_difference;
use crate::{ApiResult, BatchDto, BatchFileDto, RejectedRowDto, StatementDto};
use chrono::Utc;
use recon_store::{BatchFileView, RejectedRow, Store};
use rust_decimal::Decimal;

pub(crate) fn rejected_dto(r: RejectedRow) -> RejectedRowDto {
    RejectedRowDto {
        file: r.file,
        line: r.line,
        column: r.column,
        raw_value: r.raw_value,
        reason: r.reason,
        raw: r.raw,
    }
}

pub fn import_batches(store: &Store) -> ApiResult<Vec<BatchDto>> {
    Ok(store
        .import_batches()?
        .into_iter()
        .map(|b| BatchDto {
            id: b.id,
            wallet: b.wallet,
            format: b.format,
            read: b.read,
            inserted: b.inserted,
            duplicates: b.duplicates,
            rejected: b.rejected,
            valid_rows_only: b.valid_rows_only,
            actor: b.actor,
            at: b.at,
            removed_at: b.removed_at,
            removed_by: b.removed_by,
            rows_held: b.rows_held,
            files: b
                .files
                .into_iter()
                .map(|f| BatchFileDto {
                    statement: kept_statement(&f),
                    file_name: f.file_name,
                    sha256: f.sha256,
                    size_bytes: f.size_bytes,
                    format: f.format,
                    encoding: f.encoding,
                    read: f.read,
                    inserted: f.inserted,
                    duplicates: f.duplicates,
                    rejected: f.rejected,
                    opening_balance: f.opening_balance,
                    closing_balance: f.closing_balance,
                    balances_agree: f.balances_agree,
                })
                .collect(),
        })
        .collect())
}

/// A statement's check as the batch kept it; `None` for a file stating no balance.
fn kept_statement(f: &BatchFileView) -> Option<StatementDto> {
    if f.opening_balance.is_none() && f.closing_balance.is_none() {
        return None;
    }
    let dec = |s: &Option<String>| s.as_deref().and_then(|s| s.parse::<Decimal>().ok());
    let difference = statement_difference(
        dec(&f.opening_balance),
        dec(&f.closing_balance),
        dec(&f.lines_sum),
    );
    Some(StatementDto {
        account: None,
        currency: None,
        opening_balance: f.opening_balance.clone(),
        closing_balance: f.closing_balance.clone(),
        balances_agree: f.balances_agree,
        lines_sum: f.lines_sum.clone(),
        difference: difference.map(|d| d.to_string()),
    })
}

pub fn batch_rejects(store: &Store, id: &str) -> ApiResult<Vec<RejectedRowDto>> {
    Ok(store
        .batch_rejects(id)?
        .into_iter()
        .map(rejected_dto)
        .collect())
}

/// Removes a batch's rows (tombstoned); refused with `conflict` once any is matched.
pub fn batch_remove(store: &mut Store, actor: &str, id: &str) -> ApiResult<u64> {
    Ok(store.remove_batch(actor, Utc::now(), id)?)
}
