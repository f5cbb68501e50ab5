//! The organization's matching state in PostgreSQL (migration 0006): links, rejections,
//! cancelled payments. SQL only; the rules are in [`super::matching`].

use recon_core::matching::normalize_memo;
use recon_sync::matching::{JournalRef, MatchLink};
use tokio_postgres::Transaction;
use uuid::Uuid;

use crate::ServerError;

/// A link the server holds on a receipt.
pub(super) struct HeldLink {
    pub memo_normalized: String,
    pub memo: String,
    pub source_event: Uuid,
}

/// An expected payment as the link rules need it.
pub(super) struct HeldPayment {
    pub memo: String,
    pub currency: String,
    pub cancelled: bool,
}

pub(super) async fn links_of(
    tx: &Transaction<'_>,
    org_id: i64,
    journal: &JournalRef,
) -> Result<Vec<HeldLink>, ServerError> {
    let rows = tx
        .query(
            "SELECT memo_normalized, memo, source_event FROM match_links
              WHERE org_id = $1 AND wallet_key = $2 AND journal_id = $3
              ORDER BY memo_normalized",
            &[&org_id, &journal.wallet_key, &journal.journal_id],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| HeldLink {
            memo_normalized: r.get(0),
            memo: r.get(1),
            source_event: r.get(2),
        })
        .collect())
}

pub(super) async fn is_rejected(
    tx: &Transaction<'_>,
    org_id: i64,
    journal: &JournalRef,
) -> Result<bool, ServerError> {
    let row = tx
        .query_opt(
            "SELECT 1 FROM receipt_rejections
              WHERE org_id = $1 AND wallet_key = $2 AND journal_id = $3",
            &[&org_id, &journal.wallet_key, &journal.journal_id],
        )
        .await?;
    Ok(row.is_some())
}

pub(super) async fn payment(
    tx: &Transaction<'_>,
    org_id: i64,
    memo: &str,
) -> Result<Option<HeldPayment>, ServerError> {
    let row = tx
        .query_opt(
            "SELECT memo, currency, cancelled_by IS NOT NULL FROM expected_payments
              WHERE org_id = $1 AND memo_normalized = $2",
            &[&org_id, &normalize_memo(memo)],
        )
        .await?;
    Ok(row.map(|r| HeldPayment {
        memo: r.get(0),
        currency: r.get(1),
        cancelled: r.get(2),
    }))
}

pub(super) async fn insert_link(
    tx: &Transaction<'_>,
    org_id: i64,
    link: &MatchLink,
    split: bool,
    event_id: Uuid,
) -> Result<(), ServerError> {
    tx.execute(
        "INSERT INTO match_links (org_id, wallet_key, journal_id, memo_normalized, memo,
                                  amount, currency, match_type, split, source_event)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        &[
            &org_id,
            &link.journal.wallet_key,
            &link.journal.journal_id,
            &normalize_memo(&link.expected.memo),
            &link.expected.memo,
            &link.amount,
            &link.currency,
            &link.match_type,
            &split,
            &event_id,
        ],
    )
    .await?;
    Ok(())
}

/// Removes a link; false when the server held no such link.
pub(super) async fn delete_link(
    tx: &Transaction<'_>,
    org_id: i64,
    link: &MatchLink,
) -> Result<bool, ServerError> {
    let n = tx
        .execute(
            "DELETE FROM match_links
              WHERE org_id = $1 AND wallet_key = $2 AND journal_id = $3 AND memo_normalized = $4",
            &[
                &org_id,
                &link.journal.wallet_key,
                &link.journal.journal_id,
                &normalize_memo(&link.expected.memo),
            ],
        )
        .await?;
    Ok(n == 1)
}

pub(super) async fn insert_rejection(
    tx: &Transaction<'_>,
    org_id: i64,
    journal: &JournalRef,
    reason: &str,
    event_id: Uuid,
) -> Result<(), ServerError> {
    tx.execute(
        "INSERT INTO receipt_rejections (org_id, wallet_key, journal_id, reason, source_event)
         VALUES ($1, $2, $3, $4, $5)",
        &[
            &org_id,
            &journal.wallet_key,
            &journal.journal_id,
            &reason,
            &event_id,
        ],
    )
    .await?;
    Ok(())
}

pub(super) async fn delete_rejection(
    tx: &Transaction<'_>,
    org_id: i64,
    journal: &JournalRef,
) -> Result<bool, ServerError> {
    let n = tx
        .execute(
            "DELETE FROM receipt_rejections
              WHERE org_id = $1 AND wallet_key = $2 AND journal_id = $3",
            &[&org_id, &journal.wallet_key, &journal.journal_id],
        )
        .await?;
    Ok(n == 1)
}

/// A receipt linked to the payment `memo`, if any ("wallet:id").
pub(super) async fn a_receipt_of(
    tx: &Transaction<'_>,
    org_id: i64,
    memo: &str,
) -> Result<Option<String>, ServerError> {
    let row = tx
        .query_opt(
            "SELECT wallet_key || ':' || journal_id FROM match_links
              WHERE org_id = $1 AND memo_normalized = $2 LIMIT 1",
            &[&org_id, &normalize_memo(memo)],
        )
        .await?;
    Ok(row.map(|r| r.get(0)))
}

/// Records a cycle opening and cancels the payments it names (those not cancelled yet).
pub(super) async fn open_cycle(
    tx: &Transaction<'_>,
    org_id: i64,
    cycle_id: &str,
    memos: &[String],
    event_id: Uuid,
) -> Result<u64, ServerError> {
    tx.execute(
        "INSERT INTO cycle_openings (org_id, cycle_id, source_event) VALUES ($1, $2, $3)",
        &[&org_id, &cycle_id, &event_id],
    )
    .await?;
    let normalized: Vec<String> = memos.iter().map(|m| normalize_memo(m)).collect();
    let n = tx
        .execute(
            "UPDATE expected_payments SET cancelled_by = $3
              WHERE org_id = $1 AND memo_normalized = ANY($2) AND cancelled_by IS NULL",
            &[&org_id, &normalized, &event_id],
        )
        .await?;
    Ok(n)
}
