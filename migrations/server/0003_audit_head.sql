-- recon-server schema, version 3. The audit chain's head of each ledger (SPEC §10,
-- issue 14): the newest (sequence, hash) a ledger sent at a sync. A head that goes back,
-- or whose record at the kept sequence changed hash, is refused and kept in
-- `audit_head_refusals` for whoever reviews the organization's ledgers.
CREATE TABLE audit_heads (
    org_id           BIGINT NOT NULL REFERENCES orgs(id),
    client_device_id UUID NOT NULL,
    seq              BIGINT NOT NULL CHECK (seq >= 0),
    hash             TEXT NOT NULL,
    pushed_by        BIGINT NOT NULL REFERENCES devices(id),
    received_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, client_device_id)
);

CREATE TABLE audit_head_refusals (
    id               BIGSERIAL PRIMARY KEY,
    org_id           BIGINT NOT NULL REFERENCES orgs(id),
    client_device_id UUID NOT NULL,
    known_seq        BIGINT NOT NULL,
    known_hash       TEXT NOT NULL,
    offered_seq      BIGINT NOT NULL,
    offered_hash     TEXT NOT NULL,
    reason           TEXT NOT NULL,
    pushed_by        BIGINT NOT NULL REFERENCES devices(id),
    received_at      TIMESTAMPTZ NOT NULL DEFAULT now()
);
