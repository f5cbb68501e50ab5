import { describe, expect, it } from "vitest";
import { errorTitle, windowMessage, windowStatusText } from "./errorTitle";

describe("error titles", () => {
  it("are words, never the code", () => {
    for (const code of ["invalid_input", "conflict", "bad_file", "not_found", "whatever_new"]) {
      const title = errorTitle(code);
      expect(title).not.toContain("_");
      expect(title.length).toBeGreaterThan(5);
    }
    expect(errorTitle("bad_file")).toBe("The file cannot be read");
  });
});

describe("window messages", () => {
  it("never tell a window user to pass a flag or run a command", () => {
    const cli = { code: "no_server", message: "no sync server set: pass --server URL or set one in the app's Sync screen" };
    expect(windowMessage(cli)).not.toMatch(/--server|recon /);
    expect(windowMessage({ code: "no_token", message: "store one with `recon token set`" })).not.toMatch(/recon token/);
    expect(windowMessage({ code: "conflict", message: "as is" })).toBe("as is");
    expect(windowStatusText("no device token: set RECON_TOKEN or store one with `recon token set`")).not.toMatch(/recon token/);
  });
});
