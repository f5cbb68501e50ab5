-- Recon Desk local ledger, version 1. Append-only: later changes go in new files.

CREATE TABLE currencies (
    code  TEXT PRIMARY KEY,
    scale INTEGER NOT NULL CHECK (scale BETWEEN 0 AND 8),
    name  TEXT NOT NULL
) STRICT;

CREATE TABLE wallets (
    id         TEXT PRIMARY KEY,              -- UUID
    name       TEXT NOT NULL UNIQUE COLLATE NOCASE,
    kind       TEXT NOT NULL CHECK (kind IN ('character', 'corporation', 'bank')),
    owner_id   INTEGER,
    division   INTEGER,
    currency   TEXT NOT NULL REFERENCES currencies(code),
    receiving  INTEGER NOT NULL DEFAULT 0 CHECK (receiving IN (0, 1)),
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL
) STRICT;

CREATE TABLE import_batches (
    id         TEXT PRIMARY KEY,              -- UUID
    wallet_id  TEXT NOT NULL REFERENCES wallets(id),
    format     TEXT NOT NULL,                 -- 'esi_journal'
    read       INTEGER NOT NULL,
    inserted   INTEGER NOT NULL,
    duplicates INTEGER NOT NULL,
    rejected   INTEGER NOT NULL,
    actor      TEXT NOT NULL,
    at         TEXT NOT NULL,
    CHECK (read = inserted + duplicates + rejected)
) STRICT;

-- One row per source file of a batch (ESI journals come as several page files).
CREATE TABLE import_batch_files (
    batch_id   TEXT NOT NULL REFERENCES import_batches(id),
    position   INTEGER NOT NULL,
    file_name  TEXT NOT NULL,
    sha256     TEXT NOT NULL,
    size_bytes INTEGER NOT NULL,
    read       INTEGER NOT NULL,
    inserted   INTEGER NOT NULL,
    duplicates INTEGER NOT NULL,
    PRIMARY KEY (batch_id, position)
) STRICT;

-- Journal lines. Amounts are integer minor units of the wallet's currency; *_raw keeps
-- the source text (ESI sends binary doubles). Rows are never updated.
CREATE TABLE journal_entries (
    rowid_pk        INTEGER PRIMARY KEY,
    wallet_id       TEXT NOT NULL REFERENCES wallets(id),
    natural_key     TEXT NOT NULL,            -- ESI journal id as text
    esi_id          INTEGER,
    date            TEXT NOT NULL,            -- RFC 3339 UTC
    ref_type        TEXT NOT NULL,
    description     TEXT NOT NULL,
    reason          TEXT,
    amount_minor    INTEGER,
    amount_raw      TEXT,
    balance_minor   INTEGER,
    balance_raw     TEXT,
    first_party_id  INTEGER,
    second_party_id INTEGER,
    context_id      INTEGER,
    context_id_type TEXT,
    tax_minor       INTEGER,
    tax_raw         TEXT,
    tax_receiver_id INTEGER,
    batch_id        TEXT NOT NULL REFERENCES import_batches(id),
    UNIQUE (wallet_id, natural_key)
) STRICT;
CREATE INDEX journal_entries_date ON journal_entries (date, rowid_pk);
CREATE INDEX journal_entries_wallet_date ON journal_entries (wallet_id, date);
CREATE INDEX journal_entries_ref_type ON journal_entries (ref_type, date);

-- Append-only, hash-chained (see recon_core::audit).
CREATE TABLE audit_log (
    id        INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL,
    entity    TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    before    TEXT,
    after     TEXT,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
) STRICT;

-- Events for the central server, written in the same transaction as the change.
CREATE TABLE outbox (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id   TEXT NOT NULL UNIQUE,          -- UUID, the server's idempotency key
    kind       TEXT NOT NULL,
    body       TEXT NOT NULL,                 -- JSON of recon_sync::EventBody
    created_at TEXT NOT NULL,
    sent_at    TEXT,
    attempts   INTEGER NOT NULL DEFAULT 0,
    last_error TEXT
) STRICT;
CREATE INDEX outbox_pending ON outbox (seq) WHERE sent_at IS NULL;

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;
