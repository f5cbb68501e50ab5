-- Payout batches (§7): a program's pending entries of one period, one line per entity,
-- moved through draft → pending_approval → approved → processing → paid (the state machine is
-- `recon_core::payouts::transition`; the triggers below keep the money invariants even if
-- a writer forgets one). Amounts are integer minor units of the batch's currency.

CREATE TABLE payout_batches (
    id          TEXT PRIMARY KEY,
    program_id  INTEGER NOT NULL REFERENCES ledger_programs(id),
    period      TEXT NOT NULL CHECK (length(period) = 7 AND substr(period, 5, 1) = '-'),
    currency    TEXT NOT NULL REFERENCES currencies(code),
    status      TEXT NOT NULL CHECK (status IN ('draft', 'pending_approval', 'approved',
                    'processing', 'paid', 'rejected', 'failed')),
    total_minor INTEGER NOT NULL,
    notes       TEXT NOT NULL DEFAULT '',
    created_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    approved_by TEXT,
    approved_at TEXT,
    paid_by     TEXT,
    paid_at     TEXT,
    -- The payout's posting transaction, once paid.
    txn_id      INTEGER,
    -- The last rejection or failure reason.
    reason      TEXT,
    CHECK (status NOT IN ('rejected', 'failed') OR length(trim(reason)) > 0),
    CHECK (status <> 'paid' OR (paid_at IS NOT NULL AND paid_by IS NOT NULL AND txn_id IS NOT NULL)),
    CHECK (status NOT IN ('approved', 'processing', 'paid', 'failed') OR approved_by IS NOT NULL)
) STRICT;
CREATE INDEX payout_batches_by_program ON payout_batches (program_id, period, status);

CREATE TABLE payout_lines (
    id           INTEGER PRIMARY KEY,
    batch_id     TEXT NOT NULL REFERENCES payout_batches(id) ON DELETE CASCADE,
    entity_id    INTEGER NOT NULL REFERENCES ledger_entities(id),
    amount_minor INTEGER NOT NULL,
    entries      INTEGER NOT NULL,
    UNIQUE (batch_id, entity_id)
) STRICT;

-- Which entries each line holds. `reserved` is 1 while the batch holds the entry (every
-- state but rejected) and NULL once released; the partial unique index is the rule "an
-- entry is in at most one batch that is not rejected or deleted" (a deleted batch's rows
-- go with it).
CREATE TABLE payout_entries (
    batch_id TEXT NOT NULL REFERENCES payout_batches(id) ON DELETE CASCADE,
    entry_id INTEGER NOT NULL REFERENCES ledger_entries(id),
    line_id  INTEGER NOT NULL REFERENCES payout_lines(id) ON DELETE CASCADE,
    reserved INTEGER CHECK (reserved = 1),
    PRIMARY KEY (batch_id, entry_id)
) STRICT, WITHOUT ROWID;
CREATE UNIQUE INDEX payout_entries_reserved ON payout_entries (entry_id) WHERE reserved = 1;
CREATE INDEX payout_entries_by_line ON payout_entries (line_id);

-- Who moved a batch, when, from which state to which, and why.
CREATE TABLE payout_transitions (
    id          INTEGER PRIMARY KEY,
    batch_id    TEXT NOT NULL REFERENCES payout_batches(id) ON DELETE CASCADE,
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,
    from_status TEXT,
    to_status   TEXT NOT NULL,
    reason      TEXT
) STRICT;
CREATE INDEX payout_transitions_by_batch ON payout_transitions (batch_id, id);

-- Only a pending entry can be reserved.
CREATE TRIGGER payout_entries_pending BEFORE INSERT ON payout_entries
WHEN NEW.reserved = 1 AND (SELECT status FROM ledger_entries WHERE id = NEW.entry_id) IS NOT 'pending'
BEGIN
    SELECT RAISE(ABORT, 'only a pending ledger entry can join a payout batch');
END;

-- A reserved entry cannot be reversed; it becomes paid only by the batch that holds it.
CREATE TRIGGER payout_reserved_entries BEFORE UPDATE OF status ON ledger_entries
WHEN OLD.status = 'pending' AND NEW.status <> 'pending' AND (
    (NEW.status = 'reversed' AND EXISTS (SELECT 1 FROM payout_entries
        WHERE entry_id = OLD.id AND reserved = 1))
    OR (NEW.status = 'paid' AND NOT EXISTS (SELECT 1 FROM payout_entries
        WHERE entry_id = OLD.id AND reserved = 1 AND batch_id = NEW.payout_batch))
)
BEGIN
    SELECT RAISE(ABORT, 'a ledger entry reserved by a payout batch cannot be reversed, and an entry is paid only by the batch that holds it');
END;

-- A paid batch's money is final: its lines and reservations stay as they were paid.
CREATE TRIGGER payout_paid_fixed BEFORE UPDATE ON payout_batches
WHEN OLD.status = 'paid'
BEGIN
    SELECT RAISE(ABORT, 'a paid payout batch is never changed');
END;

CREATE TRIGGER payout_delete_editable BEFORE DELETE ON payout_batches
WHEN OLD.status NOT IN ('draft', 'pending_approval')
BEGIN
    SELECT RAISE(ABORT, 'only a draft or pending_approval payout batch can be deleted');
END;
