//! Wallet operations and what each does to a workspace wallet's balances (minor units).
//!
//! - `lock` (an activation is published): balance → locked.
//! - `spend` (a creator joins): recorded only; the money is already locked and the
//!   activation's spent amount (from the platform's export) carries it.
//! - `release` (a payment is released to a creator): locked decreases.
//! - `refund` (an activation is cancelled or finalized): locked → balance.
//!
//! Each is recorded once per (transaction type, reference type, reference id).

use super::verdict::Fix;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WalletOp {
    Lock,
    Spend,
    Release,
    Refund,
}

impl WalletOp {
    pub fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "lock" => WalletOp::Lock,
            "spend" => WalletOp::Spend,
            "release" => WalletOp::Release,
            "refund" => WalletOp::Refund,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            WalletOp::Lock => "lock",
            WalletOp::Spend => "spend",
            WalletOp::Release => "release",
            WalletOp::Refund => "refund",
        }
    }

    /// The wallet transaction type that records the operation.
    pub fn transaction_type(self) -> &'static str {
        match self {
            WalletOp::Lock => "lock",
            WalletOp::Spend => "debit",
            WalletOp::Release => "unlock",
            WalletOp::Refund => "refund",
        }
    }
}

/// The wallet transaction types of the platform (§8).
pub const TRANSACTION_TYPES: [&str; 6] =
    ["lock", "unlock", "refund", "credit", "debit", "adjustment"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WalletBalances {
    pub balance_minor: i64,
    pub locked_minor: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OpError {
    #[error("the amount must be above zero")]
    NotPositive,
    #[error("insufficient balance: {op} needs {needed_minor} minor units, the balance holds {held_minor}")]
    InsufficientBalance {
        op: &'static str,
        needed_minor: i64,
        held_minor: i64,
    },
    #[error("insufficient locked balance: {op} needs {needed_minor} minor units, {held_minor} are locked")]
    InsufficientLocked {
        op: &'static str,
        needed_minor: i64,
        held_minor: i64,
    },
    #[error("the amount is too large")]
    Overflow,
}

/// The balances after `op` of `amount_minor`, or why it cannot be applied.
pub fn apply_op(
    before: WalletBalances,
    op: WalletOp,
    amount_minor: i64,
) -> Result<WalletBalances, OpError> {
    if amount_minor <= 0 {
        return Err(OpError::NotPositive);
    }
    let WalletBalances {
        balance_minor: balance,
        locked_minor: locked,
    } = before;
    let short_of_locked = || OpError::InsufficientLocked {
        op: op.as_str(),
        needed_minor: amount_minor,
        held_minor: locked,
    };
    let (balance, locked) = match op {
        WalletOp::Lock if balance < amount_minor => {
            return Err(OpError::InsufficientBalance {
                op: op.as_str(),
                needed_minor: amount_minor,
                held_minor: balance,
            })
        }
        WalletOp::Lock => (balance - amount_minor, add(locked, amount_minor)?),
        WalletOp::Spend => (balance, locked),
        WalletOp::Release | WalletOp::Refund if locked < amount_minor => {
            return Err(short_of_locked())
        }
        WalletOp::Release => (balance, locked - amount_minor),
        WalletOp::Refund => (add(balance, amount_minor)?, locked - amount_minor),
    };
    Ok(WalletBalances {
        balance_minor: balance,
        locked_minor: locked,
    })
}

fn add(a: i64, b: i64) -> Result<i64, OpError> {
    a.checked_add(b).ok_or(OpError::Overflow)
}

/// The balances after a check's fix of `delta_minor` to the locked balance (the balance
/// moves the other way). [`super::decide`] only plans a lock the balance covers.
pub fn apply_fix(before: WalletBalances, fix: Fix, scale: u8) -> Option<WalletBalances> {
    let delta = crate::money::to_minor(fix.locked_delta(), scale).ok()?;
    Some(WalletBalances {
        balance_minor: before.balance_minor.checked_sub(delta)?,
        locked_minor: before.locked_minor.checked_add(delta)?,
    })
}

/// Why a check's adjustment cannot be applied to a wallet as it stands.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AdjustError {
    #[error("an adjustment of zero changes nothing")]
    Zero,
    #[error("the adjustment of {delta_minor} minor units takes the locked balance from {locked_minor} to {after_minor}, not to the expected {expected_minor}")]
    WrongAmount {
        delta_minor: i64,
        locked_minor: i64,
        after_minor: i64,
        expected_minor: i64,
    },
    #[error("insufficient balance: locking {needed_minor} minor units needs a balance that covers it, the balance holds {held_minor}")]
    InsufficientBalance { needed_minor: i64, held_minor: i64 },
    #[error("the amount is too large")]
    Overflow,
}

/// The balances after a check's adjustment of `delta_minor` to the locked balance
/// (negative = unlocked to the balance), checked against the wallet as it stands: the
/// adjustment must bring the locked balance exactly to `expected_locked_minor` (what a fix
/// of [`super::decide`] posts), and a lock must be covered by the balance. Another device
/// (the server, a colleague's laptop) uses it to accept a fix decided elsewhere.
pub fn check_adjustment(
    before: WalletBalances,
    expected_locked_minor: i64,
    delta_minor: i64,
) -> Result<WalletBalances, AdjustError> {
    if delta_minor == 0 {
        return Err(AdjustError::Zero);
    }
    let locked = before
        .locked_minor
        .checked_add(delta_minor)
        .ok_or(AdjustError::Overflow)?;
    if locked != expected_locked_minor {
        return Err(AdjustError::WrongAmount {
            delta_minor,
            locked_minor: before.locked_minor,
            after_minor: locked,
            expected_minor: expected_locked_minor,
        });
    }
    if delta_minor > before.balance_minor {
        return Err(AdjustError::InsufficientBalance {
            needed_minor: delta_minor,
            held_minor: before.balance_minor,
        });
    }
    Ok(WalletBalances {
        balance_minor: before.balance_minor - delta_minor,
        locked_minor: locked,
    })
}

/// What a recorded wallet transaction of `tx_type` moved: (balance, locked) deltas.
/// Imported `credit`s and `debit`s (and the `spend` operation's debit) move nothing here:
/// the platform's snapshots carry them.
pub fn transaction_effect(tx_type: &str, amount_minor: i64) -> Option<(i64, i64)> {
    let a = amount_minor;
    Some(match tx_type {
        "lock" => (a.checked_neg()?, a),
        "unlock" => (0, a.checked_neg()?),
        "refund" => (a, a.checked_neg()?),
        "adjustment" => (a.checked_neg()?, a),
        "credit" | "debit" => (0, 0),
        _ => return None,
    })
}

/// The balances with a recorded operation or adjustment taken back (the compensation of
/// one the server refused), or `None` when that would drive a balance below zero (the
/// money has moved on since) or the type is unknown.
pub fn undo_transaction(
    now: WalletBalances,
    tx_type: &str,
    amount_minor: i64,
) -> Option<WalletBalances> {
    let (balance, locked) = transaction_effect(tx_type, amount_minor)?;
    let after = WalletBalances {
        balance_minor: now.balance_minor.checked_sub(balance)?,
        locked_minor: now.locked_minor.checked_sub(locked)?,
    };
    (after.balance_minor >= 0 && after.locked_minor >= 0).then_some(after)
}

#[cfg(test)]
mod tests {
    use super::*;

    const W: WalletBalances = WalletBalances {
        balance_minor: 1_000,
        locked_minor: 500,
    };

    #[test]
    fn each_operation_moves_the_balances_it_names() {
        let after = |op| apply_op(W, op, 200).unwrap();
        assert_eq!(
            after(WalletOp::Lock),
            WalletBalances {
                balance_minor: 800,
                locked_minor: 700
            }
        );
        assert_eq!(after(WalletOp::Spend), W);
        assert_eq!(
            after(WalletOp::Release),
            WalletBalances {
                balance_minor: 1_000,
                locked_minor: 300
            }
        );
        assert_eq!(
            after(WalletOp::Refund),
            WalletBalances {
                balance_minor: 1_200,
                locked_minor: 300
            }
        );
    }

    #[test]
    fn operations_never_drive_a_balance_below_zero() {
        assert!(matches!(
            apply_op(W, WalletOp::Lock, 1_001),
            Err(OpError::InsufficientBalance { .. })
        ));
        assert!(matches!(
            apply_op(W, WalletOp::Release, 501),
            Err(OpError::InsufficientLocked { .. })
        ));
        assert_eq!(apply_op(W, WalletOp::Refund, 0), Err(OpError::NotPositive));
    }
    #[test]
    fn an_adjustment_is_accepted_only_when_it_brings_locked_to_expected() {
        // Over-locked by 200: unlocking 200 is the fix; unlocking 150 is not.
        assert_eq!(
            check_adjustment(W, 300, -200),
            Ok(WalletBalances {
                balance_minor: 1_200,
                locked_minor: 300
            })
        );
        assert!(matches!(
            check_adjustment(W, 300, -150),
            Err(AdjustError::WrongAmount {
                after_minor: 350,
                ..
            })
        ));
        assert_eq!(check_adjustment(W, 500, 0), Err(AdjustError::Zero));
        // Under-locked by 1,200 with a balance of 1,000: not covered.
        assert!(matches!(
            check_adjustment(W, 1_700, 1_200),
            Err(AdjustError::InsufficientBalance { .. })
        ));
    }

    #[test]
    fn undoing_a_transaction_restores_the_balances_before_it() {
        for op in [
            WalletOp::Lock,
            WalletOp::Release,
            WalletOp::Refund,
            WalletOp::Spend,
        ] {
            let after = apply_op(W, op, 200).unwrap();
            assert_eq!(
                undo_transaction(after, op.transaction_type(), 200),
                Some(W),
                "{op:?}"
            );
        }
        let fixed = check_adjustment(W, 300, -200).unwrap();
        assert_eq!(undo_transaction(fixed, "adjustment", -200), Some(W));
        // The locked money was released since: taking the lock back would go below zero.
        let drained = WalletBalances {
            balance_minor: 0,
            locked_minor: 0,
        };
        assert_eq!(undo_transaction(drained, "lock", 200), None);
    }
}
