//! Matching runs and bulk accept: the engine over every open receipt, and the links it
//! decided.

use super::links::{engine_expected, engine_receipt, insert_link, refresh_all};
use super::records::{
    expected_from_row, expected_select, receipt_from_row, receipt_select, ExpectedRecord,
    ReceiptRecord,
};
use super::views::{ActionSummary, MatchRunSummary, ReceiptSuggestions, Suggestion};
use super::{action_audit, events, new_action, summary, SUGGESTIONS_PER_ROW};
use crate::write::{Audit, Change, RenderedAudit};
use crate::{timestamp, Result, Store};
use chrono::{DateTime, Utc};
use recon_core::matching::{
    self, ActionKind, Candidate, Expected, LinkType, MatchRules, Receipt, Score, Verdict,
};
use recon_sync::matching::MatchLink;
use rusqlite::{Connection, Transaction};
use serde_json::json;
use std::collections::BTreeSet;

/// The engine's view of the ledger: candidate expected payments and open receipts.
pub(super) struct MatchInput {
    pub expected: Vec<ExpectedRecord>,
    pub engine_expected: Vec<Expected>,
    pub receipts: Vec<ReceiptRecord>,
    pub engine_receipts: Vec<Receipt>,
}

pub(super) fn load_input(conn: &Connection, rules: &MatchRules) -> Result<MatchInput> {
    // Only payments that take payments are candidates (§5); a later payment adds to a
    // confirmed one. Sorted by memo so the engine's indices are stable across runs.
    let mut stmt = conn.prepare_cached(concat!(
        expected_select!(),
        " WHERE e.status IN ('awaiting_payment', 'confirmed') ORDER BY e.memo_normalized"
    ))?;
    let expected: Vec<ExpectedRecord> = stmt
        .query_map([], expected_from_row)?
        .collect::<rusqlite::Result<_>>()?;
    debug_assert!(expected.iter().all(|e| e.state.status.takes_payments()));
    let engine_expected = expected.iter().map(engine_expected).collect();

    let placeholders = vec!["?"; rules.ref_types.len().max(1)].join(", ");
    let mut stmt = conn.prepare(&format!(
        "{}
         WHERE w.receiving = 1 AND j.amount_minor > 0 AND j.ref_type IN ({placeholders})
           AND NOT EXISTS (SELECT 1 FROM match_links l WHERE l.journal_rowid = j.rowid_pk AND l.removed_by_action IS NULL)
           AND NOT EXISTS (SELECT 1 FROM receipt_rejections r WHERE r.journal_rowid = j.rowid_pk AND r.removed_by_action IS NULL)
         ORDER BY j.rowid_pk",
        receipt_select!()
    ))?;
    let ref_types: Vec<&str> = if rules.ref_types.is_empty() {
        vec![""]
    } else {
        rules.ref_types.iter().map(String::as_str).collect()
    };
    let receipts: Vec<ReceiptRecord> = stmt
        .query_map(rusqlite::params_from_iter(ref_types), receipt_from_row)?
        .collect::<rusqlite::Result<_>>()?;
    let engine_receipts = receipts.iter().map(engine_receipt).collect();
    Ok(MatchInput {
        expected,
        engine_expected,
        receipts,
        engine_receipts,
    })
}

fn suggestion(e: &ExpectedRecord, score: Score) -> Suggestion {
    Suggestion {
        memo: e.memo.clone(),
        cycle_id: e.cycle_id.clone(),
        character_name: e.character_name.clone(),
        expected_amount: e.expected.amount_text(),
        status: e.state.status,
        actual_amount: e
            .state
            .actual
            .as_ref()
            .map(recon_core::money::Money::amount_text),
        score,
        match_type: LinkType::from_signal(score.memo),
    }
}

pub(super) fn with_suggestions(
    input: &MatchInput,
    i: usize,
    candidates: &[Candidate],
) -> ReceiptSuggestions {
    ReceiptSuggestions {
        receipt: input.receipts[i].view.clone(),
        suggestions: candidates
            .iter()
            .map(|c| suggestion(&input.expected[c.expected], c.score))
            .collect(),
    }
}

/// Links one receipt of the input to one expected payment, for the event too.
fn link_candidate(
    tx: &Transaction<'_>,
    input: &MatchInput,
    receipt: usize,
    c: &Candidate,
    match_type: LinkType,
    action: i64,
) -> Result<MatchLink> {
    let e = &input.expected[c.expected];
    let r = &input.receipts[receipt];
    insert_link(
        tx,
        &e.id,
        r.view.rowid,
        &r.amount,
        match_type,
        Some(&c.score),
        action,
    )?;
    Ok(events::new_link(
        e,
        r,
        &r.amount,
        match_type,
        Some(&c.score),
    ))
}

/// The receipts a run links and the summary of the rest (ambiguous, unmatched).
fn judge(
    input: &MatchInput,
    results: &[matching::ReceiptResult],
    cycle: Option<&str>,
) -> (Vec<(usize, Candidate)>, MatchRunSummary) {
    let in_scope = |expected: usize| cycle.is_none_or(|c| input.expected[expected].cycle_id == c);
    let mut summary = MatchRunSummary {
        matched: 0,
        receipts_linked: 0,
        amount_adjusted: 0,
        ambiguous: 0,
        ambiguous_receipts: Vec::new(),
        unmatched_receipts: Vec::new(),
    };
    let mut picks = Vec::new();
    for (i, result) in results.iter().enumerate() {
        match &result.verdict {
            Verdict::Matched(c) if in_scope(c.expected) => picks.push((i, *c)),
            Verdict::Matched(_) => {}
            Verdict::Ambiguous(tied) => {
                if tied.iter().any(|c| in_scope(c.expected)) {
                    summary.ambiguous += 1;
                    summary.ambiguous_receipts.push(with_suggestions(
                        input,
                        i,
                        &result.suggestions,
                    ));
                }
            }
            Verdict::Unmatched => {
                summary
                    .unmatched_receipts
                    .push(with_suggestions(input, i, &result.suggestions))
            }
        }
    }
    (picks, summary)
}

impl Store {
    /// Runs the engine over every open receipt and links each matched one. With `cycle`,
    /// receipts are still judged against every candidate (so a receipt whose best match is
    /// in another cycle never lands on a weaker one here), but only links into `cycle` are
    /// made. A second run changes nothing: linked receipts leave the input.
    pub fn match_run(
        &mut self,
        actor: &str,
        now: DateTime<Utc>,
        cycle: Option<&str>,
    ) -> Result<MatchRunSummary> {
        let rules = self.match_rules()?;
        let at = timestamp(now);
        self.write(actor, now, |tx| {
            let input = load_input(tx, &rules)?;
            let results = matching::run(
                &rules,
                &input.engine_expected,
                &input.engine_receipts,
                SUGGESTIONS_PER_ROW,
            );
            let (picks, mut summary) = judge(&input, &results, cycle);
            if picks.is_empty() {
                return Ok(Change::unchanged(summary));
            }
            let action = new_action(tx, ActionKind::Run, "auto", now)?;
            let mut links = Vec::with_capacity(picks.len());
            let mut touched: BTreeSet<usize> = BTreeSet::new();
            for (i, c) in &picks {
                let match_type = LinkType::from_signal(c.score.memo);
                links.push(link_candidate(tx, &input, *i, c, match_type, action)?);
                touched.insert(c.expected);
            }
            summary.receipts_linked = picks.len() as u64;
            summary.matched = touched.len() as u64;
            let mut audit = Vec::with_capacity(touched.len() + 1);
            let ids = touched.iter().map(|&e| input.expected[e].id.as_str());
            let afters = refresh_all(tx, &at, ids, &mut audit, &mut Vec::new())?;
            summary.amount_adjusted =
                afters.iter().filter(|e| e.state.amount_adjusted).count() as u64;
            audit.push(RenderedAudit::from(Audit {
                action: "match.run",
                entity: "match_action",
                entity_id: action.to_string(),
                before: None,
                after: Some(json!({
                    "cycle": cycle, "matched": summary.matched,
                    "receipts_linked": summary.receipts_linked,
                    "amount_adjusted": summary.amount_adjusted,
                    "ambiguous": summary.ambiguous,
                    "unmatched": summary.unmatched_receipts.len(),
                })),
            }));
            Ok(Change::synced_rendered(
                summary,
                audit,
                events::linked(ActionKind::Run.as_str(), links),
            ))
        })
    }

    /// Accepts the top suggestion of every open receipt whose best score is at least
    /// `min_score` and not tied. `dry_run` only counts.
    pub fn match_accept_above(
        &mut self,
        actor: &str,
        now: DateTime<Utc>,
        min_score: u32,
        dry_run: bool,
    ) -> Result<ActionSummary> {
        let rules = self.match_rules()?;
        let at = timestamp(now);
        let kind = ActionKind::BulkAccept;
        self.write(actor, now, |tx| {
            let input = load_input(tx, &rules)?;
            let results = matching::run(&rules, &input.engine_expected, &input.engine_receipts, 2);
            let picks: Vec<(usize, Candidate)> = results
                .iter()
                .enumerate()
                .filter_map(|(i, r)| {
                    let best = *r.suggestions.first()?;
                    let tied = r
                        .suggestions
                        .get(1)
                        .is_some_and(|s| s.score.total == best.score.total);
                    (best.score.memo.is_some() && best.score.total >= min_score && !tied)
                        .then_some((i, best))
                })
                .collect();
            let mut summary = summary(0, kind.as_str());
            summary.links_added = picks.len() as u64;
            if dry_run || picks.is_empty() {
                return Ok(Change::unchanged(summary));
            }
            let action = new_action(tx, kind, actor, now)?;
            summary.action_id = action;
            let mut links = Vec::with_capacity(picks.len());
            let mut touched = BTreeSet::new();
            for (i, c) in &picks {
                links.push(link_candidate(tx, &input, *i, c, LinkType::Manual, action)?);
                touched.insert(c.expected);
            }
            let mut audit = Vec::with_capacity(touched.len() + 1);
            let ids = touched.iter().map(|&e| input.expected[e].id.as_str());
            refresh_all(tx, &at, ids, &mut audit, &mut summary.expected_changed)?;
            let detail = json!({"min_score": min_score});
            audit.push(action_audit(&summary, kind, None, detail).into());
            Ok(Change::synced_rendered(
                summary,
                audit,
                events::linked(kind.as_str(), links),
            ))
        })
    }
}
