//! One fuzz target per reader. Each takes arbitrary bytes and returns `Err` with what it
//! found when a property other than "no panic" fails (the runner catches panics).

use recon_import::{Format, Profile, ReadError, RowResult};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// Profile proposal from the file's head, then the whole file read through it.
    Csv,
    Ofx,
    Camt,
    Mt940,
    /// ESI wallet journal JSON.
    Esi,
    /// Expected payments, CSV or JSON.
    Expected,
    /// Mapping profiles (TOML).
    Profile,
}

pub const ALL: [Target; 7] = [
    Target::Csv,
    Target::Ofx,
    Target::Camt,
    Target::Mt940,
    Target::Esi,
    Target::Expected,
    Target::Profile,
];

impl Target {
    pub fn name(self) -> &'static str {
        match self {
            Target::Csv => "csv",
            Target::Ofx => "ofx",
            Target::Camt => "camt",
            Target::Mt940 => "mt940",
            Target::Esi => "esi",
            Target::Expected => "expected",
            Target::Profile => "profile",
        }
    }

    pub fn from_name(name: &str) -> Option<Target> {
        ALL.into_iter().find(|t| t.name() == name)
    }

    /// Tokens worth inserting: the syntax each reader keys on.
    pub fn dictionary(self) -> &'static [&'static [u8]] {
        match self {
            Target::Csv => CSV_TOKENS,
            Target::Ofx => OFX_TOKENS,
            Target::Camt => CAMT_TOKENS,
            Target::Mt940 => MT940_TOKENS,
            Target::Esi => ESI_TOKENS,
            Target::Expected => EXPECTED_TOKENS,
            Target::Profile => PROFILE_TOKENS,
        }
    }

    /// Runs one input. `Ok` is a short signature of what the reader made of it (the
    /// runner keeps inputs with signatures it has not seen); `Err` names the property that
    /// failed.
    pub fn run(self, input: &[u8]) -> Result<String, String> {
        match self {
            Target::Csv => csv(input),
            Target::Ofx => statement(input, Format::Ofx),
            Target::Camt => statement(input, Format::Camt),
            Target::Mt940 => statement(input, Format::Mt940),
            Target::Esi => esi(input),
            Target::Expected => expected(input),
            Target::Profile => profile(input),
        }
    }
}

/// Tokens per reader, for the mutator.
const CSV_TOKENS: &[&[u8]] = &[
    b",",
    b";",
    b"\t",
    b"|",
    b"\"",
    b"\r\n",
    b"\n",
    b"\r",
    b"-",
    b"(",
    b")",
    b".",
    b",",
    b"1.234,56",
    b"31/12/2099",
    b"2026-04-03",
    b"\xEF\xBB\xBF",
    b"\xFF\xFE",
    b"Date,Amount\n",
    b"Soll",
    b"Haben",
    b"EUR",
    b"1e9",
    b"\0",
];
const OFX_TOKENS: &[&[u8]] = &[
    b"<STMTTRN>",
    b"</STMTTRN>",
    b"<TRNAMT>",
    b"<DTPOSTED>",
    b"<FITID>",
    b"<NAME>",
    b"<LEDGERBAL>",
    b"<BALAMT>",
    b"<CURDEF>",
    b"&amp;",
    b"&#x",
    b"<!DOCTYPE",
    b"]]>",
    b"<![CDATA[",
    b"OFXHEADER:100\r\n",
    b"20260403",
    b"-1.00",
];
const CAMT_TOKENS: &[&[u8]] = &[
    b"<Ntry>",
    b"</Ntry>",
    b"<Amt Ccy=\"EUR\">",
    b"</Amt>",
    b"<CdtDbtInd>DBIT",
    b"<Bal>",
    b"<Cd>CLBD</Cd>",
    b"<Dt>2026-04-03</Dt>",
    b"<TxDtls>",
    b"&amp;",
    b"<!ENTITY",
    b"<![CDATA[",
    b"xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.02\"",
    b"<Stmt>",
    b"</Document>",
];
const MT940_TOKENS: &[&[u8]] = &[
    b":61:", b":86:", b":60F:", b":62F:", b":20:", b":25:", b"{4:\r\n", b"-}", b"C", b"D", b"RD",
    b"260403", b"0403", b",00", b"EUR", b"//", b"?20", b"\r\n",
];
const ESI_TOKENS: &[&[u8]] = &[
    b"{",
    b"}",
    b"[",
    b"]",
    b",",
    b":",
    b"\"id\":",
    b"\"amount\":",
    b"\"date\":",
    b"1e308",
    b"-0.0",
    b"0.005",
    b"\"2026-03-01T12:00:00Z\"",
    b"null",
    b"\\u0000",
    b"99999999999999999999",
    b"\"ref_type\":",
];
const EXPECTED_TOKENS: &[&[u8]] = &[
    b"cycle_id,character_name,character_id,expected_amount,currency,memo\n",
    b",",
    b"\"",
    b"\n",
    b"[",
    b"]",
    b"{",
    b"}",
    b"\"expected_amount\":",
    b"ISK",
    b"0.001",
    b"-1",
    b"1e30",
    b"\"memo\":",
    b"null",
];
const PROFILE_TOKENS: &[&[u8]] = &[
    b"date = ",
    b"amount = ",
    b"[amount]\n",
    b"debit = ",
    b"credit = ",
    b"\"",
    b"\n",
    b"= 0",
    b"= 99999999999999999999",
    b"encoding = \"utf-16\"",
    b"delimiter = \"\"",
    b"date_format = \"%",
    b"skip_lines = 4294967296",
    b"indicator = ",
    b"{ column = 4 }",
];

/// The last line a row may name: one past the number of line breaks (CRLF, a lone CR or a
/// lone LF each end one line).
fn last_line(input: &[u8]) -> u64 {
    let mut breaks = 0;
    for (i, &b) in input.iter().enumerate() {
        let crlf_tail = b == b'\n' && i > 0 && input[i - 1] == b'\r';
        if (b == b'\n' && !crlf_tail) || b == b'\r' {
            breaks += 1;
        }
    }
    breaks + 1
}

/// What an outcome looks like with its numbers and quoted values left out, so that "line 3"
/// and "line 4" count as the same behaviour.
fn shape(text: &str) -> String {
    let mut out = String::with_capacity(48);
    let mut quoted = false;
    for c in text.chars() {
        if c == '\'' {
            quoted = !quoted;
        } else if !quoted && !c.is_ascii_digit() {
            out.push(c);
        }
        if out.len() >= 48 {
            break;
        }
    }
    out
}

/// Counts rows and rejects (bucketed) and the first reject's reason, as a signature.
#[derive(Default)]
struct Tally {
    rows: u64,
    rejects: u64,
    first_reason: String,
}

impl Tally {
    fn signature(&self, end: &str) -> String {
        let bucket = |n: u64| n.min(4);
        format!(
            "rows:{} rejects:{} {} {end}",
            bucket(self.rows),
            bucket(self.rejects),
            self.first_reason
        )
    }

    /// A reject must name a line of the file and say why.
    fn check(&mut self, row: &RowResult, last: u64) -> Result<(), String> {
        let line = match row {
            RowResult::Row(r) => {
                self.rows += 1;
                r.line
            }
            RowResult::Reject(r) => {
                self.rejects += 1;
                if r.reason.trim().is_empty() {
                    return Err(format!("the reject of line {} gives no reason", r.line));
                }
                if self.first_reason.is_empty() {
                    self.first_reason = shape(&format!("{:?} {}", r.column, r.reason));
                }
                r.line
            }
        };
        if line == 0 || line > last {
            return Err(format!(
                "a row or reject names line {line}, outside 1..={last}"
            ));
        }
        Ok(())
    }
}

fn named<E: std::fmt::Display>(e: &E) -> Result<String, String> {
    let text = e.to_string();
    if text.trim().is_empty() {
        return Err("an error with an empty message".into());
    }
    Ok(format!("err:{}", shape(&text)))
}

fn read_end<T>(tally: &Tally, result: Result<T, ReadError<String>>) -> Result<String, String> {
    match result {
        Ok(_) => Ok(tally.signature("ok")),
        Err(ReadError::Callback(found)) => Err(found),
        Err(ReadError::Import(e)) => Ok(tally.signature(&named(&e)?)),
    }
}

fn round_trip(profile: &Profile, what: &str) -> Result<(), String> {
    let text = profile.to_toml();
    match Profile::from_toml(&text) {
        Ok(back) if back == *profile => Ok(()),
        Ok(back) => Err(format!(
            "{what} changed through its TOML:\n{text}\n{back:?}"
        )),
        Err(e) => Err(format!(
            "{what} does not read back from its own TOML ({e}):\n{text}"
        )),
    }
}

fn csv(input: &[u8]) -> Result<String, String> {
    let _ = recon_import::detect_format(input);
    let head = &input[..input.len().min(64 * 1024)];
    let proposal = match recon_import::propose_profile(head) {
        Ok(p) => p,
        Err(e) => return named(&e),
    };
    round_trip(&proposal.profile, "the proposed profile")?;
    let last = last_line(input);
    let mut tally = Tally::default();
    let result = recon_import::read_csv(input, &proposal.profile, |row| tally.check(&row, last));
    let ambiguous = if proposal.ambiguities.is_empty() {
        ""
    } else {
        " ambiguous"
    };
    Ok(read_end(&tally, result)? + ambiguous)
}

fn statement(input: &[u8], format: Format) -> Result<String, String> {
    let _ = recon_import::detect_format(input);
    let last = last_line(input);
    let mut tally = Tally::default();
    let result = recon_import::read_statement(input, format, |row| tally.check(&row, last));
    read_end(&tally, result)
}

fn esi(input: &[u8]) -> Result<String, String> {
    let mut signature = String::new();
    for scale in [0, 2] {
        match recon_core::esi::parse_journal(input, scale) {
            Ok(entries) => signature += &format!("entries:{} ", entries.len().min(4)),
            Err(e) => signature += &named(&e)?,
        }
    }
    Ok(signature)
}

fn expected(input: &[u8]) -> Result<String, String> {
    use recon_core::matching::ExpectedFileError;
    // JSON rows are numbered by entry (index + 1), not by line: any number from 1 fits.
    let json = input.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[');
    let last = if json { u64::MAX } else { last_line(input) };
    match recon_core::matching::parse_expected(input) {
        Ok(rows) => match rows.iter().find(|r| r.line == 0 || r.line > last) {
            Some(r) => Err(format!("a row names line {}, outside 1..={last}", r.line)),
            None => Ok(format!("rows:{}", rows.len().min(4))),
        },
        Err(ExpectedFileError::Field { line, .. } | ExpectedFileError::Row { line, .. })
            if line == 0 || line > last =>
        {
            Err(format!("an error names line {line}, outside 1..={last}"))
        }
        Err(e) => named(&e),
    }
}

fn profile(input: &[u8]) -> Result<String, String> {
    let Ok(text) = std::str::from_utf8(input) else {
        return Ok("not utf-8".into()); // profiles are text: the app reads them as UTF-8 first
    };
    match Profile::from_toml(text) {
        Ok(p) => match p.validate() {
            Ok(()) => {
                round_trip(&p, "a valid profile")?;
                Ok("valid".into())
            }
            Err(e) => Ok(format!("invalid {}", named(&e)?)),
        },
        Err(e) => named(&e),
    }
}
