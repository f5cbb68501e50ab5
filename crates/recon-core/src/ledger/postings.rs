//! Double entry. A line is signed minor units: a debit is positive, a credit negative, so
//! "Σ debits = Σ credits for each transaction and each currency" is "the lines of each
//! currency sum to zero". Which accounts each kind of transaction touches:
//!
//! | transaction | debit | credit |
//! |---|---|---|
//! | settlement revenue | `system:settlements` | `program:{slug}:revenue` |
//! | accrual (an entry's earnings) | `program:{slug}:expense` | `{entity_type}:{ref}:liability` |
//! | payout (payout issue) | `{entity_type}:{ref}:liability` | `system:payouts` |
//! | reversal | the exact opposite of the lines it reverses | |

use super::kinds::EntityType;
use crate::money::Money;
use std::collections::BTreeMap;

pub const SETTLEMENTS_ACCOUNT: &str = "system:settlements";
pub const PAYOUTS_ACCOUNT: &str = "system:payouts";

pub fn revenue_account(program_slug: &str) -> String {
    format!("program:{program_slug}:revenue")
}

pub fn expense_account(program_slug: &str) -> String {
    format!("program:{program_slug}:expense")
}

pub fn liability_account(entity_type: EntityType, entity_ref: &str) -> String {
    format!("{}:{entity_ref}:liability", entity_type.as_str())
}

/// One posting line: debit when `amount_minor` > 0, credit when < 0.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub account: String,
    pub currency: String,
    pub amount_minor: i64,
}

impl Line {
    pub fn debit(account: impl Into<String>, amount: &Money) -> Line {
        Line {
            account: account.into(),
            currency: amount.currency().to_owned(),
            amount_minor: amount.minor_units(),
        }
    }

    pub fn credit(account: impl Into<String>, amount: &Money) -> Line {
        Line {
            account: account.into(),
            currency: amount.currency().to_owned(),
            amount_minor: -amount.minor_units(),
        }
    }

    pub fn debit_minor(&self) -> i64 {
        self.amount_minor.max(0)
    }

    pub fn credit_minor(&self) -> i64 {
        (-i128::from(self.amount_minor)).max(0) as i64
    }
}

/// A settlement's revenue: debit `system:settlements`, credit the program's revenue.
/// A zero amount moves nothing and posts no line.
pub fn settlement_lines(program_slug: &str, gross: &Money) -> Vec<Line> {
    two_lines(
        SETTLEMENTS_ACCOUNT.to_owned(),
        revenue_account(program_slug),
        gross,
    )
}

/// An entry's earnings: debit the program's expense, credit the entity's liability.
pub fn accrual_lines(
    program_slug: &str,
    entity_type: EntityType,
    entity_ref: &str,
    earnings: &Money,
) -> Vec<Line> {
    two_lines(
        expense_account(program_slug),
        liability_account(entity_type, entity_ref),
        earnings,
    )
}

/// Paying an entity: debit its liability, credit `system:payouts`.
pub fn payout_lines(entity_type: EntityType, entity_ref: &str, amount: &Money) -> Vec<Line> {
    two_lines(
        liability_account(entity_type, entity_ref),
        PAYOUTS_ACCOUNT.to_owned(),
        amount,
    )
}

/// The exact opposite of `lines`: same accounts, same order, signs swapped.
pub fn reversal_lines(lines: &[Line]) -> Vec<Line> {
    lines
        .iter()
        .map(|l| Line {
            amount_minor: -l.amount_minor,
            ..l.clone()
        })
        .collect()
}

fn two_lines(debit: String, credit: String, amount: &Money) -> Vec<Line> {
    if amount.minor_units() == 0 {
        return Vec::new();
    }
    vec![Line::debit(debit, amount), Line::credit(credit, amount)]
}

/// Why a transaction does not balance: the first currency whose debits and credits differ.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{currency}: debits {debits_minor} ≠ credits {credits_minor} (minor units)")]
pub struct Unbalanced {
    pub currency: String,
    pub debits_minor: i128,
    pub credits_minor: i128,
}

/// Running Σ debits and Σ credits per currency of one transaction (constant memory per
/// currency; `ledger verify` feeds it line by line).
#[derive(Debug, Default, Clone)]
pub struct Balance {
    per_currency: BTreeMap<String, (i128, i128)>,
}

impl Balance {
    pub fn add(&mut self, currency: &str, amount_minor: i64) {
        let entry = match self.per_currency.get_mut(currency) {
            Some(e) => e,
            None => self.per_currency.entry(currency.to_owned()).or_default(),
        };
        if amount_minor > 0 {
            entry.0 += i128::from(amount_minor);
        } else {
            entry.1 -= i128::from(amount_minor);
        }
    }

    /// Ok when every currency's debits equal its credits.
    pub fn check(&self) -> Result<(), Unbalanced> {
        match self.per_currency.iter().find(|(_, (d, c))| d != c) {
            None => Ok(()),
            Some((currency, (d, c))) => Err(Unbalanced {
                currency: currency.clone(),
                debits_minor: *d,
                credits_minor: *c,
            }),
        }
    }

    pub fn clear(&mut self) {
        self.per_currency.clear();
    }
}

/// The rule checked before anything is written: Σ debits = Σ credits per currency.
pub fn check_balanced(lines: &[Line]) -> Result<(), Unbalanced> {
    let mut b = Balance::default();
    for l in lines {
        b.add(&l.currency, l.amount_minor);
    }
    b.check()
}

/// [`check_balanced`] for a transaction all in one currency, from its signed amounts (bulk
/// imports check each transaction without building its lines' account names).
pub fn check_balanced_amounts(currency: &str, amounts: &[i64]) -> Result<(), Unbalanced> {
    let (mut debits, mut credits) = (0i128, 0i128);
    for &a in amounts {
        if a > 0 {
            debits += i128::from(a);
        } else {
            credits -= i128::from(a);
        }
    }
    if debits == credits {
        return Ok(());
    }
    Err(Unbalanced {
        currency: currency.to_owned(),
        debits_minor: debits,
        credits_minor: credits,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Currency;

    #[test]
    fn accruals_settlements_and_reversals_balance_and_use_conventional_signs() {
        let usd = Currency::new("USD", 2, "").unwrap();
        let m = Money::from_minor(1234, &usd);
        let acc = accrual_lines("p", EntityType::Affiliate, "A1", &m);
        assert_eq!(acc[0].account, "program:p:expense");
        assert_eq!(acc[0].debit_minor(), 1234);
        assert_eq!(acc[1].account, "affiliate:A1:liability");
        assert_eq!(acc[1].credit_minor(), 1234);
        check_balanced(&acc).unwrap();
        let rev = reversal_lines(&acc);
        assert_eq!(rev[0].credit_minor(), 1234);
        check_balanced(&rev).unwrap();
        check_balanced(&settlement_lines("p", &m)).unwrap();
        assert!(settlement_lines("p", &Money::zero(&usd)).is_empty());
    }

    #[test]
    fn an_unbalanced_currency_is_named_even_when_another_balances() {
        let usd = Currency::new("USD", 2, "").unwrap();
        let eur = Currency::new("EUR", 2, "").unwrap();
        let mut lines = accrual_lines("p", EntityType::Sponsor, "S", &Money::from_minor(5, &usd));
        lines.push(Line::debit("x", &Money::from_minor(5, &eur)));
        lines.push(Line::credit("y", &Money::from_minor(5, &usd)));
        let err = check_balanced(&lines).unwrap_err();
        assert_eq!(err.currency, "EUR");
        let one = check_balanced_amounts("USD", &[5, -4]).unwrap_err();
        assert_eq!((one.debits_minor, one.credits_minor), (5, 4));
        check_balanced_amounts("USD", &[5, -5]).unwrap();
        // 5 USD credited more than debited too, but EUR sorts first
        assert_eq!((err.debits_minor, err.credits_minor), (5, 0));
    }
}
