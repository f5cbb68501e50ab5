// The Partners screen's and the Dashboard's view of the ledger commands: the DTO types they
// read and the calls they make, in one place.
import { api } from "./ipc";
import type { ApproveResultDto } from "../bindings/ApproveResultDto";
import type { ConversionDto } from "../bindings/ConversionDto";
import type { EntityDto } from "../bindings/EntityDto";
import type { EntryDetailDto } from "../bindings/EntryDetailDto";
import type { ExportDto } from "../bindings/ExportDto";
import type { LedgerEntryDto } from "../bindings/LedgerEntryDto";
import type { LedgerVerifyDto } from "../bindings/LedgerVerifyDto";
import type { ProgramDto } from "../bindings/ProgramDto";
import type { SummaryRowDto } from "../bindings/SummaryRowDto";

export type ProgramView = ProgramDto;
export type EntityView = EntityDto;
export type ConversionView = ConversionDto;
export type EntryView = LedgerEntryDto;
export type EntryDetailView = EntryDetailDto;
export type SummaryView = SummaryRowDto;
export type ApproveView = ApproveResultDto;
export type VerifyView = LedgerVerifyDto;

export interface LedgerFilter {
  status: string | null;
  entity: string | null;
  period: string | null;
}

/** The most entries the ledger tab loads at once (the API's largest page). */
export const ENTRY_PAGE = 10_000;

/** The calls the Partners screen and the Dashboard make. */
export const partners = {
  dbPath: (): Promise<string> => api.dbPath(),
  programs: (): Promise<ProgramView[]> => api.programList(),
  setStatus: (slug: string, status: string): Promise<ProgramView> => api.programSetStatus(slug, status),
  entities: (program: string): Promise<EntityView[]> => api.entityList(program),
  conversions: (program: string): Promise<ConversionView[]> => api.conversionList(program, null),
  async approve(program: string, id: string): Promise<ApproveView> {
    const [r] = await api.conversionApprove(program, [id]);
    return r;
  },
  reject: (program: string, id: string, reason: string): Promise<ConversionView> => api.conversionReject(program, id, reason),
  /** The program's entries matching the filter, newest first (at most `ENTRY_PAGE`). */
  entries: (program: string, f: LedgerFilter): Promise<EntryView[]> =>
    api.ledgerList({ program, status: f.status, entity: f.entity, period: f.period, limit: ENTRY_PAGE, offset: null }),
  entry: (id: number): Promise<EntryDetailView> => api.ledgerEntry(id),
  reverse: (id: number, reason: string): Promise<EntryView> => api.ledgerReverse(id, reason),
  /** Every program's totals, one row per program and currency (`key` = slug). */
  totals: (): Promise<SummaryView[]> => api.ledgerProgramTotals(),
  /** A program's earnings per month (`key` = YYYY-MM), one row per month and currency. */
  monthly: async (program: string): Promise<SummaryView[]> => (await api.ledgerSummary(program, "period")).rows,
  verify: (): Promise<VerifyView> => api.ledgerVerify(),
  exportEntries: (program: string, period: string | null, path: string, bom: boolean): Promise<ExportDto> =>
    api.ledgerExport(program, period, path, bom),
};
