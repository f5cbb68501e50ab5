// Exact arithmetic on the decimal strings the wallet check reports ("-3.50"): BigInt over the
// digits at the larger scale, never a JS number, so a sum of amounts is the sum a ledger makes.

const DECIMAL = /^([+-]?)(\d+)(?:\.(\d+))?$/;

type Scaled = { units: bigint; scale: number };

function parse(amount: string): Scaled {
  const m = DECIMAL.exec(amount.trim());
  if (!m) throw new Error(`not a decimal amount: “${amount}”`);
  const [, sign, int, frac = ""] = m;
  const units = BigInt(int + frac);
  return { units: sign === "-" ? -units : units, scale: frac.length };
}

function rescale(v: Scaled, scale: number): bigint {
  return v.units * 10n ** BigInt(scale - v.scale);
}

function render(units: bigint, scale: number): string {
  const neg = units < 0n;
  const digits = (neg ? -units : units).toString().padStart(scale + 1, "0");
  const int = digits.slice(0, digits.length - scale);
  const frac = digits.slice(digits.length - scale);
  return `${neg ? "-" : ""}${int}${scale > 0 ? "." + frac : ""}`;
}

/** a + b, at the larger of the two scales: "1.5" + "2.25" = "3.75". */
export function addDecimal(a: string, b: string): string {
  const x = parse(a);
  const y = parse(b);
  const scale = Math.max(x.scale, y.scale);
  return render(rescale(x, scale) + rescale(y, scale), scale);
}

/** The sum of the amounts ("0" for none), at the largest scale among them. */
export function sumDecimals(amounts: string[]): string {
  return amounts.reduce((acc, a) => addDecimal(acc, a), "0");
}

/** |a|, same scale: "-3.50" → "3.50". */
export function absDecimal(a: string): string {
  const x = parse(a);
  return render(x.units < 0n ? -x.units : x.units, x.scale);
}

/** -1, 0 or 1 as a is below, at or above zero ("-0.00" is zero). */
export function signOf(a: string): -1 | 0 | 1 {
  const { units } = parse(a);
  return units < 0n ? -1 : units > 0n ? 1 : 0;
}

