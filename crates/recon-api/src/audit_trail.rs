//! The audit trail: all of it, or one entity's (`KIND:ID`).

use crate::{ApiError, ApiResult, AuditRecordDto};
use recon_store::Store;

/// Parses `KIND:ID` (`expected_payment:3f2…`); the id may itself hold colons.
pub fn parse_entity(text: &str) -> ApiResult<(String, String)> {
    match text.split_once(':') {
        Some((kind, id)) if !kind.trim().is_empty() && !id.trim().is_empty() => {
            Ok((kind.trim().to_string(), id.trim().to_string()))
        }
        _ => Err(ApiError::invalid(format!(
            "entity '{text}' is not KIND:ID (for example expected_payment:ID, wallet:ID)"
        ))),
    }
}

/// The newest `limit` records (oldest first), of one entity when `entity` is `KIND:ID`.
pub fn audit_list(
    store: &Store,
    entity: Option<String>,
    limit: u32,
) -> ApiResult<Vec<AuditRecordDto>> {
    let entity = entity.as_deref().map(parse_entity).transpose()?;
    let key = entity.as_ref().map(|(k, i)| (k.as_str(), i.as_str()));
    Ok(store
        .audit_list(key, limit)?
        .into_iter()
        .map(|r| AuditRecordDto {
            id: r.id,
            at: r.at,
            actor: r.actor,
            action: r.action,
            entity: r.entity,
            entity_id: r.entity_id,
            before: r.before,
            after: r.after,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entity_is_kind_colon_id() {
        assert_eq!(
            parse_entity("expected_payment:ab:c").unwrap(),
            ("expected_payment".into(), "ab:c".into())
        );
        let err = parse_entity("expected_payment").unwrap_err();
        assert_eq!(err.code, "invalid_input");
        assert!(err.message.contains("is not KIND:ID"), "{}", err.message);
        assert!(parse_entity(":x").is_err());
    }
}
