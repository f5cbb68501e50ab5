#!/usr/bin/env bash
# Size limits of the developer guide: a Rust source file stays under 600 lines, a Rust
# function under 100 lines, a Svelte component under 400 lines. Reports every one over its
# limit and exits 1 if there is any.
#
# What counts (a heuristic over rustfmt-formatted code, not a parser):
# - Rust files under crates/ and src-tauri/, except tests/, benches/, examples/ directories,
#   tests.rs and *_tests.rs files, and generated files (a "@generated" or "DO NOT EDIT"
#   line near the top).
# - Inside a file, an item under `#[cfg(test)]` (the test module) is not counted: from the
#   item's first line to the `}` at the item's own indentation.
# - A function runs from its `fn` line to the first later line that is `}` at the `fn`
#   line's indentation (rustfmt puts it there); a one-line fn is one line, and a
#   declaration without a body (`fn f();` in a trait) is none.
# - Svelte components: every ui/src/**/*.svelte file, all its lines.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if git rev-parse --git-dir >/dev/null 2>&1; then
  files() { git ls-files --cached --others --exclude-standard -- "$@"; }
else
  files() { find "$@" -type f 2>/dev/null | sed 's|^\./||'; }
fi

{ files 'crates/*.rs' 'src-tauri/*.rs'; echo '--svelte--'; files 'ui/src/*.svelte'; } |
  python3 -c '
import re, sys

FILE_LIMIT, FN_LIMIT, SVELTE_LIMIT = 600, 100, 400
FN_RE = re.compile(r"^(\s*)(pub(\([^)]*\))?\s+)?(default\s+)?(const\s+)?(async\s+)?(unsafe\s+)?(extern\s+\"[^\"]*\"\s+)?fn\s+(\w+)")
ATTR_RE = re.compile(r"^\s*#!?\[")
CFG_TEST_RE = re.compile(r"^\s*#\[cfg\(test\)\]\s*$")

def indent(line):
    return len(line) - len(line.lstrip(" "))

def skipped_path(path):
    parts = path.split("/")
    name = parts[-1]
    return (any(p in ("tests", "benches", "examples", "target", "node_modules") for p in parts[:-1])
            or name == "tests.rs" or name.endswith("_tests.rs"))

def block_end(lines, start):
    """Index of the line closing the item that starts at `start` (its `}` at the same
    indentation), or `start` itself for a one-line item."""
    ind = indent(lines[start])
    # Find where the signature ends: a line ending with `{` opens the body, `;` ends it.
    i = start
    while i < len(lines):
        s = lines[i].rstrip()
        if s.endswith("{"):
            break
        if s.endswith(";") or (s.endswith("}") and "{" in s):
            return i
        i += 1
    else:
        return start
    closing = " " * ind + "}"
    for j in range(i + 1, len(lines)):
        s = lines[j].rstrip()
        if s == closing or s.startswith(closing + " ") or s in (closing + ";", closing + ","):
            return j
    return len(lines) - 1

def check_rust(path, problems):
    try:
        text = open(path, encoding="utf-8").read()
    except (OSError, UnicodeDecodeError):
        return
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    head = "\n".join(lines[:5])
    if "@generated" in head or "DO NOT EDIT" in head:
        return
    counted = 0
    i = 0
    while i < len(lines):
        line = lines[i]
        if CFG_TEST_RE.match(line):
            j = i + 1
            while j < len(lines) and ATTR_RE.match(lines[j]):
                j += 1
            if j < len(lines):
                i = block_end(lines, j) + 1
                continue
        counted += 1
        m = FN_RE.match(line)
        if m:
            end = block_end(lines, i)
            length = end - i + 1
            if end > i and length > FN_LIMIT:
                problems.append(f"{path}:{i + 1}: fn {m.group(9)} is {length} lines (limit {FN_LIMIT})")
        i += 1
    if counted > FILE_LIMIT:
        problems.append(f"{path}: {counted} lines outside test modules (limit {FILE_LIMIT})")

problems = []
svelte = False
for raw in sys.stdin:
    path = raw.rstrip("\n")
    if path == "--svelte--":
        svelte = True
        continue
    if not path:
        continue
    if svelte:
        if "node_modules/" in path:
            continue
        try:
            n = sum(1 for _ in open(path, encoding="utf-8"))
        except OSError:
            continue
        if n > SVELTE_LIMIT:
            problems.append(f"{path}: {n} lines (Svelte limit {SVELTE_LIMIT})")
    elif path.endswith(".rs") and not skipped_path(path):
        check_rust(path, problems)

for p in problems:
    print(p)
if problems:
    print(f"check-sizes: {len(problems)} over the limits (files {FILE_LIMIT}, functions {FN_LIMIT}, Svelte {SVELTE_LIMIT} lines)", file=sys.stderr)
    sys.exit(1)
print("check-sizes: every file and function is within its limit")
'
