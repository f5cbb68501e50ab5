// The ONLY module that talks to Tauri. Screens call the commands through `api` (typed
// functions generated from the Rust command table: ../bindings/commands.ts) and the native
// helpers below; every failure reaches them as an `ApiError`.
import { invoke } from "@tauri-apps/api/core";
import { open } from "@tauri-apps/plugin-dialog";
import { getCurrentWebview } from "@tauri-apps/api/webview";
import type { ApiError as ApiErrorDto } from "../bindings/ApiError";
import { commands } from "../bindings/commands";

export type { ActionSummaryDto } from "../bindings/ActionSummaryDto";
export type { AmbiguityDto } from "../bindings/AmbiguityDto";
export type { AmountDto } from "../bindings/AmountDto";
export type { AmountMode } from "../bindings/AmountMode";
export type { AuditRecordDto } from "../bindings/AuditRecordDto";
export type { AuditVerifyDto } from "../bindings/AuditVerifyDto";
export type { AwaitingDto } from "../bindings/AwaitingDto";
export type { BatchDto } from "../bindings/BatchDto";
export type { BatchFileDto } from "../bindings/BatchFileDto";
export type { ColumnDto } from "../bindings/ColumnDto";
export type { CurrencyDto } from "../bindings/CurrencyDto";
export type { CurrencySourceDto } from "../bindings/CurrencySourceDto";
export type { CycleSummaryDto } from "../bindings/CycleSummaryDto";
export type { ExpectedDto } from "../bindings/ExpectedDto";
export type { ExpectedEditDto } from "../bindings/ExpectedEditDto";
export type { ExpectedImportDto } from "../bindings/ExpectedImportDto";
export type { ImportFileDto } from "../bindings/ImportFileDto";
export type { ImportRequestDto } from "../bindings/ImportRequestDto";
export type { ImportResultDto } from "../bindings/ImportResultDto";
export type { ImportSummaryDto } from "../bindings/ImportSummaryDto";
export type { ImportedFileDto } from "../bindings/ImportedFileDto";
export type { JournalPageDto } from "../bindings/JournalPageDto";
export type { JournalQueryDto } from "../bindings/JournalQueryDto";
export type { JournalRowDto } from "../bindings/JournalRowDto";
export type { LinkDto } from "../bindings/LinkDto";
export type { MatchRunSummaryDto } from "../bindings/MatchRunSummaryDto";
export type { NewExpectedDto } from "../bindings/NewExpectedDto";
export type { NewWalletDto } from "../bindings/NewWalletDto";
export type { ParsedRowDto } from "../bindings/ParsedRowDto";
export type { PreviewDto } from "../bindings/PreviewDto";
export type { PreviewRowDto } from "../bindings/PreviewRowDto";
export type { ProfileDto } from "../bindings/ProfileDto";
export type { ProgressDto } from "../bindings/ProgressDto";
export type { ReceiptDto } from "../bindings/ReceiptDto";
export type { ReceiptScoreDto } from "../bindings/ReceiptScoreDto";
export type { ReceiptSuggestionsDto } from "../bindings/ReceiptSuggestionsDto";
export type { RejectedReceiptDto } from "../bindings/RejectedReceiptDto";
export type { RejectedRowDto } from "../bindings/RejectedRowDto";
export type { ReviewQueuesDto } from "../bindings/ReviewQueuesDto";
export type { SavedProfileDto } from "../bindings/SavedProfileDto";
export type { ScoreDto } from "../bindings/ScoreDto";
export type { SplitShareDto } from "../bindings/SplitShareDto";
export type { StatementDto } from "../bindings/StatementDto";
export type { SuggestionDto } from "../bindings/SuggestionDto";
export type { SyncReportDto } from "../bindings/SyncReportDto";
export type { NeedsAttentionDto } from "../bindings/NeedsAttentionDto";
export type { RefusedChangeDto } from "../bindings/RefusedChangeDto";
export type { RemoteEventDto } from "../bindings/RemoteEventDto";
export type { SyncCountsDto } from "../bindings/SyncCountsDto";
export type { SyncStatusDto } from "../bindings/SyncStatusDto";
export type { WalletDto } from "../bindings/WalletDto";

/** What a failure can say: the Rust side's error codes (typed here once), or `ipc` when the
 * call itself failed (outside Tauri, a broken bridge, a bug in the screen). */
export type ErrorCode = ApiErrorDto["code"] | "ipc";

/** A failed command, as the Rust side reports it: `{code, message}`. */
export class ApiError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = "ApiError";
    this.code = code;
  }
}

/** Normalises whatever was thrown into an `ApiError` (for callbacks handed an unknown failure). */
export function toApiError(e: unknown): ApiError {
  if (e instanceof ApiError) return e;
  if (e && typeof e === "object" && "code" in e && "message" in e) {
    const o = e as { code: unknown; message: unknown };
    return new ApiError(String(o.code) as ErrorCode, String(o.message));
  }
  if (e instanceof Error) return new ApiError("ipc", e.message);
  return new ApiError("ipc", String(e));
}

/**
 * Runs `work` (commands, and what the screen does with their answers); if it throws, `fail`
 * gets the failure as an `ApiError`. Resolves to whether `work` finished.
 */
export async function attempt(work: () => Promise<unknown>, fail: (e: ApiError) => void): Promise<boolean> {
  try {
    await work();
    return true;
  } catch (e) {
    fail(toApiError(e));
    return false;
  }
}

async function call<T>(command: string, args: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (e) {
    throw toApiError(e);
  }
}

/** Every Tauri command, e.g. `api.walletAdd(input)`; each rejects with an `ApiError`. */
export const api = commands(call);

type FileFilter = { name: string; extensions: string[] };

/** The native file picker (several files); `[]` when cancelled. */
async function pickFiles(filters: FileFilter[]): Promise<string[]> {
  try {
    const picked = await open({ multiple: true, directory: false, filters });
    if (picked === null) return [];
    return Array.isArray(picked) ? picked : [picked];
  } catch (e) {
    throw toApiError(e);
  }
}

/** Native file picker for ESI journal JSON files; `[]` when cancelled. */
export const pickJournalFiles = () => pickFiles([{ name: "ESI journal JSON", extensions: ["json"] }]);

/** Native file picker for anything the importer reads; `[]` when cancelled. */
export const pickImportFiles = () =>
  pickFiles([
    { name: "Bank and journal files", extensions: ["csv", "txt", "tsv", "ofx", "qfx", "xml", "sta", "mt940", "940", "qif", "json"] },
    { name: "All files", extensions: ["*"] },
  ]);

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
