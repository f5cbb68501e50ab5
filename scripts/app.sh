#!/usr/bin/env bash
# Starts the Recon Desk desktop app on the default ledger (RECON_DB, else the platform data
# dir's recon-desk/ledger.sqlite), installing and building what it needs first.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export PATH="${CARGO_HOME:-${HOME:-/root}/.cargo}/bin:$PATH"
scripts/setup.sh
# Builds ui/dist (beforeBuildCommand) and the debug app with the UI embedded.
ui/node_modules/.bin/tauri build --debug --no-bundle
cargo build -q -p recon
exec target/debug/recon-desk "$@"
