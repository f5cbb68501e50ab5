// End-to-end test of payout batches in the real window, with two people. As RECON_USER=maker
// a batch is created from February's pending entries (the preview's lines and total checked
// first) and submitted; Approve is disabled for its creator with the reason shown. The app is
// restarted as RECON_USER=checker: the banner says a batch awaits approval, the checker
// approves it and marks it paid after a confirmation naming the amount; the entries show paid
// in the batch's detail and on the Partners screen, the audit trail names both people. Bulk
// approve reports one result per batch (the checker's own batch refused), a batch is rejected
// with a reason, and the batches are exported. Every step is checked through the `recon` CLI
// on the same ledger too. Screenshots at 1280×720.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { appOnLedger, click, closeSession, css, el, exec, findAll, openSession, reconOn, s, screenshot, select, text, typeInto, waitFor, wd } from "./harness.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));

let dir = null;
let ledger = null;
let recon = null;
let batchId = null;
let marchId = null;

const batches = () => JSON.parse(recon("payout", "list", "--json"));
const batch = (id) => JSON.parse(recon("payout", "show", id, "--json"));
const entries = (program, period) => JSON.parse(recon("ledger", "list", "--program", program, "--period", period, "--json"));

function pngSize(file) {
  const b = readFileSync(file);
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
}

/** Opens the app on the ledger as `user`, on the Payouts screen, at 1280×720. */
async function openAs(user) {
  await openSession(appOnLedger(dir, ledger, user), `payouts-${user}-`);
  await el("nav-payouts");
  await wd("POST", s("/window/rect"), { width: 1280, height: 720 }).catch((e) => console.error(`resizing the window: ${e.message}`));
  await click("nav-payouts");
  await waitFor(`signed in as ${user}`, async () => (await text("payouts-user"))?.includes(user));
}

async function statusLineStarting(prefix) {
  return waitFor(`a status line starting "${prefix}"`, async () => {
    const t = await text("payouts-status");
    return t && t.startsWith(prefix) ? t : null;
  });
}

const detailStatus = () => exec(`return document.querySelector('[data-testid="payout-detail"]')?.dataset.status ?? null;`);

async function openRow(id) {
  await elBySelector(`[data-testid="payout-row"][data-id="${id}"]`);
  await exec(`document.querySelector('[data-testid="payout-row"][data-id="${id}"]').click();`);
  await waitFor(`batch ${id}'s detail`, () => exec(`return document.querySelector('[data-testid="payout-detail"]')?.dataset.id === arguments[0];`, id));
}

async function elBySelector(selector) {
  return waitFor(`element ${selector}`, async () => (await findAll(selector))[0]);
}

const isDisabled = (testid) => exec(`return document.querySelector(arguments[0])?.disabled ?? null;`, css(testid));

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "recon-e2e-payouts-"));
  ledger = path.join(dir, "ledger.sqlite");
  recon = reconOn(ledger);
  for (const f of ["payouts-settlements.csv", "payouts-autumn-settlements.csv"]) copyFileSync(path.join(here, "fixtures", f), path.join(dir, f));
  recon("program", "add", "spring", "--name", "Spring Hunt", "--currency", "ISK", "--direct-rate", "10", "--override-rate", "2.5");
  recon("entity", "add", "--program", "spring", "--type", "affiliate", "--ref", "a1", "--name", "Top affiliate");
  recon("entity", "add", "--program", "spring", "--type", "affiliate", "--ref", "b1", "--name", "Middle affiliate", "--parent", "a1");
  recon("entity", "add", "--program", "spring", "--type", "affiliate", "--ref", "c1", "--name", "Leaf affiliate", "--parent", "b1");
  recon("import", "settlements", "--program", "spring", path.join(dir, "payouts-settlements.csv"));
  recon("program", "add", "autumn", "--name", "Autumn Run", "--currency", "ISK", "--direct-rate", "10", "--override-rate", "0");
  recon("entity", "add", "--program", "autumn", "--type", "affiliate", "--ref", "z1", "--name", "Solo affiliate");
  recon("import", "settlements", "--program", "autumn", path.join(dir, "payouts-autumn-settlements.csv"));
  await openAs("maker");
});
after(async () => {
  await closeSession();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test("maker previews February's pending entries, then creates a draft batch of them", async () => {
  await click("payouts-create");
  await el("create-dialog");
  await exec(
    `const e = document.querySelector('[data-testid="create-program"]'); e.value = "spring"; e.dispatchEvent(new Event("change", { bubbles: true }));`,
  );
  await typeInto("create-period", "2026-02");
  await typeInto("create-notes", "February commissions");
  assert.equal(await isDisabled("create-submit"), true, "nothing to create before the preview");
  await click("create-preview");
  await el("create-preview-result");
  const refs = await exec(`return [...document.querySelectorAll('[data-testid="create-preview-line"]')].map((r) => r.dataset.ref).sort();`);
  // a1 10.00 (override of pay-2), b1 65.00 (25.00 override of pay-1 + 40.00 direct of pay-2), c1 100.00
  assert.deepEqual(refs, ["a1", "b1", "c1"]);
  assert.equal(await text("create-preview-total"), "175.00 ISK");
  assert.equal(batches().length, 0, "the preview created nothing");
  await screenshot("create-preview");
  assert.match(await text("create-submit"), /Create draft of 175\.00 ISK/);
  await click("create-submit");
  await statusLineStarting("created: draft batch");
  const [b] = batches();
  assert.ok(b, "the CLI sees the batch");
  batchId = b.id;
  const shown = batch(batchId);
  assert.equal(shown.status, "draft");
  assert.equal(shown.created_by, "maker");
  assert.equal(shown.total, "175.00");
  assert.deepEqual(Object.fromEntries(shown.lines.map((l) => [l.entity_ref, l.amount])), { a1: "10.00", b1: "65.00", c1: "100.00" });
  await waitFor("the new batch's detail", async () => (await detailStatus()) === "draft");
});

test("maker submits the batch; Approve is disabled for its creator with the reason", async () => {
  await click("payout-step-submit");
  await statusLineStarting("submit: batch");
  await waitFor("the batch pending approval", async () => (await detailStatus()) === "pending_approval");
  assert.equal(batch(batchId).status, "pending_approval");
  await el("payout-step-approve");
  assert.equal(await isDisabled("payout-step-approve"), true, "the creator cannot press Approve");
  assert.match(await text("payout-step-approve-reason"), /^the creator of a batch cannot approve it/);
  assert.equal(await isDisabled("payout-step-reject"), false, "the creator may still reject");
  assert.equal((await findAll(css("payouts-awaiting"))).length, 0, "no banner: nothing awaits the maker's approval");
  const card = await text("payouts-card-pending_approval-count");
  assert.equal(card, "1 batch");
  const file = await screenshot("approve-disabled-for-creator");
  assert.deepEqual(pngSize(file), { width: 1280, height: 720 });
});

test("checker, after a restart, sees the banner, approves and pays after a confirmation naming the amount", async () => {
  await closeSession();
  await openAs("checker");
  await waitFor("the banner", async () => (await text("payouts-awaiting"))?.startsWith("1 batch awaits your approval"));
  await screenshot("checker-banner");
  await openRow(batchId);
  assert.equal(await isDisabled("payout-step-approve"), false, "another person may approve");
  await click("payout-step-approve");
  await statusLineStarting("approve: batch");
  await waitFor("the batch approved", async () => (await detailStatus()) === "approved");
  const approved = batch(batchId);
  assert.equal(approved.status, "approved");
  assert.equal(approved.approved_by, "checker");

  await click("payout-step-pay");
  await el("step-dialog");
  const question = await text("step-dialog-question");
  assert.match(question, /175\.00 ISK/);
  assert.match(await text("step-dialog-submit"), /^Mark paid 175\.00 ISK$/);
  await screenshot("pay-confirm");
  await click("step-dialog-submit");
  await statusLineStarting("pay: batch");
  await waitFor("the batch paid", async () => (await detailStatus()) === "paid");
  assert.equal(batch(batchId).status, "paid");
  const feb = entries("spring", "2026-02");
  assert.equal(feb.length, 4);
  assert.ok(feb.every((e) => e.status === "paid"), JSON.stringify(feb.map((e) => [e.id, e.status])));
  assert.ok(entries("spring", "2026-03").every((e) => e.status === "pending"), "March is not in the batch");
  assert.ok(JSON.parse(recon("ledger", "verify", "--json")).ok, "the ledger still balances");

  // the detail shows the entries paid and who did what
  await waitFor("the detail's entries paid", () =>
    exec(`const xs = [...document.querySelectorAll('[data-testid="payout-line-entry"]')]; return xs.length === 4 && xs.every((x) => x.dataset.status === "paid");`),
  );
  const actors = await exec(`return [...document.querySelectorAll('[data-testid="payout-audit-record"]')].map((r) => r.dataset.actor);`);
  assert.ok(actors.includes("maker") && actors.includes("checker"), JSON.stringify(actors));
  assert.equal(await text("payouts-card-paid-totals"), "175.00 ISK");
  const file = await screenshot("batch-paid");
  assert.deepEqual(pngSize(file), { width: 1280, height: 720 });
});

test("the entries show as paid on the Partners screen", async () => {
  await click("nav-partners");
  await select("partners-program", "spring");
  await waitFor("the spring program", async () => (await text("partners-program-info"))?.includes("override 2.5 %"));
  await click("partners-tab-ledger");
  await exec(
    `const e = document.querySelector('[data-testid="ledger-filter-period"]'); e.value = "2026-02"; e.dispatchEvent(new Event("change", { bubbles: true }));`,
  );
  await waitFor("February's four entries, all paid", () =>
    exec(`const xs = [...document.querySelectorAll('[data-testid="ledger-row"]')]; return xs.length === 4 && xs.every((x) => x.dataset.status === "paid");`),
  );
  const file = await screenshot("partners-entries-paid");
  assert.deepEqual(pngSize(file), { width: 1280, height: 720 });
});

test("bulk approve gives one result per batch; the checker's own batch is refused and then rejected with a reason", async () => {
  // one batch by someone else (e2e) and one by the checker, both pending approval
  const other = JSON.parse(recon("payout", "create", "--program", "spring", "--period", "2026-03", "--json"));
  marchId = other.id;
  recon("payout", "submit", other.id);
  const checkerCli = reconOn(ledger, "checker");
  const own = JSON.parse(checkerCli("payout", "create", "--program", "autumn", "--period", "2026-02", "--json"));
  checkerCli("payout", "submit", own.id);

  await click("nav-payouts");
  await click("payouts-refresh");
  await waitFor("the banner counts one", async () => (await text("payouts-awaiting"))?.startsWith("1 batch awaits your approval"));
  for (const id of [other.id, own.id]) {
    await elBySelector(`[data-testid="payout-row"][data-id="${id}"]`);
    await exec(`document.querySelector('[data-testid="payout-row"][data-id="${id}"] [data-testid="payout-pick"]').click();`);
  }
  await waitFor("two picked", async () => (await text("payouts-bulk-approve")) === "Approve picked (2)");
  await click("payouts-bulk-approve");
  assert.equal(await statusLineStarting("bulk approve"), "bulk approve: approved 1 of 2, refused 1");
  const results = await exec(`return Object.fromEntries([...document.querySelectorAll('[data-testid="bulk-result"]')].map((r) => [r.dataset.id, r.dataset.result + ": " + r.querySelector('[data-testid="bulk-result-reason"]').innerText]));`);
  assert.equal(results[other.id], "approved: ");
  assert.match(results[own.id], /^refused: .*the creator of a batch cannot approve it/);
  assert.equal(batch(other.id).status, "approved");
  assert.equal(batch(own.id).status, "pending_approval");
  await screenshot("bulk-results");

  await openRow(own.id);
  await click("payout-step-reject");
  await el("step-dialog");
  assert.match(await text("step-dialog-question"), /200\.00 ISK/);
  assert.equal(await isDisabled("step-dialog-submit"), true, "a rejection needs a reason");
  await typeInto("step-dialog-reason", "wrong period");
  await click("step-dialog-submit");
  await statusLineStarting("reject: batch");
  await waitFor("the batch rejected", async () => (await detailStatus()) === "rejected");
  assert.equal(batch(own.id).status, "rejected");
  assert.ok(entries("autumn", "2026-02").every((e) => e.status === "pending"), "rejecting leaves the entries pending (released)");
});

test("an approved batch goes processing, fails with a reason and is retried, each after a confirmation naming the amount", async () => {
  await openRow(marchId);
  // March: c1 50.00 (direct of pay-3) + b1 12.50 (its override)
  for (const [action, label, status, reason] of [
    ["process", "Mark processing 62.50 ISK", "processing", null],
    ["fail", "Mark failed 62.50 ISK", "failed", "bank rejected the transfer"],
    ["retry", "Retry 62.50 ISK", "processing", null],
  ]) {
    await click(`payout-step-${action}`);
    await el("step-dialog");
    assert.match(await text("step-dialog-question"), /62\.50 ISK/);
    assert.equal(await text("step-dialog-submit"), label);
    if (reason) {
      assert.equal(await isDisabled("step-dialog-submit"), true, `${action} needs a reason`);
      await typeInto("step-dialog-reason", reason);
    }
    await click("step-dialog-submit");
    await statusLineStarting(`${action}: batch`);
    await waitFor(`the batch ${status}`, async () => (await detailStatus()) === status);
    assert.equal(batch(marchId).status, status);
  }
  assert.equal(batch(marchId).reason, "bank rejected the transfer");
  assert.ok(entries("spring", "2026-03").every((e) => e.status === "pending"), "nothing is paid before Mark paid");
  await screenshot("retried");
});

test("the status filter narrows the table, and the batches export as CSV", async () => {
  await exec(`const e = document.querySelector('[data-testid="payouts-filter-status"]'); e.value = "paid"; e.dispatchEvent(new Event("change", { bubbles: true }));`);
  await waitFor("only the paid batch", async () => {
    const ids = await exec(`return [...document.querySelectorAll('[data-testid="payout-row"]')].map((r) => r.dataset.id);`);
    return ids.length === 1 && ids[0] === batchId;
  });
  await exec(`const e = document.querySelector('[data-testid="payouts-filter-status"]'); e.value = ""; e.dispatchEvent(new Event("change", { bubbles: true }));`);
  await typeInto("payouts-filter-search", "z1");
  await waitFor("only the autumn batch", async () => (await findAll(css("payout-row"))).length === 1);
  await typeInto("payouts-filter-search", "");

  await click("payouts-export");
  await el("payout-export-dialog");
  const out = path.join(dir, "payouts.csv");
  await typeInto("payout-export-path", out);
  await click("payout-export-submit");
  await statusLineStarting("exported: 3 batches");
  assert.ok(existsSync(out), "the CSV file was written");
  const csv = readFileSync(out, "utf8");
  assert.ok(csv.includes(batchId), "the paid batch is in the export");
  assert.match(csv, /175\.00/);
  await screenshot("all-batches");
});
