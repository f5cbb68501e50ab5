// End-to-end test of the import wizard in the real window: a semicolon-separated bank CSV
// with decimal commas and ambiguous dd/mm vs mm/dd dates is loaded by path, the preview is
// checked, mapping choices are changed (the date reading, the decimal separator) and the
// preview follows; the all-or-nothing import is refused with its bad row listed, the
// valid-rows import lands, and the rows are checked in the app (import history) and through
// the `recon` CLI on the same ledger; finally the batch is removed from the history screen.
// Run by scripts/e2e.sh (tauri-driver on E2E_DRIVER), one test file at a time.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  appOnLedger, closeSession, click, el, elBy, exec, openSession, reconOn, screenshot, select, text, typeInto, waitFor, wd, s, css, findAll,
} from "./harness.mjs";


let dir = null;
let ledger = null;
let csvPath = null;

// Every date reads both ways (days ≤ 12): the wizard must ask. Line 5 has a bad amount.
const CSV = `Datum;Betrag;Verwendungszweck;Gegenpartei
03/04/2026;1.250,00;Gehalt März;ACME GmbH
05/04/2026;-12,50;Kaffee;Café Central
07/04/2026;-1.099,99;Miete;Hausverwaltung
11/04/2026;zwölf;Kaputt;Niemand
`;

let recon = null;

const journalRows = () => JSON.parse(recon("journal", "list", "--json"));

// ------------------------------------------------------------------ WebDriver











/** The preview table as data: per row its line, parsed date and amount, or its reject text. */
async function previewRows() {
  return exec(`return [...document.querySelectorAll('[data-testid="import-preview-row"]')].map((r) => ({
    line: Number(r.dataset.line),
    date: r.querySelector('[data-testid="preview-date"]')?.innerText ?? null,
    amount: r.querySelector('[data-testid="preview-amount"]')?.dataset.amount ?? null,
    counterparty: r.querySelector('[data-testid="preview-counterparty"]')?.innerText ?? null,
    reject: r.querySelector('[data-testid="preview-reject"]')?.innerText ?? null,
  }));`);
}

/** Waits until the preview table satisfies `ok` (it is re-read after every mapping change). */
async function previewWhere(what, ok) {
  return waitFor(what, async () => {
    const rows = await previewRows();
    return rows.length > 0 && ok(rows) ? rows : null;
  });
}


async function result() {
  return {
    read: await text("import-result-read"),
    inserted: await text("import-result-inserted"),
    rejected: await text("import-result-rejected"),
  };
}

// ------------------------------------------------------------------ setup

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "recon-e2e-import-"));
  ledger = path.join(dir, "ledger.sqlite");
  recon = reconOn(ledger);
  csvPath = path.join(dir, "giro-april.csv");
  writeFileSync(csvPath, CSV);
  recon("wallet", "add", "Giro", "--kind", "bank", "--currency", "EUR");
  await openSession(appOnLedger(dir, ledger), "import-");
  await el("nav-import");
});
after(async () => {
  await closeSession();
  if (dir) rmSync(dir, { recursive: true, force: true });
});
// ------------------------------------------------------------------ tests

test("loads the CSV by path and previews it as proposed, asking about the dates", async () => {
  await click("nav-import");
  await typeInto("import-path", csvPath);
  await click("import-preview-load");
  await waitFor("the detected format", async () => (await text("import-format")) === "csv");
  assert.equal(await text("import-encoding"), "utf-8");
  assert.equal(await exec(`return document.querySelector('[data-testid="map-delimiter"]').value;`), ";");
  assert.equal(await exec(`return document.querySelector('[data-testid="map-decimal"]').value;`), ",");

  const rows = await previewWhere("four preview rows", (r) => r.length === 4);
  // Decimal commas and thousands points read exactly; day-first is the proposal's first reading.
  assert.deepEqual(
    rows.slice(0, 3).map((r) => [r.line, r.date, r.amount]),
    [
      [2, "2026-04-03", "1250.00"],
      [3, "2026-04-05", "-12.50"],
      [4, "2026-04-07", "-1099.99"],
    ],
  );
  assert.equal(rows[3].line, 5);
  assert.match(rows[3].reject, /Betrag/);
  assert.match(rows[3].reject, /zwölf/);
  assert.equal(await text("import-preview-summary"), "3 parsed, 1 rejected");
  // The raw text sits next to the parsed values.
  const raw = await exec(`return document.querySelector('[data-testid="import-preview-row"] .raw').innerText;`);
  assert.equal(raw, "03/04/2026;1.250,00;Gehalt März;ACME GmbH");

  // Every date fits dd/mm and mm/dd: the wizard asks and the import waits for the answer.
  const ask = await waitFor("the ambiguity question", () => text("import-ambiguity"));
  assert.match(ask, /Datum/);
  assert.match(ask, /2026-04-03/);
  assert.match(ask, /2026-03-04/);
  assert.equal(await exec(`return document.querySelector('[data-testid="import-submit"]').disabled;`), true);
  assert.match((await text("import-blocker")) ?? "", /ambiguous/);
  await screenshot("preview-proposed");
});

test("changing mapping choices changes the preview", async () => {
  // Answer: month first. The dates re-read, the amounts stay.
  const monthFirst = await elBy(`[data-testid^="import-ambiguity-option-"][data-option="%m/%d/%Y"]`);
  await wd("POST", s(`/element/${monthFirst}/click`), {});
  const rows = await previewWhere("month-first dates", (r) => r[0].date === "2026-03-04");
  assert.deepEqual(
    rows.slice(0, 3).map((r) => r.date),
    ["2026-03-04", "2026-05-04", "2026-07-04"],
  );
  assert.equal(await exec(`return document.querySelector('[data-testid="map-date-format"]').value;`), "%m/%d/%Y");
  await screenshot("preview-month-first");

  // The proposal did not recognise "Gegenpartei": map it as the counterparty by hand.
  assert.equal(rows[0].counterparty, "");
  await select("map-counterparty", "n:Gegenpartei");
  const withParty = await previewWhere("counterparties in the preview", (r) => r[0].counterparty === "ACME GmbH");
  assert.equal(withParty[1].counterparty, "Café Central");

  // A decimal point instead of the comma: the amounts no longer read as they should.
  await select("map-decimal", ".");
  const pointRows = await previewWhere("amounts read with a decimal point", (r) => r[0].amount !== "1250.00");
  assert.notDeepEqual(
    pointRows.map((r) => r.amount),
    rows.map((r) => r.amount),
  );
  await screenshot("preview-decimal-point");
  await select("map-decimal", ",");
  await previewWhere(
    "amounts back with the decimal comma",
    (r) => r[0].amount === "1250.00" && r[2].amount === "-1099.99" && r[0].date === "2026-03-04",
  );
  assert.equal(await exec(`return document.querySelector('[data-testid="import-submit"]').disabled;`), false);

  // The mapping can be kept for next month's export.
  await typeInto("map-save-name", "Giro CSV");
  await click("map-save");
  assert.match(await waitFor("the saved note", () => text("map-save-note")), /Giro CSV/);
  assert.match(recon("profile", "show", "Giro CSV"), /date_format = "%m\/%d\/%Y"/);
});

test("the default all-or-nothing import refuses the file and lists the bad row", async () => {
  await select("import-wallet", "Giro");
  await click("import-submit");
  const refused = await waitFor("the refusal", () => text("import-result-refused"));
  assert.match(refused, /Nothing was imported: 1 bad row/);
  assert.deepEqual(await result(), { read: "4", inserted: "0", rejected: "1" });
  const reject = await waitFor("the reject row", () =>
    exec(`return document.querySelector('[data-testid="import-reject-row"]')?.innerText ?? null;`),
  );
  assert.match(reject, /giro-april\.csv\s+5\s+Betrag/);
  assert.match(reject, /zwölf/);
  assert.equal(journalRows().length, 0, "a refused batch wrote rows");
  await screenshot("import-refused");
});

test("importing the valid rows lands them with the chosen mapping", async () => {
  await click("import-mode-valid");
  await click("import-submit");
  await waitFor("the committed result", async () => ((await text("import-result-inserted")) === "3" ? true : null));
  assert.deepEqual(await result(), { read: "4", inserted: "3", rejected: "1" });
  assert.equal(await text("import-result-refused"), null);
  await screenshot("import-committed");

  // The same ledger through the CLI: month-first dates, exact amounts, descriptions, counterparties.
  const rows = journalRows()
    .map((r) => [r.date, r.amount, r.description, r.counterparty, r.wallet])
    .sort();
  assert.deepEqual(rows, [
    ["2026-03-04", "1250.00", "Gehalt März", "ACME GmbH", "Giro"],
    ["2026-05-04", "-12.50", "Kaffee", "Café Central", "Giro"],
    ["2026-07-04", "-1099.99", "Miete", "Hausverwaltung", "Giro"],
  ]);
  const batches = JSON.parse(recon("import", "batches", "--json"));
  assert.equal(batches.length, 1);
  assert.equal(batches[0].rejected, 1);
});

test("the import history shows the batch, its rows and rejects, and removes it", async () => {
  await click("import-open-history");
  const batch = await waitFor("the batch in the history", () => text("history-batch"));
  assert.match(batch, /giro-april\.csv/);
  assert.match(batch, /Giro/);
  await click("history-open");
  const rows = await waitFor("the batch's rows", async () => {
    const r = await findAll(css("history-row"));
    return r.length === 3 ? r : null;
  });
  assert.equal(rows.length, 3);
  const detail = await text("history-detail");
  assert.match(detail, /1,250\.00/);
  assert.match(detail, /-1,099\.99/);
  assert.match(detail, /[0-9a-f]{64}/, "the file's SHA-256");
  assert.match((await text("history-reject-row")) ?? "", /zwölf/);
  await screenshot("history-batch");

  await click("history-remove");
  await click("history-remove-confirm");
  await waitFor("the removal note", () => text("history-removed"));
  assert.match(await text("history-status"), /removed/);
  assert.equal(await text("history-rows-held"), "0");
  assert.equal(journalRows().length, 0, "the removed rows are still in the journal");
  await screenshot("history-removed");
});

test("a QIF whose dates read both ways is asked; the wallet's scale refuses what it cannot hold", async () => {
  const qif = path.join(dir, "both.qif");
  writeFileSync(qif, "!Type:Bank\nD03/04/2026\nT-1.00\nPBaker\n^\nD05/04/2026\nT20.00\nPSalary\n^\n");
  await click("nav-import");
  await typeInto("import-path", qif);
  await click("import-preview-load");
  await waitFor("the QIF's format", async () => (await text("import-format")) === "qif");
  const ask = await waitFor("the date-order question", () => text("import-ambiguity"));
  assert.match(ask, /2026-03-04 \(month first\)/);
  assert.match(ask, /2026-04-03 \(day first\)/);
  assert.equal(await exec(`return document.querySelector('[data-testid="import-submit"]').disabled;`), true);
  await screenshot("qif-asked");
  const dayFirst = await elBy(`[data-testid^="import-ambiguity-option-"][data-option="day-first"]`);
  await wd("POST", s(`/element/${dayFirst}/click`), {});
  await previewWhere("day-first QIF dates", (r) => r.length === 2 && r[0].date === "2026-04-03" && r[1].date === "2026-04-05");
  assert.equal(await exec(`return document.querySelector('[data-testid="import-submit"]').disabled;`), false);
  await click("import-submit");
  await waitFor("the QIF imported", async () => ((await text("import-result-inserted")) === "2" ? true : null));
  const dates = journalRows().map((r) => r.date).sort();
  assert.deepEqual(dates, ["2026-04-03", "2026-04-05"]);
  await screenshot("qif-imported");

  // 1.2345 in an EUR wallet: the preview says what the import will, not "parsed".
  const fine = path.join(dir, "fine.csv");
  writeFileSync(fine, "Date,Amount,Memo\n2026-01-02,1.2345,a\n2026-01-03,-2.50,b\n");
  await typeInto("import-path", fine);
  await click("import-preview-load");
  const rows = await previewWhere("the scale refused in the preview", (r) => r.length === 2 && r[0].reject !== null);
  assert.match(rows[0].reject, /more decimals than EUR allows \(2\)/);
  assert.equal(rows[1].amount, "-2.50");
  await screenshot("preview-scale-refused");
});
