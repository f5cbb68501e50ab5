// Finding one line of a wallet's journal by its date and identity, to open the Journal at a
// continuity break. The journal's oldest-first order is date order, so the line's place is
// found by bisecting on dates (one one-row page a step: ~20 calls for a million lines), then
// reading forward through the lines of that same date. The wallet check gives the line's
// place directly; the search is the fallback when the journal changed since.

export type DatedRow = { date: string };

/** Rows `[offset, offset + limit)` of the wallet's journal, oldest first. */
export type FetchRows<R> = (offset: number, limit: number) => Promise<R[]>;

/** The Journal screen's order compares dates as text: one wallet's dates share one format. */
function before(a: string, b: string): boolean {
  return a < b;
}

/** The first offset whose date is not before `date` (`total` if none). */
export async function firstAtOrAfter<R extends DatedRow>(fetch: FetchRows<R>, total: number, date: string): Promise<number> {
  let lo = 0;
  let hi = total;
  while (lo < hi) {
    const mid = lo + Math.floor((hi - lo) / 2);
    const [row] = await fetch(mid, 1);
    if (!row) {
      hi = mid;
    } else if (before(row.date, date)) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}

/**
 * The offset of the row dated `date` for which `matches` holds, or `null` when no such row
 * exists (it was removed, or the journal changed). Reads the rows of that date `chunk` at a time.
 */
export async function locateRow<R extends DatedRow>(
  fetch: FetchRows<R>,
  total: number,
  date: string,
  matches: (row: R) => boolean,
  chunk = 200,
): Promise<number | null> {
  let offset = await firstAtOrAfter(fetch, total, date);
  while (offset < total) {
    const rows = await fetch(offset, chunk);
    if (rows.length === 0) return null;
    for (let i = 0; i < rows.length; i++) {
      if (rows[i].date !== date) return null;
      if (matches(rows[i])) return offset + i;
    }
    offset += rows.length;
  }
  return null;
}

/**
 * Where the Journal opens for a continuity break: the wallet, and the line after the gap —
 * its place in the wallet's oldest-first journal (`position`) and its key, checked against
 * the row found there; if the journal changed meanwhile (an import, a removed batch), the
 * line is searched by its date and key instead. The line before the gap is the row above it.
 */
export type JournalTarget = {
  wallet: string;
  position: number;
  key: string;
  date: string;
  /** What the Journal's banner says about the break. */
  note: string;
};

/** The offset of the target line in the wallet's oldest-first journal, or `null`. */
export async function locateTarget<R extends DatedRow & { key: string }>(
  fetch: FetchRows<R>,
  total: number,
  target: JournalTarget,
): Promise<number | null> {
  if (target.position >= 0 && target.position < total) {
    const [row] = await fetch(target.position, 1);
    if (row && row.key === target.key) return target.position;
  }
  return locateRow(fetch, total, target.date, (r) => r.key === target.key);
}

/** Scroll position that shows `index` with `context` rows above it. */
export function scrollTopFor(index: number, rowHeight: number, context = 3): number {
  return Math.max(0, (index - context) * rowHeight);
}
