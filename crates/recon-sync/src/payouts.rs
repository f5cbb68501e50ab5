//! Events of payout batches (§7). A batch travels by its id (a UUID made on the device),
//! programs by slug, entities by (type, ref), entries by their idempotency key
//! (`source`, `source_ref`), never by local row ids. Amounts are decimal strings.
//!
//! | kind | when |
//! |---|---|
//! | `payout_batch_created` | `recon payout create`, with its lines |
//! | `payout_entries_reserved` | after it, the entries the batch holds (≤ [`crate::ledger::MAX_ITEMS_PER_EVENT`] per event) |
//! | `payout_batch_edited` | notes changed or a line removed (its entries released) |
//! | `payout_batch_deleted` | a draft or pending batch deleted (its entries released) |
//! | `payout_batch_transitioned` | every state change, with who, and the reason of a rejection or failure |

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

pub const PAYOUT_BATCH_CREATED: &str = "payout_batch_created";
pub const PAYOUT_ENTRIES_RESERVED: &str = "payout_entries_reserved";
pub const PAYOUT_BATCH_EDITED: &str = "payout_batch_edited";
pub const PAYOUT_BATCH_DELETED: &str = "payout_batch_deleted";
pub const PAYOUT_BATCH_TRANSITIONED: &str = "payout_batch_transitioned";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PayoutLineRef {
    pub entity_type: String,
    pub entity_ref: String,
    pub amount: Decimal,
    pub entries: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PayoutBatchCreated {
    pub batch_id: String,
    pub program: String,
    pub period: String,
    pub currency: String,
    pub total: Decimal,
    pub notes: String,
    pub created_by: String,
    pub lines: Vec<PayoutLineRef>,
}

/// An entry by its idempotency key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EntryKey {
    pub source: String,
    pub source_ref: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PayoutEntriesReserved {
    pub batch_id: String,
    pub entries: Vec<EntryKey>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PayoutBatchEdited {
    pub batch_id: String,
    pub notes: String,
    /// The line removed (its entries released), when the edit removed one.
    pub removed_entity: Option<(String, String)>,
    pub total: Decimal,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PayoutBatchDeleted {
    pub batch_id: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PayoutBatchTransitioned {
    pub batch_id: String,
    pub from: String,
    pub to: String,
    /// Who did it (the server checks two-person control again with the token's user).
    pub actor: String,
    pub reason: Option<String>,
    /// Set when `to` is `paid`: its entries became paid and the payout was posted.
    pub paid_at: Option<String>,
}
