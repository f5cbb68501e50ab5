//! What an event touches, as keys both sides can name: `e:{memo}` for an expected payment
//! (memo normalized), `j:{wallet key}:{id}` for a journal line. A colleague's event that
//! touches a key of a local change still unanswered waits (SPEC §9: the server answers
//! this ledger's change first, and the colleague's is applied on top of that answer).

use recon_core::matching::normalize_memo;
use recon_sync::matching::{ExpectedRef, JournalRef, MatchLink};
use recon_sync::EventBody;
use std::collections::HashSet;

fn expected(memo: &str) -> String {
    format!("e:{}", normalize_memo(memo))
}

fn journal(wallet_key: &str, id: &str) -> String {
    format!("j:{wallet_key}:{id}")
}

fn of_ref(r: &JournalRef) -> String {
    journal(&r.wallet_key, &r.journal_id)
}

fn of_expected(r: &ExpectedRef) -> String {
    expected(&r.memo)
}

fn links<'a>(links: impl IntoIterator<Item = &'a MatchLink>, keys: &mut HashSet<String>) {
    for link in links {
        keys.insert(of_expected(&link.expected));
        keys.insert(of_ref(&link.journal));
    }
}

/// The keys `body` touches (none for kinds not tied to a journal line or payment).
pub(crate) fn touched(body: &EventBody) -> HashSet<String> {
    let mut keys = HashSet::new();
    match body {
        EventBody::JournalLinesImported(b) => {
            for line in &b.lines {
                keys.insert(journal(&b.wallet.key, &line.id.to_string()));
            }
        }
        EventBody::ExpectedPaymentsAdded(b) => {
            keys.extend(b.payments.iter().map(|p| expected(&p.memo)));
        }
        EventBody::ExpectedPaymentEdited(b) => {
            keys.insert(expected(&b.payment.memo));
            // The memo it had names it on a ledger the rename has not reached yet.
            keys.extend(b.renamed_from.iter().map(|m| expected(m)));
        }
        EventBody::MatchLinked(b) => links(&b.links, &mut keys),
        EventBody::MatchUnlinked(b) => links(&b.links, &mut keys),
        EventBody::ReceiptSplit(b) => {
            keys.insert(of_ref(&b.journal));
            links(&b.shares, &mut keys);
        }
        EventBody::ReceiptRejected(b) => {
            keys.insert(of_ref(&b.journal));
        }
        EventBody::MatchUndone(b) => {
            links(b.links_removed.iter().chain(&b.links_restored), &mut keys);
            keys.extend(b.rejections_lifted.iter().map(of_ref));
        }
        EventBody::CycleOpened(b) => {
            keys.extend(b.cancelled.iter().map(|m| expected(m)));
        }
        // Payout batches by id, entries by key (issue 12): a colleague's move of a batch
        // waits while this ledger's own move of it is unanswered.
        EventBody::PayoutBatchCreated(b) => {
            keys.insert(format!("b:{}", b.batch_id));
        }
        EventBody::PayoutEntriesReserved(b) => {
            keys.insert(format!("b:{}", b.batch_id));
        }
        EventBody::PayoutBatchEdited(b) => {
            keys.insert(format!("b:{}", b.batch_id));
        }
        EventBody::PayoutBatchDeleted(b) => {
            keys.insert(format!("b:{}", b.batch_id));
        }
        EventBody::PayoutBatchTransitioned(b) => {
            keys.insert(format!("b:{}", b.batch_id));
        }
        EventBody::ConversionApproved(b) => {
            keys.insert(format!("x:conversion:{}", b.conversion_id));
        }
        EventBody::ConversionRejected(b) => {
            keys.insert(format!("x:conversion:{}", b.conversion_id));
        }
        EventBody::LedgerEntryReversed(b) => {
            keys.insert(format!("x:{}:{}", b.source, b.source_ref));
        }
        other => wallet_checks(other, &mut keys),
    }
    keys
}

/// Wallet checks (issue 12): workspace wallets by id (`w:`), a workspace's activations
/// and its wallet in one currency (`ws:`), check runs by id (`run:`, so a fix waits with
/// its run).
fn wallet_checks(body: &EventBody, keys: &mut HashSet<String>) {
    let wallet = |id: &str| format!("w:{id}");
    let workspace = |ws: &str, currency: &str| format!("ws:{ws}:{currency}");
    match body {
        EventBody::WorkspaceWalletsImported(b) => {
            for w in &b.wallets {
                keys.insert(wallet(&w.wallet_id));
                keys.insert(workspace(&w.workspace_id, &w.currency));
            }
        }
        EventBody::ActivationsImported(b) => {
            keys.extend(
                b.activations
                    .iter()
                    .map(|a| workspace(&a.workspace_id, &a.currency)),
            );
        }
        EventBody::WalletTransactionsImported(b) => {
            keys.extend(b.transactions.iter().map(|t| wallet(&t.wallet_id)));
        }
        EventBody::WalletOperationRecorded(b) => {
            keys.insert(wallet(&b.transaction.wallet_id));
        }
        EventBody::WalletCheckRun(b) => {
            keys.insert(format!("run:{}", b.run_id));
        }
        EventBody::WalletAdjusted(b) => {
            keys.insert(wallet(&b.transaction.wallet_id));
            keys.insert(format!("run:{}", b.run_id));
        }
        _ => {}
    }
}

/// The keys of every event this ledger has not had answered yet.
pub(crate) fn unanswered(conn: &rusqlite::Connection) -> crate::Result<HashSet<String>> {
    let mut stmt = conn.prepare_cached("SELECT body FROM outbox WHERE sent_at IS NULL")?;
    let mut rows = stmt.query([])?;
    let mut keys = HashSet::new();
    while let Some(row) = rows.next()? {
        let body: String = row.get(0)?;
        // An outbox body this build cannot read touches nothing it could name.
        if let Ok(body) = serde_json::from_str::<EventBody>(&body) {
            keys.extend(touched(&body));
        }
    }
    Ok(keys)
}
