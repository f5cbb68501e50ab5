// End-to-end test of two-way sync in the real window, against a real recon-server on the
// local PostgreSQL (scripts/postgres.sh): a colleague ("maker", with the `recon` CLI on his
// own ledger) syncs an expected payment; this laptop ("checker", the app) had added the
// same memo at another amount while offline. "Sync now" in the app: the server refuses
// this laptop's payment (a conflict), the Sync screen lists it under Needs attention with
// the server's reason, the sidebar shows a badge, the counts say pushed 1 / pulled 1 /
// refused 1, and the payment the server accepted (the maker's) is the one the app holds.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { click, closeSession, css, exec, findAll, openSession, reconOn, screenshot, text, typeInto, waitFor } from "./harness.mjs";
import { startSyncServer } from "./syncServer.mjs";

let sync = null;
let dir = null;
let url = null;

const csv = (amount) => `cycle_id,character_name,character_id,expected_amount,currency,memo
c1,Alpha,101,${amount},ISK,
`;

before(async () => {
  sync = await startSyncServer("sync");
  ({ dir, url } = sync);
  const makerToken = sync.token("acme", "maker@acme.test");
  const checkerToken = sync.token("acme", "checker@acme.test");

  // The maker's laptop: the payment at 100, synced.
  const maker = sync.colleague("maker.sqlite", makerToken, "maker");
  writeFileSync(path.join(dir, "maker.csv"), csv("100.00"));
  maker("import", "expected", path.join(dir, "maker.csv"));
  maker("sync", "--server", url);

  // This laptop, offline meanwhile: the same memo at 150.
  const ledger = path.join(dir, "checker.sqlite");
  writeFileSync(path.join(dir, "checker.csv"), csv("150.00"));
  reconOn(ledger)("import", "expected", path.join(dir, "checker.csv"));
  await openSession(sync.appWrapper(ledger, checkerToken, "checker"), "sync-");
});

after(async () => {
  await closeSession();
  if (sync) await sync.stop();
});

test("a refused change shows under Needs attention with the server's reason", async () => {
  await click("nav-sync");
  await typeInto("sync-url", url);
  await click("sync-save");
  await waitFor("server saved", async () => (await exec("return document.body.innerText;")).includes("Server saved."));
  await click("sync-now");
  const result = await waitFor("sync result", () => text("sync-result"));
  assert.match(result, /Pushed 1 event\(s\), pulled 1, refused 1/);

  const reason = await waitFor("refused reason", () => text("refused-reason"));
  assert.match(reason, /memo 'ARB c1 Alpha' already belongs to another expected payment on the server/);
  const items = await findAll(css("refused-item"));
  assert.equal(items.length, 1);
  const listed = await text("needs-attention");
  assert.match(listed, /undone here/);
  assert.match(listed, /100/); // the server's value beside this laptop's
  assert.match(listed, /150/);
  assert.equal(await waitFor("badge", () => text("nav-sync-badge")), "1");
  assert.equal(await text("sync-count-pushed"), "1");
  assert.equal(await text("sync-count-pulled"), "1");
  assert.equal(await text("sync-count-refused"), "1");
  await screenshot("needs-attention");

  // The payment this laptop holds now is the one the server accepted (the maker's).
  const held = JSON.parse(reconOn(path.join(dir, "checker.sqlite"))("expected", "list", "--json"));
  assert.deepEqual(
    held.map((e) => [e.memo, e.expected_amount, e.status]),
    [["ARB c1 Alpha", "100.00", "awaiting_payment"]],
  );
});
