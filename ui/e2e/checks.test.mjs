// End-to-end test of wallet checks in the real window (SPEC §8): the platform's three files
// are imported from the Checks screen, the wallet check runs, a fixable wallet is fixed after
// a confirmation listing its amount (one by button, one with the keyboard), the review list
// and the kept history are read, and a continuity break in an ESI journal opens the Journal
// at its place. The app's answers are checked against the `recon` CLI on the same ledger.
// Screenshots at 1280×720 (checks-*.png in target/e2e/). Run by scripts/e2e.sh.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  ENTER, appOnLedger, closeSession, click, el, elBy, exec, innerText, openSession, press, reconOn, screenshot, text, typeInto, waitFor, wd, s,
} from "./harness.mjs";

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures");
const FILES = {
  wallets: path.join(fixtures, "checks-workspace-wallets.csv"),
  activations: path.join(fixtures, "checks-activations.csv"),
  transactions: path.join(fixtures, "checks-wallet-transactions.csv"),
};
// An ESI journal with running balances; the entry of 2026-03-03 (−30.00) is missing from it.
const JOURNAL = path.join(fixtures, "checks-journal.json");

let dir = null;
let recon = null;

/** The Checks report as data: per wallet its status, action, fixed flag and texts. */
async function reportRows(testid = "check-report") {
  return exec(
    `return [...document.querySelectorAll('[data-testid="' + arguments[0] + '-row"]')].map((r) => ({
      wallet: r.dataset.wallet,
      status: r.dataset.status,
      action: r.dataset.action,
      fixed: r.dataset.fixed === "true",
      tone: r.querySelector('[data-testid="check-status"]')?.dataset.tone ?? null,
      badge: r.querySelector('[data-testid="check-status"]')?.innerText.trim() ?? null,
      discrepancy: r.querySelector('[data-testid="check-discrepancy"]')?.innerText ?? null,
      actionText: r.querySelector('[data-testid="check-action"]')?.innerText.trim() ?? null,
    }));`,
    testid,
  );
}

async function rowOf(wallet, testid = "check-report") {
  return waitFor(`report row ${wallet}`, async () => (await reportRows(testid)).find((r) => r.wallet === wallet));
}

async function statusLine(prefix) {
  return waitFor(`a status line starting "${prefix}"`, async () => {
    const t = await text("check-status-line");
    return t && t.startsWith(prefix) ? t : null;
  });
}

const cliJson = (...args) => JSON.parse(recon(...args, "--json"));

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "recon-e2e-checks-"));
  const ledger = path.join(dir, "ledger.sqlite");
  recon = reconOn(ledger);
  recon("wallet", "add", "Ops Char", "--owner-id", "90000002");
  recon("import", "esi-journal", "--wallet", "Ops Char", JOURNAL);
  await openSession(appOnLedger(dir, ledger), "checks-");
  // The screenshots of this file are 1280×720.
  await wd("POST", s("/window/rect"), { width: 1280, height: 720 }).catch((e) => console.error(`resizing: ${e.message}`));
  await el("nav-checks");
});
after(async () => {
  await closeSession();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test("imports the three platform files from the Checks screen", async () => {
  await click("nav-checks");
  await waitFor("the empty report", () => text("check-empty"));
  await click("check-tab-import");
  await typeInto("check-import-path-wallets", FILES.wallets);
  await typeInto("check-import-path-activations", FILES.activations);
  await typeInto("check-import-path-transactions", FILES.transactions);
  await click("check-import-all");
  await waitFor("the transactions imported", async () => (await text("check-import-inserted-transactions")) === "7");
  assert.equal(await text("check-import-read-wallets"), "5");
  assert.equal(await text("check-import-inserted-wallets"), "5");
  assert.equal(await text("check-import-read-activations"), "9");
  assert.equal(await text("check-import-inserted-activations"), "9");
  await screenshot("import");
  // Importing the same file again changes nothing.
  await click("check-import-run-activations");
  await waitFor("the re-import's answer", async () => /unchanged 9/.test((await text("check-import-result-activations")) ?? ""));
  assert.equal(await text("check-import-inserted-activations"), "0");
});

test("runs the wallet check: each wallet's status and action in colour and text", async () => {
  await click("check-tab-wallets");
  await click("check-run");
  await statusLine("checked 5 wallets");
  const rows = Object.fromEntries((await reportRows()).map((r) => [r.wallet, r]));
  assert.deepEqual(Object.keys(rows).sort(), ["wal-large", "wal-over", "wal-poor", "wal-synced", "wal-under"]);
  assert.deepEqual(
    [rows["wal-over"].status, rows["wal-over"].action, rows["wal-over"].tone, rows["wal-over"].discrepancy],
    ["discrepancy", "auto_fix", "fix", "3.50"],
  );
  assert.match(rows["wal-over"].badge, /discrepancy · auto-fix/);
  assert.deepEqual([rows["wal-under"].action, rows["wal-under"].discrepancy], ["auto_fix", "-2.00"]);
  assert.deepEqual([rows["wal-large"].action, rows["wal-large"].tone, rows["wal-large"].discrepancy], ["review", "review", "50.00"]);
  assert.deepEqual([rows["wal-poor"].action, rows["wal-poor"].discrepancy], ["review", "-5.00"]);
  assert.match(rows["wal-poor"].actionText, /insufficient balance/);
  assert.deepEqual([rows["wal-synced"].status, rows["wal-synced"].tone, rows["wal-synced"].badge], ["synced", "ok", "synced"]);
  assert.equal(await text("check-count-review"), "2");
  await screenshot("report");
});

test("fixes one wallet after a confirmation listing its amount", async () => {
  const button = await elBy('[data-testid="check-report-row"][data-wallet="wal-over"] [data-testid="check-fix-one"]');
  await wd("POST", s(`/element/${button}/click`), {});
  await el("fix-confirm");
  assert.equal(await text("fix-confirm-title"), "Fix 1 wallet?");
  assert.equal(await text("fix-confirm-lines"), "unlock 3.50 NGN to the balance of wallet wal-over (workspace ws-over)");
  assert.equal(await text("fix-confirm-totals"), "NGN: unlock 3.50");
  await screenshot("fix-confirm");
  await click("fix-confirm-ok");
  assert.match(await statusLine("fixed 1 wallet"), /^fixed 1 wallet: wal-over unlocked 3\.50 NGN/);
  assert.equal((await rowOf("wal-over")).fixed, true);
  assert.equal((await rowOf("wal-over")).tone, "fixed");
  assert.equal((await rowOf("wal-under")).fixed, false, "only the confirmed wallet is fixed");
  await screenshot("fixed");
});

test("with the keyboard: f asks, Escape cancels, f and Enter fix the selected wallet", async () => {
  const rows = await reportRows();
  const target = rows.findIndex((r) => r.wallet === "wal-under");
  await exec(`document.activeElement?.blur?.();`);
  for (let i = 0; i < rows.length; i++) await press("k");
  for (let i = 0; i < target; i++) await press("j");
  await waitFor("wal-under selected", () =>
    exec(`return document.querySelector('[data-testid="check-report-row"][data-selected="true"]')?.dataset.wallet === "wal-under";`),
  );
  await press("f");
  await el("fix-confirm");
  assert.equal(await text("fix-confirm-lines"), "lock 2.00 NGN from the balance of wallet wal-under (workspace ws-under)");
  await press("\uE00C"); // Escape
  await waitFor("the dialog closed", async () => (await text("fix-confirm")) === null);
  assert.equal((await rowOf("wal-under")).fixed, false, "a cancelled fix changes nothing");
  await press("f");
  await el("fix-confirm");
  await press(ENTER);
  // The previous test's "fixed 1 wallet: wal-over …" may still be shown: wait for this fix's line.
  assert.match(await statusLine("fixed 1 wallet: wal-under"), /^fixed 1 wallet: wal-under locked 2\.00 NGN/);
});

test("the review list holds the wallets that cannot be fixed here", async () => {
  await click("check-tab-review");
  const rows = await waitFor("two wallets to review", async () => {
    const r = await reportRows("check-review");
    return r.length === 2 ? r : null;
  });
  assert.deepEqual(rows.map((r) => r.wallet).sort(), ["wal-large", "wal-poor"]);
  await screenshot("review-list");
});

test("the history keeps every run with its report, as the CLI lists it", async () => {
  await click("check-tab-history");
  const runs = await waitFor("three runs", async () => {
    const ids = await exec(`return [...document.querySelectorAll('[data-testid="check-history-row"]')].map((r) => r.dataset.run);`);
    return ids.length === 3 ? ids : null;
  });
  const cli = cliJson("check", "history");
  assert.deepEqual(runs, cli.map((r) => r.run_id), "the app lists the CLI's runs, newest first");
  // The oldest run is the plain check; open the first fix (the middle run).
  const open = await elBy(`[data-testid="check-history-row"][data-run="${runs[1]}"] [data-testid="check-history-open"]`);
  await wd("POST", s(`/element/${open}/click`), {});
  const over = await rowOf("wal-over", "check-history-report");
  assert.equal(over.fixed, true);
  assert.match(over.actionText, /unlocked 3\.50 NGN/);
  const shown = cliJson("check", "show", runs[1]);
  assert.equal(shown.wallets.find((w) => w.wallet_id === "wal-over").adjustment, "-3.50");
  await waitFor("the runs and the open report", async () =>
    (await exec(`return document.querySelectorAll('[data-testid="check-history-row"]').length;`)) === 3 && (await text("check-history-report-title")),
  );
  await screenshot("history");
});

test("the ledger agrees: a new check finds the fixed wallets synced", async () => {
  const run = cliJson("check", "wallets");
  const by = Object.fromEntries(run.wallets.map((w) => [w.wallet_id, w]));
  assert.equal(by["wal-over"].status, "synced");
  assert.equal(by["wal-under"].status, "synced");
  assert.equal(by["wal-large"].action, "review");
  assert.equal(by["wal-poor"].reason, "insufficient balance");
});

test("continuity: a missing journal entry is a break that opens the Journal at its place", async () => {
  await click("check-tab-continuity");
  await click("continuity-run");
  const wallet = await elBy('[data-testid="continuity-wallet"][data-wallet="Ops Char"]');
  assert.ok(wallet);
  assert.equal(await exec(`return document.querySelector('[data-testid="continuity-wallet"][data-wallet="Ops Char"]').dataset.breaks;`), "1");
  assert.equal(await text("continuity-missing"), "-30.00");
  const cli = cliJson("check", "continuity");
  assert.equal(cli.find((w) => w.wallet === "Ops Char").breaks[0].missing_amount, "-30.00");
  await screenshot("continuity");

  await click("continuity-open");
  await waitFor("the break's banner", async () => /-30\.00/.test((await text("journal-target")) ?? ""));
  const after = await waitFor("the line after the gap marked", () => innerText('[data-testid="journal-row"][data-target="after-gap"]'));
  assert.match(after, /2026-03-05/);
  // The Balance column is the running balance (1,150.00 + 10.00); the line's own stated
  // 1,130.00 is behind the ≠ mark that says lines are missing before it.
  assert.match(after, /≠ 1,160\.00/);
  const stated = await exec(`return document.querySelector('[data-testid="journal-row"][data-target="after-gap"] [data-testid="journal-balance-differs"]').title;`);
  assert.match(stated, /states 1,130\.00 ISK/);
  const beforeGap = await innerText('[data-testid="journal-row"][data-target="before-gap"]');
  assert.match(beforeGap, /2026-03-02/);
  assert.match(beforeGap, /1,150\.00/);
  assert.equal(await exec(`return document.querySelector('[data-testid="journal-wallet"]').value;`), "Ops Char");
  await screenshot("journal-break");
});

test("the dashboard shows the latest check", async () => {
  await click("nav-dashboard");
  await el("dashboard-checks");
  const latest = cliJson("check", "history")[0];
  assert.equal(await exec(`return document.querySelector('[data-testid="dashboard-checks"]').dataset.run;`), latest.run_id);
  assert.match(await text("dashboard-checks-synced"), new RegExp(`^${latest.synced}\\b`));
  assert.match(await text("dashboard-checks-discrepancies"), new RegExp(`^${latest.discrepancies}\\b`));
  assert.match(await text("dashboard-checks-review"), /^2\b/);
  await screenshot("dashboard");
});

test("a currency's auto-fix level is changed on the Checks screen and the next run follows it", async () => {
  await click("nav-checks");
  await click("check-tab-wallets");
  const change = await elBy('[data-testid="check-level-change"][data-currency="NGN"]');
  await wd("POST", s(`/element/${change}/click`), {});
  await typeInto("check-level-auto-fix", "60.00");
  await click("check-level-save");
  await waitFor("the saved level", async () => /NGN: .*auto-fix below 60(\.00)?\b/.test((await text("check-levels")) ?? ""));
  assert.match(recon("check", "thresholds"), /^NGN\s+\S+\s+\S+\s+60(\.00)?\s/m, "the CLI reads the new level");
  await click("check-run");
  await statusLine("checked 5 wallets");
  assert.equal((await rowOf("wal-large")).action, "auto_fix", "50.00 is below the new level");
  assert.equal((await rowOf("wal-poor")).action, "review", "the balance still cannot cover it");
});
