//! Journal continuity: a journal with k entries removed reports exactly k breaks, at the
//! right places, with the missing amounts; a clean journal reports none.

use proptest::prelude::*;
use recon_core::checks::continuity::{find_breaks, BalanceLine, ContinuityScan};

/// A clean journal: ids 1.., amounts never zero (a missing zero entry leaves no trace).
fn journal(opening: i64, amounts: &[i64]) -> Vec<BalanceLine> {
    let mut balance = opening;
    amounts
        .iter()
        .enumerate()
        .map(|(i, &amount)| {
            balance += amount;
            BalanceLine {
                id: i as i64 + 1,
                date: (),
                amount_minor: amount,
                balance_minor: balance,
            }
        })
        .collect()
}

proptest! {
    #[test]
    fn k_removed_entries_make_k_breaks_with_their_amounts(
        opening in -1_000_000i64..1_000_000,
        amounts in prop::collection::vec((-1_000_000i64..1_000_000).prop_filter("nonzero", |a| *a != 0), 3..300),
        picks in prop::collection::vec(any::<prop::sample::Index>(), 0..20),
    ) {
        let lines = journal(opening, &amounts);
        // Interior lines (the first has nothing before it, the last nothing after), no two
        // adjacent: two neighbours removed are one gap, reported once with their sum.
        let mut removed: Vec<usize> = Vec::new();
        for pick in picks {
            let i = 1 + pick.index(lines.len() - 2);
            if removed.iter().all(|&r| r.abs_diff(i) > 1) {
                removed.push(i);
            }
        }
        removed.sort_unstable();
        let kept: Vec<BalanceLine> = lines
            .iter()
            .enumerate()
            .filter(|(i, _)| !removed.contains(i))
            .map(|(_, l)| l.clone())
            .collect();
        let breaks = find_breaks(kept);
        prop_assert_eq!(breaks.len(), removed.len());
        for (b, &i) in breaks.iter().zip(&removed) {
            prop_assert_eq!(b.after_id, lines[i - 1].id);
            prop_assert_eq!(b.before_id, lines[i + 1].id);
            prop_assert_eq!(b.missing_minor, lines[i].amount_minor);
            prop_assert_eq!(b.found_minor, lines[i + 1].balance_minor);
            prop_assert_eq!(b.expected_minor, lines[i - 1].balance_minor + lines[i + 1].amount_minor);
        }
    }
}

#[test]
fn a_clean_million_line_journal_reports_no_break() {
    let mut scan = ContinuityScan::new();
    let mut balance = 0i64;
    for i in 0..1_000_000i64 {
        let amount = (i * 7919) % 100_003 - 50_000;
        balance += amount;
        scan.push(BalanceLine {
            id: i,
            date: (),
            amount_minor: amount,
            balance_minor: balance,
        });
    }
    let (lines, breaks) = scan.finish();
    assert_eq!((lines, breaks.len()), (1_000_000, 0));
}

#[test]
fn breaks_carry_the_dates_of_the_lines_around_them() {
    let lines = vec![
        BalanceLine {
            id: 10,
            date: "2026-03-01",
            amount_minor: 5,
            balance_minor: 5,
        },
        BalanceLine {
            id: 11,
            date: "2026-03-02",
            amount_minor: 5,
            balance_minor: 12,
        },
    ];
    let b = &find_breaks(lines)[0];
    assert_eq!(
        (b.after_date, b.before_date, b.missing_minor),
        ("2026-03-01", "2026-03-02", 2)
    );
}
