//! CSV export shared by every domain: RFC 4180 (CRLF line ends, fields quoted when they
//! hold a comma, quote, CR or LF, quotes doubled), UTF-8 with an optional BOM for Excel,
//! and text cells neutralised against formula injection (OWASP "CSV injection"): a cell
//! beginning with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`.
//!
//! Amounts are written as [`Cell::Amount`] (a plain decimal string, never neutralised, so
//! `-12.50` stays a number); everything a user or a file supplied is [`Cell::Text`].

use std::io::Write;

/// One cell of an exported row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cell<'a> {
    /// Free text: neutralised when it could be read as a formula.
    Text(&'a str),
    /// A decimal amount or a number we produced ourselves: written as is.
    Amount(&'a str),
}

/// The text of a cell made safe to open in a spreadsheet: `'` before a leading `=`, `+`,
/// `-`, `@`, tab or carriage return; any other text unchanged.
pub fn neutralize(text: &str) -> std::borrow::Cow<'_, str> {
    match text.as_bytes().first() {
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r') => format!("'{text}").into(),
        _ => text.into(),
    }
}

fn write_field(out: &mut impl Write, text: &str) -> std::io::Result<()> {
    if text.contains([',', '"', '\r', '\n']) {
        out.write_all(b"\"")?;
        out.write_all(text.replace('"', "\"\"").as_bytes())?;
        out.write_all(b"\"")
    } else {
        out.write_all(text.as_bytes())
    }
}

/// One cell as it is written in the file: neutralised when it is text, quoted when needed.
pub fn field(cell: Cell<'_>) -> String {
    let mut out = Vec::new();
    write_cell(&mut out, cell).expect("writing to a Vec cannot fail");
    String::from_utf8(out).expect("cells are UTF-8")
}

fn write_cell(out: &mut impl Write, cell: Cell<'_>) -> std::io::Result<()> {
    match cell {
        Cell::Text(t) => write_field(out, &neutralize(t)),
        Cell::Amount(a) => write_field(out, a),
    }
}

/// Writes CSV rows: a header of plain names, then each row.
pub struct CsvWriter<W: Write> {
    out: W,
    rows: u64,
}

impl<W: Write> CsvWriter<W> {
    /// Starts a file: the BOM (when asked) and the header line.
    pub fn new(mut out: W, header: &[&str], bom: bool) -> std::io::Result<Self> {
        if bom {
            out.write_all("\u{feff}".as_bytes())?;
        }
        let mut w = CsvWriter { out, rows: 0 };
        let cells: Vec<Cell> = header.iter().map(|h| Cell::Text(h)).collect();
        w.write_line(&cells)?;
        Ok(w)
    }

    /// Writes one data row.
    pub fn row(&mut self, cells: &[Cell<'_>]) -> std::io::Result<()> {
        self.write_line(cells)?;
        self.rows += 1;
        Ok(())
    }

    fn write_line(&mut self, cells: &[Cell<'_>]) -> std::io::Result<()> {
        for (i, cell) in cells.iter().enumerate() {
            if i > 0 {
                self.out.write_all(b",")?;
            }
            write_cell(&mut self.out, *cell)?;
        }
        self.out.write_all(b"\r\n")
    }

    /// Flushes and returns the number of data rows written.
    pub fn finish(mut self) -> std::io::Result<u64> {
        self.out.flush()?;
        Ok(self.rows)
    }
}

/// Writes `rows` under `header` to `out` in one go; returns the number of data rows.
pub fn write_rows<'a, W: Write>(
    out: W,
    header: &[&str],
    bom: bool,
    rows: impl IntoIterator<Item = Vec<Cell<'a>>>,
) -> std::io::Result<u64> {
    let mut w = CsvWriter::new(out, header, bom)?;
    for row in rows {
        w.row(&row)?;
    }
    w.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_neutralised_and_amounts_are_not() {
        for bad in ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tx", "\rx"] {
            assert!(neutralize(bad).starts_with('\''), "{bad:?}");
        }
        assert_eq!(neutralize("Acme"), "Acme");
        let mut buf = Vec::new();
        let rows = vec![vec![
            Cell::Text("=HYPERLINK(\"x\")"),
            Cell::Amount("-12.50"),
            Cell::Text("a,b"),
        ]];
        assert_eq!(
            write_rows(&mut buf, &["name", "amount", "note"], false, rows).unwrap(),
            1
        );
        assert_eq!(
            String::from_utf8(buf).unwrap(),
            "name,amount,note\r\n\"'=HYPERLINK(\"\"x\"\")\",-12.50,\"a,b\"\r\n"
        );
    }

    #[test]
    fn the_bom_is_written_only_when_asked() {
        let mut buf = Vec::new();
        write_rows(&mut buf, &["a"], true, Vec::<Vec<Cell>>::new()).unwrap();
        assert_eq!(buf, b"\xEF\xBB\xBFa\r\n");
    }
}
