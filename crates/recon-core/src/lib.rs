//! The pure domain core of Recon Desk: no IO, no clock (time is passed in).
//!
//! - [`money`]: currencies with scales, exact decimal amounts in integer minor units.
//! - [`esi`]: EVE Online ESI wallet journal JSON, read exactly from its text.
//! - [`matching`]: payment matching (§5): scoring, candidates, per-receipt verdicts, and the
//!   rules of links, splits, reviewer steps and cycles, with typed statuses and link types.
//! - [`wallet`]: wallet kinds and the key that names a wallet across devices.
//! - [`audit`]: the hash chain of the audit log.
//! - [`payouts`]: the payout batch state machine and two-person control (§7).
//! - [`ledger`]: the partner ledger (§6): commissions, postings, statuses, reversals.
//! - [`checks`]: wallet-sync checks (§8): levels, verdicts, fixes, operations, continuity.
//! - [`journal_search`]: what a journal search for an amount or a range finds.
//! - [`untrusted`]: unique JSON keys, free text without control characters.

pub mod audit;
pub mod checks;
pub mod esi;
pub mod import_identity;
pub mod journal_search;
pub mod ledger;
pub mod matching;
pub mod money;
pub mod payouts;
pub mod untrusted;
pub mod wallet;
