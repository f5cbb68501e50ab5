-- recon-server schema, version 7. The organization's wallet-check state (SPEC §8, issue
-- 12), applied from the laptops' events with recon-core's rules: the platform's workspace
-- wallets (with every snapshot imported), activations, wallet transactions (imported,
-- recorded by an operation, or a check's adjustment) and check runs. Rows are named by
-- the platform's own ids, which every device shares. Amounts are NUMERIC (exact) in the
-- row's currency.

CREATE TABLE check_wallets (
    org_id         BIGINT NOT NULL REFERENCES orgs(id),
    wallet_id      TEXT NOT NULL,
    workspace_id   TEXT NOT NULL,
    currency       TEXT NOT NULL,
    balance        NUMERIC NOT NULL CHECK (balance >= 0),
    locked_balance NUMERIC NOT NULL CHECK (locked_balance >= 0),
    as_of          TEXT NOT NULL,
    source_event   UUID NOT NULL,
    PRIMARY KEY (org_id, wallet_id),
    -- A workspace holds one wallet per currency, as on the laptop.
    UNIQUE (org_id, workspace_id, currency)
);

CREATE TABLE check_wallet_snapshots (
    org_id         BIGINT NOT NULL,
    wallet_id      TEXT NOT NULL,
    as_of          TEXT NOT NULL,
    balance        NUMERIC NOT NULL,
    locked_balance NUMERIC NOT NULL,
    source_event   UUID NOT NULL,
    PRIMARY KEY (org_id, wallet_id, as_of),
    FOREIGN KEY (org_id, wallet_id) REFERENCES check_wallets (org_id, wallet_id)
);

CREATE TABLE check_activations (
    org_id        BIGINT NOT NULL REFERENCES orgs(id),
    activation_id TEXT NOT NULL,
    workspace_id  TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('draft', 'live', 'paused', 'completed', 'cancelled')),
    total_budget  NUMERIC NOT NULL CHECK (total_budget >= 0),
    spent_amount  NUMERIC NOT NULL CHECK (spent_amount >= 0),
    currency      TEXT NOT NULL,
    source_event  UUID NOT NULL,
    PRIMARY KEY (org_id, activation_id)
);

CREATE INDEX check_activations_locking ON check_activations (org_id, workspace_id, currency)
    WHERE status IN ('live', 'draft');

CREATE TABLE check_runs (
    org_id        BIGINT NOT NULL REFERENCES orgs(id),
    run_id        TEXT NOT NULL,
    workspace     TEXT,
    wallets       BIGINT NOT NULL,
    synced        BIGINT NOT NULL,
    discrepancies BIGINT NOT NULL,
    to_review     BIGINT NOT NULL,
    fixed         BIGINT NOT NULL,
    -- The token's user who pushed the run, never a name the event claims.
    run_by        TEXT NOT NULL,
    source_event  UUID NOT NULL,
    PRIMARY KEY (org_id, run_id)
);

CREATE TABLE check_transactions (
    org_id         BIGINT NOT NULL,
    transaction_id TEXT NOT NULL,
    wallet_id      TEXT NOT NULL,
    tx_type        TEXT NOT NULL CHECK (tx_type IN ('lock', 'unlock', 'refund', 'credit', 'debit', 'adjustment')),
    amount         NUMERIC NOT NULL,
    reference_type TEXT,
    reference_id   TEXT,
    created_at     TEXT NOT NULL,
    origin         TEXT NOT NULL CHECK (origin IN ('import', 'operation', 'check_fix')),
    run_id         TEXT,
    created_by     TEXT NOT NULL,
    source_event   UUID NOT NULL,
    PRIMARY KEY (org_id, transaction_id),
    FOREIGN KEY (org_id, wallet_id) REFERENCES check_wallets (org_id, wallet_id),
    CHECK ((reference_type IS NULL) = (reference_id IS NULL))
);

-- "Applied once" across the organization: a second release (or fix) of the same
-- reference, from any laptop, finds the first one's row.
CREATE UNIQUE INDEX check_transactions_once
    ON check_transactions (org_id, tx_type, reference_type, reference_id) WHERE reference_id IS NOT NULL;
