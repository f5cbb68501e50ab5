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
    out: &mut impl Write,
) -> Result<()> {
    let report = api(recon_api::sync_push_with(
        store,
        server,
        allow_insecure_http,
    ))?;
    writeln!(
        out,
        "pushed {} events ({} already on the server), {} pending",
        report.pushed, report.replayed, report.status.pending
    )?;
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
