// Amounts arrive from Rust as exact decimal strings ("-1500.00"). They are formatted here
// purely by string manipulation: never converted to JS numbers.

const DECIMAL = /^([+-]?)(\d+)(?:\.(\d+))?$/;

/** True when the decimal string is strictly below zero ("-0.00" is not negative). */
export function isNegative(amount: string | null | undefined): boolean {
  if (!amount) return false;
  const m = DECIMAL.exec(amount.trim());
  if (!m || m[1] !== "-") return false;
  return /[1-9]/.test(m[2] + (m[3] ?? ""));
}

/** True when the decimal string is exactly zero, whatever its scale or sign. */
export function isZero(amount: string | null | undefined): boolean {
  if (!amount) return false;
  const m = DECIMAL.exec(amount.trim());
  return !!m && !/[1-9]/.test(m[2] + (m[3] ?? ""));
}

/** CSS class for an amount cell: `neg`, `pos`, `zero` or `none` (missing). */
export function amountClass(amount: string | null | undefined): "neg" | "pos" | "zero" | "none" {
  if (amount === null || amount === undefined || amount === "") return "none";
  if (isNegative(amount)) return "neg";
  if (isZero(amount)) return "zero";
  return "pos";
}

/** Groups the integer digits in threes: "-1234567.50" → "-1,234,567.50". Non-decimals pass through. */
export function formatAmount(amount: string | null | undefined, sep = ","): string {
  if (amount === null || amount === undefined) return "";
  const s = amount.trim();
  const m = DECIMAL.exec(s);
  if (!m) return s;
  const [, sign, intRaw, frac] = m;
  const int = intRaw.replace(/^0+(?=\d)/, "");
  let grouped = "";
  for (let i = int.length; i > 0; i -= 3) {
    const chunk = int.slice(Math.max(0, i - 3), i);
    grouped = grouped ? `${chunk}${sep}${grouped}` : chunk;
  }
  const neg = sign === "-" && /[1-9]/.test(int + (frac ?? ""));
  return `${neg ? "-" : ""}${grouped}${frac !== undefined ? "." + frac : ""}`;
}

/** "2026-03-01T12:00:00Z" → "2026-03-01 12:00:00" (UTC, as stored). */
export function formatDate(rfc3339: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})/.exec(rfc3339);
  return m ? `${m[1]} ${m[2]}` : rfc3339;
}

/** Integer count with thousands separators (counts are safe JS integers, not money). */
export function formatCount(n: number): string {
  return formatAmount(String(Math.trunc(n)));
}
