#!/usr/bin/env bash
# By-hand check of the importers over the collected real bank files (not a test: tests never
# read ../shared). For each statement/CSV/QIF file under the realdata folder: a dry run, then a
# real import into a fresh temporary ledger (valid rows only, so a refusal is the file's, not
# one bad row's). Prints per file: rows read, rejected, inserted, notes, and whether the
# import was refused and why; then totals.
#
#   scripts/realdata-check.sh [REALDATA_DIR] [RECON_BINARY]
#
# Defaults: ../shared/realdata next to the checkout's parent, and target/debug/recon under
# $CARGO_TARGET_DIR (or ./target).
set -uo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
data="${1:-$here/../../shared/realdata}"
[ -d "$data" ] || data="$here/../shared/realdata"
recon="${2:-${CARGO_TARGET_DIR:-$here/target}/debug/recon}"
[ -x "$recon" ] || { echo "no recon binary at $recon (cargo build -p recon)" >&2; exit 2; }
command -v jq >/dev/null || { echo "jq is needed" >&2; exit 2; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

files=0; zero=0; zero_silent=0; refused=0; refused_repeat=0; dry_failed=0
qif=0; qif_ok=0
printf '%-70s %6s %6s %6s  %s\n' file read rej ins "result / notes"
while IFS= read -r -d '' f; do
  rel="${f#"$data"/}"
  case "$rel" in
    esi/*|record_linkage/*|.*|*/.*|*.md|*.rules|*.json|*requirements.txt|*/docs__*) continue ;;
  esac
  files=$((files + 1))
  is_qif=0; case "$f" in *.qif|*.QIF) is_qif=1; qif=$((qif + 1)) ;; esac
  dry="$("$recon" import file --dry-run --json "$f" 2>&1)"
  if ! jq -e . >/dev/null 2>&1 <<<"$dry"; then
    dry_failed=$((dry_failed + 1))
    printf '%-70s %6s %6s %6s  dry run: %s\n' "${rel:0:70}" - - - "$(head -c 200 <<<"$dry" | tr '\n' ' ')"
    continue
  fi
  rows=$(jq -r '.rows' <<<"$dry")
  rej=$(jq -r '.rejected' <<<"$dry")
  notes=$(jq -r '(.notes // []) | join(" | ")' <<<"$dry")
  cur=$(jq -r '.statement.currency // empty' <<<"$dry")
  [ -n "$cur" ] || cur=EUR
  db="$work/$files.sqlite"
  "$recon" --db "$db" currency add "$cur" --scale 2 >/dev/null 2>&1 || true
  "$recon" --db "$db" wallet add Bank --kind bank --currency "$cur" >/dev/null 2>&1
  imp="$("$recon" --db "$db" import file --wallet Bank --valid-rows-only --json "$f" 2>&1)"
  if jq -e .inserted >/dev/null 2>&1 <<<"$imp"; then
    ins=$(jq -r '.inserted' <<<"$imp")
    result="ok"
    [ "$is_qif" = 1 ] && qif_ok=$((qif_ok + 1))
  else
    ins=-
    refused=$((refused + 1))
    result="REFUSED: $(head -c 240 <<<"$imp" | tr '\n' ' ')"
    if grep -q "already imported" <<<"$imp"; then refused_repeat=$((refused_repeat + 1)); fi
  fi
  if [ "$rows" = 0 ]; then
    zero=$((zero + 1))
    [ -n "$notes" ] || zero_silent=$((zero_silent + 1))
  fi
  printf '%-70s %6s %6s %6s  %s%s\n' "${rel:0:70}" "$rows" "$rej" "$ins" "$result" "${notes:+ · notes: ${notes:0:300}}"
done < <(find "$data" -type f -print0 | sort -z)

echo
echo "files: $files; dry run failed: $dry_failed; import refused: $refused (for a repeated reference: $refused_repeat)"
echo "0-row files: $zero (without a note: $zero_silent); QIF files: $qif (imported: $qif_ok)"
