//! What a read-only look at a file (the CLI's dry run, the app's preview) checks a parsed row
//! against, so that it says "valid" only for what the import will take: the chosen wallet's
//! currency and the scale of the row's currency whenever that currency is known (from the
//! file, the profile or the wallet).

use crate::ApiResult;
use recon_import::{ParsedRow, Reject, RowResult};
use recon_store::Store;

/// The chosen wallet, if any, and the ledger's currencies (their scales).
pub(crate) struct RowCheck {
    pub(crate) wallet: Option<recon_store::Wallet>,
    currencies: Vec<recon_core::money::Currency>,
}

impl RowCheck {
    pub(crate) fn new(store: &Store, wallet: Option<&str>) -> ApiResult<Self> {
        Ok(Self {
            wallet: wallet.map(|w| store.wallet_by_name(w)).transpose()?,
            currencies: store.currencies()?,
        })
    }

    /// The wallet's currency code, for the readers' own currency checks.
    pub(crate) fn wallet_currency(&self) -> Option<&str> {
        self.wallet.as_ref().map(|w| w.currency.as_str())
    }

    /// The row's amount and balance checked as the import will: in the wallet's currency,
    /// and no finer than the scale of the row's currency. Err is (column, value, why).
    pub(crate) fn check(&self, row: &ParsedRow) -> Result<(), (&'static str, String, String)> {
        let wallet = self.wallet_currency();
        if let (Some(c), Some(w)) = (row.currency.as_deref(), wallet) {
            if !c.eq_ignore_ascii_case(w) {
                let why = format!("the row is in {c} but the wallet holds {w}");
                return Err(("currency", c.to_owned(), why));
            }
        }
        let Some(code) = row.currency.as_deref().or(wallet) else {
            return Ok(());
        };
        let Some(currency) = self
            .currencies
            .iter()
            .find(|c| c.code.eq_ignore_ascii_case(code))
        else {
            return Ok(());
        };
        for (column, value) in [("amount", Some(row.amount)), ("balance", row.balance)] {
            let Some(value) = value else { continue };
            if recon_core::money::to_minor(value, currency.scale).is_err() {
                let text = value.to_string();
                let why = format!(
                    "'{text}' has more decimals than {} allows ({})",
                    currency.code, currency.scale
                );
                return Err((column, text, why));
            }
        }
        Ok(())
    }

    /// A reader's result with this check applied: a row the import would refuse becomes
    /// that reject.
    pub(crate) fn apply(&self, r: RowResult) -> RowResult {
        match r {
            RowResult::Row(row) => match self.check(&row) {
                Ok(()) => RowResult::Row(row),
                Err((column, raw_value, reason)) => RowResult::Reject(Reject {
                    line: row.line,
                    column: Some(column.to_owned()),
                    raw_value,
                    reason,
                    raw: row.raw,
                }),
            },
            reject => reject,
        }
    }
}
