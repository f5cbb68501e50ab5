//! The audit log is a hash chain: each record's hash covers its own fields and the previous
//! record's hash, so altering, inserting or deleting a record in the middle is detectable.
//! A record also attests the content it wrote: its `content_digest` (see [`row_hash`] and
//! [`RowSetDigest`]) is a digest of the rows it left behind, covered by the chain hash, so
//! `verify` can recompute it from the live tables.

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
    /// The digest of the rows the record attests; `None` for records written before
    /// digests existed (their hash is computed as it always was).
    pub content_digest: Option<&'a str>,
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
    // A tenth field only when present: older records keep their hash, and a record with a
    // digest cannot hash like one without (every field is length-prefixed or `-`).
    if let Some(digest) = record.content_digest {
        put(Some(digest));
    }
    hex_lower(&hasher.finalize())
}

/// `bytes` in lower-case hex, as `hex::encode` writes it. Why not `hex::encode`: it builds
/// the string a `char` at a time, and audit hashes are written for every row of an import
/// (a twentieth of `import expected` went to it).
pub fn hex_lower(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = Vec::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[(b >> 4) as usize]);
        out.push(DIGITS[(b & 0x0f) as usize]);
    }
    String::from_utf8(out).expect("hex digits are ASCII")
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

/// One column's value as hashed: typed, so `1` and `'1'` differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cell<'a> {
    Null,
    Int(i64),
    Text(&'a str),
}

/// SHA-256 of one row, its cells in a fixed column order: `-|` for NULL, `i<n>|` for an
/// integer, `<len>:<text>|` for text — so no two different rows encode alike.
pub fn row_hash(cells: &[Cell<'_>]) -> [u8; 32] {
    let mut hasher = Sha256::new();
    let mut digits = [0u8; 20];
    for cell in cells {
        match *cell {
            Cell::Null => hasher.update(b"-|"),
            Cell::Int(n) => {
                hasher.update(if n < 0 { b"i-" as &[u8] } else { b"i" });
                hasher.update(decimal(n.unsigned_abs(), &mut digits));
                hasher.update(b"|");
            }
            Cell::Text(text) => {
                hasher.update(decimal(text.len() as u64, &mut digits));
                hasher.update(b":");
                hasher.update(text.as_bytes());
                hasher.update(b"|");
            }
        }
    }
    hasher.finalize().into()
}

/// The digest of one row, as a record attesting a single row stores it (hex).
pub fn single_row_digest(cells: Option<&[Cell<'_>]>) -> String {
    match cells {
        Some(cells) => format!("row:{}", hex_lower(&row_hash(cells))),
        None => "row:absent".to_owned(),
    }
}

/// The digest of a set of rows keyed by an integer id (journal lines by `rowid_pk`): the
/// row hashes in id order, then their count. Rows may be added in any order (an import
/// inserts in file order); [`RowSetDigest::finish`] sorts them — cheap when they arrive
/// nearly in order, as date-ordered statements do. The verifier reads rows in id order
/// and so gets the same digest.
#[derive(Debug, Default, Clone)]
pub struct RowSetDigest {
    rows: Vec<(i64, [u8; 32])>,
}

impl RowSetDigest {
    pub fn add(&mut self, id: i64, row: [u8; 32]) {
        self.rows.push((id, row));
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// `rows:<count>:<hex>`.
    pub fn finish(mut self) -> String {
        self.rows.sort_unstable_by_key(|r| r.0);
        let mut ordered = OrderedRowSet::default();
        for (_, row) in &self.rows {
            ordered.add(row);
        }
        ordered.finish()
    }
}

/// [`RowSetDigest`] for rows that arrive in id order (a verifier reading a table by its
/// key): the same digest in constant memory.
#[derive(Debug, Clone)]
pub struct OrderedRowSet {
    hasher: Sha256,
    count: u64,
}

impl Default for OrderedRowSet {
    fn default() -> Self {
        let mut hasher = Sha256::new();
        hasher.update(b"recon-rows-v1|");
        Self { hasher, count: 0 }
    }
}

impl OrderedRowSet {
    /// The next row, in ascending id order.
    pub fn add(&mut self, row: &[u8; 32]) {
        self.hasher.update(row);
        self.count += 1;
    }

    pub fn finish(self) -> String {
        format!("rows:{}:{}", self.count, hex_lower(&self.hasher.finalize()))
    }
}

/// Whether a recorded content digest still matches what the tables hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContentCheck {
    Matches,
    /// Written before content digests existed: not checked against the tables.
    NotAttested,
    Differs {
        recorded: String,
        live: String,
    },
}

/// Compares a record's digest with the one recomputed from the live tables.
pub fn check_content(recorded: Option<&str>, live: &str) -> ContentCheck {
    match recorded {
        None => ContentCheck::NotAttested,
        Some(r) if r == live => ContentCheck::Matches,
        Some(r) => ContentCheck::Differs {
            recorded: r.to_owned(),
            live: live.to_owned(),
        },
    }
}

/// A row-count summary of a set digest, for messages: `rows:12:ab…` → 12.
pub fn digest_row_count(digest: &str) -> Option<u64> {
    digest
        .strip_prefix("rows:")?
        .split(':')
        .next()?
        .parse()
        .ok()
}

/// The chain's end as this ledger last wrote it: the newest record's id and hash
/// (`0` and [`GENESIS_HASH`] before the first record).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainHead {
    pub seq: i64,
    pub hash: String,
}

/// Why a head this ledger sends is refused by whoever kept an earlier one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HeadRefusal {
    /// The chain is shorter than it was: records were cut from its end.
    WentBack { known: ChainHead, now: ChainHead },
    /// The record at the known sequence no longer has the known hash: the chain up to it
    /// was rewritten.
    Rewritten {
        known: ChainHead,
        found: Option<String>,
    },
}

impl std::fmt::Display for HeadRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            HeadRefusal::WentBack { known, now } => write!(
                f,
                "the audit chain ends at record {} but record {} (hash {}) was seen before: records were cut from its end",
                now.seq, known.seq, known.hash
            ),
            HeadRefusal::Rewritten { known, found } => write!(
                f,
                "record {} of the audit chain had hash {} and now {}: the chain was rewritten",
                known.seq,
                known.hash,
                found.as_deref().map_or("is missing".to_owned(), |h| format!("has {h}"))
            ),
        }
    }
}

/// The rule a keeper of heads (the server, or the ledger's own device row) applies: a new
/// head may only move forward, and the record at the known head must still be there with
/// the same hash (`at_known` is the hash the ledger now has at `known.seq`).
pub fn check_head(
    known: Option<&ChainHead>,
    new: &ChainHead,
    at_known: Option<&str>,
) -> Result<(), HeadRefusal> {
    let Some(known) = known else {
        return Ok(());
    };
    if new.seq < known.seq {
        return Err(HeadRefusal::WentBack {
            known: known.clone(),
            now: new.clone(),
        });
    }
    if at_known != Some(known.hash.as_str()) {
        return Err(HeadRefusal::Rewritten {
            known: known.clone(),
            found: at_known.map(str::to_owned),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_lower_writes_what_hex_encode_writes() {
        // Every byte value, and hashes of varied lengths: stored hashes must not change.
        let all: Vec<u8> = (0..=255u8).collect();
        assert_eq!(hex_lower(&all), hex::encode(&all));
        assert_eq!(hex_lower(&[]), "");
        for n in 0..64u8 {
            let bytes: Vec<u8> = (0..n).map(|i| i.wrapping_mul(37).wrapping_add(n)).collect();
            assert_eq!(hex_lower(&bytes), hex::encode(&bytes));
        }
    }

    #[test]
    fn a_digest_is_covered_by_the_hash_and_older_records_hash_as_before() {
        let plain = rec(1, "{}");
        let mut attested = plain.clone();
        attested.content_digest = Some("rows:0:00");
        assert_ne!(
            chain_hash(GENESIS_HASH, &plain),
            chain_hash(GENESIS_HASH, &attested)
        );
        let mut other = attested.clone();
        other.content_digest = Some("rows:0:01");
        assert_ne!(
            chain_hash(GENESIS_HASH, &attested),
            chain_hash(GENESIS_HASH, &other)
        );
    }

    #[test]
    fn row_set_digests_ignore_arrival_order_but_not_content() {
        let row = |n: i64| row_hash(&[Cell::Int(n), Cell::Text("x"), Cell::Null]);
        let mut a = RowSetDigest::default();
        let mut b = RowSetDigest::default();
        for id in [1, 2, 3] {
            a.add(id, row(id));
        }
        for id in [3, 1, 2] {
            b.add(id, row(id));
        }
        let digest = a.clone().finish();
        assert_eq!(digest, b.finish());
        assert_eq!(digest_row_count(&digest), Some(3));
        let mut c = RowSetDigest::default();
        c.add(1, row(1));
        c.add(2, row(2));
        c.add(3, row(300));
        assert_ne!(digest, c.finish());
        // Typed cells: an integer and its text differ, NULL and empty text differ.
        assert_ne!(row_hash(&[Cell::Int(1)]), row_hash(&[Cell::Text("1")]));
        assert_ne!(row_hash(&[Cell::Null]), row_hash(&[Cell::Text("")]));
        assert_ne!(row_hash(&[Cell::Int(-5)]), row_hash(&[Cell::Int(5)]));
    }

    #[test]
    fn a_head_may_only_move_forward_over_the_same_records() {
        let head = |seq, hash: &str| ChainHead {
            seq,
            hash: hash.into(),
        };
        let known = head(5, "h5");
        assert_eq!(check_head(None, &head(1, "h1"), None), Ok(()));
        assert_eq!(check_head(Some(&known), &head(5, "h5"), Some("h5")), Ok(()));
        assert_eq!(check_head(Some(&known), &head(9, "h9"), Some("h5")), Ok(()));
        assert!(matches!(
            check_head(Some(&known), &head(4, "h4"), None),
            Err(HeadRefusal::WentBack { .. })
        ));
        assert!(matches!(
            check_head(Some(&known), &head(5, "other"), Some("other")),
            Err(HeadRefusal::Rewritten { .. })
        ));
        assert!(matches!(
            check_head(Some(&known), &head(9, "h9"), Some("forged")),
            Err(HeadRefusal::Rewritten { .. })
        ));
    }

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
            content_digest: None,
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
