//! Facts about the running app: which ledger it opened, who is acting.

use super::context::{actor, AppState, Res};

pub fn db_path(state: &AppState) -> Res<String> {
    Ok(state.db_path.display().to_string())
}

pub fn current_actor(_: &AppState) -> Res<String> {
    Ok(actor())
}
