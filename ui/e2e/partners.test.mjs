// End-to-end test of partner earnings in the real window: on the Partners screen a conversion
// is approved with the keyboard (a), another rejected with a reason (x); its ledger entry shows
// its postings and audit trail; the Dashboard's program totals change; the entry is reversed
// with a reason (v, the confirmation naming the amount); the entries are exported (e); and the
// Dashboard's earnings chart is captured. Every step is checked through the `recon` CLI on the
// same ledger too. Screenshots at 1280×720 (the window is resized for them).
//
// The ledger is prepared with the CLI (program, a sponsor, a three-level affiliate chain,
// conversions, settlements) before the app opens on it through a wrapper (RECON_DB).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ENTER, appOnLedger, click, closeSession, css, el, exec, findAll, innerText, openSession, press, reconOn, s, screenshot, text, typeInto, waitFor, wd } from "./harness.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const PAYOUT = "1250000.00";

let dir = null;
let recon = null;

const entries = () => JSON.parse(recon("ledger", "list", "--program", "spring", "--json"));
const conversions = () => JSON.parse(recon("conversion", "list", "--program", "spring", "--json"));
const entryOf = (sourceRef) => entries().find((e) => e.source_ref === sourceRef);

/** Exact decimal sum of two amount strings at scale 2 (no floats). */
function add2(a, b) {
  const minor = (x) => {
    const [i, f = ""] = x.replace(/,/g, "").split(".");
    const neg = i.startsWith("-");
    const v = BigInt(i.replace("-", "") + f.padEnd(2, "0").slice(0, 2));
    return neg ? -v : v;
  };
  const v = minor(a) + minor(b);
  const abs = (v < 0n ? -v : v).toString().padStart(3, "0");
  const int = abs.slice(0, -2).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${v < 0n ? "-" : ""}${int}.${abs.slice(-2)}`;
}

/** Width and height of a PNG file (its IHDR chunk). */
function pngSize(file) {
  const b = readFileSync(file);
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
}

async function blurAll() {
  await exec(`document.activeElement?.blur?.();`);
}

async function partnersTab(id) {
  await click(`partners-tab-${id}`);
  await waitFor(`the ${id} tab`, () => exec(`return document.querySelector(arguments[0])?.getAttribute("aria-selected") === "true";`, css(`partners-tab-${id}`)));
  await blurAll();
}

/** With the keyboard only: k to the top of the tab's rows, then j down to the row matching `attr`. */
async function selectRow(rowTestid, attr, value) {
  const values = await exec(`return [...document.querySelectorAll(arguments[0])].map((r) => r.getAttribute(arguments[1]));`, css(rowTestid), attr);
  const target = values.indexOf(value);
  assert.ok(target >= 0, `no ${rowTestid} with ${attr}=${value}: ${JSON.stringify(values)}`);
  await blurAll();
  for (let i = 0; i < values.length; i++) await press("k");
  for (let i = 0; i < target; i++) await press("j");
  await waitFor(`${rowTestid} ${value} selected`, () =>
    exec(`return document.querySelector(arguments[0] + '[data-selected="true"]')?.getAttribute(arguments[1]) === arguments[2];`, css(rowTestid), attr, value),
  );
}

async function statusLineStarting(prefix) {
  return waitFor(`a status line starting "${prefix}"`, async () => {
    const t = await text("partners-status");
    return t && t.startsWith(prefix) ? t : null;
  });
}

async function dashboardCard() {
  await click("nav-dashboard");
  await el("dashboard-program");
  return {
    total: await text("dashboard-program-total"),
    pending: await text("dashboard-program-pending"),
    paid: await text("dashboard-program-paid"),
    reversed: await text("dashboard-program-reversed"),
  };
}

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "recon-e2e-partners-"));
  const ledger = path.join(dir, "ledger.sqlite");
  recon = reconOn(ledger);
  for (const f of ["partners-conversions.csv", "partners-settlements.csv"]) copyFileSync(path.join(here, "fixtures", f), path.join(dir, f));
  recon("program", "add", "spring", "--name", "Spring Hunt", "--currency", "ISK", "--direct-rate", "10", "--override-rate", "2.5");
  recon("entity", "add", "--program", "spring", "--type", "sponsor", "--ref", "acme", "--name", "Acme Corp", "--payout-per-conversion", PAYOUT);
  recon("entity", "add", "--program", "spring", "--type", "affiliate", "--ref", "a1", "--name", "Top affiliate");
  recon("entity", "add", "--program", "spring", "--type", "affiliate", "--ref", "b1", "--name", "Middle affiliate", "--parent", "a1");
  recon("entity", "add", "--program", "spring", "--type", "affiliate", "--ref", "c1", "--name", "Leaf affiliate", "--parent", "b1");
  recon("import", "conversions", "--program", "spring", path.join(dir, "partners-conversions.csv"));
  recon("import", "settlements", "--program", "spring", path.join(dir, "partners-settlements.csv"));
  await openSession(appOnLedger(dir, ledger), "partners-");
  await el("nav-partners");
  // The screenshots are 1280×720 (the window opens at 1280×800).
  await wd("POST", s("/window/rect"), { width: 1280, height: 720 }).catch((e) => console.error(`resizing the window: ${e.message}`));
});
after(async () => {
  await closeSession();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

let before0 = null;

test("the dashboard shows the program's totals before any approval", async () => {
  before0 = await dashboardCard();
  // the settlements' commissions are already pending: 100.00 + 25.00 (set-1 under c1 ← b1) + 40.00 + 10.00 (set-2 under b1 ← a1)
  assert.equal(before0.pending, "175.00");
  assert.equal(before0.reversed, "0.00");
  const file = await screenshot("dashboard-before");
  assert.deepEqual(pngSize(file), { width: 1280, height: 720 });
});

test("the entities tab shows the affiliate tree", async () => {
  await click("nav-partners");
  await partnersTab("entities");
  const depths = await exec(`return Object.fromEntries([...document.querySelectorAll('[data-testid="entity-row"]')].map((r) => [r.dataset.ref, r.dataset.depth]));`);
  assert.deepEqual(depths, { a1: "0", b1: "1", c1: "2", acme: "0" });
  await screenshot("entities-tree");
});

test("approves a conversion with the keyboard; approving again reports already exists", async () => {
  await partnersTab("conversions");
  await selectRow("conversion-row", "data-id", "conv-1");
  await press("a");
  const line = await statusLineStarting("approved");
  const entry = entryOf("conv-1");
  assert.ok(entry, "the CLI sees the conversion's entry");
  assert.equal(line, `approved: conv-1 → entry #${entry.id}`);
  assert.equal(entry.status, "pending");
  assert.equal(entry.earnings_amount, PAYOUT);
  assert.equal(entry.entity_ref, "acme");
  await waitFor("conv-1 shown approved", () => exec(`return document.querySelector('[data-testid="conversion-row"][data-id="conv-1"]')?.dataset.status === "approved";`));
  assert.equal(conversions().find((c) => c.conversion_id === "conv-1").status, "approved");
  await screenshot("conversion-approved");

  await blurAll();
  await press("a");
  await statusLineStarting("already exists");
  assert.equal(entries().filter((e) => e.source_ref === "conv-1").length, 1, "approving twice wrote one entry");
});

test("rejects a conversion with a reason", async () => {
  await selectRow("conversion-row", "data-id", "conv-2");
  await press("x");
  await el("reject-dialog");
  await typeInto("reject-dialog-reason", "duplicate sign-up");
  await click("reject-dialog-submit");
  await statusLineStarting("rejected: conv-2");
  const c = conversions().find((x) => x.conversion_id === "conv-2");
  assert.equal(c.status, "rejected");
  assert.equal(entryOf("conv-2"), undefined, "a rejected conversion has no entry");
});

test("the ledger shows the entry with its postings and audit trail", async () => {
  await partnersTab("ledger");
  const id = String(entryOf("conv-1").id);
  await selectRow("ledger-row", "data-id", id);
  await press(ENTER);
  await waitFor("the entry's detail", () => exec(`return document.querySelector('[data-testid="entry-detail"]')?.dataset.id === arguments[0];`, id));
  const accounts = await exec(`return [...document.querySelectorAll('[data-testid="entry-posting"]')].map((r) => r.dataset.account).sort();`);
  assert.deepEqual(accounts, ["program:spring:expense", "sponsor:acme:liability"]);
  assert.ok((await findAll(css("entry-audit-record"))).length >= 1, "the entry has an audit record");
  assert.match(await text("entry-detail-earnings"), /1,250,000\.00 ISK/);
  await screenshot("entry-detail");

  // the status filter narrows the list
  await exec(`const e = document.querySelector('[data-testid="ledger-filter-status"]'); e.value = "reversed"; e.dispatchEvent(new Event("change", { bubbles: true }));`);
  await waitFor("no reversed entries yet", async () => (await findAll(css("ledger-row"))).length === 0);
  await exec(`const e = document.querySelector('[data-testid="ledger-filter-status"]'); e.value = ""; e.dispatchEvent(new Event("change", { bubbles: true }));`);
  await waitFor("the entries back", async () => (await findAll(css("ledger-row"))).length === entries().length);
});

test("the dashboard's totals include the approved conversion", async () => {
  const now = await dashboardCard();
  assert.equal(now.pending, add2(before0.pending, PAYOUT));
  await screenshot("dashboard-after-approval");
});

test("reverses the entry with a reason after a confirmation naming the amount", async () => {
  await click("nav-partners");
  await partnersTab("ledger");
  const original = entryOf("conv-1");
  await selectRow("ledger-row", "data-id", String(original.id));
  await press("v");
  await el("reverse-dialog");
  const question = await text("reverse-dialog-question");
  assert.match(question, /1,250,000\.00 ISK/);
  assert.match(question, /-1,250,000\.00 ISK/);
  assert.match(await text("reverse-dialog-submit"), /Reverse 1,250,000\.00 ISK/);
  await typeInto("reverse-dialog-reason", "sponsor cancelled");
  await screenshot("reverse-confirm");
  await click("reverse-dialog-submit");
  const line = await statusLineStarting("reversed");
  const after = entries();
  const orig = after.find((e) => e.id === original.id);
  const reversal = after.find((e) => e.reverses === original.id);
  assert.equal(orig.status, "reversed");
  assert.ok(reversal, "a reversal entry exists");
  assert.equal(orig.reversed_by, reversal.id);
  assert.equal(reversal.earnings_amount, "-" + PAYOUT);
  assert.equal(line, `reversed: entry #${original.id} (1,250,000.00 ISK) by entry #${reversal.id}`);
  await waitFor("the entry shown reversed", () => exec(`return document.querySelector('[data-testid="ledger-row"][data-id="${original.id}"]')?.dataset.status === "reversed";`));
  assert.ok(JSON.parse(recon("ledger", "verify", "--json")).ok, "the ledger still balances");
  await screenshot("entry-reversed");
  await click("partners-verify");
  assert.match(await statusLineStarting("ledger balances"), /every one Σ debits = Σ credits/);

  const card = await dashboardCard();
  assert.equal(card.pending, before0.pending, "the reversed payout is no longer pending");
  assert.equal(card.reversed, "1,250,000.00");
});

test("exports the program's entries as CSV, formula cells neutralised", async () => {
  await click("nav-partners");
  await partnersTab("conversions");
  await selectRow("conversion-row", "data-id", "conv-3");
  await press("a");
  await statusLineStarting("approved: conv-3");
  await blurAll();
  await press("e");
  await el("export-dialog");
  const out = path.join(dir, "export.csv");
  await typeInto("export-path", out);
  await click("export-submit");
  await statusLineStarting("exported");
  assert.ok(existsSync(out), "the CSV file was written");
  const csv = readFileSync(out, "utf8");
  assert.match(csv, /conv-1/);
  assert.match(csv, /-1250000\.00/, "the reversal's amount, a plain decimal");
  // no cell may start a formula (amounts may start with "-": they are numbers, not text)
  assert.ok(!/(^|,)"?[=+@]/m.test(csv), `a formula cell was left live:\n${csv}`);
  if (entries().some((e) => e.description.startsWith("="))) assert.match(csv, /'=HYPERLINK/);
});

test("the dashboard's earnings chart", async () => {
  await click("nav-dashboard");
  await waitFor("the chart's bars", async () => (await findAll(css("earnings-chart-bar"))).length > 0);
  const bars = await exec(`return [...document.querySelectorAll('[data-testid="earnings-chart-bar"]')].map((b) => b.dataset.period + " " + b.dataset.status + " " + b.dataset.amount);`);
  // the settlements of February, the conversions and settlement of March
  assert.ok(bars.some((b) => b.startsWith("2026-02 pending 125.00")), JSON.stringify(bars));
  assert.ok(bars.some((b) => b.startsWith("2026-03 reversed")), JSON.stringify(bars));
  await exec(`document.querySelector('[data-testid="earnings-chart"]').scrollIntoView({ block: "center" });`);
  const file = await screenshot("earnings-chart");
  assert.deepEqual(pngSize(file), { width: 1280, height: 720 });
  console.log(`earnings chart bars: ${JSON.stringify(bars)}; ${await innerText(css("dashboard-partners"))}`);
});
