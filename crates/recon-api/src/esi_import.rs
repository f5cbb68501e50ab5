//! ESI wallet journal imports: JSON page files read whole (bounded) into one batch.

use crate::{ApiError, ApiResult, ErrorCode, ImportFileDto, ImportRequestDto, ImportSummaryDto};
use chrono::Utc;
use recon_store::{SourceFile, Store};
use std::path::PathBuf;

/// Largest journal file read into memory (ESI pages are a few hundred kilobytes).
pub const MAX_IMPORT_FILE_BYTES: u64 = 256 * 1024 * 1024;

/// Reads source files with their size bounded, naming the file in every error.
pub fn read_source_files(paths: &[PathBuf]) -> ApiResult<Vec<SourceFile>> {
    if paths.is_empty() {
        return Err(ApiError::invalid("choose at least one file to import"));
    }
    paths
        .iter()
        .map(|path| {
            let fail = |e: std::io::Error| {
                ApiError::new(ErrorCode::Io, format!("{}: {e}", path.display()))
            };
            let meta = std::fs::metadata(path).map_err(fail)?;
            if !meta.is_file() {
                return Err(ApiError::new(
                    ErrorCode::Io,
                    format!("{}: not a file", path.display()),
                ));
            }
            if meta.len() > MAX_IMPORT_FILE_BYTES {
                return Err(ApiError::new(
                    ErrorCode::BadFile,
                    format!(
                        "{}: {} bytes is larger than the {} bytes a journal file may have",
                        path.display(),
                        meta.len(),
                        MAX_IMPORT_FILE_BYTES
                    ),
                ));
            }
            Ok(SourceFile {
                name: path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_else(|| path.display().to_string()),
                bytes: std::fs::read(path).map_err(fail)?,
            })
        })
        .collect()
}

pub fn import_esi_journal(
    store: &mut Store,
    actor: &str,
    req: ImportRequestDto,
) -> ApiResult<ImportSummaryDto> {
    let paths: Vec<PathBuf> = req.paths.iter().map(|p| PathBuf::from(p.trim())).collect();
    let files = read_source_files(&paths)?;
    let s = store.import_esi_journal(actor, Utc::now(), &req.wallet, &files)?;
    Ok(ImportSummaryDto {
        batch_id: s.batch_id,
        wallet: s.wallet,
        read: s.read,
        inserted: s.inserted,
        duplicates: s.duplicates,
        rejected: s.rejected,
        files: s
            .files
            .into_iter()
            .map(|f| ImportFileDto {
                file_name: f.file_name,
                sha256: f.sha256,
                read: f.read,
                inserted: f.inserted,
                duplicates: f.duplicates,
            })
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger_with_wallet;

    #[test]
    fn import_errors_reach_the_ui_as_code_and_message_naming_the_file() {
        let (dir, mut store) = ledger_with_wallet();
        let bad = dir.path().join("page1.json");
        std::fs::write(
            &bad,
            r#"[{"id": 5, "date": "2026-01-01T00:00:00Z", "ref_type": "x"}]"#,
        )
        .unwrap();
        let err = import_esi_journal(
            &mut store,
            "alice",
            ImportRequestDto {
                wallet: "Main".into(),
                paths: vec![bad.display().to_string()],
            },
        )
        .unwrap_err();
        assert_eq!(err.code, "bad_file");
        assert_eq!(
            err.message,
            "page1.json: entry 0 (id 5): field 'description' is missing"
        );
        let json = serde_json::to_value(&err).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"code": "bad_file", "message": err.message})
        );

        let missing = import_esi_journal(
            &mut store,
            "alice",
            ImportRequestDto {
                wallet: "Main".into(),
                paths: vec!["/nonexistent/x.json".into()],
            },
        )
        .unwrap_err();
        assert_eq!(missing.code, "io");
        assert!(missing.message.contains("/nonexistent/x.json"));
    }
}
