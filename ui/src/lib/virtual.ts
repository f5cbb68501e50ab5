// Pure windowing arithmetic for the virtualised journal table, plus a page cache
// and a page loader. No DOM, no Tauri: unit-tested in virtual.test.ts.

export interface RowWindow {
  /** First row index to render (inclusive). */
  start: number;
  /** One past the last row index to render (exclusive). */
  end: number;
  /** Pixel offset of row `start` from the top of the scroll content. */
  offsetY: number;
  /** Height of the whole scroll content (all rows). */
  totalHeight: number;
}

/** Rows to render for a scroll position: the visible ones plus `overscan` on each side. */
export function visibleWindow(
  scrollTop: number,
  viewportHeight: number,
  rowHeight: number,
  total: number,
  overscan = 0,
): RowWindow {
  if (total <= 0 || rowHeight <= 0 || viewportHeight < 0) {
    return { start: 0, end: 0, offsetY: 0, totalHeight: Math.max(0, total) * Math.max(0, rowHeight) };
  }
  const totalHeight = total * rowHeight;
  const maxScroll = Math.max(0, totalHeight - viewportHeight);
  const top = Math.min(Math.max(0, scrollTop), maxScroll);
  const first = Math.min(total - 1, Math.floor(top / rowHeight));
  // Rows touching the viewport: [first, lastVisible].
  const lastVisible = Math.min(total - 1, Math.floor((top + Math.max(viewportHeight, 1) - 1) / rowHeight));
  const start = Math.max(0, first - overscan);
  const end = Math.min(total, lastVisible + 1 + overscan);
  return { start, end, offsetY: start * rowHeight, totalHeight };
}

/** Page indices (of `pageSize` rows each) covering rows [start, end). */
export function pagesForRange(start: number, end: number, pageSize: number): number[] {
  if (pageSize <= 0) throw new Error("pageSize must be positive");
  if (end <= start) return [];
  const first = Math.floor(Math.max(0, start) / pageSize);
  const last = Math.floor((end - 1) / pageSize);
  const pages: number[] = [];
  for (let p = first; p <= last; p++) pages.push(p);
  return pages;
}

/** Least-recently-used cache of fixed-size pages of rows. */
export class PageCache<T> {
  private pages = new Map<number, T[]>();
  constructor(
    readonly pageSize: number,
    readonly maxPages: number,
  ) {
    if (pageSize <= 0 || maxPages <= 0) throw new Error("pageSize and maxPages must be positive");
  }

  get size(): number {
    return this.pages.size;
  }

  hasPage(page: number): boolean {
    return this.pages.has(page);
  }

  /** Stores a page; evicts the least recently used pages beyond `maxPages`. */
  setPage(page: number, rows: T[]): void {
    this.pages.delete(page);
    this.pages.set(page, rows);
    while (this.pages.size > this.maxPages) {
      const oldest = this.pages.keys().next().value as number;
      this.pages.delete(oldest);
    }
  }

  /** The row at absolute index `index`, or undefined when its page is not loaded. */
  row(index: number): T | undefined {
    if (index < 0) return undefined;
    const page = Math.floor(index / this.pageSize);
    const rows = this.pages.get(page);
    if (!rows) return undefined;
    // Mark as recently used.
    this.pages.delete(page);
    this.pages.set(page, rows);
    return rows[index - page * this.pageSize];
  }

  clear(): void {
    this.pages.clear();
  }
}

export interface Page<T> {
  total: number;
  rows: T[];
}

export type FetchPage<T> = (offset: number, limit: number) => Promise<Page<T>>;

/**
 * Fetches the pages a window needs, at most once each (no duplicate in-flight requests),
 * and drops answers that arrive after a `reset` (filters changed meanwhile).
 */
export class PagedLoader<T> {
  readonly cache: PageCache<T>;
  total: number | null = null;
  private generation = 0;
  private inflight = new Set<number>();
  private failed = new Set<number>();

  constructor(
    pageSize: number,
    maxPages: number,
    private fetchPage: FetchPage<T>,
    private onChange: () => void = () => {},
    private onError: (e: unknown) => void = () => {},
  ) {
    this.cache = new PageCache<T>(pageSize, maxPages);
  }

  /** Forget everything (new filter): later answers to earlier requests are ignored. */
  reset(fetchPage?: FetchPage<T>): void {
    if (fetchPage) this.fetchPage = fetchPage;
    this.generation++;
    this.cache.clear();
    this.inflight.clear();
    this.failed.clear();
    this.total = null;
  }

  isLoading(): boolean {
    return this.inflight.size > 0;
  }

  /** Requests every page of rows [start, end) not cached, in flight or failed. Returns the pages requested. */
  ensure(start: number, end: number): Promise<void>[] {
    const ps = this.cache.pageSize;
    const wanted = this.total === null ? [0] : pagesForRange(start, Math.min(end, this.total), ps);
    const started: Promise<void>[] = [];
    for (const p of wanted) {
      if (this.cache.hasPage(p) || this.inflight.has(p) || this.failed.has(p)) continue;
      started.push(this.load(p));
    }
    return started;
  }

  private async load(page: number): Promise<void> {
    const gen = this.generation;
    this.inflight.add(page);
    try {
      const res = await this.fetchPage(page * this.cache.pageSize, this.cache.pageSize);
      if (gen !== this.generation) return;
      this.cache.setPage(page, res.rows);
      this.total = res.total;
      this.onChange();
    } catch (e) {
      if (gen !== this.generation) return;
      this.failed.add(page);
      this.onError(e);
    } finally {
      if (gen === this.generation) this.inflight.delete(page);
    }
  }
}
