// The Payouts screen's view of the payout commands: the DTO types it reads and the calls it
// makes, in one place. The backend decides every step (state machine, two-person control);
// the screen only asks and shows the answer or the refusal.
import { api, ApiError } from "./ipc";
import type { AuditRecordDto } from "../bindings/AuditRecordDto";
import type { ExportDto } from "../bindings/ExportDto";
import type { LedgerEntryDto } from "../bindings/LedgerEntryDto";
import type { PayoutApproveResultDto } from "../bindings/PayoutApproveResultDto";
import type { PayoutBatchDto } from "../bindings/PayoutBatchDto";
import type { PayoutLineDto } from "../bindings/PayoutLineDto";
import type { PayoutPreviewDto } from "../bindings/PayoutPreviewDto";
import type { PayoutStatsDto } from "../bindings/PayoutStatsDto";
import type { ProgramDto } from "../bindings/ProgramDto";
import type { BatchAction } from "./payouts";
import { ENTRY_PAGE } from "./partnersApi";

export type BatchView = PayoutBatchDto;
export type LineView = PayoutLineDto;
export type PreviewView = PayoutPreviewDto;
export type StatsView = PayoutStatsDto;
export type BulkView = PayoutApproveResultDto;
export type EntryView = LedgerEntryDto;
export type AuditView = AuditRecordDto;
export type ProgramView = ProgramDto;

/** Takes one step on a batch; the backend refuses what §7 or two-person control forbids. */
async function step(id: string, action: BatchAction, reason: string | null): Promise<BatchView> {
  switch (action) {
    case "submit":
      return api.payoutSubmit(id);
    case "approve": {
      // approving one is a bulk approve of one: its refusal comes as a result, not an error
      const [r] = await api.payoutApprove([id]);
      if (r?.result !== "approved") throw new ApiError("conflict", r?.reason ?? `batch ${id} was not approved`);
      return api.payoutShow(id);
    }
    case "reject":
      return api.payoutReject(id, reason ?? "");
    case "process":
      return api.payoutProcess(id);
    case "pay":
      return api.payoutPay(id);
    case "fail":
      return api.payoutFail(id, reason ?? "");
    case "retry":
      return api.payoutRetry(id);
  }
}

/** The calls the Payouts screen makes. */
export const payouts = {
  user: (): Promise<string> => api.currentActor(),
  dbPath: (): Promise<string> => api.dbPath(),
  programs: (): Promise<ProgramView[]> => api.programList(),
  /** Every batch, newest first, with its lines (their entry ids only in `show`). */
  list: (): Promise<BatchView[]> => api.payoutList({ program: null, status: null, period: null, partner: null }),
  stats: (): Promise<StatsView> => api.payoutStats(null),
  show: (id: string): Promise<BatchView> => api.payoutShow(id),
  preview: (program: string, period: string): Promise<PreviewView> => api.payoutPreview(program, period),
  create: (program: string, period: string, notes: string): Promise<BatchView> =>
    api.payoutCreate({ program, period, notes: notes === "" ? null : notes }),
  step,
  approveMany: (ids: string[]): Promise<BulkView[]> => api.payoutApprove(ids),
  exportCsv: (program: string | null, period: string | null, lines: boolean, path: string, bom: boolean): Promise<ExportDto> =>
    api.payoutExport(program, period, lines, path, bom),
  /** The batch's audit trail, oldest first. */
  audit: (id: string): Promise<AuditView[]> => api.auditList(`payout_batch:${id}`, 500),
  /** The program's entries of a period (every status), to show a batch's lines' entries. */
  entries: (program: string, period: string): Promise<EntryView[]> =>
    api.ledgerList({ program, status: null, entity: null, period, limit: ENTRY_PAGE, offset: null }),
};
