#!/usr/bin/env bash
# Matching benchmark (issue 4): the engine and `recon match` against rapidfuzz cdist on
# 100k x 100k, with the exactness checks on a 10k slice. Extra arguments go to recon-bench
# (e.g. `--n 10000` for a quick run, `--skip-rapidfuzz`).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -p recon-bench -p recon
target_dir="${CARGO_TARGET_DIR:-target}"
exec "$target_dir/release/recon-bench" matching --n 100000 --recon "$target_dir/release/recon" "$@"
