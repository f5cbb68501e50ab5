// The title an error box shows: what kind of failure it is, in words (never the code).

const TITLES: Record<string, string> = {
  io: "Could not read or write a file",
  ledger_too_new: "This ledger is from a newer Recon Desk",
  not_found: "Not found",
  invalid_input: "Please check what was entered",
  conflict: "This cannot be done as things stand",
  bad_file: "The file cannot be read",
  rows_rejected: "Some rows were refused",
  database: "The ledger could not be read or written",
  ambiguous_column: "A column can be read two ways",
  internal: "Something went wrong inside Recon Desk",
  no_server: "No sync server is set",
  no_token: "No device token is set",
  server_unreachable: "The sync server cannot be reached",
  unauthorized: "The sync server refused the device token",
  sync_refused: "The sync server refused a change",
  sync_protocol: "The sync server answered unexpectedly",
  keychain: "The system keychain is unavailable",
  ipc: "The window lost contact with the app",
};

export function errorTitle(code: string): string {
  return TITLES[code] ?? "Something went wrong";
}

/** Messages that speak to a command-line user, said to a window user instead. */
const WINDOW_MESSAGES: Record<string, string> = {
  no_server: "No sync server is set: enter its URL in the Sync screen and press Save.",
  no_token: "No device token is stored: paste it into Device token in the Sync screen and press Save token.",
};

export function windowMessage(e: { code: string; message: string }): string {
  return WINDOW_MESSAGES[e.code] ?? e.message;
}

/** A recorded sync error (plain text) as a window user reads it. */
export function windowStatusText(text: string): string {
  if (text.startsWith("no sync server set")) return WINDOW_MESSAGES.no_server;
  if (text.startsWith("no device token")) return WINDOW_MESSAGES.no_token;
  return text;
}
