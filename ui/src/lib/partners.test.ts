import { describe, expect, it } from "vitest";
import { defaultExportPath, entityTree, monthsOf, negate, partnersKeyAction, reversalQuestion, stepTab } from "./partners";

describe("partnersKeyAction", () => {
  it("maps the Partners keys", () => {
    expect(partnersKeyAction({ key: "j" })).toEqual({ kind: "move", delta: 1 });
    expect(partnersKeyAction({ key: "ArrowUp" })).toEqual({ kind: "move", delta: -1 });
    expect(partnersKeyAction({ key: "l" })).toEqual({ kind: "tab", delta: 1 });
    expect(partnersKeyAction({ key: "h" })).toEqual({ kind: "tab", delta: -1 });
    expect(partnersKeyAction({ key: "Enter" })).toEqual({ kind: "open" });
    expect(partnersKeyAction({ key: "a" })).toEqual({ kind: "approve" });
    expect(partnersKeyAction({ key: "x" })).toEqual({ kind: "reject" });
    expect(partnersKeyAction({ key: "v" })).toEqual({ kind: "reverse" });
    expect(partnersKeyAction({ key: "e" })).toEqual({ kind: "export" });
    expect(partnersKeyAction({ key: "q" })).toBeNull();
  });
  it("leaves typing, modified keys and Enter on a button alone", () => {
    expect(partnersKeyAction({ key: "a", target: { tagName: "INPUT", type: "text" } })).toBeNull();
    expect(partnersKeyAction({ key: "x", target: { tagName: "TEXTAREA" } })).toBeNull();
    expect(partnersKeyAction({ key: "a", ctrlKey: true })).toBeNull();
    expect(partnersKeyAction({ key: "Enter", target: { tagName: "BUTTON" } })).toBeNull();
    expect(partnersKeyAction({ key: "Enter", target: { tagName: "DIV" } })).toEqual({ kind: "open" });
  });
  it("steps tabs and stops at the ends", () => {
    expect(stepTab("programs", -1)).toBe("programs");
    expect(stepTab("programs", 1)).toBe("entities");
    expect(stepTab("ledger", 1)).toBe("ledger");
  });
});

const ent = (entity_type: string, entity_ref: string, parent: string | null = null) => ({ entity_type, entity_ref, parent });

describe("entityTree", () => {
  it("puts each affiliate under its parent, deeper than two levels", () => {
    const rows = entityTree([ent("affiliate", "c1", "b1"), ent("sponsor", "acme"), ent("affiliate", "a1"), ent("affiliate", "b1", "a1"), ent("affiliate", "a2")]);
    expect(rows.map((r) => `${"  ".repeat(r.depth)}${r.entity.entity_ref}`)).toEqual(["a1", "  b1", "    c1", "a2", "acme"]);
    expect(rows[2].ancestors).toEqual(["b1", "a1"]);
  });
  it("keeps an entity whose parent is missing, and every member of a cycle, exactly once", () => {
    const rows = entityTree([ent("affiliate", "orphan", "gone"), ent("affiliate", "p", "q"), ent("affiliate", "q", "p")]);
    expect(rows.map((r) => r.entity.entity_ref).sort()).toEqual(["orphan", "p", "q"]);
    expect(rows.find((r) => r.entity.entity_ref === "orphan")!.depth).toBe(0);
  });
  it("does not take a sponsor as an affiliate's parent", () => {
    const rows = entityTree([ent("sponsor", "x"), ent("affiliate", "a", "x")]);
    expect(rows.every((r) => r.depth === 0)).toBe(true);
  });
});

describe("filters, amounts and export", () => {
  it("lists distinct months newest first", () => {
    expect(monthsOf(["2026-01-31T23:59:59Z", "2026-03-01T00:00:00Z", "2026-01-02T00:00:00Z", "bad", "2026-04", "2026-1"])).toEqual(["2026-04", "2026-03", "2026-01"]);
  });
  it("negates decimal strings exactly", () => {
    expect(negate("12.50")).toBe("-12.50");
    expect(negate("-3")).toBe("3");
    expect(negate("0.00")).toBe("0.00");
    expect(negate("90071992547409.93")).toBe("-90071992547409.93");
  });
  it("names the amount in the reversal question", () => {
    const q = reversalQuestion({ id: 7, earnings_amount: "1250000.00", currency: "ISK", entity_type: "sponsor", entity_ref: "acme" });
    expect(q).toContain("1,250,000.00 ISK");
    expect(q).toContain("-1,250,000.00 ISK");
    expect(q).toContain("#7");
  });
  it("puts the export beside the ledger", () => {
    expect(defaultExportPath("/home/f/ledger.sqlite", "spring", "2026-03")).toBe("/home/f/ledger-spring-2026-03.csv");
    expect(defaultExportPath("C:\\d\\l.sqlite", "a b", null)).toBe("C:\\d\\ledger-a_b.csv");
  });
});
