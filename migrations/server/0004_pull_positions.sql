-- recon-server schema, version 4. Pull (issue 12): every accepted event gets a place in
-- its organization's commit order, and the database an epoch, so a client can ask "what
-- came after EPOCH:POSITION".

-- One row: this database's epoch. `recon-server epoch rotate` replaces it; an operator
-- runs it after restoring a backup (the backup brought the old epoch back, and positions
-- after the restore point will name other events than the clients saw).
CREATE TABLE sync_epoch (
    singleton  BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (singleton),
    epoch      UUID NOT NULL,
    rotated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
INSERT INTO sync_epoch (epoch) VALUES (gen_random_uuid());

-- `payload`: the event's payload as received, for colleagues to pull (NULL for refused
-- events, which are never pulled). `arrival`: insertion order. `position`: the place in
-- the organization's pull order, handed out by the pull handler under a per-organization
-- lock to committed events only (so a position is never skipped by a reader that raced a
-- still-open push: positions are given after commit, each above every earlier one).
ALTER TABLE sync_events
    ADD COLUMN payload JSONB,
    ADD COLUMN arrival BIGSERIAL,
    ADD COLUMN position BIGINT CHECK (position >= 1);

CREATE UNIQUE INDEX sync_events_position ON sync_events (org_id, position);
CREATE INDEX sync_events_unpositioned ON sync_events (org_id, arrival)
    WHERE position IS NULL AND payload IS NOT NULL;

-- Events received before this version: those stored unapplied kept their payload.
UPDATE sync_events s SET payload = u.payload
  FROM unapplied_events u
 WHERE u.org_id = s.org_id AND u.event_id = s.event_id;

-- Journal events kept only their lines: rebuild each payload from the lines it inserted
-- (an event whose lines were all duplicates added nothing a colleague lacks).
UPDATE sync_events s SET payload = j.payload
  FROM (SELECT l.org_id, l.source_event,
               jsonb_build_object(
                 'batch_id', l.source_event,
                 'wallet', jsonb_build_object('key', w.key, 'name', w.name, 'kind', w.kind,
                     'owner_id', w.owner_id, 'division', w.division, 'currency', w.currency),
                 'lines', jsonb_agg(jsonb_build_object(
                     'id', l.entry_id, 'date', l.date, 'ref_type', l.ref_type,
                     'description', l.description, 'amount', l.amount::text,
                     'amount_raw', l.amount_raw, 'balance', l.balance::text,
                     'balance_raw', l.balance_raw, 'reason', l.reason,
                     'first_party_id', l.first_party_id, 'second_party_id', l.second_party_id,
                     'context_id', l.context_id, 'context_id_type', l.context_id_type,
                     'tax', l.tax::text, 'tax_raw', l.tax_raw,
                     'tax_receiver_id', l.tax_receiver_id) ORDER BY l.entry_id)) AS payload
          FROM journal_lines l
          JOIN wallets w ON w.org_id = l.org_id AND w.key = l.wallet_key
         GROUP BY l.org_id, l.source_event, w.key, w.name, w.kind, w.owner_id, w.division,
                  w.currency) j
 WHERE s.org_id = j.org_id AND s.event_id = j.source_event AND s.payload IS NULL;

-- The organization's expected payments (`expected_payments_added`), one per memo
-- (normalized as the ledger does: trimmed, spaces collapsed, case folded). A laptop that
-- adds a memo the server holds with another payment is refused (a conflict, both values
-- in the answer), so two laptops never hold one memo as two payments.
CREATE TABLE expected_payments (
    org_id          BIGINT NOT NULL REFERENCES orgs(id),
    memo_normalized TEXT NOT NULL,
    memo            TEXT NOT NULL,
    cycle_id        TEXT NOT NULL,
    character_name  TEXT NOT NULL,
    character_id    BIGINT,
    expected_amount NUMERIC NOT NULL CHECK (expected_amount > 0),
    currency        TEXT NOT NULL,
    source_event    UUID NOT NULL,
    PRIMARY KEY (org_id, memo_normalized)
);
