//! Rules of expected payments themselves: a valid expected amount, when an imported row
//! is the payment already held (a duplicate) rather than a clash, and which payments
//! opening a cycle cancels.

use super::ExpectedStatus;
use crate::money::{Currency, Money, MoneyError};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AmountRefusal {
    #[error(transparent)]
    Money(#[from] MoneyError),
    #[error("must be above zero")]
    NotPositive,
}

/// An expected amount: exact in its currency and above zero.
pub fn expected_amount(text: &str, currency: &Currency) -> Result<Money, AmountRefusal> {
    let amount = Money::parse(text, currency)?;
    if amount.minor_units() <= 0 {
        return Err(AmountRefusal::NotPositive);
    }
    Ok(amount)
}

/// What makes two expected payments with one memo the same payment: a row that equals the
/// one held is a duplicate (re-importing a file adds nothing); any difference is a clash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExpectedIdentity<'a> {
    pub cycle_id: &'a str,
    pub character_name: &'a str,
    pub character_id: Option<i64>,
    /// Amount and currency: the same figure in another currency is another payment.
    pub amount: &'a Money,
}

/// Why a cycle cannot be opened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CycleRefusal {
    #[error("the cycle has no expected payments")]
    Unknown,
}

/// Opening a cycle cancels its expected payments still awaiting payment (they are kept,
/// with their history); every other status stays. Returns the indices of `statuses` (the
/// cycle's payments) to cancel. A cycle is known only by its payments, so one with none is
/// refused.
pub fn cycle_opening(statuses: &[ExpectedStatus]) -> Result<Vec<usize>, CycleRefusal> {
    if statuses.is_empty() {
        return Err(CycleRefusal::Unknown);
    }
    Ok(statuses
        .iter()
        .enumerate()
        .filter(|(_, s)| **s == ExpectedStatus::AwaitingPayment)
        .map(|(i, _)| i)
        .collect())
}
