#!/usr/bin/env bash
# The import benchmark: 1,000,000-row bank CSV into recon vs sqlite3 .import (see README).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v sqlite3 >/dev/null || { sudo_="$( [ "$(id -u)" -eq 0 ] || echo sudo )"; $sudo_ apt-get update && $sudo_ apt-get install -y sqlite3; }
cargo build --release -p recon-bench -p recon
exec target/release/recon-bench imports --recon target/release/recon "$@"
