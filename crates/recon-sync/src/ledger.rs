//! Events of the partner ledger family (§6). Programs and entities travel by slug and
//! ref, entries by their idempotency key (`source`, `source_ref`), never by local row ids.
//! Amounts are decimal strings with their currency; rates are decimal percentages.
//!
//! | kind | when |
//! |---|---|
//! | `program_added` | `recon program add` |
//! | `program_status_set` | `recon program set-status` |
//! | `entity_added` | `recon entity add` |
//! | `conversions_imported` | a conversions file (≤ [`MAX_ITEMS_PER_EVENT`] per event) |
//! | `conversion_approved` | an approval, with the entry it created |
//! | `conversion_rejected` | a rejection, with its reason |
//! | `settlements_imported` | a settlements file (≤ [`MAX_ITEMS_PER_EVENT`] per event), with the entries each created |
//! | `ledger_entry_reversed` | a reversal, with the reversal entry |

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Most conversions or settlements one event carries.
pub const MAX_ITEMS_PER_EVENT: usize = 500;

pub const PROGRAM_ADDED: &str = "program_added";
pub const PROGRAM_STATUS_SET: &str = "program_status_set";
pub const ENTITY_ADDED: &str = "entity_added";
pub const CONVERSIONS_IMPORTED: &str = "conversions_imported";
pub const CONVERSION_APPROVED: &str = "conversion_approved";
pub const CONVERSION_REJECTED: &str = "conversion_rejected";
pub const SETTLEMENTS_IMPORTED: &str = "settlements_imported";
pub const LEDGER_ENTRY_REVERSED: &str = "ledger_entry_reversed";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProgramAdded {
    pub slug: String,
    pub name: String,
    pub status: String,
    pub currency: String,
    pub direct_rate: Decimal,
    pub override_rate: Decimal,
    pub rounding: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProgramStatusSet {
    pub slug: String,
    pub status: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EntityAdded {
    pub program: String,
    pub entity_type: String,
    pub entity_ref: String,
    pub name: String,
    pub parent: Option<String>,
    pub payout_per_conversion: Option<Decimal>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Conversion {
    pub conversion_id: String,
    pub sponsor_ref: String,
    pub occurred_at: String,
    pub description: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConversionsImported {
    pub program: String,
    pub conversions: Vec<Conversion>,
}

/// An entry as every device knows it: its key (`source`, `source_ref`) and its amounts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EntryRef {
    pub source: String,
    pub source_ref: String,
    pub entity_type: String,
    pub entity_ref: String,
    pub gross_amount: Option<Decimal>,
    pub earnings_amount: Decimal,
    pub rounding_residue: Decimal,
    pub currency: String,
    pub occurred_at: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConversionApproved {
    pub program: String,
    pub conversion_id: String,
    pub entry: EntryRef,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConversionRejected {
    pub program: String,
    pub conversion_id: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Settlement {
    pub settlement_id: String,
    pub user_ref: String,
    pub affiliate_ref: String,
    pub gross_amount: Decimal,
    pub currency: String,
    pub occurred_at: String,
    /// The commissions it created (direct, then override), for the server to re-check.
    pub commissions: Vec<Commission>,
}

/// One commission of a settlement: who earned what, and the rounding residue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Commission {
    /// `direct` or `override`.
    pub kind: String,
    pub entity_ref: String,
    pub earnings_amount: Decimal,
    pub rounding_residue: Decimal,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SettlementsImported {
    pub program: String,
    pub settlements: Vec<Settlement>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LedgerEntryReversed {
    pub program: String,
    /// The reversed entry's key.
    pub source: String,
    pub source_ref: String,
    pub reason: String,
    pub reversal: EntryRef,
}
