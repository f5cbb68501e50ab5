-- Bank and payment files (SPEC §4): CSV through mapping profiles, OFX, CAMT, MT940.

-- Saved CSV mapping profiles (TOML text of recon_import::Profile).
CREATE TABLE mapping_profiles (
    name       TEXT PRIMARY KEY COLLATE NOCASE,
    toml       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL
) STRICT;

-- Bank rows carry what ESI lines do not. natural_key is `ref:{id}` for rows with a
-- natural id and `fp:{sha256}` (§4 fingerprint) for rows without.
ALTER TABLE journal_entries ADD COLUMN counterparty TEXT;
ALTER TABLE journal_entries ADD COLUMN source_line INTEGER;

ALTER TABLE import_batches ADD COLUMN valid_rows_only INTEGER NOT NULL DEFAULT 0;
ALTER TABLE import_batches ADD COLUMN removed_at TEXT;
ALTER TABLE import_batches ADD COLUMN removed_by TEXT;

ALTER TABLE import_batch_files ADD COLUMN format TEXT;
ALTER TABLE import_batch_files ADD COLUMN encoding TEXT;
ALTER TABLE import_batch_files ADD COLUMN rejected INTEGER NOT NULL DEFAULT 0;
ALTER TABLE import_batch_files ADD COLUMN profile_toml TEXT;
-- The statement's own balances (decimal text) and whether opening + lines = closing.
ALTER TABLE import_batch_files ADD COLUMN opening_balance TEXT;
ALTER TABLE import_batch_files ADD COLUMN closing_balance TEXT;
ALTER TABLE import_batch_files ADD COLUMN balances_agree INTEGER;

-- Rows a "valid rows only" import left out, kept on the batch with their raw text.
CREATE TABLE import_rejects (
    batch_id  TEXT NOT NULL REFERENCES import_batches(id),
    position  INTEGER NOT NULL,               -- the file within the batch
    line      INTEGER NOT NULL,
    column_name TEXT,
    raw_value TEXT NOT NULL,
    reason    TEXT NOT NULL,
    raw       TEXT NOT NULL
) STRICT;
CREATE INDEX import_rejects_batch ON import_rejects (batch_id, position, line);

-- Rows of removed batches: a re-import skips them unless the user asks to restore.
CREATE TABLE import_tombstones (
    wallet_id    TEXT NOT NULL REFERENCES wallets(id),
    natural_key  TEXT NOT NULL,
    batch_id     TEXT NOT NULL REFERENCES import_batches(id),
    date         TEXT NOT NULL,
    amount_minor INTEGER,
    description  TEXT NOT NULL,
    PRIMARY KEY (wallet_id, natural_key)
) STRICT;
