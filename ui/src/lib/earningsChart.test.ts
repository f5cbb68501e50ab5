import { describe, expect, it } from "vitest";
import { chartGeometry, monthRange, nextPeriod, niceStep, type MonthAmount } from "./earningsChart";

const opts = { width: 420, height: 224, axisWidth: 100 }; // plot: x 100..410, y 10..200 (190 px)

describe("months", () => {
  it("steps over the year end", () => {
    expect(nextPeriod("2026-12")).toBe("2027-01");
    expect(nextPeriod("2026-03")).toBe("2026-04");
  });
  it("fills the gaps between the first and last month", () => {
    expect(monthRange(["2026-03", "2025-12", "2026-03"])).toEqual(["2025-12", "2026-01", "2026-02", "2026-03"]);
    expect(monthRange([])).toEqual([]);
  });
});

describe("niceStep", () => {
  it("picks 1, 2 or 5 × 10^k so the maximum fits in four steps", () => {
    expect(niceStep(400n)).toBe(100n);
    expect(niceStep(401n)).toBe(200n);
    expect(niceStep(1999n)).toBe(500n);
    expect(niceStep(3n)).toBe(1n);
    // beyond 2^53: still exact
    expect(niceStep(40_000_000_000_000_000_000n)).toBe(10_000_000_000_000_000_000n);
  });
});

describe("chartGeometry", () => {
  it("draws each status's bar at its exact share of the axis", () => {
    const rows: MonthAmount[] = [
      { period: "2026-01", status: "pending", amount: "100.00" },
      { period: "2026-01", status: "paid", amount: "50.50" },
      { period: "2026-02", status: "reversed", amount: "400" },
    ];
    const g = chartGeometry(rows, opts);
    // max 400.00 → step 100.00, axis 0 … 400.00, labels exact at the common scale (2)
    expect(g.ticks.map((t) => t.value)).toEqual(["0.00", "100.00", "200.00", "300.00", "400.00"]);
    expect(g.zeroY).toBe(200);
    const bar = (p: string, s: string) => g.bars.find((b) => b.period === p && b.status === s)!;
    expect(bar("2026-02", "reversed").height).toBe(190);
    expect(bar("2026-01", "pending").height).toBe(47.5);
    // 50.50 / 400 × 190 = 23.9875: its top is placed to 1/100 px from BigInt minor units
    expect(bar("2026-01", "paid").height).toBeCloseTo(23.99, 6);
    expect(bar("2026-01", "paid").amount).toBe("50.50");
    expect(bar("2026-01", "pending").y + bar("2026-01", "pending").height).toBe(200);
    // no bar for a status without an amount
    expect(g.bars).toHaveLength(3);
    expect(g.months.map((m) => m.period)).toEqual(["2026-01", "2026-02"]);
  });

  it("keeps amounts beyond 2^53 minor units exact", () => {
    const huge = "90071992547409.93"; // 2^53 + 1 minor units
    const g = chartGeometry(
      [
        { period: "2026-01", status: "paid", amount: huge },
        { period: "2026-01", status: "pending", amount: "0.01" },
      ],
      opts,
    );
    const paid = g.bars.find((b) => b.status === "paid")!;
    expect(paid.amount).toBe(huge);
    // a one-cent bar beside it stays visible (1 px), resting on the zero line
    const pending = g.bars.find((b) => b.status === "pending")!;
    expect(pending.height).toBe(1);
    expect(pending.y + pending.height).toBe(g.zeroY);
  });

  it("draws negative months below the zero line", () => {
    const g = chartGeometry(
      [
        { period: "2026-01", status: "paid", amount: "300" },
        { period: "2026-01", status: "reversed", amount: "-100" },
      ],
      opts,
    );
    expect(g.ticks.map((t) => t.value)).toEqual(["-100", "0", "100", "200", "300"]);
    const rev = g.bars.find((b) => b.status === "reversed")!;
    expect(rev.y).toBe(g.zeroY);
    expect(rev.height).toBe(47.5);
    expect(g.zeroY).toBe(10 + 142.5);
  });

  it("sums repeated rows of one month and status exactly", () => {
    const g = chartGeometry(
      [
        { period: "2026-01", status: "paid", amount: "0.1" },
        { period: "2026-01", status: "paid", amount: "0.2" },
      ],
      opts,
    );
    expect(g.bars[0].amount).toBe("0.3");
  });

  it("keeps the latest months and says how many were left out", () => {
    const rows: MonthAmount[] = [
      { period: "2024-01", status: "paid", amount: "1" },
      { period: "2026-12", status: "paid", amount: "2" },
    ];
    const g = chartGeometry(rows, { ...opts, maxMonths: 24 });
    expect(g.months).toHaveLength(24);
    expect(g.months[0].period).toBe("2025-01");
    expect(g.omittedMonths).toBe(12);
    expect(g.bars.map((b) => b.amount)).toEqual(["2"]);
    // 24 months: every second label, the latest month always labelled
    expect(g.months.filter((m) => m.labelled)).toHaveLength(12);
    expect(g.months[23].labelled).toBe(true);
  });

  it("has an axis when every amount is zero, and refuses a malformed amount", () => {
    const g = chartGeometry([{ period: "2026-01", status: "pending", amount: "0.00" }], opts);
    expect(g.ticks.map((t) => t.value)).toEqual(["0.00", "1.00"]);
    expect(g.bars[0].height).toBe(0);
    expect(() => chartGeometry([{ period: "2026-01", status: "paid", amount: "1e5" }], opts)).toThrow(/1e5/);
  });
});
