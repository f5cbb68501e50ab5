//! What an expected payment's active links make of it: its status, its actual amount
//! (the sum of the links), whether that differs from what was expected, and who paid.
//! The ledger re-derives this every time a payment's links change.

use super::ExpectedStatus;
use crate::money::{Money, MoneyArithmeticError};

/// One active link as the rule sees it, in the order the receipts were recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActiveLink {
    pub amount: Money,
    pub payer_id: Option<i64>,
}

/// The part of an expected payment its links decide.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentState {
    pub status: ExpectedStatus,
    pub actual: Option<Money>,
    pub actual_payer_id: Option<i64>,
    pub amount_adjusted: bool,
    /// When the payment was confirmed (the ledger's timestamp text).
    pub validated_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EffectError {
    /// A link in another currency than the payment expects, or a total too large.
    #[error(transparent)]
    Amount(#[from] MoneyArithmeticError),
}

/// The effect of `links` on a payment that expects `expected` and now stands at
/// `current`. `now` is the timestamp a payment confirmed by these links records.
///
/// - No links: no actual amount or payer; a confirmed payment goes back to awaiting.
/// - Links: the actual amount is their sum (in the expected currency: another currency is
///   refused); `amount_adjusted` when it differs from `expected`; the payer who paid most
///   (the earliest on a tie) is the actual payer; an awaiting payment is confirmed at `now`.
///
/// Other statuses (cancelled, refunded, …) are never changed by links.
pub fn link_effect(
    current: &PaymentState,
    expected: &Money,
    links: &[ActiveLink],
    now: &str,
) -> Result<PaymentState, EffectError> {
    let mut after = current.clone();
    if links.is_empty() {
        after.actual = None;
        after.actual_payer_id = None;
        after.amount_adjusted = false;
        if after.status == ExpectedStatus::Confirmed {
            after.status = ExpectedStatus::AwaitingPayment;
            after.validated_at = None;
        }
        return Ok(after);
    }
    // Zero in the expected currency: a link in another currency is then refused by `Money`.
    let mut total = expected.checked_sub(expected)?;
    for link in links {
        total = total.checked_add(&link.amount)?;
    }
    after.actual_payer_id = top_payer(links)?;
    after.amount_adjusted = total != *expected;
    after.actual = Some(total);
    if after.status == ExpectedStatus::AwaitingPayment {
        after.status = ExpectedStatus::Confirmed;
        after.validated_at = Some(now.to_owned());
    }
    Ok(after)
}

/// The payer who paid most in total; the one seen first wins a tie.
fn top_payer(links: &[ActiveLink]) -> Result<Option<i64>, EffectError> {
    let mut by_payer: Vec<(Option<i64>, Money)> = Vec::new();
    for link in links {
        match by_payer.iter_mut().find(|(p, _)| *p == link.payer_id) {
            Some(entry) => entry.1 = entry.1.checked_add(&link.amount)?,
            None => by_payer.push((link.payer_id, link.amount.clone())),
        }
    }
    let best = by_payer
        .iter()
        .map(|(_, a)| a.minor_units())
        .max()
        .unwrap_or(0);
    Ok(by_payer
        .iter()
        .find(|(_, a)| a.minor_units() == best)
        .and_then(|(p, _)| *p))
}
