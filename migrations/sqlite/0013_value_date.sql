-- Issue 15: a bank line's value date kept beside its booking date (`date`): CAMT ValDt,
-- MT940 :61: value date, OFX DTAVAIL. YYYY-MM-DD, or the text as the bank wrote it when
-- it is no date (a 30 February); NULL where the file gives none (ESI, CSV, QIF, older rows).
ALTER TABLE journal_entries ADD COLUMN value_date TEXT;
