//! Import identity: whether a line that arrives again is a duplicate of the one its wallet
//! already holds or a disagreement with it, and the count every import must add up to
//! (read = inserted + duplicates + rejected). The SQL that finds the stored line lives in
//! `recon-store`; what to make of it lives here.

/// How a line names itself within its wallet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    /// An id the source gave the line (an ESI entry id, a bank transaction reference). The
    /// same id is the same line, so it must come back with the same date and amount.
    NaturalId,
    /// A fingerprint of date, amount, description and the occurrence of that tuple in the
    /// file (bank rows without a reference). Lines with one fingerprint agree on date and
    /// amount by construction.
    Fingerprint,
}

/// What a re-imported line must agree on with the stored one: its date (as the source
/// wrote it, or its day) and its amount in minor units of the wallet's currency — both
/// lines are in the same wallet, so in the same currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineFacts<D> {
    pub date: D,
    pub amount_minor: Option<i64>,
}

/// What a line whose key the wallet already holds is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KnownKey {
    /// The same line again (a re-import, overlapping pages or exports): skipped.
    Duplicate,
    /// The same id with a different date or amount: the import is refused rather than
    /// hide the disagreement.
    Conflict,
}

/// Classifies a line whose key the wallet already holds.
pub fn known_key<D: PartialEq>(
    kind: KeyKind,
    stored: &LineFacts<D>,
    incoming: &LineFacts<D>,
) -> KnownKey {
    match kind {
        KeyKind::Fingerprint => KnownKey::Duplicate,
        KeyKind::NaturalId if stored == incoming => KnownKey::Duplicate,
        KeyKind::NaturalId => KnownKey::Conflict,
    }
}

/// What became of one row read from a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowOutcome {
    Inserted,
    Duplicate,
    /// A line of a removed batch, kept out: a kind of duplicate.
    RemovedEarlier,
    Rejected,
}

/// What an import's rows (of one file or of a batch) came to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RowTally {
    pub inserted: u64,
    /// Includes `removed_earlier`.
    pub duplicates: u64,
    pub removed_earlier: u64,
    pub rejected: u64,
}

/// An import whose rows do not add up: some row was counted twice or not at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{read} row(s) read but {inserted} inserted + {duplicates} duplicate(s) + {rejected} rejected"
)]
pub struct UnaccountedRows {
    pub read: u64,
    pub inserted: u64,
    pub duplicates: u64,
    pub rejected: u64,
}

impl RowTally {
    pub fn count(&mut self, outcome: RowOutcome) {
        match outcome {
            RowOutcome::Inserted => self.inserted += 1,
            RowOutcome::Duplicate => self.duplicates += 1,
            RowOutcome::RemovedEarlier => {
                self.duplicates += 1;
                self.removed_earlier += 1;
            }
            RowOutcome::Rejected => self.rejected += 1,
        }
    }

    /// This tally and `other` together (a batch's files).
    pub fn add(&mut self, other: &RowTally) {
        self.inserted += other.inserted;
        self.duplicates += other.duplicates;
        self.removed_earlier += other.removed_earlier;
        self.rejected += other.rejected;
    }

    /// Every row read is inserted, a duplicate or rejected — exactly once.
    pub fn accounts_for(&self, read: u64) -> Result<(), UnaccountedRows> {
        let counted = self
            .inserted
            .checked_add(self.duplicates)
            .and_then(|n| n.checked_add(self.rejected));
        if counted == Some(read) && self.removed_earlier <= self.duplicates {
            return Ok(());
        }
        Err(UnaccountedRows {
            read,
            inserted: self.inserted,
            duplicates: self.duplicates,
            rejected: self.rejected,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(date: &str, amount_minor: Option<i64>) -> LineFacts<&str> {
        LineFacts { date, amount_minor }
    }

    #[test]
    fn a_natural_id_with_the_same_date_and_amount_is_a_duplicate() {
        let stored = facts("2026-03-01T12:00:00Z", Some(10_000));
        assert_eq!(
            known_key(KeyKind::NaturalId, &stored, &stored.clone()),
            KnownKey::Duplicate
        );
        let no_amount = facts("2026-03-01T12:00:00Z", None);
        assert_eq!(
            known_key(KeyKind::NaturalId, &no_amount, &no_amount),
            KnownKey::Duplicate
        );
    }

    #[test]
    fn a_natural_id_with_another_date_or_amount_is_a_conflict() {
        let stored = facts("2026-03-01T12:00:00Z", Some(10_000));
        for incoming in [
            facts("2026-03-01T12:00:00Z", Some(10_100)),
            facts("2026-03-02T12:00:00Z", Some(10_000)),
            facts("2026-03-01T12:00:00Z", None),
        ] {
            assert_eq!(
                known_key(KeyKind::NaturalId, &stored, &incoming),
                KnownKey::Conflict,
                "{incoming:?}"
            );
        }
        // Days as numbers (bank rows) follow the same rule.
        let day = LineFacts {
            date: 20_513_i64,
            amount_minor: Some(-50),
        };
        let next_day = LineFacts {
            date: 20_514_i64,
            ..day
        };
        assert_eq!(
            known_key(KeyKind::NaturalId, &day, &next_day),
            KnownKey::Conflict
        );
    }

    #[test]
    fn a_fingerprint_already_held_is_always_a_duplicate() {
        let stored = facts("2026-03-01", Some(10_000));
        let incoming = facts("2026-03-02", Some(1));
        assert_eq!(
            known_key(KeyKind::Fingerprint, &stored, &incoming),
            KnownKey::Duplicate
        );
    }

    #[test]
    fn a_removed_line_counts_as_a_duplicate_and_as_removed_earlier() {
        let mut tally = RowTally::default();
        for outcome in [
            RowOutcome::Inserted,
            RowOutcome::Duplicate,
            RowOutcome::RemovedEarlier,
            RowOutcome::Rejected,
            RowOutcome::Inserted,
        ] {
            tally.count(outcome);
        }
        assert_eq!(
            tally,
            RowTally {
                inserted: 2,
                duplicates: 2,
                removed_earlier: 1,
                rejected: 1
            }
        );
        assert_eq!(tally.accounts_for(5), Ok(()));
        let mut batch = tally;
        batch.add(&tally);
        assert_eq!(batch.accounts_for(10), Ok(()));
        assert_eq!(batch.removed_earlier, 2);
    }

    #[test]
    fn rows_that_do_not_add_up_are_refused() {
        let tally = RowTally {
            inserted: 3,
            duplicates: 1,
            removed_earlier: 0,
            rejected: 1,
        };
        let err = tally.accounts_for(4).unwrap_err();
        assert_eq!(
            err.to_string(),
            "4 row(s) read but 3 inserted + 1 duplicate(s) + 1 rejected"
        );
        assert!(tally.accounts_for(6).is_err(), "a row not counted");
        let overflowing = RowTally {
            inserted: u64::MAX,
            duplicates: 1,
            ..RowTally::default()
        };
        assert!(overflowing.accounts_for(0).is_err());
        let more_removed_than_duplicates = RowTally {
            inserted: 1,
            duplicates: 0,
            removed_earlier: 1,
            rejected: 0,
        };
        assert!(more_removed_than_duplicates.accounts_for(1).is_err());
    }
}
