//! Sync with the team server: its address, the device token, and a push now.

use recon_api::{NeedsAttentionDto, SyncReportDto, SyncStatusDto};

use super::context::{actor, AppState, Detached, Res};

pub fn sync_status(state: &AppState) -> Res<SyncStatusDto> {
    recon_api::sync_status(&*state.store()?)
}

pub fn sync_set_server(state: &AppState, url: String) -> Res<SyncStatusDto> {
    recon_api::sync_set_server(&mut *state.store()?, &actor(), url)
}

pub fn sync_set_token(_: &AppState, token: String) -> Res<()> {
    recon_api::sync_set_token(token)
}

/// Network I/O: `recon_api::sync_now` opens its own connection from the path.
pub fn sync_now(detached: &Detached) -> Res<SyncReportDto> {
    recon_api::sync_now(&detached.db_path, &actor())
}

pub fn sync_needs_attention(state: &AppState) -> Res<NeedsAttentionDto> {
    recon_api::sync_needs_attention(&*state.store()?)
}
