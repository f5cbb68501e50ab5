-- Two-way sync (issue 12): where this ledger is in its organization's stream of events,
-- the colleagues' events it received, and the local changes the server refused.

-- The cursor of the last page applied (`EPOCH:POSITION`, opaque to the ledger), written
-- in the same transaction as that page's changes.
CREATE TABLE sync_cursor (
    singleton  INTEGER PRIMARY KEY CHECK (singleton = 1),
    cursor     TEXT NOT NULL,
    pulled_at  TEXT NOT NULL
) STRICT;

-- One row per colleague's event received, so a page applied twice changes nothing.
-- `applied`: its change is in this ledger. `held`: it touches something with local
-- changes the server has not answered yet; retried at every sync. `not_applied`: this
-- ledger cannot apply its kind (or it disagrees with what the ledger holds); kept with
-- its payload and counted, never dropped. The payload is kept until it is applied.
CREATE TABLE sync_remote_events (
    event_id    TEXT PRIMARY KEY,
    position    INTEGER NOT NULL,
    kind        TEXT NOT NULL,
    device_id   TEXT NOT NULL,
    pushed_by   TEXT NOT NULL,
    payload     TEXT,
    state       TEXT NOT NULL CHECK (state IN ('applied', 'held', 'not_applied')),
    note        TEXT,
    received_at TEXT NOT NULL,
    applied_at  TEXT,
    CHECK ((state = 'applied') = (payload IS NULL))
) STRICT;
CREATE INDEX sync_remote_events_waiting ON sync_remote_events (state, position)
    WHERE state <> 'applied';

-- Local changes the server refused for good: listed under Needs attention. `undone`: a
-- compensating change reverted it here; 0: it stays, marked "refused, not undone".
CREATE TABLE sync_refusals (
    event_id   TEXT PRIMARY KEY,
    kind       TEXT NOT NULL,
    code       TEXT NOT NULL,
    reason     TEXT NOT NULL,
    conflicts  TEXT NOT NULL DEFAULT '[]',
    undone     INTEGER NOT NULL CHECK (undone IN (0, 1)),
    refused_at TEXT NOT NULL
) STRICT;
