//! The partner ledger (§6): programs, entities, conversions, settlements, entries and their
//! double-entry postings. Pure rules only; the store loads rows, calls these and writes
//! their results.
//!
//! - [`kinds`]: the enums (statuses, entity types, sources, rounding modes).
//! - [`commission`]: exact rates and the one rounding of `gross × rate / 100`, with residue.
//! - [`postings`]: accounts, balanced lines, the Σ debits = Σ credits check.
//! - [`rules`]: the program gate, the affiliate tree, status moves, reversals, what a
//!   settlement pays.
//! - [`files`]: the conversion and settlement file readers.

pub mod commission;
pub mod files;
pub mod kinds;
pub mod postings;
pub mod rules;

pub use commission::{commission, round_ratio, Commission, Rate, MAX_RATE_DECIMALS};
pub use kinds::{
    ConversionStatus, EntityType, EntrySource, EntryStatus, ProgramStatus, RoundingMode, SummaryBy,
};
pub use postings::{check_balanced, Balance, Line, Unbalanced};
pub use rules::{
    check_accepts_entries, check_parent, check_payout_per_conversion, check_reversible,
    check_transition, decide_conversion, settlement_commissions, CommissionKind,
    ConversionDecision, DecisionEffect, EntryFacts, LedgerRefusal, PlannedCommission, Terms,
};
