//! Wallet operations, check runs and their adjustments (§8) on the server. The server
//! holds the organization's balances: an operation is applied to them with
//! `recon_core::checks::apply_op` (a lock the balance cannot cover is refused), once per
//! (type, reference) across every laptop; a fix is accepted with
//! `recon_core::checks::check_adjustment` only when it brings the wallet the server holds
//! to the expected locked balance the server computes from its activations — a wallet a
//! colleague fixed first is refused as a conflict (both locked balances), unless it is
//! the very same fix (same wallet state reference and amount: "already exists").

use recon_core::checks::ops::{apply_op, check_adjustment, AdjustError, WalletBalances, WalletOp};
use recon_core::money::from_minor;
use recon_sync::checks::{WalletAdjusted, WalletCheckRun, WalletOperationRecorded};
use recon_sync::{Conflict, EventAnswer, EventBody};
use rust_decimal::Decimal;

use super::checks::{
    check_transaction, held_transaction, insert_transaction, set_balances, wallet_of, Held,
};
use super::ledger::{already_exists, conflict, differing, invalid, key, minor, rule};
use super::Ctx;
use crate::ServerError;

pub(super) fn handles(kind: &str) -> bool {
    use recon_sync::checks as c;
    [
        c::WALLET_OPERATION_RECORDED,
        c::WALLET_CHECK_RUN,
        c::WALLET_ADJUSTED,
    ]
    .contains(&kind)
}

pub(super) async fn apply(ctx: &Ctx<'_>, body: &EventBody) -> Result<EventAnswer, ServerError> {
    match body {
        EventBody::WalletOperationRecorded(b) => operation(ctx, b).await,
        EventBody::WalletCheckRun(b) => run(ctx, b).await,
        EventBody::WalletAdjusted(b) => adjusted(ctx, b).await,
        other => Err(ServerError::Invalid(format!(
            "check_runs::apply was given '{}'",
            other.kind()
        ))),
    }
}

async fn operation(ctx: &Ctx<'_>, b: &WalletOperationRecorded) -> Result<EventAnswer, ServerError> {
    let t = &b.transaction;
    check!(check_transaction(t));
    let Some(op) = WalletOp::parse(&b.operation) else {
        return Ok(invalid(format!(
            "operation '{}' is not one of lock, spend, release, refund",
            b.operation
        )));
    };
    if t.tx_type != op.transaction_type() || t.reference_id.is_none() {
        return Ok(invalid(format!(
            "a {} is recorded as a '{}' transaction with a reference",
            op.as_str(),
            op.transaction_type()
        )));
    }
    let w = check!(wallet_of(ctx, t).await?);
    let amount_minor = check!(minor("operation amount", t.amount, &w.currency));
    let amount = from_minor(amount_minor, w.currency.scale);
    if let Held::Same = check!(held_transaction(ctx, t, amount).await?) {
        return Ok(already_exists(format!(
            "{} {}",
            op.as_str(),
            t.reference_id.as_deref().unwrap_or("")
        )));
    }
    // Applied to the balances the server holds, which colleagues' operations may have
    // moved since this laptop last pulled: operations commute, balances may not go below 0.
    let before = WalletBalances {
        balance_minor: w.balance_minor,
        locked_minor: w.locked_minor,
    };
    let after = check!(apply_op(before, op, amount_minor)
        .map_err(|e| rule(format!("wallet '{}': {e}", t.wallet_id))));
    set_balances(
        ctx,
        &t.wallet_id,
        w.currency.scale,
        after.balance_minor,
        after.locked_minor,
    )
    .await?;
    insert_transaction(ctx, t, amount, "operation", None).await?;
    Ok(EventAnswer::applied(1, 0))
}

async fn run(ctx: &Ctx<'_>, b: &WalletCheckRun) -> Result<EventAnswer, ServerError> {
    check!(key("run id", &b.run_id));
    if let Some(w) = &b.workspace {
        check!(key("run workspace", w));
    }
    let counts_add_up = b.synced.checked_add(b.discrepancies) == Some(b.wallets)
        && b.to_review <= b.discrepancies
        && b.fixed <= b.discrepancies;
    if !counts_add_up {
        return Ok(invalid(format!(
            "run '{}': {} synced and {} discrepancies are not its {} wallets (or more to \
             review or fixed than discrepancies)",
            b.run_id, b.synced, b.discrepancies, b.wallets
        )));
    }
    let n = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
    let added = ctx
        .tx
        .execute(
            "INSERT INTO check_runs (org_id, run_id, workspace, wallets, synced, discrepancies,
                 to_review, fixed, run_by, source_event)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
             ON CONFLICT (org_id, run_id) DO NOTHING",
            &[
                &ctx.org_id,
                &b.run_id,
                &b.workspace,
                &n(b.wallets),
                &n(b.synced),
                &n(b.discrepancies),
                &n(b.to_review),
                &n(b.fixed),
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
            "SELECT wallets, synced, discrepancies, fixed FROM check_runs
              WHERE org_id = $1 AND run_id = $2",
            &[&ctx.org_id, &b.run_id],
        )
        .await?;
    let s = |i: usize| row.get::<_, i64>(i).to_string();
    let e = |v: u64| v.to_string();
    let what = format!("check run '{}'", b.run_id);
    let conflicts = differing(
        &what,
        [
            ("wallets", s(0), e(b.wallets)),
            ("synced", s(1), e(b.synced)),
            ("discrepancies", s(2), e(b.discrepancies)),
            ("fixed", s(3), e(b.fixed)),
        ],
    );
    if conflicts.is_empty() {
        return Ok(already_exists(what));
    }
    Ok(conflict(
        format!("{what} is on the server with other counts"),
        conflicts,
    ))
}

/// Σ (total budget − spent) over the live and draft activations of the workspace in the
/// currency, as the server holds them.
async fn expected_locked(
    ctx: &Ctx<'_>,
    workspace_id: &str,
    currency: &str,
) -> Result<Decimal, ServerError> {
    Ok(ctx
        .tx
        .query_one(
            "SELECT COALESCE(SUM(total_budget - spent_amount), 0) FROM check_activations
              WHERE org_id = $1 AND workspace_id = $2 AND currency = $3
                AND status IN ('live', 'draft')",
            &[&ctx.org_id, &workspace_id, &currency],
        )
        .await?
        .get(0))
}

async fn adjusted(ctx: &Ctx<'_>, b: &WalletAdjusted) -> Result<EventAnswer, ServerError> {
    let t = &b.transaction;
    check!(check_transaction(t));
    check!(key("run id", &b.run_id));
    if t.tx_type != "adjustment" || t.reference_type.as_deref() != Some("wallet_check") {
        return Ok(invalid(
            "a check's fix is an 'adjustment' transaction with reference type 'wallet_check'",
        ));
    }
    if b.discrepancy + t.amount != Decimal::ZERO {
        return Ok(invalid(format!(
            "an adjustment of {} does not fix a discrepancy of {}",
            t.amount, b.discrepancy
        )));
    }
    let run_known = ctx
        .tx
        .query_opt(
            "SELECT 1 FROM check_runs WHERE org_id = $1 AND run_id = $2",
            &[&ctx.org_id, &b.run_id],
        )
        .await?
        .is_some();
    if !run_known {
        return Ok(conflict(
            format!("check run '{}' is not on the server", b.run_id),
            vec![],
        ));
    }
    let w = check!(wallet_of(ctx, t).await?);
    let scale = w.currency.scale;
    let delta_minor = check!(minor("adjustment amount", t.amount, &w.currency));
    let expected_event = check!(minor("expected locked", b.expected_locked, &w.currency));
    let amount = from_minor(delta_minor, scale);
    if let Held::Same = check!(held_transaction(ctx, t, amount).await?) {
        return Ok(already_exists(format!(
            "fix of wallet '{}' ({})",
            t.wallet_id,
            t.reference_id.as_deref().unwrap_or("")
        )));
    }
    let expected = expected_locked(ctx, &w.workspace_id, &w.currency.code).await?;
    let expected_minor = check!(minor("expected locked (server)", expected, &w.currency));
    let show = |m: i64| from_minor(m, scale).normalize().to_string();
    if expected_minor != expected_event {
        return Ok(conflict(
            format!(
                "wallet '{}': the server's activations expect another locked balance",
                t.wallet_id
            ),
            vec![Conflict {
                field: format!("wallet '{}' expected locked", t.wallet_id),
                server: show(expected_minor),
                event: show(expected_event),
            }],
        ));
    }
    let before = WalletBalances {
        balance_minor: w.balance_minor,
        locked_minor: w.locked_minor,
    };
    let after = match check_adjustment(before, expected_minor, delta_minor) {
        Ok(after) => after,
        Err(AdjustError::WrongAmount { .. } | AdjustError::Zero) => {
            // The wallet moved (a colleague's fix or operation came first).
            let event_locked = (b.locked_after - t.amount).normalize();
            return Ok(conflict(
                format!(
                    "wallet '{}' holds another locked balance on the server than the one \
                     this fix was decided on",
                    t.wallet_id
                ),
                vec![Conflict {
                    field: format!("wallet '{}' locked balance", t.wallet_id),
                    server: show(w.locked_minor),
                    event: event_locked.to_string(),
                }],
            ));
        }
        Err(e) => return Ok(rule(format!("wallet '{}': {e}", t.wallet_id))),
    };
    set_balances(
        ctx,
        &t.wallet_id,
        scale,
        after.balance_minor,
        after.locked_minor,
    )
    .await?;
    insert_transaction(ctx, t, amount, "check_fix", Some(&b.run_id)).await?;
    Ok(EventAnswer::applied(1, 0))
}
