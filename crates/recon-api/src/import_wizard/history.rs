//! Import history: the batches with their files, a batch's rejected rows, and removing a
//! batch's rows.

use crate::{ApiResult, BatchDto, BatchFileDto, RejectedRowDto};
use chrono::Utc;
use recon_store::{RejectedRow, Store};

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
