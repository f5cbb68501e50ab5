//! The wallet check's decision for one wallet, exact at every boundary.
//!
//! discrepancy = actual locked − expected locked. `synced` when |d| ≤ tolerance, else
//! `discrepancy`; a warning when |d| > warning; action `auto_fix` when |d| < auto-fix
//! threshold, else `review`. Over-locked money is unlocked to the balance; under-locked
//! money is locked from the balance only if the balance covers it, else `review` with
//! reason "insufficient balance".

use rust_decimal::Decimal;
use std::str::FromStr;

/// One currency's levels, exact decimals (never floats).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckLevels {
    pub tolerance: Decimal,
    pub warning: Decimal,
    pub auto_fix: Decimal,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LevelsError {
    #[error("{field} '{text}' is not a decimal amount")]
    NotANumber { field: &'static str, text: String },
    #[error("{field} must not be negative (got {text})")]
    Negative { field: &'static str, text: String },
}

impl Default for CheckLevels {
    /// The seed's levels: 0.01 tolerance, warning above 1, auto-fix below 10.
    fn default() -> Self {
        Self {
            tolerance: Decimal::new(1, 2),
            warning: Decimal::ONE,
            auto_fix: Decimal::TEN,
        }
    }
}

/// Reads one level (`tolerance`, `warning`, `auto_fix`) from its decimal text.
pub fn parse_level(field: &'static str, text: &str) -> Result<Decimal, LevelsError> {
    let trimmed = text.trim();
    let shaped = !trimmed.is_empty()
        && trimmed
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == '-' || c == '+');
    let value = shaped
        .then(|| Decimal::from_str(trimmed).ok())
        .flatten()
        .ok_or_else(|| LevelsError::NotANumber {
            field,
            text: text.to_string(),
        })?;
    if value.is_sign_negative() && !value.is_zero() {
        return Err(LevelsError::Negative {
            field,
            text: text.to_string(),
        });
    }
    Ok(value.normalize())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncStatus {
    Synced,
    Discrepancy,
}

impl SyncStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            SyncStatus::Synced => "synced",
            SyncStatus::Discrepancy => "discrepancy",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    None,
    AutoFix,
    Review,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::None => "none",
            Action::AutoFix => "auto_fix",
            Action::Review => "review",
        }
    }
}

/// The adjustment a fix posts: the change to the locked balance (the balance moves the
/// other way by the same amount, so the wallet's total is unchanged).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fix {
    /// Over-locked: this much goes back from locked to the balance.
    Unlock(Decimal),
    /// Under-locked: this much is locked from the balance.
    Lock(Decimal),
}

impl Fix {
    /// The signed change to the locked balance (negative = unlocked).
    pub fn locked_delta(self) -> Decimal {
        match self {
            Fix::Unlock(a) => -a,
            Fix::Lock(a) => a,
        }
    }
}

/// Reason given when an under-locked wallet's balance cannot cover the difference.
pub const INSUFFICIENT_BALANCE: &str = "insufficient balance";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub discrepancy: Decimal,
    pub status: SyncStatus,
    pub warning: bool,
    pub action: Action,
    /// Why the action is `review`.
    pub reason: Option<String>,
    /// What `auto_fix` would post.
    pub fix: Option<Fix>,
}

/// Decides one wallet. `balance` is the wallet's free (unlocked) balance.
pub fn decide(
    expected_locked: Decimal,
    actual_locked: Decimal,
    balance: Decimal,
    levels: &CheckLevels,
) -> Verdict {
    let discrepancy = actual_locked - expected_locked;
    let size = discrepancy.abs();
    let warning = size > levels.warning;
    let synced = Verdict {
        discrepancy,
        status: SyncStatus::Synced,
        warning,
        action: Action::None,
        reason: None,
        fix: None,
    };
    if size <= levels.tolerance {
        return synced;
    }
    let review = |reason: String| Verdict {
        status: SyncStatus::Discrepancy,
        action: Action::Review,
        reason: Some(reason),
        ..synced.clone()
    };
    if size >= levels.auto_fix {
        return review(format!(
            "discrepancy {size} is not below the auto-fix threshold {}",
            levels.auto_fix.normalize()
        ));
    }
    let fix = if discrepancy.is_sign_positive() {
        Fix::Unlock(size)
    } else if balance >= size {
        Fix::Lock(size)
    } else {
        return review(INSUFFICIENT_BALANCE.to_string());
    };
    Verdict {
        status: SyncStatus::Discrepancy,
        action: Action::AutoFix,
        fix: Some(fix),
        ..synced
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_refuse_text_and_negatives() {
        assert_eq!(parse_level("warning", "1.50").unwrap(), Decimal::new(15, 1));
        assert!(matches!(
            parse_level("tolerance", "1e3"),
            Err(LevelsError::NotANumber { .. })
        ));
        assert!(matches!(
            parse_level("auto_fix", "-1"),
            Err(LevelsError::Negative { .. })
        ));
    }
}
