import { describe, expect, it } from "vitest";
import { amountClass, formatAmount, formatCount, formatDate, isNegative, isZero } from "./amount";

describe("formatAmount", () => {
  it("groups thousands by string manipulation, keeping every decimal", () => {
    expect(formatAmount("243877.50")).toBe("243,877.50");
    expect(formatAmount("-1500.00")).toBe("-1,500.00");
    expect(formatAmount("1000243877.50")).toBe("1,000,243,877.50");
    expect(formatAmount("999.99")).toBe("999.99");
    expect(formatAmount("0.01")).toBe("0.01");
    expect(formatAmount("123456")).toBe("123,456");
  });

  it("keeps precision that a JS number would lose", () => {
    expect(formatAmount("12345678901234567890.12")).toBe("12,345,678,901,234,567,890.12");
    expect(formatAmount("0.10000000000000000001")).toBe("0.10000000000000000001");
  });

  it("normalises signs and leading zeros", () => {
    expect(formatAmount("+42.00")).toBe("42.00");
    expect(formatAmount("-0.00")).toBe("0.00");
    expect(formatAmount("000123.40")).toBe("123.40");
  });

  it("passes non-decimal text and null through", () => {
    expect(formatAmount("n/a")).toBe("n/a");
    expect(formatAmount(null)).toBe("");
    expect(formatAmount("1e5")).toBe("1e5");
  });
});

describe("sign detection", () => {
  it("detects negatives from the string", () => {
    expect(isNegative("-0.01")).toBe(true);
    expect(isNegative("-1500.00")).toBe(true);
    expect(isNegative("1500.00")).toBe(false);
    expect(isNegative("-0.00")).toBe(false);
    expect(isNegative(null)).toBe(false);
    expect(isNegative("-abc")).toBe(false);
  });

  it("classifies amounts for styling", () => {
    expect(amountClass("-3.50")).toBe("neg");
    expect(amountClass("3.50")).toBe("pos");
    expect(amountClass("0.00")).toBe("zero");
    expect(amountClass("-0.00")).toBe("zero");
    expect(amountClass(null)).toBe("none");
    expect(isZero("0")).toBe(true);
    expect(isZero("0.001")).toBe(false);
  });
});

describe("formatDate / formatCount", () => {
  it("shows RFC 3339 UTC timestamps compactly", () => {
    expect(formatDate("2026-03-01T12:00:00Z")).toBe("2026-03-01 12:00:00");
    expect(formatDate("2026-03-01T12:00:00+00:00")).toBe("2026-03-01 12:00:00");
    expect(formatDate("garbage")).toBe("garbage");
  });
  it("groups counts", () => {
    expect(formatCount(100000)).toBe("100,000");
    expect(formatCount(7)).toBe("7");
  });
});
