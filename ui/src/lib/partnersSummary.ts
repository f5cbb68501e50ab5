// From the ledger's per-month summary rows to the earnings chart's input: one series list per
// currency (money is never summed across currencies), amounts passed through untouched.
import { CHART_STATUSES, type MonthAmount } from "./earningsChart";

export interface PeriodTotals {
  /** The month, "YYYY-MM". */
  key: string;
  currency: string;
  pending: string;
  paid: string;
  reversed: string;
}

export function monthlyChartRows(summary: PeriodTotals[]): { currency: string; rows: MonthAmount[] }[] {
  const byCurrency = new Map<string, MonthAmount[]>();
  for (const s of summary) {
    const rows = byCurrency.get(s.currency) ?? [];
    for (const status of CHART_STATUSES) rows.push({ period: s.key, status, amount: s[status] });
    byCurrency.set(s.currency, rows);
  }
  return [...byCurrency.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([currency, rows]) => ({ currency, rows }));
}
