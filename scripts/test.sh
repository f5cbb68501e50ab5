#!/usr/bin/env bash
# Runs every test of Recon Desk, installing what is missing first (see setup.sh):
# formatting, the size limits (check-sizes.sh), clippy, all Rust tests (the server's against
# a real PostgreSQL; the crash test's 100 kills among them), a check that the generated
# TypeScript bindings are current, the UI's unit tests, and the end-to-end test that drives
# the real app window under Xvfb (screenshots in target/e2e/).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export PATH="${CARGO_HOME:-${HOME:-/root}/.cargo}/bin:$PATH"
export CARGO_TERM_COLOR=never
step() { printf '\n=== %s\n' "$*"; }

step "setup"
scripts/setup.sh
export RECON_TEST_PG_URL="$(scripts/postgres.sh)"

step "cargo fmt --check"
cargo fmt --all -- --check

step "sizes: files, functions, Svelte components"
scripts/check-sizes.sh

# The UI must exist before src-tauri compiles (its assets are embedded).
step "ui: build"
npm --prefix ui run build

step "cargo clippy"
cargo clippy --workspace --all-targets -- -D warnings

step "cargo test (PostgreSQL: $RECON_TEST_PG_URL)"
cargo test --workspace

# Every reader fuzzed for a bounded time (scripts/fuzz.sh runs it for hours).
step "fuzz: every reader, 90 s in all"
cargo run -q -p recon-fuzz -- --seconds 90

# ts-rs writes the DTOs (cargo test -p recon-api) and recon-desk's test the command table's
# ui/src/bindings/commands.ts: both must be committed as generated.
step "TypeScript bindings are current"
if git rev-parse --git-dir >/dev/null 2>&1; then
  if ! git diff --exit-code -- ui/src/bindings || [ -n "$(git ls-files --others --exclude-standard ui/src/bindings)" ]; then
    echo "ui/src/bindings changed when the Rust DTOs and commands were exported: commit the regenerated files" >&2
    exit 1
  fi
fi

step "ui: unit tests"
npm --prefix ui test

step "end-to-end: the app under Xvfb"
scripts/e2e.sh

step "all tests passed"
