// The Partners screen's view of the ledger commands: the DTO types it reads and the calls it
// makes, in one place (the screen's parts import from here, not from the bindings directly).
import { api } from "./ipc";

export interface ProgramView {
  slug: string;
  name: string;
  status: string;
  currency: string;
  direct_rate: string;
  override_rate: string;
  rounding: string;
}
export interface EntityView {
  entity_type: string;
  entity_ref: string;
  name: string;
  parent_ref: string | null;
  payout_per_conversion: string | null;
}
export interface ConversionView {
  conversion_id: string;
  sponsor_ref: string;
  occurred_at: string;
  description: string;
  status: string;
  reason: string | null;
}
export interface EntryView {
  id: number;
  program: string;
  entity_type: string;
  entity_ref: string;
  source: string;
  source_ref: string;
  status: string;
  gross_amount: string | null;
  earnings_amount: string;
  rounding_residue: string;
  currency: string;
  description: string;
  created_at: string;
  payout_batch: string | null;
  reverses: number | null;
  reversed_by: number | null;
}
export interface PostingView {
  transaction: string;
  account: string;
  currency: string;
  debit: string;
  credit: string;
}
export interface AuditView {
  at: string;
  actor: string;
  action: string;
  before: string | null;
  after: string | null;
}
export interface EntryDetailView {
  entry: EntryView;
  postings: PostingView[];
  audit: AuditView[];
}
/** One row of a summary: totals of one key (a status, an entity, a month) in one currency. */
export interface SummaryView {
  key: string;
  currency: string;
  total: string;
  pending: string;
  paid: string;
  reversed: string;
}
export interface ApproveView {
  id: string;
  result: "approved" | "already_exists" | "refused";
  entry_id: number | null;
  reason: string | null;
}
export interface LedgerFilter {
  status: string | null;
  entity: string | null;
  period: string | null;
}

/** The calls the Partners screen and the Dashboard make. */
export const partners = {
  dbPath: (): Promise<string> => api.dbPath(),
  programs: (): Promise<ProgramView[]> => api.programList(),
  entities: (program: string): Promise<EntityView[]> => api.entityList(program),
  conversions: (program: string): Promise<ConversionView[]> => api.conversionList(program, null),
  async approve(program: string, id: string): Promise<ApproveView> {
    const [r] = await api.conversionApprove(program, [id]);
    return r;
  },
  reject: (program: string, id: string, reason: string): Promise<unknown> => api.conversionReject(program, id, reason),
  entries: (program: string, f: LedgerFilter): Promise<EntryView[]> => api.ledgerList(program, f.status, f.entity, f.period),
  entry: (id: number): Promise<EntryDetailView> => api.ledgerEntry(id),
  reverse: (id: number, reason: string): Promise<EntryView> => api.ledgerReverse(id, reason),
  /** Per currency: the program's total, pending, paid and reversed earnings. */
  totals: (program: string): Promise<SummaryView[]> => api.ledgerSummary(program, "program"),
  /** Per month and currency. */
  monthly: (program: string): Promise<SummaryView[]> => api.ledgerSummary(program, "period"),
  exportEntries: (program: string, period: string | null, path: string, bom: boolean): Promise<number> =>
    api.ledgerExport(program, period, path, bom),
};
