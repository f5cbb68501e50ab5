//! Who holds the ledger. Readers never wait (WAL); a writer waits for another writer, and
//! when it must, it says what holds the ledger and how long it waited. SQLite cannot tell
//! who holds its lock, so every write transaction leaves a note beside the ledger
//! (`ledger.sqlite-writer`: process, start time, command) for as long as it runs.

use crate::{Result, StoreError, BUSY_TIMEOUT_MS};
use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::{Connection, Transaction, TransactionBehavior};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Told, as a sentence, that a write is waiting for the ledger and then how long it waited.
pub type WaitNotice = Box<dyn Fn(&str) + Send>;

/// The note's path beside the ledger.
pub(crate) fn note_path(db: &Path) -> PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push("-writer");
    PathBuf::from(name)
}

/// The running command, as the note shows it: `recon import file big.csv --wallet Giro`.
fn command_line() -> String {
    let mut args = std::env::args();
    let program = args
        .next()
        .map(|p| {
            Path::new(&p)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or(p)
        })
        .unwrap_or_else(|| "a program".into());
    let mut line = std::iter::once(program)
        .chain(args)
        .collect::<Vec<_>>()
        .join(" ");
    if line.chars().count() > 120 {
        line = line.chars().take(119).collect::<String>() + "…";
    }
    line
}

/// The note of the write this process is making; removed when the write ends.
pub(crate) struct WriterNote {
    path: PathBuf,
}

impl WriterNote {
    fn write(db: &Path) -> Self {
        let path = note_path(db);
        let text = format!(
            "pid={}\nsince={}\ncommand={}\n",
            std::process::id(),
            Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true),
            command_line()
        );
        // Best effort: the note only explains a wait; a write never fails for it.
        let _ = crate::file_modes::write_private(&path, text.as_bytes());
        Self { path }
    }
}

impl Drop for WriterNote {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// What holds the ledger, as a phrase: from the note when its process still runs.
pub(crate) fn holder(db: &Path) -> String {
    let unknown = "another program holds the ledger".to_string();
    let Ok(text) = std::fs::read_to_string(note_path(db)) else {
        return unknown;
    };
    let field = |key: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(key).and_then(|r| r.strip_prefix('=')))
            .unwrap_or("")
    };
    let pid = field("pid");
    if pid.is_empty() || !process_runs(pid) {
        return unknown;
    }
    let since = DateTime::parse_from_rfc3339(field("since"))
        .map(|t| t.with_timezone(&Utc).format("%H:%M:%S UTC").to_string())
        .unwrap_or_else(|_| "a while".into());
    format!(
        "'{}' (process {pid}) has been writing since {since}",
        field("command")
    )
}

/// Whether process `pid` runs (only Linux can tell cheaply; elsewhere it is assumed).
fn process_runs(pid: &str) -> bool {
    if cfg!(target_os = "linux") {
        Path::new("/proc").join(pid).exists()
    } else {
        true
    }
}

/// `1234` → `1.2 s`.
pub(crate) fn seconds(ms: u64) -> String {
    format!("{}.{} s", ms / 1000, ms % 1000 / 100)
}

fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _)
        if f.code == rusqlite::ErrorCode::DatabaseBusy || f.code == rusqlite::ErrorCode::DatabaseLocked)
}

/// `BEGIN IMMEDIATE`, waiting up to [`BUSY_TIMEOUT_MS`] for another writer; a wait is told
/// to `notice` (what holds the ledger, then how long it took) and a wait that runs out is
/// [`StoreError::Busy`] naming the holder. The note is left while the transaction runs.
pub(crate) fn begin_write<'c>(
    conn: &'c Connection,
    db: &Path,
    notice: Option<&WaitNotice>,
) -> Result<(Transaction<'c>, WriterNote)> {
    conn.busy_timeout(Duration::ZERO)?;
    let first = Transaction::new_unchecked(conn, TransactionBehavior::Immediate);
    let restored = conn.busy_timeout(Duration::from_millis(BUSY_TIMEOUT_MS));
    match first {
        Ok(tx) => {
            restored?;
            return Ok((tx, WriterNote::write(db)));
        }
        Err(e) if is_busy(&e) => {}
        Err(e) => return Err(e.into()),
    }
    restored?;
    if let Some(tell) = notice {
        tell(&format!("the ledger is busy: {}; waiting…", holder(db)));
    }
    let start = Instant::now();
    let second = Transaction::new_unchecked(conn, TransactionBehavior::Immediate);
    let waited_ms = start.elapsed().as_millis() as u64;
    match second {
        Ok(tx) => {
            if let Some(tell) = notice {
                tell(&format!("waited {} for the ledger", seconds(waited_ms)));
            }
            Ok((tx, WriterNote::write(db)))
        }
        Err(e) if is_busy(&e) => Err(StoreError::Busy {
            holder: holder(db),
            waited_ms,
        }),
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use crate::test_support::*;
    use crate::{Store, StoreError};
    use std::sync::{Arc, Mutex};

    #[test]
    fn a_reader_opens_and_reads_while_another_connection_writes() {
        let (dir, mut store) = store_with_main_wallet();
        let path = dir.path().join("ledger.sqlite");
        // Another connection holds the write lock, as an import does.
        let (tx, _note) = store.write_tx().unwrap();
        tx.execute_batch("UPDATE wallets SET name = 'Renamed'")
            .unwrap();
        let reader = Store::open(&path).unwrap();
        assert_eq!(
            reader.wallets().unwrap()[0].name,
            "Main",
            "the committed state"
        );
        drop(tx);
    }

    #[test]
    fn a_writer_that_waits_says_what_holds_the_ledger() {
        let (dir, mut holder) = store_with_main_wallet();
        let path = dir.path().join("ledger.sqlite");
        let mut writer = Store::open(&path).unwrap();
        let told = Arc::new(Mutex::new(Vec::<String>::new()));
        let sink = told.clone();
        writer.set_wait_notice(Box::new(move |m| sink.lock().unwrap().push(m.to_string())));
        let (tx, note) = holder.write_tx().unwrap();
        let err = writer
            .add_wallet(
                "me",
                now(),
                crate::NewWallet {
                    name: "Second".into(),
                    ..main_wallet()
                },
            )
            .unwrap_err();
        drop(tx);
        drop(note);
        let StoreError::Busy { holder, waited_ms } = &err else {
            panic!("{err}");
        };
        assert!(
            holder.contains(&format!("(process {})", std::process::id())),
            "{holder}"
        );
        assert!(holder.contains("has been writing since"), "{holder}");
        assert!(*waited_ms >= crate::BUSY_TIMEOUT_MS - 100, "{waited_ms}");
        assert!(
            err.to_string().contains("gave up after waiting 5."),
            "{err}"
        );
        let told = told.lock().unwrap();
        assert!(told[0].starts_with("the ledger is busy: "), "{told:?}");
        assert!(told[0].ends_with("waiting…"), "{told:?}");
        // Once the holder is done, the note is gone and the write goes through.
        assert!(!super::note_path(&path).exists());
        writer
            .add_wallet(
                "me",
                now(),
                crate::NewWallet {
                    name: "Second".into(),
                    ..main_wallet()
                },
            )
            .unwrap();
    }
}
