// What the issue-13 trial e2e files share: the ledger the `recon` CLI prepares for them
// (a receiving ISK wallet with two ESI receipts, a EUR bank wallet, two expected payments,
// matched) and the app opened on it at the 1280×720.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { appOnLedger, closeSession, el, openSession, reconOn, wd, s } from "./harness.mjs";

export const EXPECTED_CSV = `cycle_id,character_name,character_id,expected_amount,currency,memo
c1,Alpha,101,1000000000.00,ISK,
c1,Bravo,102,2500000.00,ISK,
`;

/** One ESI journal line paid to the Logistics wallet (90000001) on 2026-03-0`id`. */
export function entry(id, amount, reason, payer) {
  return `{"id": ${id}, "date": "2026-03-0${id}T10:00:00Z", "ref_type": "player_donation", "description": "deposited cash",
    "reason": "${reason}", "first_party_id": ${payer}, "second_party_id": 90000001, "amount": ${amount}}`;
}

/**
 * A temp dir holding `files` (name → text) and a ledger with wallets Logistics (receiving,
 * its journal `journal`) and Giro (bank, EUR), the expected payments imported and matched;
 * `then(recon)` runs before the app opens on it, showing `nav` first. Returns { dir, recon }.
 */
export async function openTrialLedger(name, journal, { files = {}, then = () => {}, nav }) {
  const dir = mkdtempSync(path.join(tmpdir(), `recon-e2e-${name}-`));
  const ledger = path.join(dir, "ledger.sqlite");
  const recon = reconOn(ledger);
  const all = { "journal.json": journal, "expected.csv": EXPECTED_CSV, ...files };
  for (const [file, text] of Object.entries(all)) writeFileSync(path.join(dir, file), text);
  recon("wallet", "add", "Logistics", "--owner-id", "90000001", "--receiving");
  recon("wallet", "add", "Giro", "--kind", "bank", "--currency", "EUR");
  recon("import", "esi-journal", "--wallet", "Logistics", path.join(dir, "journal.json"));
  recon("import", "expected", path.join(dir, "expected.csv"));
  recon("match");
  then(recon);
  await openSession(appOnLedger(dir, ledger), `${name}-`);
  // The screen size; the window manager may refuse, then the default size stays.
  await wd("POST", s("/window/rect"), { width: 1280, height: 720 }).catch(() => {});
  await el(nav);
  return { dir, recon };
}

/** Closes the app and removes the temp dir `openTrialLedger` made. */
export async function closeTrialLedger(dir) {
  await closeSession();
  if (dir) rmSync(dir, { recursive: true, force: true });
}
