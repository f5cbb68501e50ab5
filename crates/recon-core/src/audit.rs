//! The audit log is a hash chain: each record's hash covers its own fields and the previous
//! record's hash, so altering, inserting or deleting a record in the middle is detectable.

use sha2::{Digest, Sha256};

/// `prev_hash` of the first record.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One audit record as hashed. `before` / `after` are JSON texts (or absent).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditFields<'a> {
    pub id: i64,
    pub at: &'a str,
    pub actor: &'a str,
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: &'a str,
    pub before: Option<&'a str>,
    pub after: Option<&'a str>,
}

/// SHA-256 (hex) over the previous hash and every field, each length-prefixed so no two
/// different records can serialize alike.
pub fn chain_hash(prev_hash: &str, record: &AuditFields<'_>) -> String {
    let mut hasher = Sha256::new();
    let mut digits = [0u8; 20];
    let mut put = |field: Option<&str>| match field {
        None => hasher.update(b"-|"),
        Some(text) => {
            hasher.update(decimal(text.len() as u64, &mut digits));
            hasher.update(b":");
            hasher.update(text.as_bytes());
            hasher.update(b"|");
        }
    };
    let id = record.id.to_string();
    put(Some(prev_hash));
    put(Some(&id));
    put(Some(record.at));
    put(Some(record.actor));
    put(Some(record.action));
    put(Some(record.entity));
    put(Some(record.entity_id));
    put(record.before);
    put(record.after);
    hex::encode(hasher.finalize())
}

/// `n` in decimal, written into `buf` (what `n.to_string()` gives, without allocating: the
/// chain hashes nine lengths per record).
fn decimal(mut n: u64, buf: &mut [u8; 20]) -> &[u8] {
    let mut at = buf.len();
    loop {
        at -= 1;
        buf[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            return &buf[at..];
        }
    }
}

/// Why a record breaks the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainBreak {
    /// The record's `prev_hash` is not the hash of the record before it (one was removed or inserted).
    PrevHashMismatch,
    /// The record's own fields no longer hash to its stored hash (it was altered).
    HashMismatch,
}

/// Walks records in id order, keeping only the running hash: constant memory for any log size.
#[derive(Debug)]
pub struct ChainVerifier {
    expected_prev: String,
    checked: u64,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        Self {
            expected_prev: GENESIS_HASH.to_string(),
            checked: 0,
        }
    }
}

impl ChainVerifier {
    /// Checks the next record; on a break, the caller reports this record.
    pub fn check(
        &mut self,
        record: &AuditFields<'_>,
        stored_prev: &str,
        stored_hash: &str,
    ) -> Result<(), ChainBreak> {
        if stored_prev != self.expected_prev {
            return Err(ChainBreak::PrevHashMismatch);
        }
        if chain_hash(stored_prev, record) != stored_hash {
            return Err(ChainBreak::HashMismatch);
        }
        self.expected_prev = stored_hash.to_string();
        self.checked += 1;
        Ok(())
    }

    pub fn checked(&self) -> u64 {
        self.checked
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_are_hashed_as_their_decimal_text() {
        let mut buf = [0u8; 20];
        for n in [0, 7, 10, 99, 100, 12_345, u64::MAX] {
            assert_eq!(decimal(n, &mut buf), n.to_string().as_bytes());
        }
        // The chain's format, written out: a record hashes as it always has.
        let fields = rec(3, r#"{"memo":"x"}"#);
        let mut reference = Sha256::new();
        let texts = [
            Some(GENESIS_HASH),
            Some("3"),
            Some(fields.at),
            Some(fields.actor),
            Some(fields.action),
            Some(fields.entity),
            Some(fields.entity_id),
            fields.before,
            fields.after,
        ];
        for text in texts {
            match text {
                None => reference.update(b"-|"),
                Some(t) => reference.update(format!("{}:{t}|", t.len()).as_bytes()),
            }
        }
        assert_eq!(
            chain_hash(GENESIS_HASH, &fields),
            hex::encode(reference.finalize())
        );
    }

    fn rec(id: i64, after: &str) -> AuditFields<'_> {
        AuditFields {
            id,
            at: "2026-01-01T00:00:00Z",
            actor: "alice",
            action: "wallet.created",
            entity: "wallet",
            entity_id: "w1",
            before: None,
            after: Some(after),
        }
    }

    #[test]
    fn a_chain_verifies_and_an_altered_record_is_named() {
        let records = [
            rec(1, "{\"a\":1}"),
            rec(2, "{\"a\":2}"),
            rec(3, "{\"a\":3}"),
        ];
        let mut prev = GENESIS_HASH.to_string();
        let mut stored = Vec::new();
        for r in &records {
            let h = chain_hash(&prev, r);
            stored.push((prev.clone(), h.clone()));
            prev = h;
        }
        let mut v = ChainVerifier::default();
        for (r, (p, h)) in records.iter().zip(&stored) {
            v.check(r, p, h).unwrap();
        }
        assert_eq!(v.checked(), 3);

        let tampered = rec(2, "{\"a\":999}");
        let mut v = ChainVerifier::default();
        v.check(&records[0], &stored[0].0, &stored[0].1).unwrap();
        assert_eq!(
            v.check(&tampered, &stored[1].0, &stored[1].1),
            Err(ChainBreak::HashMismatch)
        );

        // a deleted middle record shows as a prev-hash break on the next one
        let mut v = ChainVerifier::default();
        v.check(&records[0], &stored[0].0, &stored[0].1).unwrap();
        assert_eq!(
            v.check(&records[2], &stored[2].0, &stored[2].1),
            Err(ChainBreak::PrevHashMismatch)
        );
    }

    #[test]
    fn absent_and_empty_fields_hash_differently() {
        let mut a = rec(1, "");
        let h1 = chain_hash(GENESIS_HASH, &a);
        a.after = None;
        assert_ne!(h1, chain_hash(GENESIS_HASH, &a));
    }
}
