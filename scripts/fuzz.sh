#!/usr/bin/env bash
# Fuzzes every reader (CSV with profile proposal, OFX, CAMT, MT940, ESI journal, expected
# payments, TOML profiles) for a long time, optimised, at the lowest CPU priority:
#   scripts/fuzz.sh 14400              # four hours over all targets
#   scripts/fuzz.sh 3600 --target camt # one target
# Findings are saved under crates/recon-fuzz/crashes/<target>/ and replayed by
# `cargo test -p recon-fuzz` from then on. Exit 1: a panic or broken property; 3: a hang.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="${CARGO_HOME:-${HOME:-/root}/.cargo}/bin:$PATH"
seconds="${1:-3600}"
shift || true
cargo build --release -p recon-fuzz
exec nice -n 19 "${CARGO_TARGET_DIR:-target}/release/recon-fuzz" --seconds "$seconds" "$@"
