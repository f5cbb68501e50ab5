// Pure logic of the Payouts screen: how a batch's status reads, the steps the backend allows the
// user (its `allowed_actions`, read into buttons disabled with the reason), the confirmation texts naming amount and currency, the
// summary cards' exact sums, the table's filters and the bulk-approve report. No Svelte, no
// Tauri: unit-tested by vitest. Amounts stay decimal strings (BigInt sums, never JS numbers).
import { formatAmount } from "./amount";
import { addDecimal } from "./checksDecimal";

// ---------------------------------------------------------------- statuses

export type BatchStatus = "draft" | "pending_approval" | "approved" | "processing" | "paid" | "rejected" | "failed";
export const BATCH_STATUSES: BatchStatus[] = ["draft", "pending_approval", "approved", "processing", "paid", "rejected", "failed"];

export type Tone = "neutral" | "waiting" | "good" | "busy" | "done" | "bad";

const STATUS_LOOK: Record<BatchStatus, { text: string; tone: Tone }> = {
  draft: { text: "draft", tone: "neutral" },
  pending_approval: { text: "pending approval", tone: "waiting" },
  approved: { text: "approved", tone: "good" },
  processing: { text: "processing", tone: "busy" },
  paid: { text: "paid", tone: "done" },
  rejected: { text: "rejected", tone: "bad" },
  failed: { text: "failed", tone: "bad" },
};

function isStatus(s: string): s is BatchStatus {
  return (BATCH_STATUSES as string[]).includes(s);
}

/** How a status reads ("pending approval"); an unknown one is shown as it came. */
export function statusText(status: string): string {
  return isStatus(status) ? STATUS_LOOK[status].text : status;
}

/** The badge colour of a status; an unknown one is neutral. */
export function statusTone(status: string): Tone {
  return isStatus(status) ? STATUS_LOOK[status].tone : "neutral";
}

// ---------------------------------------------------------------- steps

export type BatchAction = "submit" | "approve" | "reject" | "process" | "pay" | "fail" | "retry";

const ACTIONS: ReadonlySet<string> = new Set(["submit", "approve", "reject", "process", "pay", "fail", "retry"]);

function isAction(a: string): a is BatchAction {
  return ACTIONS.has(a);
}

/** Steps whose record needs a reason (asked in a dialog). */
export const NEEDS_REASON: ReadonlySet<BatchAction> = new Set(["reject", "fail"]);

/** Steps that move money or its state: asked for with a confirmation naming the amount. */
export const NEEDS_CONFIRMATION: ReadonlySet<BatchAction> = new Set(["process", "pay", "fail", "retry"]);

export const ACTION_LABEL: Record<BatchAction, string> = {
  submit: "Submit for approval",
  approve: "Approve",
  reject: "Reject…",
  process: "Mark processing…",
  pay: "Mark paid…",
  fail: "Mark failed…",
  retry: "Retry…",
};

export type Availability = { ok: true } | { ok: false; reason: string };

/** One step of a batch as the backend lists it for the current user (`allowed_actions`). */
export interface StepFact {
  action: string;
  allowed: boolean;
  reason: string | null;
}

/**
 * The steps a batch's detail offers, in the backend's order, each with whether the user may take
 * it and if not why. The backend decides (recon_core::payouts::steps, for the current user): no
 * copy of the state machine or the two-person check lives here. A step this screen has no
 * button for is left out; a refusal without words still reads as one.
 */
export function stepsOf(batch: { allowed_actions: StepFact[] }): { action: BatchAction; availability: Availability }[] {
  return batch.allowed_actions.flatMap((s) =>
    isAction(s.action)
      ? [{ action: s.action, availability: s.allowed ? { ok: true as const } : { ok: false as const, reason: s.reason ?? `${s.action} is not allowed` } }]
      : [],
  );
}

// ---------------------------------------------------------------- confirmations

export interface BatchMoney {
  id: string;
  program: string;
  period: string;
  currency: string;
  total: string;
  lines: { entity_ref: string }[];
}

const money = (b: BatchMoney) => `${formatAmount(b.total)} ${b.currency}`;
const partnersCount = (n: number) => `${n} partner${n === 1 ? "" : "s"}`;

/** Short form of a batch id for texts (a UUID's first block). */
export function shortId(id: string): string {
  const head = id.split("-")[0];
  return head.length >= 6 ? head : id;
}

/** What the confirmation of a step asks, naming the batch's amount and currency. */
export function confirmQuestion(action: BatchAction, b: BatchMoney): string {
  const what = `batch ${shortId(b.id)} (${b.program} ${b.period}): ${money(b)} to ${partnersCount(b.lines.length)}`;
  switch (action) {
    case "submit":
      return `Submit ${what} for approval? Another person must approve it.`;
    case "approve":
      return `Approve ${what}?`;
    case "reject":
      return `Reject ${what}? Its entries are released for a later batch.`;
    case "process":
      return `Mark ${what} as processing? The payment of ${money(b)} is under way.`;
    case "pay":
      return `Mark ${what} as paid? ${money(b)} is posted to the ledger and its entries become paid; this cannot be undone.`;
    case "fail":
      return `Mark ${what} as failed? The payment of ${money(b)} did not go through; it can be retried.`;
    case "retry":
      return `Retry ${what}? It goes back to processing for ${money(b)}.`;
  }
}

/** The confirming button's label, naming the amount ("Mark paid 1,250.00 ISK"). */
export function confirmLabel(action: BatchAction, b: BatchMoney): string {
  const verb: Record<BatchAction, string> = {
    submit: "Submit",
    approve: "Approve",
    reject: "Reject",
    process: "Mark processing",
    pay: "Mark paid",
    fail: "Mark failed",
    retry: "Retry",
  };
  return `${verb[action]} ${money(b)}`;
}

// ---------------------------------------------------------------- summary cards

export interface BatchRow extends BatchMoney {
  status: string;
  created_by: string;
}

export interface CurrencyTotal {
  currency: string;
  total: string;
}

export interface StatusSummary {
  status: BatchStatus;
  count: number;
  /** One exact sum per currency, sorted by currency. */
  totals: CurrencyTotal[];
}

/** Exact sums per currency of `items` (sorted by currency; none when empty). */
export function totalsByCurrency(items: { currency: string; total: string }[]): CurrencyTotal[] {
  const sums = new Map<string, string>();
  for (const i of items) sums.set(i.currency, addDecimal(sums.get(i.currency) ?? "0", i.total));
  return [...sums.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([currency, total]) => ({ currency, total }));
}

/**
 * The cards from the backend's stats (one row per status and currency): for each of
 * `statuses`, the batches counted over currencies and the totals per currency as given.
 */
export function cardsFromStats(
  rows: { status: string; currency: string; batches: number; total: string }[],
  statuses: BatchStatus[] = ["pending_approval", "approved", "paid"],
): StatusSummary[] {
  return statuses.map((status) => {
    const of = rows.filter((r) => r.status === status);
    return { status, count: of.reduce((n, r) => n + r.batches, 0), totals: totalsByCurrency(of) };
  });
}

/** "2 batches · 175.00 ISK + 3.00 EUR": what a set of batches adds up to, per currency. */
export function pickedText(batches: { currency: string; total: string }[]): string {
  if (batches.length === 0) return "";
  const sums = totalsByCurrency(batches).map((t) => `${formatAmount(t.total)} ${t.currency}`);
  return `${batches.length} batch${batches.length === 1 ? "" : "es"} · ${sums.join(" + ")}`;
}

/** The banner's text ("2 batches await your approval"); empty when none do. */
export function awaitingText(n: number): string {
  if (n === 0) return "";
  return `${n} batch${n === 1 ? " awaits" : "es await"} your approval`;
}

// ---------------------------------------------------------------- table filters

export interface BatchFilter {
  status: string | null;
  program: string | null;
  period: string | null;
  /** A partner's ref (or part of it), or a batch id's start. */
  search: string;
}

export const NO_FILTER: BatchFilter = { status: null, program: null, period: null, search: "" };

/** The batches the table shows: every filter set must match (the search is case-insensitive). */
export function filterBatches<T extends BatchRow>(batches: T[], f: BatchFilter): T[] {
  const q = f.search.trim().toLowerCase();
  return batches.filter(
    (b) =>
      (f.status === null || b.status === f.status) &&
      (f.program === null || b.program === f.program) &&
      (f.period === null || b.period === f.period) &&
      (q === "" || b.id.toLowerCase().startsWith(q) || b.lines.some((l) => l.entity_ref.toLowerCase().includes(q))),
  );
}

/** The distinct values of one field, sorted (periods newest first), for a filter's options. */
export function distinct(batches: BatchRow[], field: "program" | "period"): string[] {
  const v = [...new Set(batches.map((b) => b[field]))].sort();
  return field === "period" ? v.reverse() : v;
}

// ---------------------------------------------------------------- bulk approve

export interface BulkResult {
  batch_id: string;
  result: string;
  reason: string | null;
}

/** "approved 3 of 4, refused 1" for the status line. */
export function bulkSummary(results: BulkResult[]): string {
  const approved = results.filter((r) => r.result === "approved").length;
  const refused = results.length - approved;
  return `bulk approve: approved ${approved} of ${results.length}${refused ? `, refused ${refused}` : ""}`;
}

// ---------------------------------------------------------------- preview and export

/** The month before `today` (YYYY-MM-DD or an RFC 3339 time) as YYYY-MM: the usual period to pay. */
export function previousPeriod(today: string): string {
  const m = /^(\d{4})-(\d{2})/.exec(today);
  if (!m) return "";
  let y = Number(m[1]);
  let mo = Number(m[2]) - 1;
  if (mo === 0) {
    mo = 12;
    y -= 1;
  }
  return `${String(y).padStart(4, "0")}-${String(mo).padStart(2, "0")}`;
}

/** A period the backend accepts: YYYY-MM with a month 01–12. */
export function isPeriod(text: string): boolean {
  const m = /^(\d{4})-(\d{2})$/.exec(text.trim());
  return !!m && Number(m[2]) >= 1 && Number(m[2]) <= 12;
}

/** Where an export goes by default: beside the ledger file, named by program and period. */
export function payoutExportPath(dbPath: string, lines: boolean, program: string | null, period: string | null): string {
  const i = Math.max(dbPath.lastIndexOf("/"), dbPath.lastIndexOf("\\"));
  const dir = i >= 0 ? dbPath.slice(0, i + 1) : "";
  const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, "_");
  const parts = ["payouts", lines ? "lines" : "batches", program, period].filter((p): p is string => !!p).map(safe);
  return `${dir}${parts.join("-")}.csv`;
}
