//! The named states of matching: an expected payment's status, a link's type and a
//! reviewer step's kind. Each has one spelling (`as_str`), which is what the ledger stores
//! and what JSON shows; `parse` accepts exactly those spellings.

use super::MemoSignal;
use serde::{Deserialize, Serialize};

/// A spelling that names no variant.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} '{text}' (one of: {choices})")]
pub struct UnknownName {
    pub what: &'static str,
    pub text: String,
    pub choices: String,
}

macro_rules! named_enum {
    ($(#[$meta:meta])* $name:ident, $what:literal, { $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $text)] $variant),+
        }

        impl $name {
            /// Every variant, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }

            pub fn parse(text: &str) -> Result<Self, UnknownName> {
                match text {
                    $($text => Ok($name::$variant),)+
                    _ => Err(UnknownName {
                        what: $what,
                        text: text.to_owned(),
                        choices: Self::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>().join(", "),
                    }),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = UnknownName;
            fn from_str(text: &str) -> Result<Self, UnknownName> {
                Self::parse(text)
            }
        }
    };
}

named_enum!(
    /// Where an expected payment stands (SPEC §5).
    ExpectedStatus, "status", {
        AwaitingPayment => "awaiting_payment",
        Confirmed => "confirmed",
        Cancelled => "cancelled",
        OptedIn => "opted_in",
        OptedOut => "opted_out",
        Refunded => "refunded",
        PaidOut => "paid_out",
    }
);

impl ExpectedStatus {
    /// Only these take payments: they are the engine's candidates and a reviewer may
    /// link to them (a later payment adds to a confirmed one).
    pub fn takes_payments(self) -> bool {
        matches!(self, Self::AwaitingPayment | Self::Confirmed)
    }
}

named_enum!(
    /// How a link was made: by the engine from a memo signal, or by a reviewer.
    LinkType, "link type", {
        AutoExact => "auto_exact",
        AutoContains => "auto_contains",
        AutoFuzzy => "auto_fuzzy",
        Manual => "manual",
    }
);

impl LinkType {
    /// The type an automatic link of this memo signal records; no signal is a manual link.
    pub fn from_signal(signal: Option<MemoSignal>) -> Self {
        match signal {
            Some(MemoSignal::Equal) => Self::AutoExact,
            Some(MemoSignal::Contained) => Self::AutoContains,
            Some(MemoSignal::Distance(_)) => Self::AutoFuzzy,
            None => Self::Manual,
        }
    }
}

named_enum!(
    /// A step recorded in `match_actions`: an engine run or a reviewer's step (`restore`
    /// lifts a "not a participation payment" mark).
    ActionKind, "action kind", {
        Run => "run",
        Link => "link",
        Unlink => "unlink",
        Reject => "reject",
        Split => "split",
        Accept => "accept",
        BulkAccept => "bulk_accept",
        Undo => "undo",
        Restore => "restore",
    }
);

impl ActionKind {
    /// Reviewer steps that undo reverses. Runs are not undone (unlink what a run linked),
    /// and an undo is not itself undone.
    pub const UNDOABLE: &'static [ActionKind] = &[
        Self::Link,
        Self::Unlink,
        Self::Reject,
        Self::Split,
        Self::Accept,
        Self::BulkAccept,
        Self::Restore,
    ];

    pub fn is_undoable(self) -> bool {
        Self::UNDOABLE.contains(&self)
    }
}
