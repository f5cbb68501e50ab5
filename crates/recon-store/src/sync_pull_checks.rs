//! Which colleagues' wallet-check events this ledger applies when pulled (issue 12), and
//! where each goes: `checks/remote.rs`. Each is held while this ledger has an unanswered
//! change of the same wallet (`sync_keys`: `w:{wallet}`, `ws:{workspace}:{currency}`,
//! `run:{id}`).

use crate::checks::remote as checks;
use crate::ledger::remote::Applied;
use recon_sync::EventBody;
use rusqlite::Transaction;

pub(crate) fn handles(body: &EventBody) -> bool {
    matches!(
        body,
        EventBody::WorkspaceWalletsImported(_)
            | EventBody::ActivationsImported(_)
            | EventBody::WalletTransactionsImported(_)
            | EventBody::WalletOperationRecorded(_)
            | EventBody::WalletCheckRun(_)
            | EventBody::WalletAdjusted(_)
    )
}

/// Applies one of the kinds [`handles`] says yes to, as `by` (the colleague the server
/// authenticated) at `now`.
pub(crate) fn apply(tx: &Transaction<'_>, now: &str, by: &str, body: &EventBody) -> Applied {
    match body {
        EventBody::WorkspaceWalletsImported(b) => checks::wallets_imported(tx, now, by, b),
        EventBody::ActivationsImported(b) => checks::activations_imported(tx, now, by, b),
        EventBody::WalletTransactionsImported(b) => checks::transactions_imported(tx, by, b),
        EventBody::WalletOperationRecorded(b) => checks::operation_recorded(tx, by, b),
        EventBody::WalletCheckRun(b) => checks::check_run(tx, now, by, b),
        EventBody::WalletAdjusted(b) => checks::adjusted(tx, by, b),
        other => Ok(Err(format!(
            "this ledger does not apply colleagues' '{}' events yet",
            other.kind()
        ))),
    }
}
