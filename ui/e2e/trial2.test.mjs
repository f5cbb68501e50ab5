// End-to-end test of the rest of issue 13 in the real window at 1280×720, on a ledger the
// `recon` CLI prepares: a receipt marked "not a payment" is listed and restored (and `u`
// undoes the restore); an awaiting payment's memo, payer and amount are edited; a bank CSV
// with a header name used twice previews; a window error is shown, never swallowed.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import {
  click, el, exec, innerText, press, screenshot, text, typeInto, waitFor, wd, s, css, findAll, select,
} from "./harness.mjs";
import { closeTrialLedger, entry, openTrialLedger } from "./trialLedger.mjs";

let dir = null;
let recon = null;

const JOURNAL = `[${entry(1, "600000000.00", "ARB c1 Alpha", 101)}, ${entry(2, "400000000.00", "a gift, thanks", 103)}]`;
// An ING (Germany) export: "Währung" twice (the balance's and the amount's), one blank header.
const ING_CSV = [
  "Buchung;Valuta;Auftraggeber/Empfänger;Buchungstext;Verwendungszweck;Saldo;Währung;Betrag;Währung;",
  "15.04.2026;15.04.2026;ACME GmbH;Gutschrift;Rechnung 42;1.250,00;EUR;250,00;EUR;x",
  "16.04.2026;16.04.2026;Stadtwerke;Lastschrift;Strom April;1.170,00;EUR;-80,00;EUR;y",
  "",
].join("\n");

const expectedByMemo = () => Object.fromEntries(JSON.parse(recon("expected", "list", "--json")).map((e) => [e.memo, e]));
const rejectedIds = () => JSON.parse(recon("match", "rejected", "--json")).map((r) => r.journal_id);

before(async () => {
  // The ING file is in EUR: its preview is checked against Giro, the wallet it would go into.
  ({ dir, recon } = await openTrialLedger("trial2", JOURNAL, {
    files: { "ing.csv": ING_CSV },
    then: (recon) => recon("match", "reject", "2", "--reason", "a gift"),
    nav: "nav-review",
  }));
});
after(() => closeTrialLedger(dir));

test("Review lists receipts marked not a payment; Restore brings one back and u undoes it", async () => {
  await click("nav-review");
  await click("review-rejected-open");
  const row = await waitFor("the marked receipt", () => innerText('[data-testid="rejected-row"][data-journal="2"]'));
  assert.match(row, /a gift, thanks/, "the receipt's own memo");
  assert.match(row, /a gift — e2e/, "why it was marked, and by whom");
  assert.match(row, /400,000,000\.00 ISK/);
  await screenshot("rejected-list");
  await exec(`document.querySelector('[data-testid="rejected-row"][data-journal="2"] [data-testid="rejected-restore"]').click();`);
  assert.equal(
    await waitFor("the restore message", () => text("rejected-done")),
    "Restored receipt #2: it is matched again (u in Review undoes this).",
  );
  assert.equal(await waitFor("the list empty", () => text("rejected-empty")), "No receipt is marked not a payment.");
  assert.deepEqual(rejectedIds(), []);
  await screenshot("rejected-restored");
  await click("rejected-close");
  await waitFor("the receipt back in the unmatched queue", async () =>
    (await exec(`return [...document.querySelectorAll('[data-testid="review-row"]')].map((r) => r.innerText).join("\\n");`)).includes(
      "a gift, thanks",
    ),
  );
  await exec(`document.activeElement?.blur?.();`);
  await press("u");
  const undone = await waitFor("the undo line", async () => {
    const t = await text("review-status");
    return t && t.startsWith("undone") ? t : null;
  });
  assert.equal(undone, "undone: restore");
  assert.deepEqual(rejectedIds(), ["2"], "the mark is back");
  const trail = JSON.parse(recon("audit", "list", "--json")).map((r) => r.action);
  assert.deepEqual(trail.slice(-2), ["match.restore", "match.undo_restore"]);
});

test("an awaiting payment's memo, payer and amount (typed with separators) are edited in its detail", async () => {
  await click("nav-expected");
  await waitFor("Bravo's row", () => exec(`return !!document.querySelector('[data-testid="expected-row"][data-memo="ARB c1 Bravo"] [data-testid="expected-open"]');`));
  await exec(
    `document.querySelector('[data-testid="expected-row"][data-memo="ARB c1 Bravo"] [data-testid="expected-open"]').click();`,
  );
  await el("expected-detail");
  await typeInto("expected-detail-memo-input", "ARB c1 Bravo (alt)");
  await typeInto("expected-detail-payer", "Bravo Alt");
  await typeInto("expected-detail-payer-id", "555");
  await typeInto("expected-detail-amount", "250,000,000");
  await screenshot("expected-edit-typed");
  await click("expected-detail-save");
  assert.equal(
    await waitFor("the saved message", () => text("expected-detail-done")),
    "Saved “ARB c1 Bravo (alt)”: 250,000,000.00 ISK expected from Bravo Alt (555).",
  );
  assert.equal(await text("expected-detail-memo"), "ARB c1 Bravo (alt)");
  await waitFor("the edit in the history", async () => ((await innerText('[data-testid="expected-detail-trail"]')) ?? "").includes("expected.edit"));
  const b = expectedByMemo()["ARB c1 Bravo (alt)"];
  assert.ok(b, "renamed in the ledger");
  assert.equal(b.character_name, "Bravo Alt");
  assert.equal(b.character_id, 555);
  assert.equal(b.expected_amount, "250000000.00");
  await screenshot("expected-edited");

  // A memo another payment uses is refused, with its message.
  await typeInto("expected-detail-memo-input", "arb c1 ALPHA");
  await click("expected-detail-save");
  assert.match(await waitFor("the refusal", () => text("expected-detail-error-message")), /is already used by the expected payment 'ARB c1 Alpha'/);
  await click("expected-detail-close");
});

test("a bank CSV with a header name used twice previews, its columns told apart by position", async () => {
  await click("nav-import");
  await typeInto("import-path", path.join(dir, "ing.csv"));
  await select("import-wallet", "Giro");
  await click("import-preview-load");
  await waitFor("two preview rows", async () => (await findAll(css("import-preview-row"))).length === 2);
  const labels = await exec(`return [...document.querySelector('[data-testid="map-date"]').options].map((o) => o.text);`);
  assert.ok(labels.includes("Währung (column 7)") && labels.includes("Währung (column 9)"), JSON.stringify(labels));
  assert.ok(labels.includes("column 10"), `the blank header is addressed by position: ${JSON.stringify(labels)}`);
  const amounts = await exec(`return [...document.querySelectorAll('[data-testid="preview-amount"]')].map((a) => a.dataset.amount);`);
  assert.deepEqual(amounts, ["250.00", "-80.00"]);
  assert.equal((await findAll(css("ui-error"))).length, 0, "no window error");
  // Date formats are offered as examples, never as strftime codes.
  const formats = await exec(`return [...document.querySelector('[data-testid="map-date-format"]').options].map((o) => o.text);`);
  assert.ok(formats.includes("31.12.2026 — day first"), JSON.stringify(formats));
  assert.ok(formats.every((f) => !f.includes("%")), JSON.stringify(formats));
  await screenshot("duplicate-header-preview");
});

test("an error in the window is shown, not swallowed", async () => {
  await exec(`setTimeout(() => { throw new Error("boom from the e2e test"); }, 0);`);
  assert.equal(await waitFor("the window error", () => text("ui-error-message")), "boom from the e2e test");
  await screenshot("window-error-shown");
  await click("ui-error-dismiss");
  await waitFor("dismissed", async () => (await findAll(css("ui-error"))).length === 0);
});

test("the window title names the ledger, error titles are words, and dark mode follows the system", async () => {
  assert.match(await wd("GET", s("/title")), /^Recon Desk — ledger\.sqlite \(.*recon-e2e-trial2-/);
  await click("nav-import");
  await typeInto("import-path", "/nonexistent/trial2/journal.json");
  await click("import-submit");
  const title = await waitFor("the error title", () => text("import-error-code"));
  assert.doesNotMatch(title, /_/, `a code, not words: ${title}`);
  const dark = await exec(
    `return [...document.styleSheets].some((s) => [...s.cssRules].some((r) => (r.media?.mediaText ?? "").includes("prefers-color-scheme: dark")));`,
  );
  assert.equal(dark, true, "no dark rules for prefers-color-scheme");
  await screenshot("error-title-in-words");
});
