-- Continuity of statements that state only an opening and a closing balance (MT940, CAMT:
-- no balance on each line). What the statement's lines that the ledger holds add up to, in
-- minor units of the wallet's currency: the lines it inserted plus those it found already
-- held (duplicates), not those kept out as removed earlier or rejected. `recon check
-- continuity` compares opening + held with closing. NULL for files imported before this
-- column: the check then sums the batch's own journal lines when the file is the batch's
-- only one and found no duplicates, and leaves the statement unchecked otherwise.
ALTER TABLE import_batch_files ADD COLUMN held_minor INTEGER;

-- A wallet check run's report packed in one value: a JSON array with one array per wallet
-- (workspace, wallet, currency, expected, actual, discrepancy in minor units, status,
-- warning, action, fixed, adjustment in minor units, reason), in the order checked. One
-- row per run instead of one per wallet (see recon_store::checks::report). Runs kept
-- before this column keep their report in check_run_wallets.
ALTER TABLE check_runs ADD COLUMN report TEXT;
