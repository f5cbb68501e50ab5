// App-wide sync status (nav footer + Sync screen), refreshed after imports and every 30 s.
import { api, attempt, type ApiError, type SyncStatusDto } from "./ipc";

export const status = $state<{ value: SyncStatusDto | null; error: ApiError | null }>({
  value: null,
  error: null,
});

export async function refreshStatus(): Promise<void> {
  await attempt(
    async () => {
      status.value = await api.syncStatus();
      status.error = null;
    },
    (e) => (status.error = e),
  );
}

export function setStatus(s: SyncStatusDto): void {
  status.value = s;
  status.error = null;
}
