// What the sync e2e files share: a real recon-server on a fresh database of the local
// PostgreSQL (RECON_TEST_PG_URL, see scripts/postgres.sh), its device tokens, the `recon`
// CLI as a colleague on his own ledger with his own token, and the app opened on this
// laptop's ledger with its token. `stop()` ends the server and drops the database and the
// temp dir, so a run leaves nothing behind.
import { spawn, execFileSync } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { APP, RECON, repo } from "./harness.mjs";

const SERVER = path.join(repo, "target", "debug", "recon-server");
const PG = process.env.RECON_TEST_PG_URL ?? "host=/var/run/postgresql user=root dbname=postgres";

const onDb = (db) => PG.replace(/dbname=\S+/, `dbname=${db}`);

function psql(sql) {
  return execFileSync("psql", [onDb("postgres"), "-tAc", sql], { encoding: "utf8" }).trim();
}

function listen(conn) {
  const child = spawn(SERVER, ["--database-url", conn, "serve", "--bind", "127.0.0.1:0"], { stdio: ["ignore", "pipe", "inherit"] });
  const url = new Promise((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (chunk) => {
      out += chunk;
      const m = out.match(/listening on (http:\/\/\S+)/);
      if (m) resolve(m[1]);
    });
    child.on("exit", (code) => reject(new Error(`recon-server exited (${code}): ${out}`)));
  });
  return { child, url };
}

/**
 * A migrated database named after `name`, the server listening on a loopback port and a temp
 * dir for the ledgers. Returns { dir, url, token(org, user), colleague(file, token, user),
 * appWrapper(ledger, token, user), stop() }.
 */
export async function startSyncServer(name) {
  const dir = mkdtempSync(path.join(tmpdir(), `recon-e2e-${name}-`));
  // recon_test_*: scripts/postgres.sh drops such databases a crashed run left behind.
  const dbName = `recon_test_e2e_${name}_${process.pid}_${Date.now()}`;
  psql(`CREATE DATABASE ${dbName}`);
  const conn = onDb(dbName);
  const serverCli = (...args) => execFileSync(SERVER, ["--database-url", conn, ...args], { encoding: "utf8" }).trim();
  let child = null;
  const stop = async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
    }
    psql(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    serverCli("migrate");
    const server = listen(conn);
    child = server.child;
    const url = await server.url;
    return {
      dir,
      url,
      token: (org, user) => serverCli("token", "create", "--org", org, "--user", user),
      /** The `recon` CLI on `file` in the temp dir, as `user` with `token`: returns its stdout. */
      colleague(file, token, user) {
        const ledger = path.join(dir, file);
        return (...args) =>
          execFileSync(RECON, ["--db", ledger, ...args], { encoding: "utf8", env: { ...process.env, RECON_USER: user, RECON_TOKEN: token } });
      },
      /** A script that starts the app on `ledger` as `user` with `token` (for openSession). */
      appWrapper(ledger, token, user) {
        const wrapper = path.join(dir, `recon-desk-${user}.sh`);
        writeFileSync(
          wrapper,
          `#!/bin/sh\nRECON_DB='${ledger}'\nRECON_TOKEN='${token}'\nRECON_USER='${user}'\nexport RECON_DB RECON_TOKEN RECON_USER\nexec '${APP}' "$@"\n`,
        );
        chmodSync(wrapper, 0o755);
        return wrapper;
      },
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}
