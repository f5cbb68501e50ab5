import { describe, expect, it } from "vitest";
import {
  BATCH_STATUSES,
  cardsFromStats,
  pickedText,
  awaitingText,
  bulkSummary,
  confirmLabel,
  confirmQuestion,
  distinct,
  filterBatches,
  isPeriod,
  NO_FILTER,
  payoutExportPath,
  previousPeriod,
  statusText,
  statusTone,
  stepsOf,
  totalsByCurrency,
  type BatchAction,
  type BatchRow,
} from "./payouts";

function batch(over: Partial<BatchRow> = {}): BatchRow {
  return {
    id: "3f2a9c10-0000-4000-8000-000000000001",
    program: "spring",
    period: "2026-02",
    currency: "ISK",
    total: "1250100.05",
    status: "draft",
    created_by: "maker",
    lines: [{ entity_ref: "acme" }, { entity_ref: "c1" }],
    ...over,
  };
}

describe("status look", () => {
  it("reads each status and gives it a tone", () => {
    expect(statusText("pending_approval")).toBe("pending approval");
    expect(statusText("paid")).toBe("paid");
    expect(statusTone("paid")).toBe("done");
    expect(statusTone("rejected")).toBe("bad");
    expect(statusTone("failed")).toBe("bad");
    expect(statusTone("pending_approval")).toBe("waiting");
    expect(statusText("weird")).toBe("weird");
    expect(statusTone("weird")).toBe("neutral");
  });
});

describe("steps come from the backend", () => {
  // What recon-api sends for a pending batch its creator looks at (recon_core::payouts::steps).
  const pendingForCreator = {
    allowed_actions: [
      { action: "approve", allowed: false, reason: "the creator of a batch cannot approve it (maker created it; another person must approve)" },
      { action: "reject", allowed: true, reason: null },
    ],
  };
  it("offers the listed steps in order, a refused one disabled with the backend's words", () => {
    expect(stepsOf(pendingForCreator)).toEqual([
      { action: "approve", availability: { ok: false, reason: "the creator of a batch cannot approve it (maker created it; another person must approve)" } },
      { action: "reject", availability: { ok: true } },
    ]);
  });
  it("offers nothing the backend did not list (a paid batch), and no step it has no button for", () => {
    expect(stepsOf({ allowed_actions: [] })).toEqual([]);
    const odd = { allowed_actions: [{ action: "archive", allowed: true, reason: null }, { action: "pay", allowed: true, reason: null }] };
    expect(stepsOf(odd).map((s) => s.action)).toEqual(["pay"]);
  });
  it("reads a refusal without words as refused, never as allowed", () => {
    const [s] = stepsOf({ allowed_actions: [{ action: "retry", allowed: false, reason: null }] });
    expect(s.availability).toEqual({ ok: false, reason: "retry is not allowed" });
  });
});

describe("confirmations", () => {
  it("name the amount and currency", () => {
    const b = batch({ status: "approved" });
    expect(confirmQuestion("pay", b)).toBe(
      "Mark batch 3f2a9c10 (spring 2026-02): 1,250,100.05 ISK to 2 partners as paid? 1,250,100.05 ISK is posted to the ledger and its entries become paid; this cannot be undone.",
    );
    for (const a of ["process", "fail", "retry", "approve", "reject", "submit"] as BatchAction[]) expect(confirmQuestion(a, b)).toContain("1,250,100.05 ISK");
    expect(confirmLabel("pay", b)).toBe("Mark paid 1,250,100.05 ISK");
    expect(confirmQuestion("retry", batch({ lines: [{ entity_ref: "a" }] }))).toContain("to 1 partner?");
  });
});

describe("summary cards", () => {
  it("sum exactly per currency, with no float drift", () => {
    const rows = [
      { currency: "ISK", total: "0.10" },
      { currency: "ISK", total: "0.20" },
      { currency: "EUR", total: "99999999999999999.99" },
      { currency: "EUR", total: "0.01" },
    ];
    expect(totalsByCurrency(rows)).toEqual([
      { currency: "EUR", total: "100000000000000000.00" },
      { currency: "ISK", total: "0.30" },
    ]);
    expect(totalsByCurrency([])).toEqual([]);
  });
  it("word the banner", () => {
    expect(awaitingText(0)).toBe("");
    expect(awaitingText(1)).toBe("1 batch awaits your approval");
    expect(awaitingText(3)).toBe("3 batches await your approval");
  });
});

describe("table filters", () => {
  const rows = [
    batch({ id: "aa11-x", status: "paid", program: "spring", period: "2026-02", lines: [{ entity_ref: "acme" }] }),
    batch({ id: "bb22-x", status: "draft", program: "spring", period: "2026-03", lines: [{ entity_ref: "c1" }, { entity_ref: "b1" }] }),
    batch({ id: "cc33-x", status: "draft", program: "autumn", period: "2026-03", lines: [{ entity_ref: "ACME-2" }] }),
  ];
  const ids = (f: Partial<typeof NO_FILTER>) => filterBatches(rows, { ...NO_FILTER, ...f }).map((b) => b.id);
  it("combine status, program, period and a partner search", () => {
    expect(ids({})).toEqual(["aa11-x", "bb22-x", "cc33-x"]);
    expect(ids({ status: "draft" })).toEqual(["bb22-x", "cc33-x"]);
    expect(ids({ program: "spring", period: "2026-03" })).toEqual(["bb22-x"]);
    expect(ids({ search: "acme" })).toEqual(["aa11-x", "cc33-x"]);
    expect(ids({ search: " B1 " })).toEqual(["bb22-x"]);
    expect(ids({ search: "cc33" })).toEqual(["cc33-x"]);
    expect(ids({ status: "paid", search: "c1" })).toEqual([]);
  });
  it("offer the distinct programs and periods (newest first)", () => {
    expect(distinct(rows, "program")).toEqual(["autumn", "spring"]);
    expect(distinct(rows, "period")).toEqual(["2026-03", "2026-02"]);
  });
});

describe("bulk approve, periods and export path", () => {
  it("report the per-batch results in one line", () => {
    expect(
      bulkSummary([
        { batch_id: "a", result: "approved", reason: null },
        { batch_id: "b", result: "refused", reason: "the creator of a batch cannot approve it" },
        { batch_id: "c", result: "approved", reason: null },
      ]),
    ).toBe("bulk approve: approved 2 of 3, refused 1");
    expect(bulkSummary([{ batch_id: "a", result: "approved", reason: null }])).toBe("bulk approve: approved 1 of 1");
  });
  it("propose last month and check a period", () => {
    expect(previousPeriod("2026-03-15")).toBe("2026-02");
    expect(previousPeriod("2026-01-02T00:00:00Z")).toBe("2025-12");
    expect(isPeriod("2026-02")).toBe(true);
    expect(isPeriod("2026-13")).toBe(false);
    expect(isPeriod("2026-2")).toBe(false);
  });
  it("put the export beside the ledger", () => {
    expect(payoutExportPath("/home/u/ledger.sqlite", false, "spring", "2026-02")).toBe("/home/u/payouts-batches-spring-2026-02.csv");
    expect(payoutExportPath("C:\\d\\l.sqlite", true, null, null)).toBe("C:\\d\\payouts-lines.csv");
  });
});

describe("cards from the backend's stats", () => {
  it("count batches over currencies and keep each currency's total", () => {
    const rows = [
      { status: "pending_approval", currency: "ISK", batches: 2, total: "175.00" },
      { status: "pending_approval", currency: "EUR", batches: 1, total: "3.50" },
      { status: "paid", currency: "ISK", batches: 5, total: "1000000.00" },
      { status: "draft", currency: "ISK", batches: 9, total: "1.00" },
    ];
    expect(cardsFromStats(rows)).toEqual([
      { status: "pending_approval", count: 3, totals: [{ currency: "EUR", total: "3.50" }, { currency: "ISK", total: "175.00" }] },
      { status: "approved", count: 0, totals: [] },
      { status: "paid", count: 5, totals: [{ currency: "ISK", total: "1000000.00" }] },
    ]);
  });
  it("name what picked batches add up to", () => {
    expect(pickedText([])).toBe("");
    expect(pickedText([{ currency: "ISK", total: "62.50" }, { currency: "ISK", total: "200.00" }, { currency: "EUR", total: "0.10" }])).toBe("3 batches · 0.10 EUR + 262.50 ISK");
  });
});
