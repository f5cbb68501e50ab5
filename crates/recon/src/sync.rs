//! `recon sync`, `recon token set`, `recon audit verify`.

use crate::api;
use crate::cli::{AuditCmd, TokenCmd};
use anyhow::{bail, Context, Result};
use recon_api::Store;
use std::io::Write;

pub fn sync(
    store: &mut Store,
    server: Option<String>,
    allow_insecure_http: bool,
    json: bool,
    out: &mut impl Write,
) -> Result<()> {
    let report = api(recon_api::sync_push_with(
        store,
        server,
        allow_insecure_http,
    ))?;
    if json {
        writeln!(out, "{}", serde_json::to_string_pretty(&report)?)?;
        return Ok(());
    }
    writeln!(
        out,
        "pushed {} events ({} already on the server), {} pending",
        report.pushed, report.replayed, report.status.pending
    )?;
    if report.pulled > 0 {
        writeln!(out, "pulled {} colleague event(s)", report.pulled)?;
    }
    for r in &report.refused {
        let undone = if r.undone {
            "undone"
        } else {
            "refused, not undone"
        };
        writeln!(
            out,
            "refused {} {} ({undone}): {}",
            r.kind, r.event_id, r.reason
        )?;
    }
    if report.held + report.not_applied > 0 {
        writeln!(
            out,
            "{} colleague event(s) waiting for this ledger's changes to be answered, {} not applied here",
            report.held, report.not_applied
        )?;
    }
    if report.status.needs_attention > 0 {
        writeln!(
            out,
            "{} refused change(s) need attention (see the app's Sync screen)",
            report.status.needs_attention
        )?;
    }
    Ok(())
}

pub fn token(cmd: TokenCmd, out: &mut impl Write) -> Result<()> {
    let TokenCmd::Set = cmd;
    let mut token = String::new();
    std::io::stdin()
        .read_line(&mut token)
        .context("reading the token from standard input")?;
    if token.trim().is_empty() {
        bail!("no token given on standard input");
    }
    api(recon_api::sync_set_token(token))?;
    writeln!(out, "token stored in the OS keychain")?;
    Ok(())
}

pub fn audit(store: &Store, cmd: AuditCmd, out: &mut impl Write) -> Result<()> {
    if let AuditCmd::Head = cmd {
        let head = api(recon_api::audit_head(store))?;
        writeln!(out, "{} {}", head.seq, head.hash)?;
        return Ok(());
    }
    if let AuditCmd::List {
        entity,
        limit,
        json,
    } = cmd
    {
        return crate::matching::audit_list(store, entity, limit, json, out);
    }
    let report = api(recon_api::audit_verify(store))?;
    if !report.ok {
        bail!(report.message);
    }
    writeln!(out, "{}", report.message)?;
    Ok(())
}
