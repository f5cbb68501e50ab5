// App-wide sync status (nav footer + Sync screen), refreshed after imports and every 30 s.
import { syncStatus, toApiError, type ApiError, type SyncStatusDto } from "./ipc";

export const status = $state<{ value: SyncStatusDto | null; error: ApiError | null }>({
  value: null,
  error: null,
});

export async function refreshStatus(): Promise<void> {
  try {
    status.value = await syncStatus();
    status.error = null;
  } catch (e) {
    status.error = toApiError(e);
  }
}

export function setStatus(s: SyncStatusDto): void {
  status.value = s;
  status.error = null;
}
