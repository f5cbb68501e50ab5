import { describe, expect, it } from "vitest";
import { missingCurrency, usualScale } from "./currencyScale";

describe("usualScale", () => {
  it("offers each currency's usual decimals", () => {
    expect(usualScale("CAD")).toBe(2);
    expect(usualScale("jpy")).toBe(0);
    expect(usualScale("KWD")).toBe(3);
  });
});

describe("missingCurrency", () => {
  it("names the statement's currency only when the ledger lacks it", () => {
    expect(missingCurrency("CAD", ["EUR", "USD", "ISK"])).toBe("CAD");
    expect(missingCurrency(" eur ", ["EUR"])).toBeNull();
    expect(missingCurrency(null, ["EUR"])).toBeNull();
    expect(missingCurrency("", ["EUR"])).toBeNull();
  });
});
