//! The audit log's hash chain.

use recon_api::AuditVerifyDto;

use super::context::{AppState, Res};

pub fn audit_verify(state: &AppState) -> Res<AuditVerifyDto> {
    recon_api::audit_verify(&*state.store()?)
}
