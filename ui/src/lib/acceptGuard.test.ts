import { describe, expect, it } from "vitest";
import { acceptQuestion, amountAfter, type AcceptFacts } from "./acceptGuard";

const facts = (over: Partial<AcceptFacts> = {}): AcceptFacts => ({
  memo: "ARB c1 Foxtrot",
  status: "awaiting_payment",
  expectedAmount: "3000000000.00",
  actualAmount: null,
  receiptAmount: "3100000000",
  journalId: "6",
  currency: "ISK",
  score: 85,
  threshold: 100,
  ...over,
});

describe("acceptQuestion", () => {
  it("lets a qualifying suggestion through with one key", () => {
    expect(acceptQuestion(facts({ score: 100 }))).toBeNull();
    expect(acceptQuestion(facts({ score: 1050 }))).toBeNull();
  });

  it("asks for a suggestion below the threshold, naming payment, status and the new amount", () => {
    expect(acceptQuestion(facts())).toBe(
      "“ARB c1 Foxtrot” is awaiting payment (nothing received yet). This suggestion scores 85, below the 100 a match needs. " +
        "Accepting receipt #6: its received amount becomes 3,100,000,000.00 ISK, 100,000,000.00 more than expected (3,000,000,000.00 ISK).",
    );
  });

  it("asks for a score-0 suggestion onto an already confirmed payment, adding to what it received", () => {
    const q = acceptQuestion(
      facts({ status: "confirmed", actualAmount: "3000000000.00", receiptAmount: "250000000.00", score: 0 }),
    );
    expect(q).toContain("is confirmed (3,000,000,000.00 ISK received)");
    expect(q).toContain("scores 0, below the 100");
    expect(q).toContain("becomes 3,250,000,000.00 ISK, 250,000,000.00 more than expected");
  });

  it("follows a threshold changed in the rules", () => {
    expect(acceptQuestion(facts({ score: 85, threshold: 80 }))).toBeNull();
  });
});

describe("amountAfter", () => {
  it("is exact at any size and says short, over or exact", () => {
    expect(amountAfter({ expectedAmount: "1000.00", actualAmount: "600.00", receiptAmount: "400.00" })).toEqual({
      after: "1000.00",
      comparison: "exactly the expected amount",
    });
    expect(amountAfter({ expectedAmount: "1000.00", actualAmount: null, receiptAmount: "0.10" })).toEqual({
      after: "0.10",
      comparison: "999.90 short of the expected amount",
    });
    expect(
      amountAfter({ expectedAmount: "9007199254740993.00", actualAmount: null, receiptAmount: "9007199254740993.01" }),
    ).toEqual({ after: "9007199254740993.01", comparison: "0.01 more than expected" });
  });
});
