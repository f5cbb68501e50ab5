#!/usr/bin/env bash
# The crash soak (issue 8): the crash test of crates/recon/tests/crash.rs with 1,000 SIGKILLs
# (CI runs 100) in a release build, printing its per-command summary. In the environment,
# RECON_CRASH_KILLS sets the count and RECON_CRASH_SEED repeats a run.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PATH="${CARGO_HOME:-${HOME:-/root}/.cargo}/bin:$PATH"
export RECON_CRASH_KILLS="${RECON_CRASH_KILLS:-1000}"
start=$(date +%s)
cargo test --release -p recon --test crash -- --nocapture
echo "crash soak: $RECON_CRASH_KILLS kills passed in $(( $(date +%s) - start )) s (build included)"
