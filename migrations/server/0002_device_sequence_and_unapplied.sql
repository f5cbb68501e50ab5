-- recon-server schema, version 2. Every event carries the device (ledger) that made it
-- and its per-device sequence number, the ground two-way sync orders and pulls on; and a
-- kind this server cannot apply yet is stored, not refused, so a newer client can push.

-- `sync_events.device_id` is the token that pushed; `client_device_id` the ledger that
-- made the change. Both NULL only for events received before this version.
ALTER TABLE sync_events
    ADD COLUMN client_device_id UUID,
    ADD COLUMN device_seq BIGINT CHECK (device_seq >= 1);

CREATE INDEX sync_events_device_order ON sync_events (org_id, client_device_id, device_seq);

-- `sync_events.body_sha256` of a kind kept untyped is `recon_sync::untyped_digest_hex`
-- (canonical JSON of kind and payload); `journal_lines_imported` keeps `digest_hex`.

-- The payload of each event stored without being applied (its `answer` says why), kept
-- as received so a later server can apply it. Envelope, kind and digest: `sync_events`.
CREATE TABLE unapplied_events (
    org_id   BIGINT NOT NULL,
    event_id UUID NOT NULL,
    payload  JSONB NOT NULL,
    PRIMARY KEY (org_id, event_id),
    FOREIGN KEY (org_id, event_id) REFERENCES sync_events (org_id, event_id)
);
