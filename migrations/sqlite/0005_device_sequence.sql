-- Two-way sync needs the server to see each device's changes in the order they were made:
-- every outbox event carries this ledger's device id and a per-device sequence number,
-- assigned in the change's own transaction (crates/recon-store/src/write.rs).

CREATE TABLE device (
    singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
    device_id TEXT NOT NULL,                    -- UUID, this ledger's identity as a sync client
    last_seq  INTEGER NOT NULL CHECK (last_seq >= 0)
) STRICT;

INSERT INTO device (singleton, device_id, last_seq)
SELECT 1,
       lower(substr(h, 1, 8) || '-' || substr(h, 9, 4) || '-4' || substr(h, 14, 3) || '-'
             || substr('89AB', 1 + (abs(random()) % 4), 1) || substr(h, 18, 3) || '-'
             || substr(h, 21, 12)),
       (SELECT COUNT(*) FROM outbox)
FROM (SELECT hex(randomblob(16)) AS h);

ALTER TABLE outbox ADD COLUMN device_id TEXT;
ALTER TABLE outbox ADD COLUMN device_seq INTEGER;

-- Events queued before this migration get their place in the order they were queued.
UPDATE outbox
SET device_id = (SELECT device_id FROM device),
    device_seq = (SELECT COUNT(*) FROM outbox AS earlier WHERE earlier.seq <= outbox.seq);

CREATE UNIQUE INDEX outbox_device_seq ON outbox (device_id, device_seq);
