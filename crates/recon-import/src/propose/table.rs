//! The table in a file's head: the delimiter, where the header or first row sits below any
//! metadata lines, whether there is a header, the data rows, and each column's values.

use super::amounts::is_number;
use super::dates::{date_formats_for, looks_like_date};
use super::mostly;
use crate::records::{Record, RecordReader, StrSource};
use crate::ImportError;

/// Rows of the head looked at.
const SAMPLE_ROWS: usize = 500;

/// A delimiter's table: (cells, rows), delimiter, records, start, ragged.
type Candidate = ((usize, usize), char, Vec<Record>, usize, bool);

/// The records of the head split by the delimiter that fits it best.
pub(super) struct Sample {
    pub(super) delimiter: char,
    recs: Vec<Record>,
    /// Index in `recs` of the header, or of the first row when there is none.
    start: usize,
    /// The rows run past the header with more text cells ([`ragged_header`]).
    pub(super) ragged: bool,
}

impl Sample {
    /// Delimiter: the one giving the most cells in rows of one consistent width (> 1), or
    /// under a header that its rows run past (when that holds more cells).
    pub(super) fn choose(text: &str) -> Result<Self, ImportError> {
        let mut best: Option<Candidate> = None;
        for d in [',', ';', '\t', '|'] {
            let recs = sample_records(text, d);
            let Some((mode, n)) = table_width(&recs) else {
                continue;
            };
            let (mut key, mut start, mut ragged) = ((n * mode, n), find_start(&recs, mode), false);
            if let Some((h, width, rows)) = ragged_header(&recs) {
                if (rows * width, rows) > key {
                    (key, start, ragged) = ((rows * width, rows), h, true);
                }
            }
            if best.as_ref().is_none_or(|b| key > b.0) {
                best = Some((key, d, recs, start, ragged));
            }
        }
        let Some((_, delimiter, recs, start, ragged)) = best else {
            return Err(ImportError::CannotPropose {
                reason: "no delimiter (, ; tab |) splits the lines into columns consistently"
                    .into(),
            });
        };
        Ok(Self {
            delimiter,
            recs,
            start,
            ragged,
        })
    }
}

/// A header whose rows run past it with more text (livebank: 10 names, rows of 12 and 14
/// cells): the first record that names columns (no date, mostly not numbers, at least
/// three, two filled), under which (but for a trailer) every record is at least as wide
/// with a date in the header's columns, and most have filled cells past it.
/// (index, width, rows)
fn ragged_header(recs: &[Record]) -> Option<(usize, usize, usize)> {
    let filled = |r: &Record| r.fields().filter(|f| !f.trim().is_empty()).count();
    let numbers = |r: &Record| r.fields().filter(|f| is_number(f.trim())).count();
    let h = (0..recs.len().min(20)).find(|&i| {
        let r = &recs[i];
        r.len() >= 3 && filled(r) >= 2 && !has_date_cell(r) && numbers(r) * 2 < r.len()
    })?;
    let width = recs[h].len();
    let rows = &recs[h + 1..];
    let dated = |r: &Record| (0..width).any(|j| looks_like_date(r.field(j).trim()));
    let past = |r: &Record| (width..r.len()).any(|j| !r.field(j).trim().is_empty());
    let ok = rows.iter().filter(|r| r.len() >= width && dated(r)).count();
    let wider = rows.iter().filter(|r| past(r)).count();
    // a trailer line or two ("Summe") may follow the rows
    let most = ok * 4 >= rows.len() * 3 && ok + 2 >= rows.len();
    (ok >= 2 && most && wider * 2 > ok).then_some((h, width, ok))
}

/// The first [`SAMPLE_ROWS`] non-blank records of `text` split by `delimiter`.
fn sample_records(text: &str, delimiter: char) -> Vec<Record> {
    let mut rr = RecordReader::new(StrSource(Some(text)), delimiter as u8, b'"');
    let mut recs = Vec::new();
    let mut rec = Record::default();
    while recs.len() < SAMPLE_ROWS && rr.next_record(&mut rec).unwrap_or(false) {
        if !rec.is_blank() {
            recs.push(rec.clone());
        }
    }
    recs
}

/// The table's width and how many records have it, if any width > 1 does.
fn table_width(recs: &[Record]) -> Option<(usize, usize)> {
    let mut counts = std::collections::BTreeMap::new();
    for r in recs {
        *counts.entry(r.len()).or_insert(0usize) += 1;
    }
    // the width holding the most cells among widths seen at least twice: data rows
    // outnumber metadata lines in cells even when not in lines
    let min_count = if recs.len() <= 2 { 1 } else { 2 };
    counts
        .iter()
        .filter(|(w, c)| **w > 1 && **c >= min_count)
        .map(|(w, c)| (*w, *c))
        .max_by_key(|(w, c)| (w * c, *c))
}

fn has_date_cell(r: &Record) -> bool {
    r.fields().any(|f| looks_like_date(f.trim()))
}

/// Index of the header (or the first row when headerless): the row above the first run of
/// dated rows of the file's width, so metadata lines above it are skipped even when they
/// have as many fields.
fn find_start(recs: &[Record], width: usize) -> usize {
    let filled = |r: &Record| r.fields().filter(|f| !f.trim().is_empty()).count();
    let data = (0..recs.len()).find(|&i| {
        recs[i].len() == width
            && has_date_cell(&recs[i])
            && recs.get(i + 1).is_none_or(|r| r.len() == width)
    });
    if let Some(i) = data {
        // the header may sit a few notes above the rows ("Posted Transactions")
        let header = (i.saturating_sub(4)..i).rev().find(|&h| {
            recs[h].len() == width
                && !has_date_cell(&recs[h])
                && filled(&recs[h]) >= 2
                && recs[h + 1..i].iter().all(|r| r.len() != width)
        });
        return header.unwrap_or(i);
    }
    (0..recs.len())
        .find(|&i| {
            recs[i].len() == width
                && filled(&recs[i]) * 2 >= width.min(4)
                && filled(&recs[i]) >= 2
                && recs.get(i + 1).is_none_or(|r| r.len() == width)
        })
        .unwrap_or(0)
}

/// One column of the sample: its name, its non-empty values and what they look like.
pub(super) struct Col<'a> {
    pub(super) name: String,
    pub(super) header: String,
    pub(super) values: Vec<&'a str>,
    pub(super) dates: Vec<&'static str>,
    pub(super) numeric: bool,
    pub(super) avg_len: usize,
    /// Data rows of the sample, filled or not: `values.len()` of them are filled.
    pub(super) rows: usize,
    /// Every row's cell, empty ones too, in row order (to compare columns row by row).
    pub(super) cells: Vec<&'a str>,
}

impl<'a> Col<'a> {
    /// Column `j` (0-based) of `data`, named by `header` when the file has one.
    fn new(j: usize, header: Option<&Record>, data: &[&'a Record]) -> Self {
        let header = match header {
            Some(first) => first
                .field(j)
                .trim()
                .trim_start_matches('\u{FEFF}')
                .to_string(),
            None => String::new(),
        };
        let cells: Vec<&str> = data.iter().map(|r| r.field(j).trim()).collect();
        let values: Vec<&str> = cells.iter().copied().filter(|v| !v.is_empty()).collect();
        let avg_len = if values.is_empty() {
            0
        } else {
            values.iter().map(|v| v.chars().count()).sum::<usize>() / values.len()
        };
        Col {
            name: if header.is_empty() {
                format!("column {}", j + 1)
            } else {
                header.clone()
            },
            header,
            dates: date_formats_for(&values),
            numeric: mostly(&values, is_number),
            values,
            avg_len,
            rows: data.len(),
            cells,
        }
    }
}

/// The table read from a [`Sample`]: its shape and its columns.
pub(super) struct Table<'a> {
    /// Lines above the header (or the first row).
    pub(super) skip_lines: usize,
    pub(super) has_header: bool,
    pub(super) width: usize,
    /// Only a header: roles are then judged by header names alone.
    pub(super) no_rows: bool,
    /// Rows have text cells past the header (the profile's `extra_text`).
    pub(super) ragged: bool,
    pub(super) cols: Vec<Col<'a>>,
}

impl<'a> Table<'a> {
    pub(super) fn new(sample: &'a Sample) -> Self {
        let block = &sample.recs[sample.start..];
        let first = &block[0];
        let width = first.len();
        let skip_lines = (first.line - 1) as usize;
        let first_cells: Vec<&str> = first.fields().map(str::trim).collect();
        let has_header = !first_cells.iter().any(|c| looks_like_date(c))
            && first_cells.iter().filter(|c| is_number(c)).count() * 2 < first_cells.len().max(1);
        let data = data_rows(block, width, has_header, sample.ragged);
        let header = has_header.then_some(first);
        let cols = (0..width).map(|j| Col::new(j, header, &data)).collect();
        Self {
            skip_lines,
            has_header,
            width,
            no_rows: data.is_empty(),
            ragged: sample.ragged,
            cols,
        }
    }

    /// `'Date', 'Amount', …`, for messages.
    pub(super) fn column_list(&self) -> String {
        self.cols
            .iter()
            .map(|c| format!("'{}'", c.name))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Rows of the table: up to two odd rows in a row are skipped, more end it (a disclaimer).
/// In a `ragged` table, cells past the header are text, not a sign of an odd row.
fn data_rows(block: &[Record], width: usize, has_header: bool, ragged: bool) -> Vec<&Record> {
    let mut data: Vec<&Record> = Vec::new();
    let mut odd = 0;
    let header = &block[0];
    for r in block.iter().skip(usize::from(has_header)) {
        let extras_empty = ragged || (width..r.len()).all(|i| r.field(i).trim().is_empty());
        // a header repeated further down (an export of several pages) is not a row
        if has_header && same_cells(r, header) {
            continue;
        }
        if r.len() >= width && extras_empty {
            data.push(r);
            odd = 0;
        } else {
            odd += 1;
            if odd > 2 {
                break;
            }
        }
    }
    data
}

/// The two records hold the same cells (trimmed), ignoring empty cells at the end.
fn same_cells(a: &Record, b: &Record) -> bool {
    let cells = |r: &Record| -> Vec<String> {
        let mut v: Vec<String> = r.fields().map(|f| f.trim().to_string()).collect();
        while v.last().is_some_and(|c| c.is_empty()) {
            v.pop();
        }
        v
    };
    cells(a) == cells(b)
}
