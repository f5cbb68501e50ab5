// End-to-end test of payment matching in the real window: the Review screen runs matching on
// fixtures, a suggestion is accepted with the keyboard (Enter) and undone (u), and the
// expected payment's status is checked both in the app and through the `recon` CLI on the
// same ledger. Run by scripts/e2e.sh (tauri-driver on E2E_DRIVER), one test file at a time.
//
// This file uses its own ledger, prepared with the `recon` CLI before the session opens: the
// app is started through a tiny wrapper script that points RECON_DB at it.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  ENTER, appOnLedger, closeSession, click, el, exec, innerText, openSession, press, reconOn, screenshot, text, typeInto, waitFor, wd, s, css, findAll,
} from "./harness.mjs";


let dir = null;
let ledger = null;

// ------------------------------------------------------------------ fixtures

const EXPECTED_CSV = `cycle_id,character_name,character_id,expected_amount,currency,memo
c1,Alpha,101,5000000000.00,ISK,
c1,Bravo,102,5000000000.00,ISK,
c1,Foxtrot,106,3000000000.00,ISK,
c1,Golf,107,1000000000.00,ISK,
c1,Hotel,108,1000000000.00,ISK,
c1,Nov1,114,1000000000.00,ISK,
c1,Nov2,115,1000000000.00,ISK,
`;

function entry(id, amount, reason, description, payer) {
  const e = {
    id,
    date: `2026-03-${String(1 + id).padStart(2, "0")}T10:00:00Z`,
    ref_type: "player_donation",
    description,
    first_party_id: payer,
    second_party_id: 90000001,
    amount: 0,
  };
  if (reason !== null) e.reason = reason;
  // Amounts are written as JSON number text, like ESI does.
  return JSON.stringify(e).replace('"amount":0', `"amount":${amount}`);
}

const JOURNAL = `[${[
  entry(1, "5000000000.00", "ARB c1 Alpha", "Alpha deposited cash", 101), // exact → matched
  entry(2, "4500000000", "ARB c1 Bravo", "Bravo deposited cash", 102), // exact, partial → adjusted
  entry(6, "3100000000", "ARB c1 Fxtrt", "Foxtrot deposited cash", 106), // distance 2 → unmatched
  entry(7, "1000000000", "", "Golf deposited cash", 107), // no memo → unmatched
  entry(14, "500000000", "ARB c1 Nov", "Someone deposited cash", 555), // Nov1/Nov2 tie → ambiguous
].join(",")}]`;

let recon = null;

function expectedByMemo() {
  const list = JSON.parse(recon("expected", "list", "--json"));
  return Object.fromEntries(list.map((e) => [e.memo, e]));
}

// ------------------------------------------------------------------ WebDriver












/** With the keyboard only: k to the top of the queue, then j down to the row showing `needle`. */
async function selectRowWith(needle) {
  const texts = await exec(`return [...document.querySelectorAll('[data-testid="review-row"]')].map((r) => r.innerText);`);
  const target = texts.findIndex((t) => t.includes(needle));
  assert.ok(target >= 0, `no row shows ${needle}: ${JSON.stringify(texts)}`);
  await exec(`document.activeElement?.blur?.();`);
  for (let i = 0; i < texts.length; i++) await press("k");
  for (let i = 0; i < target; i++) await press("j");
  return waitFor(`the row with ${needle} selected`, async () => {
    const t = await selectedRowText();
    return t && t.includes(needle) ? t : null;
  });
}

async function statusLineStarting(prefix) {
  return waitFor(`a status line starting "${prefix}"`, async () => {
    const t = await text("review-status");
    return t && t.startsWith(prefix) ? t : null;
  });
}

async function selectedRowText() {
  return innerText('[data-testid="review-row"][data-selected="true"]');
}


/** The status shown for `memo` on the Expected payments screen. */
async function uiStatusOf(memo) {
  await click("nav-expected");
  return waitFor(`row ${memo} on the Expected payments screen`, () =>
    exec(
      `const r = [...document.querySelectorAll('[data-testid="expected-row"]')].find((r) => r.dataset.memo === arguments[0]);
       return r ? r.dataset.status : null;`,
      memo,
    ),
  );
}

// ------------------------------------------------------------------ setup

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "recon-e2e-review-"));
  ledger = path.join(dir, "ledger.sqlite");
  recon = reconOn(ledger);
  writeFileSync(path.join(dir, "journal.json"), JOURNAL);
  writeFileSync(path.join(dir, "expected.csv"), EXPECTED_CSV);
  recon("wallet", "add", "Logistics", "--owner-id", "90000001", "--receiving");
  recon("import", "esi-journal", "--wallet", "Logistics", path.join(dir, "journal.json"));
  recon("import", "expected", path.join(dir, "expected.csv"));
  await openSession(appOnLedger(dir, ledger), "review-");
  await el("nav-review");
});
after(async () => {
  await closeSession();
  if (dir) rmSync(dir, { recursive: true, force: true });
});
// ------------------------------------------------------------------ tests

test("the dashboard shows the cycle before matching", async () => {
  await click("nav-dashboard");
  const awaiting = await waitFor("cycle c1 on the dashboard", () => text("dashboard-cycle-awaiting"));
  assert.equal(awaiting, "7");
  assert.equal(await text("dashboard-cycle-confirmed"), "0");
  await screenshot("dashboard-before");
});

test("runs matching from the Review screen and shows the summary", async () => {
  await click("nav-review");
  await el("review-run");
  // Before any run, every receipt is open: the five fixtures are in the receipt queues.
  await click("review-run");
  await waitFor("the run summary", () => text("review-summary"));
  const summary = {
    matched: await text("review-summary-matched"),
    adjusted: await text("review-summary-adjusted"),
    ambiguous: await text("review-summary-ambiguous"),
    unmatched: await text("review-summary-unmatched"),
  };
  assert.deepEqual(summary, { matched: "2", adjusted: "1", ambiguous: "1", unmatched: "2" });
  await waitFor("queue counts", async () => (await text("review-count-unmatched")) === "2");
  assert.equal(await text("review-count-ambiguous"), "1");
  assert.equal(await text("review-count-awaiting"), "5");
  // The why of the Foxtrot suggestion: distance 2 for 85 points, payer equal.
  const body = await innerText('[data-testid="review-list"]');
  assert.match(body, /memo distance 2 \+85/);
  assert.match(body, /payer equal/);
  assert.match(body, /3,100,000,000\.00/);

  const e = expectedByMemo();
  assert.equal(e["ARB c1 Alpha"].status, "confirmed");
  assert.equal(e["ARB c1 Bravo"].amount_adjusted, true);
  assert.equal(e["ARB c1 Foxtrot"].status, "awaiting_payment");
  await screenshot("review-after-run");
});

test("accepts a suggestion with the keyboard, then undoes it with u", async () => {
  // Keyboard only from here: k to the top, then j down to the Foxtrot receipt (#6).
  const keys = await exec(`return [...document.querySelectorAll('[data-testid="review-row"]')].map((r) => r.dataset.key);`);
  const target = await exec(
    `return [...document.querySelectorAll('[data-testid="review-row"]')].findIndex((r) => r.innerText.includes("ARB c1 Fxtrt"));`,
  );
  assert.ok(target >= 0, `no Foxtrot receipt among ${JSON.stringify(keys)}`);
  for (let i = 0; i < keys.length; i++) await press("k");
  await waitFor("the first row selected", async () => (await exec(
    `return document.querySelector('[data-testid="review-row"]')?.dataset.selected === "true";`,
  )));
  for (let i = 0; i < target; i++) await press("j");
  const sel = await waitFor("the Foxtrot receipt selected", async () => {
    const t = await selectedRowText();
    return t && t.includes("ARB c1 Fxtrt") ? t : null;
  });
  assert.match(sel, /ARB c1 Foxtrot/, "its top suggestion is Foxtrot");
  await screenshot("review-selected");

  // Foxtrot scores 85, below the 100 a match needs: Enter asks first and accepts nothing.
  await press(ENTER);
  const question = await waitFor("the accept question", () => text("confirm-accept-question"));
  assert.match(question, /^“ARB c1 Foxtrot” is awaiting payment \(nothing received yet\)\. This suggestion scores 85, below the 100 a match needs\./);
  assert.match(question, /becomes 3,100,000,000\.00 ISK, 100,000,000\.00 more than expected/);
  assert.equal(expectedByMemo()["ARB c1 Foxtrot"].status, "awaiting_payment", "one key accepted a sub-threshold suggestion");
  await screenshot("review-accept-question");
  await press("y");
  const accepted = await waitFor("the accepted status line", async () => {
    const t = await text("review-status");
    return t && t.startsWith("accepted") ? t : null;
  });
  assert.equal(accepted, "accepted: ARB c1 Foxtrot ← 6");
  await waitFor("the receipt leaves the unmatched queue", async () => (await text("review-count-unmatched")) === "1");
  assert.equal(await text("review-count-awaiting"), "4");
  await screenshot("review-accepted");

  let fox = expectedByMemo()["ARB c1 Foxtrot"];
  assert.equal(fox.status, "confirmed");
  assert.equal(fox.actual_amount, "3100000000.00");
  assert.equal(fox.amount_adjusted, true);
  assert.deepEqual(fox.journal_ids, ["6"]);
  assert.equal(fox.match_type, "manual");
  assert.equal(await uiStatusOf("ARB c1 Foxtrot"), "confirmed");
  await screenshot("expected-confirmed");

  // Back to the queue; u undoes the acceptance.
  await click("nav-review");
  await waitFor("the review queue", async () => (await text("review-count-unmatched")) === "1");
  await exec(`document.activeElement?.blur?.();`);
  await press("u");
  const undone = await waitFor("the undone status line", async () => {
    const t = await text("review-status");
    return t && t.startsWith("undone") ? t : null;
  });
  assert.match(undone, /^undone: accept/);
  assert.match(undone, /ARB c1 Foxtrot/);
  await waitFor("the receipt back in the unmatched queue", async () => (await text("review-count-unmatched")) === "2");
  await screenshot("review-undone");

  fox = expectedByMemo()["ARB c1 Foxtrot"];
  assert.equal(fox.status, "awaiting_payment");
  assert.equal(fox.actual_amount, null);
  assert.deepEqual(fox.journal_ids, []);
  assert.equal(await uiStatusOf("ARB c1 Foxtrot"), "awaiting_payment");
});

test("keys typed into the search box filter instead of acting", async () => {
  await click("nav-review");
  await waitFor("the review queue", async () => (await text("review-count-unmatched")) === "2");
  await exec(`document.activeElement?.blur?.();`);
  await press("/");
  await waitFor("the search box focused", () =>
    exec(`return document.activeElement?.dataset?.testid === "review-search";`),
  );
  // "golf" holds "l" (next queue) and "search" holds "s" (split), "h" (previous queue): typed
  // into the box, they only filter.
  for (const k of "golf") await press(k);
  await waitFor("one row left", async () => (await findAll(css("review-row"))).length === 1);
  assert.equal(await exec(`return document.querySelector('[data-testid="review-search"]').value;`), "golf");
  assert.equal(await exec(`return document.querySelector('[data-testid="review-tab-unmatched"]').getAttribute("aria-selected");`), "true");
  assert.equal((await text("review-status")) ?? "", "", "a key in the search box acted on the queue");
  assert.equal((await findAll(css("split-dialog"))).length, 0);
  await screenshot("review-search");
});

test("the dashboard counts the queues and the confirmed total", async () => {
  await click("nav-dashboard");
  await waitFor("queue counts", async () => /^2\b/.test((await text("dashboard-unmatched")) ?? ""));
  assert.match(await text("dashboard-ambiguous"), /^1\b/);
  assert.match(await text("dashboard-awaiting"), /^5\b/);
  assert.equal(await text("dashboard-cycle-confirmed"), "2");
  assert.equal(await text("dashboard-cycle-confirmed-total"), "9,500,000,000.00");
  await screenshot("dashboard-after");
});

test("on the awaiting queue, Enter accepts the top receipt of the selected expected payment", async () => {
  await click("nav-review");
  await waitFor("the review queue", async () => (await text("review-count-awaiting")) === "5");
  await exec(`document.activeElement?.blur?.();`);
  await press("l");
  await press("l");
  await waitFor("the awaiting tab", () =>
    exec(`return document.querySelector('[data-testid="review-tab-awaiting"]').getAttribute("aria-selected") === "true";`),
  );
  const row = await selectRowWith("ARB c1 Foxtrot");
  assert.match(row, /#6/, "the Foxtrot receipt is suggested");
  await press(ENTER);
  assert.match(await waitFor("the accept question", () => text("confirm-accept-question")), /scores 85, below the 100/);
  assert.equal(expectedByMemo()["ARB c1 Foxtrot"].status, "awaiting_payment");
  await press("y");
  assert.equal(await statusLineStarting("accepted"), "accepted: ARB c1 Foxtrot ← 6");
  assert.equal(expectedByMemo()["ARB c1 Foxtrot"].status, "confirmed");
  await waitFor("4 awaiting", async () => (await text("review-count-awaiting")) === "4");
  await press("u");
  await statusLineStarting("undone");
  assert.equal(expectedByMemo()["ARB c1 Foxtrot"].status, "awaiting_payment");
});

test("bulk accept shows the count first, then accepts; u undoes it", async () => {
  await typeInto("bulk-score", "80");
  await click("bulk-preview");
  const count = await waitFor("the bulk count", () => text("bulk-count"));
  assert.equal(count, "1", "only Foxtrot (85) scores ≥ 80 untied");
  assert.equal(expectedByMemo()["ARB c1 Foxtrot"].status, "awaiting_payment", "a dry run changes nothing");
  await screenshot("bulk-confirm");
  await click("bulk-confirm");
  assert.equal(await statusLineStarting("bulk accepted"), "bulk accepted: 1 suggestion scoring ≥ 80");
  assert.equal(expectedByMemo()["ARB c1 Foxtrot"].status, "confirmed");
  await exec(`document.activeElement?.blur?.();`);
  await press("u");
  assert.match(await statusLineStarting("undone"), /^undone: bulk accept/);
  assert.equal(expectedByMemo()["ARB c1 Foxtrot"].status, "awaiting_payment");
});

test("a receipt is split across two expected payments in the split dialog", async () => {
  await exec(`document.activeElement?.blur?.();`);
  await press("h");
  await press("h");
  await waitFor("the unmatched tab", () =>
    exec(`return document.querySelector('[data-testid="review-tab-unmatched"]').getAttribute("aria-selected") === "true";`),
  );
  await selectRowWith("Golf deposited cash");
  await press("s");
  await el("split-dialog");
  assert.equal(await exec(`return document.querySelector('[data-testid="split-memo-0"]').value;`), "ARB c1 Golf");
  await typeInto("split-memo-1", "ARB c1 Hotel");
  await typeInto("split-amount-0", "600000000");
  await typeInto("split-amount-1", "400000000.00");
  await waitFor("nothing left to assign", async () => /left to assign: 0\.00 ISK/.test((await text("split-left")) ?? ""));
  await screenshot("split");
  await click("split-submit");
  assert.match(await statusLineStarting("split"), /^split: 7 → ARB c1 Golf \(600000000\), ARB c1 Hotel \(400000000\.00\)$/);
  let e = expectedByMemo();
  assert.equal(e["ARB c1 Golf"].status, "confirmed");
  assert.equal(e["ARB c1 Golf"].actual_amount, "600000000.00");
  assert.equal(e["ARB c1 Hotel"].status, "confirmed");
  assert.equal(e["ARB c1 Hotel"].actual_amount, "400000000.00");
  await exec(`document.activeElement?.blur?.();`);
  await press("u");
  await statusLineStarting("undone");
  e = expectedByMemo();
  assert.equal(e["ARB c1 Golf"].status, "awaiting_payment");
  assert.equal(e["ARB c1 Hotel"].status, "awaiting_payment");
});

test("Export CSV writes the three queues to the path asked for", async () => {
  const out = path.join(dir, "review.csv");
  await click("review-export-open");
  await typeInto("review-export-path", out);
  await click("review-export-submit");
  await waitFor("the export message", async () => /^Exported \d+ review rows? to /.test((await text("review-export-done")) ?? ""));
  const n = Number(/^Exported (\d+)/.exec(await text("review-export-done"))[1]);
  const csv = readFileSync(out, "utf8").split("\r\n");
  assert.match(csv[0], /^queue,journal_id,wallet,date,amount,currency,payer_id,description,/);
  assert.equal(csv.length, n + 2, "header, one line per queued item, final CRLF");
});
