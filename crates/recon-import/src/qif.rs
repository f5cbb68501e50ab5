//! QIF (Quicken Interchange Format), as banks, Quicken, GnuCash and Actual export it.
//!
//! Read: `!Type:Bank`, `!Type:CCard`, `!Type:Cash` and the other-asset/liability lists
//! (`Oth A`, `Oth L`), one row per `^`-terminated record: `D` date, `T` (or `U`) amount,
//! `P` payee (the counterparty), `M` memo (the description; the payee when there is none).
//! A split record (`S`/`E`/`$` lines) stays one row; its splits are written after the
//! description. Investment lists (`!Type:Invst`) are left out with a note; categories,
//! classes, securities and account lists are not transactions and are passed over.
//!
//! Dates: QIF writes `12/19/18`, `2/10'2020`, `1/ 1'00` (Quicken: `'` before the year means
//! 2000s), `22/12/2017`, `2022-09-23`, `24.12.2023`. Whether a date is day or month first
//! is decided for the whole file from a date that says so (a number above 12); when none
//! does, the file is ambiguous: [`qif_date_question`] asks which order it is (as a CSV's
//! ambiguous date column is asked), and the reader takes the answer
//! ([`crate::StatementOptions::day_order`]); read without one, dates are read month first
//! (Quicken's order) and a note says so.

use crate::statement::{row_err, Emitter, RowData, RowErr};
use crate::{parse_amount, Ambiguity, ReadError};
use chrono::NaiveDate;
use rust_decimal::Decimal;

/// Which number of a QIF date `a/b/year` is the month.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DayOrder {
    MonthFirst,
    DayFirst,
}

impl DayOrder {
    /// `month-first` / `day-first`: the CLI's `--date-order` and the preview's options.
    pub fn as_str(self) -> &'static str {
        match self {
            DayOrder::MonthFirst => "month-first",
            DayOrder::DayFirst => "day-first",
        }
    }

    pub fn parse(s: &str) -> Option<DayOrder> {
        match s.trim().to_ascii_lowercase().as_str() {
            "month-first" | "mdy" => Some(DayOrder::MonthFirst),
            "day-first" | "dmy" => Some(DayOrder::DayFirst),
            _ => None,
        }
    }
}

/// The question to ask about a QIF whose dates read both ways (every `a/b` has both at most
/// 12), with one date read each way; `None` when the file settles its order (or is no QIF
/// with dates). The first option is the order a reader without an answer takes.
pub fn qif_date_question(bytes: &[u8]) -> Option<Ambiguity> {
    let text = crate::statement::Text::new(bytes, None);
    let (_, open) = day_order(&text.text);
    if !open {
        return None;
    }
    let sample = text.text.lines().find_map(|l| {
        let v = l.trim_end().strip_prefix('D')?;
        let p = date_parts(v)?;
        (p.order.is_none() && p.a != p.b && p.a <= 12 && p.b <= 12).then(|| (v.trim(), p))
    })?;
    let orders = [DayOrder::MonthFirst, DayOrder::DayFirst];
    let readings = orders
        .iter()
        .map(|&o| {
            let d = date_of(sample.1, o)
                .map(|d| d.to_string())
                .unwrap_or_default();
            format!("{} → {d} ({})", sample.0, o.as_str().replace('-', " "))
        })
        .collect();
    Some(Ambiguity {
        column: "D (date)".into(),
        readings,
        options: orders.iter().map(|o| o.as_str().to_string()).collect(),
    })
}

/// The kind of list a `!Type:` header opens.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Section {
    /// Bank, card, cash and other asset/liability transactions: rows.
    Transactions,
    /// Investment transactions: counted and left out.
    Investment,
    /// Categories, classes, securities, memorized transactions, accounts, options: not rows.
    Other,
}

fn section_of(header: &str) -> Section {
    let h = header.trim().to_ascii_lowercase();
    let Some(kind) = h.strip_prefix("!type:") else {
        return Section::Other;
    };
    match kind.trim() {
        "bank" | "ccard" | "cash" | "oth a" | "oth l" => Section::Transactions,
        "invst" | "port" => Section::Investment,
        _ => Section::Other,
    }
}

/// A `D` value as numbers: (a, b, year) where a and b are day and month in some order, or
/// (month, day, year) already ordered when the date is ISO (`2022-09-23`).
#[derive(Clone, Copy)]
struct DateParts {
    a: u32,
    b: u32,
    year: i32,
    /// ISO year-first or German `.`: the order is known from the writing.
    order: Option<DayOrder>,
}

fn date_parts(text: &str) -> Option<DateParts> {
    let t: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let dotted = t.contains('.');
    let apostrophe = t.contains('\'');
    let parts: Vec<&str> = t.split(['/', '.', '-', '\'']).collect();
    if parts.len() != 3
        || parts
            .iter()
            .any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let n = |s: &str| s.parse::<u32>().ok();
    if parts[0].len() == 4 {
        // year first: month then day
        return Some(DateParts {
            a: n(parts[1])?,
            b: n(parts[2])?,
            year: n(parts[0])? as i32,
            order: Some(DayOrder::MonthFirst),
        });
    }
    let y = n(parts[2])? as i32;
    let year = match parts[2].len() {
        4 => y,
        // Quicken: `'` marks the 2000s; otherwise a two-digit year pivots at 80
        1 | 2 if apostrophe => 2000 + y,
        1 | 2 if y < 80 => 2000 + y,
        1 | 2 => 1900 + y,
        _ => return None,
    };
    Some(DateParts {
        a: n(parts[0])?,
        b: n(parts[1])?,
        year,
        order: dotted.then_some(DayOrder::DayFirst),
    })
}

fn date_of(p: DateParts, order: DayOrder) -> Option<NaiveDate> {
    let (month, day) = match p.order.unwrap_or(order) {
        DayOrder::MonthFirst => (p.a, p.b),
        DayOrder::DayFirst => (p.b, p.a),
    };
    NaiveDate::from_ymd_opt(p.year, month, day)
}

/// The file's day order from its dates, and whether any date left it open.
fn day_order(text: &str) -> (DayOrder, bool) {
    let (mut day_first, mut month_first, mut open) = (false, false, false);
    let mut section = Section::Other;
    for line in text.lines() {
        let line = line.trim_end();
        if line.starts_with('!') {
            section = section_of(line);
        } else if section == Section::Transactions {
            if let Some(p) = line.strip_prefix('D').and_then(date_parts) {
                if p.order.is_some() {
                    continue;
                }
                if p.a > 12 && p.b <= 12 {
                    day_first = true;
                } else if p.b > 12 && p.a <= 12 {
                    month_first = true;
                } else if p.a != p.b {
                    open = true;
                }
            }
        }
    }
    match (day_first, month_first) {
        (true, false) => (DayOrder::DayFirst, false),
        (false, true) | (true, true) => (DayOrder::MonthFirst, false),
        (false, false) => (DayOrder::MonthFirst, open),
    }
}

/// QIF amounts: `-1,000.00`, `67.50`; some European exports write `1.000,00`.
fn qif_amount(s: &str) -> Result<Decimal, String> {
    let t = s.trim();
    let comma_decimal = match (t.rfind(','), t.rfind('.')) {
        (Some(c), Some(d)) => c > d,
        (Some(c), None) => t.len() - c - 1 != 3,
        _ => false,
    };
    if comma_decimal {
        parse_amount(t, ',', Some('.'))
    } else {
        parse_amount(t, '.', Some(','))
    }
}

/// One `^`-terminated record being read.
#[derive(Default)]
struct Record {
    start: Option<usize>,
    date: Option<String>,
    amount: Option<String>,
    payee: Option<String>,
    memo: Option<String>,
    category: Option<String>,
    splits: Vec<String>,
}

impl Record {
    fn is_empty(&self) -> bool {
        self.date.is_none() && self.amount.is_none() && self.payee.is_none()
    }

    /// Quicken's first record of an account: "Opening Balance", a transfer to itself.
    fn is_opening_balance(&self) -> bool {
        self.payee.as_deref().map(str::trim) == Some("Opening Balance")
            && self.category.as_deref().is_some_and(|c| c.starts_with('['))
    }

    fn field(&mut self, code: char, value: &str) {
        let v = value.trim().to_string();
        match code {
            'D' => self.date = Some(v),
            'T' => self.amount = Some(v),
            'U' if self.amount.is_none() => self.amount = Some(v),
            'P' => self.payee = Some(v),
            'M' => self.memo = Some(v),
            'L' => self.category = Some(v),
            'S' => self.splits.push(v),
            'E' => {
                if let Some(s) = self.splits.last_mut() {
                    s.push_str(&format!(" ({v})"));
                }
            }
            '$' => {
                if let Some(s) = self.splits.last_mut() {
                    s.push_str(&format!(" {v}"));
                }
            }
            _ => {}
        }
    }

    fn build(&self, order: DayOrder) -> Result<RowData, RowErr> {
        let d = self.date.as_deref().unwrap_or("");
        if d.is_empty() {
            return Err(row_err("D", "", "the record has no D (date) line"));
        }
        let date = date_parts(d)
            .and_then(|p| date_of(p, order))
            .ok_or_else(|| row_err("D", d, format!("'{d}' is not a date")))?;
        let t = self.amount.as_deref().unwrap_or("");
        if t.is_empty() {
            return Err(row_err("T", "", "the record has no T (amount) line"));
        }
        let amount = qif_amount(t).map_err(|e| row_err("T", t, e))?;
        let payee = self.payee.clone().filter(|p| !p.is_empty());
        let mut description = self
            .memo
            .clone()
            .filter(|m| !m.is_empty())
            .or_else(|| payee.clone())
            .unwrap_or_default();
        if !self.splits.is_empty() {
            let splits = format!("splits: {}", self.splits.join("; "));
            description = if description.is_empty() {
                splits
            } else {
                format!("{description} · {splits}")
            };
        }
        Ok(RowData {
            date,
            amount,
            currency: None,
            description,
            counterparty: payee,
            reference: None,
            balance: None,
            value_date: None,
        })
    }
}

pub(crate) fn parse<E>(
    em: &mut Emitter<'_, E>,
    chosen: Option<DayOrder>,
) -> Result<(), ReadError<E>> {
    let text = &em.text.text;
    let (found, open) = day_order(text);
    // the answer counts only where the file leaves the order open; a date that shows it wins
    let order = if open { chosen.unwrap_or(found) } else { found };
    let open = open && chosen.is_none();
    let mut section = Section::Other;
    let mut account: Option<String> = None;
    let mut in_account = false;
    let mut record = Record::default();
    let mut investment = 0u64;
    let mut offset = 0;
    for raw_line in text.split_inclusive('\n') {
        let line_start = offset;
        offset += raw_line.len();
        let line = raw_line
            .trim_end_matches(['\r', '\n'])
            .trim_start_matches('\u{FEFF}');
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        if line.starts_with('!') {
            in_account = line.trim().eq_ignore_ascii_case("!account");
            section = section_of(line);
            if section == Section::Transactions {
                em.begin_segment();
                em.segment().account = account.clone();
            }
            record = Record::default();
            continue;
        }
        if line.starts_with('^') {
            let done = std::mem::take(&mut record);
            match section {
                Section::Transactions if done.is_opening_balance() => {
                    if let Some(v) = done.amount.as_deref().and_then(|t| qif_amount(t).ok()) {
                        em.segment().opening = Some(v);
                    }
                }
                Section::Transactions if !done.is_empty() => {
                    let data = done.build(order);
                    em.row(done.start.unwrap_or(line_start), offset, data)?;
                }
                Section::Investment if !done.is_empty() => investment += 1,
                _ => {}
            }
            continue;
        }
        let mut chars = line.chars();
        let code = chars.next().unwrap_or(' ');
        if in_account && code == 'N' {
            account = Some(chars.as_str().trim().to_string());
        }
        record.start.get_or_insert(line_start);
        record.field(code, chars.as_str());
    }
    // a last record without its `^`
    if section == Section::Transactions && !record.is_empty() && !record.is_opening_balance() {
        let data = record.build(order);
        em.row(record.start.unwrap_or(0), text.len(), data)?;
    }
    if investment > 0 {
        em.notes.push(format!(
            "{investment} investment transactions (!Type:Invst) were left out: Recon Desk imports \
             bank, credit card and cash accounts"
        ));
    }
    if open && em.read > 0 {
        em.notes.push(
            "no date in the file shows whether it is day or month first; dates were read month \
             first (MM/DD, as Quicken writes them)"
                .into(),
        );
    }
    if em.read == 0 && investment == 0 {
        em.notes.push(
            "the file has no bank, credit card or cash transactions (only categories, classes, \
             accounts or other lists): there is nothing to import"
                .into(),
        );
    }
    Ok(())
}
