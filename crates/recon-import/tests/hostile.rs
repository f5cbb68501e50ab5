//! Hostile input: binary files, archives, endless lines, XML bombs, external entities, deep
//! nesting, and random bytes through every entry point without a panic.

use recon_import::{
    detect_format, propose_profile, read_csv, read_statement, Format, ImportError, Profile,
    ReadError, RowResult,
};
use std::convert::Infallible;
use std::io::Read;
use std::time::{Duration, Instant};

fn ok(_: RowResult) -> Result<(), Infallible> {
    Ok(())
}

#[test]
fn binary_files_are_named_not_parsed() {
    let cases: &[(&[u8], &str)] = &[
        (b"PK\x03\x04\x14\x00\x06\x00rest of an xlsx", "ZIP"),
        (b"\x1f\x8b\x08\x00\x00\x00\x00\x00", "gzip"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF"),
        (b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\x00\x00", "Excel"),
        (b"SQLite format 3\x00\x10\x00", "SQLite"),
        (b"\x89PNG\r\n\x1a\n", "PNG"),
        (b"\x7FELF\x02\x01\x01", "executable"),
    ];
    for (bytes, needle) in cases {
        let err = detect_format(bytes).unwrap_err();
        assert!(err.to_string().contains(needle), "{needle}: {err}");
        assert!(propose_profile(bytes).is_err());
    }
    let mut garbage = vec![0u8; 4096];
    let mut x: u32 = 12345;
    for b in garbage.iter_mut() {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        *b = (x >> 24) as u8;
    }
    assert!(
        matches!(detect_format(&garbage), Err(ImportError::NotText { .. })),
        "{:?}",
        detect_format(&garbage)
    );
    assert!(detect_format(b"").is_err());
    assert_eq!(
        detect_format(b"!Type:Bank\nD03/04/2026\nT-3.50\n^\n").unwrap(),
        Format::Qif
    );
    assert!(detect_format(b"<html><body>Login</body></html>").is_err());
    assert!(detect_format(b"{\"not\": \"esi\"}").is_err());
    assert_eq!(
        detect_format(
            b"[{\"id\": 1, \"date\": \"2026-04-03T00:00:00Z\", \"ref_type\": \"bounty_prizes\"}]"
        )
        .unwrap(),
        Format::EsiJson
    );
    // a CSV handed to read_csv as bytes of binary: rejects or an error, never a panic
    let p = Profile::from_toml("date = 1\ndate_format = \"%F\"\namount = 2\nhas_header = false")
        .unwrap();
    let _ = read_csv(&garbage[..], &p, ok);
}

/// Yields `len` bytes of `b` lazily: a 2 GB single line without the 2 GB.
struct Endless {
    left: u64,
    byte: u8,
    served: u64,
}

impl Read for Endless {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = (buf.len() as u64).min(self.left) as usize;
        buf[..n].fill(self.byte);
        self.left -= n as u64;
        self.served += n as u64;
        Ok(n)
    }
}

#[test]
fn a_huge_single_line_fails_fast_with_a_clear_error() {
    let p = Profile::from_toml("date = 1\ndate_format = \"%F\"\namount = 2\nhas_header = false")
        .unwrap();
    let started = Instant::now();
    let mut src = Endless {
        left: 2 * 1024 * 1024 * 1024,
        byte: b'a',
        served: 0,
    };
    let err = read_csv(&mut src, &p, ok).unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(10));
    assert!(
        src.served < 8 * 1024 * 1024,
        "read {} bytes before giving up",
        src.served
    );
    match err {
        ReadError::Import(ImportError::RecordTooLong {
            line: 1,
            in_quotes: false,
            ..
        }) => {}
        other => panic!("{other}"),
    }
    assert!(err_text(&p, b"\"").contains("quote opened there never closes"));
    // a header line that never ends, and metadata skipping, are bounded too
    let mut p2 = p.clone();
    p2.has_header = true;
    p2.skip_lines = 3;
    let mut src = Endless {
        left: 50 * 1024 * 1024,
        byte: b'x',
        served: 0,
    };
    assert!(matches!(
        read_csv(&mut src, &p2, ok),
        Err(ReadError::Import(ImportError::RecordTooLong { .. }))
    ));
}

fn err_text(p: &Profile, prefix: &[u8]) -> String {
    let src = prefix.chain(Endless {
        left: 50 * 1024 * 1024,
        byte: b'a',
        served: 0,
    });
    read_csv(src, p, ok).unwrap_err().to_string()
}

#[test]
fn memory_stays_flat_over_many_rows() {
    // 300k rows streamed through a reader: only the callback sees them
    struct Rows {
        n: u64,
        buf: Vec<u8>,
        pos: usize,
    }
    impl Read for Rows {
        fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
            if self.pos == self.buf.len() {
                if self.n == 0 {
                    return Ok(0);
                }
                self.n -= 1;
                self.buf = format!(
                    "2026-04-03,{}.{:02},row {}\n",
                    self.n % 1000,
                    self.n % 100,
                    self.n
                )
                .into_bytes();
                self.pos = 0;
            }
            let k = out.len().min(self.buf.len() - self.pos);
            out[..k].copy_from_slice(&self.buf[self.pos..self.pos + k]);
            self.pos += k;
            Ok(k)
        }
    }
    let p = Profile::from_toml(
        "date = 1\ndate_format = \"%Y-%m-%d\"\namount = 2\ndescription = 3\nhas_header = false",
    )
    .unwrap();
    let mut count = 0u64;
    let summary = read_csv(
        Rows {
            n: 300_000,
            buf: Vec::new(),
            pos: 0,
        },
        &p,
        |r| -> Result<(), Infallible> {
            assert!(matches!(r, RowResult::Row(_)));
            count += 1;
            Ok(())
        },
    )
    .unwrap();
    assert_eq!(
        (count, summary.read, summary.rejected),
        (300_000, 300_000, 0)
    );
}

fn statement_err(text: &str, format: Format) -> String {
    match read_statement(text.as_bytes(), format, ok) {
        Err(e) => e.to_string(),
        Ok(s) => panic!("accepted: {s:?}"),
    }
}

#[test]
fn xml_bombs_external_entities_and_deep_nesting_are_refused() {
    let bomb = r#"<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt><Stmt><Ntry><AddtlNtryInf>&lol9;</AddtlNtryInf></Ntry></Stmt></BkToCstmrStmt></Document>"#;
    assert_eq!(detect_format(bomb.as_bytes()).unwrap(), Format::Camt);
    assert!(statement_err(bomb, Format::Camt).contains("DTD"));
    let xxe = r#"<?xml version="1.0"?><!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><Document><BkToCstmrStmt><Stmt><Ntry><AddtlNtryInf>&xxe;</AddtlNtryInf></Ntry></Stmt></BkToCstmrStmt></Document>"#;
    assert!(statement_err(xxe, Format::Camt).contains("refused"));
    // an entity used without any declaration is refused too (never looked up anywhere)
    let undeclared = r#"<Document><BkToCstmrStmt><Stmt><Ntry><AddtlNtryInf>&xxe;</AddtlNtryInf></Ntry></Stmt></BkToCstmrStmt></Document>"#;
    assert!(statement_err(undeclared, Format::Camt).contains("undeclared entity"));
    // OFX 2 (XML) with a DTD
    let ofx = "<?xml version=\"1.0\"?><!DOCTYPE OFX SYSTEM \"http://example.invalid/ofx.dtd\"><OFX></OFX>";
    assert!(statement_err(ofx, Format::Ofx).contains("DTD"));
    // deep nesting
    let deep = format!(
        "<Document><BkToCstmrStmt>{}{}</BkToCstmrStmt></Document>",
        "<a>".repeat(100_000),
        "</a>".repeat(100_000)
    );
    assert!(statement_err(&deep, Format::Camt).contains("nested deeper"));
    let deep_ofx = format!("OFXHEADER:100\n<OFX>{}", "<AGG>".repeat(200_000));
    let _ = read_statement(deep_ofx.as_bytes(), Format::Ofx, ok);
}

/// xorshift: reproducible randomness without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const SEEDS: &[&str] = &[
    "Date;Description;Amount\n03/04/2026;\"a;b\";-1,50\n04/04/2026;x;1.234,56\n",
    "OFXHEADER:100\n<OFX><BANKMSGSRSV1><STMTRS><CURDEF>EUR<STMTTRN><DTPOSTED>20260403<TRNAMT>-1.00<FITID>1</STMTTRN><LEDGERBAL><BALAMT>1</LEDGERBAL></STMTRS></BANKMSGSRSV1></OFX>",
    "<?xml version=\"1.0\"?><Document><BkToCstmrStmt><Stmt><Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy=\"EUR\">1</Amt><CdtDbtInd>CRDT</CdtDbtInd></Bal><Ntry><Amt Ccy=\"EUR\">5.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><BookgDt><Dt>2026-04-03</Dt></BookgDt></Ntry></Stmt></BkToCstmrStmt></Document>",
    ":20:X\n:25:ACC\n:60F:C260401EUR1,00\n:61:2604030403D5,00NTRFNONREF//B\n:86:166?20text?32Name\n:62F:D260430EUR4,00\n-\n",
];

#[test]
fn random_bytes_never_panic() {
    let mut rng = Rng(0x5eed_1234_abcd_9876);
    let profile = Profile::from_toml("delimiter = \";\"\ndate = 1\ndate_format = \"%d/%m/%Y\"\namount = 3\ndescription = 2\ndecimal_separator = \",\"\nhas_header = false").unwrap();
    for round in 0..1500 {
        let input: Vec<u8> = if round % 3 == 0 {
            (0..rng.below(600)).map(|_| rng.next() as u8).collect()
        } else {
            // mutate a real-looking file: flip, insert, delete, duplicate
            let mut v = SEEDS[round % SEEDS.len()].as_bytes().to_vec();
            for _ in 0..1 + rng.below(8) {
                let i = rng.below(v.len().max(1));
                match rng.below(4) {
                    0 if !v.is_empty() => v[i] = rng.next() as u8,
                    1 => v.insert(
                        i.min(v.len()),
                        b"<>;:\"\n\r?/-,.0129ABCDSH&#x;"[rng.below(25)],
                    ),
                    2 if !v.is_empty() => {
                        v.remove(i);
                    }
                    _ => {
                        let j = rng.below(v.len().max(1));
                        let (a, b) = (i.min(j), i.max(j).min(v.len()));
                        let chunk = v[a..b].to_vec();
                        v.splice(a..a, chunk);
                    }
                }
            }
            v
        };
        let _ = detect_format(&input);
        if let Ok(p) = propose_profile(&input) {
            let _ = read_csv(&input[..], &p.profile, ok);
        }
        let _ = read_csv(&input[..], &profile, ok);
        for f in [
            Format::Ofx,
            Format::Camt,
            Format::Mt940,
            Format::Csv,
            Format::EsiJson,
        ] {
            let _ = read_statement(&input[..], f, ok);
        }
        for dec in ['.', ','] {
            let text = String::from_utf8_lossy(&input);
            let _ = recon_import::parse_amount(&text, dec, None);
            let _ = recon_import::parse_amount(&text, dec, Some(' '));
        }
    }
}
