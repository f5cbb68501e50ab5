-- Tampering with the tables an audit record describes must show (issue 14): each record
-- written from now on attests the content it left behind with `content_digest` (see
-- recon_core::audit: the digest of the rows an import inserted, of the row a change left),
-- covered by the record's chain hash, and recomputed from the live tables by `audit verify`.
-- Records written before this migration have none; verify reports them as not attested.
ALTER TABLE audit_log ADD COLUMN content_digest TEXT;

-- The chain's head (newest record id and hash), kept outside the audit table so a cut at
-- its end shows on the next verify, and sent to the server at each sync. `digests_from` is
-- the first record id that must carry a content digest.
ALTER TABLE device ADD COLUMN audit_head_seq INTEGER NOT NULL DEFAULT 0;
ALTER TABLE device ADD COLUMN audit_head_hash TEXT NOT NULL
    DEFAULT '0000000000000000000000000000000000000000000000000000000000000000';
ALTER TABLE device ADD COLUMN digests_from INTEGER NOT NULL DEFAULT 1;

UPDATE device SET
    audit_head_seq = COALESCE((SELECT MAX(id) FROM audit_log), 0),
    audit_head_hash = COALESCE((SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1),
        '0000000000000000000000000000000000000000000000000000000000000000'),
    digests_from = COALESCE((SELECT MAX(id) FROM audit_log), 0) + 1;
