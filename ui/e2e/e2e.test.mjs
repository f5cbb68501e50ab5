// End-to-end test of the Recon Desk desktop app through tauri-driver (WebDriver, W3C protocol).
// Run by scripts/e2e.sh, which builds the app, starts tauri-driver under Xvfb on :4444 with
// RECON_DB pointing at a fresh ledger, and sets E2E_APP / E2E_OUT.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { APP, closeSession, click, el, exec, openSession, screenshot, select, text, typeInto, waitFor, wd, s, css, findAll } from "./harness.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const FIXTURE = path.join(here, "fixtures", "journal-main.json");
const FIXTURE_ROWS = 4;
const BIG_ROWS = 3000;












/** innerText of the n-th rendered journal row (WebDriver's element text skips some grid cells). */
async function rowText(n) {
  return exec(`return document.querySelectorAll('[data-testid="journal-row"]')[arguments[0]]?.innerText ?? null;`, n);
}


async function importResult() {
  return {
    read: await text("import-result-read"),
    inserted: await text("import-result-inserted"),
    duplicates: await text("import-result-duplicates"),
  };
}

async function runImport(paths) {
  await click("nav-import");
  await typeInto("import-path", paths);
  await select("import-wallet", "Main Char");
  await click("import-submit");
}

before(async () => {
  await openSession(APP);
  await el("nav-journal");
});
after(closeSession);
test("starts on an empty journal", async () => {
  await click("nav-journal"); // the app opens on the Dashboard
  const total = await waitFor("journal total", async () => {
    const t = await text("journal-total");
    return t && /entr/.test(t) ? t : null;
  });
  assert.match(total, /^0 entries$/);
  await screenshot("journal-empty");
});

test("adds the wallet through the Wallets screen", async () => {
  await click("nav-wallets");
  await typeInto("wallet-name", "Main Char");
  await select("wallet-kind", "character");
  await typeInto("wallet-owner", "90000001");
  await click("wallet-receiving");
  await click("wallet-submit");
  await waitFor("the wallet row", async () => {
    const rows = await findAll(css("wallet-row"));
    for (const r of rows) {
      const t = await wd("GET", s(`/element/${r}/text`));
      if (t.includes("Main Char") && t.includes("90000001")) return t;
    }
    return null;
  });
  await screenshot("wallet-added");
});

test("a bad wallet owner id is refused with a visible error", async () => {
  await typeInto("wallet-name", "Broken");
  await typeInto("wallet-owner", "12abc");
  await click("wallet-submit");
  const msg = await waitFor("wallet add error", () => text("wallet-add-error"));
  // The title is in words (issue 13 item 10), never the code; the message names the field.
  assert.match(msg, /^Please check what was entered/);
  assert.doesNotMatch(msg, /invalid_input/);
  assert.match(msg, /Owner id must be a whole number, got “12abc”/);
  await screenshot("wallet-error");
});

test("imports the ESI journal fixture, then sees it all as duplicates", async () => {
  await runImport(FIXTURE);
  const first = await waitFor("first import result", async () => {
    const r = await importResult();
    return r.read !== null ? r : null;
  });
  assert.deepEqual(first, { read: `${FIXTURE_ROWS}`, inserted: `${FIXTURE_ROWS}`, duplicates: "0" });
  await screenshot("import-first");

  await click("import-submit");
  const second = await waitFor("second import result (all duplicates)", async () => {
    const r = await importResult();
    return r.inserted === "0" ? r : null;
  });
  assert.deepEqual(second, { read: `${FIXTURE_ROWS}`, inserted: "0", duplicates: `${FIXTURE_ROWS}` });
  await screenshot("import-duplicates");
});

test("an import of a missing file shows the error code and message", async () => {
  await typeInto("import-path", "/nonexistent/e2e/journal.json");
  await click("import-submit");
  const err = await waitFor("import error box", () => text("import-error"));
  assert.ok(err.trim().length > 0, "empty error box");
  assert.equal(await text("import-result-read"), null, "a stale result is still shown");
  await screenshot("import-error");
});

test("the journal shows the imported rows with exact amounts", async () => {
  await click("nav-journal");
  await waitFor(`"${FIXTURE_ROWS} entries"`, async () => (await text("journal-total")) === `${FIXTURE_ROWS} entries`);
  const rows = await waitFor("journal rows", async () => {
    const r = await findAll(css("journal-row"));
    return r.length === FIXTURE_ROWS ? r : null;
  });
  assert.equal(rows.length, FIXTURE_ROWS);
  const body = await exec(`return document.body.innerText;`);
  assert.ok(body.includes("243,877.50"), "the 243877.49999999997 donation is not shown as 243,877.50");
  assert.ok(body.includes("-1,500,000.00"), "the negative market transaction is missing");
  assert.ok(body.includes("ARB 42 Some Pilot"), "reason column missing");
  // Negative amounts are styled differently.
  const negCount = await exec(`return document.querySelectorAll('[data-testid="journal-amount"].neg').length;`);
  assert.equal(negCount, 2);
  // Newest first by default: the first row is the 4 March tax entry.
  const firstRow = await rowText(0);
  assert.match(firstRow, /2026-03-04/);
  await screenshot("journal");

  // The ref type filter lists the imported types and narrows the view.
  await select("journal-ref-type", "transaction_tax");
  await waitFor(`"1 entry" for transaction_tax`, async () => (await text("journal-total")) === "1 entry");
  assert.match((await rowText(0)) ?? "", /-22,500\.00/);
  await select("journal-ref-type", "");
  await waitFor("all entries again", async () => (await text("journal-total")) === `${FIXTURE_ROWS} entries`);

  // Text search (debounced) narrows to the donation.
  await typeInto("journal-search", "arb 42");
  await waitFor(`"1 entry" after searching`, async () => (await text("journal-total")) === "1 entry");
  await screenshot("journal-search");
  await typeInto("journal-search", "");
  await waitFor("all entries again", async () => (await text("journal-total")) === `${FIXTURE_ROWS} entries`);

  // Oldest first puts the donation on top.
  await click("journal-sort");
  await waitFor("oldest first", async () => {
    return /2026-03-01/.test((await rowText(0)) ?? "");
  });
  await click("journal-sort");
});

test("a large journal is virtualised and pages load while scrolling", async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "recon-e2e-"));
  const big = path.join(dir, "journal-big.json");
  let balance = 99884637750n; // cents: continues the fixture's last balance 998846377.50
  const entries = [];
  for (let i = 0; i < BIG_ROWS; i++) {
    balance += 100n + BigInt(i % 7);
    const amount = (100n + BigInt(i % 7)).toString().replace(/(\d{2})$/, ".$1");
    const bal = balance.toString().replace(/(\d{2})$/, ".$1");
    const t = new Date(Date.UTC(2026, 2, 5) + i * 60_000).toISOString().replace(/\.000Z$/, "Z");
    entries.push(
      `{"id":${30000000000 + i},"date":"${t}","ref_type":"bounty_prizes","description":"Bulk row ${i}","amount":${amount},"balance":${bal},"first_party_id":1000125,"second_party_id":90000001}`,
    );
  }
  writeFileSync(big, `[${entries.join(",")}]`);

  await runImport(big);
  await waitFor("big import result", async () => {
    const r = await importResult();
    return r.inserted === `${BIG_ROWS}` ? r : null;
  }, 60_000);

  const total = FIXTURE_ROWS + BIG_ROWS;
  await click("nav-journal");
  const label = `${total.toLocaleString("en-US")} entries`;
  await waitFor(`"${label}"`, async () => (await text("journal-total")) === label);
  const rendered = (await findAll(css("journal-row"))).length;
  assert.ok(rendered > 10 && rendered < 150, `expected a virtual window of rows, got ${rendered} rendered rows`);
  await screenshot("journal-big-top");

  // Jump to the bottom: the oldest row (the donation) needs a page that has not been fetched yet.
  await exec(
    `const el = document.querySelector('[data-testid="journal-scroller"]'); el.scrollTop = el.scrollHeight;
     el.dispatchEvent(new Event("scroll"));`,
  );
  await waitFor("the oldest row after scrolling to the bottom", async () => {
    const t = await exec(`return document.querySelector('[data-testid="journal-scroller"]').innerText;`);
    return t.includes("243,877.50") && t.includes("ARB 42 Some Pilot");
  });
  const renderedBottom = (await findAll(css("journal-row"))).length;
  assert.ok(renderedBottom < 150, `too many rows rendered at the bottom: ${renderedBottom}`);
  await screenshot("journal-big-bottom");
});

test("sync screen shows status and verifies the audit chain", async () => {
  await click("nav-sync");
  await waitFor("pending count", async () => /\d/.test((await text("sync-pending")) ?? ""));
  await click("audit-verify");
  const res = await waitFor("audit result", async () => (await text("audit-result")) ?? (await text("audit-error")));
  assert.match(res, /Intact/, `audit verify: ${res}`);
  const pending = await text("nav-pending");
  assert.match(pending ?? "", /^\d[\d,]*$/, "nav footer pending count");
  assert.notEqual(pending, "0", "imports should leave events to push");

  // No server configured: "Sync now" fails with a visible {code, message}.
  await click("sync-now");
  const noServer = await waitFor("sync error without a server", () => text("sync-error"));
  assert.ok(noServer.trim().length > 0);

  // A server on a closed loopback port: the push fails (off the UI thread) and the error is shown.
  await typeInto("sync-url", "http://127.0.0.1:9");
  await click("sync-save");
  await waitFor("saved server url", async () => /127\.0\.0\.1:9/.test(await exec(`return document.body.innerText;`)));
  await click("sync-now");
  await waitFor("the Sync now button to settle", async () => (await text("sync-now")) === "Sync now" && (await text("sync-error")));
  assert.equal(await text("nav-pending"), pending, "nothing was pushed");
  await screenshot("sync");
});
