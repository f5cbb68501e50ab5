-- recon-server schema, version 1. Migrations are append-only: never edit an applied file,
-- add 0002_*.sql instead (and list it in crates/recon-server/src/migrate.rs).

CREATE TABLE orgs (
    id         BIGSERIAL PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- One row per issued device token. Only the SHA-256 (hex) of the token is stored.
CREATE TABLE devices (
    id           BIGSERIAL PRIMARY KEY,
    org_id       BIGINT NOT NULL REFERENCES orgs(id),
    user_email   TEXT NOT NULL,
    token_sha256 TEXT NOT NULL UNIQUE,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    revoked_at   TIMESTAMPTZ
);

-- Idempotency ledger: one row per (org, client event id). `body_sha256` is
-- `EventBody::digest_hex()`, `answer` the first `EventAnswer` given for it.
CREATE TABLE sync_events (
    org_id      BIGINT NOT NULL REFERENCES orgs(id),
    event_id    UUID NOT NULL,
    kind        TEXT NOT NULL,
    body_sha256 TEXT NOT NULL,
    answer      JSONB,
    created_at  TEXT NOT NULL,
    received_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    device_id   BIGINT NOT NULL REFERENCES devices(id),
    PRIMARY KEY (org_id, event_id)
);

CREATE TABLE wallets (
    org_id     BIGINT NOT NULL REFERENCES orgs(id),
    key        TEXT NOT NULL,
    name       TEXT NOT NULL,
    kind       TEXT NOT NULL,
    owner_id   BIGINT,
    division   INTEGER,
    currency   TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, key)
);

-- `date` keeps ESI's RFC 3339 text as sent (uniform `YYYY-MM-DDTHH:MM:SSZ`, so text order
-- is time order); amounts are NUMERIC (exact) plus ESI's raw JSON text.
CREATE TABLE journal_lines (
    org_id          BIGINT NOT NULL REFERENCES orgs(id),
    wallet_key      TEXT NOT NULL,
    currency        TEXT NOT NULL,
    entry_id        BIGINT NOT NULL,
    date            TEXT NOT NULL,
    ref_type        TEXT NOT NULL,
    description     TEXT NOT NULL,
    amount          NUMERIC,
    amount_raw      TEXT,
    balance         NUMERIC,
    balance_raw     TEXT,
    reason          TEXT,
    first_party_id  BIGINT,
    second_party_id BIGINT,
    context_id      BIGINT,
    context_id_type TEXT,
    tax             NUMERIC,
    tax_raw         TEXT,
    tax_receiver_id BIGINT,
    source_event    UUID NOT NULL,
    received_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, wallet_key, entry_id)
);

CREATE INDEX journal_lines_page ON journal_lines (org_id, wallet_key, date, entry_id);
