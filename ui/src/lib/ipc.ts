// The ONLY module that talks to Tauri. Everything else imports these typed wrappers.
import { invoke } from "@tauri-apps/api/core";
import { open } from "@tauri-apps/plugin-dialog";
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
};
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
