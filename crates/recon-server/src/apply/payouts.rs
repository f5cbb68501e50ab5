//! Payout batches on the server (§7): created, their entries reserved, edited, deleted.
//! The batch's creator is the **token's user** of the push that created it, never the
//! name the event claims, so two-person control ([`super::payout_moves`]) compares people
//! the server authenticated. One live batch per entry is a partial unique index, as on
//! the laptop; an entry held elsewhere is refused as a conflict naming the holder.

use recon_core::ledger::{EntityType, EntryStatus};
use recon_core::payouts::{
    check_editable, check_reservable, BatchStatus, Reservation, ReserveRefusal,
};
use recon_sync::payouts::{
    PayoutBatchCreated, PayoutBatchDeleted, PayoutBatchEdited, PayoutEntriesReserved,
};
use recon_sync::{Conflict, EventAnswer, EventBody};
use rust_decimal::Decimal;
use tokio_postgres::Transaction;

use super::ledger::{
    already_exists, conflict, entity_exists, invalid, key, minor, program, rule, text, Refused,
    MAX_KEY_BYTES,
};
use super::Ctx;
use crate::ServerError;

pub(super) fn handles(kind: &str) -> bool {
    use recon_sync::payouts as p;
    [
        p::PAYOUT_BATCH_CREATED,
        p::PAYOUT_ENTRIES_RESERVED,
        p::PAYOUT_BATCH_EDITED,
        p::PAYOUT_BATCH_DELETED,
        p::PAYOUT_BATCH_TRANSITIONED,
    ]
    .contains(&kind)
}

pub(super) async fn apply(ctx: &Ctx<'_>, body: &EventBody) -> Result<EventAnswer, ServerError> {
    match body {
        EventBody::PayoutBatchCreated(b) => created(ctx, b).await,
        EventBody::PayoutEntriesReserved(b) => reserved(ctx, b).await,
        EventBody::PayoutBatchEdited(b) => edited(ctx, b).await,
        EventBody::PayoutBatchDeleted(b) => deleted(ctx, b).await,
        EventBody::PayoutBatchTransitioned(b) => super::payout_moves::transitioned(ctx, b).await,
        other => Err(ServerError::Invalid(format!(
            "payouts::apply was given '{}'",
            other.kind()
        ))),
    }
}

/// A batch as the server holds it.
pub(super) struct BatchRow {
    pub status: BatchStatus,
    pub created_by: String,
    pub program: String,
    pub currency: String,
    pub total: Decimal,
    pub approved_by: Option<String>,
    pub paid_by: Option<String>,
}

/// The batch `id` (locked for this push), or the refusal saying the server lacks it.
pub(super) async fn batch(
    tx: &Transaction<'_>,
    org_id: i64,
    id: &str,
) -> Result<Result<BatchRow, Refused>, ServerError> {
    if let Err(refused) = key("batch id", id) {
        return Ok(Err(refused));
    }
    let row = tx
        .query_opt(
            "SELECT status, created_by, program, currency, total, approved_by, paid_by
               FROM payout_batches WHERE org_id = $1 AND batch_id = $2 FOR UPDATE",
            &[&org_id, &id],
        )
        .await?;
    let Some(row) = row else {
        return Ok(Err(conflict(
            format!(
                "payout batch {id} is not on the server (its creation was refused or not synced)"
            ),
            vec![],
        )));
    };
    Ok(Ok(BatchRow {
        status: BatchStatus::parse(row.get(0)).map_err(|e| ServerError::Invalid(e.to_string()))?,
        created_by: row.get(1),
        program: row.get(2),
        currency: row.get(3),
        total: row.get(4),
        approved_by: row.get(5),
        paid_by: row.get(6),
    }))
}

async fn created(ctx: &Ctx<'_>, b: &PayoutBatchCreated) -> Result<EventAnswer, ServerError> {
    check!(key("batch id", &b.batch_id));
    check!(text("batch notes", &b.notes));
    if b.period.len() != 7 || b.period.as_bytes().get(4) != Some(&b'-') {
        return Ok(invalid(format!(
            "batch period '{}' is not YYYY-MM",
            b.period.chars().take(MAX_KEY_BYTES).collect::<String>()
        )));
    }
    let program = check!(program(ctx.tx, ctx.org_id, &b.program).await?);
    if b.currency != program.currency.code {
        return Ok(invalid(format!(
            "batch {} is in {}, program '{}' in {}",
            b.batch_id, b.currency, b.program, program.currency.code
        )));
    }
    let mut sum = 0i64;
    for l in &b.lines {
        check!(key("line entity", &l.entity_ref));
        check!(EntityType::parse(&l.entity_type).map_err(invalid));
        sum += check!(minor("line amount", l.amount, &program.currency));
        if !entity_exists(
            ctx.tx,
            ctx.org_id,
            &b.program,
            &l.entity_type,
            &l.entity_ref,
        )
        .await?
        {
            return Ok(conflict(
                format!(
                    "batch {}: {} '{}' is not on the server",
                    b.batch_id, l.entity_type, l.entity_ref
                ),
                vec![],
            ));
        }
    }
    let total = check!(minor("batch total", b.total, &program.currency));
    if sum != total {
        return Ok(invalid(format!(
            "batch {}: its lines sum to {}, its total says {}",
            b.batch_id,
            recon_core::money::from_minor(sum, program.currency.scale),
            b.total
        )));
    }
    let added = ctx
        .tx
        .execute(
            "INSERT INTO payout_batches (org_id, batch_id, program, period, currency, status, total,
                 notes, created_by, claimed_by, source_event)
             VALUES ($1, $2, $3, $4, $5, 'draft', $6, $7, $8, $9, $10)
             ON CONFLICT (org_id, batch_id) DO NOTHING",
            &[
                &ctx.org_id,
                &b.batch_id,
                &b.program,
                &b.period,
                &b.currency,
                &b.total,
                &b.notes,
                &ctx.user,
                &b.created_by,
                &ctx.event_id,
            ],
        )
        .await?;
    if added == 0 {
        // A batch id is a UUID made on one device: the same id twice is that device's
        // event again under another id, never a colleague's batch.
        return Ok(already_exists(format!("payout batch {}", b.batch_id)));
    }
    for l in &b.lines {
        ctx.tx
            .execute(
                "INSERT INTO payout_lines (org_id, batch_id, entity_type, entity_ref, amount, entries)
                 VALUES ($1, $2, $3, $4, $5, $6)",
                &[
                    &ctx.org_id,
                    &b.batch_id,
                    &l.entity_type,
                    &l.entity_ref,
                    &l.amount,
                    &(l.entries as i64),
                ],
            )
            .await?;
    }
    Ok(EventAnswer::applied(1, 0))
}

async fn reserved(ctx: &Ctx<'_>, b: &PayoutEntriesReserved) -> Result<EventAnswer, ServerError> {
    let batch = check!(batch(ctx.tx, ctx.org_id, &b.batch_id).await?);
    if !batch.status.reserves_entries() {
        return Ok(rule(format!(
            "payout batch {} is {}: it holds no entries",
            b.batch_id, batch.status
        )));
    }
    let (mut inserted, mut duplicates) = (0, 0);
    for e in &b.entries {
        check!(key("entry source_ref", &e.source_ref));
        let entry = ctx
            .tx
            .query_opt(
                "SELECT status, program, currency FROM ledger_entries
                  WHERE org_id = $1 AND source = $2 AND source_ref = $3 FOR UPDATE",
                &[&ctx.org_id, &e.source, &e.source_ref],
            )
            .await?;
        let Some(entry) = entry else {
            return Ok(conflict(
                format!(
                    "entry {}/{} of batch {} is not on the server",
                    e.source, e.source_ref, b.batch_id
                ),
                vec![],
            ));
        };
        let (status, program, currency): (String, String, String) =
            (entry.get(0), entry.get(1), entry.get(2));
        if program != batch.program || currency != batch.currency {
            return Ok(invalid(format!(
                "entry {}/{} is of program '{program}' in {currency}, batch {} of '{}' in {}",
                e.source, e.source_ref, b.batch_id, batch.program, batch.currency
            )));
        }
        let holder: Option<String> = ctx
            .tx
            .query_opt(
                "SELECT batch_id FROM payout_entries
                  WHERE org_id = $1 AND source = $2 AND source_ref = $3 AND reserved",
                &[&ctx.org_id, &e.source, &e.source_ref],
            )
            .await?
            .map(|r| r.get(0));
        let name = format!("{}/{}", e.source, e.source_ref);
        let status = check!(EntryStatus::parse(&status).map_err(invalid));
        match check_reservable(&name, status, holder.as_deref(), &b.batch_id) {
            Ok(Reservation::AlreadyHeld) => {
                duplicates += 1;
                continue;
            }
            Ok(Reservation::New) => {}
            Err(held @ ReserveRefusal::HeldElsewhere { .. }) => {
                let conflicts = vec![Conflict {
                    field: format!("entry {name} batch"),
                    server: holder.unwrap_or_default(),
                    event: b.batch_id.clone(),
                }];
                return Ok(conflict(held.to_string(), conflicts));
            }
            Err(other) => return Ok(rule(other.to_string())),
        }
        ctx.tx
            .execute(
                "INSERT INTO payout_entries (org_id, batch_id, source, source_ref, reserved)
                 VALUES ($1, $2, $3, $4, TRUE)
                 ON CONFLICT (org_id, batch_id, source, source_ref) DO UPDATE SET reserved = TRUE",
                &[&ctx.org_id, &b.batch_id, &e.source, &e.source_ref],
            )
            .await?;
        inserted += 1;
    }
    Ok(EventAnswer::applied(inserted, duplicates))
}

async fn edited(ctx: &Ctx<'_>, b: &PayoutBatchEdited) -> Result<EventAnswer, ServerError> {
    let batch = check!(batch(ctx.tx, ctx.org_id, &b.batch_id).await?);
    check!(text("batch notes", &b.notes));
    let what = if b.removed_entity.is_some() {
        "changed"
    } else {
        "edited"
    };
    check!(check_editable(batch.status, what).map_err(|e| rule(e.to_string())));
    if let Some((entity_type, entity_ref)) = &b.removed_entity {
        // The entries of the removed line are released: the entity's entries this batch holds.
        ctx.tx
            .execute(
                "DELETE FROM payout_entries p USING ledger_entries e
                  WHERE p.org_id = $1 AND p.batch_id = $2 AND e.org_id = p.org_id
                    AND e.source = p.source AND e.source_ref = p.source_ref
                    AND e.entity_type = $3 AND e.entity_ref = $4",
                &[&ctx.org_id, &b.batch_id, entity_type, entity_ref],
            )
            .await?;
        ctx.tx
            .execute(
                "DELETE FROM payout_lines WHERE org_id = $1 AND batch_id = $2
                    AND entity_type = $3 AND entity_ref = $4",
                &[&ctx.org_id, &b.batch_id, entity_type, entity_ref],
            )
            .await?;
    }
    let sum: Option<Decimal> = ctx
        .tx
        .query_one(
            "SELECT SUM(amount) FROM payout_lines WHERE org_id = $1 AND batch_id = $2",
            &[&ctx.org_id, &b.batch_id],
        )
        .await?
        .get(0);
    let sum = sum.unwrap_or_default();
    if sum.normalize() != b.total.normalize() {
        return Ok(conflict(
            format!(
                "batch {}: after the edit its lines sum to {sum} on the server",
                b.batch_id
            ),
            vec![Conflict {
                field: format!("batch {} total", b.batch_id),
                server: sum.normalize().to_string(),
                event: b.total.normalize().to_string(),
            }],
        ));
    }
    ctx.tx
        .execute(
            "UPDATE payout_batches SET notes = $3, total = $4 WHERE org_id = $1 AND batch_id = $2",
            &[&ctx.org_id, &b.batch_id, &b.notes, &b.total],
        )
        .await?;
    Ok(EventAnswer::applied(1, 0))
}

async fn deleted(ctx: &Ctx<'_>, b: &PayoutBatchDeleted) -> Result<EventAnswer, ServerError> {
    let batch = check!(batch(ctx.tx, ctx.org_id, &b.batch_id).await?);
    check!(check_editable(batch.status, "deleted").map_err(|e| rule(e.to_string())));
    ctx.tx
        .execute(
            "DELETE FROM payout_batches WHERE org_id = $1 AND batch_id = $2",
            &[&ctx.org_id, &b.batch_id],
        )
        .await?;
    Ok(EventAnswer::applied(1, 0))
}
