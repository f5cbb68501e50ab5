import { describe, expect, it } from "vitest";
import { balanceOf, matchTypes, paidByAnother, passesPaidFilter } from "./expectedRows";

const e = (status: string, expected: string, actual: string | null) => ({
  status,
  expected_amount: expected,
  actual_amount: actual,
});

describe("balanceOf", () => {
  it("tells short-paid, overpaid, exact and unpaid apart, with the amount", () => {
    expect(balanceOf(e("confirmed", "5000000000.00", "4500000000.00"))).toEqual({ state: "short", amount: "500000000.00" });
    expect(balanceOf(e("confirmed", "3000000000.00", "3100000000.00"))).toEqual({ state: "over", amount: "100000000.00" });
    expect(balanceOf(e("confirmed", "1000.00", "1000.00"))).toEqual({ state: "exact", amount: null });
    expect(balanceOf(e("awaiting_payment", "1000.00", null))).toEqual({ state: "unpaid", amount: "1000.00" });
  });

  it("counts nothing owed on a cancelled payment", () => {
    expect(balanceOf(e("cancelled", "1000.00", null))).toEqual({ state: "closed", amount: null });
  });

  it("is exact beyond 2^53", () => {
    expect(balanceOf(e("confirmed", "90071992547409.93", "90071992547409.92"))).toEqual({ state: "short", amount: "0.01" });
  });
});

describe("passesPaidFilter", () => {
  it("keeps only short-paid or overpaid payments when asked", () => {
    const rows = [e("confirmed", "10.00", "9.00"), e("confirmed", "10.00", "11.00"), e("confirmed", "10.00", "10.00")];
    expect(rows.filter((r) => passesPaidFilter(r, "short")).length).toBe(1);
    expect(rows.filter((r) => passesPaidFilter(r, "over")).length).toBe(1);
    expect(rows.filter((r) => passesPaidFilter(r, "short_or_over")).length).toBe(2);
    expect(rows.filter((r) => passesPaidFilter(r, "")).length).toBe(3);
  });
});

describe("matchTypes", () => {
  const link = (match_type: string) => ({ match_type }) as never;
  it("says manual once a manual link exists, else all its types", () => {
    expect(matchTypes({ match_type: "manual", links: [link("auto_exact"), link("manual")] })).toBe("manual");
    expect(matchTypes({ match_type: "auto_exact", links: [link("auto_exact"), link("auto_fuzzy"), link("auto_exact")] })).toBe(
      "auto_exact, auto_fuzzy",
    );
    expect(matchTypes({ match_type: null, links: [] })).toBe("");
  });
});

describe("paidByAnother", () => {
  it("flags a payment whose payer is not the expected character", () => {
    expect(paidByAnother({ character_id: 101, actual_payer_id: 555 })).toBe(true);
    expect(paidByAnother({ character_id: 101, actual_payer_id: null })).toBe(false);
    expect(paidByAnother({ character_id: 101, actual_payer_id: 101 })).toBe(false);
  });
});
