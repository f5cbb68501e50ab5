//! `recon import csv|file|batches`, `recon profile …`.

use crate::ProfileCmd;
use anyhow::{anyhow, bail, Context, Result};
use chrono::Utc;
use recon_api::imports;
use recon_store::{BankImportOptions, BankImportSummary, Store};
use std::io::Write;
use std::path::PathBuf;

fn api<T>(r: Result<T, recon_api::ApiError>) -> Result<T> {
    r.map_err(|e| anyhow!(e.message))
}

fn print_summary(out: &mut impl Write, json: bool, s: &BankImportSummary) -> Result<()> {
    if json {
        writeln!(out, "{}", serde_json::to_string(s)?)?;
        return Ok(());
    }
    writeln!(
        out,
        "batch {} into '{}': read {}, inserted {}, duplicates {}, rejected {}",
        s.batch_id, s.wallet, s.read, s.inserted, s.duplicates, s.rejected
    )?;
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
            writeln!(
                out,
                "    statement: opening {} closing {} {}",
                st.opening_balance
                    .map(|b| b.to_string())
                    .unwrap_or_else(|| "-".into()),
                st.closing_balance
                    .map(|b| b.to_string())
                    .unwrap_or_else(|| "-".into()),
                match st.balances_agree {
                    Some(true) => "(lines add up)",
                    Some(false) => "(LINES DO NOT ADD UP to the closing balance)",
                    None => "",
                }
            )?;
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

#[allow(clippy::too_many_arguments)]
pub fn import_csv(
    store: &mut Store,
    actor: &str,
    wallet: &str,
    profile: &str,
    options: BankImportOptions,
    json: bool,
    files: &[PathBuf],
    out: &mut impl Write,
) -> Result<()> {
    let profile = api(imports::resolve_profile(store, profile))?;
    let s = api(imports::import_csv(
        store, actor, wallet, files, &profile, options, None,
    ))?;
    print_summary(out, json, &s)
}

#[allow(clippy::too_many_arguments)]
pub fn import_file(
    store: &mut Store,
    actor: &str,
    wallet: Option<&str>,
    profile: Option<&str>,
    dry_run: bool,
    options: BankImportOptions,
    json: bool,
    files: &[PathBuf],
    out: &mut impl Write,
) -> Result<()> {
    let profile = profile
        .map(|p| api(imports::resolve_profile(store, p)))
        .transpose()?;
    if dry_run {
        let reports = files
            .iter()
            .map(|f| api(imports::dry_run(f, profile.as_ref())))
            .collect::<Result<Vec<_>>>()?;
        if json {
            if reports.len() == 1 {
                writeln!(out, "{}", serde_json::to_string(&reports[0])?)?;
            } else {
                writeln!(out, "{}", serde_json::to_string(&reports)?)?;
            }
        } else {
            for r in &reports {
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
        }
        return Ok(());
    }
    let Some(wallet) = wallet else {
        bail!("--wallet is needed to import (or use --dry-run to only read the files)");
    };
    let s = api(imports::import_files(
        store,
        actor,
        wallet,
        files,
        profile.as_ref(),
        options,
        None,
    ))?;
    print_summary(out, json, &s)
}

pub fn batches(store: &Store, json: bool, out: &mut impl Write) -> Result<()> {
    let batches = store.import_batches().map_err(|e| anyhow!(e))?;
    if json {
        serde_json::to_writer_pretty(&mut *out, &batches)?;
        writeln!(out)?;
        return Ok(());
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
            store
                .save_profile(actor, Utc::now(), &name, &text)
                .map_err(|e| anyhow!("{}: {e}", file.display()))?;
            writeln!(out, "saved profile '{name}'")?;
        }
        ProfileCmd::List => {
            for p in store.profiles().map_err(|e| anyhow!(e))? {
                writeln!(
                    out,
                    "{:<30} saved {} by {}",
                    p.name, p.created_at, p.created_by
                )?;
            }
        }
        ProfileCmd::Show { name } => {
            let p = store.profile(&name).map_err(|e| anyhow!(e))?;
            write!(out, "{}", p.to_toml())?;
        }
        ProfileCmd::Detect { file } => {
            let proposal = api(imports::propose(&file))?;
            if let Some(message) = imports::ambiguity_message(&file, &proposal) {
                bail!(message);
            }
            writeln!(
                out,
                "# proposed for {} (encoding {})",
                file.display(),
                proposal.encoding
            )?;
            write!(out, "{}", proposal.profile.to_toml())?;
        }
    }
    Ok(())
}
