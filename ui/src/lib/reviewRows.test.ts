import { describe, expect, it } from "vitest";
import type { ExpectedDto } from "../bindings/ExpectedDto";
import type { ReceiptDto } from "../bindings/ReceiptDto";
import type { ScoreDto } from "../bindings/ScoreDto";
import type { SuggestionDto } from "../bindings/SuggestionDto";
import { MAX_SUGGESTIONS, queueRows } from "./reviewRows";

const score = (total: number): ScoreDto => ({
  memo: "equal",
  distance: null,
  memo_points: total,
  amount_equal: true,
  amount_points: 0,
  payer_equal: false,
  total,
});

const receipt = (rowid: number): ReceiptDto => ({
  rowid,
  journal_id: `J${rowid}`,
  wallet: "Corp",
  date: "2026-03-01T10:00:00Z",
  amount: "1500000.00",
  currency: "ISK",
  payer_id: 90000001,
  reason: "AB-12",
  description: "Player donation",
});

const suggestion = (memo: string, total: number): SuggestionDto => ({
  memo,
  cycle_id: "2026-03",
  character_name: "Pilot",
  expected_amount: "1500000.00",
  status: "awaiting_payment",
  actual_amount: null,
  score: score(total),
  match_type: "exact",
});

const expected = (memo: string): ExpectedDto => ({
  id: `x-${memo}`,
  memo,
  cycle_id: "2026-03",
  character_name: "Pilot",
  character_id: 90000001,
  status: "awaiting_payment",
  currency: "ISK",
  expected_amount: "1500000.00",
  actual_amount: null,
  actual_payer_id: null,
  amount_adjusted: false,
  validated_at: null,
  journal_ids: [],
  match_type: null,
  links: [],
});

describe("queueRows", () => {
  it("is empty for every queue before the queues load", () => {
    expect(queueRows(null)).toEqual({ unmatched: [], ambiguous: [], awaiting: [] });
  });

  it("makes a receipt row whose choices link that receipt to each suggested memo", () => {
    const memos = ["AB-12", "AB-13", "AB-14", "AB-15"];
    const rows = queueRows({
      threshold: 100,
      unmatched_receipts: [],
      ambiguous_receipts: [{ receipt: receipt(7), suggestions: memos.map((m, i) => suggestion(m, 900 - i)) }],
      awaiting: [],
    });
    const [row] = rows.ambiguous;
    expect(row.key).toBe("r7");
    expect(row.choices.map((c) => [c.memo, c.rowid])).toEqual(memos.slice(0, MAX_SUGGESTIONS).map((m) => [m, 7]));
    expect(row.choices[0].detail).toBe("expected 1,500,000.00 · awaiting payment");
    // the search finds a receipt by a suggestion beyond the ones shown
    expect(row.fields).toContain("AB-15");
  });

  it("makes an awaiting row whose choices link each suggested receipt to that expected payment", () => {
    const rows = queueRows({
      threshold: 100,
      unmatched_receipts: [],
      ambiguous_receipts: [],
      awaiting: [{ expected: expected("AB-12"), suggestions: [{ receipt: receipt(3), score: score(800) }] }],
    });
    const [row] = rows.awaiting;
    expect(row.key).toBe("ex-AB-12");
    expect(row.receipt).toBeNull();
    expect(row.choices.map((c) => [c.memo, c.rowid, c.title])).toEqual([["AB-12", 3, "#J3 · Corp"]]);
    expect(row.fields).toContain("J3");
  });
});
