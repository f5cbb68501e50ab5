import { describe, expect, it } from "vitest";
import { PageCache, PagedLoader, pagesForRange, visibleWindow, type Page } from "./virtual";

describe("visibleWindow", () => {
  it("renders only the rows in view plus overscan at the top", () => {
    const w = visibleWindow(0, 280, 28, 100_000, 5);
    expect(w).toEqual({ start: 0, end: 15, offsetY: 0, totalHeight: 2_800_000 });
  });

  it("handles a scroll position in the middle of a row", () => {
    // scrollTop 1000 / 28 → row 35 (partly hidden); viewport 300px ends at 1299 → row 46.
    const w = visibleWindow(1000, 300, 28, 100_000, 3);
    expect(w.start).toBe(32);
    expect(w.end).toBe(50);
    expect(w.offsetY).toBe(32 * 28);
  });

  it("clamps at the bottom of a 100k-row table", () => {
    const w = visibleWindow(99_999_999, 280, 28, 100_000, 5);
    expect(w.end).toBe(100_000);
    expect(w.start).toBe(100_000 - 10 - 5);
    expect(w.end - w.start).toBeLessThan(30);
  });

  it("clamps negative scroll (elastic scrolling) and empty tables", () => {
    expect(visibleWindow(-50, 280, 28, 3, 5)).toEqual({ start: 0, end: 3, offsetY: 0, totalHeight: 84 });
    expect(visibleWindow(0, 280, 28, 0, 5)).toEqual({ start: 0, end: 0, offsetY: 0, totalHeight: 0 });
  });

  it("is exact on row boundaries", () => {
    const w = visibleWindow(280, 280, 28, 1000, 0);
    expect([w.start, w.end]).toEqual([10, 20]);
  });
});

describe("pagesForRange", () => {
  it("covers a range crossing a page boundary", () => {
    expect(pagesForRange(990, 1010, 1000)).toEqual([0, 1]);
    expect(pagesForRange(1000, 2000, 1000)).toEqual([1]);
    expect(pagesForRange(0, 1, 250)).toEqual([0]);
  });
  it("is empty for empty ranges and rejects bad page sizes", () => {
    expect(pagesForRange(5, 5, 100)).toEqual([]);
    expect(() => pagesForRange(0, 1, 0)).toThrow();
  });
});

describe("PageCache", () => {
  it("maps absolute row indices into pages", () => {
    const c = new PageCache<number>(10, 4);
    c.setPage(2, Array.from({ length: 10 }, (_, i) => 20 + i));
    expect(c.row(25)).toBe(25);
    expect(c.row(19)).toBeUndefined();
    expect(c.row(30)).toBeUndefined();
    expect(c.row(-1)).toBeUndefined();
  });

  it("evicts the least recently used page", () => {
    const c = new PageCache<string>(2, 2);
    c.setPage(0, ["a", "b"]);
    c.setPage(1, ["c", "d"]);
    c.row(0); // page 0 is now the most recently used
    c.setPage(2, ["e", "f"]);
    expect(c.hasPage(0)).toBe(true);
    expect(c.hasPage(1)).toBe(false);
    expect(c.hasPage(2)).toBe(true);
    expect(c.size).toBe(2);
  });

  it("tolerates a short last page", () => {
    const c = new PageCache<number>(10, 2);
    c.setPage(0, [1, 2, 3]);
    expect(c.row(2)).toBe(3);
    expect(c.row(3)).toBeUndefined();
  });
});

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe("PagedLoader", () => {
  const rows = (offset: number, n: number) => Array.from({ length: n }, (_, i) => offset + i);

  it("first loads page 0 to learn the total, then only the pages in view, once each", async () => {
    const calls: number[] = [];
    const l = new PagedLoader<number>(100, 10, async (offset, limit) => {
      calls.push(offset);
      return { total: 1000, rows: rows(offset, limit) };
    });
    await Promise.all(l.ensure(500, 520));
    expect(calls).toEqual([0]);
    expect(l.total).toBe(1000);
    await Promise.all(l.ensure(550, 720));
    expect(calls).toEqual([0, 500, 600, 700]);
    await Promise.all(l.ensure(550, 720));
    expect(calls).toEqual([0, 500, 600, 700]);
    expect(l.cache.row(705)).toBe(705);
  });

  it("never requests past the total", async () => {
    const calls: number[] = [];
    const l = new PagedLoader<number>(100, 10, async (offset) => {
      calls.push(offset);
      return { total: 150, rows: rows(offset, Math.min(100, 150 - offset)) };
    });
    await Promise.all(l.ensure(0, 10));
    await Promise.all(l.ensure(0, 5000));
    expect(calls).toEqual([0, 100]);
  });

  it("does not duplicate in-flight requests", () => {
    let n = 0;
    const l = new PagedLoader<number>(100, 10, () => {
      n++;
      return new Promise<Page<number>>(() => {});
    });
    l.ensure(0, 10);
    l.ensure(0, 10);
    expect(n).toBe(1);
    expect(l.isLoading()).toBe(true);
  });

  it("ignores answers that arrive after a reset", async () => {
    const first = deferred<Page<string>>();
    let changes = 0;
    const l = new PagedLoader<string>(10, 10, () => first.promise, () => changes++);
    const [stale] = l.ensure(0, 10);
    l.reset(async () => ({ total: 1, rows: ["new"] }));
    await Promise.all(l.ensure(0, 10));
    first.resolve({ total: 99, rows: ["old"] });
    await stale;
    expect(l.cache.row(0)).toBe("new");
    expect(l.total).toBe(1);
    expect(changes).toBe(1);
  });

  it("reports a failed page once and does not retry it until reset", async () => {
    let n = 0;
    const errors: unknown[] = [];
    const l = new PagedLoader<number>(
      10,
      10,
      async () => {
        n++;
        throw new Error("boom");
      },
      () => {},
      (e) => errors.push(e),
    );
    await Promise.all(l.ensure(0, 10));
    await Promise.all(l.ensure(0, 10));
    expect(n).toBe(1);
    expect(errors).toHaveLength(1);
    l.reset();
    await Promise.all(l.ensure(0, 10));
    expect(n).toBe(2);
  });
});
