//! Column classification by header name: the words banks use for each role, in English,
//! German, French, Dutch and Spanish, and how well a header matches them.

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
pub(super) enum Role {
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
            "boeksaldo",
            "valutair saldo",
            "kontosaldo",
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
pub(super) fn keyword_score(header: &str, role: Role) -> u32 {
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
