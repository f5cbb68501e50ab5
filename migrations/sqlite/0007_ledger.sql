-- The partner ledger (§6): programs, entities, conversions, settlements, entries and
-- their double-entry posting lines. Amounts are integer minor units of the program's
-- currency; rates are exact decimal percentage text. Entries and posting lines are never
-- edited (money, currency, identity) nor deleted: the triggers below refuse it.

CREATE TABLE ledger_programs (
    id            INTEGER PRIMARY KEY,
    slug          TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status = 'active' OR status = 'paused' OR status = 'closed'),
    currency      TEXT NOT NULL REFERENCES currencies(code),
    direct_rate   TEXT NOT NULL,
    override_rate TEXT NOT NULL,
    rounding      TEXT NOT NULL CHECK (rounding = 'half-even' OR rounding = 'half-up' OR rounding = 'down'),
    created_at    TEXT NOT NULL,
    created_by    TEXT NOT NULL
) STRICT;

CREATE TABLE ledger_entities (
    id                          INTEGER PRIMARY KEY,
    program_id                  INTEGER NOT NULL REFERENCES ledger_programs(id),
    entity_type                 TEXT NOT NULL CHECK (entity_type = 'sponsor' OR entity_type = 'hunt'
                                    OR entity_type = 'stop' OR entity_type = 'affiliate' OR entity_type = 'partner'),
    ref                         TEXT NOT NULL,
    name                        TEXT NOT NULL,
    parent_id                   INTEGER REFERENCES ledger_entities(id),
    payout_per_conversion_minor INTEGER,
    created_at                  TEXT NOT NULL,
    UNIQUE (program_id, entity_type, ref)
) STRICT;

CREATE TABLE ledger_conversions (
    id            INTEGER PRIMARY KEY,
    program_id    INTEGER NOT NULL REFERENCES ledger_programs(id),
    conversion_id TEXT NOT NULL UNIQUE,
    sponsor_id    INTEGER NOT NULL REFERENCES ledger_entities(id),
    occurred_at   TEXT NOT NULL,
    description   TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status = 'pending' OR status = 'approved' OR status = 'rejected'),
    reason        TEXT,
    decided_at    TEXT,
    decided_by    TEXT,
    entry_id      INTEGER,
    imported_at   TEXT NOT NULL,
    CHECK (status <> 'rejected' OR length(trim(reason)) > 0),
    CHECK (status <> 'approved' OR entry_id IS NOT NULL)
) STRICT;

-- Accounts by name (`program:{slug}:revenue`, `affiliate:{ref}:liability`, `system:…`).
CREATE TABLE ledger_accounts (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
) STRICT;

CREATE TABLE ledger_settlements (
    id            INTEGER PRIMARY KEY,
    program_id    INTEGER NOT NULL REFERENCES ledger_programs(id),
    settlement_id TEXT NOT NULL UNIQUE,
    user_ref      TEXT NOT NULL,
    affiliate_id  INTEGER NOT NULL REFERENCES ledger_entities(id),
    gross_minor   INTEGER NOT NULL,
    currency      TEXT NOT NULL,
    occurred_at   TEXT NOT NULL,
    txn_id        INTEGER NOT NULL
) STRICT;

-- `txn_id` names the transaction whose lines the entry posted (a settlement's entries
-- share its transaction). `residue` is exact decimal text (exact product − earnings).
CREATE TABLE ledger_entries (
    id             INTEGER PRIMARY KEY,
    program_id     INTEGER NOT NULL REFERENCES ledger_programs(id),
    entity_id      INTEGER NOT NULL REFERENCES ledger_entities(id),
    source         TEXT NOT NULL CHECK (source = 'conversion' OR source = 'settlement' OR source = 'reversal'),
    source_ref     TEXT NOT NULL,
    status         TEXT NOT NULL CHECK (status = 'pending' OR status = 'paid' OR status = 'reversed'),
    gross_minor    INTEGER,
    earnings_minor INTEGER NOT NULL,
    residue        TEXT NOT NULL,
    currency       TEXT NOT NULL,
    description    TEXT NOT NULL,
    period         TEXT NOT NULL,
    occurred_at    TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    txn_id         INTEGER NOT NULL,
    payout_batch   TEXT,
    reverses       INTEGER REFERENCES ledger_entries(id),
    reversed_by    INTEGER REFERENCES ledger_entries(id),
    reason         TEXT,
    UNIQUE (source, source_ref)
) STRICT;
-- Covers the summaries (per program: by period, entity, status) and the payout issue's
-- "pending entries of a month".
CREATE INDEX ledger_entries_summary
    ON ledger_entries (program_id, period, entity_id, status, source, earnings_minor);

-- Signed minor units: a debit > 0, a credit < 0. Per transaction and currency they sum to 0.
CREATE TABLE ledger_postings (
    txn_id       INTEGER NOT NULL,
    line         INTEGER NOT NULL,
    account_id   INTEGER NOT NULL REFERENCES ledger_accounts(id),
    currency     TEXT NOT NULL,
    amount_minor INTEGER NOT NULL CHECK (amount_minor <> 0),
    PRIMARY KEY (txn_id, line)
) STRICT, WITHOUT ROWID;

CREATE TRIGGER ledger_entries_no_delete BEFORE DELETE ON ledger_entries
BEGIN
    SELECT RAISE(ABORT, 'ledger entries are never deleted: reverse the entry instead');
END;

CREATE TRIGGER ledger_entries_fixed BEFORE UPDATE OF
    id, program_id, entity_id, source, source_ref, gross_minor, earnings_minor, residue,
    currency, period, occurred_at, created_at, txn_id, reverses
ON ledger_entries
BEGIN
    SELECT RAISE(ABORT, 'ledger entries are never edited: amounts, currency and identity are fixed once written');
END;

-- Status moves only pending → paid and pending → reversed; reversed_by is set once.
CREATE TRIGGER ledger_entries_status BEFORE UPDATE OF status, reversed_by, payout_batch ON ledger_entries
WHEN NOT (
    (OLD.status = NEW.status AND OLD.reversed_by IS NEW.reversed_by AND OLD.payout_batch IS NEW.payout_batch)
    OR (OLD.status = 'pending' AND NEW.status = 'paid' AND NEW.payout_batch IS NOT NULL
        AND OLD.reversed_by IS NEW.reversed_by)
    OR (OLD.status = 'pending' AND NEW.status = 'reversed' AND OLD.reversed_by IS NULL
        AND NEW.reversed_by IS NOT NULL AND OLD.payout_batch IS NEW.payout_batch)
)
BEGIN
    SELECT RAISE(ABORT, 'a ledger entry moves only pending → paid (with a payout batch) or pending → reversed (with its reversal)');
END;

CREATE TRIGGER ledger_postings_no_delete BEFORE DELETE ON ledger_postings
BEGIN
    SELECT RAISE(ABORT, 'posting lines are never deleted');
END;

CREATE TRIGGER ledger_postings_fixed BEFORE UPDATE ON ledger_postings
BEGIN
    SELECT RAISE(ABORT, 'posting lines are never edited');
END;

CREATE TRIGGER ledger_settlements_fixed BEFORE UPDATE ON ledger_settlements
BEGIN
    SELECT RAISE(ABORT, 'settlements are never edited');
END;

CREATE TRIGGER ledger_settlements_no_delete BEFORE DELETE ON ledger_settlements
BEGIN
    SELECT RAISE(ABORT, 'settlements are never deleted');
END;
