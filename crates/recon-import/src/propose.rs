//! Proposing a profile from a file's head: delimiter, encoding, metadata lines, header,
//! column roles (header names in English, German, French, Dutch, Spanish, plus content),
//! date format and decimal separator inferred from whole columns of the sample.

use crate::decode::{decode_all, encoding_name, sniff_encoding};
use crate::profile::{AmountMapping, Column, CurrencySource, Profile};
use crate::records::{Record, RecordReader, StrSource};
use crate::{parse_amount, parse_date, ImportError};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// A proposed profile; when `ambiguities` is not empty, ask the user before importing.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Proposal {
    pub profile: Profile,
    pub encoding: String,
    pub ambiguities: Vec<Ambiguity>,
}

/// A column whose sample fits several readings, e.g. every date fits both d/m and m/d.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ambiguity {
    /// Header name, or `column N`.
    pub column: String,
    /// How one sample value reads under each option: `"%d/%m/%Y → 2026-04-03"`.
    pub readings: Vec<String>,
    /// The choices (date formats, or decimal separators), in the order of `readings`;
    /// the profile holds the first.
    pub options: Vec<String>,
}

/// Date formats tried, most common first. Day-first before month-first (most of the world).
const DATE_FORMATS: &[&str] = &[
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%Y.%m.%d",
    "%Y%m%d",
    "%d.%m.%Y",
    "%d/%m/%Y",
    "%m/%d/%Y",
    "%d-%m-%Y",
    "%m-%d-%Y",
    "%d.%m.%y",
    "%d/%m/%y",
    "%m/%d/%y",
    "%d-%m-%y",
    "%m-%d-%y",
    "%d %b %Y",
    "%d-%b-%Y",
    "%d %B %Y",
    "%b %d, %Y",
    "%B %d, %Y",
    "%d-%b-%y",
    "%d %b %y",
    "%d/%b/%Y",
];

/// Rows of the head looked at.
const SAMPLE_ROWS: usize = 500;

fn plausible(d: NaiveDate) -> bool {
    (1970..=2100).contains(&d.year())
}

/// Three quarters of the values, or all but two: trailer rows ("Total", "Pending") must not hide a column.
fn mostly(values: &[&str], ok: impl Fn(&str) -> bool) -> bool {
    let good = values.iter().filter(|v| ok(v)).count();
    let n = values.len();
    good > 0 && (good * 4 >= n * 3 || (n - good <= 2 && good * 2 > n))
}

/// The formats reading the most values (and most of them): a format that fails where
/// another succeeds is out, so `11/17/2025` rules day-first out of an ambiguity.
fn date_formats_for(values: &[&str]) -> Vec<&'static str> {
    let scored: Vec<(&'static str, usize)> = DATE_FORMATS
        .iter()
        .map(|f| {
            (
                *f,
                values
                    .iter()
                    .filter(|v| parse_date(v, f).is_ok_and(plausible))
                    .count(),
            )
        })
        .filter(|(f, _)| mostly(values, |v| parse_date(v, f).is_ok_and(plausible)))
        .collect();
    let best = scored.iter().map(|(_, n)| *n).max().unwrap_or(0);
    scored
        .into_iter()
        .filter(|(_, n)| *n == best)
        .map(|(f, _)| f)
        .collect()
}

fn looks_like_date(v: &str) -> bool {
    v.chars().any(|c| c.is_ascii_digit()) && !date_formats_for(&[v]).is_empty()
}

fn is_number(v: &str) -> bool {
    // letters only as a currency code set apart: "EUR 12.50", not "VWZ1"
    let letters_ok = !v.chars().any(|c| c.is_ascii_alphabetic())
        || v.chars().any(|c| c.is_whitespace() || "$€£¥".contains(c));
    letters_ok
        && v.chars().any(|c| c.is_ascii_digit())
        && (parse_amount(v, '.', None).is_ok() || parse_amount(v, ',', None).is_ok())
}

/// Lower case, accents folded, punctuation to spaces: `"Bedrag (EUR)"` → `"bedrag eur"`.
fn norm(h: &str) -> String {
    let mut s = String::new();
    for c in h.trim().chars().flat_map(char::to_lowercase) {
        let c = match c {
            'à' | 'á' | 'â' | 'ä' | 'ã' | 'å' => 'a',
            'è' | 'é' | 'ê' | 'ë' => 'e',
            'ì' | 'í' | 'î' | 'ï' => 'i',
            'ò' | 'ó' | 'ô' | 'ö' | 'õ' => 'o',
            'ù' | 'ú' | 'û' | 'ü' => 'u',
            'ç' => 'c',
            'ñ' => 'n',
            'ß' => 's',
            c if c.is_alphanumeric() => c,
            _ => ' ',
        };
        s.push(c);
    }
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Role {
    Date,
    ValueDate,
    Amount,
    Debit,
    Credit,
    Indicator,
    Description,
    Counterparty,
    Reference,
    Balance,
    Currency,
}

const KEYWORDS: &[(Role, &[&str])] = &[
    (
        Role::Date,
        &[
            "date",
            "booking date",
            "transaction date",
            "posting date",
            "posted date",
            "date posted",
            "trans date",
            "buchungstag",
            "buchungsdatum",
            "datum",
            "date operation",
            "date d operation",
            "date de l operation",
            "date comptable",
            "date de transaction",
            "fecha",
            "fecha operacion",
            "fecha de operacion",
            "boekdatum",
            "transactiedatum",
            "run date",
            "created",
            "created utc",
            "timestamp",
            "completed date",
            "started date",
            "transaktionsdatum",
            "data",
            "journaldate",
            "journal date",
            "time",
        ],
    ),
    (
        Role::ValueDate,
        &[
            "value date",
            "valuta",
            "valutadatum",
            "wertstellung",
            "date de valeur",
            "date valeur",
            "fecha valor",
            "rentedatum",
            "available on",
            "available on utc",
            "settlement date",
            "valuedate",
        ],
    ),
    (
        Role::Amount,
        &[
            "amount",
            "betrag",
            "montant",
            "bedrag",
            "importe",
            "cantidad",
            "umsatz",
            "value",
            "sum",
            "net",
            "gross",
            "total",
            "mutatie",
            "transaction amount",
            "valor",
            "monto",
            "importo",
            "belopp",
            "amt",
            "netamount",
            "net amount",
            "amount eur",
            "betrag eur",
            "bedrag eur",
            "montant eur",
        ],
    ),
    (
        Role::Debit,
        &[
            "debit",
            "debits",
            "withdrawal",
            "withdrawals",
            "paid out",
            "money out",
            "out",
            "outflow",
            "soll",
            "belastung",
            "ausgang",
            "ausgaben",
            "debit amount",
            "debe",
            "cargo",
            "cargos",
            "af",
            "uitgaven",
            "charges",
            "spent",
            "montant debit",
            "debet",
            "lastschrift",
        ],
    ),
    (
        Role::Credit,
        &[
            "credit",
            "credits",
            "deposit",
            "deposits",
            "paid in",
            "money in",
            "in",
            "inflow",
            "haben",
            "gutschrift",
            "eingang",
            "einnahmen",
            "credit amount",
            "haber",
            "abono",
            "abonos",
            "bij",
            "inkomsten",
            "received",
            "montant credit",
        ],
    ),
    (
        Role::Indicator,
        &[
            "debit credit",
            "credit debit",
            "dr cr",
            "cr dr",
            "d c",
            "c d",
            "soll haben",
            "s h",
            "af bij",
            "creditdebet",
            "debetcredit",
            "indicator",
            "cd",
            "credit debit indicator",
            "debit credit indicator",
        ],
    ),
    (
        Role::Description,
        &[
            "description",
            "memo",
            "narrative",
            "details",
            "transaction details",
            "purpose",
            "verwendungszweck",
            "buchungstext",
            "beschreibung",
            "libelle",
            "libelle operation",
            "omschrijving",
            "mededelingen",
            "concepto",
            "descripcion",
            "notes",
            "note",
            "reason",
            "text",
            "remarque",
            "remarks",
            "particulars",
            "information",
            "info",
            "desc",
            "description 1",
            "payment reference",
            "vwz1",
            "items",
        ],
    ),
    (
        Role::Counterparty,
        &[
            "payee",
            "counterparty",
            "counter party",
            "name",
            "beneficiary",
            "merchant",
            "merchant name",
            "empfanger",
            "zahlungsempfanger",
            "auftraggeber",
            "auftraggeber empfanger",
            "beguenstigter zahlungspflichtiger",
            "begunstigter zahlungspflichtiger",
            "beneficiaire",
            "tiers",
            "naam",
            "naam omschrijving",
            "tegenrekeninghouder",
            "beneficiario",
            "ordenante",
            "partner name",
            "payer",
            "recipient",
            "other party",
            "to",
            "from",
        ],
    ),
    (
        Role::Reference,
        &[
            "reference",
            "ref",
            "transaction id",
            "id",
            "referenz",
            "reference number",
            "referentie",
            "referencia",
            "fitid",
            "transaction reference",
            "kundenreferenz",
            "kundenreferenz end to end",
            "end to end",
            "check number",
            "checknumber",
            "receipt id",
            "balance transaction id",
            "n de transaction",
            "transaction number",
            "order id",
            "num",
            "sepa reference",
        ],
    ),
    (
        Role::Balance,
        &[
            "balance",
            "running balance",
            "runningbalance",
            "saldo",
            "kontostand",
            "solde",
            "saldo na mutatie",
            "current balance",
            "balance after",
            "neuer saldo",
            "saldo nach buchung",
        ],
    ),
    (
        Role::Currency,
        &[
            "currency",
            "waehrung",
            "wahrung",
            "devise",
            "monnaie",
            "moneda",
            "ccy",
            "munt",
            "valutacode",
            "currency code",
            "valuta",
            "monn",
        ],
    ),
];

/// Thousands: 3 the header is the keyword, 2 starts with it, 1 contains it as words;
/// minus the keyword's rank in its list.
fn keyword_score(header: &str, role: Role) -> u32 {
    let h = norm(header);
    if h.is_empty() {
        return 0;
    }
    let Some((_, words)) = KEYWORDS.iter().find(|(r, _)| *r == role) else {
        return 0;
    };
    let mut best = 0;
    for (i, w) in words.iter().enumerate() {
        let level = if h == *w {
            3
        } else if h.starts_with(&format!("{w} ")) {
            2
        } else if w.len() > 3 && (h.ends_with(&format!(" {w}")) || h.contains(&format!(" {w} "))) {
            1
        } else {
            0
        };
        // ties go to the keyword listed first
        if level > 0 {
            best = best.max(level * 1000 - i as u32);
        }
    }
    best
}

/// Known debit/credit indicator pairs (upper case).
const INDICATOR_SETS: &[(&[&str], &[&str])] = &[
    (&["D", "DR"], &["C", "CR"]),
    (&["DEBIT", "DEBET"], &["CREDIT"]),
    (&["S"], &["H"]),
    (&["SOLL"], &["HABEN"]),
    (&["AF"], &["BIJ"]),
    (&["DBIT"], &["CRDT"]),
];

fn indicator_set(values: &[&str]) -> Option<(Vec<String>, Vec<String>)> {
    if values.is_empty() {
        return None;
    }
    INDICATOR_SETS.iter().find_map(|(d, c)| {
        let all = values.iter().all(|v| {
            d.contains(&v.to_uppercase().as_str()) || c.contains(&v.to_uppercase().as_str())
        });
        all.then(|| {
            let present = |set: &[&str]| -> Vec<String> {
                let mut out: Vec<String> = set.iter().map(|s| s.to_string()).collect();
                out.sort();
                out
            };
            (present(d), present(c))
        })
    })
}

struct Col<'a> {
    name: String,
    header: String,
    values: Vec<&'a str>,
    dates: Vec<&'static str>,
    numeric: bool,
    avg_len: usize,
}

/// Which of `.`/`,` is the decimal separator in these amounts, and is it certain.
fn infer_decimal(values: &[&str]) -> (char, bool, Option<String>) {
    let (mut dot, mut comma) = (0, 0);
    let mut unsure: Option<String> = None;
    for v in values {
        let core: String = v
            .chars()
            .filter(|c| c.is_ascii_digit() || *c == '.' || *c == ',')
            .collect();
        let Some(last) = core.rfind(['.', ',']) else {
            continue;
        };
        let sep = core.as_bytes()[last] as char;
        let after = core.len() - last - 1;
        let both = core.contains('.') && core.contains(',');
        let repeated = core.matches(sep).count() > 1;
        let vote = if both || (after != 3 && !repeated) {
            Some(sep)
        } else if repeated {
            Some(if sep == '.' { ',' } else { '.' })
        } else {
            unsure.get_or_insert_with(|| v.to_string());
            None
        };
        match vote {
            Some('.') => dot += 1,
            Some(',') => comma += 1,
            _ => {}
        }
    }
    if comma > dot {
        (',', true, None)
    } else if dot > 0 {
        ('.', true, None)
    } else {
        ('.', unsure.is_none(), unsure)
    }
}

fn currency_of_symbols(values: &[&str], header: &str) -> Option<String> {
    let h = header.to_uppercase();
    for code in [
        "EUR", "USD", "GBP", "CHF", "JPY", "SEK", "NOK", "DKK", "PLN", "CAD", "AUD",
    ] {
        if h.contains(&format!("({code})")) || h.ends_with(&format!(" {code}")) {
            return Some(code.into());
        }
    }
    let first = values.first()?;
    let code = if first.contains('€') {
        "EUR"
    } else if first.contains('£') {
        "GBP"
    } else {
        let letters: String = first.chars().filter(|c| c.is_ascii_uppercase()).collect();
        if letters.len() == 3 {
            return values
                .iter()
                .all(|v| v.contains(letters.as_str()))
                .then_some(letters);
        }
        return None;
    };
    values
        .iter()
        .all(|v| v.contains(if code == "EUR" { '€' } else { '£' }))
        .then(|| code.to_string())
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

/// Proposes a profile from the first bytes of a CSV (64 KiB is plenty; more rows make the
/// date and decimal inference surer). Date columns whose values all fit both day-first and
/// month-first are listed in [`Proposal::ambiguities`], never guessed silently.
pub fn propose_profile(head: &[u8]) -> Result<Proposal, ImportError> {
    match crate::detect_format(head) {
        Ok(crate::Format::Csv) => {}
        Ok(other) => {
            return Err(ImportError::CannotPropose {
                reason: format!("the file is {other}, not CSV"),
            })
        }
        Err(e) => return Err(e),
    }
    let enc = sniff_encoding(head);
    let (mut text, _, actual) = decode_all(head, enc);
    // a long head was probably cut mid-line: drop the partial last line
    if head.len() >= 16 * 1024 && !text.ends_with(['\n', '\r']) {
        if let Some(i) = text.rfind(['\n', '\r']) {
            text.truncate(i + 1);
        }
    }
    let text = text.trim_start_matches('\u{FEFF}');

    // Delimiter: the one giving the most rows of one consistent width (> 1).
    let mut best: Option<(usize, usize, char, Vec<Record>, usize)> = None;
    for d in [',', ';', '\t', '|'] {
        let mut rr = RecordReader::new(StrSource(Some(text)), d as u8, b'"');
        let mut recs = Vec::new();
        let mut rec = Record::default();
        while recs.len() < SAMPLE_ROWS && rr.next_record(&mut rec).unwrap_or(false) {
            if !rec.is_blank() {
                recs.push(rec.clone());
            }
        }
        let mut counts = std::collections::BTreeMap::new();
        for r in &recs {
            *counts.entry(r.len()).or_insert(0usize) += 1;
        }
        // the width holding the most cells among widths seen at least twice: data rows
        // outnumber metadata lines in cells even when not in lines
        let min_count = if recs.len() <= 2 { 1 } else { 2 };
        let Some((mode, n)) = counts
            .iter()
            .filter(|(w, c)| **w > 1 && **c >= min_count)
            .map(|(w, c)| (*w, *c))
            .max_by_key(|(w, c)| (w * c, *c))
        else {
            continue;
        };
        let start = find_start(&recs, mode);
        let key = (n * mode, n);
        if best.as_ref().is_none_or(|b| key > (b.0, b.1)) {
            best = Some((key.0, key.1, d, recs, start));
        }
    }
    let Some((_, _, delimiter, recs, start)) = best else {
        return Err(ImportError::CannotPropose {
            reason: "no delimiter (, ; tab |) splits the lines into columns consistently".into(),
        });
    };
    let block = &recs[start..];
    let first = &block[0];
    let width = first.len();
    let skip_lines = (first.line - 1) as usize;
    let first_cells: Vec<&str> = first.fields().map(str::trim).collect();
    let has_header = !first_cells.iter().any(|c| looks_like_date(c))
        && first_cells.iter().filter(|c| is_number(c)).count() * 2 < first_cells.len().max(1);
    // rows of the table: up to two odd rows in a row are skipped, more end it (a disclaimer)
    let mut data: Vec<&Record> = Vec::new();
    let mut odd = 0;
    for r in block.iter().skip(usize::from(has_header)) {
        let extras_empty = (width..r.len()).all(|i| r.field(i).trim().is_empty());
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
    let mut cols: Vec<Col> = (0..width)
        .map(|j| {
            let header = if has_header {
                first
                    .field(j)
                    .trim()
                    .trim_start_matches('\u{FEFF}')
                    .to_string()
            } else {
                String::new()
            };
            let values: Vec<&str> = data
                .iter()
                .map(|r| r.field(j).trim())
                .filter(|v| !v.is_empty())
                .collect();
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
                dates: Vec::new(),
                numeric: mostly(&values, is_number),
                values,
                avg_len,
            }
        })
        .collect();
    let no_rows = data.is_empty();
    for c in cols.iter_mut() {
        c.dates = date_formats_for(&c.values);
    }
    let column = |j: usize| -> Column {
        let c = &cols[j];
        // a header name is stable across exports unless it is empty or repeated
        if has_header
            && !c.header.is_empty()
            && cols
                .iter()
                .filter(|o| o.header.eq_ignore_ascii_case(&c.header))
                .count()
                == 1
        {
            Column::Name(c.header.clone())
        } else {
            Column::Index(j + 1)
        }
    };
    let mut used = vec![false; width];
    let pick = |role: Role, used: &[bool], ok: &dyn Fn(&Col) -> bool| -> Option<usize> {
        (0..width)
            .filter(|&j| !used[j] && ok(&cols[j]))
            .map(|j| (keyword_score(&cols[j].header, role), j))
            .filter(|(s, _)| *s > 0)
            .max_by_key(|(s, j)| (*s, std::cmp::Reverse(*j)))
            .map(|(_, j)| j)
    };

    // Date: a column whose every value parses; keywords first, value dates last.
    let date_j = (0..width)
        .filter(|&j| {
            !cols[j].dates.is_empty() || (no_rows && keyword_score(&cols[j].header, Role::Date) > 0)
        })
        .max_by_key(|&j| {
            let c = &cols[j];
            let kw = keyword_score(&c.header, Role::Date) as i32
                - 3 * keyword_score(&c.header, Role::ValueDate) as i32;
            (kw, std::cmp::Reverse(j))
        })
        .ok_or_else(|| ImportError::CannotPropose {
            reason: format!(
                "no column holds dates in a known format (columns: {})",
                cols.iter()
                    .map(|c| format!("'{}'", c.name))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        })?;
    used[date_j] = true;
    let mut ambiguities = Vec::new();
    let formats = cols[date_j].dates.clone();
    let date_format = formats
        .first()
        .copied()
        .unwrap_or(DATE_FORMATS[0])
        .to_string();
    if formats.is_empty() {
        // a header without rows: nothing to infer the format from
        ambiguities.push(Ambiguity {
            column: cols[date_j].name.clone(),
            readings: vec!["the file has no rows to read a date from".into()],
            options: DATE_FORMATS.iter().map(|s| s.to_string()).collect(),
        });
    } else if formats.len() > 1 {
        let values = &cols[date_j].values;
        let reading = |v: &str| -> Vec<String> {
            formats
                .iter()
                .map(|f| {
                    format!(
                        "{f} → {}",
                        parse_date(v, f).map(|d| d.to_string()).unwrap_or_default()
                    )
                })
                .collect()
        };
        let differing = values.iter().find(|v| {
            let ds: Vec<_> = formats.iter().map(|f| parse_date(v, f).ok()).collect();
            ds.windows(2).any(|w| w[0] != w[1])
        });
        ambiguities.push(Ambiguity {
            column: cols[date_j].name.clone(),
            readings: reading(differing.or(values.first()).copied().unwrap_or("")),
            options: formats.iter().map(|s| s.to_string()).collect(),
        });
    }

    // Amount: debit + credit columns, or one amount column (+ an indicator column).
    let money_ok =
        |c: &Col| no_rows || mostly(&c.values, |v| is_number(v) || v == "-") && c.dates.is_empty();
    let debit = pick(Role::Debit, &used, &money_ok);
    let credit = pick(Role::Credit, &used, &money_ok);
    let mut amount_cols: Vec<usize> = Vec::new();
    let amount = match (debit, credit) {
        (Some(d), Some(c)) if d != c => {
            used[d] = true;
            used[c] = true;
            amount_cols.extend([d, c]);
            AmountMapping::DebitCredit {
                debit: column(d),
                credit: column(c),
            }
        }
        _ => {
            let numeric_ok = |c: &Col| (no_rows || c.numeric) && c.dates.is_empty();
            let a = pick(Role::Amount, &used, &numeric_ok)
                .or_else(|| {
                    // no header word: the first numeric column with decimals or a sign,
                    // else the first short number column (long integers are ids)
                    let candidates = |strict: bool| {
                        (0..width).find(|&j| {
                            !used[j]
                                && numeric_ok(&cols[j])
                                && keyword_score(&cols[j].header, Role::Balance) == 0
                                && if strict {
                                    cols[j].values.iter().any(|v| v.contains(['.', ',', '-']))
                                } else {
                                    cols[j].values.iter().all(|v| v.len() < 12)
                                }
                        })
                    };
                    candidates(true).or_else(|| candidates(false))
                })
                .ok_or_else(|| ImportError::CannotPropose {
                    reason: format!(
                        "no column holds amounts (columns: {})",
                        cols.iter()
                            .map(|c| format!("'{}'", c.name))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                })?;
            used[a] = true;
            amount_cols.push(a);
            let unsigned = cols[a].values.iter().all(|v| !v.contains(['-', '(', '−']));
            let ind = (0..width).find(|&j| !used[j] && indicator_set(&cols[j].values).is_some());
            match ind {
                Some(i) if unsigned => {
                    used[i] = true;
                    let (d, c) = indicator_set(&cols[i].values).unwrap_or_default();
                    AmountMapping::Indicator {
                        column: column(a),
                        indicator: column(i),
                        debit_values: d,
                        credit_values: c,
                    }
                }
                _ => AmountMapping::Single {
                    column: column(a),
                    negate: false,
                },
            }
        }
    };
    let balance = pick(Role::Balance, &used, &|c: &Col| c.numeric);
    if let Some(b) = balance {
        used[b] = true;
        amount_cols.push(b);
    }
    let currency_col = pick(Role::Currency, &used, &|c: &Col| {
        !c.values.is_empty()
            && c.values
                .iter()
                .all(|v| v.len() == 3 && v.chars().all(|ch| ch.is_ascii_alphabetic()))
    });
    if let Some(c) = currency_col {
        used[c] = true;
    }
    let reference = pick(Role::Reference, &used, &|c: &Col| c.dates.is_empty());
    if let Some(r) = reference {
        used[r] = true;
    }
    let description = pick(Role::Description, &used, &|c: &Col| c.dates.is_empty()).or_else(|| {
        // no header word: the longest text column
        (0..width)
            .filter(|&j| {
                !used[j] && !cols[j].numeric && cols[j].dates.is_empty() && cols[j].avg_len > 0
            })
            .max_by_key(|&j| (cols[j].avg_len, std::cmp::Reverse(j)))
    });
    if let Some(d) = description {
        used[d] = true;
    }
    let counterparty = pick(Role::Counterparty, &used, &|c: &Col| {
        c.dates.is_empty() && !c.numeric
    });
    if let Some(c) = counterparty {
        used[c] = true;
    }

    let money_values: Vec<&str> = amount_cols
        .iter()
        .flat_map(|&j| cols[j].values.iter().copied())
        .collect();
    let (decimal_separator, sure, unsure) = infer_decimal(&money_values);
    if !sure {
        if let Some(v) = unsure {
            let j = amount_cols[0];
            ambiguities.push(Ambiguity {
                column: cols[j].name.clone(),
                readings: ['.', ',']
                    .iter()
                    .map(|d| {
                        format!(
                            "decimal '{d}' → {}",
                            parse_amount(&v, *d, None)
                                .map(|x| x.to_string())
                                .unwrap_or_else(|e| e)
                        )
                    })
                    .collect(),
                options: vec![".".into(), ",".into()],
            });
        }
    }
    let thousands_separator = {
        let other = if decimal_separator == ',' { '.' } else { ',' };
        if money_values.iter().any(|v| v.contains(other)) {
            Some(other)
        } else if money_values.iter().any(|v| v.contains('\'')) {
            Some('\'')
        } else {
            None
        }
    };
    let currency = match currency_col {
        Some(c) => Some(CurrencySource::Column(column(c))),
        None => {
            let a = amount_cols[0];
            currency_of_symbols(&cols[a].values, &cols[a].header).map(CurrencySource::Fixed)
        }
    };
    let encoding = encoding_name(actual);
    let profile = Profile {
        delimiter,
        quote: '"',
        encoding: encoding.clone(),
        skip_lines,
        has_header,
        date: column(date_j),
        date_format,
        description: description.map(column),
        counterparty: counterparty.map(column),
        reference: reference.map(column),
        balance: balance.map(column),
        decimal_separator,
        thousands_separator,
        currency,
        amount,
    };
    profile.validate()?;
    Ok(Proposal {
        profile,
        encoding,
        ambiguities,
    })
}
