// What an expected payment's amounts say to a finance user: still outstanding, paid exactly,
// short-paid or overpaid, with the amount. Exact decimals (string arithmetic), never floats.
import type { ExpectedDto } from "../bindings/ExpectedDto";
import { fromMinor, scaleOf, toMinor } from "./review";

export type PaidState = "unpaid" | "short" | "exact" | "over" | "closed";

export interface Balance {
  state: PaidState;
  /** Outstanding (unpaid, short) or excess (over) amount; `null` when nothing is owed or over. */
  amount: string | null;
}

type Amounts = Pick<ExpectedDto, "status" | "expected_amount" | "actual_amount">;

/** Awaiting or confirmed payments owe (expected − received); the others are closed. */
export function balanceOf(e: Amounts): Balance {
  if (e.status !== "awaiting_payment" && e.status !== "confirmed") return { state: "closed", amount: null };
  const scale = Math.max(scaleOf(e.expected_amount), scaleOf(e.actual_amount ?? "0"));
  const expected = toMinor(e.expected_amount, scale);
  const actual = e.actual_amount === null ? 0n : toMinor(e.actual_amount, scale);
  if (expected === null || actual === null) return { state: "closed", amount: null };
  const diff = expected - actual;
  if (e.actual_amount === null || actual === 0n) return { state: "unpaid", amount: fromMinor(expected, scale) };
  if (diff === 0n) return { state: "exact", amount: null };
  return diff > 0n ? { state: "short", amount: fromMinor(diff, scale) } : { state: "over", amount: fromMinor(-diff, scale) };
}

export const PAID_LABELS: Record<PaidState, string> = {
  unpaid: "nothing received",
  short: "short-paid",
  exact: "paid in full",
  over: "overpaid",
  closed: "",
};

/** The filter of the Expected list: `""` = all. */
export type PaidFilter = "" | "short" | "over" | "short_or_over";

export function passesPaidFilter(e: Amounts, filter: PaidFilter): boolean {
  if (filter === "") return true;
  const s = balanceOf(e).state;
  return filter === "short_or_over" ? s === "short" || s === "over" : s === filter;
}

/** `manual` once a reviewer linked by hand, else every type its links have, in link order. */
export function matchTypes(e: Pick<ExpectedDto, "match_type" | "links">): string {
  if (e.match_type === "manual") return "manual";
  const types = [...new Set(e.links.map((l) => l.match_type))];
  return types.length > 0 ? types.join(", ") : (e.match_type ?? "");
}

/** True when the money came from another character than the one expected (§5 actual payer). */
export function paidByAnother(e: Pick<ExpectedDto, "character_id" | "actual_payer_id">): boolean {
  return e.actual_payer_id !== null && e.actual_payer_id !== e.character_id;
}
