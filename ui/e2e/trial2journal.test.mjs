// End-to-end test of issue 13's Journal (item 8) in the real window at 1280×720: amounts are
// found with or without separators and as a range, a date range filters, a line says which
// expected payment it pays (and opens it), a line's detail shows every field, and an empty
// result says the filter matched nothing — not "import a journal" when lines exist.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { appOnLedger, closeSession, click, el, exec, openSession, reconOn, screenshot, text, typeInto, waitFor, wd, s } from "./harness.mjs";

let dir = null;

function entry(id, day, amount, reason) {
  return `{"id": ${id}, "date": "2026-03-0${day}T10:00:00Z", "ref_type": "player_donation", "description": "deposited cash",
    "reason": "${reason}", "first_party_id": 101, "second_party_id": 90000001, "amount": ${amount}}`;
}
const JOURNAL = `[${[
  entry(1, 1, "250000000.00", "ARB c1 Alpha"),
  entry(2, 2, "2.90", "coffee"),
  entry(3, 3, "1000.00", "rent"),
  entry(4, 4, "-1000.00", "refund"),
].join(",")}]`;

const shownIds = () =>
  exec(`return [...document.querySelectorAll('[data-testid="journal-row"]')].map((r) => Number(r.dataset.id)).sort((a, b) => a - b);`);

async function idsAfter(what, expected) {
  return waitFor(what, async () => {
    const ids = await shownIds();
    return JSON.stringify(ids) === JSON.stringify(expected) ? ids : null;
  });
}

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "recon-e2e-trial2j-"));
  const ledger = path.join(dir, "ledger.sqlite");
  const recon = reconOn(ledger);
  writeFileSync(path.join(dir, "journal.json"), JOURNAL);
  writeFileSync(path.join(dir, "expected.csv"), "cycle_id,character_name,character_id,expected_amount,currency,memo\nc1,Alpha,101,250000000.00,ISK,\n");
  recon("wallet", "add", "Logistics", "--owner-id", "90000001", "--receiving");
  recon("import", "esi-journal", "--wallet", "Logistics", path.join(dir, "journal.json"));
  recon("import", "expected", path.join(dir, "expected.csv"));
  recon("match");
  await openSession(appOnLedger(dir, ledger), "trial2j-");
  await wd("POST", s("/window/rect"), { width: 1280, height: 720 }).catch(() => {});
  await el("nav-journal");
});
after(async () => {
  await closeSession();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test("the Journal finds amounts with or without separators, ranges and days", async () => {
  await click("nav-journal");
  await idsAfter("every line", [1, 2, 3, 4]);
  for (const typed of ["250000000", "250,000,000"]) {
    await typeInto("journal-search", typed);
    await idsAfter(`the 250,000,000 line for ${typed}`, [1]);
  }
  await typeInto("journal-search", "2.90");
  await idsAfter("the 2.90 line", [2]);
  await screenshot("journal-search-amount");
  await typeInto("journal-search", "2..1000");
  await idsAfter("a range, in or out", [2, 3, 4]);
  await typeInto("journal-search", "");
  await typeInto("journal-amount-min", "1,000");
  await idsAfter("at least 1,000", [1, 3, 4]);
  await typeInto("journal-amount-min", "");
  await exec(`const i = document.querySelector('[data-testid="journal-date-from"]'); i.value = "2026-03-02"; i.dispatchEvent(new Event("input", { bubbles: true }));`);
  await exec(`const i = document.querySelector('[data-testid="journal-date-to"]'); i.value = "2026-03-03"; i.dispatchEvent(new Event("input", { bubbles: true }));`);
  await idsAfter("2 and 3 March", [2, 3]);
  await screenshot("journal-date-range");
  await exec(`for (const t of ["journal-date-from", "journal-date-to"]) { const i = document.querySelector('[data-testid="' + t + '"]'); i.value = ""; i.dispatchEvent(new Event("input", { bubbles: true })); }`);

  await typeInto("journal-search", "nothing like it");
  const empty = await waitFor("the empty result", () => text("journal-empty"));
  assert.match(empty, /^Nothing matched the filter/);
  assert.doesNotMatch(empty, /Import an ESI/);
  await screenshot("journal-nothing-matched");
  await typeInto("journal-search", "");
  await idsAfter("every line again", [1, 2, 3, 4]);
});

test("a line says which expected payment it pays, opens it, and shows every field", async () => {
  const matched = await waitFor("the matched-to cell", () =>
    exec(`return document.querySelector('[data-testid="journal-row"][data-id="1"] [data-testid="journal-matched"]')?.innerText.trim() || null;`),
  );
  assert.match(matched, /ARB c1 Alpha/);
  await exec(`document.querySelector('[data-testid="journal-row"][data-id="1"] .memo-link').click();`);
  assert.equal(await waitFor("the expected payment's detail", () => text("expected-detail-memo")), "ARB c1 Alpha");
  await screenshot("journal-opens-expected");
  await click("expected-detail-close");

  await exec(`document.querySelector('[data-testid="journal-row"][data-id="1"] [data-testid="journal-open"]').click();`);
  const fields = await waitFor("the line's fields", () => text("journal-detail-fields"));
  assert.match(fields, /Amount as sent \(raw text\)\s*250000000\.00/);
  assert.match(fields, /Reason \/ memo\s*ARB c1 Alpha/);
  assert.match(fields, /Import batch\s*[0-9a-f-]{36}/);
  assert.match(await text("journal-detail-links"), /ARB c1 Alpha/);
  await waitFor("the batch's history", async () => ((await text("journal-detail-trail")) ?? "").includes("by e2e"));
  await screenshot("journal-line-detail");
  await click("journal-detail-close");
});
