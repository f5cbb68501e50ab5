import { describe, expect, it } from "vitest";
import { checkCounts, checksKeyAction, fixConfirmation, fixStep, fixable, lineKey, statusView, toReview, type WalletLine } from "./checks";
import { absDecimal, addDecimal, signOf, sumDecimals } from "./checksDecimal";

const line = (o: Partial<WalletLine>): WalletLine => ({
  workspace_id: "S1",
  wallet_id: "W1",
  currency: "NGN",
  expected_locked: "100.00",
  actual_locked: "100.00",
  discrepancy: "0.00",
  status: "synced",
  warning: false,
  action: "none",
  fixed: false,
  adjustment: null,
  reason: null,
  ...o,
});

describe("checksDecimal", () => {
  it("adds exactly where binary floats do not", () => {
    expect(addDecimal("0.10", "0.20")).toBe("0.30");
    expect(sumDecimals(["0.1", "0.2", "0.3"])).toBe("0.6");
    // 2^53 + 1 is not a JS number; as decimal strings it adds exactly
    expect(addDecimal("9007199254740993.01", "0.01")).toBe("9007199254740993.02");
  });
  it("keeps the larger scale and handles signs", () => {
    expect(addDecimal("1.5", "2.25")).toBe("3.75");
    expect(addDecimal("-3.50", "1.25")).toBe("-2.25");
    expect(addDecimal("-0.05", "0.05")).toBe("0.00");
    expect(addDecimal("-0.05", "0.01")).toBe("-0.04");
    expect(sumDecimals([])).toBe("0");
  });
  it("abs and sign", () => {
    expect(absDecimal("-3.50")).toBe("3.50");
    expect(absDecimal("+2")).toBe("2");
    expect(signOf("-0.00")).toBe(0);
    expect(signOf("-0.01")).toBe(-1);
    expect(signOf("0.01")).toBe(1);
  });
  it("refuses what is not a decimal", () => {
    expect(() => addDecimal("1e3", "1")).toThrow(/not a decimal/);
    expect(() => signOf("")).toThrow(/not a decimal/);
  });
});

describe("statusView", () => {
  it("says synced in green", () => {
    expect(statusView(line({}))).toEqual({ tone: "ok", text: "synced", detail: "within the tolerance" });
  });
  it("says auto-fix in amber, with the warning above 1", () => {
    const v = statusView(line({ status: "discrepancy", action: "auto_fix", discrepancy: "5.00", warning: true }));
    expect(v.tone).toBe("fix");
    expect(v.text).toBe("discrepancy · auto-fix");
    expect(v.detail).toBe("can be fixed here · warning (over 1)");
  });
  it("says review in red, with the reason", () => {
    const v = statusView(line({ status: "discrepancy", action: "review", discrepancy: "-5.00", reason: "insufficient balance" }));
    expect(v).toEqual({ tone: "review", text: "discrepancy · review", detail: "insufficient balance" });
    expect(statusView(line({ status: "discrepancy", action: "review", discrepancy: "50.00" })).detail).toBe(
      "above the auto-fix threshold",
    );
  });
  it("says what a fix moved", () => {
    const unlocked = statusView(line({ status: "discrepancy", action: "auto_fix", fixed: true, adjustment: "-3.50" }));
    expect(unlocked).toEqual({ tone: "fixed", text: "fixed", detail: "unlocked 3.50 NGN" });
    expect(statusView(line({ fixed: true, adjustment: "1250.00", warning: true })).detail).toBe("locked 1,250.00 NGN");
  });
});

describe("fixConfirmation", () => {
  const report = [
    line({ wallet_id: "W1", status: "discrepancy", action: "auto_fix", discrepancy: "3.50" }),
    line({ wallet_id: "W2", status: "discrepancy", action: "auto_fix", discrepancy: "-2.25" }),
    line({ wallet_id: "W3", status: "discrepancy", action: "auto_fix", discrepancy: "0.10" }),
    line({ wallet_id: "W4", status: "discrepancy", action: "review", discrepancy: "50.00" }),
    line({ wallet_id: "W5" }),
    line({ wallet_id: "W6", status: "discrepancy", action: "auto_fix", discrepancy: "1.00", fixed: true, adjustment: "-1.00" }),
    line({ wallet_id: "W7", currency: "USD", status: "discrepancy", action: "auto_fix", discrepancy: "0.20" }),
  ];
  it("lists every amount to move, and only the fixable wallets", () => {
    const c = fixConfirmation(report);
    expect(c.title).toBe("Fix 4 wallets?");
    expect(c.lines).toEqual([
      "unlock 3.50 NGN to the balance of wallet W1 (workspace S1)",
      "lock 2.25 NGN from the balance of wallet W2 (workspace S1)",
      "unlock 0.10 NGN to the balance of wallet W3 (workspace S1)",
      "unlock 0.20 USD to the balance of wallet W7 (workspace S1)",
    ]);
    expect(c.totals).toEqual(["NGN: unlock 3.60, lock 2.25", "USD: unlock 0.20"]);
  });
  it("confirms one wallet alone", () => {
    const c = fixConfirmation([report[1]]);
    expect(c.title).toBe("Fix 1 wallet?");
    expect(c.totals).toEqual(["NGN: lock 2.25"]);
  });
  it("has nothing to fix in a synced report", () => {
    expect(fixConfirmation([report[4], report[5]])).toEqual({ title: "Nothing to fix", lines: [], totals: [] });
  });
  it("groups thousands in the listed amounts", () => {
    expect(fixStep(line({ discrepancy: "-1234.50" }))).toMatchObject({ verb: "lock", amount: "1234.50" });
    expect(fixConfirmation([line({ action: "auto_fix", status: "discrepancy", discrepancy: "-1234.50" })]).lines[0]).toBe(
      "lock 1,234.50 NGN from the balance of wallet W1 (workspace S1)",
    );
  });
  it("counts the report for the dashboard", () => {
    expect(fixable(report).map((w) => w.wallet_id)).toEqual(["W1", "W2", "W3", "W7"]);
    expect(toReview(report).map((w) => w.wallet_id)).toEqual(["W4"]);
    expect(checkCounts(report)).toEqual({ wallets: 7, synced: 1, discrepancies: 5, review: 1, fixable: 4 });
    expect(lineKey(report[0])).toBe("S1|W1|NGN");
  });
});

describe("checksKeyAction", () => {
  it("maps the keys", () => {
    expect(checksKeyAction({ key: "j" })).toEqual({ kind: "move", delta: 1 });
    expect(checksKeyAction({ key: "ArrowUp" })).toEqual({ kind: "move", delta: -1 });
    expect(checksKeyAction({ key: "f" })).toEqual({ kind: "fix" });
    expect(checksKeyAction({ key: "F" })).toEqual({ kind: "fixAll" });
    expect(checksKeyAction({ key: "r" })).toEqual({ kind: "run" });
    expect(checksKeyAction({ key: "q" })).toBeNull();
  });
  it("leaves keys typed into a field, and shortcuts, alone", () => {
    expect(checksKeyAction({ key: "f", target: { tagName: "INPUT", type: "text" } })).toBeNull();
    expect(checksKeyAction({ key: "r", ctrlKey: true })).toBeNull();
    expect(checksKeyAction({ key: "f", target: { tagName: "BUTTON" } })).toEqual({ kind: "fix" });
  });
});
