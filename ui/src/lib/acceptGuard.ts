// Whether accepting a suggestion needs the reviewer's "yes" first, and the question to ask.
// A suggestion below the qualifying score (§5) is never accepted by a single key: the reviewer
// sees the payment, its status and what its received amount would become. Exact decimals only.
import { formatAmount } from "./amount";
import { fromMinor, scaleOf, toMinor } from "./review";

export interface AcceptFacts {
  memo: string;
  /** `awaiting_payment`, `confirmed`, … */
  status: string;
  expectedAmount: string;
  /** Received so far (`null` while nothing is linked). */
  actualAmount: string | null;
  receiptAmount: string;
  journalId: string;
  currency: string;
  score: number;
  threshold: number;
}

/** "awaiting_payment" → "awaiting payment". */
export function statusWords(status: string): string {
  return status.replace(/_/g, " ");
}

/** What the received amount becomes with this receipt, and how it compares to the expected. */
export function amountAfter(f: Pick<AcceptFacts, "expectedAmount" | "actualAmount" | "receiptAmount">): {
  after: string;
  comparison: string;
} | null {
  const scale = Math.max(scaleOf(f.expectedAmount), scaleOf(f.receiptAmount), scaleOf(f.actualAmount ?? "0"));
  const expected = toMinor(f.expectedAmount, scale);
  const receipt = toMinor(f.receiptAmount, scale);
  const actual = f.actualAmount === null ? 0n : toMinor(f.actualAmount, scale);
  if (expected === null || receipt === null || actual === null) return null;
  const after = actual + receipt;
  const diff = after - expected;
  const comparison =
    diff === 0n
      ? "exactly the expected amount"
      : diff > 0n
        ? `${formatAmount(fromMinor(diff, scale))} more than expected`
        : `${formatAmount(fromMinor(-diff, scale))} short of the expected amount`;
  return { after: fromMinor(after, scale), comparison };
}

/** `null` when a single key may accept; else the question the reviewer must answer first. */
export function acceptQuestion(f: AcceptFacts): string | null {
  if (f.score >= f.threshold) return null;
  const change = amountAfter(f);
  const becomes = change
    ? `its received amount becomes ${formatAmount(change.after)} ${f.currency}, ${change.comparison} (${formatAmount(f.expectedAmount)} ${f.currency})`
    : `receipt #${f.journalId} (${formatAmount(f.receiptAmount)} ${f.currency}) is added to it`;
  const received = f.actualAmount === null ? "nothing received yet" : `${formatAmount(f.actualAmount)} ${f.currency} received`;
  return (
    `“${f.memo}” is ${statusWords(f.status)} (${received}). ` +
    `This suggestion scores ${f.score}, below the ${f.threshold} a match needs. ` +
    `Accepting receipt #${f.journalId}: ${becomes}.`
  );
}
