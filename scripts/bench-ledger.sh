#!/usr/bin/env bash
# The partner-ledger benchmark (issue 9): 1,000,000 settlements into a program with a
# two-level affiliate tree, timed beside sqlite3 on the same data: import vs `.import`
# (required <= 1.5x), `ledger summary` vs the same aggregate over the covering index
# (<= 1.2x), `ledger verify` vs a GROUP BY ... HAVING scan (<= 2x), peak memory < 300 MB; and,
# shown only, the import vs sqlite3 inserting the same rows (crates/recon-bench/src/ledger_peer.rs).
# Extra arguments go to recon-bench (e.g. `--rows 100000 --repeat 1` for a quick run).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v sqlite3 >/dev/null || { sudo_="$( [ "$(id -u)" -eq 0 ] || echo sudo )"; $sudo_ apt-get update && $sudo_ apt-get install -y sqlite3; }
cargo build --release -p recon-bench -p recon
target_dir="${CARGO_TARGET_DIR:-target}"
exec "$target_dir/release/recon-bench" ledger --recon "$target_dir/release/recon" "$@"
