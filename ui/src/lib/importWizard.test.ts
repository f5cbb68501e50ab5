import { describe, expect, it } from "vitest";
import {
  addPaths,
  columnKey,
  columnOptions,
  DATE_FORMATS,
  dateFormatOptions,
  formatBytes,
  importBlocker,
  parseColumnKey,
  parsePaths,
  previewCounts,
  progressPercent,
  shortFileName,
  shortHash,
  splitValues,
  thousandsFor,
} from "./importWizard";
import type { PreviewDto } from "../bindings/PreviewDto";

describe("paths", () => {
  it("splits lines and drops blanks", () => {
    expect(parsePaths(" /a.csv \n\n/b.ofx\r\n")).toEqual(["/a.csv", "/b.ofx"]);
  });
  it("adds dropped paths without repeats", () => {
    expect(addPaths("/a.csv", ["/a.csv", "/b.csv"])).toBe("/a.csv\n/b.csv");
    expect(addPaths("", ["/x"])).toBe("/x");
  });
});

describe("column keys", () => {
  it("round-trips names and indexes", () => {
    for (const c of ["Betrag", 3, "i:odd name"]) expect(parseColumnKey(columnKey(c))).toEqual(c);
    expect(columnKey(null)).toBe("");
    expect(parseColumnKey("")).toBeNull();
    expect(parseColumnKey("i:0")).toBeNull();
  });
  it("offers header names, or indexes without a header, and keeps a missing choice", () => {
    expect(columnOptions(["Date", "Amount"], true).map((o) => o.key)).toEqual(["n:Date", "n:Amount"]);
    expect(columnOptions(["column 1", "column 2"], false).map((o) => o.label)).toEqual(["column 1", "column 2"]);
    const opts = columnOptions(["Date"], true, ["Memo", null, "Date"]);
    expect(opts.map((o) => o.key)).toEqual(["n:Date", "n:Memo"]);
    expect(opts[1].label).toMatch(/not in file/);
    // a blank header cell is addressed by index
    expect(columnOptions(["Date", "column 2"], true)[1].key).toBe("i:2");
  });
  it("tells repeated header names apart by position, so no two options share a key", () => {
    const opts = columnOptions(["Buchung", "Währung", "Betrag", "währung ", ""], true, ["Währung"]);
    expect(opts.map((o) => o.key)).toEqual(["n:Buchung", "i:2", "n:Betrag", "i:4", "i:5", "n:Währung"]);
    expect(opts.map((o) => o.label)).toEqual([
      "Buchung",
      "Währung (column 2)",
      "Betrag",
      "währung  (column 4)",
      "column 5",
      "Währung (named twice: choose one by position)",
    ]);
    expect(new Set(opts.map((o) => o.key)).size).toBe(opts.length);
  });
});

describe("formats and numbers", () => {
  it("keeps an unusual date format selectable", () => {
    expect(dateFormatOptions("%d.%m.%Y").some((f) => f.value === "%d.%m.%Y")).toBe(true);
    const opts = dateFormatOptions("%e/%m/%Y");
    expect(opts[opts.length - 1]).toEqual({ value: "%e/%m/%Y", label: "31/12/2026 — day first" });
    // Offered as examples, never as strftime codes.
    expect(dateFormatOptions("%d/%m/%Y").find((f) => f.value === "%d/%m/%Y")?.label).toBe("31/12/2026 — day first");
    expect(dateFormatOptions("").find((f) => f.value === "%m/%d/%Y")?.label).toBe("12/31/2026 — month first");
    expect(DATE_FORMATS.every((f) => !f.label.includes("%"))).toBe(true);
  });
  it("computes progress within 0..100", () => {
    expect(progressPercent(0, 0)).toBe(0);
    expect(progressPercent(50, 200)).toBe(25);
    expect(progressPercent(300, 200)).toBe(100);
    expect(progressPercent(1, 3)).toBe(33);
  });
  it("formats byte sizes", () => {
    expect(formatBytes(532)).toBe("532 B");
    expect(formatBytes(2048)).toBe("2.0 KiB");
    expect(formatBytes(3 * 1024 * 1024)).toBe("3.0 MiB");
  });
  it("splits indicator values and shortens hashes", () => {
    expect(splitValues(" S, Soll ,,")).toEqual(["S", "Soll"]);
    expect(shortHash("a".repeat(64))).toBe(`${"a".repeat(12)}…`);
  });
  it("shortens file paths to a name that fits a column", () => {
    expect(shortFileName("/home/me/bank/jan.sta")).toBe("jan.sta");
    expect(shortFileName("C:\\Users\\me\\jan.sta")).toBe("jan.sta");
    const short = shortFileName("/home/me/bank/2026-01-statement-of-account-NL81ASNB.csv");
    expect(short.length).toBe(28);
    expect(short.startsWith("2026-01-stat")).toBe(true);
    expect(short.endsWith("NL81ASNB.csv")).toBe(true);
  });
});

describe("wizard state", () => {
  it("counts preview rows and rejects", () => {
    const row = (reject: boolean) => ({
      line: 2,
      raw: "x",
      parsed: reject ? null : null,
      reject: reject ? { file: "f", line: 2, column: "Betrag", raw_value: "x", reason: "bad", raw: "x" } : null,
    });
    const p = { rows: [row(false), row(true), row(false)] } as unknown as PreviewDto;
    expect(previewCounts(p)).toEqual({ shown: 3, parsed: 2, rejected: 1 });
  });
  it("blocks the import until wallet, file and ambiguities are settled", () => {
    expect(importBlocker("", ["/a"], 0)).toMatch(/wallet/);
    expect(importBlocker("Bank", [], 0)).toMatch(/file/);
    expect(importBlocker("Bank", ["/a"], 1)).toMatch(/ambiguous/);
    expect(importBlocker("Bank", ["/a"], 0)).toBeNull();
  });
});

describe("separators", () => {
  it("never leaves the decimal and thousands separators equal", () => {
    expect(thousandsFor(".", ".")).toBe(",");
    expect(thousandsFor(",", ",")).toBe(".");
    expect(thousandsFor(",", null)).toBeNull();
    expect(thousandsFor(".", "'")).toBe("'");
  });
});
