-- Payment matching (SPEC §5): expected payments, the links that pay them, receipts a
-- reviewer rejected, and the actions (runs and reviewer steps) that made them.

CREATE TABLE expected_payments (
    id              TEXT PRIMARY KEY,          -- UUID
    cycle_id        TEXT NOT NULL,
    character_name  TEXT NOT NULL,
    character_id    INTEGER,
    memo            TEXT NOT NULL,
    memo_normalized TEXT NOT NULL UNIQUE,      -- trimmed, spaces collapsed, case folded
    expected_minor  INTEGER NOT NULL CHECK (expected_minor > 0),
    currency        TEXT NOT NULL REFERENCES currencies(code),
    status          TEXT NOT NULL CHECK (status IN ('awaiting_payment', 'confirmed', 'cancelled',
                        'opted_in', 'opted_out', 'refunded', 'paid_out')),
    -- Derived from the active links, kept here for listing; NULL until paid.
    actual_minor    INTEGER,
    actual_payer_id INTEGER,
    amount_adjusted INTEGER NOT NULL DEFAULT 0 CHECK (amount_adjusted IN (0, 1)),
    validated_at    TEXT,
    created_at      TEXT NOT NULL,
    created_by      TEXT NOT NULL
) STRICT;
CREATE INDEX expected_payments_cycle ON expected_payments (cycle_id, status);

-- A matching run or one reviewer step; `match undo` reverses the newest reviewer step.
CREATE TABLE match_actions (
    id         INTEGER PRIMARY KEY,
    kind       TEXT NOT NULL CHECK (kind IN ('run', 'link', 'unlink', 'reject', 'split',
                   'accept', 'bulk_accept', 'undo')),
    actor      TEXT NOT NULL,
    at         TEXT NOT NULL,
    undone_by_action INTEGER REFERENCES match_actions(id)
) STRICT;

-- A link never disappears: unlinking stamps `removed_by_action`.
CREATE TABLE match_links (
    id                INTEGER PRIMARY KEY,
    expected_id       TEXT NOT NULL REFERENCES expected_payments(id),
    journal_rowid     INTEGER NOT NULL REFERENCES journal_entries(rowid_pk),
    amount_minor      INTEGER NOT NULL CHECK (amount_minor > 0), -- the receipt, or its split share
    match_type        TEXT NOT NULL CHECK (match_type IN ('auto_exact', 'auto_contains', 'auto_fuzzy', 'manual')),
    score             INTEGER,
    score_detail      TEXT,                    -- JSON of recon_core::matching::Score
    created_by_action INTEGER NOT NULL REFERENCES match_actions(id),
    removed_by_action INTEGER REFERENCES match_actions(id)
) STRICT;
CREATE UNIQUE INDEX match_links_active ON match_links (journal_rowid, expected_id) WHERE removed_by_action IS NULL;
CREATE INDEX match_links_expected ON match_links (expected_id) WHERE removed_by_action IS NULL;

-- "Not a participation payment": the receipt leaves the matching input.
CREATE TABLE receipt_rejections (
    id                INTEGER PRIMARY KEY,
    journal_rowid     INTEGER NOT NULL REFERENCES journal_entries(rowid_pk),
    reason            TEXT NOT NULL,
    created_by_action INTEGER NOT NULL REFERENCES match_actions(id),
    removed_by_action INTEGER REFERENCES match_actions(id)
) STRICT;
CREATE UNIQUE INDEX receipt_rejections_active ON receipt_rejections (journal_rowid) WHERE removed_by_action IS NULL;

-- Receipts are found by ref type among incoming lines.
CREATE INDEX journal_entries_receipts ON journal_entries (ref_type, wallet_id) WHERE amount_minor > 0;
