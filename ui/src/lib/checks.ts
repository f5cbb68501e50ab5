// What the Checks screen and the Dashboard say about a wallet check (SPEC §8): each wallet's
// state as a colour AND a text (never colour alone), and the confirmation listing what a fix
// will move. Amounts stay decimal strings: totals go through checksDecimal (BigInt), never
// through JS numbers.
import { absDecimal, signOf, sumDecimals } from "./checksDecimal";
import { formatAmount } from "./amount";
import { isTypingTarget, type KeyLike } from "./review";

/** The fields of one wallet's line in a check report that these helpers read. */
export type WalletLine = {
  workspace_id: string;
  wallet_id: string;
  currency: string;
  expected_locked: string;
  actual_locked: string;
  discrepancy: string;
  status: string; // "synced" | "discrepancy"
  warning: boolean;
  action: string; // "none" | "auto_fix" | "review"
  fixed: boolean;
  adjustment: string | null;
  reason: string | null;
};

/** ok (green), fix (amber: can be fixed here), review (red), fixed (blue: adjusted in this run). */
export type Tone = "ok" | "fix" | "review" | "fixed";

export type StatusView = { tone: Tone; text: string; detail: string };

/** How a wallet's line reads: its tone, a short text, and what to do about it. */
export function statusView(w: WalletLine): StatusView {
  const warn = w.warning ? " · warning (over 1)" : "";
  if (w.fixed) {
    const moved = w.adjustment ? moveText(w.adjustment, w.currency) : "adjusted";
    return { tone: "fixed", text: "fixed", detail: moved };
  }
  if (w.status === "synced") return { tone: "ok", text: "synced", detail: "within the tolerance" };
  if (w.action === "auto_fix") return { tone: "fix", text: "discrepancy · auto-fix", detail: `can be fixed here${warn}` };
  const why = w.reason ? w.reason : "above the auto-fix threshold";
  return { tone: "review", text: "discrepancy · review", detail: `${why}${warn}` };
}

/** Wallets this report can still fix: action auto_fix, not fixed yet. */
export function fixable<T extends WalletLine>(lines: T[]): T[] {
  return lines.filter((w) => w.action === "auto_fix" && !w.fixed);
}

/** The review list: wallets whose action is review. */
export function toReview<T extends WalletLine>(lines: T[]): T[] {
  return lines.filter((w) => w.action === "review" && !w.fixed);
}

/**
 * What fixing moves: an over-locked wallet (discrepancy > 0) unlocks it to the balance, an
 * under-locked one (< 0) locks it from the balance. `amount` is the discrepancy's size.
 */
export type FixStep = { workspace_id: string; wallet_id: string; currency: string; verb: "unlock" | "lock"; amount: string };

export function fixStep(w: WalletLine): FixStep {
  return {
    workspace_id: w.workspace_id,
    wallet_id: w.wallet_id,
    currency: w.currency,
    verb: signOf(w.discrepancy) > 0 ? "unlock" : "lock",
    amount: absDecimal(w.discrepancy),
  };
}

function moveText(signedAdjustment: string, currency: string): string {
  // An adjustment is signed as the change of the locked balance: − unlocks, + locks.
  const verb = signOf(signedAdjustment) < 0 ? "unlocked" : "locked";
  return `${verb} ${formatAmount(absDecimal(signedAdjustment))} ${currency}`;
}

export type Confirmation = {
  /** "Fix 2 wallets?" */
  title: string;
  /** One line per wallet: "unlock 3.50 NGN to the balance of wallet W1 (workspace S1)". */
  lines: string[];
  /** Per currency, the money moved each way: "NGN: unlock 3.50, lock 2.00". */
  totals: string[];
};

/** The confirmation shown before a fix, listing every amount it will move. */
export function fixConfirmation(lines: WalletLine[]): Confirmation {
  const steps = fixable(lines).map(fixStep);
  const n = steps.length;
  const title = n === 0 ? "Nothing to fix" : `Fix ${n} wallet${n === 1 ? "" : "s"}?`;
  const text = steps.map(
    (s) =>
      `${s.verb} ${formatAmount(s.amount)} ${s.currency} ${s.verb === "unlock" ? "to" : "from"} the balance of wallet ${s.wallet_id} (workspace ${s.workspace_id})`,
  );
  const currencies = [...new Set(steps.map((s) => s.currency))].sort();
  const totals = currencies.map((c) => {
    const of = (verb: FixStep["verb"]) => steps.filter((s) => s.currency === c && s.verb === verb).map((s) => s.amount);
    const parts: string[] = [];
    const unlock = of("unlock");
    const lock = of("lock");
    if (unlock.length > 0) parts.push(`unlock ${formatAmount(sumDecimals(unlock))}`);
    if (lock.length > 0) parts.push(`lock ${formatAmount(sumDecimals(lock))}`);
    return `${c}: ${parts.join(", ")}`;
  });
  return { title, lines: text, totals };
}

/** The Dashboard's counts of a report: synced, discrepancies, to review (and fixable). */
export type CheckCounts = { wallets: number; synced: number; discrepancies: number; review: number; fixable: number };

export function checkCounts(lines: WalletLine[]): CheckCounts {
  return {
    wallets: lines.length,
    synced: lines.filter((w) => w.status === "synced").length,
    discrepancies: lines.filter((w) => w.status !== "synced" && !w.fixed).length,
    review: toReview(lines).length,
    fixable: fixable(lines).length,
  };
}

/** A stable key for a wallet's line (a wallet may hold several currencies). */
export function lineKey(w: Pick<WalletLine, "workspace_id" | "wallet_id" | "currency">): string {
  return `${w.workspace_id}|${w.wallet_id}|${w.currency}`;
}

// ---------------------------------------------------------------- keyboard


export type ChecksAction =
  | { kind: "move"; delta: number }
  | { kind: "fix" } // the selected wallet
  | { kind: "fixAll" }
  | { kind: "run" };

/** The Checks screen's keys: j/k (↓/↑) move, f fixes the selected wallet, F fixes all, r runs. */
export function checksKeyAction(e: KeyLike): ChecksAction | null {
  if (e.ctrlKey || e.metaKey || e.altKey || isTypingTarget(e.target)) return null;
  switch (e.key) {
    case "j":
    case "ArrowDown":
      return { kind: "move", delta: 1 };
    case "k":
    case "ArrowUp":
      return { kind: "move", delta: -1 };
    case "f":
      return { kind: "fix" };
    case "F":
      return { kind: "fixAll" };
    case "r":
      return { kind: "run" };
    default:
      return null;
  }
}
