-- What a statement file's own lines add up to (decimal text, over all its statements), so
-- Import history and the wallet show the statement's check afterwards: opening, closing,
-- this sum, and whether they agree or by how much they differ. NULL for files imported
-- before this column and for files without lines that could be added up.
ALTER TABLE import_batch_files ADD COLUMN lines_sum TEXT;
