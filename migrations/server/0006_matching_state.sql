-- recon-server schema, version 6. The organization's matching state (issue 12): which
-- receipt is linked to which expected payment, which receipts are "not a participation
-- payment", which cycles were opened. The server checks each laptop's matching events
-- against it with recon-core's review rules, so two laptops never link one receipt to two
-- different expected payments (the later link is refused as a conflict).

-- One row per (receipt, expected payment). A receipt holds links to one payment, or to
-- several only as the shares of one split (`split`). Receipts are named as laptops name
-- them: the wallet's sync key and the line's natural id (ESI id or bank reference).
CREATE TABLE match_links (
    org_id          BIGINT NOT NULL REFERENCES orgs(id),
    wallet_key      TEXT NOT NULL,
    journal_id      TEXT NOT NULL,
    memo_normalized TEXT NOT NULL,
    memo            TEXT NOT NULL,
    amount          NUMERIC NOT NULL CHECK (amount > 0),
    currency        TEXT NOT NULL,
    match_type      TEXT NOT NULL,
    split           BOOLEAN NOT NULL DEFAULT FALSE,
    source_event    UUID NOT NULL,
    PRIMARY KEY (org_id, wallet_key, journal_id, memo_normalized)
);

CREATE INDEX match_links_by_payment ON match_links (org_id, memo_normalized);

CREATE TABLE receipt_rejections (
    org_id       BIGINT NOT NULL REFERENCES orgs(id),
    wallet_key   TEXT NOT NULL,
    journal_id   TEXT NOT NULL,
    reason       TEXT NOT NULL,
    source_event UUID NOT NULL,
    PRIMARY KEY (org_id, wallet_key, journal_id)
);

CREATE TABLE cycle_openings (
    org_id       BIGINT NOT NULL REFERENCES orgs(id),
    cycle_id     TEXT NOT NULL,
    source_event UUID NOT NULL,
    PRIMARY KEY (org_id, cycle_id, source_event)
);

-- The cycle opening that cancelled an expected payment (NULL: not cancelled). A cancelled
-- payment takes no more links.
ALTER TABLE expected_payments ADD COLUMN cancelled_by UUID;
