//! Ledger entries on the server: a conversion's approval, a settlement file's commissions,
//! a reversal. One entry per (source, source_ref) in the organization — the same approval
//! from two laptops is answered "already exists" — and every transaction is checked
//! balanced by `recon_core::ledger::check_balanced` before a line is written. A reversal
//! follows `check_reversible`: once, while pending, with a reason; a second is refused.

use recon_core::ledger::postings::{accrual_lines, reversal_lines};
use recon_core::ledger::{
    check_accepts_entries, check_balanced, check_reversible, decide_conversion, ConversionDecision,
    ConversionStatus, EntityType, EntryFacts, EntrySource, EntryStatus, Line,
};
use recon_core::money::{from_minor, Currency, Money};
use recon_core::payouts::{check_not_reserved, BatchStatus};
use recon_sync::ledger::{ConversionApproved, EntryRef, LedgerEntryReversed};
use recon_sync::{Conflict, EventAnswer, EventBody};
use rust_decimal::Decimal;
use tokio_postgres::Transaction;

use super::ledger::{
    already_exists, conflict, decision_refused, differing, invalid, key, minor, program, rule,
    text, ProgramRow, Refused,
};
use super::Ctx;
use crate::ServerError;

pub(super) fn handles(kind: &str) -> bool {
    use recon_sync::ledger as l;
    [
        l::CONVERSION_APPROVED,
        l::SETTLEMENTS_IMPORTED,
        l::LEDGER_ENTRY_REVERSED,
    ]
    .contains(&kind)
}

pub(super) async fn apply(ctx: &Ctx<'_>, body: &EventBody) -> Result<EventAnswer, ServerError> {
    match body {
        EventBody::ConversionApproved(b) => conversion_approved(ctx, b).await,
        EventBody::SettlementsImported(b) => super::ledger_settlements::imported(ctx, b).await,
        EventBody::LedgerEntryReversed(b) => entry_reversed(ctx, b).await,
        other => Err(ServerError::Invalid(format!(
            "ledger_entries::apply was given '{}'",
            other.kind()
        ))),
    }
}

/// The transaction name of an entry's accrual (or reversal) lines.
pub(super) fn entry_txn(source: &str, source_ref: &str) -> String {
    format!("entry:{source}:{source_ref}")
}

/// Writes `lines` as transaction `txn` after the balance rule passed.
pub(super) async fn post(
    tx: &Transaction<'_>,
    org_id: i64,
    txn: &str,
    lines: &[Line],
    currency: &Currency,
) -> Result<Result<(), Refused>, ServerError> {
    if let Err(e) = check_balanced(lines) {
        return Ok(Err(rule(format!(
            "transaction {txn} does not balance: {e}"
        ))));
    }
    for (i, l) in lines.iter().enumerate() {
        let amount = from_minor(l.amount_minor, currency.scale);
        tx.execute(
            "INSERT INTO ledger_postings (org_id, txn, line, account, currency, amount)
             VALUES ($1, $2, $3, $4, $5, $6)",
            &[
                &org_id,
                &txn,
                &(i as i32 + 1),
                &l.account,
                &l.currency,
                &amount,
            ],
        )
        .await?;
    }
    Ok(Ok(()))
}

/// The held entry's values that differ from `e` (empty: the same entry).
async fn held_differences(
    tx: &Transaction<'_>,
    org_id: i64,
    e: &EntryRef,
) -> Result<Option<Vec<Conflict>>, ServerError> {
    let row = tx
        .query_opt(
            "SELECT entity_type, entity_ref, earnings, currency FROM ledger_entries
              WHERE org_id = $1 AND source = $2 AND source_ref = $3",
            &[&org_id, &e.source, &e.source_ref],
        )
        .await?;
    let Some(row) = row else { return Ok(None) };
    let dec = |d: Decimal| d.normalize().to_string();
    let pairs = [
        (
            "entity",
            format!("{}:{}", row.get::<_, String>(0), row.get::<_, String>(1)),
            format!("{}:{}", e.entity_type, e.entity_ref),
        ),
        ("earnings", dec(row.get(2)), dec(e.earnings_amount)),
        ("currency", row.get::<_, String>(3), e.currency.clone()),
    ];
    Ok(Some(differing(
        &format!("entry {}/{}", e.source, e.source_ref),
        pairs,
    )))
}

/// The entry a laptop made, checked against its program: currency, exact amounts.
fn check_entry(e: &EntryRef, program: &ProgramRow) -> Result<(EntityType, i64), Refused> {
    key("entry source_ref", &e.source_ref)?;
    key("entry entity", &e.entity_ref)?;
    key("entry date", &e.occurred_at)?;
    let entity_type = EntityType::parse(&e.entity_type).map_err(invalid)?;
    if e.currency != program.currency.code {
        return Err(invalid(format!(
            "entry {}/{} is in {}, its program in {}",
            e.source, e.source_ref, e.currency, program.currency.code
        )));
    }
    let earnings = minor("entry earnings", e.earnings_amount, &program.currency)?;
    Ok((entity_type, earnings))
}

pub(super) async fn insert_entry(
    ctx: &Ctx<'_>,
    program_slug: &str,
    e: &EntryRef,
    status: &str,
    reverses: Option<i64>,
    reason: Option<&str>,
) -> Result<i64, ServerError> {
    Ok(ctx
        .tx
        .query_one(
            "INSERT INTO ledger_entries (org_id, source, source_ref, program, entity_type,
                 entity_ref, status, gross, earnings, residue, currency, occurred_at, reverses,
                 reason, created_by, source_event)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
             RETURNING id",
            &[
                &ctx.org_id,
                &e.source,
                &e.source_ref,
                &program_slug,
                &e.entity_type,
                &e.entity_ref,
                &status,
                &e.gross_amount,
                &e.earnings_amount,
                &e.rounding_residue,
                &e.currency,
                &e.occurred_at,
                &reverses,
                &reason,
                &ctx.user,
                &ctx.event_id,
            ],
        )
        .await?
        .get(0))
}

async fn conversion_approved(
    ctx: &Ctx<'_>,
    b: &ConversionApproved,
) -> Result<EventAnswer, ServerError> {
    let e = &b.entry;
    check!(key("conversion id", &b.conversion_id));
    if e.source != EntrySource::Conversion.as_str() || e.source_ref != b.conversion_id {
        return Ok(invalid(format!(
            "the entry of conversion '{}' must be conversion/{}, not {}/{}",
            b.conversion_id, b.conversion_id, e.source, e.source_ref
        )));
    }
    let program = check!(program(ctx.tx, ctx.org_id, &b.program).await?);
    let (entity_type, earnings) = check!(check_entry(e, &program));
    if let Some(conflicts) = held_differences(ctx.tx, ctx.org_id, e).await? {
        if conflicts.is_empty() {
            return Ok(already_exists(format!("entry conversion/{}", e.source_ref)));
        }
        return Ok(conflict(
            format!(
                "the entry of conversion '{}' exists on the server with other values",
                b.conversion_id
            ),
            conflicts,
        ));
    }
    check!(check_accepts_entries(&b.program, program.status).map_err(|r| rule(r.to_string())));
    let conversion = ctx
        .tx
        .query_opt(
            "SELECT c.status, c.sponsor_ref, s.payout_per_conversion
               FROM ledger_conversions c
               JOIN ledger_entities s ON s.org_id = c.org_id AND s.program = c.program
                AND s.entity_type = 'sponsor' AND s.entity_ref = c.sponsor_ref
              WHERE c.org_id = $1 AND c.program = $2 AND c.conversion_id = $3 FOR UPDATE OF c",
            &[&ctx.org_id, &b.program, &b.conversion_id],
        )
        .await?;
    let Some(conversion) = conversion else {
        return Ok(conflict(
            format!("conversion '{}' is not on the server", b.conversion_id),
            vec![],
        ));
    };
    check!(follows_sponsor(b, entity_type, &conversion));
    let money = Money::from_minor(earnings, &program.currency);
    let lines = accrual_lines(&b.program, entity_type, &e.entity_ref, &money);
    let txn = entry_txn(&e.source, &e.source_ref);
    check!(post(ctx.tx, ctx.org_id, &txn, &lines, &program.currency).await?);
    insert_entry(
        ctx,
        &b.program,
        e,
        EntryStatus::Pending.as_str(),
        None,
        None,
    )
    .await?;
    ctx.tx
        .execute(
            "UPDATE ledger_conversions SET status = 'approved', decided_by = $4
              WHERE org_id = $1 AND program = $2 AND conversion_id = $3",
            &[&ctx.org_id, &b.program, &b.conversion_id, &ctx.user],
        )
        .await?;
    Ok(EventAnswer::applied(1, 0))
}

/// The server's conversion must be pending and its sponsor's payout the entry's earnings.
fn follows_sponsor(
    b: &ConversionApproved,
    entity_type: EntityType,
    conversion: &tokio_postgres::Row,
) -> Result<(), Refused> {
    let e = &b.entry;
    let status = ConversionStatus::parse(conversion.get(0)).map_err(invalid)?;
    // `AlreadyDone` cannot reach here: an approved conversion has its entry, answered
    // "already exists" before.
    decide_conversion(&b.conversion_id, status, ConversionDecision::Approve)
        .map_err(|refused| decision_refused(&b.conversion_id, refused))?;
    let sponsor: String = conversion.get(1);
    let payout: Option<Decimal> = conversion.get(2);
    if entity_type != EntityType::Sponsor
        || sponsor != e.entity_ref
        || payout != Some(e.earnings_amount)
    {
        let show = |d: Option<Decimal>| d.map_or("none".into(), |d| d.normalize().to_string());
        let conflicts = differing(
            &format!("conversion '{}'", b.conversion_id),
            [
                (
                    "sponsor",
                    format!("sponsor:{sponsor}"),
                    format!("{}:{}", e.entity_type, e.entity_ref),
                ),
                ("payout", show(payout), show(Some(e.earnings_amount))),
            ],
        );
        return Err(conflict(
            "the entry does not follow its sponsor's payout on the server",
            conflicts,
        ));
    }
    Ok(())
}

async fn entry_reversed(
    ctx: &Ctx<'_>,
    b: &LedgerEntryReversed,
) -> Result<EventAnswer, ServerError> {
    check!(key("entry source_ref", &b.source_ref));
    check!(text("reason", &b.reason));
    let program = check!(program(ctx.tx, ctx.org_id, &b.program).await?);
    let row = ctx
        .tx
        .query_opt(
            "SELECT id, source, status, reversed_by, entity_type, entity_ref FROM ledger_entries
              WHERE org_id = $1 AND source = $2 AND source_ref = $3 FOR UPDATE",
            &[&ctx.org_id, &b.source, &b.source_ref],
        )
        .await?;
    let Some(row) = row else {
        return Ok(conflict(
            format!("entry {}/{} is not on the server", b.source, b.source_ref),
            vec![],
        ));
    };
    let id: i64 = row.get(0);
    let facts = EntryFacts {
        id,
        source: check!(EntrySource::parse(row.get(1)).map_err(invalid)),
        status: check!(EntryStatus::parse(row.get(2)).map_err(invalid)),
        reversed_by: row.get(3),
    };
    if let Err(refusal) = check_reversible(&facts, &b.reason) {
        return Ok(rule(format!(
            "entry {}/{}: {refusal}",
            b.source, b.source_ref
        )));
    }
    check!(not_reserved(ctx, b).await?);
    let entity_type = check!(EntityType::parse(row.get(4)).map_err(invalid));
    let entity_ref: String = row.get(5);
    let original = ctx
        .tx
        .query(
            "SELECT account, currency, amount FROM ledger_postings
              WHERE org_id = $1 AND txn = $2 ORDER BY line",
            &[&ctx.org_id, &entry_txn(&b.source, &b.source_ref)],
        )
        .await?;
    let mut lines = Vec::with_capacity(original.len());
    for l in &original {
        let amount: Decimal = l.get(2);
        lines.push(Line {
            account: l.get(0),
            currency: l.get(1),
            amount_minor: check!(minor("posting", amount, &program.currency)),
        });
    }
    let opposite = reversal_lines(&lines);
    // The reversal's key on the server names the entry it reverses: the laptops' own
    // reversal refs are their local row ids, which differ from laptop to laptop.
    let reversal = EntryRef {
        source: EntrySource::Reversal.as_str().into(),
        source_ref: format!("{}:{}", b.source, b.source_ref),
        entity_type: entity_type.as_str().into(),
        entity_ref,
        ..b.reversal.clone()
    };
    let txn = entry_txn(&reversal.source, &reversal.source_ref);
    check!(post(ctx.tx, ctx.org_id, &txn, &opposite, &program.currency).await?);
    let new_id = insert_entry(
        ctx,
        &b.program,
        &reversal,
        EntryStatus::Reversed.as_str(),
        Some(id),
        Some(b.reason.trim()),
    )
    .await?;
    ctx.tx
        .execute(
            "UPDATE ledger_entries SET status = 'reversed', reversed_by = $2, reason = $3
              WHERE id = $1 AND org_id = $4",
            &[&id, &new_id, &b.reason.trim(), &ctx.org_id],
        )
        .await?;
    Ok(EventAnswer::applied(1, 0))
}

/// `recon_core::payouts::check_not_reserved` against the server's batches.
async fn not_reserved(
    ctx: &Ctx<'_>,
    b: &LedgerEntryReversed,
) -> Result<Result<(), Refused>, ServerError> {
    let holder = ctx
        .tx
        .query_opt(
            "SELECT p.batch_id, b.status FROM payout_entries p
               JOIN payout_batches b ON b.org_id = p.org_id AND b.batch_id = p.batch_id
              WHERE p.org_id = $1 AND p.source = $2 AND p.source_ref = $3 AND p.reserved",
            &[&ctx.org_id, &b.source, &b.source_ref],
        )
        .await?;
    let Some(holder) = holder else {
        return Ok(Ok(()));
    };
    let batch: String = holder.get(0);
    let status = match BatchStatus::parse(holder.get(1)) {
        Ok(s) => s,
        Err(e) => return Ok(Err(invalid(e.to_string()))),
    };
    let entry = format!("{}/{}", b.source, b.source_ref);
    Ok(check_not_reserved(&entry, Some((&batch, status))).map_err(|held| rule(held.to_string())))
}
