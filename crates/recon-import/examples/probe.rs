//! `cargo run -p recon-import --example probe -- FILE...`: detect, propose (CSV), read, and
//! print what an import would see. A development tool for real-world samples.

use recon_import::{detect_format, propose_profile, read_csv, read_statement, Format, RowResult};
use std::fs::File;
use std::io::Read;

fn probe(path: &str) -> Result<(), String> {
    let mut head = Vec::new();
    File::open(path)
        .and_then(|f| f.take(64 * 1024).read_to_end(&mut head))
        .map_err(|e| e.to_string())?;
    let format = detect_format(&head).map_err(|e| format!("refused: {e}"))?;
    let mut rows = 0u64;
    let mut rejects = Vec::new();
    let mut first_rows = Vec::new();
    let on_row = |r: RowResult| -> Result<(), std::convert::Infallible> {
        match r {
            RowResult::Row(row) => {
                rows += 1;
                if first_rows.len() < 2 {
                    first_rows.push(format!(
                        "{} {} {} {:?} ref={:?}",
                        row.line,
                        row.date,
                        row.amount,
                        row.description.chars().take(40).collect::<String>(),
                        row.reference
                    ));
                }
            }
            RowResult::Reject(j) => {
                if rejects.len() < 3 {
                    rejects.push(format!(
                        "line {} {}: {} [{}]",
                        j.line,
                        j.column.unwrap_or_default(),
                        j.reason,
                        j.raw_value.chars().take(40).collect::<String>()
                    ));
                }
            }
        }
        Ok(())
    };
    let file = File::open(path).map_err(|e| e.to_string())?;
    let summary = if format == Format::Csv {
        let proposal = propose_profile(&head).map_err(|e| format!("csv, no profile: {e}"))?;
        for a in &proposal.ambiguities {
            println!("  ambiguous {}: {}", a.column, a.readings.join(" | "));
        }
        println!(
            "  profile: {}",
            proposal.profile.to_toml().replace('\n', "; ")
        );
        read_csv(file, &proposal.profile, on_row).map_err(|e| format!("csv: {e}"))?
    } else if format == Format::EsiJson {
        return Err("esi-json (read by recon_core::esi)".into());
    } else {
        read_statement(file, format, on_row).map_err(|e| format!("{format}: {e}"))?
    };
    println!(
        "  format={} encoding={} rows={} rejected={}",
        summary.format, summary.encoding, summary.read, summary.rejected
    );
    if let Some(s) = &summary.statement {
        println!(
            "  statement: account={:?} currency={:?} opening={:?} closing={:?} agree={:?}",
            s.account, s.currency, s.opening_balance, s.closing_balance, s.balances_agree
        );
    }
    for n in &summary.notes {
        println!("  note: {n}");
    }
    for r in first_rows {
        println!("  row: {r}");
    }
    for r in &rejects {
        println!("  reject: {r}");
    }
    Ok(())
}

fn main() {
    let paths: Vec<String> = std::env::args().skip(1).collect();
    if paths.is_empty() {
        eprintln!("usage: probe FILE...");
        std::process::exit(2);
    }
    for p in &paths {
        println!("== {p}");
        if let Err(e) = probe(p) {
            println!("  ERROR {e}");
        }
    }
}
