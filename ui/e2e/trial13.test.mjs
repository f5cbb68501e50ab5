// End-to-end test of issue 13's remaining items in the real window at 1280×720: the Journal's
// running balance (the wallet's, also under a filter) and its Export CSV button; an import
// batch's statement check kept and shown in Import history and on the wallet, with long file
// names shortened (full path on hover); an expected payments file given to Import sent to
// Expected payments; and every screen usable at 1280×720 (nothing key pushed off-screen).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { appOnLedger, click, closeSession, el, exec, openSession, reconOn, screenshot, select, text, typeInto, waitFor, wd, s, css } from "./harness.mjs";

let dir = null;
let longDir = null;

function entry(id, day, amount, balance) {
  const stated = balance ? `, "balance": ${balance}` : "";
  return `{"id": ${id}, "date": "2026-03-0${day}T10:00:00Z", "ref_type": "player_donation", "description": "line ${id}",
    "reason": "r${id}", "first_party_id": 101, "second_party_id": 90000001, "amount": ${amount}${stated}}`;
}
// The first line states the balance after it (1,000.10): the wallet opened at 900.00.
const JOURNAL = `[${[entry(1, 1, "100.10", "1000.10"), entry(2, 2, "0.1"), entry(3, 3, "0.2"), entry(4, 4, "-250000000.00")].join(",")}]`;

/** An MT940 statement in EUR: opening, lines (YYMMDD, cents), closing, in cents. */
function mt940(opening, lines, closing) {
  const amount = (minor) => [minor < 0 ? "D" : "C", `${Math.trunc(Math.abs(minor) / 100)},${String(Math.abs(minor) % 100).padStart(2, "0")}`];
  const [om, o] = amount(opening);
  let t = `:20:STMT\n:25:NL81ASNB9999999999\n:28C:1/1\n:60F:${om}260101EUR${o}\n`;
  for (const [date, cents] of lines) {
    const [m, a] = amount(cents);
    t += `:61:${date}${date.slice(2)}${m}${a}NTRFNONREF\n:86:line ${date}\n`;
  }
  const [cm, c] = amount(closing);
  return t + `:62F:${cm}260131EUR${c}\n`;
}

const BROKEN = "2026-01-statement-of-account-NL81ASNB9999999999-january.sta";
const CLEAN = "2026-02-statement-of-account-NL81ASNB9999999999-february.sta";

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "recon-e2e-trial13-"));
  longDir = path.join(dir, "home", "accountant", "Documents", "Bank statements", "ASN Bank", "2026");
  mkdirSync(longDir, { recursive: true });
  const ledger = path.join(dir, "ledger.sqlite");
  const recon = reconOn(ledger);
  writeFileSync(path.join(dir, "journal.json"), JOURNAL);
  // 444.29 − 65.00 − 10.00 = 369.29, but the statement closes at 359.29: off by −10.00.
  writeFileSync(path.join(longDir, BROKEN), mt940(44429, [["260105", -6500], ["260107", -1000]], 35929));
  writeFileSync(path.join(longDir, CLEAN), mt940(35929, [["260205", 2550]], 38479));
  writeFileSync(
    path.join(dir, "payments.csv"),
    "cycle_id,character_name,character_id,expected_amount,currency,memo\nc1,Alpha,101,250000000.00,ISK,\n",
  );
  recon("wallet", "add", "Main", "--owner-id", "90000001", "--receiving");
  recon("wallet", "add", "Bank", "--kind", "bank", "--currency", "EUR");
  recon("import", "esi-journal", "--wallet", "Main", path.join(dir, "journal.json"));
  recon("import", "file", "--wallet", "Bank", path.join(longDir, BROKEN));
  await openSession(appOnLedger(dir, ledger), "trial13-");
  await wd("POST", s("/window/rect"), { width: 1280, height: 720 }).catch((e) => console.error(`resizing: ${e.message}`));
  await el("nav-journal");
});
after(async () => {
  await closeSession();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const balances = () =>
  exec(`return [...document.querySelectorAll('[data-testid="journal-row"]')].map((r) => [Number(r.dataset.id),
    r.querySelector('[data-testid="journal-running-balance"]').innerText.replace(/\\s+/g, "")]);`);

test("the Journal's Balance column is the wallet's running balance, also under a filter", async () => {
  await click("nav-journal");
  await select_sort_oldest();
  // Both wallets: the bank's statement states no line balance, so it counts from its opening 444.29.
  const both = await waitFor("both wallets' lines", async () => {
    const b = await balances();
    return b.length === 6 ? b : null;
  });
  assert.deepEqual(both.slice(0, 2).map((b) => b[1]), ["379.29EUR", "369.29EUR"]);
  await select("journal-wallet", "Main");
  const all = await waitFor("every line with its balance", async () => {
    const b = await balances();
    return b.length === 4 ? b : null;
  });
  assert.deepEqual(all, [
    [1, "1,000.10ISK"],
    [2, "1,000.20ISK"],
    [3, "1,000.40ISK"],
    [4, "-249,998,999.60ISK"],
  ]);
  await typeInto("journal-search", "0.2");
  const one = await waitFor("the one 0.2 line", async () => {
    const b = await balances();
    return b.length === 1 ? b : null;
  });
  assert.deepEqual(one, [[3, "1,000.40ISK"]], "the wallet's balance after the line, not the filtered rows' sum");
  await screenshot("journal-running-balance-filtered");
});

async function select_sort_oldest() {
  const label = await waitFor("the sort button", () => text("journal-sort"));
  if (/Newest/.test(label)) await click("journal-sort");
  await waitFor("oldest first", async () => /Oldest/.test((await text("journal-sort")) ?? ""));
}

test("the Journal's Export CSV button writes the lines the filter finds", async () => {
  await typeInto("journal-search", "");
  await waitFor("the four lines", async () => ((await balances()).length === 4 ? true : null));
  await typeInto("journal-amount-max", "1");
  await waitFor("the 0.1 and 0.2 lines", async () => ((await balances()).length === 2 ? true : null));
  const out = path.join(dir, "journal.csv");
  await click("journal-export-open");
  await typeInto("journal-export-path", out);
  await click("journal-export-submit");
  const said = await waitFor("the export message", async () => {
    const t = (await text("journal-export-done")) ?? "";
    return /^Exported /.test(t) ? t : null;
  });
  assert.equal(said, `Exported 2 journal lines to ${out}.`);
  const csv = readFileSync(out, "utf8").split("\r\n");
  assert.match(csv[0], /^date,wallet,ref_type,amount,currency,balance,description,reason,.*,running_balance$/);
  assert.equal(csv.length, 4, "header, the two filtered lines, final CRLF");
  assert.ok(csv[1].endsWith(",1000.20") && csv[2].endsWith(",1000.40"), csv.join("\n"));
  await screenshot("journal-exported");
  await typeInto("journal-amount-max", "");
});

test("Import history keeps the statement check and shortens long file names", async () => {
  await click("nav-history");
  const verdict = await waitFor("the batch's statement check", () => text("history-statement"));
  assert.equal(verdict.trim(), "off by -10.00");
  const hover = await exec(`return document.querySelector('[data-testid="history-statement"]').title;`);
  assert.equal(hover, "opening 444.29, closing 359.29, lines -75.00");
  const name = await exec(`const e = document.querySelector('[data-testid="history-file-name"]'); return [e.innerText, e.title];`);
  assert.ok(name[0].length <= 28 && name[0].includes("…"), name[0]);
  assert.equal(name[1], path.join(longDir, BROKEN), "the full path on hover");
  await click("history-open");
  const full = await waitFor("the file's check", () => text("history-file-statement"));
  assert.match(full, /opening 444\.29, closing 359\.29, lines -75\.00\s+off by -10\.00/);
  await screenshot("history-statement-check");

  await click("nav-wallets");
  const onWallet = await waitFor("the Bank wallet's last statement", async () =>
    exec(`const r = [...document.querySelectorAll('[data-testid="wallet-row"]')].find((r) => r.cells[0].innerText === "Bank");
      return r ? r.querySelector('[data-testid="wallet-statement"]').innerText : null;`),
  );
  assert.match(onWallet, /off by -10\.00/);
  await screenshot("wallets-last-statement");
});

test("the import result shortens a long file name and shows the statement check", async () => {
  await click("nav-import");
  await typeInto("import-path", path.join(longDir, CLEAN));
  await exec(`document.querySelector('[data-testid="import-path"]').dispatchEvent(new Event("change", { bubbles: true }));`);
  await waitFor("the preview", () => text("import-format"));
  await select_wallet("Bank");
  await click("import-submit");
  const inserted = await waitFor("the result", () => text("import-result-inserted"));
  assert.equal(inserted, "1");
  const file = await exec(`const e = document.querySelector('[data-testid="import-result-file"]'); return [e.innerText, e.title];`);
  assert.ok(file[0].length <= 28, file[0]);
  assert.equal(file[1], path.join(longDir, CLEAN));
  assert.match(await text("import-result-statement"), /lines 25\.50\s+agree/);
  await assertInView("import result", ["import-result-read", "import-result-inserted", "import-result-rejected", "import-result-statement"]);
  await screenshot("import-result-short-names");
});

async function select_wallet(name) {
  await exec(
    `const e = document.querySelector('[data-testid="import-wallet"]'); e.value = arguments[0]; e.dispatchEvent(new Event("change", { bubbles: true }));`,
    name,
  );
}

test("an expected payments file given to Import is sent to Expected payments", async () => {
  const file = path.join(dir, "payments.csv");
  await typeInto("import-path", file);
  await exec(`document.querySelector('[data-testid="import-path"]').dispatchEvent(new Event("change", { bubbles: true }));`);
  const note = await waitFor("the note", () => text("import-expected-file"));
  assert.match(note, /This is an expected payments file/);
  assert.equal(await exec(`return document.querySelector('[data-testid="import-submit"]').disabled;`), true, "never imported as a bank CSV");
  await screenshot("import-expected-file");
  await click("import-expected-open");
  const filled = await waitFor("the Expected import's path", async () =>
    exec(`return document.querySelector('[data-testid="expected-import-path"]')?.value || null;`),
  );
  assert.equal(filled, file);
  await click("expected-import-submit");
  assert.equal(await waitFor("the expected import", () => text("expected-import-inserted")), "1");
  await screenshot("expected-imported-from-import");
});

/** Every element of `testids` lies within the window's width (nothing pushed off-screen). */
async function assertInView(screen, testids, selectors = []) {
  const found = await exec(
    `const all = [...arguments[0].map((t) => '[data-testid="' + t + '"]'), ...arguments[1]];
     return all.map((q) => { const e = document.querySelector(q); if (!e) return [q, null];
       const r = e.getBoundingClientRect(); return [q, r.left >= 0 && r.right <= window.innerWidth, Math.round(r.right), window.innerWidth]; });`,
    testids,
    selectors,
  );
  for (const [q, inside, right, width] of found) {
    assert.notEqual(inside, null, `${screen}: ${q} is not on the screen`);
    assert.ok(inside, `${screen}: ${q} ends at ${right} px, past the window's ${width} px`);
  }
  const page = await exec(`return [document.scrollingElement.scrollWidth, window.innerWidth];`);
  assert.ok(page[0] <= page[1], `${screen}: the page scrolls sideways (${page[0]} px in ${page[1]} px)`);
}

const headerCell = (table, name) => `${css(table)} th:nth-child(${name})`;

test("every screen is usable at 1280×720", async () => {
  const size = await exec(`return [window.outerWidth, window.outerHeight];`);
  assert.ok(size[0] <= 1280 && size[1] <= 720, `the window is ${size}`);
  const screens = [
    ["dashboard", ["dashboard-refresh"]],
    ["review", ["review-run"]],
    ["expected", ["expected-import-submit"]],
    ["partners", []],
    ["payouts", []],
    ["journal", ["journal-export-open", "journal-total"]],
    ["checks", ["check-run"]],
    ["import", ["import-submit", "import-preview-load", "import-browse"]],
    ["history", ["history-open", "history-status"], [5, 6, 9, 10].map((n) => headerCell("history-table", n))],
    ["wallets", ["wallet-submit"], [headerCell("wallets-table", 8)]],
    ["sync", []],
  ];
  for (const [screen, testids, selectors = []] of screens) {
    await click(`nav-${screen}`);
    for (const t of testids) await el(t);
    await assertInView(screen, testids, selectors);
    await screenshot(`1280-${screen}`);
  }
  // The header cells checked above are the ones the issue named.
  await click("nav-history");
  await el("history-open");
  const names = await exec(`return [5, 6, 10].map((n) => document.querySelector(arguments[0] + " th:nth-child(" + n + ")").innerText);`, css("history-table"));
  assert.deepEqual(names, ["Read", "Inserted", "Status"]);
});
