//! Issue 13, item 5: a header that names two columns alike (ING Germany's two "Währung") or
//! leaves one blank is read by position, never by the first name that fits.

mod common;

use common::Ledger;

const ING: &str = "Buchung;Valuta;Auftraggeber/Empfänger;Buchungstext;Verwendungszweck;Saldo;Währung;Betrag;Währung;\n\
15.04.2026;15.04.2026;ACME GmbH;Gutschrift;Rechnung 42;1.250,00;EUR;250,00;EUR;x\n\
16.04.2026;16.04.2026;Stadtwerke;Lastschrift;Strom April;1.170,00;EUR;-80,00;EUR;y\n";

fn profile(currency: &str) -> String {
    format!(
        "delimiter = \";\"\nhas_header = true\ndate = \"Buchung\"\ndate_format = \"%d.%m.%Y\"\n\
         description = \"Verwendungszweck\"\ndecimal_separator = \",\"\nthousands_separator = \".\"\n\
         amount = \"Betrag\"\ncurrency = {{ column = {currency} }}\n"
    )
}

#[test]
fn a_repeated_header_name_is_refused_by_name_and_read_by_position() {
    let l = Ledger::new();
    let file = l.file("ing.csv", ING);
    let by_name = l.file("by-name.toml", &profile("\"Währung\""));
    let err = l.refused(&["import", "file", "--dry-run", "--profile", &by_name, &file]);
    assert!(
        err.contains("column 'Währung' appears 2 times in the header (columns 7, 9): choose it by position, e.g. 7"),
        "{err}"
    );
    let by_position = l.file("by-position.toml", &profile("9"));
    let s = l.json(&[
        "import",
        "file",
        "--dry-run",
        "--json",
        "--profile",
        &by_position,
        &file,
    ]);
    assert_eq!(s["valid"], 2, "{s}");
    assert_eq!(s["rejected"], 0, "{s}");

    // The proposal names the repeated and the blank columns by position too.
    let proposed = l.ok(&["profile", "detect", &file]);
    assert!(!proposed.contains("\"Währung\""), "{proposed}");
}
