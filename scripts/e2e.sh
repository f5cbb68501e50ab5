#!/usr/bin/env bash
# End-to-end test of the Recon Desk desktop app: builds it, runs it under Xvfb through
# tauri-driver (WebDriver on 127.0.0.1:4444) against a fresh ledger, and drives the UI
# with ui/e2e/*.test.mjs (node:test), one file at a time. Screenshots land in target/e2e/.
#
# Needs: node/npm, webkit2gtk dev libs, xvfb (xvfb-run), webkit2gtk-driver (WebKitWebDriver),
# and tauri-driver (cargo install tauri-driver --locked).
# Env: E2E_SKIP_BUILD=1 reuses target/debug/recon-desk (or E2E_APP); E2E_PORT (default 4444),
# E2E_NATIVE_PORT (WebKitWebDriver's, default E2E_PORT + 1000);
# E2E_ONLY="payouts sync" runs only ui/e2e/payouts.test.mjs and ui/e2e/sync.test.mjs.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
port="${E2E_PORT:-4444}"
# tauri-driver's own WebKitWebDriver listens on 4445 unless told otherwise: several runs at
# once (E2E_PORT apart) would share it and lose each other's sessions.
native_port="${E2E_NATIVE_PORT:-$((port + 1000))}"
out="$root/target/e2e"
app_built="${E2E_APP:-$root/target/debug/recon-desk}"
driver="${TAURI_DRIVER:-$(command -v tauri-driver || echo "${CARGO_HOME:-${HOME:-/root}/.cargo}/bin/tauri-driver")}"

for tool in xvfb-run WebKitWebDriver node npm; do
  command -v "$tool" >/dev/null || { echo "e2e: missing $tool" >&2; exit 1; }
done
[ -x "$driver" ] || { echo "e2e: missing tauri-driver ($driver)" >&2; exit 1; }

if [ ! -x ui/node_modules/.bin/tauri ]; then
  npm --prefix ui install --no-audit --no-fund
fi

if [ "${E2E_SKIP_BUILD:-0}" != 1 ]; then
  # The Tauri CLI finds src-tauri/tauri.conf.json below the working directory; its
  # beforeBuildCommand builds ui/dist, which the debug binary embeds.
  ui/node_modules/.bin/tauri build --debug --no-bundle
  # Several tests prepare ledgers with the CLI before they open the app; the sync tests
  # start a real recon-server (on the PostgreSQL of RECON_TEST_PG_URL).
  cargo build -p recon -p recon-server
fi
[ -x "$app_built" ] || { echo "e2e: $app_built was not built" >&2; exit 1; }
[ -x "$root/target/debug/recon" ] || { echo "e2e: target/debug/recon was not built" >&2; exit 1; }
[ -x "$root/target/debug/recon-server" ] || { echo "e2e: target/debug/recon-server was not built" >&2; exit 1; }

rm -rf "$out"
mkdir -p "$out"
tmp="$(mktemp -d)"
export RECON_DB="$tmp/ledger.sqlite"
export RECON_USER="e2e"
export RECON_TOKEN="e2e-not-a-real-token"  # so "Sync now" reaches the (closed) loopback server
driver_pid=""

cleanup() {
  local rc=$?
  if [ -n "$driver_pid" ]; then
    # tauri-driver runs in its own process group (setsid): end Xvfb, the drivers and the app with it.
    kill -TERM -- "-$driver_pid" 2>/dev/null || true
    for _ in $(seq 1 25); do kill -0 -- "-$driver_pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL -- "-$driver_pid" 2>/dev/null || true
  fi
  rm -rf "$tmp"
  exit "$rc"
}
trap cleanup EXIT INT TERM

# A plain `cargo build` elsewhere (without Tauri's custom-protocol feature) can replace
# target/debug/recon-desk with a binary that loads the dev server instead of ui/dist: run a
# private copy, and refuse one that does not embed the UI just built.
app="$tmp/recon-desk"
cp "$app_built" "$app"
ui_js="$(grep -o 'assets/index-[A-Za-z0-9_-]*\.js' ui/dist/index.html | head -n 1 || true)"
if [ -n "$ui_js" ] && ! grep -qF "$ui_js" "$app"; then
  echo "e2e: $app_built does not embed ui/dist ($ui_js): another cargo build replaced it? Run again." >&2
  exit 1
fi

echo "e2e: ledger $RECON_DB"
setsid xvfb-run -a -s "-screen 0 1280x800x24" "$driver" --port "$port" --native-port "$native_port" >"$out/tauri-driver.log" 2>&1 &
driver_pid=$!

deadline=$((SECONDS + 30))
until curl -sf "http://127.0.0.1:$port/status" >/dev/null 2>&1; do
  if ! kill -0 "$driver_pid" 2>/dev/null; then
    echo "e2e: tauri-driver exited early:" >&2
    cat "$out/tauri-driver.log" >&2
    exit 1
  fi
  if [ "$SECONDS" -ge "$deadline" ]; then
    echo "e2e: tauri-driver did not answer on :$port within 30 s" >&2
    cat "$out/tauri-driver.log" >&2
    exit 1
  fi
  sleep 0.5
done
echo "e2e: tauri-driver is up on :$port"

# One file at a time: tauri-driver drives one app session at once.
tests=(ui/e2e/)
if [ -n "${E2E_ONLY:-}" ]; then
  tests=()
  for name in $E2E_ONLY; do tests+=("ui/e2e/$name.test.mjs"); done
fi
E2E_APP="$app" E2E_RECON="$root/target/debug/recon" E2E_OUT="$out" E2E_DRIVER="http://127.0.0.1:$port" \
  node --test --test-concurrency=1 "${tests[@]}"

echo "e2e: screenshots in $out"
