-- recon-server schema, version 5. The organization's partner ledger and payout batches
-- (issue 12), applied from the laptops' events with the same recon-core rules the laptop
-- ran. Everything is keyed by what every device can name: programs by slug, entities by
-- (type, ref), entries by (source, source_ref), batches by their UUID text. Amounts are
-- NUMERIC (exact), in the program's currency.

CREATE TABLE ledger_programs (
    org_id        BIGINT NOT NULL REFERENCES orgs(id),
    slug          TEXT NOT NULL,
    name          TEXT NOT NULL,
    status        TEXT NOT NULL,
    currency      TEXT NOT NULL,
    direct_rate   NUMERIC NOT NULL,
    override_rate NUMERIC NOT NULL,
    rounding      TEXT NOT NULL,
    created_by    TEXT NOT NULL,
    source_event  UUID NOT NULL,
    PRIMARY KEY (org_id, slug)
);

CREATE TABLE ledger_entities (
    org_id                BIGINT NOT NULL,
    program               TEXT NOT NULL,
    entity_type           TEXT NOT NULL,
    entity_ref            TEXT NOT NULL,
    name                  TEXT NOT NULL,
    parent                TEXT,
    payout_per_conversion NUMERIC,
    source_event          UUID NOT NULL,
    PRIMARY KEY (org_id, program, entity_type, entity_ref),
    FOREIGN KEY (org_id, program) REFERENCES ledger_programs (org_id, slug)
);

CREATE TABLE ledger_conversions (
    org_id        BIGINT NOT NULL,
    program       TEXT NOT NULL,
    conversion_id TEXT NOT NULL,
    sponsor_ref   TEXT NOT NULL,
    occurred_at   TEXT NOT NULL,
    description   TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
    reason        TEXT,
    decided_by    TEXT,
    PRIMARY KEY (org_id, program, conversion_id),
    FOREIGN KEY (org_id, program) REFERENCES ledger_programs (org_id, slug)
);

-- One entry per (source, source_ref) in the organization: the same approval made on two
-- laptops is one entry (the second answered "already exists").
CREATE TABLE ledger_entries (
    id           BIGSERIAL UNIQUE,
    org_id       BIGINT NOT NULL,
    source       TEXT NOT NULL CHECK (source IN ('conversion', 'settlement', 'reversal')),
    source_ref   TEXT NOT NULL,
    program      TEXT NOT NULL,
    entity_type  TEXT NOT NULL,
    entity_ref   TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('pending', 'paid', 'reversed')),
    gross        NUMERIC,
    earnings     NUMERIC NOT NULL,
    residue      NUMERIC NOT NULL,
    currency     TEXT NOT NULL,
    occurred_at  TEXT NOT NULL,
    reverses     BIGINT REFERENCES ledger_entries (id),
    reversed_by  BIGINT REFERENCES ledger_entries (id),
    payout_batch TEXT,
    reason       TEXT,
    created_by   TEXT NOT NULL,
    source_event UUID NOT NULL,
    PRIMARY KEY (org_id, source, source_ref),
    FOREIGN KEY (org_id, program) REFERENCES ledger_programs (org_id, slug)
);

-- Each entry's transaction (and each payout's) as signed lines: debit > 0, credit < 0,
-- checked balanced by recon_core::ledger::check_balanced before they are written.
CREATE TABLE ledger_postings (
    org_id   BIGINT NOT NULL REFERENCES orgs(id),
    txn      TEXT NOT NULL,
    line     INTEGER NOT NULL,
    account  TEXT NOT NULL,
    currency TEXT NOT NULL,
    amount   NUMERIC NOT NULL CHECK (amount <> 0),
    PRIMARY KEY (org_id, txn, line)
);

CREATE TABLE payout_batches (
    org_id      BIGINT NOT NULL,
    batch_id    TEXT NOT NULL,
    program     TEXT NOT NULL,
    period      TEXT NOT NULL,
    currency    TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('draft', 'pending_approval', 'approved',
                    'processing', 'paid', 'rejected', 'failed')),
    total       NUMERIC NOT NULL,
    notes       TEXT NOT NULL,
    -- The token's user who pushed the creation, never the name the event claims.
    created_by  TEXT NOT NULL,
    claimed_by  TEXT NOT NULL,
    approved_by TEXT,
    paid_by     TEXT,
    paid_at     TEXT,
    reason      TEXT,
    source_event UUID NOT NULL,
    PRIMARY KEY (org_id, batch_id),
    FOREIGN KEY (org_id, program) REFERENCES ledger_programs (org_id, slug)
);

CREATE TABLE payout_lines (
    org_id      BIGINT NOT NULL,
    batch_id    TEXT NOT NULL,
    entity_type TEXT NOT NULL,
    entity_ref  TEXT NOT NULL,
    amount      NUMERIC NOT NULL,
    entries     BIGINT NOT NULL,
    PRIMARY KEY (org_id, batch_id, entity_type, entity_ref),
    FOREIGN KEY (org_id, batch_id) REFERENCES payout_batches (org_id, batch_id) ON DELETE CASCADE
);

-- `reserved` is TRUE while the batch holds the entry, NULL once released: one live
-- batch per entry is the partial unique index, as on the laptop.
CREATE TABLE payout_entries (
    org_id     BIGINT NOT NULL,
    batch_id   TEXT NOT NULL,
    source     TEXT NOT NULL,
    source_ref TEXT NOT NULL,
    reserved   BOOLEAN CHECK (reserved),
    PRIMARY KEY (org_id, batch_id, source, source_ref),
    FOREIGN KEY (org_id, batch_id) REFERENCES payout_batches (org_id, batch_id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, source, source_ref) REFERENCES ledger_entries (org_id, source, source_ref)
);
CREATE UNIQUE INDEX payout_entries_reserved ON payout_entries (org_id, source, source_ref)
    WHERE reserved;

-- Who moved a batch: `actor` is the token's user, `claimed` what the event said.
CREATE TABLE payout_transitions (
    id           BIGSERIAL PRIMARY KEY,
    org_id       BIGINT NOT NULL,
    batch_id     TEXT NOT NULL,
    from_status  TEXT NOT NULL,
    to_status    TEXT NOT NULL,
    actor        TEXT NOT NULL,
    claimed      TEXT NOT NULL,
    reason       TEXT,
    source_event UUID NOT NULL,
    at           TIMESTAMPTZ NOT NULL DEFAULT now(),
    FOREIGN KEY (org_id, batch_id) REFERENCES payout_batches (org_id, batch_id) ON DELETE CASCADE
);
