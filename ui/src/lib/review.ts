// Pure logic of the Review screen: the keyboard map, the "why" of a score, row filtering and
// exact decimal sums for the split dialog. No Svelte, no Tauri: unit-tested by vitest.
import type { ScoreDto } from "../bindings/ScoreDto";

// ---------------------------------------------------------------- keyboard

export type ReviewAction =
  | { kind: "move"; delta: number }
  | { kind: "accept"; index: number } // index of the suggestion (0 = top)
  | { kind: "reject" }
  | { kind: "undo" }
  | { kind: "search" }
  | { kind: "tab"; delta: number }
  | { kind: "split" };

/** The subset of a KeyboardEvent the map looks at (so tests need no DOM). */
export interface KeyLike {
  key: string;
  ctrlKey?: boolean;
  metaKey?: boolean;
  altKey?: boolean;
  target?: unknown;
}

/** True when the event target is a field the user types into: keys must not fire there. */
export function isTypingTarget(target: unknown): boolean {
  if (!target || typeof target !== "object") return false;
  const t = target as { tagName?: unknown; isContentEditable?: unknown; type?: unknown };
  if (t.isContentEditable === true) return true;
  const tag = typeof t.tagName === "string" ? t.tagName.toUpperCase() : "";
  if (tag === "TEXTAREA" || tag === "SELECT") return true;
  if (tag === "INPUT") {
    const type = typeof t.type === "string" ? t.type.toLowerCase() : "text";
    // Buttons and boxes do not take text; everything else does.
    return !["button", "submit", "reset", "checkbox", "radio"].includes(type);
  }
  return false;
}

function isActivatable(target: unknown): boolean {
  if (!target || typeof target !== "object") return false;
  const tag = (target as { tagName?: unknown }).tagName;
  return typeof tag === "string" && ["BUTTON", "A", "SUMMARY"].includes(tag.toUpperCase());
}

/**
 * The Review screen's keys: j/k (and ↓/↑) move, Enter accepts the top suggestion, 1–3 accept
 * suggestion N, x rejects, u undoes, / searches, h/l (←/→) switch queues, s splits.
 * `null` = not ours (including any key typed into a field, or with Ctrl/Meta/Alt).
 */
export function reviewKeyAction(e: KeyLike): ReviewAction | null {
  if (e.ctrlKey || e.metaKey || e.altKey) return null;
  if (isTypingTarget(e.target)) return null;
  // Enter on a focused button or link activates it: not also an accept.
  if (e.key === "Enter" && isActivatable(e.target)) return null;
  switch (e.key) {
    case "j":
    case "ArrowDown":
      return { kind: "move", delta: 1 };
    case "k":
    case "ArrowUp":
      return { kind: "move", delta: -1 };
    case "Enter":
      return { kind: "accept", index: 0 };
    case "1":
    case "2":
    case "3":
      return { kind: "accept", index: Number(e.key) - 1 };
    case "x":
      return { kind: "reject" };
    case "u":
      return { kind: "undo" };
    case "/":
      return { kind: "search" };
    case "h":
    case "ArrowLeft":
      return { kind: "tab", delta: -1 };
    case "l":
    case "ArrowRight":
      return { kind: "tab", delta: 1 };
    case "s":
      return { kind: "split" };
    default:
      return null;
  }
}

/** Moves a selection by `delta` inside `[0, len)`, stopping at the ends; -1 when empty. */
export function moveSelection(current: number, delta: number, len: number): number {
  if (len <= 0) return -1;
  const from = current < 0 ? (delta > 0 ? -1 : len) : current;
  return Math.min(len - 1, Math.max(0, from + delta));
}

/** Keeps a selection valid after the rows changed: same key if still there, else same place. */
export function reselect(keys: string[], previousKey: string | null, previousIndex: number): number {
  if (keys.length === 0) return -1;
  if (previousKey !== null) {
    const i = keys.indexOf(previousKey);
    if (i >= 0) return i;
  }
  return Math.min(Math.max(previousIndex, 0), keys.length - 1);
}

// ---------------------------------------------------------------- why

export interface WhyPart {
  /** `memo`, `amount` or `payer`. */
  signal: "memo" | "amount" | "payer";
  label: string;
  /** Whether the signal speaks for this match. */
  ok: boolean;
  points: number;
}

/** The reasons behind a score, each with its points (payer equality scores no points in §5). */
export function whyParts(score: ScoreDto): WhyPart[] {
  let memo: WhyPart;
  switch (score.memo) {
    case "equal":
      memo = { signal: "memo", label: "memo equal", ok: true, points: score.memo_points };
      break;
    case "contained":
      memo = { signal: "memo", label: "memo contained", ok: true, points: score.memo_points };
      break;
    case "distance":
      memo = {
        signal: "memo",
        label: `memo distance ${score.distance ?? "?"}`,
        ok: true,
        points: score.memo_points,
      };
      break;
    default:
      memo = { signal: "memo", label: "no memo match", ok: false, points: score.memo_points };
  }
  return [
    memo,
    {
      signal: "amount",
      label: score.amount_equal ? "amount equal" : "amount differs",
      ok: score.amount_equal,
      points: score.amount_points,
    },
    { signal: "payer", label: score.payer_equal ? "payer equal" : "payer differs", ok: score.payer_equal, points: 0 },
  ];
}

/** "+85", "+0". */
export function formatPoints(points: number): string {
  return points < 0 ? `${points}` : `+${points}`;
}

/** One line: "memo distance 2 +85 · amount differs +0 · payer equal +0 = 85". */
export function formatWhy(score: ScoreDto): string {
  const parts = whyParts(score).map((p) => `${p.label} ${formatPoints(p.points)}`);
  return `${parts.join(" · ")} = ${score.total}`;
}

// ---------------------------------------------------------------- search

/** Case-insensitive: every whitespace-separated term of `query` occurs in one of `fields`. */
export function matchesQuery(fields: (string | number | null | undefined)[], query: string): boolean {
  const terms = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (terms.length === 0) return true;
  const hay = fields
    .filter((f) => f !== null && f !== undefined)
    .map((f) => String(f).toLowerCase())
    .join("\u0000");
  return terms.every((t) => hay.includes(t));
}

// ---------------------------------------------------------------- exact decimals (split dialog)

const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?$/;

/** Decimals after the point in an amount string ("3100000000.00" → 2). */
export function scaleOf(amount: string): number {
  const m = DECIMAL.exec(amount.trim());
  return m && m[3] !== undefined ? m[3].length : 0;
}

/** Exact minor units of a decimal string at `scale`; `null` if malformed or too precise. */
export function toMinor(amount: string, scale: number): bigint | null {
  const s = amount.trim().replace(/,/g, "");
  const m = DECIMAL.exec(s);
  if (!m || (m[2] === "" && (m[3] ?? "") === "")) return null;
  const frac = m[3] ?? "";
  if (frac.length > scale && /[1-9]/.test(frac.slice(scale))) return null;
  const digits = (m[2] || "0") + frac.slice(0, scale).padEnd(scale, "0");
  const v = BigInt(digits);
  return m[1] === "-" ? -v : v;
}

/** Minor units back to a decimal string at `scale` (1234n, 2 → "12.34"). */
export function fromMinor(minor: bigint, scale: number): string {
  const neg = minor < 0n;
  const digits = (neg ? -minor : minor).toString().padStart(scale + 1, "0");
  const int = scale > 0 ? digits.slice(0, -scale) : digits;
  const frac = scale > 0 ? "." + digits.slice(-scale) : "";
  return `${neg ? "-" : ""}${int}${frac}`;
}

/** What is left of `total` after the `shares` (all at the total's scale); `null` if a share is malformed. */
export function remainder(total: string, shares: string[]): string | null {
  const scale = scaleOf(total);
  const t = toMinor(total, scale);
  if (t === null) return null;
  let left = t;
  for (const s of shares) {
    if (s.trim() === "") continue;
    const v = toMinor(s, scale);
    if (v === null) return null;
    left -= v;
  }
  return fromMinor(left, scale);
}
