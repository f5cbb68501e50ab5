// Geometry of the Dashboard's earnings chart: one group of bars per month (one bar per status)
// for ONE currency (money is never summed across currencies). Amounts arrive as exact decimal
// strings and stay exact: they are scaled to integer minor units (BigInt) at their common scale,
// and only the pixel positions derived from them are JavaScript numbers. Axis labels are exact
// "nice" values; a bar's label is its exact amount, never a rounded one.
import { fromMinor, scaleOf, toMinor } from "./review";

export const CHART_STATUSES = ["pending", "paid", "reversed"] as const;
export type ChartStatus = (typeof CHART_STATUSES)[number];

/** One month's earnings of one status, e.g. `{period: "2026-03", status: "paid", amount: "120.50"}`. */
export interface MonthAmount {
  period: string;
  status: ChartStatus;
  amount: string;
}

export interface ChartBar {
  period: string;
  status: ChartStatus;
  /** The exact amount as given (normalised to the chart's scale). */
  amount: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface ChartTick {
  /** Exact decimal value of the grid line. */
  value: string;
  y: number;
}

export interface ChartMonth {
  period: string;
  /** Centre of the month's group. */
  x: number;
  /** Whether its label is drawn (every n-th month when there are many). */
  labelled: boolean;
}

export interface ChartGeometry {
  width: number;
  height: number;
  plot: { left: number; top: number; right: number; bottom: number };
  /** y of the zero line. */
  zeroY: number;
  bars: ChartBar[];
  ticks: ChartTick[];
  months: ChartMonth[];
  /** Months before the first one shown (the chart keeps the latest `maxMonths`). */
  omittedMonths: number;
}

export interface ChartOptions {
  width?: number;
  height?: number;
  maxMonths?: number;
  /** Left margin for the axis labels. */
  axisWidth?: number;
}

const PERIOD = /^(\d{4})-(\d{2})$/;

/** "2026-12" → "2027-01". */
export function nextPeriod(period: string): string {
  const m = PERIOD.exec(period);
  if (!m) throw new Error(`not a YYYY-MM period: ${period}`);
  let y = Number(m[1]);
  let mo = Number(m[2]) + 1;
  if (mo > 12) {
    mo = 1;
    y += 1;
  }
  return `${String(y).padStart(4, "0")}-${String(mo).padStart(2, "0")}`;
}

/** Every month from the first to the last period given, gaps included, in order. */
export function monthRange(periods: string[]): string[] {
  const valid = periods.filter((p) => PERIOD.test(p)).sort();
  if (valid.length === 0) return [];
  const out = [valid[0]];
  const last = valid[valid.length - 1];
  while (out[out.length - 1] < last) out.push(nextPeriod(out[out.length - 1]));
  return out;
}

/**
 * The grid step in minor units: the smallest 1, 2 or 5 × 10^k such that `magnitude` fits in at
 * most `intervals` steps (at least one minor unit).
 */
export function niceStep(magnitude: bigint, intervals = 4): bigint {
  if (magnitude <= 0n) return 1n;
  for (let pow = 1n; ; pow *= 10n) {
    for (const d of [1n, 2n, 5n]) {
      const step = d * pow;
      if ((magnitude + step - 1n) / step <= BigInt(intervals)) return step;
    }
  }
}

function ceilDiv(a: bigint, b: bigint): bigint {
  return (a + b - 1n) / b;
}

/** y of `value` in `[bottom, top]` mapped onto `[plotTop, plotTop + plotHeight]`, to 1/100 px. */
function yOf(value: bigint, top: bigint, range: bigint, plotTop: number, plotHeight: number): number {
  const hundredths = ((top - value) * BigInt(Math.round(plotHeight * 100))) / range;
  return plotTop + Number(hundredths) / 100;
}

/** The chart's shapes for `rows` (one currency); malformed amounts are an error, not a zero. */
export function chartGeometry(rows: MonthAmount[], opts: ChartOptions = {}): ChartGeometry {
  const width = opts.width ?? 720;
  const height = opts.height ?? 240;
  const maxMonths = opts.maxMonths ?? 24;
  const plot = { left: opts.axisWidth ?? 110, top: 10, right: width - 10, bottom: height - 24 };
  const plotHeight = plot.bottom - plot.top;

  const allMonths = monthRange(rows.map((r) => r.period));
  const months = allMonths.slice(Math.max(0, allMonths.length - maxMonths));
  const shown = new Set(months);
  const kept = rows.filter((r) => shown.has(r.period));

  const scale = kept.reduce((s, r) => Math.max(s, scaleOf(r.amount)), 0);
  const minor = new Map<string, bigint>();
  for (const r of kept) {
    const v = toMinor(r.amount, scale);
    if (v === null) throw new Error(`not a decimal amount: ${JSON.stringify(r.amount)} (${r.period} ${r.status})`);
    const key = `${r.period}|${r.status}`;
    minor.set(key, (minor.get(key) ?? 0n) + v);
  }

  let max = 0n;
  let min = 0n;
  for (const v of minor.values()) {
    if (v > max) max = v;
    if (v < min) min = v;
  }
  const unit = 10n ** BigInt(scale);
  const step = max === 0n && min === 0n ? unit : niceStep(max > -min ? max : -min);
  const top = ceilDiv(max, step) * step || (min === 0n ? step : 0n);
  const bottom = -ceilDiv(-min, step) * step;
  const range = top - bottom;
  const y = (v: bigint) => yOf(v, top, range, plot.top, plotHeight);
  const zeroY = y(0n);

  const ticks: ChartTick[] = [];
  for (let v = bottom; v <= top; v += step) ticks.push({ value: fromMinor(v, scale), y: y(v) });

  const groupWidth = months.length > 0 ? (plot.right - plot.left) / months.length : 0;
  const barWidth = (groupWidth * 0.8) / CHART_STATUSES.length;
  const labelEvery = Math.max(1, Math.ceil(months.length / 12));
  const bars: ChartBar[] = [];
  const monthShapes: ChartMonth[] = months.map((period, i) => {
    const groupLeft = plot.left + i * groupWidth + groupWidth * 0.1;
    CHART_STATUSES.forEach((status, j) => {
      const v = minor.get(`${period}|${status}`);
      if (v === undefined) return;
      const vy = y(v);
      let top = Math.min(vy, zeroY);
      let h = Math.abs(vy - zeroY);
      // a non-zero amount stays visible even when it is tiny beside the largest
      if (v !== 0n && h < 1) {
        h = 1;
        if (v > 0n) top = zeroY - 1;
      }
      bars.push({ period, status, amount: fromMinor(v, scale), x: groupLeft + j * barWidth, y: top, width: barWidth, height: h });
    });
    return { period, x: plot.left + (i + 0.5) * groupWidth, labelled: (months.length - 1 - i) % labelEvery === 0 };
  });

  return { width, height, plot, zeroY, bars, ticks, months: monthShapes, omittedMonths: allMonths.length - months.length };
}
