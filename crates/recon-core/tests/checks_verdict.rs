//! The wallet check's decision at its exact decimal boundaries (§8).

use recon_core::checks::verdict::INSUFFICIENT_BALANCE;
use recon_core::checks::{decide, Action, CheckLevels, Fix, SyncStatus};
use rust_decimal::Decimal;
use std::str::FromStr;

fn d(text: &str) -> Decimal {
    Decimal::from_str(text).unwrap()
}

/// Over-locked by `gap` with plenty of balance.
fn over(gap: &str) -> recon_core::checks::Verdict {
    decide(
        d("100"),
        d("100") + d(gap),
        d("1000"),
        &CheckLevels::default(),
    )
}

#[test]
fn tolerance_warning_and_auto_fix_boundaries_are_exact() {
    // (discrepancy, status, warning, action)
    let cases = [
        ("0.009", SyncStatus::Synced, false, Action::None),
        ("0.01", SyncStatus::Synced, false, Action::None),
        ("0.011", SyncStatus::Discrepancy, false, Action::AutoFix),
        ("1.00", SyncStatus::Discrepancy, false, Action::AutoFix),
        ("1.01", SyncStatus::Discrepancy, true, Action::AutoFix),
        ("9.99", SyncStatus::Discrepancy, true, Action::AutoFix),
        ("10.00", SyncStatus::Discrepancy, true, Action::Review),
    ];
    for (gap, status, warning, action) in cases {
        for sign in ["", "-"] {
            let gap = format!("{sign}{gap}");
            let v = over(&gap);
            assert_eq!(
                (v.status, v.warning, v.action),
                (status, warning, action),
                "{gap}"
            );
            assert_eq!(v.discrepancy, d(&gap));
        }
    }
}

#[test]
fn over_locked_money_is_unlocked_and_under_locked_money_locked_from_the_balance() {
    let levels = CheckLevels::default();
    let v = decide(d("50"), d("55.50"), d("0"), &levels);
    assert_eq!(
        v.fix,
        Some(Fix::Unlock(d("5.50"))),
        "unlocking needs no balance"
    );
    assert_eq!(v.fix.unwrap().locked_delta(), d("-5.50"));
    let v = decide(d("50"), d("45"), d("5.00"), &levels);
    assert_eq!(
        v.fix,
        Some(Fix::Lock(d("5"))),
        "a balance of exactly the gap covers it"
    );
    let v = decide(d("50"), d("45"), d("4.99"), &levels);
    assert_eq!((v.action, v.fix), (Action::Review, None));
    assert_eq!(v.reason.as_deref(), Some(INSUFFICIENT_BALANCE));
}

#[test]
fn levels_are_per_currency_values_not_constants() {
    let strict = CheckLevels {
        tolerance: d("0"),
        warning: d("0.5"),
        auto_fix: d("0.02"),
    };
    let v = decide(d("1"), d("1.01"), d("10"), &strict);
    assert_eq!(
        (v.status, v.warning, v.action),
        (SyncStatus::Discrepancy, false, Action::AutoFix)
    );
    let v = decide(d("1"), d("1.02"), d("10"), &strict);
    assert_eq!(v.action, Action::Review);
    assert!(v.reason.unwrap().contains("auto-fix threshold 0.02"));
}
