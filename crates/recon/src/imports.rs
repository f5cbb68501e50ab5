//! `recon import …`, `recon profile …`.

use crate::cli::{DateOrderArg, ImportCmd, ProfileCmd};
use crate::{api, print_json_pretty};
use anyhow::{bail, Context, Result};
use recon_api::import_wizard as wizard;
use recon_api::{imports, BankImportOptions, ImportRequestDto, ImportResultDto, Store};
use std::io::Write;
use std::path::{Path, PathBuf};

pub fn import(store: &mut Store, actor: &str, cmd: ImportCmd, out: &mut impl Write) -> Result<()> {
    match cmd {
        ImportCmd::EsiJournal {
            wallet,
            json,
            files,
        } => esi_journal(store, actor, wallet, json, &files, out),
        ImportCmd::Csv {
            wallet,
            profile,
            valid_rows_only,
            restore_removed,
            json,
            files,
        } => {
            let options = BankImportOptions {
                valid_rows_only,
                restore_removed,
            };
            let profile = api(imports::resolve_profile(store, &profile))?;
            let s = api(imports::import_csv(
                store, actor, &wallet, &files, &profile, options, None,
            ))?;
            print_summary(out, json, &s)
        }
        ImportCmd::File {
            wallet,
            profile,
            date_order,
            dry_run,
            valid_rows_only,
            restore_removed,
            json,
            files,
        } => {
            let options = BankImportOptions {
                valid_rows_only,
                restore_removed,
            };
            let request = FileImport {
                wallet: wallet.as_deref(),
                profile: profile.as_deref(),
                day_order: date_order.map(DateOrderArg::order),
                dry_run,
                options,
            };
            import_file(store, actor, request, json, &files, out)
        }
        ImportCmd::Batches { json } => batches(store, json, out),
        ImportCmd::Remove { batch_id } => {
            let n = api(wizard::batch_remove(store, actor, &batch_id))?;
            writeln!(
                out,
                "removed batch {batch_id}: {n} row(s) left the journal; re-imports will skip them"
            )?;
            Ok(())
        }
        ImportCmd::Expected { json, file } => expected(store, actor, json, &file, out),
        ImportCmd::Conversions {
            program,
            json,
            file,
        } => crate::ledger::import(store, actor, false, &program, json, &file, out),
        ImportCmd::Settlements {
            program,
            json,
            file,
        } => crate::ledger::import(store, actor, true, &program, json, &file, out),
        ImportCmd::WorkspaceWallets(args) => crate::checks::import(
            store,
            actor,
            crate::checks::PlatformFile::WorkspaceWallets,
            args,
            out,
        ),
        ImportCmd::Activations(args) => crate::checks::import(
            store,
            actor,
            crate::checks::PlatformFile::Activations,
            args,
            out,
        ),
        ImportCmd::WalletTransactions(args) => crate::checks::import(
            store,
            actor,
            crate::checks::PlatformFile::WalletTransactions,
            args,
            out,
        ),
    }
}

fn esi_journal(
    store: &mut Store,
    actor: &str,
    wallet: String,
    json: bool,
    files: &[PathBuf],
    out: &mut impl Write,
) -> Result<()> {
    let request = ImportRequestDto {
        wallet,
        paths: files.iter().map(|p| p.display().to_string()).collect(),
    };
    let s = api(recon_api::import_esi_journal(store, actor, request))?;
    if json {
        writeln!(out, "{}", serde_json::to_string(&s)?)?;
    } else if s.batch_id.is_empty() {
        let names: Vec<&str> = s.files.iter().map(|f| f.file_name.as_str()).collect();
        writeln!(
            out,
            "no entries found in {}: nothing was imported into '{}'",
            names.join(", "),
            s.wallet
        )?;
    } else {
        writeln!(
            out,
            "batch {} into '{}': read {}, inserted {}, duplicates {}, rejected {}",
            s.batch_id, s.wallet, s.read, s.inserted, s.duplicates, s.rejected
        )?;
    }
    Ok(())
}

fn expected(
    store: &mut Store,
    actor: &str,
    json: bool,
    file: &Path,
    out: &mut impl Write,
) -> Result<()> {
    let s = api(recon_api::matching::expected_import_path(
        store, actor, file,
    ))?;
    if json {
        writeln!(out, "{}", serde_json::to_string(&s)?)?;
    } else {
        writeln!(
            out,
            "{}: read {}, inserted {}, duplicates {}",
            s.file, s.read, s.inserted, s.duplicates
        )?;
    }
    Ok(())
}

fn print_summary(out: &mut impl Write, json: bool, s: &ImportResultDto) -> Result<()> {
    if json {
        writeln!(out, "{}", serde_json::to_string(s)?)?;
        return Ok(());
    }
    if s.batch_id.is_empty() {
        writeln!(
            out,
            "no rows found: nothing was imported into '{}'",
            s.wallet
        )?;
    } else {
        writeln!(
            out,
            "batch {} into '{}': read {}, inserted {}, duplicates {}, rejected {}",
            s.batch_id, s.wallet, s.read, s.inserted, s.duplicates, s.rejected
        )?;
    }
    for f in &s.files {
        let removed = if f.removed_earlier > 0 {
            format!(" ({} removed earlier, skipped)", f.removed_earlier)
        } else {
            String::new()
        };
        writeln!(
            out,
            "  {} [{} {}] sha256 {}: read {}, inserted {}, duplicates {}{removed}, rejected {}",
            f.file_name,
            f.format,
            f.encoding,
            f.sha256,
            f.read,
            f.inserted,
            f.duplicates,
            f.rejected
        )?;
        if let Some(st) = &f.statement {
            writeln!(out, "    statement: {}", statement_words(st))?;
        }
        for n in &f.notes {
            writeln!(out, "    note: {n}")?;
        }
    }
    if s.rejected > 0 {
        writeln!(out, "rejected rows kept on the batch:{}", s.rejects_text())?;
    }
    Ok(())
}

/// `import file`: where to, through what, and whether only to read.
struct FileImport<'a> {
    wallet: Option<&'a str>,
    profile: Option<&'a str>,
    /// A QIF's date order when its dates read both ways.
    day_order: Option<imports::DayOrder>,
    dry_run: bool,
    options: BankImportOptions,
}

fn import_file(
    store: &mut Store,
    actor: &str,
    request: FileImport<'_>,
    json: bool,
    files: &[PathBuf],
    out: &mut impl Write,
) -> Result<()> {
    let profile = request
        .profile
        .map(|p| api(imports::resolve_profile(store, p)))
        .transpose()?;
    let choices = imports::ReadChoices {
        profile: profile.as_ref(),
        day_order: request.day_order,
    };
    if request.dry_run {
        let reports = files
            .iter()
            .map(|f| api(imports::dry_run(store, f, choices, request.wallet)))
            .collect::<Result<Vec<_>>>()?;
        return print_dry_runs(out, json, &reports);
    }
    let Some(wallet) = request.wallet else {
        bail!("--wallet is needed to import (or use --dry-run to only read the files)");
    };
    let s = api(imports::import_files(
        store,
        actor,
        wallet,
        files,
        choices,
        request.options,
        None,
    ))?;
    print_summary(out, json, &s)
}

fn print_dry_runs(
    out: &mut impl Write,
    json: bool,
    reports: &[recon_api::DryRunDto],
) -> Result<()> {
    if json {
        if reports.len() == 1 {
            writeln!(out, "{}", serde_json::to_string(&reports[0])?)?;
        } else {
            writeln!(out, "{}", serde_json::to_string(&reports)?)?;
        }
        return Ok(());
    }
    for r in reports {
        writeln!(
            out,
            "{}: {} ({}), {} rows, {} rejected",
            r.file, r.format, r.encoding, r.rows, r.rejected
        )?;
        for x in &r.rejects {
            writeln!(
                out,
                "  line {}{}: '{}': {}",
                x.line,
                x.column
                    .as_deref()
                    .map(|c| format!(", column '{c}'"))
                    .unwrap_or_default(),
                x.raw_value,
                x.reason
            )?;
        }
    }
    Ok(())
}

/// A statement's check in words: its balances, its lines' sum, and agrees or the difference.
pub(crate) fn statement_words(st: &recon_api::StatementDto) -> String {
    let mut words = format!(
        "opening {} closing {}",
        st.opening_balance.as_deref().unwrap_or("-"),
        st.closing_balance.as_deref().unwrap_or("-"),
    );
    if let Some(sum) = &st.lines_sum {
        words.push_str(&format!(" lines {sum}"));
    }
    match (st.balances_agree, &st.difference) {
        (Some(true), _) => words.push_str(" (lines add up)"),
        (Some(false), Some(d)) => words.push_str(&format!(
            " (LINES DO NOT ADD UP to the closing balance: off by {d})"
        )),
        (Some(false), None) => words.push_str(" (LINES DO NOT ADD UP to the closing balance)"),
        (None, _) => {}
    }
    words
}

fn batches(store: &Store, json: bool, out: &mut impl Write) -> Result<()> {
    let batches = api(wizard::import_batches(store))?;
    if json {
        return print_json_pretty(out, &batches);
    }
    for b in batches {
        writeln!(
            out,
            "{} {} '{}' {}: read {}, inserted {}, duplicates {}, rejected {}{} by {}",
            b.id,
            b.at,
            b.wallet,
            b.format,
            b.read,
            b.inserted,
            b.duplicates,
            b.rejected,
            b.removed_at
                .as_deref()
                .map(|at| format!(", REMOVED {at}"))
                .unwrap_or_default(),
            b.actor
        )?;
        for f in b.files {
            writeln!(out, "    {} sha256 {}", f.file_name, f.sha256)?;
            if let Some(st) = &f.statement {
                writeln!(out, "    statement: {}", statement_words(st))?;
            }
        }
    }
    Ok(())
}

pub fn profile(
    store: &mut Store,
    actor: &str,
    cmd: ProfileCmd,
    out: &mut impl Write,
) -> Result<()> {
    match cmd {
        ProfileCmd::Save { name, file } => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("reading {}", file.display()))?;
            wizard::profile_save_toml(store, actor, &name, &text)
                .map_err(|e| anyhow::anyhow!("{}: {}", file.display(), e.message))?;
            writeln!(out, "saved profile '{name}'")?;
        }
        ProfileCmd::List => {
            for p in api(wizard::profile_list(store))? {
                writeln!(
                    out,
                    "{:<30} saved {} by {}",
                    p.name, p.created_at, p.created_by
                )?;
            }
        }
        ProfileCmd::Show { name } => {
            write!(out, "{}", api(wizard::profile_toml(store, &name))?)?;
        }
        ProfileCmd::Detect { file } => {
            let proposal = api(wizard::profile_detect(&file))?;
            writeln!(
                out,
                "# proposed for {} (encoding {})",
                file.display(),
                proposal.encoding
            )?;
            write!(out, "{}", proposal.toml)?;
        }
    }
    Ok(())
}
