import { describe, expect, it } from "vitest";
import { monthlyChartRows } from "./partnersSummary";

describe("monthlyChartRows", () => {
  it("keeps each currency apart and every status's exact amount", () => {
    const out = monthlyChartRows([
      { key: "2026-03", currency: "ISK", pending: "1250000.00", paid: "0.00", reversed: "0.00" },
      { key: "2026-03", currency: "EUR", pending: "10.005", paid: "1.10", reversed: "0" },
      { key: "2026-04", currency: "ISK", pending: "0.00", paid: "5.00", reversed: "1250000.00" },
    ]);
    expect(out.map((c) => c.currency)).toEqual(["EUR", "ISK"]);
    const isk = out[1].rows;
    expect(isk).toHaveLength(6);
    expect(isk.find((r) => r.period === "2026-04" && r.status === "reversed")!.amount).toBe("1250000.00");
    expect(out[0].rows.find((r) => r.status === "pending")!.amount).toBe("10.005");
  });
});
