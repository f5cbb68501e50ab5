#!/usr/bin/env bash
# The expected-payments import benchmark (issue 8): `recon import expected` of 30,000 rows
# against `sqlite3 .import --csv` of the same file into a table with a UNIQUE memo
# (required <= 4x, goal 2x). Extra arguments go to recon-bench (e.g. `--rows 100000`).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v sqlite3 >/dev/null || { sudo_="$( [ "$(id -u)" -eq 0 ] || echo sudo )"; $sudo_ apt-get update && $sudo_ apt-get install -y sqlite3; }
cargo build --release -p recon-bench -p recon
target_dir="${CARGO_TARGET_DIR:-target}"
exec "$target_dir/release/recon-bench" expected --recon "$target_dir/release/recon" "$@"
