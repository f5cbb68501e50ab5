//! Which rows keep their bank id as natural key. An id that repeats inside one file does not
//! identify a line (banks reuse OFX FITIDs; a CSV "reference" may be an invoice number), so
//! the rows after its first use fall back to the fingerprint (SPEC §4), with a note, instead
//! of looking like one transaction imported twice with different facts. A line that repeats
//! an earlier line exactly (same id, date, amount, text) keeps its id: it is the same
//! transaction listed twice, and is counted as a duplicate, never booked twice.

use crate::ParsedRow;
use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};

/// Ids quoted in the note.
const EXAMPLES: usize = 3;

#[derive(Default)]
pub(crate) struct RepeatedIds {
    /// Each id's first line, as a hash of what it says (date, amount, text).
    seen: HashMap<String, u64>,
    repeated: u64,
    examples: Vec<String>,
    /// More ids repeated than the examples show.
    more: bool,
}

impl RepeatedIds {
    /// Trims the row's id (an empty one is none) and drops it when the file used it before.
    pub fn check(&mut self, row: &mut ParsedRow) {
        let Some(id) = row.reference.take() else {
            return;
        };
        let id = id.trim();
        if id.is_empty() {
            return;
        }
        if let Some(first) = self.seen.get(id) {
            if *first == content_hash(row) {
                row.reference = Some(id.to_string());
                return;
            }
            self.repeated += 1;
            if !self.examples.iter().any(|e| e == id) {
                if self.examples.len() < EXAMPLES {
                    self.examples.push(id.to_string());
                } else {
                    self.more = true;
                }
            }
            return;
        }
        self.seen.insert(id.to_string(), content_hash(row));
        row.reference = Some(id.to_string());
    }

    /// What the user is told when ids repeated.
    pub fn note(&self) -> Option<String> {
        if self.repeated == 0 {
            return None;
        }
        let lines = if self.repeated == 1 { "line" } else { "lines" };
        Some(format!(
            "{} {lines} repeat a transaction id used earlier in the file ({}{}): those lines are \
             told apart by date, amount and description instead",
            self.repeated,
            self.examples.join(", "),
            if self.more { ", …" } else { "" }
        ))
    }
}

/// What a line says, as a hash: a repeated id whose line says exactly the same is a copy.
/// (A collision would only make two different lines share an id, which the store then refuses
/// as a conflict naming both: loud, never a silent loss.)
fn content_hash(row: &ParsedRow) -> u64 {
    let mut h = DefaultHasher::new();
    (
        row.date,
        row.amount.normalize(),
        &row.description,
        &row.counterparty,
    )
        .hash(&mut h);
    h.finish()
}
