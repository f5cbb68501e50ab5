//! The wallet-check family's platform imports (§8) on the server: workspace wallet
//! snapshots, activations and wallet transactions, checked with `recon-core`'s rules
//! (known currency, amounts at its scale and not negative, RFC 3339 times, the platform's
//! statuses and transaction types). Imports are idempotent on the platform's ids: the same
//! row from two laptops is one row ("already exists"); a row the server holds with other
//! values is refused as a conflict naming both. Operations, runs and adjustments:
//! [`super::check_runs`].

use recon_core::checks::ops::TRANSACTION_TYPES;
use recon_core::checks::platform_file::{parse_time, ACTIVATION_STATUSES};
use recon_core::money::{from_minor, Currency};
use recon_sync::checks::{
    ActivationsImported, WalletSnapshot, WalletTransaction, WalletTransactionsImported,
    WorkspaceWalletsImported,
};
use recon_sync::{Conflict, EventAnswer, EventBody};
use rust_decimal::Decimal;
use tokio_postgres::Transaction;

use super::ledger::{conflict, currency, differing, invalid, key, minor, Refused};
use super::Ctx;
use crate::ServerError;

pub(super) fn handles(kind: &str) -> bool {
    use recon_sync::checks as c;
    [
        c::WORKSPACE_WALLETS_IMPORTED,
        c::ACTIVATIONS_IMPORTED,
        c::WALLET_TRANSACTIONS_IMPORTED,
    ]
    .contains(&kind)
}

pub(super) async fn apply(ctx: &Ctx<'_>, body: &EventBody) -> Result<EventAnswer, ServerError> {
    match body {
        EventBody::WorkspaceWalletsImported(b) => wallets_imported(ctx, b).await,
        EventBody::ActivationsImported(b) => activations_imported(ctx, b).await,
        EventBody::WalletTransactionsImported(b) => transactions_imported(ctx, b).await,
        other => Err(ServerError::Invalid(format!(
            "checks::apply was given '{}'",
            other.kind()
        ))),
    }
}

/// A known currency, or the refusal naming `what`.
pub(super) fn known_currency(what: &str, code: &str) -> Result<Currency, Refused> {
    currency(code).ok_or_else(|| invalid(format!("{what}: unknown currency '{code}'")))
}

/// An amount of `currency` that may not be negative, in minor units.
pub(super) fn unsigned(field: &str, amount: Decimal, c: &Currency) -> Result<i64, Refused> {
    let m = minor(field, amount, c)?;
    if m < 0 {
        return Err(invalid(format!("{field}: {amount} must not be negative")));
    }
    Ok(m)
}

pub(super) fn time(field: &str, text: &str) -> Result<(), Refused> {
    key(field, text)?;
    match parse_time(text) {
        Some(_) => Ok(()),
        None => Err(invalid(format!(
            "{field}: '{text}' is not an RFC 3339 date and time"
        ))),
    }
}

/// A workspace wallet as the server holds it (minor units of `currency`).
pub(super) struct WalletRow {
    pub workspace_id: String,
    pub currency: Currency,
    pub balance_minor: i64,
    pub locked_minor: i64,
}

/// The organization's wallet `wallet_id`, locked for this push's update.
pub(super) async fn wallet(
    tx: &Transaction<'_>,
    org_id: i64,
    wallet_id: &str,
) -> Result<Option<WalletRow>, ServerError> {
    let Some(row) = tx
        .query_opt(
            "SELECT workspace_id, currency, balance, locked_balance FROM check_wallets
              WHERE org_id = $1 AND wallet_id = $2 FOR UPDATE",
            &[&org_id, &wallet_id],
        )
        .await?
    else {
        return Ok(None);
    };
    let code: String = row.get(1);
    let currency = currency(&code)
        .ok_or_else(|| ServerError::Invalid(format!("wallet '{wallet_id}' holds {code}")))?;
    let held = |i: usize| -> Result<i64, ServerError> {
        recon_core::money::to_minor(row.get::<_, Decimal>(i), currency.scale)
            .map_err(|e| ServerError::Invalid(format!("wallet '{wallet_id}': {e}")))
    };
    Ok(Some(WalletRow {
        workspace_id: row.get(0),
        balance_minor: held(2)?,
        locked_minor: held(3)?,
        currency,
    }))
}

/// The wallet a transaction names, in the currency it says, or the refusal.
pub(super) async fn wallet_of(
    ctx: &Ctx<'_>,
    t: &WalletTransaction,
) -> Result<Result<WalletRow, Refused>, ServerError> {
    let Some(w) = wallet(ctx.tx, ctx.org_id, &t.wallet_id).await? else {
        return Ok(Err(conflict(
            format!(
                "wallet '{}' is not on the server (its import was refused or not synced)",
                t.wallet_id
            ),
            vec![],
        )));
    };
    if w.currency.code != t.currency {
        return Ok(Err(conflict(
            format!(
                "transaction '{}' is in another currency than its wallet",
                t.transaction_id
            ),
            vec![Conflict {
                field: format!("wallet '{}' currency", t.wallet_id),
                server: w.currency.code.clone(),
                event: t.currency.clone(),
            }],
        )));
    }
    Ok(Ok(w))
}

pub(super) async fn set_balances(
    ctx: &Ctx<'_>,
    wallet_id: &str,
    scale: u8,
    balance_minor: i64,
    locked_minor: i64,
) -> Result<(), ServerError> {
    ctx.tx
        .execute(
            "UPDATE check_wallets SET balance = $3, locked_balance = $4
              WHERE org_id = $1 AND wallet_id = $2",
            &[
                &ctx.org_id,
                &wallet_id,
                &from_minor(balance_minor, scale),
                &from_minor(locked_minor, scale),
            ],
        )
        .await?;
    Ok(())
}

fn check_snapshot(w: &WalletSnapshot) -> Result<(Currency, i64, i64), Refused> {
    key("wallet id", &w.wallet_id)?;
    key("workspace id", &w.workspace_id)?;
    time("wallet as_of", &w.as_of)?;
    let c = known_currency(&format!("wallet '{}'", w.wallet_id), &w.currency)?;
    let balance = unsigned("wallet balance", w.balance, &c)?;
    let locked = unsigned("wallet locked balance", w.locked_balance, &c)?;
    Ok((c, balance, locked))
}

async fn wallets_imported(
    ctx: &Ctx<'_>,
    b: &WorkspaceWalletsImported,
) -> Result<EventAnswer, ServerError> {
    let (mut inserted, mut duplicates) = (0, 0);
    for w in &b.wallets {
        let (c, balance, locked) = check!(check_snapshot(w));
        if check!(snapshot(ctx, w, &c, balance, locked).await?) {
            inserted += 1;
        } else {
            duplicates += 1;
        }
    }
    Ok(EventAnswer::applied(inserted, duplicates))
}

/// One snapshot: a wallet's first creates it, a newer one replaces its balances, an older
/// one is history only (as on the laptop). `Ok(false)`: the server held it already.
async fn snapshot(
    ctx: &Ctx<'_>,
    w: &WalletSnapshot,
    c: &Currency,
    balance: i64,
    locked: i64,
) -> Result<Result<bool, Refused>, ServerError> {
    let what = format!("wallet '{}' snapshot as of {}", w.wallet_id, w.as_of);
    let held = ctx
        .tx
        .query_opt(
            "SELECT balance, locked_balance FROM check_wallet_snapshots
              WHERE org_id = $1 AND wallet_id = $2 AND as_of = $3",
            &[&ctx.org_id, &w.wallet_id, &w.as_of],
        )
        .await?;
    if let Some(row) = held {
        let dec = |d: Decimal| d.normalize().to_string();
        let conflicts = differing(
            &what,
            [
                ("balance", dec(row.get(0)), dec(w.balance)),
                ("locked balance", dec(row.get(1)), dec(w.locked_balance)),
            ],
        );
        if conflicts.is_empty() {
            return Ok(Ok(false));
        }
        return Ok(Err(conflict(
            format!("{what} is on the server with other balances"),
            conflicts,
        )));
    }
    let current = ctx
        .tx
        .query_opt(
            "SELECT workspace_id, currency, as_of FROM check_wallets
              WHERE org_id = $1 AND wallet_id = $2 FOR UPDATE",
            &[&ctx.org_id, &w.wallet_id],
        )
        .await?;
    let (balance_d, locked_d) = (from_minor(balance, c.scale), from_minor(locked, c.scale));
    match current {
        None => {
            if let Err(refused) = create_wallet(ctx, w, balance_d, locked_d).await? {
                return Ok(Err(refused));
            }
        }
        Some(row) => {
            let conflicts = differing(
                &format!("wallet '{}'", w.wallet_id),
                [
                    ("workspace", row.get::<_, String>(0), w.workspace_id.clone()),
                    ("currency", row.get::<_, String>(1), w.currency.clone()),
                ],
            );
            if !conflicts.is_empty() {
                // A wallet's currency (and workspace) never changes once set.
                return Ok(Err(conflict(
                    format!(
                        "wallet '{}' is on the server with another workspace or currency",
                        w.wallet_id
                    ),
                    conflicts,
                )));
            }
            let as_of: String = row.get(2);
            if w.as_of > as_of {
                ctx.tx
                    .execute(
                        "UPDATE check_wallets SET balance = $3, locked_balance = $4, as_of = $5
                          WHERE org_id = $1 AND wallet_id = $2",
                        &[&ctx.org_id, &w.wallet_id, &balance_d, &locked_d, &w.as_of],
                    )
                    .await?;
            }
        }
    }
    ctx.tx
        .execute(
            "INSERT INTO check_wallet_snapshots (org_id, wallet_id, as_of, balance,
                 locked_balance, source_event)
             VALUES ($1, $2, $3, $4, $5, $6)",
            &[
                &ctx.org_id,
                &w.wallet_id,
                &w.as_of,
                &balance_d,
                &locked_d,
                &ctx.event_id,
            ],
        )
        .await?;
    Ok(Ok(true))
}

/// A wallet's first snapshot: the wallet, unless its workspace holds another wallet in
/// that currency already.
async fn create_wallet(
    ctx: &Ctx<'_>,
    w: &WalletSnapshot,
    balance_d: Decimal,
    locked_d: Decimal,
) -> Result<Result<(), Refused>, ServerError> {
    let taken = ctx
        .tx
        .query_opt(
            "SELECT wallet_id FROM check_wallets
              WHERE org_id = $1 AND workspace_id = $2 AND currency = $3",
            &[&ctx.org_id, &w.workspace_id, &w.currency],
        )
        .await?;
    if let Some(other) = taken {
        return Ok(Err(conflict(
            format!(
                "workspace '{}' already has a {} wallet on the server; a workspace \
                 holds one wallet per currency",
                w.workspace_id, w.currency
            ),
            vec![Conflict {
                field: format!("workspace '{}' {} wallet", w.workspace_id, w.currency),
                server: other.get(0),
                event: w.wallet_id.clone(),
            }],
        )));
    }
    ctx.tx
        .execute(
            "INSERT INTO check_wallets (org_id, wallet_id, workspace_id, currency,
                 balance, locked_balance, as_of, source_event)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            &[
                &ctx.org_id,
                &w.wallet_id,
                &w.workspace_id,
                &w.currency,
                &balance_d,
                &locked_d,
                &w.as_of,
                &ctx.event_id,
            ],
        )
        .await?;
    Ok(Ok(()))
}

async fn activations_imported(
    ctx: &Ctx<'_>,
    b: &ActivationsImported,
) -> Result<EventAnswer, ServerError> {
    let (mut inserted, mut duplicates) = (0, 0);
    for a in &b.activations {
        check!(key("activation id", &a.activation_id));
        check!(key("workspace id", &a.workspace_id));
        if !ACTIVATION_STATUSES.contains(&a.status.as_str()) {
            return Ok(invalid(format!(
                "activation '{}': status '{}' is not one of {}",
                a.activation_id,
                a.status,
                ACTIVATION_STATUSES.join(", ")
            )));
        }
        let c = check!(known_currency(
            &format!("activation '{}'", a.activation_id),
            &a.currency
        ));
        let total = check!(unsigned("activation total budget", a.total_budget, &c));
        let spent = check!(unsigned("activation spent amount", a.spent_amount, &c));
        let (total, spent) = (from_minor(total, c.scale), from_minor(spent, c.scale));
        let held = ctx
            .tx
            .query_opt(
                "SELECT workspace_id, currency, status, total_budget, spent_amount
                   FROM check_activations WHERE org_id = $1 AND activation_id = $2 FOR UPDATE",
                &[&ctx.org_id, &a.activation_id],
            )
            .await?;
        let Some(row) = held else {
            ctx.tx
                .execute(
                    "INSERT INTO check_activations (org_id, activation_id, workspace_id, status,
                         total_budget, spent_amount, currency, source_event)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                    &[
                        &ctx.org_id,
                        &a.activation_id,
                        &a.workspace_id,
                        &a.status,
                        &total,
                        &spent,
                        &a.currency,
                        &ctx.event_id,
                    ],
                )
                .await?;
            inserted += 1;
            continue;
        };
        let conflicts = differing(
            &format!("activation '{}'", a.activation_id),
            [
                ("workspace", row.get::<_, String>(0), a.workspace_id.clone()),
                ("currency", row.get::<_, String>(1), a.currency.clone()),
            ],
        );
        if !conflicts.is_empty() {
            return Ok(conflict(
                format!(
                    "activation '{}' is on the server in another workspace or currency",
                    a.activation_id
                ),
                conflicts,
            ));
        }
        let same = row.get::<_, String>(2) == a.status
            && row.get::<_, Decimal>(3) == total
            && row.get::<_, Decimal>(4) == spent;
        if same {
            duplicates += 1;
            continue;
        }
        // A later export's status, budget and spent amount replace the earlier's.
        ctx.tx
            .execute(
                "UPDATE check_activations SET status = $3, total_budget = $4, spent_amount = $5
                  WHERE org_id = $1 AND activation_id = $2",
                &[&ctx.org_id, &a.activation_id, &a.status, &total, &spent],
            )
            .await?;
        inserted += 1;
    }
    Ok(EventAnswer::applied(inserted, duplicates))
}

/// A transaction's own values: type, reference pair, time.
pub(super) fn check_transaction(t: &WalletTransaction) -> Result<(), Refused> {
    key("transaction id", &t.transaction_id)?;
    key("wallet id", &t.wallet_id)?;
    time("transaction created_at", &t.created_at)?;
    if !TRANSACTION_TYPES.contains(&t.tx_type.as_str()) {
        return Err(invalid(format!(
            "transaction '{}': type '{}' is not one of {}",
            t.transaction_id,
            t.tx_type,
            TRANSACTION_TYPES.join(", ")
        )));
    }
    match (&t.reference_type, &t.reference_id) {
        (Some(rt), Some(ri)) => {
            key("reference type", rt)?;
            key("reference id", ri)
        }
        (None, None) => Ok(()),
        _ => Err(invalid(format!(
            "transaction '{}': reference type and reference id go together",
            t.transaction_id
        ))),
    }
}

/// How a transaction the server may hold already stands: `New`, the same one held
/// (`Same`), or held with other values (the refusal, both values named).
pub(super) enum Held {
    New,
    Same,
}

/// Finds `t` by its id, then by its (type, reference): the same operation recorded under
/// another id (a release recorded on a laptop, then imported from the platform) is one.
pub(super) async fn held_transaction(
    ctx: &Ctx<'_>,
    t: &WalletTransaction,
    amount: Decimal,
) -> Result<Result<Held, Refused>, ServerError> {
    let by_id = ctx
        .tx
        .query_opt(
            "SELECT wallet_id, tx_type, amount, COALESCE(reference_type, ''),
                    COALESCE(reference_id, '')
               FROM check_transactions WHERE org_id = $1 AND transaction_id = $2",
            &[&ctx.org_id, &t.transaction_id],
        )
        .await?;
    let by_ref = match (&by_id, &t.reference_type, &t.reference_id) {
        (None, Some(rt), Some(ri)) => {
            ctx.tx
                .query_opt(
                    "SELECT wallet_id, tx_type, amount, reference_type, reference_id
                       FROM check_transactions
                      WHERE org_id = $1 AND tx_type = $2 AND reference_type = $3
                        AND reference_id = $4",
                    &[&ctx.org_id, &t.tx_type, rt, ri],
                )
                .await?
        }
        _ => None,
    };
    let Some(row) = by_id.or(by_ref) else {
        return Ok(Ok(Held::New));
    };
    let dec = |d: Decimal| d.normalize().to_string();
    let what = format!("transaction '{}'", t.transaction_id);
    let conflicts = differing(
        &what,
        [
            ("wallet", row.get::<_, String>(0), t.wallet_id.clone()),
            ("type", row.get::<_, String>(1), t.tx_type.clone()),
            ("amount", dec(row.get(2)), dec(amount)),
            (
                "reference",
                format!("{}:{}", row.get::<_, String>(3), row.get::<_, String>(4)),
                format!(
                    "{}:{}",
                    t.reference_type.as_deref().unwrap_or(""),
                    t.reference_id.as_deref().unwrap_or("")
                ),
            ),
        ],
    );
    if conflicts.is_empty() {
        return Ok(Ok(Held::Same));
    }
    Ok(Err(conflict(
        format!("{what} (or its reference) is on the server with other values"),
        conflicts,
    )))
}

pub(super) async fn insert_transaction(
    ctx: &Ctx<'_>,
    t: &WalletTransaction,
    amount: Decimal,
    origin: &str,
    run_id: Option<&str>,
) -> Result<(), ServerError> {
    ctx.tx
        .execute(
            "INSERT INTO check_transactions (org_id, transaction_id, wallet_id, tx_type, amount,
                 reference_type, reference_id, created_at, origin, run_id, created_by, source_event)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
            &[
                &ctx.org_id,
                &t.transaction_id,
                &t.wallet_id,
                &t.tx_type,
                &amount,
                &t.reference_type,
                &t.reference_id,
                &t.created_at,
                &origin,
                &run_id,
                &ctx.user,
                &ctx.event_id,
            ],
        )
        .await?;
    Ok(())
}

async fn transactions_imported(
    ctx: &Ctx<'_>,
    b: &WalletTransactionsImported,
) -> Result<EventAnswer, ServerError> {
    let (mut inserted, mut duplicates) = (0, 0);
    for t in &b.transactions {
        check!(check_transaction(t));
        let w = check!(wallet_of(ctx, t).await?);
        let amount = from_minor(
            check!(minor("transaction amount", t.amount, &w.currency)),
            w.currency.scale,
        );
        match check!(held_transaction(ctx, t, amount).await?) {
            Held::Same => duplicates += 1,
            Held::New => {
                // History only: the platform's snapshots carry what it did to the balances.
                insert_transaction(ctx, t, amount, "import", None).await?;
                inserted += 1;
            }
        }
    }
    Ok(EventAnswer::applied(inserted, duplicates))
}
