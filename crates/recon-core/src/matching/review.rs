//! The checks of a reviewer's steps: linking a receipt by hand, splitting it across
//! expected payments, rejecting it, undoing a step, editing an expected payment. Each
//! check says what it refuses and why, in words a reviewer can act on.

use super::ExpectedStatus;
use crate::money::{Currency, Money, MoneyArithmeticError, MoneyError};

/// Why a reviewer's step is refused. [`ReviewRefusal::is_conflict`] tells a step that
/// clashes with the ledger's state (retry after changing it) from a malformed request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReviewRefusal {
    #[error("journal line {journal_id} is not incoming money ({amount})")]
    NotIncoming { journal_id: String, amount: String },
    #[error("journal line {journal_id} is already linked to '{memo}'; unlink it first")]
    AlreadyLinked { journal_id: String, memo: String },
    #[error("journal line {journal_id} was marked not a participation payment; undo that first")]
    Rejected { journal_id: String },
    #[error(
        "'{memo}' is {status}; only expected payments awaiting payment or confirmed take payments"
    )]
    NotTakingPayments {
        memo: String,
        status: ExpectedStatus,
    },
    #[error("'{memo}' expects {expected} but journal line {journal_id} is in {received}")]
    CurrencyMismatch {
        memo: String,
        expected: String,
        journal_id: String,
        received: String,
    },
    #[error("share for '{memo}': {error}")]
    BadShare { memo: String, error: MoneyError },
    #[error("share for '{memo}': must be above zero")]
    ShareNotPositive { memo: String },
    #[error("'{memo}' appears twice in the split")]
    TwiceInSplit { memo: String },
    #[error("the shares overflow")]
    SharesOverflow,
    #[error("the shares add up to {total} but journal line {journal_id} is {receipt}")]
    SharesDoNotAddUp {
        total: String,
        journal_id: String,
        receipt: String,
    },
    #[error("a split needs at least two expected payments")]
    TooFewShares,
    #[error("journal line {journal_id} is linked to '{memo}'; unlink it before rejecting it")]
    RejectLinked { journal_id: String, memo: String },
    #[error("journal line {journal_id} is already marked not a participation payment")]
    AlreadyRejected { journal_id: String },
    #[error("cannot undo: the receipt has since been linked to '{memo}'; unlink it first")]
    UndoRelinked { memo: String },
    #[error("cannot undo: the receipt has since been marked not a participation payment")]
    UndoRejected,
    #[error("'{memo}' is {status}; only an expected payment still awaiting payment can be edited")]
    EditNotAwaiting {
        memo: String,
        status: ExpectedStatus,
    },
    #[error("journal line {journal_id} is not marked not a participation payment; there is nothing to restore")]
    NotRejected { journal_id: String },
    #[error("{field}: is empty")]
    EmptyField { field: &'static str },
    #[error("{field}: {why}")]
    BadText { field: &'static str, why: String },
}

impl ReviewRefusal {
    /// True when the step clashes with what the ledger holds now, rather than being
    /// malformed in itself.
    pub fn is_conflict(&self) -> bool {
        matches!(
            self,
            Self::AlreadyLinked { .. }
                | Self::Rejected { .. }
                | Self::NotTakingPayments { .. }
                | Self::RejectLinked { .. }
                | Self::AlreadyRejected { .. }
                | Self::UndoRelinked { .. }
                | Self::UndoRejected
                | Self::EditNotAwaiting { .. }
                | Self::NotRejected { .. }
        )
    }
}

/// A receipt as the checks see it: its amount, and what already holds it.
#[derive(Debug, Clone, Copy)]
pub struct ReceiptState<'a> {
    pub journal_id: &'a str,
    pub amount: &'a Money,
    /// The memo of an expected payment it is actively linked to, if any.
    pub linked_to: Option<&'a str>,
    /// Marked "not a participation payment" (and not undone).
    pub rejected: bool,
}

/// A receipt can be linked by hand only when it is incoming money, not linked yet and
/// not rejected.
pub fn check_linkable(receipt: ReceiptState<'_>) -> Result<(), ReviewRefusal> {
    let journal_id = receipt.journal_id.to_owned();
    if receipt.amount.minor_units() <= 0 {
        return Err(ReviewRefusal::NotIncoming {
            journal_id,
            amount: receipt.amount.to_string(),
        });
    }
    if let Some(memo) = receipt.linked_to {
        return Err(ReviewRefusal::AlreadyLinked {
            journal_id,
            memo: memo.to_owned(),
        });
    }
    if receipt.rejected {
        return Err(ReviewRefusal::Rejected { journal_id });
    }
    Ok(())
}

/// A receipt can be rejected only when nothing links it and it is not rejected already.
pub fn check_rejectable(receipt: ReceiptState<'_>) -> Result<(), ReviewRefusal> {
    let journal_id = receipt.journal_id.to_owned();
    if let Some(memo) = receipt.linked_to {
        return Err(ReviewRefusal::RejectLinked {
            journal_id,
            memo: memo.to_owned(),
        });
    }
    if receipt.rejected {
        return Err(ReviewRefusal::AlreadyRejected { journal_id });
    }
    Ok(())
}

/// Undo restores a link its step removed only when the receipt is still free.
pub fn check_restorable(linked_to: Option<&str>, rejected: bool) -> Result<(), ReviewRefusal> {
    if let Some(memo) = linked_to {
        return Err(ReviewRefusal::UndoRelinked {
            memo: memo.to_owned(),
        });
    }
    if rejected {
        return Err(ReviewRefusal::UndoRejected);
    }
    Ok(())
}

/// Only an expected payment still awaiting payment can be edited.
pub fn check_editable(memo: &str, status: ExpectedStatus) -> Result<(), ReviewRefusal> {
    if status != ExpectedStatus::AwaitingPayment {
        return Err(ReviewRefusal::EditNotAwaiting {
            memo: memo.to_owned(),
            status,
        });
    }
    Ok(())
}

/// A receipt marked "not a participation payment" can be restored (back into the matching
/// input); one that is not marked has nothing to restore.
pub fn check_restore(receipt: ReceiptState<'_>) -> Result<(), ReviewRefusal> {
    if !receipt.rejected {
        return Err(ReviewRefusal::NotRejected {
            journal_id: receipt.journal_id.to_owned(),
        });
    }
    Ok(())
}

/// A memo or payer name a reviewer typed: trimmed, not empty, no control characters.
/// Returns the text to store.
pub fn check_edited_text(field: &'static str, text: &str) -> Result<String, ReviewRefusal> {
    let text = text.trim();
    if text.is_empty() {
        return Err(ReviewRefusal::EmptyField { field });
    }
    crate::untrusted::check_free_text(text).map_err(|why| ReviewRefusal::BadText { field, why })?;
    Ok(text.to_owned())
}

/// A split needs at least two expected payments (one is a plain link).
pub fn check_split_size(shares: usize) -> Result<(), ReviewRefusal> {
    if shares < 2 {
        return Err(ReviewRefusal::TooFewShares);
    }
    Ok(())
}

/// An expected payment a share would go to.
#[derive(Debug, Clone, Copy)]
pub struct ShareTarget<'a> {
    pub id: &'a str,
    pub memo: &'a str,
    pub status: ExpectedStatus,
    pub currency: &'a str,
}

/// The shares of one receipt, checked one by one as they are added, then as a whole:
/// each goes to a payment that takes payments in the receipt's currency, is above zero
/// and exact in that currency, no payment twice, and together they are the receipt.
#[derive(Debug)]
pub struct SharePlan<'a> {
    journal_id: &'a str,
    receipt: &'a Money,
    currency: &'a Currency,
    ids: Vec<String>,
    shares: Vec<Money>,
}

impl<'a> SharePlan<'a> {
    /// `currency` is the receipt's (its scale is what a share may have).
    pub fn new(journal_id: &'a str, receipt: &'a Money, currency: &'a Currency) -> Self {
        debug_assert_eq!(receipt.currency(), currency.code);
        Self {
            journal_id,
            receipt,
            currency,
            ids: Vec::new(),
            shares: Vec::new(),
        }
    }

    /// Adds a share: `amount_text` as typed, or `None` for the whole receipt (a plain link).
    pub fn add(
        &mut self,
        target: ShareTarget<'_>,
        amount_text: Option<&str>,
    ) -> Result<&Money, ReviewRefusal> {
        let memo = || target.memo.to_owned();
        if !target.status.takes_payments() {
            return Err(ReviewRefusal::NotTakingPayments {
                memo: memo(),
                status: target.status,
            });
        }
        if target.currency != self.currency.code {
            return Err(ReviewRefusal::CurrencyMismatch {
                memo: memo(),
                expected: target.currency.to_owned(),
                journal_id: self.journal_id.to_owned(),
                received: self.currency.code.clone(),
            });
        }
        let share = match amount_text {
            None => self.receipt.clone(),
            Some(text) => {
                let share = Money::parse(text.trim(), self.currency).map_err(|error| {
                    ReviewRefusal::BadShare {
                        memo: memo(),
                        error,
                    }
                })?;
                if share.minor_units() <= 0 {
                    return Err(ReviewRefusal::ShareNotPositive { memo: memo() });
                }
                share
            }
        };
        if self.ids.iter().any(|id| id == target.id) {
            return Err(ReviewRefusal::TwiceInSplit { memo: memo() });
        }
        self.ids.push(target.id.to_owned());
        self.shares.push(share);
        Ok(self.shares.last().expect("just pushed"))
    }

    /// The shares, in the order added, once they add up to exactly the receipt.
    pub fn finish(self) -> Result<Vec<Money>, ReviewRefusal> {
        let mut total = Money::zero(self.currency);
        for share in &self.shares {
            total = total.checked_add(share).map_err(|e| match e {
                MoneyArithmeticError::Overflow(_) => ReviewRefusal::SharesOverflow,
                MoneyArithmeticError::CurrencyMismatch { .. } => {
                    unreachable!("every share was parsed in the receipt's currency")
                }
            })?;
        }
        if total != *self.receipt {
            return Err(ReviewRefusal::SharesDoNotAddUp {
                total: total.amount_text(),
                journal_id: self.journal_id.to_owned(),
                receipt: self.receipt.to_string(),
            });
        }
        Ok(self.shares)
    }
}
