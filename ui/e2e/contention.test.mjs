// End-to-end test of issue 14's contention item in the real window: while the `recon` CLI
// imports a large generated CSV into the ledger the app has open, the app's screens keep
// answering (the Journal pages its rows, the Wallets screen lists the wallets) at once, and a
// write from the app (adding a wallet) is told what holds the ledger instead of a bare
// "database is locked". The import then lands whole.
// Run by scripts/e2e.sh (tauri-driver on E2E_DRIVER), one test file at a time.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  RECON, appOnLedger, click, closeSession, openSession, reconOn, screenshot, select, text, typeInto, waitFor,
} from "./harness.mjs";

// Rows of the big file: enough that a debug `recon` needs well over ten seconds to import it.
const BIG_ROWS = Number(process.env.E2E_CONTENTION_ROWS ?? 800_000);
// A screen that answers "at once" answers well inside the ledger's 5 s busy timeout.
const ANSWER_MS = 3_000;

let dir = null;
let ledger = null;
let recon = null;
let importer = null;
let importDone = null;

function bigCsv(file, rows) {
  const lines = ["Date,Amount,Description"];
  for (let i = 0; i < rows; i += 1) {
    const day = String((i % 28) + 1).padStart(2, "0");
    const month = String((Math.floor(i / 28) % 12) + 1).padStart(2, "0");
    lines.push(`2025-${month}-${day},${(i % 900) + 1}.${String(i % 100).padStart(2, "0")},payment ${i}`);
  }
  writeFileSync(file, lines.join("\n") + "\n");
}

/** Measures how long `probe` takes to come true. */
async function timed(what, probe) {
  const start = Date.now();
  await waitFor(what, probe, ANSWER_MS);
  return Date.now() - start;
}

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "recon-e2e-contention-"));
  ledger = path.join(dir, "ledger.sqlite");
  recon = reconOn(ledger);
  recon("wallet", "add", "Giro", "--kind", "bank", "--currency", "EUR");
  const small = path.join(dir, "small.csv");
  writeFileSync(small, "Date,Amount,Description\n2025-01-02,10.00,first\n2025-01-03,-2.50,second\n2025-01-04,7.25,third\n");
  recon("import", "file", small, "--wallet", "Giro");
  bigCsv(path.join(dir, "big.csv"), BIG_ROWS);
  await openSession(appOnLedger(dir, ledger), "contention-");
  await click("nav-journal");
  await waitFor('"3 entries" before the import', async () => (await text("journal-total")) === "3 entries");
});

after(async () => {
  if (importer && importer.exitCode === null) importer.kill("SIGKILL");
  await closeSession();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test("the screens answer at once while the CLI imports, and a write from the app names the importer", async () => {
  let stderr = "";
  importer = spawn(RECON, ["--db", ledger, "import", "file", path.join(dir, "big.csv"), "--wallet", "Giro"], {
    env: { ...process.env, RECON_USER: "e2e" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  importer.stderr.on("data", (d) => (stderr += d));
  importDone = new Promise((resolve) => importer.on("exit", (code) => resolve(code)));
  // The import's write transaction leaves its note beside the ledger while it runs.
  const note = `${ledger}-writer`;
  await waitFor("the import's writer note", async () => existsSync(note), 60_000);
  const stillImporting = () => importer.exitCode === null && existsSync(note);

  // Wallets: the list (with its entry counts) reads past the writer.
  await click("nav-wallets");
  const wallets = await timed("the wallets listed during the import", async () => (await text("wallets-table"))?.includes("Giro"));
  // Journal: its rows page in.
  await click("nav-journal");
  const journal = await timed('"3 entries" during the import', async () => (await text("journal-total")) === "3 entries");
  assert.ok(stillImporting(), `the import ended before the screens were read (make E2E_CONTENTION_ROWS larger): ${stderr}`);
  await screenshot("journal-during-import");
  console.log(`during the import: wallets answered in ${wallets} ms, the journal in ${journal} ms`);

  // A write from the app waits for the importer and then says who holds the ledger.
  await click("nav-wallets");
  await typeInto("wallet-name", "Kasse");
  await select("wallet-kind", "bank");
  await select("wallet-currency", "EUR");
  await click("wallet-submit");
  const refusal = await waitFor("the busy notice", () => text("wallet-add-error"), 15_000);
  assert.match(refusal, /busy/i);
  assert.match(refusal, /import file/);
  assert.match(refusal, /writing since/);
  assert.ok(stillImporting(), `the import ended before the app's write was refused: ${stderr}`);
  await screenshot("write-refused-during-import");

  // The import lands whole (checked through the CLI once it has finished).
  const code = await importDone;
  assert.equal(code, 0, stderr);
  const giro = JSON.parse(recon("wallet", "list", "--json")).find((w) => w.name === "Giro");
  assert.equal(giro.entry_count, BIG_ROWS + 3);
});
