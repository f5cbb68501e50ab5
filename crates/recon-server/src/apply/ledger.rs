//! The partner ledger's kinds (§6) on the server: programs, entities, conversions and
//! their decisions. The rules are `recon-core`'s (program gate, entity types, a reject
//! needs a reason); entries and reversals are in [`super::ledger_entries`]. The same
//! thing pushed by two laptops (a program, an entity, an approval) is one row: the second
//! is answered "already exists" when it agrees and refused as a conflict (both values)
//! when it does not.

use recon_core::ledger::{
    check_payout_per_conversion, decide_conversion, ConversionDecision, ConversionStatus,
    DecisionEffect, EntityType, LedgerRefusal, ProgramStatus, Rate, RoundingMode,
};
use recon_core::money::{builtin_currencies, to_minor, Currency, Money};
use recon_core::untrusted::check_free_text;
use recon_sync::ledger::{
    ConversionRejected, ConversionsImported, EntityAdded, ProgramAdded, ProgramStatusSet,
};
use recon_sync::{Conflict, EventAnswer, EventBody, RefusalCode};
use rust_decimal::Decimal;
use tokio_postgres::Transaction;

use super::Ctx;
use crate::ServerError;

/// `Ok(value)` or return the refusal `Err(answer)` as the event's answer.
macro_rules! check {
    ($e:expr) => {
        match $e {
            Ok(v) => v,
            Err(answer) => return Ok(answer),
        }
    };
}

/// Longest key (slug, ref, id) the server indexes; PostgreSQL's b-tree refuses far less
/// than a megabyte, and no real key is near this.
pub(super) const MAX_KEY_BYTES: usize = 256;
/// Longest free text (names, descriptions, notes, reasons).
pub(super) const MAX_TEXT_BYTES: usize = 256 * 1024;

pub(super) type Refused = EventAnswer;

pub(super) fn rule(reason: impl Into<String>) -> Refused {
    EventAnswer::refused(RefusalCode::RuleBroken, reason, vec![])
}

pub(super) fn invalid(reason: impl Into<String>) -> Refused {
    EventAnswer::refused(RefusalCode::InvalidValue, reason, vec![])
}

pub(super) fn conflict(reason: impl Into<String>, conflicts: Vec<Conflict>) -> Refused {
    EventAnswer::refused(RefusalCode::Conflict, reason, conflicts)
}

/// The answer to a thing the server holds already, with the same values.
pub(super) fn already_exists(what: impl std::fmt::Display) -> EventAnswer {
    EventAnswer {
        note: Some(format!("already exists: {what}")),
        ..EventAnswer::applied(0, 1)
    }
}

/// A key: not empty, short, no control characters.
pub(super) fn key(field: &str, value: &str) -> Result<(), Refused> {
    if value.trim().is_empty() {
        return Err(invalid(format!("{field} is empty")));
    }
    if value.len() > MAX_KEY_BYTES {
        return Err(invalid(format!(
            "{field} is {} bytes; at most {MAX_KEY_BYTES}",
            value.len()
        )));
    }
    check_free_text(value).map_err(|why| invalid(format!("{field} {why}")))
}

/// Free text: bounded, no control characters but tabs and line breaks.
pub(super) fn text(field: &str, value: &str) -> Result<(), Refused> {
    if value.len() > MAX_TEXT_BYTES {
        return Err(invalid(format!(
            "{field} is {} bytes; at most {MAX_TEXT_BYTES}",
            value.len()
        )));
    }
    check_free_text(value).map_err(|why| invalid(format!("{field} {why}")))
}

pub(super) fn currency(code: &str) -> Option<Currency> {
    builtin_currencies().into_iter().find(|c| c.code == code)
}

/// `amount` as minor units of `currency`, refusing what is finer than its scale.
pub(super) fn minor(field: &str, amount: Decimal, currency: &Currency) -> Result<i64, Refused> {
    to_minor(amount, currency.scale).map_err(|e| {
        invalid(format!(
            "{field}: {amount} is not an amount of {} ({} decimals): {e}",
            currency.code, currency.scale
        ))
    })
}

/// A program as the server holds it.
pub(super) struct ProgramRow {
    pub status: ProgramStatus,
    pub currency: Currency,
}

/// The program `slug`, or the refusal naming it when the server does not hold it.
pub(super) async fn program(
    tx: &Transaction<'_>,
    org_id: i64,
    slug: &str,
) -> Result<Result<ProgramRow, Refused>, ServerError> {
    let row = tx
        .query_opt(
            "SELECT status, currency FROM ledger_programs WHERE org_id = $1 AND slug = $2",
            &[&org_id, &slug],
        )
        .await?;
    let Some(row) = row else {
        return Ok(Err(conflict(
            format!(
                "program '{slug}' is not on the server (its creation was refused or not synced)"
            ),
            vec![],
        )));
    };
    let status = ProgramStatus::parse(row.get(0)).map_err(ServerError::Invalid)?;
    let code: String = row.get(1);
    let currency = currency(&code)
        .ok_or_else(|| ServerError::Invalid(format!("program '{slug}' holds currency {code}")))?;
    Ok(Ok(ProgramRow { status, currency }))
}

/// Whether the server holds entity (type, ref) in `program`.
pub(super) async fn entity_exists(
    tx: &Transaction<'_>,
    org_id: i64,
    program: &str,
    entity_type: &str,
    entity_ref: &str,
) -> Result<bool, ServerError> {
    Ok(tx
        .query_opt(
            "SELECT 1 FROM ledger_entities
              WHERE org_id = $1 AND program = $2 AND entity_type = $3 AND entity_ref = $4",
            &[&org_id, &program, &entity_type, &entity_ref],
        )
        .await?
        .is_some())
}

pub(super) fn handles(kind: &str) -> bool {
    use recon_sync::ledger as l;
    [
        l::PROGRAM_ADDED,
        l::PROGRAM_STATUS_SET,
        l::ENTITY_ADDED,
        l::CONVERSIONS_IMPORTED,
        l::CONVERSION_REJECTED,
    ]
    .contains(&kind)
}

pub(super) async fn apply(ctx: &Ctx<'_>, body: &EventBody) -> Result<EventAnswer, ServerError> {
    match body {
        EventBody::ProgramAdded(b) => program_added(ctx, b).await,
        EventBody::ProgramStatusSet(b) => program_status_set(ctx, b).await,
        EventBody::EntityAdded(b) => entity_added(ctx, b).await,
        EventBody::ConversionsImported(b) => conversions_imported(ctx, b).await,
        EventBody::ConversionRejected(b) => conversion_rejected(ctx, b).await,
        other => Err(ServerError::Invalid(format!(
            "ledger::apply was given '{}'",
            other.kind()
        ))),
    }
}

async fn program_added(ctx: &Ctx<'_>, b: &ProgramAdded) -> Result<EventAnswer, ServerError> {
    check!(key("program slug", &b.slug));
    check!(key("program name", &b.name));
    let status = check!(ProgramStatus::parse(&b.status).map_err(invalid));
    let rounding = check!(RoundingMode::parse(&b.rounding).map_err(invalid));
    for (what, rate) in [("direct", b.direct_rate), ("override", b.override_rate)] {
        check!(Rate::parse(&rate.to_string())
            .map_err(|e| invalid(format!("program '{}' {what} rate: {e}", b.slug))));
    }
    if currency(&b.currency).is_none() {
        // A currency the laptop added itself: kept as received, like other unknown values.
        return Ok(EventAnswer::stored_not_applied(format!(
            "stored; this server does not know currency {} of program '{}'",
            b.currency, b.slug
        )));
    }
    let added = ctx
        .tx
        .execute(
            "INSERT INTO ledger_programs (org_id, slug, name, status, currency, direct_rate,
                 override_rate, rounding, created_by, source_event)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
             ON CONFLICT (org_id, slug) DO NOTHING",
            &[
                &ctx.org_id,
                &b.slug,
                &b.name.trim(),
                &status.as_str(),
                &b.currency,
                &b.direct_rate,
                &b.override_rate,
                &rounding.as_str(),
                &ctx.user,
                &ctx.event_id,
            ],
        )
        .await?;
    if added == 1 {
        return Ok(EventAnswer::applied(1, 0));
    }
    let row = ctx
        .tx
        .query_one(
            "SELECT currency, direct_rate, override_rate, rounding FROM ledger_programs
              WHERE org_id = $1 AND slug = $2",
            &[&ctx.org_id, &b.slug],
        )
        .await?;
    let dec = |d: Decimal| d.normalize().to_string();
    let pairs = [
        ("currency", row.get::<_, String>(0), b.currency.clone()),
        ("direct rate", dec(row.get(1)), dec(b.direct_rate)),
        ("override rate", dec(row.get(2)), dec(b.override_rate)),
        ("rounding", row.get::<_, String>(3), b.rounding.clone()),
    ];
    let conflicts = differing(&format!("program '{}'", b.slug), pairs);
    if conflicts.is_empty() {
        return Ok(already_exists(format!("program '{}'", b.slug)));
    }
    Ok(conflict(
        format!("program '{}' exists on the server with other terms", b.slug),
        conflicts,
    ))
}

/// The (field, server, event) triples that differ, as conflicts of `what`.
pub(super) fn differing<const N: usize>(
    what: &str,
    pairs: [(&str, String, String); N],
) -> Vec<Conflict> {
    pairs
        .into_iter()
        .filter(|(_, server, event)| server != event)
        .map(|(field, server, event)| Conflict {
            field: format!("{what} {field}"),
            server,
            event,
        })
        .collect()
}

async fn program_status_set(
    ctx: &Ctx<'_>,
    b: &ProgramStatusSet,
) -> Result<EventAnswer, ServerError> {
    check!(key("program slug", &b.slug));
    let status = check!(ProgramStatus::parse(&b.status).map_err(invalid));
    check!(program(ctx.tx, ctx.org_id, &b.slug).await?);
    ctx.tx
        .execute(
            "UPDATE ledger_programs SET status = $3 WHERE org_id = $1 AND slug = $2",
            &[&ctx.org_id, &b.slug, &status.as_str()],
        )
        .await?;
    Ok(EventAnswer::applied(1, 0))
}

async fn entity_added(ctx: &Ctx<'_>, b: &EntityAdded) -> Result<EventAnswer, ServerError> {
    check!(key("entity ref", &b.entity_ref));
    check!(key("entity name", &b.name));
    let entity_type = check!(EntityType::parse(&b.entity_type).map_err(invalid));
    let program = check!(program(ctx.tx, ctx.org_id, &b.program).await?);
    if let Some(amount) = b.payout_per_conversion {
        let minor = check!(minor("payout per conversion", amount, &program.currency));
        let payout = Money::from_minor(minor, &program.currency);
        check!(check_payout_per_conversion(entity_type, Some(&payout))
            .map_err(|e| invalid(e.to_string())));
    }
    if let Some(parent) = &b.parent {
        check!(key("entity parent", parent));
        // The laptop's parent is an affiliate of the same program (recon-core's tree rule
        // ran there; a new entity cannot close a cycle).
        if !entity_exists(ctx.tx, ctx.org_id, &b.program, "affiliate", parent).await? {
            return Ok(conflict(
                format!(
                    "parent affiliate '{parent}' of '{}' is not on the server",
                    b.entity_ref
                ),
                vec![],
            ));
        }
    }
    let added = ctx
        .tx
        .execute(
            "INSERT INTO ledger_entities (org_id, program, entity_type, entity_ref, name, parent,
                 payout_per_conversion, source_event)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
             ON CONFLICT (org_id, program, entity_type, entity_ref) DO NOTHING",
            &[
                &ctx.org_id,
                &b.program,
                &entity_type.as_str(),
                &b.entity_ref,
                &b.name.trim(),
                &b.parent,
                &b.payout_per_conversion,
                &ctx.event_id,
            ],
        )
        .await?;
    if added == 1 {
        return Ok(EventAnswer::applied(1, 0));
    }
    let row = ctx
        .tx
        .query_one(
            "SELECT parent, payout_per_conversion FROM ledger_entities
              WHERE org_id = $1 AND program = $2 AND entity_type = $3 AND entity_ref = $4",
            &[
                &ctx.org_id,
                &b.program,
                &entity_type.as_str(),
                &b.entity_ref,
            ],
        )
        .await?;
    let show = |d: Option<Decimal>| d.map_or("none".into(), |d| d.normalize().to_string());
    let pairs = [
        (
            "parent",
            row.get::<_, Option<String>>(0).unwrap_or_default(),
            b.parent.clone().unwrap_or_default(),
        ),
        (
            "payout per conversion",
            show(row.get(1)),
            show(b.payout_per_conversion),
        ),
    ];
    let what = format!("{} '{}'", b.entity_type, b.entity_ref);
    let conflicts = differing(&what, pairs);
    if conflicts.is_empty() {
        return Ok(already_exists(what));
    }
    Ok(conflict(
        format!("{what} exists on the server with other values"),
        conflicts,
    ))
}

async fn conversions_imported(
    ctx: &Ctx<'_>,
    b: &ConversionsImported,
) -> Result<EventAnswer, ServerError> {
    check!(program(ctx.tx, ctx.org_id, &b.program).await?);
    for c in &b.conversions {
        check!(key("conversion id", &c.conversion_id));
        check!(key("conversion sponsor", &c.sponsor_ref));
        check!(key("conversion date", &c.occurred_at));
        check!(text("conversion description", &c.description));
        if !entity_exists(ctx.tx, ctx.org_id, &b.program, "sponsor", &c.sponsor_ref).await? {
            return Ok(conflict(
                format!(
                    "conversion '{}': sponsor '{}' is not on the server",
                    c.conversion_id, c.sponsor_ref
                ),
                vec![],
            ));
        }
    }
    let (mut inserted, mut duplicates) = (0, 0);
    for c in &b.conversions {
        let added = ctx
            .tx
            .execute(
                "INSERT INTO ledger_conversions (org_id, program, conversion_id, sponsor_ref,
                     occurred_at, description, status)
                 VALUES ($1, $2, $3, $4, $5, $6, 'pending')
                 ON CONFLICT (org_id, program, conversion_id) DO NOTHING",
                &[
                    &ctx.org_id,
                    &b.program,
                    &c.conversion_id,
                    &c.sponsor_ref,
                    &c.occurred_at,
                    &c.description,
                ],
            )
            .await?;
        if added == 1 {
            inserted += 1;
        } else {
            duplicates += 1;
        }
    }
    Ok(EventAnswer::applied(inserted, duplicates))
}

async fn conversion_rejected(
    ctx: &Ctx<'_>,
    b: &ConversionRejected,
) -> Result<EventAnswer, ServerError> {
    check!(key("conversion id", &b.conversion_id));
    check!(text("reason", &b.reason));
    let status: Option<String> = ctx
        .tx
        .query_opt(
            "SELECT status FROM ledger_conversions
              WHERE org_id = $1 AND program = $2 AND conversion_id = $3 FOR UPDATE",
            &[&ctx.org_id, &b.program, &b.conversion_id],
        )
        .await?
        .map(|r| r.get(0));
    let Some(status) = status else {
        return Ok(conflict(
            format!("conversion '{}' is not on the server", b.conversion_id),
            vec![],
        ));
    };
    let status = ConversionStatus::parse(&status).map_err(ServerError::Invalid)?;
    let decision = ConversionDecision::Reject { reason: &b.reason };
    match decide_conversion(&b.conversion_id, status, decision) {
        Ok(DecisionEffect::AlreadyDone) => Ok(already_exists(format!(
            "rejection of conversion '{}'",
            b.conversion_id
        ))),
        Err(refused) => Ok(decision_refused(&b.conversion_id, refused)),
        Ok(DecisionEffect::Apply) => {
            ctx.tx
                .execute(
                    "UPDATE ledger_conversions SET status = 'rejected', reason = $4, decided_by = $5
                      WHERE org_id = $1 AND program = $2 AND conversion_id = $3",
                    &[
                        &ctx.org_id,
                        &b.program,
                        &b.conversion_id,
                        &b.reason.trim(),
                        &ctx.user,
                    ],
                )
                .await?;
            Ok(EventAnswer::applied(1, 0))
        }
    }
}

/// The answer to a decision `recon_core::ledger::decide_conversion` refused: a conflict
/// with the server's status (both values), or a broken rule (no reason).
pub(super) fn decision_refused(id: &str, refused: LedgerRefusal) -> Refused {
    match &refused {
        LedgerRefusal::ConversionDecided { status, wanted, .. } => conflict(
            format!("{refused} (on the server)"),
            vec![Conflict {
                field: format!("conversion '{id}' status"),
                server: status.as_str().into(),
                event: wanted.as_str().into(),
            }],
        ),
        _ => rule(format!("conversion '{id}': {refused}")),
    }
}
