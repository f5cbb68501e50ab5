// The usual decimals of a currency a statement names (ISO 4217 minor units), offered when the
// ledger lacks the currency; the user can change it before adding.
const ZERO = new Set(["BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF"]);
const THREE = new Set(["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"]);

export function usualScale(code: string): number {
  const c = code.trim().toUpperCase();
  if (ZERO.has(c)) return 0;
  if (THREE.has(c)) return 3;
  return 2;
}

/** The statement's currency when the ledger does not have it yet, else `null`. */
export function missingCurrency(statementCurrency: string | null | undefined, known: string[]): string | null {
  const c = statementCurrency?.trim().toUpperCase();
  if (!c) return null;
  return known.includes(c) ? null : c;
}
