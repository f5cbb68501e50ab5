//! A profile's columns resolved against the file's header: indices instead of names, and
//! the names used in rejects.

use crate::profile::{
    AmountMapping, Column, CurrencySource, DEFAULT_CREDIT_VALUES, DEFAULT_DEBIT_VALUES,
};
use crate::ImportError;

pub(super) struct Resolved {
    pub(super) date: usize,
    pub(super) amount: ResolvedAmount,
    pub(super) description: Option<usize>,
    pub(super) counterparty: Option<usize>,
    pub(super) reference: Option<usize>,
    pub(super) balance: Option<usize>,
    pub(super) currency: Option<ResolvedCurrency>,
    names: Vec<String>,
}

pub(super) enum ResolvedAmount {
    Single(usize, bool),
    DebitCredit(usize, usize),
    Indicator(usize, usize, Vec<String>, Vec<String>),
}

pub(super) enum ResolvedCurrency {
    Fixed(String),
    Column(usize),
}

fn resolve(col: &Column, header: Option<&[String]>) -> Result<usize, ImportError> {
    match (col, header) {
        (Column::Index(i), _) => Ok(i - 1),
        (Column::Name(n), Some(h)) => {
            let want = n.trim().to_lowercase();
            let at: Vec<usize> = (0..h.len())
                .filter(|&i| h[i].trim().to_lowercase() == want)
                .collect();
            // A name the header repeats ("Währung" twice) names no one column: by position.
            if at.len() > 1 {
                let positions: Vec<String> = at.iter().map(|i| (i + 1).to_string()).collect();
                return Err(ImportError::Profile {
                    message: format!(
                        "column '{n}' appears {} times in the header (columns {}): choose it by position, e.g. {}",
                        at.len(),
                        positions.join(", "),
                        at[0] + 1
                    ),
                });
            }
            at.first()
                .copied()
                .ok_or_else(|| ImportError::MissingColumn {
                    column: format!("'{n}'"),
                    available: h
                        .iter()
                        .map(|x| format!("'{x}'"))
                        .collect::<Vec<_>>()
                        .join(", "),
                })
        }
        (Column::Name(n), None) => Err(ImportError::Profile {
            message: format!("column '{n}' is named but the file has no header"),
        }),
    }
}

fn upper_list(values: &[String], defaults: &[&str]) -> Vec<String> {
    if values.is_empty() {
        defaults.iter().map(|s| s.to_string()).collect()
    } else {
        values.iter().map(|s| s.trim().to_uppercase()).collect()
    }
}

impl Resolved {
    pub(super) fn new(
        p: &crate::Profile,
        header: Option<&[String]>,
        width: usize,
    ) -> Result<Self, ImportError> {
        let r = |c: &Column| resolve(c, header);
        let opt = |c: &Option<Column>| c.as_ref().map(r).transpose();
        let amount = match &p.amount {
            AmountMapping::Single { column, negate } => ResolvedAmount::Single(r(column)?, *negate),
            AmountMapping::DebitCredit { debit, credit } => {
                ResolvedAmount::DebitCredit(r(debit)?, r(credit)?)
            }
            AmountMapping::Indicator {
                column,
                indicator,
                debit_values,
                credit_values,
            } => ResolvedAmount::Indicator(
                r(column)?,
                r(indicator)?,
                upper_list(debit_values, DEFAULT_DEBIT_VALUES),
                upper_list(credit_values, DEFAULT_CREDIT_VALUES),
            ),
        };
        let names = match header {
            Some(h) => h
                .iter()
                .enumerate()
                .map(|(i, n)| {
                    if n.trim().is_empty() {
                        format!("column {}", i + 1)
                    } else {
                        n.trim().to_string()
                    }
                })
                .collect(),
            None => (1..=width).map(|i| format!("column {i}")).collect(),
        };
        Ok(Self {
            date: r(&p.date)?,
            amount,
            description: opt(&p.description)?,
            counterparty: opt(&p.counterparty)?,
            reference: opt(&p.reference)?,
            balance: opt(&p.balance)?,
            currency: match &p.currency {
                None => None,
                Some(CurrencySource::Fixed(c)) => Some(ResolvedCurrency::Fixed(c.clone())),
                Some(CurrencySource::Column(c)) => Some(ResolvedCurrency::Column(r(c)?)),
            },
            names,
        })
    }

    pub(super) fn name(&self, i: usize) -> String {
        self.names
            .get(i)
            .cloned()
            .unwrap_or_else(|| format!("column {}", i + 1))
    }
}
