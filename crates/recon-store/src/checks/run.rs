//! The wallet check: per wallet, expected locked (Σ budget − spent over the workspace's
//! live and draft activations in its currency) against actual locked, decided by
//! `recon_core::checks::decide`; with a fix, the adjustments of the fixable wallets. The
//! run, its report (packed in one value, see `report`), its fixes, their audit records and
//! events land in one transaction, so
//! a second `--fix` (also another process at the same moment) finds the wallets fixed.
//! A fix names the wallet state it fixed (`{wallet}#v{version}`) as its reference, so the
//! "applied once" index refuses a second adjustment of the same state as well.

use super::levels::configured_levels;
use super::ops::set_balances;
use super::{decimal, CheckLine, CheckRunReport, CheckRunSummary};
use crate::write::{Audit, Change, RenderedAudit};
use crate::{timestamp, Result, Store};
use chrono::{DateTime, Utc};
use recon_core::checks::ops::{apply_fix, WalletBalances};
use recon_core::checks::{decide, Action, CheckLevels, Verdict};
use recon_core::money::to_minor;
use recon_sync::checks as wire;
use recon_sync::EventBody;
use rusqlite::{params, Transaction};
use rust_decimal::Decimal;
use serde_json::json;
use std::collections::HashSet;

/// Which fixable wallets a run fixes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum FixScope {
    #[default]
    None,
    All,
    Wallets(HashSet<String>),
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CheckRunOptions {
    pub workspace: Option<String>,
    pub fix: FixScope,
    /// Overrides every currency's auto-fix threshold for this run.
    pub threshold: Option<Decimal>,
}

/// One wallet as the check reads it.
struct Facts {
    workspace_id: String,
    wallet_id: String,
    currency: String,
    scale: u8,
    balance_minor: i64,
    locked_minor: i64,
    version: i64,
    expected_minor: i64,
}

/// Every wallet (of `workspace`, if given) with its expected locked balance, in (workspace,
/// currency) order. Two ordered scans merged here, not a sum per wallet: the locking
/// activations' sums come from one pass over their covering index (`activations_locking`,
/// already in that order), where a correlated sum would seek that index once per wallet.
fn load_facts(tx: &Transaction<'_>, workspace: Option<&str>) -> Result<Vec<Facts>> {
    let mut sums = tx.prepare_cached(
        "SELECT workspace_id, currency, SUM(total_budget_minor - spent_minor) FROM activations
         WHERE (status = 'live' OR status = 'draft') AND (?1 IS NULL OR workspace_id = ?1)
         GROUP BY workspace_id, currency ORDER BY workspace_id, currency",
    )?;
    let mut sums = sums.query([workspace])?;
    fn next_sum(rows: &mut rusqlite::Rows<'_>) -> Result<Option<(String, String, i64)>> {
        Ok(match rows.next()? {
            Some(r) => Some((r.get(0)?, r.get(1)?, r.get(2)?)),
            None => None,
        })
    }
    let mut sum = next_sum(&mut sums)?;
    let mut wallets = tx.prepare_cached(
        "SELECT w.workspace_id, w.wallet_id, w.currency, c.scale, w.balance_minor, w.locked_minor, w.version
         FROM workspace_wallets w JOIN currencies c ON c.code = w.currency
         WHERE ?1 IS NULL OR w.workspace_id = ?1
         ORDER BY w.workspace_id, w.currency",
    )?;
    let mut rows = wallets.query([workspace])?;
    let mut facts = Vec::new();
    while let Some(r) = rows.next()? {
        let (workspace_id, currency): (String, String) = (r.get(0)?, r.get(2)?);
        // Both scans are in BINARY (byte) order, which is `str`'s order.
        let key = (workspace_id.as_str(), currency.as_str());
        while sum
            .as_ref()
            .is_some_and(|(w, c, _)| (w.as_str(), c.as_str()) < key)
        {
            sum = next_sum(&mut sums)?;
        }
        let expected_minor = match &sum {
            Some((w, c, total)) if (w.as_str(), c.as_str()) == key => *total,
            _ => 0,
        };
        facts.push(Facts {
            wallet_id: r.get(1)?,
            scale: r.get(3)?,
            balance_minor: r.get(4)?,
            locked_minor: r.get(5)?,
            version: r.get(6)?,
            expected_minor,
            workspace_id,
            currency,
        });
    }
    Ok(facts)
}

/// What a run wrote besides its report: audit records and events of its fixes.
#[derive(Default)]
struct Fixes {
    audits: Vec<Audit>,
    events: Vec<EventBody>,
}

impl Store {
    /// Runs the wallet check (and the fixes `options` asks for) and keeps it in the history.
    pub fn run_wallet_check(
        &mut self,
        actor: &str,
        now: DateTime<Utc>,
        options: &CheckRunOptions,
    ) -> Result<CheckRunReport> {
        let run_id = uuid::Uuid::new_v4().to_string();
        self.write(actor, now, |tx| {
            let at = timestamp(now);
            let threshold = options.threshold.map(|t| t.normalize().to_string());
            tx.prepare_cached(
                "INSERT INTO check_runs (id, at, actor, workspace, fix, threshold, wallets, synced, discrepancies, warnings, to_review, fixable, fixed)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0, 0, 0, 0, 0, 0, 0)",
            )?
            .execute(params![run_id, at, actor, options.workspace, options.fix != FixScope::None, threshold])?;
            let configured = configured_levels(tx)?;
            let mut fixes = Fixes::default();
            let all = load_facts(tx, options.workspace.as_deref())?;
            let mut lines = Vec::with_capacity(all.len());
            for facts in all {
                let mut levels = configured.get(&facts.currency).cloned().unwrap_or_default();
                if let Some(t) = options.threshold {
                    levels.auto_fix = t;
                }
                let line = check_wallet(tx, &run_id, &at, facts, &levels, &options.fix, &mut fixes)?;
                lines.push(line);
            }
            let report = super::report::pack(&lines)?;
            let [synced, discrepancies, warnings, to_review, fixable, fixed] = CheckRunSummary::count(&lines);
            tx.prepare_cached(
                "UPDATE check_runs SET wallets = ?2, synced = ?3, discrepancies = ?4, warnings = ?5, to_review = ?6, fixable = ?7,
                    fixed = ?8, report = ?9 WHERE id = ?1",
            )?
            .execute(params![run_id, lines.len() as i64, synced, discrepancies, warnings, to_review, fixable, fixed, report])?;
            let summary = CheckRunSummary {
                run_id: run_id.clone(), at, actor: actor.to_string(), workspace: options.workspace.clone(),
                fix: options.fix != FixScope::None, threshold, wallets: lines.len() as i64,
                synced, discrepancies, warnings, to_review, fixable, fixed,
            };
            let audit = Audit {
                action: "check.run",
                entity: "check_run",
                entity_id: run_id.clone(),
                before: None,
                after: Some(json!({
                    "workspace": summary.workspace, "fix": summary.fix, "threshold": summary.threshold,
                    "wallets": summary.wallets, "synced": synced, "discrepancies": discrepancies,
                    "warnings": warnings, "to_review": to_review, "fixable": fixable, "fixed": fixed,
                })),
            };
            let mut events = vec![EventBody::WalletCheckRun(wire::WalletCheckRun {
                run_id: run_id.clone(), workspace: summary.workspace.clone(), wallets: lines.len() as u64,
                synced: synced as u64, discrepancies: discrepancies as u64, to_review: to_review as u64, fixed: fixed as u64,
            })];
            events.append(&mut fixes.events);
            let fix_audits: Vec<RenderedAudit> = fixes.audits.into_iter().map(Into::into).collect();
            Ok(Change::synced(CheckRunReport { summary, lines }, audit, events).and_rendered_audits(fix_audits))
        })
    }
}

/// Decides one wallet and, when asked and allowed, posts its fix.
fn check_wallet(
    tx: &Transaction<'_>,
    run_id: &str,
    at: &str,
    f: Facts,
    levels: &CheckLevels,
    scope: &FixScope,
    fixes: &mut Fixes,
) -> Result<CheckLine> {
    let d = |m: i64| decimal(m, f.scale);
    let verdict: Verdict = decide(
        d(f.expected_minor),
        d(f.locked_minor),
        d(f.balance_minor),
        levels,
    );
    let wanted = match scope {
        FixScope::None => false,
        FixScope::All => true,
        FixScope::Wallets(ids) => ids.contains(&f.wallet_id),
    };
    let mut line = CheckLine {
        workspace_id: f.workspace_id,
        wallet_id: f.wallet_id,
        currency: f.currency,
        scale: f.scale,
        expected_minor: f.expected_minor,
        actual_minor: f.locked_minor,
        discrepancy_minor: f.locked_minor - f.expected_minor,
        status: verdict.status.as_str().to_string(),
        warning: verdict.warning,
        action: verdict.action.as_str().to_string(),
        fixed: false,
        adjustment_minor: None,
        reason: verdict.reason.clone(),
    };
    let (Some(fix), true, Action::AutoFix) = (verdict.fix, wanted, verdict.action) else {
        return Ok(line);
    };
    let before = WalletBalances {
        balance_minor: f.balance_minor,
        locked_minor: f.locked_minor,
    };
    let Some(after) = apply_fix(before, fix, f.scale) else {
        return Ok(line);
    };
    let delta_minor =
        to_minor(fix.locked_delta(), f.scale).expect("a fix is at the wallet's scale");
    let transaction = wire::WalletTransaction {
        transaction_id: uuid::Uuid::new_v4().to_string(),
        wallet_id: line.wallet_id.clone(),
        tx_type: "adjustment".into(),
        amount: d(delta_minor),
        currency: line.currency.clone(),
        reference_type: Some("wallet_check".into()),
        reference_id: Some(format!("{}#v{}", line.wallet_id, f.version)),
        created_at: at.to_string(),
    };
    let inserted = tx
        .prepare_cached(
            "INSERT INTO wallet_transactions (id, wallet_id, type, amount_minor, reference_type, reference_id, created_at, origin, run_id)
             VALUES (?1, ?2, 'adjustment', ?3, ?4, ?5, ?6, 'check_fix', ?7) ON CONFLICT DO NOTHING",
        )?
        .execute(params![transaction.transaction_id, line.wallet_id, delta_minor, transaction.reference_type,
            transaction.reference_id, at, run_id])?;
    if inserted == 0 {
        return Ok(line);
    }
    set_balances(tx, &line.wallet_id, after)?;
    line.fixed = true;
    line.adjustment_minor = Some(delta_minor);
    let show = |b: WalletBalances| json!({"balance": d(b.balance_minor).to_string(), "locked_balance": d(b.locked_minor).to_string()});
    fixes.audits.push(Audit {
        action: "check.fix",
        entity: "workspace_wallet",
        entity_id: line.wallet_id.clone(),
        before: Some(show(before)),
        after: Some(
            json!({"balances": show(after), "adjustment": d(delta_minor).to_string(),
            "transaction_id": transaction.transaction_id, "run_id": run_id,
            "expected_locked": d(f.expected_minor).to_string()}),
        ),
    });
    fixes
        .events
        .push(EventBody::WalletAdjusted(wire::WalletAdjusted {
            run_id: run_id.to_string(),
            transaction,
            expected_locked: d(f.expected_minor),
            discrepancy: verdict.discrepancy,
            balance_after: d(after.balance_minor),
            locked_after: d(after.locked_minor),
        }));
    Ok(line)
}
