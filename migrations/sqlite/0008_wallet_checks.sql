-- Wallet-sync checks (SPEC §8). The platform's workspaces, their wallets (balance and
-- locked balance), activations and wallet transactions; every check run with its report;
-- per-currency check levels. "Workspace wallets" are the platform's, not the journal
-- `wallets` (character, corporation, bank). Amounts are integer minor units of the row's
-- currency.

CREATE TABLE workspaces (
    id         TEXT PRIMARY KEY,
    created_at TEXT NOT NULL
) STRICT;

CREATE TABLE workspace_wallets (
    wallet_id     TEXT PRIMARY KEY,
    workspace_id  TEXT NOT NULL REFERENCES workspaces(id),
    currency      TEXT NOT NULL REFERENCES currencies(code),
    balance_minor INTEGER NOT NULL,
    locked_minor  INTEGER NOT NULL,
    -- The snapshot the balances come from; operations and fixes keep it and bump version.
    as_of         TEXT NOT NULL,
    -- Bumped by every change of the balances: a fix names the state it fixed.
    version       INTEGER NOT NULL DEFAULT 1,
    UNIQUE (workspace_id, currency)
) STRICT;

-- Every snapshot imported, newest or not: the older values stay here.
CREATE TABLE workspace_wallet_snapshots (
    wallet_id     TEXT NOT NULL REFERENCES workspace_wallets(wallet_id),
    as_of         TEXT NOT NULL,
    balance_minor INTEGER NOT NULL,
    locked_minor  INTEGER NOT NULL,
    imported_at   TEXT NOT NULL,
    PRIMARY KEY (wallet_id, as_of)
) STRICT;

CREATE TABLE activations (
    id                 TEXT PRIMARY KEY,
    workspace_id       TEXT NOT NULL REFERENCES workspaces(id),
    status             TEXT NOT NULL CHECK (status = 'draft' OR status = 'live' OR status = 'paused'
                                            OR status = 'completed' OR status = 'cancelled'),
    total_budget_minor INTEGER NOT NULL,
    spent_minor        INTEGER NOT NULL,
    currency           TEXT NOT NULL REFERENCES currencies(code),
    updated_at         TEXT NOT NULL
) STRICT;
-- The check sums the locking activations of each (workspace, currency) from this index alone.
CREATE INDEX activations_locking ON activations (workspace_id, currency, status, total_budget_minor, spent_minor)
    WHERE status = 'live' OR status = 'draft';

CREATE TABLE check_runs (
    id            TEXT PRIMARY KEY,           -- UUID
    at            TEXT NOT NULL,
    actor         TEXT NOT NULL,
    workspace     TEXT,
    fix           INTEGER NOT NULL CHECK (fix = 0 OR fix = 1),
    threshold     TEXT,
    wallets       INTEGER NOT NULL,
    synced        INTEGER NOT NULL,
    discrepancies INTEGER NOT NULL,
    warnings      INTEGER NOT NULL,
    to_review     INTEGER NOT NULL,
    fixable       INTEGER NOT NULL,
    fixed         INTEGER NOT NULL
) STRICT;
CREATE INDEX check_runs_at ON check_runs (at);

-- A run's report: one row per wallet checked.
CREATE TABLE check_run_wallets (
    run_id            TEXT NOT NULL REFERENCES check_runs(id),
    position          INTEGER NOT NULL,
    workspace_id      TEXT NOT NULL,
    wallet_id         TEXT NOT NULL,
    currency          TEXT NOT NULL,
    expected_minor    INTEGER NOT NULL,
    actual_minor      INTEGER NOT NULL,
    discrepancy_minor INTEGER NOT NULL,
    status            TEXT NOT NULL CHECK (status = 'synced' OR status = 'discrepancy'),
    warning           INTEGER NOT NULL CHECK (warning = 0 OR warning = 1),
    action            TEXT NOT NULL CHECK (action = 'none' OR action = 'auto_fix' OR action = 'review'),
    fixed             INTEGER NOT NULL CHECK (fixed = 0 OR fixed = 1),
    adjustment_minor  INTEGER,
    reason            TEXT,
    PRIMARY KEY (run_id, position)
) STRICT;

CREATE TABLE wallet_transactions (
    id             TEXT PRIMARY KEY,          -- the platform's id, or a UUID made here
    wallet_id      TEXT NOT NULL REFERENCES workspace_wallets(wallet_id),
    type           TEXT NOT NULL CHECK (type = 'lock' OR type = 'unlock' OR type = 'refund'
                                        OR type = 'credit' OR type = 'debit' OR type = 'adjustment'),
    amount_minor   INTEGER NOT NULL,
    reference_type TEXT,
    reference_id   TEXT,
    created_at     TEXT NOT NULL,
    origin         TEXT NOT NULL CHECK (origin = 'import' OR origin = 'operation' OR origin = 'check_fix'),
    run_id         TEXT REFERENCES check_runs(id),
    CHECK ((reference_type IS NULL) = (reference_id IS NULL))
) STRICT;
-- "Applied once": a second release (or fix) of the same reference cannot be inserted, also
-- not by another process at the same moment.
CREATE UNIQUE INDEX wallet_transactions_once
    ON wallet_transactions (type, reference_type, reference_id) WHERE reference_id IS NOT NULL;
CREATE INDEX wallet_transactions_wallet ON wallet_transactions (wallet_id, created_at);

-- Per-currency levels as exact decimal text; a currency without a row uses the defaults.
CREATE TABLE check_levels (
    currency   TEXT PRIMARY KEY REFERENCES currencies(code),
    tolerance  TEXT NOT NULL,
    warning    TEXT NOT NULL,
    auto_fix   TEXT NOT NULL
) STRICT;

-- Journal order within a second: ESI lines of the same second read in ESI id order (the
-- order their running balance was computed in), not in arrival order, which for ESI's
-- newest-first pages is reversed. Each second's ESI rows swap ids among themselves, so
-- every other row keeps its id; links and rejections follow their line. Runs with foreign
-- keys off (see recon_store::schema); ids stay below 2^53, so 2^60 is free to park them.
CREATE TEMP TABLE esi_reorder (
    old INTEGER PRIMARY KEY,
    new INTEGER NOT NULL UNIQUE
);
WITH ranked AS (
    SELECT rowid_pk AS id, rowid_pk >> 21 AS second,
           ROW_NUMBER() OVER (PARTITION BY rowid_pk >> 21 ORDER BY rowid_pk) AS slot,
           ROW_NUMBER() OVER (PARTITION BY rowid_pk >> 21 ORDER BY esi_id, rowid_pk) AS place
    FROM journal_entries
    WHERE esi_id IS NOT NULL
)
INSERT INTO esi_reorder (old, new)
SELECT moved.id, target.id
FROM ranked moved JOIN ranked target ON target.second = moved.second AND target.slot = moved.place
WHERE moved.id != target.id;

UPDATE journal_entries SET rowid_pk = (SELECT new FROM esi_reorder WHERE old = rowid_pk) + (1 << 60)
WHERE rowid_pk IN (SELECT old FROM esi_reorder);
UPDATE journal_entries SET rowid_pk = rowid_pk - (1 << 60) WHERE rowid_pk >= (1 << 59);
UPDATE match_links SET journal_rowid = (SELECT new FROM esi_reorder WHERE old = journal_rowid)
WHERE journal_rowid IN (SELECT old FROM esi_reorder);
UPDATE receipt_rejections SET journal_rowid = (SELECT new FROM esi_reorder WHERE old = journal_rowid)
WHERE journal_rowid IN (SELECT old FROM esi_reorder);
DROP TABLE esi_reorder;
