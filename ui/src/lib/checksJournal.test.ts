import { describe, expect, it } from "vitest";
import { firstAtOrAfter, locateRow, locateTarget, scrollTopFor } from "./checksJournal";

type Row = { date: string; id: number };

/** A journal of `n` rows, oldest first, `perDate` rows per date; counts the fetches. */
function journal(n: number, perDate: number) {
  const rows: Row[] = [];
  for (let i = 0; i < n; i++) {
    const day = Math.floor(i / perDate);
    // dates that sort as text, like one wallet's RFC 3339 dates
    rows.push({ date: `2026-01-01T${String(day).padStart(7, "0")}Z`, id: 1000 + i });
  }
  const calls = { n: 0 };
  const fetch = async (offset: number, limit: number) => {
    calls.n++;
    return rows.slice(offset, offset + limit);
  };
  return { rows, fetch, calls };
}

describe("locateRow", () => {
  it("finds every row's offset by its date and id", async () => {
    const j = journal(97, 3);
    for (const [i, r] of j.rows.entries()) {
      expect(await locateRow(j.fetch, j.rows.length, r.date, (x) => x.id === r.id, 2)).toBe(i);
    }
  });
  it("bisects: a million rows take about twenty fetches", async () => {
    // rows made on demand, so the test does not build a million objects
    const n = 1_000_000;
    const row = (i: number) => ({ date: `2026-01-01T${String(i).padStart(7, "0")}Z`, id: 1000 + i });
    let calls = 0;
    const fetch = async (offset: number, limit: number) => {
      calls++;
      const out = [];
      for (let i = offset; i < Math.min(n, offset + limit); i++) out.push(row(i));
      return out;
    };
    const target = row(765_432);
    expect(await locateRow(fetch, n, target.date, (x) => x.id === target.id)).toBe(765_432);
    expect(calls).toBeLessThanOrEqual(22);
  });
  it("answers null for a row that is not there", async () => {
    const j = journal(30, 5);
    expect(await locateRow(j.fetch, 30, j.rows[7].date, (x) => x.id === 99999)).toBeNull();
    expect(await locateRow(j.fetch, 30, "2025-01-01T00:00:00Z", () => true)).toBeNull();
    expect(await locateRow(j.fetch, 30, "2027-01-01T00:00:00Z", () => true)).toBeNull();
    expect(await locateRow(j.fetch, 0, j.rows[0].date, () => true)).toBeNull();
  });
  it("finds the first row of a date, and the end for a later date", async () => {
    const j = journal(30, 5);
    expect(await firstAtOrAfter(j.fetch, 30, j.rows[12].date)).toBe(10);
    expect(await firstAtOrAfter(j.fetch, 30, "2099-01-01")).toBe(30);
    expect(await firstAtOrAfter(j.fetch, 30, "1999-01-01")).toBe(0);
  });
});

describe("scrollTopFor", () => {
  it("leaves a few rows of context above the target", () => {
    expect(scrollTopFor(100, 28)).toBe(97 * 28);
    expect(scrollTopFor(1, 28)).toBe(0);
  });
});

describe("locateTarget", () => {
  const rows = [
    { date: "2026-03-01T10:00:00Z", key: "11" },
    { date: "2026-03-01T10:00:00Z", key: "12" },
    { date: "2026-03-01T10:00:01Z", key: "13" },
    { date: "2026-03-01T10:00:01Z", key: "14" },
    { date: "2026-03-02T09:00:00Z", key: "15" },
  ];
  const counted = (rs: typeof rows) => {
    const calls = { n: 0 };
    const fetch = async (o: number, l: number) => {
      calls.n++;
      return rs.slice(o, o + l);
    };
    return { fetch, calls };
  };
  const target = (position: number, key: string, date: string) => ({ wallet: "Main", position, key, date, note: "" });

  it("opens at the break's position when the line there has its key: one fetch", async () => {
    const { fetch, calls } = counted(rows);
    expect(await locateTarget(fetch, rows.length, target(3, "14", "2026-03-01T10:00:01Z"))).toBe(3);
    expect(calls.n).toBe(1);
  });
  it("searches by date and key when the journal moved since", async () => {
    // a line imported earlier in the journal pushed the target down by one
    const moved = [{ date: "2026-02-28T00:00:00Z", key: "10" }, ...rows];
    const { fetch } = counted(moved);
    expect(await locateTarget(fetch, moved.length, target(3, "14", "2026-03-01T10:00:01Z"))).toBe(4);
    expect(await locateTarget(fetch, moved.length, target(99, "12", "2026-03-01T10:00:00Z"))).toBe(2);
  });
  it("answers null for a line that is gone", async () => {
    const { fetch } = counted(rows);
    expect(await locateTarget(fetch, rows.length, target(3, "99", "2026-03-01T10:00:01Z"))).toBeNull();
  });
});
