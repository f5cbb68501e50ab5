//! Reading the journal: pages of rows and the ref types to filter by.

use recon_api::{JournalPageDto, JournalQueryDto};

use super::context::{AppState, Detached, Res};

pub fn journal_query(state: &AppState, q: JournalQueryDto) -> Res<JournalPageDto> {
    recon_api::journal_query(&*state.store()?, q)
}

pub fn journal_ref_types(state: &AppState) -> Res<Vec<String>> {
    recon_api::journal_ref_types(&*state.store()?)
}

pub fn journal_export(detached: &Detached, path: String, q: JournalQueryDto) -> Res<u64> {
    let path = std::path::PathBuf::from(path.trim());
    recon_api::journal_export::journal_export(&detached.open()?, &path, q)
}
