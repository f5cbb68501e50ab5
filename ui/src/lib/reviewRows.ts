// The Review screen's rows: each queue of `ReviewQueuesDto` as one list shape, a receipt or an
// expected payment with its top suggestions, so the screen moves, searches and accepts alike.
import type { ExpectedDto } from "../bindings/ExpectedDto";
import type { ReceiptDto } from "../bindings/ReceiptDto";
import type { ReviewQueuesDto } from "../bindings/ReviewQueuesDto";
import type { ScoreDto } from "../bindings/ScoreDto";
import { formatAmount, formatDate } from "./amount";

export type Tab = "unmatched" | "ambiguous" | "awaiting";

/** Suggestions shown per row (keys 1–3 accept them). */
export const MAX_SUGGESTIONS = 3;

/** One suggestion, whichever the queue: accepting it links receipt `rowid` to expected `memo`. */
export interface Choice {
  memo: string;
  rowid: number;
  journalId: string;
  title: string;
  detail: string;
  amount: string;
  currency: string;
  score: ScoreDto;
  /** The expected payment's status, expected and received amounts, and the receipt's amount. */
  status: string;
  expectedAmount: string;
  actualAmount: string | null;
  receiptAmount: string;
}

export interface Row {
  key: string;
  receipt: ReceiptDto | null;
  expected: ExpectedDto | null;
  choices: Choice[];
  /** What the search box matches against. */
  fields: (string | number | null)[];
}

type ReceiptEntry = ReviewQueuesDto["unmatched_receipts"][number];
type AwaitingEntry = ReviewQueuesDto["awaiting"][number];

function receiptRow(r: ReceiptEntry): Row {
  const rc = r.receipt;
  return {
    key: `r${rc.rowid}`,
    receipt: rc,
    expected: null,
    choices: r.suggestions.slice(0, MAX_SUGGESTIONS).map((s) => ({
      memo: s.memo,
      rowid: rc.rowid,
      journalId: rc.journal_id,
      title: s.memo,
      detail: `expected ${formatAmount(s.expected_amount)} · ${s.status.replace(/_/g, " ")}`,
      amount: s.expected_amount,
      currency: rc.currency,
      score: s.score,
      status: s.status,
      expectedAmount: s.expected_amount,
      actualAmount: s.actual_amount,
      receiptAmount: rc.amount,
    })),
    fields: [
      rc.journal_id, rc.wallet, rc.date, rc.amount, rc.payer_id, rc.reason, rc.description,
      ...r.suggestions.map((s) => s.memo),
    ],
  };
}

function awaitingRow(a: AwaitingEntry): Row {
  return {
    key: `e${a.expected.id}`,
    receipt: null,
    expected: a.expected,
    choices: a.suggestions.slice(0, MAX_SUGGESTIONS).map((s) => ({
      memo: a.expected.memo,
      rowid: s.receipt.rowid,
      journalId: s.receipt.journal_id,
      title: `#${s.receipt.journal_id} · ${s.receipt.wallet}`,
      detail: `${formatDate(s.receipt.date)} · ${s.receipt.reason || s.receipt.description}`,
      amount: s.receipt.amount,
      currency: s.receipt.currency,
      score: s.score,
      status: a.expected.status,
      expectedAmount: a.expected.expected_amount,
      actualAmount: a.expected.actual_amount,
      receiptAmount: s.receipt.amount,
    })),
    fields: [
      a.expected.memo, a.expected.cycle_id, a.expected.character_name, a.expected.character_id,
      a.expected.expected_amount, ...a.suggestions.map((s) => s.receipt.journal_id),
    ],
  };
}

/** Every queue's rows (all empty before the queues have loaded). */
export function queueRows(queues: ReviewQueuesDto | null): Record<Tab, Row[]> {
  if (!queues) return { unmatched: [], ambiguous: [], awaiting: [] };
  return {
    unmatched: queues.unmatched_receipts.map(receiptRow),
    ambiguous: queues.ambiguous_receipts.map(receiptRow),
    awaiting: queues.awaiting.map(awaitingRow),
  };
}
