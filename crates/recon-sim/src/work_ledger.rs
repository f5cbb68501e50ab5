//! Partner-ledger and payout work (issue 12, item 7): a program and its affiliates set
//! up, conversions imported and approved or rejected, settlements imported, entries
//! reversed, payout batches created, submitted, approved (by someone other than their
//! creator), rejected with a reason, processed and paid. Every value comes from a small
//! pool keyed by its id (program `sim`, sponsors `S0..`, affiliates `A0..`, conversions
//! `C0..`, settlements `T0..`), so laptops overlap on the same things with the same
//! values; where two people decide one thing differently (one approves a conversion a
//! colleague rejected, one reverses an entry a colleague put in a batch) the server keeps
//! the first it hears and refuses the other.

use recon_core::ledger::{EntityType, Rate, RoundingMode};
use recon_core::payouts::{BatchAction, BatchStatus};
use recon_store::ledger::{EntryQuery, NewEntity, NewProgram};
use recon_store::payouts::BatchQuery;

use crate::work::Ctx;

pub const PROGRAM: &str = "sim";
const SPONSORS: u64 = 3;
/// Affiliate `A{k}`'s parent is `A{k-1}`: a chain, so settlements pay overrides.
const AFFILIATES: u64 = 4;
const CONVERSIONS: u64 = 24;
const SETTLEMENTS: u64 = 24;
const PERIODS: &[&str] = &["2026-10", "2026-11"];

/// The date of pool item `n`: its month is `PERIODS[n % 2]`.
fn occurred(n: u64) -> String {
    format!("{}-{:02}", PERIODS[(n % 2) as usize], 1 + n % 28)
}

fn program_exists(ctx: &Ctx) -> anyhow::Result<bool> {
    Ok(ctx
        .store
        .ledger_programs()?
        .iter()
        .any(|p| p.slug == PROGRAM))
}

/// The program (the same terms everywhere) when this ledger lacks it, then the pool's
/// sponsors and the first few affiliates of the chain this ledger lacks: each its own
/// change, as a person adds them one by one.
pub fn ledger_setup(ctx: &mut Ctx) -> anyhow::Result<()> {
    if !program_exists(ctx)? {
        ctx.store.add_program(
            ctx.user,
            ctx.now,
            NewProgram {
                slug: PROGRAM.into(),
                name: "Simulated program".into(),
                currency: "USD".into(),
                direct_rate: Rate::parse("10").map_err(anyhow::Error::msg)?,
                override_rate: Rate::parse("2.5").map_err(anyhow::Error::msg)?,
                rounding: RoundingMode::HalfEven,
            },
        )?;
    }
    let have: Vec<(EntityType, String)> = ctx
        .store
        .ledger_entities(PROGRAM)?
        .into_iter()
        .map(|e| (e.entity_type, e.entity_ref))
        .collect();
    let sponsors = (0..SPONSORS).map(|k| NewEntity {
        program: PROGRAM.into(),
        entity_type: EntityType::Sponsor,
        entity_ref: format!("S{k}"),
        name: format!("Sponsor {k}"),
        parent: None,
        payout_per_conversion: Some(format!("{}.50", 10 + k)),
    });
    let affiliates = (0..AFFILIATES - ctx.rng.below(2)).map(|k| NewEntity {
        program: PROGRAM.into(),
        entity_type: EntityType::Affiliate,
        entity_ref: format!("A{k}"),
        name: format!("Affiliate {k}"),
        parent: k.checked_sub(1).map(|p| format!("A{p}")),
        payout_per_conversion: None,
    });
    for entity in sponsors.chain(affiliates) {
        if !have.contains(&(entity.entity_type, entity.entity_ref.clone())) {
            ctx.store.add_entity(ctx.user, ctx.now, entity)?;
        }
    }
    Ok(())
}

/// Work on a program this ledger does not have yet begins by setting it up.
fn ensure_program(ctx: &mut Ctx) -> anyhow::Result<()> {
    if program_exists(ctx)? {
        return Ok(());
    }
    ledger_setup(ctx)
}

pub fn conversions_import(ctx: &mut Ctx) -> anyhow::Result<()> {
    ensure_program(ctx)?;
    let start = ctx.rng.below(CONVERSIONS);
    let count = 1 + ctx.rng.below(4);
    let mut csv = String::from("conversion_id,sponsor_ref,occurred_at,description\n");
    for n in (start..start + count).filter(|n| *n < CONVERSIONS) {
        csv.push_str(&format!(
            "C{n},S{},{},conversion {n}\n",
            n % SPONSORS,
            occurred(n)
        ));
    }
    ctx.store.import_conversions(
        ctx.user,
        ctx.now,
        PROGRAM,
        &format!("conversions-{start}.csv"),
        csv.as_bytes(),
    )?;
    Ok(())
}

/// A few pending conversions approved (each with its entry) or rejected with a reason.
pub fn conversion_decide(ctx: &mut Ctx) -> anyhow::Result<()> {
    if !program_exists(ctx)? {
        return Ok(());
    }
    for _ in 0..1 + ctx.rng.below(3) {
        let pending = ctx.store.ledger_conversions(PROGRAM, Some("pending"))?;
        if pending.is_empty() {
            return Ok(());
        }
        let id = ctx.rng.pick(&pending).conversion_id.clone();
        ctx.what = Some("decided".into());
        if ctx.rng.chance(75) {
            ctx.store
                .approve_conversion(ctx.user, ctx.now, PROGRAM, &id)?;
        } else {
            ctx.store
                .reject_conversion(ctx.user, ctx.now, PROGRAM, &id, "sim: not eligible")?;
        }
    }
    Ok(())
}

pub fn settlements_import(ctx: &mut Ctx) -> anyhow::Result<()> {
    ensure_program(ctx)?;
    let start = ctx.rng.below(SETTLEMENTS);
    let count = 1 + ctx.rng.below(3);
    let mut csv =
        String::from("settlement_id,user_ref,affiliate_ref,gross_amount,currency,occurred_at\n");
    for n in (start..start + count).filter(|n| *n < SETTLEMENTS) {
        csv.push_str(&format!(
            "T{n},u{n},A{},{}.{:02},USD,{}\n",
            n % AFFILIATES,
            100 + n * 7,
            n * 13 % 100,
            occurred(n)
        ));
    }
    ctx.store.import_settlements(
        ctx.user,
        ctx.now,
        PROGRAM,
        &format!("settlements-{start}.csv"),
        csv.as_bytes(),
    )?;
    Ok(())
}

/// A pending entry (not itself a reversal) reversed; one held by a batch is refused here.
pub fn entry_reverse(ctx: &mut Ctx) -> anyhow::Result<()> {
    let pending: Vec<_> = ctx
        .store
        .ledger_entries(&EntryQuery {
            status: Some("pending".into()),
            ..EntryQuery::default()
        })?
        .into_iter()
        .filter(|e| e.source != "reversal")
        .collect();
    if pending.is_empty() {
        return Ok(());
    }
    let id = ctx.rng.pick(&pending).id;
    ctx.what = Some("reverse".into());
    ctx.store
        .reverse_entry(ctx.user, ctx.now, id, "sim: clawback")?;
    Ok(())
}

/// A draft batch of the period of a pending entry, often submitted at once.
pub fn payout_create(ctx: &mut Ctx) -> anyhow::Result<()> {
    if !program_exists(ctx)? {
        return Ok(());
    }
    let pending = ctx.store.ledger_entries(&EntryQuery {
        status: Some("pending".into()),
        ..EntryQuery::default()
    })?;
    let period = if pending.is_empty() {
        (*ctx.rng.pick(PERIODS)).to_owned()
    } else {
        ctx.rng.pick(&pending).period.clone()
    };
    ctx.what = Some("create".into());
    let batch = ctx
        .store
        .create_payout(ctx.user, ctx.now, PROGRAM, &period, "sim batch")?;
    if ctx.rng.chance(60) {
        ctx.what = Some("create, submit".into());
        ctx.store
            .payout_transition(ctx.user, ctx.now, &batch.id, &BatchAction::Submit)?;
    }
    Ok(())
}

/// The next steps of batches in motion, as the person at this laptop would take them: a
/// colleague's pending batch approved (or rejected with a reason), an approved one
/// processed and paid. Now and then its creator tries to approve it: refused here.
pub fn payout_move(ctx: &mut Ctx) -> anyhow::Result<()> {
    let mut did = Vec::new();
    let mut outcome = Ok(());
    for _ in 0..1 + ctx.rng.below(3) {
        match payout_move_one(ctx) {
            Ok(Some(what)) => did.push(what),
            Ok(None) => break,
            Err(e) => {
                outcome = Err(e);
                break;
            }
        }
    }
    ctx.what = (!did.is_empty()).then(|| did.join(", "));
    outcome
}

/// One batch moved on: what was asked of it, None if there was nothing to move. The
/// action is in `ctx.what` before the store answers, so a refusal is traced with it.
fn payout_move_one(ctx: &mut Ctx) -> anyhow::Result<Option<&'static str>> {
    let try_own = ctx.rng.chance(10);
    let user = ctx.user;
    // What the person here can move: not their own batch awaiting approval (but now
    // and then they try).
    let moving: Vec<_> = ctx
        .store
        .payout_batches(&BatchQuery::default())?
        .into_iter()
        .filter(|b| match b.status {
            BatchStatus::Paid | BatchStatus::Rejected => false,
            BatchStatus::PendingApproval => {
                try_own || !recon_core::payouts::same_person(&b.created_by, user)
            }
            _ => true,
        })
        .collect();
    if moving.is_empty() {
        return Ok(None);
    }
    let batch = ctx.rng.pick(&moving);
    let mine = recon_core::payouts::same_person(&batch.created_by, ctx.user);
    let action = match batch.status {
        BatchStatus::Draft => BatchAction::Submit,
        BatchStatus::PendingApproval if !mine && ctx.rng.chance(25) => BatchAction::Reject {
            reason: "sim: amounts to check".into(),
        },
        BatchStatus::PendingApproval => BatchAction::Approve,
        BatchStatus::Approved if ctx.rng.chance(50) => BatchAction::Process,
        BatchStatus::Approved => BatchAction::Pay,
        BatchStatus::Processing if ctx.rng.chance(20) => BatchAction::Fail {
            reason: "sim: bank said no".into(),
        },
        BatchStatus::Processing => BatchAction::Pay,
        BatchStatus::Failed => BatchAction::Retry,
        BatchStatus::Paid | BatchStatus::Rejected => return Ok(None),
    };
    let id = batch.id.clone();
    let what = match (&action, mine) {
        (BatchAction::Approve, true) => "self-approve",
        (a, _) => a.name(),
    };
    ctx.store
        .payout_transition(ctx.user, ctx.now, &id, &action)
        .map_err(|e| anyhow::anyhow!("{what}: {e}"))?;
    Ok(Some(what))
}
