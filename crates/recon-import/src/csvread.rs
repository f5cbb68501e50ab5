//! Reading a CSV through a [`Profile`], streaming.

use crate::decode::{encoding_for_label, encoding_name, DecodingReader};
use crate::profile::{
    AmountMapping, Column, CurrencySource, DEFAULT_CREDIT_VALUES, DEFAULT_DEBIT_VALUES,
};
use crate::records::{Record, RecordReader};
use crate::{
    parse_amount, FileSummary, Format, ImportError, ParsedRow, ReadError, Reject, RowResult,
};
use chrono::NaiveDate;
use std::io::Read;

/// `" 10:00"`, `"T10:00:00Z"`, `", 08:26"`: a time after a date.
fn is_time(rest: &str) -> bool {
    let r = rest.trim_start_matches([' ', 'T', 't', ',']);
    r.len() < rest.len()
        && r.starts_with(|c: char| c.is_ascii_digit())
        && r.chars().take(6).any(|c| c == ':')
}

/// Parses a date with a chrono format; a time after the date (`… 10:00`, `…T10:00:00Z`) is
/// allowed and ignored, anything else left over is an error.
pub fn parse_date(text: &str, format: &str) -> Result<NaiveDate, String> {
    DateFormat::new(format).parse(text)
}

/// One piece of a date format [`DateFormat`] reads itself.
#[derive(Clone, Copy, Debug, PartialEq)]
enum DatePart {
    /// `%Y`, read as exactly 4 digits.
    Year,
    /// `%y`, 2 digits: 00-69 are 20xx, 70-99 19xx (chrono's rule).
    ShortYear,
    /// `%m`, 2 digits.
    Month,
    /// `%d`, 2 digits.
    Day,
    /// `-`, `.` or `/` as written.
    Literal(u8),
}

/// A date format, with a fast reading for the usual all-digit ones (`%Y-%m-%d`, `%d.%m.%Y`,
/// `%m/%d/%Y`, `%Y%m%d`, …): a date written with exactly those widths is read digit by
/// digit, which is what chrono would do with it. Anything else — other widths, invalid
/// dates, leftovers that are not a time, any other format — goes to chrono, so results and
/// messages are chrono's.
pub(crate) struct DateFormat<'a> {
    format: &'a str,
    fast: Option<Vec<DatePart>>,
}

impl<'a> DateFormat<'a> {
    pub(crate) fn new(format: &'a str) -> Self {
        Self {
            format,
            fast: Self::fast_parts(format),
        }
    }

    /// The parts of a format made of `%Y`/`%y`, `%m`, `%d` (each once) and `-` `.` `/`.
    fn fast_parts(format: &str) -> Option<Vec<DatePart>> {
        let mut parts = Vec::new();
        let mut bytes = format.bytes();
        while let Some(b) = bytes.next() {
            parts.push(match b {
                b'%' => match bytes.next()? {
                    b'Y' => DatePart::Year,
                    b'y' => DatePart::ShortYear,
                    b'm' => DatePart::Month,
                    b'd' => DatePart::Day,
                    _ => return None,
                },
                b'-' | b'.' | b'/' => DatePart::Literal(b),
                _ => return None,
            });
        }
        let count = |f: fn(&DatePart) -> bool| parts.iter().filter(|p| f(p)).count();
        let once = count(|p| matches!(p, DatePart::Year | DatePart::ShortYear)) == 1
            && count(|p| *p == DatePart::Month) == 1
            && count(|p| *p == DatePart::Day) == 1;
        once.then_some(parts)
    }

    pub(crate) fn parse(&self, text: &str) -> Result<NaiveDate, String> {
        let t = text.trim();
        if t.is_empty() {
            return Err("empty date".into());
        }
        if let Some(d) = self.parse_fast(t) {
            return Ok(d);
        }
        let format = self.format;
        match NaiveDate::parse_and_remainder(t, format) {
            Ok((d, rest)) if rest.is_empty() || is_time(rest) => Ok(d),
            Ok(_) => Err(format!("'{t}' has text after a {format} date")),
            Err(e) => Err(format!("'{t}' is not a {format} date ({e})")),
        }
    }

    /// The date when `t` has the format's exact shape, a valid date and nothing after it but
    /// a time; `None` when chrono must decide.
    fn parse_fast(&self, t: &str) -> Option<NaiveDate> {
        let parts = self.fast.as_deref()?;
        let bytes = t.as_bytes();
        let digits = |at: usize, n: usize| -> Option<u32> {
            let d = bytes.get(at..at + n)?;
            d.iter().try_fold(0u32, |v, &c| {
                c.is_ascii_digit().then(|| v * 10 + u32::from(c - b'0'))
            })
        };
        let (mut year, mut month, mut day) = (0, 0, 0);
        let mut at = 0;
        for part in parts {
            match *part {
                DatePart::Year => {
                    year = digits(at, 4)? as i32;
                    at += 4;
                }
                DatePart::ShortYear => {
                    let y = digits(at, 2)? as i32;
                    year = if y < 70 { 2000 + y } else { 1900 + y };
                    at += 2;
                }
                DatePart::Month => {
                    month = digits(at, 2)?;
                    at += 2;
                }
                DatePart::Day => {
                    day = digits(at, 2)?;
                    at += 2;
                }
                DatePart::Literal(c) => {
                    if *bytes.get(at)? != c {
                        return None;
                    }
                    at += 1;
                }
            }
        }
        // everything read so far is ASCII, so `at` is a character boundary
        let rest = t.get(at..)?;
        if !(rest.is_empty() || is_time(rest)) {
            return None;
        }
        NaiveDate::from_ymd_opt(year, month, day)
    }
}

struct Resolved {
    date: usize,
    amount: ResolvedAmount,
    description: Option<usize>,
    counterparty: Option<usize>,
    reference: Option<usize>,
    balance: Option<usize>,
    currency: Option<ResolvedCurrency>,
    names: Vec<String>,
}

enum ResolvedAmount {
    Single(usize, bool),
    DebitCredit(usize, usize),
    Indicator(usize, usize, Vec<String>, Vec<String>),
}

enum ResolvedCurrency {
    Fixed(String),
    Column(usize),
}

fn resolve(col: &Column, header: Option<&[String]>) -> Result<usize, ImportError> {
    match (col, header) {
        (Column::Index(i), _) => Ok(i - 1),
        (Column::Name(n), Some(h)) => {
            let want = n.trim().to_lowercase();
            h.iter()
                .position(|x| x.trim().to_lowercase() == want)
                .ok_or_else(|| ImportError::MissingColumn {
                    column: format!("'{n}'"),
                    available: h
                        .iter()
                        .map(|x| format!("'{x}'"))
                        .collect::<Vec<_>>()
                        .join(", "),
                })
        }
        (Column::Name(n), None) => Err(ImportError::Profile {
            message: format!("column '{n}' is named but the file has no header"),
        }),
    }
}

fn upper_list(values: &[String], defaults: &[&str]) -> Vec<String> {
    if values.is_empty() {
        defaults.iter().map(|s| s.to_string()).collect()
    } else {
        values.iter().map(|s| s.trim().to_uppercase()).collect()
    }
}

impl Resolved {
    fn new(
        p: &crate::Profile,
        header: Option<&[String]>,
        width: usize,
    ) -> Result<Self, ImportError> {
        let r = |c: &Column| resolve(c, header);
        let opt = |c: &Option<Column>| c.as_ref().map(r).transpose();
        let amount = match &p.amount {
            AmountMapping::Single { column, negate } => ResolvedAmount::Single(r(column)?, *negate),
            AmountMapping::DebitCredit { debit, credit } => {
                ResolvedAmount::DebitCredit(r(debit)?, r(credit)?)
            }
            AmountMapping::Indicator {
                column,
                indicator,
                debit_values,
                credit_values,
            } => ResolvedAmount::Indicator(
                r(column)?,
                r(indicator)?,
                upper_list(debit_values, DEFAULT_DEBIT_VALUES),
                upper_list(credit_values, DEFAULT_CREDIT_VALUES),
            ),
        };
        let names = match header {
            Some(h) => h
                .iter()
                .enumerate()
                .map(|(i, n)| {
                    if n.trim().is_empty() {
                        format!("column {}", i + 1)
                    } else {
                        n.trim().to_string()
                    }
                })
                .collect(),
            None => (1..=width).map(|i| format!("column {i}")).collect(),
        };
        Ok(Self {
            date: r(&p.date)?,
            amount,
            description: opt(&p.description)?,
            counterparty: opt(&p.counterparty)?,
            reference: opt(&p.reference)?,
            balance: opt(&p.balance)?,
            currency: match &p.currency {
                None => None,
                Some(CurrencySource::Fixed(c)) => Some(ResolvedCurrency::Fixed(c.clone())),
                Some(CurrencySource::Column(c)) => Some(ResolvedCurrency::Column(r(c)?)),
            },
            names,
        })
    }

    fn name(&self, i: usize) -> String {
        self.names
            .get(i)
            .cloned()
            .unwrap_or_else(|| format!("column {}", i + 1))
    }
}

struct RowError {
    column: Option<usize>,
    value: String,
    reason: String,
}

fn err(column: usize, value: &str, reason: String) -> RowError {
    RowError {
        column: Some(column),
        value: value.to_string(),
        reason,
    }
}

fn cell(rec: &Record, i: usize) -> &str {
    if i < rec.len() {
        trim(rec.field(i))
    } else {
        ""
    }
}

/// `str::trim`, answering at once for the usual cell that starts and ends with a visible
/// ASCII character.
#[inline]
fn trim(s: &str) -> &str {
    let visible =
        |b: Option<&u8>| b.is_some_and(|&b| b.is_ascii() && !char::from(b).is_whitespace());
    if visible(s.as_bytes().first()) && visible(s.as_bytes().last()) {
        s
    } else {
        s.trim()
    }
}

/// A currency column's code, upper-cased and checked by recon-core.
fn currency_code(t: &str) -> Result<String, String> {
    // Upper-cased only when it has to be: most files already write `EUR`.
    let code = if t.bytes().any(|b| b.is_ascii_lowercase()) || !t.is_ascii() {
        std::borrow::Cow::Owned(t.to_uppercase())
    } else {
        std::borrow::Cow::Borrowed(t)
    };
    recon_core::money::validate_currency_code(&code).map_err(|e| e.to_string())
}

/// An empty cell or a dash stands for "nothing" in debit/credit columns.
fn is_nothing(s: &str) -> bool {
    s.is_empty() || s == "-" || s == "–"
}

fn map_row(
    rec: &Record,
    p: &crate::Profile,
    r: &Resolved,
    date_format: &DateFormat,
) -> Result<ParsedRow, RowError> {
    let dec = p.decimal_separator;
    let th = p.thousands_separator;
    let date_text = cell(rec, r.date);
    let date = date_format
        .parse(date_text)
        .map_err(|e| err(r.date, date_text, e))?;
    let amount = match &r.amount {
        ResolvedAmount::Single(i, negate) => {
            let t = cell(rec, *i);
            let v = parse_amount(t, dec, th).map_err(|e| err(*i, t, e))?;
            if *negate {
                -v
            } else {
                v
            }
        }
        ResolvedAmount::DebitCredit(d, c) => {
            let dt = cell(rec, *d);
            let ct = cell(rec, *c);
            let dv = if is_nothing(dt) {
                None
            } else {
                Some(parse_amount(dt, dec, th).map_err(|e| err(*d, dt, e))?)
            };
            let cv = if is_nothing(ct) {
                None
            } else {
                Some(parse_amount(ct, dec, th).map_err(|e| err(*c, ct, e))?)
            };
            // a zero in the unused column is how some banks write "nothing"
            let dv = dv.filter(|v| !v.is_zero() || cv.is_none_or(|c| c.is_zero()));
            let cv = cv.filter(|v| !v.is_zero() || dv.is_none());
            match (dv, cv) {
                (Some(d), None) => -d.abs(),
                (None, Some(c)) => c.abs(),
                (Some(_), Some(_)) => {
                    return Err(err(
                        *d,
                        &format!("{dt} | {ct}"),
                        format!(
                            "both debit ({}) and credit ({}) hold an amount",
                            r.name(*d),
                            r.name(*c)
                        ),
                    ))
                }
                (None, None) => {
                    return Err(err(
                        *d,
                        "",
                        format!(
                            "neither debit ({}) nor credit ({}) holds an amount",
                            r.name(*d),
                            r.name(*c)
                        ),
                    ))
                }
            }
        }
        ResolvedAmount::Indicator(a, ind, debits, credits) => {
            let t = cell(rec, *a);
            let v = parse_amount(t, dec, th).map_err(|e| err(*a, t, e))?;
            let it = cell(rec, *ind);
            let key = it.to_uppercase();
            if debits.contains(&key) {
                -v.abs()
            } else if credits.contains(&key) {
                v.abs()
            } else {
                return Err(err(
                    *ind,
                    it,
                    format!(
                        "'{it}' is neither a debit ({}) nor a credit ({}) indicator",
                        debits.join("/"),
                        credits.join("/")
                    ),
                ));
            }
        }
    };
    let balance = match r.balance {
        Some(i) if !is_nothing(cell(rec, i)) => {
            let t = cell(rec, i);
            Some(parse_amount(t, dec, th).map_err(|e| err(i, t, e))?)
        }
        _ => None,
    };
    let currency = match &r.currency {
        None => None,
        Some(ResolvedCurrency::Fixed(c)) => Some(c.clone()),
        Some(ResolvedCurrency::Column(i)) => {
            let t = cell(rec, *i);
            if t.is_empty() {
                None
            } else {
                Some(currency_code(t).map_err(|e| err(*i, t, e))?)
            }
        }
    };
    let text = |i: Option<usize>| {
        i.map(|i| cell(rec, i).to_string())
            .filter(|s| !s.is_empty())
    };
    Ok(ParsedRow {
        line: rec.line,
        date,
        amount,
        currency,
        description: text(r.description).unwrap_or_default(),
        counterparty: text(r.counterparty),
        reference: text(r.reference),
        balance,
        raw: rec.raw(),
    })
}

/// Streams a CSV through `profile`, calling `on_row` for every row in order (an `on_row`
/// error stops the read and is returned as [`ReadError::Callback`]). Memory stays flat:
/// one record at a time, each at most [`crate::records::MAX_RECORD_BYTES`].
///
/// Rejects (the read goes on): a row with fewer fields than the header (more is accepted when
/// the extra fields are empty), invalid bytes in the encoding, an unparseable date, amount,
/// balance or currency, debit and credit both or neither filled, an unknown indicator.
/// Errors (the read stops): unknown encoding, a mapped column missing from the header, a
/// record longer than the cap, an I/O error.
pub fn read_csv<R: Read, E>(
    reader: R,
    profile: &crate::Profile,
    mut on_row: impl FnMut(RowResult) -> Result<(), E>,
) -> Result<FileSummary, ReadError<E>> {
    profile.validate()?;
    let enc = encoding_for_label(&profile.encoding)?;
    let decoder = DecodingReader::new(reader, enc)?;
    let mut rr = RecordReader::new(decoder, profile.delimiter as u8, profile.quote as u8);
    rr.skip_lines(profile.skip_lines)?;
    let mut rec = Record::default();
    let mut summary = FileSummary {
        format: Format::Csv,
        encoding: String::new(),
        read: 0,
        rejected: 0,
        statement: None,
        notes: Vec::new(),
    };
    let mut first_data: Option<Record> = None;
    let (resolved, width) = if profile.has_header {
        let mut found = false;
        while rr.next_record(&mut rec)? {
            if !rec.is_blank() {
                found = true;
                break;
            }
        }
        if !found {
            summary.encoding = encoding_name(rr.source().encoding());
            return Err(ImportError::NoHeader.into());
        }
        let header: Vec<String> = rec
            .fields()
            .enumerate()
            .map(|(i, f)| {
                let f = f.trim();
                if i == 0 {
                    f.trim_start_matches('\u{FEFF}').to_string()
                } else {
                    f.to_string()
                }
            })
            .collect();
        (
            Resolved::new(profile, Some(&header), header.len())?,
            header.len(),
        )
    } else {
        // headerless: the first row sets the expected width
        let mut width = 0;
        while rr.next_record(&mut rec)? {
            if !rec.is_blank() {
                width = rec.len();
                first_data = Some(rec.clone());
                break;
            }
        }
        (Resolved::new(profile, None, width)?, width)
    };
    let date_format = DateFormat::new(&profile.date_format);
    let mut handle = |rec: &Record, summary: &mut FileSummary| -> Result<(), ReadError<E>> {
        summary.read += 1;
        let result = if rec.malformed {
            Err(RowError {
                column: None,
                value: String::new(),
                reason: format!("invalid bytes for encoding {}", summary.encoding),
            })
        } else if rec.unterminated_quote {
            Err(RowError {
                column: None,
                value: String::new(),
                reason: "a quoted field is not closed before the end of the file".into(),
            })
        } else if rec.len() < width
            || (rec.len() > width && (width..rec.len()).any(|i| !rec.field(i).trim().is_empty()))
        {
            Err(RowError {
                column: None,
                value: String::new(),
                reason: format!("expected {width} fields, found {}", rec.len()),
            })
        } else {
            map_row(rec, profile, &resolved, &date_format)
        };
        let out = match result {
            Ok(row) => RowResult::Row(row),
            Err(e) => {
                summary.rejected += 1;
                RowResult::Reject(Reject {
                    line: rec.line,
                    column: e.column.map(|i| resolved.name(i)),
                    raw_value: e.value,
                    reason: e.reason,
                    raw: rec.raw(),
                })
            }
        };
        on_row(out).map_err(ReadError::Callback)
    };
    summary.encoding = encoding_name(rr.source().encoding());
    if let Some(first) = first_data {
        handle(&first, &mut summary)?;
    }
    while rr.next_record(&mut rec)? {
        if rec.is_blank() && !rec.malformed {
            continue;
        }
        handle(&rec, &mut summary)?;
    }
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `parse_date` as it was: chrono alone.
    fn chrono_only(text: &str, format: &str) -> Result<NaiveDate, String> {
        let t = text.trim();
        if t.is_empty() {
            return Err("empty date".into());
        }
        match NaiveDate::parse_and_remainder(t, format) {
            Ok((d, rest)) if rest.is_empty() || is_time(rest) => Ok(d),
            Ok(_) => Err(format!("'{t}' has text after a {format} date")),
            Err(e) => Err(format!("'{t}' is not a {format} date ({e})")),
        }
    }

    struct Rng(u64);

    impl Rng {
        fn below(&mut self, n: u64) -> u64 {
            // xorshift64*
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % n
        }
    }

    const FAST: &[&str] = &[
        "%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y", "%m/%d/%Y", "%Y%m%d", "%d.%m.%y", "%y-%m-%d",
        "%d-%m-%Y", "%Y/%m/%d", "%Y.%m.%d", "%m-%d-%y", "%d%m%Y", "%Y-%d-%m", "%m.%d.%Y",
    ];
    const TAILS: &[&str] = &[
        "",
        "",
        "",
        " 10:00",
        "T10:00:00Z",
        ", 08:26",
        "t1:2",
        " 10",
        "5",
        "0",
        " x",
        "-",
        ":",
        "T",
        " 1:",
        "  ",
        "\u{00A0}",
        "é",
        "/",
        ".",
        " 10:00:00 +0200",
        " PM",
    ];

    /// A date written in `format`, mostly with the right widths, sometimes not.
    fn render(rng: &mut Rng, format: &str) -> String {
        let mut out = String::new();
        let mut chars = format.chars();
        while let Some(c) = chars.next() {
            if c != '%' {
                out.push(c);
                continue;
            }
            let (value, width) = match chars.next() {
                Some('Y') => (
                    [rng.below(10_000), 1990 + rng.below(50), rng.below(100_000)]
                        [rng.below(3) as usize],
                    4,
                ),
                Some('y') => (rng.below(100), 2),
                Some('m') => (
                    [rng.below(100), 1 + rng.below(12)][rng.below(2) as usize],
                    2,
                ),
                _ => (
                    [rng.below(100), 1 + rng.below(31)][rng.below(2) as usize],
                    2,
                ),
            };
            let width = if rng.below(8) == 0 {
                rng.below(6) as usize
            } else {
                width
            };
            out.push_str(&format!("{value:0width$}"));
        }
        out
    }

    #[test]
    fn fast_dates_read_as_chrono_reads_them() {
        let mut rng = Rng(0xDA7E);
        let mut fast = 0;
        let mut formats: Vec<&str> = FAST.to_vec();
        // formats chrono keeps: they must simply not change
        formats.extend([
            "%e.%m.%Y",
            "%d %b %Y",
            "%F",
            "%Y-%m-%d %H:%M",
            "%Y-%m",
            "%d/%m/%Y%%",
            "%Y-%m-%d-%m",
            "%d.%d.%m.%Y",
            "%Y-%y-%m-%d",
            "%m/%Y",
            "%Y-%m-%d %",
        ]);
        for format in &formats {
            let parser = DateFormat::new(format);
            assert_eq!(parser.fast.is_some(), FAST.contains(format), "{format}");
            for _ in 0..40_000 {
                let mut text = render(&mut rng, format);
                text.push_str(TAILS[rng.below(TAILS.len() as u64) as usize]);
                if rng.below(20) == 0 {
                    text.insert(0, ' ');
                }
                if rng.below(10) == 0 && text.is_char_boundary(1) {
                    // a wrong separator or digit somewhere
                    let at = rng.below(text.len() as u64) as usize;
                    if text.is_char_boundary(at) && text.is_char_boundary(at + 1) {
                        let c = ["-", ".", "/", " ", "0", "x"][rng.below(6) as usize];
                        text.replace_range(at..at + 1, c);
                    }
                }
                let want = chrono_only(&text, format);
                assert_eq!(parser.parse(&text), want, "{text:?} {format}");
                assert_eq!(parse_date(&text, format), want, "{text:?} {format}");
                if parser.parse_fast(text.trim()).is_some() {
                    fast += 1;
                }
            }
        }
        assert!(fast > 50_000, "fast path taken {fast} times");
    }

    #[test]
    fn cells_trim_and_currencies_check_as_before() {
        let cells = [
            "",
            " ",
            "a",
            " a",
            "a ",
            "\ta\n",
            "EUR",
            "eur",
            "Eur",
            "ß",
            "ẞAB",
            "ÄÖÜ",
            "usd1",
            "USD1",
            "EU",
            "EURO1234",
            "EURO12345",
            "E R",
            "\u{a0}x\u{a0}",
            "x\u{85}",
            "\u{2003}",
            "\u{b}x\u{b}",
            "\u{1c}x\u{1f}",
            "€",
            "ﬀ€",
            "a\u{3000}",
            "💶",
            "1EUR",
        ];
        for c in cells {
            assert_eq!(trim(c), c.trim(), "{c:?}");
            let slow = recon_core::money::validate_currency_code(&c.to_uppercase())
                .map_err(|e| e.to_string());
            assert_eq!(currency_code(c), slow, "{c:?}");
        }
        for b in 0..=127u8 {
            let c = char::from(b);
            for s in [
                format!("{c}"),
                format!("{c}x"),
                format!("x{c}"),
                format!("{c}EU{c}"),
            ] {
                assert_eq!(trim(&s), s.trim(), "{s:?}");
                let slow = recon_core::money::validate_currency_code(&s.to_uppercase())
                    .map_err(|e| e.to_string());
                assert_eq!(currency_code(&s), slow, "{s:?}");
            }
        }
    }

    #[test]
    fn every_day_and_year_reads_as_chrono_reads_it() {
        let iso = DateFormat::new("%Y-%m-%d");
        let de = DateFormat::new("%d.%m.%y");
        for year in [1900, 1970, 1999, 2000, 2024, 2026, 2100] {
            for month in 0..=99 {
                for day in 0..=99 {
                    let t = format!("{year:04}-{month:02}-{day:02}");
                    assert_eq!(iso.parse(&t), chrono_only(&t, "%Y-%m-%d"), "{t}");
                    let t = format!("{day:02}.{month:02}.{:02}", year % 100);
                    assert_eq!(de.parse(&t), chrono_only(&t, "%d.%m.%y"), "{t}");
                }
            }
        }
        for year in 0..=9999 {
            for (month, day) in [(1, 1), (2, 29), (12, 31)] {
                let t = format!("{year:04}-{month:02}-{day:02}");
                assert_eq!(iso.parse(&t), chrono_only(&t, "%Y-%m-%d"), "{t}");
            }
        }
        for t in [
            "2026-02-30",
            "2026-13-01",
            "2026-00-10",
            "0000-01-01",
            "2026-3-4",
            "26-03-04",
        ] {
            assert_eq!(iso.parse(t), chrono_only(t, "%Y-%m-%d"), "{t}");
        }
    }
}
