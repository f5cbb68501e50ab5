import { ApiError } from "./ipc";

/** Parses an optional whole-number id field (ids, not money; EVE ids are < 2^53). */
export function optionalInt(label: string, text: string): number | null {
  const t = text.trim();
  if (t === "") return null;
  if (!/^\d+$/.test(t) || !Number.isSafeInteger(Number(t))) {
    throw new ApiError("invalid_input", `${label} must be a whole number, got “${t}”`);
  }
  return Number(t);
}
