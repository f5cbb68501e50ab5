//! Wallets: where journal lines come from (an EVE character, a corporation division, a bank account).

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WalletKind {
    Character,
    Corporation,
    Bank,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WalletError {
    #[error("wallet kind '{0}' is not one of character, corporation, bank")]
    BadKind(String),
    #[error("wallet name must not be empty")]
    EmptyName,
    #[error("wallet name is longer than {MAX_WALLET_NAME_CHARS} characters")]
    NameTooLong,
    #[error("corporation wallet division must be 1 to 7, got {0}")]
    BadDivision(i32),
    #[error("only corporation wallets have a division")]
    DivisionWithoutCorporation,
}

pub const MAX_WALLET_NAME_CHARS: usize = 200;

impl WalletKind {
    pub fn parse(text: &str) -> Result<Self, WalletError> {
        match text {
            "character" => Ok(Self::Character),
            "corporation" => Ok(Self::Corporation),
            "bank" => Ok(Self::Bank),
            other => Err(WalletError::BadKind(other.to_string())),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Character => "character",
            Self::Corporation => "corporation",
            Self::Bank => "bank",
        }
    }
}

/// Checks a new wallet's fields; returns the trimmed name.
pub fn validate_wallet(
    name: &str,
    kind: WalletKind,
    division: Option<i32>,
) -> Result<String, WalletError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(WalletError::EmptyName);
    }
    if name.chars().count() > MAX_WALLET_NAME_CHARS {
        return Err(WalletError::NameTooLong);
    }
    match (kind, division) {
        (WalletKind::Corporation, Some(d)) if !(1..=7).contains(&d) => {
            Err(WalletError::BadDivision(d))
        }
        (WalletKind::Character | WalletKind::Bank, Some(_)) => {
            Err(WalletError::DivisionWithoutCorporation)
        }
        _ => Ok(name.to_string()),
    }
}

/// How the central server recognises a wallet across devices: by its EVE owner (and
/// division) when known, so two colleagues importing one character's journal share a wallet.
pub fn wallet_key(
    kind: WalletKind,
    owner_id: Option<i64>,
    division: Option<i32>,
    name: &str,
) -> String {
    match owner_id {
        Some(owner) => format!(
            "{}:{}:{}",
            kind.as_str(),
            owner,
            division.map(|d| d.to_string()).unwrap_or_default()
        ),
        None => format!("name:{name}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn division_only_for_corporations() {
        assert!(validate_wallet("Corp", WalletKind::Corporation, Some(2)).is_ok());
        assert_eq!(
            validate_wallet("Corp", WalletKind::Corporation, Some(8)),
            Err(WalletError::BadDivision(8))
        );
        assert_eq!(
            validate_wallet("Char", WalletKind::Character, Some(1)),
            Err(WalletError::DivisionWithoutCorporation)
        );
        assert_eq!(
            validate_wallet("  ", WalletKind::Bank, None),
            Err(WalletError::EmptyName)
        );
        assert_eq!(
            validate_wallet(" Main ", WalletKind::Bank, None).unwrap(),
            "Main"
        );
    }

    #[test]
    fn key_prefers_owner_id() {
        assert_eq!(
            wallet_key(WalletKind::Corporation, Some(98), Some(2), "x"),
            "corporation:98:2"
        );
        assert_eq!(
            wallet_key(WalletKind::Character, Some(9), None, "x"),
            "character:9:"
        );
        assert_eq!(
            wallet_key(WalletKind::Bank, None, None, "Acme"),
            "name:Acme"
        );
    }
}
