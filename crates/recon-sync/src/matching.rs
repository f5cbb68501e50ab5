//! Events of the matching family: expected payments added or edited, links made and
//! removed, receipts rejected or split, steps undone, cycles opened.
//!
//! Nothing here names a ledger's local row ids: an expected payment travels as its memo
//! and cycle ([`ExpectedRef`]), a journal line as its wallet's key and its natural id
//! ([`JournalRef`]), so another laptop or the server recognises them. Amounts are decimal
//! strings with their currency. Large runs are cut into events of at most
//! [`MAX_LINKS_PER_EVENT`] items.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Most items (payments, links, memos) one matching event carries.
pub const MAX_LINKS_PER_EVENT: usize = 500;

/// The `kind` of each matching event on the wire.
pub const EXPECTED_PAYMENTS_ADDED: &str = "expected_payments_added";
pub const EXPECTED_PAYMENT_EDITED: &str = "expected_payment_edited";
pub const MATCH_LINKED: &str = "match_linked";
pub const MATCH_UNLINKED: &str = "match_unlinked";
pub const RECEIPT_REJECTED: &str = "receipt_rejected";
pub const RECEIPT_SPLIT: &str = "receipt_split";
pub const MATCH_UNDONE: &str = "match_undone";
pub const CYCLE_OPENED: &str = "cycle_opened";

/// An expected payment as another device knows it: memos are unique per ledger
/// (ignoring case and spacing), the cycle says which one it belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExpectedRef {
    pub memo: String,
    pub cycle_id: String,
}

/// A journal line as another device knows it: its wallet's sync key (see `WalletRef`)
/// and its natural id in that wallet (the ESI id or bank reference).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JournalRef {
    pub wallet_key: String,
    pub journal_id: String,
}

/// One expected payment as added or edited.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExpectedPayment {
    pub memo: String,
    pub cycle_id: String,
    pub character_name: String,
    pub character_id: Option<i64>,
    pub expected_amount: Decimal,
    pub currency: String,
    /// `awaiting_payment`, `confirmed`, … as the ledger spells it.
    pub status: String,
}

/// Expected payments added by hand (`file` = None) or imported from a file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExpectedPaymentsAdded {
    pub file: Option<String>,
    pub payments: Vec<ExpectedPayment>,
}

/// An expected payment's amount, memo or payer changed; `payment` is how it stands now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExpectedPaymentEdited {
    pub payment: ExpectedPayment,
    /// The memo it was known by, when the edit changed it (absent from older clients).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renamed_from: Option<String>,
}

/// One link between a receipt (or a share of it) and an expected payment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MatchLink {
    pub expected: ExpectedRef,
    pub journal: JournalRef,
    pub amount: Decimal,
    pub currency: String,
    /// `auto_exact`, `auto_contains`, `auto_fuzzy` or `manual`.
    pub match_type: String,
    pub score: Option<u32>,
}

/// Links made by a matching run or a reviewer (`action`: `run`, `link`, `accept`,
/// `bulk_accept`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MatchLinked {
    pub action: String,
    pub links: Vec<MatchLink>,
}

/// Links removed by a reviewer's unlink.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MatchUnlinked {
    pub links: Vec<MatchLink>,
}

/// A receipt marked "not a participation payment".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptRejected {
    pub journal: JournalRef,
    pub reason: String,
}

/// One receipt split across expected payments: the shares add up to the receipt.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReceiptSplit {
    pub journal: JournalRef,
    pub shares: Vec<MatchLink>,
}

/// A reviewer step undone: the links it had made are removed, the links it had removed
/// are back, and a rejection it had made is lifted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MatchUndone {
    /// The kind of the step undone (`link`, `unlink`, `reject`, `split`, …).
    pub undone: String,
    pub links_removed: Vec<MatchLink>,
    pub links_restored: Vec<MatchLink>,
    pub rejections_lifted: Vec<JournalRef>,
}

/// A cycle opened: its expected payments still awaiting payment were cancelled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CycleOpened {
    pub cycle_id: String,
    /// Memos of the payments cancelled (one event per [`MAX_LINKS_PER_EVENT`]).
    pub cancelled: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::EventBody;
    use std::str::FromStr;

    fn link(amount: &str) -> MatchLink {
        MatchLink {
            expected: ExpectedRef {
                memo: "ARB 2026-11 Alice".into(),
                cycle_id: "2026-11".into(),
            },
            journal: JournalRef {
                wallet_key: "character:9:".into(),
                journal_id: "123".into(),
            },
            amount: Decimal::from_str(amount).unwrap(),
            currency: "ISK".into(),
            match_type: "auto_exact".into(),
            score: Some(1050),
        }
    }

    #[test]
    fn links_travel_with_string_amounts_under_their_kind() {
        let body = EventBody::MatchLinked(MatchLinked {
            action: "run".into(),
            links: vec![link("1500000.00")],
        });
        assert_eq!(body.kind(), "match_linked");
        let json = serde_json::to_string(&body).unwrap();
        assert!(json.contains("\"kind\":\"match_linked\""), "{json}");
        assert!(json.contains("\"amount\":\"1500000.00\""), "{json}");
        let back: EventBody = serde_json::from_str(&json).unwrap();
        assert_eq!(back, body);
    }

    #[test]
    fn every_matching_kind_is_named_as_it_serializes() {
        let journal = JournalRef {
            wallet_key: "name:Bank".into(),
            journal_id: "r1".into(),
        };
        let payment = ExpectedPayment {
            memo: "m".into(),
            cycle_id: "c".into(),
            character_name: "n".into(),
            character_id: None,
            expected_amount: Decimal::from_str("1.00").unwrap(),
            currency: "ISK".into(),
            status: "awaiting_payment".into(),
        };
        let bodies = [
            EventBody::ExpectedPaymentsAdded(ExpectedPaymentsAdded {
                file: None,
                payments: vec![payment.clone()],
            }),
            EventBody::ExpectedPaymentEdited(ExpectedPaymentEdited {
                payment,
                renamed_from: None,
            }),
            EventBody::MatchUnlinked(MatchUnlinked {
                links: vec![link("1")],
            }),
            EventBody::ReceiptRejected(ReceiptRejected {
                journal: journal.clone(),
                reason: "r".into(),
            }),
            EventBody::ReceiptSplit(ReceiptSplit {
                journal: journal.clone(),
                shares: vec![link("1"), link("2")],
            }),
            EventBody::MatchUndone(MatchUndone {
                undone: "link".into(),
                links_removed: vec![link("1")],
                links_restored: vec![],
                rejections_lifted: vec![journal],
            }),
            EventBody::CycleOpened(CycleOpened {
                cycle_id: "c".into(),
                cancelled: vec!["m".into()],
            }),
        ];
        for body in bodies {
            let json = serde_json::to_value(&body).unwrap();
            assert_eq!(json["kind"], body.kind(), "{json}");
        }
    }
}
