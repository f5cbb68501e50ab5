//! The work-equivalent peer of `recon import settlements`: `sqlite3` writing the same rows
//! into a copy of the same fresh ledger (same tables, indexes, triggers, foreign keys on):
//! per settlement its row, its direct and override entries (commissions rounded half-even
//! in integer SQL) and the six posting lines of its three transactions, in one
//! transaction, in the order recon writes them. What it does not do, and recon does: parse
//! and validate each row and amount, check each transaction's balance, hash every row
//! (the audit content digest), write the audit record and the outbox events.

/// The script `sqlite3 LEDGER ".read SCRIPT"` runs; `{file}` is the settlements CSV.
/// Rates are the bench program's: 10 % direct (÷ 100), 2.5 % override (25 ÷ 1000).
pub const PEER_SCRIPT: &str = r#"PRAGMA foreign_keys = ON;
PRAGMA synchronous = FULL;
CREATE TEMP TABLE s (settlement_id TEXT, user_ref TEXT, affiliate_ref TEXT, gross_amount TEXT, currency TEXT, occurred_at TEXT);
.import --csv --skip 1 --schema temp {file} s
BEGIN IMMEDIATE;
INSERT OR IGNORE INTO ledger_accounts (name) VALUES ('system:settlements'), ('program:bench:revenue'), ('program:bench:expense');
INSERT OR IGNORE INTO ledger_accounts (name) SELECT 'affiliate:' || ref || ':liability' FROM ledger_entities WHERE program_id = 1;
CREATE TEMP TABLE acc AS SELECT
  (SELECT id FROM ledger_accounts WHERE name = 'system:settlements') AS sys,
  (SELECT id FROM ledger_accounts WHERE name = 'program:bench:revenue') AS rev,
  (SELECT id FROM ledger_accounts WHERE name = 'program:bench:expense') AS exp;
CREATE TEMP TABLE aff AS SELECT a.ref AS ref, a.id AS id, p.id AS par,
  (SELECT id FROM ledger_accounts WHERE name = 'affiliate:' || a.ref || ':liability') AS acc,
  (SELECT id FROM ledger_accounts WHERE name = 'affiliate:' || p.ref || ':liability') AS par_acc
  FROM ledger_entities a LEFT JOIN ledger_entities p ON p.id = a.parent_id WHERE a.program_id = 1;
CREATE TEMP TABLE plan0 AS SELECT s.rowid AS k, s.settlement_id AS sid, s.user_ref AS u, aff.id AS aff, aff.par AS par,
  aff.acc AS aacc, aff.par_acc AS pacc, CAST(replace(s.gross_amount, '.', '') AS INTEGER) AS g,
  upper(s.currency) AS cur, s.occurred_at || 'T00:00:00.000Z' AS at
  FROM s JOIN aff ON aff.ref = s.affiliate_ref ORDER BY s.rowid;
CREATE TEMP TABLE plan AS SELECT *,
  g * 10 / 100 + (2 * (g * 10 % 100) > 100 OR (2 * (g * 10 % 100) = 100 AND (g * 10 / 100) % 2 = 1)) AS da,
  printf('%d/100', g * 10 % 100) AS dr,
  CASE WHEN par IS NOT NULL THEN g * 25 / 1000 + (2 * (g * 25 % 1000) > 1000 OR (2 * (g * 25 % 1000) = 1000 AND (g * 25 / 1000) % 2 = 1)) END AS oa,
  printf('%d/1000', g * 25 % 1000) AS orr
  FROM plan0 ORDER BY k;
CREATE TEMP TABLE lvl (l INTEGER, kind TEXT);
INSERT INTO lvl VALUES (0, 'direct'), (1, 'override');
CREATE TEMP TABLE six (j INTEGER);
INSERT INTO six VALUES (0), (1), (2), (3), (4), (5);
INSERT INTO ledger_settlements (program_id, settlement_id, user_ref, affiliate_id, gross_minor, currency, occurred_at, txn_id)
  SELECT 1, sid, u, aff, g, cur, at, 3 * k - 2 FROM plan;
INSERT INTO ledger_entries (program_id, entity_id, source, source_ref, status, gross_minor, earnings_minor,
    residue, currency, description, period, occurred_at, created_at, txn_id)
  SELECT 1, CASE l WHEN 0 THEN aff ELSE par END, 'settlement', sid || ':' || kind, 'pending', g,
    CASE l WHEN 0 THEN da ELSE oa END, CASE l WHEN 0 THEN dr ELSE orr END, cur,
    kind || ' commission, user ' || u, substr(at, 1, 7), at, '2026-12-01T00:00:00.000Z', 3 * k - 1 + l
  FROM plan JOIN lvl ON l = 0 OR par IS NOT NULL;
INSERT INTO ledger_postings (txn_id, line, account_id, currency, amount_minor)
  SELECT 3 * k - 2 + j / 2, 1 + j % 2,
    CASE j WHEN 0 THEN acc.sys WHEN 1 THEN acc.rev WHEN 2 THEN acc.exp WHEN 3 THEN aacc WHEN 4 THEN acc.exp ELSE pacc END,
    cur, CASE j WHEN 0 THEN g WHEN 1 THEN -g WHEN 2 THEN da WHEN 3 THEN -da WHEN 4 THEN oa ELSE -oa END
  FROM plan JOIN acc JOIN six ON j < 4 OR par IS NOT NULL;
COMMIT;
"#;
