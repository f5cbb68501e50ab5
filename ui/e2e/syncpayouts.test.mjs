// End-to-end test of two-person payout approval across two laptops, in the real window,
// against a real recon-server on the local PostgreSQL (ui/e2e/syncServer.mjs). A colleague
// ("maker", the `recon` CLI on his own ledger with his own device token) sets up a program,
// its affiliates and settlements, creates a batch, submits it and syncs. This laptop (the
// app, token of "checker", an empty ledger) clicks "Sync now": the Payouts screen shows the
// maker's batch awaiting my approval. The checker approves it and syncs; the maker's next
// `recon sync` shows it approved by the checker. A batch the checker creates here is never
// offered to the checker for approval (Approve disabled with the reason, no banner), and it
// reaches the maker as awaiting his.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { click, closeSession, css, el, exec, findAll, openSession, s, screenshot, text, typeInto, waitFor, wd } from "./harness.mjs";
import { startSyncServer } from "./syncServer.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const MAKER = "maker@acme.test";
const CHECKER = "checker@acme.test";

let sync = null;
let maker = null;
let batchId = null;

const makerBatch = (id) => JSON.parse(maker("payout", "show", id, "--json"));
const detailStatus = () => exec(`return document.querySelector('[data-testid="payout-detail"]')?.dataset.status ?? null;`);
const isDisabled = (testid) => exec(`return document.querySelector(arguments[0])?.disabled ?? null;`, css(testid));
const rowSelector = (id) => `[data-testid="payout-row"][data-id="${id}"]`;

/** The maker's `recon sync --json`, asserting the server refused nothing. */
function makerSync() {
  const report = JSON.parse(maker("sync", "--server", sync.url, "--json"));
  assert.deepEqual(report.refused, [], JSON.stringify(report.refused));
  return report;
}

async function statusLineStarting(prefix) {
  return waitFor(`a status line starting "${prefix}"`, async () => {
    const t = await text("payouts-status");
    return t && t.startsWith(prefix) ? t : null;
  });
}

async function openRow(id) {
  await waitFor(`batch ${id}'s row`, async () => (await findAll(rowSelector(id)))[0]);
  await exec(`document.querySelector(arguments[0]).click();`, rowSelector(id));
  await waitFor(`batch ${id}'s detail`, () => exec(`return document.querySelector('[data-testid="payout-detail"]')?.dataset.id === arguments[0];`, id));
}

/** "Sync now" on the Sync screen; returns the result line once this click's sync answered. */
async function syncNow() {
  await click("nav-sync");
  await el("sync-now");
  await click("sync-now");
  return waitFor("the sync's result", () => text("sync-result"));
}

before(async () => {
  sync = await startSyncServer("syncpayouts");
  const makerToken = sync.token("acme", MAKER);
  const checkerToken = sync.token("acme", CHECKER);

  maker = sync.colleague("maker.sqlite", makerToken, "maker");
  for (const f of ["payouts-settlements.csv", "payouts-autumn-settlements.csv"]) copyFileSync(path.join(here, "fixtures", f), path.join(sync.dir, f));
  maker("program", "add", "spring", "--name", "Spring Hunt", "--currency", "ISK", "--direct-rate", "10", "--override-rate", "2.5");
  maker("entity", "add", "--program", "spring", "--type", "affiliate", "--ref", "a1", "--name", "Top affiliate");
  maker("entity", "add", "--program", "spring", "--type", "affiliate", "--ref", "b1", "--name", "Middle affiliate", "--parent", "a1");
  maker("entity", "add", "--program", "spring", "--type", "affiliate", "--ref", "c1", "--name", "Leaf affiliate", "--parent", "b1");
  maker("import", "settlements", "--program", "spring", path.join(sync.dir, "payouts-settlements.csv"));
  maker("program", "add", "autumn", "--name", "Autumn Run", "--currency", "ISK", "--direct-rate", "10", "--override-rate", "0");
  maker("entity", "add", "--program", "autumn", "--type", "affiliate", "--ref", "z1", "--name", "Solo affiliate");
  maker("import", "settlements", "--program", "autumn", path.join(sync.dir, "payouts-autumn-settlements.csv"));
  const created = JSON.parse(maker("payout", "create", "--program", "spring", "--period", "2026-02", "--notes", "February commissions", "--json"));
  batchId = created.id;
  maker("payout", "submit", batchId);
  const report = makerSync();
  assert.ok(report.pushed > 0, `the maker pushed his work: ${JSON.stringify(report)}`);
  assert.equal(makerBatch(batchId).status, "pending_approval");

  // This laptop starts empty and knows the server only from the Sync screen.
  const ledger = path.join(sync.dir, "checker.sqlite");
  await openSession(sync.appWrapper(ledger, checkerToken, "checker"), "syncpayouts-");
  await el("nav-sync");
  await wd("POST", s("/window/rect"), { width: 1280, height: 720 }).catch((e) => console.error(`resizing the window: ${e.message}`));
  await click("nav-sync");
  await typeInto("sync-url", sync.url);
  await click("sync-save");
  await waitFor("server saved", async () => (await exec("return document.body.innerText;")).includes("Server saved."));
});

after(async () => {
  await closeSession();
  if (sync) await sync.stop();
});

test("after Sync now, the colleague's batch shows in Payouts as awaiting my approval", async () => {
  await click("nav-payouts");
  await el("payouts-user");
  assert.equal((await findAll(rowSelector(batchId))).length, 0, "no batch before the sync");
  assert.equal((await findAll(css("payouts-awaiting"))).length, 0, "no banner before the sync");

  const result = await syncNow();
  assert.match(result, /^Pushed 0 event\(s\), pulled [1-9]\d*, refused 0\./);

  await click("nav-payouts");
  // the laptop's user is now the token's user, learned from the server
  await waitFor("signed in as the token's user", async () => (await text("payouts-user"))?.includes(CHECKER));
  const banner = await waitFor("the banner", () => text("payouts-awaiting"));
  assert.match(banner, /^1 batch awaits your approval/);
  await openRow(batchId);
  assert.equal(await detailStatus(), "pending_approval");
  assert.equal(await text("payout-detail-created-by"), MAKER);
  assert.equal(await text("payout-detail-total"), "175.00 ISK");
  const lines = await exec(`return [...document.querySelectorAll('[data-testid="payout-line"]')].map((r) => r.dataset.ref).sort();`);
  assert.deepEqual(lines, ["a1", "b1", "c1"]);
  assert.equal(await isDisabled("payout-step-approve"), false, "another person may approve");
  assert.equal((await findAll(css("payout-step-approve-reason"))).length, 0, "no reason against approving");
  await screenshot("colleague-batch");
});

test("the checker approves it here and syncs; the maker's next sync shows it approved by the checker", async () => {
  await click("payout-step-approve");
  await statusLineStarting("approve: batch");
  await waitFor("the batch approved", async () => (await detailStatus()) === "approved");
  assert.equal(await text("payout-detail-approved-by"), CHECKER);
  assert.equal(makerBatch(batchId).status, "pending_approval", "not on the maker's laptop before the syncs");

  await click("nav-sync");
  await waitFor("the approval waiting to be pushed", async () => (await text("sync-pending")) === "1");
  const result = await syncNow();
  assert.match(result, /refused 0\./);
  await waitFor("nothing pending", async () => (await text("sync-pending")) === "0");
  await screenshot("approval-synced");

  const report = makerSync();
  assert.ok(report.pulled >= 1, `the maker pulled the approval: ${JSON.stringify(report)}`);
  const b = makerBatch(batchId);
  assert.equal(b.status, "approved");
  assert.equal(b.approved_by, CHECKER);
  assert.equal(b.created_by, MAKER);
});

test("a batch the checker creates here is never offered to the checker for approval, and reaches the maker", async () => {
  await click("nav-payouts");
  await el("payouts-user");
  assert.equal((await findAll(css("payouts-awaiting"))).length, 0, "no banner: the maker's batch is approved");
  await click("payouts-create");
  await el("create-dialog");
  await exec(
    `const e = document.querySelector('[data-testid="create-program"]'); e.value = "autumn"; e.dispatchEvent(new Event("change", { bubbles: true }));`,
  );
  await typeInto("create-period", "2026-02");
  await click("create-preview");
  assert.equal(await waitFor("the preview's total", () => text("create-preview-total")), "200.00 ISK");
  await click("create-submit");
  await statusLineStarting("created: draft batch");
  await waitFor("the new batch's detail", async () => (await detailStatus()) === "draft");
  const ownId = await exec(`return document.querySelector('[data-testid="payout-detail"]').dataset.id;`);
  assert.equal(await text("payout-detail-created-by"), CHECKER);
  await click("payout-step-submit");
  await statusLineStarting("submit: batch");
  await waitFor("the own batch pending approval", async () => (await detailStatus()) === "pending_approval");

  assert.equal(await isDisabled("payout-step-approve"), true, "the creator cannot press Approve");
  assert.match(await text("payout-step-approve-reason"), /^the creator of a batch cannot approve it/);
  assert.equal((await findAll(css("payouts-awaiting"))).length, 0, "no banner: nothing awaits the checker's approval");
  await screenshot("own-batch-not-approvable");

  const result = await syncNow();
  assert.match(result, /refused 0\./);
  makerSync();
  const b = makerBatch(ownId);
  assert.equal(b.status, "pending_approval");
  assert.equal(b.created_by, CHECKER);
  const stats = JSON.parse(maker("payout", "stats", "--json"));
  assert.equal(stats.awaiting_your_approval, 1, `the checker's batch awaits the maker: ${JSON.stringify(stats)}`);
});
