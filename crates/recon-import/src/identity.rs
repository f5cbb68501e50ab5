//! Which rows keep their bank id as natural key. An id that repeats inside one file does not
//! identify a line (banks reuse OFX FITIDs; a CSV "reference" may be an invoice number), so
//! the rows after its first use fall back to the fingerprint (SPEC §4), with a note, instead
//! of looking like one transaction imported twice with different facts.

use crate::ParsedRow;
use std::collections::HashSet;

/// Ids quoted in the note.
const EXAMPLES: usize = 3;

#[derive(Default)]
pub(crate) struct RepeatedIds {
    seen: HashSet<String>,
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
        if self.seen.contains(id) {
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
        self.seen.insert(id.to_string());
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
