//! Dates as a profile's `date_format` reads them, with a direct reading of the usual
//! all-digit formats.

use chrono::NaiveDate;

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
            Ok((d, rest)) if rest.is_empty() || is_time(rest) || is_as_of(rest, format) => Ok(d),
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

/// Brokerages write the settlement date after the trade date: `04/17/2023 as of 04/15/2023`.
/// The first date is the line's.
fn is_as_of(rest: &str, format: &str) -> bool {
    rest.trim_start()
        .strip_prefix("as of ")
        .is_some_and(|d| NaiveDate::parse_from_str(d.trim(), format).is_ok())
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
            Ok((d, rest)) if rest.is_empty() || is_time(rest) || is_as_of(rest, format) => Ok(d),
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
