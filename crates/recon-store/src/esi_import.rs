//! ESI journal import: one batch per call, atomic, idempotent on (wallet, ESI id).

use crate::import_batches::{close_batch, is_tombstoned, open_batch};
use crate::write::{Audit, Change};
use crate::{Result, Store, StoreError, Wallet};
use chrono::{DateTime, Utc};
use recon_core::esi::{parse_journal, EsiEntry};
use recon_core::import_identity::{known_key, KeyKind, KnownKey, LineFacts, RowOutcome, RowTally};
use recon_core::money::{format_minor, to_minor};
use recon_core::wallet::WalletKind;
use recon_sync::{EventBody, JournalLine};

#[path = "esi_events.rs"]
mod events;
use events::journal_events;
use rusqlite::{params, OptionalExtension, Transaction};
use serde_json::json;
use sha2::{Digest, Sha256};

/// One source file: its name as the user knows it and its bytes.
pub struct SourceFile {
    pub name: String,
    pub bytes: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ImportFileSummary {
    pub file_name: String,
    pub sha256: String,
    pub read: i64,
    pub inserted: i64,
    pub duplicates: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ImportSummary {
    pub batch_id: String,
    pub wallet: String,
    pub read: i64,
    pub inserted: i64,
    pub duplicates: i64,
    pub rejected: i64,
    pub files: Vec<ImportFileSummary>,
}

impl Store {
    /// Imports ESI journal files (several pages at once) into `wallet_name` as one batch;
    /// files without a single entry write nothing (the summary's `batch_id` is empty).
    /// Every file is parsed before anything is written; a bad file refuses the whole batch.
    /// An entry whose id is already in the wallet is a duplicate — unless its date or amount
    /// differ from the stored one, which refuses the batch rather than hide the disagreement.
    pub fn import_esi_journal(
        &mut self,
        actor: &str,
        now: DateTime<Utc>,
        wallet_name: &str,
        files: &[SourceFile],
    ) -> Result<ImportSummary> {
        if files.is_empty() {
            return Err(StoreError::Invalid("no files to import".into()));
        }
        let wallet = self.wallet_by_name(wallet_name)?;
        refuse_non_isk_wallet(&wallet)?;
        let parsed: Vec<Vec<EsiEntry>> = files
            .iter()
            .map(|f| {
                parse_journal(&f.bytes, wallet.scale).map_err(|detail| StoreError::BadFile {
                    file: f.name.clone(),
                    detail,
                })
            })
            .collect::<Result<_>>()?;
        if parsed.iter().all(Vec::is_empty) {
            return Ok(nothing_imported(&wallet, files));
        }
        let batch_id = uuid::Uuid::new_v4();
        self.write(actor, now, |tx| {
            // The batch row comes first (entries reference it); its counts are set at the end.
            let batch_no = open_batch(
                tx,
                &batch_id.to_string(),
                &wallet.id,
                "esi_journal",
                actor,
                now,
                false,
            )?;
            let mut batch = EsiBatch::new(tx, &wallet, batch_id, batch_no);
            batch.allocate_ids(files, &parsed)?;
            for (position, (file, entries)) in files.iter().zip(&parsed).enumerate() {
                batch.import_file(position, file, entries)?;
            }
            batch.finish()
        })
    }
}

/// Files without a single entry write nothing: no batch, an empty `batch_id`.
fn nothing_imported(wallet: &Wallet, files: &[SourceFile]) -> ImportSummary {
    ImportSummary {
        batch_id: String::new(),
        wallet: wallet.name.clone(),
        read: 0,
        inserted: 0,
        duplicates: 0,
        rejected: 0,
        files: files
            .iter()
            .map(|f| ImportFileSummary {
                file_name: f.name.clone(),
                sha256: hex::encode(Sha256::digest(&f.bytes)),
                read: 0,
                inserted: 0,
                duplicates: 0,
            })
            .collect(),
    }
}

/// ESI journals carry no currency: they are ISK, from a character or corporation wallet.
/// Anything else would store ISK amounts as another currency's, unnoticed.
fn refuse_non_isk_wallet(wallet: &Wallet) -> Result<()> {
    let eve_wallet = matches!(wallet.kind, WalletKind::Character | WalletKind::Corporation);
    if eve_wallet && wallet.currency == "ISK" {
        return Ok(());
    }
    Err(StoreError::Invalid(format!(
        "wallet '{}' is a {} wallet in {}; an ESI journal is in ISK and imports only into a \
         character or corporation wallet in ISK",
        wallet.name,
        wallet.kind.as_str(),
        wallet.currency
    )))
}

/// One ESI batch being written: its summary so far and the lines the server must receive.
struct EsiBatch<'a> {
    tx: &'a Transaction<'a>,
    wallet: &'a Wallet,
    batch_id: uuid::Uuid,
    batch_no: i64,
    /// Each ESI id's row id, handed out in (second, ESI id) order: ESI pages come newest
    /// first, and lines of the same second read in their id order (the order the running
    /// balance was computed in), not in arrival order.
    rowids: std::collections::HashMap<i64, i64>,
    summary: ImportSummary,
    tally: RowTally,
    new_lines: Vec<JournalLine>,
    /// The inserted rows, hashed as they go in: what the batch's audit record attests.
    rows: recon_core::audit::RowSetDigest,
}

impl<'a> EsiBatch<'a> {
    fn new(
        tx: &'a Transaction<'a>,
        wallet: &'a Wallet,
        batch_id: uuid::Uuid,
        batch_no: i64,
    ) -> Self {
        Self {
            tx,
            wallet,
            batch_id,
            batch_no,
            rowids: std::collections::HashMap::new(),
            summary: ImportSummary {
                batch_id: batch_id.to_string(),
                wallet: wallet.name.clone(),
                read: 0,
                inserted: 0,
                duplicates: 0,
                rejected: 0,
                files: Vec::new(),
            },
            tally: RowTally::default(),
            new_lines: Vec::new(),
            rows: Default::default(),
        }
    }

    /// Row ids for every entry of the batch, in (second, ESI id) order. An entry that turns
    /// out to be a duplicate leaves its id unused (a harmless gap).
    fn allocate_ids(&mut self, files: &[SourceFile], parsed: &[Vec<EsiEntry>]) -> Result<()> {
        let mut order: Vec<(i64, i64)> = Vec::with_capacity(parsed.iter().map(Vec::len).sum());
        for (file, entries) in files.iter().zip(parsed) {
            for (index, e) in entries.iter().enumerate() {
                let seconds = crate::journal_ids::seconds_of_timestamp(&e.date).map_err(|why| {
                    StoreError::Invalid(format!(
                        "{}: entry {index} (id {}): field 'date': {why}",
                        file.name, e.id
                    ))
                })?;
                order.push((seconds, e.id));
            }
        }
        order.sort_unstable();
        order.dedup_by_key(|(_, id)| *id);
        let mut ids = crate::journal_ids::RowIds::new();
        for (seconds, esi_id) in order {
            if let std::collections::hash_map::Entry::Vacant(slot) = self.rowids.entry(esi_id) {
                slot.insert(ids.allocate(self.tx, seconds)?);
            }
        }
        Ok(())
    }

    /// Writes one file's entries and its `import_batch_files` row.
    fn import_file(
        &mut self,
        position: usize,
        file: &SourceFile,
        entries: &[EsiEntry],
    ) -> Result<()> {
        let mut tally = RowTally::default();
        for (index, entry) in entries.iter().enumerate() {
            let rowid = self.rowids[&entry.id];
            let outcome = insert_entry(
                self.tx,
                self.wallet,
                self.batch_no,
                entry,
                rowid,
                &mut self.rows,
            )
            .map_err(|e| match e {
                StoreError::Conflict(why) => StoreError::Conflict(format!(
                    "{}: entry {index} (id {}): {why}",
                    file.name, entry.id
                )),
                StoreError::Invalid(why) => StoreError::Invalid(format!(
                    "{}: entry {index} (id {}): {why}",
                    file.name, entry.id
                )),
                other => other,
            })?;
            if outcome == RowOutcome::Inserted {
                self.new_lines.push(wire_line(entry));
            }
            tally.count(outcome);
        }
        let file_summary = ImportFileSummary {
            file_name: file.name.clone(),
            sha256: hex::encode(Sha256::digest(&file.bytes)),
            read: entries.len() as i64,
            inserted: tally.inserted as i64,
            duplicates: tally.duplicates as i64,
        };
        self.tx
            .prepare_cached(
                "INSERT INTO import_batch_files (batch_id, position, file_name, sha256, size_bytes, read, inserted, duplicates)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?
            .execute(params![
                self.summary.batch_id, position as i64, file_summary.file_name, file_summary.sha256,
                file.bytes.len() as i64, file_summary.read, file_summary.inserted, file_summary.duplicates
            ])?;
        self.summary.read += file_summary.read;
        self.tally.add(&tally);
        self.summary.files.push(file_summary);
        Ok(())
    }

    /// Sets the batch's counts and hands the change to the write path: its audit record and
    /// the new lines, in events bounded by lines and bytes (`events`).
    fn finish(self) -> Result<Change<ImportSummary>> {
        let (summary, audit, events, digest) = self.close()?;
        Ok(Change::synced(summary, audit, events).attesting(digest))
    }

    /// Sets the batch's counts: its summary, audit record, events and rows' digest.
    fn close(mut self) -> Result<(ImportSummary, Audit, Vec<EventBody>, String)> {
        self.tally
            .accounts_for(self.summary.read as u64)
            .map_err(|e| StoreError::Invalid(format!("internal error: {e}; nothing was saved")))?;
        self.summary.inserted = self.tally.inserted as i64;
        self.summary.duplicates = self.tally.duplicates as i64;
        self.summary.rejected = self.tally.rejected as i64;
        let summary = self.summary;
        close_batch(
            self.tx,
            &summary.batch_id,
            [
                summary.read,
                summary.inserted,
                summary.duplicates,
                summary.rejected,
            ]
            .map(|n| n as u64),
        )?;
        let audit = Audit {
            action: "import.batch",
            entity: "import_batch",
            entity_id: summary.batch_id.clone(),
            before: None,
            after: Some(json!({
                "wallet": self.wallet.name, "format": "esi_journal",
                "read": summary.read, "inserted": summary.inserted,
                "duplicates": summary.duplicates, "rejected": summary.rejected,
                "files": summary.files,
            })),
        };
        let events = journal_events(self.batch_id, self.wallet, &self.new_lines);
        Ok((summary, audit, events, self.rows.finish()))
    }
}

/// A colleague's lines pulled from the server, written as an import of one file would be
/// (a batch, its rows, its audit record attesting them) inside the pull's transaction,
/// but sent nowhere: the server has them. A known id with another date or amount is a
/// conflict (`Err`), as in an import.
pub(crate) fn import_pulled(
    tx: &Transaction<'_>,
    wallet: &Wallet,
    by: &str,
    now: DateTime<Utc>,
    file: &SourceFile,
    entries: Vec<EsiEntry>,
) -> Result<(ImportSummary, crate::write::RenderedAudit)> {
    let batch_id = uuid::Uuid::new_v4();
    let batch_no = open_batch(
        tx,
        &batch_id.to_string(),
        &wallet.id,
        "esi_journal",
        by,
        now,
        false,
    )?;
    let mut batch = EsiBatch::new(tx, wallet, batch_id, batch_no);
    let parsed = [entries];
    batch.allocate_ids(std::slice::from_ref(file), &parsed)?;
    batch.import_file(0, file, &parsed[0])?;
    let (summary, audit, _sent_nowhere, digest) = batch.close()?;
    let mut record = crate::write::RenderedAudit::from(audit);
    record.content = Some(digest);
    Ok((summary, record))
}

fn minor(value: Option<rust_decimal::Decimal>, scale: u8) -> Result<Option<i64>> {
    value
        .map(|v| to_minor(v, scale).map_err(|e| StoreError::Invalid(e.to_string())))
        .transpose()
}

/// Inserts one entry, or finds the wallet already holds it (or held it, in a removed batch).
fn insert_entry(
    tx: &Transaction<'_>,
    wallet: &Wallet,
    batch_no: i64,
    e: &EsiEntry,
    rowid: i64,
    rows: &mut recon_core::audit::RowSetDigest,
) -> Result<RowOutcome> {
    let scale = wallet.scale;
    let amount_minor = minor(e.amount, scale)?;
    // Lines of a removed batch stay removed (their tombstone counts as a duplicate).
    if is_tombstoned(tx, &wallet.id, &e.id.to_string())? {
        return Ok(RowOutcome::RemovedEarlier);
    }
    let natural_key = e.id.to_string();
    let (balance_minor, tax_minor) = (minor(e.balance, scale)?, minor(e.tax, scale)?);
    let changed = tx
        .prepare_cached(
            "INSERT INTO journal_entries (rowid_pk, wallet_no, natural_key, esi_id, date, ref_type, description, reason,
                amount_minor, amount_raw, balance_minor, balance_raw, first_party_id, second_party_id,
                context_id, context_id_type, tax_minor, tax_raw, tax_receiver_id, batch_no)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20)
             ON CONFLICT (wallet_no, natural_key) DO NOTHING",
        )?
        .execute(params![
            rowid, wallet.no, natural_key, e.id, e.date, e.ref_type, e.description, e.reason,
            amount_minor, e.amount_raw, balance_minor, e.balance_raw,
            e.first_party_id, e.second_party_id, e.context_id, e.context_id_type,
            tax_minor, e.tax_raw, e.tax_receiver_id, batch_no
        ])?;
    if changed == 1 {
        let row = crate::audit_digest::JournalRow {
            rowid,
            wallet_no: wallet.no,
            natural_key: &natural_key,
            esi_id: Some(e.id),
            date: &e.date,
            ref_type: &e.ref_type,
            description: &e.description,
            reason: e.reason.as_deref(),
            amount_minor,
            amount_raw: e.amount_raw.as_deref(),
            balance_minor,
            balance_raw: e.balance_raw.as_deref(),
            first_party_id: e.first_party_id,
            second_party_id: e.second_party_id,
            context_id: e.context_id,
            context_id_type: e.context_id_type.as_deref(),
            tax_minor,
            tax_raw: e.tax_raw.as_deref(),
            tax_receiver_id: e.tax_receiver_id,
            batch_no,
            counterparty: None,
            source_line: None,
        };
        rows.add(rowid, crate::audit_digest::journal_row(&row));
        return Ok(RowOutcome::Inserted);
    }
    let (date, amount): (String, Option<i64>) = tx
        .prepare_cached("SELECT date, amount_minor FROM journal_entries WHERE wallet_no = ?1 AND natural_key = ?2")?
        .query_row(params![wallet.no, e.id.to_string()], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?
        .ok_or_else(|| StoreError::Invalid("insert was ignored but no row exists".into()))?;
    let stored = LineFacts {
        date: date.as_str(),
        amount_minor: amount,
    };
    let incoming = LineFacts {
        date: e.date.as_str(),
        amount_minor,
    };
    match known_key(KeyKind::NaturalId, &stored, &incoming) {
        KnownKey::Duplicate => Ok(RowOutcome::Duplicate),
        KnownKey::Conflict => {
            let show = |m: Option<i64>| {
                m.map(|m| format_minor(m, scale))
                    .unwrap_or_else(|| "none".into())
            };
            Err(StoreError::Conflict(format!(
                "already imported with date {date} and amount {}, but this file says {} and {}",
                show(amount),
                e.date,
                show(amount_minor)
            )))
        }
    }
}

fn wire_line(e: &EsiEntry) -> JournalLine {
    JournalLine {
        id: e.id,
        date: e.date.clone(),
        ref_type: e.ref_type.clone(),
        description: e.description.clone(),
        amount: e.amount,
        amount_raw: e.amount_raw.clone(),
        balance: e.balance,
        balance_raw: e.balance_raw.clone(),
        reason: e.reason.clone(),
        first_party_id: e.first_party_id,
        second_party_id: e.second_party_id,
        context_id: e.context_id,
        context_id_type: e.context_id_type.clone(),
        tax: e.tax,
        tax_raw: e.tax_raw.clone(),
        tax_receiver_id: e.tax_receiver_id,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::*;
    use crate::JournalQuery;
    use recon_sync::{EventBody, MAX_LINES_PER_EVENT};

    fn setup() -> (tempfile::TempDir, Store) {
        store_with_main_wallet()
    }

    fn entry(id: i64, amount: &str) -> String {
        format!(
            r#"{{"id":{id},"date":"2026-03-01T12:00:00Z","ref_type":"player_donation","description":"d{id}","amount":{amount},"reason":"ARB 1 X"}}"#
        )
    }

    fn file(name: &str, entries: &[String]) -> SourceFile {
        SourceFile {
            name: name.into(),
            bytes: format!("[{}]", entries.join(",")).into_bytes(),
        }
    }

    fn all_rows(store: &Store) -> Vec<crate::JournalRow> {
        store
            .journal(&JournalQuery {
                limit: 1000,
                ..Default::default()
            })
            .unwrap()
            .rows
    }

    #[test]
    fn second_import_of_same_pages_inserts_nothing() {
        let (_dir, mut store) = setup();
        let pages = [
            file(
                "p1.json",
                &[entry(1, "243877.49999999997"), entry(2, "-10")],
            ),
            file("p2.json", &[entry(2, "-10"), entry(3, "5.5")]),
        ];
        let first = store
            .import_esi_journal("alice", now(), "Main", &pages)
            .unwrap();
        assert_eq!(
            (first.read, first.inserted, first.duplicates, first.rejected),
            (4, 3, 1, 0)
        );
        assert_eq!(
            first.files[1].duplicates, 1,
            "overlap between pages is a duplicate"
        );
        let second = store
            .import_esi_journal("alice", now(), "Main", &pages)
            .unwrap();
        assert_eq!((second.read, second.inserted, second.duplicates), (4, 0, 4));
        let rows = all_rows(&store);
        assert_eq!(rows.len(), 3);
        let big = rows.iter().find(|r| r.esi_id == Some(1)).unwrap();
        assert_eq!(big.amount.as_deref(), Some("243877.50"));
        assert_eq!(big.amount_raw.as_deref(), Some("243877.49999999997"));
        assert_eq!(
            store.outbox_pending(100).unwrap().len(),
            1,
            "only the first batch had new lines"
        );
    }

    #[test]
    fn a_bad_file_refuses_the_whole_batch_and_writes_nothing() {
        let (_dir, mut store) = setup();
        let good = file("good.json", &[entry(1, "1")]);
        let bad = SourceFile {
            name: "bad.json".into(),
            bytes: br#"[{"id":7,"ref_type":"x","description":"no date"}]"#.to_vec(),
        };
        let audit_before = store.audit_verify().unwrap().records;
        let err = store
            .import_esi_journal("alice", now(), "Main", &[good, bad])
            .unwrap_err();
        assert_eq!(err.code(), "bad_file");
        assert_eq!(
            err.to_string(),
            "bad.json: entry 0 (id 7): field 'date' is missing"
        );
        assert!(all_rows(&store).is_empty());
        assert_eq!(store.audit_verify().unwrap().records, audit_before);
        assert!(store.outbox_pending(100).unwrap().is_empty());
    }

    #[test]
    fn same_id_with_a_different_amount_is_refused_not_hidden() {
        let (_dir, mut store) = setup();
        store
            .import_esi_journal(
                "alice",
                now(),
                "Main",
                &[file("a.json", &[entry(1, "100")])],
            )
            .unwrap();
        let err = store
            .import_esi_journal(
                "alice",
                now(),
                "Main",
                &[file("b.json", &[entry(2, "1"), entry(1, "101")])],
            )
            .unwrap_err();
        assert_eq!(err.code(), "conflict");
        assert!(err.to_string().contains("b.json: entry 1 (id 1)"), "{err}");
        assert!(
            err.to_string().contains("100.00") && err.to_string().contains("101.00"),
            "{err}"
        );
        assert_eq!(
            all_rows(&store).len(),
            1,
            "entry 2 of the refused batch was rolled back"
        );
    }

    #[test]
    fn new_lines_are_queued_for_the_server_in_bounded_events() {
        let (_dir, mut store) = setup();
        let entries: Vec<String> = (1..=(MAX_LINES_PER_EVENT as i64 + 3))
            .map(|i| entry(i, "1"))
            .collect();
        store
            .import_esi_journal("alice", now(), "Main", &[file("big.json", &entries)])
            .unwrap();
        let pending = store.outbox_pending(100).unwrap();
        assert_eq!(pending.len(), 2);
        let lines: usize = pending
            .iter()
            .map(|e| match &e.event.body {
                EventBody::JournalLinesImported(b) => b.lines.len(),
                other => panic!("unexpected {} event", other.kind()),
            })
            .sum();
        assert_eq!(lines, MAX_LINES_PER_EVENT + 3);
    }
}
