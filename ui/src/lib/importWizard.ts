// Pure helpers of the import wizard and the import history screen (no IPC, unit-tested).
import type { ColumnDto } from "../bindings/ColumnDto";
import type { PreviewDto } from "../bindings/PreviewDto";
import type { ProfileDto } from "../bindings/ProfileDto";

/** Paths typed or pasted one per line (blank lines ignored). */
export function parsePaths(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
}

/** Adds paths to the text box, keeping what is there and dropping repeats. */
export function addPaths(text: string, more: string[]): string {
  const all = parsePaths(text);
  for (const p of more) if (!all.includes(p)) all.push(p);
  return all.join("\n");
}

/**
 * A `<select>` value for a column: `""` (none), `n:Name` or `i:3`. Column choices are
 * header names when the file has a header, else 1-based indexes.
 */
export function columnKey(c: ColumnDto | null | undefined): string {
  if (c === null || c === undefined || c === "") return "";
  return typeof c === "number" ? `i:${c}` : `n:${c}`;
}

export function parseColumnKey(key: string): ColumnDto | null {
  if (key.startsWith("i:")) {
    const n = Number.parseInt(key.slice(2), 10);
    return Number.isInteger(n) && n >= 1 ? n : null;
  }
  if (key.startsWith("n:")) return key.slice(2);
  return null;
}

export interface ColumnOption {
  key: string;
  label: string;
}

/**
 * The dropdown choices for a column: the header names (by name) or `column N` (by index),
 * plus the profile's current choice when the file does not have it (so it is never lost).
 */
export function columnOptions(columns: string[], hasHeader: boolean, current: (ColumnDto | null)[] = []): ColumnOption[] {
  const norm = (n: string) => n.trim().toLowerCase();
  const repeated = (name: string) => columns.filter((c) => norm(c) === norm(name)).length > 1;
  // A name is a key only when it names one column: a repeated name ("Währung" twice) or a
  // blank one is told apart by its position, in the key and in the label.
  const opts: ColumnOption[] = columns.map((name, i) => {
    const blank = name.trim() === "" || /^column \d+$/.test(name);
    if (hasHeader && !blank && !repeated(name)) return { key: columnKey(name), label: name };
    const label = hasHeader && !blank ? `${name} (column ${i + 1})` : `column ${i + 1}`;
    return { key: columnKey(i + 1), label };
  });
  for (const c of current) {
    const key = columnKey(c);
    if (key && !opts.some((o) => o.key === key)) {
      const why = typeof c === "string" && repeated(c) ? "named twice: choose one by position" : "not in file";
      opts.push({ key, label: typeof c === "number" ? `column ${c} (${why})` : `${c} (${why})` });
    }
  }
  return opts;
}

export const DELIMITERS: { value: string; label: string }[] = [
  { value: ",", label: "comma ," },
  { value: ";", label: "semicolon ;" },
  { value: "\t", label: "tab" },
  { value: "|", label: "pipe |" },
];

export const ENCODINGS = ["auto", "utf-8", "windows-1252", "iso-8859-1", "iso-8859-15", "utf-16le", "utf-16be", "shift_jis"];

/** How a date format writes 31 December 2026 (the example that shows day and month apart). */
export function dateExample(format: string): string {
  const parts: Record<string, string> = { Y: "2026", y: "26", m: "12", d: "31", e: "31", b: "Dec", B: "December", "%": "%" };
  return format.replace(/%([A-Za-z%])/g, (whole, k: string) => parts[k] ?? whole);
}

function labelled(format: string): { value: string; label: string } {
  const example = dateExample(format);
  const d = format.indexOf("%d") >= 0 ? format.indexOf("%d") : format.indexOf("%e");
  const m = format.search(/%[mbB]/);
  const order = format.startsWith("%Y") ? "year first" : d >= 0 && m >= 0 ? (d < m ? "day first" : "month first") : "";
  return { value: format, label: order ? `${example} — ${order}` : example };
}

/** Date formats offered in the wizard (chrono strftime), each shown as an example reading. */
export const DATE_FORMATS: { value: string; label: string }[] = [
  "%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y", "%m/%d/%Y", "%d-%m-%Y", "%m-%d-%Y", "%d.%m.%y", "%d/%m/%y", "%m/%d/%y",
  "%Y/%m/%d", "%Y%m%d", "%d %b %Y", "%b %d, %Y",
].map(labelled);

/** The offered date formats, plus the profile's own when it is not among them. */
export function dateFormatOptions(current: string): { value: string; label: string }[] {
  return DATE_FORMATS.some((f) => f.value === current) || !current ? DATE_FORMATS : [...DATE_FORMATS, labelled(current)];
}

/** Whole percent of bytes read, 0–100; 0 when the total is unknown. */
export function progressPercent(done: number, total: number): number {
  if (!(total > 0) || !(done > 0)) return 0;
  return Math.min(100, Math.floor((done * 100) / total));
}

/** File sizes: 532 B, 12.4 KiB, 3.0 MiB. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ["KiB", "MiB", "GiB"];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(1)} ${units[u]}`;
}

/** Counts of a preview: rows shown, parsed, rejected. */
export function previewCounts(p: PreviewDto): { shown: number; parsed: number; rejected: number } {
  const rejected = p.rows.filter((r) => r.reject !== null).length;
  return { shown: p.rows.length, parsed: p.rows.length - rejected, rejected };
}

/** A deep copy of a profile, so edits never touch the preview it came from. */
export function cloneProfile(p: ProfileDto): ProfileDto {
  return JSON.parse(JSON.stringify(p)) as ProfileDto;
}

/** Comma-separated indicator values → list ("S, Soll" → ["S", "Soll"]). */
export function splitValues(text: string): string[] {
  return text
    .split(",")
    .map((v) => v.trim())
    .filter((v) => v.length > 0);
}

/** `abcdef…` → first 12 hex digits, for tables (the full hash is in the title). */
export function shortHash(sha: string): string {
  return sha.length > 12 ? `${sha.slice(0, 12)}…` : sha;
}

/**
 * Whether the import button may be used: a wallet, at least one path, and every ambiguous
 * column of the previewed proposal answered (the app asks, it never guesses).
 */
export function importBlocker(
  wallet: string,
  paths: string[],
  unansweredAmbiguities: number,
  expectedFile = false,
): string | null {
  if (expectedFile) return "import this expected payments file on the Expected payments screen";
  if (!wallet) return "choose a wallet";
  if (paths.length === 0) return "choose a file";
  if (unansweredAmbiguities > 0) return "choose how to read the ambiguous column above";
  return null;
}

/**
 * The thousands separator to keep when the decimal separator changes: one character cannot
 * be both, so choosing `,` as decimal turns a `,` thousands separator into `.` (and back).
 */
export function thousandsFor(decimal: string, thousands: string | null): string | null {
  if (thousands !== decimal) return thousands;
  return decimal === "," ? "." : ",";
}

/** A file's name without its folders, cut in the middle past `max` characters
 *  ("/home/me/bank/2026-01-statement-of-account.csv" → "2026-01-sta…account.csv"). */
export function shortFileName(path: string, max = 28): string {
  const name = path.split(/[\\/]/).filter(Boolean).pop() ?? path;
  if (name.length <= max) return name;
  const tail = Math.floor((max - 1) / 2);
  return `${name.slice(0, max - 1 - tail)}…${name.slice(name.length - tail)}`;
}
