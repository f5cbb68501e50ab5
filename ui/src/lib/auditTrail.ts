// An audit record as a reader wants it: what changed between before and after, field by field.
import type { AuditRecordDto } from "../bindings/AuditRecordDto";

function fields(json: string | null): Record<string, unknown> {
  if (!json) return {};
  try {
    const v = JSON.parse(json);
    return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : { value: v };
  } catch {
    return { value: json };
  }
}

const show = (v: unknown) => (v === null || v === undefined ? "—" : typeof v === "string" ? v : JSON.stringify(v));

/** "status: awaiting_payment → confirmed; actual_amount: — → 600.00" (only the fields that changed). */
export function changeText(r: Pick<AuditRecordDto, "before" | "after">): string {
  const before = fields(r.before);
  const after = fields(r.after);
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  // a field absent on one side and null on the other did not change
  const same = (x: unknown, y: unknown) => JSON.stringify(x ?? null) === JSON.stringify(y ?? null);
  const changed = keys.filter((k) => !same(before[k], after[k]));
  if (r.before === null) return changed.length ? "created" : "";
  return changed.map((k) => `${k}: ${show(before[k])} → ${show(after[k])}`).join("; ");
}
