// End-to-end test of what a finance user trying Recon Desk ran into (issue 13), in the real
// window on its own ledger prepared with the `recon` CLI: a bank wallet's currency is never
// guessed, an ESI journal never lands in a non-ISK wallet, a statement's unknown currency can
// be added, a sub-threshold suggestion is asked about before it is accepted, and an expected
// payment can be opened, unlinked and read (outstanding amount, audit trail) in the app.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import {
  ENTER, click, el, exec, innerText, press, screenshot, select, text, typeInto, waitFor, css, findAll,
} from "./harness.mjs";
import { closeTrialLedger, entry, openTrialLedger } from "./trialLedger.mjs";

let dir = null;
let recon = null;

const JOURNAL = `[${entry(1, "600000000.00", "ARB c1 Alpha", 101)}, ${entry(2, "400000000.00", "thanks", 101)}]`;

const OFX_CAD = `OFXHEADER:100\r\nDATA:OFXSGML\r\nVERSION:102\r\nSECURITY:NONE\r\nENCODING:USASCII\r\nCHARSET:1252\r\nCOMPRESSION:NONE\r\nOLDFILEUID:NONE\r\nNEWFILEUID:NONE\r\n\r\n<OFX>\r\n<BANKMSGSRSV1><STMTTRNRS><TRNUID>1<STATUS><CODE>0<SEVERITY>INFO</STATUS>\r\n<STMTRS><CURDEF>CAD<BANKACCTFROM><BANKID>123<ACCTID>CA0099<ACCTTYPE>CHECKING</BANKACCTFROM>\r\n<BANKTRANLIST><DTSTART>20260401<DTEND>20260430\r\n<STMTTRN>\r\n<TRNTYPE>CREDIT\r\n<DTPOSTED>20260404\r\n<TRNAMT>2000.00\r\n<FITID>C-0001\r\n<NAME>Salary\r\n</STMTTRN>\r\n</BANKTRANLIST>\r\n<LEDGERBAL><BALAMT>2000.00<DTASOF>20260430</LEDGERBAL>\r\n</STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>\r\n`;

const expectedByMemo = () => Object.fromEntries(JSON.parse(recon("expected", "list", "--json")).map((e) => [e.memo, e]));

async function selectRowWith(needle) {
  const texts = await exec(`return [...document.querySelectorAll('[data-testid="review-row"]')].map((r) => r.innerText);`);
  const target = texts.findIndex((t) => t.includes(needle));
  assert.ok(target >= 0, `no row shows ${needle}: ${JSON.stringify(texts)}`);
  await exec(`document.activeElement?.blur?.();`);
  for (let i = 0; i < texts.length; i++) await press("k");
  for (let i = 0; i < target; i++) await press("j");
  await waitFor(`the row with ${needle} selected`, async () =>
    ((await innerText('[data-testid="review-row"][data-selected="true"]')) ?? "").includes(needle),
  );
}

async function statusLine(prefix) {
  return waitFor(`a status line starting "${prefix}"`, async () => {
    const t = await text("review-status");
    return t && t.startsWith(prefix) ? t : null;
  });
}

before(async () => {
  ({ dir, recon } = await openTrialLedger("trial", JOURNAL, { files: { "statement-cad.ofx": OFX_CAD }, nav: "nav-wallets" }));
});
after(() => closeTrialLedger(dir));

test("a bank wallet's currency is never preselected, and adding one without it says so", async () => {
  await click("nav-wallets");
  await typeInto("wallet-name", "Schwab");
  await select("wallet-kind", "bank");
  assert.equal(await exec(`return document.querySelector('[data-testid="wallet-currency"]').value;`), "");
  await click("wallet-submit");
  const msg = await waitFor("the missing currency message", () => text("wallet-add-error-message"));
  assert.equal(msg, "choose the currency of bank wallet 'Schwab'");
  assert.ok(!recon("wallet", "list").includes("Schwab"), "a bank wallet was added without its currency");
  await screenshot("bank-wallet-needs-currency");
  await select("wallet-currency", "USD");
  await click("wallet-submit");
  await waitFor("the wallet added", () => text("wallet-added"));
  const schwab = JSON.parse(recon("wallet", "list", "--json")).find((w) => w.name === "Schwab");
  assert.equal(schwab.currency, "USD");
});

test("an ESI journal is refused for a EUR bank wallet, naming the wallet and its currency", async () => {
  await click("nav-import");
  await typeInto("import-path", path.join(dir, "journal.json"));
  await select("import-wallet", "Giro");
  await click("import-submit");
  const msg = await waitFor("the refusal", async () => (await text("import-error-message")) || (await text("import-result-refused")));
  assert.match(msg, /wallet 'Giro' is a bank wallet in EUR; an ESI journal is in ISK and imports only into a character or corporation wallet in ISK/);
  const giro = JSON.parse(recon("wallet", "list", "--json")).find((w) => w.name === "Giro");
  assert.equal(giro.entry_count, 0);
  await screenshot("esi-into-eur-refused");
});

test("a statement in a currency the ledger lacks offers to add it with its decimals", async () => {
  await click("nav-import");
  await typeInto("import-path", path.join(dir, "statement-cad.ofx"));
  await click("import-preview-load");
  const offer = await waitFor("the add-currency offer", () => text("add-currency-offer"));
  assert.match(offer, /This statement is in CAD, which this ledger does not have yet\./);
  assert.equal(await exec(`return document.querySelector('[data-testid="add-currency-scale"]').value;`), "2");
  await screenshot("add-currency-offer");
  await click("add-currency-submit");
  await waitFor("the currency added", () => text("add-currency-added"));
  assert.match(recon("currency", "list"), /^CAD\s+scale 2/m);
});

test("a score-0 suggestion onto a confirmed payment asks first, naming its status and new amount", async () => {
  await click("nav-review");
  await waitFor("the review queue", async () => (await findAll(css("review-row"))).length > 0);
  await selectRowWith("thanks");
  // Alpha and Bravo both score 0 for "thanks": pick Alpha's number (1–3) on the selected row.
  const n = await exec(
    `const row = document.querySelector('[data-testid="review-row"][data-selected="true"]');
     return [...row.querySelectorAll('[data-testid="review-suggestion"]')].findIndex((c) => c.innerText.includes("ARB c1 Alpha")) + 1;`,
  );
  assert.ok(n >= 1, "Alpha is among the receipt's suggestions");
  await press(String(n));
  const q = await waitFor("the accept question", () => text("confirm-accept-question"));
  assert.match(q, /^“ARB c1 Alpha” is confirmed \(600,000,000\.00 ISK received\)\. This suggestion scores 0, below the 100 a match needs\./);
  assert.match(q, /its received amount becomes 1,000,000,000\.00 ISK, exactly the expected amount/);
  await screenshot("score-0-question");
  // Enter now lands on Cancel (it has the focus): still nothing accepted.
  await press(ENTER);
  await waitFor("the question gone", async () => (await findAll(css("confirm-accept"))).length === 0);
  assert.equal(expectedByMemo()["ARB c1 Alpha"].links.length, 1, "Enter, Enter accepted a score-0 suggestion");
  await exec(`document.activeElement?.blur?.();`);
  await press(String(n));
  await el("confirm-accept");
  await press("y");
  assert.equal(await statusLine("accepted"), "accepted: ARB c1 Alpha ← 2");
  const alpha = expectedByMemo()["ARB c1 Alpha"];
  assert.equal(alpha.actual_amount, "1000000000.00");
  assert.equal(alpha.match_type, "manual");
});

test("the Expected list shows the match types, outstanding amounts and a short-paid filter", async () => {
  await click("nav-expected");
  const row = await waitFor("Alpha's row", () => innerText('[data-testid="expected-row"][data-memo="ARB c1 Alpha"]'));
  assert.match(row, /manual/);
  const cell = (memo, testid) => innerText(`[data-testid="expected-row"][data-memo="${memo}"] [data-testid="${testid}"]`);
  assert.equal(await cell("ARB c1 Alpha", "expected-match"), "manual");
  assert.equal(await cell("ARB c1 Alpha", "expected-balance"), "0");
  assert.equal(await cell("ARB c1 Bravo", "expected-balance"), "2,500,000.00", "Bravo's whole amount is outstanding");
  await screenshot("expected-list");
});

test("an expected payment's detail unlinks a receipt, shows it short-paid and its history", async () => {
  await click("nav-expected");
  await exec(
    `[...document.querySelectorAll('[data-testid="expected-row"]')].find((r) => r.dataset.memo === "ARB c1 Alpha").querySelector('[data-testid="expected-open"]').click();`,
  );
  await el("expected-detail");
  const links = await waitFor("two links", async () => ((await findAll(css("expected-detail-link"))).length === 2 ? true : null));
  assert.ok(links);
  const trailBefore = (await findAll(css("expected-detail-trail-row"))).length;
  assert.ok(trailBefore >= 3, `created, matched, accepted: ${trailBefore}`);
  await screenshot("expected-detail");
  await exec(
    `[...document.querySelectorAll('[data-testid="expected-detail-link"]')].find((r) => r.dataset.journal === "2").querySelector('[data-testid="expected-detail-unlink"]').click();`,
  );
  assert.equal(await waitFor("the unlink message", () => text("expected-detail-done")), "Unlinked receipt #2 from “ARB c1 Alpha”.");
  await waitFor("one link left", async () => (await findAll(css("expected-detail-link"))).length === 1);
  assert.match(await waitFor("the outstanding amount", () => text("expected-detail-balance")), /Outstanding 400,000,000\.00 \(short-paid\)/);
  await waitFor("the unlink in the history", async () => (await findAll(css("expected-detail-trail-row"))).length > trailBefore);
  assert.equal(expectedByMemo()["ARB c1 Alpha"].actual_amount, "600000000.00");
  await screenshot("expected-detail-unlinked");
  await click("expected-detail-close");

  await waitFor("Alpha short-paid in the list", () =>
    exec(`return document.querySelector('[data-testid="expected-row"][data-memo="ARB c1 Alpha"]')?.dataset.paid === "short";`),
  );
  const alpha = await innerText('[data-testid="expected-row"][data-memo="ARB c1 Alpha"]');
  assert.match(alpha, /short-paid/);
  assert.match(alpha, /400,000,000\.00/);
  await select("expected-filter-paid", "short");
  await waitFor("only the short-paid payment", async () => (await findAll(css("expected-row"))).length === 1);
  assert.equal(await text("expected-total"), "1 expected payment");
  await screenshot("expected-short-paid-filter");
  await select("expected-filter-paid", "");
});

test("the Dashboard shows each cycle's outstanding total next to the confirmed total", async () => {
  await click("nav-dashboard");
  const outstanding = await waitFor("the outstanding total", () => text("dashboard-cycle-outstanding"));
  assert.equal(outstanding, "402,500,000.00");
  assert.equal(await text("dashboard-cycle-confirmed-total"), "600,000,000.00");
  await screenshot("dashboard-outstanding");
});

test("u says what it undid, then that nothing is left to undo", async () => {
  await click("nav-review");
  await el("review-list");
  await exec(`document.activeElement?.blur?.();`);
  await press("u");
  assert.match(await statusLine("undone"), /^undone: unlink — ARB c1 Alpha$/);
  await press("u");
  assert.match(await statusLine("undone"), /^undone: accept — ARB c1 Alpha$/);
  await press("u");
  assert.equal(await statusLine("nothing"), "nothing left to undo: every step is undone already");
  assert.equal((await text("review-error")) ?? "", "", "an exhausted undo is not an error");
  await screenshot("nothing-to-undo");
});

test("from Review's awaiting queue, an expected payment's detail cancels it (kept, audited)", async () => {
  await click("nav-review");
  await click("review-tab-awaiting");
  await waitFor("Bravo awaiting", async () => (await text("review-count-awaiting")) === "1");
  await selectRowWith("ARB c1 Bravo");
  await click("review-detail");
  assert.equal(await waitFor("the detail", () => text("expected-detail-memo")), "ARB c1 Bravo");
  await click("expected-detail-cancel");
  await screenshot("cancel-asked");
  await click("expected-detail-cancel-confirm");
  assert.match(await waitFor("the cancel message", () => text("expected-detail-done")), /^Cancelled “ARB c1 Bravo”: it is kept/);
  assert.equal(await text("expected-detail-status"), "cancelled");
  await waitFor("the cancel in the history", async () =>
    ((await innerText('[data-testid="expected-detail-trail"]')) ?? "").includes("expected.cancel"),
  );
  await screenshot("cancelled");
  await click("expected-detail-close");
  await waitFor("the awaiting queue empty", async () => (await text("review-count-awaiting")) === "0");
  assert.equal(expectedByMemo()["ARB c1 Bravo"].status, "cancelled", "kept, not deleted");
});

test("the Expected list exports as CSV with formula cells neutralised, and marks the payer", async () => {
  await click("nav-expected");
  const payer = await waitFor("Alpha's payer", () =>
    innerText('[data-testid="expected-row"][data-memo="ARB c1 Alpha"] [data-testid="expected-payer"]'),
  );
  assert.equal(payer.trim(), "the expected character");
  const out = path.join(dir, "export.csv");
  await typeInto("expected-export-path", out);
  await click("expected-export-submit");
  assert.equal(await waitFor("the export message", () => text("expected-export-done")), `Exported 2 expected payments to ${out}.`);
  const csv = readFileSync(out, "utf8");
  assert.match(csv, /^memo,cycle_id,character_name,character_id,status,currency,expected_amount,actual_amount,/);
  assert.match(csv, /\r\nARB c1 Bravo,c1,Bravo,102,cancelled,ISK,2500000\.00,,/);
  await screenshot("expected-exported");
});
