// The WebDriver client the e2e test files share: one tauri-driver session per file (see
// scripts/e2e.sh), raw W3C calls over fetch, helpers keyed by data-testid, screenshots.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
export const repo = path.resolve(here, "..", "..");
export const DRIVER = process.env.E2E_DRIVER ?? "http://127.0.0.1:4444";
export const APP = process.env.E2E_APP ?? path.join(repo, "target", "debug", "recon-desk");
export const RECON = process.env.E2E_RECON ?? path.join(repo, "target", "debug", "recon");
export const OUT = process.env.E2E_OUT ?? path.join(repo, "target", "e2e");
export const WAIT_MS = 20_000;
export const ELEMENT = "element-6066-11e4-a52e-4f735466cecf"; // W3C web element identifier
export const ENTER = "\uE007";

let session = null;
let shot = 0;
let shotPrefix = "";

export async function wd(method, route, body) {
  const res = await fetch(`${DRIVER}${route}`, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json().catch(() => ({}));
  if (!res.ok) {
    const v = json.value ?? {};
    throw new Error(`WebDriver ${method} ${route} → ${res.status} ${v.error ?? ""}: ${v.message ?? JSON.stringify(json)}`);
  }
  return json.value;
}

export const s = (route) => `/session/${session}${route}`;
export const css = (testid) => `[data-testid="${testid}"]`;

/** Opens the app (`application`: a binary or a wrapper script); screenshots get `prefix`. */
export async function openSession(application, prefix = "") {
  mkdirSync(OUT, { recursive: true });
  assert.ok(existsSync(application), `app binary missing: ${application}`);
  shotPrefix = prefix;
  const created = await wd("POST", "/session", {
    capabilities: { alwaysMatch: { "tauri:options": { application } } },
  });
  session = created.sessionId;
}

export async function closeSession() {
  if (session) {
    await wd("DELETE", `/session/${session}`).catch((e) => console.error(`closing session: ${e.message}`));
    session = null;
  }
}

/**
 * A wrapper that starts the app on `ledger`: the app reads its ledger from RECON_DB. `user`
 * sets RECON_USER (who the app acts as), else the one e2e.sh exports.
 */
export function appOnLedger(dir, ledger, user = null) {
  const wrapper = path.join(dir, user ? `recon-desk-as-${user}.sh` : "recon-desk-on-ledger.sh");
  const asUser = user ? `RECON_USER='${user}'\nexport RECON_USER\n` : "";
  writeFileSync(wrapper, `#!/bin/sh\nRECON_DB='${ledger}'\nexport RECON_DB\n${asUser}exec '${APP}' "$@"\n`);
  chmodSync(wrapper, 0o755);
  return wrapper;
}

/** The `recon` CLI on `ledger` acting as `user`, returning its stdout. */
export function reconOn(ledger, user = "e2e") {
  assert.ok(existsSync(RECON), `recon CLI missing: ${RECON} (cargo build -p recon)`);
  return (...args) =>
    execFileSync(RECON, ["--db", ledger, ...args], { encoding: "utf8", env: { ...process.env, RECON_USER: user } });
}

export async function findAll(selector) {
  const els = await wd("POST", s("/elements"), { using: "css selector", value: selector });
  return els.map((e) => e[ELEMENT]);
}

export async function exec(script, ...args) {
  return wd("POST", s("/execute/sync"), { script, args });
}

/** Polls `probe` until it returns a truthy value; fails with `what` and the last value seen. */
export async function waitFor(what, probe, timeout = WAIT_MS) {
  const end = Date.now() + timeout;
  let last;
  let lastErr;
  while (Date.now() < end) {
    try {
      last = await probe();
      if (last) return last;
    } catch (e) {
      lastErr = e;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  await screenshot(`timeout-${what.replace(/[^a-z0-9]+/gi, "-").slice(0, 40)}`).catch(() => {});
  throw new Error(
    `Timed out after ${timeout} ms waiting for ${what}; last value: ${JSON.stringify(last)}${lastErr ? `; last error: ${lastErr.message}` : ""}`,
  );
}

export async function elBy(selector) {
  return waitFor(`element ${selector}`, async () => (await findAll(selector))[0]);
}

export async function el(testid) {
  return elBy(css(testid));
}

export async function click(testid) {
  await wd("POST", s(`/element/${await el(testid)}/click`), {});
}

export async function text(testid) {
  const [id] = await findAll(css(testid));
  if (!id) return null;
  return wd("GET", s(`/element/${id}/text`));
}

export async function typeInto(testid, value) {
  const id = await el(testid);
  await wd("POST", s(`/element/${id}/clear`), {});
  if (value === "") {
    // WebKitWebDriver refuses an empty key sequence: tell the app the field is now empty.
    await exec(`arguments[0].dispatchEvent(new Event("input", { bubbles: true }));`, { [ELEMENT]: id });
  } else {
    await wd("POST", s(`/element/${id}/value`), { text: value });
  }
}

/** Selects an <option> by value (click on the option; falls back to setting value + change). */
export async function select(testid, value) {
  const sel = `${css(testid)} option[value="${value.replace(/"/g, '\\"')}"]`;
  const opt = await waitFor(`option ${value} in ${testid}`, async () => (await findAll(sel))[0]);
  await wd("POST", s(`/element/${opt}/click`), {});
  const current = await exec(`return document.querySelector(arguments[0]).value;`, css(testid));
  if (current !== value) {
    await exec(
      `const e = document.querySelector(arguments[0]); e.value = arguments[1];
       e.dispatchEvent(new Event("change", { bubbles: true }));`,
      css(testid),
      value,
    );
  }
}

/** innerText (WebDriver's element text can skip parts of grid/flex rows). */
export async function innerText(selector) {
  return exec(`return document.querySelector(arguments[0])?.innerText ?? null;`, selector);
}

/** A real key press through the WebDriver actions API (goes to the focused element). */
export async function press(key) {
  await wd("POST", s("/actions"), {
    actions: [{ type: "key", id: "keyboard", actions: [{ type: "keyDown", value: key }, { type: "keyUp", value: key }] }],
  });
  await wd("DELETE", s("/actions")).catch(() => {});
}

export async function screenshot(name) {
  if (!session) return;
  // Let WebKit paint the latest DOM changes first (two frames, or 500 ms if frames are throttled).
  await wd("POST", s("/execute/async"), {
    script: `const done = arguments[arguments.length - 1];
      const t = setTimeout(done, 500);
      requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(() => { clearTimeout(t); done(); }, 50)));`,
    args: [],
  });
  const b64 = await wd("GET", s("/screenshot"));
  shot += 1;
  const file = path.join(OUT, `${shotPrefix}${String(shot).padStart(2, "0")}-${name}.png`);
  writeFileSync(file, Buffer.from(b64, "base64"));
  return file;
}
