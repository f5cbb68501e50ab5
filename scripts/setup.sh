#!/usr/bin/env bash
# Installs what Recon Desk needs on Debian 12, only what is missing: system packages
# (Tauri's WebKitGTK libs, Xvfb and WebKitWebDriver for the end-to-end test, PostgreSQL,
# sqlite3), tauri-driver, and the UI's npm packages. Safe to run again and again.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
sudo_cmd=""
if [ "$(id -u)" -ne 0 ]; then sudo_cmd="sudo"; fi

packages=(
  build-essential pkg-config curl file
  libwebkit2gtk-4.1-dev libjavascriptcoregtk-4.1-dev libsoup-3.0-dev
  libayatana-appindicator3-dev librsvg2-dev libssl-dev libdbus-1-dev
  xvfb webkit2gtk-driver xauth
  postgresql sqlite3
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  $sudo_cmd apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -q "${missing[@]}"
fi

export PATH="${CARGO_HOME:-${HOME:-/root}/.cargo}/bin:$PATH"
for tool in cargo node npm; do
  command -v "$tool" >/dev/null || { echo "setup: $tool is required (Rust via rustup, Node 20+ with npm)" >&2; exit 1; }
done

if ! command -v tauri-driver >/dev/null; then
  echo "setup: installing tauri-driver (about 2 minutes)"
  cargo install tauri-driver --locked
fi

# Install only when the lock file changed since the last install, with `npm ci`: it installs
# exactly what the lock lists and never rewrites it, so a fresh clone's test run leaves
# `git status` clean. The committed lock lists every platform's optional packages (rollup's,
# esbuild's), so npm 11 on any platform finds what it needs there.
stamp="ui/node_modules/.recon-lock.sha256"
want="$(sha256sum ui/package-lock.json | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "setup: installing the UI's npm packages"
  npm --prefix ui ci --no-audit --no-fund
  echo "$want" > "$stamp"
fi
