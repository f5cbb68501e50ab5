//! The app's import wizard and import history: previews read only a file's head, imports
//! report their progress through the [`ImportProgress`] their caller holds, and a batch
//! refused for bad rows comes back as an [`ImportResultDto`] with `committed: false` (every
//! bad row structured) rather than as an error.

mod history;
mod preview;
mod profiles;
mod progress;

pub use history::*;
pub use preview::*;
pub use profiles::*;
pub use progress::*;

use crate::imports;
use crate::{ApiResult, ImportResultDto, ImportedFileDto, ProfileDto};
pub(crate) use history::rejected_dto;
pub(crate) use preview::statement_dto;
use profiles::invalid;
use recon_import::Profile;
use recon_store::{BankImportOptions, BankImportSummary, Store};
use std::path::PathBuf;

/// The app's view of an import outcome; `committed: false` counts nothing as inserted.
pub(crate) fn result_dto(s: BankImportSummary, committed: bool) -> ImportResultDto {
    ImportResultDto {
        committed,
        batch_id: s.batch_id,
        wallet: s.wallet,
        read: s.read,
        inserted: if committed { s.inserted } else { 0 },
        duplicates: s.duplicates,
        rejected: s.rejected,
        files: s
            .files
            .into_iter()
            .map(|f| ImportedFileDto {
                file_name: f.file_name,
                sha256: f.sha256,
                format: f.format,
                encoding: f.encoding,
                read: f.read,
                inserted: if committed { f.inserted } else { 0 },
                duplicates: f.duplicates,
                removed_earlier: f.removed_earlier,
                rejected: f.rejected,
                statement: f.statement.as_ref().map(statement_dto),
                notes: f.notes,
            })
            .collect(),
        rejects: s.rejects.into_iter().map(rejected_dto).collect(),
    }
}

/// A date order as the preview offers it.
pub(crate) fn day_order(s: &str) -> ApiResult<recon_import::DayOrder> {
    recon_import::DayOrder::parse(s).ok_or_else(|| {
        invalid(format!(
            "'{s}' is not a date order (month-first or day-first)"
        ))
    })
}

/// The wizard's last step: what to import, and how.
#[derive(Debug, Clone)]
pub struct ImportRunRequest {
    pub wallet: String,
    pub paths: Vec<String>,
    /// CSVs through this profile, else an unambiguous proposal.
    pub profile: Option<ProfileDto>,
    /// A QIF's date order (`month-first` / `day-first`) when its dates read both ways.
    pub date_order: Option<String>,
    pub valid_rows_only: bool,
    pub restore_removed: bool,
}

/// Imports files into a wallet as one batch (format detected per file), reporting bytes
/// read to `progress`. A batch refused for bad rows is returned with `committed: false`
/// and its rejects, not as an error.
pub fn import_run(
    store: &mut Store,
    actor: &str,
    req: ImportRunRequest,
    progress: &ImportProgress,
) -> ApiResult<ImportResultDto> {
    let paths: Vec<PathBuf> = req
        .paths
        .iter()
        .map(|p| p.trim())
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .collect();
    if req.wallet.trim().is_empty() {
        return Err(invalid("choose a wallet to import into".into()));
    }
    let profile = req.profile.map(Profile::try_from).transpose()?;
    let day_order = req.date_order.as_deref().map(day_order).transpose()?;
    let total = paths
        .iter()
        .filter_map(|p| std::fs::metadata(p).ok())
        .map(|m| m.len())
        .sum();
    let running = progress.start(total);
    let outcome = imports::import_files_outcome(
        store,
        actor,
        &req.wallet,
        &paths,
        imports::ReadChoices {
            profile: profile.as_ref(),
            day_order,
        },
        BankImportOptions {
            valid_rows_only: req.valid_rows_only,
            restore_removed: req.restore_removed,
        },
        Some(running.done_bytes()),
    )?;
    // ESI journals are read whole, without byte progress: show the bar full at the end
    running.finish();
    Ok(match outcome {
        Ok(summary) => result_dto(summary, true),
        Err(refused) => result_dto(*refused, false),
    })
}

#[cfg(test)]
mod tests {
    use super::preview::tests::{csv, GERMAN};
    use super::*;

    /// A ledger in `dir` with one EUR bank wallet, "Bank".
    fn eur_bank(dir: &std::path::Path) -> Store {
        let mut store = crate::open_store(&dir.join("l.sqlite")).unwrap();
        let wallet = crate::NewWalletDto {
            name: "Bank".into(),
            kind: "bank".into(),
            owner_id: None,
            division: None,
            currency: "EUR".into(),
            receiving: false,
        };
        crate::wallet_add(&mut store, "alice", wallet).unwrap();
        store
    }

    /// Importing `path` into "Bank" through `profile`, all rows or none, no date order.
    fn into_bank(path: &str, profile: Option<ProfileDto>) -> ImportRunRequest {
        ImportRunRequest {
            wallet: "Bank".into(),
            paths: vec![path.to_owned()],
            profile,
            date_order: None,
            valid_rows_only: false,
            restore_removed: false,
        }
    }

    #[test]
    fn import_run_reports_bad_rows_structured_and_history_can_remove_the_batch() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = eur_bank(dir.path());
        let path = csv(
            dir.path(),
            "k.csv",
            &format!("{GERMAN}15.04.2026;zwölf;Kaputt;1.987,50\n"),
        );
        let profile = import_preview(&path, None).unwrap().profile;

        let request = |valid_rows_only| ImportRunRequest {
            valid_rows_only,
            ..into_bank(&path, profile.clone())
        };
        let app_progress = ImportProgress::new();
        let refused = import_run(&mut store, "alice", request(false), &app_progress).unwrap();
        assert!(!refused.committed);
        assert_eq!(
            (refused.read, refused.inserted, refused.rejected),
            (3, 0, 1)
        );
        assert_eq!(refused.rejects[0].line, 4);
        assert_eq!(refused.rejects[0].column.as_deref(), Some("Betrag"));
        assert!(import_batches(&store).unwrap().is_empty());
        assert!(!import_progress(&app_progress).running);

        let done = import_run(&mut store, "alice", request(true), &app_progress).unwrap();
        assert!(done.committed);
        assert_eq!((done.read, done.inserted, done.rejected), (3, 2, 1));
        let progress = import_progress(&app_progress);
        assert_eq!(progress.done_bytes, progress.total_bytes);
        let batches = import_batches(&store).unwrap();
        assert_eq!(batches.len(), 1);
        assert_eq!(batches[0].files[0].sha256.len(), 64);
        assert_eq!(batch_rejects(&store, &done.batch_id).unwrap().len(), 1);
        assert_eq!(
            batch_remove(&mut store, "alice", &done.batch_id).unwrap(),
            2
        );
        assert!(import_batches(&store).unwrap()[0].removed_at.is_some());
        assert_eq!(
            batch_remove(&mut store, "alice", &done.batch_id)
                .unwrap_err()
                .code,
            "conflict"
        );

        let saved =
            profile_save(&mut store, "alice", " Sparkasse ", profile.clone().unwrap()).unwrap();
        assert_eq!(saved.name, "Sparkasse");
        assert_eq!(Some(saved.profile), profile);
        assert_eq!(profile_list(&store).unwrap().len(), 1);
    }

    #[test]
    fn preview_for_a_wallet_refuses_what_its_currency_cannot_hold() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = eur_bank(dir.path());
        let path = csv(
            dir.path(),
            "fine.csv",
            "Date,Amount,Memo\n2026-01-02,1.2345,a\n2026-01-03,-2.50,b\n",
        );
        let line_2 = |p: &crate::PreviewDto| p.rows[0].clone();
        // Without a wallet the preview cannot know the scale: the row reads as 1.2345.
        let loose = import_preview(&path, None).unwrap();
        assert_eq!(line_2(&loose).parsed.unwrap().amount, "1.2345");
        // For the EUR wallet it is what the import will say: too many decimals.
        let p = import_preview_for(&store, &path, None, Some("Bank"), None).unwrap();
        let reject = line_2(&p)
            .reject
            .expect("line 2 refused for the EUR wallet");
        assert_eq!((reject.line, reject.column.as_deref()), (2, Some("amount")));
        assert!(
            reject.reason.contains("more decimals than EUR allows (2)"),
            "{reject:?}"
        );
        assert_eq!(p.rows[1].parsed.as_ref().unwrap().amount, "-2.50");
        // ... and what the import does with it.
        let request = into_bank(&path, p.profile.clone());
        let run = import_run(&mut store, "alice", request, &ImportProgress::new()).unwrap();
        assert!(!run.committed && run.rejects[0].line == 2);
        // No wallet chosen yet: as before; an unknown wallet is an error, not a guess.
        let none = import_preview_for(&store, &path, None, None, None).unwrap();
        assert!(line_2(&none).parsed.is_some());
        assert!(import_preview_for(&store, &path, None, Some("Nope"), None).is_err());
    }

    #[test]
    fn a_qif_whose_dates_read_both_ways_is_asked_and_read_as_answered() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = eur_bank(dir.path());
        let path = csv(
            dir.path(),
            "both.qif",
            "!Type:Bank\nD03/04/2026\nT-1.00\nPBaker\n^\nD05/04/2026\nT20.00\nPSalary\n^\n",
        );
        let dates = |p: &crate::PreviewDto| -> Vec<String> {
            p.rows
                .iter()
                .map(|r| r.parsed.as_ref().unwrap().date.clone())
                .collect()
        };
        let asked = import_preview_for(&store, &path, None, Some("Bank"), None).unwrap();
        assert_eq!(asked.format, "qif");
        assert_eq!(asked.ambiguities.len(), 1, "{asked:?}");
        assert_eq!(asked.ambiguities[0].options, ["month-first", "day-first"]);
        assert!(asked.ambiguities[0].readings[1].contains("2026-04-03"));
        let answered =
            import_preview_for(&store, &path, None, Some("Bank"), Some("day-first")).unwrap();
        assert!(answered.ambiguities.is_empty());
        assert_eq!(dates(&answered), ["2026-04-03", "2026-04-05"]);
        assert!(answered.notes.is_empty(), "{:?}", answered.notes);

        let request = |date_order: Option<&str>| ImportRunRequest {
            date_order: date_order.map(str::to_owned),
            ..into_bank(&path, None)
        };
        let progress = ImportProgress::new();
        let refused = import_run(&mut store, "alice", request(None), &progress).unwrap_err();
        assert_eq!(refused.code, "ambiguous_column", "{refused:?}");
        let done = import_run(&mut store, "alice", request(Some("day-first")), &progress).unwrap();
        assert!(done.committed && done.inserted == 2);
        let bad = import_run(&mut store, "alice", request(Some("sideways")), &progress);
        assert_eq!(bad.unwrap_err().code, "invalid_input");
    }
}
