// End-to-end test of the import wizard in the real window: a semicolon-separated bank CSV
// with decimal commas and ambiguous dd/mm vs mm/dd dates is loaded by path, the preview is
// checked, mapping choices are changed (the date reading, the decimal separator) and the
// preview follows; the all-or-nothing import is refused with its bad row listed, the
// valid-rows import lands, and the rows are checked in the app (import history) and through
// the `recon` CLI on the same ledger; finally the batch is removed from the history screen.
// Run by scripts/e2e.sh (tauri-driver on E2E_DRIVER), one test file at a time.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, "..", "..");
const DRIVER = process.env.E2E_DRIVER ?? "http://127.0.0.1:4444";
const APP = process.env.E2E_APP ?? path.join(repo, "target", "debug", "recon-desk");
const RECON = process.env.E2E_RECON ?? path.join(repo, "target", "debug", "recon");
const OUT = process.env.E2E_OUT ?? path.join(repo, "target", "e2e");
const WAIT_MS = 20_000;
const ELEMENT = "element-6066-11e4-a52e-4f735466cecf";

let session = null;
let shot = 0;
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

function recon(...args) {
  return execFileSync(RECON, ["--db", ledger, ...args], { encoding: "utf8", env: { ...process.env, RECON_USER: "e2e" } });
}

const journalRows = () => JSON.parse(recon("journal", "list", "--json"));

// ------------------------------------------------------------------ WebDriver

async function wd(method, route, body) {
  const res = await fetch(`${DRIVER}${route}`, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json().catch(() => ({}));
  if (!res.ok) {
    const v = json.value ?? {};
    throw new Error(`WebDriver ${method} ${route} → ${res.status} ${v.error ?? ""}: ${v.message ?? JSON.stringify(json)}`);
  }
  return json.value;
}

const s = (route) => `/session/${session}${route}`;
const css = (testid) => `[data-testid="${testid}"]`;

async function findAll(selector) {
  const els = await wd("POST", s("/elements"), { using: "css selector", value: selector });
  return els.map((e) => e[ELEMENT]);
}

async function exec(script, ...args) {
  return wd("POST", s("/execute/sync"), { script, args });
}

async function waitFor(what, probe, timeout = WAIT_MS) {
  const end = Date.now() + timeout;
  let last;
  let lastErr;
  while (Date.now() < end) {
    try {
      last = await probe();
      if (last) return last;
    } catch (e) {
      lastErr = e;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  await screenshot(`timeout-${what.replace(/[^a-z0-9]+/gi, "-").slice(0, 40)}`).catch(() => {});
  throw new Error(
    `Timed out after ${timeout} ms waiting for ${what}; last value: ${JSON.stringify(last)}${lastErr ? `; last error: ${lastErr.message}` : ""}`,
  );
}

async function elBy(selector) {
  return waitFor(`element ${selector}`, async () => (await findAll(selector))[0]);
}

async function click(testid) {
  await wd("POST", s(`/element/${await elBy(css(testid))}/click`), {});
}

async function text(testid) {
  const [id] = await findAll(css(testid));
  if (!id) return null;
  return wd("GET", s(`/element/${id}/text`));
}

async function typeInto(testid, value) {
  const id = await elBy(css(testid));
  await wd("POST", s(`/element/${id}/clear`), {});
  await wd("POST", s(`/element/${id}/value`), { text: value });
}

/** Selects an <option> by value (click on the option; falls back to setting value + change). */
async function select(testid, value) {
  const sel = `${css(testid)} option[value="${value.replace(/"/g, '\\"')}"]`;
  const opt = await waitFor(`option ${value} in ${testid}`, async () => (await findAll(sel))[0]);
  await wd("POST", s(`/element/${opt}/click`), {});
  const current = await exec(`return document.querySelector(arguments[0]).value;`, css(testid));
  if (current !== value) {
    await exec(
      `const e = document.querySelector(arguments[0]); e.value = arguments[1];
       e.dispatchEvent(new Event("change", { bubbles: true }));`,
      css(testid),
      value,
    );
  }
}

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

async function screenshot(name) {
  if (!session) return;
  await wd("POST", s("/execute/async"), {
    script: `const done = arguments[arguments.length - 1];
      const t = setTimeout(done, 500);
      requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(() => { clearTimeout(t); done(); }, 50)));`,
    args: [],
  });
  const b64 = await wd("GET", s("/screenshot"));
  shot += 1;
  const file = path.join(OUT, `import-${String(shot).padStart(2, "0")}-${name}.png`);
  writeFileSync(file, Buffer.from(b64, "base64"));
  return file;
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
  mkdirSync(OUT, { recursive: true });
  assert.ok(existsSync(APP), `app binary missing: ${APP}`);
  assert.ok(existsSync(RECON), `recon CLI missing: ${RECON} (cargo build -p recon)`);
  dir = mkdtempSync(path.join(tmpdir(), "recon-e2e-import-"));
  ledger = path.join(dir, "ledger.sqlite");
  csvPath = path.join(dir, "giro-april.csv");
  writeFileSync(csvPath, CSV);
  recon("wallet", "add", "Giro", "--kind", "bank", "--currency", "EUR");

  // The app reads its ledger from RECON_DB: start it through a wrapper that sets it.
  const wrapper = path.join(dir, "recon-desk-import.sh");
  writeFileSync(wrapper, `#!/bin/sh\nRECON_DB='${ledger}'\nexport RECON_DB\nexec '${APP}' "$@"\n`);
  chmodSync(wrapper, 0o755);
  const created = await wd("POST", "/session", {
    capabilities: { alwaysMatch: { "tauri:options": { application: wrapper } } },
  });
  session = created.sessionId;
  await elBy(css("nav-import"));
});

after(async () => {
  if (session) {
    await wd("DELETE", `/session/${session}`).catch((e) => console.error(`closing session: ${e.message}`));
    session = null;
  }
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
