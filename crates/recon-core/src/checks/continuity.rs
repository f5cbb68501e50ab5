//! Running-balance continuity: in journal order, each line's balance must equal the
//! previous line's balance plus its amount. A line where it does not is a break — a
//! probable missing entry between it and the line before, whose amount is what the
//! balance jumped by beyond the line's own amount.
//!
//! [`ContinuityScan`] takes one line at a time (constant memory over any journal);
//! [`find_breaks`] is the same over a slice. `D` is whatever the caller names a line's
//! date with (`()` when it looks dates up later, by id).

/// One journal line that carries a running balance, in minor units.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BalanceLine<D = ()> {
    pub id: i64,
    pub date: D,
    pub amount_minor: i64,
    pub balance_minor: i64,
}

/// A probable missing entry between line `after_id` and line `before_id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Break<D = ()> {
    pub after_id: i64,
    pub after_date: D,
    pub before_id: i64,
    pub before_date: D,
    /// The previous line's balance plus this line's amount.
    pub expected_minor: i64,
    /// The balance this line carries.
    pub found_minor: i64,
    /// found − expected: the missing entry's amount.
    pub missing_minor: i64,
}

/// The scan of one wallet's lines, fed in journal order.
#[derive(Debug, Clone)]
pub struct ContinuityScan<D = ()> {
    prev: Option<(i64, D, i64)>,
    lines: u64,
    breaks: Vec<Break<D>>,
}

impl<D: Clone> Default for ContinuityScan<D> {
    fn default() -> Self {
        Self {
            prev: None,
            lines: 0,
            breaks: Vec::new(),
        }
    }
}

impl<D: Clone> ContinuityScan<D> {
    pub fn new() -> Self {
        Self::default()
    }

    /// The next line in journal order.
    pub fn push(&mut self, line: BalanceLine<D>) {
        self.lines += 1;
        if let Some((after_id, after_date, prev_balance)) = self.prev.take() {
            let expected = prev_balance.saturating_add(line.amount_minor);
            if expected != line.balance_minor {
                self.breaks.push(Break {
                    after_id,
                    after_date,
                    before_id: line.id,
                    before_date: line.date.clone(),
                    expected_minor: expected,
                    found_minor: line.balance_minor,
                    missing_minor: line.balance_minor.saturating_sub(expected),
                });
            }
        }
        self.prev = Some((line.id, line.date, line.balance_minor));
    }

    /// A line without a balance: the next line has no balance to follow.
    pub fn unbalanced_line(&mut self) {
        self.prev = None;
    }

    /// Lines seen so far.
    pub fn lines(&self) -> u64 {
        self.lines
    }

    pub fn breaks(&self) -> &[Break<D>] {
        &self.breaks
    }

    /// Lines seen and the breaks found, in journal order.
    pub fn finish(self) -> (u64, Vec<Break<D>>) {
        (self.lines, self.breaks)
    }
}

/// A balance that should follow from an earlier one and does not: a statement's opening
/// moved by its lines should be its closing; a statement's closing moved by the journal
/// lines after it should be the next statement's opening (statements that give no balance
/// on each line, only at their ends).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BalanceGap {
    /// The earlier balance plus the amounts in between.
    pub expected_minor: i64,
    /// The balance the later point states.
    pub found_minor: i64,
    /// found − expected: the amount of what is probably missing in between.
    pub missing_minor: i64,
}

/// `start` moved by `moved` against `found`; `None` when they agree to the minor unit.
pub fn balance_gap(start_minor: i64, moved_minor: i64, found_minor: i64) -> Option<BalanceGap> {
    let expected_minor = start_minor.saturating_add(moved_minor);
    (expected_minor != found_minor).then(|| BalanceGap {
        expected_minor,
        found_minor,
        missing_minor: found_minor.saturating_sub(expected_minor),
    })
}

/// The breaks of `lines` (one wallet, in journal order).
pub fn find_breaks<D: Clone>(lines: impl IntoIterator<Item = BalanceLine<D>>) -> Vec<Break<D>> {
    let mut scan = ContinuityScan::new();
    for line in lines {
        scan.push(line);
    }
    scan.finish().1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(id: i64, amount_minor: i64, balance_minor: i64) -> BalanceLine {
        BalanceLine {
            id,
            date: (),
            amount_minor,
            balance_minor,
        }
    }

    #[test]
    fn a_gap_is_reported_between_the_two_lines_with_the_missing_amount() {
        // 100 → +50 = 150 → (missing −30) → +20 = 140
        let breaks = find_breaks([line(1, 100, 100), line(2, 50, 150), line(3, 20, 140)]);
        assert_eq!(
            breaks,
            [Break {
                after_id: 2,
                after_date: (),
                before_id: 3,
                before_date: (),
                expected_minor: 170,
                found_minor: 140,
                missing_minor: -30
            }]
        );
    }

    #[test]
    fn a_statement_gap_is_what_the_closing_says_beyond_opening_plus_lines() {
        assert_eq!(balance_gap(44429, -7500, 36929), None);
        assert_eq!(
            balance_gap(44429, -6500, 36929),
            Some(BalanceGap {
                expected_minor: 37929,
                found_minor: 36929,
                missing_minor: -1000
            })
        );
        assert_eq!(balance_gap(0, 0, 1).map(|g| g.missing_minor), Some(1));
    }

    #[test]
    fn the_first_line_has_nothing_to_follow() {
        assert!(find_breaks([line(1, 5, 999)]).is_empty());
        assert!(find_breaks(Vec::<BalanceLine>::new()).is_empty());
    }
}
