//! The review queues, and finding the journal line a user means.

use super::expected::links_by_expected;
use super::run::{load_input, with_suggestions};
use super::views::{AwaitingSuggestions, ReceiptSuggestionForExpected, ReviewQueues};
use super::SUGGESTIONS_PER_ROW;
use crate::{Result, Store, StoreError};
use recon_core::matching::{self, ExpectedStatus, Score, Verdict};
use std::collections::BTreeMap;

impl Store {
    /// The three review queues, each row with its best suggestions.
    pub fn review_queues(&self) -> Result<ReviewQueues> {
        let rules = self.match_rules()?;
        let input = load_input(&self.conn, &rules)?;
        let results = matching::run(
            &rules,
            &input.engine_expected,
            &input.engine_receipts,
            SUGGESTIONS_PER_ROW,
        );
        let mut queues = ReviewQueues {
            unmatched_receipts: Vec::new(),
            ambiguous_receipts: Vec::new(),
            awaiting: Vec::new(),
        };
        let mut per_expected: BTreeMap<usize, Vec<(usize, Score)>> = BTreeMap::new();
        for (i, result) in results.iter().enumerate() {
            for c in &result.suggestions {
                per_expected
                    .entry(c.expected)
                    .or_default()
                    .push((i, c.score));
            }
            match &result.verdict {
                // Matched receipts are linked by the next run or by "accept".
                Verdict::Matched(_) | Verdict::Unmatched => queues
                    .unmatched_receipts
                    .push(with_suggestions(&input, i, &result.suggestions)),
                Verdict::Ambiguous(_) => {
                    queues
                        .ambiguous_receipts
                        .push(with_suggestions(&input, i, &result.suggestions))
                }
            }
        }
        let mut links = links_by_expected(&self.conn, None)?;
        for (index, e) in input.expected.iter().enumerate() {
            if e.state.status != ExpectedStatus::AwaitingPayment {
                continue;
            }
            let mut suggestions = per_expected.remove(&index).unwrap_or_default();
            suggestions.sort_by(|a, b| {
                b.1.total
                    .cmp(&a.1.total)
                    .then(
                        input.receipts[a.0]
                            .view
                            .date
                            .cmp(&input.receipts[b.0].view.date),
                    )
                    .then(a.0.cmp(&b.0))
            });
            suggestions.truncate(SUGGESTIONS_PER_ROW);
            queues.awaiting.push(AwaitingSuggestions {
                expected: e.clone().into_view(links.remove(&e.id).unwrap_or_default()),
                suggestions: suggestions
                    .into_iter()
                    .map(|(i, score)| ReceiptSuggestionForExpected {
                        receipt: input.receipts[i].view.clone(),
                        score,
                    })
                    .collect(),
            });
        }
        Ok(queues)
    }

    /// Finds the journal line a user means by an ESI id (or bank reference). Where the id is
    /// in several wallets, the incoming line of a receiving wallet is meant; still several is
    /// refused rather than guessed.
    pub fn resolve_journal_id(&self, journal_id: &str) -> Result<i64> {
        let mut stmt = self.conn.prepare_cached(
            // CROSS JOIN: wallet by wallet through the (wallet, key) index, not a table scan.
            "SELECT j.rowid_pk, w.receiving, COALESCE(j.amount_minor, 0) > 0 FROM wallets w
             CROSS JOIN journal_entries j ON j.wallet_no = w.no AND j.natural_key = ?1
             ORDER BY j.rowid_pk",
        )?;
        let found: Vec<(i64, bool, bool)> = stmt
            .query_map([journal_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let preferred: Vec<i64> = found
            .iter()
            .filter(|(_, rec, inc)| *rec && *inc)
            .map(|f| f.0)
            .collect();
        match (found.len(), preferred.len()) {
            (0, _) => Err(StoreError::NotFound {
                what: "journal line with id",
                name: journal_id.to_owned(),
            }),
            (1, _) => Ok(found[0].0),
            (_, 1) => Ok(preferred[0]),
            _ => Err(StoreError::Conflict(format!(
                "journal id {journal_id} is in {} wallets; link it from the Review screen",
                found.len()
            ))),
        }
    }
}
