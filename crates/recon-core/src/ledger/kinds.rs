//! The partner ledger's enums, with the spellings the SQL rows, the CLI and the JSON use.

/// Declares a string-backed enum: `as_str`, `parse` (refusing any other text with the
/// list of allowed values) and `ALL`.
macro_rules! spelled_enum {
    ($(#[$meta:meta])* $name:ident, $what:literal { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// The value spelled `text`, or an error listing the allowed spellings.
            pub fn parse(text: &str) -> Result<Self, String> {
                match text {
                    $($text => Ok($name::$variant),)+
                    other => Err(format!(
                        "'{other}' is not a {} (expected {})",
                        $what,
                        [$($text),+].join(", ")
                    )),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

spelled_enum!(
    /// A program's status: only an active program accepts new entries.
    ProgramStatus, "program status" {
        Active => "active",
        Paused => "paused",
        Closed => "closed",
    }
);

spelled_enum!(
    /// What a partner entity is.
    EntityType, "entity type" {
        Sponsor => "sponsor",
        Hunt => "hunt",
        Stop => "stop",
        Affiliate => "affiliate",
        Partner => "partner",
    }
);

spelled_enum!(
    /// A conversion's review status.
    ConversionStatus, "conversion status" {
        Pending => "pending",
        Approved => "approved",
        Rejected => "rejected",
    }
);

spelled_enum!(
    /// A ledger entry's status. A reversal entry is born `reversed` (it is never payable).
    EntryStatus, "entry status" {
        Pending => "pending",
        Paid => "paid",
        Reversed => "reversed",
    }
);

spelled_enum!(
    /// Where an entry comes from; with `source_ref` it is the entry's idempotency key.
    EntrySource, "entry source" {
        Conversion => "conversion",
        Settlement => "settlement",
        Reversal => "reversal",
    }
);

spelled_enum!(
    /// How a commission is rounded to the currency's scale. `HalfUp` rounds a midpoint
    /// away from zero; `Down` truncates toward zero.
    RoundingMode, "rounding mode" {
        HalfEven => "half-even",
        HalfUp => "half-up",
        Down => "down",
    }
);

spelled_enum!(
    /// How a summary groups entries.
    SummaryBy, "summary grouping" {
        Entity => "entity",
        Period => "period",
        Status => "status",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_round_trip_and_others_are_refused_with_the_list() {
        for s in EntryStatus::ALL {
            assert_eq!(EntryStatus::parse(s.as_str()), Ok(*s));
        }
        for m in RoundingMode::ALL {
            assert_eq!(RoundingMode::parse(m.as_str()), Ok(*m));
        }
        let err = ProgramStatus::parse("Active").unwrap_err();
        assert!(err.contains("active, paused, closed"), "{err}");
        assert_eq!(EntityType::ALL.len(), 5);
    }
}
