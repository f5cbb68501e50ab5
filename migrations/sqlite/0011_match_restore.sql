-- A reviewer may restore a receipt marked "not a participation payment" (issue 13): a step
-- of its own kind, undoable like the others. SQLite cannot change a CHECK constraint in place,
-- so match_actions is rebuilt (foreign keys are off during migrations; references to it keep
-- its name and are checked before commit).
CREATE TABLE match_actions_v12 (
    id         INTEGER PRIMARY KEY,
    kind       TEXT NOT NULL CHECK (kind IN ('run', 'link', 'unlink', 'reject', 'split',
                   'accept', 'bulk_accept', 'undo', 'restore')),
    actor      TEXT NOT NULL,
    at         TEXT NOT NULL,
    undone_by_action INTEGER REFERENCES match_actions(id)
) STRICT;
INSERT INTO match_actions_v12 (id, kind, actor, at, undone_by_action)
    SELECT id, kind, actor, at, undone_by_action FROM match_actions;
DROP TABLE match_actions;
ALTER TABLE match_actions_v12 RENAME TO match_actions;
