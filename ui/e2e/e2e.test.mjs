// End-to-end test of the Recon Desk desktop app through tauri-driver (WebDriver, W3C protocol).
// Run by scripts/e2e.sh, which builds the app, starts tauri-driver under Xvfb on :4444 with
// RECON_DB pointing at a fresh ledger, and sets E2E_APP / E2E_OUT.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync, mkdtempSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, "..", "..");
const DRIVER = process.env.E2E_DRIVER ?? "http://127.0.0.1:4444";
const APP = process.env.E2E_APP ?? path.join(repo, "target", "debug", "recon-desk");
const OUT = process.env.E2E_OUT ?? path.join(repo, "target", "e2e");
const FIXTURE = path.join(here, "fixtures", "journal-main.json");
const FIXTURE_ROWS = 4;
const BIG_ROWS = 3000;
const WAIT_MS = 20_000;
const ELEMENT = "element-6066-11e4-a52e-4f735466cecf"; // W3C web element identifier

let session = null;
let shot = 0;

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

/** Polls `probe` until it returns a truthy value; fails with `what` and the last value seen. */
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

async function el(testid) {
  return waitFor(`element ${testid}`, async () => (await findAll(css(testid)))[0]);
}

async function click(testid) {
  await wd("POST", s(`/element/${await el(testid)}/click`), {});
}

async function text(testid) {
  const [id] = await findAll(css(testid));
  if (!id) return null;
  return wd("GET", s(`/element/${id}/text`));
}

async function typeInto(testid, value) {
  const id = await el(testid);
  await wd("POST", s(`/element/${id}/clear`), {});
  if (value === "") {
    // WebKitWebDriver refuses an empty key sequence: tell the app the field is now empty.
    await exec(`arguments[0].dispatchEvent(new Event("input", { bubbles: true }));`, { [ELEMENT]: id });
  } else {
    await wd("POST", s(`/element/${id}/value`), { text: value });
  }
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

/** innerText of the n-th rendered journal row (WebDriver's element text skips some grid cells). */
async function rowText(n) {
  return exec(`return document.querySelectorAll('[data-testid="journal-row"]')[arguments[0]]?.innerText ?? null;`, n);
}

async function screenshot(name) {
  if (!session) return;
  // Let WebKit paint the latest DOM changes first (two frames, or 500 ms if frames are throttled).
  await wd("POST", s("/execute/async"), {
    script: `const done = arguments[arguments.length - 1];
      const t = setTimeout(done, 500);
      requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(() => { clearTimeout(t); done(); }, 50)));`,
    args: [],
  });
  const b64 = await wd("GET", s("/screenshot"));
  shot += 1;
  const file = path.join(OUT, `${String(shot).padStart(2, "0")}-${name}.png`);
  writeFileSync(file, Buffer.from(b64, "base64"));
  return file;
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
  mkdirSync(OUT, { recursive: true });
  assert.ok(existsSync(APP), `app binary missing: ${APP}`);
  const created = await wd("POST", "/session", {
    capabilities: { alwaysMatch: { "tauri:options": { application: APP } } },
  });
  session = created.sessionId;
  await el("nav-journal");
});

after(async () => {
  if (session) {
    await wd("DELETE", `/session/${session}`).catch((e) => console.error(`closing session: ${e.message}`));
    session = null;
  }
});

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
  assert.match(msg, /invalid_input/);
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
