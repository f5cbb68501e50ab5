// The ONLY module that talks to Tauri. Everything else imports these typed wrappers.
import { invoke } from "@tauri-apps/api/core";
import { open } from "@tauri-apps/plugin-dialog";
import { getCurrentWebview } from "@tauri-apps/api/webview";
import type { ApiError as ApiErrorDto } from "../bindings/ApiError";
import type { AuditVerifyDto } from "../bindings/AuditVerifyDto";
import type { CurrencyDto } from "../bindings/CurrencyDto";
import type { ImportRequestDto } from "../bindings/ImportRequestDto";
import type { ImportSummaryDto } from "../bindings/ImportSummaryDto";
import type { JournalPageDto } from "../bindings/JournalPageDto";
import type { JournalQueryDto } from "../bindings/JournalQueryDto";
import type { NewWalletDto } from "../bindings/NewWalletDto";
import type { SyncReportDto } from "../bindings/SyncReportDto";
import type { SyncStatusDto } from "../bindings/SyncStatusDto";
import type { WalletDto } from "../bindings/WalletDto";
import type { ActionSummaryDto } from "../bindings/ActionSummaryDto";
import type { CycleSummaryDto } from "../bindings/CycleSummaryDto";
import type { ExpectedDto } from "../bindings/ExpectedDto";
import type { ExpectedImportDto } from "../bindings/ExpectedImportDto";
import type { MatchRunSummaryDto } from "../bindings/MatchRunSummaryDto";
import type { NewExpectedDto } from "../bindings/NewExpectedDto";
import type { ReviewQueuesDto } from "../bindings/ReviewQueuesDto";
import type { SplitShareDto } from "../bindings/SplitShareDto";

export type {
  AuditVerifyDto,
  CurrencyDto,
  ImportRequestDto,
  ImportSummaryDto,
  JournalPageDto,
  JournalQueryDto,
  NewWalletDto,
  SyncReportDto,
  SyncStatusDto,
  WalletDto,
  ActionSummaryDto,
  CycleSummaryDto,
  ExpectedDto,
  ExpectedImportDto,
  MatchRunSummaryDto,
  NewExpectedDto,
  ReviewQueuesDto,
  SplitShareDto,
};
export type { AwaitingDto } from "../bindings/AwaitingDto";
export type { LinkDto } from "../bindings/LinkDto";
export type { ReceiptDto } from "../bindings/ReceiptDto";
export type { ReceiptScoreDto } from "../bindings/ReceiptScoreDto";
export type { ReceiptSuggestionsDto } from "../bindings/ReceiptSuggestionsDto";
export type { ScoreDto } from "../bindings/ScoreDto";
export type { SuggestionDto } from "../bindings/SuggestionDto";
export type { JournalRowDto } from "../bindings/JournalRowDto";
export type { ImportFileDto } from "../bindings/ImportFileDto";

/** A failed command, as the Rust side reports it: `{code, message}`. */
export class ApiError extends Error implements ApiErrorDto {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = "ApiError";
    this.code = code;
  }
}

/** Normalises whatever `invoke` rejected with into an `ApiError`. */
export function toApiError(e: unknown): ApiError {
  if (e instanceof ApiError) return e;
  if (e && typeof e === "object" && "code" in e && "message" in e) {
    const o = e as { code: unknown; message: unknown };
    return new ApiError(String(o.code), String(o.message));
  }
  if (e instanceof Error) return new ApiError("ipc", e.message);
  return new ApiError("ipc", String(e));
}

async function call<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(cmd, args);
  } catch (e) {
    throw toApiError(e);
  }
}

export const currencyList = () => call<CurrencyDto[]>("currency_list");
export const walletList = () => call<WalletDto[]>("wallet_list");
export const walletAdd = (input: NewWalletDto) => call<WalletDto>("wallet_add", { input });
export const journalQuery = (q: JournalQueryDto) => call<JournalPageDto>("journal_query", { q });
export const journalRefTypes = () => call<string[]>("journal_ref_types");
export const importEsiJournal = (req: ImportRequestDto) =>
  call<ImportSummaryDto>("import_esi_journal", { req });
export const syncStatus = () => call<SyncStatusDto>("sync_status");
export const syncSetServer = (url: string) => call<SyncStatusDto>("sync_set_server", { url });
export const syncSetToken = (token: string) => call<null>("sync_set_token", { token });
export const syncNow = () => call<SyncReportDto>("sync_now");
export const auditVerify = () => call<AuditVerifyDto>("audit_verify");
export const currentActor = () => call<string>("current_actor");
export const dbPath = () => call<string>("db_path");

// Payment matching (SPEC §5). Tauri 2 maps camelCase argument names to the Rust snake_case ones.
/** Expected payments, optionally of one cycle and/or one status (`null` = all). */
export const expectedList = (cycle: string | null = null, status: string | null = null) =>
  call<ExpectedDto[]>("expected_list", { cycle, status });
export const expectedAdd = (input: NewExpectedDto) => call<ExpectedDto>("expected_add", { input });
/** Changes the expected amount (decimal text) of the expected payment with this memo. */
export const expectedEdit = (memo: string, expectedAmount: string) =>
  call<ExpectedDto>("expected_edit", { memo, expectedAmount });
/** Imports a CSV or JSON file of expected payments from an absolute path. */
export const expectedImport = (path: string) => call<ExpectedImportDto>("expected_import", { path });
/** Runs the matching engine (all cycles, or one). */
export const matchRun = (cycle: string | null = null) => call<MatchRunSummaryDto>("match_run", { cycle });
export const reviewQueues = () => call<ReviewQueuesDto>("review_queues");
/** Accepts a suggestion: links receipt `rowid` to the expected payment `memo`. */
export const matchAccept = (memo: string, rowid: number) =>
  call<ActionSummaryDto>("match_accept", { memo, rowid });
/** Links a receipt to an expected payment by hand. */
export const matchLink = (memo: string, rowid: number) => call<ActionSummaryDto>("match_link", { memo, rowid });
/** Unlinks a receipt (from `memo`, or from everything when `null`). */
export const matchUnlink = (rowid: number, memo: string | null = null) =>
  call<ActionSummaryDto>("match_unlink", { rowid, memo });
/** Marks a receipt "not a participation payment". */
export const matchReject = (rowid: number, reason = "not a participation payment") =>
  call<ActionSummaryDto>("match_reject", { rowid, reason });
/** Splits one receipt across expected payments; the share amounts must add up to the receipt. */
export const matchSplit = (rowid: number, shares: SplitShareDto[]) =>
  call<ActionSummaryDto>("match_split", { rowid, shares });
/** Undoes the newest reviewer step (link, unlink, accept, reject, split, bulk accept). */
export const matchUndo = () => call<ActionSummaryDto>("match_undo");
/** Accepts every untied top suggestion scoring ≥ `minScore`; `dryRun` only counts them. */
export const matchAcceptAbove = (minScore: number, dryRun: boolean) =>
  call<ActionSummaryDto>("match_accept_above", { minScore, dryRun });
/** Opens a cycle: cancels its still-awaiting expected payments; returns how many. */
export const cycleOpen = (cycleId: string) => call<number>("cycle_open", { cycleId });
export const cycleSummaries = () => call<CycleSummaryDto[]>("cycle_summaries");

/** Native file picker for ESI journal JSON files; `[]` when cancelled. */
export async function pickJournalFiles(): Promise<string[]> {
  try {
    const picked = await open({
      multiple: true,
      directory: false,
      filters: [{ name: "ESI journal JSON", extensions: ["json"] }],
    });
    if (picked === null) return [];
    return Array.isArray(picked) ? picked : [picked];
  } catch (e) {
    throw toApiError(e);
  }
}

// Import wizard and import history (bank CSV, OFX, CAMT, MT940, ESI JSON).
import type { BatchDto } from "../bindings/BatchDto";
import type { ImportResultDto } from "../bindings/ImportResultDto";
import type { PreviewDto } from "../bindings/PreviewDto";
import type { ProfileDto } from "../bindings/ProfileDto";
import type { ProgressDto } from "../bindings/ProgressDto";
import type { RejectedRowDto } from "../bindings/RejectedRowDto";
import type { SavedProfileDto } from "../bindings/SavedProfileDto";
export type { BatchDto, ImportResultDto, PreviewDto, ProfileDto, ProgressDto, RejectedRowDto, SavedProfileDto };
export type { AmbiguityDto } from "../bindings/AmbiguityDto";
export type { AmountDto } from "../bindings/AmountDto";
export type { AmountMode } from "../bindings/AmountMode";
export type { BatchFileDto } from "../bindings/BatchFileDto";
export type { ColumnDto } from "../bindings/ColumnDto";
export type { CurrencySourceDto } from "../bindings/CurrencySourceDto";
export type { ImportedFileDto } from "../bindings/ImportedFileDto";
export type { ParsedRowDto } from "../bindings/ParsedRowDto";
export type { PreviewRowDto } from "../bindings/PreviewRowDto";
export type { StatementDto } from "../bindings/StatementDto";

/** Reads the head of one file: format, proposed (or the given) profile, first rows as parsed. */
export const importPreview = (path: string, profile: ProfileDto | null = null) =>
  call<PreviewDto>("import_preview", { path, profile });
/** Imports files as one batch; `committed: false` = refused for bad rows (listed in `rejects`). */
export const importRun = (
  wallet: string,
  paths: string[],
  profile: ProfileDto | null,
  validRowsOnly: boolean,
  restoreRemoved: boolean,
) => call<ImportResultDto>("import_run", { wallet, paths, profile, validRowsOnly, restoreRemoved });
export const importProgress = () => call<ProgressDto>("import_progress");
export const importBatches = () => call<BatchDto[]>("import_batches");
export const batchRejects = (id: string) => call<RejectedRowDto[]>("batch_rejects", { id });
/** Removes a batch's rows (kept as tombstones); returns how many rows left the journal. */
export const batchRemove = (id: string) => call<number>("batch_remove", { id });
export const profileList = () => call<SavedProfileDto[]>("profile_list");
export const profileSave = (name: string, profile: ProfileDto) =>
  call<SavedProfileDto>("profile_save", { name, profile });

/** Native file picker for anything the importer reads; `[]` when cancelled. */
export async function pickImportFiles(): Promise<string[]> {
  try {
    const picked = await open({
      multiple: true,
      directory: false,
      filters: [
        { name: "Bank and journal files", extensions: ["csv", "txt", "tsv", "ofx", "qfx", "xml", "sta", "mt940", "940", "json"] },
        { name: "All files", extensions: ["*"] },
      ],
    });
    if (picked === null) return [];
    return Array.isArray(picked) ? picked : [picked];
  } catch (e) {
    throw toApiError(e);
  }
}

/**
 * Files dragged onto the window: Tauri gives their paths (the browser's own drop events do
 * not). `hover` tells when files are over the window. Returns the function that stops listening.
 */
export async function onFileDrop(drop: (paths: string[]) => void, hover?: (over: boolean) => void): Promise<() => void> {
  try {
    return await getCurrentWebview().onDragDropEvent((event) => {
      const p = event.payload;
      if (p.type === "enter" || p.type === "over") hover?.(true);
      else if (p.type === "leave") hover?.(false);
      else {
        hover?.(false);
        if (p.paths.length > 0) drop(p.paths);
      }
    });
  } catch {
    // outside Tauri (vitest, a plain browser) there is nothing to listen to
    return () => {};
  }
}
