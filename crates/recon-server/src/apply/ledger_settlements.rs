//! `settlements_imported` on the server: each settlement's commissions are computed again
//! with the program's terms held here (`recon_core::ledger::settlement_commissions`:
//! direct to the referrer, override to its parent, never further up) and must equal the
//! laptop's; the revenue and each commission's accrual post balanced transactions. A
//! settlement the server holds already counts as a duplicate.

use recon_core::ledger::postings::{accrual_lines, settlement_lines};
use recon_core::ledger::{
    check_accepts_entries, settlement_commissions, CommissionKind, EntityType, EntrySource,
    EntryStatus, PlannedCommission, Rate, RoundingMode, Terms,
};
use recon_core::money::{Currency, Money};
use recon_sync::ledger::{EntryRef, Settlement, SettlementsImported};
use recon_sync::{Conflict, EventAnswer};
use rust_decimal::Decimal;

use super::ledger::{
    conflict, entity_exists, invalid, key, minor, program, rule, text, ProgramRow, Refused,
};
use super::ledger_entries::{entry_txn, insert_entry, post};
use super::Ctx;
use crate::ServerError;

/// The program's commission terms, read back from the server's row.
async fn terms(ctx: &Ctx<'_>, slug: &str, currency: &Currency) -> Result<Terms, ServerError> {
    let row = ctx
        .tx
        .query_one(
            "SELECT direct_rate, override_rate, rounding FROM ledger_programs
              WHERE org_id = $1 AND slug = $2",
            &[&ctx.org_id, &slug],
        )
        .await?;
    let rate = |d: Decimal| Rate::parse(&d.normalize().to_string()).map_err(ServerError::Invalid);
    Ok(Terms {
        direct_rate: rate(row.get(0))?,
        override_rate: rate(row.get(1))?,
        rounding: RoundingMode::parse(row.get(2)).map_err(ServerError::Invalid)?,
        currency: currency.clone(),
    })
}

pub(super) async fn imported(
    ctx: &Ctx<'_>,
    b: &SettlementsImported,
) -> Result<EventAnswer, ServerError> {
    let program = check!(program(ctx.tx, ctx.org_id, &b.program).await?);
    check!(check_accepts_entries(&b.program, program.status).map_err(|r| rule(r.to_string())));
    let terms = terms(ctx, &b.program, &program.currency).await?;
    let (mut inserted, mut duplicates) = (0, 0);
    for s in &b.settlements {
        let (gross, planned) = check!(plan(ctx, &b.program, s, &program, &terms).await?);
        let txn = format!("settlement:{}:{}", b.program, s.settlement_id);
        let exists = ctx
            .tx
            .query_opt(
                "SELECT 1 FROM ledger_postings WHERE org_id = $1 AND txn = $2 AND line = 1",
                &[&ctx.org_id, &txn],
            )
            .await?
            .is_some();
        if exists {
            duplicates += 1;
            continue;
        }
        let revenue = settlement_lines(&b.program, &gross);
        check!(post(ctx.tx, ctx.org_id, &txn, &revenue, &program.currency).await?);
        check!(accrue(ctx, &b.program, s, &planned, &program.currency).await?);
        inserted += 1;
    }
    Ok(EventAnswer::applied(inserted, duplicates))
}

/// The settlement checked and its commissions computed here, equal to the laptop's.
async fn plan(
    ctx: &Ctx<'_>,
    slug: &str,
    s: &Settlement,
    program: &ProgramRow,
    terms: &Terms,
) -> Result<Result<(Money, Vec<PlannedCommission>), Refused>, ServerError> {
    let checked = key("settlement id", &s.settlement_id)
        .and_then(|_| key("settlement affiliate", &s.affiliate_ref))
        .and_then(|_| key("settlement date", &s.occurred_at))
        .and_then(|_| text("settlement user", &s.user_ref));
    if let Err(refused) = checked {
        return Ok(Err(refused));
    }
    if s.currency != program.currency.code {
        return Ok(Err(invalid(format!(
            "settlement '{}' is in {}, program '{slug}' in {}",
            s.settlement_id, s.currency, program.currency.code
        ))));
    }
    let gross = match minor("settlement gross", s.gross_amount, &program.currency) {
        Ok(m) => Money::from_minor(m, &program.currency),
        Err(refused) => return Ok(Err(refused)),
    };
    if !entity_exists(ctx.tx, ctx.org_id, slug, "affiliate", &s.affiliate_ref).await? {
        return Ok(Err(conflict(
            format!(
                "settlement '{}': affiliate '{}' is not on the server",
                s.settlement_id, s.affiliate_ref
            ),
            vec![],
        )));
    }
    let parent: Option<String> = ctx
        .tx
        .query_one(
            "SELECT parent FROM ledger_entities WHERE org_id = $1 AND program = $2
                AND entity_type = 'affiliate' AND entity_ref = $3",
            &[&ctx.org_id, &slug, &s.affiliate_ref],
        )
        .await?
        .get(0);
    let planned = match settlement_commissions(terms, &gross, parent.is_some()) {
        Ok(p) => p,
        Err(why) => return Ok(Err(invalid(why))),
    };
    let mine: Vec<String> = planned
        .iter()
        .map(|p| {
            let (kind, who) = match p.kind {
                CommissionKind::Direct => ("direct", s.affiliate_ref.as_str()),
                CommissionKind::Override => ("override", parent.as_deref().unwrap_or_default()),
            };
            let amount = Decimal::new(
                p.commission.amount.minor_units(),
                program.currency.scale.into(),
            );
            format!("{kind} {who} {}", amount.normalize())
        })
        .collect();
    let theirs: Vec<String> = s
        .commissions
        .iter()
        .map(|c| {
            format!(
                "{} {} {}",
                c.kind,
                c.entity_ref,
                c.earnings_amount.normalize()
            )
        })
        .collect();
    if mine != theirs {
        return Ok(Err(conflict(
            format!(
                "settlement '{}': the commissions differ from the program's terms on the server",
                s.settlement_id
            ),
            vec![Conflict {
                field: format!("settlement '{}' commissions", s.settlement_id),
                server: mine.join(", "),
                event: theirs.join(", "),
            }],
        )));
    }
    Ok(Ok((gross, planned)))
}

/// One entry per commission, each with its accrual posted.
async fn accrue(
    ctx: &Ctx<'_>,
    slug: &str,
    s: &Settlement,
    planned: &[PlannedCommission],
    currency: &Currency,
) -> Result<Result<(), Refused>, ServerError> {
    for (p, c) in planned.iter().zip(&s.commissions) {
        let e = EntryRef {
            source: EntrySource::Settlement.as_str().into(),
            source_ref: format!("{}:{}", s.settlement_id, c.kind),
            entity_type: EntityType::Affiliate.as_str().into(),
            entity_ref: c.entity_ref.clone(),
            gross_amount: Some(s.gross_amount),
            earnings_amount: c.earnings_amount,
            rounding_residue: p.commission.residue,
            currency: s.currency.clone(),
            occurred_at: s.occurred_at.clone(),
        };
        let lines = accrual_lines(
            slug,
            EntityType::Affiliate,
            &c.entity_ref,
            &p.commission.amount,
        );
        let txn = entry_txn(&e.source, &e.source_ref);
        if let Err(refused) = post(ctx.tx, ctx.org_id, &txn, &lines, currency).await? {
            return Ok(Err(refused));
        }
        insert_entry(ctx, slug, &e, EntryStatus::Pending.as_str(), None, None).await?;
    }
    Ok(Ok(()))
}
