//! The audit log's hash chain.

use recon_api::{AuditRecordDto, AuditVerifyDto};

use super::context::{AppState, Res};

pub fn audit_verify(state: &AppState) -> Res<AuditVerifyDto> {
    recon_api::audit_verify(&*state.store()?)
}

pub fn audit_list(
    state: &AppState,
    entity: Option<String>,
    limit: u32,
) -> Res<Vec<AuditRecordDto>> {
    recon_api::audit_list(&*state.store()?, entity, limit)
}
