import { describe, expect, it } from "vitest";
import type { ScoreDto } from "../bindings/ScoreDto";
import {
  formatWhy,
  fromMinor,
  isTypingTarget,
  matchesQuery,
  moveSelection,
  remainder,
  reselect,
  reviewKeyAction,
  scaleOf,
  toMinor,
  whyParts,
} from "./review";

const score = (o: Partial<ScoreDto>): ScoreDto => ({
  memo: null,
  distance: null,
  memo_points: 0,
  amount_equal: false,
  amount_points: 0,
  payer_equal: false,
  total: 0,
  ...o,
});

describe("reviewKeyAction", () => {
  it("maps the review keys", () => {
    expect(reviewKeyAction({ key: "j" })).toEqual({ kind: "move", delta: 1 });
    expect(reviewKeyAction({ key: "k" })).toEqual({ kind: "move", delta: -1 });
    expect(reviewKeyAction({ key: "ArrowDown" })).toEqual({ kind: "move", delta: 1 });
    expect(reviewKeyAction({ key: "Enter" })).toEqual({ kind: "accept", index: 0 });
    expect(reviewKeyAction({ key: "1" })).toEqual({ kind: "accept", index: 0 });
    expect(reviewKeyAction({ key: "3" })).toEqual({ kind: "accept", index: 2 });
    expect(reviewKeyAction({ key: "x" })).toEqual({ kind: "reject" });
    expect(reviewKeyAction({ key: "u" })).toEqual({ kind: "undo" });
    expect(reviewKeyAction({ key: "/" })).toEqual({ kind: "search" });
    expect(reviewKeyAction({ key: "l" })).toEqual({ kind: "tab", delta: 1 });
    expect(reviewKeyAction({ key: "h" })).toEqual({ kind: "tab", delta: -1 });
    expect(reviewKeyAction({ key: "s" })).toEqual({ kind: "split" });
  });

  it("ignores other keys, modifiers, and keys typed into fields", () => {
    expect(reviewKeyAction({ key: "4" })).toBeNull();
    expect(reviewKeyAction({ key: "J" })).toBeNull();
    expect(reviewKeyAction({ key: "u", ctrlKey: true })).toBeNull();
    expect(reviewKeyAction({ key: "j", metaKey: true })).toBeNull();
    expect(reviewKeyAction({ key: "j", target: { tagName: "INPUT", type: "text" } })).toBeNull();
    expect(reviewKeyAction({ key: "Enter", target: { tagName: "input", type: "number" } })).toBeNull();
    expect(reviewKeyAction({ key: "x", target: { tagName: "TEXTAREA" } })).toBeNull();
    expect(reviewKeyAction({ key: "k", target: { tagName: "SELECT" } })).toBeNull();
    expect(reviewKeyAction({ key: "u", target: { tagName: "DIV", isContentEditable: true } })).toBeNull();
    // A focused button or checkbox does not take text: the keys still work.
    expect(reviewKeyAction({ key: "j", target: { tagName: "BUTTON" } })).toEqual({ kind: "move", delta: 1 });
    expect(reviewKeyAction({ key: "j", target: { tagName: "INPUT", type: "checkbox" } })).toEqual({
      kind: "move",
      delta: 1,
    });
  });

  it("leaves Enter on a focused button to the button", () => {
    expect(reviewKeyAction({ key: "Enter", target: { tagName: "BUTTON" } })).toBeNull();
    expect(reviewKeyAction({ key: "Enter", target: { tagName: "DIV" } })).toEqual({ kind: "accept", index: 0 });
  });

  it("isTypingTarget tolerates odd targets", () => {
    expect(isTypingTarget(null)).toBe(false);
    expect(isTypingTarget("x")).toBe(false);
    expect(isTypingTarget({ tagName: "INPUT" })).toBe(true);
  });
});

describe("selection", () => {
  it("moves and stops at the ends", () => {
    expect(moveSelection(0, 1, 3)).toBe(1);
    expect(moveSelection(2, 1, 3)).toBe(2);
    expect(moveSelection(0, -1, 3)).toBe(0);
    expect(moveSelection(-1, 1, 3)).toBe(0);
    expect(moveSelection(-1, -1, 3)).toBe(2);
    expect(moveSelection(0, 1, 0)).toBe(-1);
  });

  it("reselects the same row, else the same place", () => {
    expect(reselect(["a", "b", "c"], "b", 0)).toBe(1);
    expect(reselect(["a", "c"], "b", 1)).toBe(1);
    expect(reselect(["a"], "b", 1)).toBe(0);
    expect(reselect([], "b", 1)).toBe(-1);
    expect(reselect(["a", "b"], null, -1)).toBe(0);
  });
});

describe("why", () => {
  it("explains each signal with its points", () => {
    const s = score({ memo: "distance", distance: 2, memo_points: 85, payer_equal: true, total: 85 });
    expect(whyParts(s)).toEqual([
      { signal: "memo", label: "memo distance 2", ok: true, points: 85 },
      { signal: "amount", label: "amount differs", ok: false, points: 0 },
      { signal: "payer", label: "payer equal", ok: true, points: 0 },
    ]);
    expect(formatWhy(s)).toBe("memo distance 2 +85 · amount differs +0 · payer equal +0 = 85");
  });

  it("names equal, contained and no memo", () => {
    const eq = score({ memo: "equal", memo_points: 1000, amount_equal: true, amount_points: 50, total: 1050 });
    expect(formatWhy(eq)).toBe("memo equal +1000 · amount equal +50 · payer differs +0 = 1050");
    expect(whyParts(score({ memo: "contained", memo_points: 500 }))[0].label).toBe("memo contained");
    expect(whyParts(score({}))[0]).toEqual({ signal: "memo", label: "no memo match", ok: false, points: 0 });
  });
});

describe("matchesQuery", () => {
  it("needs every term somewhere, case-insensitively", () => {
    expect(matchesQuery(["ARB c1 Foxtrot", 106, null], "")).toBe(true);
    expect(matchesQuery(["ARB c1 Foxtrot", 106, null], "foxtrot")).toBe(true);
    expect(matchesQuery(["ARB c1 Foxtrot", 106, null], "c1 106")).toBe(true);
    expect(matchesQuery(["ARB c1 Foxtrot", 106, null], "golf")).toBe(false);
  });
});

describe("exact decimals", () => {
  it("converts without floats", () => {
    expect(scaleOf("3100000000.00")).toBe(2);
    expect(scaleOf("12")).toBe(0);
    expect(toMinor("3100000000.00", 2)).toBe(310000000000n);
    expect(toMinor("0.1", 2)).toBe(10n);
    expect(toMinor("1,000.5", 2)).toBe(100050n);
    expect(toMinor("1.005", 2)).toBeNull();
    expect(toMinor("1.000", 2)).toBe(100n);
    expect(toMinor("abc", 2)).toBeNull();
    expect(toMinor("", 2)).toBeNull();
    expect(fromMinor(1234n, 2)).toBe("12.34");
    expect(fromMinor(5n, 2)).toBe("0.05");
    expect(fromMinor(-5n, 2)).toBe("-0.05");
    expect(fromMinor(7n, 0)).toBe("7");
  });

  it("computes what a split leaves", () => {
    expect(remainder("3100000000.00", ["3000000000", "100000000.00"])).toBe("0.00");
    expect(remainder("0.30", ["0.1", "0.1"])).toBe("0.10");
    expect(remainder("10.00", ["", "4"])).toBe("6.00");
    expect(remainder("10.00", ["x"])).toBeNull();
    // 9007199254740993 is not a safe JS number: exact anyway.
    expect(remainder("9007199254740993.01", ["0.01"])).toBe("9007199254740993.00");
  });
});
