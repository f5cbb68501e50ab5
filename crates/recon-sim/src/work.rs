//! What users do between syncs. One row of [`WORK`] per kind of work: a new kind is one
//! more row and its function (the partner ledger's and payouts' are in
//! [`crate::work_ledger`]). Values come from a small
//! shared pool (ESI ids, memos) so laptops overlap: the same line imported on two
//! laptops, the same memo added on two with different amounts (the server refuses the
//! later one), receipts linked to payments a colleague also linked.

use chrono::{DateTime, Utc};
use recon_store::{JournalQuery, SourceFile, Store};

use crate::laptop::WALLETS;
use crate::rng::Rng;
use crate::work_ledger;

pub struct Ctx<'a> {
    pub store: &'a mut Store,
    pub rng: &'a mut Rng,
    pub user: &'a str,
    pub now: DateTime<Utc>,
    /// What the step did, when its name alone does not say (`approve`, `pay`, …): the
    /// trace shows `name (what)`, which the CI test looks for.
    pub what: Option<String>,
}

pub struct Work {
    pub name: &'static str,
    /// Relative frequency.
    pub weight: u64,
    /// `Err` is the app refusing the user's step (a local rule), which is normal.
    pub run: fn(&mut Ctx) -> anyhow::Result<()>,
}

pub const WORK: &[Work] = &[
    Work {
        name: "esi_journal_import",
        weight: 4,
        run: esi_journal_import,
    },
    Work {
        name: "expected_import",
        weight: 3,
        run: expected_import,
    },
    Work {
        name: "match_run_accept",
        weight: 2,
        run: match_run_accept,
    },
    Work {
        name: "manual_link",
        weight: 2,
        run: manual_link,
    },
    Work {
        name: "ledger_setup",
        weight: 1,
        run: work_ledger::ledger_setup,
    },
    Work {
        name: "conversions_import",
        weight: 3,
        run: work_ledger::conversions_import,
    },
    Work {
        name: "conversion_decide",
        weight: 5,
        run: work_ledger::conversion_decide,
    },
    Work {
        name: "settlements_import",
        weight: 4,
        run: work_ledger::settlements_import,
    },
    Work {
        name: "entry_reverse",
        weight: 1,
        run: work_ledger::entry_reverse,
    },
    Work {
        name: "payout_create",
        weight: 4,
        run: work_ledger::payout_create,
    },
    Work {
        name: "payout_move",
        weight: 7,
        run: work_ledger::payout_move,
    },
];

/// A batch moved on by the person at the laptop, as after a sync.
pub const REVIEW: Work = Work {
    name: "payout_move",
    weight: 0,
    run: work_ledger::payout_move,
};

pub fn pick(rng: &mut Rng) -> &'static Work {
    let total: u64 = WORK.iter().map(|w| w.weight).sum();
    let mut roll = rng.below(total);
    for work in WORK {
        if roll < work.weight {
            return work;
        }
        roll -= work.weight;
    }
    &WORK[0]
}

/// ESI ids 1..=MAX_ESI_ID; even ids live in `Main`, odd ones in `Corp`.
const MAX_ESI_ID: u64 = 60;
/// Memos `SIM0`..`SIM{MEMOS-1}`.
const MEMOS: u64 = 12;

/// The one true value of a journal line: every laptop that imports id `id` sees this.
fn line_json(id: u64) -> String {
    let memo = id % MEMOS;
    format!(
        r#"{{"id":{id},"date":"2026-11-{day:02}T{hour:02}:{min:02}:00Z","ref_type":"player_donation","description":"donation {id}","amount":{amount}.00,"reason":"SIM{memo}","first_party_id":{payer}}}"#,
        day = 1 + id % 28,
        hour = id % 24,
        min = id % 60,
        amount = expected_amount(memo),
        payer = 91_000_000 + memo,
    )
}

fn expected_amount(memo: u64) -> u64 {
    1_000_000 + memo * 25_000
}

fn esi_journal_import(ctx: &mut Ctx) -> anyhow::Result<()> {
    let (wallet, parity) = if ctx.rng.chance(50) {
        (WALLETS[0].0, 0)
    } else {
        (WALLETS[1].0, 1)
    };
    let start = 1 + ctx.rng.below(MAX_ESI_ID);
    let count = 1 + ctx.rng.below(6);
    let lines: Vec<String> = (start..start + 2 * count)
        .filter(|id| id % 2 == parity && *id <= MAX_ESI_ID)
        .map(line_json)
        .collect();
    if lines.is_empty() {
        return Ok(());
    }
    let file = SourceFile {
        name: format!("journal-{start}.json"),
        bytes: format!("[{}]", lines.join(",")).into_bytes(),
    };
    ctx.store
        .import_esi_journal(ctx.user, ctx.now, wallet, &[file])?;
    Ok(())
}

fn expected_import(ctx: &mut Ctx) -> anyhow::Result<()> {
    let mut csv =
        String::from("cycle_id,character_name,character_id,expected_amount,currency,memo\n");
    let count = 1 + ctx.rng.below(3);
    for _ in 0..count {
        let memo = ctx.rng.below(MEMOS);
        // Sometimes a colleague's figure differs: the server keeps the first it hears.
        let amount = expected_amount(memo) + if ctx.rng.chance(15) { 500 } else { 0 };
        csv.push_str(&format!(
            "2026-11,Pilot {memo},{},{amount}.00,ISK,SIM{memo}\n",
            91_000_000 + memo
        ));
    }
    ctx.store
        .import_expected(ctx.user, ctx.now, "expected.csv", csv.as_bytes())?;
    Ok(())
}

fn match_run_accept(ctx: &mut Ctx) -> anyhow::Result<()> {
    ctx.store.match_run(ctx.user, ctx.now, None)?;
    if ctx.rng.chance(50) {
        ctx.store.match_accept_above(ctx.user, ctx.now, 50, false)?;
    }
    Ok(())
}

fn manual_link(ctx: &mut Ctx) -> anyhow::Result<()> {
    let page = ctx.store.journal(&JournalQuery {
        wallet: None,
        ref_type: None,
        search: None,
        batch: None,
        amount: None,
        date_from: None,
        date_to: None,
        newest_first: false,
        offset: 0,
        limit: 500,
    })?;
    let awaiting = ctx.store.expected_list(None, Some("awaiting_payment"))?;
    if page.rows.is_empty() || awaiting.is_empty() {
        return Ok(());
    }
    let row = ctx.rng.pick(&page.rows);
    let memo = ctx.rng.pick(&awaiting).memo.clone();
    let rowid = ctx.store.resolve_journal_id(&row.key)?;
    ctx.store.match_link(ctx.user, ctx.now, &memo, rowid)?;
    Ok(())
}
