// Pure logic of the Partners screen: its keyboard map, the affiliate tree, the ledger's month
// filter, the reversal's confirmation text and the export's default path. No Svelte, no Tauri:
// unit-tested by vitest. Amounts stay decimal strings.
import { isTypingTarget, type KeyLike } from "./review";
import { formatAmount } from "./amount";

// ---------------------------------------------------------------- keyboard

export type PartnersTab = "programs" | "entities" | "conversions" | "ledger";
export const PARTNERS_TABS: { id: PartnersTab; label: string }[] = [
  { id: "programs", label: "Programs" },
  { id: "entities", label: "Entities" },
  { id: "conversions", label: "Conversions" },
  { id: "ledger", label: "Ledger" },
];

export type PartnersAction =
  | { kind: "move"; delta: number }
  | { kind: "tab"; delta: number }
  | { kind: "open" } // Enter: a program becomes the current one; an entry's detail opens
  | { kind: "approve" }
  | { kind: "reject" }
  | { kind: "reverse" }
  | { kind: "export" }
  | { kind: "search" };

/**
 * j/k (↓/↑) move, h/l (←/→) switch tabs, Enter opens, a approves, x rejects (asks a reason),
 * v reverses (asks a reason and confirms), e exports, / searches. `null` = not ours: a key typed
 * into a field, a modified key, or Enter on a focused button.
 */
export function partnersKeyAction(e: KeyLike): PartnersAction | null {
  if (e.ctrlKey || e.metaKey || e.altKey) return null;
  if (isTypingTarget(e.target)) return null;
  const tag = (e.target as { tagName?: unknown } | undefined)?.tagName;
  if (e.key === "Enter" && typeof tag === "string" && ["BUTTON", "A", "SUMMARY"].includes(tag.toUpperCase())) return null;
  switch (e.key) {
    case "j":
    case "ArrowDown":
      return { kind: "move", delta: 1 };
    case "k":
    case "ArrowUp":
      return { kind: "move", delta: -1 };
    case "h":
    case "ArrowLeft":
      return { kind: "tab", delta: -1 };
    case "l":
    case "ArrowRight":
      return { kind: "tab", delta: 1 };
    case "Enter":
      return { kind: "open" };
    case "a":
      return { kind: "approve" };
    case "x":
      return { kind: "reject" };
    case "v":
      return { kind: "reverse" };
    case "e":
      return { kind: "export" };
    case "/":
      return { kind: "search" };
    default:
      return null;
  }
}

/** The tab `delta` steps from `current`, stopping at the ends. */
export function stepTab(current: PartnersTab, delta: number): PartnersTab {
  const i = PARTNERS_TABS.findIndex((t) => t.id === current);
  return PARTNERS_TABS[Math.min(PARTNERS_TABS.length - 1, Math.max(0, i + delta))].id;
}

// ---------------------------------------------------------------- affiliate tree

export interface TreeInput {
  entity_type: string;
  entity_ref: string;
  /** The parent affiliate's ref. */
  parent: string | null;
}

export interface TreeRow<T> {
  entity: T;
  /** 0 for a root; an affiliate's child is one deeper than its parent. */
  depth: number;
  /** The chain above it, nearest first ("b1 ← a1"), for a title. */
  ancestors: string[];
}

/**
 * Entities in tree order: each type's entities sorted by ref, an affiliate's children under it
 * (depth-first). A parent missing from the list makes its children roots; a cycle (which the
 * ledger refuses) cannot loop here: an entity is placed once.
 */
export function entityTree<T extends TreeInput>(entities: T[]): TreeRow<T>[] {
  const byRef = new Map<string, T>();
  for (const e of entities) if (e.entity_type === "affiliate") byRef.set(e.entity_ref, e);
  const children = new Map<string, T[]>();
  const roots: T[] = [];
  for (const e of entities) {
    const parent = e.entity_type === "affiliate" && e.parent !== null ? byRef.get(e.parent) : undefined;
    if (parent && parent !== e) {
      const list = children.get(parent.entity_ref) ?? [];
      list.push(e);
      children.set(parent.entity_ref, list);
    } else roots.push(e);
  }
  const order = (a: T, b: T) =>
    a.entity_type === b.entity_type ? compare(a.entity_ref, b.entity_ref) : compare(a.entity_type, b.entity_type);
  const out: TreeRow<T>[] = [];
  const placed = new Set<T>();
  const visit = (e: T, depth: number, ancestors: string[]) => {
    if (placed.has(e)) return;
    placed.add(e);
    out.push({ entity: e, depth, ancestors });
    for (const c of (children.get(e.entity_ref) ?? []).sort(order)) visit(c, depth + 1, [e.entity_ref, ...ancestors]);
  };
  for (const r of roots.sort(order)) visit(r, 0, []);
  // members of a cycle have no root above them: list them flat rather than lose them
  for (const e of [...entities].sort(order)) visit(e, 0, []);
  return out;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// ---------------------------------------------------------------- ledger filters

/** "2026-03-04T10:00:00Z" (or "2026-03") → "2026-03"; `null` for anything else. */
export function periodOf(date: string): string | null {
  const m = /^(\d{4}-\d{2})(?:-\d{2}|$)/.exec(date);
  return m ? m[1] : null;
}

/** The distinct months of `dates` (or periods), newest first (for the ledger's month filter). */
export function monthsOf(dates: string[]): string[] {
  const set = new Set<string>();
  for (const d of dates) {
    const p = periodOf(d);
    if (p) set.add(p);
  }
  return [...set].sort().reverse();
}

// ---------------------------------------------------------------- amounts

/** The opposite of a decimal string, exactly ("12.50" → "-12.50", "-3" → "3", "0.00" → "0.00"). */
export function negate(amount: string): string {
  const s = amount.trim();
  if (!/^[+-]?\d+(\.\d+)?$/.test(s)) return s;
  const body = s.replace(/^[+-]/, "");
  if (!/[1-9]/.test(body)) return body;
  return s.startsWith("-") ? body : `-${body}`;
}

/** What the reversal dialog asks, naming the amount that will be taken back. */
export function reversalQuestion(entry: {
  id: number | string;
  earnings_amount: string;
  currency: string;
  entity_type: string;
  entity_ref: string;
}): string {
  return (
    `Reverse entry #${entry.id}: ${formatAmount(entry.earnings_amount)} ${entry.currency} earned by ` +
    `${entry.entity_type} ${entry.entity_ref}? A reversal entry of ${formatAmount(negate(entry.earnings_amount))} ` +
    `${entry.currency} will be posted; this cannot be undone.`
  );
}

// ---------------------------------------------------------------- export

/** Where an export goes by default: beside the ledger file, named by program and period. */
export function defaultExportPath(dbPath: string, slug: string, period: string | null): string {
  const i = Math.max(dbPath.lastIndexOf("/"), dbPath.lastIndexOf("\\"));
  const dir = i >= 0 ? dbPath.slice(0, i + 1) : "";
  const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, "_");
  return `${dir}ledger-${safe(slug)}${period ? "-" + safe(period) : ""}.csv`;
}
