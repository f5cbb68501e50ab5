// End-to-end test of two-way sync in the real window, against a real recon-server on the
// local PostgreSQL (scripts/postgres.sh): a colleague ("maker", with the `recon` CLI on his
// own ledger) syncs an expected payment; this laptop ("checker", the app) had added the
// same memo at another amount while offline. "Sync now" in the app: the server refuses
// this laptop's payment (a conflict), the Sync screen lists it under Needs attention with
// the server's reason, the sidebar shows a badge, the counts say pushed 1 / pulled 1 /
// refused 1, and the payment the server accepted (the maker's) is the one the app holds.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, execFileSync } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { APP, click, closeSession, findAll, openSession, reconOn, repo, screenshot, text, typeInto, waitFor, css, exec } from "./harness.mjs";

const SERVER = path.join(repo, "target", "debug", "recon-server");
const PG = process.env.RECON_TEST_PG_URL ?? "host=/var/run/postgresql user=root dbname=postgres";

let dir = null;
let server = null;
let dbName = null;
let url = null;

const csv = (amount) => `cycle_id,character_name,character_id,expected_amount,currency,memo
c1,Alpha,101,${amount},ISK,
`;

function psql(sql, db = "postgres") {
  const conn = PG.replace(/dbname=\S+/, `dbname=${db}`);
  return execFileSync("psql", [conn, "-tAc", sql], { encoding: "utf8" }).trim();
}

function serverCli(...args) {
  const conn = PG.replace(/dbname=\S+/, `dbname=${dbName}`);
  return execFileSync(SERVER, ["--database-url", conn, ...args], { encoding: "utf8" }).trim();
}

async function startServer() {
  const conn = PG.replace(/dbname=\S+/, `dbname=${dbName}`);
  server = spawn(SERVER, ["--database-url", conn, "serve", "--bind", "127.0.0.1:0"], { stdio: ["ignore", "pipe", "inherit"] });
  return await new Promise((resolve, reject) => {
    let out = "";
    server.stdout.on("data", (chunk) => {
      out += chunk;
      const m = out.match(/listening on (http:\/\/\S+)/);
      if (m) resolve(m[1]);
    });
    server.on("exit", (code) => reject(new Error(`recon-server exited (${code}): ${out}`)));
  });
}

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "recon-e2e-sync-"));
  dbName = `recon_test_e2e_${process.pid}_${Date.now()}`;
  psql(`CREATE DATABASE ${dbName}`);
  serverCli("migrate");
  const makerToken = serverCli("token", "create", "--org", "acme", "--user", "maker@acme.test");
  const checkerToken = serverCli("token", "create", "--org", "acme", "--user", "checker@acme.test");
  url = await startServer();

  // The maker's laptop: the payment at 100, synced.
  const makerLedger = path.join(dir, "maker.sqlite");
  const maker = (...args) =>
    execFileSync(path.join(repo, "target", "debug", "recon"), ["--db", makerLedger, ...args], {
      encoding: "utf8",
      env: { ...process.env, RECON_USER: "maker", RECON_TOKEN: makerToken },
    });
  writeFileSync(path.join(dir, "maker.csv"), csv("100.00"));
  maker("import", "expected", path.join(dir, "maker.csv"));
  maker("sync", "--server", url);

  // This laptop, offline meanwhile: the same memo at 150.
  const ledger = path.join(dir, "checker.sqlite");
  writeFileSync(path.join(dir, "checker.csv"), csv("150.00"));
  reconOn(ledger)("import", "expected", path.join(dir, "checker.csv"));
  const wrapper = path.join(dir, "recon-desk-checker.sh");
  writeFileSync(
    wrapper,
    `#!/bin/sh\nRECON_DB='${ledger}'\nRECON_TOKEN='${checkerToken}'\nRECON_USER=checker\nexport RECON_DB RECON_TOKEN RECON_USER\nexec '${APP}' "$@"\n`,
  );
  chmodSync(wrapper, 0o755);
  await openSession(wrapper, "sync-");
});

after(async () => {
  await closeSession();
  if (server) server.kill("SIGTERM");
  await new Promise((r) => setTimeout(r, 300));
  if (dbName) psql(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  if (dir) rmSync(dir, { recursive: true, force: true });
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
