//! Pulling colleagues' work: `GET /api/v1/sync/pull?after=CURSOR&limit=N` returns the
//! organization's accepted events in the server's commit order, a page at a time.
//!
//! A cursor is `EPOCH:POSITION`: the server database's epoch (a UUID made once per
//! database and changed when it is restored from a backup) and the position of the last
//! event the client has. A cursor of another epoch cannot be trusted (positions after a
//! restore name other events), so the server answers from the start with `reset: true`;
//! the client skips event ids it already holds, which makes the re-pull idempotent.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::RawEvent;

pub const PULL_PATH: &str = "/api/v1/sync/pull";
/// Events per page when the client does not say.
pub const DEFAULT_PULL_LIMIT: u32 = 500;
/// Most events one page carries.
pub const MAX_PULL_LIMIT: u32 = 1000;

/// Where a client is in its organization's stream of events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub epoch: Uuid,
    /// The position of the last event the client has (0: none yet).
    pub position: i64,
}

impl std::fmt::Display for Cursor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.epoch, self.position)
    }
}

impl std::str::FromStr for Cursor {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let bad =
            || format!("a cursor is EPOCH:POSITION as a page's next_cursor gave it, not '{text}'");
        let (epoch, position) = text.trim().split_once(':').ok_or_else(bad)?;
        let epoch = epoch.parse().map_err(|_| bad())?;
        let position: i64 = position.parse().map_err(|_| bad())?;
        if position < 0 {
            return Err(bad());
        }
        Ok(Cursor { epoch, position })
    }
}

/// One page of the organization's events.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PullPage {
    /// In commit order. Every device's events, the caller's own included (it skips them).
    pub events: Vec<PulledEvent>,
    /// The cursor to ask with next (after the last event of this page).
    pub next_cursor: String,
    /// True when more events follow this page.
    pub more: bool,
    /// True when the cursor asked with was of another epoch (the database was restored):
    /// this page starts from the beginning.
    #[serde(default)]
    pub reset: bool,
}

/// An accepted event as the server holds it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PulledEvent {
    /// Its place in the organization's commit order (1, 2, 3, …).
    pub position: i64,
    /// The user of the token that pushed it (who did it, as the server knows them).
    pub user: String,
    pub event: RawEvent,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_reads_back_what_it_prints_and_refuses_anything_else() {
        let cursor = Cursor {
            epoch: Uuid::new_v4(),
            position: 42,
        };
        assert_eq!(cursor.to_string().parse::<Cursor>(), Ok(cursor));
        for bad in [
            "",
            "42",
            "x:1",
            &format!("{}:-1", cursor.epoch),
            &format!("{}:a", cursor.epoch),
        ] {
            assert!(bad.parse::<Cursor>().is_err(), "{bad}");
        }
    }
}
