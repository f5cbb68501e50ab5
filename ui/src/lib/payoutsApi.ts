// The Payouts screen's view of the payout commands: the DTO types it reads and the calls it
// makes, in one place. The backend decides every step (state machine, two-person control);
// the screen only asks and shows the answer or the refusal.
import { api, ApiError } from "./ipc";
import type { AuditRecordDto } from "../bindings/AuditRecordDto";
import type { LedgerEntryDto } from "../bindings/LedgerEntryDto";
import type { ProgramDto } from "../bindings/ProgramDto";
import type { BatchAction, BulkResult } from "./payouts";
import { ENTRY_PAGE } from "./partnersApi";

export interface LineView {
  entity_ref: string;
  entity_type?: string | null;
  amount: string;
  entry_ids: number[];
}

export interface BatchView {
  id: string;
  program: string;
  period: string;
  currency: string;
  status: string;
  total: string;
  notes: string;
  created_by: string;
  created_at: string;
  approved_by: string | null;
  lines: LineView[];
}

export interface PreviewView {
  program: string;
  period: string;
  currency: string;
  total: string;
  lines: LineView[];
}

export interface StatsView {
  by_status: { status: string; currency: string; batches: number; total: string }[];
  awaiting_your_approval: number;
}
export type EntryView = LedgerEntryDto;
export type AuditView = AuditRecordDto;
export type ProgramView = ProgramDto;

const missing = (what: string) => new ApiError("ipc", `${what}: the payouts API is not in this build yet`);

/** The calls the Payouts screen makes. */
export const payouts = {
  user: (): Promise<string> => api.currentActor(),
  dbPath: (): Promise<string> => api.dbPath(),
  programs: (): Promise<ProgramView[]> => api.programList(),
  list: async (): Promise<BatchView[]> => {
    throw missing("payout list");
  },
  stats: async (): Promise<StatsView> => {
    throw missing("payout stats");
  },
  show: async (_id: string): Promise<BatchView> => {
    throw missing("payout show");
  },
  preview: async (_program: string, _period: string): Promise<PreviewView> => {
    throw missing("payout preview");
  },
  create: async (_program: string, _period: string, _notes: string): Promise<BatchView> => {
    throw missing("payout create");
  },
  step: async (_id: string, _action: BatchAction, _reason: string | null): Promise<BatchView> => {
    throw missing("payout step");
  },
  approveMany: async (_ids: string[]): Promise<BulkResult[]> => {
    throw missing("payout approve");
  },
  exportCsv: async (_program: string | null, _period: string | null, _lines: boolean, _path: string, _bom: boolean): Promise<{ path: string; rows: number }> => {
    throw missing("payout export");
  },
  /** The batch's audit trail, oldest first. */
  audit: (id: string): Promise<AuditView[]> => api.auditList(`payout_batch:${id}`, 500),
  /** The program's entries of a period (every status), to show a batch's lines' entries. */
  entries: (program: string, period: string): Promise<EntryView[]> =>
    api.ledgerList({ program, status: null, entity: null, period, limit: ENTRY_PAGE, offset: null }),
};
